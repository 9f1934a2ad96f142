"""``ProfileStore(database_process=True)``: the store's transactions in a process of their own.

A batch sync is bound by the client's CPU: parsing fifty users' responses keeps the event
loop's thread busy, and every statement the store runs in the same process (SQLAlchemy,
binding parameters, asyncpg's encoding, on a worker thread or on the loop) holds the same
interpreter lock. Issue 12's benchmark (T8) measured the writes of a first sync of 200 users
adding 1.5 s to a 4.2 s fetch that way. In a child process they run on another core: what
stays here is building each account's rows and pickling them (about 1 µs a record).

:class:`ProcessDatabase` is a :class:`~._db.Database` like the others: ``run(work)`` runs
``work(connection)`` in one transaction, there, and returns its result. The child
(``_child.py``) is started with ``python -m`` rather than ``multiprocessing``, so the
caller's ``__main__`` module is never imported again in it, and in a session of its own, so
a terminal's Ctrl-C stops the sync here while the child finishes the transaction in progress
and exits when this side closes its input. If this process dies, the child sees its input
end and does the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Final, TypeVar

from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from .._exceptions import ConfigurationError
from ._db import Database
from ._errors import StoreError
from ._wire import encode, read_message, write_frame, write_message

__all__ = ["ProcessDatabase"]

_T = TypeVar("_T")

#: PostgreSQL write transactions at once in the child (see ``parallel_writes``).
_POSTGRES_PARALLEL_WRITES: Final = 3
#: How long closing waits for the child to finish its transactions before killing it.
_CLOSE_TIMEOUT: Final = 60.0
#: The directory ``payroll_sdk`` is imported from, put first on the child's ``PYTHONPATH``
#: so the child runs this very copy of the package.
_PACKAGE_ROOT: Final = str(Path(__file__).resolve().parents[2])


class ProcessDatabase(Database):
    """The store's database, opened and used by a child process (see the module docstring)."""

    def __init__(self, url: str, options: dict[str, Any] | None) -> None:
        self.dialect_name = make_url(url).get_backend_name()
        self._url = url
        self._options = options
        self._process: subprocess.Popen[bytes] | None = None
        self._requests: IO[bytes] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reader: threading.Thread | None = None
        self._writer: threading.Thread | None = None
        #: Encoded requests for the writer thread; ``None`` closes the child's input.
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._numbers = itertools.count()
        self._stopped = False

    @property
    def parallel_writes(self) -> int:
        """PostgreSQL: 3 write transactions at once, not 8 as in-process. Here every
        transaction shares the child's one event loop (asyncpg's encoding) and core, and
        fewer, larger batches cost less a record (fewer commits and round trips). Measured on
        200 users of T8: first pass 5.3 s at 3 against 5.7-6.4 s at 8; in-process 8 stays
        better (6.1-6.2 s against 6.6-7.3 s)."""
        return 1 if self.dialect_name == "sqlite" else _POSTGRES_PARALLEL_WRITES

    @property
    def pid(self) -> int | None:
        """The child's process id (``None`` before it starts)."""
        return self._process.pid if self._process is not None else None

    async def start(self) -> None:
        """Start the child and have it open the database (it raises what opening raises)."""
        try:
            pickle.dumps(self._options)
        except Exception:
            raise ConfigurationError(
                "engine_options must be picklable with database_process=True (they are sent "
                "to the database process)."
            ) from None
        self._loop = asyncio.get_running_loop()
        self._process = await asyncio.to_thread(_spawn)
        assert self._process.stdin is not None and self._process.stdout is not None
        self._requests = self._process.stdin
        replies = self._process.stdout
        try:
            write_message(self._requests, (self._url, self._options))
            status, error = await asyncio.to_thread(read_message, replies)
        except (EOFError, OSError):
            await self.dispose()
            raise StoreError(
                "The store's database process could not start (its error is on standard error)."
            ) from None
        except BaseException:
            await self.dispose()
            raise
        if status != "ready":
            await self.dispose()
            raise error
        self._reader = threading.Thread(
            target=self._read_replies, args=(replies,), name="payroll-store-replies", daemon=True
        )
        self._reader.start()
        self._writer = threading.Thread(
            target=self._write_requests,
            args=(self._requests,),
            name="payroll-store-requests",
            daemon=True,
        )
        self._writer.start()

    async def run(self, work: Callable[[Connection], _T]) -> _T:
        if self._stopped or self._requests is None or self._loop is None:
            raise StoreError("The store is closed.")
        number = next(self._numbers)
        try:
            data = encode((number, work))
        except Exception as exc:  # the work does not pickle: a bug of the store's
            raise StoreError(
                f"Cannot send work to the store's database process: {type(exc).__name__}."
            ) from None
        done: asyncio.Future[_T] = self._loop.create_future()
        self._pending[number] = done
        self._outbox.put(data)
        return await done

    def _write_requests(self, requests: IO[bytes]) -> None:
        """On a thread of its own, so the event loop never blocks on a full pipe while the
        child is busy: every encoded request, in order, until ``None``."""
        try:
            while (data := self._outbox.get()) is not None:
                write_frame(requests, data)
        except (OSError, ValueError):  # the child is gone; the reader fails the waiting
            pass
        with contextlib.suppress(OSError):
            requests.close()

    def _read_replies(self, replies: IO[bytes]) -> None:
        """On a thread of its own: every reply to its waiting future, until the child's
        output ends."""
        try:
            while True:
                number, ok, payload = read_message(replies)
                self._call_soon(self._settle, number, ok, payload)
        except BaseException:  # the end of the output (or a reply that cannot be read)
            pass
        self._call_soon(self._lost)

    def _call_soon(self, callback: Callable[..., None], *args: Any) -> None:
        assert self._loop is not None
        with contextlib.suppress(RuntimeError):  # the loop was closed meanwhile
            self._loop.call_soon_threadsafe(callback, *args)

    def _settle(self, number: int, ok: bool, payload: Any) -> None:
        done = self._pending.pop(number, None)
        if done is None or done.done():  # its caller was cancelled; the work was done
            return
        if ok:
            done.set_result(payload)
        else:
            done.set_exception(payload)

    def _lost(self) -> None:
        """The child's output ended: whatever still waits will get no reply."""
        self._stopped = True
        pending, self._pending = self._pending, {}
        for done in pending.values():
            if not done.done():
                done.set_exception(StoreError("The store's database process has stopped."))

    async def dispose(self) -> None:
        """Close the child's input and wait for it to finish its transactions and exit."""
        process, self._process = self._process, None
        self._stopped = True
        if process is None:
            return
        if self._writer is not None:
            self._outbox.put(None)  # after the requests already queued
            await asyncio.to_thread(self._writer.join)
        elif self._requests is not None:
            with contextlib.suppress(OSError):
                self._requests.close()
        try:
            await asyncio.to_thread(process.wait, _CLOSE_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)
        if self._reader is not None:
            await asyncio.to_thread(self._reader.join)
        if process.stdout is not None:
            process.stdout.close()
        self._lost()


def _spawn() -> subprocess.Popen[bytes]:
    environment = dict(os.environ)
    inherited = environment.get("PYTHONPATH")
    environment["PYTHONPATH"] = (
        _PACKAGE_ROOT if not inherited else os.pathsep.join((_PACKAGE_ROOT, inherited))
    )
    return subprocess.Popen(
        [sys.executable, "-m", "payroll_sdk.store._child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=environment,
        start_new_session=True,
    )
