"""Fetch one profile, choose resources and a date range, and handle partial results.

It runs against the bundled in-process sandbox, so it needs the SDK installed with its
``sandbox`` extra: ``pip install 'payroll-sdk[sandbox]'``, or from a clone
``pip install -e '.[sandbox]'`` (the README's Quickstart venv has it)::

    python examples/get_profile.py [END_USER_ID]

Without the extra it says so in one line and exits with status 1.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import date, timedelta

from payroll_sdk import PayrollClient, ProfileIncompleteError


async def main(end_user_id: str) -> None:
    async with PayrollClient.sandbox() as client:
        # Everything, for the last year only, within 10 seconds all told.
        since = date.today() - timedelta(days=365)
        profile = await client.get_profile(end_user_id, from_date=since, deadline=10)
        for account in profile.accounts:
            print(account.account.id, {name: s.state for name, s in account.status.items()})
        print("complete:", profile.complete)

        # Only what underwriting needs; raise instead of returning a partial profile.
        try:
            slim = await client.get_profile(
                end_user_id, include=["paystubs", "income", "employment"], strict=True
            )
        except ProfileIncompleteError as exc:
            print("incomplete:", [p.model_dump() for p in exc.profile.problems])
        else:
            print("paystubs:", sum(len(a.paystubs) for a in slim.accounts))

        # The profile is a pydantic model: JSON out, and back in.
        print(profile.model_dump_json()[:200], "...")


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "user_three_jobs"))
    except ModuleNotFoundError as exc:  # the sandbox extra is missing: say what to install
        sys.exit(str(exc))
