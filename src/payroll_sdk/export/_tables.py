"""The flat tables: their columns and the rows one profile gives. Pure standard library.

Every table starts with ``end_user_id`` (and ``account_id`` where it applies), so tables from
many profiles can be concatenated and joined. Money is two columns: ``<name>_cents`` (the
integer minor units, exact) and ``<name>`` (a :class:`~decimal.Decimal` in major units, exact);
both are ``None`` when the API sent no amount. Dates stay dates, timestamps stay aware
datetimes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import Any, Final, Literal, Self

from ..aggregation._summary import shift_hours
from ..models import cents_to_decimal
from ..models.profile import RESOURCE_NAMES, PayrollProfile

__all__ = ["COLUMNS", "TABLES", "Column", "Kind", "failure_row", "table_rows"]

Kind = Literal["str", "int", "float", "bool", "date", "datetime", "money"]
"""A column's type; ``money`` expands to ``<name>_cents`` (int) and ``<name>`` (decimal)."""

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind


def _columns(spec: str) -> tuple[Column, ...]:
    # "name:kind name:kind ..." keeps the table definitions readable at a glance.
    return tuple(Column(*item.split(":")) for item in spec.split())  # type: ignore[arg-type]


_LINE = "end_user_id:str account_id:str paystub_id:str pay_date:date currency:str line:int "
_STATES = " ".join(f"{name}_state:str" for name in RESOURCE_NAMES)

COLUMNS: Final[dict[str, tuple[Column, ...]]] = {
    "accounts": _columns(
        "end_user_id:str account_id:str platform_id:str created_at:datetime connected:bool "
        "monitoring_status:str stale:bool paystubs_refreshed_at:datetime employer_name:str "
        "employment_status:str current:bool start_date:date termination_date:date "
        "tenure_months:int tenure_basis:str pay_rate:money pay_rate_currency:str "
        "pay_rate_unit:str pay_frequency:str latest_pay_date:date annualized_income:money "
        "ytd_year:int ytd_currency:str ytd_gross_reported:money ytd_gross_summed:money "
        "ytd_gross_difference:money ytd_net_reported:money ytd_net_summed:money "
        "ytd_history_covers_year:bool " + _STATES
    ),
    "paystubs": _columns(
        "end_user_id:str account_id:str paystub_id:str pay_date:date pay_period_start:date "
        "pay_period_end:date currency:str gross_pay:money net_pay:money check_amount:money "
        "total_taxes:money total_deductions:money total_reimbursements:money "
        "gross_pay_ytd:money net_pay_ytd:money employer_name:str"
    ),
    "earnings": _columns(_LINE + "name:str category:str amount:money rate:money hours:float"),
    "deductions": _columns(_LINE + "name:str category:str type:str amount:money"),
    "taxes": _columns(_LINE + "name:str category:str amount:money"),
    "shifts": _columns(
        "end_user_id:str account_id:str shift_id:str start_date:date end_date:date type:str "
        "currency:str hours:float earnings:money timezone:str"
    ),
    "summary": _columns(
        "end_user_id:str fetched_at:datetime as_of:date complete:bool problems:int "
        "accounts:int stale_accounts:int current_employers:str latest_pay_date:date "
        "income_currency:str missing_pay_periods:int stability_cv_3m:float "
        "stability_cv_6m:float stability_cv_12m:float mean_monthly_12m:money "
        "trend_change:float trend_direction:str"
    ),
    "failures": _columns(
        "end_user_id:str error:str message:str status_code:int code:str request_id:str"
    ),
}
"""Every table's columns, in order (``money`` columns expand to two, see :data:`Kind`)."""

TABLES: Final = tuple(COLUMNS)
"""The table names: accounts, paystubs, earnings, deductions, taxes, shifts, summary, failures."""


def _money(name: str, cents: int | None, currency: str | None) -> Row:
    if cents is None:
        return {f"{name}_cents": None, name: None}
    decimal: Decimal = cents_to_decimal(cents, currency or "USD")
    return {f"{name}_cents": cents, name: decimal}


