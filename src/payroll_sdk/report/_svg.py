"""One inline SVG: gross pay per paystub over time, one line per employer.

Hand-written on purpose: a single line chart needs axes, a few ticks and polylines, far less
than a chart library would pull in, and the report must stay one self-contained page. Each
point has a ``<title>`` (the browser's own tooltip, no script). A paystub without a gross amount
breaks its line rather than dropping it to zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Final

from ..models import Money

__all__ = ["PALETTE", "Series", "pay_chart"]

#: Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE: Final = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 78, 16, 14, 34


@dataclass(frozen=True)
class Series:
    """One employer's points: ``(pay_date, gross cents or None)``, any order."""

    label: str
    points: Sequence[tuple[date, int | None]]


def pay_chart(series: Sequence[Series], currency: str) -> str:
    """The chart as an ``<svg>`` element (empty string without any dated amount)."""
    known = [(d, g) for s in series for d, g in s.points if g is not None]
    if not known:
        return ""
    first = min(d for d, _ in known)
    last = max(d for d, _ in known)
    span_days = max((last - first).days, 1)
    top_value = _nice_ceiling(max(max(g for _, g in known), 1))

    def x(day: date) -> float:
        return LEFT + (day - first).days / span_days * (WIDTH - LEFT - RIGHT)

    def y(value: int) -> float:
        return TOP + (1 - value / top_value) * (HEIGHT - TOP - BOTTOM)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="Gross pay per paystub over time" '
        f'class="chart">'
    ]
    for k in range(5):
        value = top_value * k // 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" class="tick">'
            f"{escape(_short_money(value, currency))}</text>"
        )
    for tick in _month_ticks(first, last):
        parts.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{HEIGHT - BOTTOM}" '
            f'y2="{HEIGHT - BOTTOM + 4}" class="axis"/>'
            f'<text x="{x(tick):.1f}" y="{HEIGHT - BOTTOM + 17}" text-anchor="middle" '
            f'class="tick">{tick.strftime("%b %Y")}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" '
        f'y2="{HEIGHT - BOTTOM}" class="axis"/>'
    )
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        points = sorted(one.points, key=lambda p: p[0])
        for segment in _segments(points):
            if len(segment) > 1:
                coords = " ".join(f"{x(d):.1f},{y(g):.1f}" for d, g in segment)
                parts.append(
                    f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>'
                )
        for day, gross in points:
            if gross is None:
                continue
            label = f"{one.label}: {day.isoformat()}, {Money(gross, currency)}"
            parts.append(
                f'<circle cx="{x(day):.1f}" cy="{y(gross):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(label)}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _segments(points: Sequence[tuple[date, int | None]]) -> list[list[tuple[date, int]]]:
    segments: list[list[tuple[date, int]]] = [[]]
    for day, gross in points:
        if gross is None:
            if segments[-1]:
                segments.append([])
        else:
            segments[-1].append((day, gross))
    return [s for s in segments if s]


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten, in cents, at or above ``value``."""
    magnitude = 100  # one currency unit
    while magnitude * 10 < value:
        magnitude *= 10
    for step in (1, 2, 2.5, 5, 10):
        if magnitude * step >= value:
            return int(magnitude * step)
    return magnitude * 10


def _short_money(cents: int, currency: str) -> str:
    units = cents // 100
    if units >= 1000 and units % 100 == 0:
        return f"{units / 1000:g}k {currency}"
    return f"{units:,} {currency}"


def _month_ticks(first: date, last: date) -> list[date]:
    months = (last.year - first.year) * 12 + last.month - first.month
    step = 1 if months <= 8 else 3 if months <= 30 else 12
    ticks = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        tick = date(year, month, 1)
        if tick >= first and (month - 1) % step == 0:
            ticks.append(tick)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ticks
