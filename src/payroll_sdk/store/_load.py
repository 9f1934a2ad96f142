"""Rebuilding a :class:`~payroll_sdk.PayrollProfile` from the database (``load_profile``).

The profile is what ``get_profile`` would have returned at the moment of the last sync whose
accounts listing succeeded (``fetched_at``): the accounts the API listed then, in its order;
each resource as last read (a resource whose last read failed shows the data of the read
before, and its status says it failed); paystubs and shifts newest first; the summary
recomputed from all of it as of ``fetched_at``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from ..aggregation._fetch import summary_of
from ..models import (
    DirectDepositAllocations,
    Employment,
    Identity,
    Income,
    PayrollAccount,
    Paystub,
    Shift,
)
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


async def load_profile(connection: AsyncConnection, end_user_id: str) -> PayrollProfile | None:
    """The stored profile of ``end_user_id``, or ``None`` if the user was never synced."""
    synced_at = (
        await connection.execute(
            select(END_USERS.c.synced_at).where(END_USERS.c.end_user_id == end_user_id)
        )
    ).scalar_one_or_none()
    if synced_at is None:
        return None
    account_rows = (
        await connection.execute(
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
        for row in await connection.execute(
            select(RESOURCES).where(RESOURCES.c.account_id.in_(ids))
        ):
            resources[row.account_id][row.resource] = row
        for row in await connection.execute(
            select(PAYSTUBS.c.account_id, PAYSTUBS.c.data)
            .where(PAYSTUBS.c.account_id.in_(ids))
            .order_by(PAYSTUBS.c.pay_date.desc(), PAYSTUBS.c.id)
        ):
            paystubs[row.account_id].append(Paystub.model_validate_json(row.data))
        for row in await connection.execute(
            select(SHIFTS.c.account_id, SHIFTS.c.data)
            .where(SHIFTS.c.account_id.in_(ids))
            .order_by(SHIFTS.c.end_date.desc(), SHIFTS.c.id)
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
            status[name] = ResourceStatus(
                state=stored.state,
                refreshed_at=stored.refreshed_at,
                attempts=stored.attempts,
                pages=stored.pages,
                reason=FailureReason.model_validate_json(stored.reason) if stored.reason else None,
            )
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
        accounts.append(account)

    problems = [
        Problem(account_id=str(a.account.id), resource=name, state=s.state, reason=s.reason)
        for a in accounts
        for name, s in a.status.items()
        if s.state in ("failed", "partial")
    ]
    return PayrollProfile(
        end_user_id=end_user_id,
        fetched_at=synced_at,
        accounts=accounts,
        summary=summary_of(accounts, as_of=synced_at.date()),
        complete=not problems,
        problems=problems,
    )