def _accounts(profile: PayrollProfile) -> Iterator[Row]:
    employers = {e.account_id: e for e in profile.summary.employers}
    for account in profile.accounts:
        a = account.account
        e = employers.get(a.id)
        f = e.figures if e is not None else None
        rate = f.pay_rate if f is not None else None
        ytd = f.year_to_date if f is not None else None
        tenure = f.tenure if f is not None else None
        annual = e.annualized_income if e is not None else None
        ytd_currency = ytd.currency if ytd is not None else None
        row: Row = {
            "end_user_id": profile.end_user_id,
            "account_id": a.id,
            "platform_id": a.platform_id,
            "created_at": a.created_at,
            "connected": a.connected,
            "monitoring_status": a.monitoring_status,
            "stale": f.stale if f is not None else None,
            "paystubs_refreshed_at": a.data_refreshed_at.paystubs,
            "employer_name": e.employer_name if e is not None else None,
            "employment_status": e.status if e is not None else None,
            "current": e.current if e is not None else None,
            "start_date": e.start_date if e is not None else None,
            "termination_date": e.termination_date if e is not None else None,
            "tenure_months": tenure.months if tenure is not None else None,
            "tenure_basis": tenure.basis if tenure is not None else None,
            **_money(
                "pay_rate",
                rate.amount if rate is not None else None,
                rate.currency if rate else None,
            ),
            "pay_rate_currency": rate.currency if rate is not None else None,
            "pay_rate_unit": rate.unit if rate is not None else None,
            "pay_frequency": f.pay_frequency if f is not None else None,
            "latest_pay_date": e.latest_pay_date if e is not None else None,
            **_money(
                "annualized_income",
                annual.amount if annual is not None else None,
                annual.currency if annual else None,
            ),
            "ytd_year": ytd.year if ytd is not None else None,
            "ytd_currency": ytd_currency,
            "ytd_history_covers_year": ytd.history_covers_year if ytd is not None else None,
        }
        for name in ("gross_reported", "gross_summed", "gross_difference"):
            row.update(_money(f"ytd_{name}", getattr(ytd, name, None), ytd_currency))
        for name in ("net_reported", "net_summed"):
            row.update(_money(f"ytd_{name}", getattr(ytd, name, None), ytd_currency))
        for name in RESOURCE_NAMES:
            status = account.status.get(name)
            row[f"{name}_state"] = status.state if status is not None else None
        yield row


def _paystubs(profile: PayrollProfile) -> Iterator[Row]:
    for account in profile.accounts:
        for p in account.paystubs:
            row: Row = {
                "end_user_id": profile.end_user_id,
                "account_id": account.account.id,
                "paystub_id": p.id,
                "pay_date": p.pay_date,
                "pay_period_start": p.pay_period_start,
                "pay_period_end": p.pay_period_end,
                "currency": p.currency,
                "employer_name": p.employer_name,
            }
            for name, cents in (
                ("gross_pay", p.gross_pay_amount),
                ("net_pay", p.net_pay_amount),
                ("check_amount", p.check_amount),
                ("total_taxes", p.total_taxes),
                ("total_deductions", p.total_deductions),
                ("total_reimbursements", p.total_reimbursements),
                ("gross_pay_ytd", p.gross_pay_ytd),
                ("net_pay_ytd", p.net_pay_ytd),
            ):
                row.update(_money(name, cents, p.currency))
            yield row


def _lines(
    attribute: str, extra: Callable[[Any, str], Row]
) -> Callable[[PayrollProfile], Iterator[Row]]:
    def rows(profile: PayrollProfile) -> Iterator[Row]:
        for account in profile.accounts:
            for p in account.paystubs:
                for index, item in enumerate(getattr(p, attribute)):
                    yield {
                        "end_user_id": profile.end_user_id,
                        "account_id": account.account.id,
                        "paystub_id": p.id,
                        "pay_date": p.pay_date,
                        "currency": p.currency,
                        "line": index,
                        "name": item.name,
                        "category": item.category,
                        **_money("amount", item.amount, p.currency),
                        **extra(item, p.currency),
                    }

    return rows


