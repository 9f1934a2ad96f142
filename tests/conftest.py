"""Fixtures shared by the core tests: a respx router, a client wired to it, and fake time.

The ``client`` fixture never really sleeps and never reads the wall clock: its transport's
``_sleep`` records each requested delay in ``fake_time.sleeps`` and advances ``fake_time``, the
clock its deadlines are measured against. Retries therefore cost no time, and tests can assert
the exact delays the retry policy asked for.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import respx

from payroll_sdk import PayrollClient

BASE_URL = "https://api.test/v1"
SECRET = "sk_test_Zq7xN4pL9wK2vB8m"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class FakeTime:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def secret() -> str:
    return SECRET


@pytest.fixture
def base_url() -> str:
    return BASE_URL


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """A respx router for ``BASE_URL``; any request it has no route for fails the test.

    ``using="httpx"`` patches ``httpx.AsyncClient`` itself, so the mock works whatever the
    transport (respx's default patches httpcore, which the default aiohttp transport never uses).
    """
    with respx.mock(base_url=BASE_URL, assert_all_called=False, using="httpx") as router:
        yield router


@pytest.fixture
async def client(api: respx.MockRouter, fake_time: FakeTime) -> AsyncIterator[PayrollClient]:
    async with PayrollClient(api_secret=SECRET, base_url=BASE_URL) as built:
        built._transport._sleep = fake_time.sleep
        built._transport._clock = fake_time
        yield built


@pytest.fixture
def load_fixture() -> Callable[[str], Any]:
    """``load_fixture("income.json")``: a response body from ``tests/fixtures/``, parsed."""

    def load(name: str) -> Any:
        return json.loads((FIXTURES / name).read_text())

    return load
