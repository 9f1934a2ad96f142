"""The sync client has the async client's surface: the same methods, parameters and options.

``PayrollClientSync`` wraps ``PayrollClient`` by hand (``_sync.py``). These tests compare the
two public surfaces, so a method, a parameter or an option added to one client and forgotten
on the other fails here rather than in a user's hands.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from payroll_sdk import (
    ClientOptions,
    PayrollClient,
    PayrollClientSync,
    RequestOptions,
    _sync,
    resources,
)
from payroll_sdk._options import SandboxClientOptions
from payroll_sdk.sandbox import SandboxConfig, create_app
from payroll_sdk.testing import PayrollSandbox

#: Async names whose sync twins are spelled differently.
RENAMED = {"aclose": "close", "__aenter__": "__enter__", "__aexit__": "__exit__"}
#: Resource attributes of both clients.
RESOURCES = [
    "accounts",
    "paystubs",
    "shifts",
    "income",
    "identity",
    "employment",
    "direct_deposit_allocations",
]


def _public(cls: type) -> dict[str, Any]:
    names = {name for name in dir(cls) if not name.startswith("_")}
    names |= {"__init__", "__aenter__", "__aexit__", "__enter__", "__exit__"} & set(dir(cls))
    return {name: inspect.getattr_static(cls, name) for name in names}


def _parameters(function: Callable[..., Any]) -> list[tuple[str, Any, Any, Any]]:
    """(name, kind, default, annotation) of each parameter; annotations are the source's
    strings (``from __future__ import annotations``), which both modules spell alike."""
    signature = inspect.signature(function, eval_str=False)
    return [(p.name, p.kind, p.default, p.annotation) for p in signature.parameters.values()]


def _resource_classes(attribute: str) -> tuple[type, type]:
    """The classes of ``client.<attribute>`` on the async and on the sync client."""
    return (
        getattr(resources, PayrollClient.__annotations__[attribute]),
        getattr(_sync, PayrollClientSync.__annotations__[attribute]),
    )


def _pairs() -> Iterator[tuple[str, Any, Any]]:
    """(label, async member, sync member) for the clients and every resource."""
    sync_members = _public(PayrollClientSync)
    for name, member in _public(PayrollClient).items():
        yield f"PayrollClient.{name}", member, sync_members.get(RENAMED.get(name, name))
    for resource in RESOURCES:
        async_cls, sync_cls = _resource_classes(resource)
        sync_members = _public(sync_cls)
        for name, member in _public(async_cls).items():
            if name in ("__init__",):
                continue  # a resource is built by its client, with what that client holds
            yield f"{async_cls.__name__}.{name}", member, sync_members.get(name)


def test_both_clients_have_the_same_members() -> None:
    assert sorted(RENAMED.get(n, n) for n in _public(PayrollClient)) == sorted(
        _public(PayrollClientSync)
    )
    for resource in RESOURCES:
        async_cls, sync_cls = _resource_classes(resource)
        async_names = {n for n in _public(async_cls) if n != "__init__"}
        sync_names = {n for n in _public(sync_cls) if n != "__init__"}
        assert async_names == sync_names, resource


@pytest.mark.parametrize(("label", "async_member", "sync_member"), list(_pairs()))
def test_every_method_takes_the_same_parameters(
    label: str, async_member: Any, sync_member: Any
) -> None:
    assert sync_member is not None, f"{label} has no sync twin"
    if isinstance(async_member, property):
        assert isinstance(sync_member, property), label
        return
    if isinstance(async_member, classmethod | staticmethod):
        assert type(sync_member) is type(async_member), label
        async_member, sync_member = async_member.__func__, sync_member.__func__
    if not callable(async_member):
        return
    assert _parameters(sync_member) == _parameters(async_member), label


def test_the_options_are_one_typed_dict_in_both_clients() -> None:
    """Constructor, ``with_options`` and ``sandbox`` take their keyword options through the
    same TypedDicts, so an option exists on both clients or on neither."""
    for cls in (PayrollClient, PayrollClientSync):
        for method, options in (
            (cls.__init__, "ClientOptions"),
            (cls.with_options, "RequestOptions"),
            (cls.sandbox, "SandboxClientOptions"),
        ):
            last = _parameters(method)[-1]
            assert last[:2] == ("options", inspect.Parameter.VAR_KEYWORD), (cls, method)
            assert last[3] == f"Unpack[{options}]", (cls, method)
    # The nesting the three are built on: what a copy may change is a subset of the rest.
    assert set(RequestOptions.__optional_keys__) < set(SandboxClientOptions.__optional_keys__)
    assert set(SandboxClientOptions.__optional_keys__) < set(ClientOptions.__optional_keys__)


@pytest.mark.parametrize("cls", [PayrollClient, PayrollClientSync])
def test_an_unknown_option_is_refused_like_a_bad_keyword(cls: type[Any]) -> None:
    with pytest.raises(
        TypeError, match=r"unexpected keyword argument 'timout'; did you mean 'timeout'"
    ):
        cls(api_secret="s", timout=5)


def test_every_option_reaches_the_sync_clients_async_client() -> None:
    """Each ClientOptions key set on the sync client arrives in the async one it wraps."""
    transport = httpx.MockTransport(lambda request: httpx.Response(204))
    given: dict[str, Any] = {
        "api_secret": "secret-1",
        "base_url": "http://api.test/v1",
        "api_version": "2023-11-22",
        "timeout": 7.0,
        "max_retries": 5,
        "deadline": 9.0,
        "retry_after_cap": 11.0,
        "max_in_flight": 3,
        "rate_limit": 50.0,
        "default_headers": {"X-Extra": "1"},
        "transport": transport,
    }
    assert set(given) | {"environment", "http_client"} == set(ClientOptions.__optional_keys__)
    with PayrollClientSync(**given) as sync:
        client = sync._async
        assert (client.max_retries, client.deadline, client.timeout.read) == (5, 9.0, 7.0)
        assert client._options.retry_after_cap == 11.0
        assert str(client.base_url) == "http://api.test/v1/"
        limiter = client._transport.limiter
        assert (limiter.max_in_flight, limiter.rate_limit) == (3, 50.0)
        headers = client._transport._headers
        assert headers["Pinwheel-Version"] == "2023-11-22" and headers["X-Extra"] == "1"
        assert client._transport.http_client._transport is transport


def test_sandbox_app_is_set_by_the_client_itself() -> None:
    config = SandboxConfig()
    payroll_sandbox = PayrollSandbox(app=create_app(config), config=config)
    client = payroll_sandbox.client()
    assert client.sandbox_app is payroll_sandbox.app
    assert client.with_options(max_retries=0).sandbox_app is payroll_sandbox.app
    with payroll_sandbox.client_sync() as sync:
        assert sync.sandbox_app is payroll_sandbox.app  # was None before
    with pytest.raises(AttributeError):
        client.sandbox_app = None  # type: ignore[misc]
