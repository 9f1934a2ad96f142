"""Latency and fault injection: deterministic, scriptable failures for resilience tests.

Script syntax (the ``X-Sandbox-Faults`` request header, ``FaultConfig.script`` and a scenario
account's script all use it): a comma-separated list of ``[endpoint=]kind[:arg][*count]``.

* ``kind`` is one of :data:`ALL_KINDS`; ``arg`` is seconds for ``429``/``429-date``
  (the Retry-After value) and for ``slow`` (how long the body is held back);
* ``count`` (default 1, ``inf`` for always) is how many times the item fires;
* ``endpoint`` limits the item to one endpoint name (``income``, ``paystubs``, ...).

Items apply in order to the successive requests with the same method, path and query string
(the *request key*; for the header, the header's value is part of the key, so a test that
sends a new script starts from its first item): ``429*2,500*1`` answers 429, 429, 500, then
the real response. Items whose endpoint does not match are skipped, so
``income=500*9, paystubs=429-bare*1`` fails income nine times and the paystubs list once per
request key.

Random faults: with probability ``rate`` a request gets one of ``kinds``, decided by hashing
``(seed, method, path, query, n)`` where ``n`` counts earlier requests with that key. A retry
of a failed request is a new draw (it can succeed), and the outcome does not depend on the
order in which concurrent requests arrive.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import httpx

__all__ = [
    "ALL_KINDS",
    "ENDPOINT_NAMES",
    "Fault",
    "FaultConfig",
    "FaultInjector",
    "FaultScriptError",
    "LatencyConfig",
    "SandboxConnectionDropped",
    "parse_fault_script",
]

#: Every fault kind, in the order documented in docs/sandbox.md.
ALL_KINDS: tuple[str, ...] = (
    "429",
    "429-date",
    "429-bare",
    "500",
    "502",
    "503",
    "504",
    "502-html",
    "drop",
    "malformed",
    "truncated",
    "slow",
    "repeat-cursor",
)

#: Endpoint names, used by stats, per-endpoint latency and script endpoint filters.
ENDPOINT_NAMES: tuple[str, ...] = (
    "accounts",
    "account",
    "paystubs",
    "paystub",
    "income",
    "identity",
    "employment",
    "shifts",
    "direct_deposit_allocations",
)

#: Kinds that need the real response (they alter or delay it rather than replace it).
WRAPPING_KINDS = frozenset({"drop", "truncated", "slow", "repeat-cursor"})


class FaultScriptError(ValueError):
    """A fault script that does not parse; the message says which item and why."""


class SandboxConnectionDropped(httpx.RemoteProtocolError):
    """Raised by the app after sending part of a body (the ``drop`` fault).

    Over uvicorn the server then closes the connection mid-body, so the client sees a real
    incomplete read. In-process, ``httpx.ASGITransport`` lets the app's exception escape, and
    because this is an ``httpx.RemoteProtocolError`` the client sees the same transport error
    a dropped connection produces.
    """


@dataclass(frozen=True)
class LatencyConfig:
    """Per-request delay: ``ms`` plus uniform ``[0, jitter_ms)``, seeded.

    ``per_endpoint`` replaces ``ms`` for the named endpoints (see :data:`ENDPOINT_NAMES`).
    """

    ms: float = 0.0
    jitter_ms: float = 0.0
    per_endpoint: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.ms < 0 or self.jitter_ms < 0 or any(v < 0 for v in self.per_endpoint.values()):
            raise ValueError("latency must not be negative")
        unknown = set(self.per_endpoint) - set(ENDPOINT_NAMES)
        if unknown:
            raise ValueError(f"unknown endpoint names in per_endpoint: {sorted(unknown)}")

    @property
    def enabled(self) -> bool:
        return bool(self.ms or self.jitter_ms or self.per_endpoint)


@dataclass(frozen=True)
class Fault:
    """One fault to inject: ``kind`` and its optional numeric ``arg`` (seconds)."""

    kind: str
    arg: float | None = None


@dataclass(frozen=True)
class ScriptItem:
    """One parsed item of a fault script."""

    fault: Fault
    count: float  # math.inf for "always"
    endpoint: str | None = None


@lru_cache(maxsize=256)
def parse_fault_script(text: str) -> tuple[ScriptItem, ...]:
    """Parse ``[endpoint=]kind[:arg][*count], ...``; raise :class:`FaultScriptError`."""
    items: list[ScriptItem] = []
    for raw in text.split(","):
        part = raw.strip()
        if not part:
            continue
        endpoint: str | None = None
        if "=" in part:
            endpoint, part = (s.strip() for s in part.split("=", 1))
            if endpoint not in ENDPOINT_NAMES:
                raise FaultScriptError(f"unknown endpoint {endpoint!r} in {raw.strip()!r}")
        count = 1.0
        if "*" in part:
            part, count_text = (s.strip() for s in part.split("*", 1))
            try:
                count = math.inf if count_text in ("inf", "always") else float(int(count_text))
            except ValueError:
                raise FaultScriptError(f"bad count {count_text!r} in {raw.strip()!r}") from None
            if count < 0:
                raise FaultScriptError(f"negative count in {raw.strip()!r}")
        arg: float | None = None
        if ":" in part:
            part, arg_text = (s.strip() for s in part.split(":", 1))
            try:
                arg = float(arg_text)
            except ValueError:
                raise FaultScriptError(f"bad argument {arg_text!r} in {raw.strip()!r}") from None
            if not (arg >= 0 and math.isfinite(arg)):
                raise FaultScriptError(f"argument must be >= 0 in {raw.strip()!r}")
        if part not in ALL_KINDS:
            raise FaultScriptError(f"unknown fault kind {part!r} in {raw.strip()!r}")
        items.append(ScriptItem(Fault(part, arg), count, endpoint))
    return tuple(items)


@dataclass(frozen=True)
class FaultConfig:
    """Server-wide faults.

    ``rate`` (0..1) is the probability that a request gets a random fault among ``kinds``,
    drawn deterministically from ``seed``; ``script`` is a fault script applied to every
    request key (e.g. ``"income=500*inf"``). ``retry_after_seconds`` is what 429s announce
    (kept small so tests stay fast) and ``slow_seconds`` how long ``slow`` holds the body
    back when the item gives no argument.
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = ALL_KINDS
    seed: int = 0
    script: str | None = None
    retry_after_seconds: float = 1.0
    slow_seconds: float = 2.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        unknown = [k for k in self.kinds if k not in ALL_KINDS]
        if unknown:
            raise ValueError(f"unknown fault kinds: {unknown}")
        if self.rate and not self.kinds:
            raise ValueError("a fault rate needs at least one kind")
        if self.retry_after_seconds < 0 or self.slow_seconds < 0:
            raise ValueError("retry_after_seconds and slow_seconds must not be negative")
        if self.script:
            parse_fault_script(self.script)  # fail at construction, not on the first request


