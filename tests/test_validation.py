"""Tests of stage 2 (analysis.stages.validation): hand-made processed tables, each scenario run once through GX."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.config import ProjectConfig
from analysis.config_indicators import DataCheckSettings
from analysis.errors import DataCheckFailed
from analysis.io import read_table, write_table
from analysis.methods.quarters import Quarter
from analysis.schemas import schema
from analysis.stages.validation import data_quality_table, validate_processed
from analysis.stages.validation.checks import (
    benchmark_authority_presence,
    benchmark_coverage,
    extract_date_of,
    monthly_volumes,
    referral_before_assessment,
    scorecard_coverage,
)
from analysis.stages.validation.runner import failure_line
from analysis.stages.validation.suites import REQUIRED_TABLES, build_suites

REPO = Path(__file__).resolve().parents[1]
QUARTER = Quarter.parse("2015-16-Q1")
T = pd.Timestamp


# ------------------------------------------------------------------------------------------ hand-made tables
def _months() -> list[pd.Timestamp]:
    """April 2014 to June 2015: twelve months of history and the quarter."""
    return list(pd.date_range("2014-04-01", "2015-06-01", freq="MS"))


def _people(n: int, prefix: str = "C") -> dict[str, object]:
    return {
        "child_id": [f"{prefix}{i:04d}" for i in range(n)],
        "gender": ["male" if i % 2 else "female" for i in range(n)],
        "ethnicity": ["WBRI"] * n,
        "date_of_birth": [T("2010-03-01")] * n,
        "source_row": [i + 2 for i in range(n)],
    }


def _event_days() -> list[pd.Timestamp]:
    """Two events a month (the 1st and the 15th), April 2014 to June 2015: 30 days."""
    return [day for month in _months() for day in (month, month + pd.Timedelta(days=14))]


def baseline(config: ProjectConfig) -> dict[str, pd.DataFrame]:
    """A small, internally consistent processed data set that passes every check."""
    days = pd.Series(_event_days())
    n = len(days)
    nat = pd.Series([pd.NaT] * n)
    tables = {
        "contacts": pd.DataFrame({**_people(n), "contact_date": days, "contact_source": "police"}),
        "referrals": pd.DataFrame(
            {
                **_people(n),
                "referral_date": days + pd.Timedelta(days=1),
                "referral_source": "police",
                "referral_nfa": False,
                "team": "Team A",
            }
        ),
        "assessments": pd.DataFrame(
            {
                **_people(n),
                "disability": False,
                "assessment_start_date": days + pd.Timedelta(days=2),
                "child_seen": True,
                "assessment_authorised_date": days + pd.Timedelta(days=20),
                "needs_support": True,
                "team": "Team A",
            }
        ),
        "cp_plans": pd.DataFrame(
            {
                **_people(n, "P"),
                "cp_plan_start_date": days,
                "category_of_abuse": "neglect",
                "cp_plan_end_date": nat,
                "previous_cp_plans": 0,
                "last_visit_date": days + pd.Timedelta(days=10),
                "seen_alone": True,
                "latest_review_conference_date": nat,
            }
        ),
        "early_help": pd.DataFrame(
            {
                **_people(2, "E"),
                "early_help_start_date": [T("2015-01-05"), T("2015-02-05")],
                "early_help_completed_date": [T("2015-02-01"), pd.NaT],
                "organisation": "School",
            }
        ),
        "section47": pd.DataFrame(
            {
                **_people(2, "S"),
                "strategy_discussion_date": [T("2015-01-05"), T("2015-02-05")],
                "icpc_not_required": False,
                "icpc_date": [T("2015-01-20"), T("2015-02-20")],
                "icpc_resulted_in_plan": True,
                "team": "Team A",
            }
        ),
        "children_in_need": pd.DataFrame(
            {
                **_people(2, "P"),  # children on plans are children in need (CIN census)
                "cin_start_date": [T("2015-01-05"), T("2015-02-05")],
                "cin_end_date": [T("2015-03-01"), pd.NaT],
                "primary_need": "N1",
                "last_seen_date": [T("2015-02-20"), T("2015-03-20")],
            }
        ),
        "looked_after": pd.DataFrame(
            {
                **_people(2, "L"),
                "care_start_date": [T("2014-01-05"), T("2014-06-01")],
                "legal_status": "C2",
                "placement_start_date": [T("2014-01-05"), T("2014-06-01")],
                "placement_end_date": [T("2014-05-01"), pd.NaT],
                "placement_type": "U1",
                "care_end_date": [T("2014-05-01"), pd.NaT],
                "reason_ceased": ["E11", None],
                "placement_postcode_sector": "ME4 6",
                "latest_review_date": [T("2014-02-01"), T("2014-09-01")],
                "last_visit_date": [T("2014-04-01"), T("2015-06-01")],
                "last_iro_contact_date": [pd.NaT, T("2015-05-01")],
            }
        ),
        "care_leavers": pd.DataFrame(
            {
                **_people(2, "R"),
                "contact_date": [T("2015-04-10"), T("2015-05-10")],
                "in_touch": True,
                "activity": ["education", "neet"],
                "accommodation_suitable": True,
                "pathway_plan_review_date": [T("2015-03-01"), pd.NaT],
            }
        ),
        "adoptions": pd.DataFrame(
            {
                **_people(2, "A"),
                "care_start_date": [T("2013-01-10"), T("2013-06-10")],
                "adoption_decision_date": [T("2013-05-01"), T("2013-10-01")],
                "placement_order_date": [T("2013-08-01"), T("2014-01-01")],
                "matched_date": [T("2014-01-01"), T("2014-06-01")],
                "placed_date": [T("2014-02-01"), pd.NaT],
                "adoption_order_date": [T("2014-09-01"), pd.NaT],
            }
        ),
        "adopters": pd.DataFrame(
            {
                "adopter_id": ["H1", "H2"],
                "enquiry_date": [T("2014-01-01"), T("2014-02-01")],
                "approval_date": [T("2014-07-01"), pd.NaT],
                "matched_date": [T("2014-09-01"), pd.NaT],
                "source_row": [2, 3],
            }
        ),
    }
    scorecard_ids = [i.id for i in config.indicators if i.source == "scorecard"]
    tables["scorecard"] = pd.DataFrame(
        [
            {
                "indicator_id": ind,
                "month": month,
                "value": 50.0,
                "symbol": None,
                "source_row": 3 + r,
                "source_column": f"{month:%b-%y}",
            }
            for r, ind in enumerate(scorecard_ids)
            for month in QUARTER.months
        ]
    )
    tables["actions"] = pd.DataFrame(
        {
            "action_id": ["1.1", "2.1"],
            "theme": [1, 2],
            "priority": "p",
            "action": ["Do a", "Do b"],
            "lead": "Head of service",
            "due_date": [T("2015-09-30"), pd.NaT],
            "status": ["on_track", "complete"],
            "latest_update": "",
            "source_row": [2, 3],
        }
    )
    authority = config.authority
    areas = [
        ("National", "E92000001", pd.NA, "England"),
        ("Regional", authority.region.code, pd.NA, authority.region.name),
        ("Local authority", authority.ons_code, authority.old_la_code, authority.name),
    ]
    tables["benchmarks"] = pd.DataFrame(
        [
            {
                "publication": "c1",
                "time_period": year,
                "geographic_level": level,
                "area_code": code,
                "old_la_code": old,
                "area_name": name,
                "measure": "referrals",
                "value": 500.0,
                "symbol": None,
            }
            for year in (2014, 2015)
            for level, code, old, name in areas
        ]
    )
    tables["source_files"] = pd.DataFrame(
        {
            "table": ["contacts"],
            "source_file": ["annex_a.xlsx"],
            "source_sheet": ["List 1"],
            "rows_read": [30],
            "duplicates_removed": [0],
            "rows_quarantined": [0],
            "rows_written": [30],
            "extract_date": [T("2015-07-10")],
        }
    )
    return tables


def write_all(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        write_table(frame, name, folder)
    return folder


def _set(frame: pd.DataFrame, row: int, column: str, value: object) -> pd.DataFrame:
    """Copy of ``frame`` with one cell changed, addressed by its raw row number."""
    out = frame.copy()
    out.loc[out["source_row"] == row, column] = value
    return out


# -------------------------------------------------------------------------------------------- scenarios (GX)
@pytest.fixture(scope="module")
def warnings_only(config, tmp_path_factory):
    """Only warning-level faults: the run passes and records them."""
    tables = baseline(config)
    # assessment at raw row 9 authorised before it started (start is 2014-07-03)
    tables["assessments"] = _set(tables["assessments"], 9, "assessment_authorised_date", T("2014-06-01"))
    # contacts at raw rows 4 and 6: a gender outside the vocabulary
    contacts = _set(tables["contacts"], 4, "gender", "robot")
    tables["contacts"] = _set(contacts, 6, "gender", "robot")
    # assessment at raw row 12 begins the day before its child's only referral (referral is 2014-08-16)
    tables["assessments"] = _set(tables["assessments"], 12, "assessment_start_date", T("2014-08-15"))
    # the scorecard has no figure for one indicator in May 2015
    scorecard = tables["scorecard"]
    first = scorecard["indicator_id"].iloc[0]
    gap = (scorecard["indicator_id"] == first) & (scorecard["month"] == T("2015-05-01"))
    tables["scorecard"] = scorecard.assign(
        value=scorecard["value"].mask(gap), symbol=scorecard["symbol"].mask(gap, "x")
    )
    # no regional row for 2013-14
    bench = tables["benchmarks"]
    tables["benchmarks"] = bench.loc[
        ~((bench["geographic_level"] == "Regional") & (bench["time_period"] == 2014))
    ]
    folder = write_all(tables, tmp_path_factory.mktemp("warnings") / "processed")
    docs = folder.parent / "data-docs"
    outcome = validate_processed(folder, config, QUARTER, data_docs_dir=docs)
    return {"outcome": outcome, "folder": folder, "docs": docs, "first_indicator": first, "tables": tables}


@pytest.fixture(scope="module")
def criticals(config, tmp_path_factory):
    """Several critical faults in different tables: the run stops and names each one."""
    tables = baseline(config)
    tables["referrals"] = _set(tables["referrals"], 7, "child_id", None)
    cp = tables["cp_plans"]
    tables["cp_plans"] = pd.concat(
        [cp, cp.loc[cp["source_row"] == 5].assign(source_row=99)], ignore_index=True
    )
    tables["actions"] = tables["actions"].assign(status=["on_track", "green"], theme=[1, 9])
    scorecard = tables["scorecard"]
    tables["scorecard"] = scorecard.assign(
        value=scorecard["value"].mask(
            scorecard["source_row"].eq(3) & scorecard["month"].eq(T("2015-04-01")), -3.0
        )
    )
    percent = next(i.id for i in config.indicators if i.source == "scorecard" and i.unit == "%")
    tables["scorecard"] = tables["scorecard"].assign(
        value=tables["scorecard"]["value"].mask(
            tables["scorecard"]["indicator_id"].eq(percent)
            & tables["scorecard"]["month"].eq(T("2015-06-01")),
            150.0,
        )
    )
    contacts = tables["contacts"]
    tables["contacts"] = contacts.loc[
        contacts["contact_date"].dt.month != 5
    ]  # May 2015 (and May 2014) missing
    bench = tables["benchmarks"]
    tables["benchmarks"] = bench.loc[bench["geographic_level"] != "Local authority"]
    folder = write_all(tables, tmp_path_factory.mktemp("criticals") / "processed")
    with pytest.raises(DataCheckFailed) as raised:
        validate_processed(folder, config, QUARTER)
    return {"message": str(raised.value), "folder": folder, "tables": tables, "percent": percent}


@pytest.fixture(scope="module")
def adoption_order_first(config, tmp_path_factory):
    """The acceptance test: an adoption order dated before the placement order stops the run."""
    tables = baseline(config)
    tables["adoptions"] = _set(tables["adoptions"], 2, "adoption_order_date", T("2013-07-01"))
    folder = write_all(tables, tmp_path_factory.mktemp("adoption") / "processed")
    with pytest.raises(DataCheckFailed) as raised:
        validate_processed(folder, config, QUARTER)
    return {"message": str(raised.value), "folder": folder, "tables": tables}


def _failed(results: pd.DataFrame) -> pd.DataFrame:
    return results.loc[~results["success"]].set_index("check_id")


def _all_ids(*frames: pd.DataFrame) -> set[str]:
    return {str(v) for f in frames for c in ("child_id", "adopter_id") if c in f for v in f[c].dropna()}


def test_warnings_do_not_stop_the_run_and_are_recorded(warnings_only):
    outcome = warnings_only["outcome"]
    assert outcome.passed and outcome.critical_failures == []
    written = read_table("validation_results", warnings_only["folder"])
    failed = _failed(written)
    assert set(failed.index) == {
        "assessments.assessment_start_date_not_after_assessment_authorised_date",
        "contacts.gender.in_vocabulary",
        "referral_before_assessment.referral_first",
        "scorecard_coverage.value_every_month",
        "benchmark_coverage.latest_two_years",
    }
    assert (failed["severity"] == "warning").all()
    assert (
        failed.loc["assessments.assessment_start_date_not_after_assessment_authorised_date", "example_rows"]
        == "9"
    )
    assert failed.loc["contacts.gender.in_vocabulary", "unexpected_count"] == 2
    assert failed.loc["contacts.gender.in_vocabulary", "example_rows"] == "4, 6"
    assert failed.loc["referral_before_assessment.referral_first", "example_rows"] == "12"
    coverage = failed.loc["scorecard_coverage.value_every_month", "example_rows"]
    assert coverage == f"{warnings_only['first_indicator']}, May 2015"
    assert failed.loc["benchmark_coverage.latest_two_years", "example_rows"] == "c1 2013-14, South East"
    assert len(outcome.warnings) == 5


def test_every_check_has_id_severity_and_description(warnings_only):
    results = warnings_only["outcome"].results
    assert results["check_id"].is_unique
    assert set(results["severity"]) == {"critical", "warning"}
    assert results["description"].str.len().gt(20).all()
    assert len(results) > 200


def test_data_quality_table_lists_failed_warnings_in_plain_words(warnings_only):
    table = data_quality_table(warnings_only["outcome"].results)
    assert list(table.columns) == ["Check", "Rows affected", "What it means for the figures"]
    assert len(table) == 5
    gender = table.loc[table["Check"].str.startswith("gender in contacts")].iloc[0]
    assert gender["Rows affected"] == "2"
    assert gender["What it means for the figures"].startswith("Rows with other values")


def test_data_docs_are_built_without_identifiers(warnings_only):
    docs = warnings_only["docs"]
    assert (docs / "index.html").is_file()
    pages = list(docs.rglob("*.html"))
    assert len(pages) > 5
    ids = _all_ids(*warnings_only["tables"].values())
    text = "\n".join(page.read_text(encoding="utf-8") for page in pages)
    assert not [i for i in ids if i in text]


def test_critical_failures_stop_the_run_naming_table_column_count_and_rows(criticals):
    message = criticals["message"]
    lines = [line for line in message.splitlines() if line.startswith("  - ")]

    def line_for(check_id: str) -> str:
        [line] = [x for x in lines if f"({check_id})" in x]
        return line

    null_id = line_for("referrals.child_id.not_null")
    assert null_id.startswith("  - referrals [child_id] expect_column_values_to_not_be_null")
    assert "1 row(s); raw rows 7" in null_id
    duplicate = line_for("cp_plans.natural_key_unique")
    assert "[child_id, cp_plan_start_date]" in duplicate and "2 row(s); raw rows 5, 99" in duplicate
    assert "1 row(s); raw rows 3" in line_for("actions.status.in_vocabulary")
    assert "1 row(s); raw rows 3" in line_for("actions.theme.in_plan")
    assert "[quantity_value]" in line_for("scorecard.quantities_not_negative")
    assert "raw rows 3" in line_for("scorecard.quantities_not_negative")
    assert "1 row(s)" in line_for("scorecard.percentages_0_to_100")
    volumes = line_for("monthly_volumes.within_usual_range")
    assert "contacts, May 2015: 0 against a usual 2" in volumes and "1 row(s)" in volumes
    assert "(benchmark_authority.present)" in line_for("benchmark_authority.present")
    assert len(lines) == 8


def test_critical_message_never_carries_an_identifier(criticals, adoption_order_first):
    for scenario in (criticals, adoption_order_first):
        ids = _all_ids(*scenario["tables"].values())
        assert not [i for i in ids if i in scenario["message"]]


def test_results_are_written_before_the_run_stops(criticals):
    written = read_table("validation_results", criticals["folder"])
    assert written.loc[written["check_id"] == "referrals.child_id.not_null", "success"].tolist() == [False]


def test_adoption_order_before_placement_order_stops_the_run(adoption_order_first):
    # raw row 2: placement order 2013-08-01, placed 2014-02-01, adoption order now 2013-07-01: before both
    message = adoption_order_first["message"]
    assert "2 critical data check(s) failed" in message
    assert "adoptions [adoption_order_date, placement_order_date]" in message
    assert "(adoptions.placement_order_date_not_after_adoption_order_date): 1 row(s); raw rows 2." in message
    assert "(adoptions.placed_date_not_after_adoption_order_date): 1 row(s); raw rows 2." in message
    written = _failed(read_table("validation_results", adoption_order_first["folder"]))
    assert sorted(written.index) == [
        "adoptions.placed_date_not_after_adoption_order_date",
        "adoptions.placement_order_date_not_after_adoption_order_date",
    ]


# ------------------------------------------------------------------------------------ derived frames (no GX)
SETTINGS = DataCheckSettings(volume_history_months=4, volume_minimum_history_months=3)


def _dated(days: list[str], column: str = "referral_date") -> pd.DataFrame:
    return pd.DataFrame({column: pd.to_datetime(days)})


def test_monthly_volumes_compare_each_month_with_the_median_of_the_history():
    # Dec: 1, Jan: 3, Feb: 2, Mar: 0 (within coverage) -> median of [1, 3, 2, 0] = 1.5
    history = ["2014-12-05", "2015-01-02", "2015-01-09", "2015-01-30", "2015-02-01", "2015-02-02"]
    quarter_days = ["2015-04-01", "2015-04-02", "2015-04-03", "2015-06-30"]
    frame = monthly_volumes({"referrals": _dated(history + quarter_days)}, QUARTER, SETTINGS)
    assert frame["measure"].unique().tolist() == ["referrals"]
    assert frame["count"].tolist() == [3, 0, 1]
    assert frame["history_months"].tolist() == [4, 4, 4]
    assert frame["history_median"].tolist() == [1.5, 1.5, 1.5]
    assert frame["ratio"].tolist() == pytest.approx([2.0, 0.0, 1 / 1.5])
    assert frame["item"].iloc[1] == "referrals, May 2015: 0 against a usual 2"


def test_monthly_volumes_do_not_judge_without_enough_history():
    # first record in February: only Feb and Mar are history (2 < 3 months)
    frame = monthly_volumes(
        {"referrals": _dated(["2015-02-03", "2015-03-03", "2015-04-03"])}, QUARTER, SETTINGS
    )
    assert frame["ratio"].isna().all()
    assert frame["history_months"].tolist() == [2, 2, 2]


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=1, max_value=30), min_size=7, max_size=7),
    factor=st.integers(min_value=2, max_value=5),
)
def test_monthly_volume_ratios_do_not_change_when_every_month_scales(counts, factor):
    months = pd.date_range("2014-12-01", periods=7, freq="MS")  # Dec 2014 .. Jun 2015

    def frame_for(k: int) -> pd.DataFrame:
        days = np.repeat(months.to_numpy(), [c * k for c in counts])
        return monthly_volumes({"referrals": pd.DataFrame({"referral_date": days})}, QUARTER, SETTINGS)

    one, scaled = frame_for(1), frame_for(factor)
    assert scaled["count"].tolist() == [c * factor for c in counts[4:]]
    assert scaled["ratio"].to_numpy() == pytest.approx(one["ratio"].to_numpy())
    assert one["history_median"].iloc[0] == pytest.approx(float(np.median(counts[:4])))


def test_referral_before_assessment_judges_only_children_with_referrals():
    referrals = pd.DataFrame(
        {"child_id": ["a", "b"], "referral_date": pd.to_datetime(["2015-01-10", "2015-03-01"])}
    )
    assessments = pd.DataFrame(
        {
            "child_id": ["a", "b", "c", "a"],
            "assessment_start_date": pd.to_datetime(["2015-01-12", "2015-02-01", "2015-02-01", "2015-01-01"]),
            "source_row": [2, 3, 4, 5],
        }
    )
    out = referral_before_assessment(referrals, assessments)
    # a after its referral; b before its referral; c has none; row 5 is before any referral in the data
    assert out["referral_on_or_before_start"].tolist() == [True, False, pd.NA, pd.NA]
    assert out["source_row"].tolist() == [2, 3, 4, 5]


def test_scorecard_coverage_marks_missing_months(config):
    first, second = [i.id for i in config.indicators if i.source == "scorecard"][:2]
    scorecard = pd.DataFrame(
        {
            "indicator_id": [first, first, second],
            "month": pd.to_datetime(["2015-04-01", "2015-06-01", "2015-05-01"]),
            "value": [1.0, 2.0, np.nan],
        }
    )
    coverage = scorecard_coverage(scorecard, config, QUARTER).set_index("item")
    assert coverage.loc[f"{first}, April 2015", "has_value"]
    assert not coverage.loc[f"{first}, May 2015", "has_value"]
    assert not coverage.loc[f"{second}, May 2015", "has_value"]  # a symbol, not a figure
    assert coverage["has_value"].sum() == 2


def test_benchmark_coverage_and_authority_presence(config):
    bench = pd.DataFrame(
        {
            "publication": ["c1", "c1", "c1", "d3"],
            "time_period": [2015, 2015, 2014, 2015],
            "geographic_level": ["National", "Local authority", "National", "Local authority"],
            "area_code": ["E92000001", "E06000035", "E92000001", "E06000001"],
            "old_la_code": pd.array([pd.NA, 887, pd.NA, 805], dtype="Int64"),
        }
    )
    coverage = benchmark_coverage(bench, config.authority).set_index("item")["rows"]
    assert coverage["c1 2014-15, England"] == 1 and coverage["c1 2013-14, England"] == 1
    assert coverage["c1 2014-15, Medway"] == 1 and coverage["c1 2013-14, Medway"] == 0
    assert coverage["c1 2014-15, South East"] == 0
    assert coverage["d3 2014-15, Medway"] == 0  # another authority's row
    presence = benchmark_authority_presence(bench, config).set_index("item")["authority_rows"]
    assert presence["c1"] == 1 and presence["d3"] == 0 and presence.sum() == 1


def test_extract_date_from_source_files_else_today():
    files = pd.DataFrame({"extract_date": pd.to_datetime([None, "2015-07-10", "2015-07-01"])})
    assert extract_date_of(files, date(2020, 1, 1)) == date(2015, 7, 10)
    assert extract_date_of(None, date(2020, 1, 1)) == date(2020, 1, 1)


def test_suites_cover_every_table_key_and_mark_adoption_order_critical(config):
    suites = {s.name: s for s in build_suites(config, date(2015, 7, 10), list(REQUIRED_TABLES))}
    for name in REQUIRED_TABLES:
        ids = [c.check_id for c in suites[name].checks]
        assert f"{name}.natural_key_unique" in ids
    adoption = {c.check_id: c for c in suites["adoptions"].checks}
    assert adoption["adoptions.placement_order_date_not_after_adoption_order_date"].severity == "critical"
    authorisation = {c.check_id: c for c in suites["assessments"].checks}
    assert authorisation[
        "assessments.assessment_start_date_not_after_assessment_authorised_date"
    ].severity == ("warning")
    assert {c.severity for c in suites["actions"].checks if c.check_id.endswith("in_vocabulary")} == {
        "critical"
    }


def test_failure_line_quotes_only_names_counts_and_rows():
    row = {
        "suite": "referrals",
        "expectation": "expect_column_values_to_not_be_null",
        "check_id": "referrals.child_id.not_null",
        "column": "child_id",
        "severity": "critical",
        "unexpected_count": 2,
        "example_rows": "7, 9",
        "description": "Every row has child_id. If it fails: rows cannot be counted.",
    }
    assert failure_line(row) == (
        "referrals [child_id] expect_column_values_to_not_be_null (referrals.child_id.not_null): "
        "2 row(s); raw rows 7, 9. Every row has child_id. If it fails: rows cannot be counted."
    )


def test_validation_results_match_their_schema(warnings_only):
    written = read_table("validation_results", warnings_only["folder"])
    assert list(written.columns) == schema("validation_results").column_names


def test_dates_reach_great_expectations_in_nanoseconds_unless_they_cannot():
    """GX compares datetime64[ns] columns with their bounds vectorised, other units value by value (issue 21): the
    tables' seconds are converted, except a column with a date nanoseconds cannot hold (a mistyped year 3015)."""
    from analysis.stages.validation.runner import _dates_in_nanoseconds

    frame = pd.DataFrame(
        {
            "referral_date": pd.Series(["2015-04-01", None]).astype("datetime64[s]"),
            "mistyped_date": pd.Series(["2015-04-01", "3015-04-01"]).astype("datetime64[s]"),
            "count": [1, 2],
        }
    )
    checked = _dates_in_nanoseconds(frame)
    assert checked.dtypes.astype(str).to_dict() == {
        "referral_date": "datetime64[ns]",
        "mistyped_date": "datetime64[s]",
        "count": "int64",
    }
    pd.testing.assert_frame_equal(checked.astype({"referral_date": "datetime64[s]"}), frame)
    assert frame["referral_date"].dtype == "datetime64[s]"  # the table itself is left as it was
