"""The analysis stage: indicators, SPC, benchmarks, anticipated trends, exceptions and topic tables (``03_analyse``).

:func:`analyse_all` reads the processed tables, computes every indicator by month and by year, charts each monthly
series with the Making Data Count rules up to the quarter's last month, compares the annual figures with the
published benchmarks, compares indicators with their anticipated trends (:mod:`analysis.methods.trajectory`), forecasts the
demand measures (:mod:`analysis.methods.demand_forecasts`), finds the exceptions, computes the safeguarding board's
measures for every month (:mod:`analysis.stages.indicators.board`), makes each themed topic's tables
(:mod:`analysis.stages.topics`), writes the analysis tables and returns headline tables per theme for the notebook
to show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.config import ProjectConfig
from analysis.inputs.population_and_neighbours import neighbours_of
from analysis.io import read_table, write_table
from analysis.methods.benchmarking import compare_with_benchmarks, known_by
from analysis.methods.demand_forecasts import demand_forecasts
from analysis.methods.exception_finder import find_exceptions
from analysis.methods.quarters import Quarter
from analysis.methods.spc import indicator_chart, readings_as_at
from analysis.methods.spc_summary import sustained_shift_start
from analysis.methods.suppression import withhold_suppressed
from analysis.methods.trajectory import anticipated_table
from analysis.schemas import schema
from analysis.stages.returns.stage import annual_with_returns
from analysis.stages.topics import ethnic_population_for, topic_tables

logger = logging.getLogger(__name__)

#: Tables whose first dated row marks the start of the extract window (a month is used once fully covered).
WINDOW_TABLES = {"contacts": "contact_date", "referrals": "referral_date"}
OPTIONAL_TABLES = ("benchmarks", "actions", "cleaning_log", "statistical_neighbours")


@dataclass(frozen=True)
class AnalysisSummary:
    """What the analysis found for a quarter: the analysis tables and a headline table per theme."""

    quarter: Quarter
    monthly: pd.DataFrame
    annual: pd.DataFrame
    spc: pd.DataFrame
    spc_summary: pd.DataFrame
    benchmark_comparison: pd.DataFrame
    spc_as_at: pd.DataFrame
    exceptions: pd.DataFrame
    exceptions_as_at: pd.DataFrame
    headlines: dict[int, pd.DataFrame] = field(default_factory=dict)
    anticipated: pd.DataFrame = field(default_factory=pd.DataFrame)
    forecasts: pd.DataFrame = field(default_factory=pd.DataFrame)
    forecast_backtest: pd.DataFrame = field(default_factory=pd.DataFrame)
    exceptions_by_theme: pd.DataFrame = field(default_factory=pd.DataFrame)
    written: list[Path] = field(default_factory=list)

    def headline(self, theme: int) -> pd.DataFrame:
        """The headline table of one theme (empty if the theme has no indicators)."""
        return self.headlines.get(theme, pd.DataFrame())


def _empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in schema(table).columns})


def read_inputs(processed_dir: Path, config: ProjectConfig) -> dict[str, pd.DataFrame]:
    """The processed tables the analysis needs (benchmarks and actions may be absent: a warning, an empty table)."""
    board = {t for m in config.registry.safeguarding_board_measures for t in m.tables}
    names = sorted({t for i in config.indicators for t in i.tables} | board | {"population", *WINDOW_TABLES})
    topic_lists = {name for topic in config.topics.topics for name in topic.lists}
    if any("journeys" in t.analyses or "drift" in t.analyses for t in config.topics.topics):
        topic_lists |= {"contacts", "referrals", "assessments", "section47", "cp_plans", "looked_after"}
    if any(i.source == "scorecard" for i in config.indicators):
        names.append("scorecard")
    tables = {name: read_table(name, processed_dir) for name in names}
    for name in sorted(topic_lists - set(names)):
        try:
            tables[name] = read_table(name, processed_dir)
        except FileNotFoundError:
            logger.warning("No %s table in %s: the topics go on without it", name, processed_dir)
            tables[name] = _empty(name)
    for name in OPTIONAL_TABLES:
        try:
            tables[name] = read_table(name, processed_dir)
        except FileNotFoundError:
            logger.warning("No %s table in %s: the analysis goes on without it", name, processed_dir)
            tables[name] = _empty(name)
    return tables


def first_full_month(tables: dict[str, pd.DataFrame]) -> pd.Timestamp:
    """The first month the extract covers in full, in every front-door list.

    A list covers its first month in full when its first record falls on or before the month's first working
    day (the window of an extract starting on Sunday 1 April has its first contact on Monday 2 April).

    Notes
    -----
    Annex A lists run from the start of the reporting window to the extract date (Ofsted, Annex A guidance); a
    month whose first working days are missing would understate counts, so it is left out. Working days exclude
    weekends and England and Wales bank holidays (:mod:`analysis.methods.working_days`).
    """
    from analysis.methods.working_days import working_days_between

    starts = []
    for table, column in WINDOW_TABLES.items():
        dates = tables.get(table, pd.DataFrame()).get(column, pd.Series(dtype="datetime64[s]")).dropna()
        if dates.empty:
            continue
        first = pd.Timestamp(dates.min()).normalize()
        month = first.to_period("M").start_time
        day = pd.Timedelta(days=1)
        missed = working_days_between(pd.Series([month - day]), pd.Series([first - day])).iloc[0]
        starts.append(month if missed == 0 else month + pd.DateOffset(months=1))
    if not starts and "scorecard" in tables and not tables["scorecard"].empty:
        starts.append(pd.Timestamp(tables["scorecard"]["month"].min()))
    if not starts:
        raise ValueError("no dated rows in the contacts, referrals or scorecard tables: nothing to analyse")
    return max(starts)


def run_spc(
    monthly: pd.DataFrame, config: ProjectConfig, last_month: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """XmR chart and summary of every indicator's monthly series up to ``last_month``.

    Notes
    -----
    NHS England "Making Data Count" rules as NHSRplotthedots 0.2.x implements them (see :mod:`analysis.methods.spc`).
    """
    charts, summaries = [], []
    for indicator in config.indicators:
        chart, summary = indicator_chart(monthly, indicator, config.spc, last_month)
        shifted = sustained_shift_start(chart, config.spc.sustained_shift_months)
        if shifted is not None:
            logger.warning(
                "%s: every month since %s is on one side of its baseline's average (a sustained shift); if the change "
                "is explained, add %s to its rebase_at in config/indicators.yml to recalculate its limits",
                indicator.id,
                f"{shifted:%B %Y}",
                f"{shifted:%Y-%m-%d}",
            )
        charts.append(chart.assign(indicator_id=indicator.id))
        summaries.append(summary)
    spc = pd.concat(charts, ignore_index=True) if charts else _empty("spc")
    summary = pd.concat(summaries, ignore_index=True) if summaries else _empty("spc_summary")
    return spc, summary


def run_spc_as_at(monthly: pd.DataFrame, config: ProjectConfig, last_month: pd.Timestamp) -> pd.DataFrame:
    """Every indicator's SPC reading as it stood at each month up to ``last_month`` (the ``spc_as_at`` table).

    The monthly dashboard of any month reads its variation and assurance from here instead of drawing charts
    itself, so it shows what the Board saw then (:func:`analysis.methods.spc.readings_as_at`).
    """
    months = sorted(pd.Timestamp(m) for m in monthly["month"].unique() if pd.Timestamp(m) <= last_month)
    parts = [
        readings_as_at(monthly.loc[monthly["indicator_id"] == indicator.id], indicator, config.spc, months)
        for indicator in config.indicators
    ]
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else _empty("spc_as_at")


def exceptions_as_at(
    every_year: pd.DataFrame,
    monthly: pd.DataFrame,
    spc_as_at: pd.DataFrame,
    config: ProjectConfig,
    quarter: Quarter,
    exceptions: pd.DataFrame,
) -> pd.DataFrame:
    """The exceptions as they stood at the end of every quarter the monthly series cover (``exceptions_as_at``).

    The run's quarter has its exceptions as the reports show them. Each earlier quarter has the indicator
    exceptions found the same way (:func:`analysis.methods.exception_finder.find_exceptions` with the SPC readings as at
    its last month, the benchmarks known by its end and its anticipated trends: ``every_year`` is every year
    compared once, :func:`compare_every_year`, and each quarter keeps the years known by its end,
    :func:`analysis.methods.benchmarking.known_by`); its action exceptions are not
    known: the action tracker read is the run quarter's, and an action's status then is not in it (a 2015-16
    action "off track" now was "not started" in an earlier quarter's report).
    """
    first = pd.Timestamp(monthly["month"].min()) if not monthly.empty else pd.Timestamp(quarter.months[0])
    earlier: list[Quarter] = []
    at = quarter.previous()
    while pd.Timestamp(at.months[0]) >= first:
        earlier.append(at)
        at = at.previous()
    parts = [exceptions]
    no_actions = _empty("actions")
    for before in earlier:
        last = pd.Timestamp(before.months[-1])
        summary = spc_as_at.loc[spc_as_at["as_at"] == last].drop(columns=["as_at", "above_mean"])
        comparison = known_by(every_year, before.end).reset_index(drop=True)
        found = find_exceptions(
            summary, comparison, no_actions, config, before, anticipated_table(monthly, config, before)
        )
        parts.append(found)
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else _empty("exceptions_as_at")


def compare_every_year(
    tables: dict[str, pd.DataFrame], annual: pd.DataFrame, config: ProjectConfig, up_to: date | None = None
) -> pd.DataFrame:
    """The ``benchmark_comparison`` of every published year (released by ``up_to``, when given)."""
    return compare_with_benchmarks(
        annual,
        tables.get("benchmarks", _empty("benchmarks")),
        tables["population"],
        config,
        neighbours=neighbours_of(
            tables.get("statistical_neighbours", _empty("statistical_neighbours")),
            config.authority.old_la_code,
        ),
        up_to=up_to,
    )


def comparison_known_by(every_year: pd.DataFrame, day: date) -> pd.DataFrame | None:
    """``compare_with_benchmarks(up_to=day)`` read from the comparison of every year, or None where it may differ.

    Each year's row depends only on that year, but for its direction of travel, which compares it with the year
    before it among the years kept: so when the years known by ``day`` are every indicator's first years (DfE
    released them in order) the rows known by ``day`` are exactly those recomputed up to ``day``. Otherwise (a
    year released before an earlier one), or when none is known, None: the caller compares again.
    """
    if every_year.empty:
        return every_year
    known = pd.to_datetime(every_year["released"]) <= pd.Timestamp(day)
    unknown_before = (~known).astype("int64").groupby(every_year["indicator_id"]).cummax().astype(bool)
    if not known.any() or bool((known & unknown_before).any()):
        return None
    return every_year.loc[known].reset_index(drop=True)


def headline_table(
    config: ProjectConfig,
    theme: int,
    monthly: pd.DataFrame,
    spc_summary: pd.DataFrame,
    benchmark_comparison: pd.DataFrame,
    exceptions: pd.DataFrame,
) -> pd.DataFrame:
    """One row per indicator of a theme: latest figure, variation, assurance, latest quartile band, exceptions."""
    rows = []
    summaries = spc_summary.set_index("indicator_id")
    for indicator in config.indicators_for_theme(theme):
        series = monthly.loc[(monthly["indicator_id"] == indicator.id)].dropna(subset=["value"])
        summary = summaries.loc[indicator.id] if indicator.id in summaries.index else None
        latest_month = summary["latest_month"] if summary is not None else pd.NaT
        latest = series.loc[(series["month"] == latest_month) & ~series["suppressed"].astype("bool"), "value"]
        compared = benchmark_comparison.loc[benchmark_comparison["indicator_id"] == indicator.id]
        compared = compared.sort_values("time_period").tail(1)
        item_exceptions = exceptions.loc[
            (exceptions["kind"] == "indicator") & (exceptions["item_id"] == indicator.id)
        ]
        rows.append(
            {
                "indicator": indicator.name,
                "unit": indicator.unit,
                "latest_month": latest_month,
                "latest_value": round(float(latest.iloc[0]), indicator.decimals)
                if len(latest)
                else float("nan"),
                "variation": summary["variation"] if summary is not None else None,
                "assurance": summary["assurance"] if summary is not None else None,
                "benchmark_year": compared["time_period"].iloc[0] if len(compared) else pd.NA,
                "quartile_band": compared["quartile_band"].iloc[0] if len(compared) else pd.NA,
                "exceptions": len(item_exceptions),
            }
        )
    return pd.DataFrame(rows)


def exceptions_per_theme(config: ProjectConfig, exceptions: pd.DataFrame) -> pd.DataFrame:
    """How many indicator and action exceptions each theme has (zero rows are kept: the report says "none")."""
    rows = []
    for theme in config.plan.themes:
        mine = exceptions.loc[exceptions["theme"] == theme.number]
        rows.append(
            {
                "theme": theme.label,
                "indicator_exceptions": int((mine["kind"] == "indicator").sum()),
                "action_exceptions": int((mine["kind"] == "action").sum()),
            }
        )
    return pd.DataFrame(rows)


def analyse_tables(
    tables: dict[str, pd.DataFrame],
    monthly: pd.DataFrame,
    annual: pd.DataFrame,
    config: ProjectConfig,
    quarter: Quarter,
) -> AnalysisSummary:
    """SPC, benchmarks, exceptions and headlines from computed indicators (no file input or output).

    Suppression is applied here, once (:func:`analysis.methods.suppression.withhold_suppressed`): every table made below,
    and every table written, has no figure resting on 1 to 5 children.
    """
    monthly, annual = withhold_suppressed(monthly), withhold_suppressed(annual)
    last_month = pd.Timestamp(quarter.months[-1])
    spc, spc_summary = run_spc(monthly, config, last_month)
    spc_as_at = run_spc_as_at(monthly, config, last_month)
    every_year = compare_every_year(tables, annual, config)
    comparison = comparison_known_by(every_year, quarter.end)
    if comparison is None:
        comparison = compare_every_year(tables, annual, config, up_to=quarter.end)
    anticipated = anticipated_table(monthly, config, quarter)
    forecasts, forecast_backtest = demand_forecasts(monthly, config, quarter)
    exceptions = find_exceptions(
        spc_summary, comparison, tables.get("actions", _empty("actions")), config, quarter, anticipated
    )
    history = exceptions_as_at(every_year, monthly, spc_as_at, config, quarter, exceptions)
    headlines = {
        theme.number: headline_table(config, theme.number, monthly, spc_summary, comparison, exceptions)
        for theme in config.plan.themes
    }
    return AnalysisSummary(
        quarter=quarter,
        monthly=monthly,
        annual=annual,
        spc=spc,
        spc_summary=spc_summary,
        spc_as_at=spc_as_at,
        benchmark_comparison=comparison,
        exceptions=exceptions,
        exceptions_as_at=history,
        headlines=headlines,
        exceptions_by_theme=exceptions_per_theme(config, exceptions),
        anticipated=anticipated,
        forecasts=forecasts,
        forecast_backtest=forecast_backtest,
    )


def _compute_indicators(
    tables: dict[str, pd.DataFrame],
    config: ProjectConfig,
    *,
    first_month: pd.Timestamp,
    last_month: pd.Timestamp,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    from analysis.stages.indicators import compute_indicators

    return compute_indicators(tables, config, first_month=first_month, last_month=last_month)


def _board_table(
    tables: dict[str, pd.DataFrame],
    monthly: pd.DataFrame,
    config: ProjectConfig,
    *,
    first_month: pd.Timestamp,
    last_month: pd.Timestamp,
) -> pd.DataFrame:
    """The safeguarding board's measures for every month of the series, suppressed where they are made."""
    from analysis.stages.indicators.board import board_table
    from analysis.stages.indicators.periods import month_periods

    return board_table(tables, monthly, config, month_periods(first_month, last_month))


