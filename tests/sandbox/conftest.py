"""Shared fixtures: an in-process sandbox with a fixed ``today`` and a client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from payroll_sdk.sandbox import Sandbox, SandboxConfig, create_app

TODAY = date(2026, 3, 15)
HEADERS = {"X-API-SECRET": "sandbox-secret", "Pinwheel-Version": "2025-07-08"}


def make_client(app: Starlette, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sandbox.test/v1",
        headers=kwargs.pop("headers", HEADERS),
        **kwargs,
    )


@pytest.fixture
def app() -> Starlette:
    return create_app(SandboxConfig(today=TODAY))


@pytest.fixture
def sandbox(app: Starlette) -> Sandbox:
    state: Sandbox = app.state.sandbox
    return state


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as c:
        yield c


async def first_account_id(client: httpx.AsyncClient, end_user_id: str, index: int = 0) -> str:
    response = await client.get(f"/end_users/{end_user_id}/accounts")
    assert response.status_code == 200, response.text
    account_id: str = response.json()["data"][index]["id"]
    return account_id


async def all_pages(
    client: httpx.AsyncClient, url: str, **params: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every item of a list, and every page's body, following cursors."""
    items: list[dict[str, Any]] = []
    bodies: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = dict(params)
        if cursor:
            query["cursor"] = cursor
        response = await client.get(url, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        bodies.append(body)
        items += body["data"]
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            return items, bodies
