"""Target 6: ``import payroll_sdk`` in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

import _harness as h

from cases._result import CaseResult, Check, table

_PROBE = "import time; t = time.perf_counter(); import payroll_sdk; print(time.perf_counter() - t)"
_BASELINE = (
    "import time; t = time.perf_counter(); import httpx, pydantic, tenacity; "
    "print(time.perf_counter() - t)"
)


def _times(code: str, runs: int) -> h.Spread:
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        samples.append(float(out.strip()))
    return h.Spread(samples)


def _heaviest(count: int) -> list[tuple[str, int, int]]:
    """The modules with the most self time when importing payroll_sdk (µs)."""
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import payroll_sdk"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    rows = []
    for line in err.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, total, name = (part.strip() for part in line[len("import time:") :].split("|"))
        rows.append((name, int(own), int(total)))
    return sorted(rows, key=lambda row: row[1], reverse=True)[:count]


async def run(settings: h.Settings) -> CaseResult:
    result = CaseResult("6. Import time")
    sdk = _times(_PROBE, settings.import_runs)
    deps = _times(_BASELINE, settings.import_runs)
    result.tables.append(
        table(
            ["import", "ms, median (min-max)"],
            [["payroll_sdk", sdk.fmt(1000)], ["httpx + pydantic + tenacity alone", deps.fmt(1000)]],
        )
    )
    result.checks.append(
        Check(
            "T6 import payroll_sdk",
            f"{sdk.median * 1000:.0f} ms",
            sdk.median / 0.150,
            "< 150 ms",
            sdk.median < 0.150,
        )
    )
    own = sdk.median - deps.median
    result.checks.append(
        Check(
            "T6 our own modules: import payroll_sdk minus httpx + pydantic + tenacity",
            f"{own * 1000:.0f} ms",
            own / 0.040,
            "< 40 ms",
            own < 0.040,
        )
    )
    heavy = _heaviest(8)
    result.tables.append(
        table(
            ["module (python -X importtime)", "self ms", "cumulative ms"],
            [[name, f"{own / 1000:.1f}", f"{total / 1000:.1f}"] for name, own, total in heavy],
        )
    )
    result.notes.append(
        f"The SDK adds {own * 1000:.0f} ms to `import httpx, pydantic, tenacity` (pydantic "
        "loads its model machinery lazily). No model class is built at import: the model "
        "names are lazy (module `__getattr__`), the client imports its resources (and their "
        "models) when constructed, tenacity loads on the first retry and aiohttp when the "
        "first client is built. What remains is the client, the transport and asyncio."
    )
    result.notes.append(
        f"Fresh `{sys.executable} -c 'import payroll_sdk'`, {settings.import_runs} runs, timed "
        "inside the child (interpreter start-up excluded). Break it down with "
        "`python -X importtime -c 'import payroll_sdk'`."
    )
    return result
