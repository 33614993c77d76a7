"""Reports made from hostile commentary and tracker text, opened in headless Chromium: nothing runs, nothing loads.

The commentary (Markdown) and the action tracker's "Action", "Lead" and "Latest update" cells are filled with
script, event-handler, ``javascript:``, iframe and remote-image payloads; the off-track action puts them in the
theme's exception report too. Every page must open with no dialog, no console error and no request, and show the
payloads as the text that was typed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_project

from analysis.paths import ProjectPaths
from analysis.run.pipeline import RunResult, run_pipeline

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
EVIL = "https://evil.example"
PAYLOADS = [
    "<script>alert('script')</script>",
    "<img src=x onerror=\"alert('img')\">",
    "<svg onload=\"alert('svg')\"></svg>",
    f'<iframe src="{EVIL}/frame"></iframe>',
    "[click me](javascript:alert('link'))",
    f'<a href="javascript:alert(1)">raw link</a> <a href="{EVIL}/away">away</a>',
    f"![pixel]({EVIL}/pixel.png)",
    f'<img src="{EVIL}/remote.png">',
    f'<link rel="stylesheet" href="{EVIL}/style.css"><style>body{{background:url({EVIL}/bg.png)}}</style>',
    "<body onload=\"alert('body')\"><details open ontoggle=\"alert('toggle')\">",
]
PAYLOAD_TEXT = " ".join(PAYLOADS)


@pytest.fixture(scope="module")
def hostile_reports(
    first_run: RunResult, demo_project: ProjectPaths, tmp_path_factory: pytest.TempPathFactory
) -> list[Path]:
    """A run of a copy of the demo with payloads in the commentary and the tracker: its report pages."""
    if not CHROMIUM.is_file():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium (make browser) to run the browser test"
        )
    pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    from openpyxl import load_workbook

    paths = copy_project(demo_project, tmp_path_factory.mktemp("hostile") / "project")
    commentary = paths.raw / "commentary" / f"{first_run.quarter}.md"
    lines = []
    for line in commentary.read_text(encoding="utf-8").splitlines():
        lines.append(line)
        if line.startswith(("## ", "### ")):
            lines += ["", PAYLOAD_TEXT, ""]
    commentary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tracker = paths.raw / "action_tracker.xlsx"
    workbook = load_workbook(tracker)
    sheet = workbook["Actions"]
    headings = {c.value: c.column for c in sheet[1]}
    sheet.cell(row=2, column=headings["Status"], value="Off track")
    for heading in ("Action", "Lead", "Latest update"):
        sheet.cell(row=2, column=headings[heading], value=f"{heading}: {PAYLOAD_TEXT}")
    workbook.save(tracker)
    result = run_pipeline(paths, jobs=2, renderer="builtin")
    theme_one = sorted(result.quarter_dir.glob("exceptions-1-*.html"))
    return [result.report_path, *theme_one]


def _only(url: str, problems: list[str]):
    """A route handler that lets the page itself load and records (and blocks) every other request."""

    def route(request_route) -> None:
        if request_route.request.url == url:
            request_route.continue_()
        else:
            problems.append(f"request {request_route.request.url}")
            request_route.abort()

    return route


def test_hostile_text_neither_runs_nor_loads_anything(hostile_reports: list[Path]) -> None:
    from playwright.sync_api import sync_playwright

    assert len(hostile_reports) == 2
    problems: list[str] = []
    texts: dict[str, str] = {}
    counts: dict[str, int] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for report in hostile_reports:
                url = report.resolve().as_uri()
                page = browser.new_page()

                page.route("**/*", _only(url, problems))
                page.on(
                    "dialog", lambda dialog: (problems.append(f"dialog {dialog.message}"), dialog.dismiss())
                )
                page.on(
                    "console",
                    lambda message: (
                        problems.append(f"console {message.text}") if message.type == "error" else None
                    ),
                )
                page.on("pageerror", lambda error: problems.append(f"page error {error}"))
                page.goto(url, wait_until="load")
                page.wait_for_timeout(300)  # let any onload/ontoggle handler fire if one had survived
                for link in page.query_selector_all("a[href]"):
                    href = link.get_attribute("href") or ""
                    if href.lower().startswith("javascript:") or href.startswith(("http:", "https:", "//")):
                        problems.append(f"link {href}")
                counts[report.name] = page.eval_on_selector_all(
                    "script, iframe, object, embed, link, style:not(head style)", "els => els.length"
                )
                texts[report.name] = page.inner_text("body")
                page.close()
        finally:
            browser.close()
    assert problems == []
    for name, text in texts.items():
        assert counts[name] == 0, name
        assert "<script>alert('script')</script>" in text, f"{name}: the payload is not shown as text"
    assert any("Latest update: <script>" in text for text in texts.values())
    for report in hostile_reports:
        html = report.read_text(encoding="utf-8")
        assert 'http-equiv="Content-Security-Policy"' in html and "default-src 'none'" in html
