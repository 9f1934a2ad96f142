"""ObjectResponse / ListResponse envelopes, their meta and the transport's response info."""

from __future__ import annotations

from datetime import UTC, datetime

import pydantic
import pytest

from payroll_sdk.models import (
    Income,
    IncomeResponse,
    ListMeta,
    ListResponse,
    ObjectResponse,
    PayrollAccount,
    PayrollAccountPage,
    Paystub,
    PaystubPage,
    Shift,
    ShiftPage,
)


def test_parametrised_envelopes_are_cached_and_aliased() -> None:
    assert ListResponse[Paystub] is PaystubPage
    assert ListResponse[Shift] is ShiftPage
    assert ObjectResponse[Income] is IncomeResponse
    assert ListResponse[PayrollAccount] is PayrollAccountPage


@pytest.mark.parametrize("body", [b"{}", b'{"meta": {"refreshed_at": null}}', b'{"data": null}'])
def test_object_response_requires_data(body: bytes) -> None:
    with pytest.raises(pydantic.ValidationError):
        IncomeResponse.model_validate_json(body)


@pytest.mark.parametrize("body", [b'{"meta": {"count": 0, "next_cursor": null}}', b'{"data": {}}'])
def test_list_response_requires_a_data_list(body: bytes) -> None:
    with pytest.raises(pydantic.ValidationError):
        ListResponse[Paystub].model_validate_json(body)


def test_list_response_without_meta_is_a_last_page() -> None:
    page = ListResponse[Paystub].model_validate_json(b'{"data": []}')
    assert page.data == []
    assert page.meta == ListMeta()
    assert page.meta.next_cursor is None


def test_list_meta_fields_and_unknown_fields() -> None:
    page = ListResponse[Paystub].model_validate_json(
        b'{"data": [], "meta": {"count": 0, "next_cursor": "abc", '
        b'"refreshed_at": "2025-06-16T06:00:12.774431+00:00", "total": 7}, "links": {"self": "/x"}}'
    )
    assert page.meta.count == 0
    assert page.meta.next_cursor == "abc"
    assert page.meta.refreshed_at == datetime(2025, 6, 16, 6, 0, 12, 774431, tzinfo=UTC)
    assert page.meta.model_extra == {"total": 7}
    assert page.model_extra == {"links": {"self": "/x"}}


def test_object_response_meta_is_optional() -> None:
    body = (
        b'{"data": {"id": "i", "created_at": "2025-01-01T00:00:00+00:00",'
        b' "updated_at": "2025-01-01T00:00:00+00:00", "account_id": "a",'
        b' "compensation_amount": 100, "compensation_unit": "hourly", "currency": "USD"}}'
    )
    response = IncomeResponse.model_validate_json(body)
    assert response.meta is None
    assert response.data.compensation_amount == 100


def test_response_info_defaults_and_is_set_by_the_transport() -> None:
    page = ShiftPage.model_validate_json(b'{"data": []}')
    assert page.request_id is None
    assert page.attempts == 1
    page._set_response_info(request_id="req_81f2", attempts=3)
    assert page.request_id == "req_81f2"
    assert page.attempts == 3
    # Transport details are not part of the body.
    assert page.model_dump() == {
        "data": [],
        "meta": {"count": None, "next_cursor": None, "refreshed_at": None},
    }


def test_response_info_is_read_only() -> None:
    page = ShiftPage.model_validate_json(b'{"data": []}')
    with pytest.raises(AttributeError):
        page.request_id = "forged"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        page.attempts = 9  # type: ignore[misc]


def test_response_info_is_per_instance() -> None:
    first = ShiftPage.model_validate_json(b'{"data": []}')
    second = ShiftPage.model_validate_json(b'{"data": []}')
    first._set_response_info(request_id="one", attempts=2)
    assert second.request_id is None
    assert second.attempts == 1
