"""payroll-sdk: an async-first SDK for payroll-data APIs, wire-compatible with Pinwheel.

::

    from payroll_sdk import PayrollClient

    async with PayrollClient() as client:  # PAYROLL_API_SECRET, PAYROLL_BASE_URL
        profile = await client.get_profile("user_123")

Money is integer cents (:class:`Money` for ``Decimal`` dollars); every error derives from
:class:`PayrollError`; models keep unknown fields and enum values and mask personal data in
their ``repr``.
"""

from ._version import __version__

# Not `from typing import TYPE_CHECKING`: `import payroll_sdk` would then load typing (and re)
# for this flag alone. Type checkers treat a name TYPE_CHECKING as true wherever it is defined.
TYPE_CHECKING = False
if TYPE_CHECKING:
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

# Every public name but __version__ is loaded on first use (PEP 562), so `import payroll_sdk`
# imports neither httpx nor pydantic: a program that only needs `payroll_sdk.webhooks`, the
# version or an exception class does not pay for the client (bench/cases/imports.py measures
# both). The `TYPE_CHECKING` imports above are what type checkers and IDEs see; each name
# here maps to the module that defines it, and tests/test_lazy_imports.py checks that every
# name of `__all__` resolves.
_LAZY: dict[str, str] = {
    "PayrollClient": "._client",
    **dict.fromkeys(("DEFAULT_STALE_AFTER", "ENVIRONMENTS", "NOT_GIVEN", "NotGiven"), "._config"),
    **dict.fromkeys(
        (
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
        ),
        "._exceptions",
    ),
    "ClientOptions": "._options",
    "RequestOptions": "._options",
    "AsyncPager": "._pagination",
    "ShardedTransport": "._pool",
    "PayrollClientSync": "._sync",
    "SyncPager": "._sync",
    "ProfileResult": ".aggregation",
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


# Hidden from type checkers: they see the TYPE_CHECKING imports, and a visible module
# __getattr__ would make them accept any misspelt name (as Any) instead of reporting it.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        module_name = _LAZY.get(name)
        if module_name is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from importlib import import_module

        value = getattr(import_module(module_name, __name__), name)
        # Cached as a real attribute: the next lookup does not come back here.
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
