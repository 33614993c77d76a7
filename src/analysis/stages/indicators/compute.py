"""Every indicator in the registry, by month and as DfE publishes it (years to 31 March and the latest 12 months)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.config import ProjectConfig
from analysis.config_indicators import Indicator
from analysis.errors import ConfigError
from analysis.inputs.annex_a import missing_column_reason, missing_columns
from analysis.io import conform
from analysis.methods.suppression import count_columns_for_unit, suppress_small_counts
from analysis.schemas import schema
from analysis.stages.indicators import (
    adoption,
    assessments,
    care_leavers,
    child_protection,
    front_door,
    looked_after,
)
from analysis.stages.indicators.periods import (
    ONE_DAY,
    month_periods,
    periods_frame,
    population_for_periods,
    trailing_periods,
)
from analysis.stages.indicators.scorecard import scorecard_indicator

logger = logging.getLogger(__name__)

Timing = Literal["flow", "stock", "trailing_12_months"]
"""How an indicator's monthly figure is formed: events in the month, a count at the month end, or events in the 12
months to the month end (adoption timeliness: few adoptions a month)."""
TRAILING_MONTHS = 12
#: The ``source`` of an annual figure computed here (the analysis stage puts the statutory returns' figures in
#: their place where a return gives one: :mod:`analysis.stages.returns.stage`).
ANNEX_A_SOURCE = "Annex A lists"
SCORECARD_SOURCE = "Scorecard"
THREE_YEARS = pd.DateOffset(years=3)
#: The annual forms that are a position on a day (a scorecard figure taken at that month's end), not a year's flow.
STOCK_ANNUAL = ("at_31_march", "at_30_september")

IndicatorFunction = Callable[[Mapping[str, pd.DataFrame], pd.DataFrame, np.ndarray], pd.DataFrame]


@dataclass(frozen=True)
class IndicatorSpec:
    """How to compute one case-record indicator: its function (tables, periods, population) and timing."""

    function: IndicatorFunction
    timing: Timing
    lookback_months: int = 0
    """Months of history before a period that its figure needs (re-referrals look back 12 months)."""
    columns: tuple[tuple[str, str], ...] = ()
    """Optional Annex A columns (table, column) the figure needs: without one it is not available."""


CASE_RECORD_INDICATORS: dict[str, IndicatorSpec] = {
    "contacts_converting_to_referrals": IndicatorSpec(
        lambda t, p, _: front_door.contacts_converting_to_referrals(t["contacts"], t["referrals"], p), "flow"
    ),
    "referrals_converting_to_assessments": IndicatorSpec(
        lambda t, p, _: front_door.referrals_converting_to_assessments(t["referrals"], t["assessments"], p),
        "flow",
    ),
    "referrals_per_10000": IndicatorSpec(
        lambda t, p, pop: front_door.referrals_per_10000(t["referrals"], p, pop), "flow"
    ),
    "rereferrals_within_12_months": IndicatorSpec(
        lambda t, p, _: front_door.rereferrals_within_12_months(t["referrals"], p), "flow", TRAILING_MONTHS
    ),
    "assessments_within_45_working_days": IndicatorSpec(
        lambda t, p, _: assessments.assessments_within_45_working_days(t["assessments"], p),
        "flow",
        columns=(("assessments", "assessment_authorised_date"),),
    ),
    "children_in_need_per_10000": IndicatorSpec(
        lambda t, p, pop: assessments.children_in_need_per_10000(t["children_in_need"], p, pop),
        "stock",
        columns=(("children_in_need", "cin_end_date"),),
    ),
    "section_47_enquiries": IndicatorSpec(
        lambda t, p, _: child_protection.section_47_enquiries(t["section47"], p), "flow"
    ),
    "icpc_within_15_working_days": IndicatorSpec(
        lambda t, p, _: child_protection.icpc_within_15_working_days(t["section47"], p),
        "flow",
        columns=(("section47", "icpc_date"),),
    ),
    "children_on_cp_plan_per_10000": IndicatorSpec(
        lambda t, p, pop: child_protection.children_on_cp_plan_per_10000(t["cp_plans"], p, pop),
        "stock",
        columns=(("cp_plans", "cp_plan_end_date"),),
    ),
    "cp_plans_second_or_subsequent": IndicatorSpec(
        lambda t, p, _: child_protection.cp_plans_second_or_subsequent(t["cp_plans"], p),
        "flow",
        columns=(("cp_plans", "previous_cp_plans"),),
    ),
    "cp_plans_lasting_two_years_or_more": IndicatorSpec(
        lambda t, p, _: child_protection.cp_plans_lasting_two_years_or_more(t["cp_plans"], p),
        "stock",
        columns=(("cp_plans", "cp_plan_end_date"),),
    ),
    "children_looked_after_per_10000": IndicatorSpec(
        lambda t, p, pop: looked_after.children_looked_after_per_10000(t["looked_after"], p, pop),
        "stock",
        columns=(("looked_after", "care_end_date"),),
    ),
    "lac_three_or_more_placements": IndicatorSpec(
        lambda t, p, _: looked_after.lac_three_or_more_placements(t["looked_after"], p),
        "stock",
        TRAILING_MONTHS,
        columns=(("looked_after", "placement_end_date"), ("looked_after", "care_end_date")),
    ),
    "adoption_a1_days_entering_care_to_placed": IndicatorSpec(
        lambda t, p, _: adoption.adoption_a1_days_entering_care_to_placed(t["adoptions"], p),
        "trailing_12_months",
        columns=(("adoptions", "placed_date"), ("adoptions", "adoption_order_date")),
    ),
    "adoption_a2_days_placement_order_to_match": IndicatorSpec(
        lambda t, p, _: adoption.adoption_a2_days_placement_order_to_match(t["adoptions"], p),
        "trailing_12_months",
        columns=(
            ("adoptions", "placement_order_date"),
            ("adoptions", "matched_date"),
            ("adoptions", "adoption_order_date"),
        ),
    ),
    "children_leaving_care_adopted": IndicatorSpec(
        lambda t, p, _: looked_after.children_leaving_care_adopted(t["looked_after"], p),
        "flow",
        columns=(("looked_after", "care_end_date"), ("looked_after", "reason_ceased")),
    ),
    "care_leavers_in_suitable_accommodation": IndicatorSpec(
        lambda t, p, _: care_leavers.care_leavers_in_suitable_accommodation(t["care_leavers"], p),
        "flow",
        columns=(("care_leavers", "contact_date"), ("care_leavers", "accommodation_suitable")),
    ),
    "care_leavers_in_education_employment_training": IndicatorSpec(
        lambda t, p, _: care_leavers.care_leavers_in_education_employment_training(t["care_leavers"], p),
        "flow",
        columns=(("care_leavers", "contact_date"), ("care_leavers", "activity")),
    ),
    "early_help_assessments_started": IndicatorSpec(
        lambda t, p, _: front_door.early_help_assessments_started(t["early_help"], p), "flow"
    ),
}
"""Every case-record indicator the registry may name, with the function that computes it."""


# ----------------------------------------------------------------------------------------- availability
def unavailable_indicators(config: ProjectConfig, cleaning_log: pd.DataFrame | None) -> dict[str, str]:
    """Indicators that cannot be computed because an Annex A column they need was missing from the raw lists.

    Returns
    -------
    dict of str to str
        Indicator id -> ``not available: column Placement End Date missing from List 8`` (every missing column
        named), for the report's data-quality section and the analysis notebook.

    Notes
    -----
    A column is required only where an indicator needs it (:attr:`IndicatorSpec.columns`); the cleaning stage
    records each missing optional column in the cleaning log (:mod:`analysis.inputs.annex_a`). Ofsted's current Annex A
    template, for example, has no placement end dates, so placement stability cannot be computed from it.
    """
    missing = missing_columns(cleaning_log)
    reasons: dict[str, str] = {}
    for indicator in config.indicators:
        spec = CASE_RECORD_INDICATORS.get(indicator.id)
        if indicator.source != "case_records" or spec is None:
            continue
        absent = [missing_column_reason(t, c) for t, c in spec.columns if (t, c) in missing]
        if absent:
            reasons[indicator.id] = "not available: " + "; ".join(absent)
    return reasons


def _not_available(result: pd.DataFrame) -> pd.DataFrame:
    """The result with every figure emptied (the periods stay, so tables and charts show "not available")."""
    blanked = result.copy()
    blanked.loc[:, ["value", "numerator", "denominator"]] = np.nan
    blanked["suppressed"] = False
    return blanked


# ------------------------------------------------------------------------------------------------- helpers
def _check_tables(tables: Mapping[str, pd.DataFrame], names: list[str]) -> None:
    """Every table an indicator needs is present with its schema's columns (a programming or stage error)."""
    for name in names:
        if name not in tables:
            raise KeyError(f"the indicators need the processed table {name!r}, which was not passed")
        missing = [c for c in schema(name).column_names if c not in tables[name].columns]
        if missing:
            raise ValueError(
                f"processed table {name!r} lacks the columns {missing}: run the cleaning stage again"
            )


