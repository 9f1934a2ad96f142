"""Deterministic synthetic payroll data: the sandbox's ground truth.

This module holds the entry point (:class:`SandboxData`, one :class:`UserTruth` per end
user); the parts live beside it: ``_tables`` (names, places, employers, banks),
``_calendar`` (seeded randomness, timestamps, pay calendars), ``_plan`` (the hidden person
and job parameters), ``_account`` (:class:`AccountTruth`, the served objects) and
``_history`` (paystubs and shifts).

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

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ._account import RESOURCES, AccountTruth
from ._additions import ADDABLE, Addable, make_records
from ._calendar import ID_NAMESPACE, seeded_rng
from ._plan import draw_person
from ._scenarios import AccountOptions, is_unknown_user, scenario_accounts

__all__ = ["RESOURCES", "AccountTruth", "SandboxData", "UserTruth"]

JSONDict = dict[str, Any]

_ACCOUNT_COUNT_WEIGHTS = (10, 50, 28, 12)  # 0, 1, 2, 3 accounts


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
        # Apps built with the same settings share one instance (``_bodies.SharedData``), and
        # may serve from several threads: the LRU's reads and moves must not interleave.
        self._lock = threading.RLock()
        # account id -> (end user id, index); tiny, kept forever so evicted users regenerate.
        self._account_index: dict[str, tuple[str, int]] = {}
        # account id -> resource -> records added while running (see add_records).
        self._added: dict[str, dict[str, list[JSONDict]]] = {}

    def user(self, end_user_id: str) -> UserTruth:
        """The user's truth (generated on first use, then cached)."""
        with self._lock:
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
                account.added = self._added.setdefault(account.account_id, {})
            return truth

    def add_records(
        self,
        end_user_id: str,
        resource: Addable,
        *,
        count: int = 1,
        account: int = 0,
        on: date | None = None,
    ) -> list[JSONDict]:
        """Add ``count`` paystubs or shifts to the user's ``account``-th account, dated ``on``
        (default ``today``), and return them as they will be served.

        Each is a copy of the account's newest record of that kind, moved to the date, with a
        new id (see ``_additions``). ``ValueError`` for an unknown user or account, a
        resource other than paystubs and shifts, a date after ``today``, or an account
        without any record of that kind to copy.
        """
        if resource not in ADDABLE:
            raise ValueError(f"resource must be one of {ADDABLE}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("count must be an int >= 1")
        day = on or self.today
        if day > self.today:
            raise ValueError("records cannot be dated after the sandbox's today")
        user = self.user(end_user_id)
        if not user.exists or not 0 <= account < len(user.accounts):
            raise ValueError(f"end user {end_user_id!r} has no account number {account}")
        truth = user.accounts[account]
        current = truth.paystubs if resource == "paystubs" else truth.shifts
        if not current:
            raise ValueError(f"the account has no {resource} to model new ones on")
        added = truth.added.setdefault(resource, [])
        records = make_records(
            resource,
            current[0],
            account_id=truth.account_id,
            seed=self.seed,
            serial=len(added),
            count=count,
            on=day,
        )
        added.extend(records)
        return records

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
        rng = seeded_rng(self.seed, end_user_id, "user")
        if shaped is None:
            count = rng.choices(range(4), _ACCOUNT_COUNT_WEIGHTS)[0]
            options: tuple[AccountOptions, ...] = (AccountOptions(),) * count
            scenario = None
        else:
            options, scenario = shaped, end_user_id
        person = draw_person(rng, force_leading_zero=any(o.ssn_leading_zero for o in options))
        accounts = [
            AccountTruth(
                seed=self.seed,
                today=self.today,
                history_months=self.history_months,
                end_user_id=end_user_id,
                index=index,
                account_id=str(
                    uuid.uuid5(ID_NAMESPACE, f"account:{self.seed}:{end_user_id}:{index}")
                ),
                person=person,
                options=opts,
                scenario=scenario,
            )
            for index, opts in enumerate(options)
        ]
        return UserTruth(end_user_id, exists=True, scenario=scenario, accounts=accounts)
