"""Helpers for running ``payroll-sdk`` in-process: stdin from bytes, a clean environment."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable

import pytest


@pytest.fixture(autouse=True)
def _no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test sets what it needs: a developer's own PAYROLL_* settings must not leak in.
    for name in ("PAYROLL_API_SECRET", "PAYROLL_BASE_URL", "PAYROLL_LOG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Callable[[bytes], None]:
    """``stdin(b"...")`` makes the next command read those bytes from standard input."""

    def feed(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))

    return feed
