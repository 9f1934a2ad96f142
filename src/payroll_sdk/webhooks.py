"""Verify Pinwheel webhook deliveries and parse them into typed events.

A delivery is an HTTP ``POST`` with a JSON body ``{"event", "event_id", "payload"}`` and three
headers::

    x-pinwheel-signature: v2=<hex HMAC-SHA256>
    x-timestamp: <unix seconds>
    x-pinwheel-webhook-id: <uuid>

The signature is keyed with the **API secret** (UTF-8) over ``b"v2:" + timestamp + b":" + body``,
where ``body`` is the raw request bytes. Verify before trusting anything in the body::

    from payroll_sdk.webhooks import DataAddedEvent, WebhookVerificationError, verify

    async def receive(request):                      # a Starlette/FastAPI handler
        try:
            event = verify(await request.body(), request.headers, secret=API_SECRET)
        except WebhookVerificationError as exc:
            return JSONResponse({"error": exc.reason}, status_code=400)
        if isinstance(event, DataAddedEvent):
            schedule_refresh(event.payload.end_user_id)
        return JSONResponse({"ok": True})

Delivery is at least once, so deduplicate on ``event.event_id``; Pinwheel expects an answer
within 15 seconds, so do slow work in the background. ``examples/webhook_receiver.py`` shows the
whole pattern and ``docs/webhooks.md`` explains it.

To test a receiver, :func:`sign` produces the headers a real delivery would carry::

    body = b'{"event": "paystubs.added", "event_id": "e1", "payload": {"end_user_id": "u1"}}'
    event = verify(body, sign(body, secret="s3cret"), secret="s3cret")
    assert isinstance(event, DataAddedEvent)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final, Literal, TypeAlias

from pydantic import Field, ValidationError

from ._exceptions import ConfigurationError, WebhookVerificationError
from .models._base import PayrollModel

__all__ = [
    "ACCOUNT_EVENT_NAMES",
    "DATA_ADDED_EVENT_NAMES",
    "EVENT_NAMES",
    "OTHER_EVENT_NAMES",
    "SYNC_PROGRESS_EVENT_NAMES",
    "AccountEvent",
    "AccountEventPayload",
    "DataAddedEvent",
    "DataEventPayload",
    "EventPayload",
    "OtherEvent",
    "SyncProgressEvent",
    "UnknownEvent",
    "WebhookEvent",
    "WebhookVerificationError",
    "parse_event",
    "sign",
    "verify",
]

SIGNATURE_HEADER: Final = "x-pinwheel-signature"
TIMESTAMP_HEADER: Final = "x-timestamp"
WEBHOOK_ID_HEADER: Final = "x-pinwheel-webhook-id"

DEFAULT_TOLERANCE: Final = 300
"""Seconds a delivery's ``x-timestamp`` may differ from the receiver's clock, either way."""

# --------------------------------------------------------------------------------------------
# Event names (the contract's ``enabled_events`` enum, v2025-07-08)

ACCOUNT_EVENT_NAMES: Final[frozenset[str]] = frozenset(
    {
        "account.added",
        "account.monitoring_status.updated",
        "account.additional_connections_recommended",
    }
)
"""Events about a payroll account itself; parsed as :class:`AccountEvent`."""

DATA_ADDED_EVENT_NAMES: Final[frozenset[str]] = frozenset(
    {
        "paystubs.added",
        "income.added",
        "identity.added",
        "employment.added",
        "shifts.added",
        "direct_deposit_allocations.added",
        "tax_forms.added",
        "documents.added",
        "paystubs.documents.added",
    }
)
"""A data job for an account finished (``outcome`` says how); parsed as :class:`DataAddedEvent`."""

_SYNC_RESOURCES: Final = ("paystubs", "shifts")
_SYNC_WINDOWS: Final = ("seven_days", "thirty_days", "ninety_days", "fully")

SYNC_PROGRESS_EVENT_NAMES: Final[frozenset[str]] = frozenset(
    f"{resource}.{window}_synced" for resource in _SYNC_RESOURCES for window in _SYNC_WINDOWS
)
"""History sync milestones (``paystubs.ninety_days_synced``, ...); parsed as
:class:`SyncProgressEvent`."""

OTHER_EVENT_NAMES: Final[frozenset[str]] = frozenset(
    {
        "direct_deposit_switch.added",
        "bill.added",
        "bill.updated",
        "bill.removed",
        "bill.reminder",
        "bill_switch.added",
        "bill_switch.cancelled",
        "verification_reports.refreshed",
        "earnings_stream.payouts.refreshed",
        "paycheck_viewer.added",
        "company_connect.status.updated",
        "company_connect.census.added",
        "company_connect.employments.added",
        "company_connect.incomes.added",
    }
)
"""Known events this SDK has no dedicated model for; parsed as :class:`OtherEvent`."""

EVENT_NAMES: Final[frozenset[str]] = (
    ACCOUNT_EVENT_NAMES | DATA_ADDED_EVENT_NAMES | SYNC_PROGRESS_EVENT_NAMES | OTHER_EVENT_NAMES
)
"""Every event name the contract lists (34). Any other name parses as :class:`UnknownEvent`."""

# --------------------------------------------------------------------------------------------
# Typed events

Outcome: TypeAlias = Literal["success", "error", "pending"] | str
"""A data job's result; ``pending`` is followed by a final event within 24 hours. Open enum."""

