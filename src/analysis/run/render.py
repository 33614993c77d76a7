"""Render the executed report notebooks to self-contained HTML: with Quarto when it is installed, else built-in.

Both renderers show the same thing, because everything a reader sees is a cell *output*: headings and text are
Markdown outputs, and tables and figures are raw HTML blocks inside Markdown outputs
(:func:`analysis.products.html_pages.raw_html_markdown`; figures as ``<figure><img alt><figcaption>`` with the SVG in a
``data:`` URI), never ``text/html`` outputs, which would make Quarto load scripts from a CDN. Neither shows code.

- Built-in: nbconvert's ``HTMLExporter`` with the project's own template (``templates/report/``): no input cells,
  no prompts, no script, style sheet or font from the network, ``lang="en-GB"``, a ``<title>``, one inline style
  sheet (``templates/report/report.css``, also used by Quarto through ``_quarto.yml``).
- Quarto, as the analyst runs it: ``quarto render`` at the project root; its pre-render runs the pipeline with
  ``--renderer none`` and ends with :func:`analysis.run.quarto_project.prepare_quarto_render` (the index as
  ``index.qmd`` and the render list).
- Quarto from ``analysis run --renderer quarto``: ``quarto render <notebook>`` in the project, one notebook at a time (Quarto is not safe to run
  concurrently in one project). Quarto does not execute an ``.ipynb`` unless asked (Quarto docs, "Jupyter":
  "when rendering an .ipynb Quarto will not execute the cells within the notebook by default"); ``--no-execute``
  makes that explicit.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import re
import shutil
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat

from analysis.config_glossary import GlossarySettings
from analysis.errors import NotebookFailed
from analysis.methods.quarters import Quarter
from analysis.products.executed_notebooks import (
    EXCEPTION_REPORTS,
    QUARTERLY_REPORT,
    notebook_error,
    notebook_title,
    report_notebooks,
)
from analysis.products.glossary import spell_out_html
from analysis.products.html_pages import REPORT_TEMPLATE, STYLESHEET, TEMPLATES_DIR, raw_html, write_page
from analysis.products.index_pages import ThemeStatuses, index_html
from analysis.run.pdf import write_pdfs
from analysis.run.quarto_project import (
    MONTHLY_OUTPUTS,
    MONTHLY_PAGE_OPTIONS,
    QUARTO_FILTERS,
    find_quarto_project,
)

logger = logging.getLogger(__name__)

RENDERERS = ("auto", "quarto", "builtin")
#: Options given to Quarto on the command line too, so that a notebook outside the project renders the same.
QUARTO_OPTIONS = ("embed-resources:true", "toc:true", "lang:en-GB", "echo:false", "html-math-method:plain")

#: A Markdown output that is one ATX heading.
_HEADING = re.compile(r"\A(?P<hashes>#{1,6})\s+(?P<text>[^\n]+?)\s*\Z")


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
def render_report_page(notebook: Path, *, authority_name: str, quarter: Quarter) -> Path:
    """A report's page with the built-in renderer, beside its executed notebook, titled by its first heading."""
    node = _read_executed(notebook)
    title = notebook_title(node) or f"{authority_name} children's services: {notebook.stem}, {quarter.name}"
    return _write_notebook_html(node, notebook.with_suffix(".html"), title=title)


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
    return _write_notebook_html(_read_executed(Path(notebook)), html_path, title=title)


