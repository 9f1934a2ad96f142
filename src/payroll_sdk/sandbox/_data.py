"""Deterministic synthetic payroll data: the sandbox's ground truth.

Everything is derived from ``(seed, end_user_id)`` with :class:`random.Random` seeded through
``hashlib`` (never Python's salted ``hash()``), so two processes with the same seed and the
same ``today`` serve byte-identical data. Each resource of an account draws from its own
generator, so the order in which resources are first requested does not change any value.

The dicts held here are exactly what the server serialises: JSON-ready, optional fields
omitted rather than null, money in integer cents, dates ``YYYY-MM-DD`` and timestamps ISO 8601
with an offset and microseconds.

Consistency rules the tests rely on (ordinary and scenario users alike):

* ``gross_pay_amount == sum(earnings)``, ``total_taxes == sum(taxes)``,
  ``total_deductions == sum(deductions)``, ``net_pay_amount == gross - taxes - deductions +
  total_reimbursements`` and ``check_amount == net_pay_amount``;
* ``gross_pay_ytd`` / ``net_pay_ytd`` add up paystub by paystub within a calendar year and
  restart with the first pay date of each January (the first visible paystub of the oldest
  year may include earlier, unserved paystubs, as a real history window would);
* income matches the paystubs: salaried ``annually`` amount / periods per year is the salary
  earning (to the cent), hourly ``hourly`` amount is every hourly earning's ``rate``;
* hourly paystub hours are the sum of that period's shift hours;
* no pay date or shift after ``today`` or after a ``termination_date``.
"""

from __future__ import annotations

import calendar
import hashlib
import random
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from ._scenarios import AccountOptions, is_unknown_user, scenario_accounts

__all__ = ["RESOURCES", "AccountTruth", "SandboxData", "UserTruth"]

JSONDict = dict[str, Any]

#: The per-account resources, also the keys of ``data_refreshed_at``.
RESOURCES = (
    "paystubs",
    "income",
    "identity",
    "employment",
    "shifts",
    "direct_deposit_allocations",
)

_ID_NAMESPACE = uuid.UUID("0b7d3f52-8f5e-4c64-9a41-5d2f1c7e9a10")
_PERIODS_PER_YEAR = {"weekly": 52, "bi-weekly": 26, "semi-monthly": 24, "monthly": 12}
_ACCOUNT_COUNT_WEIGHTS = (10, 50, 28, 12)  # 0, 1, 2, 3 accounts

