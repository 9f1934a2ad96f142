"""The chaos harness: fetch many profiles from a faulty sandbox, then check every claim.

:func:`run_chaos` drives one client against a sandbox served over real loopback (its own
process, so the client's event loop does not share a GIL with the server) while the sandbox
injects a seeded mix of every fault kind. It records what came back and what was left behind;
the ``check_*`` functions turn that record into lists of human-readable failures (empty when the
SDK kept its promises) and :func:`figures` into the numbers docs/reliability.md quotes.

The suite (``tests/chaos/test_chaos.py``) and the larger run (``bench/chaos.py``) share it.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import httpx
import pydantic

import payroll_sdk
from payroll_sdk import (
    APIConnectionError,
    APIStatusError,
    PayrollClient,
    PayrollError,
    PayrollProfile,
    ResponseValidationError,
)
from payroll_sdk._aiohttp import FastTransport
from payroll_sdk._pool import ShardedTransport
from payroll_sdk.aggregation._history import MAX_WINDOWS
from payroll_sdk.models import (
    DirectDepositAllocations,
    Employment,
    Identity,
    Income,
    PayrollAccount,
    Paystub,
    Shift,
)
from payroll_sdk.models.profile import RESOURCE_NAMES, AccountProfile, ResourceStatus
from payroll_sdk.sandbox import (
    ALL_KINDS,
    DAMAGED_SCENARIOS,
    SCENARIOS,
    AccountTruth,
    FaultConfig,
    SandboxConfig,
    SandboxData,
    UserTruth,
)

PAGE_SIZE = 100  # what get_profile asks for; a partial list keeps whole pages
LIST_RESOURCES = ("paystubs", "shifts")
OBJECT_MODELS: Mapping[str, type[pydantic.BaseModel]] = {
    "income": Income,
    "identity": Identity,
    "employment": Employment,
    "direct_deposit_allocations": DirectDepositAllocations,
}
LIST_MODELS: Mapping[str, type[pydantic.BaseModel]] = {"paystubs": Paystub, "shifts": Shift}


@dataclass(frozen=True)
class ChaosSettings:
    """One chaos run's shape. The defaults are the CI size (``CHAOS_USERS`` overrides users)."""

    users: int = 500
    #: "aiohttp" (the default transport) or "httpcore" (``ShardedTransport``).
    transport: str = "aiohttp"
    fault_rate: float = 0.15
    seed: int = 20260315
    concurrency: int = 50
    max_in_flight: int = 64
    max_retries: int = 2
    #: Per attempt. ``slow`` holds a body back longer than this, so it times out and is retried.
    read_timeout: float = 0.3
    slow_seconds: float = 0.5
    #: Per profile in ``get_profiles``; direct ``get_profile`` calls draw theirs at random.
    batch_deadline: float = 6.0
    direct_deadlines: tuple[float, float] = (0.4, 3.0)
    direct_users: int = 40
    history_months: int = 6
    today: date = date(2026, 3, 15)

    @classmethod
    def from_env(cls, **overrides: Any) -> ChaosSettings:
        users = os.environ.get("CHAOS_USERS")
        if users is not None:
            overrides.setdefault("users", int(users))
        return cls(**overrides)

    def sandbox_config(self) -> SandboxConfig:
        return SandboxConfig(
            seed=self.seed,
            today=self.today,
            history_months=self.history_months,
            faults=FaultConfig(
                rate=self.fault_rate,
                kinds=ALL_KINDS,
                seed=self.seed,
                # Retry-After: 0 keeps the run fast; the 429 paths still run (with, without
                # and with an HTTP-date Retry-After).
                retry_after_seconds=0.0,
                slow_seconds=self.slow_seconds,
            ),
        )

    def truth(self) -> SandboxData:
        """The sandbox's ground truth, generated here from the same seed and ``today``."""
        return SandboxData(seed=self.seed, history_months=self.history_months, today=self.today)

    def batch_ids(self) -> list[str]:
        return [f"chaos_{i:05d}" for i in range(self.users)]

    def direct_ids(self) -> list[str]:
        """Ordinary users plus every scenario user (multi-page, flaky, broken, unknown...)."""
        # Damaged scenario users are checked in tests/test_data_quality.py: their ground truth
        # is deliberately not what tidy models would read.
        tidy = [s for s in SCENARIOS if s not in DAMAGED_SCENARIOS]
        return [f"chaos_direct_{i:03d}" for i in range(self.direct_users)] + tidy


