"""get_profile and get_profiles against the sandbox, in-process and over real loopback."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from payroll_sdk import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PayrollClient,
    PayrollProfile,
    ProfileIncompleteError,
)
from payroll_sdk.models import (
    DirectDepositAllocations,
    Employment,
    Identity,
    Income,
    PayrollAccount,
    Paystub,
    Shift,
)
from payroll_sdk.sandbox import (
    FaultConfig,
    LatencyConfig,
    SandboxConfig,
    SandboxData,
    SandboxServer,
    UserTruth,
)

SEED = 11
TODAY = date(2026, 11, 20)
CONFIG = SandboxConfig(seed=SEED, today=TODAY, history_months=12)
SINGLE_MODELS: dict[str, Any] = {
    "income": Income,
    "identity": Identity,
    "employment": Employment,
    "direct_deposit_allocations": DirectDepositAllocations,
}


def _parse(model: Any, raw: dict[str, Any]) -> Any:
    return model.model_validate_json(json.dumps(raw))


def assert_matches_truth(profile: PayrollProfile, truth: UserTruth) -> Counter[str]:
    """Every account, resource, paystub and shift of the truth, exactly once, equal.

    Returns what was compared (items, and resources by state), for the caller to check that
    the comparison covered what it meant to: were the sandbox's data to change shape, an empty
    comparison would otherwise pass in silence.
    """
    compared: Counter[str] = Counter()
    assert profile.end_user_id == truth.end_user_id
    assert [str(a.account.id) for a in profile.accounts] == [t.account_id for t in truth.accounts]
    for fetched, expected in zip(profile.accounts, truth.accounts, strict=True):
        assert fetched.account == _parse(PayrollAccount, expected.account)
        assert [p.id for p in fetched.paystubs] == [p["id"] for p in expected.paystubs]
        assert fetched.paystubs == [_parse(Paystub, p) for p in expected.paystubs]
        assert [s.id for s in fetched.shifts] == [s["id"] for s in expected.shifts]
        assert fetched.shifts == [_parse(Shift, s) for s in expected.shifts]
        compared["paystubs"] += len(fetched.paystubs)
        compared["shifts"] += len(fetched.shifts)
        for name, model in SINGLE_MODELS.items():
            raw = expected.resource(name)
            value = getattr(fetched, name)
            if raw is None:
                assert value is None
                assert fetched.status[name].state == "not_found"  # type: ignore[index]
                compared[f"{name}:not_found"] += 1
            else:
                assert value == _parse(model, raw)
                assert fetched.status[name].state == "ok"  # type: ignore[index]
                compared[f"{name}:ok"] += 1
    return compared


def assert_covers_everything(compared: Counter[str], *, accounts: int) -> None:
    """Paystubs and shifts were compared, and all four single resources of every account."""
    assert compared["paystubs"] > 0 and compared["shifts"] > 0, compared
    for name in SINGLE_MODELS:
        assert compared[f"{name}:ok"] == accounts, (name, compared)


@pytest.fixture
async def client() -> AsyncIterator[PayrollClient]:
    async with PayrollClient.sandbox(CONFIG) as sandboxed:
        yield sandboxed


@pytest.fixture(scope="module")
def truth() -> SandboxData:
    return SandboxData(seed=SEED, history_months=12, today=TODAY)


async def test_multi_account_profile_equals_ground_truth(
    client: PayrollClient, truth: SandboxData
) -> None:
    profile = await client.get_profile("user_three_jobs")
    expected = truth.user("user_three_jobs")
    assert len(expected.accounts) == 3
    assert_covers_everything(assert_matches_truth(profile, expected), accounts=3)
    assert profile.complete and profile.problems == []
    for account in profile.accounts:
        assert {s.state for s in account.status.values()} == {"ok"}
        assert account.status["paystubs"].pages >= 1


async def test_profile_over_loopback_equals_ground_truth(truth: SandboxData) -> None:
    with SandboxServer(CONFIG) as server:
        async with PayrollClient(api_secret=server.secret, base_url=server.base_url) as client:
            profile = await client.get_profile("user_three_jobs")
    compared = assert_matches_truth(profile, truth.user("user_three_jobs"))
    assert_covers_everything(compared, accounts=3)


async def test_many_ordinary_users_equal_ground_truth(
    client: PayrollClient, truth: SandboxData
) -> None:
    ids = [f"user_{n:04d}" for n in range(40)]
    seen = 0
    compared: Counter[str] = Counter()
    accounts = sum(len(truth.user(user_id).accounts) for user_id in ids)
    async for result in client.get_profiles(ids, concurrency=8):
        assert result.profile is not None, result.error
        compared += assert_matches_truth(result.profile, truth.user(result.end_user_id))
        seen += 1
    assert seen == len(ids)
    assert accounts > 20
    assert_covers_everything(compared, accounts=accounts)


async def test_summary_figures_recomputed_from_the_truth(
    client: PayrollClient, truth: SandboxData
) -> None:
    profile = await client.get_profile("user_three_jobs")
    expected = truth.user("user_three_jobs")
    summary = profile.summary
    all_dates = [date.fromisoformat(p["pay_date"]) for a in expected.accounts for p in a.paystubs]
    assert summary.latest_pay_date == max(all_dates)
    for employer, account in zip(summary.employers, expected.accounts, strict=True):
        assert employer.account_id == account.account_id
        by_year: dict[int, tuple[int, int, int]] = {}
        for stub in account.paystubs:
            year = int(stub["pay_date"][:4])
            gross, net, count = by_year.get(year, (0, 0, 0))
            by_year[year] = (
                gross + stub["gross_pay_amount"],
                net + stub["net_pay_amount"],
                count + 1,
            )
        assert {y.year: (y.gross, y.net, y.paystubs) for y in employer.pay_by_year} == by_year
        employment = account.resource("employment")
        assert employment is not None
        assert employer.employer_name == employment["employer_name"]
    names = {value.value for value in summary.names}
    assert names == {a.resource("identity")["full_name"] for a in expected.accounts}  # type: ignore[index]
    json.loads(profile.model_dump_json())  # serialisable


async def test_user_with_no_accounts_is_an_empty_complete_profile(client: PayrollClient) -> None:
    profile = await client.get_profile("user_no_accounts")
    assert profile.accounts == [] and profile.complete


async def test_missing_resource_is_not_found_not_a_failure(client: PayrollClient) -> None:
    profile = await client.get_profile("user_missing_income")
    (account,) = profile.accounts
    assert account.income is None
    assert account.status["income"].state == "not_found"
    assert account.status["shifts"].state == "ok" and account.shifts == []
    assert profile.complete


async def test_one_failing_resource_keeps_everything_else(truth: SandboxData) -> None:
    config = SandboxConfig(
        seed=SEED, today=TODAY, history_months=12, faults=FaultConfig(script="income=500*inf")
    )
    async with PayrollClient.sandbox(config, max_retries=1) as client:
        profile = await client.get_profile("user_single")
    (account,) = profile.accounts
    status = account.status["income"]
    assert status.state == "failed" and account.income is None
    assert status.reason is not None and status.reason.status_code == 500
    assert status.reason.error == "InternalServerError"
    assert status.attempts == 2  # first attempt + one retry
    assert not profile.complete
    assert [(p.resource, p.state) for p in profile.problems] == [("income", "failed")]
    expected = truth.user("user_single").accounts[0]
    assert [p.id for p in account.paystubs] == [p["id"] for p in expected.paystubs]
    assert account.identity is not None and account.employment is not None


async def test_failure_after_some_pages_is_partial_and_keeps_the_pages(
    client: PayrollClient, truth: SandboxData
) -> None:
    # Without the employment start date there is no lower bound to split the history into
    # date windows, so shifts follow their cursor chain, whose later pages this user breaks.
    profile = await client.get_profile(
        "user_broken_shifts", include=["paystubs", "shifts", "income", "identity"]
    )
    account = next(a for a in profile.accounts if a.status["shifts"].state != "ok")
    status = account.status["shifts"]
    assert status.state == "partial"
    assert status.pages == 1 and status.reason is not None
    expected = truth.user("user_broken_shifts").accounts[profile.accounts.index(account)]
    kept = [s.id for s in account.shifts]
    assert kept and kept == [s["id"] for s in expected.shifts][: len(kept)]
    assert len(set(kept)) == len(kept)
    assert ("shifts", "partial") in [(p.resource, p.state) for p in profile.problems]


async def test_strict_raises_with_the_partial_profile_attached() -> None:
    config = SandboxConfig(
        seed=SEED, today=TODAY, history_months=12, faults=FaultConfig(script="identity=503*inf")
    )
    async with PayrollClient.sandbox(config, max_retries=0) as client:
        with pytest.raises(ProfileIncompleteError) as caught:
            await client.get_profile("user_single", strict=True)
    profile = caught.value.profile
    assert profile.accounts[0].status["identity"].state == "failed"
    assert profile.accounts[0].paystubs  # the rest is attached
    assert "identity" in str(caught.value)


async def test_wrong_secret_fails_fast() -> None:
    async with PayrollClient.sandbox(CONFIG) as good:
        app = good.sandbox_app
    import httpx

    async with PayrollClient(
        api_secret="wrong-secret",
        base_url="http://sandbox.local/v1",
        transport=httpx.ASGITransport(app=app),
    ) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.get_profile("user_three_jobs")
    assert caught.value.status_code == 401
    assert "wrong-secret" not in str(caught.value)


async def test_unknown_end_user_raises_not_found(client: PayrollClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        await client.get_profile("unknown_person")
    assert caught.value.type == "RECORD_NOT_FOUND"


async def test_include_skips_the_rest(client: PayrollClient) -> None:
    profile = await client.get_profile("user_three_jobs", include=["income", "paystubs"])
    for account in profile.accounts:
        assert account.status["shifts"].state == "skipped" and account.shifts == []
        assert account.status["identity"].state == "skipped" and account.identity is None
        assert account.status["income"].state == "ok"
    assert profile.complete
    stats = client.sandbox_app.state.sandbox.stats
    assert stats.requests["shifts"] == 0 and stats.requests["income"] == 3


async def test_date_range_limits_history(client: PayrollClient, truth: SandboxData) -> None:
    start, end = date(2026, 6, 1), date(2026, 8, 31)
    profile = await client.get_profile("user_three_jobs", from_date=start, to_date=end)
    expected = truth.user("user_three_jobs")
    kept = 0
    for fetched, account in zip(profile.accounts, expected.accounts, strict=True):
        want = [p["id"] for p in account.paystubs if "2026-06-01" <= p["pay_date"] <= "2026-08-31"]
        assert [p.id for p in fetched.paystubs] == want
        assert all(start <= s.end_date <= end for s in fetched.shifts)
        kept += len(want)
        assert len(want) < len(account.paystubs)  # the range did leave some out
    assert kept > 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"include": ["paystubs", "salary"]},
        {"include": "paystubs"},
        {"from_date": "2026-05-01", "to_date": "2026-01-01"},
        {"from_date": "yesterday"},
    ],
)
async def test_bad_arguments_fail_before_any_request(
    client: PayrollClient, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError):
        await client.get_profile("user_single", **kwargs)
    with pytest.raises(InvalidInputError):
        await client.get_profile("bad/id")
    assert client.sandbox_app.state.sandbox.stats.total == 0


async def test_batch_never_exceeds_the_in_flight_bound() -> None:
    config = SandboxConfig(seed=SEED, today=TODAY, history_months=3, latency=LatencyConfig(ms=2))
    ids = [f"batch_{n:04d}" for n in range(200)] + ["unknown_1", "user_no_accounts"]
    progress: list[tuple[int, int | None]] = []
    async with PayrollClient.sandbox(config, max_in_flight=7) as client:
        outcomes: dict[str, str] = {}
        async for result in client.get_profiles(
            ids, concurrency=20, on_progress=lambda d, t: progress.append((d, t))
        ):
            assert result.end_user_id not in outcomes
            outcomes[result.end_user_id] = "ok" if result.profile else type(result.error).__name__
        stats = client.sandbox_app.state.sandbox.stats
        assert client.requests_in_flight == 0
    assert set(outcomes) == set(ids)
    assert outcomes["unknown_1"] == "NotFoundError"
    assert list(outcomes.values()).count("ok") == len(ids) - 1
    assert 1 < stats.max_in_flight <= 7
    assert progress[-1] == (len(ids), len(ids))


async def test_cancelling_a_batch_leaves_the_client_usable(truth: SandboxData) -> None:
    config = SandboxConfig(seed=SEED, today=TODAY, history_months=3, latency=LatencyConfig(ms=5))
    async with PayrollClient.sandbox(config, max_in_flight=5) as client:

        async def consume() -> int:
            count = 0
            async for _ in client.get_profiles([f"u{n}" for n in range(100)], concurrency=10):
                count += 1
            return count

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0)
        assert client.requests_in_flight == 0
        profile = await client.get_profile("user_three_jobs")
        assert profile.complete and len(profile.accounts) == 3
