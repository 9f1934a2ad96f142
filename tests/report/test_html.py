"""render_html(): a self-contained page with the caveats first and personal data masked."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from payroll_sdk import PayrollProfile
from payroll_sdk.models import Money
from payroll_sdk.report import caveats, render_html

from .conftest import SCENARIOS


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "xlink:href") and value:
                self.urls.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    return collector


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_page_fetches_nothing_and_runs_no_script(
    scenario: str, sandbox_profile: Callable[[str], PayrollProfile]
) -> None:
    page = render_html(sandbox_profile(SCENARIOS[scenario]))
    parsed = _parse(page)
    assert "script" not in parsed.tags and "link" not in parsed.tags and "img" not in parsed.tags
    assert parsed.urls == []
    assert "url(" not in page and "@import" not in page
    assert "default-src 'none'" in page  # and a CSP that would block any fetch anyway


def test_caveats_come_before_any_figure(sandbox_profile: Callable[[str], PayrollProfile]) -> None:
    profile = sandbox_profile("user_degraded")
    page = render_html(profile)
    found = caveats(profile)
    assert len([c for c in found if c.severity == "warning"]) == 2
    assert page.index('id="caveats"') < page.index("At a glance") < page.index("<svg")
    for caveat in found:
        assert caveat.text.replace("'", "&#x27;") in page
    assert "disconnected" in page and "monitoring degraded" in page


def test_partial_resources_are_caveats(sandbox_profile: Callable[[str], PayrollProfile]) -> None:
    profile = sandbox_profile("user_broken_shifts")
    assert not profile.complete
    (caveat,) = caveats(profile)
    assert caveat.severity == "warning" and "shifts only partly read" in caveat.text
    assert "INCOMPLETE" in render_html(profile)


def test_a_clean_profile_says_there_is_nothing_to_read_first(
    sandbox_profile: Callable[[str], PayrollProfile],
) -> None:
    profile = sandbox_profile("user_single")
    assert caveats(profile) == []
    assert "No caveats" in render_html(profile)


def test_personal_data_is_masked_unless_asked(
    sandbox_profile: Callable[[str], PayrollProfile],
) -> None:
    profile = sandbox_profile("user_single")
    identity = profile.accounts[0].identity
    assert identity is not None and identity.emails
    masked, shown = render_html(profile), render_html(profile, show_pii=True)
    for value in (identity.full_name, identity.emails[0]):
        assert value not in masked
        assert value in shown
    for never in (identity.last_four_ssn, str(identity.date_of_birth)):
        assert never is not None
        assert not re.search(rf"(?<![0-9-]){re.escape(never)}(?![0-9-])", shown)


def test_figures_appear_in_the_page(sandbox_profile: Callable[[str], PayrollProfile]) -> None:
    profile = sandbox_profile("user_three_jobs")
    text = " ".join(_parse(render_html(profile)).text)
    for employer in profile.summary.employers:
        assert employer.employer_name is not None and employer.employer_name in text
        assert employer.figures is not None and employer.figures.year_to_date is not None
        ytd = employer.figures.year_to_date
        assert ytd.gross_reported is not None
        assert str(Money(ytd.gross_reported, ytd.currency)) in text
    assert str(profile.summary.annualized_income[0]) in text
    assert "Stability, 12 months" in text


def test_api_strings_are_escaped(sandbox_profile: Callable[[str], PayrollProfile]) -> None:
    profile = sandbox_profile("user_single")
    employer = profile.summary.employers[0].model_copy(
        update={"employer_name": "<script>alert(1)</script> & Co"}
    )
    hostile = profile.model_copy(
        update={"summary": profile.summary.model_copy(update={"employers": [employer]})}
    )
    page = render_html(hostile)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page


def test_real_world_damage_is_reported_not_hidden(
    sandbox_profile: Callable[[str], PayrollProfile],
) -> None:
    profile = sandbox_profile("user_messy_data")
    texts = [c.text for c in caveats(profile)]
    assert any("records of paystubs could not be read" in t for t in texts)
    assert any("paystubs without a pay date, kept in the profile" in t for t in texts)
    page = render_html(profile)
    for text in texts:
        assert text.replace("'", "&#x27;") in page
