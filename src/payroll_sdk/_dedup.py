"""Each record once, by id: the one rule every list in the SDK follows.

A list can carry the same record twice: pages shift while being read (a new paystub pushes
one onto the next page), a server serves one page twice, or a platform repeats an id within a
page. The first copy is kept, in first-seen order; ids compare as strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol, TypeVar

__all__ = ["HasId", "IdSet", "unique_by_id"]


class HasId(Protocol):
    """Anything with an ``id`` (every payroll record)."""

    @property
    def id(self) -> object: ...


_I = TypeVar("_I", bound=HasId)
# Pagers are generic over any item type; every list item the API sends has an ``id``.
_T = TypeVar("_T")


class IdSet:
    """The ids seen so far, for de-duplicating across several batches (pages, windows)."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def add(self, item: HasId | Any) -> bool:
        """Remember ``item``'s id; True if it was new (always, for an item without an id)."""
        ident = getattr(item, "id", None)
        if ident is None:
            return True
        key = str(ident)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def new(self, items: Iterable[_T]) -> Iterator[_T]:
        """The items whose id was not seen before (and remember them)."""
        for item in items:
            if self.add(item):
                yield item


def unique_by_id(items: Iterable[_I]) -> list[_I]:
    """Each id once, in first-seen order."""
    return list(IdSet().new(items))
