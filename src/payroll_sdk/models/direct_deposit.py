"""Direct deposit allocations: where, and in what shares, a paycheck is deposited."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ._base import Cents, Currency, Money, PayrollModel
from ._envelope import ObjectResponse

__all__ = [
    "AccountType",
    "Allocation",
    "AllocationType",
    "DirectDepositAllocations",
    "DirectDepositAllocationsResponse",
]

AllocationType = Literal["amount", "percentage", "remainder"] | str
"""How an allocation's share is set. Open: unknown values stay strings."""

AccountType = Literal["checking", "savings", "debit_card", "pay_card"] | str
"""The kind of bank account receiving an allocation. Open: unknown values stay strings."""


class Allocation(PayrollModel):
    """One destination of a paycheck (wire schema ``AllocationAccountObjResponse``).

    ``amount`` (cents) is set for ``allocation_type="amount"``, ``percentage`` (0-100) for
    ``"percentage"``; a ``"remainder"`` allocation receives what is left. Lower ``priority`` is
    filled first. ``masked_account_number`` and ``routing_number`` are masked in ``repr()``.
    The contract gives ``masked_account_number`` 2 to 4 characters; that is not enforced, so a
    platform showing more does not break parsing.
    """

    __masked_fields__ = frozenset({"masked_account_number", "routing_number"})

    allocation_type: AllocationType
    currency: Currency
    account_name: str | None = None
    account_type: AccountType | None = None
    amount: Cents | None = None
    percentage: float | None = None
    priority: int | None = None
    bank_name: str | None = None
    masked_account_number: str | None = None
    routing_number: str | None = None

    @property
    def fixed_amount(self) -> Money | None:
        """``amount`` as :class:`Money`, or ``None`` when the allocation has no fixed amount."""
        return None if self.amount is None else Money(self.amount, self.currency)


class DirectDepositAllocations(PayrollModel):
    """All current direct deposit allocations of an account.

    Wire schema ``DDAllocationObjResponse``.
    """

    id: str
    account_id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    allocations: list[Allocation] = Field(default_factory=list)


DirectDepositAllocationsResponse = ObjectResponse[DirectDepositAllocations]
"""``GET /accounts/{account_id}/direct_deposit_allocations``."""