@dataclass(repr=False)
class Outcome:
    """What one ``get_profile`` (direct, or one user of the batch) ended with."""

    end_user_id: str
    via: str  # "batch" | "direct"
    deadline: float
    elapsed: float | None
    profile: PayrollProfile | None = None
    error: BaseException | None = None
    #: The event loop's clock when the outcome came back.
    ended: float | None = None

    def __repr__(self) -> str:
        return f"<Outcome {self.end_user_id} via {self.via}>"


@dataclass
class Leftovers:
    """What the client still held once every call had returned (all should be zero/empty)."""

    requests_in_flight: int
    free_slots: int
    max_in_flight: int
    responses_open: int
    busy_connections: int
    other_tasks: list[str]


@dataclass
class SocketCounts:
    """The client process's open sockets (``/proc/self/fd``) beyond those it had before the
    client was built, and the most connections the pool had checked out. ``None`` where the
    platform has no ``/proc``."""

    #: Sampled every few loop-lag ticks while the run went on.
    peak_open: int | None = None
    #: Before ``aclose()`` (idle keep-alive connections are still open then) and after it.
    before_close: int | None = None
    after_close: int | None = None
    #: Most connections checked out of the pool (busy: neither idle nor closed) at any sample.
    peak_in_use: int = 0
    #: The client's in-flight bound: no more requests, so no more busy connections, at once.
    max_in_flight: int = 0


@dataclass(repr=False)
class ChaosRun:
    settings: ChaosSettings
    outcomes: list[Outcome] = field(default_factory=list)
    #: Exceptions that are not PayrollError and escaped get_profile / get_profiles.
    escaped: list[tuple[str, BaseException]] = field(default_factory=list)
    #: HTTP attempts the client sent, per (method, URL with query): one logical request each.
    attempts: Counter[tuple[str, str]] = field(default_factory=Counter)
    leftovers: Leftovers | None = None
    sockets: SocketCounts = field(default_factory=SocketCounts)
    sandbox_stats: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    #: The longest the event loop was late to wake a sleeper: no call can return sooner
    #: after its deadline than the loop gets round to it.
    max_loop_lag: float = 0.0
    #: Every time the loop woke the watcher late: (loop time it woke at, seconds late).
    stalls: list[tuple[float, float]] = field(default_factory=list)

    def __repr__(self) -> str:
        # Short on purpose: asyncio formats a finished task's result with repr().
        return f"<ChaosRun {len(self.outcomes)} outcomes in {self.seconds:.1f}s>"


async def run_chaos(
    settings: ChaosSettings,
    *,
    base_url: str,
    secret: str,
    fetch_stats: Callable[[], dict[str, Any]],
) -> ChaosRun:
    """Fetch every batch user with ``get_profiles`` while direct ``get_profile`` calls (each
    with its own random deadline) run beside it, on one client; then inspect the client."""
    run = ChaosRun(settings)
    rng = random.Random(settings.seed)
    started = time.monotonic()

    async def count_attempt(request: httpx.Request) -> None:
        run.attempts[(request.method, str(request.url))] += 1

    client = PayrollClient(
        api_secret=secret,
        base_url=base_url,
        timeout=httpx.Timeout(5.0, read=settings.read_timeout),
        max_retries=settings.max_retries,
        max_in_flight=settings.max_in_flight,
        transport=ShardedTransport.sized(settings.max_in_flight)
        if settings.transport == "httpcore"
        else None,
    )
    client._transport.http_client.event_hooks = {"request": [count_attempt], "response": []}
    baseline = open_sockets()
    pool = client._transport.http_client._transport
    assert isinstance(pool, ShardedTransport | FastTransport)
    run.sockets.max_in_flight = settings.max_in_flight
    watcher = asyncio.create_task(_watch_loop_lag(run, pool, baseline))
    try:
        # Ordinary users get tight random deadlines; scenario users (not_found, multi-page,
        # broken later pages...) a generous one, so their shapes are what gets tested.
        direct = [(uid, rng.uniform(*settings.direct_deadlines)) for uid in settings.direct_ids()]
        direct = [(uid, d if uid.startswith("chaos_") else 10.0) for uid, d in direct]
        await asyncio.gather(
            _batch(client, run),
            *(_direct(client, run, uid, deadline) for uid, deadline in direct),
        )
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        run.leftovers = await _leftovers(client)
        run.sockets.before_close = _beyond(open_sockets(), baseline)
    finally:
        watcher.cancel()
        await client.aclose()
    run.sockets.after_close = _beyond(open_sockets(), baseline)
    run.seconds = time.monotonic() - started
    run.sandbox_stats = await asyncio.to_thread(fetch_stats)
    return run


