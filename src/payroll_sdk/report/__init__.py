"""The verification report: one profile as a page a person reads, or as text.

::

    from payroll_sdk.report import render_html, render_text

    html = render_html(profile)              # one self-contained page, personal data masked
    print(render_text(profile, width=80))    # for a terminal or a log

Both put the caveats first (stale or disconnected accounts, resources read in part or not at
all, unreadable records, figures that do not add up), then the figures of
:mod:`payroll_sdk.models.figures`. :func:`caveats` gives the caveats as data.
"""

from ._caveats import Caveat, caveats
from ._html import render_html
from ._text import render_text

__all__ = ["Caveat", "caveats", "render_html", "render_text"]
