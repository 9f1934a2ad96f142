"""Comparisons the store tests share: a loaded profile against a fetched one, and the
database's rows against the sandbox's ground truth; a bare account row to hang records on."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.ext.asyncio import create_async_engine

from payroll_sdk.models.profile import PayrollProfile
from payroll_sdk.sandbox import SandboxServer
from payroll_sdk.store._schema import ACCOUNTS, PAYSTUBS, RESOURCES, SHIFTS


def insert_account(connection: Connection, account_id: str, moment: datetime) -> None:
    """An account row with placeholder data, for tests that write rows referring to it."""
    connection.execute(
        ACCOUNTS.insert().values(
            id=account_id,
            end_user_id="u",
            position=0,
            listed=True,
            data="{}",
            digest="d",
            first_seen_at=moment,
            updated_at=moment,
        )
    )


def assert_same_profile(loaded: PayrollProfile | None, fetched: PayrollProfile) -> None:
    """Same accounts, record ids, cents and summary (what issue 12 promises)."""
    assert loaded is not None
    assert loaded.end_user_id == fetched.end_user_id
    assert [a.account for a in loaded.accounts] == [a.account for a in fetched.accounts]
    for mine, theirs in zip(loaded.accounts, fetched.accounts, strict=True):
        assert {p.id: p for p in mine.paystubs} == {p.id: p for p in theirs.paystubs}
        assert {s.id: s for s in mine.shifts} == {s.id: s for s in theirs.shifts}
        # Newest first, as get_profile orders them.
        assert [p.pay_date for p in mine.paystubs] == [p.pay_date for p in theirs.paystubs]
        assert [s.end_date for s in mine.shifts] == [s.end_date for s in theirs.shifts]
        for name in ("identity", "employment", "income", "direct_deposit_allocations"):
            assert getattr(mine, name) == getattr(theirs, name), name
        assert {n: s.state for n, s in mine.status.items()} == {
            n: s.state for n, s in theirs.status.items()
        }
    assert loaded.summary == fetched.summary
    assert loaded.complete == fetched.complete


def truth_ids(sandbox: SandboxServer, end_user_id: str) -> dict[str, tuple[set[str], set[str]]]:
    """Per account id: the sandbox's paystub ids and shift ids."""
    user = sandbox.app.state.sandbox.data.user(end_user_id)
    return {
        a.account_id: ({p["id"] for p in a.paystubs}, {s["id"] for s in a.shifts})
        for a in user.accounts
    }


async def stored_ids(
    url: str, account_ids: list[str]
) -> dict[str, tuple[Counter[str], Counter[str]]]:
    """Per account id: every stored paystub id and shift id, with how often it is stored."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            result: dict[str, tuple[Counter[str], Counter[str]]] = {}
            for account_id in account_ids:
                stubs = await connection.execute(
                    select(PAYSTUBS.c.id).where(PAYSTUBS.c.account_id == account_id)
                )
                shifts = await connection.execute(
                    select(SHIFTS.c.id).where(SHIFTS.c.account_id == account_id)
                )
                result[account_id] = (
                    Counter(r.id for r in stubs),
                    Counter(r.id for r in shifts),
                )
            return result
    finally:
        await engine.dispose()


async def resource_rows(url: str, account_id: str) -> dict[str, Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(RESOURCES).where(RESOURCES.c.account_id == account_id)
            )
            return {row.resource: row for row in rows}
    finally:
        await engine.dispose()


async def count_rows(url: str, table: Any) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return int(
                (await connection.execute(select(func.count()).select_from(table))).scalar_one()
            )
    finally:
        await engine.dispose()


def assert_matches_truth(
    stored: dict[str, tuple[Counter[str], Counter[str]]],
    truth: dict[str, tuple[set[str], set[str]]],
) -> None:
    """No duplicate (every id stored once) and no gap (every true id stored, nothing else)."""
    assert set(stored) == set(truth)
    for account_id, (stubs, shifts) in stored.items():
        assert all(n == 1 for n in stubs.values()), "duplicate paystub"
        assert all(n == 1 for n in shifts.values()), "duplicate shift"
        assert set(stubs) == truth[account_id][0], "paystubs differ from the sandbox"
        assert set(shifts) == truth[account_id][1], "shifts differ from the sandbox"
