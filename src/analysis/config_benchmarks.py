"""The models of ``config/benchmarks.yml``: DfE releases, published files, their measures and neighbours."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, model_validator

from analysis.config_model import StrictModel


class PercentageOfColumns(StrictModel):
    """A percentage DfE publishes as counts only: 100 x sum(numerator columns) / sum(denominator columns)."""

    numerator: list[str] = Field(min_length=1)
    denominator: list[str] = Field(min_length=1)
    decimals: int = Field(default=1, ge=0, le=3)


class BenchmarkMeasure(StrictModel):
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


class Release(StrictModel):
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


class Publication(StrictModel):
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


class NeighbourModel(StrictModel):
    """Which DfE statistical neighbour file to use, and how the neighbours' figures are summarised."""

    file: str = "sn_model_2025_wide*.csv"
    average: Literal["mean", "median"] = "mean"


class BenchmarkCatalogue(StrictModel):
    folder: str = "benchmarks"
    statistical_neighbours: NeighbourModel = NeighbourModel()
    releases: dict[str, Release] = Field(min_length=1)
    publications: dict[str, Publication]

    def release_of(self, publication: str) -> Release:
        """The release that publishes ``publication`` (the loader has checked that it exists)."""
        return self.releases[self.publications[publication].release]