def _earning_extra(item: Any, currency: str) -> Row:
    return {**_money("rate", item.rate, currency), "hours": item.hours}


def _shifts(profile: PayrollProfile) -> Iterator[Row]:
    for account in profile.accounts:
        for s in account.shifts:
            amounts = [e.amount for e in s.earnings if e.amount is not None]
            # None, not 0, when no earning carries an amount: nothing is invented.
            total = sum(amounts) if amounts else None
            yield {
                "end_user_id": profile.end_user_id,
                "account_id": account.account.id,
                "shift_id": s.id,
                "start_date": s.start_date,
                "end_date": s.end_date,
                "type": s.type,
                "currency": s.currency,
                "hours": shift_hours(s),
                **_money("earnings", total, s.currency),
                "timezone": s.timezone,
            }


def _summary(profile: PayrollProfile) -> Iterator[Row]:
    summary = profile.summary
    income = summary.income
    by_months = {s.months: s for s in income.stability}
    twelve = by_months.get(12)
    currency = twelve.currency if twelve is not None else None
    yield {
        "end_user_id": profile.end_user_id,
        "fetched_at": profile.fetched_at,
        "as_of": summary.as_of,
        "complete": profile.complete,
        "problems": len(profile.problems),
        "accounts": len(profile.accounts),
        "stale_accounts": sum(1 for e in summary.employers if e.figures and e.figures.stale),
        "current_employers": "; ".join(summary.current_employers),
        "latest_pay_date": summary.latest_pay_date,
        "income_currency": currency,
        "missing_pay_periods": income.gaps.missing_periods,
        "stability_cv_3m": by_months[3].cv if 3 in by_months else None,
        "stability_cv_6m": by_months[6].cv if 6 in by_months else None,
        "stability_cv_12m": twelve.cv if twelve is not None else None,
        **_money("mean_monthly_12m", twelve.mean_monthly if twelve else None, currency),
        "trend_change": income.trend.change,
        "trend_direction": income.trend.direction,
    }


_ROWS: Final[dict[str, Callable[[PayrollProfile], Iterator[Row]]]] = {
    "accounts": _accounts,
    "paystubs": _paystubs,
    "earnings": _lines("earnings", _earning_extra),
    "deductions": _lines("deductions", lambda item, _: {"type": item.type}),
    "taxes": _lines("taxes", lambda item, _: {}),
    "shifts": _shifts,
    "summary": _summary,
}


def table_rows(profile: PayrollProfile) -> dict[str, list[Row]]:
    """The rows of every table (but ``failures``) for one profile."""
    return {name: list(rows(profile)) for name, rows in _ROWS.items()}


def failure_row(end_user_id: str, reason: Any) -> Row:
    """The ``failures`` row of a user who got no profile (``reason``: a FailureReason)."""
    return {
        "end_user_id": end_user_id,
        "error": reason.error,
        "message": reason.message,
        "status_code": reason.status_code,
        "code": reason.code,
        "request_id": reason.request_id,
    }


class TableWriter:
    """What every table writer shares: a profile, a failure or a ``get_profiles`` result in,
    rows out through ``_append`` (the one method a format writes), a context manager out."""

    def write(self, profile: PayrollProfile) -> None:
        """Add one profile's rows to every table."""
        for table, rows in table_rows(profile).items():
            self._append(table, rows)

    def write_failure(self, end_user_id: str, reason: Any) -> None:
        """Record a user who got no profile (``reason``: a ``FailureReason``)."""
        self._append("failures", [failure_row(end_user_id, reason)])

    def write_result(self, result: Any) -> None:
        """A ``ProfileResult`` of ``get_profiles``: its profile, or its failure."""
        if result.profile is not None:
            self.write(result.profile)
        else:
            from ..aggregation import failure_reason

            self.write_failure(result.end_user_id, failure_reason(result.error))

    def _append(self, table: str, rows: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
