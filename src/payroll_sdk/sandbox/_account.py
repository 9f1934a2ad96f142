"""One payroll account's ground truth: the account object and its resources as served."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from ._additions import merge
from ._calendar import months_before, new_uuid, seeded_rng, timestamp
from ._damage import damage_list, damage_object
from ._history import HistoryGenerator
from ._plan import Person, Plan, draw_plan
from ._scenarios import AccountOptions
from ._tables import BANKS, PLACES, STREETS, routing_number

__all__ = ["RESOURCES", "AccountTruth"]

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
        person: Person,
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
        #: Records added while the sandbox runs (``SandboxData.add_records``), by resource;
        #: shared with ``SandboxData`` so they outlive this object.
        self.added: dict[str, list[JSONDict]] = {}

    def _rng(self, purpose: str) -> random.Random:
        return seeded_rng(self.seed, self.end_user_id, self.index, purpose)

    # -- hidden plan ---------------------------------------------------------------------------

    @cached_property
    def _plan(self) -> Plan:
        return draw_plan(
            self._rng("plan"), self.options, today=self.today, history_months=self.history_months
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
                out[resource] = timestamp(moment)
        return out

    @cached_property
    def _updated_at(self) -> dict[str, str]:
        rng = self._rng("updated")
        out: dict[str, str] = {}
        for resource, refreshed in self.refreshed_at.items():
            moment = datetime.fromisoformat(refreshed) - timedelta(
                days=rng.randrange(0, 20), seconds=rng.randrange(3600)
            )
            out[resource] = timestamp(moment)
        return out

    @cached_property
    def created_at(self) -> str:
        rng = self._rng("created")
        age = timedelta(days=30 + self.options.stale_days + rng.randrange(300))
        return timestamp(self._now - age)

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
            "link_token_id": new_uuid(rng),
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
        return months_before(self.today, self.history_months)

    @cached_property
    def _last_day(self) -> date:
        # A stale account's data stops where its last successful refresh did.
        last = self.today - timedelta(days=self.options.stale_days)
        term = self._plan.termination_date
        return min(last, term) if term else last

    @cached_property
    def _history(self) -> tuple[list[JSONDict], list[JSONDict]]:
        refreshed = self.refreshed_at.get("shifts", timestamp(self._now))
        return HistoryGenerator(
            plan=self._plan,
            person=self._person,
            account_id=self.account_id,
            window_start=self._window_start,
            last_day=self._last_day,
            shifts_refreshed=datetime.fromisoformat(refreshed),
            new_fields=self.options.new_fields,
            rng=self._rng("history"),
            shift_id_rng=self._rng("shift-ids"),
        ).generate()

    @property
    def paystubs(self) -> list[JSONDict]:
        """Every paystub in the history window, newest first (pay_date desc, then id desc),
        as served: with the scenario's real-world damage, if any."""
        return [served for served, _ in self.served_paystubs]

    @property
    def shifts(self) -> list[JSONDict]:
        """Every shift in the history window, newest first (end_date desc, then id desc),
        as served: with the scenario's real-world damage, if any."""
        return [served for served, _ in self.served_shifts]

    @property
    def served_paystubs(self) -> list[tuple[JSONDict, JSONDict]]:
        """``(served, undamaged)`` per paystub: the served one may lack its date. Records
        added while running (``SandboxData.add_records``) are among them."""
        return merge("paystubs", self._served_history[0], self.added.get("paystubs", ()))

    @property
    def served_shifts(self) -> list[tuple[JSONDict, JSONDict]]:
        """``(served, undamaged)`` per shift, added ones included."""
        return merge("shifts", self._served_history[1], self.added.get("shifts", ()))

    @property
    def history_cached(self) -> bool:
        """Whether the generated paystubs and shifts are held (see :meth:`release_history`)."""
        return "_history" in self.__dict__

    def release_history(self) -> None:
        """Drop the generated paystubs and shifts; the next use regenerates them, identical.

        The server keeps an account's records as serialised bytes and calls this once they
        are: a couple of years of records are tens of thousands of dicts and lists, and every
        full pass of Python's cycle collector walks each one, in whatever code triggers it
        (mostly the client's parsing). The few figures other resources need from the history
        are kept first. Records added while running are kept apart (``added``) and survive.
        """
        if "_history" in self.__dict__:
            _ = self._recent_gross
        self.__dict__.pop("_served_history", None)
        self.__dict__.pop("_history", None)

    @cached_property
    def _recent_gross(self) -> list[int]:
        """The gross amounts of the 12 newest paystubs (a gig account's income)."""
        return [p["gross_pay_amount"] for p in self._history[0][:12]]

    @cached_property
    def _served_history(
        self,
    ) -> tuple[list[tuple[JSONDict, JSONDict]], list[tuple[JSONDict, JSONDict]]]:
        stubs: list[tuple[JSONDict, JSONDict]] = []
        shifts: list[tuple[JSONDict, JSONDict]] = []
        if "paystubs" not in self.options.missing:
            stubs = damage_list(self._history[0], self.options.damage, kind="paystubs")
        if "shifts" not in self.options.missing and not self.options.empty_shifts:
            shifts = damage_list(self._history[1], self.options.damage, kind="shifts")
        return stubs, shifts

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
            recent = self._recent_gross
            amount, unit = (round(sum(recent) / len(recent)) if recent else 0), "variable"
        income: JSONDict = {
            "id": new_uuid(rng),
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
            "id": new_uuid(rng),
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
        city, state, postal, area, _tz, _rate = rng.choice(PLACES)
        line1 = f"{rng.randrange(100, 9999)} {rng.choice(STREETS)}"
        employment: JSONDict = {
            "id": new_uuid(rng),
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
            bank, prefix = rng.choice(BANKS)
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
                "routing_number": routing_number(rng, prefix),
            }
            if allocation_type == "amount":
                allocation["amount"] = rng.randrange(20, 101) * 500
            elif allocation_type == "percentage":
                allocation["percentage"] = float(rng.choice((5, 10, 15, 20, 25)))
            allocations.append(allocation)
        return {
            "id": new_uuid(rng),
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
        """A single-object resource by name (``income``, ``identity``, ...), as served."""
        value: JSONDict | None = getattr(self, name)
        return damage_object(name, value, self.options.damage)
