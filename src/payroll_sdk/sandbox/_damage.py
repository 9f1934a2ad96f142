"""Real-world damage for scenario users: the deviations of ``docs/data-quality.md``, served.

The generated data is tidy; real payroll data is not. A scenario account with ``damage``
serves its records with the named deviations applied, deterministically (the same records are
damaged on every request and in the ground truth). Each deviation hits its own records (by
position), so a scenario with several deviations has each one alone on some record and the
undamaged records in between. Filtering by date still uses each record's true date, as a
platform filtering on its own columns would.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["DEVIATIONS", "damage_list", "damage_object", "meta_key"]

JSONDict = dict[str, Any]

#: Every deviation the sandbox can serve, with what it does.
DEVIATIONS: Final[Mapping[str, str]] = {
    "missing_pay_date": "a paystub without pay_date (or a shift without end_date)",
    "unpadded_dates": "dates written without zero padding: 2021-1-31",
    "datetime_dates": "a timestamp where a date is expected: 2021-01-31T08:00:00Z",
    "null_amounts": "null amounts: a deduction's amount, a paystub's check_amount",
    "empty_strings": "empty strings for missing values: employer_name, ids, a period date",
    "string_hours": 'hours as decimal strings: "40.00"',
    "duplicate_ids": "the same record twice in a row (usually on one page)",
    "null_status": "employment status null and start_date missing",
    "misspelt_cursor": "the page meta says next_curor instead of next_cursor",
    "unreadable_record": 'a record whose gross amount is a formatted string: "1,234.56"',
}

# Each deviation damages records whose position modulo this is its slot, so deviations do not
# pile up on one record and every page keeps undamaged records.
_CYCLE: Final = 11
_SLOTS: Final = {name: slot for slot, name in enumerate(DEVIATIONS, start=1)}


def meta_key(damage: frozenset[str]) -> str:
    """The key the page meta's cursor is sent under."""
    return "next_curor" if "misspelt_cursor" in damage else "next_cursor"


def damage_list(
    items: list[JSONDict], damage: frozenset[str], *, kind: str
) -> list[tuple[JSONDict, JSONDict]]:
    """``(served, original)`` for each record of ``items`` (paystubs or shifts) with
    ``damage`` applied; a duplicated record appears twice. The input is not changed."""
    out: list[tuple[JSONDict, JSONDict]] = []
    for position, item in enumerate(items):
        hits = sorted(name for name in damage if position % _CYCLE == _SLOTS[name])
        if not hits:
            out.append((item, item))
            continue
        record = copy.deepcopy(item)
        for name in hits:
            _damage_record(record, name, kind)
        out.append((record, item))
        if "duplicate_ids" in hits:
            out.append((copy.deepcopy(record), item))
    return out


def damage_object(name: str, value: JSONDict | None, damage: frozenset[str]) -> JSONDict | None:
    """A single resource with the deviations that apply to it."""
    if value is None or not damage:
        return value
    value = copy.deepcopy(value)
    if name == "employment":
        if "null_status" in damage:
            value["status"] = None
            value.pop("start_date", None)
        if "empty_strings" in damage:
            value["title"] = ""
        if "unpadded_dates" in damage and value.get("start_date"):
            value["start_date"] = _unpad(value["start_date"])
    if name == "identity" and "empty_strings" in damage:
        value["full_name"] = ""
    if name == "income" and "null_amounts" in damage:
        value["pay_frequency"] = None
    return value


def _damage_record(record: JSONDict, name: str, kind: str) -> None:
    date_key = "pay_date" if kind == "paystubs" else "end_date"
    if name == "missing_pay_date":
        record.pop(date_key, None)
    elif name == "unpadded_dates":
        for key in (date_key, "pay_period_start", "pay_period_end", "start_date"):
            if isinstance(record.get(key), str):
                record[key] = _unpad(record[key])
    elif name == "datetime_dates":
        if isinstance(record.get(date_key), str):
            record[date_key] = f"{record[date_key]}T08:00:00Z"
    elif name == "null_amounts":
        lines = record.get("deductions") or record.get("earnings") or []
        if lines:
            lines[0]["amount"] = None
        if kind == "paystubs":
            record["check_amount"] = None
    elif name == "empty_strings":
        for key in ("employer_name", "external_paystub_id", "pay_period_start", "timezone"):
            if key in record:
                record[key] = ""
    elif name == "string_hours":
        for line in record.get("earnings") or []:
            if isinstance(line.get("hours"), int | float):
                line["hours"] = f"{line['hours']:.2f}"
    elif name == "unreadable_record":
        amount = record.get("gross_pay_amount")
        if kind == "shifts":
            record["earnings"] = "see attached"
        elif isinstance(amount, int):
            record["gross_pay_amount"] = f"{amount / 100:,.2f}"


def _unpad(day: str) -> str:
    year, month, rest = day.split("-", 2)
    return f"{year}-{int(month)}-{int(rest[:2])}{rest[2:]}"
