"""A batch's progress in Redis, and the handle ``sync_users`` returns to read it.

Each chunk task overwrites its own entry (``done``/``failed`` counts for its chunk) as it
goes, instead of incrementing shared counters: a chunk delivered again after a worker died
rewrites the same entry with what the store says, so nothing is counted twice. ``pending``
is the rest of the batch. Users that failed for good are kept by id with their error's class
(the full typed error is in the store's runs table).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["BatchKeys", "Progress", "SyncHandle", "chunk_entry"]

#: Progress keys expire a week after a batch's last write.
PROGRESS_TTL: Final = 7 * 24 * 3600


class BatchKeys:
    """The Redis keys of one batch."""

    def __init__(self, prefix: str, batch_id: str) -> None:
        base = f"{prefix}batch:{batch_id}"
        self.meta = f"{base}:meta"
        self.chunks = f"{base}:chunks"
        self.failed = f"{base}:failed"

    @property
    def all(self) -> tuple[str, str, str]:
        return (self.meta, self.chunks, self.failed)


def chunk_entry(done: int, failed: int) -> str:
    return f"{done},{failed}"


@dataclass(frozen=True, slots=True)
class Progress:
    """Users of a batch: ``done`` (synced; some may be ``partial``, see the store's runs),
    ``failed`` (for good: a permanent error or retries used up), ``pending`` (the rest,
    including users waiting for a retry)."""

    total: int
    done: int
    failed: int

    @property
    def pending(self) -> int:
        return max(self.total - self.done - self.failed, 0)

    @property
    def finished(self) -> bool:
        return self.pending == 0

    def __str__(self) -> str:
        return f"{self.done}/{self.total} done, {self.failed} failed, {self.pending} pending"


def read_progress(redis: Any, keys: BatchKeys) -> Progress:
    """Read a batch's progress with a sync ``redis.Redis``."""
    pipe = redis.pipeline(transaction=False)
    pipe.hget(keys.meta, "total")
    pipe.hvals(keys.chunks)
    total_raw, entries = pipe.execute()
    done = failed = 0
    for entry in entries:
        d, _, f = (entry.decode() if isinstance(entry, bytes) else entry).partition(",")
        done += int(d)
        failed += int(f or 0)
    return Progress(total=int(total_raw or 0), done=done, failed=failed)


class SyncHandle:
    """A batch enqueued by :func:`~payroll_sdk.celery.sync_users`.

    ``progress()`` reads Redis (cheap: one round trip); ``wait()`` polls it until nothing is
    pending. Handles are plain data (``batch_id`` and where the progress lives): rebuild one
    in another process with ``SyncHandle(batch_id, redis_url=..., prefix=...)``.
    """

    def __init__(self, batch_id: str, *, redis_url: str, prefix: str, total: int = 0) -> None:
        self.batch_id = batch_id
        self.total = total
        self._redis_url = redis_url
        self._keys = BatchKeys(prefix, batch_id)
        self._redis: Any = None

    def _client(self) -> Any:
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(self._redis_url)
        return self._redis

    def progress(self) -> Progress:
        """Users done, failed and pending right now."""
        return read_progress(self._client(), self._keys)

    def failures(self) -> Mapping[str, str]:
        """Users that failed for good, with their error's class name (``NotFoundError``...)."""
        raw = self._client().hgetall(self._keys.failed)
        return {
            (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in raw.items()
        }

    def wait(self, *, poll: float = 1.0, timeout: float | None = None) -> Progress:
        """Poll until no user is pending (or ``timeout`` seconds passed); the last progress."""
        ends = None if timeout is None else time.monotonic() + timeout
        while True:
            progress = self.progress()
            if progress.finished or (ends is not None and time.monotonic() >= ends):
                return progress
            time.sleep(poll)

    def close(self) -> None:
        if self._redis is not None:
            self._redis.close()
            self._redis = None

    def __repr__(self) -> str:
        return f"<SyncHandle batch_id={self.batch_id!r} total={self.total}>"
