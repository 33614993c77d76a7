"""The models of ``config/indicators.yml``: each indicator, its target, anticipated trend, the SPC settings and the
safeguarding board's measures."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from analysis.config_model import StrictModel

Polarity = Literal["higher_is_better", "lower_is_better", "context"]
Unit = Literal["%", "rate per 10,000", "days", "weeks", "count", "FTE"]
AnnualMeasure = Literal["year_to_31_march", "at_31_march", "three_year_average", "at_30_september"]
#: The month and day each annual form ends on (``MM-DD``, as ``period_end`` of a release in ``benchmarks.yml``): a
#: benchmark that compares like with like is published for years ending on the same day.
ANNUAL_PERIOD_END: dict[str, str] = {
    "year_to_31_march": "03-31",
    "at_31_march": "03-31",
    "three_year_average": "03-31",
    "at_30_september": "09-30",
}
IndicatorSource = Literal["case_records", "scorecard"]
CaseRecordTable = Literal[
    "contacts",
    "early_help",
    "referrals",
    "assessments",
    "section47",
    "children_in_need",
    "cp_plans",
    "looked_after",
    "care_leavers",
    "adoptions",
    "adopters",
]


BoardStage = Literal["Referral", "Assessment", "Planning", "Review"]
BoardUnit = Literal["count", "%", "days"]
BoardPolarity = Literal["higher_is_better", "lower_is_better", "context"]
BoardTiming = Literal["flow", "stock"]
#: How a safeguarding board measure that is not a registry indicator's figure is computed (each a function of
#: :data:`analysis.stages.indicators.board.MEASURE_FUNCTIONS`; a test keeps the two equal). ``events`` counts the rows
#: whose one date column (``reads``) falls in the period.
BoardMethod = Literal[
    "events",
    "initial_conferences_held",
    "reviews_within_timescale",
    "median_days_of_plans_ended",
    "plans_ended_lasting_two_years",
]


class BoardMeasure(StrictModel):
    """One line of the safeguarding board's core dataset."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    stage: BoardStage
    unit: BoardUnit
    polarity: BoardPolarity
    timing: BoardTiming
    """flow: events in the period (the month, and the 12 months to its end); stock: the position at the month end."""
    definition: str
    source: str
    reads: list[str] = Field(min_length=1)
    """The columns the measure reads, as ``table.column`` of the cleaned Annex A lists."""
    indicator: str | None = None
    """A registry indicator whose figure this is (computed once, by the indicator's own function)."""
    series: Literal["value", "numerator"] = "value"
    """Which of the indicator's figures: its value, or its numerator (the count behind a rate)."""
    method: BoardMethod | None = None
    """How a measure that is not an indicator's figure is computed from the columns it reads."""

    @model_validator(mode="after")
    def _one_computation(self) -> BoardMeasure:
        if (self.indicator is None) == (self.method is None):
            raise ValueError(
                "give either an indicator (its figure) or a method (how to compute it), not both"
            )
        if self.method == "events" and len(self.reads) != 1:
            raise ValueError("method events counts the rows of one date column: reads must name exactly one")
        return self

    @property
    def columns(self) -> list[tuple[str, str]]:
        """``reads`` as (table, column) pairs."""
        pairs = []
        for item in self.reads:
            table, _, column = item.partition(".")
            pairs.append((table, column))
        return pairs

    @property
    def tables(self) -> list[str]:
        return sorted({table for table, _ in self.columns})

    @property
    def decimals(self) -> int:
        return 1 if self.unit == "%" else 0


class Target(StrictModel):
    value: float
    source: str


class BenchmarkSeries(StrictModel):
    """The published figure an indicator is compared with, and whether the local figure is measured the same way.

    ``comparable``: true when the indicator's own definition is DfE's (the same count, the same base, on the same
    day or over the same year), so that its local annual figure may stand beside the published ones; false when it
    is measured differently, and then ``difference`` says how in one sentence, shown beside every comparison (the
    comparison shows the authority's figure as DfE publishes it, never the local figure of another definition).
    """

    publication: str
    measure: str
    rate_per_10000: bool = False
    comparable: bool
    difference: str | None = None

    @model_validator(mode="after")
    def _difference_when_measured_differently(self) -> BenchmarkSeries:
        said = (self.difference or "").strip()
        if not self.comparable and not said:
            raise ValueError(
                "a benchmark measured differently (comparable: false) needs `difference`: one sentence on how the "
                "local figure differs from the published one"
            )
        if self.comparable and said:
            raise ValueError(
                "`difference` is for a benchmark measured differently: set comparable: false, or remove it"
            )
        if said and (not said.endswith(".") or re.search(r"[.!?]\s+[A-Z]", said[:-1])):
            raise ValueError("`difference` is one sentence, ending with a full stop")
        return self


