"""The committee's PDF pack and first screen: what `analysis run` prints with headless Chromium, as a reader sees it.

Uses the session's demo run (``first_run``), which prints the PDFs when Chromium is installed.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from analysis.run.pdf import find_chromium
from analysis.run.pipeline import RunResult

REPO = Path(__file__).resolve().parents[1]
A4_POINTS = (595.3, 841.9)  # 210 x 297 mm


@pytest.fixture(scope="module")
def quarter_dir(first_run: RunResult) -> Path:
    if find_chromium() is None:
        pytest.skip("no Chromium on PATH (make browser installs Debian's): the run printed no PDF")
    return first_run.quarter_dir


def test_every_report_has_an_a4_pdf_whose_summary_ends_by_page_two(quarter_dir):
    pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (make install)")
    for page in [
        quarter_dir / "quarterly-report.html",
        *sorted(quarter_dir.glob("exceptions-*.html")),
        *sorted(quarter_dir.glob("topic-*.html")),  # the topic reports (issue 19)
    ]:
        assert page.with_suffix(".pdf").is_file(), f"no PDF for {page.name}"
    reader = pypdf.PdfReader(quarter_dir / "quarterly-report.pdf")
    for sheet in reader.pages:
        width, height = float(sheet.mediabox.width), float(sheet.mediabox.height)
        assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2, (width, height)
    first_two = " ".join(" ".join(sheet.extract_text().split()) for sheet in reader.pages[:2])
    assert "Summary by theme" in first_two
    assert "nothing needs attention this quarter" in first_two, "the summary runs past page 2"


def test_first_screens_of_the_report_and_the_index(quarter_dir, first_run):
    """Screenshots at 1280x900 (saved for the analyst): the title, banner and each theme's status show unscrolled."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    shots = quarter_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    seen = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=find_chromium(), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for name in ("quarterly-report", "index"):
                page.goto((quarter_dir / f"{name}.html").as_uri(), wait_until="load")
                page.screenshot(path=str(shots / f"{name}-first-screen.png"))
                seen[name] = page.eval_on_selector_all(
                    ".status, .demo-banner, h1",
                    "els => els.filter(e => e.getBoundingClientRect().bottom <= 900).map(e => e.textContent)",
                )
        finally:
            browser.close()
    artifacts = REPO / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    for shot in shots.glob("*.png"):
        shutil.copy2(shot, artifacts / shot.name)
    for name, texts in seen.items():
        assert any("Synthetic demonstration data" in t for t in texts), name
        statuses = [t for t in texts if t.startswith(("Needs attention", "No exceptions"))]
        assert len(statuses) >= 6, (name, statuses)  # every theme's status without scrolling


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def test_index_report_and_every_exception_and_topic_report_are_axe_clean(quarter_dir):
    """axe-core with the WCAG 2.2 AA rule set finds no violation on any page the committee reads."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
    )
    pages = [
        quarter_dir / "index.html",
        quarter_dir / "quarterly-report.html",
        *sorted(quarter_dir.glob("exceptions-*.html")),
        *sorted(quarter_dir.glob("topic-*.html")),  # the topic reports (issue 19)
    ]
    assert len(pages) > 2, "the demo quarter has no exception report"
    found: dict[str, list[str]] = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=find_chromium(), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for path in pages:
                page.goto(path.as_uri(), wait_until="load")
                result = axe_module.Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
                found[path.name] = [
                    f"{v['id']}: {[node['target'] for node in v['nodes'][:3]]}"
                    for v in result.response["violations"]
                ]
        finally:
            browser.close()
    assert {name: v for name, v in found.items() if v} == {}


def _words(text: str) -> str:
    """Text as compared across HTML and PDF: ligatures spelt out, curly apostrophes straight, single spaces."""
    for ligature, letters in {"ﬁ": "fi", "ﬀ": "ff", "ﬂ": "fl", "ﬃ": "ffi", "\u2019": "'"}.items():
        text = text.replace(ligature, letters)
    return " ".join(text.split())


def _headings(page: Path) -> set[str]:
    """The page's headings (h1 to h4) and table captions, as words."""
    found = re.findall(r"<(h[1-4]|caption)\b[^>]*>(.*?)</\1>", page.read_text(encoding="utf-8"), re.S)
    return {_words(html.unescape(re.sub(r"<[^>]+>", "", body))) for _, body in found} - {""}


def stranded_headings(pdf: Path, headings: set[str]) -> list[tuple[int, str]]:
    """(page number, heading) for each page but the last whose last lines, in reading layout, are a heading or a
    table's caption: what it introduces is on the next page."""
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(
        logging.ERROR
    )  # "Rotated text discovered" from the charts' axis labels
    reader = pypdf.PdfReader(pdf)
    found = []
    for number, sheet in enumerate(reader.pages[:-1], start=1):
        lines = [line for line in sheet.extract_text(extraction_mode="layout").splitlines() if line.strip()]
        tail = _words(" ".join(lines[-4:]))  # a heading may wrap onto a few lines
        found.extend((number, heading) for heading in sorted(headings) if tail.endswith(heading))
    return found


def test_no_pdf_page_ends_with_a_heading(quarter_dir):
    """In every PDF a heading or a table's caption is kept with what follows it (issue 22, point 9)."""
    pytest.importorskip("pypdf", reason="pypdf is not installed (make install)")
    pages = [quarter_dir / "quarterly-report.html", *sorted(quarter_dir.glob("exceptions-*.html"))]
    found = {page.name: stranded_headings(page.with_suffix(".pdf"), _headings(page)) for page in pages}
    assert all(_headings(page) for page in pages)
    assert {name: pages for name, pages in found.items() if pages} == {}


def test_no_exception_item_is_split_across_pdf_pages(quarter_dir):
    """Each exception's heading and its whole bullet list (why it is here, figures, response) are on one page."""
    pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (make install)")
    split, items = [], 0
    for page in sorted(quarter_dir.glob("exceptions-*.html")):
        sheets = [_words(sheet.extract_text()) for sheet in pypdf.PdfReader(page.with_suffix(".pdf")).pages]
        for heading, bullets in re.findall(r"<h3[^>]*>(.*?)</h3>\s*<ul>(.*?)</ul>", page.read_text(), re.S):
            start = _words(html.unescape(re.sub(r"<[^>]+>", " ", heading)))[:40]
            last = re.findall(r"<li>(.*?)</li>", bullets, re.S)[-1]
            end = _words(html.unescape(re.sub(r"<[^>]+>", " ", last)))[-40:]
            # One page holds the heading and the list's end. (Not "the first page naming the heading": an indicator's
            # "What is being done" names its actions, whose own items come later.)
            if not any(start in sheet and end in sheet for sheet in sheets):
                split.append(f"{page.name}: {start}")
            items += 1
    assert items > 0, "the demo quarter has no exception item"
    assert split == []
