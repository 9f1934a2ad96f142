"""Issue 11: the in-process sandbox (``PayrollClient.sandbox()``), 200 users, >= 5x faster than
before the work on it, measured side by side with the older code in the same run.

Each sample is a fresh process (``bench/_sandbox_probe.py``): one cold pass (the process's
first sandbox generates every user) and warm passes (a fresh client and app each, over the
data the process already generated, as the test suite and the docs build many sandboxes).
The older code runs the very same probe from a temporary ``git worktree`` of its commit, with
``PYTHONPATH`` pointing at its ``src``; without git (or the commits) it is skipped, said so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any

import _harness as h

from cases._result import CaseResult, Check, table

REPO = h.BENCH_DIR.parent
PROBE = h.BENCH_DIR / "_sandbox_probe.py"
#: The code before the work on issue 11's sandbox target, and the 0.1.0 release.
BASELINES = (("before this work (c05ec15)", "c05ec15"), ("0.1.0 (bba9125)", "bba9125"))
CURRENT = "this tree"
TARGET = 5.0


@contextmanager
def _checkout(commit: str) -> Iterator[Path]:
    """``src`` of ``commit`` in a temporary worktree, removed afterwards."""
    where = Path(tempfile.mkdtemp(prefix="bench-sandbox-")) / "tree"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", str(where), commit],
        check=True,
        capture_output=True,
        text=True,
    )
    try:
        yield where / "src"
    finally:
        with suppress(OSError, subprocess.CalledProcessError):
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(where)],
                check=True,
                capture_output=True,
            )
        shutil.rmtree(where.parent, ignore_errors=True)


def _probe(src: Path, users: int, warm: int) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(src))
    out = subprocess.run(
        [sys.executable, str(PROBE), "--users", str(users), "--warm", str(warm)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    sample: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    if not Path(sample["sdk"]).resolve().is_relative_to(src.resolve()):
        raise RuntimeError(f"the probe imported {sample['sdk']}, not the code under {src}")
    return sample


def _spreads(samples: list[dict[str, Any]]) -> dict[str, h.Spread]:
    warm = [run for sample in samples for run in sample["warm"]]
    return {
        "cold wall": h.Spread([s["cold"]["wall"] for s in samples]),
        "cold CPU": h.Spread([s["cold"]["cpu"] for s in samples]),
        "cold sandbox CPU": h.Spread([s["cold"]["sandbox_cpu"] for s in samples]),
        "warm wall": h.Spread([run["wall"] for run in warm]),
        "warm CPU": h.Spread([run["cpu"] for run in warm]),
        "warm sandbox CPU": h.Spread([run["sandbox_cpu"] for run in warm]),
    }


async def run(settings: h.Settings) -> CaseResult:
    users = 60 if settings.quick else 200
    result = CaseResult(f"11. In-process sandbox (PayrollClient.sandbox(), {users} users)")
    repeats = min(settings.repeats, 3)
    warm = 2
    sources: dict[str, Path] = {CURRENT: REPO / "src"}
    with _baselines(result) as found:
        sources.update(found)
        samples: dict[str, list[dict[str, Any]]] = {name: [] for name in sources}
        for _ in range(repeats):
            # Interleaved, so drift in the machine's load hits every version alike.
            for name, src in sources.items():
                samples[name].append(_probe(src, users, warm))
    spreads = {name: _spreads(runs) for name, runs in samples.items()}
    metrics = list(spreads[CURRENT])
    rows = [[name, *(spread[m].fmt() for m in metrics)] for name, spread in spreads.items()]
    result.tables.append(table(["code", *(f"{m} (s)" for m in metrics)], rows))
    for name, _commit in BASELINES:
        if name not in spreads:
            continue
        for phase in ("cold", "warm"):
            before = spreads[name][f"{phase} wall"].median
            after = spreads[CURRENT][f"{phase} wall"].median
            speedup = before / after
            cpu_before = spreads[name][f"{phase} CPU"].median
            cpu_after = spreads[CURRENT][f"{phase} CPU"].median
            result.checks.append(
                Check(
                    f"T11 sandbox, {users} users, {phase}: {name} vs now",
                    f"wall {before:.2f} -> {after:.2f} s ({speedup:.1f}x); CPU {cpu_before:.2f} "
                    f"-> {cpu_after:.2f} s ({cpu_before / cpu_after:.1f}x)",
                    speedup / TARGET,
                    f">= {TARGET:.0f}x faster",
                    speedup >= TARGET if name == BASELINES[0][0] else None,
                )
            )
    result.notes.append(
        f"{users} ordinary users (`bench_0`...), `get_profiles(concurrency=10)` through "
        "`PayrollClient.sandbox()` with the default `SandboxConfig`; per sample a fresh "
        f"process: one cold pass, then {warm} warm passes (fresh client and app, the data "
        f"already generated in the process); {repeats} samples per version, interleaved. "
        "Median (min-max). CPU is the process's; sandbox CPU is the time spent inside the "
        "Starlette app (routing, handlers, generation, serialisation); the rest of the CPU is "
        "the client's (requests, parsing, merging) and Python's cycle collector, which runs "
        "wherever it is triggered. The PASS/FAIL checks compare with the code before this "
        "work (wall time: on a loaded machine, compare the CPU figures); the 0.1.0 rows are "
        "for information."
    )
    return result


@contextmanager
def _baselines(result: CaseResult) -> Iterator[dict[str, Path]]:
    """The older versions' ``src`` directories, for as long as the case runs."""
    found: dict[str, Path] = {}
    with ExitStack() as stack:
        for name, commit in BASELINES:
            if shutil.which("git") is None:
                result.notes.append(f"Skipped {name}: git is not available.")
                continue
            try:
                found[name] = stack.enter_context(_checkout(commit))
            except subprocess.CalledProcessError as exc:
                result.notes.append(f"Skipped {name}: `git worktree add` failed: {exc.stderr}")
        yield found
