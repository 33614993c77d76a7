"""What the report notebooks read: the configuration, the quarter, the analysis tables and the run manifest
(:class:`ReportData`), and the analyst's commentary for a theme or an indicator.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.config import ProjectConfig, load_config
from analysis.io import read_table
from analysis.methods.quarters import Quarter
from analysis.products import chart_cache
from analysis.schemas import empty_table
from analysis.schemas_inputs import TOPIC_PREFIX, TOPIC_THEME

logger = logging.getLogger(__name__)


NO_COMMENTARY = "No commentary was provided for this theme this quarter."
NO_TOPIC_COMMENTARY = "No commentary was provided for this topic this quarter."


REPORT_TABLES = (
    "indicators_monthly",
    "indicators_annual",
    "spc",
    "spc_summary",
    "benchmark_comparison",
    "exceptions",
    "actions",
    "commentary",
    "validation_results",
    "quarantine",
    "cleaning_log",
    "source_files",
)
#: Tables of anticipated trends and forecasts (analysis.methods.trajectory, analysis.methods.demand_forecasts): empty when absent.
OPTIONAL_REPORT_TABLES = (
    "anticipated",
    "forecasts",
    "forecast_backtest",
    # the topic tables (issue 19): the topic reports show them
    "topic_profile",
    "topic_disproportionality",
    "topic_journeys",
    "topic_drift",
    "topic_placement_distance",
    "topic_assessment_factors",
)


# -------------------------------------------------------------------------------------------- the inputs
@dataclass(frozen=True)
class ReportData:
    """Everything a report shows: configuration, quarter, the analysis tables and the run manifest."""

    config: ProjectConfig
    quarter: Quarter
    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any] | None
    #: What a product derives from the tables more than once (one indicator's chart points, say), kept under a key
    #: the deriving function chooses. The tables are not changed once loaded: other tables make another ReportData.
    derived: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False, compare=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


def load_manifest(path: str | Path | None) -> dict[str, Any] | None:
    """The run manifest (JSON written by the pipeline), or ``None`` when there is none (a notebook run by hand)."""
    if not path:
        return None
    path = Path(path)
    if not path.is_file():
        logger.info("No run manifest at %s: provenance will say 'not recorded'", path)
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def load_report_data(
    quarter: str,
    processed_dir: str | Path,
    config_dir: str | Path,
    manifest_path: str | Path | None = None,
    *,
    theme: int | None = None,
    topic: str | None = None,
) -> ReportData:
    """Read the configuration, the analysis tables and the manifest that the report notebooks show.

    ``theme`` (an exception report) or ``topic`` (a topic report) limits the commentary to the rows that report
    shows (:func:`commentary_read_by`); the quarterly report passes neither. The report's charts are kept in
    ``chart-cache`` beside ``processed_dir`` (:mod:`analysis.products.chart_cache`).
    """
    chart_cache.use_folder(chart_cache.folder_beside(processed_dir))
    config = load_config(config_dir)
    tables = {name: read_table(name, Path(processed_dir)) for name in REPORT_TABLES}
    for name in OPTIONAL_REPORT_TABLES:
        path = Path(processed_dir) / f"{name}.parquet"
        tables[name] = read_table(name, Path(processed_dir)) if path.is_file() else empty_table(name)
    reported = Quarter.parse(quarter)
    tables["commentary"] = commentary_read_by(tables["commentary"], reported, theme=theme, topic=topic)
    return ReportData(config=config, quarter=reported, tables=tables, manifest=load_manifest(manifest_path))


def commentary_read_by(
    commentary: pd.DataFrame, quarter: Quarter, *, theme: int | None = None, topic: str | None = None
) -> pd.DataFrame:
    """The rows of the analyst's commentary one report is given: the quarter's, for one theme (an exception
    report), one topic (a topic report) or every theme (the quarterly report, ``theme`` and ``topic`` None).

    The runner re-executes a report only when its rows change (:mod:`analysis.run.report_stage`), so an edit to one
    theme's commentary re-runs the quarterly report and that theme's exception report, not the others (issue 21).
    """
    rows = commentary["quarter"] == quarter.label
    if topic is not None:
        rows &= (commentary["theme"] == TOPIC_THEME) & (
            commentary["indicator_id"] == f"{TOPIC_PREFIX}{topic}"
        )
    elif theme is not None:
        rows &= commentary["theme"] == theme
    else:
        rows &= commentary["theme"] != TOPIC_THEME
    return commentary.loc[rows].reset_index(drop=True)


def commentary_text(
    commentary: pd.DataFrame, quarter: Quarter, theme: int, indicator_id: str | None = None
) -> str:
    """The analyst's commentary for a theme (or one indicator) this quarter, as Markdown.

    Returns :data:`NO_COMMENTARY` for a theme without any; an indicator without commentary gives ``""``.
    """
    rows = commentary.loc[(commentary["quarter"] == quarter.label) & (commentary["theme"] == theme)]
    if indicator_id is None:
        rows = rows.loc[rows["indicator_id"].isna() | (rows["indicator_id"] == "")]
    else:
        rows = rows.loc[rows["indicator_id"] == indicator_id]
    texts = [t.strip() for t in rows["text"] if isinstance(t, str) and t.strip()]
    if not texts:
        return NO_COMMENTARY if indicator_id is None else ""
    return "\n\n".join(texts)


def topic_commentary_text(commentary: pd.DataFrame, quarter: Quarter, topic_id: str) -> str:
    """The analyst's commentary for a topic this quarter (``## Topic: <id>``), as Markdown, or
    :data:`NO_TOPIC_COMMENTARY`."""
    rows = commentary.loc[
        (commentary["quarter"] == quarter.label)
        & (commentary["theme"] == TOPIC_THEME)
        & (commentary["indicator_id"] == f"{TOPIC_PREFIX}{topic_id}")
    ]
    texts = [t.strip() for t in rows["text"] if isinstance(t, str) and t.strip()]
    return "\n\n".join(texts) if texts else NO_TOPIC_COMMENTARY
