"""Deadlines: the absolute time by which a whole logical operation must end.

A call's own ``deadline`` and any enclosing :func:`deadline_scope` (a whole ``get_profile``, say)
combine into one monotonic instant; the earliest wins. It lives in a context variable so a
scope reaches every task created inside it without being passed through each method.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["current_deadline", "deadline_at", "deadline_scope"]

_deadline_at: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "payroll_sdk_deadline_at", default=None
)


def current_deadline() -> float | None:
    """The monotonic time the enclosing :func:`deadline_scope` ends at, if any."""
    return _deadline_at.get()


@contextmanager
def deadline_scope(
    seconds: float | None, *, clock: Callable[[], float] = time.monotonic
) -> Iterator[None]:
    """Bound everything run inside (in this task and the tasks it creates) by ``seconds``.

    Nested scopes only ever shorten the deadline.
    """
    outer = _deadline_at.get()
    if seconds is None:
        yield
        return
    ends = clock() + seconds
    token = _deadline_at.set(ends if outer is None else min(outer, ends))
    try:
        yield
    finally:
        _deadline_at.reset(token)


def deadline_at(seconds: float | None, clock: Callable[[], float]) -> float | None:
    """The instant a call given ``seconds`` of its own must end by, inside the current scope."""
    inherited = _deadline_at.get()
    if seconds is None:
        return inherited
    own = clock() + seconds
    return own if inherited is None else min(own, inherited)
