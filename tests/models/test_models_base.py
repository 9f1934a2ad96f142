"""PayrollModel base behaviour, Money and the masking of personal data in repr."""

from __future__ import annotations

import dataclasses
import inspect
from decimal import Decimal

import pydantic
import pytest

import payroll_sdk.models as models
from payroll_sdk.models import Money, PayrollModel, cents_to_decimal, minor_unit_exponent


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (480720, "USD", Decimal("4807.20")),
        (5, "USD", Decimal("0.05")),
        (0, "USD", Decimal("0.00")),
        (-1234, "EUR", Decimal("-12.34")),
        (1500, "JPY", Decimal("1500")),
        (1234, "KWD", Decimal("1.234")),
        (1234, "bhd", Decimal("1.234")),
        (12345, "CLF", Decimal("1.2345")),
    ],
)
def test_cents_to_decimal_uses_the_currency_minor_unit(
    amount: int, currency: str, expected: Decimal
) -> None:
    result = cents_to_decimal(amount, currency)
    assert result == expected
    assert result.as_tuple().exponent == expected.as_tuple().exponent


def test_cents_to_decimal_is_exact_beyond_the_decimal_context_precision() -> None:
    # Decimal(huge) / 100 would round to the context's 28 digits and lose the last cent.
    assert cents_to_decimal(10**40 + 1) == Decimal("1" + "0" * 37 + "0.01")


def test_minor_unit_exponent_defaults_to_two() -> None:
    assert minor_unit_exponent("USD") == 2
    assert minor_unit_exponent("XYZ") == 2
    assert minor_unit_exponent("JPY") == 0
    assert minor_unit_exponent("OMR") == 3


def test_money_str_and_decimal() -> None:
    pay = Money(480720)
    assert pay.currency == "USD"
    assert pay.decimal == Decimal("4807.20")
    assert str(pay) == "USD 4,807.20"
    assert str(Money(-1234, "eur")) == "EUR -12.34"
    assert str(Money(1500000, "JPY")) == "JPY 1,500,000"
    assert str(Money(1234567, "KWD")) == "KWD 1,234.567"


def test_money_normalises_the_currency_code() -> None:
    assert Money(100, "usd") == Money(100, "USD")


def test_money_arithmetic_in_one_currency() -> None:
    assert Money(100) + Money(250) == Money(350)
    assert Money(100) - Money(250) == Money(-150)
    assert -Money(100) == Money(-100)
    assert sum([Money(1), Money(2), Money(3)]) == Money(6)


def test_money_refuses_mixed_currencies() -> None:
    with pytest.raises(ValueError, match="EUR"):
        Money(100, "USD") + Money(100, "EUR")
    with pytest.raises(ValueError, match="JPY"):
        Money(100, "USD") - Money(100, "JPY")
    with pytest.raises(ValueError):
        sum([Money(1, "USD"), Money(1, "CAD")])


def test_money_refuses_non_money_operands() -> None:
    with pytest.raises(TypeError):
        Money(100) + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        5 + Money(100)


@pytest.mark.parametrize("bad", [1.5, "100", True, Decimal("1")])
def test_money_amount_must_be_an_int(bad: object) -> None:
    with pytest.raises(TypeError):
        Money(bad)  # type: ignore[arg-type]


def test_money_is_frozen() -> None:
    pay = Money(100)
    with pytest.raises(dataclasses.FrozenInstanceError):
        pay.amount = 5  # type: ignore[misc]


class _Secretive(PayrollModel):
    """A test model with one sensitive field."""

    __masked_fields__ = frozenset({"secret", "codes"})

    name: str
    secret: str | None = None
    codes: list[str] | None = None


class _Outer(PayrollModel):
    """A test model nesting the sensitive one."""

    inner: _Secretive
    inners: list[_Secretive]


def test_repr_and_str_mask_sensitive_fields_but_dump_keeps_them() -> None:
    model = _Secretive(name="visible", secret="hunter2", codes=["c1", "c2"])
    for text in (repr(model), str(model)):
        assert "hunter2" not in text
        assert "c1" not in text
        assert "secret='****'" in text
        assert "codes=['****', '****']" in text
        assert "name='visible'" in text
    assert model.secret == "hunter2"
    assert model.model_dump()["secret"] == "hunter2"
    assert "hunter2" in model.model_dump_json()


def test_absent_sensitive_values_are_shown_as_none() -> None:
    assert "secret=None" in repr(_Secretive(name="x"))


def test_masking_holds_for_nested_models() -> None:
    outer = _Outer(
        inner=_Secretive(name="a", secret="s3cr3t"), inners=[_Secretive(secret="s4", name="b")]
    )
    for text in (repr(outer), str(outer)):
        assert "s3cr3t" not in text
        assert "s4" not in text
        assert text.count("secret='****'") == 2


def test_unknown_fields_are_kept_and_masked_when_their_name_looks_personal() -> None:
    model = _Secretive.model_validate(
        {"name": "x", "favourite_colour": "teal", "full_ssn": "078-05-1120", "work_email": "a@b.c"}
    )
    assert model.model_extra == {
        "favourite_colour": "teal",
        "full_ssn": "078-05-1120",
        "work_email": "a@b.c",
    }
    text = repr(model)
    assert "favourite_colour='teal'" in text
    assert "078-05-1120" not in text
    assert "a@b.c" not in text
    assert model.model_dump()["full_ssn"] == "078-05-1120"


def test_validation_errors_do_not_echo_the_rejected_input() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        _Secretive.model_validate({"name": "x", "secret": 987654321})
    assert "987654321" not in str(caught.value)
    assert caught.value.errors()[0]["loc"] == ("secret",)


def _public_model_classes() -> list[type[PayrollModel]]:
    found = []
    for name in models.__all__:
        obj = getattr(models, name)
        if inspect.isclass(obj) and issubclass(obj, PayrollModel):
            found.append(obj)
    return found


def test_every_public_name_resolves() -> None:
    for name in models.__all__:
        assert hasattr(models, name), name


@pytest.mark.parametrize("cls", _public_model_classes(), ids=lambda c: c.__name__)
def test_masked_field_names_are_real_fields(cls: type[PayrollModel]) -> None:
    assert cls.__masked_fields__ <= set(cls.model_fields)


@pytest.mark.parametrize(
    "obj",
    [getattr(models, n) for n in models.__all__ if inspect.isclass(getattr(models, n))],
    ids=lambda c: c.__name__,
)
def test_every_public_class_has_its_own_docstring(obj: type) -> None:
    # Parametrised generics (PaystubPage ...) inherit the generic's docstring, which is fine.
    origin = getattr(obj, "__pydantic_generic_metadata__", {}).get("origin") or obj
    assert (origin.__dict__.get("__doc__") or "").strip(), obj
