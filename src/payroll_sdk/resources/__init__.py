"""Thin typed methods, one module per resource."""

from .accounts import AccountsResource
from .direct_deposit_allocations import DirectDepositAllocationsResource
from .employment import EmploymentResource
from .identity import IdentityResource
from .income import IncomeResource
from .paystubs import PaystubsResource
from .shifts import ShiftsResource

__all__ = [
    "AccountsResource",
    "DirectDepositAllocationsResource",
    "EmploymentResource",
    "IdentityResource",
    "IncomeResource",
    "PaystubsResource",
    "ShiftsResource",
]
