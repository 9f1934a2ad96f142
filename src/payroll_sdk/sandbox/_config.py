"""``SandboxConfig``: everything that shapes one sandbox app."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .._config import API_VERSIONS
from ._faults import FaultConfig, LatencyConfig

__all__ = ["DEFAULT_SECRET", "ENV_SANDBOX_SECRET", "SUPPORTED_VERSIONS", "SandboxConfig"]

DEFAULT_SECRET = "sandbox-secret"
#: Where a served sandbox (``payroll-sdk sandbox serve``) reads its accepted secret from.
ENV_SANDBOX_SECRET = "PAYROLL_SANDBOX_SECRET"

#: The ``Pinwheel-Version`` values the contract allows (newest first): the same list the
#: client checks its ``api_version`` against.
SUPPORTED_VERSIONS: tuple[str, ...] = API_VERSIONS


@dataclass(frozen=True)
class SandboxConfig:
    """How a sandbox behaves.

    ``secret`` is the only accepted ``X-API-SECRET``; ``seed`` and ``today`` (default: the
    current UTC date) fix the generated data; ``history_months`` is how far back paystubs
    and shifts go; ``latency`` and ``faults`` shape timing and failures.
    """

    secret: str = DEFAULT_SECRET
    seed: int = 0
    history_months: int = 24
    latency: LatencyConfig = field(default_factory=LatencyConfig)
    faults: FaultConfig = field(default_factory=FaultConfig)
    today: date | None = None
    cached_accounts: int = 2048

    def __post_init__(self) -> None:
        if not self.secret:
            raise ValueError("secret must not be empty")
        if not 1 <= self.history_months <= 240:
            raise ValueError("history_months must be between 1 and 240")
