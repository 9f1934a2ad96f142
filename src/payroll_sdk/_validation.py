"""Checks on caller input, run before any request is sent.

Every failure is an :class:`~payroll_sdk.InvalidInputError` (a ``ValueError``) whose message
says which argument was wrong and why. Ids are never echoed whole: an id may be something a
caller did not mean to log, so messages quote at most a short prefix.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Final
from urllib.parse import quote

from ._exceptions import InvalidInputError

__all__ = ["check_date_range", "check_limit", "path_id", "to_date"]

MAX_ID_LENGTH: Final = 128
# RFC 3986 "unreserved" plus '@' and ':' (end-user ids are often e-mails or "org:user").
# Everything else (/, ?, #, %, whitespace, control and non-ASCII characters) could change
# which resource a path points at, so it is refused rather than escaped.
_ID_PATTERN: Final = re.compile(r"[A-Za-z0-9._~@:+=-]+")
MIN_LIMIT: Final = 1
MAX_LIMIT: Final = 100


def _preview(value: str) -> str:
    return repr(value[:12] + ("..." if len(value) > 12 else ""))


def path_id(value: object, name: str) -> str:
    """Validate an id that goes into a URL path, and return it escaped for the path."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be a str, got {type(value).__name__}.")
    if not value:
        raise InvalidInputError(f"{name} must not be empty.")
    if len(value) > MAX_ID_LENGTH:
        raise InvalidInputError(f"{name} is longer than {MAX_ID_LENGTH} characters.")
    if not _ID_PATTERN.fullmatch(value):
        raise InvalidInputError(
            f"{name} {_preview(value)} contains a character not allowed in an id "
            "(allowed: letters, digits and . _ ~ @ : + = -)."
        )
    if value in (".", "..") or ".." in value:
        raise InvalidInputError(f"{name} must not contain '..'.")
    return quote(value, safe="")


def check_limit(limit: object) -> int | None:
    """``limit`` must be an int in 1..100 (or ``None`` for the server's default)."""
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidInputError(f"limit must be an int, got {type(limit).__name__}.")
    if not MIN_LIMIT <= limit <= MAX_LIMIT:
        raise InvalidInputError(f"limit must be between {MIN_LIMIT} and {MAX_LIMIT}, got {limit}.")
    return limit


def to_date(value: object, name: str) -> date | None:
    """A ``date`` filter: a ``date``, an aware ``datetime`` (its UTC date) or ``YYYY-MM-DD``.

    A naive ``datetime`` is refused: which day it denotes depends on a timezone we would have
    to guess.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInputError(
                f"{name} is a naive datetime; pass a date, or a timezone-aware datetime."
            )
        return value.astimezone(UTC).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInputError(f"{name} must be a date in YYYY-MM-DD form.") from None
    raise InvalidInputError(f"{name} must be a date, got {type(value).__name__}.")


def check_date_range(
    start: object, end: object, start_name: str, end_name: str
) -> tuple[date | None, date | None]:
    """Both ends converted with :func:`to_date`; ``start`` must not be after ``end``."""
    first = to_date(start, start_name)
    last = to_date(end, end_name)
    if first is not None and last is not None and first > last:
        raise InvalidInputError(f"{start_name} ({first}) is after {end_name} ({last}).")
    return first, last
