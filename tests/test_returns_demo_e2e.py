"""The demo's statutory returns agree with its Annex A lists where DfE's definitions and Annex A's coincide.

The demo writes the SSDA903 and the CIN census for 2013-14 and 2014-15 from the same case histories as its
Annex A lists; the annual figures the analysis computes from the cleaned Annex A lists must equal the returns'
figures wherever the two count the same records. Where they do not, the reason is a difference of definition,
listed here so that the test fails if one starts to agree or disagree unexpectedly.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.config import load_config
from analysis.stages.cleaning import clean_sources
from analysis.stages.indicators.compute import compute_indicators
from analysis.stages.returns.command import read_returns, returns_figures
from analysis.stages.returns.common import ERROR, WARNING
from demo_data.generate import RETURNS_FOLDER

KEY = bytes(range(32))
FIRST_MONTH, LAST_MONTH = pd.Timestamp("2012-04-01"), pd.Timestamp("2015-06-01")

#: (indicator, year ending 31 March) where the returns and Annex A count the same records.
COINCIDE = [
    (indicator, year)
    for year in (2014, 2015)
    for indicator in (
        "children_looked_after_per_10000",
        "lac_three_or_more_placements",
        "referrals_per_10000",
        "children_in_need_per_10000",
        "section_47_enquiries",
        "icpc_within_15_working_days",
        "cp_plans_second_or_subsequent",
        "children_on_cp_plan_per_10000",
    )
] + [
    # 2015 only: in 2013-14 the re-referral look-back needs the 2012-13 census (not written), and one assessment
    # authorised in 2013-14 belongs to an episode closed before the census year.
    ("rereferrals_within_12_months", 2015),
    ("assessments_within_45_working_days", 2015),
]
#: Where the definitions differ: OC3's cohort is care leavers whose 19th-21st birthday fell in the year, Annex
#: A's those contacted in the year; DfE counts a child who ceased twice once (the last occasion).
DIFFER_BY_DEFINITION = {
    "care_leavers_in_suitable_accommodation",
    "care_leavers_in_education_employment_training",
    "children_leaving_care_adopted",
}


@pytest.fixture(scope="module")
def comparison(demo_project, repo_root: Path) -> pd.DataFrame:
    """The session's demo data (seed 2015), read only: cleaned in memory and its returns read."""
    config = load_config(repo_root / "config")
    raw = demo_project.raw
    tables, _ = clean_sources(raw, config, key=KEY)
    _, annual = compute_indicators(tables, config, first_month=FIRST_MONTH, last_month=LAST_MONTH)
    annual = annual.loc[annual["period_type"].isin(["year_to_31_march", "at_31_march"])]
    read = read_returns(raw / RETURNS_FOLDER, KEY, None)
    assert not [f.line() for f in read.findings if f.severity in (ERROR, WARNING)]
    from_returns = pd.DataFrame(
        [(f.measure, f.collection_year, f.numerator, f.denominator) for f in returns_figures(read, {})],
        columns=["indicator_id", "time_period", "returns_numerator", "returns_denominator"],
    )
    columns = ["indicator_id", "time_period", "numerator", "denominator"]
    return from_returns.merge(annual[columns], on=["indicator_id", "time_period"])


def test_returns_equal_annex_a_where_definitions_coincide(comparison):
    rows = comparison.set_index(["indicator_id", "time_period"])
    for key in COINCIDE:
        row = rows.loc[key]
        assert row["returns_numerator"] == row["numerator"], key
        if "per_10000" not in key[0] and pd.notna(row["numerator"]) and pd.notna(row["denominator"]):
            assert row["returns_denominator"] == row["denominator"], key


def test_every_shared_indicator_is_compared_or_explained(comparison):
    shared = set(comparison["indicator_id"])
    assert shared == {indicator for indicator, _ in COINCIDE} | DIFFER_BY_DEFINITION


def test_demo_returns_follow_dfe_schema_and_validation_rules(tmp_path):
    from analysis.stages.returns.expectations import expectation_findings
    from demo_data import annex
    from demo_data.returns import write_returns
    from demo_data.simulate import simulate_histories

    schemas = Path(__file__).resolve().parents[2] / "shared" / "data" / "cin_census_schemas"
    if not schemas.is_dir():
        pytest.skip("../shared/data/cin_census_schemas is absent")
    histories = simulate_histories(7, 0.1)
    histories.children["child_id"] = annex.child_ids(len(histories.children), 7)
    write_returns(histories, tmp_path)
    read = read_returns(tmp_path, KEY, schemas)
    assert sorted(read.cin) == sorted(read.ssda903) == [2014, 2015]
    assert not [f.line() for f in read.findings if f.severity != "note"]
    assert not [
        f.line() for f in expectation_findings(read.ssda903, read.cin)
    ]  # no DfE rule broken (rule 357: continuing care)


def test_demo_run_takes_the_annual_figures_from_the_returns(first_run, demo_project) -> None:
    from analysis.io import read_table
    from analysis.stages.returns.reconcile import ANNUAL_PERIOD_TYPES

    returns = read_table("statutory_returns", demo_project.processed)
    assert set(returns["collection_year"]) == {2014, 2015}
    annual = read_table("indicators_annual", demo_project.processed)
    years = annual.loc[annual["period_type"].isin(ANNUAL_PERIOD_TYPES)]
    assert {
        "SSDA903 return 2013-14",
        "SSDA903 return 2014-15",
        "CIN census 2013-14",
        "CIN census 2014-15",
        "Annex A lists",
    } <= set(years["source"])
    assert annual["source"].notna().all()
    rolling = annual.loc[~annual["period_type"].isin(ANNUAL_PERIOD_TYPES), "source"]
    assert rolling.isin(
        ["Annex A lists", "Scorecard"]
    ).all()  # only the years to 31 March come from the returns
    shown = years.set_index(["indicator_id", "time_period"])
    # The re-referral look-back needs the 2012-13 census, which the demo does not write: Annex A's figure stays.
    assert shown.loc[("rereferrals_within_12_months", 2014), "source"] == "Annex A lists"
    config = load_config(demo_project.config)
    reconciliation = read_table("returns_reconciliation", demo_project.processed)
    compared = reconciliation.set_index(["indicator_id", "time_period"])
    for key in COINCIDE:
        if key == ("rereferrals_within_12_months", 2014) or key not in compared.index:
            continue
        assert compared.loc[key, "within_tolerance"], key
        decimals = config.indicator(key[0]).decimals
        # Where the returns and Annex A agree, the figure shown does not change.
        assert round(shown.loc[key, "value"], decimals) == round(compared.loc[key, "annex_a_value"], decimals)
        assert shown.loc[key, "source"].startswith(("SSDA903 return", "CIN census")), key
    assert len(compared) >= len(COINCIDE) - 1
    outside = reconciliation.loc[~reconciliation["within_tolerance"]]
    assert (
        outside["finding"].str.contains("the returns give").all()
        and outside["finding"].str.contains("Annex A").all()
    )
