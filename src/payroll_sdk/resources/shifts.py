"""Shifts: worked time for hourly and gig workers, newest first by ``end_date``."""

from __future__ import annotations

from datetime import date

from .._pagination import AsyncPager
from .._validation import check_date_range, check_limit, path_id
from ..models import ListResponse, Shift
from ._base import Resource, query


class ShiftsResource(Resource):
    """``client.shifts``."""

    def list(
        self,
        account_id: str,
        *,
        from_start_date: date | str | None = None,
        to_start_date: date | str | None = None,
        from_end_date: date | str | None = None,
        to_end_date: date | str | None = None,
        limit: int | None = None,
    ) -> AsyncPager[Shift]:
        """An account's shifts, newest first by ``end_date``
        (``GET /accounts/{account_id}/shifts``), optionally limited by start and end dates."""
        path = f"accounts/{path_id(account_id, 'account_id')}/shifts"
        start_from, start_to = check_date_range(
            from_start_date, to_start_date, "from_start_date", "to_start_date"
        )
        end_from, end_to = check_date_range(
            from_end_date, to_end_date, "from_end_date", "to_end_date"
        )
        page_limit = check_limit(limit)

        async def fetch(cursor: str | None, limit: int | None) -> ListResponse[Shift]:
            params = query(
                from_start_date=start_from,
                to_start_date=start_to,
                from_end_date=end_from,
                to_end_date=end_to,
                cursor=cursor,
                limit=limit,
            )
            return await self._get(path, ListResponse[Shift], params)

        return AsyncPager(fetch, limit=page_limit)
