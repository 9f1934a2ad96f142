"""Error responses become typed, readable exceptions that never carry the API secret."""

from __future__ import annotations

import pickle
import traceback
from typing import Any

import httpx
import pytest
import respx

from payroll_sdk import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    DeadlineExceededError,
    FieldError,
    InternalServerError,
    InvalidInputError,
    NotFoundError,
    PaginationLoopError,
    PayrollClient,
    PayrollError,
    RateLimitError,
    ResponseValidationError,
    WebhookVerificationError,
)
from payroll_sdk._exceptions import status_error_class

PATH = "/accounts/acc_1/paystubs/stub_9"


def _everything_printed(err: BaseException) -> str:
    return "\n".join([str(err), repr(err), *traceback.format_exception(err)])


async def test_a_json_error_body_is_parsed(client: PayrollClient, api: respx.MockRouter) -> None:
    api.get(PATH).respond(
        400,
        json={
            "error": {
                "type": "INVALID_REQUEST_PARAMETERS",
                "code": "INVALID_PARAMS",
                "message": "Some parameters are invalid.",
                "status_code": 400,
                "fields": [
                    {"name": "limit", "message": "must be <= 100"},
                    {"name": "cursor", "message": "is malformed"},
                    "not an object",
                ],
            }
        },
        headers={"x-request-id": "req_abc123"},
    )
    with pytest.raises(BadRequestError) as info:
        await client.paystubs.get("acc_1", "stub_9")
    err = info.value
    assert err.status_code == 400
    assert err.type == "INVALID_REQUEST_PARAMETERS"
    assert err.code == "INVALID_PARAMS"
    assert err.message == "Some parameters are invalid."
    assert err.fields == [
        FieldError("limit", "must be <= 100"),
        FieldError("cursor", "is malformed"),
    ]
    assert err.request_id == "req_abc123"
    assert err.method == "GET"
    assert err.path == PATH
    assert err.attempts == 1
    assert err.body["error"]["code"] == "INVALID_PARAMS"
    assert err.response.status_code == 400
    assert str(err) == (
        f"GET {PATH}: 400 INVALID_REQUEST_PARAMETERS INVALID_PARAMS: "
        "Some parameters are invalid. [request_id=req_abc123]"
    )
    assert repr(err) == (
        "BadRequestError(status_code=400, type='INVALID_REQUEST_PARAMETERS', "
        "code='INVALID_PARAMS', request_id='req_abc123', attempts=1)"
    )


async def test_a_not_found_body(client: PayrollClient, api: respx.MockRouter) -> None:
    api.get(PATH).respond(
        404,
        json={
            "error": {
                "type": "RECORD_NOT_FOUND",
                "code": "PAYSTUB_NOT_FOUND",
                "message": "No paystub with this id.",
                "status_code": 404,
            }
        },
    )
    with pytest.raises(NotFoundError) as info:
        await client.paystubs.get("acc_1", "stub_9")
    assert info.value.type == "RECORD_NOT_FOUND"
    assert info.value.fields == []
    assert info.value.request_id is None
    assert "[request_id" not in str(info.value)


async def test_an_html_502_body(client: PayrollClient, api: respx.MockRouter) -> None:
    api.get(PATH).respond(
        502,
        html="<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
    )
    with pytest.raises(InternalServerError) as info:
        await client.with_options(max_retries=1).paystubs.get("acc_1", "stub_9")
    err = info.value
    assert err.status_code == 502
    assert err.type is None and err.code is None and err.body is None
    assert str(err) == f"GET {PATH}: 502: Bad Gateway (a text/html body) (after 2 attempts)"


async def test_an_empty_503_body(client: PayrollClient, api: respx.MockRouter) -> None:
    api.get(PATH).respond(503)
    with pytest.raises(InternalServerError) as info:
        await client.with_options(max_retries=0).paystubs.get("acc_1", "stub_9")
    err = info.value
    assert err.status_code == 503
    assert err.message == "Service Unavailable (an empty body)"
    assert str(err) == f"GET {PATH}: 503: Service Unavailable (an empty body)"


@pytest.mark.parametrize(
    "body",
    [
        {"error": "just a string"},
        {"error": {"type": 5, "code": None, "message": ["x"], "fields": "nope"}},
        {"message": "no error key"},
        ["a", "list"],
    ],
)
async def test_odd_json_error_bodies_still_give_a_typed_error(
    body: Any, client: PayrollClient, api: respx.MockRouter
) -> None:
    api.get(PATH).respond(409, json=body)
    with pytest.raises(APIStatusError) as info:
        await client.paystubs.get("acc_1", "stub_9")
    err = info.value
    assert err.status_code == 409
    assert err.type is None and err.code is None
    assert err.fields == []
    assert "409" in str(err)


@pytest.mark.parametrize("status", [401, 403, 429, 500])
async def test_the_secret_never_appears_in_an_error(
    status: int, client: PayrollClient, api: respx.MockRouter, secret: str
) -> None:
    # Some servers echo what they were sent; even then the secret must not reach our messages.
    api.get(PATH).respond(
        status,
        json={
            "error": {
                "type": "INVALID_API_SECRET",
                "code": secret,
                "message": f"The secret {secret} is not valid.",
                "fields": [{"name": "X-API-SECRET", "message": f"got {secret}"}],
            }
        },
        headers={"x-request-id": f"req-{secret}"},
    )
    with pytest.raises(APIStatusError) as info:
        await client.with_options(max_retries=0).paystubs.get("acc_1", "stub_9")
    assert secret not in _everything_printed(info.value)
    assert all(secret not in field.message for field in info.value.fields)
    assert info.value.status_code == status


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("x")],
)
async def test_the_secret_never_appears_in_a_connection_error(
    failure: Exception, client: PayrollClient, api: respx.MockRouter, secret: str
) -> None:
    api.get(PATH).mock(side_effect=failure)
    with pytest.raises(APIConnectionError) as info:
        await client.with_options(max_retries=1).paystubs.get("acc_1", "stub_9")
    assert secret not in _everything_printed(info.value)


