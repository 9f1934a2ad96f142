"""Progress on stderr: a bar redrawn in place on a terminal, occasional lines otherwise."""

from __future__ import annotations

from typing import TextIO

__all__ = ["Progress"]

_BAR_WIDTH = 30
#: Lines printed over a whole run when stderr is not a terminal (a log file, CI output).
_LOG_STEPS = 10


class Progress:
    """Reports ``done`` out of ``total`` users to ``stream``.

    On a terminal the bar is redrawn with ``\\r`` after every user; otherwise one line is
    written each time another tenth of the users is done, so a log stays short.
    """

    def __init__(self, stream: TextIO, total: int, *, interactive: bool | None = None) -> None:
        self._stream = stream
        self._total = total
        self._interactive = stream.isatty() if interactive is None else interactive
        self._step = max(1, total // _LOG_STEPS)
        self._drawn = False

    def update(self, done: int, total: int | None = None) -> None:
        """The ``on_progress(done, total)`` callback of ``get_profiles``."""
        total = self._total if total is None else total
        if self._interactive:
            filled = _BAR_WIDTH * done // total if total else _BAR_WIDTH
            bar = "#" * filled + "." * (_BAR_WIDTH - filled)
            self._stream.write(f"\r[{bar}] {done}/{total} users")
            self._drawn = True
            self._stream.flush()
        elif done % self._step == 0 or done == total:
            self._stream.write(f"progress: {done}/{total} users\n")
            self._stream.flush()

    def finish(self) -> None:
        """End the bar's line, so what follows starts on a line of its own."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False