def open_sockets() -> int | None:
    """How many sockets this process has open (``None`` without ``/proc``, as on macOS)."""
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return None
    count = 0
    for fd in fds:
        # An OSError: closed since listed (the listing's own descriptor, for one).
        with contextlib.suppress(OSError):
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count


def _beyond(count: int | None, baseline: int | None) -> int | None:
    return None if count is None or baseline is None else count - baseline


def _checked_out(pool: ShardedTransport | FastTransport) -> int:
    """Connections a request holds (or that no request holds and that are not idle either:
    lost to the pool)."""
    if isinstance(pool, FastTransport):
        session = pool.session
        connector = session.connector if session is not None else None
        return len(connector._acquired) if connector is not None else 0
    return sum(
        not (c.is_idle() or c.is_closed()) for shard in pool.shards for c in shard._pool.connections
    )


async def _watch_loop_lag(
    run: ChaosRun,
    pool: ShardedTransport | FastTransport,
    socket_baseline: int | None,
    interval: float = 0.02,
    sockets_every: int = 10,
) -> None:
    """Record how late the loop wakes a sleeper; on the way, the pool's checked-out
    connections every tick and the process's open sockets every ``sockets_every`` ticks."""
    loop = asyncio.get_running_loop()
    counts = run.sockets
    tick = 0
    while True:
        counts.peak_in_use = max(counts.peak_in_use, _checked_out(pool))
        tick += 1
        if tick % sockets_every == 0:
            now = _beyond(open_sockets(), socket_baseline)
            if now is not None:
                counts.peak_open = max(counts.peak_open or 0, now)
        due = loop.time() + interval
        await asyncio.sleep(interval)
        woke = loop.time()
        lag = woke - due
        run.max_loop_lag = max(run.max_loop_lag, lag)
        if lag > 0.005:
            run.stalls.append((woke, lag))


async def _batch(client: PayrollClient, run: ChaosRun) -> None:
    settings = run.settings
    try:
        async for result in client.get_profiles(
            settings.batch_ids(),
            concurrency=settings.concurrency,
            deadline=settings.batch_deadline,
        ):
            elapsed = None
            if result.profile is not None:
                # fetched_at is taken as the profile starts; results are yielded as they end.
                elapsed = time.time() - result.profile.fetched_at.timestamp()
            run.outcomes.append(
                Outcome(
                    result.end_user_id,
                    "batch",
                    settings.batch_deadline,
                    elapsed,
                    profile=result.profile,
                    error=result.error,
                    ended=asyncio.get_running_loop().time(),
                )
            )
    except Exception as exc:  # anything escaping the batch is a failure of the SDK
        run.escaped.append(("get_profiles", exc))


async def _direct(client: PayrollClient, run: ChaosRun, end_user_id: str, deadline: float) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    outcome = Outcome(end_user_id, "direct", deadline, None)
    try:
        outcome.profile = await client.get_profile(end_user_id, deadline=deadline)
    except PayrollError as exc:
        outcome.error = exc
    except Exception as exc:
        run.escaped.append((end_user_id, exc))
        outcome.error = exc
    outcome.ended = loop.time()
    outcome.elapsed = outcome.ended - started
    run.outcomes.append(outcome)


