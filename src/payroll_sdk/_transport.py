"""The transport: sends one API call, with its retries, over the client's ``httpx.AsyncClient``.

:meth:`Transport.get` runs a call's attempts. Each attempt waits for a slot of the client-wide
:class:`~payroll_sdk._limiter.RequestLimiter`, sends, reads the body, and becomes a parsed
model or a typed error (``_response.py``). The first attempt runs on its own; only a failure
that the policy (``_retry.py``) says is worth another try hands over to tenacity, which goes
on from that outcome: waits (never past the deadline of ``_deadline.py``, never longer than the
server's ``Retry-After`` cap), tries again, and stops.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sys
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal, NamedTuple, Protocol, TypeVar

import httpx
import pydantic

from ._deadline import deadline_at
from ._exceptions import ClientClosedError, DeadlineExceededError, PayrollError
from ._limiter import RequestLimiter
from ._logging import logger
from ._response import request_failure, request_id, status_error, validation_error
from ._retry import is_retryable, retry_delay

if TYPE_CHECKING:
    from tenacity import RetryCallState

    from ._aiohttp import FastTransport
    from ._asgi import InProcessTransport
    from ._response import DirectResponse

__all__ = ["CallOptions", "Transport"]

_SECRET_HEADER: Final = "X-API-SECRET"


# A NamedTuple rather than a frozen dataclass: as immutable, but defining it costs about a
# fifth of a dataclass at import (~0.1 vs ~0.6 ms) and building one is faster.
class CallOptions(NamedTuple):
    """The per-call settings a client (or its ``with_options`` copy) applies."""

    timeout: httpx.Timeout
    max_retries: int
    deadline: float | None
    retry_after_cap: float


class _ResponseInfoSink(Protocol):
    def _set_response_info(self, *, request_id: str | None, attempts: int) -> None: ...


# A string bound: pydantic.BaseModel would load pydantic's model machinery at import.
_M = TypeVar("_M", bound="pydantic.BaseModel")


@dataclass(slots=True)
class _Call:
    path: str
    #: The request URL as a string (escaped): what the direct path sends.
    target: str
    options: CallOptions
    deadline_at: float | None
    #: The same URL as an ``httpx.URL``, parsed only if an attempt goes through httpx.
    url: httpx.URL | None = None


class Transport:
    """Sends the requests of one client. Its :meth:`copy` (for ``with_options``) shares the
    ``httpx.AsyncClient`` and the limiter, and is closed when the original is."""

    def __init__(
        self,
        http_client: httpx.AsyncClient,
        *,
        base_url: httpx.URL,
        headers: httpx.Headers,
        limiter: RequestLimiter,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        owns_http_client: bool = True,
    ) -> None:
        self.http_client = http_client
        self._owns_http_client = owns_http_client
        # Kept by copies (which share the client) even though they do not own it.
        self._owns_http_client_dispatch = owns_http_client
        self.base_url = base_url
        self._base = str(base_url)
        self._base_path = base_url.raw_path.decode("ascii")
        # scheme://host[:port], to which the direct path appends a call's escaped target.
        self._base_origin = f"{base_url.scheme}://{base_url.netloc.decode('ascii')}"
        self._host = base_url.netloc.decode("ascii")
        # Host prebuilt too: httpx.Request would otherwise derive it from the URL each time.
        if "host" not in headers:
            headers = headers.copy()
            headers["Host"] = self._host
        self._headers = headers
        self.limiter = limiter
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._closed = False
        self._original: Transport | None = None
        # Decided at the first request (see _direct_transport); False: go through httpx.
        self._direct: FastTransport | InProcessTransport | Literal[False] | None = None
        self._direct_headers: Mapping[str, str] = {}
        # A base URL without /v1 is the usual reason for a 404 that names no record.
        self._route_hint = (
            None
            if base_url.raw_path.rstrip(b"/").endswith(b"/v1")
            else f"(The base URL {self._base} does not end in /v1, where the API's routes are.)"
        )

    def copy(self) -> Transport:
        """A transport for a ``with_options`` copy: same pool and limiter, its own lifecycle."""
        clone = object.__new__(Transport)
        clone.__dict__.update(self.__dict__)
        clone._closed = False
        clone._owns_http_client = False
        clone._original = self._original or self
        return clone

    @property
    def is_closed(self) -> bool:
        return self._closed or (self._original is not None and self._original._closed)

    async def get(
        self,
        path: str,
        *,
        cast_to: type[_M],
        options: CallOptions,
        params: Mapping[str, str | int] | None = None,
    ) -> _M:
        """``GET path`` (relative to the base URL), parsed as ``cast_to``, with retries.

        Raises a :class:`PayrollError` subclass on every failure.
        """
        if self.is_closed:
            raise ClientClosedError(
                "This client is closed (or is a copy of one that is): create a new "
                "PayrollClient, or keep using it inside its `async with` block."
            )
        target = self._base_path + path
        if params:
            target += "?" + urllib.parse.urlencode(params)
        call = _Call(
            path="/" + path,
            target=target,
            options=options,
            deadline_at=deadline_at(options.deadline, self._clock),
        )
        # The first attempt runs without tenacity: building and driving an AsyncRetrying costs
        # about 40 µs of CPU (it wraps and inspects every callback), a large share of the
        # SDK's own work per request, and most requests succeed the first time.
        try:
            return await self._attempt(call, cast_to, 1)
        except PayrollError as exc:
            if options.max_retries == 0 or not is_retryable(
                exc, retry_after_cap=options.retry_after_cap
            ):
                raise
            failure = exc
        return await self._retry(call, cast_to, failure)

    def _url(self, call: _Call) -> httpx.URL:
        """The call's URL for httpx, built once per call (not per attempt) from the parsed base
        URL: ``copy_with`` checks the new path and query only, where a string URL would be
        parsed whole. ``call.target`` comes from the resources with every id already escaped,
        and its query is encoded as httpx would (``urlencode``)."""
        if call.url is None:
            call.url = self.base_url.copy_with(raw_path=call.target.encode("ascii"))
        return call.url

    def _direct_transport(self) -> FastTransport | InProcessTransport | None:
        """The transport to call directly (``get``, no ``httpx.Request``/``Response``): the
        aiohttp one (:class:`FastTransport`) or the in-process one (``_asgi``), if this call
        may skip httpx: the client is ours, it has no event hooks, and the base URL is not
        routed to another transport (a proxy mounted from the environment)."""
        client = self.http_client
        if not self._owns_http_client_dispatch:
            return None
        hooks = client.event_hooks
        if hooks["request"] or hooks["response"]:
            return None
        if self._direct is None:
            from ._aiohttp import FastTransport
            from ._asgi import InProcessTransport

            chosen = client._transport_for_url(self.base_url)
            self._direct = (
                chosen if isinstance(chosen, FastTransport | InProcessTransport) else False
            )
            if self._direct:
                self._direct_headers = FastTransport.prepared_headers(self._headers.raw)
        return self._direct or None

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and read its body.

        A client we built goes straight to its transport: ``AsyncClient.send`` would add
        redirect and auth handling (we use neither), a cookie pass that builds a ``urllib``
        request per response, and timing, together more CPU than the rest of the SDK's
        per-request work. The transport is still the client's choice for the URL (proxy mounts
        from the environment), and its event hooks still run. An ``http_client`` given to us
        is used through ``send``, with whatever auth, hooks and mounts its owner set.
        """
        client = self.http_client
        if not self._owns_http_client_dispatch:
            return await client.send(request)
        hooks = client.event_hooks
        for hook in hooks["request"]:
            await hook(request)
        transport = client._transport_for_url(request.url)
        try:
            response = await transport.handle_async_request(request)
            response.request = request
            try:
                await response.aread()
                for hook in hooks["response"]:
                    await hook(response)
            except BaseException:
                await response.aclose()
                raise
        except httpx.RequestError as exc:
            # As httpx's send does: the error says which request failed.
            exc.request = request
            raise
        return response

    async def _retry(self, call: _Call, cast_to: type[_M], failure: PayrollError) -> _M:
        """The attempts after a first one that failed with ``failure``, driven by tenacity.

        The loop is tenacity's own (``AsyncRetrying.__call__``), started from the outcome of
        the attempt already made rather than from a fresh attempt.
        """
        # Imported on the first retry: most processes never need tenacity's machinery.
        from tenacity import AsyncRetrying, DoAttempt, DoSleep, RetryCallState

        options = call.options
        retrying = AsyncRetrying(
            stop=lambda state: self._should_stop(state, call),
            wait=lambda state: retry_delay(
                _failure_of(state), state.attempt_number - 1, rng=self._rng
            ),
            retry=lambda state: is_retryable(
                _failure_of(state), retry_after_cap=options.retry_after_cap
            ),
            sleep=self._sleep,
            reraise=True,
            before_sleep=lambda state: _log_retry(call, state),
        )
        retrying.begin()
        state = RetryCallState(retrying, fn=None, args=(), kwargs={})
        state.set_exception((type(failure), failure, failure.__traceback__))
        while True:
            action = await retrying.iter(state)
            if isinstance(action, DoSleep):
                state.prepare_for_next_attempt()
                await self._sleep(action)
            elif isinstance(action, DoAttempt):
                try:
                    result = await self._attempt(call, cast_to, state.attempt_number)
                except BaseException:
                    state.set_exception(sys.exc_info())  # type: ignore[arg-type]
                else:
                    state.set_result(result)
            else:
                parsed: _M = action
                return parsed

    def _should_stop(self, state: RetryCallState, call: _Call) -> bool:
        if state.attempt_number > call.options.max_retries:
            return True
        if call.deadline_at is None:
            return False
        # A retry never sleeps past the deadline: give up now with the error we have.
        return self._clock() + (state.upcoming_sleep or 0.0) >= call.deadline_at

    async def _attempt(self, call: _Call, cast_to: type[_M], attempt: int) -> _M:
        remaining = None if call.deadline_at is None else call.deadline_at - self._clock()
        if remaining is not None and remaining <= 0:
            raise DeadlineExceededError(
                "The call's deadline passed before this attempt could start.",
                method="GET",
                path=call.path,
                attempts=attempt - 1,
            )
        timeouts = _timeouts(call.options.timeout, remaining)
        direct = self._direct_transport()
        request: httpx.Request | None = None
        response: httpx.Response | DirectResponse
        started = self._clock()
        try:
            async with asyncio.timeout(remaining):
                await self.limiter.acquire()
                try:
                    if direct is not None:
                        response = await direct.get(
                            self._base_origin + call.target, self._direct_headers, timeouts
                        )
                    else:
                        request = httpx.Request(
                            "GET",
                            self._url(call),
                            headers=self._headers,
                            extensions={"timeout": timeouts},
                        )
                        response = await self._send(request)
                finally:
                    self.limiter.release()
                    # Errors keep this request (``err.response.request``, ``__cause__.request``)
                    # and httpx's header repr would show the secret; it is never sent again.
                    if request is not None:
                        _forget_secret(request)
        except (TimeoutError, httpx.RequestError) as exc:
            failure = request_failure(
                exc, host=self._host, method="GET", path=call.path, attempt=attempt
            )
            kind = (
                "DeadlineExceeded"
                if isinstance(failure, DeadlineExceededError)
                else type(exc).__name__
            )
            _log_attempt(call, attempt, None, self._clock() - started, None, kind)
            raise failure from exc
        except RuntimeError:
            # The client was closed while this attempt waited or was in flight (its pool
            # says "Session is closed"): the same error as a call made after the close.
            if not self.is_closed:
                raise
            raise ClientClosedError(
                "The client was closed while this request was being made: keep using it "
                "inside its `async with` block."
            ) from None

        elapsed = self._clock() - started
        rid = request_id(response)
        _log_attempt(call, attempt, response.status_code, elapsed, rid, None)
        if not response.is_success:
            raise status_error(
                self._as_httpx_response(response, call),
                method="GET",
                path=call.path,
                attempt=attempt,
                request_id=rid,
                route_hint=self._route_hint,
            )
        try:
            parsed = cast_to.model_validate_json(response.content)
        except pydantic.ValidationError as exc:
            raise validation_error(
                exc, response, method="GET", path=call.path, attempt=attempt, request_id=rid
            ) from exc
        sink: _ResponseInfoSink = parsed  # type: ignore[assignment]
        sink._set_response_info(request_id=rid, attempts=attempt)
        return parsed

    def _as_httpx_response(
        self, response: httpx.Response | DirectResponse, call: _Call
    ) -> httpx.Response:
        """``response`` as the ``httpx.Response`` errors carry (``err.response``): built only
        for a failure, with a request whose secret header is already redacted."""
        if isinstance(response, httpx.Response):
            return response
        request = httpx.Request("GET", self._url(call), headers=self._headers)
        _forget_secret(request)
        return httpx.Response(
            response.status_code,
            headers=list(response.raw_headers),
            content=response.content,
            request=request,
        )

    async def aclose(self) -> None:
        """Refuse further calls; close the ``httpx.AsyncClient`` too if this transport owns it
        (a copy never does, nor one given ``owns_http_client=False``). Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._owns_http_client:
            await self.http_client.aclose()


def _failure_of(state: RetryCallState) -> BaseException | None:
    return state.outcome.exception() if state.outcome is not None else None


def _forget_secret(request: httpx.Request) -> None:
    if _SECRET_HEADER in request.headers:
        request.headers[_SECRET_HEADER] = "[REDACTED]"


def _timeouts(timeout: httpx.Timeout, remaining: float | None) -> dict[str, float | None]:
    """Each phase's timeout (httpx's request extension), cut down so no phase can outlast the
    deadline."""
    if remaining is None:
        return timeout.as_dict()

    def cut(value: float | None) -> float:
        return remaining if value is None else min(value, remaining)

    return {
        "connect": cut(timeout.connect),
        "read": cut(timeout.read),
        "write": cut(timeout.write),
        "pool": cut(timeout.pool),
    }


def _log_attempt(
    call: _Call,
    attempt: int,
    status: int | None,
    elapsed: float,
    request_id: str | None,
    failure: str | None,
) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    logger.info(
        "GET %s status=%s elapsed_ms=%.1f attempt=%d request_id=%s%s",
        call.path,
        status if status is not None else "-",
        elapsed * 1000.0,
        attempt,
        request_id or "-",
        f" error={failure}" if failure else "",
    )


def _log_retry(call: _Call, state: RetryCallState) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    exc = _failure_of(state)
    reason = type(exc).__name__ if isinstance(exc, PayrollError) else "error"
    logger.debug(
        "retrying GET %s after %s in %.3fs (attempt %d done)",
        call.path,
        reason,
        state.upcoming_sleep,
        state.attempt_number,
    )
