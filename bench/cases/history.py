"""Target 2: a long history. The cursor chain costs one round trip per page; the SDK's concurrent
date windows (aggregation/_history.py) cost three round trips whatever the length."""

from __future__ import annotations

from datetime import date

import _harness as h

from cases._result import CaseResult, Check, table
from payroll_sdk import ResourceName
from payroll_sdk.sandbox import SandboxData

LATENCY_MS = 50.0
USER = "user_long_history"


async def run(settings: h.Settings) -> CaseResult:
    result = CaseResult("2. Long history (cursor chain vs concurrent date windows)")
    truth = SandboxData().user(USER).accounts[0]
    stub_dates = [p["pay_date"] for p in truth.paystubs]
    shift_dates = [s["end_date"] for s in truth.shifts]
    stub_pages = -(-len(stub_dates) // 100)
    shift_pages = -(-len(shift_dates) // 100)
    rows = []
    with h.BenchSandbox(latency_ms=LATENCY_MS, warm_users=[USER]) as sandbox:
        client = h.sdk_client(sandbox.base_url)
        try:
            profile = await client.get_profile(USER)  # warm up
            chained = from_start = profile
            chain_only: list[ResourceName] = [
                "paystubs",
                "shifts",
                "income",
                "identity",
                "direct_deposit_allocations",
            ]
            start = date.fromisoformat(truth.employment["start_date"])
            await client.get_profile(USER, from_date=start)  # warm up
            chain: list[float] = []
            windows: list[float] = []
            hinted: list[float] = []
            for _ in range(settings.repeats):
                # Each previous sample's profile (1,555 records: milliseconds to free) is
                # released before its timed block, not by the assignment inside it.
                del chained, profile, from_start
                # Without employment there is no start date, so the SDK follows the cursors.
                with h.measure(sandbox) as usage:
                    chained = await client.get_profile(USER, include=chain_only)
                chain.append(usage.wall)
                with h.measure(sandbox) as usage:
                    profile = await client.get_profile(USER)
                windows.append(usage.wall)
                with h.measure(sandbox) as usage:
                    from_start = await client.get_profile(USER, from_date=start)
                hinted.append(usage.wall)
            for got in (chained.accounts[0], profile.accounts[0], from_start.accounts[0]):
                assert [p["id"] for p in truth.paystubs] == [str(p.id) for p in got.paystubs]
                assert [s["id"] for s in truth.shifts] == [str(s.id) for s in got.shifts]
            chain_s, windows_s, hinted_s = h.Spread(chain), h.Spread(windows), h.Spread(hinted)
            floor = (1 + max(stub_pages, shift_pages)) * LATENCY_MS / 1000
            three_trips = 3 * LATENCY_MS / 1000
            two_trips = 2 * LATENCY_MS / 1000
            status = profile.accounts[0].status
            rows.append(
                [
                    "SDK get_profile, cursor chain (no start date)",
                    f"{stub_pages} + {shift_pages}",
                    chain_s.fmt(1000),
                    f"{floor * 1000:.0f}",
                    "1.00x",
                ]
            )
            rows.append(
                [
                    "SDK get_profile, date windows (default)",
                    f"{status['paystubs'].pages} + {status['shifts'].pages}",
                    windows_s.fmt(1000),
                    f"{three_trips * 1000:.0f}",
                    f"{chain_s.median / windows_s.median:.2f}x",
                ]
            )
            result.checks.append(
                Check(
                    f"T2 cursor chain: wall / ((1 + {shift_pages} pages) x 50 ms)",
                    f"{chain_s.median * 1000:.0f} ms",
                    chain_s.median / floor,
                    "documented (pages x RTT)",
                    None,
                )
            )
            hinted_status = from_start.accounts[0].status
            rows.append(
                [
                    "SDK get_profile(from_date=employment start): windows planned at once",
                    f"{hinted_status['paystubs'].pages} + {hinted_status['shifts'].pages}",
                    hinted_s.fmt(1000),
                    f"{two_trips * 1000:.0f}",
                    f"{chain_s.median / hinted_s.median:.2f}x",
                ]
            )
            result.checks.append(
                Check(
                    "T2 with from_date: wall / two round trips (100 ms)",
                    f"{hinted_s.median * 1000:.0f} ms",
                    hinted_s.median / two_trips,
                    "≤ 1.3x",
                    hinted_s.median / two_trips <= 1.3,
                )
            )
            result.checks.append(
                Check(
                    "T2 date windows: wall / their own critical path (3 round trips)",
                    f"{windows_s.median * 1000:.0f} ms",
                    windows_s.median / three_trips,
                    "documented",
                    None,
                )
            )
            result.checks.append(
                Check(
                    "T2 date windows vs cursor chain: speed-up",
                    f"{chain_s.median * 1000:.0f} → {windows_s.median * 1000:.0f} ms",
                    chain_s.median / windows_s.median,
                    "documented",
                    None,
                )
            )
        finally:
            await client.aclose()
    result.tables.append(
        table(["strategy", "pages", "wall ms, median (min-max)", "floor ms", "speed-up"], rows)
    )
    result.notes.append(
        f"`{USER}`: {len(stub_dates)} paystubs ({stub_pages} pages of 100) and "
        f"{len(shift_dates)} shifts ({shift_pages} pages), {LATENCY_MS:.0f} ms per request. "
        "Without from_date, date windows (aggregation/_history.py) need three round trips: "
        "the accounts, then the first page of each list together with the employment start "
        "date, then every window at once. With from_date the windows are planned before any "
        "page (sized for a paystub a week and a shift a day, at most 16 per list), so the "
        "lists take the same round trip as the other resources: two in all. "
        "The cursor-chain row is the same profile without employment (no start date), which "
        "makes the SDK follow the cursors."
    )
    return result
