"""Paystubs: one per pay date, newest first, with earnings, taxes and deductions in cents."""

from __future__ import annotations

from datetime import date

from .._pagination import AsyncPager
from .._validation import check_date_range, check_limit, path_id
from ..models import ListResponse, ObjectResponse, Paystub
from ._base import Resource, query


class PaystubsResource(Resource):
    """``client.paystubs``."""

    def list(
        self,
        account_id: str,
        *,
        from_pay_date: date | str | None = None,
        to_pay_date: date | str | None = None,
        limit: int | None = None,
    ) -> AsyncPager[Paystub]:
        """An account's paystubs, newest first by ``pay_date``
        (``GET /accounts/{account_id}/paystubs``).

        ``from_pay_date``/``to_pay_date`` limit the pay dates (a ``date`` or ``YYYY-MM-DD``)::

            async for stub in client.paystubs.list(account_id, from_pay_date="2026-01-01"):
                print(stub.pay_date, stub.gross_pay)
        """
        path = f"accounts/{path_id(account_id, 'account_id')}/paystubs"
        first, last = check_date_range(from_pay_date, to_pay_date, "from_pay_date", "to_pay_date")
        page_limit = check_limit(limit)

        async def fetch(cursor: str | None, limit: int | None) -> ListResponse[Paystub]:
            params = query(from_pay_date=first, to_pay_date=last, cursor=cursor, limit=limit)
            return await self._get(path, ListResponse[Paystub], params)

        return AsyncPager(fetch, limit=page_limit)

    async def get(self, account_id: str, paystub_id: str) -> ObjectResponse[Paystub]:
        """One paystub (``GET /accounts/{account_id}/paystubs/{paystub_id}``)."""
        path = (
            f"accounts/{path_id(account_id, 'account_id')}"
            f"/paystubs/{path_id(paystub_id, 'paystub_id')}"
        )
        return await self._get(path, ObjectResponse[Paystub])
