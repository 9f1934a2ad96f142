"""Cursor pagination: one object that is both the first page and every item.

``await pager`` gives the first page (a ``ListResponse``); ``async for item in pager`` gives
every item of every page, asking for 100 per page unless the caller set ``limit``;
``async for page in pager.pages()`` gives the pages themselves, for callers that want the
metadata or want to keep what was read when a later page fails.

Items are yielded once per id (a record repeated within or across pages is given once). A
record that could not be read is not yielded but kept in :attr:`AsyncPager.unreadable` and
logged; a page whose ``meta`` has no usable ``next_cursor`` (missing, misspelt, not a string)
ends the list, with a warning in the log.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._dedup import IdSet
from ._exceptions import PaginationLoopError
from ._logging import logger
from ._validation import MAX_LIMIT

if TYPE_CHECKING:  # the models load with the resources, on a client's construction
    from .models import ListResponse, UnreadableRecord

__all__ = ["AsyncPager", "FetchPage"]

_T = TypeVar("_T")

#: ``fetch(cursor, limit)`` returns one page.
FetchPage = Callable[[str | None, int | None], Awaitable["ListResponse[_T]"]]


class AsyncPager(Generic[_T]):
    """Pages of a list endpoint, fetched lazily as they are consumed.

    Following stops at a null ``next_cursor``. A cursor the API already sent means the
    listing would never end, so it raises :class:`~payroll_sdk.PaginationLoopError` instead.
    """

    def __init__(self, fetch: FetchPage[_T], *, limit: int | None) -> None:
        self._fetch = fetch
        self._limit = limit
        self._unreadable: list[UnreadableRecord] = []

    @property
    def unreadable(self) -> list[UnreadableRecord]:
        """Records of the pages read so far that could not be read, raw (usually empty)."""
        return self._unreadable

    def __await__(self) -> Generator[Any, None, ListResponse[_T]]:
        return self._first_page().__await__()

    async def _first_page(self) -> ListResponse[_T]:
        page = await self._fetch(None, self._limit)
        note_page(page)
        self._unreadable.extend(page.unreadable)
        return page

    async def pages(self) -> AsyncGenerator[ListResponse[_T], None]:
        """Every page in order, starting from the first."""
        limit = self._limit if self._limit is not None else MAX_LIMIT
        seen: set[str] = set()
        cursor: str | None = None
        while True:
            page = await self._fetch(cursor, limit)
            note_page(page)
            self._unreadable.extend(page.unreadable)
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
        seen = IdSet()
        async for page in self.pages():
            for item in seen.new(page.data):
                yield item

    async def to_list(self) -> list[_T]:
        """Every item of every page, in a list."""
        return [item async for item in self]


def note_page(page: ListResponse[Any]) -> None:
    """Log what a page's reading had to work around: unreadable records, an unusable meta."""
    if page.unreadable:
        ids = [record.id or "(no id)" for record in page.unreadable]
        logger.warning(
            "%d record(s) on a page could not be read and were kept aside (ids: %s)",
            len(ids),
            ", ".join(ids),
        )
    issues = list(page._meta_issues)
    if "next_cursor" not in page.meta.model_fields_set:
        extra = sorted(page.meta.model_extra or {})
        issues.append(
            "meta has no next_cursor"
            + (f" (unknown meta keys: {', '.join(extra)})" if extra else "")
        )
    if issues and page.meta.next_cursor is None:
        logger.warning("%s; treating this page as the last one", "; ".join(issues))
