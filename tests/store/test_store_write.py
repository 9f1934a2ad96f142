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