async def test_the_secret_never_appears_in_a_validation_error(
    client: PayrollClient, api: respx.MockRouter, secret: str
) -> None:
    api.get(PATH).respond(200, text=f'{{"data": {{"echo": "{secret}"')
    with pytest.raises(ResponseValidationError) as info:
        await client.with_options(max_retries=0).paystubs.get("acc_1", "stub_9")
    assert secret not in _everything_printed(info.value)
    assert secret not in info.value.body_excerpt


async def test_a_secret_at_the_excerpt_boundary_is_not_half_kept(
    client: PayrollClient, api: respx.MockRouter, secret: str
) -> None:
    api.get(PATH).respond(200, text='{"data": "' + "x" * 185 + secret + '"')
    with pytest.raises(ResponseValidationError) as info:
        await client.with_options(max_retries=0).paystubs.get("acc_1", "stub_9")
    assert secret[:6] not in info.value.body_excerpt


async def test_a_cut_off_identity_body_is_masked_in_the_excerpt(
    client: PayrollClient, api: respx.MockRouter
) -> None:
    api.get("/accounts/acc_1/identity").respond(
        200, text='{"data": {"full_name": "A", "last_four_ssn": "0417", "date_of_birth": "1991-'
    )
    with pytest.raises(ResponseValidationError) as info:
        await client.with_options(max_retries=0).identity.get("acc_1")
    excerpt = info.value.body_excerpt
    assert "0417" not in excerpt
    assert "1991" not in excerpt
    assert '"last_four_ssn": "****"' in excerpt


def test_the_hierarchy() -> None:
    assert issubclass(InvalidInputError, ValueError)
    assert issubclass(ConfigurationError, InvalidInputError)
    assert issubclass(DeadlineExceededError, APITimeoutError)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(PaginationLoopError, ResponseValidationError)
    for cls in (APIConnectionError, APIStatusError, ResponseValidationError, InvalidInputError):
        assert issubclass(cls, PayrollError)


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (400, "BadRequestError"),
        (401, "AuthenticationError"),
        (403, "PermissionDeniedError"),
        (404, "NotFoundError"),
        (409, "ConflictError"),
        (422, "UnprocessableEntityError"),
        (429, "RateLimitError"),
        (500, "InternalServerError"),
        (503, "InternalServerError"),
        (599, "InternalServerError"),
        (418, "APIStatusError"),
        (302, "APIStatusError"),
    ],
)
def test_status_error_class(status: int, name: str) -> None:
    assert status_error_class(status).__name__ == name


def test_error_strings_without_a_request() -> None:
    response = httpx.Response(401, request=httpx.Request("GET", "https://x.test/"))
    err = AuthenticationError("Bad secret.", response=response, attempts=3)
    assert str(err) == "401: Bad secret. (after 3 attempts)"
    limited = RateLimitError("Slow down.", response=httpx.Response(429), retry_after=2.5)
    assert limited.retry_after == 2.5
    assert str(APIConnectionError("Connection error.")) == "Connection error."
    assert str(APITimeoutError("t", method="GET", path="/p", attempts=2)) == (
        "GET /p: t (after 2 attempts)"
    )


def test_field_error_value_semantics() -> None:
    assert FieldError("a", "b") == FieldError("a", "b")
    assert FieldError("a", "b") != FieldError("a", "c")
    assert FieldError("a", "b") != ("a", "b")
    assert len({FieldError("a", "b"), FieldError("a", "b")}) == 1
    assert repr(FieldError("a", "b")) == "FieldError(name='a', message='b')"


def test_response_validation_error_keeps_only_a_short_excerpt() -> None:
    err = ResponseValidationError("bad", body_excerpt="x" * 5000)
    assert len(err.body_excerpt) == 200


async def test_errors_survive_pickling(client: PayrollClient, api: respx.MockRouter) -> None:
    # Errors cross process boundaries (multiprocessing, task queues): they must pickle.
    api.get(PATH).respond(
        429,
        json={
            "error": {
                "type": "RATE_LIMITED",
                "code": "slow",
                "message": "Slow down.",
                "fields": [{"name": "a", "message": "b"}],
            }
        },
        headers={"retry-after": "120", "x-request-id": "req_p"},
    )
    with pytest.raises(RateLimitError) as info:
        await client.paystubs.get("acc_1", "stub_9")
    original = info.value
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is RateLimitError
    assert str(copy) == str(original)
    assert repr(copy) == repr(original)
    assert (copy.status_code, copy.retry_after, copy.fields) == (429, 120.0, original.fields)
    assert copy.response.status_code == 429

    for err in (
        APITimeoutError("t", method="GET", path="/p", attempts=3),
        ResponseValidationError("bad", body_excerpt="<html>", status_code=200),
        PaginationLoopError("loop", request_id="r"),
        WebhookVerificationError("stale", reason="stale"),
        ConfigurationError("no secret"),
    ):
        again = pickle.loads(pickle.dumps(err))
        assert type(again) is type(err)
        assert str(again) == str(err)
        assert vars(again) == vars(err)