def analyse_all(
    processed_dir: Path,
    config: ProjectConfig,
    quarter: Quarter,
    *,
    compute: Callable[..., tuple[pd.DataFrame, pd.DataFrame]] | None = None,
    raw_dir: Path | None = None,
) -> AnalysisSummary:
    """Run the analysis stage for a quarter and write its analysis tables to ``processed_dir``.

    Parameters
    ----------
    processed_dir
        Folder of the processed tables (read) and the analysis tables (written).
    config
        The project configuration.
    quarter
        The reporting quarter: monthly series and SPC run to its last month; benchmarks use years ending by its end.
    compute
        The indicator calculation (default :func:`analysis.stages.indicators.compute_indicators`); tests pass their own.
    raw_dir
        Folder of the raw inputs, where the ONS population by ethnic group is found (``config/topics.yml``,
        ``ethnic_population_file``); default ``processed_dir``'s sibling ``raw`` (``data/raw`` beside
        ``data/processed``).

    Returns
    -------
    AnalysisSummary
        The analysis tables and a headline table per theme.
    """
    processed_dir = Path(processed_dir)
    tables = read_inputs(processed_dir, config)
    first_month = first_full_month(tables)
    last_month = pd.Timestamp(quarter.months[-1])
    logger.info("Analysing %s: months %s to %s", quarter.label, f"{first_month:%b %Y}", f"{last_month:%b %Y}")
    monthly, annual = (compute or _compute_indicators)(
        tables, config, first_month=first_month, last_month=last_month
    )
    annual, reconciliation = annual_with_returns(processed_dir, annual, config)
    result = analyse_tables(tables, monthly, annual, config, quarter)
    board = _board_table(tables, result.monthly, config, first_month=first_month, last_month=last_month)
    outputs = {
        "indicators_monthly": result.monthly,
        "indicators_annual": result.annual,
        "spc": result.spc,
        "spc_summary": result.spc_summary,
        "spc_as_at": result.spc_as_at,
        "benchmark_comparison": result.benchmark_comparison,
        "exceptions": result.exceptions,
        "exceptions_as_at": result.exceptions_as_at,
        "anticipated": result.anticipated,
        "forecasts": result.forecasts,
        "forecast_backtest": result.forecast_backtest,
        "returns_reconciliation": reconciliation,
        "safeguarding_board": board,
        **topic_tables(
            tables,
            config,
            quarter,
            ethnic_population_for(raw_dir if raw_dir is not None else processed_dir.parent / "raw", config),
        ),
    }
    written = [write_table(frame, name, processed_dir) for name, frame in outputs.items()]
    logger.info(
        "Analysis of %s written: %d SPC charts, %d benchmark comparisons, %d exceptions",
        quarter.label,
        result.spc_summary["indicator_id"].nunique(),
        len(result.benchmark_comparison),
        len(result.exceptions),
    )
    return replace(result, written=written)
