"""AsyncPager: the first page when awaited, every item when iterated, and no endless loops."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
import respx

from payroll_sdk import (
    AsyncPager,
    InternalServerError,
    ListResponse,
    PaginationLoopError,
    PayrollClient,
    Paystub,
    ResponseValidationError,
)

PATH = "/accounts/acc_1/paystubs"


def _pages(load_fixture: Any, cursors: list[str | None]) -> list[dict[str, Any]]:
    """One paystubs page per cursor, each with two stubs whose ids say which page they are on."""
    template = load_fixture("paystubs_page.json")
    pages = []
    for number, cursor in enumerate(cursors, start=1):
        page = copy.deepcopy(template)
        for index, stub in enumerate(page["data"]):
            stub["id"] = f"stub_p{number}_{index}"
        page["meta"]["next_cursor"] = cursor
        page["meta"]["count"] = len(page["data"])
        pages.append(page)
    return pages


def _serve(api: respx.MockRouter, pages: list[dict[str, Any]]) -> respx.Route:
    return api.get(PATH).mock(
        side_effect=[
            httpx.Response(200, json=page, headers={"x-request-id": f"req_{n}"})
            for n, page in enumerate(pages, start=1)
        ]
    )


def _sent(route: respx.Route) -> list[dict[str, str]]:
    return [dict(call.request.url.params) for call in route.calls]


async def test_iterating_follows_the_cursor_across_three_pages(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    route = _serve(api, _pages(load_fixture, ["c2", "c3", None]))
    ids = [stub.id async for stub in client.paystubs.list("acc_1")]
    assert ids == [f"stub_p{p}_{i}" for p in (1, 2, 3) for i in (0, 1)]
    assert _sent(route) == [
        {"limit": "100"},
        {"limit": "100", "cursor": "c2"},
        {"limit": "100", "cursor": "c3"},
    ]


async def test_the_callers_limit_is_kept_on_every_page(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    route = _serve(api, _pages(load_fixture, ["c2", "c3", None]))
    items = await client.paystubs.list("acc_1", limit=2, from_pay_date="2025-01-01").to_list()
    assert len(items) == 6
    assert all(isinstance(item, Paystub) for item in items)
    assert _sent(route) == [
        {"from_pay_date": "2025-01-01", "limit": "2"},
        {"from_pay_date": "2025-01-01", "limit": "2", "cursor": "c2"},
        {"from_pay_date": "2025-01-01", "limit": "2", "cursor": "c3"},
    ]


async def test_awaiting_gives_only_the_first_page(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    route = _serve(api, _pages(load_fixture, ["c2", "c3", None]))
    page = await client.paystubs.list("acc_1")
    assert isinstance(page, ListResponse)
    assert [stub.id for stub in page.data] == ["stub_p1_0", "stub_p1_1"]
    assert page.meta.next_cursor == "c2"
    assert page.meta.count == 2
    assert page.request_id == "req_1"
    assert page.attempts == 1
    # No limit given: the server's default applies to a single page.
    assert _sent(route) == [{}]


async def test_awaiting_with_a_limit_sends_it(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    route = _serve(api, _pages(load_fixture, [None]))
    await client.paystubs.list("acc_1", limit=7)
    assert _sent(route) == [{"limit": "7"}]


async def test_pages_yields_each_page_with_its_metadata(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    _serve(api, _pages(load_fixture, ["c2", "c3", None]))
    pages = [page async for page in client.paystubs.list("acc_1").pages()]
    assert [page.request_id for page in pages] == ["req_1", "req_2", "req_3"]
    assert [page.meta.next_cursor for page in pages] == ["c2", "c3", None]


async def test_a_single_page_stops_at_a_null_cursor(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    route = api.get("/accounts/acc_1/shifts").respond(200, json=load_fixture("shifts_page.json"))
    shifts = await client.shifts.list("acc_1").to_list()
    assert len(shifts) == 2
    assert route.call_count == 1


async def test_a_missing_meta_means_no_next_page(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    page = _pages(load_fixture, [None])[0]
    del page["meta"]
    route = api.get(PATH).respond(200, json=page)
    assert len(await client.paystubs.list("acc_1").to_list()) == 2
    assert route.call_count == 1


async def test_an_empty_cursor_ends_the_listing(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    route = _serve(api, _pages(load_fixture, [""]))
    assert len(await client.paystubs.list("acc_1").to_list()) == 2
    assert route.call_count == 1


async def test_a_repeated_cursor_raises_after_the_pages_read(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    route = _serve(api, _pages(load_fixture, ["c2", "c3", "c2"]))
    seen: list[str] = []
    with pytest.raises(PaginationLoopError) as info:
        async for stub in client.paystubs.list("acc_1"):
            seen.append(stub.id)
    assert seen == [f"stub_p{p}_{i}" for p in (1, 2, 3) for i in (0, 1)]
    assert route.call_count == 3
    assert isinstance(info.value, ResponseValidationError)
    assert info.value.request_id == "req_3"


async def test_a_cursor_pointing_at_itself_is_caught_on_the_second_page(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    route = _serve(api, _pages(load_fixture, ["same", "same"]))
    pages: list[ListResponse[Paystub]] = []
    with pytest.raises(PaginationLoopError):
        async for page in client.paystubs.list("acc_1").pages():
            pages.append(page)
    assert len(pages) == 2
    assert route.call_count == 2


async def test_an_error_on_a_later_page_keeps_the_pages_already_read(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    first = _pages(load_fixture, ["c2"])[0]
    api.get(PATH).mock(side_effect=[httpx.Response(200, json=first), httpx.Response(500)])
    pages: list[ListResponse[Paystub]] = []
    with pytest.raises(InternalServerError):
        async for page in client.with_options(max_retries=0).paystubs.list("acc_1").pages():
            pages.append(page)
    assert len(pages) == 1


async def test_a_pager_can_be_iterated_again(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    pages = _pages(load_fixture, ["c2", None])
    route = _serve(api, pages + pages)
    pager = client.paystubs.list("acc_1")
    assert len(await pager.to_list()) == 4
    assert len(await pager.to_list()) == 4
    assert route.call_count == 4


async def test_accounts_of_an_end_user_paginate(
    client: PayrollClient, api: respx.MockRouter, load_fixture: Any
) -> None:
    first = load_fixture("accounts_page.json")
    last = copy.deepcopy(first)
    last["meta"]["next_cursor"] = None
    for number, account in enumerate(last["data"]):
        account["id"] = f"second-page-{number}"
    route = api.get("/end_users/user-8812/accounts").mock(
        side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=last)]
    )
    accounts = await client.accounts.list_for_end_user("user-8812").to_list()
    assert len(accounts) == 4
    assert _sent(route)[1] == {"limit": "100", "cursor": first["meta"]["next_cursor"]}


async def test_a_pager_over_a_plain_fetch_function() -> None:
    calls: list[tuple[str | None, int | None]] = []

    async def fetch(cursor: str | None, limit: int | None) -> ListResponse[int]:
        calls.append((cursor, limit))
        following = {None: "b", "b": None}[cursor]
        return ListResponse[int].model_validate(
            {"data": [len(calls)], "meta": {"next_cursor": following}}
        )

    assert await AsyncPager(fetch, limit=None).to_list() == [1, 2]
    assert calls == [(None, 100), ("b", 100)]
