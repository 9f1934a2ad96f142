"""What a sync returns (:class:`SyncResult`) and what the runs table holds (:class:`RunRecord`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from .._exceptions import PayrollError
from ..models.profile import FailureReason, Problem

__all__ = ["RunRecord", "RunStatus", "SyncResult", "SyncStatus"]

SyncStatus = Literal["complete", "partial", "failed"]
"""How one sync ended:

- ``complete``: every resource read was ``ok`` or ``not_found``;
- ``partial``: some resource failed or was read in part; its previous rows were kept and
  ``problems`` says which and why;
- ``failed``: the user could not be synced at all (``error`` says why: an unknown end user,
  a bad secret, the accounts listing failing after retries, the database failing).
"""

RunStatus = Literal["running", "complete", "partial", "failed", "cancelled"]
"""A row of the runs table: a :data:`SyncStatus`, or ``running`` (still going, or the process
was killed mid-sync), or ``cancelled`` (the sync's task was cancelled)."""


@dataclass(frozen=True, slots=True)
class SyncResult:
    """One sync of one end user (``store.sync``, ``store.sync_many``, ``store.apply``).

    ``added``/``updated`` count records (accounts, paystubs, shifts and the four single
    resources) inserted, and stored records whose content changed; a record read again
    unchanged counts in neither. ``requests`` is every HTTP attempt made, retries and pages
    included. ``db_seconds`` is the time this sync spent waiting on the database.
    """

    end_user_id: str
    #: The row of the runs table (``None``: the run could not be recorded, see ``error``).
    run_id: int | None
    status: SyncStatus
    full: bool
    accounts: int
    added: int
    updated: int
    requests: int
    started_at: datetime
    finished_at: datetime
    db_seconds: float
    problems: list[Problem] = field(default_factory=list)
    #: The typed error when ``status == "failed"`` (also stored, summarised, in the runs table).
    error: PayrollError | None = None

    @property
    def ok(self) -> bool:
        """True unless the user could not be synced at all."""
        return self.error is None

    def __repr__(self) -> str:
        tail = f", error={type(self.error).__name__}" if self.error is not None else ""
        return (
            f"SyncResult({self.end_user_id!r}, {self.status}, added={self.added}, "
            f"updated={self.updated}, requests={self.requests}{tail})"
        )


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A row of the runs table (``payroll_runs``): one sync or webhook apply."""

    id: int
    end_user_id: str
    batch_id: str | None
    trigger: str
    full: bool
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    accounts: int
    added: int
    updated: int
    requests: int
    problems: list[Problem]
    #: Why the user failed (``status == "failed"``): the typed error, summarised.
    error: FailureReason | None
