"""An account's pay history: shifts and paystubs generated from its hidden plan.

Kept apart from :mod:`._account` because it is most of the generation code; the consistency
rules it keeps (sums, year-to-date, income and shift agreement) are listed in :mod:`._data`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ._calendar import (
    PERIODS_PER_YEAR,
    Period,
    local_timestamp,
    moment_on,
    new_uuid,
    pay_periods,
    timestamp,
    utc_offset,
)
from ._plan import Person, Plan

__all__ = ["HistoryGenerator"]

JSONDict = dict[str, Any]


@dataclass
class ShiftDraft:
    start: datetime  # naive local time in the account's zone
    segments: list[tuple[datetime, datetime]]
    hours: float
    fare: int
    tips: int


@dataclass(frozen=True)
class HistoryGenerator:
    """Generates one account's paystubs and shifts (newest first) in one pass.

    ``rng`` drives the pay and shift values, ``shift_id_rng`` the shift ids; both are the
    account's own seeded generators. ``shifts_refreshed`` caps shift ``created_at``.
    """

    plan: Plan
    person: Person
    account_id: str
    window_start: date
    last_day: date
    shifts_refreshed: datetime
    new_fields: bool
    rng: random.Random
    shift_id_rng: random.Random

    def generate(self) -> tuple[list[JSONDict], list[JSONDict]]:
        """``(paystubs, shifts)``, each newest first."""
        plan = self.plan
        rng = self.rng
        # Start at January 1 of the window's first year so year-to-date sums are true ones.
        gen_first = max(date(self.window_start.year, 1, 1), plan.start_date)
        periods = [
            p
            for p in pay_periods(plan.frequency, gen_first, self.last_day, plan.anchor_offset)
            if p.start >= plan.start_date
        ]
        drafts: list[ShiftDraft] = []
        if plan.kind != "salaried" and periods:
            shift_last = self.last_day - timedelta(days=1)
            drafts = self._draft_shifts(rng, periods[0].start, shift_last)
        shifts = self._shift_dicts(drafts) if drafts else []
        paystubs = self._paystub_dicts(rng, periods, drafts)
        return paystubs, shifts

    def _draft_shifts(self, rng: random.Random, first: date, last: date) -> list[ShiftDraft]:
        plan = self.plan
        drafts: list[ShiftDraft] = []
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
                    drafts.append(ShiftDraft(start, [(start, end)], hours, 0, 0))
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
                drafts.append(ShiftDraft(start, segments, hours, fare, tips))
            day += one_day
        return drafts

    def _shift_dicts(self, drafts: list[ShiftDraft]) -> list[JSONDict]:
        plan = self.plan
        rng = self.shift_id_rng
        zone_name = self.person.place[4]
        window = self.window_start
        shift_type = plan.gig_type if plan.kind == "gig" else "shift"
        if self.new_fields:
            shift_type = "micro_task"
        rate = plan.hourly_rate
        # Nothing was created after the shifts were last refreshed.
        refreshed = self.shifts_refreshed
        out: list[JSONDict] = []
        for draft in drafts:
            end_local = draft.segments[-1][1]
            end_date = end_local.date()
            shift_id = new_uuid(rng)
            if end_date < window or end_date >= self.last_day - timedelta(days=1):
                continue
            end_offset, _ = utc_offset(zone_name, end_date, end_local.hour < 3)
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
                "created_at": timestamp(min(created, refreshed)),
                "account_id": self.account_id,
                "start_date": draft.start.date().isoformat(),
                "end_date": end_date.isoformat(),
                "type": shift_type,
                "timezone": zone_name,
                "timestamps": [
                    {"from": local_timestamp(zone_name, a), "to": local_timestamp(zone_name, b)}
                    for a, b in draft.segments
                ],
                "currency": "USD",
                "earnings": earnings,
            }
            if self.new_fields:
                shift["vehicle"] = {"type": "ebike"}
            out.append(shift)
        out.sort(key=lambda s: (s["end_date"], s["id"]), reverse=True)
        return out

    def _paystub_dicts(
        self, rng: random.Random, periods: list[Period], drafts: list[ShiftDraft]
    ) -> list[JSONDict]:
        plan = self.plan
        state_rate = self.person.place[5]
        per_period_salary = round(plan.annual_salary / PERIODS_PER_YEAR[plan.frequency])
        by_day: dict[date, list[ShiftDraft]] = {}
        for draft in drafts:
            by_day.setdefault(draft.start.date(), []).append(draft)
        ytd_year, gross_ytd, net_ytd = 0, 0, 0
        out: list[JSONDict] = []
        window = self.window_start
        for period in periods:
            paystub_id = new_uuid(rng)
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
                        category = "gig_bonus" if self.new_fields else "bonus"
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
                            "name": f"{self.person.place[1]} State Income Tax",
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
            created = moment_on(period.pay_date - timedelta(days=2), rng)
            if period.pay_date < window:
                continue
            paystub: JSONDict = {
                "id": paystub_id,
                "created_at": timestamp(created),
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
            if self.new_fields:
                paystub["pay_statement_format"] = "v3"
            out.append(paystub)
        out.reverse()
        return out

    def _time_off(self, period: Period) -> list[JSONDict]:
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
