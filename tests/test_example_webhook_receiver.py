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

from payroll_sdk import PayrollClient
from payroll_sdk.sandbox import SandboxServer
from payroll_sdk.store import ProfileStore
from payroll_sdk.webhooks import WebhookEvent, parse_event, sign

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


class RecordingApply:
    def __init__(self, error: Exception | None = None) -> None:
        self.events: list[WebhookEvent] = []
        self.error = error

    @property
    def calls(self) -> list[str | None]:
        return [event.end_user_id for event in self.events]

    async def __call__(self, event: WebhookEvent) -> None:
        self.events.append(event)
        if self.error is not None:
            raise self.error


@pytest.fixture
def refresh() -> RecordingApply:
    return RecordingApply()


@pytest.fixture
async def client(refresh: RecordingApply) -> AsyncIterator[httpx.AsyncClient]:
    async with _client_for(receiver.create_app(SECRET, refresh)) as http:
        yield http


def _client_for(app: Starlette) -> httpx.AsyncClient:
    # ASGITransport awaits the whole ASGI call, background task included, before returning.
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://receiver")


async def post(http: httpx.AsyncClient, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return await http.post(receiver.WEBHOOK_PATH, content=body, headers=headers)


async def test_valid_delivery_is_accepted_and_refreshes_once(
    client: httpx.AsyncClient, refresh: RecordingApply
) -> None:
    response = await post(client, *delivery())
    assert response.status_code == 200
    assert response.json() == {"status": "accepted"}
    assert refresh.calls == ["user-1"]


async def test_sync_progress_event_refreshes(
    client: httpx.AsyncClient, refresh: RecordingApply
) -> None:
    response = await post(client, *delivery("shifts.fully_synced", end_user_id="user-9"))
    assert response.status_code == 200
    assert refresh.calls == ["user-9"]


async def test_duplicate_event_id_is_answered_but_not_refreshed_twice(
    client: httpx.AsyncClient, refresh: RecordingApply
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
    client: httpx.AsyncClient, refresh: RecordingApply
) -> None:
    body, headers = delivery(secret="not-the-secret", end_user_id="very-private-user")
    response = await post(client, body, headers)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_webhook", "reason": "mismatch"}
    assert "very-private-user" not in response.text
    assert refresh.calls == []


async def test_missing_headers_and_stale_deliveries_are_400(
    client: httpx.AsyncClient, refresh: RecordingApply
) -> None:
    body, _ = delivery()
    response = await post(client, body, {"content-type": "application/json"})
    assert (response.status_code, response.json()["reason"]) == (400, "missing_header")
    stale = sign(body, secret=SECRET, timestamp=1_000_000_000)
    response = await post(client, body, stale)
    assert (response.status_code, response.json()["reason"]) == (400, "stale")
    assert refresh.calls == []


async def test_a_rejected_delivery_does_not_consume_its_event_id(
    client: httpx.AsyncClient, refresh: RecordingApply
) -> None:
    forged = await post(client, *delivery(secret="attacker"))
    genuine = await post(client, *delivery())
    assert (forged.status_code, genuine.json()) == (400, {"status": "accepted"})
    assert refresh.calls == ["user-1"]


@pytest.mark.parametrize(
    ("event", "outcome", "end_user_id"),
    [
        ("paystubs.added", "pending", "user-1"),  # a final event follows
        ("account.added", "success", None),  # no user to sync
        ("bill.added", "success", "user-1"),
        ("brand_new.event", "success", "user-1"),  # unknown: kept and acknowledged
    ],
)
async def test_events_that_do_not_refresh_are_still_accepted(
    client: httpx.AsyncClient,
    refresh: RecordingApply,
    event: str,
    outcome: str,
    end_user_id: str | None,
) -> None:
    response = await post(client, *delivery(event, outcome=outcome, end_user_id=end_user_id))
    assert response.json() == {"status": "accepted"}
    assert refresh.calls == []


async def test_oversized_body_is_413_before_verification(
    client: httpx.AsyncClient, refresh: RecordingApply
) -> None:
    body = b"x" * (receiver.MAX_BODY_BYTES + 1)
    response = await post(client, body, sign(body, secret=SECRET))
    assert response.status_code == 413
    assert refresh.calls == []


async def test_only_post_is_routed(client: httpx.AsyncClient) -> None:
    assert (await client.get(receiver.WEBHOOK_PATH)).status_code == 405


async def test_account_events_and_events_without_a_user_are_applied(
    client: httpx.AsyncClient, refresh: RecordingApply
) -> None:
    await post(client, *delivery("account.added", event_id="e1"))
    await post(client, *delivery("paystubs.added", event_id="e2", end_user_id=None))
    assert [e.event for e in refresh.events] == ["account.added", "paystubs.added"]


async def test_failing_apply_is_logged_and_the_delivery_still_succeeds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    refresh = RecordingApply(error=RuntimeError("payroll API down"))
    app = receiver.create_app(SECRET, refresh)
    async with _client_for(app) as http:
        with caplog.at_level(logging.ERROR, logger="webhook_receiver"):
            response = await post(http, *delivery())
    assert response.status_code == 200
    assert refresh.calls == ["user-1"]
    assert "applying paystubs.added (event evt-1) failed" in caplog.text


def _event(event_id: str, event: str = "paystubs.added", account: str = "acc-1") -> WebhookEvent:
    body, _ = delivery(event, event_id=event_id)
    parsed = parse_event(body)
    return parsed.model_copy(
        update={"payload": parsed.payload.model_copy(update={"account_id": account})}
    )


async def test_coalescing_applier_runs_once_more_with_the_latest_event() -> None:
    started = asyncio.Event()
    release = asyncio.Event()
    applied: list[str] = []

    async def slow_apply(event: WebhookEvent) -> None:
        applied.append(event.event_id)
        started.set()
        await release.wait()

    applier = receiver.CoalescingApplier(slow_apply)
    first = asyncio.create_task(applier(_event("e1")))
    await started.wait()
    # Three more events for the same account while the first runs, one for another account.
    await applier(_event("e2"))
    await applier(_event("e3"))
    await applier(_event("e4"))
    other = asyncio.create_task(applier(_event("x1", account="acc-2")))
    release.set()
    await asyncio.gather(first, other)
    assert sorted(applied) == ["e1", "e4", "x1"]  # the burst's latest event, once
    # Idle again: the next event is applied right away.
    await applier(_event("e5"))
    assert applied[-1] == "e5"


def test_recent_event_ids_are_bounded_and_forget_the_oldest() -> None:
    seen = receiver.RecentEventIds(capacity=2)
    assert (seen.add("a"), seen.add("b"), seen.add("a")) == (True, True, False)
    assert seen.add("c") is True  # evicts "b": "a" was just seen again
    assert len(seen) == 2
    assert seen.add("b") is True
    assert seen.add("c") is False
    with pytest.raises(ValueError):
        receiver.RecentEventIds(capacity=0)


def test_the_default_applier_needs_the_api_it_talks_to() -> None:
    with pytest.raises(ValueError, match="base_url"):
        receiver.create_app(SECRET)


def test_main_refuses_to_start_without_a_base_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PAYROLL_API_SECRET", SECRET)
    monkeypatch.delenv("PAYROLL_BASE_URL", raising=False)
    assert receiver.main([]) == 2
    assert "PAYROLL_BASE_URL" in capsys.readouterr().out


async def test_the_recipe_end_to_end_against_the_sandbox_on_loopback(tmp_path: Path) -> None:
    """What the module docstring tells a reader to do: a first sync, a paystub added on the
    sandbox, a signed paystubs.added delivery; the receiver applies it to its SQLite store."""
    store_url = f"sqlite+aiosqlite:///{tmp_path / 'webhooks.db'}"
    with SandboxServer() as sandbox:
        secret = sandbox.secret
        async with (
            PayrollClient(api_secret=secret, base_url=sandbox.base_url) as api,
            ProfileStore(store_url) as store,
        ):
            await store.sync(api, "store_webhook_1")
            before = await store.load_profile("store_webhook_1")
            assert before is not None
            account_id = before.accounts[0].account.id
            (added,) = sandbox.add_records("store_webhook_1", "paystubs")
            served = sandbox.stats.total

            app = receiver.create_app(secret, base_url=sandbox.base_url, store_url=store_url)
            async with app.router.lifespan_context(app), _client_for(app) as http:
                payload = {
                    "end_user_id": "store_webhook_1",
                    "account_id": account_id,
                    "outcome": "success",
                }
                body = json.dumps(
                    {"event": "paystubs.added", "event_id": "evt_1", "payload": payload}
                ).encode()
                response = await post(http, body, sign(body, secret=secret))
                assert response.json() == {"status": "accepted"}
                again = await post(http, body, sign(body, secret=secret))
                assert again.json() == {"status": "duplicate"}

            # The receiver asked the sandbox (not production) for that account's paystubs only.
            assert sandbox.stats.total - served == 1
            after = await store.load_profile("store_webhook_1")
            assert after is not None
            ids = [p.id for p in after.accounts[0].paystubs]
            assert ids[0] == added["id"]
            assert ids.count(added["id"]) == 1
            (run,) = await store.runs(limit=1)
            assert (run.trigger, run.added, run.requests) == ("webhook", 1, 1)
