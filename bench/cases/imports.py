"""Target 6: import time, each probe in a fresh interpreter, timed inside the child.

Side by side in one run (the probes of a run are interleaved, so a change of load hits them
alike):

- ``import payroll_sdk``: the package alone (its public names are lazy);
- ``from payroll_sdk import PayrollClient``: the real first use;
- ``import httpx, pydantic, tenacity`` alone, and in the same child the client's own share:
  ``from payroll_sdk import PayrollClient`` timed right after the three (a paired
  difference, steadier than subtracting two medians of separate children, which is shown
  too), and, in another child, what ``import asyncio`` alone adds over the three;
- constructing ``PayrollClient(api_secret=..., base_url=...)`` (informational: the first
  client loads the resources, their models and aiohttp).
"""

from __future__ import annotations

import json
import subprocess
import sys

import _harness as h

from cases._result import CaseResult, Check, table

_DEPS = "import httpx, pydantic, tenacity"

# Each probe prints a JSON list of durations in seconds.
_PROBES: dict[str, str] = {
    "package": (
        "import json, time; t = time.perf_counter(); import payroll_sdk; "
        "print(json.dumps([time.perf_counter() - t]))"
    ),
    "client": (
        "import json, time; t = time.perf_counter(); from payroll_sdk import PayrollClient; "
        "imported = time.perf_counter() - t\n"
        "import asyncio\n"
        "t = time.perf_counter()\n"
        "client = PayrollClient(api_secret='s' * 32, base_url='http://127.0.0.1:9/v1')\n"
        "built = time.perf_counter() - t\n"
        "asyncio.run(client.aclose())\n"
        "print(json.dumps([imported, built]))"
    ),
    "own": (
        f"import json, time; t = time.perf_counter(); {_DEPS}; deps = time.perf_counter() - t; "
        "t = time.perf_counter(); from payroll_sdk import PayrollClient; "
        "print(json.dumps([deps, time.perf_counter() - t]))"
    ),
    "asyncio": (
        f"import json, time; {_DEPS}; t = time.perf_counter(); import asyncio; "
        "print(json.dumps([time.perf_counter() - t]))"
    ),
}


def _sample(code: str) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return [float(value) for value in json.loads(out)]


def _modules(code: str) -> dict[str, tuple[int, int]]:
    """``python -X importtime`` of ``code``: module -> (self, cumulative) in µs."""
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    rows = {}
    for line in err.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, total, name = (part.strip() for part in line[len("import time:") :].split("|"))
        rows[name] = (int(own), int(total))
    return rows


def _added(count: int) -> tuple[list[tuple[str, int, int]], int, int]:
    """The modules ``from payroll_sdk import PayrollClient`` loads that the three do not,
    heaviest self time first; with how many there are and their summed self time (µs)."""
    base = _modules(_DEPS)
    added = {
        name: times
        for name, times in _modules("from payroll_sdk import PayrollClient").items()
        if name not in base
    }
    rows = sorted(
        ((name, own, total) for name, (own, total) in added.items()),
        key=lambda row: row[1],
        reverse=True,
    )
    return rows[:count], len(added), sum(own for own, _ in added.values())


async def run(settings: h.Settings) -> CaseResult:
    result = CaseResult("6. Import time")
    samples: dict[str, list[list[float]]] = {name: [] for name in _PROBES}
    for _ in range(settings.import_runs):
        for name, code in _PROBES.items():
            samples[name].append(_sample(code))

    def spread(probe: str, index: int = 0) -> h.Spread:
        return h.Spread([sample[index] for sample in samples[probe]])

    package = spread("package")
    client = spread("client")
    built = spread("client", 1)
    deps = spread("own")
    own = spread("own", 1)
    asyncio_alone = spread("asyncio")
    unpaired = client.median - deps.median
    result.tables.append(
        table(
            ["import (fresh interpreter)", "ms, median (min-max)"],
            [
                ["`import payroll_sdk`", package.fmt(1000)],
                ["`from payroll_sdk import PayrollClient`", client.fmt(1000)],
                ["`import httpx, pydantic, tenacity` alone", deps.fmt(1000)],
                [
                    "the client's own share: `from payroll_sdk import PayrollClient` right "
                    "after the three, same interpreter",
                    own.fmt(1000),
                ],
                ["  of it, `import asyncio` alone after the three", asyncio_alone.fmt(1000)],
                [
                    "  for reference: PayrollClient median minus the three's median "
                    "(separate interpreters)",
                    f"{unpaired * 1000:.1f}",
                ],
                [
                    "constructing `PayrollClient(api_secret=..., base_url=...)` after "
                    "its import (informational)",
                    built.fmt(1000),
                ],
            ],
        )
    )
    result.checks.append(
        Check(
            "T6 import payroll_sdk",
            f"{package.median * 1000:.0f} ms",
            package.median / 0.150,
            "< 150 ms",
            package.median < 0.150,
        )
    )
    result.checks.append(
        Check(
            "T6 our own modules: from payroll_sdk import PayrollClient, over httpx + "
            "pydantic + tenacity",
            f"{own.median * 1000:.0f} ms",
            own.median / 0.040,
            "< 40 ms",
            own.median < 0.040,
        )
    )
    result.checks.append(
        Check(
            "constructing the first PayrollClient (loads resources, models, aiohttp)",
            f"{built.median * 1000:.0f} ms",
            None,
            "-",
            None,
        )
    )
    heavy, added, added_self = _added(10)
    result.tables.append(
        table(
            [
                "module `from payroll_sdk import PayrollClient` adds (python -X importtime)",
                "self ms",
                "cumulative ms",
            ],
            [[name, f"{own / 1000:.1f}", f"{total / 1000:.1f}"] for name, own, total in heavy]
            + [[f"all {added} added modules", f"{added_self / 1000:.1f}", ""]],
        )
    )
    result.notes.append(
        "`import payroll_sdk` loads no dependency: every public name but `__version__` is "
        "resolved on first use (module `__getattr__`). `from payroll_sdk import PayrollClient` "
        "loads httpx, pydantic (not its model machinery: no model class is built), asyncio "
        "and the client's own modules; the resources and their models load when the first "
        "client is built, aiohttp too, and tenacity on the first retry."
    )
    result.notes.append(
        f"Fresh `{sys.executable} -c ...` per probe, {settings.import_runs} runs, the probes "
        "of a run interleaved, timed inside the child (interpreter start-up excluded). The "
        "own share is paired: the three are imported, then the client, in one child. "
        "`-X importtime` inflates each module's figure by its own bookkeeping; its table "
        "ranks, the rows above measure."
    )
    return result
