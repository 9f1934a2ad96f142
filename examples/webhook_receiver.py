"""A Pinwheel webhook receiver that keeps a profile store current: verify, deduplicate, answer
at once, and apply each event to a SQLite :class:`~payroll_sdk.store.ProfileStore` in the
background.

Try it end to end against the bundled sandbox (three terminals)::

    # 1. the sandbox, on port 8000; it prints its URL and secret
    payroll-sdk sandbox serve --port 8000

    # 2. the receiver, on port 8001, pointed at that sandbox (the webhook key is the API secret)
    export PAYROLL_API_SECRET=sandbox-secret PAYROLL_BASE_URL=http://127.0.0.1:8000/v1
    python examples/webhook_receiver.py             # store: sqlite+aiosqlite:///webhooks.db

    # 3. a first sync, a new paystub on the sandbox, then the delivery announcing it
    export PAYROLL_API_SECRET=sandbox-secret PAYROLL_BASE_URL=http://127.0.0.1:8000/v1
    payroll-sdk sync user_single --db sqlite+aiosqlite:///webhooks.db
    python - <<'EOF'
    import json, httpx
    from payroll_sdk.webhooks import sign
    secret, api = "sandbox-secret", "http://127.0.0.1:8000"
    account = httpx.get(f"{api}/v1/end_users/user_single/accounts", headers={
        "X-API-SECRET": secret, "Pinwheel-Version": "2025-07-08"}).json()["data"][0]["id"]
    httpx.post(f"{api}/_sandbox/end_users/user_single/paystubs", json={"count": 1},
               headers={"X-API-SECRET": secret})
    body = json.dumps({"event": "paystubs.added", "event_id": "evt_1", "payload": {
        "end_user_id": "user_single", "account_id": account, "outcome": "success"}}).encode()
    print(httpx.post("http://127.0.0.1:8001/webhooks/pinwheel", content=body,
                     headers=sign(body, secret=secret)).json())
    EOF

The receiver logs ``applied paystubs.added: user_single complete, 1 added, 1 request(s)``.
It refuses to start without ``PAYROLL_BASE_URL`` (or ``--base-url``): a receiver meant for the
sandbox must never send its refreshes to production by accident.

The pattern, and why:

1. **Verify first** (:func:`payroll_sdk.webhooks.verify`) on the raw body; answer 400 with only
   the failure reason, never the body.
2. **Deduplicate** on ``event_id``: delivery is at least once. (The store's upserts make a
   redelivered event harmless anyway; deduplicating saves the requests.)
3. **Answer 200 at once**: Pinwheel waits 15 s at most and then redelivers. Applying the event
   (``store.apply``: only the resource and account it names) runs as a background task after
   the response is sent.
4. **Coalesce**: one job finishing can send the same event for the same account several times
   in a burst; while one is being applied, further ones for the same event and account (or
   user) schedule one more apply with the latest event, not one each.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Final

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from payroll_sdk.webhooks import (
    AccountEvent,
    DataAddedEvent,
    SyncProgressEvent,
    WebhookEvent,
    WebhookVerificationError,
    verify,
)

if TYPE_CHECKING:
    from payroll_sdk import PayrollClient
    from payroll_sdk.store import ProfileStore

logger = logging.getLogger("webhook_receiver")

Apply = Callable[[WebhookEvent], Awaitable[None]]
"""Brings what your app knows up to date with one verified event."""

WEBHOOK_PATH: Final = "/webhooks/pinwheel"
DEFAULT_STORE_URL: Final = "sqlite+aiosqlite:///webhooks.db"
# Deliveries are a few KiB; the cap stops an unauthenticated sender from making us buffer
# arbitrarily large bodies before the signature can even be checked.
MAX_BODY_BYTES: Final = 1024 * 1024


class RecentEventIds:
    """The last ``capacity`` event ids seen, oldest forgotten first.

    In memory and per process, which is enough for one process that rarely restarts. In
    production (several workers or hosts, deploys) keep the ids in a shared store instead:
    ``SET event:<id> 1 NX EX 604800`` in Redis, or a unique key in the table you write to.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be >= 1")
        self._capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def add(self, event_id: str) -> bool:
        """Remember ``event_id``; return ``False`` if it was already remembered."""
        if event_id in self._ids:
            self._ids.move_to_end(event_id)
            return False
        self._ids[event_id] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._ids)


def coalescing_key(event: WebhookEvent) -> str:
    """Events with the same key ask for the same work: the event name and what it is about."""
    payload = event.payload
    return f"{event.event}:{payload.account_id or ''}:{payload.end_user_id or ''}"


class CoalescingApplier:
    """Runs ``apply(event)`` at most once at a time per :func:`coalescing_key`.

    An event whose key is being applied returns at once and makes that apply run once more,
    with the latest such event, when it finishes: a burst costs two applies, not one per event.
    Failures are logged, not raised: the delivery was already answered, and the next event
    for the same data retries.
    """

    def __init__(self, apply: Apply) -> None:
        self._apply = apply
        self._running: set[str] = set()
        self._again: dict[str, WebhookEvent] = {}

    async def __call__(self, event: WebhookEvent) -> None:
        key = coalescing_key(event)
        if key in self._running:
            self._again[key] = event
            return
        self._running.add(key)
        try:
            while True:
                try:
                    await self._apply(event)
                except Exception:
                    logger.exception("applying %s (event %s) failed", event.event, event.event_id)
                latest = self._again.pop(key, None)
                if latest is None:
                    break
                event = latest
        finally:
            self._running.discard(key)


