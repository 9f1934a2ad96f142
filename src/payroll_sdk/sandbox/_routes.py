"""The API's routes: one handler per endpoint, from a parsed request to the body's bytes.

A handler validates its path and query, looks the account up and answers from the account's
serialised bodies (``_bodies``); it raises :class:`ApiError` for a 400 or 404. Everything
around it (method, auth, version, latency, faults, stats) is ``_endpoint.Endpoint``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._damage import meta_key
from ._data import AccountTruth
from ._wire import (
    UUID_PATTERN,
    ApiError,
    cursor_binding,
    decode_cursor,
    dumps,
    encode_cursor,
    parse_date,
    parse_limit,
)

if TYPE_CHECKING:
    from ._app import Sandbox

__all__ = ["API_ROUTES", "Ctx", "Handler"]

_SINGLE_RESOURCES = ("income", "identity", "employment", "direct_deposit_allocations")
_SHIFT_FILTERS = ("from_start_date", "to_start_date", "from_end_date", "to_end_date")


@dataclass
class Ctx:
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


Handler = Callable[[Ctx], bytes]


def _page(
    ctx: Ctx,
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


def _accounts(ctx: Ctx) -> bytes:
    end_user_id = ctx.path_params["end_user_id"]
    user = ctx.sandbox.data.user(end_user_id)
    if not user.exists:
        raise ApiError.not_found("END_USER_NOT_FOUND", f"No end user with id {end_user_id}.")
    wires = [ctx.sandbox.wire(a) for a in user.accounts]
    extras = wires[0].extras if wires else b""
    binding = cursor_binding("accounts", end_user_id)
    return _page(ctx, [w.account_item for w in wires], binding, {}, extras)


def _account(ctx: Ctx) -> bytes:
    return ctx.sandbox.wire(ctx.account()).account_body


def _paystubs(ctx: Ctx) -> bytes:
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


def _paystub(ctx: Ctx) -> bytes:
    truth = ctx.account()
    paystub_id = ctx.path_params["paystub_id"]
    if not UUID_PATTERN.match(paystub_id):
        raise ApiError.invalid("paystub_id", "paystub_id must be a UUID")
    wire = ctx.sandbox.wire(truth)
    paystub = wire.history.paystub_by_id.get(paystub_id.lower())
    if paystub is None:
        raise ApiError.not_found("PAYSTUB_NOT_FOUND", f"No paystub with id {paystub_id}.")
    return wire.envelope(paystub)


def _shifts(ctx: Ctx) -> bytes:
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

    def handler(ctx: Ctx) -> bytes:
        body = ctx.sandbox.wire(ctx.account()).single(name)
        if body is None:
            raise ApiError.not_found(code, f"No {name} data for this account.")
        return body

    handler.__name__ = f"_{name}"
    return handler


#: ``(path, endpoint name, handler, is a list)`` for every API route.
API_ROUTES: list[tuple[str, str, Handler, bool]] = [
    ("/v1/end_users/{end_user_id}/accounts", "accounts", _accounts, True),
    ("/v1/accounts/{account_id}", "account", _account, False),
    ("/v1/accounts/{account_id}/paystubs", "paystubs", _paystubs, True),
    ("/v1/accounts/{account_id}/paystubs/{paystub_id}", "paystub", _paystub, False),
    ("/v1/accounts/{account_id}/shifts", "shifts", _shifts, True),
    *((f"/v1/accounts/{{account_id}}/{n}", n, _single(n), False) for n in _SINGLE_RESOURCES),
]
