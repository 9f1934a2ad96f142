"""The transport: one shared ``httpx.AsyncClient``, retries, deadlines and error mapping.

Every request the SDK makes goes through :meth:`Transport.request`:

1. the call's deadline is fixed (the earliest of its own ``deadline`` and any enclosing
   :func:`deadline_scope`, e.g. a whole ``get_profile``);
2. each attempt waits for a slot of the client-wide :class:`RequestLimiter`, sends, reads the
   body, and turns the outcome into a parsed model or a typed :class:`PayrollError`;
3. tenacity decides whether to try again (``_retry.py`` holds the policy) and sleeps, never
   past the deadline and never longer than the server's ``Retry-After`` cap.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import random
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar

import httpx
import pydantic
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    DeadlineExceededError,
    FieldError,
    PayrollError,
    RateLimitError,
    ResponseValidationError,
    status_error_class,
)
from ._logging import logger, redact
from ._retry import backoff_delay, is_retryable_status, parse_retry_after

__all__ = ["CallOptions", "RequestLimiter", "Transport", "current_deadline", "deadline_scope"]

IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_SECRET_HEADER: Final = "X-API-SECRET"
_REQUEST_ID_HEADERS: Final = ("x-request-id", "request-id", "x-pinwheel-request-id")

# The absolute (monotonic clock) time by which the current logical operation must finish.
# A context variable, so a get_profile's deadline reaches every task it spawns without being
# passed through each resource method.
_deadline_at: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "payroll_sdk_deadline_at", default=None
)


def current_deadline() -> float | None:
    """The monotonic time the enclosing :func:`deadline_scope` ends at, if any."""
    return _deadline_at.get()


@contextmanager
def deadline_scope(
    seconds: float | None, *, clock: Callable[[], float] = time.monotonic
) -> Iterator[None]:
    """Bound everything run inside (in this task and the tasks it creates) by ``seconds``.

    Nested scopes only ever shorten the deadline.
    """
    outer = _deadline_at.get()
    if seconds is None:
        yield
        return
    ends = clock() + seconds
    token = _deadline_at.set(ends if outer is None else min(outer, ends))
    try:
        yield
    finally:
        _deadline_at.reset(token)


@dataclass(frozen=True, slots=True)
class CallOptions:
    """The per-call settings a client (or its ``with_options`` copy) applies."""

    timeout: httpx.Timeout
    max_retries: int
    deadline: float | None
    retry_after_cap: float


class RequestLimiter:
    """The client-wide bound on requests in flight, plus an optional request rate.

    Shared by every call on a client and its copies. The semaphore is sized no larger than the
    connection pool, so the pool never has waiters (httpcore degrades badly when it does, and
    cancelled waiters there have leaked connections).
    """

    def __init__(self, max_in_flight: int, *, rate_limit: float | None = None) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be >= 1")
        if rate_limit is not None and rate_limit <= 0:
            raise ValueError("rate_limit must be positive requests per second")
        self.max_in_flight = max_in_flight
        self.rate_limit = rate_limit
        self._semaphore = asyncio.Semaphore(max_in_flight)
        self._next_start = 0.0
        # Attributes rather than module calls so tests can pace on a fake clock.
        self._clock: Callable[[], float] = time.monotonic
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        #: Requests holding a slot right now, and the most ever seen at once.
        self.in_flight = 0
        self.peak_in_flight = 0

    async def acquire(self) -> None:
        await self._semaphore.acquire()
        try:
            if self.rate_limit is not None:
                await self._pace()
        except BaseException:
            self._semaphore.release()
            raise
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def release(self) -> None:
        self.in_flight -= 1
        self._semaphore.release()

    async def _pace(self) -> None:
        # Reserve the next start time before sleeping: no await between reading and writing
        # _next_start, so concurrent callers each get their own slot.
        assert self.rate_limit is not None
        now = self._clock()
        start = max(now, self._next_start)
        self._next_start = start + 1.0 / self.rate_limit
        if start > now:
            await self._sleep(start - now)


class _ResponseInfoSink(Protocol):
    def _set_response_info(self, *, request_id: str | None, attempts: int) -> None: ...


_M = TypeVar("_M", bound=pydantic.BaseModel)


class Transport:
    """Sends requests for one client and its copies (they share it, and its pool)."""

    def __init__(
        self,
        http_client: httpx.AsyncClient,
        *,
        base_url: httpx.URL,
        headers: Mapping[str, str],
        limiter: RequestLimiter,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.http_client = http_client
        self.base_url = base_url
        self._base = str(base_url)
        self._headers = httpx.Headers(headers)
        self.limiter = limiter
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()

    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[_M],
        options: CallOptions,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> _M:
        """Send ``method path`` with retries and return the body parsed as ``cast_to``.

        Raises a :class:`PayrollError` subclass on every failure. Requests that are not
        idempotent are sent once, unless an ``idempotency_key`` makes a retry safe (it is sent
        as ``Idempotency-Key``, the same on every attempt).
        """
        method = method.upper()
        deadline_at = self._deadline_at(options.deadline)
        request_headers = self._headers
        if headers or idempotency_key is not None:
            # Merged case-insensitively: a per-call "user-agent" replaces "User-Agent".
            request_headers = self._headers.copy()
            request_headers.update(headers or {})
        retryable_method = method in IDEMPOTENT_METHODS
        if idempotency_key is not None:
            request_headers["Idempotency-Key"] = idempotency_key
            retryable_method = True
        url = self._base + path
        call = _Call(
            method=method, path="/" + path, url=url, params=params, headers=request_headers
        )

        # The first attempt runs without tenacity: building and driving an AsyncRetrying costs
        # more CPU than the rest of the SDK's per-request work together (it re-inspects every
        # callback on every iteration), and most requests succeed the first time. A failure
        # that may be retried hands over to the loop below, which replays it as attempt 1, so
        # stop, wait and logging decide exactly as if tenacity had run it.
        try:
            return await self._attempt(call, cast_to, options, deadline_at, 1)
        except Exception as exc:
            if not (retryable_method and _is_retryable(exc, options.retry_after_cap)):
                raise
            first_failure = exc

        retrying = AsyncRetrying(
            stop=lambda state: self._should_stop(state, options, deadline_at),
            wait=lambda state: self._wait_seconds(state),
            retry=retry_if_exception(
                lambda exc: retryable_method and _is_retryable(exc, options.retry_after_cap)
            ),
            sleep=self._sleep,
            reraise=True,
            before_sleep=lambda state: _log_retry(call, state),
        )
        result: _M | None = None
        async for attempt in retrying:
            with attempt:
                number = attempt.retry_state.attempt_number
                if number == 1:
                    raise first_failure
                result = await self._attempt(call, cast_to, options, deadline_at, number)
        assert result is not None
        return result

    def _deadline_at(self, deadline: float | None) -> float | None:
        own = None if deadline is None else self._clock() + deadline
        inherited = _deadline_at.get()
        if own is None:
            return inherited
        return own if inherited is None else min(own, inherited)

    def _should_stop(
        self, state: RetryCallState, options: CallOptions, deadline_at: float | None
    ) -> bool:
        if state.attempt_number > options.max_retries:
            return True
        if deadline_at is None:
            return False
        # A retry never sleeps past the deadline: give up now with the error we have.
        return self._clock() + (state.upcoming_sleep or 0.0) >= deadline_at

    def _wait_seconds(self, state: RetryCallState) -> float:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, APIStatusError):
            asked = parse_retry_after(exc.response.headers)
            if asked is not None:
                return asked
        return backoff_delay(state.attempt_number - 1, rng=self._rng)

    async def _attempt(
        self,
        call: _Call,
        cast_to: type[_M],
        options: CallOptions,
        deadline_at: float | None,
        attempt: int,
    ) -> _M:
        remaining = None if deadline_at is None else deadline_at - self._clock()
        if remaining is not None and remaining <= 0:
            raise DeadlineExceededError(
                "The call's deadline passed before this attempt could start.",
                method=call.method,
                path=call.path,
                attempts=attempt - 1,
            )
        request = self.http_client.build_request(
            call.method,
            call.url,
            params=call.params,
            headers=call.headers,
            timeout=_clamp_timeout(options.timeout, remaining),
        )
        started = self._clock()
        try:
            async with asyncio.timeout(remaining):
                await self.limiter.acquire()
                try:
                    response = await self.http_client.send(request)
                finally:
                    self.limiter.release()
                    # Errors keep this request (``err.response.request``, ``__cause__.request``)
                    # and httpx's header repr would show the secret; it is never sent again.
                    _forget_secret(request)
        except TimeoutError as exc:
            if isinstance(exc, httpx.TimeoutException):  # pragma: no cover - not a subclass today
                raise
            _log_attempt(call, attempt, None, self._clock() - started, None, "DeadlineExceeded")
            raise DeadlineExceededError(
                "The call's deadline passed during the request.",
                method=call.method,
                path=call.path,
                attempts=attempt,
            ) from exc
        except httpx.TimeoutException as exc:
            _log_attempt(call, attempt, None, self._clock() - started, None, type(exc).__name__)
            raise APITimeoutError(
                "The request timed out.", method=call.method, path=call.path, attempts=attempt
            ) from exc
        except httpx.TransportError as exc:
            _log_attempt(call, attempt, None, self._clock() - started, None, type(exc).__name__)
            raise APIConnectionError(
                "Connection error.", method=call.method, path=call.path, attempts=attempt
            ) from exc
        except httpx.RequestError as exc:
            # Not a TransportError but the same for the caller: no usable response. Mostly a
            # body that cannot be decoded (a gzip stream cut short by a proxy), worth a retry.
            _log_attempt(call, attempt, None, self._clock() - started, None, type(exc).__name__)
            raise APIConnectionError(
                "The response could not be read.",
                method=call.method,
                path=call.path,
                attempts=attempt,
            ) from exc

        elapsed = self._clock() - started
        request_id = _request_id(response.headers)
        _log_attempt(call, attempt, response.status_code, elapsed, request_id, None)
        if not response.is_success:
            raise _status_error(response, call, attempt, request_id)
        try:
            parsed = cast_to.model_validate_json(response.content)
        except pydantic.ValidationError as exc:
            raise _validation_error(exc, response, call, attempt, request_id) from exc
        sink: _ResponseInfoSink = parsed  # type: ignore[assignment]
        sink._set_response_info(request_id=request_id, attempts=attempt)
        return parsed

    async def aclose(self) -> None:
        await self.http_client.aclose()


@dataclass(frozen=True, slots=True)
class _Call:
    method: str
    path: str
    url: str
    params: Mapping[str, str | int] | None
    headers: Mapping[str, str]


def new_idempotency_key() -> str:
    return f"payroll-sdk-{uuid.uuid4()}"


def _forget_secret(request: httpx.Request) -> None:
    if _SECRET_HEADER in request.headers:
        request.headers[_SECRET_HEADER] = "[REDACTED]"


def _clamp_timeout(timeout: httpx.Timeout, remaining: float | None) -> httpx.Timeout:
    """Each phase's timeout, cut down so no phase can outlast the deadline."""
    if remaining is None:
        return timeout

    def cut(value: float | None) -> float:
        return remaining if value is None else min(value, remaining)

    return httpx.Timeout(
        connect=cut(timeout.connect),
        read=cut(timeout.read),
        write=cut(timeout.write),
        pool=cut(timeout.pool),
    )


def _request_id(headers: httpx.Headers) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value: str | None = headers.get(name)
        if value:
            return value
    return None


def _is_retryable(exc: BaseException, retry_after_cap: float) -> bool:
    if isinstance(exc, DeadlineExceededError):
        return False
    if isinstance(exc, APIConnectionError):
        return True
    if isinstance(exc, APIStatusError):
        if not is_retryable_status(exc.status_code, exc.response.headers):
            return False
        asked = parse_retry_after(exc.response.headers)
        # A server asking for a long wait is not slept on: the caller gets the error, with
        # ``retry_after``, and decides.
        return asked is None or asked <= retry_after_cap
    if isinstance(exc, ResponseValidationError):
        return _is_corrupt_body(exc)
    return False


def _is_corrupt_body(exc: ResponseValidationError) -> bool:
    """A body that is not JSON at all (cut short, a proxy's page) may be fine next time; a JSON
    body of the wrong shape would be the same again."""
    cause = exc.__cause__
    return isinstance(cause, pydantic.ValidationError) and any(
        err["type"] == "json_invalid" for err in cause.errors(include_url=False)
    )


def _status_error(
    response: httpx.Response, call: _Call, attempt: int, request_id: str | None
) -> APIStatusError:
    body: Any = None
    error_type = code = None
    message = ""
    fields: list[FieldError] = []
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        # Every string that reaches the exception is scrubbed: a server (or a proxy) that
        # echoes the request's X-API-SECRET must not put it into str(err) or a traceback.
        error = body["error"]
        error_type = _clean_str(error.get("type"))
        code = _clean_str(error.get("code"))
        message = _clean_str(error.get("message")) or ""
        raw_fields = error.get("fields")
        if isinstance(raw_fields, list):
            fields = [
                FieldError(redact(str(item.get("name", ""))), redact(str(item.get("message", ""))))
                for item in raw_fields
                if isinstance(item, dict)
            ]
    if not message:
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        described = (
            "an empty body"
            if not response.content
            else (f"a {kind} body" if kind else "a non-JSON body")
        )
        message = f"{response.reason_phrase or 'HTTP error'} ({described})"
    error_class = status_error_class(response.status_code)
    kwargs: dict[str, Any] = {
        "response": response,
        "body": body,
        "type": error_type,
        "code": code,
        "fields": fields,
        "request_id": redact(request_id) if request_id else request_id,
        "method": call.method,
        "path": call.path,
        "attempts": attempt,
    }
    if error_class is RateLimitError:
        return RateLimitError(message, retry_after=parse_retry_after(response.headers), **kwargs)
    return error_class(message, **kwargs)


