"""Reading the analyst's commentary: ``commentary/<quarter>.md`` with one ``## <n> <theme name>`` section per
theme and optional ``### <indicator_id>`` subsections, and ``## Topic: <id>`` sections for the topic reports
(``config/topics.yml``; stored as theme 0 with ``indicator_id`` ``topic:<id>``).

Notes
-----
The quarter comes from the file name (``2015-16-Q1.md``; :class:`analysis.methods.quarters.Quarter`). Text before the
first theme heading (a title, a note to self) is ignored. A missing folder gives an empty table.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from analysis.config import ProjectConfig
from analysis.errors import InputDataError
from analysis.methods.quarters import Quarter
from analysis.schemas import schema
from analysis.schemas_inputs import TOPIC_PREFIX, TOPIC_THEME
from analysis.stages.cleaning.file_checks import read_text_file
from analysis.stages.cleaning.log import CleaningLog
from analysis.stages.cleaning.reading import relative_name

logger = logging.getLogger(__name__)

COMMENTARY_FOLDER = "commentary"
#: What a commentary file must be, for the message when it is not.
EXPECTED_COMMENTARY = "the quarter's commentary as Markdown text saved as UTF-8"
_THEME = re.compile(r"^##\s+(?:theme\s+)?(\d+)\b[\s.:)-]*(.*)$", re.IGNORECASE)
_TOPIC = re.compile(r"^##\s+topic\s*:\s*`?([a-z0-9-]+)`?\s*$", re.IGNORECASE)
_INDICATOR = re.compile(r"^###\s+`?([A-Za-z0-9_]+)`?\s*$")


def parse_commentary(text: str, quarter: str, path: Path, config: ProjectConfig) -> list[dict[str, object]]:
    """Commentary rows (quarter, theme, indicator_id, text) from one Markdown file's text."""
    themes = {t.number for t in config.plan.themes}
    rows: list[dict[str, object]] = []
    theme: int | None = None
    indicator: str | None = None
    lines: list[str] = []

    def flush() -> None:
        body = "\n".join(lines).strip()
        if theme is not None and body:
            rows.append({"quarter": quarter, "theme": theme, "indicator_id": indicator, "text": body})
        lines.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        topic_match = _TOPIC.match(line.strip())
        if topic_match:
            flush()
            topic_id = topic_match.group(1).lower()
            if topic_id not in {t.id for t in config.topics.topics}:
                raise InputDataError(
                    path,
                    f"'{topic_id}' is not a topic id",
                    row=number,
                    expected="'## Topic: <id>' with an id from config/topics.yml",
                )
            theme, indicator = TOPIC_THEME, f"{TOPIC_PREFIX}{topic_id}"
            continue
        theme_match = _THEME.match(line.strip())
        if theme_match:
            flush()
            theme = int(theme_match.group(1))
            indicator = None
            if theme not in themes:
                raise InputDataError(
                    path,
                    f"theme {theme} is not in the plan",
                    row=number,
                    expected=f"'## <n> <theme name>' with n one of {sorted(themes)}",
                )
            continue
        indicator_match = _INDICATOR.match(line.strip())
        if indicator_match and theme is not None and theme != TOPIC_THEME:
            flush()
            indicator = indicator_match.group(1)
            if indicator not in config.indicators_by_id:
                raise InputDataError(
                    path,
                    f"'{indicator}' is not an indicator id",
                    row=number,
                    expected="'### <indicator_id>' with an id from config/indicators.yml",
                )
            continue
        if line.startswith("### ") and theme is not None and theme != TOPIC_THEME:
            raise InputDataError(
                path,
                "a '###' heading must be an indicator id alone",
                row=number,
                expected="'### <indicator_id>'",
            )
        lines.append(line)
    flush()
    return rows


def _commentary_files(folder: Path) -> list[tuple[Path, str]]:
    """The ``<quarter>.md`` files of the folder with their quarter, in name order (others ignored, logged)."""
    files = []
    for path in sorted(folder.glob("*.md")):
        try:
            files.append((path, Quarter.parse(path.stem).label))
        except ValueError:
            logger.warning("%s: the file name is not a quarter such as 2015-16-Q1.md: ignored", path.name)
    return files


def _commentary_frame(rows: list[dict[str, object]]) -> tuple[pd.DataFrame, int]:
    """Rows as the ``commentary`` table, sorted, repeated sections removed (and counted)."""
    frame = pd.DataFrame(rows, columns=schema("commentary").column_names)
    frame = frame.astype({"quarter": "string", "theme": "int64", "indicator_id": "string", "text": "string"})
    repeated = frame.duplicated(subset=["quarter", "theme", "indicator_id"], keep="first")
    if repeated.any():
        logger.warning(
            "Commentary: %d repeated sections (same quarter, theme, indicator): the first kept",
            int(repeated.sum()),
        )
    frame = frame.loc[~repeated].sort_values(
        ["quarter", "theme", "indicator_id"], na_position="first", kind="stable"
    )
    return frame.reset_index(drop=True), int(repeated.sum())


def read_commentary(folder: Path, config: ProjectConfig) -> pd.DataFrame:
    """Every quarter's commentary in ``folder`` (``raw/commentary``) as the ``commentary`` table; empty if no folder.

    Notes
    -----
    Used by the pipeline's commentary stage so that editing the commentary re-runs only the reports.
    """
    folder = Path(folder)
    if not folder.is_dir():
        logger.info("No %s folder: no commentary", folder)
        return _commentary_frame([])[0]
    rows: list[dict[str, object]] = []
    for path, quarter in _commentary_files(folder):
        rows.extend(parse_commentary(read_text_file(path, EXPECTED_COMMENTARY), quarter, path, config))
    return _commentary_frame(rows)[0]


def clean_commentary(raw_dir: Path, config: ProjectConfig, log: CleaningLog) -> pd.DataFrame:
    """Every quarter's commentary in ``raw_dir/commentary`` as the ``commentary`` table, recorded in the log."""
    table = "commentary"
    folder = raw_dir / COMMENTARY_FOLDER
    rows: list[dict[str, object]] = []
    if folder.is_dir():
        for path, quarter in _commentary_files(folder):
            found = parse_commentary(read_text_file(path, EXPECTED_COMMENTARY), quarter, path, config)
            rows.extend(found)
            log.source(
                table, relative_name(path, raw_dir), None, rows_read=len(found), rows_written=len(found)
            )
    else:
        logger.info("No %s/ folder: no commentary", COMMENTARY_FOLDER)
    frame, repeated = _commentary_frame(rows)
    log.fix(table, "duplicates.natural_key", "Repeated commentary sections removed; the first kept", repeated)
    log.count(table, rows_read=len(rows), duplicates_removed=repeated, written=len(frame))
    return frame
