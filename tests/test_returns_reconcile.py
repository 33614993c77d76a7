"""Returns and Annex A figures for the same year: within the tolerance, or a warning naming both."""

from __future__ import annotations

import pandas as pd

from analysis.stages.returns.common import Figure
from analysis.stages.returns.reconcile import reconcile


def _annual(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_id", "period_type", "time_period", "value"])


def test_difference_beyond_tolerance_is_a_warning_naming_both():
    figures = [
        Figure("lac_three_or_more_placements", 2015, 26, 425, 6.1, "SSDA903 episodes (RNE, PLACE)"),
        Figure("referrals_per_10000", 2015, 3167, 62183, 509.3, "CIN census CINdetails (CINreferralDate)"),
        Figure("cla_at_31_march", 2015, 425, None, 425, "SSDA903 episodes"),  # no Annex A figure: not paired
    ]
    annual = _annual(
        [
            ("lac_three_or_more_placements", "at_31_march", 2015, 6.5),  # 6.6% apart
            ("referrals_per_10000", "year_to_31_march", 2015, 509.3),
            ("referrals_per_10000", "rolling_12_months", 2015, 400.0),  # not an annual figure
        ]
    )
    pairs, findings = reconcile(figures, annual, tolerance_percent=5)
    assert list(pairs["indicator_id"]) == ["lac_three_or_more_placements", "referrals_per_10000"]
    assert list(pairs["within_tolerance"]) == [False, True]
    [finding] = findings
    assert finding.field == "lac_three_or_more_placements"
    assert "returns give 6.1, Annex A 6.5" in finding.message and "2014-15" in finding.message
    assert "SSDA903" in finding.file and "Annex A" in finding.file


def test_zero_against_zero_agrees_and_zero_against_a_figure_does_not():
    figures = [Figure("x", 2015, 0, 10, 0.0, "r"), Figure("y", 2015, 0, 10, 0.0, "r")]
    annual = _annual([("x", "at_31_march", 2015, 0.0), ("y", "at_31_march", 2015, 2.0)])
    pairs, findings = reconcile(figures, annual, tolerance_percent=1)
    assert list(pairs["within_tolerance"]) == [True, False] and len(findings) == 1
