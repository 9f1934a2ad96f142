"""Run the benchmark suite: ``python bench/run.py [--quick] [--only profile,batch]``.

Writes ``bench/RESULTS.md`` (tables, every target with its ratio and PASS/FAIL, the machine)
and ``bench/chart.png``. See bench/README.md for what each case measures.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import shutil
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import _harness as h  # noqa: E402
from cases._result import CaseResult  # noqa: E402

CASES = ("profile", "history", "batch", "cpu", "memory", "stream", "imports", "store")


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} / {five:.2f}"


async def _run_cases(names: list[str], settings: h.Settings) -> list[CaseResult]:
    results = []
    for name in names:
        started = time.perf_counter()
        print(f"[bench] {name} ... (load {_load()})", flush=True)
        module = importlib.import_module(f"cases.{name}")
        load_before = _load()
        result: CaseResult = await module.run(settings)
        result.notes.append(
            f"Load average (1 min / 5 min) at this case's start: {load_before}, "
            f"at its end: {_load()} (2 cores, shared with other work)."
        )
        for check in result.checks:
            ratio = f"{check.ratio:.2f}" if check.ratio is not None else "-"
            print(f"  {check.verdict}  {check.target}: {check.measured} (ratio {ratio}, "
                  f"{check.bound})", flush=True)  # fmt: skip
        print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)
        results.append(result)
    return results


def _chart(results: list[CaseResult], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = {k: v for r in results for k, v in r.series.items()}
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    curve = series.get("latency_vs_accounts")
    if curve:
        for key, label, style in (
            ("sequential", "sequential requests", "o--"),
            ("sdk", "SDK get_profile", "o-"),
            ("aiohttp", "raw aiohttp (same work)", "s:"),
        ):
            left.plot(curve["accounts"], curve[key], style, label=label)
        left.axhline(100, color="grey", lw=0.8, ls="-.", label="critical path (2 x 50 ms)")
        left.set_xlabel("payroll accounts per user")
        left.set_ylabel("wall time per profile (ms)")
        left.set_xticks(curve["accounts"])
        left.set_title("One profile, 50 ms per endpoint")
        left.legend()
    sweep = series.get("throughput_vs_concurrency")
    if sweep:
        for name, by_level in sweep.items():
            levels = sorted(by_level)
            right.plot(levels, [by_level[c] for c in levels], "o-", label=name)
        levels = sorted({c for by_level in sweep.values() for c in by_level})
        right.plot(levels, [c / 0.05 for c in levels], "k:", label="ideal (in flight / 50 ms)")
        right.set_xlabel("requests in flight")
        right.set_ylabel("requests per second")
        right.set_title("Batch of profiles, 50 ms per request")
        right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _markdown(
    results: list[CaseResult], settings: h.Settings, elapsed: float, loads: tuple[str, str]
) -> str:
    machine = h.machine()
    lines = [
        "# Benchmark results",
        "",
        "Written by `python bench/run.py" + (" --quick" if settings.quick else "") + "`; "
        "see [bench/README.md](README.md) and [docs/performance.md](../docs/performance.md).",
        "",
        "## Targets",
        "",
        "| target | measured | ratio | bound | verdict |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        for c in result.checks:
            ratio = f"{c.ratio:.2f}" if c.ratio is not None else "-"
            lines.append(f"| {c.target} | {c.measured} | {ratio} | {c.bound} | **{c.verdict}** |")
    lines += [
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in machine.items()],
        f"- load average (1 min / 5 min) at start: {loads[0]}, at end: {loads[1]}",
        f"- run: {'quick' if settings.quick else 'full'}, {settings.repeats} repeats, "
        f"{elapsed:.0f} s",
        "",
        "![chart](chart.png)",
        "",
    ]
    for result in results:
        lines += [f"## {result.title}", ""]
        for text in result.tables:
            lines += [text, ""]
        for note in result.notes:
            lines += [note, ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller smoke run (~1 min)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {CASES}")
    parser.add_argument("--output", default=str(BENCH_DIR), help="where RESULTS.md goes")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] or list(CASES)
    unknown = set(names) - set(CASES)
    if unknown:
        parser.error(f"unknown cases: {sorted(unknown)}")
    settings = h.Settings.smoke() if args.quick else h.Settings.full()
    start_load = _load()
    started = time.perf_counter()
    results = asyncio.run(_run_cases(names, settings))
    elapsed = time.perf_counter() - started
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    (out / "RESULTS.md").write_text(
        _markdown(results, settings, elapsed, (start_load, _load())), encoding="utf-8"
    )
    _chart(results, out / "chart.png")
    if out.resolve() == BENCH_DIR.resolve() and not args.only and not args.quick:
        # The docs site can only serve files under docs/: keep its copy of the chart current.
        shutil.copyfile(out / "chart.png", BENCH_DIR.parent / "docs" / "assets" / "bench-chart.png")
    print(f"[bench] wrote {out / 'RESULTS.md'} and {out / 'chart.png'} in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
