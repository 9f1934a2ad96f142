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
    from datetime import UTC, datetime

    from payroll_sdk.store._rows import PAYSTUB_COLUMNS, RecordRows
    from payroll_sdk.store._write import AccountPlan, Counts

    now = datetime(2026, 3, 15, 12, tzinfo=UTC)
    stubs = [
        (f"s{n}", "a1", date(2026, 1, n + 1) if n else None, "USD", n * 100, None)
        + ((f'{{"id": "s{n}"}}', "d" * 64) if n % 2 else (f'{{"id": "s{n}"}}'.encode(), None))
        + (now, now)
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
        paystub_rows=RecordRows(PAYSTUB_COLUMNS, stubs),
        counts=Counts(5, 1),
    )
    copy = pickle.loads(pickle.dumps(plan))
    assert copy.account_row == plan.account_row
    assert copy.resource_rows == [resource] and copy.paystub_rows.rows == stubs
    assert not copy.shift_rows and (copy.counts.added, copy.counts.updated) == (5, 1)
    assert [type(row[2]) for row in copy.paystub_rows.rows[1:]] == [date] * 4
    assert copy.paystub_rows.rows[0][2] is None
    assert pickle.loads(pickle.dumps(AccountPlan())).empty


def test_a_new_records_digest_is_computed_when_it_is_written() -> None:
    from payroll_sdk.store._rows import SHIFT_COLUMNS, RecordRows

    raw = b'{"id": "s1"}'
    rows = RecordRows(SHIFT_COLUMNS, [("s1", "a1", None, None, "USD", raw, None, 1, 1)])
    row = dict(zip(rows.columns, rows.finished()[0], strict=True))
    assert row["data"] == raw.decode()
    assert row["digest"] == hashlib.sha256(raw).hexdigest()
    assert rows.finished()[0][5:7] == (raw.decode(), hashlib.sha256(raw).hexdigest())
