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
INDEX_DOCUMENT = "index.qmd"
#: The render list written by the pre-render, relative to the Quarto project (``metadata-files`` in _quarto.yml).
QUARTO_RENDER_LIST = "reports/quarto-render.yml"
RENDERERS = ("auto", "quarto", "builtin")
PAGE_MODE = 0o644
#: Options given to Quarto on the command line too, so that a notebook outside the project renders the same.
QUARTO_OPTIONS = ("embed-resources:true", "toc:true", "lang:en-GB", "echo:false", "html-math-method:plain")

_HEADING_1 = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)
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


def _index_parts(quarter_dir: Path, *, authority_name: str, quarter: Quarter) -> tuple[str, str]:
    """The index page's title and its body (links to the reports and the analyst's audit trail), as HTML."""
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

    analyst_part = (
        f"<h2>For the analyst</h2><p>The executed pipeline notebooks (open them in Jupyter) and the data checks.</p>"
        f"<ul>{items(analyst)}</ul>"
        if analyst
        else ""
    )
    body = f'<nav class="report-index" aria-label="Reports"><h2>Reports</h2><ul>{items(reports)}</ul>{analyst_part}</nav>'
    return title, body


def index_html(quarter_dir: Path, *, authority_name: str, quarter: Quarter) -> str:
    """The quarter's index page: the quarterly report, the exception reports, and the analyst's audit trail."""
    title, body = _index_parts(quarter_dir, authority_name=authority_name, quarter=quarter)
    css = STYLESHEET.read_text(encoding="utf-8")
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
        f'<main class="report"><h1>{html.escape(title)}</h1>\n{body}</main>\n</body>\n</html>\n'
    )


def index_document(quarter_dir: Path, *, authority_name: str, quarter: Quarter) -> str:
    """The index page as a Quarto document (``index.qmd``): the same title and body as :func:`index_html`.

    The title is given as a JSON string (a YAML double-quoted scalar) and the body as a raw HTML block, so neither
    is read as Markdown.
    """
    title, body = _index_parts(quarter_dir, authority_name=authority_name, quarter=quarter)
    return (
        f"---\ntitle: {json.dumps(title)}\npagetitle: {json.dumps(title)}\ntoc: false\n---\n\n"
        f"{raw_html_markdown(body)}\n"
    )


# --------------------------------------------------------------------------------------- Quarto pre-render
def prepare_quarto_render(quarter_dir: Path, *, authority_name: str, quarter_label: str) -> Path | None:
    """Write what ``quarto render`` then renders: the index as ``index.qmd`` and the project's render list.

    Quarto's pre-render (``analysis run --renderer none``) ends here. The render list names the quarter's real
    folder, never ``reports/latest``: Quarto expands the render list's globs without following symbolic links
    (quarto-cli ``src/core/path.ts``, ``resolvePathGlobs``; ``src/project/project-context.ts`` walks with
    ``followSymlinks: false``), so ``reports/latest/exceptions-*.ipynb`` matched nothing. It is written to
    ``reports/quarto-render.yml``, which ``_quarto.yml`` merges in with ``metadata-files`` (a missing file is
    skipped: quarto-cli ``src/config/metadata.ts``, ``includedMetadata``), and Quarto reads the project's
    configuration again after the pre-render (``src/command/render/project.ts``, ``renderProject``; Quarto docs,
    "Project Scripts"). Listing the files rather than a glob renders this quarter and nothing else.

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
    _write_page(
        quarter_dir / INDEX_DOCUMENT,
        index_document(quarter_dir, authority_name=authority_name, quarter=quarter),
    )
    inputs = [quarter_dir / INDEX_DOCUMENT, *report_notebooks(quarter_dir)]
    listed = "".join(f"    - {json.dumps(path.relative_to(project).as_posix())}\n" for path in inputs)
    render_list = project / QUARTO_RENDER_LIST
    _write_page(
        render_list,
        "# Written by Quarto's pre-render (analysis run --renderer none): the files `quarto render` renders.\n"
        f"project:\n  render:\n{listed}",
    )
    logger.info("Quarto will render %d files of %s", len(inputs), quarter_dir.name)
    return render_list