_FIRST_NAMES = tuple(
    [
        "James",
        "Mary",
        "Robert",
        "Patricia",
        "John",
        "Jennifer",
        "Michael",
        "Linda",
        "David",
        "Elizabeth",
        "William",
        "Barbara",
        "Richard",
        "Susan",
        "Joseph",
        "Jessica",
        "Thomas",
        "Sarah",
        "Carlos",
        "Karen",
        "Daniel",
        "Lisa",
        "Matthew",
        "Nancy",
        "Anthony",
        "Sandra",
        "Mark",
        "Ashley",
        "Luis",
        "Emily",
        "Steven",
        "Kimberly",
        "Andrew",
        "Donna",
        "Kevin",
        "Michelle",
        "Brian",
        "Carol",
        "Wei",
        "Amanda",
        "Omar",
        "Priya",
        "Jamal",
        "Aisha",
        "Hiroshi",
        "Mei",
        "Diego",
        "Sofia",
        "Ivan",
        "Fatima",
    ]
)
_LAST_NAMES = tuple(
    [
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Jones",
        "Garcia",
        "Miller",
        "Davis",
        "Rodriguez",
        "Martinez",
        "Hernandez",
        "Lopez",
        "Gonzalez",
        "Wilson",
        "Anderson",
        "Thomas",
        "Taylor",
        "Moore",
        "Jackson",
        "Martin",
        "Lee",
        "Perez",
        "Thompson",
        "White",
        "Harris",
        "Sanchez",
        "Clark",
        "Ramirez",
        "Lewis",
        "Robinson",
        "Walker",
        "Young",
        "Allen",
        "King",
        "Wright",
        "Scott",
        "Nguyen",
        "Hill",
        "Flores",
        "Green",
        "Adams",
        "Nelson",
        "Baker",
        "Hall",
        "Rivera",
        "Campbell",
        "Mitchell",
        "Carter",
        "Patel",
        "Kim",
    ]
)
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")
_STREETS = (
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Pine St",
    "Elm St",
    "Washington Ave",
    "Lakeview Dr",
    "Park Blvd",
    "Sunset Rd",
    "Highland Ave",
    "Riverside Dr",
    "Hillcrest Rd",
    "Broadway",
    "Church St",
    "Willow Way",
)
# (city, state, postal code, area code, IANA timezone, state income tax rate)
_PLACES = (
    ("Austin", "TX", "78701", "512", "America/Chicago", 0.0),
    ("Houston", "TX", "77002", "713", "America/Chicago", 0.0),
    ("Chicago", "IL", "60601", "312", "America/Chicago", 0.0495),
    ("Columbus", "OH", "43215", "614", "America/New_York", 0.035),
    ("Atlanta", "GA", "30303", "404", "America/New_York", 0.0549),
    ("Charlotte", "NC", "28202", "704", "America/New_York", 0.045),
    ("Philadelphia", "PA", "19103", "215", "America/New_York", 0.0307),
    ("Brooklyn", "NY", "11201", "718", "America/New_York", 0.055),
    ("Boston", "MA", "02108", "617", "America/New_York", 0.05),
    ("Newark", "NJ", "07102", "973", "America/New_York", 0.035),
    ("Miami", "FL", "33130", "305", "America/New_York", 0.0),
    ("Denver", "CO", "80202", "303", "America/Denver", 0.044),
    ("Phoenix", "AZ", "85004", "602", "America/Phoenix", 0.025),
    ("Seattle", "WA", "98101", "206", "America/Los_Angeles", 0.0),
    ("Portland", "OR", "97204", "503", "America/Los_Angeles", 0.0875),
    ("Los Angeles", "CA", "90012", "213", "America/Los_Angeles", 0.06),
    ("San Jose", "CA", "95113", "408", "America/Los_Angeles", 0.06),
    ("Las Vegas", "NV", "89101", "702", "America/Los_Angeles", 0.0),
    ("Minneapolis", "MN", "55401", "612", "America/Chicago", 0.0535),
    ("Nashville", "TN", "37203", "615", "America/Chicago", 0.0),
)
_SALARIED_EMPLOYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Northwind Analytics", ("Data Analyst", "Software Engineer", "Product Manager")),
    ("Bluebird Health Partners", ("Registered Nurse", "Billing Specialist", "Office Manager")),
    ("Summit Ridge Bank", ("Loan Officer", "Accountant", "Branch Manager")),
    ("Meridian Logistics", ("Operations Manager", "Dispatcher", "Account Executive")),
    ("Cobalt Software Inc.", ("Software Engineer", "QA Engineer", "Designer")),
    ("Evergreen School District", ("Teacher", "Counselor", "Administrator")),
    ("Harborview Insurance", ("Claims Adjuster", "Underwriter", "HR Generalist")),
)
_HOURLY_EMPLOYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("FreshMart Grocers", ("Cashier", "Stock Associate", "Deli Clerk")),
    ("Parcel Express Warehouse", ("Warehouse Associate", "Forklift Operator", "Picker")),
    ("Sunrise Senior Living", ("Caregiver", "Nurse Aide", "Dietary Aide")),
    ("Big Sky Coffee Co.", ("Barista", "Shift Supervisor")),
    ("Metro Home Improvement", ("Sales Associate", "Cashier", "Lumber Associate")),
    ("Lakeside Hospitality Group", ("Front Desk Agent", "Housekeeper", "Line Cook")),
)
_GIG_PLATFORMS = (
    ("Zoomly Rides", "rideshare", "Driver"),
    ("DashDash Delivery", "delivery", "Delivery Partner"),
    ("QuickCart Shoppers", "delivery", "Shopper"),
)
_BANKS = (
    ("First Prairie Bank", "071"),
    ("Coastal Credit Union", "121"),
    ("Granite State Bank", "011"),
    ("Sunbelt Federal", "063"),
    ("Pioneer Savings", "102"),
)


