"""Formatting shared by the HTML and text reports: money, tenure, rates, and masked PII."""

from __future__ import annotations

from datetime import date

from ..models import Money
from ..models.figures import PayRate, Stability, Tenure, Trend
from ..models.summary import Amount

__all__ = [
    "MASK",
    "display_name",
    "mask_email",
    "mask_name",
    "mask_phone",
    "money",
    "pay_rate_text",
    "stability_text",
    "tenure_text",
    "trend_text",
]

MASK = "•••"

_UNITS = {
    "hourly": "hour",
    "daily": "day",
    "weekly": "week",
    "bi-weekly": "2 weeks",
    "semi-monthly": "half month",
    "monthly": "month",
    "annually": "year",
}


def money(amount: int | Amount | None, currency: str = "USD") -> str:
    """``"USD 1,234.56"``; ``"-"`` for a missing amount (never ``0``)."""
    if amount is None:
        return "-"
    if isinstance(amount, Amount):
        return str(amount)
    return str(Money(amount, currency))


def mask_name(name: str) -> str:
    """``"Marisol T. Okafor"`` -> ``"M••• T••• O•••"``: initials only."""
    return " ".join(word[0] + MASK for word in name.split() if word) or MASK


def mask_email(email: str) -> str:
    """``"m.okafor@example.com"`` -> ``"m•••@•••"``."""
    return (email.strip()[:1] or "") + MASK + "@" + MASK


def mask_phone(phone: str) -> str:
    """Only the last two digits: ``"(312) 555-0187"`` -> ``"•••87"``."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return MASK + digits[-2:]


def display_name(name: str | None, *, show_pii: bool) -> str:
    if not name:
        return "(no name reported)"
    return name if show_pii else mask_name(name)


def tenure_text(tenure: Tenure | None) -> str:
    """``"4 y 2 m (since 2021-04-12)"``; ``"at least …"`` when read off the paystubs."""
    if tenure is None:
        return "-"
    years, months = divmod(tenure.months, 12)
    length = f"{years} y {months} m" if years else f"{months} m"
    span = f"since {tenure.start_date.isoformat()}"
    if tenure.end_date is not None:
        span = f"{tenure.start_date.isoformat()} to {tenure.end_date.isoformat()}"
    prefix = "at least " if tenure.basis == "paystubs" else ""
    return f"{prefix}{length} ({span})"


def pay_rate_text(rate: PayRate | None) -> str:
    if rate is None:
        return "-"
    unit = _UNITS.get(rate.unit)
    per = f" / {unit}" if unit else f" ({rate.unit})"
    source = " (from paystub)" if rate.basis == "paystub" else ""
    return f"{money(rate.amount, rate.currency)}{per}{source}"


def stability_text(stability: Stability) -> str:
    if stability.cv is None:
        return f"n/a ({stability.reason})" if stability.reason else "n/a"
    return f"{stability.label}, CV {stability.cv:.2f}"


def trend_text(trend: Trend) -> str:
    if trend.change is None:
        return f"n/a ({trend.reason})" if trend.reason else "n/a"
    return f"{trend.direction}, {trend.change:+.1%} (last 3 months against the 3 before)"


def iso(day: date | None) -> str:
    return "-" if day is None else day.isoformat()
