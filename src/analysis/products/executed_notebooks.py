"""The executed report notebooks of a quarter's folder: which they are, their titles and their cell errors."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

QUARTERLY_REPORT = "quarterly-report.ipynb"
EXCEPTION_REPORTS = "exceptions-*.ipynb"
#: The quarterly reports on themed topics (issue 19), one per topic of ``config/topics.yml``.
TOPIC_REPORTS = "topic-*.ipynb"

_HEADING_1 = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)


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


def report_notebooks(quarter_dir: Path) -> list[Path]:
    """The executed report notebooks in a quarter's folder: the quarterly report, each exception report, then each
    topic report."""
    quarter_dir = Path(quarter_dir)
    found = [quarter_dir / QUARTERLY_REPORT] if (quarter_dir / QUARTERLY_REPORT).is_file() else []
    return found + sorted(quarter_dir.glob(EXCEPTION_REPORTS)) + sorted(quarter_dir.glob(TOPIC_REPORTS))