@functools.cache
def _report_exporter() -> Any:
    """nbconvert's ``HTMLExporter`` with the project's template, made once per process: making one loads and
    compiles the template, a fifth of the time of rendering a report's page (issue 21)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=REPORT_TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )


#: The report stage renders pages on several threads: one renders with the shared exporter at a time.
_EXPORTER_LOCK = threading.Lock()


def _write_notebook_html(node: nbformat.NotebookNode, html_path: Path, *, title: str) -> Path:
    """:func:`render_notebook_html` of a notebook already read (:func:`_read_executed`)."""
    node = _raw_blocks_as_html(node)
    contents = _headings_with_ids(node)
    resources = {
        "report_title": title,
        "report_css": STYLESHEET.read_text(encoding="utf-8"),
        "report_contents": contents,
    }
    with _EXPORTER_LOCK:
        body, _ = _report_exporter().from_notebook_node(node, resources=resources)
    html_path = Path(html_path)
    write_page(html_path, body)
    logger.info("Rendered %s (%d kB)", html_path.name, len(body.encode("utf-8")) // 1024)
    return html_path


# ------------------------------------------------------------------------------------------------ Quarto
def quarto_command(notebook: Path, *, title: str | None) -> list[str]:
    """The ``quarto render`` command for one executed notebook (no execution, HTML, settings repeated).

    The project's Lua filters are passed too (Quarto hands ``--lua-filter`` on to Pandoc), and a month's page
    (dashboard, safeguarding board) has no contents list, as in ``quarto render``. Quarto takes the page layout
    and grid (``page-layout``, ``grid``) from the project or the document, not from ``--metadata``: here the text
    column keeps Quarto's default width.
    """
    command = ["quarto", "render", str(notebook), "--to", "html", "--no-execute"]
    options = dict(option.split(":", 1) for option in QUARTO_OPTIONS)
    if Path(notebook).name in MONTHLY_OUTPUTS:
        options["toc"] = json.dumps(MONTHLY_PAGE_OPTIONS["toc"])
    options["css"] = json.dumps(str(STYLESHEET))
    for key, value in options.items():
        command += ["--metadata", f"{key}:{value}"]
    if title:
        # A JSON string is a YAML double-quoted scalar: a title with ': ' in it stays one string.
        command += ["--metadata", f"pagetitle:{json.dumps(title)}"]
    for lua in QUARTO_FILTERS:
        command += ["--lua-filter", str(lua)]
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


# ------------------------------------------------------------------------------------------ the batch
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
    glossary: GlossarySettings | None = None,
    only: Sequence[Path] | None = None,
) -> str:
    """Render every executed report notebook in ``quarter_dir`` (or ``only`` those) to HTML beside it, and write
    ``index.html``.

    Parameters
    ----------
    quarter_dir : Path
        Folder holding ``quarterly-report.ipynb`` and ``exceptions-<n>-<slug>.ipynb`` (executed).
    renderer : {"auto", "quarto", "builtin"}
        ``auto`` uses Quarto when it is on PATH, else the built-in renderer.
    authority_name, quarter_label : str
        For titles (``quarter_label`` like ``2015-16-Q1``).
    pdf : bool
        Also print each report to PDF with headless Chromium, when it is installed (:func:`analysis.run.pdf.write_pdfs`).
    banner, statuses : str, sequence of (theme, status, CSS class)
        The synthetic-data banner (HTML) and each theme's status, for the index page.
    glossary : GlossarySettings, optional
        ``config/glossary.yml``: the index page spells out each acronym at its first use, as the reports do.
    only : sequence of Path, optional
        The executed notebooks to render (and print): the others' pages, unchanged since the last run, are kept.

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
    if only is not None:
        names = {Path(notebook).name for notebook in only}
        notebooks = [notebook for notebook in notebooks if notebook.name in names]
    quarter = Quarter.parse(quarter_label)
    used = choose_renderer(renderer)
    if used == "quarto" and notebooks:
        project = find_quarto_project(quarter_dir.resolve()) or quarter_dir.resolve()
        render_with_quarto(notebooks, project_dir=project)
    else:
        for notebook in notebooks:
            render_report_page(notebook, authority_name=authority_name, quarter=quarter)
    if pdf and notebooks:
        write_pdfs([notebook.with_suffix(".html") for notebook in notebooks])
    write_page(
        quarter_dir / "index.html",
        spell_out_html(
            index_html(
                quarter_dir, authority_name=authority_name, quarter=quarter, banner=banner, statuses=statuses
            ),
            glossary or GlossarySettings(),
        ),
    )
    return used
