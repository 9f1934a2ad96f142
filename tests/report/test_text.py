"""render_text(): the report for terminals and logs, within the width asked for."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from payroll_sdk import PayrollProfile
from payroll_sdk.report import render_text

from .conftest import SCENARIOS


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("width", [20, 40, 72, 120])
def test_no_line_is_wider_than_asked(
    scenario: str, width: int, sandbox_profile: Callable[[str], PayrollProfile]
) -> None:
    text = render_text(sandbox_profile(SCENARIOS[scenario]), width=width)
    assert max(len(line) for line in text.splitlines()) <= max(width, 40)


def test_caveats_first_and_stale_employers_flagged(
    sandbox_profile: Callable[[str], PayrollProfile],
) -> None:
    text = render_text(sandbox_profile("user_degraded"), width=80)
    assert text.index("READ FIRST") < text.index("At a glance")
    assert text.count("! ") >= 2
    assert "(employed, current? NOT VERIFIED, data disconnected)" in text
    assert "Not verified" in text and "none verified" in text


def test_missing_amounts_print_as_a_dash_never_zero(
    sandbox_profile: Callable[[str], PayrollProfile],
) -> None:
    profile = sandbox_profile("user_single")
    account = profile.accounts[0]
    holed = account.paystubs[0].model_copy(update={"gross_pay_amount": None})
    broken = profile.model_copy(
        update={"accounts": [account.model_copy(update={"paystubs": [holed]})]}
    )
    text = render_text(broken, width=100)
    line = next(line for line in text.splitlines() if line.startswith(str(holed.pay_date)))
    assert " - " in line or line.rstrip().endswith("-") or "  -  " in line
    assert "USD 0.00" not in line


def test_the_name_is_masked_unless_asked(sandbox_profile: Callable[[str], PayrollProfile]) -> None:
    profile = sandbox_profile("user_single")
    name = profile.summary.names[0].value
    assert name not in render_text(profile)
    assert name in render_text(profile, show_pii=True)