SyncWindow: TypeAlias = Literal["seven_days", "thirty_days", "ninety_days", "fully"] | str
"""How much history a :class:`SyncProgressEvent` says is synced. Open enum."""


class EventPayload(PayrollModel):
    """The identifiers most payloads carry. Every field is optional and every other field the
    delivery holds is kept (``model_extra``), so a payload never fails to parse for a missing or
    new field: a verified delivery that the receiver rejects would only be redelivered."""

    account_id: str | None = None
    end_user_id: str | None = None
    link_token_id: str | None = None


class AccountEventPayload(EventPayload):
    """Payload of the ``account.*`` events."""

    platform_id: str | None = None
    #: ``active``, ``degraded``, ``user_action_required``, ``customer_disabled``, ``unavailable``
    #: (open enum), on ``account.monitoring_status.updated``.
    monitoring_status: str | None = None


class DataEventPayload(EventPayload):
    """Payload of a data event: which job ran for which account, and how it ended."""

    #: The job name, such as ``"paystubs"``.
    name: str | None = None
    #: When the job finished (ISO 8601 with offset on the wire).
    timestamp: datetime | None = None
    outcome: Outcome | None = None
    error_code: str | None = None
    error_type: str | None = None
    params: dict[str, Any] | None = None
    #: Deprecated job id; kept because older integrations key on it.
    id: str | None = None


class WebhookEvent(PayrollModel):
    """A verified (or test-parsed) delivery. Use the subclass to know what ``payload`` holds.

    ``webhook_id`` and ``timestamp`` come from the delivery's ``x-pinwheel-webhook-id`` and
    ``x-timestamp`` headers (``None`` when parsed with :func:`parse_event` without them);
    ``timestamp`` is a timezone-aware UTC datetime.

    Narrow with ``isinstance`` or ``match``::

        match verify(body, headers, secret=secret):
            case DataAddedEvent(payload=p) if p.outcome == "success":
                refresh(p.end_user_id)
            case UnknownEvent(event=name):
                log.info("ignoring new event %s", name)
    """

    event: str
    event_id: str
    payload: EventPayload = Field(default_factory=EventPayload)
    webhook_id: str | None = None
    timestamp: datetime | None = None

    @property
    def end_user_id(self) -> str | None:
        """The payload's ``end_user_id``: whose data changed, when the event says."""
        return self.payload.end_user_id


class AccountEvent(WebhookEvent):
    """``account.added``, ``account.monitoring_status.updated``,
    ``account.additional_connections_recommended``."""

    payload: AccountEventPayload = Field(default_factory=AccountEventPayload)


class DataAddedEvent(WebhookEvent):
    """A data job finished: ``paystubs.added``, ``income.added``, ``identity.added``, ... (see
    :data:`DATA_ADDED_EVENT_NAMES`). Check ``payload.outcome`` before fetching."""

    payload: DataEventPayload = Field(default_factory=DataEventPayload)

    @property
    def resource(self) -> str:
        """What was added: the event name without ``.added`` (``"paystubs"``,
        ``"paystubs.documents"``, ``"direct_deposit_allocations"``, ...)."""
        return self.event.removesuffix(".added")


class SyncProgressEvent(WebhookEvent):
    """A history sync milestone such as ``paystubs.ninety_days_synced`` or
    ``shifts.fully_synced``."""

    payload: DataEventPayload = Field(default_factory=DataEventPayload)

    @property
    def resource(self) -> Literal["paystubs", "shifts"] | str:
        """``"paystubs"`` or ``"shifts"``."""
        return self.event.partition(".")[0]

    @property
    def window(self) -> SyncWindow:
        """``"seven_days"``, ``"thirty_days"``, ``"ninety_days"`` or ``"fully"``."""
        return self.event.partition(".")[2].removesuffix("_synced")


class OtherEvent(WebhookEvent):
    """A known event without a dedicated model: direct deposit and bill switches, bills,
    reports, Paycheck Viewer, Company Connect (see :data:`OTHER_EVENT_NAMES`). The whole payload
    is kept; read what you need from ``payload.model_extra``."""


