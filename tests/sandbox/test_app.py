"""The app's state: what in-process sandboxes share and what each keeps to itself."""

from __future__ import annotations

from datetime import date

from payroll_sdk.sandbox import SandboxConfig, create_app

DAY = date(2026, 2, 2)


def test_apps_with_the_same_data_settings_share_generated_users() -> None:
    # Each user is generated (and serialised) once per process, whatever the number of
    # in-process sandboxes built with the same seed, history and today.
    first = create_app(SandboxConfig(seed=41, today=DAY)).state.sandbox
    second = create_app(SandboxConfig(seed=41, today=DAY, history_months=24)).state.sandbox
    assert first.data is second.data
    truth = first.data.user("user_1")
    assert second.data.user("user_1") is truth
    assert truth.accounts, "user_1 has accounts with seed 41"
    assert first.wire(truth.accounts[0]) is second.wire(truth.accounts[0])


def test_other_settings_get_their_own_data_and_every_app_its_own_stats() -> None:
    base = create_app(SandboxConfig(seed=41, today=DAY)).state.sandbox
    for config in (
        SandboxConfig(seed=42, today=DAY),
        SandboxConfig(seed=41, today=date(2026, 2, 3)),
        SandboxConfig(seed=41, today=DAY, history_months=3),
    ):
        assert create_app(config).state.sandbox.data is not base.data
    again = create_app(SandboxConfig(seed=41, today=DAY)).state.sandbox
    assert again.stats is not base.stats
    assert again.faults is not base.faults
