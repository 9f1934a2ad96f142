"""Deadline scopes: nesting, and what a call inherits from them."""

from __future__ import annotations

import asyncio
from typing import Any

from payroll_sdk._deadline import current_deadline, deadline_at, deadline_scope


async def test_nested_deadline_scopes_only_shorten(fake_time: Any) -> None:
    with deadline_scope(5.0, clock=fake_time):
        outer = current_deadline()
        with deadline_scope(50.0, clock=fake_time):
            assert current_deadline() == outer
        with deadline_scope(1.0, clock=fake_time):
            assert current_deadline() == fake_time.now + 1.0
        with deadline_scope(None, clock=fake_time):
            assert current_deadline() == outer
        assert current_deadline() == outer


async def test_a_call_deadline_is_cut_by_the_scope(fake_time: Any) -> None:
    assert deadline_at(None, fake_time) is None
    assert deadline_at(3.0, fake_time) == fake_time.now + 3.0
    with deadline_scope(2.0, clock=fake_time):
        assert deadline_at(None, fake_time) == fake_time.now + 2.0
        assert deadline_at(3.0, fake_time) == fake_time.now + 2.0
        assert deadline_at(1.0, fake_time) == fake_time.now + 1.0


async def test_tasks_created_inside_a_scope_inherit_it(fake_time: Any) -> None:
    with deadline_scope(2.0, clock=fake_time):
        expected = current_deadline()
        seen = await asyncio.create_task(_read_deadline())
    assert seen == expected
    assert current_deadline() is None


async def _read_deadline() -> float | None:
    return current_deadline()