def _timing(indicator: Indicator) -> Timing:
    if indicator.source == "scorecard":
        return "stock" if indicator.annual in STOCK_ANNUAL else "flow"
    return CASE_RECORD_INDICATORS[indicator.id].timing


def _suppression_columns(indicator: Indicator) -> list[str]:
    """The counts of children behind the indicator's figure (none for scorecard figures not about children)."""
    if indicator.source == "scorecard":
        return ["value"] if indicator.counts_children and indicator.unit == "count" else []
    return count_columns_for_unit(indicator.unit)


def _evaluate(
    indicator: Indicator,
    tables: Mapping[str, pd.DataFrame],
    periods: pd.DataFrame,
    config: ProjectConfig,
    *,
    scorecard_how: str,
) -> pd.DataFrame:
    """The indicator over ``periods`` (numerator, denominator, value, suppressed), on the periods' index."""
    if indicator.source == "scorecard":
        result = scorecard_indicator(tables["scorecard"], indicator.id, periods, how=scorecard_how)
    else:
        population = population_for_periods(
            tables["population"],
            periods,
            old_la_code=config.authority.old_la_code,
            ons_code=config.authority.ons_code,
            warn=False,
        )
        result = CASE_RECORD_INDICATORS[indicator.id].function(tables, periods, population)
    settings = config.suppression
    result["suppressed"] = suppress_small_counts(
        result, _suppression_columns(indicator), lower=settings.min_count, upper=settings.max_count
    )
    return result


