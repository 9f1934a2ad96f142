"""ProfileStore.sync against the sandbox on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import create_async_engine

from payroll_sdk import InvalidInputError, NotFoundError, PayrollClient
from payroll_sdk.sandbox import SandboxServer
from payroll_sdk.store import ProfileStore
from payroll_sdk.store._schema import PAYSTUBS, RUNS, SHIFTS

from .conftest import TODAY, make_client
from .helpers import (
    assert_matches_truth,
    assert_same_profile,
    count_rows,
    resource_rows,
    stored_ids,
    truth_ids,
)


@pytest.mark.parametrize("end_user_id", ["user_three_jobs", "user_new_fields", "store_plain_1"])
async def test_first_sync_equals_the_sandbox_truth(
    store: ProfileStore,
    store_url: str,
    client: PayrollClient,
    sandbox: SandboxServer,
    end_user_id: str,
) -> None:
    result = await store.sync(client, end_user_id)
    fetched = await client.get_profile(end_user_id)

    assert result.status == "complete" and result.ok
    assert result.accounts == len(fetched.accounts)
    records = sum(len(a.paystubs) + len(a.shifts) for a in fetched.accounts)
    singles = sum(
        getattr(a, n) is not None
        for a in fetched.accounts
        for n in ("identity", "employment", "income", "direct_deposit_allocations")
    )
    assert result.added == len(fetched.accounts) + records + singles
    assert result.updated == 0
    assert_same_profile(await store.load_profile(end_user_id), fetched)
    truth = truth_ids(sandbox, end_user_id)
    assert_matches_truth(await stored_ids(store_url, list(truth)), truth)


async def test_second_sync_adds_nothing_and_costs_one_request_per_resource(
    store: ProfileStore, client: PayrollClient, sandbox: SandboxServer
) -> None:
    first = await store.sync(client, "user_long_history")
    before = sandbox.stats.total
    second = await store.sync(client, "user_long_history")
    served = sandbox.stats.total - before

    assert (second.added, second.updated, second.problems) == (0, 0, [])
    # The accounts listing, then one request per resource of the one account: the 66 months
    # of weekly paystubs and shifts are not read again.
    assert second.requests == served == 1 + 6
    assert first.requests > 2 * second.requests
    assert second.status == "complete"


async def test_records_added_on_the_sandbox_are_picked_up_exactly_once(
    store: ProfileStore, store_url: str, client: PayrollClient, sandbox: SandboxServer
) -> None:
    user = "store_added_1"
    await store.sync(client, "user_three_jobs")  # another user, which must stay untouched
    await store.sync(client, user)
    truth_before = truth_ids(sandbox, user)
    assert truth_before, "the generated user needs at least one account"
    sandbox.add_records(user, "paystubs", count=2)
    sandbox.add_records(user, "paystubs", count=1, on=TODAY - timedelta(days=3))
    if any(shifts for _, shifts in truth_before.values()):
        sandbox.add_records(user, "shifts")
        expected = 4
    else:
        expected = 3

    picked = await store.sync(client, user)
    again = await store.sync(client, user)

    assert (picked.added, picked.updated) == (expected, 0)
    assert (again.added, again.updated) == (0, 0)
    truth = truth_ids(sandbox, user)
    assert_matches_truth(await stored_ids(store_url, list(truth)), truth)
    assert_same_profile(await store.load_profile(user), await client.get_profile(user))


async def test_a_failing_resource_keeps_its_old_rows_and_records_the_failure(
    store: ProfileStore, store_url: str, client: PayrollClient, sandbox: SandboxServer
) -> None:
    user = "store_failing_1"  # records are added: a user of its own
    await store.sync(client, user)
    good = await store.load_profile(user)
    assert good is not None
    account_id = good.accounts[0].account.id
    stubs_before = await count_rows(store_url, PAYSTUBS)
    watermark_before = (await resource_rows(store_url, account_id))["paystubs"].watermark
    sandbox.add_records(user, "paystubs")  # new data the failing sync cannot see

    failing = make_client(
        sandbox, max_retries=0, default_headers={"X-Sandbox-Faults": "paystubs=500*inf"}
    )
    async with failing:
        result = await store.sync(failing, user)

    assert result.status == "partial"
    assert [(p.resource, p.state) for p in result.problems] == [("paystubs", "failed")]
    assert await count_rows(store_url, PAYSTUBS) == stubs_before
    rows = await resource_rows(store_url, account_id)
    assert rows["paystubs"].state == "failed"
    assert rows["paystubs"].watermark == watermark_before
    loaded = await store.load_profile(user)
    assert loaded is not None and not loaded.complete
    assert loaded.accounts[0].paystubs == good.accounts[0].paystubs
    assert loaded.accounts[0].status["paystubs"].state == "failed"
    (run,) = await store.runs(end_user_id=user, limit=1)
    assert run.status == "partial"
    assert run.problems[0].reason is not None
    assert run.problems[0].reason.status_code == 500

    healed = await store.sync(client, user)
    assert (healed.status, healed.added) == ("complete", 1)
    assert_same_profile(await store.load_profile(user), await client.get_profile(user))


async def test_a_partial_list_stores_what_was_read_without_moving_the_watermark(
    store: ProfileStore, store_url: str, client: PayrollClient, sandbox: SandboxServer
) -> None:
    # Every shifts page after the first answers 500: the first page (100 shifts) is read.
    user = "user_broken_shifts"
    first = await store.sync(client, user)
    assert [(p.resource, p.state) for p in first.problems] == [("shifts", "partial")]
    account_id = next(iter(truth_ids(sandbox, user)))
    rows = await resource_rows(store_url, account_id)
    assert rows["shifts"].state == "partial"
    assert rows["shifts"].watermark is None  # the list was never read completely
    assert rows["paystubs"].watermark is not None
    shifts = (await stored_ids(store_url, [account_id]))[account_id][1]
    assert len(shifts) >= 100
    assert set(shifts) <= truth_ids(sandbox, user)[account_id][1]
    # Without a watermark the next sync reads the shifts from the beginning again.
    second = await store.sync(client, user)
    assert second.added == 0 and second.status == "partial"


async def test_an_unknown_user_raises_and_is_recorded_as_failed(
    store: ProfileStore, client: PayrollClient
) -> None:
    with pytest.raises(NotFoundError):
        await store.sync(client, "unknown_store_user")
    (run,) = await store.runs(end_user_id="unknown_store_user")
    assert run.status == "failed" and run.finished_at is not None
    assert run.error is not None
    assert (run.error.error, run.error.status_code) == ("NotFoundError", 404)
    assert await store.load_profile("unknown_store_user") is None


async def test_sync_many_yields_every_user_and_records_the_batch(
    store: ProfileStore, client: PayrollClient
) -> None:
    users = ["user_single", "unknown_batch_user", "user_three_jobs", "store_batch_1", "bad id"]
    progress: list[tuple[int, int | None]] = []
    results = {
        r.end_user_id: r
        async for r in store.sync_many(
            client,
            users,
            concurrency=2,
            batch_id="batch-1",
            on_progress=lambda *a: progress.append(a),
        )
    }
    assert set(results) == set(users)
    assert results["unknown_batch_user"].status == "failed"
    assert isinstance(results["unknown_batch_user"].error, NotFoundError)
    assert isinstance(results["bad id"].error, InvalidInputError)
    assert results["bad id"].run_id is None  # refused before anything was recorded
    assert results["user_three_jobs"].status == "complete"
    assert progress[-1] == (5, 5)
    assert await store.batch_progress("batch-1") == {"complete": 3, "failed": 1}
    assert len(await store.runs(batch_id="batch-1")) == 4


async def test_leaving_sync_many_early_cancels_the_rest_cleanly(
    store: ProfileStore, store_url: str, client: PayrollClient, sandbox: SandboxServer
) -> None:
    users = [f"store_early_{n}" for n in range(6)]
    async with contextlib.aclosing(store.sync_many(client, users, concurrency=3)) as results:
        async for _ in results:
            break
    await store.aclose()  # waits for the cancelled runs' bookkeeping
    async with ProfileStore(store_url) as reopened:
        statuses = {r.status for r in await reopened.runs()}
        assert statuses <= {"complete", "cancelled"}
        for user in users:
            await reopened.sync(client, user)
            truth = truth_ids(sandbox, user)
            assert_matches_truth(await stored_ids(store_url, list(truth)), truth)


async def test_full_sync_rereads_everything_and_changes_nothing(
    store: ProfileStore, client: PayrollClient
) -> None:
    first = await store.sync(client, "user_three_jobs")
    full = await store.sync(client, "user_three_jobs", full=True)
    assert full.full and (full.added, full.updated) == (0, 0)
    assert full.requests >= first.requests - 3  # windows may split differently; never cheap


async def test_runs_table_counts_every_sync(
    store: ProfileStore, store_url: str, client: PayrollClient
) -> None:
    await store.sync(client, "user_single")
    await store.sync(client, "user_single")
    runs = await store.runs(end_user_id="user_single")
    assert [r.status for r in runs] == ["complete", "complete"]
    assert runs[0].added == 0 and runs[1].added > 0
    assert runs[0].requests == 7
    assert await count_rows(store_url, RUNS) == 2


async def test_a_failure_mid_transaction_rolls_the_account_back(
    local_store: ProfileStore,
    store_url: str,
    client: PayrollClient,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from payroll_sdk.store import StoreError, _write

    real = _write._upsert

    def failing_at_the_shifts(*args: object, **kwargs: object) -> None:
        if args[1] is SHIFTS:  # the account row and the paystubs are written
            raise StoreError("Cannot write an account: the disk is full")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_write, "_upsert", failing_at_the_shifts)
    with pytest.raises(StoreError):
        await local_store.sync(client, "user_single")
    monkeypatch.setattr(_write, "_upsert", real)
    account_id = next(iter(truth_ids(sandbox, "user_single")))
    assert await count_rows(store_url, PAYSTUBS) == 0  # the whole account rolled back
    assert await resource_rows(store_url, account_id) == {}
    assert await local_store.load_profile("user_single") is None
    (run,) = await local_store.runs(end_user_id="user_single")
    assert run.status == "failed" and run.error is not None and run.error.error == "StoreError"

    result = await local_store.sync(client, "user_single")
    assert result.status == "complete" and result.added > 0
    truth = truth_ids(sandbox, "user_single")
    assert_matches_truth(await stored_ids(store_url, list(truth)), truth)


async def test_a_cancelled_sync_finishes_the_transaction_it_started(
    local_store: ProfileStore,
    store_url: str,
    client: PayrollClient,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from payroll_sdk.store import _write

    real = _write._upsert
    syncing: asyncio.Task[object] | None = None

    def cancelled_at_the_shifts(*args: object, **kwargs: object) -> None:
        if args[1] is SHIFTS:  # the account row and the paystubs are written
            assert syncing is not None
            # From SQLite's worker thread through the loop; on PostgreSQL the work runs on
            # the loop, and the cancellation is delivered once the transaction yields.
            loop.call_soon_threadsafe(syncing.cancel)
            time.sleep(0.05)  # the cancellation is delivered meanwhile (SQLite)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_write, "_upsert", cancelled_at_the_shifts)
    loop = asyncio.get_running_loop()
    syncing = asyncio.create_task(local_store.sync(client, "user_single"))
    with pytest.raises(asyncio.CancelledError):
        await syncing
    await local_store.aclose()  # waits for the shielded transaction and the run's bookkeeping
    # The transaction in progress was not cut in the middle: the account is whole.
    truth = truth_ids(sandbox, "user_single")
    assert_matches_truth(await stored_ids(store_url, list(truth)), truth)
    async with ProfileStore(store_url) as reopened:
        (run,) = await reopened.runs(end_user_id="user_single")
        assert run.status == "cancelled"


async def test_cancellation_at_many_points_then_a_sync_leaves_no_duplicate_and_no_gap(
    store: ProfileStore, store_url: str, client: PayrollClient, sandbox: SandboxServer
) -> None:
    user = "user_three_jobs"
    # How many requests a first sync makes, to spread the cancellations over all of them.
    probe = await client.get_profile(user)
    total = probe.attempts + 1
    points = sorted({0, 1, 2, 3, total // 4, total // 2, (3 * total) // 4, total - 1, total})
    for point in points:
        start = sandbox.stats.total
        task = asyncio.create_task(store.sync(client, user, full=point % 2 == 0))
        # Polling: the count lives in the sandbox's thread, which has no event to wait on.
        while sandbox.stats.total - start < point and not task.done():  # noqa: ASYNC110
            await asyncio.sleep(0.0005)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        truth = truth_ids(sandbox, user)
        stored = await stored_ids(store_url, list(truth))
        for account_id, (stubs, shifts) in stored.items():
            # Whatever was stored is true and stored once: an account is all or nothing.
            assert set(stubs) <= truth[account_id][0]
            assert set(shifts) <= truth[account_id][1]
            assert all(n == 1 for n in (*stubs.values(), *shifts.values()))

    completed = await store.sync(client, user)
    assert completed.status == "complete"
    truth = truth_ids(sandbox, user)
    assert_matches_truth(await stored_ids(store_url, list(truth)), truth)
    full = await store.sync(client, user, full=True)
    assert (full.added, full.updated) == (0, 0)
    assert_same_profile(await store.load_profile(user), await client.get_profile(user))
    statuses = [r.status for r in await store.runs(end_user_id=user, limit=100)]
    assert "running" not in statuses


async def test_bad_input_is_refused_before_any_request(
    store: ProfileStore, client: PayrollClient, sandbox: SandboxServer
) -> None:
    before = sandbox.stats.total
    with pytest.raises(InvalidInputError):
        await store.sync(client, "../etc")
    with pytest.raises(InvalidInputError):
        await store.load_profile("")
    with pytest.raises(InvalidInputError):
        async for _ in store.sync_many(client, ["user_single"], concurrency=0):
            pass
    assert sandbox.stats.total == before


async def test_unreadable_records_are_kept_raw_and_reported_like_get_profile(
    store: ProfileStore, store_url: str, client: PayrollClient, sandbox: SandboxServer
) -> None:
    # A user of its own per backend and store kind: the damage below is added to the
    # sandbox's shared data.
    backend = "pg" if store_url.startswith("postgresql") else "lite"
    user = f"store_unreadable_{backend}_{'process' if store.database_process else 'threads'}"
    truth = sandbox.app.state.sandbox.data.user(user)
    assert truth.accounts, "the generated user needs an account"
    account = truth.accounts[0]
    # A record no model can read, served among the account's paystubs.
    bad = {"id": "unreadable-stub-1", "pay_date": "not a date", "currency": 5}
    account.added.setdefault("paystubs", []).append(bad)
    sandbox.app.state.sandbox._wires.pop(account.account_id, None)

    await store.sync(client, user)
    fetched = await client.get_profile(user)
    loaded = await store.load_profile(user)
    assert fetched.accounts[0].unreadable["paystubs"][0].id == "unreadable-stub-1"
    assert_same_profile(loaded, fetched)
    assert loaded is not None
    # The same record, kept once (get_profile may list it once per date window it fell in).
    kept = [r.model_dump() for r in loaded.accounts[0].unreadable["paystubs"]]
    assert kept == [fetched.accounts[0].unreadable["paystubs"][0].model_dump()]
    assert [(p.resource, p.state, p.unreadable_ids[:1]) for p in loaded.problems] == [
        (p.resource, p.state, p.unreadable_ids[:1]) for p in fetched.problems
    ]
    # An incremental sync does not read it again (it is older than the window or not): it
    # is still kept, not forgotten.
    again = await store.sync(client, user)
    assert again.added == 0
    reloaded = await store.load_profile(user)
    assert reloaded is not None
    assert [r.id for r in reloaded.accounts[0].unreadable["paystubs"]] == ["unreadable-stub-1"]


async def test_an_unchanged_account_needs_no_lookup_of_its_own_records(
    local_store: ProfileStore, client: PayrollClient
) -> None:
    await local_store.sync(client, "user_long_history")
    statements: list[str] = []
    assert local_store._database is not None

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(local_store._database.sync_engine, "before_cursor_execute", seen)
    try:
        second = await local_store.sync(client, "user_long_history")
    finally:
        event.remove(local_store._database.sync_engine, "before_cursor_execute", seen)

    assert (second.added, second.updated) == (0, 0)
    # The digests of the overlap's records came with the stored state: no query by id.
    by_id = [s for s in statements if ".id IN" in s and ("paystubs" in s or "shifts" in s)]
    assert by_id == []
    assert any("payroll_paystubs.pay_date >=" in s for s in statements)


async def test_a_record_outside_the_digests_read_up_front_is_still_compared(
    store: ProfileStore, store_url: str, client: PayrollClient
) -> None:
    await store.sync(client, "user_long_history")
    engine = create_async_engine(store_url)
    try:
        async with engine.begin() as connection:
            newest = (
                await connection.execute(
                    select(PAYSTUBS.c.id).order_by(PAYSTUBS.c.pay_date.desc()).limit(1)
                )
            ).scalar_one()
            # Stored as if dated long ago: not among the digests read with the state, yet
            # the API returns it in the overlap, so it must be looked up, not counted new.
            await connection.execute(
                update(PAYSTUBS).where(PAYSTUBS.c.id == newest).values(pay_date=date(2001, 1, 1))
            )
    finally:
        await engine.dispose()

    second = await store.sync(client, "user_long_history")
    assert (second.added, second.updated) == (0, 0)


async def test_sync_many_frees_a_fetch_slot_while_the_user_waits_for_its_writes(
    tmp_path: Path, client: PayrollClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from payroll_sdk.store import _run

    fetching: dict[str, int] = {}  # end user -> accounts being read from the API
    most_fetching = started_before_first_result = 0
    real_fetch, real_read, real_apply = _run.fetch_account, _run._sync_user, _run.apply_plan

    async def counted_fetch(client: Any, account: Any, *args: Any) -> Any:
        nonlocal most_fetching
        user = account.end_user_id
        fetching[user] = fetching.get(user, 0) + 1
        most_fetching = max(most_fetching, len(fetching))
        try:
            return await real_fetch(client, account, *args)
        finally:
            fetching[user] -= 1
            if not fetching[user]:
                del fetching[user]

    async def counted_read(*args: Any, **kwargs: Any) -> None:
        nonlocal started_before_first_result
        started_before_first_result += first_result is None
        await real_read(*args, **kwargs)

    def slow_apply(connection: Any, plan: Any) -> None:
        time.sleep(0.15)  # a slow database: on SQLite's worker thread
        real_apply(connection, plan)

    monkeypatch.setattr(_run, "fetch_account", counted_fetch)
    monkeypatch.setattr(_run, "_sync_user", counted_read)
    monkeypatch.setattr(_run, "apply_plan", slow_apply)
    first_result: float | None = None
    users = [f"store_slots_{n}" for n in range(10)]
    async with ProfileStore(f"sqlite:///{tmp_path / 'slots.db'}") as store:
        results = []
        async for result in store.sync_many(client, users, concurrency=2):
            first_result = first_result or time.monotonic()
            results.append(result)
    assert sorted(r.end_user_id for r in results) == sorted(users)
    assert all(r.status == "complete" for r in results)
    assert 1 <= most_fetching <= 2  # never more than `concurrency` users read from the API
    # While the first users waited for their (slow) writes, others were already being read.
    assert started_before_first_result > 2
