"""Property: random real-world damage never costs an undamaged record, nor invents money.

Valid bodies (sandbox paystub and shift pages) get random damage per record: keys dropped,
amounts nulled, dates unpadded, values blanked, a record duplicated, a record replaced by
garbage. Every undamaged record must survive with its money exact; every damaged one must be
read (its money as sent, or None where it was not sent) or reported as unreadable.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payroll_sdk.models import PaystubPage, ShiftPage
from payroll_sdk.sandbox import SandboxData

_KEEP = {"id", "account_id", "currency"}  # what a record cannot be read without
_MONEY = ("gross_pay_amount", "net_pay_amount", "check_amount", "total_taxes")


@cache
def _records(kind: str) -> tuple[dict[str, Any], ...]:
    data = SandboxData(seed=11, today=date(2026, 3, 17), history_months=4)
    out: list[dict[str, Any]] = []
    for user in ("user_three_jobs", "user_single"):
        for account in data.user(user).accounts:
            out += getattr(account, kind)[:6]
    return tuple(out)


def _unpad(value: str) -> str:
    year, month, day = value[:10].split("-")
    return f"{year}-{int(month)}-{int(day)}{value[10:]}"


_DAMAGE = ("drop", "null", "unpad", "blank", "duplicate", "garbage")


@st.composite
def _damaged_page(draw: st.DrawFn, kind: str) -> tuple[list[Any], list[dict[str, Any]], list[str]]:
    records = [copy.deepcopy(r) for r in _records(kind)]
    sent: list[Any] = []
    plan: list[str] = []
    for record in records:
        damage = draw(st.sampled_from((None, None, *_DAMAGE)))
        plan.append(damage or "none")
        if damage is None:
            sent.append(record)
            continue
        record = copy.deepcopy(record)
        keys = sorted(set(record) - _KEEP)
        key = draw(st.sampled_from(keys))
        if damage == "drop":
            record.pop(key)
        elif damage == "null":
            money = [k for k in _MONEY if k in record] or [key]
            record[draw(st.sampled_from(money))] = None
        elif damage == "unpad":
            dated = [k for k in record if k.endswith("date") and isinstance(record[k], str)]
            if dated:
                name = draw(st.sampled_from(dated))
                record[name] = _unpad(record[name])
        elif damage == "blank":
            record[key] = ""
        elif damage == "garbage":
            sent.append(draw(st.sampled_from(["garbage", 42, None, [], {"nothing": True}])))
            continue
        sent.append(record)
        if damage == "duplicate":
            sent.append(copy.deepcopy(record))
    return sent, records, plan


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from(["paystubs", "shifts"]))
def test_random_damage_keeps_every_record_and_invents_no_money(data: Any, kind: str) -> None:
    sent, originals, plan = data.draw(_damaged_page(kind))
    page_type = PaystubPage if kind == "paystubs" else ShiftPage
    page = page_type.model_validate_json(json.dumps({"data": sent, "meta": {"next_cursor": None}}))
    read = {item.id: item for item in page.data}
    reported = [r for r in page.unreadable]
    for original, damage in zip(originals, plan, strict=True):
        if damage == "none":
            # Undamaged: read, equal to reading it alone, money exact.
            assert original["id"] in read
            tidy = page_type.model_validate_json(json.dumps({"data": [original], "meta": {}})).data[
                0
            ]
            assert read[original["id"]] == tidy
        elif damage == "garbage":
            continue  # replaced: counted below
        else:
            assert (original["id"] in read) != any(r.id == original["id"] for r in reported)
    garbage = plan.count("garbage")
    assert len([r for r in reported if r.id is None]) == garbage
    # Money is never invented: what was read is what was sent, or None where nothing was.
    by_id = {s["id"]: s for s in sent if isinstance(s, dict) and "id" in s}
    for item_id, item in read.items():
        raw = by_id[item_id]
        for field in _MONEY:
            if field in page_type.model_fields["data"].annotation.__args__[0].model_fields:  # type: ignore[union-attr]
                value = getattr(item, field)
                if isinstance(raw.get(field), int):
                    assert value == raw[field]
                else:
                    assert value is None