def _evaluate_sets(
    indicator: Indicator,
    tables: Mapping[str, pd.DataFrame],
    config: ProjectConfig,
    timing: Timing,
    period_sets: list[tuple[pd.DataFrame, str, list[str]]],
) -> list[pd.DataFrame]:
    """The indicator over each set of periods (the monthly series first), one result frame per set.

    Case-record indicators are evaluated once over all the periods together, so that row-level work (working
    days, re-referral links) is done once per indicator.
    """
    if indicator.source == "scorecard":
        return [
            _evaluate(
                indicator,
                tables,
                periods,
                config,
                scorecard_how=_scorecard_how(indicator, kind == "monthly", timing),
            )
            for periods, kind, _ in period_sets
        ]
    together = pd.concat([periods for periods, _, _ in period_sets], ignore_index=True)
    result = _evaluate(indicator, tables, together, config, scorecard_how="last")
    bounds = np.cumsum([0] + [len(periods) for periods, _, _ in period_sets])
    return [
        result.iloc[lower:upper].set_index(periods.index)
        for (periods, _, _), lower, upper in zip(period_sets, bounds[:-1], bounds[1:], strict=True)
    ]


def blank_without_history(
    result: pd.DataFrame, periods: pd.DataFrame, first_month: pd.Timestamp, lookback_months: int
) -> pd.DataFrame:
    """Empty the figures of periods whose look-back reaches before the data starts.

    A period needs data from ``lookback_months`` before its start (its own start for trailing 12-month and
    three-year periods). Earlier figures would be understated (a placement or a referral before the extract is
    unknown), and in an SPC baseline they would make a false signal, so they are left empty rather than shown.
    """
    needs_from = periods["start"] - pd.DateOffset(months=lookback_months)
    short = (needs_from < first_month).to_numpy()
    if not short.any():
        return result
    blanked = result.copy()
    blanked.loc[short, ["value", "numerator", "denominator"]] = np.nan
    blanked.loc[short, "suppressed"] = False
    return blanked


