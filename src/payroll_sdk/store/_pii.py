"""``pii="mask"``: what the store keeps of identity and deposit data when asked to mask it.

Masked before anything is written, so the database never holds the raw values:

- identity: ``full_name``, ``last_four_ssn`` and each email and phone number become
  ``"****"`` (how many there were is kept), ``date_of_birth`` and ``address`` are dropped;
- direct deposit allocations: ``masked_account_number`` and ``routing_number`` become
  ``"****"`` (bank name, type, amounts and priorities are kept);
- paystub documents: ``download_url`` (it grants access to the PDF) is dropped;
- unknown fields whose name looks personal (``ssn``, ``email``, ``address`` ...) are dropped.
"""

from __future__ import annotations

from typing import Any, Final, Literal, TypeVar

from ..models import DirectDepositAllocations, Identity, Paystub
from ..models._base import PayrollModel, _looks_personal

__all__ = ["PiiMode", "mask"]

PiiMode = Literal["raw", "mask"]

MASK: Final = "****"

_M = TypeVar("_M", bound=PayrollModel)


def _without_personal_extras(model: _M) -> _M:
    extra = model.__pydantic_extra__ or {}
    personal = [name for name in extra if _looks_personal(name)]
    if not personal:
        return model
    copy = model.model_copy(deep=True)
    assert copy.__pydantic_extra__ is not None
    for name in personal:
        del copy.__pydantic_extra__[name]
        copy.__pydantic_fields_set__.discard(name)
    return copy


def mask(model: _M) -> _M:
    """``model`` as ``pii="mask"`` stores it (other models are returned unchanged)."""
    update: dict[str, Any]
    if isinstance(model, Identity):
        update = {
            "full_name": MASK,
            "last_four_ssn": MASK if model.last_four_ssn is not None else None,
            "date_of_birth": None,
            "address": None,
            "emails": [MASK for _ in model.emails] if model.emails is not None else None,
            "phone_numbers": (
                [p.model_copy(update={"value": MASK}) for p in model.phone_numbers]
                if model.phone_numbers is not None
                else None
            ),
        }
        return _without_personal_extras(model.model_copy(update=update))
    if isinstance(model, DirectDepositAllocations):
        allocations = [
            _without_personal_extras(
                a.model_copy(
                    update={
                        "masked_account_number": MASK if a.masked_account_number else None,
                        "routing_number": MASK if a.routing_number else None,
                    }
                )
            )
            for a in model.allocations
        ]
        return _without_personal_extras(model.model_copy(update={"allocations": allocations}))
    if isinstance(model, Paystub) and model.document is not None:
        document = model.document.model_copy(update={"download_url": None})
        return model.model_copy(update={"document": document})
    return model
