"""Annex A data-quality findings: lists without usable rows, and negative counts of previous plans (issue 12)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.config import ProjectConfig
from analysis.schemas import CHILD_LEVEL_TABLES, schema
from analysis.stages.validation.annex_a_suites import annex_a_list_suites, annex_a_value_checks
from analysis.stages.validation.check_types import Suite
from analysis.stages.validation.checks import annex_a_list_rows
from analysis.stages.validation.runner import run_suites


def _empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in schema(table).columns})


def _tables(rows: dict[str, int]) -> dict[str, pd.DataFrame]:
    """Child-level tables with the given numbers of (blank) rows; two rows where not given."""
    return {
        table: _empty(table).reindex(range(rows.get(table, 2))).assign(source_row=range(rows.get(table, 2)))
        for table in CHILD_LEVEL_TABLES
    }


def test_list_rows_split_by_what_an_empty_list_would_publish(config: ProjectConfig) -> None:
    frame = annex_a_list_rows(_tables({"section47": 0, "care_leavers": 0}), config).set_index("table")
    # section47 feeds section_47_enquiries (a count): behind counts. care_leavers feeds two percentages only.
    assert frame.loc["section47", "rows"] == 0
    assert frame.loc["section47", "rows_behind_counts"] == 0
    assert pd.isna(frame.loc["section47", "rows_behind_other"])
    assert pd.isna(frame.loc["care_leavers", "rows_behind_counts"])
    assert frame.loc["care_leavers", "rows_behind_other"] == 0
    # adopters feed no indicator: an empty list of them is never critical.
    assert pd.isna(frame.loc["adopters", "rows_behind_counts"])
    assert frame.loc["referrals", "rows_behind_counts"] == 2
    assert frame.loc["section47", "item"].startswith("List 5 (section47): 0 usable rows; feeds section_47")


@pytest.fixture(scope="module")
def results(config: ProjectConfig) -> pd.DataFrame:
    """The Annex A checks on a header-only List 5, an empty List 9 and a plan with -2 previous plans."""
    tables = _tables({"section47": 0, "care_leavers": 0})
    cp_plans = _empty("cp_plans").reindex(range(3))
    cp_plans = cp_plans.assign(
        source_row=[2, 3, 4],
        previous_cp_plans=pd.array([0, -2, 1], dtype="Int64"),
        cp_plan_start_date=pd.to_datetime(["2015-01-05", "2015-02-01", "2015-03-01"]).astype("datetime64[s]"),
        # row 4's latest review conference is dated before its plan started
        latest_review_conference_date=pd.to_datetime([None, "2015-05-01", "2015-02-01"]).astype(
            "datetime64[s]"
        ),
    )
    frames = {"annex_a_lists": annex_a_list_rows(tables, config), "cp_plans": cp_plans}
    suites = [*annex_a_list_suites(config), Suite("cp_plans", annex_a_value_checks("cp_plans"))]
    return run_suites(suites, frames, example_rows=5).set_index("check_id")


def test_a_header_only_list_behind_a_count_is_critical(results: pd.DataFrame) -> None:
    row = results.loc["annex_a_lists.rows_behind_counts"]
    assert row["severity"] == "critical" and not row["success"]
    assert row["unexpected_count"] == 1
    assert "List 5 (section47)" in row["example_rows"]
    assert "published as a real 0" in row["description"]


def test_an_empty_list_behind_percentages_only_is_a_warning(results: pd.DataFrame) -> None:
    row = results.loc["annex_a_lists.rows_behind_other"]
    assert row["severity"] == "warning" and not row["success"]
    assert "List 9 (care_leavers)" in row["example_rows"]
    assert "not available" in row["description"]


def test_the_data_quality_section_names_the_empty_list(results: pd.DataFrame) -> None:
    """Issue 23, 8: the councillors' table said a list was empty without saying which."""
    from analysis.stages.validation import data_quality_table

    table = data_quality_table(results.reset_index())
    empty = table.loc[table["Check"].str.startswith("Every other Annex A list")].iloc[0]
    assert "Found for: List 9 (care_leavers): 0 usable rows" in empty["Check"]
    review = table.loc[table["Check"].str.contains("review conference")].iloc[0]
    assert "Found for" not in review["Check"]  # raw row numbers stay out of the councillors' table


def test_a_negative_number_of_previous_plans_is_critical_and_names_the_row(results: pd.DataFrame) -> None:
    row = results.loc["cp_plans.previous_cp_plans.not_negative"]
    assert row["severity"] == "critical" and not row["success"]
    assert row["unexpected_count"] == 1
    assert row["example_rows"] == "3"  # the raw row of the plan with -2


def test_a_review_conference_before_its_plan_is_a_warning_naming_the_row(results: pd.DataFrame) -> None:
    row = results.loc["cp_plans.cp_plan_start_date_not_after_latest_review_conference_date"]
    assert row["severity"] == "warning" and not row["success"]
    assert row["unexpected_count"] == 1
    assert row["example_rows"] == "4"


# ------------------------------------------------------------------------------ lists that must share children
def _linked_tables(referral_ids: list[str], assessment_ids: list[str]) -> dict[str, pd.DataFrame]:
    tables = _tables({})
    shared = [f"C{n}" for n in range(3)]
    for table in ("contacts", "children_in_need", "cp_plans"):
        tables[table] = tables[table].reindex(range(3)).assign(child_id=pd.array(shared, dtype="string"))
    tables["contacts"] = tables["contacts"].assign(child_id=pd.array(referral_ids[:3], dtype="string"))
    tables["referrals"] = _empty("referrals").assign(child_id=pd.array(referral_ids, dtype="string"))
    tables["assessments"] = _empty("assessments").assign(child_id=pd.array(assessment_ids, dtype="string"))
    return tables


def test_lists_that_share_no_child_stop_the_run_naming_both_lists() -> None:
    """Issue 23, 5: referrals and assessments written with different identifiers matched nothing."""
    from analysis.stages.validation.annex_a_suites import annex_a_link_suite
    from analysis.stages.validation.checks import annex_a_links

    tables = _linked_tables(["C1", "C2", "C3"], ["X1", "X2"])
    results = run_suites([annex_a_link_suite()], {"annex_a_links": annex_a_links(tables)}, example_rows=5)
    row = results.set_index("check_id").loc["annex_a_links.children_in_both"]
    assert row["severity"] == "critical" and not row["success"]
    assert row["unexpected_count"] == 1
    assert row["example_rows"].startswith("List 3 (referrals) and List 4 (assessments)")
    assert "published as 0" in row["description"]


def test_lists_that_share_some_children_pass_and_empty_lists_are_left_to_the_row_checks() -> None:
    from analysis.stages.validation.annex_a_suites import annex_a_link_suite
    from analysis.stages.validation.checks import annex_a_links

    tables = _linked_tables(["C1", "C2", "C3"], ["C3", "X2"])
    tables["cp_plans"] = _empty("cp_plans")
    links = annex_a_links(tables).set_index("second_list")
    assert links.loc["List 4", "children_in_both"] == 1
    assert pd.isna(links.loc["List 7", "children_in_both"])  # no rows: annex_a_lists reports that
    results = run_suites([annex_a_link_suite()], {"annex_a_links": links.reset_index()}, example_rows=5)
    assert results["success"].all()


identifiers = st.lists(st.one_of(st.none(), st.sampled_from(["C1", "c1", "C2", "", " C3", "Ä"])), max_size=12)


@given(referral_ids=identifiers, assessment_ids=identifiers)
@settings(max_examples=200, deadline=None)
def test_children_in_both_lists_are_the_distinct_identifiers_the_two_lists_share(
    referral_ids: list[str | None], assessment_ids: list[str | None]
) -> None:
    """Counted as the two sets of identifiers would count them: distinct, missing left out, exact text."""
    from analysis.stages.validation.checks import annex_a_links

    tables = _tables({})
    tables["referrals"] = _empty("referrals").assign(child_id=pd.array(referral_ids, dtype="string"))
    tables["assessments"] = _empty("assessments").assign(child_id=pd.array(assessment_ids, dtype="string"))
    counted = annex_a_links(tables).set_index("second_list").loc["List 4", "children_in_both"]
    first = {i for i in referral_ids if i is not None}
    second = {i for i in assessment_ids if i is not None}
    if first and second:
        assert counted == len(first & second)
    else:
        assert pd.isna(counted)


def test_suites_that_let_their_frames_go_give_the_same_results_and_hold_none() -> None:
    """Issue 21: the validation lets each frame go once its suite has run (ten million rows held every table)."""
    from analysis.stages.validation.annex_a_suites import annex_a_link_suite
    from analysis.stages.validation.checks import annex_a_links

    links = annex_a_links(_linked_tables(["C1", "C2", "C3"], ["X1", "C2"]))
    kept = {"annex_a_links": links}
    given = {"annex_a_links": links}
    held = run_suites([annex_a_link_suite()], kept, example_rows=5)
    let_go = run_suites([annex_a_link_suite()], given, example_rows=5, let_go=True)
    pd.testing.assert_frame_equal(held, let_go)
    assert list(kept) == ["annex_a_links"] and given == {}
