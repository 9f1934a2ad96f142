"""What a reader must know before trusting a profile's figures, worst first.

Both renderers put these at the top of the report: stale or disconnected accounts, resources
that failed or were read only in part, records that could not be read, and figures whose
inputs disagree (a year to date the paystubs do not add up to).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ..models import Money
from ..models.profile import AccountProfile, PayrollProfile
from ..models.summary import EmployerSummary

__all__ = ["Caveat", "account_label", "caveats"]

Severity = Literal["warning", "notice"]

#: The ``FailureReason.error`` of a resource that is partial only because of unreadable records.
_UNREADABLE = "UnreadableRecords"


@dataclass(frozen=True)
class Caveat:
    """One thing to read before the figures.

    ``severity`` is ``"warning"`` for data that may be wrong or missing (stale, failed,
    unreadable) and ``"notice"`` for figures that need a second look (a year to date that does
    not add up). ``account_ids`` names the accounts concerned.
    """

    severity: Severity
    text: str
    account_ids: tuple[str, ...] = field(default_factory=tuple)


def account_label(account_id: str, employers: dict[str, EmployerSummary]) -> str:
    """``"Employer name (account …last 6)"``, or the account id alone."""
    employer = employers.get(account_id)
    name = employer.employer_name if employer is not None else None
    short = account_id if len(account_id) <= 12 else f"…{account_id[-6:]}"
    return f"{name} (account {short})" if name else f"account {account_id}"


def caveats(profile: PayrollProfile) -> list[Caveat]:
    """Every caveat of ``profile``: warnings first, then notices, each in account order."""
    employers = {e.account_id: e for e in profile.summary.employers}
    as_of = profile.summary.as_of or profile.fetched_at.date()
    found: list[Caveat] = []
    for account in profile.accounts:
        stale = _stale(account, employers, as_of)
        if stale is not None:
            found.append(stale)
    for problem in profile.problems:
        if problem.unreadable and (problem.reason is None or problem.reason.error == _UNREADABLE):
            continue  # said below, with the count, by _unreadable
        label = account_label(problem.account_id, employers)
        what = problem.resource.replace("_", " ")
        reason = problem.reason
        why = ""
        if reason is not None:
            code = " ".join(str(p) for p in (reason.status_code, reason.code) if p)
            why = f" ({reason.error}{' ' + code if code else ''})"
        how = "only partly read" if problem.state == "partial" else "not read"
        found.append(
            Caveat(
                "warning",
                f"{label}: {what} {how}{why}; figures that use it may be incomplete.",
                (problem.account_id,),
            )
        )
    found.extend(_unreadable(profile, employers))
    found.extend(_holes(employers))
    found.extend(_figure_notices(profile, employers))
    return sorted(found, key=lambda c: c.severity != "warning")


def _stale(
    account: AccountProfile, employers: dict[str, EmployerSummary], as_of: date
) -> Caveat | None:
    payroll_account = account.account
    freshness = account.freshness
    if freshness is not None:
        # The SDK's verdict (get_profile sets it): connection state and refresh times
        # against stale_after, with every reason in words.
        if freshness.is_fresh:
            return None
        label = account_label(payroll_account.id, employers)
        why = "; ".join(freshness.reasons) or "no reason given"
        return Caveat(
            "warning",
            f"{label} is {freshness.verdict} ({why}): its figures are not current.",
            (payroll_account.id,),
        )
    reasons = []
    if payroll_account.connected is False:
        reasons.append("disconnected")
    if payroll_account.monitoring_status not in ("active", None):
        reasons.append(f"monitoring {payroll_account.monitoring_status}")
    if not reasons:
        return None
    refreshed = payroll_account.data_refreshed_at.paystubs
    since = ""
    if refreshed is not None:
        days = (as_of - refreshed.date()).days
        plural = "" if days == 1 else "s"
        since = (
            f"; paystubs last refreshed {refreshed.date().isoformat()} ({days} day{plural} before)"
        )
    label = account_label(payroll_account.id, employers)
    return Caveat(
        "warning",
        f"{label} is {' and '.join(reasons)}{since}: its figures may not be current.",
        (payroll_account.id,),
    )


def _unreadable(profile: PayrollProfile, employers: dict[str, EmployerSummary]) -> list[Caveat]:
    found = []
    listing = len(profile.unreadable_accounts)
    if listing:
        found.append(
            Caveat(
                "warning",
                f"{_count(listing, 'payroll account record')} in the accounts listing could not"
                " be read: their data is not in this report.",
            )
        )
    for account in profile.accounts:
        for name, status in account.status.items():
            if status.unreadable > 0:
                label = account_label(account.account.id, employers)
                found.append(
                    Caveat(
                        "warning",
                        f"{label}: {_count(status.unreadable, 'record')} of"
                        f" {name.replace('_', ' ')} could not be read and"
                        f" {'is' if status.unreadable == 1 else 'are'} left out of the figures.",
                        (account.account.id,),
                    )
                )
    return found


def _holes(employers: dict[str, EmployerSummary]) -> list[Caveat]:
    # Records read but lacking what a figure needs: kept in the profile, left out of it.
    found = []
    for employer in employers.values():
        label = account_label(employer.account_id, employers)
        for count, what, left_out in (
            (employer.paystubs_without_date, "paystub without a pay date", "dated figures"),
            (employer.paystubs_without_amount, "paystub without a gross or net amount", "totals"),
            (employer.shifts_without_date, "shift without an end date", "shift windows"),
        ):
            if count:
                found.append(
                    Caveat(
                        "notice",
                        f"{label}: {_count(count, what)}, kept in the profile but left out of"
                        f" {left_out} (never counted as zero).",
                        (employer.account_id,),
                    )
                )
    return found


def _count(count: int, noun: str) -> str:
    # "1 paystub without a pay date", "2 paystubs without a pay date": the noun is the first word
    # of ``noun`` that follows the count.
    if count == 1:
        return f"1 {noun}"
    head, _, rest = noun.partition(" without ")
    plural = head + "s"
    return f"{count} {plural}" + (f" without {rest}" if rest else "")


def _figure_notices(profile: PayrollProfile, employers: dict[str, EmployerSummary]) -> list[Caveat]:
    found = []
    for employer in profile.summary.employers:
        ytd = employer.figures.year_to_date if employer.figures is not None else None
        if ytd is None or ytd.gross_difference is None:
            continue
        assert ytd.gross_reported is not None and ytd.gross_summed is not None
        label = account_label(employer.account_id, employers)
        reported = Money(ytd.gross_reported, ytd.currency)
        summed = Money(ytd.gross_summed, ytd.currency)
        why = (
            "some of this year's paystubs were not read"
            if ytd.history_covers_year
            else "the history read may not reach the start of the year"
        )
        found.append(
            Caveat(
                "notice",
                f"{label}: {ytd.year} gross year to date is {reported} on the latest paystub but"
                f" the paystubs read add up to {summed} ({why}).",
                (employer.account_id,),
            )
        )
    other = profile.summary.income.paystubs_other_currency
    if other:
        found.append(
            Caveat(
                "notice",
                f"{other} paystub(s) in another currency are left out of the income figures.",
            )
        )
    return found
