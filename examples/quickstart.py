"""Fetch one end user's payroll profile and print a readable summary.

Runs against the bundled in-process sandbox by default (no network, no credentials), or
against a real API when ``PAYROLL_API_SECRET`` and ``PAYROLL_BASE_URL`` are both set::

    python examples/quickstart.py [END_USER_ID]

The sandbox needs the SDK's ``sandbox`` extra (``pip install 'payroll-sdk[sandbox]'``; the
README's Quickstart installs it); without it the script says so in one line.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from payroll_sdk import PayrollClient, PayrollProfile


def make_client() -> PayrollClient:
    if os.environ.get("PAYROLL_API_SECRET") and os.environ.get("PAYROLL_BASE_URL"):
        return PayrollClient()
    return PayrollClient.sandbox()


def describe(profile: PayrollProfile) -> str:
    lines = [f"Profile of {profile.end_user_id}: {len(profile.accounts)} payroll account(s)"]
    for account in profile.accounts:
        employer = account.employment.employer_name if account.employment else "(unknown)"
        states = ", ".join(f"{name}={s.state}" for name, s in account.status.items())
        lines.append(f"  - {employer} [{account.account.monitoring_status}]")
        lines.append(
            f"    {len(account.paystubs)} paystubs, {len(account.shifts)} shifts; {states}"
        )
        if account.paystubs:
            latest = account.paystubs[0]
            lines.append(
                f"    latest pay {latest.pay_date}: gross {latest.gross_pay}, net {latest.net_pay}"
            )
    summary = profile.summary
    lines.append(f"Current employers: {', '.join(summary.current_employers) or 'none'}")
    if summary.annualized_income:
        income = ", ".join(str(amount.money) for amount in summary.annualized_income)
        lines.append(f"Annualized income estimate: {income}")
    lines.append(f"Latest pay date: {summary.latest_pay_date}")
    lines.append(
        "Complete." if profile.complete else f"Incomplete: {len(profile.problems)} problem(s)"
    )
    for problem in profile.problems:
        reason = problem.reason.error if problem.reason else ""
        lines.append(f"  ! {problem.resource} of {problem.account_id}: {problem.state} {reason}")
    return "\n".join(lines)


async def main(end_user_id: str) -> None:
    async with make_client() as client:
        started = time.perf_counter()
        profile = await client.get_profile(end_user_id)
        elapsed_ms = (time.perf_counter() - started) * 1000
    print(describe(profile))
    print(f"(fetched in {elapsed_ms:.0f} ms with {profile.attempts} requests)")


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "user_three_jobs"))
    except ModuleNotFoundError as exc:  # the sandbox extra is missing: say what to install
        sys.exit(str(exc))
