"""Records added to a user while the sandbox runs, as a real account gains new paystubs.

``SandboxData.add_records`` (and the ``POST /_sandbox/end_users/{id}/{paystubs|shifts}``
admin route, and ``add_records`` on both server runners) appends paystubs or shifts to one of
a user's accounts. Each new record is a copy of the account's newest one moved to the given
date (default: the sandbox's ``today``), with a new id and a new ``created_at``; a paystub's
year-to-date totals continue from the newest one's (or restart in a new year), a shift's
clock times move with its dates. Additions are kept apart from the generated history, so they
survive the user being evicted from the cache and regenerated, and they are served in the
API's order (newest first, then id descending) among the generated records.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal

from ._calendar import ID_NAMESPACE, timestamp

__all__ = ["ADDABLE", "Addable", "make_records", "merge"]

JSONDict = dict[str, Any]

Addable = Literal["paystubs", "shifts"]
ADDABLE: Final[tuple[Addable, ...]] = ("paystubs", "shifts")
_DATE_KEY: Final[dict[str, str]] = {"paystubs": "pay_date", "shifts": "end_date"}


def merge(
    resource: Addable,
    generated: list[tuple[JSONDict, JSONDict]],
    added: Sequence[JSONDict],
) -> list[tuple[JSONDict, JSONDict]]:
    """``(served, undamaged)`` pairs of the generated records and the added ones (served as
    they are), newest first: date, then id, descending, by the undamaged record."""
    if not added:
        return generated
    key = _DATE_KEY[resource]
    pairs = [*generated, *((record, record) for record in added)]
    return sorted(pairs, key=lambda pair: (pair[1][key], pair[1]["id"]), reverse=True)


def make_records(
    resource: Addable,
    newest: JSONDict,
    *,
    account_id: str,
    seed: int,
    serial: int,
    count: int,
    on: date,
) -> list[JSONDict]:
    """``count`` new records dated ``on``, modelled on ``newest`` (the account's newest)."""
    made = []
    previous = newest
    for offset in range(count):
        name = f"added:{seed}:{account_id}:{resource}:{serial + offset}"
        record_id = str(uuid.uuid5(ID_NAMESPACE, name))
        if resource == "paystubs":
            record = _paystub(previous, record_id, on)
        else:
            record = _shift(newest, record_id, on)
        made.append(record)
        previous = record
    return made


def _now() -> str:
    return timestamp(datetime.now(UTC))


def _paystub(previous: JSONDict, record_id: str, on: date) -> JSONDict:
    stub = copy.deepcopy(previous)
    old = date.fromisoformat(previous["pay_date"])
    shift = on - old
    stub.update(id=record_id, created_at=_now(), pay_date=on.isoformat())
    for key in ("pay_period_start", "pay_period_end"):
        if key in stub:
            stub[key] = (date.fromisoformat(stub[key]) + shift).isoformat()
    for total, amount in (("gross_pay_ytd", "gross_pay_amount"), ("net_pay_ytd", "net_pay_amount")):
        if total in stub:
            same_year = old.year == on.year
            stub[total] = (previous[total] if same_year else 0) + stub[amount]
    stub.pop("document", None)  # a new paystub's PDF is not the old one's
    return stub


def _shift(template: JSONDict, record_id: str, on: date) -> JSONDict:
    shift = copy.deepcopy(template)
    move = on - date.fromisoformat(template["end_date"])
    shift.update(
        id=record_id,
        created_at=_now(),
        start_date=(date.fromisoformat(template["start_date"]) + move).isoformat(),
        end_date=on.isoformat(),
    )
    shift["timestamps"] = [
        {key: _moved(value, move) for key, value in stamp.items()}
        for stamp in template["timestamps"]
    ]
    return shift


def _moved(value: str, by: timedelta) -> str:
    moment = datetime.fromisoformat(value) + by
    return moment.isoformat(timespec="microseconds")