async def _leftovers(client: PayrollClient) -> Leftovers:
    # Let callbacks scheduled by the last responses run before looking.
    for _ in range(3):
        await asyncio.sleep(0)
    limiter = client._transport.limiter
    transport = client._transport.http_client._transport
    assert isinstance(transport, ShardedTransport | FastTransport)
    busy = transport.connections_in_use
    me = asyncio.current_task()
    others = [_describe(task) for task in asyncio.all_tasks() if task is not me and not task.done()]
    return Leftovers(
        requests_in_flight=client.requests_in_flight,
        free_slots=limiter._semaphore._value,
        max_in_flight=limiter.max_in_flight,
        responses_open=transport.in_flight,
        busy_connections=busy,
        other_tasks=others,
    )


def _describe(task: asyncio.Task[Any]) -> str:
    coro = task.get_coro()
    code = getattr(coro, "cr_code", None) or getattr(coro, "ag_code", None)
    return f"{task.get_name()} {code.co_qualname if code else coro!r}"


# -- checks ----------------------------------------------------------------------------------


def check_typed_errors(run: ChaosRun) -> list[str]:
    """Only PayrollError subclasses escape, and an existing user never comes back 'not found'."""
    failures = [f"{where}: {type(exc).__name__}: {exc}" for where, exc in run.escaped]
    truth = run.settings.truth()
    for outcome in run.outcomes:
        error = outcome.error
        if (outcome.profile is None) == (error is None):
            failures.append(f"{outcome.end_user_id}: neither or both of profile and error")
            continue
        if error is None:
            continue
        if not isinstance(error, PayrollError):
            failures.append(f"{outcome.end_user_id}: untyped {type(error).__name__}: {error}")
        elif truth.user(outcome.end_user_id).exists and not _transient(error):
            failures.append(f"{outcome.end_user_id} exists but got {error!r}")
    return failures


def _transient(error: PayrollError) -> bool:
    """The only ways an existing user's accounts listing may fail in this run: faults that
    outlasted the retries or the deadline."""
    if isinstance(error, APIStatusError):
        return error.status_code in (429, 500, 502, 503, 504) or (
            error.status_code == 404 and error.type is None  # a 404 body cut short
        )
    return isinstance(error, APIConnectionError | ResponseValidationError)


def check_against_truth(run: ChaosRun) -> tuple[list[str], Counter[str]]:
    """Each profile is complete and equal to the ground truth, or says exactly what is missing.

    Returns the failures and a tally of resource states and profile outcomes.
    """
    truth = run.settings.truth()
    failures: list[str] = []
    tally: Counter[str] = Counter()
    for outcome in run.outcomes:
        user = truth.user(outcome.end_user_id)
        profile = outcome.profile
        if profile is None:
            tally["profile:error"] += 1
            continue
        tally["profile:complete" if profile.complete else "profile:partial"] += 1
        failures += [f"{outcome.end_user_id}: {f}" for f in _compare(profile, user, tally)]
    return failures, tally


def _compare(profile: PayrollProfile, user: UserTruth, tally: Counter[str]) -> list[str]:
    failures: list[str] = []
    if not user.exists:
        return ["a profile for an end user the sandbox does not know"]
    got_ids = [str(a.account.id) for a in profile.accounts]
    want_ids = [a.account_id for a in user.accounts]
    if got_ids != want_ids:
        return [f"accounts {got_ids} != truth {want_ids}"]
    expected_problems = set()
    for got, want in zip(profile.accounts, user.accounts, strict=True):
        if _dump(got.account) != _dump(PayrollAccount.model_validate(want.account)):
            failures.append(f"account {want.account_id} differs from the truth")
        for name in RESOURCE_NAMES:
            status = got.status.get(name)
            if status is None:
                failures.append(f"{want.account_id} {name}: no status")
                continue
            tally[f"{name}:{status.state}"] += 1
            tally[f"state:{status.state}"] += 1
            if status.state in ("failed", "partial"):
                expected_problems.add((want.account_id, name, status.state))
            failures += [f"{want.account_id} {name}: {f}" for f in _check_resource(got, want, name)]
    problems = {(p.account_id, p.resource, p.state) for p in profile.problems}
    if problems != expected_problems:
        failures.append(
            f"problems {sorted(problems)} != failed/partial {sorted(expected_problems)}"
        )
    if len(problems) != len(profile.problems):
        failures.append("a problem is listed twice")
    if profile.complete != (not expected_problems):
        failures.append(f"complete={profile.complete} with problems {sorted(expected_problems)}")
    for problem in profile.problems:
        status = next(
            a.status[problem.resource]
            for a in profile.accounts
            if str(a.account.id) == problem.account_id
        )
        if problem.reason != status.reason:
            failures.append(f"problem {problem.resource} reason differs from its status")
    return failures


