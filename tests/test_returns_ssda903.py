"""The SSDA903 reader and DfE's children looked after measures, on hand-worked returns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.inputs.pseudonymise import pseudonym
from analysis.stages.returns.common import ERROR, collection_year_of
from analysis.stages.returns.ssda903 import COLUMNS, read_ssda903_folder, recognise
from analysis.stages.returns.ssda903_measures import ssda903_figures

KEY = b"test-key"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding=encoding)


def _figures(folder: Path, year: int = 2015, population: float | None = 10_000) -> dict[str, tuple]:
    ssda = read_ssda903_folder(folder, KEY, year)
    return {f.measure: (f.numerator, f.denominator, f.value) for f in ssda903_figures(ssda, population)}


@pytest.mark.parametrize(
    ("name", "year"),
    [("2014-15", 2015), ("SSDA903_2014_15", 2015), ("201415", 2015), ("2015", 2015), ("x", None)],
)
def test_collection_year_from_folder_name(name, year):
    assert collection_year_of(name) == year


def test_files_are_recognised_from_headings_not_names():
    assert recognise(["child", "sex", "dob", "ethnic", "upn"]) == "header"
    assert recognise(["CHILD", "SEX", "DOB", "DUC"]) == "uasc"
    assert recognise(["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM", "EXTRA"]) == "oc3"
    assert recognise(["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"]) == "sw_episodes"
    assert recognise(["Child ID", "Referral date"]) is None


def test_reader_tolerates_bom_blank_lines_iso_dates_lower_case_and_spaces(tmp_path):
    folder = tmp_path / "2014-15"
    _write(folder, "a.csv", "\ufeff" + HEADER.lower() + "\n 101 ,1,01/06/2005,WBRI,,,\n\n", encoding="utf-8")
    _write(folder, "b.csv", EPISODES + "101,2014-05-01,s,c2,n1,u1,pr1,,,,ME1 1AA,ME2 2BB,\n")
    ssda = read_ssda903_folder(folder, KEY, 2015)
    episodes = ssda.tables["episodes"]
    assert episodes.loc[0, "CHILD"] == pseudonym("101", KEY)
    assert ssda.tables["header"].loc[0, "CHILD"] == pseudonym("101", KEY)
    assert episodes.loc[0, "DECOM"] == pd.Timestamp("2014-05-01")
    assert episodes.loc[0, "RNE"] == "S" and episodes.loc[0, "LS"] == "C2"
    assert "HOME_POST" not in episodes.columns  # postcodes are never kept
    assert ssda.tables["header"].loc[0, "source_row"] == 3  # blank line 2 is skipped, rows keep file numbers
    assert not [f for f in ssda.findings if f.severity != "note"]


def test_unparseable_date_is_a_finding_naming_file_row_child_and_field(tmp_path):
    folder = tmp_path / "2015"
    _write(folder, "h.csv", HEADER + "101,1,01/06/2005,WBRI,,,\n")
    _write(folder, "e.csv", EPISODES + "101,31/02/2014,S,C2,N1,U1,PR1,,,,,,\n")
    ssda = read_ssda903_folder(folder, KEY, 2015)
    [finding] = [f for f in ssda.findings if f.rule == "date"]
    assert (finding.row, finding.field, finding.child) == (2, "DECOM", pseudonym("101", KEY))
    assert finding.file.endswith("e.csv")


def test_episodes_without_header_is_an_error_and_the_return_is_not_used(tmp_path):
    folder = tmp_path / "2015"
    _write(folder, "e.csv", EPISODES + "101,01/05/2014,S,C2,N1,U1,PR1,,,,,,\n")
    ssda = read_ssda903_folder(folder, KEY, 2015)
    assert ssda.tables == {}
    assert [f.severity for f in ssda.findings] == [ERROR]


def test_looked_after_at_31_march_started_and_ceased_with_episodes_spanning_31_march(tmp_path):
    folder = tmp_path / "2015"
    _write(
        folder,
        "h.csv",
        HEADER
        + "1,1,01/01/2005,WBRI,,,\n2,2,01/01/2006,WBRI,,,\n3,1,01/01/2007,WBRI,,,\n4,1,01/01/2008,WBRI,,,\n",
    )
    _write(
        folder,
        "e.csv",
        EPISODES
        # 1: in care since 2013, spans both 31 Marches: looked after at 31 March 2015; not a start.
        + "1,01/01/2013,S,C2,N1,U1,PR1,,,,,,\n"
        # 2: left on 31 March 2015 itself: ceased, not looked after at 31 March.
        + "2,01/06/2014,S,C2,N1,U1,PR1,31/03/2015,E13,,,,\n"
        # 3: a break in care: left in July, back in October: started (once) and ceased (once) in the year.
        + "3,01/05/2014,S,V2,N1,U1,PR1,01/07/2014,E13,,,,\n3,01/10/2014,S,C2,N1,U1,PR1,,,,,,\n"
        # 4: short breaks only (V3): left out of every figure.
        + "4,01/05/2014,S,V3,N1,U1,PR1,,,,,,\n",
    )
    figures = _figures(folder)
    assert figures["cla_at_31_march"][0] == 2  # children 1 and 3
    assert figures["children_looked_after_per_10000"] == (2, 10_000, 2.0)
    assert figures["cla_started_during_year"][0] == 2  # children 2 and 3 (3 counted once)
    assert figures["cla_ceased_during_year"][0] == 2  # children 2 and 3


def test_a_legal_status_change_is_not_a_placement_move(tmp_path):
    folder = tmp_path / "2015"
    _write(folder, "h.csv", HEADER + "1,1,01/01/2005,WBRI,,,\n2,1,01/01/2005,WBRI,,,\n")
    _write(
        folder,
        "e.csv",
        EPISODES
        # 1: placed before the year, moved twice in it (P, B): three placements.
        + "1,01/01/2014,S,C2,N1,U1,PR1,01/06/2014,X1,,,,\n"
        + "1,01/06/2014,P,C2,N1,U3,PR1,01/09/2014,X1,,,,\n"
        + "1,01/09/2014,B,C1,N1,U4,PR1,,,,,,\n"
        # 2: two legal status changes (L), a same-carer change (U) and a temporary placement: one placement.
        + "2,01/01/2014,S,V2,N1,U1,PR1,01/06/2014,X1,,,,\n"
        + "2,01/06/2014,L,C2,N1,U1,PR1,01/08/2014,X1,,,,\n"
        + "2,01/08/2014,T,C2,N1,T1,PR1,10/08/2014,X1,,,,\n"
        + "2,10/08/2014,U,C1,N1,U2,PR1,,,,,,\n",
    )
    figures = _figures(folder)
    assert figures["lac_three_or_more_placements"] == (1, 2, 50.0)


def test_long_term_stability_under_16_in_care_2_5_years_same_placement_2_years(tmp_path):
    folder = tmp_path / "2015"
    _write(
        folder,
        "h.csv",
        HEADER
        + "1,1,01/01/2005,WBRI,,,\n2,1,01/01/2005,WBRI,,,\n3,1,01/01/1999,WBRI,,,\n4,1,01/01/2005,WBRI,,,\n",
    )
    _write(
        folder,
        "e.csv",
        EPISODES
        # 1: in care since 30/09/2012 (exactly 2.5 years), same placement since 31/03/2013 (L change since): yes.
        + "1,30/09/2012,S,C2,N1,U1,PR1,31/03/2013,X1,,,,\n1,31/03/2013,P,C2,N1,U1,PR1,01/04/2014,X1,,,,\n"
        + "1,01/04/2014,L,C1,N1,U1,PR1,,,,,,\n"
        # 2: in care 2.5 years, moved a year ago: in the denominator only.
        + "2,01/01/2012,S,C2,N1,U1,PR1,01/04/2014,X1,,,,\n2,01/04/2014,P,C2,N1,U1,PR1,,,,,,\n"
        # 3: 16 at 31 March: out.  4: in care since 01/10/2012, less than 2.5 years: out.
        + "3,01/01/2010,S,C2,N1,U1,PR1,,,,,,\n4,01/10/2012,S,C2,N1,U1,PR1,,,,,,\n",
    )
    assert _figures(folder)["cla_long_term_placement_stability"] == (1, 2, 50.0)


def test_adoption_and_timings(tmp_path):
    folder = tmp_path / "2015"
    _write(folder, "h.csv", HEADER + "1,1,01/01/2012,WBRI,,,\n2,1,01/01/2010,WBRI,,,\n")
    _write(
        folder,
        "e.csv",
        EPISODES
        # 1: entered 01/01/2013, placement order 01/07/2013, placed for adoption 01/01/2014, adopted 01/10/2014.
        + "1,01/01/2013,S,C2,N1,U1,PR1,01/07/2013,X1,,,,\n1,01/07/2013,L,E1,N1,U1,PR1,01/01/2014,X1,,,,\n"
        + "1,01/01/2014,P,E1,N1,A3,PR1,01/10/2014,E11,,,,\n"
        # 2: returned home.
        + "2,01/01/2014,S,V2,N1,U1,PR1,01/06/2014,E13,,,,\n",
    )
    _write(
        folder, "ad1.csv", "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\n"
        "1,01/01/2012,01/09/2013,01/11/2013,0,2,MF,L0\n",
    )  # fmt: skip
    figures = _figures(folder)
    assert figures["children_leaving_care_adopted"] == (1, 2, 50.0)
    assert figures["adoption_a1_days_entering_care_to_placed"][2] == 365  # 01/01/2013 to 01/01/2014
    assert figures["adoption_a2_days_placement_order_to_match"][2] == 123  # 01/07/2013 to 01/11/2013


def test_care_leavers_by_age_and_missing_and_uasc(tmp_path):
    folder = tmp_path / "2015"
    _write(folder, "h.csv", HEADER + "1,1,01/01/2005,WBRI,,,\n2,1,01/01/2005,WBRI,,,\n")
    _write(
        folder, "e.csv", EPISODES + "1,01/01/2014,S,C2,N1,U1,PR1,,,,,,\n2,01/01/2014,S,C2,N1,U1,PR1,,,,,,\n"
    )
    _write(
        folder, "oc3.csv", "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n"
        "10,01/05/1995,YES,F1,B1\n"  # 19th birthday 01/05/2014: age 19, EET, suitable
        "11,01/02/1994,NO,0,0\n"  # 21st birthday 01/02/2015: age 21, no information
        "12,01/06/1995,YES,G4,B2\n",  # 19: NEET, unsuitable
    )  # fmt: skip
    _write(folder, "m.csv", "CHILD,DOB,MISSING,MIS_START,MIS_END\n1,01/01/2005,M,01/05/2014,02/05/2014\n"
           "1,01/01/2005,m,01/06/2014,02/06/2014\n2,01/01/2005,A,01/07/2014,\n")  # fmt: skip
    _write(folder, "u.csv", "CHILD,SEX,DOB,DUC\n2,1,01/01/2005,\n")
    figures = _figures(folder)
    assert figures["care_leavers_in_education_employment_training_age_19"] == (1, 2, 50.0)
    assert figures["care_leavers_in_suitable_accommodation"][:2] == (1, 3)
    assert figures["care_leavers_in_suitable_accommodation_age_21"] == (0, 1, 0.0)
    assert figures["cla_missing_during_year"] == (1, 2, 50.0)
    assert figures["cla_missing_incidents"][0] == 2
    assert figures["cla_away_without_authorisation_during_year"][0] == 1
    assert figures["cla_uasc_at_31_march"] == (1, 2, 50.0)


@given(
    table=st.sampled_from(sorted(COLUMNS)),
    case=st.sampled_from([str.upper, str.lower, str.title]),
    padding=st.sampled_from(["", " ", "\ufeff"]),
    extra=st.lists(st.sampled_from(["NOTES", "TEAM", "Worker"]), max_size=2, unique=True),
    shuffle=st.randoms(use_true_random=False),
)
def test_any_spelling_and_order_of_dfe_headings_is_recognised(table, case, padding, extra, shuffle):
    headings = [padding + case(h) + " " for h in COLUMNS[table]] + extra
    shuffle.shuffle(headings)
    assert recognise(headings) == table
