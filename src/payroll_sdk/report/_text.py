"""The report as plain text for terminals and logs, every line at most ``width`` columns.

Same content and order as the HTML page (caveats first), without the chart. A table is used
where it fits the width; where it does not, each row becomes a block of ``label: value`` lines,
so nothing is cut and nothing wraps mid-column.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Final

from ..models.figures import EmployerFigures
from ..models.profile import RESOURCE_NAMES, PayrollProfile
from ..models.summary import EmployerSummary
from ._caveats import account_label, caveats
from ._format import (
    display_name,
    iso,
    money,
    pay_rate_text,
    stability_text,
    tenure_text,
    trend_text,
)

__all__ = ["DEFAULT_WIDTH", "MIN_WIDTH", "render_text"]

DEFAULT_WIDTH: Final = 100
#: Narrower than this and even label/value blocks stop being readable.
MIN_WIDTH: Final = 40
_GAP = "  "


def render_text(
    profile: PayrollProfile,
    *,
    width: int = DEFAULT_WIDTH,
    show_pii: bool = False,
    recent_paystubs: int = 5,
) -> str:
    """Render ``profile`` as plain text, no line longer than ``width`` (at least 40).

    Caveats come first, then the figures at a glance, each employer, pay gaps, stability, the
    most recent paystubs of each account and the accounts' resource states. The person's name
    is masked unless ``show_pii=True``; no other identity data or bank number is ever printed.
    """
    width = max(width, MIN_WIDTH)
    summary = profile.summary
    employers = {e.account_id: e for e in summary.employers}
    name = summary.names[0].value if summary.names else None
    state = (
        "complete"
        if profile.complete
        else f"INCOMPLETE ({_count(len(profile.problems), 'problem')})"
    )
    head = (
        f"Payroll profile of {profile.end_user_id} ({display_name(name, show_pii=show_pii)}): "
        f"{_count(len(profile.accounts), 'account')}, {state}, fetched "
        f"{profile.fetched_at.isoformat(timespec='seconds')}"
    )
    sections = [_wrap(head, width)]
    found = caveats(profile)
    if found:
        lines = []
        for caveat in found:
            marker = "! " if caveat.severity == "warning" else "i "
            lines.append(_wrap(caveat.text, width, first=marker, rest="  "))
        sections.append(_section("READ FIRST", "\n".join(lines)))
    sections.append(_section("At a glance", _glance(profile, width)))
    for employer in summary.employers:
        sections.append(_employer(employer, width))
    sections.append(_section("Pay gaps", _gaps(profile, employers, width)))
    for account in profile.accounts:
        if account.paystubs:
            title = f"Recent paystubs: {account_label(account.account.id, employers)}"
            rows = [
                [
                    iso(p.pay_date),
                    _period(p.pay_period_start, p.pay_period_end),
                    money(p.gross_pay_amount, p.currency),
                    money(p.net_pay_amount, p.currency),
                ]
                for p in account.paystubs[:recent_paystubs]
            ]
            table = _table(["PAY DATE", "PERIOD", "GROSS", "NET"], rows, width, align="llrr")
            hidden = len(account.paystubs) - len(rows)
            more = f"\n({_count(hidden, 'older paystub')} not shown)" if hidden > 0 else ""
            sections.append(_section(_wrap(title, width), table + more))
    sections.append(_section("Accounts", _accounts(profile, employers, width)))
    return "\n\n".join(sections) + "\n"


def _glance(profile: PayrollProfile, width: int) -> str:
    summary = profile.summary
    income = summary.income
    pairs: list[tuple[str, str]] = [
        ("Current employers", ", ".join(summary.current_employers) or "none verified"),
        ("Annualized income", ", ".join(str(a) for a in summary.annualized_income) or "-"),
        ("Latest pay date", iso(summary.latest_pay_date)),
        ("Missing pay periods", str(income.gaps.missing_periods)),
    ]
    if summary.unverified_employers:
        # Current by their own account, but their data is not fresh: not counted above.
        pairs.insert(
            1, ("Not verified", ", ".join(summary.unverified_employers) + " (data not current)")
        )
    for s in income.stability:
        stale = " [stale]" if s.stale else ""
        pairs.append((f"Stability {s.months} m", stability_text(s) + stale))
    pairs.append(("Trend", trend_text(income.trend) + (" [stale]" if income.trend.stale else "")))
    return _pairs(pairs, width)


def _employer(employer: EmployerSummary, width: int) -> str:
    f = employer.figures or EmployerFigures()
    flags = [employer.status or "status unknown", _currency_flag(employer, f.stale)]
    title = f"{employer.employer_name or 'Unknown employer'} ({', '.join(flags)})"
    pairs = [
        ("Account", employer.account_id),
        ("Tenure", tenure_text(f.tenure)),
        ("Pay rate", pay_rate_text(f.pay_rate)),
        ("Pay frequency", f.pay_frequency or "-"),
    ]
    ytd = f.year_to_date
    if ytd is not None:
        pairs.append(
            (
                f"YTD {ytd.year} reported",
                _gross_net(ytd.gross_reported, ytd.net_reported, ytd.currency),
            )
        )
        summed = _gross_net(ytd.gross_summed, ytd.net_summed, ytd.currency)
        pairs.append((f"YTD {ytd.year} summed", f"{summed} ({_count(ytd.paystubs, 'paystub')})"))
        if ytd.gross_difference is not None:
            pairs.append(("YTD difference", money(ytd.gross_difference, ytd.currency) + " gross"))
    for index, stub in enumerate(f.last_paystubs):
        label = "Last paystubs" if index == 0 else ""
        pairs.append(
            (label, f"{iso(stub.pay_date)}  {_gross_net(stub.gross, stub.net, stub.currency)}")
        )
    return _section(_wrap(title, width), _pairs(pairs, width))


def _currency_flag(employer: EmployerSummary, stale: bool) -> str:
    if not employer.current:
        return "not current"
    if stale or employer.freshness not in ("fresh", None):
        return f"current? NOT VERIFIED, data {employer.freshness or 'stale'}"
    return "current"


def _short_name(account_id: str, employers: dict[str, EmployerSummary]) -> str:
    # The employer's name alone keeps the gaps table narrow; the account is in its section.
    employer = employers.get(account_id)
    if employer is not None and employer.employer_name:
        return employer.employer_name
    return account_label(account_id, employers)


def _gaps(profile: PayrollProfile, employers: dict[str, EmployerSummary], width: int) -> str:
    gaps = profile.summary.income.gaps
    if not gaps.gaps:
        if gaps.account_ids:
            return "No missing pay periods."
        return "No account has a regular pay frequency to check gaps against."
    rows = [
        [
            _short_name(g.account_id, employers),
            g.frequency,
            g.after.isoformat(),
            iso(g.before) if g.before else "no pay since",
            str(g.days),
            str(g.missing_periods),
        ]
        for g in gaps.gaps
    ]
    headers = ["EMPLOYER", "FREQUENCY", "PAID", "NEXT PAID", "DAYS", "MISSING"]
    table = _table(headers, rows, width, align="llllrr")
    if gaps.paystubs_unplaced:
        note = (
            f"{gaps.paystubs_unplaced} paystub record(s) without a pay date or unreadable: "
            "a gap may be one of them."
        )
        table = _wrap(note, width) + "\n" + table
    return table


def _accounts(profile: PayrollProfile, employers: dict[str, EmployerSummary], width: int) -> str:
    if not profile.accounts:
        return "(no payroll accounts)"
    blocks = []
    for account in profile.accounts:
        a = account.account
        states = ", ".join(
            f"{n.replace('_', ' ')} {s.state}"
            for n in RESOURCE_NAMES
            if (s := account.status.get(n)) is not None
        )
        pairs = [
            ("Account", a.id),
            ("Employer", account_label(a.id, employers).split(" (account")[0]),
            (
                "Connection",
                f"{_connection(a.connected)}, monitoring {a.monitoring_status or 'unknown'}",
            ),
            ("Resources", states or "-"),
        ]
        blocks.append(_pairs(pairs, width))
    return "\n\n".join(blocks)


# --- layout -----------------------------------------------------------------------------------


def _section(title: str, body: str) -> str:
    underline = "=" * min(max(len(line) for line in title.splitlines()), 200)
    return f"{title}\n{underline}\n{body}"


def _wrap(text: str, width: int, *, first: str = "", rest: str = "") -> str:
    return (
        "\n".join(
            textwrap.wrap(
                text,
                width=width,
                initial_indent=first,
                subsequent_indent=rest,
                break_long_words=True,
                break_on_hyphens=False,
            )
        )
        or first.rstrip()
    )


def _pairs(pairs: Sequence[tuple[str, str]], width: int) -> str:
    label_width = max((len(label) for label, _ in pairs), default=0)
    if label_width + len(_GAP) + 20 > width:
        label_width = 0  # too narrow for a column of labels: value under label
    lines = []
    for label, value in pairs:
        value = " ".join(value.split())
        if label_width:
            indent = " " * (label_width + len(_GAP))
            lines.append(_wrap(value, width, first=label.ljust(label_width) + _GAP, rest=indent))
        else:
            if label:
                lines.append(label)
            lines.append(_wrap(value, width, first="  ", rest="  "))
    return "\n".join(lines)


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], width: int, *, align: str = ""
) -> str:
    cells = [[" ".join(c.split()) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    if sum(widths) + len(_GAP) * (len(widths) - 1) <= width:
        sides = align.ljust(len(headers), "l")

        def line(values: Sequence[str]) -> str:
            return _GAP.join(
                v.rjust(w) if s == "r" else v.ljust(w)
                for v, w, s in zip(values, widths, sides, strict=True)
            ).rstrip()

        return "\n".join(
            [line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells]
        )
    # Too wide: one block of "HEADER  value" lines per row.
    labels = [h.capitalize() for h in headers]
    return "\n\n".join(_pairs(list(zip(labels, row, strict=True)), width) for row in cells)


def _connection(connected: bool | None) -> str:
    if connected is None:
        return "connection unknown"
    return "connected" if connected else "DISCONNECTED"


def _gross_net(gross: int | None, net: int | None, currency: str) -> str:
    return f"{money(gross, currency)} gross / {money(net, currency)} net"


def _period(start: object, end: object) -> str:
    if start is None and end is None:
        return "-"
    return f"{start or '?'} .. {end or '?'}"


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
