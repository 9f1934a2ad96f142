"""The Starlette app: routes, auth, pagination, latency, faults and stats.

Every route is a plain ASGI callable (no middleware, no per-request JSON encoding): an
account's lists and objects are serialised once into bytes, kept in an LRU, and pages are
joined from pre-serialised items. Order of checks for each request: method, ``X-API-SECRET``
(401), ``Pinwheel-Version`` (400), latency, faults, then the route's own validation (400)
and lookups (404).
"""

from __future__ import annotations

import asyncio
import email.utils
import hmac
import json
import logging
import math
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any, ClassVar
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ._additions import ADDABLE, Addable
from ._config import SUPPORTED_VERSIONS, SandboxConfig
from ._damage import meta_key
from ._data import AccountTruth, SandboxData
from ._faults import (
    WRAPPING_KINDS,
    Fault,
    FaultInjector,
    FaultScriptError,
    SandboxConnectionDropped,
)
from ._stats import SandboxStats
from ._wire import (
    UUID_PATTERN,
    ApiError,
    cursor_binding,
    decode_cursor,
    dumps,
    encode_cursor,
    error_response,
    json_response,
    new_request_id,
    parse_date,
    parse_limit,
)

__all__ = ["Sandbox", "create_app"]

logger = logging.getLogger("payroll_sdk.sandbox")

_SINGLE_RESOURCES = ("income", "identity", "employment", "direct_deposit_allocations")
_PAYSTUB_FILTERS = ("from_pay_date", "to_pay_date")
_SHIFT_FILTERS = ("from_start_date", "to_start_date", "from_end_date", "to_end_date")
_BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_MALFORMED = b'{"data": [{"id": "5b1f", "amount": 12,,]} <!-- upstream -->'


@dataclass(frozen=True)
class _HistoryBodies:
    """An account's paystubs and shifts as served, one JSON ``bytes`` per record, newest
    first, with the true dates the filters compare (ISO strings compare as dates)."""

    paystubs: list[bytes]
    pay_dates: list[str]
    paystub_by_id: dict[str, bytes]
    shifts: list[bytes]
    shift_starts: list[str]
    shift_ends: list[str]


class _AccountWire:
    """One account's responses as bytes, built on first use.

    It keeps bytes and date strings, not the records' dicts: once serialised, the generated
    history is released (``AccountTruth.release_history``) unless something else had asked
    for it first. Filtered lists are kept per filter (a client paging through one window asks
    for the same filter once per page).
    """

    #: Filtered lists kept per account; more distinct filters start the memo afresh.
    FILTERS_KEPT: ClassVar[int] = 16

    def __init__(self, truth: AccountTruth) -> None:
        self.truth = truth
        extras = truth.envelope_extras
        self.extras = dumps(extras)[1:-1] if extras else b""
        self._filtered: dict[tuple[str, ...], list[bytes]] = {}

    def _envelope(self, data: Any, meta: dict[str, Any] | None) -> bytes:
        body: dict[str, Any] = {"data": data}
        if meta is not None:
            body["meta"] = meta
        body.update(self.truth.envelope_extras)
        return dumps(body)

    def envelope(self, item: bytes) -> bytes:
        """``{"data": item}`` (plus the envelope extras) for an already serialised item."""
        tail = b"," + self.extras if self.extras else b""
        return b'{"data":' + item + tail + b"}"

    @cached_property
    def account_item(self) -> bytes:
        return dumps(self.truth.account)

    @cached_property
    def account_body(self) -> bytes:
        return self.envelope(self.account_item)

    @cached_property
    def history(self) -> _HistoryBodies:
        truth = self.truth
        held = truth.history_cached
        stubs = truth.served_paystubs
        shifts = truth.served_shifts
        stub_items = [dumps(p) for p, _ in stubs]
        bodies = _HistoryBodies(
            paystubs=stub_items,
            pay_dates=[t["pay_date"] for _, t in stubs],
            paystub_by_id={
                p["id"]: item
                for (p, _), item in zip(stubs, stub_items, strict=True)
                if isinstance(p.get("id"), str)
            },
            shifts=[dumps(s) for s, _ in shifts],
            shift_starts=[t["start_date"] for _, t in shifts],
            shift_ends=[t["end_date"] for _, t in shifts],
        )
        if not held:
            truth.release_history()
        return bodies

    def paystubs(self, lo: str | None, hi: str | None) -> list[bytes]:
        """The served paystubs paid between ``lo`` and ``hi`` (inclusive, either optional)."""
        history = self.history
        if not (lo or hi):
            return history.paystubs
        key = ("paystubs", lo or "0000-00-00", hi or "9999-99-99")
        items = self._filtered.get(key)
        if items is None:
            _, low, high = key
            items = [
                item
                for item, day in zip(history.paystubs, history.pay_dates, strict=True)
                if low <= day <= high
            ]
            self._remember(key, items)
        return items

    def shifts(self, bounds: list[str | None]) -> list[bytes]:
        """The served shifts within ``bounds``: from/to start date, from/to end date."""
        history = self.history
        if not any(bounds):
            return history.shifts
        s_lo, s_hi = bounds[0] or "0000-00-00", bounds[1] or "9999-99-99"
        e_lo, e_hi = bounds[2] or "0000-00-00", bounds[3] or "9999-99-99"
        key = ("shifts", s_lo, s_hi, e_lo, e_hi)
        items = self._filtered.get(key)
        if items is None:
            items = [
                item
                for item, s, e in zip(
                    history.shifts, history.shift_starts, history.shift_ends, strict=True
                )
                if s_lo <= s <= s_hi and e_lo <= e <= e_hi
            ]
            self._remember(key, items)
        return items

    def _remember(self, key: tuple[str, ...], items: list[bytes]) -> None:
        # Replacing the dict (never popping from it) keeps this safe for serving threads.
        if len(self._filtered) >= self.FILTERS_KEPT:
            self._filtered = {}
        self._filtered[key] = items

    def single(self, name: str) -> bytes | None:
        cache: dict[str, bytes | None] = self.__dict__.setdefault("_single", {})
        if name not in cache:
            value = self.truth.resource(name)
            cache[name] = (
                None
                if value is None
                else self._envelope(value, {"refreshed_at": self.truth.refreshed_at[name]})
            )
        return cache[name]


