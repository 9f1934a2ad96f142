"""Turning one resource's fetch into a status: what was read, what failed, and why.

Shared by the profile fan-out (``_fetch.py``) and the date windows (``_history.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from .._dedup import IdSet
from .._exceptions import (
    APIStatusError,
    AuthenticationError,
    NotFoundError,
    PayrollError,
    PermissionDeniedError,
    ResponseValidationError,
)
from ..models import ListResponse, UnreadableRecord
from ..models.profile import FailureReason, ResourceStatus

__all__ = [
    "FATAL",
    "ListOutcome",
    "failure_reason",
    "fetch_list",
    "status_from_error",
    "with_unreadable",
]

#: Errors that end a profile at once: with a bad secret or no permission nothing else will work.
FATAL = (AuthenticationError, PermissionDeniedError)


_I = TypeVar("_I")


@dataclass
class ListOutcome(Generic[_I]):
    """What reading one list (or one date window of it) gave: the records, each id once, the
    records that could not be read, and the resource's status."""

    items: list[_I]
    status: ResourceStatus
    unreadable: list[UnreadableRecord] = field(default_factory=list)


async def fetch_list(pages: AsyncIterator[ListResponse[_I]]) -> ListOutcome[_I]:
    items: list[_I] = []
    unreadable: list[UnreadableRecord] = []
    # Pages can shift while being read (new paystubs arrive): keep each id once.
    seen = IdSet()
    read = attempts = 0
    refreshed = None
    try:
        async for page in pages:
            read += 1
            attempts += page.attempts
            if refreshed is None:
                refreshed = page.meta.refreshed_at
            items.extend(seen.new(page.data))
            unreadable.extend(page.unreadable)
    except FATAL:
        raise
    except PayrollError as exc:
        status = status_from_error(exc, pages=read, attempts=attempts, refreshed=refreshed)
        return ListOutcome(items, with_unreadable(status, unreadable), unreadable)
    status = ResourceStatus(state="ok", refreshed_at=refreshed, attempts=attempts, pages=read)
    return ListOutcome(items, with_unreadable(status, unreadable), unreadable)


def with_unreadable(status: ResourceStatus, unreadable: list[UnreadableRecord]) -> ResourceStatus:
    """``status`` with the unreadable records counted: an ``ok`` list becomes ``partial``."""
    if not unreadable:
        return status
    update: dict[str, object] = {"unreadable": len(unreadable)}
    if status.state == "ok":
        ids = [r.id for r in unreadable if r.id is not None]
        listed = f" (ids: {', '.join(ids[:10])}{', ...' if len(ids) > 10 else ''})" if ids else ""
        update["state"] = "partial"
        update["reason"] = FailureReason(
            error="UnreadableRecords",
            message=f"{len(unreadable)} record(s) could not be read and were kept raw{listed}.",
        )
    return status.model_copy(update=update)


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
