"""Target 2: a long history. The cursor chain costs one round trip per page; concurrent date
windows (prototyped here, not in the SDK) cost about one chain of the longest window."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import _harness as h

from cases._result import CaseResult, Check, table
from payroll_sdk import PayrollClient
from payroll_sdk.sandbox import SandboxData

LATENCY_MS = 50.0
USER = "user_long_history"


def _windows(first: date, last: date, count: int) -> list[tuple[date, date]]:
    """``count`` adjacent, non-overlapping date windows covering ``first..last``."""
    span = (last - first).days + 1
    step = -(-span // count)
    out = []
    start = first
    while start <= last:
        end = min(last, start + timedelta(days=step - 1))
        out.append((start, end))
        start = end + timedelta(days=1)
    return out


async def _windowed(
    client: PayrollClient, account_id: str, first: date, last: date, count: int
) -> tuple[list[str], list[str]]:
    """Paystubs and shifts of one account, ``count`` date windows per list, all at once."""

    async def stubs(lo: date, hi: date) -> list[str]:
        pager = client.paystubs.list(account_id, from_pay_date=lo, to_pay_date=hi)
        return [str(p.id) async for p in pager]

    async def shifts(lo: date, hi: date) -> list[str]:
        pager = client.shifts.list(account_id, from_end_date=lo, to_end_date=hi)
        return [str(s.id) async for s in pager]

    windows = _windows(first, last, count)
    parts = await asyncio.gather(
        *(stubs(lo, hi) for lo, hi in windows), *(shifts(lo, hi) for lo, hi in windows)
    )
    stub_ids = list(dict.fromkeys(i for part in parts[: len(windows)] for i in part))
    shift_ids = list(dict.fromkeys(i for part in parts[len(windows) :] for i in part))
    return stub_ids, shift_ids


async def run(settings: h.Settings) -> CaseResult:
    result = CaseResult("2. Long history (cursor chain vs concurrent date windows)")
    truth = SandboxData().user(USER).accounts[0]
    stub_dates = [p["pay_date"] for p in truth.paystubs]
    shift_dates = [s["end_date"] for s in truth.shifts]
    first = date.fromisoformat(min(stub_dates + shift_dates))
    last = date.fromisoformat(max(stub_dates + shift_dates))
    stub_pages = -(-len(stub_dates) // 100)
    shift_pages = -(-len(shift_dates) // 100)
    rows = []
    with h.BenchSandbox(latency_ms=LATENCY_MS, warm_users=[USER]) as sandbox:
        client = h.sdk_client(sandbox.base_url)
        try:
            profile = await client.get_profile(USER)
            account_id = str(profile.accounts[0].account.id)
            chain: list[float] = []
            for _ in range(settings.repeats):
                with h.measure(sandbox) as usage:
                    profile = await client.get_profile(USER)
                chain.append(usage.wall)
            got = profile.accounts[0]
            assert len(got.paystubs) == len(stub_dates) and len(got.shifts) == len(shift_dates)
            chain_s = h.Spread(chain)
            floor = (1 + max(stub_pages, shift_pages)) * LATENCY_MS / 1000
            rows.append(
                [
                    "SDK get_profile (cursor chain)",
                    f"{stub_pages} + {shift_pages}",
                    chain_s.fmt(1000),
                    f"{floor * 1000:.0f}",
                    "1.00x",
                ]
            )
            result.checks.append(
                Check(
                    f"T2 long history, cursor chain: wall / ((1 + {shift_pages} pages) x 50 ms)",
                    f"{chain_s.median * 1000:.0f} ms",
                    chain_s.median / floor,
                    "documented (pages x RTT)",
                    None,
                )
            )
            for count in (4, 8, 16):
                samples = []
                for _ in range(settings.repeats):
                    with h.measure(sandbox) as usage:
                        stubs, shifts = await _windowed(client, account_id, first, last, count)
                    samples.append(usage.wall + LATENCY_MS / 1000)  # + the accounts call
                assert sorted(stubs) == sorted(str(p.id) for p in got.paystubs)
                assert sorted(shifts) == sorted(str(s.id) for s in got.shifts)
                spread = h.Spread(samples)
                if count == 8:
                    result.checks.append(
                        Check(
                            "T2 date windows x8 (bench prototype) vs cursor chain: speed-up",
                            f"{chain_s.median * 1000:.0f} → {spread.median * 1000:.0f} ms",
                            chain_s.median / spread.median,
                            "next step (not in the SDK yet)",
                            None,
                        )
                    )
                rows.append(
                    [
                        f"date windows x{count} (prototype, paystubs + shifts only)",
                        f"{2 * count} chains",
                        spread.fmt(1000),
                        "",
                        f"{chain_s.median / spread.median:.2f}x",
                    ]
                )
        finally:
            await client.aclose()
    result.tables.append(
        table(["strategy", "pages", "wall ms, median (min-max)", "floor ms", "speed-up"], rows)
    )
    result.notes.append(
        f"`{USER}`: {len(stub_dates)} paystubs ({stub_pages} pages of 100) and "
        f"{len(shift_dates)} shifts ({shift_pages} pages), {LATENCY_MS:.0f} ms per request. "
        "The SDK follows each list's cursor chain, so a profile costs (1 + longest chain) round "
        "trips. The window rows split the known date range into equal windows and follow each "
        "window's own chain concurrently (ids checked equal to the cursor chain's); they add "
        "one round trip for the accounts call so they compare with the whole profile. "
        "Next step: date windows inside `aggregation/_fetch.py`, with the range taken from the "
        "first page (newest date) and the account's employment start (oldest), and a caller "
        "hint for known ranges."
    )
    return result
