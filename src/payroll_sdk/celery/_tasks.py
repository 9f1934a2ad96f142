"""The chunk task, ``install(app)`` and ``sync_users``.

One task message is one chunk of a batch: ``(batch_id, chunk_no, user_ids, failed, attempt,
retry_ids)``. Running it:

1. asks the store which of the chunk's users already have a ``complete`` run in this batch
   (a chunk delivered again after its worker died skips them: nobody is synced twice);
2. syncs the rest with ``ProfileStore.sync_many`` on the process's one client;
3. users that failed, or came back ``partial``, for a transient reason (429, 5xx, connection,
   timeout, database) are retried together, later, by ``task.retry`` with a countdown: the
   server's ``Retry-After`` when it gave one, else exponential backoff. Nobody sleeps in the
   worker. After ``user_retries`` retries, or at once for a permanent error (unknown user,
   bad secret...), a failed user is recorded as failed for good; a partial one counts as done
   (what could be read is stored, and the store's runs say what was missing).

Every sync is a row of the store's runs table, with its batch id and, when it failed, its
typed error; the batch's counts in Redis are for progress display.
"""

from __future__ import annotations

import random
import time
import uuid
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from .._exceptions import (
    APIConnectionError,
    InternalServerError,
    InvalidInputError,
    PayrollError,
    RateLimitError,
)
from .._validation import path_id
from ._progress import PROGRESS_TTL, BatchKeys, SyncHandle, chunk_entry
from ._runtime import WorkerRuntime, close_runtime, get_runtime
from ._settings import CelerySettings

if TYPE_CHECKING:
    from celery import Celery, Task

    from ..store import SyncResult

__all__ = ["TASK_NAME", "install", "sync_users"]

TASK_NAME: Final = "payroll_sdk.sync_chunk"
#: Error classes (as the store's runs record them) worth another try.
_TRANSIENT_NAMES: Final = frozenset(
    {
        "RateLimitError",
        "APIConnectionError",
        "APITimeoutError",
        "DeadlineExceededError",
        "InternalServerError",
        "StoreError",
    }
)
_MAX_BACKOFF: Final = 60.0
#: Seconds between two progress writes of a running chunk.
_PROGRESS_EVERY: Final = 0.5

_settings_of: weakref.WeakKeyDictionary[Any, CelerySettings] = weakref.WeakKeyDictionary()


def _is_transient(error: PayrollError | None) -> bool:
    from ..store import StoreError

    return isinstance(error, RateLimitError | APIConnectionError | InternalServerError | StoreError)


def _needs_retry(result: SyncResult) -> bool:
    if result.status == "failed":
        return _is_transient(result.error)
    if result.status == "partial":
        return any(
            p.reason is not None
            and (
                p.reason.error in _TRANSIENT_NAMES
                or (p.reason.status_code is not None and p.reason.status_code in (429, 503, 502))
            )
            for p in result.problems
        )
    return False


@dataclass
class ChunkOutcome:
    """What one run of a chunk task leaves to do."""

    retry_ids: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    retry_after: float | None = None
    synced: int = 0

    def countdown(self, attempt: int) -> float:
        if self.retry_after is not None:
            # The server's wait, spread a little so the chunks it stopped do not all come back
            # in the same instant.
            return self.retry_after * random.uniform(1.0, 1.5)
        return min(2.0**attempt, _MAX_BACKOFF) * random.uniform(0.5, 1.0)


async def run_chunk(
    runtime: WorkerRuntime,
    batch_id: str,
    chunk_no: int,
    user_ids: Sequence[str],
    failed: dict[str, str],
    attempt: int,
    retry_ids: Sequence[str] | None,
) -> ChunkOutcome:
    """Sync one chunk (see the module docstring); return who is left to retry."""
    store, client, transport = runtime.store, runtime.client, runtime.transport
    assert store is not None and client is not None and transport is not None
    settings = runtime.settings
    keys = BatchKeys(settings.prefix, batch_id)
    outcome = ChunkOutcome(failed=dict(failed))
    wanted = [u for u in (retry_ids if retry_ids is not None else user_ids) if u not in failed]
    complete = await store.complete_in_batch(batch_id, wanted)
    todo = [u for u in wanted if u not in complete]
    remaining = len(todo)
    transport.take_retry_after()  # 429s of an earlier task are not this one's business

    async def report() -> None:
        done = len(user_ids) - len(outcome.failed) - remaining - len(outcome.retry_ids)
        pipe = runtime.redis.pipeline(transaction=False)
        pipe.hset(keys.chunks, str(chunk_no), chunk_entry(done, len(outcome.failed)))
        if outcome.failed:
            pipe.hset(keys.failed, mapping=outcome.failed)
        for key in keys.all:
            pipe.expire(key, PROGRESS_TTL)
        await pipe.execute()

    await report()
    last_report = time.monotonic()
    last_try = attempt >= settings.user_retries
    async for result in store.sync_many(
        client, todo, batch_id=batch_id, concurrency=settings.user_concurrency
    ):
        remaining -= 1
        outcome.synced += 1
        if _needs_retry(result) and not last_try:
            outcome.retry_ids.append(result.end_user_id)
            if isinstance(result.error, RateLimitError) and result.error.retry_after is not None:
                outcome.retry_after = max(outcome.retry_after or 0.0, result.error.retry_after)
        elif result.status == "failed":
            outcome.failed[result.end_user_id] = type(result.error).__name__
        if time.monotonic() - last_report >= _PROGRESS_EVERY:
            await report()
            last_report = time.monotonic()
    if outcome.retry_ids:
        seen = transport.take_retry_after()
        if seen is not None:
            outcome.retry_after = max(outcome.retry_after or 0.0, seen)
    await report()
    return outcome


