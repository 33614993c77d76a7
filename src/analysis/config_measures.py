"""The safeguarding board's measures (``safeguarding_board_measures`` in ``config/indicators.yml``): which the board
shows, and their checks.

Each measure of the board's core dataset is defined once, as data (:class:`analysis.config_indicators.BoardMeasure`,
with the rest of ``indicators.yml``): its name, stage, unit, polarity, whether it is counted over a period or at
the month end, its definition and published source, and the columns of the cleaned Annex A lists it reads
(``table.column``). A measure that is the figure of a registry indicator names it (``indicator``, and
``series: numerator`` for the count behind a rate), so both pages show one value.

:func:`check_board_measures` is called by the one loader (:func:`analysis.config.load_config`): it refuses, naming
it, a measure reading a column that no cleaned table provides (:data:`analysis.schemas_child_level.CHILD_LEVEL_SCHEMAS`),
an indicator the registry does not have, and a measure id in ``config/dashboard.yml`` that is not defined here, so
that ``analysis run`` stops before its first stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from analysis.config_dashboard import DashboardSettings
from analysis.config_indicators import BoardMeasure, Indicator, IndicatorRegistry
from analysis.errors import ConfigError
from analysis.schemas_child_level import CHILD_LEVEL_SCHEMAS

#: Where each board measure's columns must come from: the cleaned Annex A lists (child-level tables).
CHILD_LEVEL_COLUMNS: dict[str, frozenset[str]] = {
    s.name: frozenset(s.column_names) for s in CHILD_LEVEL_SCHEMAS
}
#: The units of the registry whose figure a board measure may show as it is (``series: value``).
_SAME_UNIT = {"count": "count", "%": "%", "days": "days"}


class BoardConfig(Protocol):
    """What the board's measures read of the configuration: :class:`analysis.config.ProjectConfig` provides it.

    A protocol, not the class itself: the loader imports this module, which imports nothing of the loader.
    """

    @property
    def registry(self) -> IndicatorRegistry: ...

    @property
    def dashboard(self) -> DashboardSettings: ...

    @property
    def indicators_by_id(self) -> Mapping[str, Indicator]: ...


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
