"""What a record is stored as: its JSON and digest."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from payroll_sdk.models import Paystub, Shift
from payroll_sdk.sandbox import SandboxData
from payroll_sdk.store._write import _dumped, dump


def test_records_are_stored_as_model_dump_json_of_what_the_api_sent() -> None:
    account = SandboxData(seed=3, today=date(2026, 3, 15)).user("user_long_history").accounts[0]
    raw = [*account.paystubs[:3], *account.shifts[:3]]
    assert raw
    for item in raw:
        sent = {**item, "field_added_later": {"a": [1, None]}}  # unknown fields are kept
        del sent[next(k for k in item if k not in ("id", "account_id", "currency"))]
        model = (Paystub if "pay_date" in item else Shift).model_validate_json(json.dumps(sent))
        expected = model.model_dump_json(by_alias=True, exclude_unset=True)
        assert dump(model) == expected
        assert _dumped(model) == (expected, hashlib.sha256(expected.encode()).hexdigest())
        assert json.loads(expected)["field_added_later"] == {"a": [1, None]}


def test_a_plan_crosses_to_the_database_process_unchanged() -> None:
    import pickle
    from datetime import UTC, date, datetime

    from payroll_sdk.store._write import AccountPlan, Counts

    now = datetime(2026, 3, 15, 12, tzinfo=UTC)
    stubs = [
        {
            "id": f"s{n}",
            "pay_date": date(2026, 1, n + 1) if n else None,
            "gross": n * 100,
            "data": f'{{"id": "s{n}"}}',
            "first_seen_at": now,
            "updated_at": now,
        }
        for n in range(5)
    ]
    resource = {
        "resource": "paystubs",
        "watermark": date(2026, 1, 5),
        "watermark_at": now,
        "data": None,
        "attempts": 2,
    }
    plan = AccountPlan(
        account_row={"id": "a1", "position": 0, "first_seen_at": now},
        resource_rows=[resource],
        paystub_rows=stubs,
        counts=Counts(5, 1),
    )
    copy = pickle.loads(pickle.dumps(plan))
    assert copy.account_row == plan.account_row
    assert copy.resource_rows == [resource] and copy.paystub_rows == stubs
    assert copy.shift_rows == [] and (copy.counts.added, copy.counts.updated) == (5, 1)
    assert [type(row["pay_date"]) for row in copy.paystub_rows[1:]] == [date] * 4
    assert copy.paystub_rows[0]["pay_date"] is None
    assert pickle.loads(pickle.dumps(AccountPlan())).empty