class _SharedData:
    """Ground truth and its serialised bodies, shared by every app of the process built with
    the same ``(seed, history_months, today)``.

    Generating a user costs tens of milliseconds (a couple of years of paystubs and shifts),
    and the test suite, the examples and the docs each build many in-process sandboxes over
    the same users: they now generate each user once per process. The data is a pure function
    of the key, so sharing cannot change what any app serves; stats and faults stay per app.
    Several apps may serve from several threads (``SandboxServer``): ``SandboxData`` locks its
    own cache, and ``lock`` guards the serialised bodies.
    """

    _registry: ClassVar[OrderedDict[tuple[int, int, date], _SharedData]] = OrderedDict()
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()
    #: Configurations kept at once (each holds up to ``cached_accounts`` serialised accounts).
    _MAX_KEPT: ClassVar[int] = 4

    def __init__(self, data: SandboxData) -> None:
        self.data = data
        self.wires: OrderedDict[str, _AccountWire] = OrderedDict()
        self.lock = threading.RLock()

    @classmethod
    def for_config(cls, config: SandboxConfig) -> _SharedData:
        today = config.today or datetime.now(UTC).date()
        key = (config.seed, config.history_months, today)
        with cls._registry_lock:
            shared = cls._registry.get(key)
            if shared is None:
                data = SandboxData(
                    seed=config.seed, history_months=config.history_months, today=today
                )
                shared = cls._registry[key] = cls(data)
                if len(cls._registry) > cls._MAX_KEPT:
                    cls._registry.popitem(last=False)
            else:
                cls._registry.move_to_end(key)
            return shared


