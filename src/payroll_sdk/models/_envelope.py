"""The wire envelopes every resource answers with: ``{"data": ..., "meta": {...}}``.

A single object comes as :class:`ObjectResponse` (``GET /accounts/{id}/income``), a page of a
list as :class:`ListResponse` (``GET /accounts/{id}/paystubs``). Both are generic over the
model of ``data``::

    page = ListResponse[Paystub].model_validate_json(body)
    page.data[0].gross_pay, page.meta.next_cursor, page.request_id, page.unreadable

Pydantic caches each parametrisation (``ListResponse[Paystub] is ListResponse[Paystub]``), so
the class and its validator are built once, on first use (the aliases such as
:data:`~payroll_sdk.models.PaystubPage` name the same classes).

Validation is tolerant of real-world data (``docs/data-quality.md``): a body is first
validated as it is, at full speed; one that fails, or holds an empty string, is read again
record by record (:mod:`._tolerant`). A list record that still cannot be read is kept in
:attr:`ListResponse.unreadable` and the page's other records in ``data``; a single object that
cannot be read fails the whole response, as there is nothing else on it to keep.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Generic, Self, TypeVar

from pydantic import Field, PrivateAttr, ValidationError

from .._gc import collector_paused
from ._base import PayrollModel
from ._tolerant import UnreadableRecord, blank_to_none, read_record

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

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        # The fast path: a tidy body is validated once, in Rust. Only a body that fails, or
        # that holds an empty string (a byte search at memchr speed), is read again. The
        # cycle collector is paused throughout: a page builds thousands of acyclic objects,
        # and its passes over them found nothing and cost most of a large batch (.._gc).
        with collector_paused():
            try:
                response = super().model_validate_json(json_data, **kwargs)
            except ValidationError as exc:
                return cls._read_tolerantly(json_data, exc)
            if _has_blank(json_data):
                return cls._read_tolerantly(json_data, response)
            return response

    @classmethod
    def _read_tolerantly(
        cls, json_data: str | bytes | bytearray, fallback: Self | ValidationError
    ) -> Self:
        """``json_data`` read record by record; ``fallback`` (returned, or raised if it is
        the fast path's error) where that cannot do better."""
        raise NotImplementedError


class ObjectResponse(_Envelope, Generic[T]):
    """A single-object response: ``data`` is the object, ``meta.refreshed_at`` its freshness.

    ``data`` is required: a 2xx body without it is not a valid response. Known real-world
    deviations in ``data`` (empty strings, unpadded dates) are repaired as on list records.
    """

    data: T
    meta: ObjectMeta | None = None

    @classmethod
    def _read_tolerantly(
        cls, json_data: str | bytes | bytearray, fallback: Self | ValidationError
    ) -> Self:
        body = _json_object(json_data)
        item_type = _item_type(cls)
        if body is None or "data" not in body or item_type is None:
            return _fallback(fallback)
        item = read_record(item_type, body["data"])
        if isinstance(item, UnreadableRecord):
            return _fallback(fallback)
        try:
            return super().model_validate({**_others(body), "data": item})
        except ValidationError:
            return _fallback(fallback)


class ListResponse(_Envelope, Generic[T]):
    """One page of a list: ``data`` holds this page's items, ``meta`` the cursor to the next.

    ``data`` is required; a body without ``meta`` gets an empty :class:`ListMeta` (so
    ``meta.next_cursor`` is ``None``: no further page). Records that could not be read are in
    :attr:`unreadable`, never silently dropped.
    """

    data: list[T]
    meta: ListMeta = Field(default_factory=ListMeta)

    _unreadable: list[UnreadableRecord] = PrivateAttr(default_factory=list)
    _meta_issues: list[str] = PrivateAttr(default_factory=list)

    @property
    def unreadable(self) -> list[UnreadableRecord]:
        """This page's records that could not be read, raw, in page order (usually empty)."""
        return self._unreadable

    @classmethod
    def _read_tolerantly(
        cls, json_data: str | bytes | bytearray, fallback: Self | ValidationError
    ) -> Self:
        body = _json_object(json_data)
        item_type = _item_type(cls)
        if body is None or not isinstance(body.get("data"), list) or item_type is None:
            return _fallback(fallback)
        good: list[Any] = []
        bad: list[UnreadableRecord] = []
        for raw in body["data"]:
            record = read_record(item_type, raw)
            if isinstance(record, UnreadableRecord):
                bad.append(record)
            else:
                good.append(record)
        meta, issues = _read_meta(body.get("meta"), "meta" in body)
        try:
            page = super().model_validate({**_others(body), "data": good, "meta": meta})
        except ValidationError:  # pragma: no cover - data and meta were both read above
            return _fallback(fallback)
        page._unreadable = bad
        page._meta_issues = issues
        return page


def _has_blank(json_data: str | bytes | bytearray) -> bool:
    # An escaped quote pair inside a string is a false positive that only costs the slower,
    # equally correct, path.
    if isinstance(json_data, str):
        return '""' in json_data
    return b'""' in json_data


def _json_object(json_data: str | bytes | bytearray) -> dict[str, Any] | None:
    try:
        body = json.loads(json_data)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _item_type(cls: type[Any]) -> type[PayrollModel] | None:
    args = getattr(cls, "__pydantic_generic_metadata__", {}).get("args", ())
    item = args[0] if args else None
    return item if isinstance(item, type) and issubclass(item, PayrollModel) else None


def _others(body: dict[str, Any]) -> dict[str, Any]:
    """The body without ``data`` (and without a list's ``meta``), blanks as ``None``."""
    rest = {key: value for key, value in body.items() if key != "data"}
    return blank_to_none(rest)  # type: ignore[no-any-return]


_R = TypeVar("_R")


def _fallback(fallback: _R | ValidationError) -> _R:
    """The strict reading's outcome: its error, or the response it gave (blanks kept)."""
    if isinstance(fallback, ValidationError):
        raise fallback
    return fallback


def _read_meta(raw: Any, present: bool) -> tuple[dict[str, Any], list[str]]:
    """The page meta, with unusable values (a cursor that is a number, a bad count) dropped.

    A dropped ``next_cursor`` ends the list; the issues are logged by the pager.
    """
    if raw is None:
        return {}, ["the page meta is null"] if present else []
    if not isinstance(raw, dict):
        return {}, [f"the page meta is a {type(raw).__name__}, not an object"]
    meta = blank_to_none(raw)
    issues: list[str] = []
    try:
        ListMeta.model_validate(meta)
    except ValidationError as exc:
        for err in exc.errors(include_url=False, include_input=False):
            field = str(err["loc"][0]) if err["loc"] else ""
            if field in meta:
                issues.append(f"meta.{field} is unusable ({err['msg']}); ignored")
                meta.pop(field)
    return meta, issues