def _rng(*parts: object) -> random.Random:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ts(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _moment(day: date, rng: random.Random, *, earliest_hour: int = 0) -> datetime:
    """A seeded UTC moment on ``day`` (microseconds included, as the real API sends)."""
    seconds = rng.randrange(earliest_hour * 3600, 86400)
    return datetime.combine(day, time(0), UTC) + timedelta(
        seconds=seconds, microseconds=rng.randrange(1_000_000)
    )


@lru_cache(maxsize=65536)
def _utc_offset(zone_name: str, day: date, early: bool) -> tuple[timedelta, str]:
    """The zone's UTC offset on ``day`` (before 3 am if ``early``), and as ``+HH:MM``.

    Zone lookups dominate shift generation, and the offset only changes at a DST switch
    (2-3 am local), so it is computed once per zone, day and side of 3 am.
    """
    probe = datetime.combine(day, time(1 if early else 12), ZoneInfo(zone_name))
    offset = probe.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return offset, f"{sign}{hours:02d}:{mins:02d}"


def _local_ts(zone_name: str, moment: datetime) -> str:
    """ISO 8601 with the zone's offset for a naive local ``moment``."""
    _, suffix = _utc_offset(zone_name, moment.date(), moment.hour < 3)
    return moment.isoformat(timespec="microseconds") + suffix


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _previous_business_day(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _routing_number(rng: random.Random, prefix: str) -> str:
    """A nine-digit ABA routing number with a valid check digit."""
    digits = [int(c) for c in prefix] + [rng.randrange(10) for _ in range(5)]
    weights = (3, 7, 1, 3, 7, 1, 3, 7)
    check = (10 - sum(d * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
    return "".join(map(str, digits)) + str(check)


@dataclass(frozen=True)
class _Period:
    start: date
    end: date
    pay_date: date


def _pay_periods(frequency: str, first: date, last: date, anchor_offset: int) -> list[_Period]:
    """Pay periods whose pay date falls in ``[first, last]``, oldest first."""
    periods: list[_Period] = []
    if frequency in ("weekly", "bi-weekly"):
        step = 7 if frequency == "weekly" else 14
        # Fridays; bi-weekly schedules are anchored on one of two alternating Fridays.
        anchor = date(2001, 1, 5) + timedelta(days=7 * anchor_offset)
        pay = anchor + timedelta(days=((first - anchor).days + step - 1) // step * step)
        while pay <= last:
            end = pay - timedelta(days=6)
            periods.append(_Period(end - timedelta(days=step - 1), end, pay))
            pay += timedelta(days=step)
        return periods
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        eom = date(year, month, calendar.monthrange(year, month)[1])
        if frequency == "semi-monthly":
            halves = [(date(year, month, 1), date(year, month, 15)), (date(year, month, 16), eom)]
        else:
            halves = [(date(year, month, 1), eom)]
        for start, end in halves:
            pay = _previous_business_day(end)
            if first <= pay <= last:
                periods.append(_Period(start, end, pay))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


@dataclass(frozen=True)
class _Person:
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
class _Plan:
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


@dataclass
class _ShiftDraft:
    start: datetime  # naive local time in the account's zone
    segments: list[tuple[datetime, datetime]]
    hours: float
    fare: int
    tips: int


class AccountTruth:
    """One payroll account's ground truth: the exact dicts the server serves.

    ``paystubs`` and ``shifts`` are newest first (the API's order). A resource that does not
    exist for the account is None (the route answers 404 ``RECORD_NOT_FOUND``). Heavy parts
    are generated on first access and then kept.
    """

    def __init__(
        self,
        *,
        seed: int,
        today: date,
        history_months: int,
        end_user_id: str,
        index: int,
        account_id: str,
        person: _Person,
        options: AccountOptions,
        scenario: str | None,
    ) -> None:
        self.seed = seed
        self.today = today
        self.end_user_id = end_user_id
        self.index = index
        self.account_id = account_id
        self.options = options
        self.scenario = scenario
        self.history_months = options.history_months or history_months
        self.fault_script = options.fault_script
        self.fail_later_pages = options.fail_later_pages
        self._person = person
        self._now = datetime.combine(today, time(0), UTC)

    def _rng(self, purpose: str) -> random.Random:
        return _rng(self.seed, self.end_user_id, self.index, purpose)

    # -- hidden plan ---------------------------------------------------------------------------

    @cached_property
    def _plan(self) -> _Plan:
        rng = self._rng("plan")
        opts = self.options
        kind = opts.kind or rng.choices(("salaried", "hourly", "gig"), (50, 38, 12))[0]
        if kind == "salaried":
            employer, titles = rng.choice(_SALARIED_EMPLOYERS)
            title, gig_type = rng.choice(titles), "shift"
            schedules = ("bi-weekly", "semi-monthly", "monthly", "weekly")
            frequency = opts.frequency or rng.choices(schedules, (50, 30, 12, 8))[0]
        elif kind == "hourly":
            employer, titles = rng.choice(_HOURLY_EMPLOYERS)
            title, gig_type = rng.choice(titles), "shift"
            frequency = opts.frequency or rng.choice(("weekly", "bi-weekly"))
        else:
            employer, gig_type, title = rng.choice(_GIG_PLATFORMS)
            frequency = "weekly"
        history_start = _months_before(self.today, self.history_months)
        # Most people started before the history window; some started inside it.
        if rng.random() < 0.75:
            start = history_start - timedelta(days=rng.randrange(30, 3650))
        else:
            span = max((self.today - history_start).days - 70, 1)
            start = history_start + timedelta(days=rng.randrange(span))
        termination: date | None = None
        if opts.terminated_days_ago is not None:
            termination = self.today - timedelta(days=opts.terminated_days_ago)
        elif not opts.force_employed and rng.random() < 0.12:
            earliest = max(start + timedelta(days=60), history_start)
            latest = self.today - timedelta(days=7)
            if earliest < latest:
                termination = earliest + timedelta(days=rng.randrange((latest - earliest).days))
        salary = rng.randrange(70, 361) * 50_000  # $35,000 .. $180,000 in $500 steps
        return _Plan(
            kind=kind,
            frequency=frequency,
            employer=employer,
            title=title,
            gig_type=gig_type,
            platform_id=str(uuid.uuid5(_ID_NAMESPACE, f"platform:{employer}")),
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

    # -- account -------------------------------------------------------------------------------

    @cached_property
    def refreshed_at(self) -> dict[str, str]:
        """Per resource, when it was last checked (only resources that exist)."""
        rng = self._rng("refreshed")
        base = self._now - timedelta(days=self.options.stale_days)
        out: dict[str, str] = {}
        for resource in RESOURCES:
            moment = base - timedelta(seconds=rng.randrange(60, 4 * 3600))
            moment -= timedelta(microseconds=rng.randrange(1_000_000))
            if resource not in self.options.missing:
                out[resource] = _ts(moment)
        return out

    @cached_property
    def _updated_at(self) -> dict[str, str]:
        rng = self._rng("updated")
        out: dict[str, str] = {}
        for resource, refreshed in self.refreshed_at.items():
            moment = datetime.fromisoformat(refreshed) - timedelta(
                days=rng.randrange(0, 20), seconds=rng.randrange(3600)
            )
            out[resource] = _ts(moment)
        return out

    @cached_property
    def created_at(self) -> str:
        rng = self._rng("created")
        return _ts(self._now - timedelta(days=30 + self.options.stale_days + rng.randrange(300)))

    @cached_property
    def account(self) -> JSONDict:
        """The ``PayrollAccount`` object (``GET /accounts/{id}`` and the end-user list)."""
        rng = self._rng("account")
        opts = self.options
        status = (
            opts.monitoring_status
            or rng.choices(
                ("active", "degraded", "user_action_required", "customer_disabled"), (86, 6, 6, 2)
            )[0]
        )
        connected = opts.connected if opts.connected is not None else status == "active"
        if opts.new_fields:
            status = "paused_by_platform"
        account: JSONDict = {
            "id": self.account_id,
            "created_at": self.created_at,
            "end_user_id": self.end_user_id,
            "platform_id": self._plan.platform_id,
            "link_token_id": _new_uuid(rng),
            "connected": connected,
            "monitoring_status": status,
            "data_refreshed_at": dict(self.refreshed_at),
            "data_updated_at": dict(self._updated_at),
        }
        if opts.new_fields:
            account["platform_name"] = self._plan.employer
            account["data_quality"] = {"score": 0.97, "checked_at": self.created_at}
        return account

    # -- history: shifts and paystubs ----------------------------------------------------------

    @cached_property
    def _window_start(self) -> date:
        return _months_before(self.today, self.history_months)

    @cached_property
    def _last_day(self) -> date:
        # A stale account's data stops where its last successful refresh did.
        last = self.today - timedelta(days=self.options.stale_days)
        term = self._plan.termination_date
        return min(last, term) if term else last

    def _draft_shifts(self, rng: random.Random, first: date, last: date) -> list[_ShiftDraft]:
        plan = self._plan
        drafts: list[_ShiftDraft] = []
        day = first
        one_day = timedelta(days=1)
        if plan.kind == "hourly":
            work_days = set(rng.sample(range(7), rng.choice((4, 5, 5, 5, 6))))
            start_hour = rng.choice((6, 7, 8, 9, 14, 15, 22))
        else:
            work_days, start_hour = set(range(7)), 0
        while day <= last:
            if plan.kind == "hourly":
                if day.weekday() in work_days and rng.random() < 0.93:
                    hours = rng.choice((4.0, 6.0, 7.5, 8.0, 8.0, 8.0, 8.5, 9.0, 10.0))
                    start = datetime(
                        day.year, day.month, day.day, start_hour, rng.choice((0, 0, 30))
                    )
                    end = start + timedelta(hours=hours)
                    drafts.append(_ShiftDraft(start, [(start, end)], hours, 0, 0))
            elif rng.random() < 0.55:
                hour = rng.choice((6, 7, 10, 11, 16, 17, 18))
                start = datetime(day.year, day.month, day.day, hour, rng.randrange(60))
                segments = []
                cursor = start
                total_minutes = 0
                for _ in range(rng.choice((1, 1, 2, 3))):
                    minutes = rng.randrange(45, 200)
                    segments.append((cursor, cursor + timedelta(minutes=minutes)))
                    total_minutes += minutes
                    cursor += timedelta(minutes=minutes + rng.randrange(10, 60))
                hours = round(total_minutes / 60, 2)
                fare = int(total_minutes * rng.uniform(22, 42))
                tips = int(fare * rng.uniform(0.08, 0.3))
                drafts.append(_ShiftDraft(start, segments, hours, fare, tips))
            day += one_day
        return drafts

    @cached_property
    def _history(self) -> tuple[list[JSONDict], list[JSONDict]]:
        plan = self._plan
        rng = self._rng("history")
        # Start at January 1 of the window's first year so year-to-date sums are true ones.
        gen_first = max(date(self._window_start.year, 1, 1), plan.start_date)
        periods = [
            p
            for p in _pay_periods(plan.frequency, gen_first, self._last_day, plan.anchor_offset)
            if p.start >= plan.start_date
        ]
        drafts: list[_ShiftDraft] = []
        if plan.kind != "salaried" and periods:
            shift_last = self._last_day - timedelta(days=1)
            drafts = self._draft_shifts(rng, periods[0].start, shift_last)
        shifts = self._shift_dicts(drafts) if drafts else []
        paystubs = self._paystub_dicts(rng, periods, drafts)
        return paystubs, shifts

    def _shift_dicts(self, drafts: list[_ShiftDraft]) -> list[JSONDict]:
        plan = self._plan
        rng = self._rng("shift-ids")
        zone_name = self._person.place[4]
        window = self._window_start
        shift_type = plan.gig_type if plan.kind == "gig" else "shift"
        if self.options.new_fields:
            shift_type = "micro_task"
        rate = plan.hourly_rate
        # Nothing was created after the shifts were last refreshed.
        refreshed = datetime.fromisoformat(self.refreshed_at.get("shifts", _ts(self._now)))
        out: list[JSONDict] = []
        for draft in drafts:
            end_local = draft.segments[-1][1]
            end_date = end_local.date()
            shift_id = _new_uuid(rng)
            if end_date < window or end_date >= self._last_day - timedelta(days=1):
                continue
            end_offset, _ = _utc_offset(zone_name, end_date, end_local.hour < 3)
            created = (end_local - end_offset).replace(tzinfo=UTC) + timedelta(
                hours=rng.randrange(1, 12), microseconds=rng.randrange(1_000_000)
            )
            if plan.kind == "hourly":
                earnings: list[JSONDict] = [
                    {
                        "name": "Regular Pay",
                        "category": "hourly",
                        "amount": round(rate * draft.hours),
                        "rate": rate,
                        "hours": draft.hours,
                    }
                ]
            else:
                earnings = [
                    {
                        "name": "Fares",
                        "category": "fare",
                        "amount": draft.fare,
                        "hours": draft.hours,
                    },
                    {"name": "Tips", "category": "tips", "amount": draft.tips},
                ]
            shift: JSONDict = {
                "id": shift_id,
                "created_at": _ts(min(created, refreshed)),
                "account_id": self.account_id,
                "start_date": draft.start.date().isoformat(),
                "end_date": end_date.isoformat(),
                "type": shift_type,
                "timezone": zone_name,
                "timestamps": [
                    {"from": _local_ts(zone_name, a), "to": _local_ts(zone_name, b)}
                    for a, b in draft.segments
                ],
                "currency": "USD",
                "earnings": earnings,
            }
            if self.options.new_fields:
                shift["vehicle"] = {"type": "ebike"}
            out.append(shift)
        out.sort(key=lambda s: (s["end_date"], s["id"]), reverse=True)
        return out

    def _paystub_dicts(
        self, rng: random.Random, periods: list[_Period], drafts: list[_ShiftDraft]
    ) -> list[JSONDict]:
        plan = self._plan
        state_rate = self._person.place[5]
        per_period_salary = round(plan.annual_salary / _PERIODS_PER_YEAR[plan.frequency])
        by_day: dict[date, list[_ShiftDraft]] = {}
        for draft in drafts:
            by_day.setdefault(draft.start.date(), []).append(draft)
        ytd_year, gross_ytd, net_ytd = 0, 0, 0
        out: list[JSONDict] = []
        window = self._window_start
        for period in periods:
            paystub_id = _new_uuid(rng)
            earnings: list[JSONDict] = []
            if plan.kind == "salaried":
                earnings.append(
                    {"name": "Regular Salary", "category": "salary", "amount": per_period_salary}
                )
                if period.pay_date.month == 3 and period.pay_date.day <= 16 and rng.random() < 0.5:
                    bonus = round(plan.annual_salary * rng.uniform(0.02, 0.1) / 100) * 100
                    earnings.append({"name": "Annual Bonus", "category": "bonus", "amount": bonus})
            else:
                day, weekly_hours, fare, tips = period.start, [], 0, 0
                week_hours = 0.0
                while day <= period.end:
                    for draft in by_day.get(day, ()):
                        week_hours += draft.hours
                        fare += draft.fare
                        tips += draft.tips
                    if (day - period.start).days % 7 == 6:
                        weekly_hours.append(week_hours)
                        week_hours = 0.0
                    day += timedelta(days=1)
                if week_hours:
                    weekly_hours.append(week_hours)
                if plan.kind == "hourly":
                    regular = sum(min(h, 40.0) for h in weekly_hours)
                    overtime = sum(max(h - 40.0, 0.0) for h in weekly_hours)
                    earnings.append(
                        {
                            "name": "Regular Pay",
                            "category": "hourly",
                            "amount": round(plan.hourly_rate * regular),
                            "rate": plan.hourly_rate,
                            "hours": regular,
                        }
                    )
                    if overtime:
                        ot_rate = round(plan.hourly_rate * 1.5)
                        earnings.append(
                            {
                                "name": "Overtime",
                                "category": "overtime",
                                "amount": round(ot_rate * overtime),
                                "rate": ot_rate,
                                "hours": overtime,
                            }
                        )
                    if period.pay_date.month == 12 and rng.random() < 0.25:
                        earnings.append(
                            {
                                "name": "Holiday Bonus",
                                "category": "bonus",
                                "amount": rng.randrange(5_000, 30_000, 500),
                            }
                        )
                else:
                    earnings.append({"name": "Fares", "category": "fare", "amount": fare})
                    earnings.append({"name": "Tips", "category": "tips", "amount": tips})
                    if fare and rng.random() < 0.2:
                        category = "gig_bonus" if self.options.new_fields else "bonus"
                        earnings.append(
                            {
                                "name": "Quest Bonus",
                                "category": category,
                                "amount": rng.randrange(1_000, 8_000, 100),
                            }
                        )
            gross = sum(e["amount"] for e in earnings)
            deductions: list[JSONDict] = []
            taxes: list[JSONDict] = []
            if plan.kind != "gig":
                if plan.retirement_pct:
                    deductions.append(
                        {
                            "name": "401(k)",
                            "category": "retirement",
                            "amount": round(gross * plan.retirement_pct),
                            "type": "pre_tax",
                        }
                    )
                fixed = plan.medical + plan.dental + plan.life
                if gross > 4 * fixed:  # a tiny check does not carry the benefits
                    if plan.medical:
                        deductions.append(
                            {
                                "name": "Medical",
                                "category": "medical_insurance",
                                "amount": plan.medical,
                                "type": "pre_tax",
                            }
                        )
                    if plan.dental:
                        deductions.append(
                            {
                                "name": "Dental",
                                "category": "dental",
                                "amount": plan.dental,
                                "type": "pre_tax",
                            }
                        )
                    if plan.life:
                        deductions.append(
                            {
                                "name": "Supplemental Life",
                                "category": "life_insurance",
                                "amount": plan.life,
                                "type": "post_tax",
                            }
                        )
                pre_tax = sum(d["amount"] for d in deductions if d["type"] == "pre_tax")
                taxable = gross - pre_tax
                taxes.append(
                    {
                        "name": "Federal Income Tax",
                        "category": "federal_income",
                        "amount": round(taxable * plan.federal_rate),
                    }
                )
                taxes.append(
                    {
                        "name": "Social Security",
                        "category": "social_security",
                        "amount": round(gross * 0.062),
                    }
                )
                taxes.append(
                    {"name": "Medicare", "category": "medicare", "amount": round(gross * 0.0145)}
                )
                if state_rate:
                    taxes.append(
                        {
                            "name": f"{self._person.place[1]} State Income Tax",
                            "category": "state_income",
                            "amount": round(taxable * state_rate),
                        }
                    )
            elif gross and rng.random() < 0.3:
                deductions.append(
                    {
                        "name": "Instant Pay Fee",
                        "category": "fees",
                        "amount": 199,
                        "type": "post_tax",
                    }
                )
            reimbursements = 0
            if plan.kind != "gig" and rng.random() < 0.05:
                reimbursements = rng.randrange(1_500, 25_000)
            total_taxes = sum(t["amount"] for t in taxes)
            total_deductions = sum(d["amount"] for d in deductions)
            net = gross - total_taxes - total_deductions + reimbursements
            if period.pay_date.year != ytd_year:
                ytd_year, gross_ytd, net_ytd = period.pay_date.year, 0, 0
            gross_ytd += gross
            net_ytd += net
            created = _moment(period.pay_date - timedelta(days=2), rng)
            if period.pay_date < window:
                continue
            paystub: JSONDict = {
                "id": paystub_id,
                "created_at": _ts(created),
                "account_id": self.account_id,
                "pay_date": period.pay_date.isoformat(),
                "pay_period_start": period.start.isoformat(),
                "pay_period_end": period.end.isoformat(),
                "currency": "USD",
                "gross_pay_amount": gross,
                "net_pay_amount": net,
                "check_amount": net,
                "gross_pay_ytd": gross_ytd,
                "net_pay_ytd": net_ytd,
                "total_taxes": total_taxes,
                "total_deductions": total_deductions,
                "total_reimbursements": reimbursements,
                "external_paystub_id": f"PS-{period.pay_date:%Y%m%d}-{rng.randrange(10**6):06d}",
                "employer_name": plan.employer,
                "taxes": taxes,
                "deductions": deductions,
                "earnings": earnings,
                "time_off": self._time_off(period) if plan.kind == "salaried" else [],
            }
            if self.options.new_fields:
                paystub["pay_statement_format"] = "v3"
            out.append(paystub)
        out.reverse()
        return out

    def _time_off(self, period: _Period) -> list[JSONDict]:
        # Accrues with the year and is used in summer and December, like most calendars.
        day_of_year = period.end.timetuple().tm_yday
        earned = round(day_of_year / 365 * 120, 2)
        used = 0.0 if period.end.month < 6 else (40.0 if period.end.month < 12 else 80.0)
        used = min(used, earned)
        return [
            {
                "name": "Paid Time Off",
                "category": "pto",
                "available_hours": round(earned - used, 2),
                "earned_hours": earned,
                "used_hours": used,
            }
        ]

    @property
    def paystubs(self) -> list[JSONDict]:
        """Every paystub in the history window, newest first (pay_date desc, then id desc)."""
        if "paystubs" in self.options.missing:
            return []
        return self._history[0]

    @property
    def shifts(self) -> list[JSONDict]:
        """Every shift in the history window, newest first (end_date desc, then id desc)."""
        if "shifts" in self.options.missing or self.options.empty_shifts:
            return []
        return self._history[1]

    # -- single resources ----------------------------------------------------------------------

    @cached_property
    def income(self) -> JSONDict | None:
        """The ``Income`` object, consistent with the paystubs; None when absent."""
        if "income" in self.options.missing:
            return None
        plan = self._plan
        rng = self._rng("income")
        if plan.kind == "salaried":
            amount, unit = plan.annual_salary, "annually"
        elif plan.kind == "hourly":
            amount, unit = plan.hourly_rate, "hourly"
        else:
            recent = [p["gross_pay_amount"] for p in self._history[0][:12]]
            amount, unit = (round(sum(recent) / len(recent)) if recent else 0), "variable"
        income: JSONDict = {
            "id": _new_uuid(rng),
            "created_at": self.created_at,
            "updated_at": self._updated_at["income"],
            "account_id": self.account_id,
            "compensation_amount": amount,
            "compensation_unit": unit,
            "currency": "USD",
            "pay_frequency": plan.frequency,
        }
        if self.options.new_fields:
            income["compensation_basis"] = "platform_estimate"
        return income

    @cached_property
    def identity(self) -> JSONDict | None:
        """The ``Identity`` object (the same person across a user's accounts)."""
        if "identity" in self.options.missing:
            return None
        rng = self._rng("identity")
        person = self._person
        city, state, postal, _area, _tz, _rate = person.place
        line2 = f", {person.line2}" if person.line2 else ""
        address: JSONDict = {
            "raw": f"{person.line1}{line2}, {city}, {state} {postal}",
            "line1": person.line1,
        }
        if person.line2:
            address["line2"] = person.line2
        address.update({"city": city, "state": state, "postal_code": postal, "country": "US"})
        emails = list(person.emails[: 1 + self.index % len(person.emails)])
        identity: JSONDict = {
            "id": _new_uuid(rng),
            "created_at": self.created_at,
            "updated_at": self._updated_at["identity"],
            "account_id": self.account_id,
            "full_name": f"{person.first_name} {person.last_name}",
            "emails": emails,
            "date_of_birth": person.date_of_birth.isoformat(),
            "last_four_ssn": person.last_four_ssn,
            "address": address,
            "phone_numbers": [{"value": person.phone, "type": "mobile"}],
        }
        if self.options.new_fields:
            identity["preferred_name"] = person.first_name
        return identity

    @cached_property
    def employment(self) -> JSONDict | None:
        """The ``Employment`` object; ``terminated`` ones carry ``termination_date``."""
        if "employment" in self.options.missing:
            return None
        plan = self._plan
        rng = self._rng("employment")
        city, state, postal, area, _tz, _rate = rng.choice(_PLACES)
        line1 = f"{rng.randrange(100, 9999)} {rng.choice(_STREETS)}"
        employment: JSONDict = {
            "id": _new_uuid(rng),
            "created_at": self.created_at,
            "updated_at": self._updated_at["employment"],
            "account_id": self.account_id,
            "status": "terminated" if plan.termination_date else "employed",
            "start_date": plan.start_date.isoformat(),
        }
        if plan.termination_date:
            employment["termination_date"] = plan.termination_date.isoformat()
        employment.update(
            {
                "employer_name": plan.employer,
                "employer_address": {
                    "raw": f"{line1}, {city}, {state} {postal}",
                    "line1": line1,
                    "city": city,
                    "state": state,
                    "postal_code": postal,
                    "country": "US",
                },
                "employer_phone_number": {
                    "value": f"+1{area}{rng.randrange(200, 1000)}{rng.randrange(10000):04d}",
                    "type": "work",
                },
                "title": plan.title,
            }
        )
        if self.options.new_fields:
            employment["worker_classification"] = "independent_contractor"
        return employment

    @cached_property
    def direct_deposit_allocations(self) -> JSONDict | None:
        """The ``DirectDepositAllocations`` object: a remainder plus sometimes others."""
        if "direct_deposit_allocations" in self.options.missing:
            return None
        rng = self._rng("dda")
        kinds = rng.choices(
            (
                ("remainder",),
                ("percentage", "remainder"),
                ("amount", "remainder"),
                ("amount", "percentage", "remainder"),
            ),
            (55, 20, 15, 10),
        )[0]
        allocations: list[JSONDict] = []
        for priority, allocation_type in enumerate(kinds, start=1):
            bank, prefix = rng.choice(_BANKS)
            account_type = (
                "checking"
                if allocation_type == "remainder"
                else rng.choice(("savings", "checking"))
            )
            if self._plan.kind == "gig" and allocation_type == "remainder" and rng.random() < 0.4:
                account_type = "debit_card"
            if self.options.new_fields and allocation_type == "remainder":
                account_type = "crypto_wallet"
            allocation: JSONDict = {
                "account_name": account_type.replace("_", " ").title(),
                "account_type": account_type,
                "allocation_type": allocation_type,
                "bank_name": bank,
                "currency": "USD",
                "masked_account_number": f"{rng.randrange(10000):04d}",
                "priority": priority,
                "routing_number": _routing_number(rng, prefix),
            }
            if allocation_type == "amount":
                allocation["amount"] = rng.randrange(20, 101) * 500
            elif allocation_type == "percentage":
                allocation["percentage"] = float(rng.choice((5, 10, 15, 20, 25)))
            allocations.append(allocation)
        return {
            "id": _new_uuid(rng),
            "account_id": self.account_id,
            "created_at": self.created_at,
            "updated_at": self._updated_at["direct_deposit_allocations"],
            "allocations": allocations,
        }

    @property
    def envelope_extras(self) -> JSONDict:
        """Unknown top-level keys added to every envelope for this account (new-fields user)."""
        if self.options.new_fields:
            return {"sandbox_notice": "responses may carry fields newer than your SDK"}
        return {}

    def resource(self, name: str) -> JSONDict | None:
        """A single-object resource by name (``income``, ``identity``, ...)."""
        value: JSONDict | None = getattr(self, name)
        return value


@dataclass
class UserTruth:
    """One end user's ground truth: ``accounts`` in the order the API lists them.

    ``exists`` is False for ids the sandbox answers 404 for (see ``SCENARIOS``).
    """

    end_user_id: str
    exists: bool
    scenario: str | None
    accounts: list[AccountTruth] = field(default_factory=list)

    @property
    def envelope_extras(self) -> JSONDict:
        """Unknown top-level keys for the end user's accounts list (new-fields user)."""
        return self.accounts[0].envelope_extras if self.accounts else {}


class SandboxData:
    """Deterministic ground truth for any end user, generated on demand and cached.

    Account ids are ``uuid5`` of ``(seed, end_user_id, index)`` and can only be discovered
    through :meth:`user` (the end-user accounts route), as with the real API; an id that was
    never handed out is unknown (404). ``today`` defaults to the current UTC date; no pay date
    or shift is later than it.
    """

    def __init__(
        self,
        seed: int = 0,
        history_months: int = 24,
        today: date | None = None,
        *,
        max_cached_users: int = 4096,
    ) -> None:
        if history_months < 1:
            raise ValueError("history_months must be at least 1")
        self.seed = seed
        self.history_months = history_months
        self.today = today or datetime.now(UTC).date()
        self._max_cached_users = max_cached_users
        self._users: OrderedDict[str, UserTruth] = OrderedDict()
        # account id -> (end user id, index); tiny, kept forever so evicted users regenerate.
        self._account_index: dict[str, tuple[str, int]] = {}

    def user(self, end_user_id: str) -> UserTruth:
        """The user's truth (generated on first use, then cached)."""
        cached = self._users.get(end_user_id)
        if cached is not None:
            self._users.move_to_end(end_user_id)
            return cached
        truth = self._generate_user(end_user_id)
        self._users[end_user_id] = truth
        if len(self._users) > self._max_cached_users:
            self._users.popitem(last=False)
        for account in truth.accounts:
            self._account_index[account.account_id] = (end_user_id, account.index)
        return truth

    def account(self, account_id: str) -> AccountTruth | None:
        """An account handed out earlier by :meth:`user`, or None."""
        located = self._account_index.get(account_id.lower())
        if located is None:
            return None
        end_user_id, index = located
        return self.user(end_user_id).accounts[index]

    def _generate_user(self, end_user_id: str) -> UserTruth:
        if is_unknown_user(end_user_id):
            return UserTruth(end_user_id, exists=False, scenario="user_unknown")
        shaped = scenario_accounts(end_user_id)
        rng = _rng(self.seed, end_user_id, "user")
        if shaped is None:
            count = rng.choices(range(4), _ACCOUNT_COUNT_WEIGHTS)[0]
            options: tuple[AccountOptions, ...] = (AccountOptions(),) * count
            scenario = None
        else:
            options, scenario = shaped, end_user_id
        person = self._person(rng, force_leading_zero=any(o.ssn_leading_zero for o in options))
        accounts = [
            AccountTruth(
                seed=self.seed,
                today=self.today,
                history_months=self.history_months,
                end_user_id=end_user_id,
                index=index,
                account_id=str(
                    uuid.uuid5(_ID_NAMESPACE, f"account:{self.seed}:{end_user_id}:{index}")
                ),
                person=person,
                options=opts,
                scenario=scenario,
            )
            for index, opts in enumerate(options)
        ]
        return UserTruth(end_user_id, exists=True, scenario=scenario, accounts=accounts)

    def _person(self, rng: random.Random, *, force_leading_zero: bool) -> _Person:
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        place = rng.choice(_PLACES)
        ssn = rng.randrange(1000) if force_leading_zero else rng.randrange(10000)
        handle = f"{first}.{last}".lower()
        emails = (
            f"{handle}{rng.randrange(100)}@{rng.choice(_EMAIL_DOMAINS)}",
            f"{first[0]}{last}@{rng.choice(_EMAIL_DOMAINS)}".lower(),
        )
        has_unit = rng.random() < 0.3
        return _Person(
            first_name=first,
            last_name=last,
            date_of_birth=date(1958, 1, 1) + timedelta(days=rng.randrange(365 * 46)),
            last_four_ssn=f"{ssn:04d}",
            emails=emails,
            phone=f"+1{place[3]}{rng.randrange(200, 1000)}{rng.randrange(10000):04d}",
            line1=f"{rng.randrange(1, 9999)} {rng.choice(_STREETS)}",
            line2=f"Apt {rng.randrange(1, 40)}{rng.choice('ABCD')}" if has_unit else None,
            place=place,
        )
