"""Freshness verdicts: may an account's data be shown as current?

Pure: the verdict depends only on the account, the moment ``as_of`` and ``stale_after``.
The rules are listed in :data:`~payroll_sdk.models.profile.FreshnessVerdict`; the default
threshold and its reason are in ``docs/data-quality.md`` ("Freshness").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from .._config import DEFAULT_STALE_AFTER
from ..models.profile import (
    RESOURCE_NAMES,
    AccountProfile,
    Freshness,
    FreshnessVerdict,
    ResourceName,
)

__all__ = ["DEFAULT_STALE_AFTER", "assess_freshness", "check_stale_after"]


#: The only monitoring status under which the API keeps refreshing an account by itself.
_MONITORED: Final = "active"


def check_stale_after(stale_after: timedelta | float | int) -> timedelta:
    """``stale_after`` as a timedelta (a number is days); a clear error for a bad value."""
    from .._exceptions import InvalidInputError

    if isinstance(stale_after, bool) or not isinstance(stale_after, timedelta | int | float):
        raise InvalidInputError("stale_after must be a timedelta or a number of days.")
    value = stale_after if isinstance(stale_after, timedelta) else timedelta(days=stale_after)
    if value <= timedelta(0):
        raise InvalidInputError("stale_after must be positive.")
    return value


def assess_freshness(
    account: AccountProfile, *, as_of: datetime, stale_after: timedelta = DEFAULT_STALE_AFTER
) -> Freshness:
    """The freshness verdict of one account as of ``as_of`` (an aware datetime)."""
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    payroll = account.account
    reasons: list[str] = []
    disconnected = unknown = False
    if payroll.connected is False:
        disconnected = True
        reasons.append("not connected: the payroll platform can no longer be read")
    elif payroll.connected is None:
        unknown = True
        reasons.append("the API did not say whether the account is connected")
    status = payroll.monitoring_status
    if status is None:
        unknown = True
        reasons.append("the API did not give a monitoring status")
    elif status != _MONITORED:
        disconnected = True
        reasons.append(f"monitoring {status}: the data is not kept current")

    refreshed = _refresh_times(account)
    known = {name: moment for name, moment in refreshed.items() if moment is not None}
    stale: list[ResourceName] = [
        name for name, moment in known.items() if as_of - moment > stale_after
    ]
    oldest = min(known.values(), default=None)
    if stale:
        age = (as_of - min(known[name] for name in stale)).days
        reasons.append(
            f"{', '.join(stale)} last refreshed {age} days ago"
            f" (stale after {_days(stale_after):g} days)"
        )
    if refreshed and not known:
        unknown = True
        reasons.append("no refresh time was reported for the data read")

    verdict: FreshnessVerdict = "fresh"
    if disconnected:
        verdict = "disconnected"
    elif stale:
        verdict = "stale"
    elif unknown:
        verdict = "unknown"
    return Freshness(
        verdict=verdict,
        reasons=reasons,
        refreshed_at=oldest,
        stale_resources=stale,
        stale_after_days=_days(stale_after),
    )


def _refresh_times(account: AccountProfile) -> dict[ResourceName, datetime | None]:
    """Per resource read, when it was last refreshed (the later of the two sources)."""
    read = [
        name
        for name in RESOURCE_NAMES
        if (
            account.status[name].state in ("ok", "partial")
            if name in account.status
            else _has_data(account, name)
        )
    ]
    timestamps = account.account.data_refreshed_at
    out: dict[ResourceName, datetime | None] = {}
    for name in read:
        candidates = [getattr(timestamps, name)]
        if name in account.status:
            candidates.append(account.status[name].refreshed_at)
        known = [_aware(c) for c in candidates if c is not None]
        out[name] = max(known, default=None)
    return out


def _has_data(account: AccountProfile, name: ResourceName) -> bool:
    value = getattr(account, name)
    return bool(value) if isinstance(value, list) else value is not None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _days(value: timedelta) -> float:
    days = value.total_seconds() / 86400
    return float(int(days)) if days == int(days) else round(days, 2)
