"""The June 2015 dashboard in headless Chromium: a 1280 x 900 screenshot, axe WCAG 2.2 AA, and print to A4."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from layout_checks import SCREEN_1280, layout_problems

from analysis.run.pipeline import MonthlyResult

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SCREEN = {"width": 1280, "height": 900}
#: A4 landscape (297 x 210 mm) less the print style sheet's 8 mm margins, in CSS pixels (96 per inch).
PRINTABLE = {"width": round((297 - 16) / 25.4 * 96), "height": round((210 - 16) / 25.4 * 96)}
A4_LANDSCAPE_POINTS = (841.9, 595.3)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
JUNE = "2015-06"


@pytest.fixture(scope="module")
def browser(monthly_batch: MonthlyResult):
    if not CHROMIUM.is_file():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium (make browser) to run the browser test"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _axe_violations(page) -> list[str]:
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
    )
    result = axe_module.Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [f"{v['id']}: {v['nodes'][0]['target']}" for v in result.response["violations"]]


@pytest.mark.parametrize("view", ["dashboard.html", "safeguarding-board.html"])
def test_views_are_axe_clean_and_screenshot_saved(browser, monthly_batch: MonthlyResult, view: str):
    path = monthly_batch.index.parent / JUNE / view
    page = browser.new_page(viewport=SCREEN)
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        shots = path.parent / "screenshots"
        shots.mkdir(exist_ok=True)
        shot = shots / f"{path.stem}-1280x900.png"
        page.screenshot(path=str(shot))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy2(shot, ARTIFACTS / shot.name)
        assert shot.stat().st_size > 10_000
        assert _axe_violations(page) == []
        if view == "dashboard.html":
            # the headline (banner and the Board's focus areas) is on the first screen
            bottom = page.evaluate(
                "() => Math.max(...[...document.querySelectorAll('section.dash-focus')]"
                ".map(e => e.getBoundingClientRect().bottom))"
            )
            assert 0 < bottom <= SCREEN["height"]
    finally:
        page.close()


@pytest.mark.parametrize("view", ["dashboard.html", "safeguarding-board.html"])
def test_no_column_hidden_and_no_text_under_12_px_at_1280(browser, monthly_batch: MonthlyResult, view: str):
    """At 1280 px every column shows without scrolling sideways and no text is under 12 px (issue 22, point 9)."""
    page = browser.new_page(viewport=SCREEN_1280)
    try:
        page.goto((monthly_batch.index.parent / JUNE / view).resolve().as_uri(), wait_until="load")
        problems = layout_problems(page)
    finally:
        page.close()
    assert problems == {"hidden columns": [], "text under 12 px": []}


def test_dashboard_prints_on_a4_landscape_with_the_headline_on_page_one(
    browser, monthly_batch: MonthlyResult
):
    path = monthly_batch.index.parent / JUNE / "dashboard.html"
    page = browser.new_page(viewport=PRINTABLE)
    try:
        page.emulate_media(media="print")
        page.goto(path.resolve().as_uri(), wait_until="load")
        layout = page.evaluate(
            """() => ({
              width: document.documentElement.scrollWidth,
              focus: Math.max(...[...document.querySelectorAll('section.dash-focus')]
                .map(e => e.getBoundingClientRect().bottom)),
              clipped: [...document.querySelectorAll('table, svg, td, th')]
                .filter(e => e.scrollWidth > e.clientWidth + 1 && e.tagName !== 'svg').length,
            })"""
        )
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        page.close()
    assert layout["width"] <= PRINTABLE["width"], "the page is wider than A4 landscape: something is clipped"
    assert layout["clipped"] == 0
    assert layout["focus"] <= PRINTABLE["height"], "the focus areas do not fit on the first printed page"
    boxes = [
        tuple(float(n) for n in box.split()[2:4]) for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)
    ]
    assert boxes, "the PDF has no pages"
    for width, height in boxes:
        assert (width, height) == pytest.approx(A4_LANDSCAPE_POINTS, abs=1)
    (monthly_batch.index.parent / JUNE / "screenshots" / "dashboard-a4.pdf").write_bytes(pdf)
