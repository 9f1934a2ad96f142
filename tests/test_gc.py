"""The cycle collector is paused while a body becomes models, and only then (payroll_sdk._gc)."""

from __future__ import annotations

import contextlib
import gc
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from payroll_sdk import _gc
from payroll_sdk.models import _envelope
from payroll_sdk.models.paystubs import PaystubPage


def _paystub(n: int, **changes: Any) -> dict[str, Any]:
    stub: dict[str, Any] = {
        "id": f"stub-{n}",
        "account_id": "acct",
        "currency": "USD",
        "pay_date": "2026-11-27",
        "gross_pay_amount": 100_000 + n,
        "taxes": [{"name": "Federal", "category": "federal_income", "amount": 1_000}],
        "deductions": [{"name": "401k", "category": "retirement", "amount": 500}],
        "earnings": [{"name": "Regular", "category": "salary", "amount": 100_000}],
    }
    stub.update(changes)
    return stub


def _page(stubs: list[dict[str, Any]]) -> bytes:
    return json.dumps({"data": stubs, "meta": {"count": len(stubs)}}).encode()


@contextlib.contextmanager
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()


@contextlib.contextmanager
def _passes_during_parse() -> Iterator[list[int]]:
    """Collector passes triggered while pydantic builds the models (pydantic's own
    ``model_validate_json`` is the innermost Python frame: the allocations are its validator's),
    with the collector running at every container allocation (threshold 1) so that any
    allocation made while it is on shows up."""
    inside: list[int] = []

    def seen(phase: str, info: dict[str, Any]) -> None:
        frame = sys._getframe(1)
        code = frame.f_code
        in_pydantic = "pydantic" in code.co_filename.replace("\\", "/").split("/")
        if phase == "start" and code.co_name.startswith("model_validate") and in_pydantic:
            inside.append(info["generation"])

    thresholds = gc.get_threshold()
    gc.set_threshold(1)
    gc.callbacks.append(seen)
    try:
        with _collector_on():
            yield inside
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*thresholds)


def test_pause_turns_the_collector_off_and_back_on() -> None:
    with _collector_on():
        with _gc.collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled()


def test_pause_turns_it_back_on_after_an_error() -> None:
    with _collector_on():
        with pytest.raises(RuntimeError), _gc.collector_paused():
            raise RuntimeError("boom")
        assert gc.isenabled()


def test_a_collector_the_application_turned_off_stays_off() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with _gc.collector_paused():
            with _gc.collector_paused():  # nested: still harmless
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_no_collector_pass_runs_while_a_page_is_parsed() -> None:
    body = _page([_paystub(n) for n in range(300)])
    with _passes_during_parse() as inside:
        page = PaystubPage.model_validate_json(body)
    assert len(page.data) == 300
    assert inside == []


def test_the_check_above_sees_passes_when_nothing_pauses_the_collector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The control for the test above: without the pause the same parse triggers passes, so
    # an empty list there means the pause worked, not that the probe saw nothing.
    monkeypatch.setattr(_envelope, "collector_paused", contextlib.nullcontext)
    body = _page([_paystub(n) for n in range(300)])
    with _passes_during_parse() as inside:
        PaystubPage.model_validate_json(body)
    assert inside


@pytest.mark.parametrize(
    ("body", "expect"),
    [
        # A record that needs the tolerant re-read (an empty string), and one that cannot be
        # read at all (a float amount) next to a good one.
        (_page([_paystub(0, employer_name="")]), "read"),
        (_page([_paystub(0), _paystub(1, gross_pay_amount=1.5)]), "unreadable"),
        (b'{"data": "not a list"}', "error"),
    ],
)
def test_the_collector_is_on_again_after_every_way_a_parse_ends(body: bytes, expect: str) -> None:
    parse: Callable[[bytes], PaystubPage] = PaystubPage.model_validate_json
    with _collector_on():
        if expect == "error":
            with pytest.raises(ValidationError):
                parse(body)
        else:
            page = parse(body)
            assert len(page.unreadable) == (1 if expect == "unreadable" else 0)
        assert gc.isenabled()


def test_startup_frozen_freezes_what_exists_and_unfreezes_after() -> None:
    assert gc.get_freeze_count() == 0
    before = object()
    with _gc.startup_frozen():
        # Everything alive at entry (this module, `before`) is now out of the collector's
        # generations; what the block allocates is not.
        assert gc.get_freeze_count() > 0
        assert not any(obj is before for obj in gc.get_objects())
    assert gc.get_freeze_count() == 0


def test_startup_frozen_unfreezes_after_an_error() -> None:
    with pytest.raises(RuntimeError), _gc.startup_frozen():
        raise RuntimeError("boom")
    assert gc.get_freeze_count() == 0
