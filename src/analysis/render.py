"""Render the executed report notebooks to self-contained HTML: with Quarto when it is installed, else built-in.

Both renderers show the same thing, because everything a reader sees is a cell *output*: headings and text are
Markdown outputs, and tables and figures are raw HTML blocks inside Markdown outputs (:func:`raw_html_markdown`;
figures as ``<figure><img alt><figcaption>`` with the SVG in a ``data:`` URI), never ``text/html`` outputs, which
would make Quarto load scripts from a CDN. Neither shows code.

- Built-in: nbconvert's ``HTMLExporter`` with the project's own template (``templates/report/``): no input cells,
  no prompts, no script, style sheet or font from the network, ``lang="en-GB"``, a ``<title>``, one inline style
  sheet (``templates/report/report.css``, also used by Quarto through ``_quarto.yml``).
- Quarto, as the analyst runs it: ``quarto render`` at the project root; its pre-render runs the pipeline with
  ``--renderer none`` and ends with :func:`prepare_quarto_render` (the index as ``index.qmd`` and the render list).
- Quarto from ``analysis run --renderer quarto``: ``quarto render <notebook>`` in the project, one notebook at a time (Quarto is not safe to run
  concurrently in one project). Quarto does not execute an ``.ipynb`` unless asked (Quarto docs, "Jupyter":
  "when rendering an .ipynb Quarto will not execute the cells within the notebook by default"); ``--no-execute``
  makes that explicit.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from analysis.errors import NotebookFailed
from analysis.io import atomic_path
from analysis.quarters import Quarter

logger = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
REPORT_TEMPLATE = "report"
STYLESHEET = TEMPLATES_DIR / REPORT_TEMPLATE / "report.css"
#: What a page the project writes may load: nothing from anywhere, only its own inline styles and data: images
#: and fonts (the report template ``templates/report/index.html.j2`` carries the same policy).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; "
    "form-action 'none'"
)
#: The ``<head>`` start of every page the project writes itself (index pages): charset, viewport and the policy.
PAGE_HEAD = (
    '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
    f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
)
QUARTERLY_REPORT = "quarterly-report.ipynb"
EXCEPTION_REPORTS = "exceptions-*.ipynb"
PIPELINE_NOTEBOOKS = (
    ("01-clean.ipynb", "Cleaning: what was read, fixed and set aside"),
    ("02-validate.ipynb", "Data checks (Great Expectations)"),
    ("03-analyse.ipynb", "Analysis: indicators, SPC, benchmarks, exceptions"),
)
DATA_DOCS = "data-docs"
INDEX_DOCUMENT = "index.qmd"
LATEST_MONTH = "latest-month"
#: The render list written by the pre-render, relative to the Quarto project (``metadata-files`` in _quarto.yml).
QUARTO_RENDER_LIST = "reports/quarto-render.yml"
RENDERERS = ("auto", "quarto", "builtin")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Headless printing offline: no sandbox (root in containers), no GPU, no background network, no first-run UI.
CHROMIUM_ARGUMENTS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
)
PDF_TIMEOUT_SECONDS = 180
PAGE_MODE = 0o644
#: Options given to Quarto on the command line too, so that a notebook outside the project renders the same.
QUARTO_OPTIONS = ("embed-resources:true", "toc:true", "lang:en-GB", "echo:false", "html-math-method:plain")

_HEADING_1 = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)
#: A Markdown output that is one ATX heading.
_HEADING = re.compile(r"\A(?P<hashes>#{1,6})\s+(?P<text>[^\n]+?)\s*\Z")
#: A Markdown output that is exactly one fenced raw HTML block (what :func:`raw_html_markdown` writes).
_RAW_HTML_BLOCK = re.compile(r"\A(?P<fence>`{3,})\{=html\}\n(?P<html>.*)\n(?P=fence)\s*\Z", re.DOTALL)


# ------------------------------------------------------------------------------------------ raw HTML blocks
def raw_html_markdown(markup: str) -> str:
    """HTML as Markdown: one fenced block with Pandoc's ``{=html}`` raw attribute, passed through unchanged.

    Notes
    -----
    Quarto adds ``<script src>`` tags for require.js and jQuery from a CDN to the page made from any notebook
    with a ``text/html`` or ``application/javascript`` display output (quarto-cli ``src/core/jupyter/widgets.ts``,
    ``extractJupyterWidgetDependencies``, which looks only at the output's MIME types): a report whose tables are
    ``text/html`` reaches for the internet, and offline pandoc prints "Could not fetch resource". As Markdown
    output with a raw block, nothing is added: Pandoc copies a fenced block with the ``{=html}`` raw attribute
    verbatim into HTML output (Pandoc manual, "Extension: raw_attribute"; Quarto's own ``mdHtmlOutput`` in
    ``src/core/jupyter/jupyter.ts`` wraps ``text/html`` outputs the same way), and the built-in renderer turns the
    block back into HTML output (:func:`raw_html`). The fence is longer than any run of backticks in the markup,
    as CommonMark requires of a fenced block.
    """
    longest = max((len(run) for run in re.findall(r"`+", markup)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{{=html}}\n{markup}\n{fence}"


def raw_html(markdown: str) -> str | None:
    """The HTML of a Markdown output that is one raw HTML block (:func:`raw_html_markdown`), else ``None``."""
    match = _RAW_HTML_BLOCK.match(markdown)
    return match.group("html") if match else None


def heading_id(text: str, seen: dict[str, int]) -> str:
    """An ``id`` for a heading as Pandoc makes it (extension ``auto_identifiers``), unique within the page.

    Lower case; letters, digits, ``_``, ``-`` and ``.`` kept; spaces to hyphens; everything up to the first letter
    dropped; ``section`` if nothing is left; ``-1``, ``-2``... for repeats (Pandoc manual, "Extension:
    auto_identifiers").
    """
    kept = "".join(c for c in text.lower() if c.isalnum() or c in "_-. ").replace(" ", "-")
    kept = re.sub(r"^[^a-z]+", "", kept) or "section"
    count = seen.get(kept, 0)
    seen[kept] = count + 1
    return kept if count == 0 else f"{kept}-{count}"


def _headings_with_ids(notebook: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """For nbconvert: give each heading output an ``id`` and return the contents (level, id, text) of h2 and h3.

    Quarto gives headings Pandoc's identifiers and lists them in its "Contents"; this gives the built-in page the
    same identifiers and the same list.
    """
    from nbconvert.filters import markdown2html

    seen: dict[str, int] = {}
    contents = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            markdown = output.get("data", {}).get("text/markdown")
            if markdown is None:
                continue
            match = _HEADING.match(markdown if isinstance(markdown, str) else "".join(markdown))
            if match is None:
                continue
            level = len(match.group("hashes"))
            inner = re.sub(r"^<p>|</p>\s*$", "", markdown2html(match.group("text")).strip())
            text = html.unescape(re.sub(r"<[^>]+>", "", inner))
            identifier = heading_id(text, seen)
            output["data"] = {"text/html": f'<h{level} id="{identifier}">{inner}</h{level}>'}
            if level in (2, 3):
                contents.append((level, identifier, text))
    return contents


def _raw_blocks_as_html(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """For nbconvert: each Markdown output that is one raw HTML block becomes the same HTML as HTML output.

    nbconvert's Markdown converter would show a ``{=html}`` block as code; Pandoc (Quarto) passes it through. With
    this the two renderers put the same markup in the page.
    """
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            markdown = data.get("text/markdown")
            if markdown is None:
                continue
            markup = raw_html(markdown if isinstance(markdown, str) else "".join(markdown))
            if markup is not None:
                output["data"] = {"text/html": markup}
    return notebook


def quarto_available() -> bool:
    """Whether the Quarto CLI is on PATH."""
    return shutil.which("quarto") is not None


# ----------------------------------------------------------------------------------------- notebook checks
def notebook_error(notebook: nbformat.NotebookNode) -> str | None:
    """The first cell error in an executed notebook, as ``cell N: Name: message``, or ``None``."""
    code_cells = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        code_cells += 1
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return (
                    f"cell {code_cells}: {output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
                )
    return None


def notebook_title(notebook: nbformat.NotebookNode) -> str | None:
    """The report's title: the first level-1 Markdown heading among the outputs (or Markdown cells)."""
    for cell in notebook.cells:
        sources: list[str] = []
        if cell.cell_type == "markdown":
            sources.append(cell.source)
        for output in cell.get("outputs", []):
            markdown = output.get("data", {}).get("text/markdown")
            if markdown:
                sources.append(markdown if isinstance(markdown, str) else "".join(markdown))
        for source in sources:
            match = _HEADING_1.search(source)
            if match:
                return match.group(1)
    return None


def _read_executed(notebook: Path) -> nbformat.NotebookNode:
    node = nbformat.read(notebook, as_version=4)
    error = notebook_error(node)
    if error:
        raise NotebookFailed(
            f"{notebook}: the notebook stopped with an error in {error}; fix it and run again"
        )
    stderr = sum(
        1
        for cell in node.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    )
    if stderr:
        logger.warning(
            "%s wrote %d messages to stderr; they are left out of the report", notebook.name, stderr
        )
    return node


# ---------------------------------------------------------------------------------------------- built-in
def _write_page(target: Path, text: str) -> None:
    """Write an HTML page atomically, readable by all (it is e-mailed or published; nothing personal in it)."""
    with atomic_path(target) as temporary:
        temporary.write_text(text, encoding="utf-8")
        temporary.chmod(PAGE_MODE)


def render_notebook_html(notebook: Path, html_path: Path, *, title: str) -> Path:
    """Render an executed notebook to one self-contained, code-free HTML file with the project's template.

    Parameters
    ----------
    notebook : Path
        An executed notebook (papermill output).
    html_path : Path
        Where to write the HTML (atomically).
    title : str
        The page's ``<title>``.

    Returns
    -------
    Path
        ``html_path``.

    Raises
    ------
    NotebookFailed
        If a cell of the notebook raised an error (the reader must never see a traceback).
    """
    from nbconvert import HTMLExporter

    node = _raw_blocks_as_html(_read_executed(Path(notebook)))
    contents = _headings_with_ids(node)
    exporter = HTMLExporter(
        template_name=REPORT_TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    resources = {
        "report_title": title,
        "report_css": STYLESHEET.read_text(encoding="utf-8"),
        "report_contents": contents,
    }
    body, _ = exporter.from_notebook_node(node, resources=resources)
    html_path = Path(html_path)
    _write_page(html_path, body)
    logger.info("Rendered %s (%d kB)", html_path.name, len(body.encode("utf-8")) // 1024)
    return html_path


# ------------------------------------------------------------------------------------------------ Quarto
def find_quarto_project(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``_quarto.yml``."""
    for folder in (start, *start.parents):
        if (folder / "_quarto.yml").is_file():
            return folder
    return None


def quarto_command(notebook: Path, *, title: str | None) -> list[str]:
    """The ``quarto render`` command for one executed notebook (no execution, HTML, settings repeated)."""
    command = ["quarto", "render", str(notebook), "--to", "html", "--no-execute"]
    for option in (*QUARTO_OPTIONS, f"css:{json.dumps(str(STYLESHEET))}"):
        command += ["--metadata", option]
    if title:
        # A JSON string is a YAML double-quoted scalar: a title with ': ' in it stays one string.
        command += ["--metadata", f"pagetitle:{json.dumps(title)}"]
    return command


def render_with_quarto(notebooks: list[Path], *, project_dir: Path) -> None:
    """Render executed notebooks with the Quarto CLI, one after another, from the project folder.

    Each ``<name>.ipynb`` becomes ``<name>.html`` beside it (project type ``default`` with no ``output-dir``).
    The project's ``pre-render`` (the pipeline) runs only when the whole project is rendered
    (``QUARTO_PROJECT_RENDER_ALL``; Quarto docs, "Project Scripts"), so rendering single files here does not
    start the pipeline again.

    Raises
    ------
    NotebookFailed
        If Quarto exits with an error (the message carries Quarto's stderr) or a notebook holds a cell error.
    """
    for notebook in notebooks:
        notebook = Path(notebook).resolve()
        title = notebook_title(_read_executed(notebook))
        command = quarto_command(notebook, title=title)
        logger.info("quarto render %s", notebook.name)
        result = subprocess.run(command, cwd=project_dir, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise NotebookFailed(
                f"Quarto could not render {notebook} (exit code {result.returncode}):\n{result.stderr.strip()}"
            )


# -------------------------------------------------------------------------------------------------- PDF
def find_chromium() -> str | None:
    """A Chromium or Chrome on PATH (``$ANALYSIS_CHROMIUM`` names another), or ``None``."""
    override = os.environ.get("ANALYSIS_CHROMIUM")
    if override:
        return override if Path(override).is_file() else shutil.which(override)
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def print_pdf(page: Path, pdf_path: Path, *, chromium: str) -> Path:
    """Print an HTML page to PDF with headless Chromium, as "Save as PDF" would, on A4 (the page's ``@page``).

    Chromium's ``--print-to-pdf`` uses the page's print style sheet (``report.css``: A4, charts and table rows kept
    whole); ``--no-pdf-header-footer`` leaves out the file path and date Chromium would print in the margins.
    Written atomically: a failed print leaves no partial file.

    Raises
    ------
    NotebookFailed
        If Chromium exits with an error or writes nothing.
    """
    page, pdf_path = Path(page).resolve(), Path(pdf_path)
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile, atomic_path(pdf_path) as temporary:
        command = [
            chromium,
            "--headless",
            *CHROMIUM_ARGUMENTS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={temporary}",
            page.as_uri(),
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=PDF_TIMEOUT_SECONDS, check=False
        )
        if done.returncode != 0 or temporary.stat().st_size == 0:
            raise NotebookFailed(
                f"Chromium could not print {page.name} to PDF (exit code {done.returncode}): "
                f"{done.stderr.strip()[-500:]}"
            )
        temporary.chmod(PAGE_MODE)
    return pdf_path


def write_pdfs(pages: list[Path], *, jobs: int = 2) -> list[Path]:
    """Print each report page to a PDF beside it (``quarterly-report.pdf``...) when Chromium is available.

    The committee receives a PDF pack as often as HTML. Without Chromium the PDFs are skipped with a notice; a
    page that cannot be printed is logged and its old PDF removed, so no PDF is older than its page.
    """
    chromium = find_chromium()
    if chromium is None:
        logger.info("No Chromium found: the PDFs are not written (install chromium to have them)")
        return []

    def one(page: Path) -> Path | None:
        try:
            return print_pdf(page, page.with_suffix(".pdf"), chromium=chromium)
        except (NotebookFailed, OSError, subprocess.TimeoutExpired) as error:
            page.with_suffix(".pdf").unlink(missing_ok=True)
            logger.warning("No PDF for %s: %s", page.name, error)
            return None

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        written = [pdf for pdf in pool.map(one, pages) if pdf is not None]
    logger.info("Printed %d PDF%s with %s", len(written), "" if len(written) == 1 else "s", chromium)
    return written


# ------------------------------------------------------------------------------------------ the batch
def report_notebooks(quarter_dir: Path) -> list[Path]:
    """The executed report notebooks in a quarter's folder: the quarterly report, then each exception report."""
    quarter_dir = Path(quarter_dir)
    found = [quarter_dir / QUARTERLY_REPORT] if (quarter_dir / QUARTERLY_REPORT).is_file() else []
    return found + sorted(quarter_dir.glob(EXCEPTION_REPORTS))


def choose_renderer(renderer: str) -> str:
    """``quarto`` or ``built-in`` for a requested renderer (``auto``: Quarto if on PATH)."""
    if renderer not in RENDERERS:
        raise ValueError(f"renderer {renderer!r} is not one of {', '.join(RENDERERS)}")
    if renderer == "quarto":
        if not quarto_available():
            raise NotebookFailed(
                "renderer 'quarto' was asked for but quarto is not on PATH; install Quarto 1.5+"
            )
        return "quarto"
    if renderer == "auto" and quarto_available():
        return "quarto"
    return "built-in"


def render_reports(
    quarter_dir: Path,
    *,
    renderer: str = "auto",
    authority_name: str,
    quarter_label: str,
    pdf: bool = True,
    banner: str = "",
    statuses: ThemeStatuses = (),
) -> str:
    """Render every executed report notebook in ``quarter_dir`` to HTML beside it, and write ``index.html``.

    Parameters
    ----------
    quarter_dir : Path
        Folder holding ``quarterly-report.ipynb`` and ``exceptions-<n>-<slug>.ipynb`` (executed).
    renderer : {"auto", "quarto", "builtin"}
        ``auto`` uses Quarto when it is on PATH, else the built-in renderer.
    authority_name, quarter_label : str
        For titles (``quarter_label`` like ``2015-16-Q1``).
    pdf : bool
        Also print each report to PDF with headless Chromium, when it is installed (:func:`write_pdfs`).
    banner, statuses : str, sequence of (theme, status, CSS class)
        The synthetic-data banner (HTML) and each theme's status, for the index page.

    Returns
    -------
    str
        The renderer used: ``"quarto"`` or ``"built-in"``.
    """
    quarter_dir = Path(quarter_dir)
    notebooks = report_notebooks(quarter_dir)
    if not notebooks:
        raise FileNotFoundError(
            f"{quarter_dir} holds no executed report notebooks ({QUARTERLY_REPORT}, {EXCEPTION_REPORTS})"
        )
    quarter = Quarter.parse(quarter_label)
    used = choose_renderer(renderer)
    if used == "quarto":
        project = find_quarto_project(quarter_dir.resolve()) or quarter_dir.resolve()
        render_with_quarto(notebooks, project_dir=project)
    else:
        for notebook in notebooks:
            node = nbformat.read(notebook, as_version=4)
            title = (
                notebook_title(node)
                or f"{authority_name} children's services: {notebook.stem}, {quarter.name}"
            )
            render_notebook_html(notebook, notebook.with_suffix(".html"), title=title)
    if pdf:
        write_pdfs([notebook.with_suffix(".html") for notebook in notebooks])
    _write_page(
        quarter_dir / "index.html",
        index_html(
            quarter_dir, authority_name=authority_name, quarter=quarter, banner=banner, statuses=statuses
        ),
    )
    return used


def _exception_link_text(notebook: Path) -> str:
    node = nbformat.read(notebook, as_version=4)
    title = notebook_title(node)
    if title:
        return title
    stem = notebook.stem.removeprefix("exceptions-")
    number, _, slug = stem.partition("-")
    return f"Exception report, theme {number}: {slug.replace('-', ' ').capitalize()}"


#: (theme label, status in words, CSS class) per theme, for the index page (analysis.reporting.theme_statuses).
ThemeStatuses = Sequence[tuple[str, str, str]]


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
        audit.append(("manifest.json", "Provenance: input files and their SHA-256, versions, parameters"))

    def items(links: list[tuple[str, str]]) -> str:
        return "".join(f'<li><a href="{html.escape(h)}">{html.escape(t)}</a></li>' for h, t in links)

    status_part = ""
    if statuses:
        pdf = (quarter_dir / "quarterly-report.pdf").is_file()
        rows = "".join(
            f'<tr><th scope="row">{html.escape(label)}</th><td class="{html.escape(css)}">{html.escape(words)}</td>'
            + (
                f'<td><a href="{html.escape(page.with_suffix(".html").name)}">Theme {number} exception report</a></td>'
                if (page := _theme_report(exception_reports, number))
                else "<td>–</td>"
            )
            + "</tr>"
            for number, (label, words, css) in enumerate(statuses, start=1)
        )
        caption = f"Status by theme, {html.escape(quarter.name)}"
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
        f"<h2>Reports</h2><ul>{items(reports)}</ul>{audit_part}</nav>"
    )
    return title, body


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
        PAGE_HEAD + f"<title>{html.escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
        f'<main class="report"><h1>{html.escape(title)}</h1>\n{body}</main>\n</body>\n</html>\n'
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

    The title is given as a JSON string (a YAML double-quoted scalar) and the body as a raw HTML block, so neither
    is read as Markdown.
    """
    title, body = _index_parts(
        quarter_dir, authority_name=authority_name, quarter=quarter, banner=banner, statuses=statuses
    )
    return (
        f"---\ntitle: {json.dumps(title)}\npagetitle: {json.dumps(title)}\ntoc: false\n---\n\n"
        f"{raw_html_markdown(body)}\n"
    )


# --------------------------------------------------------------------------------------- Quarto pre-render
def prepare_quarto_render(
    quarter_dir: Path,
    *,
    authority_name: str,
    quarter_label: str,
    banner: str = "",
    statuses: ThemeStatuses = (),
) -> Path | None:
    """Write what ``quarto render`` then renders: the index as ``index.qmd`` and the project's render list.

    Quarto's pre-render (``analysis run --renderer none``) ends here. The render list names the quarter's real
    folder, never ``reports/latest``: Quarto expands the render list's globs without following symbolic links
    (quarto-cli ``src/core/path.ts``, ``resolvePathGlobs``; ``src/project/project-context.ts`` walks with
    ``followSymlinks: false``), so ``reports/latest/exceptions-*.ipynb`` matched nothing. It is written to
    ``reports/quarto-render.yml``, which ``_quarto.yml`` merges in with ``metadata-files`` (a missing file is
    skipped: quarto-cli ``src/config/metadata.ts``, ``includedMetadata``), and Quarto reads the project's
    configuration again after the pre-render (``src/command/render/project.ts``, ``renderProject``; Quarto docs,
    "Project Scripts"). Listing the files rather than a glob renders this quarter and nothing else. Every page is
    listed, also when it is up to date: a file outside the render list is rendered by ``quarto render <file>``
    without the project's settings (no ``lang``, style sheet or offline maths), so the list must keep them all.

    Returns
    -------
    Path or None
        The render list written, or ``None`` when ``quarter_dir`` is not inside a Quarto project.
    """
    quarter_dir = Path(quarter_dir).resolve()
    project = find_quarto_project(quarter_dir)
    if project is None:
        logger.info("%s is not in a Quarto project: no render list written", quarter_dir)
        return None
    quarter = Quarter.parse(quarter_label)
    index = index_document(
        quarter_dir, authority_name=authority_name, quarter=quarter, banner=banner, statuses=statuses
    )
    document = quarter_dir / INDEX_DOCUMENT
    if not document.is_file() or document.read_text(encoding="utf-8") != index:  # unchanged: keep its time
        _write_page(document, index)
    inputs = [document, *report_notebooks(quarter_dir)]
    latest_month = (
        quarter_dir.parent / LATEST_MONTH
    )  # the monthly dashboard (analysis.monthly), by its real folder
    if latest_month.is_dir():
        inputs += sorted(latest_month.resolve().glob("*.ipynb"))
    listed = "".join(f"\n    - {json.dumps(path.relative_to(project).as_posix())}" for path in inputs)
    render_list = project / QUARTO_RENDER_LIST
    _write_page(
        render_list,
        "# Written by Quarto's pre-render (analysis run --renderer none): the files `quarto render` renders.\n"
        f"project:\n  render:{listed or ' []'}\n",
    )
    logger.info("Quarto will render %d files of %s", len(inputs), quarter_dir.name)
    return render_list
