"""Fixtures of the store tests: a sandbox on loopback, and a fresh database per test on both
backends (a SQLite file, and a uniquely named PostgreSQL database dropped afterwards).

PostgreSQL comes from ``PAYROLL_TEST_POSTGRES_URL`` (default: the machine's server). Without
a server the PostgreSQL cases skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from payroll_sdk import PayrollClient
from payroll_sdk.sandbox import SandboxConfig, SandboxServer
from payroll_sdk.store import ProfileStore

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TODAY = date(2026, 3, 15)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(today=TODAY)) as server:
        yield server


@pytest.fixture
async def client(sandbox: SandboxServer) -> AsyncIterator[PayrollClient]:
    async with PayrollClient(api_secret=sandbox.secret, base_url=sandbox.base_url) as built:
        yield built


def make_client(sandbox: SandboxServer, **options: Any) -> PayrollClient:
    return PayrollClient(api_secret=sandbox.secret, base_url=sandbox.base_url, **options)


async def _postgres_database() -> AsyncIterator[str]:
    admin_url = make_url(os.environ.get("PAYROLL_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    name = f"payroll_store_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except (OSError, Exception) as exc:
        await admin.dispose()
        reason = f"no PostgreSQL at {admin_url.render_as_string()}: {type(exc).__name__}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
        return
    async for url in _postgres_database():
        yield url


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database only, for what only PostgreSQL has (its connection pool)."""
    async for url in _postgres_database():
        yield url


@pytest.fixture(params=["threads", "process"])
async def store(store_url: str, request: pytest.FixtureRequest) -> AsyncIterator[ProfileStore]:
    """The store, its database work in this process (SQLite's worker threads, asyncpg on the
    loop) or in its database process (``database_process=True``)."""
    async with ProfileStore(store_url, database_process=request.param == "process") as opened:
        yield opened


@pytest.fixture
async def local_store(store_url: str) -> AsyncIterator[ProfileStore]:
    """The store with its database work in this process, for tests that patch or watch that
    work here (monkeypatched writes, engine events, closures run as transactions)."""
    async with ProfileStore(store_url) as opened:
        yield opened
