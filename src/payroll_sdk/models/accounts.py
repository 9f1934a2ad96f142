"""Payroll accounts: one end user's connection to one payroll platform."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from ._base import PayrollModel
from ._envelope import ListResponse, ObjectResponse

__all__ = [
    "DataTimestamps",
    "MonitoringStatus",
    "PayrollAccount",
    "PayrollAccountPage",
    "PayrollAccountResponse",
]

MonitoringStatus = (
    Literal["active", "degraded", "user_action_required", "customer_disabled", "unavailable"] | str
)
"""Whether the API can still refresh the account on its own. Open: unknown values stay strings."""


class DataTimestamps(PayrollModel):
    """One timestamp per resource of an account (``None``: that resource has never been read).

    Used for both :attr:`PayrollAccount.data_updated_at` (when the data last *changed*) and
    :attr:`PayrollAccount.data_refreshed_at` (when it was last *read*). Wire schemas
    ``PayrollAccountDataUpdated`` and ``PayrollAccountDataRefreshed``.
    """

    direct_deposit_allocations: datetime | None = None
    income: datetime | None = None
    employment: datetime | None = None
    identity: datetime | None = None
    shifts: datetime | None = None
    paystubs: datetime | None = None


class PayrollAccount(PayrollModel):
    """A payroll account (wire schema ``PayrollAccountObjResponse``).

    ``connected`` says whether new data can still be fetched; ``monitoring_status`` whether the
    API refreshes it automatically. ``data_updated_at``/``data_refreshed_at`` give, per resource,
    when its data last changed and when it was last read.
    """

    id: str
    created_at: datetime | None = None
    platform_id: str | None = None
    #: None when the API did not say: not taken as connected.
    connected: bool | None = None
    monitoring_status: MonitoringStatus | None = None
    data_updated_at: DataTimestamps = Field(default_factory=DataTimestamps)
    data_refreshed_at: DataTimestamps = Field(default_factory=DataTimestamps)
    end_user_id: str | None = None
    link_token_id: str | None = None
    customer_id: str | None = None
    reseller_customer_id: str | None = None
    tags: dict[str, Any] | None = None


PayrollAccountResponse = ObjectResponse[PayrollAccount]
"""``GET /accounts/{account_id}``."""

PayrollAccountPage = ListResponse[PayrollAccount]
"""A page of ``GET /accounts`` or ``GET /end_users/{end_user_id}/accounts``."""
