"""Helpers for running ``payroll-sdk`` in-process: stdin from bytes, a clean environment."""

from __future__ import annotations

import gc
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


@pytest.fixture
def freeze_counts(monkeypatch: pytest.MonkeyPatch) -> Callable[[type, str], list[int]]:
    """``freeze_counts(Class, "method")`` wraps the method so that each call records
    ``gc.get_freeze_count()`` (how many objects are frozen) as it starts; returns that list."""

    def watch(owner: type, name: str) -> list[int]:
        counts: list[int] = []
        original = getattr(owner, name)

        def watching(self: object, *args: object, **kwargs: object) -> object:
            counts.append(gc.get_freeze_count())
            return original(self, *args, **kwargs)

        monkeypatch.setattr(owner, name, watching)
        return counts

    return watch
