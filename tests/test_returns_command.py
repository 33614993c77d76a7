"""``analysis returns FOLDER``: CSV of DfE's measures on stdout, findings on stderr, exit 0 or 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from test_returns_cin import census_xml, child_xml, episode, plan

from analysis.cli import main
from analysis.stages.returns.command import run_returns

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,1,01/01/2005,WBRI,,,\n2,2,01/01/2006,WBRI,,,\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    "1,01/05/2014,S,C2,N1,U1,PR1,,,,,,\n2,01/05/2014,S,C2,N1,U1,PR1,01/04/2014,E13,,,,\n"  # 2 ceased before began
)
POPULATION = pd.DataFrame(
    {
        "time_period": [2013, 2014],
        "geographic_level": "Local authority",
        "area_code": "E06000035",
        "old_la_code": 887,
        "area_name": "Medway",
        "population": [10_000.0, 20_000.0],
    }
)


def _returns_folder(root: Path) -> Path:
    year = root / "returns" / "2014-15"
    year.mkdir(parents=True)
    (year / "children.csv").write_text(HEADER, encoding="utf-8")
    (year / "periods.csv").write_text(EPISODES, encoding="utf-8")
    children = [
        child_xml("A", [episode("2014-05-01", plans=plan("2014-05-02"))]),
        child_xml("B", [episode("2014-06-01")]),
    ]
    (year / "cin.xml").write_text(census_xml(2015, children), encoding="utf-8")
    return root / "returns"


def _run(folder: Path, expectations: bool = True) -> tuple[int, list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_returns(
        folder, key=b"k", schema_dir=None, population=POPULATION, authority_codes=(887, "E06000035"), out=out,
        err=err, expectations=expectations,
    )  # fmt: skip
    return code, list(csv.DictReader(io.StringIO(out.getvalue()))), err.getvalue()


def test_prints_each_measure_per_year_with_rates_from_the_population_file(tmp_path):
    code, rows, _ = _run(_returns_folder(tmp_path), expectations=False)
    assert code == 0
    by_measure = {(r["measure"], r["year"]): r for r in rows}
    cla = by_measure[("children_looked_after_per_10000", "2014-15")]
    assert (cla["numerator"], cla["denominator"], cla["value"]) == (
        "1",
        "20000",
        "0.5",
    )  # mid-2014 for 2014-15
    cin = by_measure[("children_in_need_per_10000", "2014-15")]
    assert (cin["numerator"], cin["value"]) == ("2", "1")
    assert by_measure[("cp_plans_started", "2014-15")]["numerator"] == "1"


def test_expectations_name_the_rule_file_rows_and_field(tmp_path):
    code, _, err = _run(_returns_folder(tmp_path))
    assert code == 0
    [line] = [line for line in err.splitlines() if "ssda903_own_episode_order" in line]
    assert "SSDA903 episodes 2014-15" in line and "field DEC, DECOM" in line and "lines 3" in line


def test_nothing_readable_is_exit_2(tmp_path):
    (tmp_path / "2015").mkdir()
    (tmp_path / "2015" / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    code, rows, err = _run(tmp_path)
    assert code == 2 and rows == [] and "no SSDA903 or CIN census return could be read" in err


def test_episodes_without_header_alone_is_exit_2_naming_the_folder(tmp_path):
    folder = tmp_path / "2014-15"
    folder.mkdir()
    (folder / "e.csv").write_text(EPISODES, encoding="utf-8")
    code, _, err = _run(tmp_path)
    assert code == 2 and "without a header file" in err and str(folder) in err


def test_cli_subcommand(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", "00" * 32)
    folder = _returns_folder(tmp_path)
    assert main(["returns", str(folder), "--raw", str(tmp_path / "raw"), "--no-expectations"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("measure,year,numerator,denominator,value\n")
    assert "rates left blank" in captured.err  # no population file in --raw
    assert main(["returns", str(tmp_path / "absent")]) == 2


@pytest.mark.parametrize("bad", ["<Message>", "<Other/>"])
def test_a_broken_or_foreign_xml_file_alone_is_exit_2(tmp_path, bad):
    (tmp_path / "2015").mkdir()
    (tmp_path / "2015" / "cin.xml").write_text(bad, encoding="utf-8")
    assert _run(tmp_path)[0] == 2


def test_dfe_rule_codes_name_the_broken_records(tmp_path):
    year = tmp_path / "2014-15"
    year.mkdir()
    (year / "h.csv").write_text(HEADER, encoding="utf-8")
    # Line 2: RNE Q is no code (rule 143); line 3: PLACE ZZ is no placement type (rule 146), and the child's
    # first episode starts with P, not S (rule 357).
    (year / "e.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "1,01/05/2014,Q,C2,N1,U1,PR1,,,,,,\n2,01/05/2014,P,C2,N1,ZZ,PR1,,,,,,\n",
        encoding="utf-8",
    )
    children = [child_xml("A", [episode("2014-05-01", "2014-04-01")])]  # closed before it was referred
    (year / "cin.xml").write_text(census_xml(2015, children), encoding="utf-8")
    code, _, err = _run(tmp_path)
    assert code == 0
    lines = {
        rule: line
        for line in err.splitlines()
        for rule in ("143", "146", "357", "8630")
        if f"_{rule}_" in line
    }
    assert set(lines) == {"143", "146", "357", "8630"}
    assert "lines 2" in lines["143"] and "field RNE" in lines["143"]
    assert "lines 3" in lines["146"] and "field PLACE" in lines["146"]
    assert "Child elements 1" in lines["8630"] and "closure_date, referral_date" in lines["8630"]


def test_files_in_subfolders_of_a_year_folder_take_its_year(tmp_path):
    year = tmp_path / "SSDA903 and CIN 2014-15"
    (year / "ssda903").mkdir(parents=True)
    (year / "cin").mkdir()
    (year / "ssda903" / "header.csv").write_text(HEADER, encoding="utf-8")
    (year / "ssda903" / "episodes.csv").write_text(EPISODES, encoding="utf-8")
    (year / "cin" / "census.xml").write_text(
        census_xml(2015, [child_xml("A", [episode("2014-05-01")])]), "utf-8"
    )
    code, rows, _ = _run(tmp_path, expectations=False)
    assert code == 0
    assert {(r["measure"], r["year"]) for r in rows} >= {
        ("cla_at_31_march", "2014-15"),
        ("referrals_count", "2014-15"),
    }
