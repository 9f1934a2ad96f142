"""The wire envelopes every resource answers with: ``{"data": ..., "meta": {...}}``.

A single object comes as :class:`ObjectResponse` (``GET /accounts/{id}/income``), a page of a
list as :class:`ListResponse` (``GET /accounts/{id}/paystubs``). Both are generic over the
model of ``data``::

    page = ListResponse[Paystub].model_validate_json(body)
    page.data[0].gross_pay, page.meta.next_cursor, page.request_id

Pydantic caches each parametrisation (``ListResponse[Paystub] is ListResponse[Paystub]``) while
it is referenced; the resource modules keep one module-level alias per resource
(:data:`~payroll_sdk.models.PaystubPage` ...) so the class and its validator are built once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import Field, PrivateAttr

from ._base import PayrollModel

__all__ = ["ListMeta", "ListResponse", "ObjectMeta", "ObjectResponse"]

T = TypeVar("T")


class ObjectMeta(PayrollModel):
    """``meta`` of a single-object response (wire schema ``RefreshableMeta``).

    ``refreshed_at`` is when the payroll platform was last read for this resource.
    """

    refreshed_at: datetime | None = None


class ListMeta(PayrollModel):
    """``meta`` of one page of a list (``PaginationMeta`` / ``RefreshablePaginationListMeta``).

    ``count`` is the number of items *on this page* (not a total); ``next_cursor`` is ``None`` on
    the last page; ``refreshed_at`` is set for account data lists (paystubs, shifts).
    """

    count: int | None = None
    next_cursor: str | None = None
    refreshed_at: datetime | None = None


class _Envelope(PayrollModel):
    """Response information the transport attaches after parsing; not part of the body."""

    _request_id: str | None = PrivateAttr(default=None)
    _attempts: int = PrivateAttr(default=1)

    @property
    def request_id(self) -> str | None:
        """The server's request id for this response, if it sent one (quote it to support)."""
        return self._request_id

    @property
    def attempts(self) -> int:
        """How many HTTP attempts it took to get this response (1 when no retry was needed)."""
        return self._attempts

    def _set_response_info(self, *, request_id: str | None, attempts: int) -> None:
        """Record transport details; called by the transport only, once, right after parsing."""
        self._request_id = request_id
        self._attempts = attempts


class ObjectResponse(_Envelope, Generic[T]):
    """A single-object response: ``data`` is the object, ``meta.refreshed_at`` its freshness.

    ``data`` is required: a 2xx body without it is not a valid response.
    """

    data: T
    meta: ObjectMeta | None = None


class ListResponse(_Envelope, Generic[T]):
    """One page of a list: ``data`` holds this page's items, ``meta`` the cursor to the next.

    ``data`` is required; a body without ``meta`` gets an empty :class:`ListMeta` (so
    ``meta.next_cursor`` is ``None``: no further page).
    """

    data: list[T]
    meta: ListMeta = Field(default_factory=ListMeta)
