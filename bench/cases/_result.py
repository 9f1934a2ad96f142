"""What a case hands back to ``bench/run.py``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Check:
    """One target: what was measured, the ratio against the bound, and whether it holds."""

    target: str
    measured: str
    ratio: float | None
    bound: str
    passed: bool | None  # None: a figure to document, with no bound in issue 5

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return "INFO"
        return "PASS" if self.passed else "FAIL"


@dataclass
class CaseResult:
    """A case's checks, its tables (Markdown), notes, and raw series for the chart."""

    title: str
    checks: list[Check] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    series: dict[str, Any] = field(default_factory=dict)
    #: When and under which load it was measured (set by bench/run.py).
    meta: dict[str, str] = field(default_factory=dict)


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
