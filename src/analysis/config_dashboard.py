"""The models of ``config/dashboard.yml``: the monthly dashboard's focus areas, themes and safeguarding board."""

from __future__ import annotations

from pydantic import Field, model_validator

from analysis.config_model import StrictModel

#: The measures the safeguarding board's core dataset can show (each defined in
#: :data:`analysis.products.safeguarding_board.MEASURES`; a test keeps the two lists equal). Known here so that the
#: loader checks ``dashboard.yml`` without importing a product.
SAFEGUARDING_MEASURE_IDS: tuple[str, ...] = (
    "contacts",
    "referrals",
    "contacts_converting_to_referrals",
    "rereferrals_within_12_months",
    "assessments_completed",
    "assessments_within_45_working_days",
    "section_47_enquiries",
    "initial_conferences",
    "icpc_within_15_working_days",
    "cp_plans_started",
    "cp_plans_second_or_subsequent",
    "children_on_cp_plans",
    "cp_reviews_within_timescale",
    "cp_plans_ended",
    "cp_plans_ended_median_days",
    "cp_plans_ended_two_years_or_more",
    "children_in_need",
)


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
    """The safeguarding board's core dataset: which measures, in which order, and the local timescales."""

    measures: list[str] = Field(default_factory=list)


class DashboardSettings(StrictModel):
    """``config/dashboard.yml``: what the monthly dashboard shows, in which order, and the Board's focus areas."""

    sparkline_months: int = Field(default=24, ge=2)
    focus_areas: list[DashboardGroup] = []
    themes: list[DashboardGroup] = []
    """Other themes, in order; a theme without ``indicators`` shows all of its indicators not in a focus area."""
    safeguarding_board: SafeguardingBoardSettings = SafeguardingBoardSettings()