class UnknownEvent(WebhookEvent):
    """An event name this SDK version does not know. Kept rather than rejected: Pinwheel may
    add events at any time, and a receiver that answers 400 to them gets them redelivered."""


_EVENT_CLASSES: Final[Mapping[str, type[WebhookEvent]]] = {
    **dict.fromkeys(ACCOUNT_EVENT_NAMES, AccountEvent),
    **dict.fromkeys(DATA_ADDED_EVENT_NAMES, DataAddedEvent),
    **dict.fromkeys(SYNC_PROGRESS_EVENT_NAMES, SyncProgressEvent),
    **dict.fromkeys(OTHER_EVENT_NAMES, OtherEvent),
}


def parse_event(
    data: bytes | str | Mapping[str, Any],
    *,
    webhook_id: str | None = None,
    timestamp: datetime | None = None,
) -> WebhookEvent:
    """Parse a delivery body into its typed event **without verifying it**.

    For tests and for replaying stored bodies; anything received over the network goes through
    :func:`verify`. ``data`` is the JSON body (bytes or text) or an already decoded mapping.
    Raises :class:`WebhookVerificationError` with ``reason="bad_body"`` when the body is not a
    JSON object with string ``event`` and ``event_id`` (and an object ``payload``, if any)::

        >>> event = parse_event({"event": "shifts.fully_synced", "event_id": "e1", "payload": {}})
        >>> type(event).__name__, event.resource, event.window
        ('SyncProgressEvent', 'shifts', 'fully')
    """
    if isinstance(data, Mapping):
        decoded: Any = data
    else:
        try:
            decoded = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
            raise _bad_body("the body is not valid JSON") from exc
    if not isinstance(decoded, Mapping):
        raise _bad_body("the body is not a JSON object")
    for key in ("event", "event_id"):
        if not isinstance(decoded.get(key), str):
            raise _bad_body(f"the body has no string {key!r}")
    # The header-derived fields win over any same-named top-level body key.
    fields = {**decoded, "webhook_id": webhook_id, "timestamp": timestamp}
    event_class = _EVENT_CLASSES.get(decoded["event"], UnknownEvent)
    try:
        return event_class.model_validate(fields)
    except ValidationError as exc:
        # Locations and error kinds only: the values may be personal data.
        problems = "; ".join(
            f"{'.'.join(map(str, err['loc']))}: {err['type']}" for err in exc.errors()
        )
        raise _bad_body(f"the body does not match the event shape ({problems})") from exc


def _bad_body(detail: str) -> WebhookVerificationError:
    return WebhookVerificationError(f"Webhook body rejected: {detail}.", reason="bad_body")


# --------------------------------------------------------------------------------------------
# Signing and verification

_SIGNATURE_RE: Final = re.compile(r"v2=([0-9a-fA-F]{64})")
# ASCII digits only (``\d`` would accept other scripts' digits), and few enough of them that the
# value is a representable datetime.
_TIMESTAMP_RE: Final = re.compile(r"[0-9]{1,11}")


def _signature(secret: str, timestamp: str, body: bytes) -> str:
    message = b"v2:" + timestamp.encode("ascii") + b":" + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _secrets(secret: str | Sequence[str]) -> tuple[str, ...]:
    # A str is itself a Sequence[str]; it means one secret, not one secret per character.
    secrets = (secret,) if isinstance(secret, str) else tuple(secret)
    if not secrets:
        raise ConfigurationError("No webhook secret given: pass the API secret as secret=...")
    for candidate in secrets:
        if not isinstance(candidate, str) or not candidate:
            raise ConfigurationError("A webhook secret is empty or not a str.")
    return secrets


def sign(
    body: bytes | bytearray | memoryview,
    *,
    secret: str,
    timestamp: int | None = None,
    webhook_id: str | None = None,
) -> dict[str, str]:
    """Return the headers a Pinwheel delivery of ``body`` would carry, to test a receiver.

    ``timestamp`` defaults to now (unix seconds) and ``webhook_id`` to a fresh UUID4::

        >>> headers = sign(b'{"event": "income.added", "event_id": "e1"}', secret="s3cret",
        ...                timestamp=1700000000, webhook_id="w1")
        >>> sorted(headers)
        ['content-type', 'x-pinwheel-signature', 'x-pinwheel-webhook-id', 'x-timestamp']
        >>> headers["x-pinwheel-signature"][:3], headers["x-timestamp"]
        ('v2=', '1700000000')

    Post the same ``body`` bytes with these headers (for example with ``httpx`` or Starlette's
    ``TestClient``) and the receiver's :func:`verify` accepts them.
    """
    if not isinstance(secret, str) or not secret:
        raise ConfigurationError("sign() needs one non-empty secret (a str).")
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "content-type": "application/json",
        SIGNATURE_HEADER: "v2=" + _signature(secret, stamp, bytes(body)),
        TIMESTAMP_HEADER: stamp,
        WEBHOOK_ID_HEADER: str(uuid.uuid4()) if webhook_id is None else webhook_id,
    }


