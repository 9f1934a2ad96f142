"""Fixtures of the Celery tests (payroll_sdk.celery; not named tests/celery, which would shadow the
celery package on sys.path): the machine's Redis (``PAYROLL_TEST_REDIS_URL``), a fresh
PostgreSQL database per test, a sandbox on loopback and real worker processes.

Without Redis or PostgreSQL the tests skip with the reason, except under ``CI=true``, where
they fail.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("celery", reason="needs the celery extra")

from payroll_sdk.sandbox import SandboxConfig, SandboxProcess
from payroll_sdk.store import ProfileStore

from .harness import Cluster, cluster_env, delete_prefix

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TODAY = date(2026, 3, 15)
#: Short histories keep each user to a handful of small pages: the tests are about the queue.
HISTORY_MONTHS = 1


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    url = os.environ.get("PAYROLL_TEST_REDIS_URL", DEFAULT_REDIS_URL)
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        _unavailable(f"no Redis at {url}: {type(exc).__name__}")
    finally:
        client.close()
    return url


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A Redis key prefix of this test's own, deleted afterwards."""
    value = f"payroll-test-{os.getpid()}-{uuid.uuid4().hex[:8]}:"
    yield value
    delete_prefix(redis_url, value)


@pytest.fixture
async def store_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database (dropped afterwards), migrated here once."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    admin_url = make_url(os.environ.get("PAYROLL_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    name = f"payroll_celery_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        await admin.dispose()
        _unavailable(f"no PostgreSQL at {admin_url.render_as_string()}: {type(exc).__name__}")
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        async with ProfileStore(url):
            pass
        yield url
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxProcess]:
    with SandboxProcess(SandboxConfig(today=TODAY, history_months=HISTORY_MONTHS)) as server:
        yield server


ClusterFactory = Callable[..., Cluster]


@pytest.fixture
def make_cluster(
    redis_url: str, prefix: str, store_url: str, tmp_path: Path
) -> Iterator[ClusterFactory]:
    clusters: list[Cluster] = []

    def make(base_url: str, secret: str, **extra: str) -> Cluster:
        env = cluster_env(
            redis_url=redis_url,
            prefix=prefix,
            store_url=store_url,
            base_url=base_url,
            secret=secret,
            extra=extra,
        )
        cluster = Cluster(env=env, log_dir=tmp_path)
        clusters.append(cluster)
        return cluster

    yield make
    for cluster in clusters:
        cluster.stop()


def store_runs(store_url: str, batch_id: str) -> list[tuple[str, str]]:
    """``(end_user_id, status)`` of every run of a batch, read from the store."""

    async def read() -> list[tuple[str, str]]:
        async with ProfileStore(store_url) as store:
            runs = await store.runs(batch_id=batch_id, limit=1_000_000)
        return [(run.end_user_id, run.status) for run in runs]

    return asyncio.run(read())
