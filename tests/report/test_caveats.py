"""caveats(): what the report lists first, from hand-made profile changes."""

from __future__ import annotations

from collections.abc import Callable

from payroll_sdk import PayrollProfile
from payroll_sdk.aggregation._figures import add_figures
from payroll_sdk.aggregation._summary import summarize
from payroll_sdk.models.profile import FailureReason, Problem, ResourceStatus
from payroll_sdk.report import caveats, render_text


def test_unreadable_records_are_a_warning(sandbox_profile: Callable[[str], PayrollProfile]) -> None:
    profile = sandbox_profile("user_single")
    account = profile.accounts[0]
    status = {**account.status, "paystubs": ResourceStatus(state="partial", unreadable=3)}
    holed = profile.model_copy(update={"accounts": [account.model_copy(update={"status": status})]})
    (caveat,) = caveats(holed)
    assert caveat.severity == "warning"
    assert "3 records of paystubs could not be read" in caveat.text
    assert caveat.account_ids == (account.account.id,)
    assert "3 records of paystubs could not be read" in render_text(holed, width=200)


def test_a_year_to_date_that_does_not_add_up_is_a_notice(
    sandbox_profile: Callable[[str], PayrollProfile],
) -> None:
    profile = sandbox_profile("user_single")
    account = profile.accounts[0]
    newest = max(account.paystubs, key=lambda p: (p.pay_date, p.id))
    assert newest.gross_pay_ytd is not None
    # Drop an earlier paystub of the same year: the sum falls short of the reported figure.
    dropped = next(
        p
        for p in account.paystubs
        if p.pay_date is not None and p.pay_date.year == newest.pay_date.year and p.id != newest.id
    )
    accounts = [
        account.model_copy(update={"paystubs": [p for p in account.paystubs if p.id != dropped.id]})
    ]
    as_of = profile.summary.as_of
    assert as_of is not None
    summary = add_figures(summarize(accounts, as_of=as_of), accounts)
    changed = profile.model_copy(update={"accounts": accounts, "summary": summary})
    (notice,) = caveats(changed)
    assert notice.severity == "notice"
    assert "gross year to date is" in notice.text
    assert "some of this year's paystubs were not read" in notice.text


def test_records_kept_but_left_out_are_notices(
    sandbox_profile: Callable[[str], PayrollProfile],
) -> None:
    profile = sandbox_profile("user_single")
    employer = profile.summary.employers[0].model_copy(
        update={"paystubs_without_date": 2, "paystubs_without_amount": 1}
    )
    changed = profile.model_copy(
        update={"summary": profile.summary.model_copy(update={"employers": [employer]})}
    )
    texts = [c.text for c in caveats(changed) if c.severity == "notice"]
    assert any("2 paystubs without a pay date, kept in the profile" in t for t in texts)
    assert any("1 paystub without a gross or net amount" in t for t in texts)


def test_a_resource_partial_only_by_unreadable_records_is_said_once(
    sandbox_profile: Callable[[str], PayrollProfile],
) -> None:
    profile = sandbox_profile("user_single")
    account = profile.accounts[0]
    reason = FailureReason(error="UnreadableRecords", message="2 records could not be read")
    status = {
        **account.status,
        "paystubs": ResourceStatus(state="partial", unreadable=2, reason=reason),
    }
    problem = Problem(
        account_id=account.account.id,
        resource="paystubs",
        state="partial",
        reason=reason,
        unreadable=2,
    )
    changed = profile.model_copy(
        update={
            "accounts": [account.model_copy(update={"status": status})],
            "problems": [problem],
            "complete": False,
        }
    )
    (caveat,) = caveats(changed)
    assert "2 records of paystubs could not be read and are left out" in caveat.text
