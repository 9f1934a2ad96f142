"""How settings are resolved from arguments, the environment and the defaults."""

from __future__ import annotations

import copy
import pickle

import httpx
import pytest

from payroll_sdk import NOT_GIVEN, ConfigurationError, NotGiven
from payroll_sdk._config import (
    API_VERSIONS,
    DEFAULT_API_VERSION,
    DEFAULT_DEADLINE,
    DEFAULT_TIMEOUT,
    ENVIRONMENTS,
    given_or,
    resolve_api_version,
    resolve_base_url,
    resolve_deadline,
    resolve_max_retries,
    resolve_retry_after_cap,
    resolve_secret,
    resolve_timeout,
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAYROLL_API_SECRET", raising=False)
    monkeypatch.delenv("PAYROLL_BASE_URL", raising=False)


def test_not_given_is_a_falsy_singleton() -> None:
    assert NotGiven() is NOT_GIVEN
    assert copy.copy(NOT_GIVEN) is NOT_GIVEN
    assert pickle.loads(pickle.dumps(NOT_GIVEN)) is NOT_GIVEN
    assert not NOT_GIVEN
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert given_or(NOT_GIVEN, 3) == 3
    assert given_or(None, 3) is None
    assert given_or(0, 3) == 0


def test_secret_from_argument_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_secret("sk_arg") == "sk_arg"
    monkeypatch.setenv("PAYROLL_API_SECRET", "sk_env")
    assert resolve_secret(None) == "sk_env"
    assert resolve_secret("sk_arg") == "sk_arg"


def test_an_empty_environment_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYROLL_API_SECRET", "")
    with pytest.raises(ConfigurationError, match="empty"):
        resolve_secret(None)


def test_secrets_of_visible_ascii_are_accepted() -> None:
    visible = "".join(chr(c) for c in range(0x21, 0x7F))
    assert resolve_secret(visible) == visible


@pytest.mark.parametrize("bad", ["\n", "a b", "a\u00a0b", "a\u2028b", "ключ", "a\x00"])
def test_other_characters_are_refused(bad: str) -> None:
    with pytest.raises(ConfigurationError):
        resolve_secret(bad)


def test_base_url_order_of_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    assert str(resolve_base_url(None, None)) == "https://api.getpinwheel.com/v1/"
    monkeypatch.setenv("PAYROLL_BASE_URL", "http://localhost:8080/v1")
    assert str(resolve_base_url(None, None)) == "http://localhost:8080/v1/"
    assert str(resolve_base_url(None, "sandbox")) == "https://sandbox.getpinwheel.com/v1/"
    assert str(resolve_base_url("https://arg.test/api", None)) == "https://arg.test/api/"
    assert str(resolve_base_url(httpx.URL("https://arg.test/v1/"), None)) == (
        "https://arg.test/v1/"
    )


@pytest.mark.parametrize(
    "bad", ["https://x.test/v1?key=1", "https://x.test/v1#frag", "https://x.test/v1/?"]
)
def test_a_base_url_with_a_query_or_fragment_is_refused(bad: str) -> None:
    # Paths are appended to the base: a query or fragment there would swallow them.
    with pytest.raises(ConfigurationError, match="query"):
        resolve_base_url(bad, None)


def test_an_empty_base_url_variable_means_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYROLL_BASE_URL", "")
    assert str(resolve_base_url(None, None)) == ENVIRONMENTS["production"] + "/"


def test_a_bad_base_url_variable_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYROLL_BASE_URL", "not a url")
    with pytest.raises(ConfigurationError):
        resolve_base_url(None, None)


def test_the_three_environments() -> None:
    assert set(ENVIRONMENTS) == {"production", "sandbox", "development"}
    for name, url in ENVIRONMENTS.items():
        assert url.startswith("https://") and url.endswith("/v1")
        assert str(resolve_base_url(None, name)) == url + "/"


def test_api_versions() -> None:
    assert DEFAULT_API_VERSION == "2025-07-08"
    assert resolve_api_version(DEFAULT_API_VERSION) == DEFAULT_API_VERSION
    for version in API_VERSIONS:
        assert resolve_api_version(version) == version
    with pytest.raises(ConfigurationError):
        resolve_api_version("2025-07-09")


def test_timeout_forms() -> None:
    assert resolve_timeout(NOT_GIVEN) == DEFAULT_TIMEOUT
    assert resolve_timeout(None) == httpx.Timeout(None)
    assert resolve_timeout(2.0) == httpx.Timeout(2.0, connect=2.0)
    assert resolve_timeout(20.0) == httpx.Timeout(20.0, connect=5.0)
    mine = httpx.Timeout(1.0, read=9.0)
    assert resolve_timeout(mine) is mine
    for bad in (0, -1.0):
        with pytest.raises(ConfigurationError):
            resolve_timeout(bad)


def test_deadline_forms() -> None:
    assert resolve_deadline(NOT_GIVEN, DEFAULT_DEADLINE) == DEFAULT_DEADLINE
    assert resolve_deadline(NOT_GIVEN, None) is None
    assert resolve_deadline(None, 60.0) is None
    assert resolve_deadline(1.5, 60.0) == 1.5
    for bad in (0, -3):
        with pytest.raises(ConfigurationError):
            resolve_deadline(bad, 60.0)


def test_max_retries_and_retry_after_cap() -> None:
    assert resolve_max_retries(0) == 0
    assert resolve_max_retries(10) == 10
    for bad in (-1, True, 1.0, "2"):
        with pytest.raises(ConfigurationError):
            resolve_max_retries(bad)  # type: ignore[arg-type]
    assert resolve_retry_after_cap(0) == 0
    with pytest.raises(ConfigurationError):
        resolve_retry_after_cap(-0.5)
