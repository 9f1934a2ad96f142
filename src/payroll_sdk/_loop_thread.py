"""A private event loop running in a daemon thread, driven from synchronous code.

What :class:`~payroll_sdk.PayrollClientSync` is built on: coroutines are submitted to the loop
with :func:`asyncio.run_coroutine_threadsafe` and waited for; async iterators are consumed one
item at a time; stopping cancels whatever still runs and joins the thread.
"""

from __future__ import annotations

import asyncio
import enum
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, TypeVar

from ._exceptions import ClientClosedError

__all__ = ["LoopThread"]

_T = TypeVar("_T")


class _End(enum.Enum):
    """Marks an exhausted async iterator (``StopAsyncIteration`` cannot cross a future)."""

    END = enum.auto()


async def _anext(iterator: AsyncIterator[_T]) -> _T | _End:
    try:
        return await anext(iterator)
    except StopAsyncIteration:
        return _End.END


class LoopThread:
    """A private event loop running forever in a daemon thread, until :meth:`stop`."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(
            target=self._serve, name="payroll-sdk-sync-loop", daemon=True
        )
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def in_loop_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        """Run ``coroutine`` on the private loop and wait for its result (or exception)."""
        if self._stopped or self.in_loop_thread:
            coroutine.close()  # never awaited: close it so Python does not warn about it
            if self._stopped:
                raise ClientClosedError("This PayrollClientSync is closed.")
            raise RuntimeError(
                "PayrollClientSync was called from its own event loop's thread (from an "
                "on_progress callback?); that would wait on itself forever."
            )
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result()
        except BaseException:
            # Ctrl-C (or any exit) while waiting: do not leave the call running behind us.
            future.cancel()
            raise

    def iterate(self, iterator: AsyncIterator[_T]) -> Iterator[_T]:
        """The items of an async iterator, each fetched on the private loop.

        Leaving the loop early closes the async iterator (so a ``get_profiles`` batch stops
        its work in progress) when that can still be done.
        """
        try:
            while True:
                item = self.run(_anext(iterator))
                if item is _End.END:
                    return
                yield item
        finally:
            aclose: Callable[[], Coroutine[Any, Any, None]] | None = getattr(
                iterator, "aclose", None
            )
            # After stop(), the loop's shutdown_asyncgens() has finalised it already; in the
            # loop's thread (a garbage-collection there) the loop finalises it itself.
            if aclose is not None and not self._stopped and not self.in_loop_thread:
                self.run(aclose())

    def stop(self, finalizer: Coroutine[Any, Any, None] | None = None) -> None:
        """Run ``finalizer``, cancel whatever is still running, stop the loop, join the thread.

        Idempotent and thread-safe.
        """
        with self._lock:
            if self._stopped:
                if finalizer is not None:
                    finalizer.close()
                return
            if self.in_loop_thread:
                if finalizer is not None:
                    finalizer.close()
                raise RuntimeError("PayrollClientSync.close() cannot run on its own loop.")
            try:
                asyncio.run_coroutine_threadsafe(_shutdown(finalizer), self._loop).result()
            finally:
                self._stopped = True
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join()
                self._loop.close()


async def _shutdown(finalizer: Coroutine[Any, Any, None] | None) -> None:
    # Calls still running (other threads' calls racing with close()) are cancelled, so their
    # callers get CancelledError instead of waiting forever on a stopped loop.
    current = asyncio.current_task()
    others = [task for task in asyncio.all_tasks() if task is not current]
    try:
        if finalizer is not None:
            await finalizer
    finally:
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        await asyncio.get_running_loop().shutdown_asyncgens()
