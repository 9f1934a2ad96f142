"""``SandboxStats``: request and fault counters for one sandbox app.

The app runs on one event loop, so plain counters need no lock; readers on other threads
(a test holding a ``SandboxServer``) may see a snapshot a request behind, which is fine.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

__all__ = ["SandboxStats"]


class SandboxStats:
    """Counters: ``requests`` per endpoint name, ``total``, ``in_flight``, ``max_in_flight``,
    ``faults`` per kind and ``statuses`` per HTTP status code."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.total = 0
        self.in_flight = 0
        self.max_in_flight = 0

    def reset(self) -> None:
        """Zero every counter except ``in_flight`` (requests still running stay counted)."""
        self.requests.clear()
        self.faults.clear()
        self.statuses.clear()
        self.total = 0
        self.max_in_flight = self.in_flight

    def request_started(self, endpoint: str) -> None:
        self.requests[endpoint] += 1
        self.total += 1
        self.in_flight += 1
        if self.in_flight > self.max_in_flight:
            self.max_in_flight = self.in_flight

    def request_finished(self, status: int) -> None:
        self.in_flight -= 1
        self.statuses[status] += 1

    def fault_injected(self, kind: str) -> None:
        self.faults[kind] += 1

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot (what ``GET /_sandbox/stats`` returns)."""
        return {
            "total": self.total,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "requests": dict(self.requests),
            "faults": dict(self.faults),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }
