"""The SDK's exception hierarchy.

Everything the SDK raises on purpose derives from :class:`PayrollError`::

    PayrollError
    ├── InvalidInputError (also a ValueError)   bad arguments, caught before any request
    │   └── ConfigurationError                  a client that cannot be built (missing secret, ...)
    ├── ClientClosedError (also a RuntimeError) a call on a closed client, or on a copy of one
    ├── APIConnectionError                      no usable HTTP response (DNS, refused, reset, ...)
    │   └── APITimeoutError                     a timeout, per attempt or the overall deadline
    │       └── DeadlineExceededError           the call's deadline ran out (across retries)
    ├── APIStatusError                          the API answered with a 4xx/5xx
    │   ├── BadRequestError (400)  AuthenticationError (401)  PermissionDeniedError (403)
    │   ├── NotFoundError (404)    ConflictError (409)        UnprocessableEntityError (422)
    │   ├── RateLimitError (429)   InternalServerError (5xx)
    ├── ResponseValidationError                 a 2xx body that is not the documented shape
    │   └── PaginationLoopError                 the API sent a cursor it had already sent
    ├── ProfileIncompleteError                  get_profile(strict=True) with a failed resource
    └── WebhookVerificationError                a webhook delivery that does not verify

Messages never contain the API secret: they are built from the method, the path (which holds
only validated ids), the status and the API's error ``type``/``code``/``message``. The real
cause (an ``httpx`` exception, a pydantic ``ValidationError``) is chained as ``__cause__``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Annotations only: `from payroll_sdk import PayrollError` and `payroll_sdk.webhooks`
    # do not import httpx.
    import httpx

    from .models.profile import PayrollProfile

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "FieldError",
    "InternalServerError",
    "InvalidInputError",
    "NotFoundError",
    "PaginationLoopError",
    "PayrollError",
    "PermissionDeniedError",
    "ProfileIncompleteError",
    "RateLimitError",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "WebhookVerificationError",
]

_EXCERPT_CHARS = 200


class PayrollError(Exception):
    """Root of every error the SDK raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's default pickling calls cls(*args), which fails for the errors whose
        # constructors take required keyword arguments (response=, reason=, profile=); errors
        # cross process boundaries (multiprocessing, task queues), so rebuild from the state.
        return (_rebuild_error, (type(self), self.args, self.__dict__))


def _rebuild_error(
    cls: type[PayrollError], args: tuple[Any, ...], state: dict[str, Any]
) -> PayrollError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class InvalidInputError(PayrollError, ValueError):
    """An argument was rejected before any request was sent (a bad id, limit or date range)."""


class ConfigurationError(InvalidInputError):
    """The client cannot be built as asked: a missing or bad secret, an unknown environment."""


class ClientClosedError(PayrollError, RuntimeError):
    """A call on a client after ``aclose()`` (or the end of its ``async with``), or on a
    ``with_options`` copy of one. Nothing was sent."""


class _RequestError(PayrollError):
    """Shared shape of errors tied to one logical request (method, path, attempts)."""

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        path: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        #: How many HTTP attempts were made for this call, retries included.
        self.attempts = attempts

    def __str__(self) -> str:
        where = f"{self.method} {self.path}: " if self.method and self.path else ""
        tries = f" (after {self.attempts} attempts)" if self.attempts > 1 else ""
        return f"{where}{self.message}{tries}"


class APIConnectionError(_RequestError):
    """No usable response: connecting, sending or reading failed.

    The message names the API's host and the cause as the OS or TLS layer states it
    ("Connection refused"), never a raw transport message (which can quote a proxy URL and its
    credentials); the original ``httpx`` exception is available as ``__cause__``.
    """


class APITimeoutError(APIConnectionError):
    """A timeout: the connect/read/write/pool timeout of an attempt, or the call's deadline."""


class DeadlineExceededError(APITimeoutError):
    """The overall deadline of the call ran out, across all attempts and sleeps."""


class FieldError:
    """One entry of the API's ``error.fields``: which request field was rejected and why."""

    __slots__ = ("message", "name")

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self.message = message

    def __repr__(self) -> str:
        return f"FieldError(name={self.name!r}, message={self.message!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldError) and (self.name, self.message) == (
            other.name,
            other.message,
        )

    def __hash__(self) -> int:
        return hash((self.name, self.message))


class APIStatusError(_RequestError):
    """The API answered with an error status.

    Attributes come from the response: ``status_code``; ``type``, ``code``, ``message`` and
    ``fields`` parsed from the Pinwheel error body ``{"error": {...}}`` when there is one
    (``None``/empty for an HTML or empty body); ``request_id`` from the response headers.
    Program against ``type`` and ``code``; ``message`` and ``fields`` are for people.
    """

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: Any = None,
        type: str | None = None,
        code: str | None = None,
        fields: Sequence[FieldError] = (),
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message, method=method, path=path, attempts=attempts)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.type = type
        self.code = code
        self.fields = list(fields)
        self.request_id = request_id

    def __str__(self) -> str:
        label = " ".join(x for x in (self.type, self.code) if x)
        detail = f"{self.status_code} {label}".rstrip()
        rid = f" [request_id={self.request_id}]" if self.request_id else ""
        where = f"{self.method} {self.path}: " if self.method and self.path else ""
        tries = f" (after {self.attempts} attempts)" if self.attempts > 1 else ""
        return f"{where}{detail}: {self.message}{rid}{tries}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, type={self.type!r}, "
            f"code={self.code!r}, request_id={self.request_id!r}, attempts={self.attempts})"
        )


class BadRequestError(APIStatusError):
    """400: invalid parameters (see ``fields``) or a missing/unknown ``Pinwheel-Version``."""


class AuthenticationError(APIStatusError):
    """401: the API secret is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the secret is valid but not allowed to read this."""


class NotFoundError(APIStatusError):
    """404: usually ``type == "RECORD_NOT_FOUND"``: the record does not exist (or not yet)."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429. ``retry_after`` holds the seconds the server asked to wait, when it said so."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """5xx, including a proxy's 502/503/504 with an HTML or empty body."""


_STATUS_ERRORS: Mapping[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The most specific :class:`APIStatusError` subclass for a status code."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status_code, APIStatusError)


class ResponseValidationError(_RequestError):
    """A 2xx response whose body is not the documented shape (bad JSON, no ``data``, ...).

    ``body_excerpt`` holds at most the first 200 characters of the body, to help diagnose a
    proxy page or a truncated body without dumping a whole payload (which could hold PII).
    """

    def __init__(
        self,
        message: str,
        *,
        body_excerpt: str = "",
        status_code: int | None = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message, method=method, path=path, attempts=attempts)
        self.body_excerpt = body_excerpt[:_EXCERPT_CHARS]
        self.status_code = status_code
        self.request_id = request_id


class PaginationLoopError(ResponseValidationError):
    """The API returned a ``next_cursor`` it had already returned: following it would loop."""


class ProfileIncompleteError(PayrollError):
    """Raised by ``get_profile(strict=True)`` when a resource failed.

    ``profile`` is the partial profile with everything that was fetched, and its ``problems``
    say what is missing and why.
    """

    def __init__(self, message: str, *, profile: PayrollProfile) -> None:
        super().__init__(message)
        self.profile = profile


class WebhookVerificationError(PayrollError):
    """A webhook delivery failed verification. ``reason`` is a stable machine-readable word:
    ``missing_header``, ``bad_format``, ``stale``, ``mismatch`` or ``bad_body``."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
