"""PayrollClient: the headers it sends, how it is configured, and who closes what."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest
import respx

from payroll_sdk import (
    ENVIRONMENTS,
    ConfigurationError,
    InvalidInputError,
    NotFoundError,
    PayrollClient,
    PayrollError,
    __version__,
)
from payroll_sdk._client import PayrollClient as _ClientClass

INCOME_PATH = "/accounts/acc_1/income"


def _income_route(api: respx.MockRouter, body: dict[str, Any]) -> respx.Route:
    return api.get(INCOME_PATH).respond(200, json=body)


def _sent_headers(api: respx.MockRouter, body: dict[str, Any]) -> list[httpx.Headers]:
    """The headers of each request as sent. respx records the request object itself, whose
    secret the SDK blanks once it is sent (so errors cannot leak it): copy them on the way."""
    sent: list[httpx.Headers] = []

    def respond(request: httpx.Request) -> httpx.Response:
        sent.append(httpx.Headers(request.headers))
        return httpx.Response(200, json=body)

    api.get(INCOME_PATH).mock(side_effect=respond)
    return sent


# -- headers ----------------------------------------------------------------------------------


async def test_every_request_carries_the_contract_headers(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any, secret: str
) -> None:
    sent = _sent_headers(api, load_fixture("income.json"))
    await client.income.get("acc_1")
    await client.income.get("acc_1")

    assert len(sent) == 2
    for headers in sent:
        assert headers["X-API-SECRET"] == secret
        assert headers["Pinwheel-Version"] == "2025-07-08"
        assert headers["Accept"] == "application/json"
        assert headers["User-Agent"] == f"payroll-sdk/{__version__}"
        assert headers.get_list("user-agent") == [f"payroll-sdk/{__version__}"]


async def test_custom_api_version_and_default_headers(
    api: respx.MockRouter, load_fixture: Any, secret: str, base_url: str
) -> None:
    sent = _sent_headers(api, load_fixture("income.json"))
    async with PayrollClient(
        api_secret=secret,
        base_url=base_url,
        api_version="2023-11-22",
        default_headers={"X-Tenant": "acme", "X-Trace": "t-1"},
    ) as client:
        await client.income.get("acc_1")

    headers = sent[-1]
    assert headers["Pinwheel-Version"] == "2023-11-22"
    assert headers["X-Tenant"] == "acme"
    assert headers["X-Trace"] == "t-1"
    assert headers["X-API-SECRET"] == secret


async def test_default_headers_override_case_insensitively(
    api: respx.MockRouter, load_fixture: Any, secret: str, base_url: str
) -> None:
    # HTTP header names are case-insensitive: a lower-case override must replace the SDK's
    # header, not be sent next to it.
    route = _income_route(api, load_fixture("income.json"))
    async with PayrollClient(
        api_secret=secret, base_url=base_url, default_headers={"user-agent": "my-app/2.0"}
    ) as client:
        await client.income.get("acc_1")

    assert route.calls.last.request.headers.get_list("User-Agent") == ["my-app/2.0"]


def test_unknown_api_version_is_refused(secret: str) -> None:
    with pytest.raises(ConfigurationError, match="api_version"):
        PayrollClient(api_secret=secret, api_version="2099-01-01")


# -- the secret -------------------------------------------------------------------------------


async def test_secret_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
    api: respx.MockRouter,
    load_fixture: Any,
    base_url: str,
) -> None:
    monkeypatch.setenv("PAYROLL_API_SECRET", "sk_from_env_123")
    sent = _sent_headers(api, load_fixture("income.json"))
    async with PayrollClient(base_url=base_url) as client:
        await client.income.get("acc_1")
    assert sent[-1]["X-API-SECRET"] == "sk_from_env_123"


def test_argument_secret_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv("PAYROLL_API_SECRET", "sk_from_env_123")
    client = PayrollClient(api_secret=secret)
    assert client._transport._headers["X-API-SECRET"] == secret


def test_missing_secret_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAYROLL_API_SECRET", raising=False)
    with pytest.raises(ConfigurationError, match="PAYROLL_API_SECRET") as info:
        PayrollClient()
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, PayrollError)
    assert isinstance(info.value, InvalidInputError)


@pytest.mark.parametrize(
    "bad_secret",
    [
        "",
        "sk_live_abc\n",
        "sk_live_abc\r\nX-Evil: 1",
        " sk_live_abc",
        "sk_live abc",
        "sk_live\tabc",
        "sk_live_ábc",
        "sk_live_\x00abc",
        "sk_live_\x7fabc",
    ],
)
def test_malformed_secret_is_refused_without_echoing_it(
    bad_secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAYROLL_API_SECRET", raising=False)
    with pytest.raises(ConfigurationError) as info:
        PayrollClient(api_secret=bad_secret)
    message = str(info.value)
    assert message
    # The message may not carry the secret, nor any long-enough piece of it.
    assert "sk_live" not in message
    assert "abc" not in message


def test_malformed_secret_from_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAYROLL_API_SECRET", "sk_live_abc\n")
    with pytest.raises(ConfigurationError) as info:
        PayrollClient()
    assert "sk_live_abc" not in str(info.value)


# -- base URL ---------------------------------------------------------------------------------


@pytest.mark.parametrize("base", ["https://x.test/v1", "https://x.test/v1/"])
async def test_base_url_with_or_without_trailing_slash(base: str, secret: str) -> None:
    with respx.mock(assert_all_called=True, using="httpx") as router:
        router.get("https://x.test/v1/accounts/acc_1/employment").respond(404)
        async with PayrollClient(api_secret=secret, base_url=base, max_retries=0) as client:
            with pytest.raises(PayrollError):
                await client.employment.get("acc_1")
        assert str(router.calls.last.request.url) == ("https://x.test/v1/accounts/acc_1/employment")
    assert str(client.base_url) == "https://x.test/v1/"


def test_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    monkeypatch.setenv("PAYROLL_BASE_URL", "https://proxy.test/payroll/v1")
    assert str(PayrollClient(api_secret=secret).base_url) == "https://proxy.test/payroll/v1/"


def test_base_url_argument_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv("PAYROLL_BASE_URL", "https://proxy.test/v1")
    client = PayrollClient(api_secret=secret, base_url="https://arg.test/v1")
    assert client.base_url.host == "arg.test"


def test_default_base_url_is_production(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    monkeypatch.delenv("PAYROLL_BASE_URL", raising=False)
    assert str(PayrollClient(api_secret=secret).base_url) == ENVIRONMENTS["production"] + "/"


@pytest.mark.parametrize(
    ("environment", "host"),
    [
        ("production", "api.getpinwheel.com"),
        ("sandbox", "sandbox.getpinwheel.com"),
        ("development", "development.getpinwheel.com"),
    ],
)
def test_environment_selects_the_contract_server(
    environment: Any, host: str, monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv("PAYROLL_BASE_URL", "https://ignored.test/v1")
    client = PayrollClient(api_secret=secret, environment=environment)
    assert str(client.base_url) == f"https://{host}/v1/"


def test_base_url_and_environment_together_are_refused(secret: str) -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        PayrollClient(api_secret=secret, base_url="https://x.test/v1", environment="sandbox")


def test_unknown_environment_is_refused(secret: str) -> None:
    with pytest.raises(ConfigurationError, match="staging"):
        PayrollClient(api_secret=secret, environment="staging")  # type: ignore[arg-type]


@pytest.mark.parametrize("bare", ["http://127.0.0.1:18801", "https://x.test"])
def test_a_base_url_without_a_path_is_a_configuration_error(
    bare: str, monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    # It used to build "http://127.0.0.1:18801end_users" and crash with httpx.InvalidURL.
    monkeypatch.setenv("PAYROLL_BASE_URL", bare)
    with pytest.raises(ConfigurationError, match="/v1") as info:
        PayrollClient(api_secret=secret)
    assert f"{bare}/v1" in str(info.value)


async def test_a_base_url_at_the_root_joins_paths_under_it(secret: str) -> None:
    with respx.mock(assert_all_called=True, using="httpx") as router:
        router.get("http://127.0.0.1:18801/accounts/acc_1/employment").respond(
            404, json={"error": {"code": "ROUTE_NOT_FOUND", "message": "No route."}}
        )
        async with PayrollClient(
            api_secret=secret, base_url="http://127.0.0.1:18801/", max_retries=0
        ) as client:
            with pytest.raises(NotFoundError) as info:
                await client.employment.get("acc_1")
    # A bare route 404 says what is probably wrong.
    assert "does not end in /v1" in str(info.value)


async def test_a_record_404_under_v1_has_no_base_url_hint(secret: str) -> None:
    with respx.mock(assert_all_called=True, using="httpx") as router:
        router.get("https://x.test/v1/accounts/acc_1/employment").respond(
            404, json={"error": {"code": "ROUTE_NOT_FOUND", "message": "No route."}}
        )
        async with PayrollClient(api_secret=secret, base_url="https://x.test/v1") as client:
            with pytest.raises(NotFoundError) as info:
                await client.employment.get("acc_1")
    assert "base URL" not in str(info.value)


@pytest.mark.parametrize("bad", ["ftp://x.test/v1", "x.test/v1", "https:///v1"])
def test_base_url_must_be_http(bad: str, secret: str) -> None:
    with pytest.raises(ConfigurationError):
        PayrollClient(api_secret=secret, base_url=bad)


# -- keyword-only and other arguments ---------------------------------------------------------


def test_every_argument_is_keyword_only(secret: str) -> None:
    with pytest.raises(TypeError):
        PayrollClient(secret)  # type: ignore[misc]
    with pytest.raises(TypeError):
        PayrollClient(secret, "https://x.test/v1")  # type: ignore[misc]
    params = list(inspect.signature(PayrollClient).parameters.values())
    # One **options (typed once, as ClientOptions, for both clients): nothing positional.
    assert [(p.name, p.kind) for p in params] == [("options", inspect.Parameter.VAR_KEYWORD)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_retries": -1},
        {"max_retries": True},
        {"max_in_flight": 0},
        {"rate_limit": 0},
        {"deadline": 0},
        {"timeout": -1},
        {"retry_after_cap": -1},
    ],
)
def test_bad_settings_are_configuration_errors(kwargs: dict[str, Any], secret: str) -> None:
    with pytest.raises(ConfigurationError):
        PayrollClient(api_secret=secret, **kwargs)


async def test_http_client_and_transport_together_are_refused(secret: str) -> None:
    async with httpx.AsyncClient() as mine:
        with pytest.raises(ConfigurationError, match="not both"):
            PayrollClient(api_secret=secret, http_client=mine, transport=httpx.AsyncHTTPTransport())


def test_client_classes_have_no_finalizer() -> None:
    # A __del__ that closes the pool would run at an arbitrary point, maybe on another loop.
    from payroll_sdk._sync import PayrollClientSync

    for cls in (_ClientClass, PayrollClientSync):
        assert not any("__del__" in vars(klass) for klass in cls.__mro__), cls


def test_repr_shows_the_url_not_the_secret(secret: str) -> None:
    client = PayrollClient(api_secret=secret, base_url="https://x.test/v1")
    assert "x.test" in repr(client)
    assert secret not in repr(client)


# -- lifecycle --------------------------------------------------------------------------------


async def test_async_with_closes_the_owned_pool(secret: str) -> None:
    async with PayrollClient(api_secret=secret) as client:
        http_client = client._transport.http_client
        assert not http_client.is_closed
    assert http_client.is_closed
    assert client.is_closed


async def test_aclose_is_idempotent(secret: str) -> None:
    client = PayrollClient(api_secret=secret)
    await client.aclose()
    await client.aclose()
    assert client.is_closed
    assert client._transport.http_client.is_closed


async def test_an_injected_http_client_is_never_closed(
    api: respx.MockRouter, load_fixture: Any, secret: str, base_url: str
) -> None:
    _income_route(api, load_fixture("income.json"))
    async with httpx.AsyncClient() as mine:
        async with PayrollClient(api_secret=secret, base_url=base_url, http_client=mine) as client:
            await client.income.get("acc_1")
        assert not mine.is_closed
        await client.aclose()
        assert not mine.is_closed
        # Still usable by its owner.
        response = await mine.get(f"{base_url}{INCOME_PATH}")
        assert response.status_code == 200


async def test_with_options_copies_settings_and_shares_the_pool(
    api: respx.MockRouter, load_fixture: Any, secret: str, base_url: str
) -> None:
    route = _income_route(api, load_fixture("income.json"))
    original = PayrollClient(api_secret=secret, base_url=base_url, max_retries=2, deadline=30)
    copy = original.with_options(timeout=3.0, max_retries=5, deadline=7.5)

    assert copy is not original
    assert (copy.max_retries, copy.deadline) == (5, 7.5)
    assert copy.timeout.read == 3.0
    assert (original.max_retries, original.deadline) == (2, 30)
    assert copy._transport.http_client is original._transport.http_client
    assert copy._transport.limiter is original._transport.limiter
    assert copy.paystubs._options.max_retries == 5

    await copy.aclose()
    assert copy.is_closed
    assert not original._transport.http_client.is_closed
    await original.income.get("acc_1")
    assert route.call_count == 1

    await original.aclose()
    assert original._transport.http_client.is_closed


async def test_with_options_keeps_unspecified_settings(secret: str) -> None:
    original = PayrollClient(api_secret=secret, max_retries=4, deadline=None, timeout=9.0)
    copy = original.with_options(max_retries=1)
    assert copy.deadline is None
    assert copy.timeout == original.timeout
    assert copy.with_options(deadline=None).deadline is None
    async with copy:
        pass
    assert not original._transport.http_client.is_closed
    await original.aclose()


def test_with_options_validates_what_it_is_given(secret: str) -> None:
    client = PayrollClient(api_secret=secret)
    with pytest.raises(ConfigurationError):
        client.with_options(max_retries=-1)
    with pytest.raises(ConfigurationError):
        client.with_options(deadline=-5)
    with pytest.raises(ConfigurationError):
        client.with_options(retry_after_cap=-1)
