"""Render the executed report notebooks to self-contained HTML: with Quarto when it is installed, else built-in.

Both renderers show the same thing, because everything a reader sees is a cell *output*: headings and text are
Markdown outputs, tables and figures are HTML outputs (figures as ``<figure><img alt><figcaption>`` with the SVG
in a ``data:`` URI). Neither shows code.

- Built-in: nbconvert's ``HTMLExporter`` with the project's own template (``templates/report/``): no input cells,
  no prompts, no script, style sheet or font from the network, ``lang="en-GB"``, a ``<title>``, one inline style
  sheet (``templates/report/report.css``, also used by Quarto through ``_quarto.yml``).
- Quarto: ``quarto render <notebook>`` in the project, one notebook at a time (Quarto is not safe to run
  concurrently in one project). Quarto does not execute an ``.ipynb`` unless asked (Quarto docs, "Jupyter":
  "when rendering an .ipynb Quarto will not execute the cells within the notebook by default"); ``--no-execute``
  makes that explicit.
"""

from __future__ import annotations

import html
import json
import logging
import re
import shutil
import subprocess
from pathlib import Path

import nbformat

from analysis.errors import NotebookFailed
from analysis.io import atomic_path
from analysis.quarters import Quarter

logger = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
REPORT_TEMPLATE = "report"
STYLESHEET = TEMPLATES_DIR / REPORT_TEMPLATE / "report.css"
QUARTERLY_REPORT = "quarterly-report.ipynb"
EXCEPTION_REPORTS = "exceptions-*.ipynb"
PIPELINE_NOTEBOOKS = (
    ("01-clean.ipynb", "Cleaning: what was read, fixed and set aside"),
    ("02-validate.ipynb", "Data checks (Great Expectations)"),
    ("03-analyse.ipynb", "Analysis: indicators, SPC, benchmarks, exceptions"),
)
DATA_DOCS = "data-docs"
RENDERERS = ("auto", "quarto", "builtin")
PAGE_MODE = 0o644
#: Options given to Quarto on the command line too, so that a notebook outside the project renders the same.
QUARTO_OPTIONS = ("embed-resources:true", "toc:true", "lang:en-GB", "echo:false")

_HEADING_1 = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)


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

    node = _read_executed(Path(notebook))
    exporter = HTMLExporter(
        template_name=REPORT_TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    resources = {"report_title": title, "report_css": STYLESHEET.read_text(encoding="utf-8")}
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
    for option in QUARTO_OPTIONS:
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
    quarter_dir: Path, *, renderer: str = "auto", authority_name: str, quarter_label: str
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
    _write_page(
        quarter_dir / "index.html", index_html(quarter_dir, authority_name=authority_name, quarter=quarter)
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


def index_html(quarter_dir: Path, *, authority_name: str, quarter: Quarter) -> str:
    """The quarter's index page: the quarterly report, the exception reports, and the analyst's audit trail."""
    title = f"{authority_name} children's services reports: {quarter.name}"
    reports = []
    if (quarter_dir / QUARTERLY_REPORT).is_file():
        reports.append(("quarterly-report.html", "Quarterly performance report"))
    for notebook in sorted(quarter_dir.glob(EXCEPTION_REPORTS)):
        reports.append((notebook.with_suffix(".html").name, _exception_link_text(notebook)))
    analyst = [(name, text) for name, text in PIPELINE_NOTEBOOKS if (quarter_dir / name).is_file()]
    docs = quarter_dir / DATA_DOCS
    if docs.is_dir():
        target = f"{DATA_DOCS}/index.html" if (docs / "index.html").is_file() else f"{DATA_DOCS}/"
        analyst.append((target, "Data Docs: every data check and its result"))

    def items(links: list[tuple[str, str]]) -> str:
        return "".join(f'<li><a href="{html.escape(h)}">{html.escape(t)}</a></li>' for h, t in links)

    css = STYLESHEET.read_text(encoding="utf-8")
    analyst_part = (
        f"<h2>For the analyst</h2><p>The executed pipeline notebooks (open them in Jupyter) and the data checks.</p>"
        f"<ul>{items(analyst)}</ul>"
        if analyst
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
        f'<main class="report"><h1>{html.escape(title)}</h1>\n<nav class="report-index" aria-label="Reports">'
        f"<h2>Reports</h2><ul>{items(reports)}</ul>{analyst_part}</nav></main>\n</body>\n</html>\n"
    )
