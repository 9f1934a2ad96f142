"""Shifts parse the shifts fixture; the wire key ``from`` maps to ``from_``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from payroll_sdk.models import Money, ShiftPage, ShiftTimestamp

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CENTRAL = timezone(timedelta(hours=-5))


def _raw() -> bytes:
    return (FIXTURES / "shifts_page.json").read_bytes()


def _body() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(_raw())
    return body


@pytest.mark.parametrize("strict", [False, True])
def test_shifts_page_parses(strict: bool) -> None:
    page = ShiftPage.model_validate_json(_raw(), strict=strict)
    assert page.meta.next_cursor is None
    newest, older = page.data
    assert newest.end_date == date(2025, 6, 14) > older.end_date
    assert newest.type == "delivery"
    assert newest.timezone == "America/Chicago"
    first = newest.timestamps[0]
    assert first.from_ == datetime(2025, 6, 14, 17, 2, 13, tzinfo=CENTRAL)
    assert first.to == datetime(2025, 6, 14, 19, 15, 40, tzinfo=CENTRAL)
    assert newest.earnings[0].rate is None
    assert older.earnings[2].amount is None


def test_shift_conveniences() -> None:
    newest, older = ShiftPage.model_validate_json(_raw()).data
    assert newest.total_earnings == Money(6843 + 3120, "USD")
    assert older.total_earnings == Money(9755 + 1200, "USD")
    assert older.hours_worked == 4.5
    assert older.timestamps[0].duration == timedelta(hours=4, minutes=30)
    assert newest.money(100) == Money(100, "USD")


def test_from_alias_round_trips() -> None:
    stamp = ShiftPage.model_validate_json(_raw()).data[1].timestamps[0]
    wire = stamp.model_dump(by_alias=True, mode="json")
    assert set(wire) == {"from", "to"}
    assert ShiftTimestamp.model_validate(wire) == stamp
    assert ShiftTimestamp.model_validate_json(stamp.model_dump_json(by_alias=True)) == stamp
    assert '"from":' in stamp.model_dump_json(by_alias=True)


def test_timestamp_can_be_built_by_field_name_or_alias() -> None:
    start = datetime(2025, 1, 1, 9, tzinfo=UTC)
    end = datetime(2025, 1, 1, 17, 15, tzinfo=UTC)
    by_name = ShiftTimestamp(from_=start, to=end)
    by_alias = ShiftTimestamp.model_validate({"from": start, "to": end})
    assert by_name == by_alias
    assert by_name.hours == 8.25


def test_a_timestamp_missing_an_end_has_no_duration() -> None:
    # A clock-in without a clock-out is real data: kept, measured as unknown, not as zero.
    interval = ShiftTimestamp.model_validate({"to": "2025-01-01T00:00:00+00:00"})
    assert interval.duration is None and interval.hours is None


def test_unknown_types_categories_and_fields_are_kept() -> None:
    body = _body()
    shift = body["data"][0]
    shift["type"] = "scooter"
    shift["earnings"][0]["category"] = "surge"
    shift["distance_miles"] = 12.4
    parsed = ShiftPage.model_validate(body).data[0]
    assert parsed.type == "scooter"
    assert parsed.earnings[0].category == "surge"
    assert parsed.model_extra == {"distance_miles": 12.4}


@pytest.mark.parametrize("bad", [68.43, "6843"])
def test_shift_earning_amount_must_be_an_integer(bad: object) -> None:
    body = _body()
    body["data"][0]["earnings"][0]["amount"] = bad
    # The shift is kept aside, raw, and the page's other shifts are read.
    page = ShiftPage.model_validate_json(json.dumps(body))
    assert [r.id for r in page.unreadable] == [body["data"][0]["id"]]
    assert page.unreadable[0].fields == ["earnings.0.amount"]
    assert len(page.data) == len(body["data"]) - 1
