"""What every benchmark case shares: the sandbox process, the clients, the raw baselines.

The raw baselines do the SDK's work by hand, so a ratio measures the SDK's overhead and
nothing else: the same requests (accounts, then the six resources of every account at once,
lists paged 100 at a time by cursor), the same ``model_validate_json`` of the same envelopes
and the same merge (``AccountProfile``/``PayrollProfile``, freshness, and ``summary_of``:
the summary with its figures). They skip what
the raw libraries do not offer: retries, deadlines, error mapping, logging.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import httpx_aiohttp

from payroll_sdk import PayrollClient, ShardedTransport
from payroll_sdk._config import DEFAULT_MAX_IN_FLIGHT, DEFAULT_STALE_AFTER
from payroll_sdk.aggregation._fetch import summary_of
from payroll_sdk.aggregation._freshness import assess_freshness
from payroll_sdk.models import (
    DirectDepositAllocations,
    Employment,
    Identity,
    Income,
    ListResponse,
    ObjectResponse,
    PayrollAccount,
    Paystub,
    Shift,
)
from payroll_sdk.models.profile import AccountProfile, PayrollProfile, ResourceStatus
from payroll_sdk.sandbox import DEFAULT_SECRET, SandboxData

BENCH_DIR = Path(__file__).resolve().parent
SECRET = DEFAULT_SECRET
HEADERS = {
    "X-API-SECRET": SECRET,
    "Pinwheel-Version": "2025-07-08",
    "Accept": "application/json",
}
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# -- statistics ---------------------------------------------------------------------------


@dataclass
class Spread:
    """Median and range of repeated measurements."""

    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)

    def fmt(self, scale: float = 1.0, digits: int = 1) -> str:
        return (
            f"{self.median * scale:.{digits}f} "
            f"({self.min * scale:.{digits}f}-{self.max * scale:.{digits}f})"
        )


# -- the sandbox in its own process -------------------------------------------------------


@dataclass
class BenchSandbox:
    """The sandbox served by ``bench/_server.py`` in a child process (or several workers)."""

    latency_ms: float = 0.0
    history_months: int = 24
    per_endpoint: dict[str, float] = field(default_factory=dict)
    warm_users: Sequence[str] = ()
    workers: int = 1
    port: int = 0
    pids: list[int] = field(default_factory=list)
    _process: subprocess.Popen[str] | None = None
    _warm_file: str | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> BenchSandbox:
        spec = {
            "latency_ms": self.latency_ms,
            "history_months": self.history_months,
            "per_endpoint": self.per_endpoint,
        }
        command = [sys.executable, str(BENCH_DIR / "_server.py"), "--spec", json.dumps(spec)]
        if self.warm_users:
            with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
                handle.write("\n".join(self.warm_users))
            self._warm_file = handle.name
            command += ["--warm-users", handle.name]
        command += ["--workers", str(self.workers)]
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
        )
        assert self._process.stdout is not None
        for line in self._process.stdout:
            if line.startswith("PORT="):
                self.port = int(line.strip().split("=")[1])
            elif line.startswith("PIDS="):
                self.pids = [int(p) for p in line.strip().split("=")[1].split(",")]
                break
        else:
            raise RuntimeError("the benchmark sandbox exited before announcing its port")
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.origin + "/_sandbox/health", timeout=2):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        # Forked workers (--workers N) are stopped by their parent's shutdown, which a SIGKILL
        # above skips: they would be left serving (seen: orphans after a slow shutdown).
        # A pid is only killed while it is still one of ours (pids are reused).
        for pid in self.pids[1:]:
            with contextlib.suppress(OSError):
                if b"_server.py" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(pid, signal.SIGKILL)
        if self._warm_file:
            os.unlink(self._warm_file)

    def cpu_seconds(self) -> float:
        """User + system CPU of every server process so far."""
        total = 0
        for pid in self.pids:
            try:
                with open(f"/proc/{pid}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / _CLOCK_TICKS

    def _admin(self, path: str, method: str = "GET") -> dict[str, Any]:
        request = urllib.request.Request(
            self.origin + path, method=method, headers={"X-API-SECRET": SECRET}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result

    def stats(self) -> dict[str, Any]:
        return self._admin("/_sandbox/stats")

    def reset(self) -> None:
        self._admin("/_sandbox/reset", method="POST")


@dataclass
class Usage:
    """Wall time, client CPU and server CPU of one measured block."""

    wall: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    @property
    def server_load(self) -> float:
        """Server CPU / wall: 1.0 means one server core was busy the whole time."""
        return self.server_cpu / self.wall if self.wall else 0.0


class measure:
    """``with measure(sandbox) as usage:`` fills ``usage`` with wall, client and server CPU."""

    def __init__(self, sandbox: BenchSandbox | None = None) -> None:
        self.sandbox = sandbox
        self.usage = Usage()

    def __enter__(self) -> Usage:
        self._server0 = self.sandbox.cpu_seconds() if self.sandbox else 0.0
        self._cpu0 = time.process_time()
        self._wall0 = time.perf_counter()
        return self.usage

    def __exit__(self, *exc: object) -> None:
        self.usage.wall = time.perf_counter() - self._wall0
        self.usage.client_cpu = time.process_time() - self._cpu0
        if self.sandbox:
            self.usage.server_cpu = self.sandbox.cpu_seconds() - self._server0


# -- picking users from the ground truth ---------------------------------------------------


def users_with(
    accounts: int, *, history_months: int, count: int = 1, max_items: int = 100
) -> list[str]:
    """Ordinary sandbox users with exactly ``accounts`` accounts whose lists fit one page."""
    data = SandboxData(history_months=history_months)
    found: list[str] = []
    for n in range(100_000):
        user_id = f"user_{n}"
        truth = data.user(user_id)
        if len(truth.accounts) != accounts:
            continue
        if all(len(a.paystubs) <= max_items and len(a.shifts) <= max_items for a in truth.accounts):
            found.append(user_id)
            if len(found) == count:
                return found
    raise LookupError(f"no user with {accounts} accounts")


def batch_users(count: int) -> list[str]:
    """``count`` ordinary users (0-3 accounts each, as the sandbox draws them)."""
    return [f"bench_{n}" for n in range(count)]


# -- clients ------------------------------------------------------------------------------


def sdk_client(base_url: str, *, httpcore: bool = False, **options: Any) -> PayrollClient:
    """The SDK with default settings (its default transport is aiohttp under httpx);
    ``httpcore``: httpx's own stack instead (``ShardedTransport.sized(max_in_flight)``)."""
    if httpcore:
        in_flight = options.get("max_in_flight", DEFAULT_MAX_IN_FLIGHT)
        options["transport"] = ShardedTransport.sized(in_flight)
    return PayrollClient(api_secret=SECRET, base_url=base_url, **options)


