"""``StoreError``: what the store raises when the database, not the API, fails."""

from __future__ import annotations

from .._exceptions import PayrollError

__all__ = ["StoreError"]


class StoreError(PayrollError):
    """The database could not be opened, migrated, read or written.

    The message names the failure and the SQL statement, never the statement's parameters
    (they may hold personal data) nor the URL's password. A sync whose writes fail records
    this error as the user's ``error``; the rows of accounts already written stay, the rest
    are rolled back.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
