"""The app's state: what in-process sandboxes share and what each keeps to itself."""

from __future__ import annotations

import gc
from datetime import date, timedelta
from typing import Any

from starlette.applications import Starlette

from payroll_sdk.sandbox import AccountTruth, Sandbox, SandboxConfig, create_app

from .conftest import make_client

DAY = date(2026, 2, 2)


def test_apps_with_the_same_data_settings_share_generated_users() -> None:
    # Each user is generated (and serialised) once per process, whatever the number of
    # in-process sandboxes built with the same seed, history and today.
    first = create_app(SandboxConfig(seed=41, today=DAY)).state.sandbox
    second = create_app(SandboxConfig(seed=41, today=DAY, history_months=24)).state.sandbox
    assert first.data is second.data
    truth = first.data.user("user_1")
    assert second.data.user("user_1") is truth
    assert truth.accounts, "user_1 has accounts with seed 41"
    assert first.wire(truth.accounts[0]) is second.wire(truth.accounts[0])


def test_other_settings_get_their_own_data_and_every_app_its_own_stats() -> None:
    base = create_app(SandboxConfig(seed=41, today=DAY)).state.sandbox
    for config in (
        SandboxConfig(seed=42, today=DAY),
        SandboxConfig(seed=41, today=date(2026, 2, 3)),
        SandboxConfig(seed=41, today=DAY, history_months=3),
    ):
        assert create_app(config).state.sandbox.data is not base.data
    again = create_app(SandboxConfig(seed=41, today=DAY)).state.sandbox
    assert again.stats is not base.stats
    assert again.faults is not base.faults


async def _served(app: Starlette, path: str, **params: str) -> list[dict[str, Any]]:
    async with make_client(app) as client:
        response = await client.get(path, params={"limit": "100", **params})
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def _account_with_shifts(app: Starlette) -> AccountTruth:
    """The first ordinary user's account that has shifts, found through the API alone (so
    that nothing but serving has generated its history)."""
    sandbox: Sandbox = app.state.sandbox
    for n in range(60):
        for truth in sandbox.data.user(f"user_{n}").accounts:
            async with make_client(app) as client:
                response = await client.get(f"/accounts/{truth.account_id}/shifts")
            if response.status_code == 200 and response.json()["data"]:
                return truth
    raise AssertionError("no user_0..59 has shifts")


async def test_serving_keeps_bytes_and_the_truth_regenerates_the_same_records() -> None:
    # Once serialised, the generated dicts are dropped (a process holding them pays for them
    # in every full pass of the cycle collector); asking the truth regenerates them.
    app = create_app(SandboxConfig(seed=4711, today=DAY))
    truth = await _account_with_shifts(app)
    paystubs = await _served(app, f"/accounts/{truth.account_id}/paystubs")
    shifts = await _served(app, f"/accounts/{truth.account_id}/shifts")
    assert not truth.history_cached
    assert truth.paystubs[:100] == paystubs
    assert truth.shifts[:100] == shifts
    assert truth.history_cached  # asked for by the caller: kept
    again = await _served(app, f"/accounts/{truth.account_id}/shifts")
    assert again == shifts
    assert truth.history_cached


async def test_additions_replace_the_served_bytes_and_their_filtered_pages() -> None:
    app = create_app(SandboxConfig(seed=4713, today=DAY))
    sandbox: Sandbox = app.state.sandbox
    truth = await _account_with_shifts(app)
    path = f"/accounts/{truth.account_id}"
    since = (DAY - timedelta(days=90)).isoformat()
    recent = (DAY - timedelta(days=20)).isoformat()  # well under a page of shifts
    before = await _served(app, f"{path}/paystubs", from_pay_date=since)
    shifts_before = await _served(app, f"{path}/shifts", from_end_date=recent)
    assert before == await _served(app, f"{path}/paystubs", from_pay_date=since)
    index = sandbox.data.user(truth.end_user_id).accounts.index(truth)
    [stub] = sandbox.add_records(truth.end_user_id, "paystubs", account=index)
    [shift] = sandbox.add_records(truth.end_user_id, "shifts", account=index)
    assert not truth.history_cached  # modelling the additions did not keep the history
    after = await _served(app, f"{path}/paystubs", from_pay_date=since)
    assert {p["id"] for p in after} == {stub["id"]} | {p["id"] for p in before}
    shifts_after = await _served(app, f"{path}/shifts", from_end_date=recent)
    assert {s["id"] for s in shifts_after} == {shift["id"]} | {s["id"] for s in shifts_before}


def test_serialising_a_history_leaves_the_cycle_collector_as_it_found_it() -> None:
    sandbox: Sandbox = create_app(SandboxConfig(seed=4714, today=DAY)).state.sandbox
    accounts = [a for n in range(10) for a in sandbox.data.user(f"user_{n}").accounts]
    assert len(accounts) >= 2 and gc.isenabled()
    assert sandbox.wire(accounts[0]).history.pay_dates
    assert gc.isenabled()
    gc.disable()
    try:
        assert sandbox.wire(accounts[1]).history.pay_dates
        assert not gc.isenabled()
    finally:
        gc.enable()
