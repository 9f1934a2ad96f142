"""Pytest fixtures for testing your own code against the bundled sandbox.

Enable the plugin in your top-level ``conftest.py`` (it is deliberately not registered through
an entry point, so installing the SDK never adds fixtures or markers to anyone's test run)::

    pytest_plugins = ["payroll_sdk.testing"]

Fixtures (function-scoped; each test gets a fresh sandbox, so fault scripts start over):

- ``payroll_sandbox``: a :class:`PayrollSandbox`, the in-process sandbox app with its ground
  truth (``payroll_sandbox.data.user(user_id)``) and request ``stats``;
- ``payroll_client``: an async :class:`~payroll_sdk.PayrollClient` wired to it, closed after
  the test;
- ``payroll_client_sync``: a :class:`~payroll_sdk._sync.PayrollClientSync` wired to it;
- ``payroll_sandbox_config``: the :class:`~payroll_sdk.sandbox.SandboxConfig` used (override
  it to change the seed, the date, latency or faults);
- ``payroll_client_options``: extra keyword arguments for both clients (override it, e.g. to
  return ``{"max_retries": 0}``).

The marker ``@pytest.mark.payroll_faults("income=500*9")`` adds a server-wide fault script for
one test (syntax in ``docs/sandbox.md``); keyword arguments set other ``FaultConfig`` fields
(``rate=0.3, seed=7``). Helpers: :func:`scenario` names the scenario users and :func:`faults`
builds the per-request ``X-Sandbox-Faults`` header.

``payroll_client`` is a plain (not async) fixture, so it works with pytest-asyncio, anyio or
``asyncio.run`` in a sync test: the in-process transport holds no sockets and nothing tied to
an event loop until the test uses it. Needs the ``sandbox`` extra (Starlette).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import Any, Final, Unpack

import httpx
import pytest

from ._client import SANDBOX_BASE_URL, PayrollClient
from ._options import SandboxClientOptions
from ._sync import PayrollClientSync
from .sandbox import (
    SCENARIOS,
    FaultConfig,
    Sandbox,
    SandboxConfig,
    SandboxData,
    SandboxStats,
    create_app,
    parse_fault_script,
)

__all__ = [
    "FAULTS_HEADER",
    "SANDBOX_BASE_URL",
    "PayrollSandbox",
    "faults",
    "payroll_client",
    "payroll_client_options",
    "payroll_client_sync",
    "payroll_sandbox",
    "payroll_sandbox_config",
    "scenario",
]

#: The request header that scripts faults for one request key (see docs/sandbox.md).
FAULTS_HEADER: Final = "X-Sandbox-Faults"
_MARKER: Final = "payroll_faults"


def _scenario_list() -> str:
    return "\n".join(f"    - ``{name}``: {text}" for name, text in SCENARIOS.items())


def scenario(name: str) -> str:
    """The end-user id of a sandbox scenario; ``"three_jobs"`` and ``"user_three_jobs"`` both
    work. An unknown name raises ``ValueError`` listing the valid ones.

    Scenarios (any other id is an ordinary generated user with 0-3 accounts; ids starting
    with ``unknown_`` answer 404):

    {scenarios}
    """
    user_id = name if name.startswith("user_") else f"user_{name}"
    if user_id not in SCENARIOS:
        raise ValueError(f"unknown sandbox scenario {name!r}; expected one of {sorted(SCENARIOS)}")
    return user_id


if scenario.__doc__:  # keep the docstring's list in step with the sandbox's table
    scenario.__doc__ = scenario.__doc__.replace("    {scenarios}", _scenario_list())


def faults(spec: str) -> dict[str, str]:
    """The ``X-Sandbox-Faults`` header for a fault script, checked now rather than by the server.

    Pass it as ``default_headers`` to script faults for every request of a client::

        client = payroll_sandbox.client(default_headers=faults("income=503*2"), max_retries=2)

    Raises :class:`~payroll_sdk.sandbox.FaultScriptError` (a ``ValueError``) for a bad script.
    """
    parse_fault_script(spec)
    return {FAULTS_HEADER: spec}


@dataclasses.dataclass(frozen=True)
class PayrollSandbox:
    """One in-process sandbox app and what a test needs around it."""

    app: Any
    config: SandboxConfig

    @property
    def state(self) -> Sandbox:
        """The app's state: ``data``, ``stats``, ``faults``."""
        sandbox: Sandbox = self.app.state.sandbox
        return sandbox

    @property
    def data(self) -> SandboxData:
        """The ground truth: ``data.user("user_single").accounts[0].identity`` is exactly what
        the API serves (raw JSON dicts), to compare what your code computed against."""
        return self.state.data

    @property
    def stats(self) -> SandboxStats:
        """Requests served, per endpoint and status."""
        return self.state.stats

    @property
    def secret(self) -> str:
        return self.config.secret

    @property
    def base_url(self) -> str:
        return SANDBOX_BASE_URL

    def transport(self) -> httpx.ASGITransport:
        """A new in-process transport to this app (for your own ``httpx.AsyncClient``)."""
        return httpx.ASGITransport(app=self.app)

    def client(self, **options: Unpack[SandboxClientOptions]) -> PayrollClient:
        """A new async client wired to this app (``client.sandbox_app`` is it); you close it
        (``async with``)."""
        return PayrollClient._serving(self.app, secret=self.secret, **options)

    def client_sync(self, **options: Unpack[SandboxClientOptions]) -> PayrollClientSync:
        """A new sync client wired to this app (``client.sandbox_app`` is it); you close it
        (``with``)."""
        return PayrollClientSync._serving(self.app, secret=self.secret, **options)

    def reset(self) -> None:
        """Zero the stats and restart every fault script (the data stays)."""
        self.state.reset()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(script, **fault_config): server-wide sandbox faults for this test, e.g. "
        "'income=500*9' (payroll_sdk.testing)",
    )


