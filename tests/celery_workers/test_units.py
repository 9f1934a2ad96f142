"""The parts of payroll_sdk.celery that need no worker: settings, input checks, the retry
rule, the rate-limit transport and the progress arithmetic."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime

import httpx
import pytest

from payroll_sdk import ConfigurationError, InvalidInputError, NotFoundError, RateLimitError
from payroll_sdk.celery import CelerySettings, GlobalRateLimit, RateLimitedTransport, sync_users
from payroll_sdk.celery._progress import BatchKeys, Progress, chunk_entry, read_progress
from payroll_sdk.celery._runtime import WorkerRuntime
from payroll_sdk.celery._tasks import ChunkOutcome, _needs_retry
from payroll_sdk.models.profile import FailureReason, Problem
from payroll_sdk.store import StoreError, SyncResult


def test_settings_come_from_the_environment() -> None:
    settings = CelerySettings.from_env(
        {
            "PAYROLL_CELERY_BROKER": "redis://broker:6379/3",
            "PAYROLL_RATE_LIMIT": "200",
            "PAYROLL_MAX_IN_FLIGHT": "80",
            "PAYROLL_USER_RETRIES": "0",
            "PAYROLL_STORE_URL": "postgresql+asyncpg://u:pw@db/payroll",
        }
    )
    assert settings.broker_url == settings.redis_url == "redis://broker:6379/3"
    assert (settings.rate_limit, settings.max_in_flight, settings.user_retries) == (200, 80, 0)
    assert "pw" not in repr(settings)
    assert CelerySettings.from_env({}).rate_limit is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAYROLL_RATE_LIMIT", "0"),
        ("PAYROLL_RATE_LIMIT", "fast"),
        ("PAYROLL_MAX_IN_FLIGHT", "-1"),
        ("PAYROLL_RETRY_AFTER_CAP", "nan"),
        ("PAYROLL_CELERY_BROKER", "amqp://rabbit//"),  # no Redis for the limit and progress
    ],
)
def test_a_bad_setting_is_a_configuration_error_naming_it(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        CelerySettings.from_env({name: value})
    assert name in str(caught.value) or "PAYROLL_REDIS_URL" in str(caught.value)


@pytest.mark.parametrize(
    ("ids", "chunk_size"),
    [(["ok", "has/slash"], 10), (["ok"], 0), (["ok"], True), ("user_1", 10), ([""], 10)],
)
def test_sync_users_refuses_bad_input_before_sending_anything(
    ids: object, chunk_size: object
) -> None:
    with pytest.raises(InvalidInputError):
        sync_users(ids, chunk_size)  # type: ignore[arg-type]


def _result(
    status: str, error: Exception | None = None, problems: list[Problem] | None = None
) -> SyncResult:
    now = datetime.now(UTC)
    return SyncResult(
        end_user_id="u",
        run_id=1,
        status=status,  # type: ignore[arg-type]
        full=False,
        accounts=1,
        added=0,
        updated=0,
        requests=1,
        started_at=now,
        finished_at=now,
        db_seconds=0.0,
        problems=problems or [],
        error=error,  # type: ignore[arg-type]
    )


def _problem(error: str, status: int | None) -> Problem:
    return Problem(
        account_id="a",
        resource="income",
        state="failed",
        reason=FailureReason(error=error, message="m", status_code=status),
    )


def test_only_transient_failures_are_retried() -> None:
    rate_limited = RateLimitError.__new__(RateLimitError)
    not_found = NotFoundError.__new__(NotFoundError)
    assert _needs_retry(_result("failed", rate_limited))
    assert _needs_retry(_result("failed", StoreError("database down")))
    assert not _needs_retry(_result("failed", not_found))
    assert _needs_retry(_result("partial", problems=[_problem("RateLimitError", 429)]))
    assert not _needs_retry(_result("partial", problems=[_problem("NotFoundError", 404)]))
    assert not _needs_retry(_result("complete"))


def test_the_countdown_is_the_servers_retry_after_else_a_bounded_backoff() -> None:
    assert 2.0 <= ChunkOutcome(retry_after=2.0).countdown(0) <= 3.0
    assert ChunkOutcome().countdown(10) <= 60.0


def test_progress_adds_the_chunks_entries() -> None:
    class FakeRedis:
        def __init__(self) -> None:
            self.calls: list[object] = []

        def pipeline(self, transaction: bool) -> FakeRedis:
            return self

        def hget(self, key: str, field: str) -> None:
            self.calls.append(("hget", key))

        def hvals(self, key: str) -> None:
            self.calls.append(("hvals", key))

        def execute(self) -> list[object]:
            return [b"25", [chunk_entry(10, 0).encode(), chunk_entry(4, 1).encode()]]

    progress = read_progress(FakeRedis(), BatchKeys("p:", "b1"))
    assert progress == Progress(total=25, done=14, failed=1)
    assert (progress.pending, progress.finished) == (10, False)
    assert str(progress) == "14/25 done, 1 failed, 10 pending"


def test_the_worker_runtime_refuses_a_second_thread() -> None:
    runtime = WorkerRuntime(CelerySettings())
    errors: list[BaseException] = []

    async def nothing() -> None:
        pass

    def other_thread() -> None:
        try:
            runtime.run(nothing())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    runtime.loop.close()
    assert len(errors) == 1 and isinstance(errors[0], ConfigurationError)
    assert "prefork" in str(errors[0])


async def test_the_transport_takes_a_grant_per_request_and_notes_retry_after(
    redis_url: str, prefix: str
) -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200)])
    inner = httpx.MockTransport(lambda request: next(answers))
    limit = GlobalRateLimit(redis_url, 100, key=f"{prefix}ratelimit:")
    transport = RateLimitedTransport(inner, limit)
    async with httpx.AsyncClient(transport=transport) as client:
        assert (await client.get("http://api.test/v1/accounts")).status_code == 429
        assert (await client.get("http://api.test/v1/accounts")).status_code == 200
    assert (limit.granted, transport.requests) == (2, 2)
    assert transport.take_retry_after() == 3.0
    assert transport.take_retry_after() is None  # taken


async def test_the_global_limit_is_a_moving_window_shared_through_redis(
    redis_url: str, prefix: str
) -> None:
    # Two limiters on one key, as two worker processes would be. 3R grants need two full
    # windows to pass after the first R (a moving window never holds more than R), so they
    # cannot all be granted in less than two seconds, however fast the machine; a fixed
    # window would allow them in just over one. (A lower bound only: a loaded machine makes
    # it slower, never faster.)
    rate = 15
    limits = [GlobalRateLimit(redis_url, rate, key=f"{prefix}shared:") for _ in range(2)]
    started = time.monotonic()
    await asyncio.gather(*(limits[i % 2].acquire() for i in range(3 * rate)))
    elapsed = time.monotonic() - started
    for limit in limits:
        await limit.aclose()
    assert sum(limit.granted for limit in limits) == 3 * rate
    assert elapsed >= 2.0