def verify(
    body: bytes | bytearray | memoryview,
    headers: Mapping[str, str],
    *,
    secret: str | Sequence[str],
    tolerance: int | None = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> WebhookEvent:
    """Check that a delivery comes from Pinwheel, then parse it into its typed event.

    ``body`` must be the **raw request bytes**: parsing and re-serialising the JSON changes the
    bytes and breaks the signature. ``headers`` is any mapping (a dict in any key case,
    Starlette's or httpx's ``Headers``, ...); names are matched case-insensitively.

    ``secret`` is the API secret, or several (``[new, old]``) while the secret is being rotated:
    a delivery signed with any of them verifies.

    ``tolerance`` is how many seconds ``x-timestamp`` may be from ``now`` (default: the current
    time), in the past or the future; it bounds how long a captured delivery can be replayed.
    ``tolerance=None`` disables the check (to re-verify stored deliveries); ``0`` is not
    "disabled" but "the same second".

    Checks run in this order and the first failure raises :class:`WebhookVerificationError`
    with a ``reason``:

    ``missing_header``  no (or an empty) ``x-pinwheel-signature`` or ``x-timestamp``
    ``bad_format``      the signature is not ``v2=<64 hex digits>``, or the timestamp is not
                        unix seconds
    ``stale``           the timestamp is more than ``tolerance`` seconds from ``now``
    ``mismatch``        the signature is not the HMAC of this body with any given secret
    ``bad_body``        verified, but not a JSON object with string ``event`` and ``event_id``

    ``x-pinwheel-webhook-id`` is not signed and not required; it becomes ``event.webhook_id``.
    Error messages never contain the secret, the expected signature or the body.
    A bad ``secret`` (empty) or ``tolerance`` (negative) raises
    :class:`~payroll_sdk.ConfigurationError` instead: that is a bug in the receiver, not a bad
    delivery. Example::

        event = verify(await request.body(), request.headers, secret=[new_secret, old_secret])
    """
    secrets = _secrets(secret)
    if tolerance is not None and tolerance < 0:
        raise ConfigurationError("tolerance must be >= 0 seconds, or None to disable the check.")
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError(
            "verify() needs the raw request body as bytes; decoded or re-serialised text "
            "would not match the signature."
        )
    raw = bytes(body)

    lowered = {name.lower(): value for name, value in headers.items()}
    signature_header = lowered.get(SIGNATURE_HEADER, "").strip()
    timestamp_header = lowered.get(TIMESTAMP_HEADER, "").strip()
    webhook_id = lowered.get(WEBHOOK_ID_HEADER, "").strip() or None
    missing = [
        name
        for name, value in (
            (SIGNATURE_HEADER, signature_header),
            (TIMESTAMP_HEADER, timestamp_header),
        )
        if not value
    ]
    if missing:
        raise WebhookVerificationError(
            f"Webhook delivery is missing the {' and '.join(missing)} header.",
            reason="missing_header",
        )

    signature_match = _SIGNATURE_RE.fullmatch(signature_header)
    if signature_match is None:
        raise WebhookVerificationError(
            f"Webhook {SIGNATURE_HEADER} header is not 'v2=' followed by 64 hex digits.",
            reason="bad_format",
        )
    if _TIMESTAMP_RE.fullmatch(timestamp_header) is None:
        raise WebhookVerificationError(
            f"Webhook {TIMESTAMP_HEADER} header is not an integer of unix seconds.",
            reason="bad_format",
        )
    sent_at = int(timestamp_header)

    if tolerance is not None:
        current = time.time() if now is None else now
        skew = current - sent_at
        if abs(skew) > tolerance:
            direction = "old" if skew > 0 else "in the future"
            raise WebhookVerificationError(
                f"Webhook timestamp is {abs(skew):.0f} s {direction}; the tolerance is "
                f"{tolerance} s (a replay, or a clock out of sync).",
                reason="stale",
            )

    provided = signature_match.group(1).lower().encode("ascii")
    matched = False
    # Every secret is tried (no early exit) so the time taken does not say which one matched.
    for key in secrets:
        expected = _signature(key, timestamp_header, raw).encode("ascii")
        matched |= hmac.compare_digest(expected, provided)
    if not matched:
        raise WebhookVerificationError(
            "Webhook signature does not match the body"
            + (" for any of the given secrets." if len(secrets) > 1 else "."),
            reason="mismatch",
        )

    return parse_event(
        raw, webhook_id=webhook_id, timestamp=datetime.fromtimestamp(sent_at, tz=UTC)
    )