def _bounded(countdown: float, settings: CelerySettings) -> float:
    """A countdown well inside the visibility timeout: a task waiting for its countdown is
    unacknowledged, and one that outlives the timeout is handed to a second worker."""
    return min(countdown, settings.visibility_timeout / 2)


def install(app: Celery, settings: CelerySettings | None = None) -> Task[Any, Any]:
    """Register the chunk task and the worker-process lifecycle on your Celery ``app``.

    Sets what the integration relies on for that task (late acknowledgement, tasks of a lost
    worker delivered again, no result stored) and, unless you set them, a prefetch of one
    task per process and a 60 s allowance for a worker process to start (it opens the store).
    ``settings`` default to :meth:`CelerySettings.from_env`. Returns the task.
    """
    from celery import signals

    settings = settings or CelerySettings.from_env()
    _settings_of[app] = settings
    conf = app.conf
    conf.setdefault("worker_prefetch_multiplier", 1)
    if conf.worker_proc_alive_timeout is None or conf.worker_proc_alive_timeout < 60:
        conf.worker_proc_alive_timeout = 60.0

    @app.task(  # type: ignore[untyped-decorator]
        name=TASK_NAME,
        bind=True,
        acks_late=True,
        reject_on_worker_lost=True,
        ignore_result=True,
        max_retries=None,  # bounded by settings.user_retries, per user, below
    )
    def sync_chunk(
        self: Task[Any, Any],
        batch_id: str,
        chunk_no: int,
        user_ids: list[str],
        failed: dict[str, str] | None = None,
        attempt: int = 0,
        retry_ids: list[str] | None = None,
    ) -> int:
        runtime = get_runtime(settings)
        try:
            outcome = runtime.run(
                run_chunk(runtime, batch_id, chunk_no, user_ids, failed or {}, attempt, retry_ids)
            )
        except Exception as exc:
            # The store or Redis failing outside any one user's sync (a user's own failure is
            # in its result). Failing the task would acknowledge it and drop the chunk: try
            # the whole chunk again later instead, within the same bound.
            if attempt >= settings.user_retries:
                raise
            raise self.retry(
                args=(batch_id, chunk_no, user_ids, failed or {}, attempt + 1),
                kwargs={"retry_ids": retry_ids},
                countdown=_bounded(ChunkOutcome().countdown(attempt), settings),
                max_retries=None,
                exc=exc,
            ) from exc
        if outcome.retry_ids:
            raise self.retry(
                args=(batch_id, chunk_no, user_ids, outcome.failed, attempt + 1),
                kwargs={"retry_ids": outcome.retry_ids},
                countdown=_bounded(outcome.countdown(attempt), settings),
                max_retries=None,
            )
        return outcome.synced

    def _open(**_: Any) -> None:
        get_runtime(settings)

    def _close(**_: Any) -> None:
        close_runtime()

    # weak=False: the handlers are closures that would otherwise be collected at once.
    signals.worker_process_init.connect(_open, weak=False)
    signals.worker_process_shutdown.connect(_close, weak=False)
    signals.worker_shutdown.connect(_close, weak=False)  # the solo pool's own process
    return sync_chunk


def settings_of(app: Celery) -> CelerySettings:
    try:
        return _settings_of[app]
    except KeyError:
        raise InvalidInputError(
            "This Celery app has no payroll_sdk tasks: call payroll_sdk.celery.install(app)."
        ) from None


def sync_users(
    user_ids: Iterable[str],
    chunk_size: int = 100,
    *,
    app: Celery | None = None,
    batch_id: str | None = None,
) -> SyncHandle:
    """Enqueue a batch: one task per ``chunk_size`` users; return its :class:`SyncHandle`.

    Every id is checked first (an :class:`~payroll_sdk.InvalidInputError` before anything is
    sent); repeated ids are synced once. ``app`` defaults to ``payroll_sdk.celery.app``;
    ``batch_id`` (default: a new one) tags every run in the store.
    """
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise InvalidInputError("chunk_size must be an int >= 1.")
    if isinstance(user_ids, str):
        raise InvalidInputError("user_ids must be an iterable of ids, not one str.")
    ids = list(dict.fromkeys(user_ids))
    for user_id in ids:
        path_id(user_id, "end_user_id")
    if batch_id is None:
        batch_id = f"batch-{uuid.uuid4().hex}"
    else:
        path_id(batch_id, "batch_id")
    if app is None:
        from . import app as default_app

        app = default_app
    settings = settings_of(app)
    keys = BatchKeys(settings.prefix, batch_id)
    handle = SyncHandle(batch_id, redis_url=settings.redis_url, prefix=settings.prefix)
    handle.total = len(ids)
    redis = handle._client()
    pipe = redis.pipeline(transaction=False)
    pipe.hset(keys.meta, mapping={"total": len(ids), "chunk_size": chunk_size})
    pipe.expire(keys.meta, PROGRESS_TTL)
    pipe.execute()
    with app.producer_or_acquire() as producer:
        for chunk_no, start in enumerate(range(0, len(ids), chunk_size)):
            app.send_task(
                TASK_NAME,
                args=(batch_id, chunk_no, ids[start : start + chunk_size]),
                queue=settings.queue,
                producer=producer,
            )
    return handle
