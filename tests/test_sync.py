"""PayrollClientSync: a private loop in a thread, usable with or without a running loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from payroll_sdk import ClientClosedError, InvalidInputError, NotFoundError, PayrollProfile
from payroll_sdk._sync import PayrollClientSync, SyncPager
from payroll_sdk.sandbox import SandboxConfig


def _loop_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "payroll-sdk-sync-loop"]


@pytest.fixture
def client() -> Iterator[PayrollClientSync]:
    with PayrollClientSync.sandbox(max_retries=0) as client:
        yield client


def test_from_the_main_thread_without_a_loop(client: PayrollClientSync) -> None:
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()

    profile = client.get_profile("user_three_jobs")

    assert isinstance(profile, PayrollProfile)
    assert profile.complete and len(profile.accounts) == 3
    account_id = profile.accounts[0].account.id
    assert client.accounts.get(account_id).data.id == account_id
    assert client.income.get(account_id).data.account_id == account_id
    assert client.identity.get(account_id).data.account_id == account_id
    assert client.employment.get(account_id).data.account_id == account_id
    assert client.direct_deposit_allocations.get(account_id).data.account_id == account_id


def test_pagers_iterate_pages_and_items(client: PayrollClientSync) -> None:
    accounts = client.accounts.list_for_end_user("user_single").to_list()
    account_id = accounts[0].id
    pager = client.paystubs.list(account_id, limit=10)
    assert isinstance(pager, SyncPager)

    first = pager.first_page()
    pages = list(pager.pages())
    stubs = list(pager)

    assert first.data == pages[0].data
    assert len(first.data) == 10
    assert [s.id for s in stubs] == [s.id for page in pages for s in page.data]
    assert len(pages) > 1 and pages[-1].meta.next_cursor is None
    assert client.paystubs.get(account_id, stubs[3].id).data == stubs[3]
    shifts = client.accounts.list_for_end_user("user_three_jobs").to_list()[1]
    assert list(client.shifts.list(shifts.id, limit=100))


def test_leaving_a_pager_early_is_fine(client: PayrollClientSync) -> None:
    account_id = client.accounts.list_for_end_user("user_single").first_page().data[0].id
    for index, _stub in enumerate(client.paystubs.list(account_id, limit=2)):
        if index == 2:
            break
    assert client.income.get(account_id).data.account_id == account_id


def test_inside_a_running_event_loop(client: PayrollClientSync) -> None:
    async def notebook_cell() -> str:
        asyncio.get_running_loop()  # a loop is running here, as in Jupyter
        return client.get_profile("user_single").end_user_id

    assert asyncio.run(notebook_cell()) == "user_single"


def test_many_threads_share_one_pool(client: PayrollClientSync) -> None:
    transports = set()

    def work(user_id: str) -> int:
        transports.add(id(client._async._transport.http_client))
        return len(client.get_profile(user_id).accounts)

    users = ["user_single", "user_three_jobs", "user_degraded", "user_no_accounts"] * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        counts = list(pool.map(work, users))

    assert counts == [1, 3, 2, 0] * 3
    assert len(transports) == 1
    copy = client.with_options(max_retries=1)
    assert copy._async._transport.http_client is client._async._transport.http_client
    assert copy.max_retries == 1 and client.max_retries == 0


def test_get_profiles_streams_results(client: PayrollClientSync) -> None:
    seen: list[tuple[int, int | None]] = []

    results = {
        r.end_user_id: r
        for r in client.get_profiles(
            ["user_single", "unknown_sync", "user_three_jobs"],
            concurrency=2,
            on_progress=lambda done, total: seen.append((done, total)),
        )
    }

    assert results["user_single"].ok and results["user_three_jobs"].ok
    assert isinstance(results["unknown_sync"].error, NotFoundError)
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_errors_are_the_same_typed_exceptions(client: PayrollClientSync) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.get_profile("unknown_sync_user")
    assert caught.value.status_code == 404
    with pytest.raises(InvalidInputError):
        client.get_profile("not/valid")
    with pytest.raises(InvalidInputError):
        client.paystubs.list("acc", limit=1000)


def test_close_stops_the_thread_and_is_idempotent() -> None:
    before = len(_loop_threads())
    client = PayrollClientSync.sandbox(SandboxConfig(seed=3))
    assert len(_loop_threads()) == before + 1
    copy = client.with_options(deadline=5)
    closed_copy = client.with_options(deadline=5)
    closed_copy.close()
    assert closed_copy.is_closed and not client.is_closed
    assert client.get_profile("user_single").complete  # closing a copy closes nothing

    client.close()
    client.close()

    assert len(_loop_threads()) == before
    assert client.is_closed and copy.is_closed
    # A typed PayrollError (also a RuntimeError), as the async client raises.
    with pytest.raises(ClientClosedError, match="closed"):
        client.get_profile("user_single")
    with pytest.raises(ClientClosedError, match="closed"):
        copy.income.get("acc")


def test_context_manager_closes() -> None:
    with PayrollClientSync.sandbox() as client:
        assert not client.is_closed
        assert client.sandbox_app is not None
    assert client.is_closed


def test_bad_configuration_raises_and_leaves_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    from payroll_sdk import ConfigurationError

    monkeypatch.delenv("PAYROLL_API_SECRET", raising=False)
    before = len(_loop_threads())
    with pytest.raises(ConfigurationError):
        PayrollClientSync()
    assert len(_loop_threads()) == before


def test_calling_from_the_loop_thread_is_refused(client: PayrollClientSync) -> None:
    errors: list[BaseException] = []

    def on_progress(done: int, total: int | None) -> None:
        try:
            client.get_profile("user_single")
        except RuntimeError as exc:
            errors.append(exc)

    list(client.get_profiles(["user_single"], on_progress=on_progress))

    assert len(errors) == 1 and "own event loop" in str(errors[0])
