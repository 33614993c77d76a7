"""The models of ``config/dashboard.yml``: the monthly dashboard's focus areas, themes and safeguarding board."""

from __future__ import annotations

from pydantic import Field, model_validator

from analysis.config_model import StrictModel


class DashboardGroup(StrictModel):
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


class SafeguardingBoardSettings(StrictModel):
    """The safeguarding board's core dataset: which measures, in which order (ids of ``indicators.yml``'s
    ``safeguarding_board_measures``; none listed: every one, in that file's order)."""

    measures: list[str] = Field(default_factory=list)


class DashboardSettings(StrictModel):
    """``config/dashboard.yml``: what the monthly dashboard shows, in which order, and the Board's focus areas."""

    sparkline_months: int = Field(default=24, ge=2)
    focus_areas: list[DashboardGroup] = []
    themes: list[DashboardGroup] = []
    """Other themes, in order; a theme without ``indicators`` shows all of its indicators not in a focus area."""
    safeguarding_board: SafeguardingBoardSettings = SafeguardingBoardSettings()