def _validation_error(
    exc: pydantic.ValidationError,
    response: httpx.Response,
    call: _Call,
    attempt: int,
    request_id: str | None,
) -> ResponseValidationError:
    problems = exc.errors(include_url=False, include_input=False)
    first = problems[0] if problems else None
    if first is not None and first["type"] == "json_invalid":
        summary = "The response body is not valid JSON."
    elif first is not None:
        where = ".".join(str(part) for part in first["loc"]) or "body"
        summary = (
            f"The response body does not match the documented shape ({where}: {first['msg']})."
        )
    else:  # pragma: no cover - pydantic always reports at least one error
        summary = "The response body does not match the documented shape."
    return ResponseValidationError(
        summary,
        # Scrubbed over more than is kept, so a value cut at the 200th character is still
        # recognised (and masked) whole.
        body_excerpt=_scrub_excerpt(response.content[:1000].decode("utf-8", "replace"))[:200],
        status_code=response.status_code,
        request_id=redact(request_id) if request_id else request_id,
        method=call.method,
        path=call.path,
        attempts=attempt,
    )


# An excerpt helps diagnose a proxy page or a cut-off body, but a cut-off identity or deposit
# body can start with personal data: those values are masked before the excerpt is kept.
_SENSITIVE_VALUE: Final = re.compile(
    r'("(?:last_four_ssn|date_of_birth|routing_number|masked_account_number|line1|line2|raw)"'
    r'\s*:\s*)"[^"]*"?'
)


def _scrub_excerpt(text: str) -> str:
    return redact(_SENSITIVE_VALUE.sub(r'\1"****"', text))


def _clean_str(value: object) -> str | None:
    """A non-empty string from an error body, with any API secret redacted; else ``None``."""
    return redact(value) if isinstance(value, str) and value else None


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
        "%s %s status=%s elapsed_ms=%.1f attempt=%d request_id=%s%s",
        call.method,
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
    exc = state.outcome.exception() if state.outcome is not None else None
    reason = type(exc).__name__ if isinstance(exc, PayrollError) else "error"
    logger.debug(
        "retrying %s %s after %s in %.3fs (attempt %d done)",
        call.method,
        call.path,
        reason,
        state.upcoming_sleep,
        state.attempt_number,
    )
