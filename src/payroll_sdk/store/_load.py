"""Rebuilding a :class:`~payroll_sdk.PayrollProfile` from the database (``load_profile``).

The profile is what ``get_profile`` would have returned at the moment of the last sync whose
accounts listing succeeded (``fetched_at``): the accounts the API listed then, in its order;
each resource as last read (a resource whose last read failed shows the data of the read
before, and its status says it failed); paystubs and shifts newest first; the summary
recomputed from all of it as of ``fetched_at``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, select

from ..aggregation._fetch import summary_of
from ..aggregation._freshness import assess_freshness
from ..models import (
    DirectDepositAllocations,
    Employment,
    Identity,
    Income,
    PayrollAccount,
    Paystub,
    Shift,
)
from ..models._tolerant import UnreadableRecord
from ..models.profile import (
    RESOURCE_NAMES,
    AccountProfile,
    FailureReason,
    PayrollProfile,
    Problem,
    ResourceStatus,
)
from ._schema import ACCOUNTS, END_USERS, PAYSTUBS, RESOURCES, SHIFTS

__all__ = ["load_profile"]

_SINGLE_MODELS: dict[str, type[BaseModel]] = {
    "income": Income,
    "identity": Identity,
    "employment": Employment,
    "direct_deposit_allocations": DirectDepositAllocations,
}


def load_profile(
    connection: Connection, end_user_id: str, *, stale_after: timedelta
) -> PayrollProfile | None:
    """The stored profile of ``end_user_id``, or ``None`` if the user was never synced."""
    user = (
        connection.execute(
            select(END_USERS.c.synced_at, END_USERS.c.unreadable_accounts).where(
                END_USERS.c.end_user_id == end_user_id
            )
        )
    ).one_or_none()
    if user is None:
        return None
    synced_at = user.synced_at
    account_rows = (
        connection.execute(
            select(ACCOUNTS.c.id, ACCOUNTS.c.data)
            .where(ACCOUNTS.c.end_user_id == end_user_id, ACCOUNTS.c.listed.is_(True))
            .order_by(ACCOUNTS.c.position)
        )
    ).all()
    ids = [row.id for row in account_rows]
    resources: dict[str, dict[str, Any]] = defaultdict(dict)
    paystubs: dict[str, list[Paystub]] = defaultdict(list)
    shifts: dict[str, list[Shift]] = defaultdict(list)
    if ids:
        for row in connection.execute(select(RESOURCES).where(RESOURCES.c.account_id.in_(ids))):
            resources[row.account_id][row.resource] = row
        for row in connection.execute(
            select(PAYSTUBS.c.account_id, PAYSTUBS.c.data)
            .where(PAYSTUBS.c.account_id.in_(ids))
            .order_by(PAYSTUBS.c.pay_date.desc().nulls_last(), PAYSTUBS.c.id)
        ):
            paystubs[row.account_id].append(Paystub.model_validate_json(row.data))
        for row in connection.execute(
            select(SHIFTS.c.account_id, SHIFTS.c.data)
            .where(SHIFTS.c.account_id.in_(ids))
            .order_by(SHIFTS.c.end_date.desc().nulls_last(), SHIFTS.c.id)
        ):
            shifts[row.account_id].append(Shift.model_validate_json(row.data))

    accounts = []
    for row in account_rows:
        account = AccountProfile(account=PayrollAccount.model_validate_json(row.data))
        status: dict[Any, ResourceStatus] = {}
        for name in RESOURCE_NAMES:
            stored = resources[row.id].get(name)
            if stored is None:
                status[name] = ResourceStatus(state="skipped")
                continue
            unreadable = [
                UnreadableRecord.model_validate(raw)
                for raw in json.loads(stored.unreadable or "[]")
            ]
            status[name] = ResourceStatus(
                state=stored.state,
                refreshed_at=stored.refreshed_at,
                attempts=stored.attempts,
                pages=stored.pages,
                unreadable=len(unreadable),
                reason=FailureReason.model_validate_json(stored.reason) if stored.reason else None,
            )
            if unreadable and stored.state != "not_found":
                account.unreadable[name] = unreadable
            # "not_found": the API has none now, so the profile has none, as get_profile's
            # would; whatever an earlier read stored stays in the database.
            if stored.state == "not_found":
                continue
            if name in _SINGLE_MODELS and stored.data is not None:
                setattr(account, name, _SINGLE_MODELS[name].model_validate_json(stored.data))
            elif name == "paystubs":
                account.paystubs = paystubs[row.id]
            elif name == "shifts":
                account.shifts = shifts[row.id]
        account.status = status
        # Judged as of the sync's moment, as get_profile judged it then.
        account.freshness = assess_freshness(account, as_of=synced_at, stale_after=stale_after)
        accounts.append(account)

    problems = [
        Problem(
            account_id=str(a.account.id),
            resource=name,
            state=s.state,
            reason=s.reason,
            unreadable=s.unreadable,
            unreadable_ids=[r.id for r in a.unreadable.get(name, ()) if r.id is not None],
        )
        for a in accounts
        for name, s in a.status.items()
        if s.state in ("failed", "partial")
    ]
    unreadable_accounts = [
        UnreadableRecord.model_validate(raw) for raw in json.loads(user.unreadable_accounts or "[]")
    ]
    return PayrollProfile(
        end_user_id=end_user_id,
        fetched_at=synced_at,
        accounts=accounts,
        summary=summary_of(accounts, as_of=synced_at.date(), stale_after=stale_after),
        complete=not problems and not unreadable_accounts,
        problems=problems,
        unreadable_accounts=unreadable_accounts,
    )
