"""A profile whose deadline runs out before some resources could even start.

The chaos suite met this by chance (a loaded machine, a short random deadline): the accounts
listing used the whole deadline, so nothing was sent for the resources. Reproduced here on
purpose: the listing's handler blocks the event loop past the deadline without yielding, so
the listing itself succeeds and every resource then finds no time left.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from payroll_sdk import PayrollClient
from payroll_sdk.models.profile import RESOURCE_NAMES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DEADLINE = 0.05


def deadline_client(sent: list[str]) -> PayrollClient:
    """A client whose accounts listing takes longer than its whole deadline."""
    page = json.loads((FIXTURES / "accounts_page.json").read_text())
    page["meta"]["next_cursor"] = None  # one page: the listing needs one request
    accounts = json.dumps(page).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        if request.url.path.endswith("/accounts"):
            time.sleep(DEADLINE * 4)  # blocks the loop: the deadline passes unnoticed
            return httpx.Response(200, content=accounts)
        return httpx.Response(500, json={"error": {"message": "must not be reached"}})

    return PayrollClient(
        api_secret="test-secret",
        base_url="http://api.test/v1",
        transport=httpx.MockTransport(handler),
        deadline=DEADLINE,
    )


async def test_resources_with_no_time_left_report_zero_attempts() -> None:
    sent: list[str] = []
    async with deadline_client(sent) as client:
        profile = await client.get_profile("user-8812")

    assert sent == ["/v1/end_users/user-8812/accounts"]  # nothing else was sent
    assert profile.accounts and not profile.complete
    for account in profile.accounts:
        for name in RESOURCE_NAMES:
            status = account.status[name]
            assert (status.state, status.attempts, status.pages) == ("failed", 0, 0)
            assert status.reason is not None
            assert status.reason.error == "DeadlineExceededError"
    assert len(profile.problems) == len(profile.accounts) * len(RESOURCE_NAMES)
