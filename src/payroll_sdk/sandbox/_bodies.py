"""An account's responses as serialised bytes, and the caches that share them.

Generating a user costs tens of milliseconds and serialising its records about a third as
much again, so each account's bodies are built once per process (``SharedData``) and kept as
bytes: never as the dicts they came from, which would cost every full pass of Python's cycle
collector (see ``AccountTruth.release_history``). Pages are joined from pre-serialised items.
What is kept, and what it costs, is described in docs/sandbox.md ("What the sandbox caches").
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any, ClassVar

from .._gc import collector_paused
from ._config import SandboxConfig
from ._data import AccountTruth, SandboxData
from ._wire import dumps

__all__ = ["AccountWire", "HistoryBodies", "SharedData"]


@dataclass(frozen=True)
class HistoryBodies:
    """An account's paystubs and shifts as served, one JSON ``bytes`` per record, newest
    first, with the true dates the filters compare (ISO strings compare as dates)."""

    paystubs: list[bytes]
    pay_dates: list[str]
    paystub_by_id: dict[str, bytes]
    shifts: list[bytes]
    shift_starts: list[str]
    shift_ends: list[str]


class AccountWire:
    """One account's responses as bytes, built on first use.

    It keeps bytes and date strings, not the records' dicts: once serialised, the generated
    history is released (``AccountTruth.release_history``) unless something else had asked
    for it first. Filtered lists are kept per filter (a client paging through one window asks
    for the same filter once per page).
    """

    #: Filtered lists kept per account; more distinct filters start the memo afresh.
    FILTERS_KEPT: ClassVar[int] = 16

    def __init__(self, truth: AccountTruth) -> None:
        self.truth = truth
        extras = truth.envelope_extras
        self.extras = dumps(extras)[1:-1] if extras else b""
        self._filtered: dict[tuple[str, ...], list[bytes]] = {}

    def _envelope(self, data: Any, meta: dict[str, Any] | None) -> bytes:
        body: dict[str, Any] = {"data": data}
        if meta is not None:
            body["meta"] = meta
        body.update(self.truth.envelope_extras)
        return dumps(body)

    def envelope(self, item: bytes) -> bytes:
        """``{"data": item}`` (plus the envelope extras) for an already serialised item."""
        tail = b"," + self.extras if self.extras else b""
        return b'{"data":' + item + tail + b"}"

    @cached_property
    def account_item(self) -> bytes:
        return dumps(self.truth.account)

    @cached_property
    def account_body(self) -> bytes:
        return self.envelope(self.account_item)

    @cached_property
    def history(self) -> HistoryBodies:
        # Tens of thousands of short-lived, acyclic dicts and lists that reference counting
        # frees: collector passes over them (and the client's objects) would find nothing.
        with collector_paused():
            return self._serialise_history()

    def _serialise_history(self) -> HistoryBodies:
        truth = self.truth
        held = truth.history_cached
        stubs = truth.served_paystubs
        shifts = truth.served_shifts
        stub_items = [dumps(p) for p, _ in stubs]
        bodies = HistoryBodies(
            paystubs=stub_items,
            pay_dates=[t["pay_date"] for _, t in stubs],
            paystub_by_id={
                p["id"]: item
                for (p, _), item in zip(stubs, stub_items, strict=True)
                if isinstance(p.get("id"), str)
            },
            shifts=[dumps(s) for s, _ in shifts],
            shift_starts=[t["start_date"] for _, t in shifts],
            shift_ends=[t["end_date"] for _, t in shifts],
        )
        if not held:
            truth.release_history()
        return bodies

    def paystubs(self, lo: str | None, hi: str | None) -> list[bytes]:
        """The served paystubs paid between ``lo`` and ``hi`` (inclusive, either optional)."""
        history = self.history
        if not (lo or hi):
            return history.paystubs
        key = ("paystubs", lo or "0000-00-00", hi or "9999-99-99")
        items = self._filtered.get(key)
        if items is None:
            _, low, high = key
            items = [
                item
                for item, day in zip(history.paystubs, history.pay_dates, strict=True)
                if low <= day <= high
            ]
            self._remember(key, items)
        return items

    def shifts(self, bounds: list[str | None]) -> list[bytes]:
        """The served shifts within ``bounds``: from/to start date, from/to end date."""
        history = self.history
        if not any(bounds):
            return history.shifts
        s_lo, s_hi = bounds[0] or "0000-00-00", bounds[1] or "9999-99-99"
        e_lo, e_hi = bounds[2] or "0000-00-00", bounds[3] or "9999-99-99"
        key = ("shifts", s_lo, s_hi, e_lo, e_hi)
        items = self._filtered.get(key)
        if items is None:
            items = [
                item
                for item, s, e in zip(
                    history.shifts, history.shift_starts, history.shift_ends, strict=True
                )
                if s_lo <= s <= s_hi and e_lo <= e <= e_hi
            ]
            self._remember(key, items)
        return items

    def _remember(self, key: tuple[str, ...], items: list[bytes]) -> None:
        # Replacing the dict (never popping from it) keeps this safe for serving threads.
        if len(self._filtered) >= self.FILTERS_KEPT:
            self._filtered = {}
        self._filtered[key] = items

    def single(self, name: str) -> bytes | None:
        cache: dict[str, bytes | None] = self.__dict__.setdefault("_single", {})
        if name not in cache:
            value = self.truth.resource(name)
            cache[name] = (
                None
                if value is None
                else self._envelope(value, {"refreshed_at": self.truth.refreshed_at[name]})
            )
        return cache[name]


class SharedData:
    """Ground truth and its serialised bodies, shared by every app of the process built with
    the same ``(seed, history_months, today)``.

    Generating a user costs tens of milliseconds (a couple of years of paystubs and shifts),
    and the test suite, the examples and the docs each build many in-process sandboxes over
    the same users: they now generate each user once per process. The data is a pure function
    of the key, so sharing cannot change what any app serves; stats and faults stay per app.
    Several apps may serve from several threads (``SandboxServer``): ``SandboxData`` locks its
    own cache, and ``lock`` guards the serialised bodies.
    """

    _registry: ClassVar[OrderedDict[tuple[int, int, date], SharedData]] = OrderedDict()
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()
    #: Configurations kept at once (each holds up to ``cached_accounts`` serialised accounts).
    _MAX_KEPT: ClassVar[int] = 4

    def __init__(self, data: SandboxData) -> None:
        self.data = data
        self.wires: OrderedDict[str, AccountWire] = OrderedDict()
        self.lock = threading.RLock()

    @classmethod
    def for_config(cls, config: SandboxConfig) -> SharedData:
        today = config.today or datetime.now(UTC).date()
        key = (config.seed, config.history_months, today)
        with cls._registry_lock:
            shared = cls._registry.get(key)
            if shared is None:
                data = SandboxData(
                    seed=config.seed, history_months=config.history_months, today=today
                )
                shared = cls._registry[key] = cls(data)
                if len(cls._registry) > cls._MAX_KEPT:
                    cls._registry.popitem(last=False)
            else:
                cls._registry.move_to_end(key)
            return shared
