"""The safeguarding board's measures (``safeguarding_board_measures`` in ``config/indicators.yml``) and their checks.

Each measure of the board's core dataset is defined once, as data: its name, stage, unit, polarity, whether it is
counted over a period or at the month end, its definition and published source, and the columns of the cleaned
Annex A lists it reads (``table.column``). A measure that is the figure of a registry indicator names it
(``indicator``, and ``series: numerator`` for the count behind a rate), so both pages show one value.

:func:`check_board_measures` is called by the one loader (:func:`analysis.config.load_config`): it refuses, naming
it, a measure reading a column that no cleaned table provides (:data:`analysis.schemas_child_level.CHILD_LEVEL_SCHEMAS`),
an indicator the registry does not have, and a measure id in ``config/dashboard.yml`` that is not defined here, so
that ``analysis run`` stops before its first stage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal, Protocol

from pydantic import Field, model_validator

from analysis.config_dashboard import DashboardSettings
from analysis.config_model import StrictModel
from analysis.errors import ConfigError
from analysis.schemas_child_level import CHILD_LEVEL_SCHEMAS

BoardStage = Literal["Referral", "Assessment", "Planning", "Review"]
BoardUnit = Literal["count", "%", "days"]
BoardPolarity = Literal["higher_is_better", "lower_is_better", "context"]
BoardTiming = Literal["flow", "stock"]
#: How a measure that is not a registry indicator's figure is computed (each a function of
#: :data:`analysis.stages.indicators.board.MEASURE_FUNCTIONS`; a test keeps the two equal). ``events`` counts the rows
#: whose one date column (``reads``) falls in the period.
BoardMethod = Literal[
    "events",
    "initial_conferences_held",
    "reviews_within_timescale",
    "median_days_of_plans_ended",
    "plans_ended_lasting_two_years",
]
#: Where each board measure's columns must come from: the cleaned Annex A lists (child-level tables).
CHILD_LEVEL_COLUMNS: dict[str, frozenset[str]] = {
    s.name: frozenset(s.column_names) for s in CHILD_LEVEL_SCHEMAS
}
#: The units of the registry whose figure a board measure may show as it is (``series: value``).
_SAME_UNIT = {"count": "count", "%": "%", "days": "days"}


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


class _IndicatorFacts(Protocol):
    """What a measure's check reads of the registry indicator it shows (:class:`analysis.config_indicators.Indicator`)."""

    @property
    def id(self) -> str: ...

    @property
    def source(self) -> str: ...

    @property
    def unit(self) -> str: ...


class _MeasureRegistry(Protocol):
    @property
    def safeguarding_board_measures(self) -> Sequence[BoardMeasure]: ...


class BoardConfig(Protocol):
    """What the board's measures read of the configuration: :class:`analysis.config.ProjectConfig` provides it.

    A protocol, not the class itself, so that this module (which the registry's model imports) imports nothing
    of the loader above it.
    """

    @property
    def registry(self) -> _MeasureRegistry: ...

    @property
    def dashboard(self) -> DashboardSettings: ...

    @property
    def indicators_by_id(self) -> Mapping[str, _IndicatorFacts]: ...


def board_measure_ids(config: BoardConfig) -> list[str]:
    """The measures the board shows, in order: ``dashboard.yml``'s list, or every defined measure."""
    chosen = config.dashboard.safeguarding_board.measures
    return list(chosen) if chosen else [m.id for m in config.registry.safeguarding_board_measures]


def check_board_measures(config: BoardConfig, registry_file: Path, dashboard_file: Path) -> None:
    """Refuse, naming it, a measure that cannot be computed or a board measure id that is not defined.

    Raises
    ------
    analysis.errors.ConfigError
        A measure id defined twice; a column in ``reads`` that no cleaned Annex A table has; an ``indicator`` not
        in the registry (or not computed from the case records), or whose unit is not the measure's; an id in
        ``dashboard.yml``'s ``safeguarding_board.measures`` that ``indicators.yml`` does not define.
    """
    measures = config.registry.safeguarding_board_measures
    seen: set[str] = set()
    for n, measure in enumerate(measures):
        where = f"safeguarding_board_measures[{n}] ({measure.id})"
        if measure.id in seen:
            raise ConfigError(registry_file, f"{where}.id", "each measure id once", measure.id)
        seen.add(measure.id)
        for m, (table, column) in enumerate(measure.columns):
            if column not in CHILD_LEVEL_COLUMNS.get(table, frozenset()):
                known = sorted(CHILD_LEVEL_COLUMNS[table]) if table in CHILD_LEVEL_COLUMNS else None
                expected = (
                    f"a column of the cleaned table {table} ({', '.join(known)})"
                    if known
                    else f"table.column of a cleaned Annex A table ({', '.join(CHILD_LEVEL_COLUMNS)})"
                )
                raise ConfigError(
                    registry_file,
                    f"{where}.reads[{m}]",
                    f"{expected}: no reader provides column {measure.reads[m]}, so {measure.id} could never "
                    "be computed",
                    measure.reads[m],
                )
        if measure.indicator is not None:
            _check_indicator(config, registry_file, where, measure)
    for n, measure_id in enumerate(config.dashboard.safeguarding_board.measures):
        if measure_id not in seen:
            raise ConfigError(
                dashboard_file,
                f"safeguarding_board.measures[{n}]",
                f"a measure defined in indicators.yml's safeguarding_board_measures ({', '.join(sorted(seen))})",
                measure_id,
            )


def _check_indicator(config: BoardConfig, registry_file: Path, where: str, measure: BoardMeasure) -> None:
    indicator = config.indicators_by_id.get(measure.indicator or "")
    if indicator is None or indicator.source != "case_records":
        raise ConfigError(
            registry_file,
            f"{where}.indicator",
            "the id of an indicator in this file computed from the case records",
            measure.indicator,
        )
    unit = "count" if measure.series == "numerator" else _SAME_UNIT.get(indicator.unit)
    if unit != measure.unit:
        raise ConfigError(
            registry_file,
            f"{where}.unit",
            f"the unit of indicator {indicator.id}'s {measure.series} ({unit or indicator.unit})",
            measure.unit,
        )