@pytest.fixture
def payroll_sandbox_config() -> SandboxConfig:
    """The sandbox's configuration; override this fixture to change it."""
    return SandboxConfig()


@pytest.fixture
def payroll_client_options() -> dict[str, Any]:
    """Extra keyword arguments for ``payroll_client`` and ``payroll_client_sync``."""
    return {}


def _with_marker_faults(config: SandboxConfig, marker: pytest.Mark | None) -> SandboxConfig:
    if marker is None:
        return config
    if len(marker.args) > 1:
        raise TypeError(f"@pytest.mark.{_MARKER} takes one fault script, got {marker.args!r}")
    changes: dict[str, Any] = dict(marker.kwargs)
    if marker.args:
        changes["script"] = marker.args[0]
    fault_config: FaultConfig = dataclasses.replace(config.faults, **changes)
    return dataclasses.replace(config, faults=fault_config)


@pytest.fixture
def payroll_sandbox(
    request: pytest.FixtureRequest, payroll_sandbox_config: SandboxConfig
) -> PayrollSandbox:
    """A fresh in-process sandbox, with the ``payroll_faults`` marker's faults applied."""
    config = _with_marker_faults(payroll_sandbox_config, request.node.get_closest_marker(_MARKER))
    return PayrollSandbox(app=create_app(config), config=config)


@pytest.fixture
def payroll_client(
    payroll_sandbox: PayrollSandbox, payroll_client_options: dict[str, Any]
) -> Iterator[PayrollClient]:
    """An async client wired to ``payroll_sandbox``, closed after the test."""
    client = payroll_sandbox.client(**payroll_client_options)
    yield client
    # aclose() of an in-process client releases no socket, so any loop can run it. A private
    # loop, not asyncio.run(): that would also unset the thread's current loop, which an async
    # plugin (pytest-asyncio's module or session loops) may still be using.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(client.aclose())
    finally:
        loop.close()


@pytest.fixture
def payroll_client_sync(
    payroll_sandbox: PayrollSandbox, payroll_client_options: dict[str, Any]
) -> Iterator[PayrollClientSync]:
    """A sync client wired to ``payroll_sandbox``, closed after the test."""
    with payroll_sandbox.client_sync(**payroll_client_options) as client:
        yield client
