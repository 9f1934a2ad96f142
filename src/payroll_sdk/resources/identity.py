"""Identity: the employee's name, contacts, address and last four SSN digits."""

from __future__ import annotations

from .._validation import path_id
from ..models import Identity, ObjectResponse
from ._base import Resource


class IdentityResource(Resource):
    """``client.identity``."""

    async def get(self, account_id: str) -> ObjectResponse[Identity]:
        """The account's identity (``GET /accounts/{account_id}/identity``).

        Raises :class:`~payroll_sdk.NotFoundError` (``type == "RECORD_NOT_FOUND"``) when the
        account has none, e.g. because its job failed or was never run.
        """
        path = f"accounts/{path_id(account_id, 'account_id')}/identity"
        return await self._get(path, ObjectResponse[Identity])
