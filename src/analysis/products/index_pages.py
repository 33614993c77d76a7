"""The quarter's index page, as HTML and as a Quarto document: each theme's status, the reports, the audit trail."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import nbformat

from analysis.methods.quarters import Quarter
from analysis.products.executed_notebooks import (
    EXCEPTION_REPORTS,
    QUARTERLY_REPORT,
    TOPIC_REPORTS,
    notebook_title,
    report_notebooks,
)
from analysis.products.html_pages import PAGE_HEAD, STYLESHEET, raw_html_markdown
from analysis.safe_text import html_text

PIPELINE_NOTEBOOKS = (
    ("01-clean.ipynb", "Cleaning: what was read, fixed and set aside"),
    ("02-validate.ipynb", "Data checks (Great Expectations)"),
    ("03-analyse.ipynb", "Analysis: indicators, statistical process control, benchmarks, exceptions"),
)
DATA_DOCS = "data-docs"


#: (theme label, status in words, CSS class) per theme, for the index page (analysis.products.presentation.theme_statuses).
ThemeStatuses = Sequence[tuple[str, str, str]]


def _exception_link_text(notebook: Path) -> str:
    node = nbformat.read(notebook, as_version=4)
    title = notebook_title(node)
    if title:
        return title
    stem = notebook.stem.removeprefix("exceptions-")
    number, _, slug = stem.partition("-")
    return f"Exception report, theme {number}: {slug.replace('-', ' ').capitalize()}"


def _index_parts(
    quarter_dir: Path,
    *,
    authority_name: str,
    quarter: Quarter,
    banner: str = "",
    statuses: ThemeStatuses = (),
) -> tuple[str, str]:
    """The index page's title and body: the banner, each theme's status, the reports, then the audit trail."""
    title = f"{authority_name} children's services reports: {quarter.name}"
    reports = []
    if (quarter_dir / QUARTERLY_REPORT).is_file():
        reports.append(("quarterly-report.html", "Quarterly performance report"))
    exception_reports = sorted(quarter_dir.glob(EXCEPTION_REPORTS))
    for notebook in exception_reports:
        reports.append((notebook.with_suffix(".html").name, _exception_link_text(notebook)))
    for notebook in sorted(quarter_dir.glob(TOPIC_REPORTS)):
        text = notebook_title(nbformat.read(notebook, as_version=4))
        text = text or f"Topic report: {notebook.stem.removeprefix('topic-').replace('-', ' ').capitalize()}"
        reports.append((notebook.with_suffix(".html").name, text))
    audit = [(name, text) for name, text in PIPELINE_NOTEBOOKS if (quarter_dir / name).is_file()]
    audit += [
        (notebook.name, f"The executed notebook of {name.lower()}")
        for notebook, (_, name) in zip(report_notebooks(quarter_dir), reports, strict=False)
    ]
    docs = quarter_dir / DATA_DOCS
    if docs.is_dir():
        target = f"{DATA_DOCS}/index.html" if (docs / "index.html").is_file() else f"{DATA_DOCS}/"
        audit.append((target, "Data Docs: every data check and its result"))
    if (quarter_dir / "manifest.json").is_file():
        audit.append(
            (
                "manifest.json",
                "The run's record: input files and their checksums, software versions and settings",
            )
        )

    months = _month_pages(quarter_dir, quarter)

    def items(links: list[tuple[str, str]]) -> str:
        return "".join(f'<li><a href="{html_text(h)}">{html_text(t)}</a></li>' for h, t in links)

    status_part = ""
    if statuses:
        pdf = (quarter_dir / "quarterly-report.pdf").is_file()
        rows = "".join(
            f'<tr><th scope="row">{html_text(label)}</th><td class="{html_text(css)}">{html_text(words)}</td>'
            + (
                f'<td><a href="{html_text(page.with_suffix(".html").name)}">Theme {number} exception report</a></td>'
                if (page := _theme_report(exception_reports, number))
                else "<td>–</td>"
            )
            + "</tr>"
            for number, (label, words, css) in enumerate(statuses, start=1)
        )
        caption = f"Status by theme, {html_text(quarter.name)}"
        status_part = (
            "<h2>How each theme is doing</h2>"
            f'<div class="table-wrap" role="region" tabindex="0" aria-label="{caption}">'
            '<table class="report-table" data-quarto-disable-processing="true">'
            f"<caption>{caption}</caption><thead><tr>"
            '<th scope="col">Theme</th><th scope="col">Status</th><th scope="col">Report</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>"
            + ('<p><a href="quarterly-report.pdf">The quarterly report as a PDF (A4)</a></p>' if pdf else "")
        )
    audit_part = (
        "<h2>Audit trail</h2><p>For the analyst: how every figure was made. The executed notebooks open in "
        f"Jupyter; the data checks and the run's provenance are here too.</p><ul>{items(audit)}</ul>"
        if audit
        else ""
    )
    body = (
        f'{banner}<nav class="report-index" aria-label="Reports">{status_part}'
        f"<h2>Reports</h2><ul>{items(reports)}</ul>"
        + (f"<h2>Monthly dashboards</h2><ul>{items(months)}</ul>" if months else "")
        + f"{audit_part}</nav>"
    )
    return title, body


#: The pages a month's run publishes in ``reports/<YYYY-MM>/`` (analysis.run.monthly), and how the index names them.
MONTH_PAGES = (
    ("dashboard.html", "Improvement Board dashboard"),
    ("safeguarding-board.html", "Safeguarding board dataset"),
)


def _month_pages(quarter_dir: Path, quarter: Quarter) -> list[tuple[str, str]]:
    """Links to the quarter's monthly dashboards published beside it (``../<YYYY-MM>/``) when the index is made."""
    links = []
    for month in quarter.months:
        folder = quarter_dir.parent / f"{month:%Y-%m}"
        links += [
            (f"../{folder.name}/{page}", f"{words}, {month:%B %Y}")
            for page, words in MONTH_PAGES
            if (folder / page).is_file()
        ]
    return links


