"""Progress on stderr: a bar with rate and ETA redrawn in place on a terminal, a few lines
otherwise.

Hand-written rather than ``rich.progress``: the command line ships with the core package,
whose dependencies stay httpx, pydantic and tenacity, and a bar with a rate and an ETA is
this much code.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Progress", "format_duration"]

_BAR_WIDTH = 30
#: Lines printed over a whole run when stderr is not a terminal (a log file, CI output).
_LOG_STEPS = 10
#: Without a total, a line every this many items.
_LOG_UNKNOWN_EVERY = 100
#: The shortest time between two redraws of the bar: thousands of users a second must not
#: mean thousands of terminal writes a second.
_REDRAW_EVERY = 0.1
#: No rate (nor ETA) before this many seconds: the first users' rate says little.
_RATE_AFTER = 1.0


class Progress:
    """Reports ``done`` out of ``total`` items (``unit``, e.g. ``"users"``) to ``stream``.

    On a terminal a bar is redrawn with ``\\r``, at most every 0.1 s, with the rate and the
    estimated time left::

        [############..................] 120/300 users  48.2/s  ETA 0:04

    otherwise one line is written each time another tenth is done, so a log stays short::

        progress: 120/300 users, 48.2/s, ETA 0:04

    ``total`` may be ``None`` (an ids stream of unknown length): the count and rate are shown,
    without bar or ETA. ``update`` has the shape of ``get_profiles``'s ``on_progress``;
    ``finish`` ends the bar's line (call it in a ``finally``); ``done`` is the last count
    reported, for a summary when the run is interrupted.
    """

    def __init__(
        self,
        stream: TextIO,
        total: int | None,
        *,
        unit: str = "users",
        interactive: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._total = total
        self._unit = unit
        self._interactive = stream.isatty() if interactive is None else interactive
        self._clock = clock
        self._started = clock()
        self._drawn_at: float | None = None
        self._width = 0  # of the last line drawn, to blank what a shorter one leaves
        self._logged_step = 0
        self.done = 0

    def update(self, done: int, total: int | None = None) -> None:
        """The ``on_progress(done, total)`` callback of ``get_profiles``."""
        self.done = done
        total = self._total if total is None else total
        now = self._clock()
        finished = total is not None and done >= total
        if self._interactive:
            if finished or self._drawn_at is None or now - self._drawn_at >= _REDRAW_EVERY:
                self._draw(self._bar(done, total, now))
                self._drawn_at = now
            return
        if total:
            step = max(1, total // _LOG_STEPS)
            due = finished or done // step > self._logged_step
            self._logged_step = done // step
        else:
            due = done % _LOG_UNKNOWN_EVERY == 0
        if due:
            self._stream.write(f"progress: {', '.join(self._parts(done, total, now))}\n")
            self._stream.flush()

    def finish(self) -> None:
        """End the bar's line, so what follows starts on a line of its own."""
        if self._drawn_at is not None:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn_at = None
            self._width = 0

    def _bar(self, done: int, total: int | None, now: float) -> str:
        text = "  ".join(self._parts(done, total, now))
        if not total:
            return text
        filled = _BAR_WIDTH * min(done, total) // total
        return f"[{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {text}"

    def _parts(self, done: int, total: int | None, now: float) -> list[str]:
        count = f"{done}/{total} {self._unit}" if total is not None else f"{done} {self._unit}"
        parts = [count]
        elapsed = now - self._started
        if total is not None and done >= total:
            parts.append(f"in {format_duration(elapsed)}")
        elif elapsed >= _RATE_AFTER and done > 0:
            rate = done / elapsed
            parts.append(f"{rate:.1f}/s")
            if total is not None:
                # Rounded up: an ETA never says 0:00 while something is left.
                parts.append(f"ETA {format_duration(math.ceil((total - done) / rate))}")
        return parts

    def _draw(self, line: str) -> None:
        self._stream.write("\r" + line.ljust(self._width))
        self._width = len(line)
        self._stream.flush()


def format_duration(seconds: float) -> str:
    """``0:04``, ``12:30``, ``1:02:03``: to the nearest whole second."""
    whole = max(0, int(seconds + 0.5))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
