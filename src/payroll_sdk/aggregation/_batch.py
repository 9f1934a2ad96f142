"""``get_profiles``: many users' profiles, streamed as they complete, in constant memory."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .._config import DEFAULT_STALE_AFTER
from .._exceptions import PayrollError
from .._validation import check_date_range
from ..models.profile import PayrollProfile
from ._fetch import fetch_profile, resolve_include
from ._freshness import check_stale_after
from ._stream import check_concurrency, stream_bounded

if TYPE_CHECKING:
    from .._client import PayrollClient

__all__ = ["ProfileResult", "iter_profiles"]


@dataclass(frozen=True, slots=True)
class ProfileResult:
    """One user's outcome in a batch: ``profile``, or ``error`` (the typed error for that user,
    e.g. :class:`~payroll_sdk.NotFoundError` for an unknown end user)."""

    end_user_id: str
    profile: PayrollProfile | None = None
    error: PayrollError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def __repr__(self) -> str:
        if self.profile is not None:
            state = (
                "complete" if self.profile.complete else f"{len(self.profile.problems)} problems"
            )
            return f"ProfileResult({self.end_user_id!r}, {state})"
        return f"ProfileResult({self.end_user_id!r}, error={self.error!r})"


async def iter_profiles(
    client: PayrollClient,
    end_user_ids: Iterable[str],
    *,
    concurrency: int,
    include: Iterable[str] | None,
    from_date: date | str | None,
    to_date: date | str | None,
    deadline: float | None,
    on_progress: Callable[[int, int | None], None] | None,
    stale_after: timedelta | float = DEFAULT_STALE_AFTER,
) -> AsyncGenerator[ProfileResult, None]:
    """Yield a :class:`ProfileResult` per user as each completes.

    At most ``concurrency`` profiles are in progress at once; ids are read lazily from
    ``end_user_ids``, and nothing is kept once yielded. Leaving the loop early (``break``, an
    exception, cancellation) cancels the profiles still in progress; use
    ``contextlib.aclosing`` to make that happen at once rather than when the generator is
    garbage-collected. A bad ``concurrency``, ``include`` or date range raises
    :class:`~payroll_sdk.InvalidInputError` at the first iteration, before any request; a bad
    id is that user's error.
    """
    check_concurrency(concurrency)
    wanted = resolve_include(include)
    # Checked once, here: a bad range is the caller's mistake, not each user's failure.
    from_date, to_date = check_date_range(from_date, to_date, "from_date", "to_date")
    stale_after = check_stale_after(stale_after)

    async def one(end_user_id: str) -> ProfileResult:
        try:
            profile = await fetch_profile(
                client,
                end_user_id,
                include=wanted,
                from_date=from_date,
                to_date=to_date,
                deadline=deadline,
                strict=False,
                stale_after=stale_after,
            )
        except PayrollError as exc:
            return ProfileResult(end_user_id, error=exc)
        return ProfileResult(end_user_id, profile=profile)

    # aclosing: leaving this generator early must cancel the work in progress now, not
    # when the inner generator is garbage-collected.
    stream = stream_bounded(end_user_ids, one, concurrency=concurrency, on_progress=on_progress)
    async with contextlib.aclosing(stream) as results:
        async for result in results:
            yield result
            del result
