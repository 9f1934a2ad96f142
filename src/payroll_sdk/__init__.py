"""payroll-sdk: an async-first SDK for payroll-data APIs, wire-compatible with Pinwheel.

::

    from payroll_sdk import PayrollClient

    async with PayrollClient() as client:  # PAYROLL_API_SECRET, PAYROLL_BASE_URL
        profile = await client.get_profile("user_123")

Money is integer cents (:class:`Money` for ``Decimal`` dollars); every error derives from
:class:`PayrollError`; models keep unknown fields and enum values and mask personal data in
their ``repr``.
"""

import importlib
from typing import TYPE_CHECKING, Any

from ._client import PayrollClient
from ._config import DEFAULT_STALE_AFTER, ENVIRONMENTS, NOT_GIVEN, NotGiven
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    ConflictError,
    DeadlineExceededError,
    FieldError,
    InternalServerError,
    InvalidInputError,
    NotFoundError,
    PaginationLoopError,
    PayrollError,
    PermissionDeniedError,
    ProfileIncompleteError,
    RateLimitError,
    ResponseValidationError,
    UnprocessableEntityError,
    WebhookVerificationError,
)
from ._options import ClientOptions, RequestOptions
from ._pagination import AsyncPager
from ._pool import ShardedTransport
from ._version import __version__

if TYPE_CHECKING:
    from ._sync import PayrollClientSync, SyncPager
    from .aggregation import ProfileResult
    from .models import (
        Allocation,
        DirectDepositAllocations,
        Employment,
        Identity,
        Income,
        ListResponse,
        Money,
        ObjectResponse,
        PayrollAccount,
        Paystub,
        Shift,
        UnreadableRecord,
        cents_to_decimal,
    )
    from .models.profile import (
        AccountProfile,
        FailureReason,
        Freshness,
        FreshnessVerdict,
        PayrollProfile,
        Problem,
        ResourceName,
        ResourceState,
        ResourceStatus,
    )
    from .models.summary import (
        Amount,
        DepositDestination,
        EmployerSummary,
        ProfileSummary,
        SourcedValue,
        YearlyPay,
    )

# Loaded on first use, so `import payroll_sdk` does not pay for the models, the profile,
# summary and sync machinery (measured: bench/cases/imports.py) until a program touches them
# (a client's construction loads the models it needs).
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        (
            "Allocation",
            "DirectDepositAllocations",
            "Employment",
            "Identity",
            "Income",
            "ListResponse",
            "Money",
            "ObjectResponse",
            "PayrollAccount",
            "Paystub",
            "Shift",
            "UnreadableRecord",
            "cents_to_decimal",
        ),
        ".models",
    ),
    "PayrollClientSync": "._sync",
    "SyncPager": "._sync",
    "ProfileResult": ".aggregation",
    **dict.fromkeys(
        (
            "AccountProfile",
            "FailureReason",
            "Freshness",
            "FreshnessVerdict",
            "PayrollProfile",
            "Problem",
            "ResourceName",
            "ResourceState",
            "ResourceStatus",
        ),
        ".models.profile",
    ),
    **dict.fromkeys(
        (
            "Amount",
            "DepositDestination",
            "EmployerSummary",
            "ProfileSummary",
            "SourcedValue",
            "YearlyPay",
        ),
        ".models.summary",
    ),
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "DEFAULT_STALE_AFTER",
    "ENVIRONMENTS",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AccountProfile",
    "Allocation",
    "Amount",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ClientOptions",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "DepositDestination",
    "DirectDepositAllocations",
    "EmployerSummary",
    "Employment",
    "FailureReason",
    "FieldError",
    "Freshness",
    "FreshnessVerdict",
    "Identity",
    "Income",
    "InternalServerError",
    "InvalidInputError",
    "ListResponse",
    "Money",
    "NotFoundError",
    "NotGiven",
    "ObjectResponse",
    "PaginationLoopError",
    "PayrollAccount",
    "PayrollClient",
    "PayrollClientSync",
    "PayrollError",
    "PayrollProfile",
    "Paystub",
    "PermissionDeniedError",
    "Problem",
    "ProfileIncompleteError",
    "ProfileResult",
    "ProfileSummary",
    "RateLimitError",
    "RequestOptions",
    "ResourceName",
    "ResourceState",
    "ResourceStatus",
    "ResponseValidationError",
    "ShardedTransport",
    "Shift",
    "SourcedValue",
    "SyncPager",
    "UnprocessableEntityError",
    "UnreadableRecord",
    "WebhookVerificationError",
    "YearlyPay",
    "__version__",
    "cents_to_decimal",
]
