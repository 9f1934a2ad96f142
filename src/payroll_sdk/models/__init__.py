"""Typed models of the payroll API's responses (pydantic v2).

Every model derives from :class:`PayrollModel`: unknown fields are kept, enums are open (known
values typed as ``Literal``, anything else kept as ``str``), money is integer cents
(:class:`Money` converts it to :class:`~decimal.Decimal`), and ``repr()``/``str()`` mask personal
data while attributes and ``model_dump()`` keep it.

Responses are wrapped in :class:`ObjectResponse` or :class:`ListResponse`; the aliases such as
:data:`PaystubPage` (``ListResponse[Paystub]``) are ready-built classes for parsing::

    page = PaystubPage.model_validate_json(body)
"""

from ._base import Cents, Currency, Money, PayrollModel, cents_to_decimal, minor_unit_exponent
from ._envelope import ListMeta, ListResponse, ObjectMeta, ObjectResponse
from ._tolerant import UnreadableRecord
from .accounts import (
    DataTimestamps,
    MonitoringStatus,
    PayrollAccount,
    PayrollAccountPage,
    PayrollAccountResponse,
)
from .common import Address, AddressCountry, PhoneNumber, PhoneNumberType
from .direct_deposit import (
    AccountType,
    Allocation,
    AllocationType,
    DirectDepositAllocations,
    DirectDepositAllocationsResponse,
)
from .employment import Employment, EmploymentResponse, EmploymentStatus
from .identity import Identity, IdentityResponse
from .income import CompensationUnit, Income, IncomeResponse, PayFrequency
from .paystubs import (
    Deduction,
    DeductionCategory,
    DeductionType,
    Earning,
    EarningCategory,
    Paystub,
    PaystubDocument,
    PaystubPage,
    PaystubResponse,
    Tax,
    TaxCategory,
    TimeOff,
    TimeOffCategory,
)
from .shifts import Shift, ShiftEarning, ShiftPage, ShiftTimestamp, ShiftType

__all__ = [
    "AccountType",
    "Address",
    "AddressCountry",
    "Allocation",
    "AllocationType",
    "Cents",
    "CompensationUnit",
    "Currency",
    "DataTimestamps",
    "Deduction",
    "DeductionCategory",
    "DeductionType",
    "DirectDepositAllocations",
    "DirectDepositAllocationsResponse",
    "Earning",
    "EarningCategory",
    "Employment",
    "EmploymentResponse",
    "EmploymentStatus",
    "Identity",
    "IdentityResponse",
    "Income",
    "IncomeResponse",
    "ListMeta",
    "ListResponse",
    "Money",
    "MonitoringStatus",
    "ObjectMeta",
    "ObjectResponse",
    "PayFrequency",
    "PayrollAccount",
    "PayrollAccountPage",
    "PayrollAccountResponse",
    "PayrollModel",
    "Paystub",
    "PaystubDocument",
    "PaystubPage",
    "PaystubResponse",
    "PhoneNumber",
    "PhoneNumberType",
    "Shift",
    "ShiftEarning",
    "ShiftPage",
    "ShiftTimestamp",
    "ShiftType",
    "Tax",
    "TaxCategory",
    "TimeOff",
    "TimeOffCategory",
    "UnreadableRecord",
    "cents_to_decimal",
    "minor_unit_exponent",
]
