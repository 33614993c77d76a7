"""Ofsted's current Annex A template through the cleaning stage, against values worked out by hand.

The workbook is made by :mod:`tests.annex_a_template` from headings typed from the template; the earlier template
is covered by the CSV fixture in ``tests/fixtures/raw_small`` (tests/test_cleaning_annex_a.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from annex_a_template import TEMPLATE_HEADINGS, write_current_template_workbook

from analysis.config import ProjectConfig
from analysis.errors import InputDataError
from analysis.products.data_quality_and_provenance import not_available_lines
from analysis.safe_text import markdown_text
from analysis.stages.cleaning import clean_sources
from analysis.stages.indicators import unavailable_indicators

KEY = b"template test key"
T = pd.Timestamp


@pytest.fixture
def template_raw(raw: Path) -> Path:
    """The small raw data set with its Annex A replaced by a workbook in the current template."""
    shutil.rmtree(raw / "annex_a")
    write_current_template_workbook(raw / "annex_a.xlsx")
    return raw


@pytest.fixture
def cleaned(template_raw: Path, config: ProjectConfig):
    return clean_sources(template_raw, config, key=KEY)


def test_every_list_of_the_current_template_is_read_and_nothing_is_set_aside(cleaned) -> None:
    tables, summary = cleaned
    assert summary.quarantine.empty
    assert summary.extract_date == T("2015-07-10")
    rows = {t: len(tables[t]) for t in ("contacts", "children_in_need", "cp_plans", "looked_after")}
    assert rows == {"contacts": 2, "children_in_need": 2, "cp_plans": 2, "looked_after": 2}
    assert len(tables["adopters"]) == 1 and len(tables["adoptions"]) == 1
    sheets = set(summary.source_files["source_sheet"].dropna())
    assert sheets == {f"List {n}" for n in range(1, 12)}


def test_care_leavers_without_a_contact_date_are_kept_and_in_touch_is_read(cleaned) -> None:
    tables, summary = cleaned
    leavers = tables["care_leavers"].sort_values("source_row").reset_index(drop=True)
    assert leavers["source_row"].tolist() == [2, 3, 4]  # all three young people: none quarantined
    assert leavers["contact_date"].tolist()[0] == T("2015-05-15")
    assert leavers["contact_date"].isna().tolist() == [False, True, True]
    # a) Yes -> in touch; b) No -> not; c) Died -> neither (empty), and not counted as an unrecognised value.
    assert leavers["in_touch"].tolist()[:2] == [True, False] and pd.isna(leavers["in_touch"].iloc[2])
    assert bool(leavers["accommodation_suitable"].iloc[0]) is True
    assert leavers["accommodation_suitable"].iloc[1:].isna().all()
    assert leavers["activity"].tolist()[0] == "education"  # F2
    assert leavers["pathway_plan_review_date"].tolist()[0] == T("2015-04-01")
    assert not summary.cleaning_log["rule"].str.contains("in_touch_unrecognised").any()


def test_closure_review_and_visit_dates_are_read(cleaned) -> None:
    tables, _ = cleaned
    cin = tables["children_in_need"].set_index("source_row")
    assert cin.loc[3, "cin_end_date"] == T("2015-06-30")  # "CIN Closure Date"
    assert cin.loc[2, "last_seen_date"] == T("2015-07-01")
    plans = tables["cp_plans"].set_index("source_row")
    assert plans.loc[3, "latest_review_conference_date"] == T("2015-01-10")
    assert pd.isna(plans.loc[2, "latest_review_conference_date"])
    assert plans.loc[2, "last_visit_date"] == T("2015-07-06")
    assert bool(plans.loc[2, "seen_alone"]) is True and bool(plans.loc[3, "seen_alone"]) is False
    assert plans.loc[3, "category_of_abuse"] == "emotional"  # the initial category, not the latest
    assert plans.loc[3, "previous_cp_plans"] == 2
    care = tables["looked_after"].set_index("source_row")
    assert care.loc[2, "placement_start_date"] == T("2014-06-02")  # "Start Date of Most Recent Placement"
    assert care.loc[2, "latest_review_date"] == T("2015-06-15")
    assert care.loc[2, "last_iro_contact_date"] == T("2015-06-15")
    assert care.loc[3, "last_visit_date"] == T("2015-05-28")
    assert care.loc[3, "reason_ceased"] == "E4A"
    assert care["placement_end_date"].isna().all()
    adopters = tables["adopters"].iloc[0]
    assert (adopters["enquiry_date"], adopters["approval_date"], adopters["matched_date"]) == (
        T("2014-01-01"),
        T("2014-09-01"),
        T("2015-03-01"),
    )


def test_the_missing_placement_end_date_is_logged_and_only_placement_stability_is_not_available(
    cleaned, config: ProjectConfig
) -> None:
    _, summary = cleaned
    headings = summary.annex_a_headings
    # Every heading of the template is known; the only column missing is the placement end date.
    assert headings[["table", "finding"]].values.tolist() == [["looked_after", "column missing"]]
    assert "Placement End Date" in headings["description"].iloc[0]
    reasons = unavailable_indicators(config, summary.cleaning_log)
    assert reasons == {
        "lac_three_or_more_placements": "not available: the placement end date is missing from List 8 (children looked after)"
    }
    lines = not_available_lines(config, summary.cleaning_log)
    # The data-quality section's Markdown line, the reason escaped as every input-derived text is.
    wanted = markdown_text(
        "not available: the placement end date is missing from List 8 (children looked after)"
    )
    assert any(wanted in line for line in lines)


def test_a_heading_matching_nothing_is_in_the_cleaning_log(template_raw: Path, config: ProjectConfig) -> None:
    headings = {9: [*TEMPLATE_HEADINGS[9], "Notes from the PA"]}
    write_current_template_workbook(template_raw / "annex_a.xlsx", headings=headings)
    _, summary = clean_sources(template_raw, config, key=KEY)
    found = summary.annex_a_headings
    unmatched = found.loc[found["finding"] == "heading not matched"]
    assert unmatched["table"].tolist() == ["care_leavers"]
    assert "'Notes from the PA' in List 9 matched no Annex A column" in unmatched["description"].iloc[0]


def test_one_error_names_every_problem_in_every_list(template_raw: Path, config: ProjectConfig) -> None:
    def renamed(number: int, old: str, new: str) -> list[str]:
        return [new if h == old else h for h in TEMPLATE_HEADINGS[number]]

    headings = {
        3: renamed(3, "Date of referral", "Referal date"),
        8: renamed(8, "Date Started to be Looked After", "Date Started Looked After"),
        11: renamed(11, "Individual adopter identifier", "Adopter ref"),
    }
    write_current_template_workbook(template_raw / "annex_a.xlsx", headings=headings)
    with pytest.raises(InputDataError) as caught:
        clean_sources(template_raw, config, key=KEY)
    message = str(caught.value)
    assert "3 problems in the Annex A lists" in message
    assert "sheet 'List 3', row 1, column 'Date of referral'" in message
    assert "closest heading present: 'Referal date'" in message
    assert "sheet 'List 8', row 1, column 'Date Started to be Looked After'" in message
    assert "closest heading present: 'Date Started Looked After'" in message
    assert "sheet 'List 11', row 1, column 'Individual adopter identifier'" in message
    assert "MC1000" not in message  # no identifier is quoted


def test_every_missing_sheet_is_named_in_one_error(template_raw: Path, config: ProjectConfig) -> None:
    path = template_raw / "annex_a.xlsx"
    workbook = openpyxl.load_workbook(path)
    del workbook["List 9"]
    del workbook["List 11"]
    workbook.save(path)
    with pytest.raises(InputDataError, match=r"2 sheets are missing: 'List 9', 'List 11'"):
        clean_sources(template_raw, config, key=KEY)
