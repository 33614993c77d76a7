"""The performance indicators, with their DfE definitions (pipeline stage 3).

One module per area: :mod:`~analysis.stages.indicators.front_door` (contacts, referrals, re-referrals, early help),
:mod:`~analysis.stages.indicators.assessments` (assessments, children in need), :mod:`~analysis.stages.indicators.child_protection`,
:mod:`~analysis.stages.indicators.looked_after`, :mod:`~analysis.stages.indicators.adoption`,
:mod:`~analysis.stages.indicators.care_leavers` and :mod:`~analysis.stages.indicators.scorecard`; the shared period arithmetic is in
:mod:`~analysis.stages.indicators.periods` and :func:`compute_indicators` puts them together for every indicator in the
registry.
"""

from analysis.methods.working_days import working_days_between
from analysis.stages.indicators.adoption import (
    adoption_a1_days_entering_care_to_placed,
    adoption_a2_days_placement_order_to_match,
)
from analysis.stages.indicators.assessments import (
    assessments_within_45_working_days,
    children_in_need_per_10000,
)
from analysis.stages.indicators.care_leavers import (
    care_leavers_in_education_employment_training,
    care_leavers_in_suitable_accommodation,
)
from analysis.stages.indicators.child_protection import (
    children_on_cp_plan_per_10000,
    cp_plans_lasting_two_years_or_more,
    cp_plans_second_or_subsequent,
    icpc_within_15_working_days,
    section_47_enquiries,
    subsequent_plan_flags,
)
from analysis.stages.indicators.compute import (
    CASE_RECORD_INDICATORS,
    compute_indicators,
    unavailable_indicators,
)
from analysis.stages.indicators.front_door import (
    contacts_converting_to_referrals,
    early_help_assessments_started,
    referrals_converting_to_assessments,
    referrals_per_10000,
    rereferral_flags,
    rereferrals_within_12_months,
)
from analysis.stages.indicators.looked_after import (
    children_leaving_care_adopted,
    children_looked_after_per_10000,
    lac_three_or_more_placements,
    periods_of_care,
)
from analysis.stages.indicators.periods import (
    month_periods,
    periods_frame,
    population_for_periods,
    trailing_periods,
)
from analysis.stages.indicators.scorecard import scorecard_indicator

__all__ = [
    "CASE_RECORD_INDICATORS",
    "adoption_a1_days_entering_care_to_placed",
    "adoption_a2_days_placement_order_to_match",
    "assessments_within_45_working_days",
    "care_leavers_in_education_employment_training",
    "care_leavers_in_suitable_accommodation",
    "children_in_need_per_10000",
    "children_leaving_care_adopted",
    "children_looked_after_per_10000",
    "children_on_cp_plan_per_10000",
    "compute_indicators",
    "contacts_converting_to_referrals",
    "cp_plans_lasting_two_years_or_more",
    "cp_plans_second_or_subsequent",
    "early_help_assessments_started",
    "icpc_within_15_working_days",
    "lac_three_or_more_placements",
    "month_periods",
    "periods_frame",
    "periods_of_care",
    "population_for_periods",
    "referrals_converting_to_assessments",
    "referrals_per_10000",
    "rereferral_flags",
    "rereferrals_within_12_months",
    "scorecard_indicator",
    "section_47_enquiries",
    "subsequent_plan_flags",
    "trailing_periods",
    "unavailable_indicators",
    "working_days_between",
]
