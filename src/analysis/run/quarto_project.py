"""The Quarto project: finding it, and the render list (with the index as ``index.qmd``) the pre-render writes."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from analysis.methods.quarters import Quarter
from analysis.products.executed_notebooks import report_notebooks
from analysis.products.html_pages import write_page
from analysis.products.index_pages import ThemeStatuses, index_document

logger = logging.getLogger(__name__)

INDEX_DOCUMENT = "index.qmd"
LATEST_MONTH = "latest-month"
#: The render list written by the pre-render, relative to the Quarto project (``metadata-files`` in _quarto.yml).
QUARTO_RENDER_LIST = "reports/quarto-render.yml"


def find_quarto_project(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``_quarto.yml``."""
    for folder in (start, *start.parents):
        if (folder / "_quarto.yml").is_file():
            return folder
    return None


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
        write_page(document, index)
    inputs = [document, *report_notebooks(quarter_dir)]
    latest_month = (
        quarter_dir.parent / LATEST_MONTH
    )  # the monthly dashboard (analysis.run.monthly), by its real folder
    if latest_month.is_dir():
        inputs += sorted(latest_month.resolve().glob("*.ipynb"))
    listed = "".join(f"\n    - {json.dumps(path.relative_to(project).as_posix())}" for path in inputs)
    render_list = project / QUARTO_RENDER_LIST
    write_page(
        render_list,
        "# Written by Quarto's pre-render (analysis run --renderer none): the files `quarto render` renders.\n"
        f"project:\n  render:{listed or ' []'}\n",
    )
    logger.info("Quarto will render %d files of %s", len(inputs), quarter_dir.name)
    return render_list