Get = Callable[[str, dict[str, Any] | None], Awaitable[tuple[int, bytes]]]


class RawHttpx:
    """A bare ``httpx.AsyncClient`` behind one semaphore: ``get(path, params)``; with
    ``aiohttp=True``, over ``httpx_aiohttp.AiohttpTransport`` (pool of ``in_flight``)."""

    def __init__(
        self, base_url: str, limits: httpx.Limits | None, in_flight: int, *, aiohttp: bool = False
    ) -> None:
        kwargs: dict[str, Any] = {"base_url": base_url, "headers": HEADERS}
        if limits is not None:
            kwargs["limits"] = limits
        if aiohttp:
            kwargs["transport"] = httpx_aiohttp.AiohttpTransport(
                limits=httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
            )
        self.client = httpx.AsyncClient(**kwargs)
        self.semaphore = asyncio.Semaphore(in_flight)

    async def get(self, path: str, params: dict[str, Any] | None) -> tuple[int, bytes]:
        async with self.semaphore:
            response = await self.client.get(path, params=params)
            return response.status_code, response.content

    async def aclose(self) -> None:
        await self.client.aclose()


class RawAiohttp:
    """A bare ``aiohttp.ClientSession`` (connector limit = ``in_flight``)."""

    def __init__(self, base_url: str, in_flight: int) -> None:
        self.base = base_url
        connector = aiohttp.TCPConnector(limit=in_flight)
        self.session = aiohttp.ClientSession(headers=HEADERS, connector=connector)
        self.semaphore = asyncio.Semaphore(in_flight)

    async def get(self, path: str, params: dict[str, Any] | None) -> tuple[int, bytes]:
        async with self.semaphore, self.session.get(self.base + path, params=params) as response:
            return response.status, await response.read()

    async def aclose(self) -> None:
        await self.session.close()


# -- the same work, by hand ---------------------------------------------------------------

_OBJECTS: dict[str, type[Any]] = {
    "income": ObjectResponse[Income],
    "identity": ObjectResponse[Identity],
    "employment": ObjectResponse[Employment],
    "direct_deposit_allocations": ObjectResponse[DirectDepositAllocations],
}
_ACCOUNTS = ListResponse[PayrollAccount]
_LISTS: dict[str, type[Any]] = {"paystubs": ListResponse[Paystub], "shifts": ListResponse[Shift]}


async def _all_pages(get: Get, path: str, model: type[Any]) -> tuple[list[Any], ResourceStatus]:
    items: list[Any] = []
    seen: set[str] = set()
    params: dict[str, Any] = {"limit": 100}
    pages = 0
    refreshed = None
    while True:
        status, body = await get(path, params)
        if status == 404:
            return items, ResourceStatus(state="not_found", attempts=1)
        page = model.model_validate_json(body)
        pages += 1
        refreshed = refreshed or page.meta.refreshed_at
        for item in page.data:
            key = str(item.id)
            if key not in seen:
                seen.add(key)
                items.append(item)
        if not page.meta.next_cursor:
            return items, ResourceStatus(
                state="ok", refreshed_at=refreshed, attempts=pages, pages=pages
            )
        params = {"limit": 100, "cursor": page.meta.next_cursor}


