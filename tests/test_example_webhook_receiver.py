"""Tests for examples/webhook_receiver.py: verify, dedupe, answer, refresh in the background."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

import payroll_sdk
from payroll_sdk.webhooks import sign

SECRET = "sk_test_receiver_0123"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "webhook_receiver.py"


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("webhook_receiver_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


receiver = _load_example()


def delivery(
    event: str = "paystubs.added",
    *,
    event_id: str = "evt-1",
    end_user_id: str | None = "user-1",
    outcome: str = "success",
    secret: str = SECRET,
) -> tuple[bytes, dict[str, str]]:
    payload: dict[str, Any] = {"account_id": "acc-1", "outcome": outcome}
    if end_user_id is not None:
        payload["end_user_id"] = end_user_id
    body = json.dumps({"event": event, "event_id": event_id, "payload": payload}).encode()
    return body, sign(body, secret=secret)


class RecordingRefresh:
    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[str] = []
        self.error = error

    async def __call__(self, end_user_id: str) -> None:
        self.calls.append(end_user_id)
        if self.error is not None:
            raise self.error


@pytest.fixture
def refresh() -> RecordingRefresh:
    return RecordingRefresh()


@pytest.fixture
async def client(refresh: RecordingRefresh) -> AsyncIterator[httpx.AsyncClient]:
    async with _client_for(receiver.create_app(SECRET, refresh)) as http:
        yield http


def _client_for(app: Starlette) -> httpx.AsyncClient:
    # ASGITransport awaits the whole ASGI call, background task included, before returning.
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://receiver")


async def post(http: httpx.AsyncClient, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return await http.post(receiver.WEBHOOK_PATH, content=body, headers=headers)


async def test_valid_delivery_is_accepted_and_refreshes_once(
    client: httpx.AsyncClient, refresh: RecordingRefresh
) -> None:
    response = await post(client, *delivery())
    assert response.status_code == 200
    assert response.json() == {"status": "accepted"}
    assert refresh.calls == ["user-1"]


async def test_sync_progress_event_refreshes(
    client: httpx.AsyncClient, refresh: RecordingRefresh
) -> None:
    response = await post(client, *delivery("shifts.fully_synced", end_user_id="user-9"))
    assert response.status_code == 200
    assert refresh.calls == ["user-9"]


async def test_duplicate_event_id_is_answered_but_not_refreshed_twice(
    client: httpx.AsyncClient, refresh: RecordingRefresh
) -> None:
    first = await post(client, *delivery())
    # A redelivery is signed afresh (new timestamp, new webhook id) but keeps its event_id.
    second = await post(client, *delivery())
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == {"status": "duplicate"}
    assert refresh.calls == ["user-1"]
    third = await post(client, *delivery(event_id="evt-2"))
    assert third.json() == {"status": "accepted"}
    assert refresh.calls == ["user-1", "user-1"]


async def test_bad_signature_is_400_with_the_reason_only(
    client: httpx.AsyncClient, refresh: RecordingRefresh
) -> None:
    body, headers = delivery(secret="not-the-secret", end_user_id="very-private-user")
    response = await post(client, body, headers)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_webhook", "reason": "mismatch"}
    assert "very-private-user" not in response.text
    assert refresh.calls == []


async def test_missing_headers_and_stale_deliveries_are_400(
    client: httpx.AsyncClient, refresh: RecordingRefresh
) -> None:
    body, _ = delivery()
    response = await post(client, body, {"content-type": "application/json"})
    assert (response.status_code, response.json()["reason"]) == (400, "missing_header")
    stale = sign(body, secret=SECRET, timestamp=1_000_000_000)
    response = await post(client, body, stale)
    assert (response.status_code, response.json()["reason"]) == (400, "stale")
    assert refresh.calls == []


async def test_a_rejected_delivery_does_not_consume_its_event_id(
    client: httpx.AsyncClient, refresh: RecordingRefresh
) -> None:
    forged = await post(client, *delivery(secret="attacker"))
    genuine = await post(client, *delivery())
    assert (forged.status_code, genuine.json()) == (400, {"status": "accepted"})
    assert refresh.calls == ["user-1"]


@pytest.mark.parametrize(
    ("event", "outcome", "end_user_id"),
    [
        ("paystubs.added", "pending", "user-1"),  # a final event follows
        ("paystubs.added", "success", None),
        ("account.added", "success", "user-1"),  # not a data event
        ("bill.added", "success", "user-1"),
        ("brand_new.event", "success", "user-1"),  # unknown: kept and acknowledged
    ],
)
async def test_events_that_do_not_refresh_are_still_accepted(
    client: httpx.AsyncClient,
    refresh: RecordingRefresh,
    event: str,
    outcome: str,
    end_user_id: str | None,
) -> None:
    response = await post(client, *delivery(event, outcome=outcome, end_user_id=end_user_id))
    assert response.json() == {"status": "accepted"}
    assert refresh.calls == []


async def test_oversized_body_is_413_before_verification(
    client: httpx.AsyncClient, refresh: RecordingRefresh
) -> None:
    body = b"x" * (receiver.MAX_BODY_BYTES + 1)
    response = await post(client, body, sign(body, secret=SECRET))
    assert response.status_code == 413
    assert refresh.calls == []


async def test_only_post_is_routed(client: httpx.AsyncClient) -> None:
    assert (await client.get(receiver.WEBHOOK_PATH)).status_code == 405


async def test_failing_refresh_is_logged_and_the_delivery_still_succeeds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    refresh = RecordingRefresh(error=RuntimeError("payroll API down"))
    app = receiver.create_app(SECRET, refresh)
    async with _client_for(app) as http:
        with caplog.at_level(logging.ERROR, logger="webhook_receiver"):
            response = await post(http, *delivery())
    assert response.status_code == 200
    assert refresh.calls == ["user-1"]
    assert "refreshing end user user-1 failed" in caplog.text


async def test_coalescing_refresher_runs_once_more_for_a_burst() -> None:
    started = asyncio.Event()
    release = asyncio.Event()
    calls: list[str] = []

    async def slow_refresh(end_user_id: str) -> None:
        calls.append(end_user_id)
        started.set()
        await release.wait()

    refresher = receiver.CoalescingRefresher(slow_refresh)
    first = asyncio.create_task(refresher("user-1"))
    await started.wait()
    # Three more events for the same user while the first refresh runs, one for another user.
    await refresher("user-1")
    await refresher("user-1")
    await refresher("user-1")
    other = asyncio.create_task(refresher("user-2"))
    release.set()
    await asyncio.gather(first, other)
    assert sorted(calls) == ["user-1", "user-1", "user-2"]
    # Idle again: the next event refreshes right away.
    await refresher("user-1")
    assert calls.count("user-1") == 3


def test_recent_event_ids_are_bounded_and_forget_the_oldest() -> None:
    seen = receiver.RecentEventIds(capacity=2)
    assert (seen.add("a"), seen.add("b"), seen.add("a")) == (True, True, False)
    assert seen.add("c") is True  # evicts "b": "a" was just seen again
    assert len(seen) == 2
    assert seen.add("b") is True
    assert seen.add("c") is False
    with pytest.raises(ValueError):
        receiver.RecentEventIds(capacity=0)


class FakePayrollClient:
    instances: list[FakePayrollClient] = []

    def __init__(self, *, api_secret: str) -> None:
        self.api_secret = api_secret
        self.profiles: list[str] = []
        self.closed = False
        FakePayrollClient.instances.append(self)

    async def get_profile(self, end_user_id: str) -> Any:
        self.profiles.append(end_user_id)
        return type("Profile", (), {"accounts": [object()], "complete": True})()

    async def aclose(self) -> None:
        self.closed = True


async def test_default_refresh_uses_one_payroll_client_and_closes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    FakePayrollClient.instances = []
    monkeypatch.setattr(payroll_sdk, "PayrollClient", FakePayrollClient, raising=False)
    app: Starlette = receiver.create_app(SECRET)
    # ASGITransport sends no lifespan events, so the app's lifespan is entered directly.
    async with app.router.lifespan_context(app), _client_for(app) as http:
        for event_id in ("e1", "e2"):
            assert (await post(http, *delivery(event_id=event_id))).status_code == 200
        assert len(FakePayrollClient.instances) == 1
        (client,) = FakePayrollClient.instances
        assert client.api_secret == SECRET
        assert client.profiles == ["user-1", "user-1"]
        assert not client.closed
    assert client.closed


async def test_create_app_without_a_refresh_builds_no_client_until_needed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    FakePayrollClient.instances = []
    monkeypatch.setattr(payroll_sdk, "PayrollClient", FakePayrollClient, raising=False)
    app = receiver.create_app(SECRET)
    async with app.router.lifespan_context(app), _client_for(app) as http:
        assert (await post(http, *delivery("account.added"))).status_code == 200
    assert FakePayrollClient.instances == []
