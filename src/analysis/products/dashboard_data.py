"""What the monthly Improvement Board dashboard shows, as data: the month and the analysis tables
(:class:`DashboardData`), the blocks (focus areas, then themes), each indicator's row with every cell as the reader
sees it (:class:`IndicatorRow`), and the open exceptions of the latest quarter ended by the month.

Everything is computed from the validated analysis tables (``indicators_monthly``, ``benchmark_comparison``,
``exceptions``, ``actions``): the figures are the pipeline's, never recomputed from case records. The SPC reading
is that of the chart *as it stood at the month*, read from the analysis stage's ``spc_as_at`` table
(:func:`spc_as_of`), so a dashboard for an earlier month shows what the Board could have known then, and the
dashboard for a quarter's last month agrees with that quarter's report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.config import ProjectConfig, load_config
from analysis.config_indicators import Indicator
from analysis.io import read_table
from analysis.methods.benchmarking import known_by
from analysis.methods.months import month_end, parse_month, reported_quarter
from analysis.methods.quarters import Quarter
from analysis.products import chart_cache
from analysis.products.indicator_tables import latest_benchmarks
from analysis.products.mdc_icons import assurance_icon, variation_icon
from analysis.products.presentation import (
    display_value,
)
from analysis.products.report_data import load_manifest
from analysis.products.sparklines import sparkline_svg
from analysis.products.spc_charts import monthly_chart_reason
from analysis.units import format_number

logger = logging.getLogger(__name__)


DASHBOARD_TABLES = (
    "indicators_monthly",
    "spc_as_at",
    "benchmark_comparison",
    "exceptions_as_at",
    "actions",
)
NOT_AVAILABLE = "not available"
#: Beside England's and the region's figure where it is not measured as the monthly figure is (the key says how).
MEASURED_DIFFERENTLY = "measured differently: see the key"
NO_TARGET = "none set"


# ------------------------------------------------------------------------------------------------ inputs
@dataclass(frozen=True)
class DashboardData:
    """What the dashboard shows: the configuration, the month, the analysis tables and where the reports are."""

    config: ProjectConfig
    month: pd.Timestamp
    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any] | None = None
    reports_dir: Path | None = None

    @property
    def monthly(self) -> pd.DataFrame:
        return self.tables["indicators_monthly"]

    @property
    def previous_month(self) -> pd.Timestamp:
        return self.month - pd.DateOffset(months=1)


def load_dashboard_data(
    month: str,
    processed_dir: str | Path,
    config_dir: str | Path,
    manifest_path: str | Path | None = None,
    reports_dir: str | Path | None = None,
) -> DashboardData:
    """Read the configuration and the analysis tables the dashboard shows (``month`` as ``YYYY-MM``).

    Its charts are kept in ``chart-cache`` beside ``processed_dir`` (:mod:`analysis.products.chart_cache`).
    """
    chart_cache.use_folder(chart_cache.folder_beside(processed_dir))
    config = load_config(config_dir)
    tables = {name: read_table(name, Path(processed_dir)) for name in DASHBOARD_TABLES}
    return DashboardData(
        config=config,
        month=parse_month(month),
        tables=tables,
        manifest=load_manifest(manifest_path),
        reports_dir=Path(reports_dir) if reports_dir else None,
    )


# ---------------------------------------------------------------------------------------------- blocks
@dataclass(frozen=True)
class Block:
    """One block of the dashboard: a focus area or a theme, with its indicators in the configured order."""

    title: str
    focus: bool
    theme: int | None
    indicators: tuple[Indicator, ...]
    shown_in_focus_areas: bool = False
    """A theme whose indicators all appear under the focus areas."""


def dashboard_blocks(config: ProjectConfig) -> list[Block]:
    """The focus areas, then the themes, from ``config/dashboard.yml`` (every theme in plan order without it).

    A theme that lists no indicators shows all of its indicators that no focus area shows.
    """
    settings = config.dashboard
    in_focus = {i for area in settings.focus_areas for i in area.indicators}
    blocks = [
        Block(
            title=str(area.name),
            focus=True,
            theme=None,
            indicators=tuple(config.indicator(i) for i in area.indicators),
        )
        for area in settings.focus_areas
    ]
    groups = settings.themes
    themes = (
        [(g.theme, g.indicators) for g in groups] if groups else [(t.number, []) for t in config.plan.themes]
    )
    for number, chosen in themes:
        assert number is not None
        theme = config.plan.theme(number)
        indicators = (
            [config.indicator(i) for i in chosen]
            if chosen
            else [i for i in config.indicators_for_theme(number) if i.id not in in_focus]
        )
        elsewhere = not indicators and any(i.id in in_focus for i in config.indicators_for_theme(number))
        blocks.append(
            Block(
                title=f"Theme {theme.label}",
                focus=False,
                theme=number,
                indicators=tuple(indicators),
                shown_in_focus_areas=elsewhere,
            )
        )
    return blocks


# ------------------------------------------------------------------------------------------ one indicator
def spc_as_of(data: DashboardData, indicator: Indicator, month: pd.Timestamp) -> pd.Series:
    """The indicator's SPC reading as the chart stood at ``month``, read from the ``spc_as_at`` table.

    The analysis stage writes the reading of every indicator at every month (:func:`analysis.stages.analyse.run_spc_as_at`),
    so the dashboard computes nothing: the reading at a quarter's last month is the one in that quarter's report.
    A month the analysis has not reached gives an empty reading (no icons), never one drawn here.

    Notes
    -----
    NHS England "Making Data Count"; NHSRplotthedots 0.2.x ``ptd_spc`` and ``ptd_calculate_assurance_type``.
    """
    table = data.tables["spc_as_at"]
    row = table.loc[(table["indicator_id"] == indicator.id) & (table["as_at"] == pd.Timestamp(month))]
    if row.empty:
        logger.warning("%s: no SPC reading as at %s in spc_as_at", indicator.id, f"{month:%b %Y}")
        return pd.Series(
            {
                "indicator_id": indicator.id,
                "latest_month": pd.NaT,
                "variation": None,
                "assurance": None,
                "provisional": False,
                "above_mean": None,
            }
        )
    reading = row.iloc[0].copy()
    if pd.isna(reading["above_mean"]):
        reading["above_mean"] = None
    return reading


def month_point(monthly: pd.DataFrame, indicator_id: str, month: pd.Timestamp) -> tuple[float | None, bool]:
    """(value, suppressed) of an indicator in a month; (None, False) when there is no row."""
    row = monthly.loc[(monthly["indicator_id"] == indicator_id) & (monthly["month"] == month)]
    if row.empty:
        return None, False
    value = row["value"].iloc[0]
    return (None if pd.isna(value) else float(value)), bool(row["suppressed"].iloc[0])


def not_assessed(data: DashboardData, indicator: Indicator, month: pd.Timestamp) -> bool:
    """Whether the reports would show the indicator "Not assessed" at the month: its chart up to the month would
    have too few published figures, or mostly suppressed ones, so no variation or assurance is read from it (the
    rule the quarterly report's tables and charts follow: :func:`analysis.products.spc_charts.monthly_chart_reason`).
    """
    monthly = data.monthly
    suppressed = monthly["suppressed"].fillna(False).astype(bool)
    rows = monthly.loc[
        (monthly["indicator_id"] == indicator.id)
        & (monthly["month"] <= month)
        & (monthly["value"].notna() | suppressed)
    ]
    if rows.empty:
        return False
    hidden = rows["suppressed"].fillna(False).astype(bool)
    points = pd.DataFrame({"value": rows["value"].where(~hidden), "suppressed": hidden})
    return monthly_chart_reason(points, data.config.spc.minimum_baseline_points) is not None


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator's line on the dashboard, every cell already as the reader sees it."""

    indicator: Indicator
    figure: str
    target: str
    sparkline: str
    variation: str | None
    assurance: str | None
    variation_svg: str
    assurance_svg: str
    england: str
    region: str
    provisional: bool
    not_assessed: bool = False
    """No SPC reading is shown: too few published monthly figures, or mostly suppressed ones (the reports' rule)."""


def indicator_row(data: DashboardData, indicator: Indicator, bench: pd.DataFrame) -> IndicatorRow:
    """The dashboard line of one indicator for the data's month (``bench``: :func:`latest_benchmarks` rows)."""
    monthly = data.monthly
    value, suppressed = month_point(monthly, indicator.id, data.month)
    figure = display_value(value, indicator, suppressed=suppressed)
    first = data.month - pd.DateOffset(months=data.config.dashboard.sparkline_months - 1)
    history = monthly.loc[
        (monthly["indicator_id"] == indicator.id)
        & (monthly["month"] >= first)
        & (monthly["month"] <= data.month)
    ]
    months = pd.date_range(first, data.month, freq="MS")
    by_month = history.set_index("month")
    values = [by_month["value"].get(m) for m in months]
    hidden = [bool(by_month["suppressed"].get(m, False)) for m in months]
    target = indicator.target.value if indicator.target else None
    sparkline = sparkline_svg(
        months,
        values,
        hidden,
        label=f"{indicator.name}, last {len(months)} months",
        format_value=lambda v: format_number(v, indicator),
        target=target,
    )
    summary = spc_as_of(data, indicator, data.month)
    unread = not_assessed(data, indicator, data.month)
    has_points = pd.notna(summary["latest_month"]) and not unread
    variation = str(summary["variation"]) if has_points else None
    level = summary["assurance"] if isinstance(summary["assurance"], str) and not unread else None
    england = region = NOT_AVAILABLE
    if indicator.id in bench.index:
        b = bench.loc[indicator.id]
        year = str(b["period_label"])  # "2013-14"; "Sep 2014" for the workforce census at 30 September
        # DfE's figures of another definition than the monthly figure beside them say so (the key says how).
        measured = f"; {MEASURED_DIFFERENTLY}" if indicator.benchmark_difference else ""
        # A figure DfE did not publish is "not available", without a year or a note about a figure not shown.
        england, region = (
            f"{format_number(b[area], indicator)} ({year}{measured})" if pd.notna(b[area]) else NOT_AVAILABLE
            for area in ("england", "region")
        )
    return IndicatorRow(
        indicator=indicator,
        figure=figure,
        target=format_number(target, indicator) if target is not None else NO_TARGET,
        sparkline=sparkline,
        variation=variation,
        assurance=level,
        variation_svg=variation_icon(variation, indicator.polarity, above_mean=summary["above_mean"])
        if variation
        else "",
        assurance_svg=assurance_icon(level),
        england=england,
        region=region,
        provisional=bool(summary["provisional"]) and not unread,
        not_assessed=unread,
    )


def dashboard_rows(data: DashboardData) -> dict[str, list[IndicatorRow]]:
    """Every block's rows, by block title, in the configured order."""
    bench = latest_benchmarks(
        known_by(data.tables["benchmark_comparison"], month_end(data.month).date())
    ).set_index("indicator_id")
    return {
        block.title: [indicator_row(data, indicator, bench) for indicator in block.indicators]
        for block in dashboard_blocks(data.config)
    }


def analysed_quarter(data: DashboardData) -> Quarter | None:
    """The quarter the analysis tables were made for (its last month is the latest ``as_at`` of ``spc_as_at``)."""
    readings = data.tables["spc_as_at"]
    if readings.empty:
        return None
    return reported_quarter(pd.Timestamp(readings["as_at"].max()))


def open_exceptions(data: DashboardData) -> tuple[Quarter, pd.DataFrame | None]:
    """The exceptions of the latest quarter that had ended by the month's end, as they stood at its end.

    Read from the analysis stage's ``exceptions_as_at`` table (found with the anticipated trends, as the exception
    reports find them); None when the analysis did not reach that quarter. Nothing is computed here.
    """
    quarter = reported_quarter(data.month)
    table = data.tables["exceptions_as_at"]
    analysed = analysed_quarter(data)
    if analysed is None or pd.Timestamp(quarter.end) > pd.Timestamp(analysed.end):
        return quarter, None
    rows = table.loc[table["quarter"] == quarter.label]
    return quarter, rows.reset_index(drop=True)


def exception_report_link(data: DashboardData, quarter: Quarter, theme: int) -> str | None:
    """The relative link from ``reports/<month>/`` to the theme's exception report, if that report exists."""
    if data.reports_dir is None:
        return None
    stem = f"exceptions-{data.config.plan.theme(theme).file_stem}"
    for suffix in (".html", ".ipynb"):
        if (data.reports_dir / quarter.label / f"{stem}{suffix}").is_file():
            return f"../{quarter.label}/{stem}{suffix}"
    return None
