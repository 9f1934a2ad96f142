"""The shared base of every payroll model, integer money and PII-safe ``repr``.

Three rules hold for every model in :mod:`payroll_sdk.models`:

* **Forward compatible.** The API may add fields and enum values at any time (the contract calls
  that a backwards-compatible change), so unknown fields are kept (``model_extra`` and
  ``model_dump()`` show them) and enums are *open*: the known values are typed as ``Literal``,
  anything else stays a plain ``str``.
* **Money is integer minor units** ("cents"), typed :data:`Cents`: a JSON float such as ``1.5`` or
  a string such as ``"100"`` is rejected rather than silently rounded. :class:`Money` turns an
  amount into a :class:`~decimal.Decimal` for display and arithmetic.
* **Personal data stays out of logs.** ``repr()`` and ``str()`` mask the fields a model lists in
  ``__masked_fields__`` (``last_four_ssn='****'``), in nested models too. The values are untouched
  as attributes and in ``model_dump()``/``model_dump_json()``. Unknown (extra) fields cannot be
  known to be sensitive; they are shown, except those whose name looks personal
  (``ssn``, ``birth``, ``email``, ``phone``, ``address``, ``account_number`` ...). Values nested
  inside an unknown field's dict are shown as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Final

from pydantic import BaseModel, ConfigDict, Strict

__all__ = [
    "Cents",
    "Currency",
    "Money",
    "PayrollModel",
    "cents_to_decimal",
    "minor_unit_exponent",
]

Cents = Annotated[int, Strict()]
"""An amount in the currency's minor unit (cents for USD). Strict: floats, strings and booleans
are rejected even in lax mode, because a fractional or quoted amount means the body is wrong."""

Currency = str
"""An ISO 4217 code such as ``"USD"``. Kept as ``str``: the contract's enum is long and open."""

# ISO 4217 minor units that differ from 2. A payroll API sends "cents", i.e. minor units, so
# 1000 JPY arrives as 1000 and 1.000 KWD as 1000.
_MINOR_UNIT_EXCEPTIONS: Final[dict[str, int]] = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"), 0),
    **dict.fromkeys(("RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}


def minor_unit_exponent(currency: str) -> int:
    """Return how many decimal digits the currency's minor unit has (2 for USD, 0 for JPY)."""
    return _MINOR_UNIT_EXCEPTIONS.get(currency.upper(), 2)


def cents_to_decimal(amount: int, currency: str = "USD") -> Decimal:
    """Convert an integer amount in minor units to an exact :class:`~decimal.Decimal`.

    >>> cents_to_decimal(480720)
    Decimal('4807.20')
    >>> cents_to_decimal(1500, "JPY")
    Decimal('1500')
    """
    # Built from the digit tuple rather than by division so that no decimal context (with its
    # 28-digit precision) can round a large amount.
    sign, digits, _ = Decimal(amount).as_tuple()
    return Decimal((sign, digits, -minor_unit_exponent(currency)))


@dataclass(frozen=True, slots=True)
class Money:
    """An immutable amount of money: integer minor units plus an ISO 4217 currency.

    >>> pay = Money(480720)
    >>> str(pay), pay.decimal
    ('USD 4,807.20', Decimal('4807.20'))
    >>> pay + Money(100)
    Money(amount=480820, currency='USD')

    Adding or subtracting amounts in different currencies raises :class:`ValueError`. ``sum()``
    works because ``0 + money`` is ``money``.
    """

    amount: int
    currency: str = "USD"

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError(f"Money.amount must be an int of minor units, not {self.amount!r}")
        # Normalised so that Money(1, "usd") == Money(1, "USD").
        object.__setattr__(self, "currency", self.currency.upper())

    @property
    def decimal(self) -> Decimal:
        """The amount in major units (dollars), exact."""
        return cents_to_decimal(self.amount, self.currency)

    def __str__(self) -> str:
        exponent = minor_unit_exponent(self.currency)
        return f"{self.currency} {self.decimal:,.{exponent}f}"

    def _same_currency(self, other: Money, operation: str) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot {operation} {other.currency} and {self.currency} amounts")

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __radd__(self, other: int) -> Money:
        # Lets sum() start from its default 0; any other left operand is refused.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)


class _Masked:
    """Stands in for a sensitive value in a ``repr``: renders as ``'****'``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'****'"


_MASK: Final = _Masked()

# Name fragments that make an *unknown* field's value masked in repr; a false positive only
# hides a value from a log line, a false negative leaks it, hence the generous list.
_PERSONAL_NAME_PARTS: Final = (
    "ssn",
    "social_security",
    "birth",
    "email",
    "phone",
    "address",
    "account_number",
    "routing",
    "tax_id",
    "password",
    "secret",
    "token",
)


def _looks_personal(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in _PERSONAL_NAME_PARTS)


def _mask(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        # The count is kept (two emails, one phone), the contents are not.
        return [_MASK for _ in value]
    return _MASK


class PayrollModel(BaseModel):
    """Base class of every payroll model.

    * ``extra="allow"``: unknown fields are kept, in ``model_extra`` and ``model_dump()``.
    * ``populate_by_name=True``: a field with a wire alias (``ShiftTimestamp.from_``, wire key
      ``from``) can be built by either name.
    * ``defer_build=True``: validators are built on first use, which keeps
      ``import payroll_sdk.models`` cheap.
    * ``hide_input_in_errors=True``: a ``ValidationError`` message never echoes the rejected
      value, which may be personal data (``e.errors()`` still carries it for code to inspect).
    * ``repr()``/``str()`` mask the fields named in the class variable ``__masked_fields__``
      (and unknown fields whose name looks personal); see the module docstring.
    """

    # defer_build: measured with pydantic 2.14 on CPython 3.11, building every validator at
    # import made `import payroll_sdk.models` about 15% slower (47 ms against 41 ms, most of
    # it pydantic's own import), while a deferred envelope builds in about 2 ms on first use.
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        defer_build=True,
        hide_input_in_errors=True,
    )

    __masked_fields__: ClassVar[frozenset[str]] = frozenset()

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        # The single place masking happens: pydantic builds __repr__, __str__, __rich_repr__
        # and __pretty__ from __repr_args__, and nested models call their own.
        masked = self.__masked_fields__
        extra = self.__pydantic_extra__ or {}
        for name, value in super().__repr_args__():
            if name is not None and (name in masked or (name in extra and _looks_personal(name))):
                yield name, _mask(value)
            else:
                yield name, value
