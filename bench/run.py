"""Run the benchmark suite: ``python bench/run.py [--quick] [--only profile,batch]``.

Writes ``bench/RESULTS.md`` (tables, every target with its ratio and PASS/FAIL, the machine)
and ``bench/chart.png``. See bench/README.md for what each case measures.

Each case's figures are kept in ``results.json`` beside RESULTS.md, with when and under
which load they were measured. A run with ``--only`` replaces the cases it ran and keeps the
others, so RESULTS.md always shows every case's latest figures, each dated. Only the part of
RESULTS.md between the ``bench/run.py`` markers is rewritten: the sections other scripts write
(``celery_scale.py``'s T9, ``export_parquet.py``...) stay as they are.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import json
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import _harness as h  # noqa: E402
from cases._result import CaseResult, Check  # noqa: E402

CASES = (
    "profile",
    "history",
    "batch",
    "cpu",
    "memory",
    "stream",
    "imports",
    "store",
    "sandbox",
)
START, END = "<!-- bench/run.py start -->", "<!-- bench/run.py end -->"


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
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
        result: CaseResult = await module.run(settings)
        _stamp(result, settings, when, (load_before, _load()))
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
        # Levels are int keys in a fresh run and strings once they went through results.json.
        sweep = {name: {int(c): v for c, v in by.items()} for name, by in sweep.items()}
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


def _stamp(result: CaseResult, settings: h.Settings, started: str, loads: tuple[str, str]) -> None:
    """Date a case's result: when, how big a run, and the machine's load around it."""
    result.meta = {
        "when": started,
        "run": "quick" if settings.quick else f"full, {settings.repeats} repeats",
        "load": f"{loads[0]} at start, {loads[1]} at end",
    }


def _saved(path: Path) -> dict[str, CaseResult]:
    """The cases kept in ``results.json`` by earlier runs (none when there is no file)."""
    if not path.exists():
        return {}
    kept = json.loads(path.read_text(encoding="utf-8"))
    cases = {}
    for name, data in kept.items():
        checks = [Check(**c) for c in data.pop("checks")]
        cases[name] = CaseResult(**data, checks=checks)
    return cases


def _save(path: Path, cases: dict[str, CaseResult]) -> None:
    data = {name: dataclasses.asdict(result) for name, result in cases.items()}
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _markdown(cases: dict[str, CaseResult]) -> str:
    machine = h.machine()
    ordered = [cases[name] for name in CASES if name in cases]
    lines = [
        START,
        "Written by `python bench/run.py` (each case's figures from its latest run, dated below); "
        "see [bench/README.md](README.md) and [docs/performance.md](../docs/performance.md).",
        "",
        "## Targets",
        "",
        "| target | measured | ratio | bound | verdict | measured at (UTC) |",
        "|---|---|---|---|---|---|",
    ]
    for result in ordered:
        for c in result.checks:
            ratio = f"{c.ratio:.2f}" if c.ratio is not None else "-"
            lines.append(
                f"| {c.target} | {c.measured} | {ratio} | {c.bound} | **{c.verdict}** "
                f"| {result.meta.get('when', '?')} |"
            )
    lines += [
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in machine.items() if key != "date"],
        "",
        "![chart](chart.png)",
        "",
    ]
    for result in ordered:
        lines += [f"## {result.title}", ""]
        meta = result.meta
        if meta:
            lines += [
                f"_Measured {meta['when']} UTC ({meta['run']}); load average (1 min / 5 min) "
                f"{meta['load']}, on 2 cores._",
                "",
            ]
        for text in result.tables:
            lines += [text, ""]
        for note in result.notes:
            lines += [note, ""]
    lines.append(END)
    return "\n".join(lines)


def _write_results(path: Path, block: str) -> None:
    """Put ``block`` between the markers of ``path``, keeping everything else."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        first, _, rest = text.partition("\n")
        text = f"{first}\n\n{block}\n{rest}"
    path.write_text(text, encoding="utf-8")


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
    started = time.perf_counter()
    results = asyncio.run(_run_cases(names, settings))
    elapsed = time.perf_counter() - started
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    cases = _saved(out / "results.json")
    cases.update(zip(names, results, strict=True))
    _save(out / "results.json", cases)
    _write_results(out / "RESULTS.md", _markdown(cases))
    _chart(list(cases.values()), out / "chart.png")
    if out.resolve() == BENCH_DIR.resolve() and not args.only and not args.quick:
        # The docs site can only serve files under docs/: keep its copy of the chart current.
        shutil.copyfile(out / "chart.png", BENCH_DIR.parent / "docs" / "assets" / "bench-chart.png")
    print(f"[bench] wrote {out / 'RESULTS.md'} and {out / 'chart.png'} in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
