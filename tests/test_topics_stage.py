"""The topic tables of the analysis stage: hand-made lists through stages.topics, and the demo run's tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_topic_journeys import child_protection_lists, front_door_lists

from analysis.config import ProjectConfig
from analysis.inputs.ees_publications import read_publication
from analysis.io import read_table
from analysis.methods.quarters import Quarter
from analysis.schemas import ANALYSIS_TABLES, schema
from analysis.stages.topics import TOPIC_TABLES, ethnic_population_for, topic_tables

QUARTER = Quarter.parse("2015-16-Q1")
#: The columns of each topic table that hold counts of children (or of their events) from the lists.
COUNT_COLUMNS = {
    "topic_profile": ["children"],
    "topic_disproportionality": ["children"],
    "topic_journeys": ["count"],
    "topic_drift": [
        "starts",
        "within_6_months",
        "from_6_to_12_months",
        "over_12_months",
        "no_referral_found",
        "over_6_months",
    ],
    "topic_placement_distance": ["authority_count", "authority_new_placements"],
    "topic_assessment_factors": ["authority_count"],
}


def hand_made_tables() -> dict[str, pd.DataFrame]:
    contacts, referrals, assessments = front_door_lists()
    section47, plans = child_protection_lists()
    for frame in (contacts, section47):
        frame["gender"] = "female"
        frame["ethnicity"] = "WBRI"
    contacts["contact_source"] = "police"
    for frame in (referrals, assessments, plans):
        frame["gender"] = "male"
        frame["ethnicity"] = "BAFR"
        frame["date_of_birth"] = pd.Timestamp("2012-01-01")
    referrals["referral_source"] = "school"
    assessments["disability"] = False
    plans["cp_plan_end_date"] = pd.NaT
    plans["category_of_abuse"] = "neglect"
    return {
        "contacts": contacts,
        "referrals": referrals,
        "assessments": assessments,
        "section47": section47,
        "cp_plans": plans,
    }


def test_every_topic_table_from_hand_made_lists(config: ProjectConfig) -> None:
    tables = topic_tables(hand_made_tables(), config, QUARTER, ethnic_population_for(None, config))
    assert set(tables) == set(TOPIC_TABLES) and set(TOPIC_TABLES) <= set(ANALYSIS_TABLES)
    for name, frame in tables.items():
        assert list(frame.columns) == schema(name).column_names
    journeys = tables["topic_journeys"]
    assert set(journeys["journey"]) == {"front_door", "child_protection"}
    # 7 contacts and 7 enquiries in the quarter (test_topic_journeys): shown; every outcome of 1-5 withheld.
    steps = journeys.set_index(["journey", "period", "step", "outcome"])["count"]
    assert steps[("front_door", "quarter", 1, "all")] == 7
    assert steps[("child_protection", "quarter", 1, "all")] == 7
    assert set(tables["topic_profile"]["topic_id"]) == {t.id for t in config.topics.topics}
    assert tables["topic_placement_distance"].empty and tables["topic_assessment_factors"].empty
    for name, columns in COUNT_COLUMNS.items():
        for column in columns:
            assert not tables[name][column].between(1, 5).any(), (name, column)


def test_a_topic_without_an_analysis_gets_no_rows(config: ProjectConfig) -> None:
    topics = config.topics.model_copy(update={"topics": [config.topics.topic("looked-after-children")]})
    only_lac = config.model_copy(update={"topics": topics})
    tables = topic_tables(hand_made_tables(), only_lac, QUARTER, ethnic_population_for(None, only_lac))
    assert tables["topic_journeys"].empty and tables["topic_assessment_factors"].empty
    assert set(tables["topic_profile"]["list"]) == {"looked_after", "care_leavers"}


def test_the_ethnic_population_is_found_under_raw(config: ProjectConfig, tmp_path: Path) -> None:
    folder = tmp_path / "population"
    folder.mkdir()
    (folder / "ons-ethnic-population-la.csv").write_text(
        "2023 Upper tier local authorities Code,2023 Upper tier local authorities,Ethnic group (20 categories) Code,"
        "Ethnic group (20 categories),Observation\nE06000035,Medway,13,British,100\nE06000035,Medway,6,African,10\n",
        encoding="utf-8",
    )
    population = ethnic_population_for(tmp_path, config).set_index("ethnic_group")["population"]
    assert population["White"] == 100 and population["Black"] == 10
    assert ethnic_population_for(tmp_path / "nowhere", config).empty


# ------------------------------------------------------------------------------------- the demo run (slow)
@pytest.mark.e2e
def test_demo_run_journeys_equal_a_hand_count_of_the_lists(first_run, demo_project) -> None:
    processed = demo_project.processed
    journeys = read_table("topic_journeys", processed)
    steps = journeys.loc[journeys["period"] == "quarter"].set_index(["journey", "step", "outcome"])["count"]
    start, end = pd.Timestamp(QUARTER.start), pd.Timestamp(QUARTER.end)
    contacts = read_table("contacts", processed)
    section47 = read_table("section47", processed)
    # Step 1 of each journey: the events starting in the quarter, counted straight from the lists.
    assert steps[("front_door", 1, "all")] == contacts["contact_date"].between(start, end).sum()
    enquiries = section47.loc[section47["strategy_discussion_date"].between(start, end)]
    assert steps[("child_protection", 1, "all")] == len(enquiries)
    # Conferences: enquiries of the quarter with a conference dated on or after the enquiry and by the quarter's end.
    conferences = enquiries["icpc_date"].notna() & enquiries["icpc_date"].between(
        enquiries["strategy_discussion_date"], end
    )
    assert steps[("child_protection", 2, "all")] == conferences.sum()
    for name, columns in COUNT_COLUMNS.items():
        frame = read_table(name, processed)
        assert not frame.empty, name
        for column in columns:
            assert not frame[column].between(1, 5).any(), (name, column)


# ------------------------------------------------------------------------------------- DfE's real files
EES = Path(__file__).resolve().parents[2] / "shared" / "data" / "ees"
C3 = EES / "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"
NEW_PLACEMENTS = EES / "la_cla_during_year_new_placements.csv"


@pytest.mark.skipif(not (C3.is_file() and NEW_PLACEMENTS.is_file()), reason="../shared/data/ees is absent")
def test_real_files_give_only_the_years_released_by_the_quarter(config: ProjectConfig) -> None:
    # C3 begins with 2017-18 and new placements with 2020-21: a 2015-16 report has none of their figures (the report
    # says "No published figures for this year"), never a later year's; a 2022-23 Q1 report (to 30 June 2022) has
    # C3 to 2020-21 (2021-22 is released in the autumn of 2022) and new placements of 2020-21 only.
    benchmarks = pd.concat(
        [
            read_publication(C3, "c3", config.benchmarks.publications["c3"]),
            read_publication(
                NEW_PLACEMENTS, "new_placements", config.benchmarks.publications["new_placements"]
            ),
        ],
        ignore_index=True,
    )
    early = topic_tables({"benchmarks": benchmarks}, config, QUARTER, ethnic_population_for(None, config))
    assert early["topic_assessment_factors"].empty and early["topic_placement_distance"].empty
    later = topic_tables(
        {"benchmarks": benchmarks}, config, Quarter.parse("2022-23-Q1"), ethnic_population_for(None, config)
    )
    factors, distance = later["topic_assessment_factors"], later["topic_placement_distance"]
    assert sorted(factors["time_period"].unique()) == [2018, 2019, 2020, 2021]
    assert sorted(distance["time_period"].unique()) == [2021]
    assert set(distance["release"]) == {"Children looked after 2020-21, released by December 2021"}
    assert factors.loc[factors["time_period"] == 2021, "release"].iloc[0] == (
        "Children in need 2020-21, released by November 2021"
    )
    # Medway's 2021 factors: shown where DfE shows them, its counts of 1 to 5 withheld.
    medway = factors.loc[
        (factors["time_period"] == 2021) & (factors["topic_id"] == "early-help-and-front-door")
    ]
    assert medway["authority_count"].notna().any() and not medway["authority_count"].between(1, 5).any()
