"""A Pinwheel-compatible sandbox: a Starlette app serving deterministic synthetic payroll data.

It is what the README demo, the integration tests, the benchmarks and users' own tests run
against, either in-process::

    app = create_app(SandboxConfig(seed=7))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://sandbox/v1")

or as a real server on loopback::

    with SandboxServer() as server:
        ...  # server.base_url, server.secret, server.stats

See docs/sandbox.md for the routes, the scenario users and the fault syntax. Needs the
``sandbox`` extra (Starlette and uvicorn).
"""

from __future__ import annotations

try:
    import starlette  # noqa: F401  (what an install without the extra lacks)
except ModuleNotFoundError as exc:
    # One line that says what to do, rather than "No module named 'starlette'" from deep
    # inside the package (the CLI and the examples print just this).
    raise ModuleNotFoundError(
        f"payroll_sdk.sandbox needs the 'sandbox' extra (no module named {exc.name!r}): "
        "pip install 'payroll-sdk[sandbox]'",
        name=exc.name,
    ) from exc

from ._app import Sandbox, create_app
from ._config import DEFAULT_SECRET, SUPPORTED_VERSIONS, SandboxConfig
from ._data import RESOURCES, AccountTruth, SandboxData, UserTruth
from ._faults import (
    ALL_KINDS,
    ENDPOINT_NAMES,
    FaultConfig,
    FaultScriptError,
    LatencyConfig,
    SandboxConnectionDropped,
    parse_fault_script,
)
from ._scenarios import DAMAGED_SCENARIOS, SCENARIOS
from ._server import SandboxProcess, SandboxServer
from ._stats import SandboxStats

__all__ = [
    "ALL_KINDS",
    "DAMAGED_SCENARIOS",
    "DEFAULT_SECRET",
    "ENDPOINT_NAMES",
    "RESOURCES",
    "SCENARIOS",
    "SUPPORTED_VERSIONS",
    "AccountTruth",
    "FaultConfig",
    "FaultScriptError",
    "LatencyConfig",
    "Sandbox",
    "SandboxConfig",
    "SandboxConnectionDropped",
    "SandboxData",
    "SandboxProcess",
    "SandboxServer",
    "SandboxStats",
    "UserTruth",
    "create_app",
    "parse_fault_script",
]
