"""The Starlette app and its state: :func:`create_app` and :class:`Sandbox`.

The parts live beside it, one concept each: ``_routes`` (a handler per API endpoint),
``_endpoint`` (auth, latency, faults and stats around a handler, as a raw ASGI app),
``_admin`` (the ``/_sandbox/`` routes), ``_bodies`` (each account's responses as bytes, and
the per-process cache that shares them) and ``_wire`` (JSON, errors, cursors). The same app
serves in-process (``httpx.ASGITransport``) and over a socket (``payroll-sdk sandbox serve``).
"""

from __future__ import annotations

import hmac
import random
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._additions import Addable
from ._admin import admin_routes
from ._bodies import AccountWire, SharedData
from ._config import SandboxConfig
from ._data import AccountTruth
from ._endpoint import Endpoint
from ._faults import FaultInjector
from ._routes import API_ROUTES
from ._stats import SandboxStats
from ._wire import ApiError, error_response, new_request_id

__all__ = ["Sandbox", "create_app"]


class Sandbox:
    """The state behind one app: ``config``, ground-truth ``data`` and ``stats``."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._shared = SharedData.for_config(config)
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

    def wire(self, truth: AccountTruth) -> AccountWire:
        with self._shared.lock:
            wire = self._wires.get(truth.account_id)
            if wire is None or wire.truth is not truth:
                wire = AccountWire(truth)
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


def _routes(sandbox: Sandbox) -> list[Route]:
    return [
        Route(path, Endpoint(sandbox, name, handler, is_list=is_list), name=name)
        for path, name, handler, is_list in API_ROUTES
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
        routes=[*_routes(sandbox), *admin_routes(sandbox)],
        exception_handlers=handlers,
    )
    app.state.sandbox = sandbox
    return app
