"""Freshness verdicts: connection state and refresh times against ``stale_after``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from payroll_sdk import InvalidInputError, PayrollClient
from payroll_sdk.aggregation._freshness import assess_freshness, check_stale_after
from payroll_sdk.aggregation._summary import summarize
from payroll_sdk.models import Employment, PayrollAccount
from payroll_sdk.models.profile import AccountProfile, ResourceStatus
from payroll_sdk.sandbox import SandboxConfig

NOW = datetime(2025, 6, 16, 12, 0, tzinfo=UTC)


def _account(
    *,
    connected: bool | None = True,
    monitoring: str | None = "active",
    refreshed: dict[str, datetime] | None = None,
    status: dict[str, ResourceStatus] | None = None,
    employer: str = "Acme",
) -> AccountProfile:
    body: dict[str, Any] = {"id": f"acct-{employer}", "data_refreshed_at": refreshed or {}}
    if connected is not None:
        body["connected"] = connected
    if monitoring is not None:
        body["monitoring_status"] = monitoring
    employment = Employment(
        id="e", account_id=body["id"], employer_name=employer, status="employed"
    )
    return AccountProfile(
        account=PayrollAccount.model_validate(body),
        employment=employment,
        status=status or {"employment": ResourceStatus(state="ok")},
    )


def _days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_recent_data_of_a_monitored_account_is_fresh() -> None:
    account = _account(refreshed={"employment": _days_ago(2)})
    freshness = assess_freshness(account, as_of=NOW, stale_after=timedelta(days=35))
    assert freshness.verdict == "fresh" and freshness.is_fresh
    assert freshness.reasons == [] and freshness.refreshed_at == _days_ago(2)


def test_data_older_than_stale_after_is_stale_and_says_which() -> None:
    account = _account(refreshed={"employment": _days_ago(40)})
    freshness = assess_freshness(account, as_of=NOW, stale_after=timedelta(days=35))
    assert freshness.verdict == "stale"
    assert freshness.stale_resources == ["employment"]
    assert freshness.reasons == ["employment last refreshed 40 days ago (stale after 35 days)"]
    # The same data is fresh under a looser threshold.
    assert assess_freshness(account, as_of=NOW, stale_after=timedelta(days=60)).is_fresh


def test_the_later_of_meta_and_account_refresh_times_counts() -> None:
    status = {"employment": ResourceStatus(state="ok", refreshed_at=_days_ago(1))}
    account = _account(refreshed={"employment": _days_ago(90)}, status=status)
    assert assess_freshness(account, as_of=NOW).is_fresh


def test_resources_not_read_do_not_make_an_account_stale() -> None:
    status = {
        "employment": ResourceStatus(state="ok"),
        "income": ResourceStatus(state="failed"),
        "shifts": ResourceStatus(state="not_found"),
    }
    account = _account(
        refreshed={"employment": _days_ago(1), "income": _days_ago(300), "shifts": _days_ago(300)},
        status=status,
    )
    assert assess_freshness(account, as_of=NOW).is_fresh


@pytest.mark.parametrize(
    ("connected", "monitoring", "reason"),
    [
        (False, "active", "not connected"),
        (True, "degraded", "monitoring degraded"),
        (True, "user_action_required", "monitoring user_action_required"),
        (True, "paused_by_platform", "monitoring paused_by_platform"),
    ],
)
def test_a_disconnected_or_unmonitored_account_is_never_fresh(
    connected: bool, monitoring: str, reason: str
) -> None:
    account = _account(connected=connected, monitoring=monitoring, refreshed={"employment": NOW})
    freshness = assess_freshness(account, as_of=NOW)
    assert freshness.verdict == "disconnected"
    assert any(r.startswith(reason) for r in freshness.reasons)


def test_disconnected_wins_over_stale_and_lists_both_reasons() -> None:
    account = _account(connected=False, refreshed={"employment": _days_ago(50)})
    freshness = assess_freshness(account, as_of=NOW)
    assert freshness.verdict == "disconnected" and freshness.stale_resources == ["employment"]
    assert len(freshness.reasons) == 2


@pytest.mark.parametrize(
    "kwargs",
    [{"connected": None}, {"monitoring": None}, {"refreshed": {}}],
    ids=["no connected", "no monitoring status", "no refresh time"],
)
def test_what_the_api_did_not_say_is_unknown_not_fresh(kwargs: dict[str, Any]) -> None:
    base: dict[str, Any] = {"refreshed": {"employment": _days_ago(1)}}
    account = _account(**(base | kwargs))
    assert assess_freshness(account, as_of=NOW).verdict == "unknown"


def test_the_summary_never_counts_a_stale_employer_as_current() -> None:
    fresh = _account(refreshed={"employment": _days_ago(1)}, employer="Fresh Co")
    stale = _account(refreshed={"employment": _days_ago(60)}, employer="Old Co")
    summary = summarize([fresh, stale], as_of=NOW.date())
    assert summary.current_employers == ["Fresh Co"]
    assert summary.unverified_employers == ["Old Co"]
    old = summary.employers[1]
    assert old.current and old.freshness == "stale"
    assert any("Old Co looks current but its data is stale" in n for n in summary.notes)
    assert any(n.startswith("Data stale: employment last refreshed") for n in old.notes)


def test_stale_after_is_checked_before_any_request() -> None:
    assert check_stale_after(10) == timedelta(days=10)
    for bad in (0, -1, "35", True):
        with pytest.raises(InvalidInputError):
            check_stale_after(bad)  # type: ignore[arg-type]


async def test_the_degraded_scenario_reads_as_not_current_in_model_and_summary() -> None:
    async with PayrollClient.sandbox(SandboxConfig(seed=1, today=date(2026, 3, 17))) as client:
        profile = await client.get_profile("user_degraded")
        with pytest.raises(InvalidInputError):
            await client.get_profile("user_degraded", stale_after=0)
    assert profile.complete  # fetched completely ...
    verdicts = [a.freshness.verdict for a in profile.accounts if a.freshness]
    assert verdicts == ["disconnected", "disconnected"]  # ... but not current
    assert profile.stale_account_ids == [a.account.id for a in profile.accounts]
    assert "stale after 35 days" in " ".join(profile.accounts[1].freshness.reasons)  # type: ignore[union-attr]
    assert profile.summary.current_employers == [] and profile.summary.annualized_income == []
    assert len(profile.summary.unverified_employers) == 2


async def test_an_ordinary_user_is_fresh() -> None:
    # The sandbox's data is refreshed "today"; a fixed past `today` would rightly be stale.
    async with PayrollClient.sandbox(SandboxConfig(seed=1)) as client:
        profile = await client.get_profile("user_single")
    assert [a.freshness.verdict for a in profile.accounts if a.freshness] == ["fresh"]
    assert profile.stale_account_ids == []
    assert profile.summary.current_employers
