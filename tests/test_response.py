"""Mapping what httpx returned to typed errors: one mapping for every transport failure."""

from __future__ import annotations

import ssl

import httpx
import pytest

from payroll_sdk import APIConnectionError, APITimeoutError, DeadlineExceededError
from payroll_sdk._response import request_failure


def _chained(outer: Exception, inner: BaseException) -> Exception:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(
    ("exc", "kind", "text"),
    [
        (TimeoutError(), DeadlineExceededError, "deadline passed"),
        (httpx.ReadTimeout("x"), APITimeoutError, "timed out (ReadTimeout)"),
        (
            _chained(httpx.ConnectError("x"), ConnectionRefusedError(111, "Connection refused")),
            APIConnectionError,
            "Could not reach api.test (Connection refused)",
        ),
        (
            _chained(httpx.ConnectError("x"), ssl.SSLCertVerificationError(1, "bad cert")),
            APIConnectionError,
            "(TLS: ",
        ),
        (httpx.DecodingError("x"), APIConnectionError, "could not be read (DecodingError)"),
    ],
)
def test_every_transport_failure_has_one_mapping(
    exc: BaseException, kind: type[Exception], text: str
) -> None:
    error = request_failure(exc, host="api.test", method="GET", path="/p", attempt=2)
    assert type(error) is kind
    assert text in str(error)
    assert error.attempts == 2


def test_a_raw_transport_message_is_never_echoed() -> None:
    exc = httpx.ProxyError("http://user:hunter2@proxy.test:3128 refused")
    error = request_failure(exc, host="api.test", method="GET", path="/p", attempt=1)
    assert "hunter2" not in str(error)
    assert "proxy.test" not in str(error)
