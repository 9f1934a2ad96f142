"""payroll_sdk.testing: the fixtures and the marker, run the way users run them (pytester)."""

from __future__ import annotations

from pathlib import Path

import pytest

from payroll_sdk.sandbox import SCENARIOS, FaultScriptError
from payroll_sdk.testing import FAULTS_HEADER, faults, scenario

pytest_plugins = ["pytester"]

# The same example as docs/testing.md: keep the two in step.
EXAMPLE_CONFTEST = """
import pytest

pytest_plugins = ["payroll_sdk.testing"]


@pytest.fixture
def payroll_client_options():
    return {"max_retries": 0}  # scripted faults fail at once instead of being retried
"""

EXAMPLE_TESTS = """
import pytest

from payroll_sdk import NotFoundError
from payroll_sdk.testing import faults, scenario


async def test_profile_matches_the_ground_truth(payroll_client, payroll_sandbox):
    user_id = scenario("three_jobs")

    profile = await payroll_client.get_profile(user_id)

    truth = payroll_sandbox.data.user(user_id)
    assert [a.account.id for a in profile.accounts] == [a.account_id for a in truth.accounts]
    assert profile.accounts[0].identity.last_four_ssn == truth.accounts[0].identity["last_four_ssn"]
    assert profile.complete


@pytest.mark.payroll_faults("income=500*inf")
async def test_an_income_outage_is_reported_not_raised(payroll_client, payroll_sandbox):
    profile = await payroll_client.get_profile(scenario("single"))

    assert not profile.complete
    assert [(p.resource, p.state) for p in profile.problems] == [("income", "failed")]
    assert payroll_sandbox.stats.faults["500"] == 1


async def test_faults_for_one_client(payroll_sandbox):
    async with payroll_sandbox.client(default_headers=faults("income=429:0*2")) as client:
        profile = await client.get_profile(scenario("single"), include=["income"])
    assert profile.accounts[0].status["income"].attempts == 3  # two 429s, then the income


def test_the_sync_client(payroll_client_sync):
    profile = payroll_client_sync.get_profile(scenario("missing_income"))
    assert profile.accounts[0].status["income"].state == "not_found"
    with pytest.raises(NotFoundError):
        payroll_client_sync.get_profile("unknown_someone")
"""


INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
filterwarnings =
    error
    # This file imported payroll_sdk.testing before the inner run registers it as a plugin.
    ignore::pytest.PytestAssertRewriteWarning
"""


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # hypothesis's plugin spends a second per session on its summary; it is not needed here.
    return pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-p", "no:hypothesispytest", *args
    )


@pytest.fixture
def example(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI)
    pytester.makeconftest(EXAMPLE_CONFTEST)
    pytester.makepyfile(test_payroll=EXAMPLE_TESTS)
    return pytester


def test_the_documented_example_passes(example: pytest.Pytester) -> None:
    _run(example).assert_outcomes(passed=4)


def test_the_marker_is_registered(example: pytest.Pytester) -> None:
    result = _run(example, "--markers")
    result.stdout.fnmatch_lines(["*payroll_faults(script, **fault_config)*"])


def test_config_can_be_overridden_and_marker_kwargs_reach_fault_config(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI)
    pytester.makeconftest('pytest_plugins = ["payroll_sdk.testing"]')
    pytester.makepyfile(
        """
        import datetime
        import pytest
        from payroll_sdk.sandbox import SandboxConfig

        @pytest.fixture
        def payroll_sandbox_config():
            return SandboxConfig(seed=7, today=datetime.date(2026, 1, 15))

        @pytest.mark.payroll_faults(rate=1.0, kinds=("500",))
        def test_config(payroll_sandbox, payroll_client_sync):
            assert payroll_sandbox.config.seed == 7
            assert payroll_sandbox.data.today == datetime.date(2026, 1, 15)
            assert payroll_sandbox.config.faults.rate == 1.0
            assert payroll_sandbox.config.faults.script is None

        def test_fresh_sandbox_per_test(payroll_sandbox):
            assert payroll_sandbox.config.faults.rate == 0.0
            assert payroll_sandbox.stats.total == 0
        """
    )
    _run(pytester).assert_outcomes(passed=2)


def test_a_bad_fault_script_in_the_marker_errors_the_test(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makeconftest('pytest_plugins = ["payroll_sdk.testing"]')
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.payroll_faults("income=teapot")
        def test_faulty(payroll_sandbox):
            pass
        """
    )
    result = _run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown fault kind 'teapot'*"])


def test_scenario_names() -> None:
    assert scenario("three_jobs") == "user_three_jobs"
    assert scenario("user_single") == "user_single"
    with pytest.raises(ValueError, match="unknown sandbox scenario"):
        scenario("four_jobs")
    assert scenario.__doc__ is not None
    assert all(name in scenario.__doc__ for name in SCENARIOS)


def test_faults_header() -> None:
    assert faults("income=500*9, paystubs=429*1") == {FAULTS_HEADER: "income=500*9, paystubs=429*1"}
    with pytest.raises(FaultScriptError):
        faults("nowhere=500")


def test_docs_show_the_same_example() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "testing.md").read_text()
    assert EXAMPLE_CONFTEST.strip() in docs
    assert EXAMPLE_TESTS.strip() in docs
