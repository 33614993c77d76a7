"""Open the rendered quarterly report in headless Chromium from file://, offline, as a reader would."""

from __future__ import annotations

from pathlib import Path

import pytest
from layout_checks import SCREEN_1280, layout_problems

from analysis.run.pipeline import RunResult

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def report(first_run: RunResult) -> Path:
    """The quarterly report the pipeline made from the demo data (the session's shared end-to-end run)."""
    if not CHROMIUM.is_file():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium (make browser) to run the browser test"
        )
    pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    return first_run.report_path


def test_report_opens_offline_with_no_errors(report: Path):
    from playwright.sync_api import sync_playwright

    url = report.resolve().as_uri()
    blocked: list[str] = []
    console_errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})

            def route(request_route):
                if request_route.request.url == url:
                    request_route.continue_()
                else:
                    blocked.append(request_route.request.url)
                    request_route.abort()

            page.route("**/*", route)
            page.on(
                "console",
                lambda message: console_errors.append(message.text) if message.type == "error" else None,
            )
            page.on("pageerror", lambda error: console_errors.append(str(error)))
            page.goto(url, wait_until="load")
            title = page.title()
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.getAttribute('alt'), e.naturalWidth])"
            )
            headings = page.eval_on_selector_all("h1, h2", "els => els.map(e => e.textContent.trim())")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "quarterly-report-first-screen.png"))
        finally:
            browser.close()
    # data: URIs are not network requests and are not routed; anything else would be
    assert blocked == [], f"the report tried to load: {blocked}"
    assert console_errors == []
    assert "Medway" in title and "April to June 2015 (2015-16 Q1)" in title
    assert images, "no images in the report"
    for alt, width in images:
        assert alt and alt.strip()
        assert width > 0, f"an image did not load: {alt}"
    assert headings[:2] == [title, "Summary"]


def test_no_column_hidden_and_no_text_under_12_px_at_1280(report: Path):
    """At 1280 px every table's columns show without scrolling sideways and no text is smaller than 12 px, on the
    quarterly report, the index and every exception report (issue 22, point 9)."""
    from playwright.sync_api import sync_playwright

    pages = [report, report.parent / "index.html", *sorted(report.parent.glob("exceptions-*.html"))]
    found: dict[str, dict[str, list[str]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=SCREEN_1280)
            for path in pages:
                page.goto(path.resolve().as_uri(), wait_until="load")
                found[path.name] = layout_problems(page)
        finally:
            browser.close()
    assert len(found) > 2, "no exception report to measure"
    problems = {name: {k: v for k, v in seen.items() if v} for name, seen in found.items()}
    assert {name: seen for name, seen in problems.items() if seen} == {}
