"""Seeded randomness, timestamps and pay calendars for the sandbox's synthetic data.

Randomness is seeded through ``hashlib`` (never Python's salted ``hash()``) so two processes
with the same inputs draw the same values.
"""

from __future__ import annotations

import calendar
import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

__all__ = [
    "ID_NAMESPACE",
    "PERIODS_PER_YEAR",
    "Period",
    "local_timestamp",
    "moment_on",
    "months_before",
    "new_uuid",
    "pay_periods",
    "previous_business_day",
    "seeded_rng",
    "timestamp",
    "utc_offset",
]

#: Namespace of the sandbox's ``uuid5`` ids (accounts, platforms).
ID_NAMESPACE = uuid.UUID("0b7d3f52-8f5e-4c64-9a41-5d2f1c7e9a10")
PERIODS_PER_YEAR = {"weekly": 52, "bi-weekly": 26, "semi-monthly": 24, "monthly": 12}


def seeded_rng(*parts: object) -> random.Random:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16).digest()
    return random.Random(int.from_bytes(digest, "big"))


# ``uuid.UUID(int=..., version=4)`` sets these bits; doing it here skips building a UUID object
# per record (an eighth of generating a history) and gives the same string.
_V4_CLEAR: Final = ~((0xC000 << 48) | (0xF000 << 64))
_V4_SET: Final = (0x8000 << 48) | (4 << 76)


def new_uuid(rng: random.Random) -> str:
    """A random (version 4) UUID string drawn from ``rng``: ``str(uuid.UUID(int=rng.getrandbits(
    128), version=4))``, computed directly."""
    digits = f"{(rng.getrandbits(128) & _V4_CLEAR) | _V4_SET:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def moment_on(day: date, rng: random.Random, *, earliest_hour: int = 0) -> datetime:
    """A seeded UTC moment on ``day`` (microseconds included, as the real API sends)."""
    seconds = rng.randrange(earliest_hour * 3600, 86400)
    return datetime.combine(day, time(0), UTC) + timedelta(
        seconds=seconds, microseconds=rng.randrange(1_000_000)
    )


@lru_cache(maxsize=65536)
def utc_offset(zone_name: str, day: date, early: bool) -> tuple[timedelta, str]:
    """The zone's UTC offset on ``day`` (before 3 am if ``early``), and as ``+HH:MM``.

    Zone lookups dominate shift generation, and the offset only changes at a DST switch
    (2-3 am local), so it is computed once per zone, day and side of 3 am.
    """
    probe = datetime.combine(day, time(1 if early else 12), ZoneInfo(zone_name))
    offset = probe.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return offset, f"{sign}{hours:02d}:{mins:02d}"


def local_timestamp(zone_name: str, moment: datetime) -> str:
    """ISO 8601 with the zone's offset for a naive local ``moment``."""
    _, suffix = utc_offset(zone_name, moment.date(), moment.hour < 3)
    return moment.isoformat(timespec="microseconds") + suffix


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def previous_business_day(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    pay_date: date


def pay_periods(frequency: str, first: date, last: date, anchor_offset: int) -> list[Period]:
    """Pay periods whose pay date falls in ``[first, last]``, oldest first."""
    periods: list[Period] = []
    if frequency in ("weekly", "bi-weekly"):
        step = 7 if frequency == "weekly" else 14
        # Fridays; bi-weekly schedules are anchored on one of two alternating Fridays.
        anchor = date(2001, 1, 5) + timedelta(days=7 * anchor_offset)
        pay = anchor + timedelta(days=((first - anchor).days + step - 1) // step * step)
        while pay <= last:
            end = pay - timedelta(days=6)
            periods.append(Period(end - timedelta(days=step - 1), end, pay))
            pay += timedelta(days=step)
        return periods
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        eom = date(year, month, calendar.monthrange(year, month)[1])
        if frequency == "semi-monthly":
            halves = [(date(year, month, 1), date(year, month, 15)), (date(year, month, 16), eom)]
        else:
            halves = [(date(year, month, 1), eom)]
        for start, end in halves:
            pay = previous_business_day(end)
            if first <= pay <= last:
                periods.append(Period(start, end, pay))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods
