"""The Quarto project: its own pages folder, the render list the pre-render writes, and the post-render's PDFs.

One renderer per page: ``quarto render`` never writes where ``analysis run`` publishes. The pre-render copies the
quarter's executed notebooks (and those of its three months, when made) into ``reports/quarto/<quarter>/`` and
``reports/quarto/<YYYY-MM>/``, writes the index there as ``index.qmd``, and lists those copies in the render list;
Quarto renders each beside its copy. ``reports/<quarter>/`` and ``reports/<YYYY-MM>/`` stay the pipeline's (built-in
renderer, or ``--renderer quarto``, as their ``manifest.json`` records), so neither renderer can overwrite the
other's pages, and a later ``analysis run`` leaves Quarto's pages as they are. The post-render prints each page
Quarto wrote to PDF with the same headless Chromium as the built-in renderer (:mod:`analysis.run.pdf`).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

from analysis.methods.months import month_label
from analysis.methods.quarters import Quarter
from analysis.products.executed_notebooks import report_notebooks
from analysis.products.html_pages import REPORT_TEMPLATE, TEMPLATES_DIR, write_page
from analysis.products.index_pages import ThemeStatuses, index_document
from analysis.run.fingerprints import digest, sha256_file
from analysis.run.print_ahead import finish_printing_ahead, start_printing_ahead
from analysis.run.publication import hold_while_pid, put_back_when_render_ends
from analysis.run.steps import MONTH_STEPS

logger = logging.getLogger(__name__)

INDEX_DOCUMENT = "index.qmd"
#: The folder in ``reports/`` holding Quarto's pages (``reports/quarto/<quarter>/``, ``reports/quarto/<YYYY-MM>/``).
QUARTO_PAGES = "quarto"
#: The executed notebooks of a month's products (:data:`analysis.run.steps.MONTH_STEPS`).
MONTHLY_OUTPUTS = tuple(step.executed for step in MONTH_STEPS)
#: What Quarto's index links to in the audit trail, linked from the pipeline's folder rather than copied.
AUDIT_LINKS = ("data-docs", "manifest.json")
#: The render list written by the pre-render, relative to the Quarto project (``metadata-files`` in _quarto.yml).
QUARTO_RENDER_LIST = "reports/quarto-render.yml"
#: The Lua filters that lay Quarto's pages out as the built-in renderer's (``filters`` in _quarto.yml, in this
#: order): the tab title, every heading in the contents, the "How to read" box in the text. Each file says why.
QUARTO_FILTERS = tuple(
    TEMPLATES_DIR / REPORT_TEMPLATE / name for name in ("pagetitle.lua", "contents.lua", "aside.lua")
)
#: Quarto's settings of a month's pages (a dashboard, the safeguarding board's view): the page's whole width and
#: no contents list, as the built-in renderer's. Their headings are not Markdown headings, so Quarto's contents
#: would list the title alone, in a margin that takes a fifth of the width from the dashboard's wide tables.
MONTHLY_PAGE_OPTIONS = {"toc": False, "page-layout": "full"}
#: Quarto's directory metadata (Quarto docs, "Directory Metadata"): applies to every page in its folder.
DIRECTORY_METADATA = "_metadata.yml"
#: The whole render list, saved while a whole-project ``quarto render`` renders only the pages out of date; the
#: lock's holder puts it back when the render ends (:func:`prepare_quarto_render`).
WHOLE_RENDER_LIST = "reports/quarto-render-all.yml"
#: In ``reports/quarto/``: what each page Quarto wrote was rendered from (written by the post-render), so that the
#: next whole-project render leaves a page alone when none of it changed (:func:`pages_out_of_date`).
RENDERED_PAGES_FILE = "rendered-pages.json"


def find_quarto_project(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``_quarto.yml``."""
    for folder in (start, *start.parents):
        if (folder / "_quarto.yml").is_file():
            return folder
    return None


def quarto_folder(reports: Path, name: str) -> Path:
    """Where Quarto's pages of a quarter or month (``name``) are: ``reports/quarto/<name>/``."""
    return Path(reports) / QUARTO_PAGES / name


def _copy_notebooks(notebooks: list[Path], target: Path, keep: tuple[str, ...] = ()) -> list[Path]:
    """Make ``target`` hold copies of ``notebooks`` (unchanged copies keep their time) and nothing older.

    Pages and PDFs of notebooks no longer there (a theme removed from the plan) are deleted with them.
    """
    target.mkdir(parents=True, exist_ok=True)
    stems = {notebook.stem for notebook in notebooks} | {Path(name).stem for name in keep}
    for old in target.iterdir():
        if old.is_file() and old.stem not in stems and old.suffix in {".ipynb", ".html", ".pdf", ".qmd"}:
            old.unlink()
    copies = []
    for notebook in notebooks:
        copy = target / notebook.name
        if not copy.is_file() or copy.read_bytes() != notebook.read_bytes():
            shutil.copy2(notebook, copy)
        copies.append(copy)
    return copies


def _link_audit_trail(quarter_dir: Path, target: Path) -> None:
    """Link the index's audit trail (the data checks, the manifest) from Quarto's folder to the pipeline's."""
    for name in AUDIT_LINKS:
        link = target / name
        if link.is_symlink() or link.is_file():
            link.unlink()
        elif link.is_dir():
            shutil.rmtree(link)
        if (quarter_dir / name).exists():
            link.symlink_to(os.path.relpath(quarter_dir / name, target))


def _write_monthly_metadata(folder: Path) -> None:
    """The month folder's ``_metadata.yml``: its pages laid out as the built-in dashboards (unchanged: kept)."""
    text = (
        "# Written by Quarto's pre-render: a month's pages at the page's whole width, with no contents list.\n"
        + "".join(f"{key}: {json.dumps(value)}\n" for key, value in MONTHLY_PAGE_OPTIONS.items())
    )
    target = folder / DIRECTORY_METADATA
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        write_page(target, text)


