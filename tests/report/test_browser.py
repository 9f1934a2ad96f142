"""The HTML report in a real browser: headless Chromium loads each scenario's page.

Checks what only a browser can: the page loads with no console error and no network request,
the key figures are in the rendered text, and the chart is drawn. Screenshots are saved as CI
artifacts in ``$PAYROLL_REPORT_ARTIFACTS`` (default: a new temporary directory), whose path is
printed. Needs Debian's ``chromium`` (or ``$PAYROLL_CHROMIUM``) and the ``playwright`` package
(dev extra; its own browser download is never used). Under ``CI=true`` a missing browser is a
failure, elsewhere the tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from payroll_sdk import PayrollProfile
from payroll_sdk.report import caveats, render_html

from .conftest import SCENARIOS

#: As the machine's notes advise for a closed network: no background fetches of its own.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def _chromium_path() -> str | None:
    configured = os.environ.get("PAYROLL_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def artifacts() -> Path:
    configured = os.environ.get("PAYROLL_REPORT_ARTIFACTS")
    directory = Path(configured) if configured else Path(tempfile.mkdtemp(prefix="report-"))
    directory.mkdir(parents=True, exist_ok=True)
    # Past pytest's capture on purpose: CI logs must say where the screenshots are.
    sys.__stderr__.write(f"\nreport screenshots: {directory}\n")
    return directory


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium_path()
    if executable is None:
        _unavailable("no Chromium found (apt-get install chromium, or set PAYROLL_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with (
        tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile_dir,
        sync_playwright() as playwright,
    ):
        # A fresh, empty user-data dir: no cached state, no first-run work.
        context = playwright.chromium.launch_persistent_context(
            profile_dir,
            executable_path=executable,
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": 1100, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


def _key_figures(profile: PayrollProfile) -> list[str]:
    summary = profile.summary
    figures = [e.employer_name for e in summary.employers if e.employer_name]
    figures += [str(a) for a in summary.annualized_income]
    figures += ["At a glance", "Pay gaps", "Income stability and trend"]
    figures += [c.text for c in caveats(profile)]
    return figures


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_report_loads_in_chromium(
    scenario: str,
    browser: Any,
    artifacts: Path,
    sandbox_profile: Callable[[str], PayrollProfile],
) -> None:
    profile = sandbox_profile(SCENARIOS[scenario])
    html_path = artifacts / f"{scenario}.html"
    html_path.write_text(render_html(profile), encoding="utf-8")
    url = html_path.resolve().as_uri()

    page = browser.new_page()
    console: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        text = page.inner_text("body")
        shot = artifacts / f"{scenario}.png"
        page.screenshot(path=str(shot), full_page=True)
        circles = page.locator("svg.chart circle").count()
        chart_width = page.locator("svg.chart").bounding_box()
    finally:
        page.close()

    assert [m for m in console if m.startswith(("error", "pageerror", "warning"))] == []
    assert requests == [url]  # the page itself, nothing else
    missing = [figure for figure in _key_figures(profile) if figure not in text]
    assert missing == []
    dated = sum(1 for a in profile.accounts for p in a.paystubs if p.pay_date is not None)
    assert dated and circles > 0
    assert chart_width is not None and chart_width["width"] > 600
    assert shot.stat().st_size > 10_000
