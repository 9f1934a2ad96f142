"""The chaos run at scale: many profiles from a sandbox that fails a share of all requests.

    python bench/chaos.py --users 5000 --fault-rate 0.2

Starts the sandbox in its own process on loopback, fetches every user with ``get_profiles``
(and a few dozen direct ``get_profile`` calls with tight random deadlines, plus every scenario
user) on one client, then runs every check of the chaos suite over the result and prints the
figures: faults injected by kind, requests, profiles complete/partial/failed, resources by
state, and the failures if any (exit status 1 then). It is the same harness as the test suite
(``tests/chaos/harness.py``); the suite runs 500 users.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from payroll_sdk.sandbox import SandboxProcess

HARNESS = Path(__file__).resolve().parent.parent / "tests" / "chaos" / "harness.py"


def load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("chaos_harness", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def main() -> int:
    harness = load_harness()
    defaults = harness.ChaosSettings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--fault-rate", type=float, default=defaults.fault_rate)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--concurrency", type=int, default=defaults.concurrency)
    parser.add_argument("--max-in-flight", type=int, default=defaults.max_in_flight)
    parser.add_argument("--max-retries", type=int, default=defaults.max_retries)
    parser.add_argument(
        "--deadline",
        type=float,
        default=defaults.batch_deadline,
        help="seconds per profile in the batch",
    )
    parser.add_argument(
        "--slack",
        type=float,
        default=0.25,
        help="seconds a call may overrun its deadline, on top of loop lag",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args()  # fmt: skip

    settings = harness.ChaosSettings(
        users=args.users,
        fault_rate=args.fault_rate,
        seed=args.seed,
        concurrency=args.concurrency,
        max_in_flight=args.max_in_flight,
        max_retries=args.max_retries,
        batch_deadline=args.deadline,
    )
    with SandboxProcess(settings.sandbox_config()) as sandbox:
        run = asyncio.run(
            harness.run_chaos(
                settings,
                base_url=sandbox.base_url,
                secret=sandbox.secret,
                fetch_stats=sandbox.fetch_stats,
            )
        )
    failures, tally = harness.all_failures(run, slack=args.slack)
    numbers = harness.figures(run, tally)
    numbers["failures"] = len(failures)
    if args.json:
        print(json.dumps(numbers, indent=2))
    else:
        print(f"chaos: {args.users} users + {len(settings.direct_ids())} direct calls, "
              f"fault rate {args.fault_rate:.0%}, seed {args.seed}")  # fmt: skip
        for key, value in numbers.items():
            print(f"  {key:28} {value}")
        print("OK: nothing lost, nothing duplicated, every check held" if not failures
              else harness.first(failures))  # fmt: skip
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