def _check_resource(got: AccountProfile, want: AccountTruth, name: str) -> list[str]:
    status = got.status[name]
    state = status.state
    value = getattr(got, name)
    exists = name in want.refreshed_at
    if state == "skipped":
        return ["skipped though every resource was asked for"]
    if state in ("failed", "partial"):
        reason = status.reason
        if reason is None:
            return [f"{state} without a reason"]
        error_class = getattr(payroll_sdk, reason.error, None)
        if not (inspect.isclass(error_class) and issubclass(error_class, PayrollError)):
            return [f"{state} with a reason that names no typed error: {reason.error!r}"]
    elif status.reason is not None:
        return [f"{state} with a reason"]
    if state == "not_found":
        if exists:
            return ["not_found, but the sandbox has it"]
        return [] if value in (None, []) else ["not_found but holds data"]
    if state == "failed":
        return [] if value in (None, []) else ["failed but holds data"]
    if name in LIST_RESOURCES:
        return _check_list(value, want, name, state, status.pages)
    if state != "ok":
        return [f"unexpected state {state} for a single object"]
    if not exists:
        return ["ok, but the sandbox has none"]
    model = OBJECT_MODELS[name]
    if value is None or _dump(value) != _dump(model.model_validate(want.resource(name))):
        return ["ok, but differs from the truth"]
    return _check_refreshed(status.refreshed_at, want, name)


def _check_list(
    items: list[Any], want: AccountTruth, name: str, state: str, pages: int
) -> list[str]:
    model = LIST_MODELS[name]
    truth_items: list[dict[str, Any]] = getattr(want, name)
    ids = [str(item.id) for item in items]
    failures = []
    if len(set(ids)) != len(ids):
        failures.append("duplicate items")
    if state == "ok":
        if name not in want.refreshed_at:
            return ["ok, but the sandbox has none"]
        if ids != [t["id"] for t in truth_items]:
            return [*failures, f"ok with {len(ids)} items, truth has {len(truth_items)}"]
    else:
        # partial: the first page always, then whatever the cursor chain or the date windows
        # read before one failed: in the truth's order, nothing foreign, no duplicates (a
        # failed window leaves a gap in the middle, so this is a subsequence, not a prefix).
        if pages < 1:
            failures.append("partial without a page read")
        truth_ids = [t["id"] for t in truth_items]
        position = {item_id: index for index, item_id in enumerate(truth_ids)}
        if any(item_id not in position for item_id in ids):
            return [*failures, "partial holds items the sandbox does not have"]
        if [position[item_id] for item_id in ids] != sorted(position[i] for i in ids):
            return [*failures, "partial items are not in the truth's order"]
        if ids[: min(PAGE_SIZE, len(truth_ids))] != truth_ids[:PAGE_SIZE]:
            failures.append("partial does not keep the whole first page")
    by_id = {t["id"]: t for t in truth_items}
    for got in items:
        raw = by_id.get(str(got.id))
        if raw is None or _dump(got) != _dump(model.model_validate(raw)):
            failures.append(f"item {got.id} differs from the truth")
            break
    return failures


def _check_refreshed(refreshed: datetime | None, want: AccountTruth, name: str) -> list[str]:
    stamp = want.refreshed_at[name]
    if refreshed != datetime.fromisoformat(stamp):
        return [f"refreshed_at {refreshed} != {stamp}"]
    return []


def _dump(model: pydantic.BaseModel) -> Any:
    return model.model_dump(mode="json")


