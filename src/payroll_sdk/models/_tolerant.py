"""Reading real-world records: known deviations repaired, the rest isolated, nothing dropped.

Real payroll data is untidier than the contract (see ``docs/data-quality.md``). The envelopes
(:mod:`._envelope`) first validate a body as it is, at full speed; only a body that fails, or
that holds an empty string, comes here, where each record of a list is read on its own:

1. **Blank values**: an empty string in an object's value means "no value" and becomes
   ``None`` (strings inside lists are left alone: ``emails: [""]`` is kept as sent).
2. **Repairs guided by the validation errors**, so only the cells that failed are touched:
   a date or timestamp written without zero padding (``"2021-1-31"``) is padded; a timestamp
   where a date is expected keeps its date as written; a ``null`` where a list of line items
   is expected becomes ``[]``.
3. What still fails is an :class:`UnreadableRecord`: the raw JSON, its id when it has one and
   the validation error (field locations and messages, never the rejected values). The page's
   other records are kept.

Nothing here guesses a value: a ``null`` amount stays ``None``, a quoted or fractional amount
(``"12.50"``: dollars or cents?) is not converted but reported.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ._base import PayrollModel, _looks_personal

__all__ = ["UnreadableRecord", "blank_to_none", "read_record", "repair_value"]

_M = TypeVar("_M", bound=BaseModel)

#: A date, optionally followed by a time, whose month or day lacks its zero padding.
_LOOSE_DATE: Final = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?=$|[T ])(.*)$", re.DOTALL)
_DATE_ERRORS: Final = frozenset(
    {
        "date_parsing",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
        "datetime_parsing",
        "datetime_from_date_parsing",
    }
)
#: Rounds of repair: one is enough today (pydantic reports every error at once); the second
#: catches an error that only shows once a parent value was repaired.
_MAX_ROUNDS: Final = 2


class UnreadableRecord(PayrollModel):
    """A record of a list that could not be read, kept raw rather than dropped.

    ``id`` is the record's ``id`` when it has a usable one; ``raw`` the record exactly as the
    API sent it; ``error`` the validation error in words and ``fields`` the locations that
    failed (``"deductions.0.amount"``). Neither holds a rejected value. ``repr()`` masks every
    value of ``raw`` whose key names personal data (the fields any model masks, and names such
    as ``ssn``, ``email``, ``address``), at any depth.
    """

    id: str | None = None
    raw: Any = None
    error: str
    fields: list[str] = []

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            if name == "raw":
                # A bare string record could be anything, personal data included.
                value = "****" if isinstance(value, str) else _masked_raw(value)
            yield name, value


def blank_to_none(value: Any) -> Any:
    """A copy of a JSON value with every empty-string *object value* replaced by ``None``."""
    if isinstance(value, dict):
        return {key: None if item == "" else blank_to_none(item) for key, item in value.items()}
    if isinstance(value, list):
        return [blank_to_none(item) for item in value]
    return value


def read_record(model: type[_M], raw: Any) -> _M | UnreadableRecord:
    """Validate one raw record as ``model``, repairing known deviations; else keep it raw."""
    candidate = blank_to_none(raw)
    for _ in range(_MAX_ROUNDS + 1):
        try:
            return model.model_validate(candidate)
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=True)
        repaired, changed = _repair(candidate, errors)
        if not changed:
            break
        candidate = repaired
    return UnreadableRecord(
        id=_record_id(raw),
        raw=raw,
        error=_describe(errors),
        fields=[_where(err) for err in errors],
    )


def repair_value(value: Any, error_type: str) -> tuple[Any, bool]:
    """The repaired form of one failing value, and whether anything was repaired."""
    if value is None and error_type == "list_type":
        return [], True
    if isinstance(value, str) and error_type in _DATE_ERRORS:
        match = _LOOSE_DATE.match(value.strip())
        if match:
            year, month, day, rest = match.groups()
            if error_type == "date_from_datetime_inexact":
                # A timestamp where a date is expected: the date as written is the one meant
                # (converting the time zone could move it to another day).
                rest = ""
            padded = f"{year}-{int(month):02d}-{int(day):02d}{rest}"
            return padded, padded != value
    return value, False


def _repair(candidate: Any, errors: list[ErrorDetails]) -> tuple[Any, bool]:
    fixed = copy.deepcopy(candidate)
    changed = False
    for err in errors:
        parent, key = _locate(fixed, err["loc"])
        if parent is None:
            continue
        new, did = repair_value(parent[key], err["type"])
        if did:
            parent[key] = new
            changed = True
    return fixed, changed


def _locate(root: Any, loc: tuple[int | str, ...]) -> tuple[Any, Any]:
    """The container and key of the value an error points at, or ``(None, None)``.

    A location can hold union member tags (``"literal['a']"``, ``"str"``) between real keys;
    a part that is not a key of the current value is such a tag and is skipped.
    """
    parent: Any = None
    key: Any = None
    current = root
    for part in loc:
        if _has_key(current, part):
            parent, key, current = current, part, current[part]
    if parent is None:
        return None, None
    return parent, key


def _has_key(container: Any, part: int | str) -> bool:
    if isinstance(container, dict):
        return isinstance(part, str) and part in container
    if isinstance(container, list):
        return isinstance(part, int) and 0 <= part < len(container)
    return False


def _record_id(raw: Any) -> str | None:
    if isinstance(raw, dict):
        value = raw.get("id")
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)
    return None


def _where(err: ErrorDetails) -> str:
    return ".".join(str(part) for part in err["loc"]) or "record"


def _describe(errors: list[ErrorDetails]) -> str:
    shown = [f"{_where(err)}: {err['msg']}" for err in errors[:5]]
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(shown) + more


def _personal_field_names() -> frozenset[str]:
    names: set[str] = set()
    pending: list[type[PayrollModel]] = [PayrollModel]
    while pending:
        cls = pending.pop()
        names.update(cls.__masked_fields__)
        pending.extend(cls.__subclasses__())
    return frozenset(names)


def _masked_raw(value: Any, personal: frozenset[str] | None = None) -> Any:
    """``value`` with every value under a personal-looking key replaced by ``'****'``."""
    names = personal if personal is not None else _personal_field_names()
    if isinstance(value, dict):
        return {
            key: (
                "****"
                if isinstance(key, str) and (key in names or _looks_personal(key))
                else _masked_raw(item, names)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_masked_raw(item, names) for item in value]
    return value