class TrajectoryPoint(StrictModel):
    """One point of a planned path: the value planned for the month containing ``date``."""

    date: date
    value: float


ConcernSide = Literal["above", "below", "either"]


class PlannedPath(StrictModel):
    """The Board's planned path for an indicator: straight lines between dated points, with a tolerance.

    Exactly one of ``tolerance`` (in the indicator's unit) and ``tolerance_percent`` (of the planned value) is
    given. ``concern`` says which side of the band matters; by default it follows the polarity (above for
    lower_is_better, below for higher_is_better, either side for context indicators).
    """

    path: list[TrajectoryPoint] = Field(min_length=2)
    tolerance: float | None = Field(default=None, gt=0)
    tolerance_percent: float | None = Field(default=None, gt=0, lt=100)
    concern: ConcernSide | None = None
    source: str

    @model_validator(mode="after")
    def _path_and_tolerance(self) -> PlannedPath:
        months = [(p.date.year, p.date.month) for p in self.path]
        if any(b <= a for a, b in zip(months, months[1:], strict=False)):
            raise ValueError("the path's dates must be in different months, earliest first")
        if (self.tolerance is None) == (self.tolerance_percent is None):
            raise ValueError("give exactly one of tolerance and tolerance_percent")
        return self


class ForecastExpectation(StrictModel):
    """The expectation is a statistical forecast from the series' own history since its last rebase."""

    forecast: Literal[True] = True
    concern: ConcernSide | None = None


class ForecastSettings(StrictModel):
    """How forecasts are made and tested (:mod:`analysis.methods.forecast`; intervals are always 80% and 95%)."""

    horizon_months: int = Field(default=6, ge=1)  # the "looking ahead" section: the next two quarters
    seasonal_period: int = Field(default=12, ge=2)  # months in a year
    minimum_points: int = Field(default=12, ge=4)  # fewer points since the last rebase: naive forecast
    seasonal_minimum_cycles: int = Field(default=2, ge=2)  # whole years needed before seasonality is tried
    backtest_minimum_points: int = Field(default=12, ge=3)  # training points at the first backtest origin
    backtest_horizon: int = Field(default=3, ge=1)  # months ahead each backtest origin forecasts
    backtest_origin_step: int = Field(default=3, ge=1)  # months between backtest origins (one per quarter)
    # A range wider than this share of its forecast is "too uncertain to plan on" (its figures are not printed).
    too_uncertain_share: float = Field(default=0.5, gt=0)


class DemandMeasure(StrictModel):
    """A demand measure of the "looking ahead" section: an indicator's value, or its numerator or denominator."""

    name: str
    indicator: str
    series: Literal["value", "numerator", "denominator"] = "value"
    unit: Literal["count", "rate per 10,000", "%"] = "rate per 10,000"


class AnticipatedSettings(StrictModel):
    """When an indicator is out of line with its anticipated trend, and how forecasts are made."""

    latest_points: int = Field(default=1, ge=1)  # the latest N months all outside the band: an exception
    forecast: ForecastSettings = ForecastSettings()
    looking_ahead: list[DemandMeasure] = []