def prepare_quarto_render(
    quarter_dir: Path,
    *,
    authority_name: str,
    quarter_label: str,
    banner: str = "",
    statuses: ThemeStatuses = (),
) -> Path | None:
    """Copy what ``quarto render`` then renders into ``reports/quarto/`` and write the project's render list.

    Quarto's pre-render (``analysis run --renderer none``) ends here. Into ``reports/quarto/<quarter>/``: the
    index as ``index.qmd`` and copies of the quarter's executed report notebooks; into ``reports/quarto/<YYYY-MM>/``:
    copies of the executed notebooks of the quarter's three months that have been made (``analysis run --month``),
    and of no other month, with the folder's ``_metadata.yml`` (:data:`MONTHLY_PAGE_OPTIONS`). Quarto writes each
    page beside its copy, so it never replaces a page of ``reports/<quarter>/`` or ``reports/<YYYY-MM>/``, and
    ``analysis run`` never replaces one of Quarto's.

    The render list names real folders, never ``reports/latest``: Quarto expands globs without following symbolic
    links (quarto-cli ``src/core/path.ts``, ``resolvePathGlobs``). It is written to ``reports/quarto-render.yml``,
    which ``_quarto.yml`` merges in with ``metadata-files`` (a missing file is skipped: quarto-cli
    ``src/config/metadata.ts``, ``includedMetadata``), and Quarto reads the project's configuration again after the
    pre-render (``src/command/render/project.ts``, ``renderProject``; Quarto docs, "Project Scripts").

    In the pre-render of a whole-project ``quarto render`` (the lock is held for Quarto), the list Quarto reads next
    names only the pages out of date (:func:`pages_out_of_date`): with nothing changed Quarto renders nothing, as
    ``make`` would (issue 21). The whole list is saved beside it and put back by the lock's holder when the render
    ends, well or not (:func:`analysis.run.publication.put_back_when_render_ends`): a file outside the render list
    is rendered by ``quarto render <file>`` without the project's settings (no ``lang``, style sheet or offline
    maths; quarto-cli ``src/command/render/render-shared.ts``, ``render``), so between renders the list names every
    page. Run by hand (``analysis run --renderer none``), the run writes the whole list.

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
    reports = quarter_dir.parent
    target = quarto_folder(reports, quarter_dir.name)
    inputs = _copy_notebooks(report_notebooks(quarter_dir), target, keep=(INDEX_DOCUMENT, *AUDIT_LINKS))
    _link_audit_trail(quarter_dir, target)
    index = index_document(
        quarter_dir, authority_name=authority_name, quarter=quarter, banner=banner, statuses=statuses
    )
    document = target / INDEX_DOCUMENT
    if not document.is_file() or document.read_text(encoding="utf-8") != index:  # unchanged: keep its time
        write_page(document, index)
    inputs.insert(0, document)
    for month in quarter.months:
        label = month_label(month)
        made = [reports / label / name for name in MONTHLY_OUTPUTS if (reports / label / name).is_file()]
        if made:
            inputs += _copy_notebooks(made, quarto_folder(reports, label))
            _write_monthly_metadata(quarto_folder(reports, label))
    render_list = project / QUARTO_RENDER_LIST
    whole = _render_list_text(
        project, inputs, f"copies in {QUARTO_PAGES}/ of the notebooks of {quarter.label} and its months"
    )
    to_render = inputs
    if put_back_when_render_ends(project / WHOLE_RENDER_LIST, render_list):
        write_page(project / WHOLE_RENDER_LIST, whole)  # put back as the render list when the render ends
        to_render = pages_out_of_date(project, inputs)
        write_page(
            render_list,
            _render_list_text(
                project,
                to_render,
                "for this render only, the pages out of date (the whole list is put back at its end)",
            ),
        )
        quarto = hold_while_pid()
        if quarto is not None:  # each page printed to PDF as soon as Quarto has written it
            start_printing_ahead(
                target.parent, _pdf_pages(source.with_suffix(".html") for source in to_render), quarto
            )
    else:
        write_page(render_list, whole)
    logger.info(
        "Quarto will render %d of the %d files of %s and its months into %s%s",
        len(to_render),
        len(inputs),
        quarter.label,
        target.parent,
        "" if len(to_render) == len(inputs) else " (the others are as Quarto last rendered them)",
    )
    return render_list


def _render_list_text(project: Path, inputs: list[Path], what: str) -> str:
    listed = "".join(f"\n    - {json.dumps(path.relative_to(project).as_posix())}" for path in inputs)
    return (
        "# Written by Quarto's pre-render (analysis run --renderer none): the files `quarto render` renders,\n"
        f"# {what}.\n"
        f"project:\n  render:{listed or ' []'}\n"
    )


def _sha256(path: Path) -> str | None:
    """The file's SHA-256, or ``None`` when it cannot be read (missing: a page never rendered, say)."""
    try:
        return sha256_file(path)
    except OSError:
        return None


def _render_settings(project: Path, folder: Path) -> str:
    """A digest of all Quarto reads to render a page of ``folder`` besides its source.

    Quarto's version (``$QUARTO_SHARE_PATH/version``, set by Quarto for its scripts), the project's
    ``_quarto.yml``, the report template's filters and style sheet, and the folder's ``_metadata.yml``.
    """
    share = os.environ.get("QUARTO_SHARE_PATH")
    files = [Path(share) / "version"] if share else []
    template = TEMPLATES_DIR / REPORT_TEMPLATE
    files += [project / "_quarto.yml", *sorted(path for path in template.iterdir() if path.is_file())]
    files.append(folder / DIRECTORY_METADATA)
    return digest([(file.name, _sha256(file)) for file in files])


def _page_states(project: Path, sources: list[Path]) -> dict[Path, dict[str, str | None]]:
    """What each source's page was rendered from (the source and Quarto's settings, worked out once a folder) and
    the page's own bytes, as digests."""
    settings: dict[Path, str] = {}
    states = {}
    for source in sources:
        if source.parent not in settings:
            settings[source.parent] = _render_settings(project, source.parent)
        states[source] = {
            "source": _sha256(source),
            "settings": settings[source.parent],
            "page": _sha256(source.with_suffix(".html")),
        }
    return states