def _theme_report(exception_reports: list[Path], number: int) -> Path | None:
    """The exception report of theme ``number`` (``exceptions-<number>-<slug>.ipynb``), if there is one."""
    return next((p for p in exception_reports if p.stem.split("-")[1] == str(number)), None)


def index_html(
    quarter_dir: Path,
    *,
    authority_name: str,
    quarter: Quarter,
    banner: str = "",
    statuses: ThemeStatuses = (),
) -> str:
    """The quarter's index page: each theme's status, the reports, and the analyst's audit trail."""
    title, body = _index_parts(
        quarter_dir, authority_name=authority_name, quarter=quarter, banner=banner, statuses=statuses
    )
    css = STYLESHEET.read_text(encoding="utf-8")
    return (
        PAGE_HEAD + f"<title>{html_text(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
        f'<main class="report"><h1>{html_text(title)}</h1>\n{body}</main>\n</body>\n</html>\n'
    )


def index_document(
    quarter_dir: Path,
    *,
    authority_name: str,
    quarter: Quarter,
    banner: str = "",
    statuses: ThemeStatuses = (),
) -> str:
    """The index page as a Quarto document (``index.qmd``): the same title and body as :func:`index_html`.

    The title is given as a JSON string (a YAML double-quoted scalar) with its punctuation escaped, and the body as
    a raw HTML block, so neither is read as Markdown: Pandoc reads metadata as Markdown, and would make the
    apostrophe of "children's" typographic, unlike the reports' headings. The page is as wide as the built-in
    index (Quarto's ``page-layout: full``): it has no contents list to keep a margin for.
    """
    title, body = _index_parts(
        quarter_dir, authority_name=authority_name, quarter=quarter, banner=banner, statuses=statuses
    )
    literal = json.dumps(re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", title))  # every ASCII punctuation escaped
    return (
        f"---\ntitle: {literal}\npagetitle: {literal}\ntoc: false\npage-layout: full\n---\n\n"
        f"{raw_html_markdown(body)}\n"
    )
