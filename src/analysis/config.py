"""The one loader of ``config/``: the Improvement Plan, the indicator registry, the benchmarks and the authority.

No other module reads YAML. A broken file raises :class:`~analysis.errors.ConfigError` naming the file, the key
path (e.g. ``indicators[3] (assessments_within_45_working_days).polarity``) and what was expected.
"""

from __future__ import annotations

import logging
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from analysis.errors import ConfigError

logger = logging.getLogger(__name__)

Polarity = Literal["higher_is_better", "lower_is_better", "context"]
Unit = Literal["%", "rate per 10,000", "days", "weeks", "count", "FTE"]
AnnualMeasure = Literal["year_to_31_march", "at_31_march", "three_year_average"]
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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ----------------------------------------------------------------------------------------------- plan.yml
class Phase(_Strict):
    name: str
    date: date
    description: str


class ServiceChange(_Strict):
    date: date
    name: str
    description: str


class Theme(_Strict):
    number: int = Field(ge=1)
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    what_we_want_to_achieve: str
    priorities: list[str] = Field(min_length=1)

    @property
    def label(self) -> str:
        """``1 Quality and Effectiveness of practice``."""
        return f"{self.number} {self.name}"

    @property
    def file_stem(self) -> str:
        """``1-quality-and-effectiveness``: used in report file names."""
        return f"{self.number}-{self.slug}"


class Plan(_Strict):
    title: str
    subtitle: str
    strapline: str
    source: str
    priorities_and_ambitions: list[str] = Field(min_length=1)
    phases: list[Phase]
    themes: list[Theme] = Field(min_length=1)
    service_changes: list[ServiceChange] = []

    @model_validator(mode="after")
    def _themes_unique(self) -> Plan:
        numbers = [t.number for t in self.themes]
        if len(set(numbers)) != len(numbers):
            raise ValueError("theme numbers must be unique")
        return self

    def theme(self, number: int) -> Theme:
        """The theme with this number (``KeyError`` if there is none)."""
        for theme in self.themes:
            if theme.number == number:
                return theme
        raise KeyError(number)


# ----------------------------------------------------------------------------------------- indicators.yml
class Target(_Strict):
    value: float
    source: str


class BenchmarkSeries(_Strict):
    publication: str
    measure: str
    rate_per_10000: bool = False


class TrajectoryPoint(_Strict):
    """One point of a planned path: the value planned for the month containing ``date``."""

    date: date
    value: float


ConcernSide = Literal["above", "below", "either"]


class PlannedPath(_Strict):
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


class ForecastExpectation(_Strict):
    """The expectation is a statistical forecast from the series' own history since its last rebase."""

    forecast: Literal[True] = True
    concern: ConcernSide | None = None


class ForecastSettings(_Strict):
    """How forecasts are made and tested (:mod:`analysis.forecast`; intervals are always 80% and 95%)."""

    horizon_months: int = Field(default=6, ge=1)  # the "looking ahead" section: the next two quarters
    seasonal_period: int = Field(default=12, ge=2)  # months in a year
    minimum_points: int = Field(default=12, ge=4)  # fewer points since the last rebase: naive forecast
    seasonal_minimum_cycles: int = Field(default=2, ge=2)  # whole years needed before seasonality is tried
    backtest_minimum_points: int = Field(default=12, ge=3)  # training points at the first backtest origin
    backtest_horizon: int = Field(default=3, ge=1)  # months ahead each backtest origin forecasts
    backtest_origin_step: int = Field(default=3, ge=1)  # months between backtest origins (one per quarter)


class DemandMeasure(_Strict):
    """A demand measure of the "looking ahead" section: an indicator's value, or its numerator or denominator."""

    name: str
    indicator: str
    series: Literal["value", "numerator", "denominator"] = "value"
    unit: Literal["count", "rate per 10,000"] = "rate per 10,000"


class AnticipatedSettings(_Strict):
    """When an indicator is out of line with its anticipated trend, and how forecasts are made."""

    latest_points: int = Field(default=1, ge=1)  # the latest N months all outside the band: an exception
    forecast: ForecastSettings = ForecastSettings()
    looking_ahead: list[DemandMeasure] = []


