"""The hidden parameters synthetic data is generated from: who a person is, what a job pays."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from ._calendar import ID_NAMESPACE, months_before
from ._scenarios import AccountOptions
from ._tables import (
    EMAIL_DOMAINS,
    FIRST_NAMES,
    GIG_PLATFORMS,
    HOURLY_EMPLOYERS,
    LAST_NAMES,
    PLACES,
    SALARIED_EMPLOYERS,
    STREETS,
)

__all__ = ["Person", "Plan", "draw_person", "draw_plan"]


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    date_of_birth: date
    last_four_ssn: str
    emails: tuple[str, ...]
    phone: str
    line1: str
    line2: str | None
    place: tuple[str, str, str, str, str, float]


@dataclass(frozen=True)
class Plan:
    """The hidden parameters an account's resources are generated from."""

    kind: str  # salaried | hourly | gig
    frequency: str
    employer: str
    title: str
    gig_type: str
    platform_id: str
    start_date: date
    termination_date: date | None
    annual_salary: int
    hourly_rate: int
    federal_rate: float
    retirement_pct: float
    medical: int
    dental: int
    life: int
    anchor_offset: int


def draw_person(rng: random.Random, *, force_leading_zero: bool) -> Person:
    """A person drawn from ``rng`` (shared by all of an end user's accounts)."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    place = rng.choice(PLACES)
    ssn = rng.randrange(1000) if force_leading_zero else rng.randrange(10000)
    handle = f"{first}.{last}".lower()
    emails = (
        f"{handle}{rng.randrange(100)}@{rng.choice(EMAIL_DOMAINS)}",
        f"{first[0]}{last}@{rng.choice(EMAIL_DOMAINS)}".lower(),
    )
    has_unit = rng.random() < 0.3
    return Person(
        first_name=first,
        last_name=last,
        date_of_birth=date(1958, 1, 1) + timedelta(days=rng.randrange(365 * 46)),
        last_four_ssn=f"{ssn:04d}",
        emails=emails,
        phone=f"+1{place[3]}{rng.randrange(200, 1000)}{rng.randrange(10000):04d}",
        line1=f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}",
        line2=f"Apt {rng.randrange(1, 40)}{rng.choice('ABCD')}" if has_unit else None,
        place=place,
    )


def draw_plan(
    rng: random.Random, opts: AccountOptions, *, today: date, history_months: int
) -> Plan:
    """An account's plan drawn from ``rng``, shaped by the scenario's ``opts``."""
    kind = opts.kind or rng.choices(("salaried", "hourly", "gig"), (50, 38, 12))[0]
    if kind == "salaried":
        employer, titles = rng.choice(SALARIED_EMPLOYERS)
        title, gig_type = rng.choice(titles), "shift"
        schedules = ("bi-weekly", "semi-monthly", "monthly", "weekly")
        frequency = opts.frequency or rng.choices(schedules, (50, 30, 12, 8))[0]
    elif kind == "hourly":
        employer, titles = rng.choice(HOURLY_EMPLOYERS)
        title, gig_type = rng.choice(titles), "shift"
        frequency = opts.frequency or rng.choice(("weekly", "bi-weekly"))
    else:
        employer, gig_type, title = rng.choice(GIG_PLATFORMS)
        frequency = "weekly"
    history_start = months_before(today, history_months)
    # Most people started before the history window; some started inside it.
    if rng.random() < 0.75:
        start = history_start - timedelta(days=rng.randrange(30, 3650))
    else:
        span = max((today - history_start).days - 70, 1)
        start = history_start + timedelta(days=rng.randrange(span))
    termination: date | None = None
    if opts.terminated_days_ago is not None:
        termination = today - timedelta(days=opts.terminated_days_ago)
    elif not opts.force_employed and rng.random() < 0.12:
        earliest = max(start + timedelta(days=60), history_start)
        latest = today - timedelta(days=7)
        if earliest < latest:
            termination = earliest + timedelta(days=rng.randrange((latest - earliest).days))
    salary = rng.randrange(70, 361) * 50_000  # $35,000 .. $180,000 in $500 steps
    return Plan(
        kind=kind,
        frequency=frequency,
        employer=employer,
        title=title,
        gig_type=gig_type,
        platform_id=str(uuid.uuid5(ID_NAMESPACE, f"platform:{employer}")),
        start_date=start,
        termination_date=termination,
        annual_salary=salary,
        hourly_rate=rng.randrange(1450, 4200, 5),
        federal_rate=rng.uniform(0.07, 0.11) + salary / 100_000_00 * 0.05,
        retirement_pct=rng.choice((0.0, 0.0, 0.03, 0.04, 0.05, 0.06, 0.08)),
        medical=rng.choice((0, 0, 4_850, 7_620, 9_915, 13_400)),
        dental=rng.choice((0, 0, 612, 1_045)),
        life=rng.choice((0, 0, 0, 450, 900)),
        anchor_offset=rng.randrange(2),
    )