class Sandbox:
    """The state behind one app: ``config``, ground-truth ``data`` and ``stats``."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._shared = _SharedData.for_config(config)
        self.data = self._shared.data
        self.stats = SandboxStats()
        self.faults = FaultInjector(config.faults)
        self._wires = self._shared.wires
        self._jitter = random.Random(config.seed)
        self._secret = config.secret.encode()

    def reset(self) -> None:
        """Zero the stats and restart fault scripts (the data stays)."""
        self.stats.reset()
        self.faults.reset()

    def add_records(
        self,
        end_user_id: str,
        resource: Addable,
        *,
        count: int = 1,
        account: int = 0,
        on: date | None = None,
    ) -> list[dict[str, Any]]:
        """Add paystubs or shifts to a user while the app runs (see
        ``SandboxData.add_records``); the next request for the account serves them. The data
        is shared by every app of this process built with the same settings, so they all
        serve the additions: tests that add records use end users of their own."""
        with self._shared.lock:
            user = self.data.user(end_user_id)
            held = [truth.history_cached for truth in user.accounts]
            records = self.data.add_records(
                end_user_id, resource, count=count, account=account, on=on
            )
            truth = user.accounts[account]
            if not held[account]:
                truth.release_history()  # modelling the additions generated it: not kept
            self._wires.pop(truth.account_id, None)
        return records

    def wire(self, truth: AccountTruth) -> _AccountWire:
        with self._shared.lock:
            wire = self._wires.get(truth.account_id)
            if wire is None or wire.truth is not truth:
                wire = _AccountWire(truth)
                self._wires[truth.account_id] = wire
                if len(self._wires) > self.config.cached_accounts:
                    self._wires.popitem(last=False)
            else:
                self._wires.move_to_end(truth.account_id)
            return wire

    def secret_matches(self, given: bytes | None) -> bool:
        return given is not None and hmac.compare_digest(given, self._secret)

    def latency_seconds(self, endpoint: str) -> float:
        latency = self.config.latency
        if not latency.enabled:
            return 0.0
        ms = latency.per_endpoint.get(endpoint, latency.ms)
        if latency.jitter_ms:
            ms += self._jitter.uniform(0, latency.jitter_ms)
        return ms / 1000


@dataclass
class _Ctx:
    """What a route handler needs about one request."""

    sandbox: Sandbox
    path_params: dict[str, str]
    query: dict[str, str]
    path: str
    repeat_cursor: bool = False

    def account(self) -> AccountTruth:
        account_id = self.path_params["account_id"]
        if not UUID_PATTERN.match(account_id):
            raise ApiError.invalid("account_id", "account_id must be a UUID")
        truth = self.sandbox.data.account(account_id)
        if truth is None:
            raise ApiError.not_found("ACCOUNT_NOT_FOUND", f"No account with id {account_id}.")
        return truth


Handler = Callable[[_Ctx], bytes]


def _page(
    ctx: _Ctx,
    items: list[bytes],
    binding: str,
    meta_extra: dict[str, Any],
    extras: bytes,
    cursor_key: str = "next_cursor",
) -> bytes:
    limit = parse_limit(ctx.query.get("limit"))
    cursor = ctx.query.get("cursor")
    offset = decode_cursor(cursor, binding) if cursor is not None else 0
    page = items[offset : offset + limit]
    end = offset + len(page)
    next_cursor = encode_cursor(end, binding) if end < len(items) else None
    if ctx.repeat_cursor:
        next_cursor = cursor if cursor is not None else encode_cursor(0, binding)
    meta: dict[str, Any] = {"count": len(page), cursor_key: next_cursor, **meta_extra}
    tail = b"," + extras if extras else b""
    return b'{"data":[' + b",".join(page) + b'],"meta":' + dumps(meta) + tail + b"}"


def _accounts(ctx: _Ctx) -> bytes:
    end_user_id = ctx.path_params["end_user_id"]
    user = ctx.sandbox.data.user(end_user_id)
    if not user.exists:
        raise ApiError.not_found("END_USER_NOT_FOUND", f"No end user with id {end_user_id}.")
    wires = [ctx.sandbox.wire(a) for a in user.accounts]
    extras = wires[0].extras if wires else b""
    binding = cursor_binding("accounts", end_user_id)
    return _page(ctx, [w.account_item for w in wires], binding, {}, extras)


def _account(ctx: _Ctx) -> bytes:
    return ctx.sandbox.wire(ctx.account()).account_body


def _paystubs(ctx: _Ctx) -> bytes:
    truth = ctx.account()
    lo = parse_date("from_pay_date", ctx.query.get("from_pay_date"))
    hi = parse_date("to_pay_date", ctx.query.get("to_pay_date"))
    if lo and hi and lo > hi:
        raise ApiError.invalid("from_pay_date", "from_pay_date must not be after to_pay_date")
    if "paystubs" not in truth.refreshed_at:
        raise ApiError.not_found("PAYSTUBS_NOT_FOUND", "No paystubs for this account.")
    wire = ctx.sandbox.wire(truth)
    items = wire.paystubs(lo, hi)
    if lo or hi:  # the cursor binds the filled-in window (as it always has: cursors stay valid)
        lo, hi = lo or "0000-00-00", hi or "9999-99-99"
    binding = cursor_binding("paystubs", truth.account_id, lo or "", hi or "")
    meta = {"refreshed_at": truth.refreshed_at["paystubs"]}
    return _page(ctx, items, binding, meta, wire.extras, meta_key(truth.options.damage))


def _paystub(ctx: _Ctx) -> bytes:
    truth = ctx.account()
    paystub_id = ctx.path_params["paystub_id"]
    if not UUID_PATTERN.match(paystub_id):
        raise ApiError.invalid("paystub_id", "paystub_id must be a UUID")
    wire = ctx.sandbox.wire(truth)
    paystub = wire.history.paystub_by_id.get(paystub_id.lower())
    if paystub is None:
        raise ApiError.not_found("PAYSTUB_NOT_FOUND", f"No paystub with id {paystub_id}.")
    return wire.envelope(paystub)


def _shifts(ctx: _Ctx) -> bytes:
    truth = ctx.account()
    bounds = [parse_date(name, ctx.query.get(name)) for name in _SHIFT_FILTERS]
    for (lo_name, lo), (hi_name, hi) in (
        ((_SHIFT_FILTERS[0], bounds[0]), (_SHIFT_FILTERS[1], bounds[1])),
        ((_SHIFT_FILTERS[2], bounds[2]), (_SHIFT_FILTERS[3], bounds[3])),
    ):
        if lo and hi and lo > hi:
            raise ApiError.invalid(lo_name, f"{lo_name} must not be after {hi_name}")
    if "shifts" not in truth.refreshed_at:
        raise ApiError.not_found("SHIFTS_NOT_FOUND", "No shifts for this account.")
    binding = cursor_binding("shifts", truth.account_id, *(b or "" for b in bounds))
    if "shifts" in truth.fail_later_pages and ctx.query.get("cursor"):
        decode_cursor(ctx.query["cursor"], binding)  # a bad cursor is still a 400
        ctx.sandbox.stats.fault_injected("500")
        raise ApiError(500, "UNKNOWN_ERROR", "INTERNAL_SERVER_ERROR", "Internal server error.")
    wire = ctx.sandbox.wire(truth)
    items = wire.shifts(bounds)
    meta = {"refreshed_at": truth.refreshed_at["shifts"]}
    return _page(ctx, items, binding, meta, wire.extras, meta_key(truth.options.damage))


def _single(name: str) -> Handler:
    code = f"{name.upper()}_NOT_FOUND"

    def handler(ctx: _Ctx) -> bytes:
        body = ctx.sandbox.wire(ctx.account()).single(name)
        if body is None:
            raise ApiError.not_found(code, f"No {name} data for this account.")
        return body

    handler.__name__ = f"_{name}"
    return handler


class _DroppedResponse(Response):
    """Announces the full length, sends half the body, then drops the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send(
            {
                "type": "http.response.body",
                "body": self.body[: len(self.body) // 2],
                "more_body": True,
            }
        )
        raise SandboxConnectionDropped("sandbox fault: connection dropped mid-response")


class _SlowResponse(Response):
    """Sends the headers at once and the body only after ``delay`` seconds."""

    delay = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await asyncio.sleep(self.delay)
        await send({"type": "http.response.body", "body": self.body})


def _fault_response(sandbox: Sandbox, fault: Fault, request_id: str) -> Response:
    kind = fault.kind
    if kind.startswith("429"):
        seconds = fault.arg if fault.arg is not None else sandbox.config.faults.retry_after_seconds
        headers: dict[str, str] = {}
        if kind == "429":
            headers["Retry-After"] = str(math.ceil(seconds))
        elif kind == "429-date":
            headers["Retry-After"] = email.utils.formatdate(time.time() + seconds, usegmt=True)
        return error_response(
            ApiError(
                429,
                "RATE_LIMIT_EXCEEDED",
                "TOO_MANY_REQUESTS",
                "Too many requests; slow down.",
                headers=headers,
            ),
            request_id,
        )
    if kind == "502-html":
        return Response(_BAD_GATEWAY_HTML, 502, {"x-request-id": request_id}, "text/html")
    if kind == "malformed":
        return json_response(_MALFORMED, request_id)
    status = int(kind)
    code = {
        500: "INTERNAL_SERVER_ERROR",
        502: "BAD_GATEWAY",
        503: "SERVICE_UNAVAILABLE",
        504: "GATEWAY_TIMEOUT",
    }[status]
    return error_response(
        ApiError(status, "UNKNOWN_ERROR", code, f"Sandbox fault: {code.lower()}."), request_id
    )


def _wrap(sandbox: Sandbox, fault: Fault, response: Response) -> Response:
    body = bytes(response.body)
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    if fault.kind == "truncated":
        return Response(body[: len(body) // 2], response.status_code, headers)
    if fault.kind == "drop":
        return _DroppedResponse(body, response.status_code, headers)
    slow = _SlowResponse(body, response.status_code, headers)
    slow.delay = fault.arg if fault.arg is not None else sandbox.config.faults.slow_seconds
    return slow


class _Endpoint:
    """One route as a raw ASGI app: the checks, the faults and the stats around a handler."""

    def __init__(self, sandbox: Sandbox, name: str, handler: Handler, *, is_list: bool) -> None:
        self.sandbox = sandbox
        self.name = name
        self.handler = handler
        self.is_list = is_list

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        stats = self.sandbox.stats
        stats.request_started(self.name)
        status = 500
        try:
            response = await self._respond(scope)
            status = response.status_code
            await response(scope, receive, send)
        finally:
            stats.request_finished(status)

    async def _respond(self, scope: Scope) -> Response:
        request_id = new_request_id()
        sandbox = self.sandbox
        try:
            secret = version = fault_header = None
            for key, value in scope["headers"]:
                if key == b"x-api-secret":
                    secret = value
                elif key == b"pinwheel-version":
                    version = value
                elif key == b"x-sandbox-faults":
                    fault_header = value
            if scope["method"] != "GET":
                raise ApiError(
                    405,
                    "INVALID_REQUEST_PARAMETERS",
                    "METHOD_NOT_ALLOWED",
                    f"{scope['method']} is not allowed here; use GET.",
                )
            self._authorise(secret, version)
            delay = sandbox.latency_seconds(self.name)
            if delay:
                await asyncio.sleep(delay)
            query_string = scope["query_string"].decode("latin-1")
            ctx = _Ctx(
                sandbox,
                scope["path_params"],
                dict(parse_qsl(query_string, keep_blank_values=True)),
                scope["path"],
            )
            account_script = None
            if "account_id" in ctx.path_params:
                known = sandbox.data.account(ctx.path_params["account_id"])
                account_script = known.fault_script if known is not None else None
            try:
                fault = sandbox.faults.decide(
                    endpoint=self.name,
                    method=scope["method"],
                    path=scope["path"],
                    query=query_string,
                    header_script=fault_header.decode("latin-1") if fault_header else None,
                    account_script=account_script,
                )
            except FaultScriptError as exc:
                raise ApiError.invalid("X-Sandbox-Faults", str(exc)) from None
            if fault is not None and fault.kind == "repeat-cursor" and not self.is_list:
                fault = None  # only lists have cursors to repeat
            if fault is not None:
                sandbox.stats.fault_injected(fault.kind)
                if fault.kind not in WRAPPING_KINDS:
                    return _fault_response(sandbox, fault, request_id)
                ctx.repeat_cursor = fault.kind == "repeat-cursor"
            try:
                response = json_response(self.handler(ctx), request_id)
            except ApiError as error:
                response = error_response(error, request_id)
            if fault is not None and fault.kind in ("drop", "truncated", "slow"):
                response = _wrap(sandbox, fault, response)
            return response
        except ApiError as error:
            return error_response(error, request_id)
        except Exception:
            logger.exception("sandbox handler failed")
            internal = ApiError(500, "UNKNOWN_ERROR", "INTERNAL_SERVER_ERROR", "Internal error.")
            return error_response(internal, request_id)

    def _authorise(self, secret: bytes | None, version: bytes | None) -> None:
        if secret is None:
            raise ApiError(
                401,
                "UNAUTHORIZED_REQUEST",
                "MISSING_API_SECRET",
                "The X-API-SECRET header is required.",
            )
        if not self.sandbox.secret_matches(secret):
            raise ApiError(
                401, "UNAUTHORIZED_REQUEST", "INVALID_API_SECRET", "The API secret is not valid."
            )
        if version is None:
            raise ApiError.invalid(
                "Pinwheel-Version",
                "The Pinwheel-Version header is required.",
                "MISSING_PINWHEEL_VERSION",
            )
        if version.decode("latin-1") not in SUPPORTED_VERSIONS:
            raise ApiError.invalid(
                "Pinwheel-Version",
                f"Unsupported Pinwheel-Version; use one of {', '.join(SUPPORTED_VERSIONS)}.",
                "INVALID_PINWHEEL_VERSION",
            )


def _routes(sandbox: Sandbox) -> list[Route]:
    table: list[tuple[str, str, Handler, bool]] = [
        ("/v1/end_users/{end_user_id}/accounts", "accounts", _accounts, True),
        ("/v1/accounts/{account_id}", "account", _account, False),
        ("/v1/accounts/{account_id}/paystubs", "paystubs", _paystubs, True),
        ("/v1/accounts/{account_id}/paystubs/{paystub_id}", "paystub", _paystub, False),
        ("/v1/accounts/{account_id}/shifts", "shifts", _shifts, True),
    ]
    table += [(f"/v1/accounts/{{account_id}}/{n}", n, _single(n), False) for n in _SINGLE_RESOURCES]
    return [
        Route(path, _Endpoint(sandbox, name, handler, is_list=is_list), name=name)
        for path, name, handler, is_list in table
    ]


def _bad_secret() -> ApiError:
    return ApiError(
        401, "UNAUTHORIZED_REQUEST", "INVALID_API_SECRET", "The API secret is not valid."
    )


def _admin_routes(sandbox: Sandbox) -> list[Route]:
    async def stats(request: Request) -> Response:
        request_id = new_request_id()
        secret = request.headers.get("x-api-secret")
        if not sandbox.secret_matches(secret.encode() if secret is not None else None):
            return error_response(
                ApiError(
                    401,
                    "UNAUTHORIZED_REQUEST",
                    "INVALID_API_SECRET",
                    "The API secret is not valid.",
                ),
                request_id,
            )
        if request.method == "POST":
            sandbox.reset()
        return json_response(dumps(sandbox.stats.as_dict()), request_id)

    async def health(request: Request) -> Response:
        return json_response(b'{"status":"ok"}', new_request_id())

    async def add(request: Request) -> Response:
        # POST /_sandbox/end_users/{end_user_id}/{paystubs|shifts}
        # body (optional): {"count": 1, "account": 0, "date": "YYYY-MM-DD"}
        request_id = new_request_id()
        secret = request.headers.get("x-api-secret")
        if not sandbox.secret_matches(secret.encode() if secret is not None else None):
            return error_response(_bad_secret(), request_id)
        resource = request.path_params["resource"]
        try:
            body = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            day = body.get("date")
            records = sandbox.add_records(
                request.path_params["end_user_id"],
                resource if resource in ADDABLE else "",  # type: ignore[arg-type]
                count=body.get("count", 1),
                account=body.get("account", 0),
                on=date.fromisoformat(day) if day is not None else None,
            )
        except (ValueError, TypeError) as exc:
            return error_response(ApiError.invalid(resource, str(exc)), request_id)
        return json_response(dumps({"data": records}), request_id)

    return [
        Route("/_sandbox/end_users/{end_user_id}/{resource}", add, methods=["POST"]),
        Route("/_sandbox/stats", stats, methods=["GET"]),
        Route("/_sandbox/reset", stats, methods=["POST"]),
        Route("/_sandbox/health", health, methods=["GET"]),
    ]


async def _not_found(request: Request, exc: Exception) -> Response:
    error = ApiError.not_found("ROUTE_NOT_FOUND", f"No route for {request.url.path}.")
    return error_response(error, new_request_id())


async def _not_allowed(request: Request, exc: Exception) -> Response:
    error = ApiError(
        405,
        "INVALID_REQUEST_PARAMETERS",
        "METHOD_NOT_ALLOWED",
        f"{request.method} is not allowed here.",
    )
    return error_response(error, new_request_id())


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """A Pinwheel-compatible app; its state is ``app.state.sandbox`` (a :class:`Sandbox`).

    Serve it with uvicorn or call it in-process through ``httpx.ASGITransport(app)``.
    """
    sandbox = Sandbox(config or SandboxConfig())
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        404: _not_found,
        405: _not_allowed,
    }
    app = Starlette(
        routes=[*_routes(sandbox), *_admin_routes(sandbox)],
        exception_handlers=handlers,
    )
    app.state.sandbox = sandbox
    return app