class Indicator(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    theme: int
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


class SpcRules(_Strict):
    outside_limits: bool = True
    run_length: int = Field(default=7, ge=0)
    trend_length: int = Field(default=7, ge=0)
    two_of_three_beyond_two_sigma: bool = True


class SpcSettings(_Strict):
    baseline_points: int = Field(default=12, ge=2)
    minimum_baseline_points: int = Field(default=12, ge=2)
    screen_moving_ranges: bool = False
    rules: SpcRules = SpcRules()


class DataCheckSettings(_Strict):
    """Tolerances of the stage-2 data checks (:mod:`analysis.validation`)."""

    earliest_event_date: date = date(
        2000, 1, 1
    )  # an event (contact, referral...) before this is a typing error
    volume_history_months: int = Field(default=12, ge=1)  # months before the quarter forming the norm
    volume_minimum_history_months: int = Field(default=6, ge=1)  # fewer: the month is not judged
    volume_minimum_ratio: float = Field(default=0.25, gt=0)  # month's count / median of the history
    volume_maximum_ratio: float = Field(default=3.0, gt=0)
    example_rows: int = Field(default=5, ge=1)  # raw row numbers quoted per failed check
    # A statutory return's annual figure and Annex A's for the same year further apart than this percentage of the
    # return's figure: a data-quality warning naming both (analysis.returns.reconcile).
    returns_tolerance_percent: float = Field(default=1.0, ge=0)


class SuppressionSettings(_Strict):
    """Counts from ``min_count`` to ``max_count`` are not published (DfE shows them as ``c``)."""

    min_count: int = Field(default=1, ge=0)
    max_count: int = Field(default=5, ge=0)


class IndicatorRegistry(_Strict):
    spc: SpcSettings = SpcSettings()
    suppression: SuppressionSettings = SuppressionSettings()
    data_checks: DataCheckSettings = DataCheckSettings()
    anticipated: AnticipatedSettings = AnticipatedSettings()
    indicators: list[Indicator] = Field(min_length=1)

    @field_validator("indicators")
    @classmethod
    def _ids_unique(cls, indicators: list[Indicator]) -> list[Indicator]:
        seen: set[str] = set()
        for indicator in indicators:
            if indicator.id in seen:
                raise ValueError(f"indicator id {indicator.id!r} appears twice")
            seen.add(indicator.id)
        return indicators


# ----------------------------------------------------------------------------------------- benchmarks.yml
class PercentageOfColumns(_Strict):
    """A percentage DfE publishes as counts only: 100 x sum(numerator columns) / sum(denominator columns)."""

    numerator: list[str] = Field(min_length=1)
    denominator: list[str] = Field(min_length=1)
    decimals: int = Field(default=1, ge=0, le=3)


class BenchmarkMeasure(_Strict):
    """One figure read from a published file: its column, the filter values that select its rows, its count.

    ``filters`` name a value for each filter column that breaks the figure down (e.g. ``population_type``);
    ``count`` names the column holding the count of children behind the figure (for small-number suppression);
    ``duration`` says a ``YY:MM`` column becomes ``days`` or ``months``.
    """

    column: str | None = None
    percentage: PercentageOfColumns | None = None
    filters: dict[str, str] = {}
    count: str | None = None
    duration: Literal["days", "months"] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> BenchmarkMeasure:
        if (self.column is None) == (self.percentage is None):
            raise ValueError("give exactly one of 'column' and 'percentage'")
        return self


def _month_day(text: str) -> tuple[int, int]:
    """``"03-31"`` -> (3, 31); a day that no year has (``"02-30"``) raises ``ValueError``."""
    month, day = (int(part) for part in text.split("-"))
    date(2000, month, day)  # a leap year: 29 February is allowed
    return month, day


class Release(_Strict):
    """When DfE releases one year's figures of a statistical release (several published files share one release).

    ``period_end``: the month and day each ``time_period`` ends (31 March; 30 September for the workforce census).
    ``usual``: the month and day by which DfE has usually released a year's figures: the first such day after the
    year's end (e.g. ``"11-30"``: children in need for the year to 31 March 2015 by 30 November 2015). ``dates``:
    the real release date of a year (its ``time_period``) where it is known, which replaces the usual day.
    """

    name: str = Field(min_length=1)
    period_end: str = Field(pattern=r"^\d{2}-\d{2}$")
    usual: str = Field(pattern=r"^\d{2}-\d{2}$")
    dates: dict[int, date] = {}
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _days_exist_and_follow_the_year(self) -> Release:
        for key in ("period_end", "usual"):
            try:
                _month_day(getattr(self, key))
            except ValueError:
                raise ValueError(f"{key} {getattr(self, key)!r} is not a month and day (MM-DD)") from None
        month, day = _month_day(self.period_end)
        for year, released in self.dates.items():
            ends = date(year, month, day)
            if released <= ends:
                raise ValueError(
                    f"dates: {year}'s figures released on {released}, not after the year ends on {ends}"
                )
        return self


class Publication(_Strict):
    file: str
    title: str
    source: str
    published: bool
    release: str
    """The id of the DfE release (``releases`` in benchmarks.yml) that publishes this file: when its years end
    and when each year's figures came out."""
    measures: dict[str, BenchmarkMeasure] = Field(min_length=1)
    local_authority_rows: bool = True
    """False for a publication with national (and regional) figures only, e.g. national adoption times."""
    filters: dict[str, str] = {}
    """Filter values shared by every measure (a measure's own ``filters`` add to them and win on a clash)."""

    @model_validator(mode="before")
    @classmethod
    def _shared_filters(cls, data: Any) -> Any:
        if (
            isinstance(data, dict)
            and isinstance(data.get("filters"), dict)
            and isinstance(data.get("measures"), dict)
        ):
            shared = data["filters"]
            data = {
                **data,
                "measures": {
                    name: {**measure, "filters": {**shared, **(measure.get("filters") or {})}}
                    if isinstance(measure, dict)
                    else measure
                    for name, measure in data["measures"].items()
                },
            }
        return data


class NeighbourModel(_Strict):
    """Which DfE statistical neighbour file to use, and how the neighbours' figures are summarised."""

    file: str = "sn_model_2025_wide*.csv"
    average: Literal["mean", "median"] = "mean"


class BenchmarkCatalogue(_Strict):
    folder: str = "benchmarks"
    statistical_neighbours: NeighbourModel = NeighbourModel()
    releases: dict[str, Release] = Field(min_length=1)
    publications: dict[str, Publication]

    def release_of(self, publication: str) -> Release:
        """The release that publishes ``publication`` (the loader has checked that it exists)."""
        return self.releases[self.publications[publication].release]


# ------------------------------------------------------------------------------------------ authority.yml
class Region(_Strict):
    name: str
    code: str = Field(pattern=r"^E12\d{6}$")


class Authority(_Strict):
    name: str
    ons_code: str = Field(pattern=r"^E0[6-9]\d{6}$|^E10\d{6}$")
    old_la_code: int = Field(ge=100, le=999)
    region: Region
    population_file: str
    report_status: Literal["draft", "final"] = "draft"
    demo: bool = True


# ------------------------------------------------------------------------------------------ dashboard.yml
class DashboardGroup(_Strict):
    """A block of the monthly dashboard: a focus area (named) or a plan theme, with its indicators in order."""

    name: str | None = None
    theme: int | None = None
    indicators: list[str] = []

    @model_validator(mode="after")
    def _named_or_theme(self) -> DashboardGroup:
        if (self.name is None) == (self.theme is None):
            raise ValueError("give either a name (a focus area) or a theme number, not both")
        if self.name is not None and not self.indicators:
            raise ValueError("a focus area must list its indicators")
        return self


class SafeguardingBoardSettings(_Strict):
    """The safeguarding board's core dataset: which measures, in which order, and the local timescales."""

    measures: list[str] = Field(default_factory=list)


class DashboardSettings(_Strict):
    """``config/dashboard.yml``: what the monthly dashboard shows, in which order, and the Board's focus areas."""

    sparkline_months: int = Field(default=24, ge=2)
    focus_areas: list[DashboardGroup] = []
    themes: list[DashboardGroup] = []
    """Other themes, in order; a theme without ``indicators`` shows all of its indicators not in a focus area."""
    safeguarding_board: SafeguardingBoardSettings = SafeguardingBoardSettings()


# ------------------------------------------------------------------------------------------------ together
class ProjectConfig(BaseModel):
    """Everything in ``config/``, checked for consistency across files."""

    model_config = ConfigDict(frozen=True)

    folder: Path
    plan: Plan
    registry: IndicatorRegistry
    benchmarks: BenchmarkCatalogue
    authority: Authority
    dashboard: DashboardSettings = DashboardSettings()

    @property
    def indicators(self) -> list[Indicator]:
        return self.registry.indicators

    @property
    def spc(self) -> SpcSettings:
        return self.registry.spc

    @property
    def suppression(self) -> SuppressionSettings:
        return self.registry.suppression

    @property
    def data_checks(self) -> DataCheckSettings:
        return self.registry.data_checks

    @cached_property
    def indicators_by_id(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.registry.indicators}

    def indicator(self, indicator_id: str) -> Indicator:
        return self.indicators_by_id[indicator_id]

    def indicators_for_theme(self, theme: int) -> list[Indicator]:
        return [i for i in self.registry.indicators if i.theme == theme]


CONFIG_FILES = {
    "plan": "plan.yml",
    "registry": "indicators.yml",
    "benchmarks": "benchmarks.yml",
    "authority": "authority.yml",
}
#: Optional files: without them the defaults apply (every theme in plan order, no focus areas).
OPTIONAL_CONFIG_FILES = {"dashboard": "dashboard.yml"}


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise ConfigError(path, "(file)", "a YAML file here", found="no such file")
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise ConfigError(path, where, "valid YAML", found=str(getattr(error, "problem", error))) from None


def _key_path(data: Any, loc: tuple[int | str, ...]) -> str:
    """``indicators[3] (assessments_within_45_working_days).polarity`` from a pydantic error location."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and item < len(node):
                node = node[item]
                if isinstance(node, dict) and ("id" in node or "slug" in node):
                    label += f" ({node.get('id', node.get('slug'))})"
            parts.append(label)
        else:
            # pydantic adds the union member's name (e.g. 'Target') to locations: skip what is not a key.
            if isinstance(node, dict) and item not in node and item[:1].isupper():
                continue
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def _parse(model: type[BaseModel], path: Path, data: Any) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(path, "(top level)", "a mapping of keys to values", found=type(data).__name__)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        message = first["msg"]
        if first["type"] == "missing":
            message = "this key (it is missing)"
        elif first["type"] == "extra_forbidden":
            message = "no such key (it is not one this file takes)"
        found = first.get("input") if first["type"] not in {"missing", "extra_forbidden"} else None
        raise ConfigError(path, _key_path(data, first["loc"]), message, found=found) from None


def _check_consistency(config: ProjectConfig) -> None:
    """Cross-file rules: themes, publications and rebase dates that indicators refer to must exist."""
    registry_file = config.folder / CONFIG_FILES["registry"]
    themes = {t.number for t in config.plan.themes}
    change_dates = {c.date for c in config.plan.service_changes}
    for n, indicator in enumerate(config.indicators):
        where = f"indicators[{n}] ({indicator.id})"
        if indicator.theme not in themes:
            raise ConfigError(
                registry_file,
                f"{where}.theme",
                f"a theme number in plan.yml ({sorted(themes)})",
                indicator.theme,
            )
        if indicator.benchmark and indicator.benchmark.publication not in config.benchmarks.publications:
            raise ConfigError(
                registry_file,
                f"{where}.benchmark.publication",
                f"a publication in benchmarks.yml ({sorted(config.benchmarks.publications)})",
                indicator.benchmark.publication,
            )
        if indicator.benchmark and indicator.benchmark.measure not in (
            measures := config.benchmarks.publications[indicator.benchmark.publication].measures
        ):
            raise ConfigError(
                registry_file,
                f"{where}.benchmark.measure",
                f"a measure of publication {indicator.benchmark.publication} in benchmarks.yml ({sorted(measures)})",
                indicator.benchmark.measure,
            )
        for day in indicator.rebase_at:
            if day not in change_dates:
                raise ConfigError(
                    registry_file,
                    f"{where}.rebase_at",
                    f"a service change date in plan.yml ({sorted(str(d) for d in change_dates)})",
                    str(day),
                )
    _check_dashboard(config, themes)


def _check_releases(config: ProjectConfig) -> None:
    """Every publication names a release defined in ``benchmarks.yml``."""
    path = config.folder / CONFIG_FILES["benchmarks"]
    releases = config.benchmarks.releases
    for publication_id, publication in config.benchmarks.publications.items():
        if publication.release not in releases:
            raise ConfigError(
                path,
                f"publications.{publication_id}.release",
                f"a release in benchmarks.yml ({sorted(releases)})",
                publication.release,
            )


def _check_dashboard(config: ProjectConfig, themes: set[int]) -> None:
    """The dashboard's groups must name known themes and indicators, each indicator at most once."""
    path = config.folder / OPTIONAL_CONFIG_FILES["dashboard"]
    seen: set[str] = set()
    for key in ("focus_areas", "themes"):
        for n, group in enumerate(getattr(config.dashboard, key)):
            where = f"{key}[{n}]"
            if group.theme is not None and group.theme not in themes:
                raise ConfigError(
                    path, f"{where}.theme", f"a theme number in plan.yml ({sorted(themes)})", group.theme
                )
            for m, indicator_id in enumerate(group.indicators):
                if indicator_id not in config.indicators_by_id:
                    raise ConfigError(
                        path, f"{where}.indicators[{m}]", "an indicator id in indicators.yml", indicator_id
                    )
                if indicator_id in seen:
                    raise ConfigError(
                        path, f"{where}.indicators[{m}]", "each indicator once on the dashboard", indicator_id
                    )
                seen.add(indicator_id)
    _check_safeguarding_measures(config, path)


def _check_safeguarding_measures(config: ProjectConfig, path: Path) -> None:
    """Every safeguarding board measure in ``dashboard.yml`` is one the board defines, named if not.

    Checked here, when the configuration is read, so that ``analysis run`` stops before its first stage (exit 2)
    instead of leaving the measure out at render time. The measures are still defined in
    :mod:`analysis.safeguarding_board` (read lazily: the loader stays below the products).
    """
    from analysis.safeguarding_board import MEASURES

    for n, measure_id in enumerate(config.dashboard.safeguarding_board.measures):
        if measure_id not in MEASURES:
            raise ConfigError(
                path,
                f"safeguarding_board.measures[{n}]",
                f"a safeguarding board measure ({', '.join(sorted(MEASURES))})",
                measure_id,
            )


def _check_looking_ahead(config: ProjectConfig) -> None:
    """Every demand measure of the "looking ahead" section names a registered indicator."""
    registry_file = config.folder / CONFIG_FILES["registry"]
    for n, measure in enumerate(config.registry.anticipated.looking_ahead):
        if measure.indicator not in config.indicators_by_id:
            raise ConfigError(
                registry_file,
                f"anticipated.looking_ahead[{n}].indicator",
                "the id of an indicator in this file",
                measure.indicator,
            )


def load_config(folder: Path | str | None = None) -> ProjectConfig:
    """Read and check ``plan.yml``, ``indicators.yml``, ``benchmarks.yml`` and ``authority.yml``."""
    if folder is None:
        from analysis.paths import project_root

        folder = project_root() / "config"
    folder = Path(folder)
    parsed = {}
    for field, filename in CONFIG_FILES.items():
        path = folder / filename
        models: dict[str, type[BaseModel]] = {
            "plan": Plan,
            "registry": IndicatorRegistry,
            "benchmarks": BenchmarkCatalogue,
            "authority": Authority,
        }
        parsed[field] = _parse(models[field], path, _read_yaml(path))
    dashboard_file = folder / OPTIONAL_CONFIG_FILES["dashboard"]
    if dashboard_file.is_file():
        parsed["dashboard"] = _parse(DashboardSettings, dashboard_file, _read_yaml(dashboard_file))
    config = ProjectConfig(folder=folder.resolve(), **parsed)
    _check_consistency(config)
    _check_releases(config)
    _check_looking_ahead(config)
    logger.debug("Configuration read from %s: %d indicators", folder, len(config.indicators))
    return config