def check_attempt_bounds(run: ChaosRun) -> list[str]:
    """No request is sent more than 1 + max_retries times, and each resource's reported
    attempts fit the pages it read."""
    tries = 1 + run.settings.max_retries
    failures = [
        f"{method} {url} sent {count} times (max {tries})"
        for (method, url), count in run.attempts.items()
        if count > tries
    ]
    for outcome in run.outcomes:
        if outcome.profile is None:
            continue
        for account in outcome.profile.accounts:
            for name, status in account.status.items():
                # A failed or partial resource also tried the page that failed; a list read in
                # date windows may have had up to MAX_WINDOWS windows fail at their first page.
                failed_pages = int(status.state in ("failed", "partial", "not_found"))
                if failed_pages and name in LIST_RESOURCES:
                    failed_pages = MAX_WINDOWS
                pages = status.pages + failed_pages
                if status.state != "skipped" and not (
                    _least_attempts(status) <= status.attempts <= pages * tries
                ):
                    failures.append(
                        f"{outcome.end_user_id} {account.account.id} {name}: "
                        f"{status.attempts} attempts for {pages} page(s)"
                    )
    return failures


def _least_attempts(status: ResourceStatus) -> int:
    """Every resource that was read or failed made at least one attempt, except one whose
    profile's deadline had already passed when its turn came (the accounts listing, or the
    wait for a slot, used it up): nothing was sent for it, and it says so with 0 attempts and
    a ``DeadlineExceededError``. Any other failure with 0 attempts would be a miscount."""
    reason = status.reason
    if status.state == "failed" and reason is not None and reason.error == "DeadlineExceededError":
        return 0
    return 1


def check_deadlines(run: ChaosRun, *, slack: float) -> list[str]:
    """Every call returned within its deadline, give or take ``slack`` plus the time the event
    loop stood still after that deadline.

    On a busy loop (or a machine short of CPU) the timer that enforces a deadline fires late,
    and so does each step after it (cancelling, building the partial profile, handing it
    over); what counts against a call is every stall between its deadline and its return, not
    only the worst one of the run (that once made this check flaky on a loaded machine)."""
    failures = []
    for o in run.outcomes:
        if o.elapsed is None or o.elapsed <= o.deadline + slack:
            continue
        stood_still = run.max_loop_lag
        if o.ended is not None:
            stood_still = stalled_between(run.stalls, o.ended - o.elapsed + o.deadline, o.ended)
        if o.elapsed > o.deadline + slack + stood_still:
            failures.append(
                f"{o.end_user_id} ({o.via}) took {o.elapsed:.2f}s, deadline {o.deadline:.2f}s "
                f"(allowed {slack + stood_still:.2f}s over: {stood_still:.2f}s of loop stalls)"
            )
    return failures


def stalled_between(stalls: Iterable[tuple[float, float]], start: float, end: float) -> float:
    """Seconds of ``stalls`` (each ``(woke_at, lag)``, covering ``[woke_at - lag, woke_at]``)
    that fall within ``[start, end]``."""
    return sum(
        max(0.0, min(end, woke) - max(start, woke - lag)) for woke, lag in stalls if woke > start
    )


def check_leftovers(run: ChaosRun) -> list[str]:
    left = run.leftovers
    if left is None:
        return ["the run did not finish"]
    failures = []
    if left.requests_in_flight:
        failures.append(f"{left.requests_in_flight} requests still hold a slot")
    if left.free_slots != left.max_in_flight:
        failures.append(f"{left.free_slots} of {left.max_in_flight} in-flight slots are free")
    if left.responses_open:
        failures.append(f"{left.responses_open} responses never closed")
    if left.busy_connections:
        failures.append(f"{left.busy_connections} pool connections checked out or queued")
    failures += [f"task left running: {t}" for t in left.other_tasks]
    return failures


def check_sockets(counts: SocketCounts) -> list[str]:
    """No socket of the client outlives ``aclose()``, and the pool never had more connections
    busy than requests may be in flight (a busy connection no request holds is lost to the
    pool, and keeps its socket)."""
    failures = []
    if counts.after_close:
        failures.append(f"{counts.after_close} sockets still open after aclose()")
    if counts.peak_in_use > counts.max_in_flight:
        failures.append(
            f"{counts.peak_in_use} connections busy at once ({counts.max_in_flight} in flight)"
        )
    return failures


