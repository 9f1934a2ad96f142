"""The profile as text for a terminal: tables of accounts, summary, recent paystubs, problems.

What is printed is chosen so that no personal identifier reaches the terminal (or a log that
captures it): no identity fields at all (names, SSN digits, date of birth, address, contacts)
and no bank account or routing numbers, not even masked ones. ``--json`` is the raw-data form.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..models.profile import RESOURCE_NAMES, AccountProfile, PayrollProfile
from ..models.summary import Amount, EmployerSummary
from ._table import format_pairs, format_table

__all__ = ["RECENT_PAYSTUBS", "render_profile"]

#: Paystubs shown per account, newest first.
RECENT_PAYSTUBS = 5

# Column headers for the resource states: short enough to keep the accounts table narrow.
_RESOURCE_HEADERS = {
    "paystubs": "PAYSTUBS",
    "income": "INCOME",
    "identity": "IDENTITY",
    "shifts": "SHIFTS",
    "employment": "EMPLOYMENT",
    "direct_deposit_allocations": "DEPOSITS",
}


def render_profile(profile: PayrollProfile, *, recent_paystubs: int = RECENT_PAYSTUBS) -> str:
    """The whole profile as plain text, ending with a newline."""
    employers = {e.account_id: e for e in profile.summary.employers}
    sections = [
        _heading(profile),
        _section("Accounts", _accounts(profile, employers)),
        _section("Summary", _summary(profile)),
    ]
    if profile.summary.employers:
        sections.append(_section("Employers", _employers(profile.summary.employers)))
    for account in profile.accounts:
        if account.paystubs:
            title = f"Recent paystubs: {_employer_name(account, employers)} ({account.account.id})"
            sections.append(_section(title, _paystubs(account, recent_paystubs)))
    if profile.problems:
        sections.append(_section("Problems", _problems(profile)))
    return "\n\n".join(sections) + "\n"


def _heading(profile: PayrollProfile) -> str:
    state = "complete" if profile.complete else f"INCOMPLETE ({len(profile.problems)} problems)"
    fetched = profile.fetched_at.isoformat(timespec="seconds")
    count = len(profile.accounts)
    plural = "" if count == 1 else "s"
    return (
        f"Payroll profile of {profile.end_user_id}: {count} account{plural}, {state}, "
        f"fetched {fetched}"
    )


def _section(title: str, body: str) -> str:
    return f"{title}\n{'=' * len(title)}\n{body}"


def _employer_name(account: AccountProfile, employers: dict[str, EmployerSummary]) -> str:
    if account.employment is not None and account.employment.employer_name:
        return account.employment.employer_name
    summary = employers.get(account.account.id)
    if summary is not None and summary.employer_name:
        return summary.employer_name
    return "unknown employer"


def _accounts(profile: PayrollProfile, employers: dict[str, EmployerSummary]) -> str:
    if not profile.accounts:
        return "(no payroll accounts)"
    headers = ["ACCOUNT", "EMPLOYER", "MONITORING", "CONNECTED"]
    headers += [_RESOURCE_HEADERS[name] for name in RESOURCE_NAMES]
    rows = []
    for account in profile.accounts:
        states = [
            status.state if (status := account.status.get(name)) is not None else None
            for name in RESOURCE_NAMES
        ]
        rows.append(
            [
                account.account.id,
                _employer_name(account, employers),
                account.account.monitoring_status,
                "yes" if account.account.connected else "no",
                *states,
            ]
        )
    return format_table(headers, rows)


def _summary(profile: PayrollProfile) -> str:
    summary = profile.summary
    hours = f"{summary.shift_hours_30d:.1f} / {summary.shift_hours_90d:.1f}"
    deposits = [
        " ".join(
            part
            for part in (
                d.bank_name or "bank",
                f"({d.account_type})" if d.account_type else "",
                _allocation(d.allocation_type, d.amount, d.percentage),
            )
            if part
        )
        for d in summary.direct_deposit_destinations
    ]
    pairs: list[tuple[str, object]] = [
        ("Current employers", ", ".join(summary.current_employers) or "none"),
        ("Annualized income", _amounts(summary.annualized_income)),
        ("Latest pay date", summary.latest_pay_date),
        ("Shift hours (30 d / 90 d)", hours),
        ("Shift earnings (90 d)", _amounts(summary.shift_earnings_90d)),
    ]
    # One destination per line, under a single label.
    if deposits:
        labels = ["Direct deposit"] + [""] * (len(deposits) - 1)
        pairs += zip(labels, deposits, strict=True)
    else:
        pairs.append(("Direct deposit", None))
    pairs.append(("As of", summary.as_of))
    return format_pairs(pairs)


def _allocation(kind: str, amount: Amount | None, percentage: float | None) -> str:
    if amount is not None:
        return f"{kind} {amount}"
    if percentage is not None:
        return f"{kind} {percentage:g}%"
    return kind


def _employers(employers: Sequence[EmployerSummary]) -> str:
    headers = [
        "EMPLOYER",
        "STATUS",
        "CURRENT",
        "PAY FREQUENCY",
        "LATEST PAY",
        "AVG MONTHLY GROSS",
        "AVG MONTHLY NET",
        "ANNUALIZED",
        "SHIFT H 30D/90D",
    ]
    rows = [
        [
            e.employer_name,
            e.status,
            "yes" if e.current else "no",
            _frequency(e),
            e.latest_pay_date,
            e.average_monthly_gross_3m,
            e.average_monthly_net_3m,
            e.annualized_income,
            f"{e.shift_hours_30d:.1f} / {e.shift_hours_90d:.1f}",
        ]
        for e in employers
    ]
    return format_table(headers, rows, align="lllllrrrr")


def _frequency(employer: EmployerSummary) -> str | None:
    inferred, reported = employer.pay_frequency_inferred, employer.pay_frequency_reported
    if inferred and reported and inferred != reported:
        return f"{inferred} (reported {reported})"
    return inferred or reported


def _paystubs(account: AccountProfile, count: int) -> str:
    rows = [
        [
            stub.pay_date,
            _period(stub.pay_period_start, stub.pay_period_end),
            stub.gross_pay,
            stub.net_pay,
        ]
        for stub in account.paystubs[:count]
    ]
    table = format_table(["PAY DATE", "PERIOD", "GROSS", "NET"], rows, align="llrr")
    hidden = len(account.paystubs) - len(rows)
    return table + (f"\n({hidden} older paystubs not shown)" if hidden > 0 else "")


def _period(start: object, end: object) -> str | None:
    if start is None and end is None:
        return None
    return f"{start or '?'} .. {end or '?'}"


def _problems(profile: PayrollProfile) -> str:
    rows = []
    for problem in profile.problems:
        reason = problem.reason
        detail = None
        if reason is not None:
            label = " ".join(
                str(part) for part in (reason.error, reason.status_code, reason.code) if part
            )
            detail = f"{label}: {reason.message}"
        rows.append([problem.account_id, problem.resource, problem.state, detail])
    return format_table(["ACCOUNT", "RESOURCE", "STATE", "REASON"], rows)


def _amounts(amounts: Iterable[Amount]) -> str | None:
    return ", ".join(str(a) for a in amounts) or None
