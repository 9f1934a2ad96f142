"""The store's database process: ``python -m payroll_sdk.store._child``, started by
:class:`~._process.ProcessDatabase`.

It opens the store's database as the store would in-process (:func:`~._db.build_database`:
SQLite's transactions on its worker threads, PostgreSQL's through asyncpg on its own event
loop) and runs the transactions it is sent, several at once, replying to each as it ends.
When its standard input closes (the store closed, or its process died) it finishes the
transactions in progress, closes the database and exits: a transaction is never cut short.

Ctrl-C in a terminal reaches the whole process group; this process ignores it, and its parent
closes it in order.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from typing import IO, Any

from ._db import build_database
from ._wire import portable_error, read_message, write_message


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests = sys.stdin.buffer
    # The replies get standard output's descriptor to themselves; anything printed (a
    # library's warning) goes to standard error instead of corrupting a reply.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        url, options = read_message(requests)
    except EOFError:
        return
    asyncio.run(_serve(requests, replies, url, options))


async def _serve(
    requests: IO[bytes], replies: IO[bytes], url: str, options: dict[str, Any] | None
) -> None:
    try:
        database = build_database(url, options)
    except BaseException as exc:
        write_message(replies, ("failed", portable_error(exc)))
        return
    write_message(replies, ("ready", None))
    loop = asyncio.get_running_loop()
    ended = asyncio.Event()
    running: set[asyncio.Task[None]] = set()

    async def run(number: int, work: Any) -> None:
        try:
            reply: tuple[int, bool, Any] = (number, True, await database.run(work))
        except BaseException as exc:
            reply = (number, False, portable_error(exc))
        try:
            write_message(replies, reply)
        except Exception as exc:  # a result that does not pickle
            write_message(replies, (number, False, portable_error(exc)))

    def start(message: tuple[int, Any]) -> None:
        task = loop.create_task(run(*message))
        running.add(task)
        task.add_done_callback(running.discard)

    def read() -> None:
        # A thread of its own: unpickling a large batch does not hold up the replies.
        # Any end of the requests (the parent closed them, or a message could not be read)
        # ends this process in order; the parent then fails what it still waits for.
        try:
            while True:
                loop.call_soon_threadsafe(start, read_message(requests))
        except EOFError:
            pass
        except BaseException as exc:  # work that cannot be unpickled here: a code error
            sys.stderr.write(f"payroll-sdk store database process: {exc!r}\n")
            sys.stderr.flush()
        loop.call_soon_threadsafe(ended.set)

    threading.Thread(target=read, name="payroll-store-requests", daemon=True).start()
    await ended.wait()
    while running:
        await asyncio.gather(*running, return_exceptions=True)
    await database.dispose()


if __name__ == "__main__":
    main()