def check_not_vacuous(run: ChaosRun, tally: Counter[str]) -> list[str]:
    """The run must really have been chaotic: every kind injected, >= 10% of requests."""
    stats = run.sandbox_stats
    faults: Mapping[str, int] = stats.get("faults", {})
    failures = [f"no {kind} fault was injected" for kind in ALL_KINDS if not faults.get(kind)]
    total = stats.get("total", 0)
    if sum(faults.values()) < 0.1 * total:
        failures.append(f"only {sum(faults.values())} faults in {total} requests")
    expected = len(run.settings.batch_ids()) + len(run.settings.direct_ids())
    if len(run.outcomes) != expected:
        failures.append(f"{len(run.outcomes)} outcomes for {expected} users")
    for state in ("ok", "failed", "partial", "not_found"):
        if not tally[f"state:{state}"]:
            failures.append(f"no resource ended {state}: the run proves little about it")
    return failures


def figures(run: ChaosRun, tally: Counter[str]) -> dict[str, Any]:
    """The numbers a run is summarised by (printed by bench/chaos.py, quoted in the docs)."""
    stats = run.sandbox_stats
    faults: dict[str, int] = dict(sorted(stats.get("faults", {}).items()))
    errors = Counter(type(o.error).__name__ for o in run.outcomes if o.error is not None)
    reasons: Counter[str] = Counter()
    items = 0
    for outcome in run.outcomes:
        if outcome.profile is None:
            continue
        for problem in outcome.profile.problems:
            reasons[f"{problem.state}:{problem.reason.error if problem.reason else '?'}"] += 1
        for account in outcome.profile.accounts:
            items += len(account.paystubs) + len(account.shifts)
    return {
        "users": len(run.outcomes),
        "seconds": round(run.seconds, 1),
        "max_loop_lag_seconds": round(run.max_loop_lag, 3),
        "max_seconds_over_deadline": round(
            max((o.elapsed - o.deadline for o in run.outcomes if o.elapsed is not None), default=0),
            3,
        ),
        "requests_sent": sum(run.attempts.values()),
        "distinct_requests": len(run.attempts),
        "requests_seen_by_sandbox": stats.get("total"),
        "faults_injected": sum(faults.values()),
        "faults_by_kind": faults,
        "profiles_complete": tally["profile:complete"],
        "profiles_partial": tally["profile:partial"],
        "profiles_failed": tally["profile:error"],
        "profile_errors": dict(errors.most_common()),
        "resources_by_state": {
            s: tally[f"state:{s}"] for s in ("ok", "not_found", "partial", "failed")
        },
        "problems_by_reason": dict(reasons.most_common()),
        "paystubs_and_shifts_checked": items,
        "max_attempts_per_request": max(run.attempts.values(), default=0),
        "peak_open_sockets": run.sockets.peak_open,
        "sockets_open_before_close": run.sockets.before_close,
        "sockets_open_after_close": run.sockets.after_close,
        "peak_connections_checked_out": run.sockets.peak_in_use,
    }


def all_failures(run: ChaosRun, *, slack: float) -> tuple[list[str], Counter[str]]:
    """Every check at once (for bench/chaos.py)."""
    truth_failures, tally = check_against_truth(run)
    failures = [
        *check_typed_errors(run),
        *truth_failures,
        *check_attempt_bounds(run),
        *check_deadlines(run, slack=slack),
        *check_leftovers(run),
        *check_sockets(run.sockets),
        *check_not_vacuous(run, tally),
    ]
    return failures, tally


def first(failures: Iterable[str], limit: int = 20) -> str:
    """A readable assertion message: the first few failures and how many there were."""
    listed = list(failures)
    shown = "\n  ".join(listed[:limit])
    more = f"\n  ... and {len(listed) - limit} more" if len(listed) > limit else ""
    return f"{len(listed)} failure(s):\n  {shown}{more}"
