"""Income: pay rate, unit and frequency, in cents."""

from __future__ import annotations

from .._validation import path_id
from ..models import Income, ObjectResponse
from ._base import Resource


class IncomeResource(Resource):
    """``client.income``."""

    async def get(self, account_id: str) -> ObjectResponse[Income]:
        """The account's income (``GET /accounts/{account_id}/income``).

        Raises :class:`~payroll_sdk.NotFoundError` (``type == "RECORD_NOT_FOUND"``) when the
        account has none, e.g. because its job failed or was never run.
        """
        path = f"accounts/{path_id(account_id, 'account_id')}/income"
        return await self._get(path, ObjectResponse[Income])