def _month_label(day: pd.Timestamp) -> str:
    return f"{day:%b %Y}"


def _day_label(day: pd.Timestamp) -> str:
    return f"{day.day} {day:%B %Y}"


def _financial_year_label(year_ending: int) -> str:
    return f"{year_ending - 1}-{year_ending % 100:02d}"


def _annual_periods(
    kind: str, timing: Timing, first_month: pd.Timestamp, last_day: pd.Timestamp
) -> tuple[pd.DataFrame, list[str]]:
    """The periods of one annual kind within the data (first_month to last_day) and their labels."""
    march_ends = [d for d in pd.date_range(first_month, last_day, freq="ME") if d.month == 3]
    if kind == "year_to_31_march":
        ends = [d for d in march_ends if d + ONE_DAY - pd.DateOffset(years=1) >= first_month]
        periods = periods_frame([d + ONE_DAY - pd.DateOffset(years=1) for d in ends], ends)
        labels = [_financial_year_label(d.year) for d in ends]
    elif kind == "at_31_march":
        periods = periods_frame([d.replace(day=1) for d in march_ends], march_ends)
        labels = [_day_label(d) for d in march_ends]
    elif kind == "at_30_september":
        # DfE's children's social work workforce census counts the workforce at 30 September each year.
        september_ends = [d for d in pd.date_range(first_month, last_day, freq="ME") if d.month == 9]
        periods = periods_frame([d.replace(day=1) for d in september_ends], september_ends)
        labels = [_day_label(d) for d in september_ends]
    elif kind == "three_year_average":
        starts = [d + ONE_DAY - THREE_YEARS for d in march_ends]
        early = [
            _financial_year_label(d.year) for d, s in zip(march_ends, starts, strict=True) if s < first_month
        ]
        if early:
            logger.info("Three-year averages for %s start before the first month of data", early)
        periods = periods_frame(starts, march_ends)
        labels = [
            f"{_financial_year_label(d.year - 2)} to {_financial_year_label(d.year)}" for d in march_ends
        ]
    elif kind == "rolling_12_months":
        if timing == "stock":
            periods = periods_frame([last_day.replace(day=1)], [last_day])
            labels = [_day_label(last_day)]
        else:
            start = last_day + ONE_DAY - pd.DateOffset(months=TRAILING_MONTHS)
            periods = periods_frame([start], [last_day])
            labels = [f"{_month_label(start)} to {_month_label(last_day)}"]
    else:
        raise ValueError(f"unknown annual period kind {kind!r}")
    return periods, labels


def _scorecard_how(indicator: Indicator, periods_are_months: bool, timing: Timing) -> str:
    if periods_are_months or timing == "stock":
        return "last"
    return "sum" if indicator.unit == "count" else "mean"


