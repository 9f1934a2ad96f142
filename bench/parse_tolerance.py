"""Parsing cost of tolerant reading: a tidy page against a damaged one (issue 10).

A tidy body takes pydantic's fast path plus one byte search for an empty string; only a body
that fails, or holds an empty string, is read record by record. This measures both against
plain pydantic on the same 100-paystub page::

    python bench/parse_tolerance.py [--repeat 7] [--number 50]

Prints the best per-parse time of ``repeat`` runs of ``number`` parses each; write the figures
to bench/RESULTS.md ("Tolerant parsing").
"""

from __future__ import annotations

import argparse
import copy
import json
import timeit
from datetime import date

from pydantic import BaseModel

from payroll_sdk.models import PaystubPage
from payroll_sdk.sandbox import SandboxData


def _page() -> dict[str, object]:
    data = SandboxData(seed=1, today=date(2026, 3, 17))
    stubs: list[dict[str, object]] = []
    index = 0
    while len(stubs) < 100:
        for account in data.user(f"bench_{index}").accounts:
            stubs += account.paystubs
        index += 1
    return {"data": stubs[:100], "meta": {"count": 100, "next_cursor": None}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--number", type=int, default=50)
    args = parser.parse_args()
    body = _page()
    tidy = json.dumps(body).encode()
    damaged_body = copy.deepcopy(body)
    records = damaged_body["data"]
    assert isinstance(records, list)
    records[5]["pay_date"] = "2021-1-3"  # one unpadded date
    records[7]["deductions"] = None  # one null list
    damaged = json.dumps(damaged_body).encode()
    plain = BaseModel.model_validate_json.__func__  # type: ignore[attr-defined]

    calls = {
        "pydantic_alone_ms": lambda: plain(PaystubPage, tidy),
        "tidy_ms": lambda: PaystubPage.model_validate_json(tidy),
        "damaged_ms": lambda: PaystubPage.model_validate_json(damaged),
    }
    # Interleaved, best of `repeat`: on a shared machine the minimum is the least disturbed.
    figures = dict.fromkeys(calls, float("inf"))
    for _ in range(args.repeat):
        for name, call in calls.items():
            seconds = timeit.timeit(call, number=args.number) / args.number
            figures[name] = min(figures[name], seconds * 1000)
    print(json.dumps({k: round(v, 3) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
