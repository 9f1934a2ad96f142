"""The merged profile ``get_profile`` returns: every account of an end user, each resource's
outcome, and a summary computed from it all."""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal

from pydantic import Field

from ._base import PayrollModel
from ._tolerant import UnreadableRecord
from .accounts import PayrollAccount
from .direct_deposit import DirectDepositAllocations
from .employment import Employment
from .identity import Identity
from .income import Income
from .paystubs import Paystub
from .shifts import Shift
from .summary import FreshnessVerdict, ProfileSummary

__all__ = [
    "RESOURCE_NAMES",
    "AccountProfile",
    "FailureReason",
    "Freshness",
    "FreshnessVerdict",
    "PayrollProfile",
    "Problem",
    "ResourceName",
    "ResourceState",
    "ResourceStatus",
]

ResourceName = Literal[
    "paystubs", "income", "identity", "shifts", "employment", "direct_deposit_allocations"
]
#: The six per-account resources, in the order they are reported.
RESOURCE_NAMES: Final[tuple[ResourceName, ...]] = (
    "paystubs",
    "income",
    "identity",
    "shifts",
    "employment",
    "direct_deposit_allocations",
)

ResourceState = Literal["ok", "not_found", "failed", "partial", "skipped"]
"""What happened to one resource of one account:

- ``ok``: fetched completely;
- ``not_found``: the API has none (404 ``RECORD_NOT_FOUND``): not a failure;
- ``failed``: nothing could be read, after retries;
- ``partial``: some pages were read, then a later page failed (the pages read are kept), or
  some records could not be read (``unreadable`` counts them; the others are kept);
- ``skipped``: not asked for (``include=``).
"""


class FailureReason(PayrollModel):
    """Why a resource is ``failed`` or ``partial``: the typed error, summarised.

    ``error`` is the SDK exception's class name (``"InternalServerError"``,
    ``"APITimeoutError"``, ...); the other fields come from the API's error when there was one.
    Never holds the API secret.
    """

    error: str
    message: str
    status_code: int | None = None
    type: str | None = None
    code: str | None = None
    request_id: str | None = None


class ResourceStatus(PayrollModel):
    """The outcome of fetching one resource of one account."""

    state: ResourceState
    #: ``meta.refreshed_at`` of the response (the first page's, for lists).
    refreshed_at: datetime | None = None
    #: HTTP attempts made for this resource, retries and every page included.
    attempts: int = 0
    #: Pages read (1 for single-object resources that were read).
    pages: int = 0
    #: Records that could not be read (kept raw in ``AccountProfile.unreadable``).
    unreadable: int = 0
    reason: FailureReason | None = None


class Problem(PayrollModel):
    """One resource of one account that is not ``ok`` (``not_found`` and ``skipped`` excluded):
    what is missing and why."""

    account_id: str
    resource: ResourceName
    state: ResourceState
    reason: FailureReason | None = None
    #: Records of this resource that could not be read (0 when the problem is a failed page).
    unreadable: int = 0
    #: Ids of those records, when they have one.
    unreadable_ids: list[str] = Field(default_factory=list)


class Freshness(PayrollModel):
    """How current one account's data is, and why: computed by ``get_profile`` from the
    account's ``connected``/``monitoring_status`` and, per resource read, the later of
    ``data_refreshed_at`` and the response's ``meta.refreshed_at``, against ``stale_after``, as of
    the profile's ``fetched_at``.

    Separate from ``complete`` (which says everything was *fetched*): a complete profile can
    hold stale data. ``verdict`` follows the precedence disconnected, stale, unknown, fresh;
    ``reasons`` lists every reason found, in words.
    """

    verdict: FreshnessVerdict
    reasons: list[str] = Field(default_factory=list)
    #: The oldest refresh among the resources read: the data is at least this old.
    refreshed_at: datetime | None = None
    #: The resources read whose last refresh is older than ``stale_after``.
    stale_resources: list[ResourceName] = Field(default_factory=list)
    stale_after_days: float

    @property
    def is_fresh(self) -> bool:
        """True only for the ``fresh`` verdict."""
        return self.verdict == "fresh"


class AccountProfile(PayrollModel):
    """One payroll account with its six resources.

    Single-object resources are ``None`` when not fetched: check ``status[name].state`` to
    tell "the API has none" (``not_found``) from "we could not read it" (``failed``).
    Paystubs are newest first by pay date and shifts newest first by end date, each id once.
    ``unreadable`` holds, per list resource,
    the records that could not be read, raw (see :class:`~payroll_sdk.UnreadableRecord`).
    """

    account: PayrollAccount
    identity: Identity | None = None
    employment: Employment | None = None
    income: Income | None = None
    direct_deposit_allocations: DirectDepositAllocations | None = None
    paystubs: list[Paystub] = Field(default_factory=list)
    shifts: list[Shift] = Field(default_factory=list)
    status: dict[ResourceName, ResourceStatus] = Field(default_factory=dict)
    unreadable: dict[ResourceName, list[UnreadableRecord]] = Field(default_factory=dict)
    #: How current the data is (None only on a profile built by hand).
    freshness: Freshness | None = None


class PayrollProfile(PayrollModel):
    """Everything ``get_profile`` learned about one end user.

    ``complete`` is true when every resource of every account is ``ok`` or ``not_found``
    (``skipped`` ones, which were not asked for, do not count against it) and every account of
    the listing could be read; otherwise ``problems`` lists each resource that failed or is
    partial, with the account, the resource and the reason, and ``unreadable_accounts`` holds
    the account records that could not be read, raw.
    """

    end_user_id: str
    fetched_at: datetime
    accounts: list[AccountProfile] = Field(default_factory=list)
    summary: ProfileSummary
    complete: bool
    problems: list[Problem] = Field(default_factory=list)
    unreadable_accounts: list[UnreadableRecord] = Field(default_factory=list)

    @property
    def stale_account_ids(self) -> list[str]:
        """Ids of the accounts whose data is not ``fresh`` (stale, disconnected or unknown);
        their ``freshness.reasons`` say why."""
        return [
            str(a.account.id)
            for a in self.accounts
            if a.freshness is None or a.freshness.verdict != "fresh"
        ]

    @property
    def attempts(self) -> int:
        """HTTP attempts made for the whole profile (the accounts listing not included)."""
        return sum(s.attempts for a in self.accounts for s in a.status.values())
