"""Turning one resource's fetch into a status: what was read, what failed, and why.

Shared by the profile fan-out (``_fetch.py``) and the date windows (``_history.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Protocol, TypeVar

from .._exceptions import (
    APIStatusError,
    AuthenticationError,
    NotFoundError,
    PayrollError,
    PermissionDeniedError,
    ResponseValidationError,
)
from ..models import ListResponse
from ..models.profile import FailureReason, ResourceStatus

__all__ = ["FATAL", "failure_reason", "fetch_list", "status_from_error"]

#: Errors that end a profile at once: with a bad secret or no permission nothing else will work.
FATAL = (AuthenticationError, PermissionDeniedError)


class _HasId(Protocol):
    id: Any


_I = TypeVar("_I", bound=_HasId)


async def fetch_list(
    pages: AsyncIterator[ListResponse[_I]],
) -> tuple[list[_I], ResourceStatus]:
    items: list[_I] = []
    seen: set[str] = set()
    read = attempts = 0
    refreshed = None
    try:
        async for page in pages:
            read += 1
            attempts += page.attempts
            if refreshed is None:
                refreshed = page.meta.refreshed_at
            for item in page.data:
                # Pages can shift while being read (new paystubs arrive): keep each id once.
                key = str(item.id)
                if key not in seen:
                    seen.add(key)
                    items.append(item)
    except FATAL:
        raise
    except PayrollError as exc:
        return items, status_from_error(exc, pages=read, attempts=attempts, refreshed=refreshed)
    return items, ResourceStatus(state="ok", refreshed_at=refreshed, attempts=attempts, pages=read)


def status_from_error(
    exc: PayrollError, *, pages: int, attempts: int, refreshed: datetime | None = None
) -> ResourceStatus:
    tried = attempts + getattr(exc, "attempts", 1)
    if pages == 0 and isinstance(exc, NotFoundError) and exc.type == "RECORD_NOT_FOUND":
        return ResourceStatus(state="not_found", attempts=tried)
    return ResourceStatus(
        state="partial" if pages else "failed",
        refreshed_at=refreshed,
        attempts=tried,
        pages=pages,
        reason=failure_reason(exc),
    )


def failure_reason(exc: PayrollError) -> FailureReason:
    """A short, secret-free summary of an error for a resource's status."""
    if isinstance(exc, APIStatusError):
        return FailureReason(
            error=type(exc).__name__,
            message=exc.message,
            status_code=exc.status_code,
            type=exc.type,
            code=exc.code,
            request_id=exc.request_id,
        )
    if isinstance(exc, ResponseValidationError):
        return FailureReason(
            error=type(exc).__name__,
            message=exc.message,
            status_code=exc.status_code,
            request_id=exc.request_id,
        )
    return FailureReason(error=type(exc).__name__, message=getattr(exc, "message", str(exc)))