def _rendered_pages_file(project: Path) -> Path:
    """``reports/quarto/rendered-pages.json`` in the project (beside the render list's ``reports/``)."""
    return project / Path(QUARTO_RENDER_LIST).parent / QUARTO_PAGES / RENDERED_PAGES_FILE


def _rendered_pages(project: Path) -> dict[str, dict[str, str | None]]:
    """The post-render's record (none yet, or a damaged one: empty, so every page is rendered)."""
    try:
        record = json.loads(_rendered_pages_file(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def pages_out_of_date(project: Path, sources: list[Path]) -> list[Path]:
    """The sources whose page Quarto must render again: no page, or the page, the source or Quarto's settings
    changed since the post-render recorded them (:data:`RENDERED_PAGES_FILE`), as ``make`` would judge (issue 21)."""
    record = _rendered_pages(project)
    states = _page_states(project, sources)
    return [
        source for source in sources if record.get(source.relative_to(project).as_posix()) != states[source]
    ]


def record_rendered_pages(project: Path, output_files: list[str]) -> None:
    """Post-render: record what each page Quarto just wrote in ``reports/quarto/`` was rendered from.

    Pages rendered before and still there keep their entries; those of sources gone are dropped.
    """
    record = _rendered_pages(project)
    sources = [
        source
        for page in _quarto_pages(project, output_files)
        if (
            source := next(
                (page.with_suffix(s) for s in (".ipynb", ".qmd") if page.with_suffix(s).is_file()), None
            )
        )
    ]
    for source, state in _page_states(project, sources).items():
        record[source.relative_to(project).as_posix()] = state
    record = {name: state for name, state in sorted(record.items()) if (project / name).is_file()}
    target = _rendered_pages_file(project)
    if record or target.exists():
        write_page(target, json.dumps(record, indent=1) + "\n")


def print_quarto_pages(project: Path, output_files: list[str]) -> list[Path]:
    """Quarto's post-render: print each HTML page Quarto wrote in ``reports/quarto/`` to a PDF beside it.

    The same headless Chromium print as the built-in renderer's PDFs (:func:`analysis.run.pdf.write_pdfs`); without
    Chromium the PDFs are skipped with a notice. Quarto writes every page of the render list again on each render,
    so a PDF whose page has the same bytes as when it was printed is kept (``keep_unchanged``), not printed again:
    so are those the pre-render's printer printed while Quarto rendered (:mod:`analysis.run.print_ahead`), once it
    has finished.
    """
    from analysis.run.pdf import write_pdfs

    finish_printing_ahead(project / Path(QUARTO_RENDER_LIST).parent / QUARTO_PAGES)
    return write_pdfs(_pdf_pages(_quarto_pages(project, output_files)), keep_unchanged=True)


def _pdf_pages(pages: Iterable[Path]) -> list[Path]:
    """The pages that get a PDF: all but the index, which is navigation, not a report (as with the built-in
    renderer)."""
    return [page for page in pages if page.name != "index.html"]


def _quarto_pages(project: Path, output_files: list[str]) -> list[Path]:
    """The HTML pages among the files Quarto says it wrote that are in ``reports/quarto/`` and there."""
    pages = [
        project / name
        for name in output_files
        if name.endswith(".html") and f"/{QUARTO_PAGES}/" in f"/{Path(name).as_posix()}"
    ]
    return [page for page in pages if page.is_file()]


def _output_files() -> list[str]:
    """The files Quarto wrote, as it tells its post-render (in a file when the list is too long for a variable)."""
    listing = os.environ.get("QUARTO_USE_FILE_FOR_PROJECT_OUTPUT_FILES")
    if listing:
        text = Path(listing).read_text(encoding="utf-8")
    else:
        text = os.environ.get("QUARTO_PROJECT_OUTPUT_FILES", "")
    return [line.strip() for line in text.splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.run.quarto_project pdfs``: what Quarto's post-render runs (before releasing the lock)."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["pdfs"]:
        print("usage: python -m analysis.run.quarto_project pdfs", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    output_files = _output_files()
    record_rendered_pages(Path.cwd(), output_files)
    print_quarto_pages(Path.cwd(), output_files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