class Indicator(StrictModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    theme: int
    actions: list[str] = []
    """The plan's actions that address the indicator (``<theme>.<priority>``): an exception on it shows them."""
    unit: Unit
    polarity: Polarity
    decimals: int = Field(ge=0, le=3)
    target: Target | None
    source: IndicatorSource
    tables: list[CaseRecordTable] = []
    scorecard_label: str | None = None
    annual: AnnualMeasure
    definition: str
    reference: str
    benchmark: BenchmarkSeries | None
    rebase_at: list[date] = []
    counts_children: bool = False
    """A count of children (e.g. CSE referrals): small-number suppression applies even from the scorecard."""
    headline: bool = False
    """One of the figures the committee paper leads on: shown on the quarterly report's first screen."""
    anticipated: PlannedPath | ForecastExpectation | None = None
    """The anticipated trend: the Board's planned path, or ``{forecast: true}``; None: SPC rules alone."""

    @field_validator("anticipated", mode="before")
    @classmethod
    def _forecast_word(cls, value: Any) -> Any:
        """``anticipated: forecast`` is short for ``anticipated: {forecast: true}``."""
        return {"forecast": True} if value == "forecast" else value

    @model_validator(mode="after")
    def _source_fields(self) -> Indicator:
        if self.source == "case_records" and not self.tables:
            raise ValueError("an indicator from case_records must list the tables it is computed from")
        if self.source == "scorecard" and not self.scorecard_label:
            raise ValueError("an indicator from the scorecard must give its scorecard_label")
        return self

    @property
    def is_percentage(self) -> bool:
        return self.unit == "%"

    @property
    def benchmark_difference(self) -> str | None:
        """How the indicator's own figure differs from its published benchmark, in one sentence (the configured
        ``benchmark.difference``, on one line), or None when the two are measured the same way."""
        if self.benchmark is None or self.benchmark.comparable or not self.benchmark.difference:
            return None
        return " ".join(self.benchmark.difference.split())


class SpcRules(StrictModel):
    outside_limits: bool = True
    run_length: int = Field(default=7, ge=0)
    trend_length: int = Field(default=7, ge=0)
    two_of_three_beyond_two_sigma: bool = True


class SpcSettings(StrictModel):
    baseline_points: int = Field(default=12, ge=2)
    minimum_baseline_points: int = Field(default=12, ge=2)
    screen_moving_ranges: bool = False
    rules: SpcRules = SpcRules()
    sustained_shift_months: int = Field(default=12, ge=0)
    """Points in a row on one side of the centre line after which a shift is the process's established level: the
    reading says so and the run suggests a rebase date (0 turns it off)."""


class DataCheckSettings(StrictModel):
    """Tolerances of the stage-2 data checks (:mod:`analysis.stages.validation`)."""

    earliest_event_date: date = date(
        2000, 1, 1
    )  # an event (contact, referral...) before this is a typing error
    volume_history_months: int = Field(default=12, ge=1)  # months before the quarter forming the norm
    volume_minimum_history_months: int = Field(default=6, ge=1)  # fewer: the month is not judged
    volume_minimum_ratio: float = Field(default=0.25, gt=0)  # month's count / median of the history
    volume_maximum_ratio: float = Field(default=3.0, gt=0)
    example_rows: int = Field(default=5, ge=1)  # raw row numbers quoted per failed check
    # A statutory return's annual figure and Annex A's for the same year further apart than this percentage of the
    # return's figure: a data-quality warning naming both (analysis.stages.returns.reconcile).
    returns_tolerance_percent: float = Field(default=1.0, ge=0)


class SuppressionSettings(StrictModel):
    """Counts from ``min_count`` to ``max_count`` are not published (DfE shows them as ``c``)."""

    min_count: int = Field(default=1, ge=0)
    max_count: int = Field(default=5, ge=0)


class IndicatorRegistry(StrictModel):
    spc: SpcSettings = SpcSettings()
    suppression: SuppressionSettings = SuppressionSettings()
    data_checks: DataCheckSettings = DataCheckSettings()
    anticipated: AnticipatedSettings = AnticipatedSettings()
    indicators: list[Indicator] = Field(min_length=1)
    safeguarding_board_measures: list[BoardMeasure] = []
    """The safeguarding board's core dataset, each measure defined once (:class:`BoardMeasure`; checked by :mod:`analysis.config_measures`)."""

    @field_validator("indicators")
    @classmethod
    def _ids_unique(cls, indicators: list[Indicator]) -> list[Indicator]:
        seen: set[str] = set()
        for indicator in indicators:
            if indicator.id in seen:
                raise ValueError(f"indicator id {indicator.id!r} appears twice")
            seen.add(indicator.id)
        return indicators
