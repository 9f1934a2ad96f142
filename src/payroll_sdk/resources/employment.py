"""Employment: employer, title, status and dates."""

from __future__ import annotations

from .._validation import path_id
from ..models import Employment, ObjectResponse
from ._base import Resource


class EmploymentResource(Resource):
    """``client.employment``."""

    async def get(self, account_id: str) -> ObjectResponse[Employment]:
        """The account's employment (``GET /accounts/{account_id}/employment``).

        Raises :class:`~payroll_sdk.NotFoundError` (``type == "RECORD_NOT_FOUND"``) when the
        account has none, e.g. because its job failed or was never run.
        """
        path = f"accounts/{path_id(account_id, 'account_id')}/employment"
        return await self._get(path, ObjectResponse[Employment])
