"""A Pinwheel webhook receiver: verify, deduplicate, answer at once, refresh in the background.

Run it (the webhook key is the API secret itself)::

    PAYROLL_API_SECRET=... python examples/webhook_receiver.py     # http://127.0.0.1:8000

then send it a signed test delivery::

    import httpx, json
    from payroll_sdk.webhooks import sign

    body = json.dumps({"event": "paystubs.added", "event_id": "evt_1",
                       "payload": {"end_user_id": "user_1", "outcome": "success"}}).encode()
    httpx.post("http://127.0.0.1:8000/webhooks/pinwheel", content=body,
               headers=sign(body, secret="..."))

The pattern, and why:

1. **Verify first** (:func:`payroll_sdk.webhooks.verify`) on the raw body; answer 400 with only
   the failure reason, never the body.
2. **Deduplicate** on ``event_id``: delivery is at least once.
3. **Answer 200 at once**: Pinwheel waits 15 s at most and then redelivers. The slow part
   (fetching the user's profile) runs as a background task after the response is sent.
4. **Coalesce refreshes**: one job finishing sends several events for the same user
   (``paystubs.added``, ``income.added``, ...); while a refresh for a user runs, further events
   for them schedule one more refresh, not one each.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Final

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from payroll_sdk.webhooks import (
    DataAddedEvent,
    SyncProgressEvent,
    WebhookVerificationError,
    verify,
)

if TYPE_CHECKING:
    from payroll_sdk import PayrollClient

logger = logging.getLogger("webhook_receiver")

Refresh = Callable[[str], Awaitable[None]]
"""Refreshes what your app knows about one end user, given their ``end_user_id``."""

WEBHOOK_PATH: Final = "/webhooks/pinwheel"
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


class CoalescingRefresher:
    """Runs ``refresh(end_user_id)`` at most once at a time per user.

    A call for a user whose refresh is running returns at once and makes that refresh run once
    more when it finishes, so the last event's data is always fetched and a burst of events
    costs two refreshes, not one per event. Failures are logged, not raised: the delivery was
    already answered, and the next event for the user retries.
    """

    def __init__(self, refresh: Refresh) -> None:
        self._refresh = refresh
        self._running: set[str] = set()
        self._again: set[str] = set()

    async def __call__(self, end_user_id: str) -> None:
        if end_user_id in self._running:
            self._again.add(end_user_id)
            return
        self._running.add(end_user_id)
        try:
            while True:
                self._again.discard(end_user_id)
                try:
                    await self._refresh(end_user_id)
                except Exception:
                    logger.exception("refreshing end user %s failed", end_user_id)
                if end_user_id not in self._again:
                    break
        finally:
            self._running.discard(end_user_id)


class ProfileRefresher:
    """The default refresh: fetch the user's whole profile with one shared
    :class:`payroll_sdk.PayrollClient`, built on first use and closed with the app."""

    def __init__(self, api_secret: str) -> None:
        self._api_secret = api_secret
        self._client: PayrollClient | None = None

    async def __call__(self, end_user_id: str) -> None:
        if self._client is None:
            # Imported and built on first use: an app that never refreshes (or tests that inject
            # their own refresh) never builds a client.
            from payroll_sdk import PayrollClient

            self._client = PayrollClient(api_secret=self._api_secret)
        profile = await self._client.get_profile(end_user_id)
        # Store the profile where your app reads it; this example only reports it.
        logger.info(
            "refreshed end user %s: %d account(s), complete=%s",
            end_user_id,
            len(profile.accounts),
            profile.complete,
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


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
    refresh: Refresh | None = None,
    *,
    dedupe_capacity: int = 10_000,
) -> Starlette:
    """The receiver app: ``POST /webhooks/pinwheel``.

    ``secret`` is the API secret (it keys the signatures). ``refresh`` is called in the
    background with the ``end_user_id`` of every data event (``*.added`` data jobs and
    ``*_synced`` milestones) that is not ``pending``; by default it fetches the user's profile
    with :class:`payroll_sdk.PayrollClient`.

    Answers: 200 ``{"status": "accepted"}`` or ``{"status": "duplicate"}``; 400
    ``{"error": "invalid_webhook", "reason": ...}`` when verification fails; 413 for a body
    over 1 MiB.
    """
    default_refresher: ProfileRefresher | None = None
    if refresh is None:
        refresh = default_refresher = ProfileRefresher(secret)
    refresher = CoalescingRefresher(refresh)
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

        background = None
        if isinstance(event, DataAddedEvent | SyncProgressEvent):
            end_user_id = event.payload.end_user_id
            # "pending" promises a final event for the same job (within 24 h): refresh then.
            if end_user_id and event.payload.outcome != "pending":
                background = BackgroundTask(refresher, end_user_id)
        return JSONResponse({"status": "accepted"}, background=background)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if default_refresher is not None:
                await default_refresher.aclose()

    return Starlette(
        routes=[Route(WEBHOOK_PATH, receive_webhook, methods=["POST"])],
        lifespan=lifespan,
    )


def main() -> None:
    import uvicorn

    secret = os.environ.get("PAYROLL_API_SECRET")
    if not secret:
        print("Set PAYROLL_API_SECRET (the webhook signing key is the API secret).")
        sys.exit(2)
    logging.basicConfig(level=logging.INFO)
    port = int(os.environ.get("PORT", "8000"))
    uvicorn.run(create_app(secret), host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