class StoreApplier:
    """The default apply: ``store.apply(client, event)`` with one
    :class:`~payroll_sdk.store.ProfileStore` and one :class:`~payroll_sdk.PayrollClient`,
    built on first use and closed with the app."""

    def __init__(self, api_secret: str, *, base_url: str, store_url: str) -> None:
        self._api_secret = api_secret
        self._base_url = base_url
        self._store_url = store_url
        self._client: PayrollClient | None = None
        self._store: ProfileStore | None = None

    async def __call__(self, event: WebhookEvent) -> None:
        if self._client is None or self._store is None:
            # Imported and built on first use: an app that never applies an event (or tests
            # that inject their own apply) never opens a database or a connection pool.
            from payroll_sdk import PayrollClient
            from payroll_sdk.store import ProfileStore

            store = ProfileStore(self._store_url)
            await store.open()
            self._store = store
            self._client = PayrollClient(api_secret=self._api_secret, base_url=self._base_url)
        result = await self._store.apply(self._client, event)
        if result is None:
            logger.info("nothing to apply for %s", event.event)
            return
        logger.info(
            "applied %s: %s %s, %d added, %d request(s)",
            event.event,
            result.end_user_id,
            result.status,
            result.added,
            result.requests,
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._store is not None:
            await self._store.aclose()
            self._store = None


def wants(event: WebhookEvent) -> bool:
    """Whether an event names data to apply: finished data jobs and history milestones of an
    account or user, and account events of a user. ``pending`` jobs send a final event (within
    24 hours): that one is applied."""
    payload = event.payload
    if isinstance(event, DataAddedEvent | SyncProgressEvent):
        if isinstance(event, DataAddedEvent) and event.payload.outcome == "pending":
            return False
        return bool(payload.account_id or payload.end_user_id)
    return isinstance(event, AccountEvent) and bool(payload.end_user_id)


async def _read_capped(request: Request, limit: int) -> bytes | None:
    """The raw body, or ``None`` once it grows past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(
    secret: str,
    apply: Apply | None = None,
    *,
    base_url: str | None = None,
    store_url: str = DEFAULT_STORE_URL,
    dedupe_capacity: int = 10_000,
) -> Starlette:
    """The receiver app: ``POST /webhooks/pinwheel``.

    ``secret`` is the API secret (it keys the signatures). ``apply`` is called in the
    background with every verified, new event that :func:`wants`; by default a
    :class:`StoreApplier` applies it to the store at ``store_url`` with a client for
    ``base_url`` (required then: the API the events come from, e.g. the sandbox's
    ``http://127.0.0.1:8000/v1``).

    Answers: 200 ``{"status": "accepted"}`` or ``{"status": "duplicate"}``; 400
    ``{"error": "invalid_webhook", "reason": ...}`` when verification fails; 413 for a body
    over 1 MiB.
    """
    default_applier: StoreApplier | None = None
    if apply is None:
        if not base_url:
            raise ValueError("base_url is required for the default store applier")
        apply = default_applier = StoreApplier(secret, base_url=base_url, store_url=store_url)
    applier = CoalescingApplier(apply)
    seen = RecentEventIds(dedupe_capacity)

    async def receive_webhook(request: Request) -> Response:
        body = await _read_capped(request, MAX_BODY_BYTES)
        if body is None:
            return JSONResponse({"error": "body_too_large"}, status_code=413)
        try:
            event = verify(body, request.headers, secret=secret)
        except WebhookVerificationError as exc:
            # The message is safe to log (no secret, no body); the sender only gets the reason.
            logger.warning("rejected webhook delivery: %s", exc)
            return JSONResponse({"error": "invalid_webhook", "reason": exc.reason}, status_code=400)

        if not seen.add(event.event_id):
            return JSONResponse({"status": "duplicate"})
        background = BackgroundTask(applier, event) if wants(event) else None
        return JSONResponse({"status": "accepted"}, background=background)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if default_applier is not None:
                await default_applier.aclose()

    return Starlette(
        routes=[Route(WEBHOOK_PATH, receive_webhook, methods=["POST"])],
        lifespan=lifespan,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A webhook receiver that keeps a store current.")
    parser.add_argument(
        "--base-url",
        default=os.environ.get("PAYROLL_BASE_URL"),
        help="the API the events come from (default $PAYROLL_BASE_URL; required)",
    )
    parser.add_argument(
        "--store-url", default=os.environ.get("PAYROLL_STORE_URL", DEFAULT_STORE_URL)
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8001")))
    args = parser.parse_args(argv)
    secret = os.environ.get("PAYROLL_API_SECRET")
    if not secret:
        print("Set PAYROLL_API_SECRET (the webhook signing key is the API secret).")
        return 2
    if not args.base_url:
        print(
            "Set PAYROLL_BASE_URL (or --base-url) to the API the events come from, e.g. the "
            "sandbox's http://127.0.0.1:8000/v1, or production's URL deliberately."
        )
        return 2
    import uvicorn

    logging.basicConfig(level=logging.INFO)
    app = create_app(secret, base_url=args.base_url, store_url=args.store_url)
    uvicorn.run(app, host="127.0.0.1", port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
