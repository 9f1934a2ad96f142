"""Cursor pagination: one object that is both the first page and every item.

``await pager`` gives the first page (a ``ListResponse``); ``async for item in pager`` gives
every item of every page, asking for 100 per page unless the caller set ``limit``;
``async for page in pager.pages()`` gives the pages themselves, for callers that want the
metadata or want to keep what was read when a later page fails.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

from ._exceptions import PaginationLoopError
from ._validation import MAX_LIMIT
from .models import ListResponse

__all__ = ["AsyncPager", "FetchPage"]

_T = TypeVar("_T")

#: ``fetch(cursor, limit)`` returns one page.
FetchPage = Callable[[str | None, int | None], Awaitable[ListResponse[_T]]]


class AsyncPager(Generic[_T]):
    """Pages of a list endpoint, fetched lazily as they are consumed.

    Following stops at a null ``next_cursor``. A cursor the API already sent means the
    listing would never end, so it raises :class:`~payroll_sdk.PaginationLoopError` instead.
    """

    def __init__(self, fetch: FetchPage[_T], *, limit: int | None) -> None:
        self._fetch = fetch
        self._limit = limit

    def __await__(self) -> Generator[Any, None, ListResponse[_T]]:
        return self._fetch(None, self._limit).__await__()

    async def pages(self) -> AsyncGenerator[ListResponse[_T], None]:
        """Every page in order, starting from the first."""
        limit = self._limit if self._limit is not None else MAX_LIMIT
        seen: set[str] = set()
        cursor: str | None = None
        while True:
            page = await self._fetch(cursor, limit)
            yield page
            cursor = page.meta.next_cursor
            if not cursor:
                return
            if cursor in seen:
                raise PaginationLoopError(
                    "The API returned a next_cursor it had already returned; stopping instead "
                    "of looping.",
                    request_id=page.request_id,
                    attempts=0,  # no request was made for the repeated cursor
                )
            seen.add(cursor)

    async def __aiter__(self) -> AsyncIterator[_T]:
        async for page in self.pages():
            for item in page.data:
                yield item

    async def to_list(self) -> list[_T]:
        """Every item of every page, in a list."""
        return [item async for item in self]
