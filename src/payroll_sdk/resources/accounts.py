"""Payroll accounts: the end user's connections to their employers' payroll platforms."""

from __future__ import annotations

from .._pagination import AsyncPager
from .._validation import check_limit, path_id
from ..models import ListResponse, ObjectResponse, PayrollAccount
from ._base import Resource, query


class AccountsResource(Resource):
    """``client.accounts``."""

    def list_for_end_user(
        self, end_user_id: str, *, limit: int | None = None
    ) -> AsyncPager[PayrollAccount]:
        """The payroll accounts of one end user (``GET /end_users/{end_user_id}/accounts``).

        ``await`` it for the first page, or ``async for`` over it for every account::

            async for account in client.accounts.list_for_end_user("user_123"):
                print(account.id, account.monitoring_status)

        An unknown end user raises :class:`~payroll_sdk.NotFoundError`.
        """
        path = f"end_users/{path_id(end_user_id, 'end_user_id')}/accounts"
        page_limit = check_limit(limit)

        async def fetch(cursor: str | None, limit: int | None) -> ListResponse[PayrollAccount]:
            return await self._get(
                path, ListResponse[PayrollAccount], query(cursor=cursor, limit=limit)
            )

        return AsyncPager(fetch, limit=page_limit)

    async def get(self, account_id: str) -> ObjectResponse[PayrollAccount]:
        """One payroll account (``GET /accounts/{account_id}``)."""
        path = f"accounts/{path_id(account_id, 'account_id')}"
        return await self._get(path, ObjectResponse[PayrollAccount])