# ---------------------------------------------------------------------------------------------- public API
def compute_indicators(
    tables: Mapping[str, pd.DataFrame],
    config: ProjectConfig,
    *,
    first_month: pd.Timestamp,
    last_month: pd.Timestamp,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every indicator in the registry by month, and by year as DfE publishes it.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The processed tables by name (``contacts``, ``referrals``, ..., ``scorecard``, ``population``).
    config : ProjectConfig
        The configuration: the registry (``config.indicators``), the authority (population rows) and the
        small-number suppression thresholds.
    first_month, last_month : pandas.Timestamp
        First and last month of the monthly series (the first full month of data; the report quarter's last month).

    Returns
    -------
    tuple of pandas.DataFrame
        ``(monthly, annual)`` conformed to the ``indicators_monthly`` and ``indicators_annual`` schemas. Monthly:
        one row per indicator and month; flow indicators count the month's events, stock indicators the position
        at the month end, adoption timeliness the 12 months to the month end; rates per 10,000 are annualised.
        Annual: per indicator its registry ``annual`` kind (years to 31 March wholly inside the data, each
        31 March, three years to each 31 March, or each 30 September), plus a ``rolling_12_months`` row ending
        at ``last_month`` (for indicators measured on a day: the position at ``last_month``'s end).

    Notes
    -----
    Each indicator's definition and its DfE source is in its function's docstring and in config/indicators.yml.
    Small numbers are flagged (``suppressed``), never removed: see :mod:`analysis.methods.suppression`.
    """
    first_month = pd.Timestamp(first_month).to_period("M").start_time
    last_month = pd.Timestamp(last_month).to_period("M").start_time
    if last_month < first_month:
        raise ValueError(f"last_month {last_month:%Y-%m} is before first_month {first_month:%Y-%m}")
    last_day = last_month + pd.offsets.MonthEnd(0)

    unknown = [
        i.id for i in config.indicators if i.source == "case_records" and i.id not in CASE_RECORD_INDICATORS
    ]
    if unknown:
        raise ConfigError(
            config.folder / "indicators.yml",
            f"indicators ({', '.join(unknown)}).id",
            f"an indicator computed by analysis.stages.indicators ({', '.join(CASE_RECORD_INDICATORS)})",
        )
    needed = sorted({t for i in config.indicators for t in i.tables} | {"population"})
    if any(i.source == "scorecard" for i in config.indicators):
        needed.append("scorecard")
    _check_tables(tables, needed)

    unavailable = unavailable_indicators(config, tables.get("cleaning_log"))
    for indicator_id, reason in unavailable.items():
        logger.warning("%s: %s", indicator_id, reason)
    months = month_periods(first_month, last_month)
    # Warn once about missing population estimates (for the months and the years to 31 March around them).
    population_for_periods(
        tables["population"],
        periods_frame(months["start"], months["end"]),
        old_la_code=config.authority.old_la_code,
        ons_code=config.authority.ons_code,
    )
    trailing = trailing_periods(months["end"], TRAILING_MONTHS)
    monthly_parts: list[pd.DataFrame] = []
    annual_parts: list[pd.DataFrame] = []
    for indicator in config.indicators:
        timing = _timing(indicator)
        period_sets: list[tuple[pd.DataFrame, str, list[str]]] = [
            (trailing if timing == "trailing_12_months" else months, "monthly", [])
        ]
        for kind in (indicator.annual, "rolling_12_months"):
            periods, labels = _annual_periods(kind, timing, first_month, last_day)
            if not periods.empty:
                period_sets.append((periods, kind, labels))
        lookback = (
            CASE_RECORD_INDICATORS[indicator.id].lookback_months
            if indicator.id in CASE_RECORD_INDICATORS
            else 0
        )
        results = [
            blank_without_history(result, periods, first_month, lookback)
            for result, (periods, _, _) in zip(
                _evaluate_sets(indicator, tables, config, timing, period_sets), period_sets, strict=True
            )
        ]
        if indicator.id in unavailable:
            results = [_not_available(result) for result in results]
        monthly_parts.append(results[0].assign(indicator_id=indicator.id, month=months["start"].to_numpy()))
        for (periods, kind, labels), result in zip(period_sets[1:], results[1:], strict=True):
            annual_parts.append(
                result.assign(
                    indicator_id=indicator.id,
                    period_type=kind,
                    # Year ending 31 March for the year kinds (their periods end on 31 March), the year of the
                    # 30 September for at_30_september (DfE's workforce ``time_period``), the year the period
                    # ends in for rolling 12 months: each is the end date's year.
                    time_period=periods["end"].dt.year.to_numpy(),
                    period_end=periods["end"].to_numpy(),
                    period_label=labels,
                    source=ANNEX_A_SOURCE if indicator.source == "case_records" else SCORECARD_SOURCE,
                )
            )
        logger.debug("Indicator %s computed", indicator.id)
    monthly = conform(pd.concat(monthly_parts, ignore_index=True), "indicators_monthly")
    annual_columns = schema("indicators_annual").column_names
    annual = (
        pd.concat(annual_parts, ignore_index=True)
        if annual_parts
        else pd.DataFrame({c: pd.Series(dtype="object") for c in annual_columns})
    )
    annual = conform(annual, "indicators_annual")
    logger.info(
        "Computed %d indicators for %d months (%s to %s); %d annual figures",
        len(config.indicators),
        len(months),
        f"{first_month:%b %Y}",
        f"{last_month:%b %Y}",
        len(annual),
    )
    return monthly, annual
