"""Render a sandbox user's HTML report and screenshot it in headless Chromium.

    python scripts/report_screenshot.py user_three_jobs docs/assets/report.png [--height 1250]

Used for the screenshot in docs/report.md. Needs Debian's chromium and the playwright package
(dev extra); the browser is the system's, never a download.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from payroll_sdk import PayrollClient, PayrollProfile
from payroll_sdk.report import render_html

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


async def _profile(user_id: str) -> PayrollProfile:
    async with PayrollClient.sandbox() as client:
        return await client.get_profile(user_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("user_id")
    parser.add_argument("png")
    parser.add_argument("--height", type=int, default=1250, help="pixels from the top")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    page_html = render_html(asyncio.run(_profile(args.user_id)))
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "report.html"
        path.write_text(page_html, encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=FLAGS)
            page = browser.new_page(viewport={"width": 1000, "height": args.height})
            page.goto(path.as_uri())
            page.screenshot(path=args.png, full_page=False)
            browser.close()
    print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
