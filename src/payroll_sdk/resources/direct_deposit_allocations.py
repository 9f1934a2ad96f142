"""Direct deposit allocations: where each paycheck goes."""

from __future__ import annotations

from .._validation import path_id
from ..models import DirectDepositAllocations, ObjectResponse
from ._base import Resource


class DirectDepositAllocationsResource(Resource):
    """``client.direct_deposit_allocations``."""

    async def get(self, account_id: str) -> ObjectResponse[DirectDepositAllocations]:
        """The account's direct deposit allocations
        (``GET /accounts/{account_id}/direct_deposit_allocations``).

        Raises :class:`~payroll_sdk.NotFoundError` (``type == "RECORD_NOT_FOUND"``) when the
        account has none, e.g. because its job failed or was never run.
        """
        path = f"accounts/{path_id(account_id, 'account_id')}/direct_deposit_allocations"
        return await self._get(path, ObjectResponse[DirectDepositAllocations])