def _scripted(items: tuple[ScriptItem, ...], endpoint: str, n: int) -> Fault | None:
    position = 0.0
    for item in items:
        if item.endpoint is not None and item.endpoint != endpoint:
            continue
        position += item.count
        if n < position:
            return item.fault
    return None


class FaultInjector:
    """Decides, per request, which fault (if any) to inject.

    It keeps one counter per request key; the app calls :meth:`decide` once per request
    that passed authentication.
    """

    _MAX_KEYS = 1_000_000

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._server_script = parse_fault_script(config.script) if config.script else ()
        self._seen: dict[str, int] = {}

    def reset(self) -> None:
        """Forget how often each request key was seen (scripts start over)."""
        self._seen.clear()

    def _count(self, key: str) -> int:
        """How many earlier requests had this key (and count this one)."""
        if len(self._seen) >= self._MAX_KEYS:  # a long soak must not grow without bound
            self._seen.clear()
        n = self._seen.get(key, 0)
        self._seen[key] = n + 1
        return n

    def decide(
        self,
        *,
        endpoint: str,
        method: str,
        path: str,
        query: str,
        header_script: str | None,
        account_script: str | None,
    ) -> Fault | None:
        """The fault for this request, or None; raises FaultScriptError on a bad header."""
        header_items = parse_fault_script(header_script) if header_script else ()
        key = f"{method} {path}?{query}"
        n = self._count(key)
        if header_items:
            # Counted per script too, so a test that changes the header starts afresh.
            fault = _scripted(header_items, endpoint, self._count(f"{key}\x1f{header_script}"))
            if fault is not None:
                return fault
        for items in (
            self._server_script,
            parse_fault_script(account_script) if account_script else (),
        ):
            if items:
                fault = _scripted(items, endpoint, n)
                if fault is not None:
                    return fault
        config = self.config
        if config.rate:
            digest = hashlib.blake2b(
                f"{config.seed}\x1f{key}\x1f{n}".encode(), digest_size=16
            ).digest()
            draw = int.from_bytes(digest[:8], "big") / 2**64
            if draw < config.rate:
                return Fault(config.kinds[int.from_bytes(digest[8:], "big") % len(config.kinds)])
        return None