async def _account(get: Get, account: PayrollAccount) -> AccountProfile:
    base = f"accounts/{account.id}"
    profile = AccountProfile(account=account)
    status: dict[str, ResourceStatus] = {}

    async def listed(name: str) -> None:
        items, status[name] = await _all_pages(get, f"{base}/{name}", _LISTS[name])
        setattr(profile, name, items)

    async def single(name: str) -> None:
        code, body = await get(f"{base}/{name}", None)
        if code == 404:
            status[name] = ResourceStatus(state="not_found", attempts=1)
            return
        response = _OBJECTS[name].model_validate_json(body)
        setattr(profile, name, response.data)
        status[name] = ResourceStatus(
            state="ok", refreshed_at=response.meta.refreshed_at, attempts=1, pages=1
        )

    await asyncio.gather(*(listed(n) for n in _LISTS), *(single(n) for n in _OBJECTS))
    profile.status = status  # type: ignore[assignment]
    return profile


async def raw_profile(get: Get, end_user_id: str) -> PayrollProfile:
    """``get_profile`` by hand over ``get``: same requests, validation and merge."""
    fetched_at = datetime.now(UTC)
    accounts, _ = await _all_pages(get, f"end_users/{end_user_id}/accounts", _ACCOUNTS)
    profiles = list(await asyncio.gather(*(_account(get, a) for a in accounts)))
    for profile in profiles:
        profile.freshness = assess_freshness(
            profile, as_of=fetched_at, stale_after=DEFAULT_STALE_AFTER
        )
    return PayrollProfile(
        end_user_id=end_user_id,
        fetched_at=fetched_at,
        accounts=profiles,
        summary=summary_of(profiles, as_of=fetched_at.date(), stale_after=DEFAULT_STALE_AFTER),
        complete=True,
        problems=[],
    )


async def raw_profiles(
    get: Get, user_ids: Iterable[str], concurrency: int, stop_at: float | None = None
) -> int:
    """Stream ``raw_profile`` over many users, ``concurrency`` at a time; returns how many.

    At ``stop_at`` (a ``perf_counter`` time) the profiles still in progress are cancelled.
    """
    ids = iter(user_ids)
    done = 0

    async def worker() -> None:
        nonlocal done
        for user_id in ids:
            await raw_profile(get, user_id)
            done += 1

    await _until(asyncio.gather(*(worker() for _ in range(concurrency))), stop_at)
    return done


async def sdk_profiles(
    client: PayrollClient, user_ids: Iterable[str], concurrency: int, stop_at: float | None = None
) -> int:
    """Stream ``client.get_profiles`` over many users; cancelled at ``stop_at``."""
    from contextlib import aclosing

    done = 0

    async def consume() -> None:
        nonlocal done
        async with aclosing(client.get_profiles(user_ids, concurrency=concurrency)) as results:
            async for result in results:
                if result.error is not None:
                    raise result.error
                done += 1

    await _until(consume(), stop_at)
    return done


async def _until(work: Awaitable[Any], stop_at: float | None) -> None:
    if stop_at is None:
        await work
        return
    try:
        async with asyncio.timeout(max(0.0, stop_at - time.perf_counter())):
            await work
    except TimeoutError:
        pass


# -- the machine ---------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import platform
    from importlib.metadata import version

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "os": platform.platform(),
        **{
            name: version(name)
            for name in (
                "payroll-sdk",
                "httpx",
                "httpcore",
                "aiohttp",
                "httpx-aiohttp",
                "pydantic",
                "uvicorn",
                "starlette",
                "requests",
            )
        },
    }


# -- run settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """How big each case is; ``quick()`` is the smoke run."""

    quick: bool = False
    repeats: int = 5
    profile_samples: int = 5  # per repeat, single-profile case
    batch_users: int = 2000
    batch_seconds: float = 12.0  # time box per batch configuration
    sweep_seconds: float = 3.0
    sweep_levels: tuple[int, ...] = (10, 25, 50, 100)
    cpu_users: int = 60
    memory_users: int = 2000
    stream_users: int = 10_000
    import_runs: int = 7

    @classmethod
    def full(cls) -> Settings:
        return cls()

    @classmethod
    def smoke(cls) -> Settings:
        return cls(
            quick=True,
            repeats=2,
            profile_samples=2,
            batch_users=400,
            batch_seconds=2.0,
            sweep_seconds=1.0,
            sweep_levels=(10, 100),
            cpu_users=12,
            memory_users=150,
            stream_users=600,
            import_runs=3,
        )
