"""Tests of the scorecard, action tracker, commentary and benchmark cleaning (hand-made inputs)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.errors import InputDataError
from analysis.stages.cleaning import clean_sources
from analysis.stages.cleaning.benchmarks import clean_benchmarks
from analysis.stages.cleaning.commentary import read_commentary
from analysis.stages.cleaning.log import CleaningLog
from analysis.stages.cleaning.reading import RawSheet, data_below_header, read_csv_cells, read_excel_sheets
from analysis.stages.cleaning.scorecard import clean_scorecard
from analysis.stages.cleaning.tracker import clean_tracker, locate_tracker

REPO = Path(__file__).resolve().parents[1]
EES = REPO.parent / "shared" / "data" / "ees"
KEY = b"0123456789abcdef0123456789abcdef"


# ----------------------------------------------------------------------------------------------- scorecard
def test_scorecard_csv_is_made_tidy(raw, config):
    frame = clean_scorecard(read_csv_cells(raw / "scorecard.csv", raw), config, CleaningLog())
    got = frame.set_index(["indicator_id", "month"])
    assert len(frame) == 9  # three configured rows x three months; the Target column and the note are ignored
    assert got.loc[("children_in_care_proceedings", pd.Timestamp("2015-05-01")), "value"] == 1234.0  # "1,234"
    assert got.loc[("agency_social_worker_rate", pd.Timestamp("2015-04-01")), "value"] == 25.0  # "25.0%"
    missing = got.loc[("agency_social_worker_rate", pd.Timestamp("2015-06-01"))]  # "-"
    assert pd.isna(missing["value"]) and missing["symbol"] == "x"
    blank = got.loc[("social_workers_recruited", pd.Timestamp("2015-05-01"))]
    assert pd.isna(blank["value"]) and blank["symbol"] == "x"
    assert got.loc[("children_in_care_proceedings", pd.Timestamp("2015-04-01")), "source_row"] == 4
    assert got.loc[("children_in_care_proceedings", pd.Timestamp("2015-04-01")), "source_column"] == "Apr-15"


def test_scorecard_workbook_with_date_headings_and_percent_cells(tmp_path, config, caplog):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Scorecard"
    sheet["A2"] = "Indicator"
    sheet["B2"] = datetime(2015, 4, 1)
    sheet["C2"] = "May 2015"
    sheet["D2"] = "2015-06"
    sheet["A3"] = "  agency SOCIAL worker rate "
    for column, value in zip("BCD", [0.25, 0.245, "n/a"], strict=True):
        sheet[f"{column}3"] = value
        sheet[f"{column}3"].number_format = "0.0%"
    sheet["A4"] = "* provisional"
    workbook.save(tmp_path / "scorecard.xlsx")
    cells = read_excel_sheets(tmp_path / "scorecard.xlsx", tmp_path, ["Scorecard"], percent_as_fraction=True)
    frame = clean_scorecard(cells["Scorecard"], config, CleaningLog())
    assert frame["month"].tolist() == [pd.Timestamp(f"2015-0{m}-01") for m in (4, 5, 6)]
    assert frame["value"].tolist()[:2] == pytest.approx([25.0, 24.5])
    assert frame["symbol"].tolist()[2] == "x"
    assert "no row for the scorecard indicator 'children_in_care_proceedings'" in caplog.text


def test_a_scorecard_without_month_columns_is_an_error(raw, config):
    (raw / "scorecard.csv").write_text("Indicator,Q1,Q2\nAgency social worker rate,1,2\n", encoding="utf-8")
    with pytest.raises(
        InputDataError, match=r"scorecard\.csv: no month columns found; expected month headings"
    ):
        clean_sources(raw, config, key=KEY)


def test_a_missing_scorecard_is_named(raw, config):
    (raw / "scorecard.csv").unlink()
    with pytest.raises(
        InputDataError, match=r"scorecard\.xlsx: the scorecard is missing; expected scorecard\.xlsx or"
    ):
        clean_sources(raw, config, key=KEY)


# ------------------------------------------------------------------------------------------------- tracker
def test_tracker_statuses_themes_and_dates(raw, config):
    frame = clean_tracker(read_csv_cells(raw / "action_tracker.csv", raw), config, CleaningLog())
    assert frame["action_id"].tolist() == ["1.1", "2.1", "3.1"]
    assert frame["theme"].tolist() == [1, 2, 3]  # "1", "Theme 2", "Performance Management"
    assert frame["status"].tolist() == ["on_track", "at_risk", "complete"]  # Green, Amber, Complete
    assert frame["due_date"].tolist()[2] == pd.Timestamp("2015-09-30")  # Excel serial 42277


def test_a_past_quarter_takes_its_tracker_snapshot(raw, config, caplog):
    """Issue 13: the run for 2014-15 Q4 reads action_tracker/2014-15-Q4.csv; a quarter without one, the current."""
    folder = raw / "action_tracker"
    folder.mkdir()
    snapshot = folder / "2014-15-Q4.csv"
    snapshot.write_text(
        (raw / "action_tracker.csv").read_text(encoding="utf-8").replace("Amber", "Green"), encoding="utf-8"
    )
    assert locate_tracker(raw, "2014-15-Q4") == snapshot
    assert locate_tracker(raw) == raw / "action_tracker.csv"
    assert not caplog.records
    assert locate_tracker(raw, "2015-16-Q1") == raw / "action_tracker.csv"
    assert "No snapshot of the action tracker for 2015-16-Q1" in caplog.text
    frame = clean_tracker(read_csv_cells(locate_tracker(raw, "2014-15-Q4"), raw), config, CleaningLog())
    assert frame["status"].tolist() == ["on_track", "on_track", "complete"]  # as the snapshot, not Amber


def test_the_tracker_snapshot_is_found_without_reading_it(raw):
    """The runner fingerprints the cleaning by the tracker it will read (analysis.paths.tracker_snapshot)."""
    from analysis.paths import tracker_snapshot

    folder = raw / "action_tracker"
    folder.mkdir(exist_ok=True)
    (folder / "2014-15-Q4.csv").write_text("Action ID\n", encoding="utf-8")
    assert tracker_snapshot(raw, "2014-15-Q4") == folder / "2014-15-Q4.csv"
    assert tracker_snapshot(raw, "2015-16-Q1") is None
    assert tracker_snapshot(raw, None) is None


def test_an_unknown_theme_names_the_row(raw, config):
    path = raw / "action_tracker.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Theme 2", "Theme 9"), encoding="utf-8")
    with pytest.raises(InputDataError) as caught:
        clean_tracker(read_csv_cells(path, raw), config, CleaningLog())
    assert caught.value.row == 3 and caught.value.column == "Theme"
    assert (
        "action_tracker.csv, row 3, column 'Theme': the theme 'Theme 9' is not one of the plan's themes"
        in str(caught.value)
    )


def test_a_tracker_workbook_without_the_actions_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    workbook.save(tmp_path / "action_tracker.xlsx")
    with pytest.raises(InputDataError, match=r"sheet 'Actions': the sheet is missing"):
        read_excel_sheets(tmp_path / "action_tracker.xlsx", tmp_path, ["Actions"])


# ---------------------------------------------------------------------------------------------- commentary
def test_commentary_sections_become_rows(raw, config):
    frame = read_commentary(raw / "commentary", config)
    assert frame[["quarter", "theme"]].astype(str).agg(" ".join, axis=1).tolist() == [
        "2015-16-Q1 1",
        "2015-16-Q1 1",
        "2015-16-Q1 2",
    ]
    assert pd.isna(frame["indicator_id"].iloc[0])
    assert frame["indicator_id"].iloc[1] == "assessments_within_45_working_days"
    assert frame["text"].tolist()[1] == "Timeliness improved to above target."


def test_no_commentary_folder_gives_an_empty_table(tmp_path, config):
    frame = read_commentary(tmp_path / "commentary", config)
    assert frame.empty and list(frame.columns) == ["quarter", "theme", "indicator_id", "text"]


def test_an_unknown_indicator_in_the_commentary_names_the_line(raw, config):
    (raw / "commentary" / "2015-16-Q2.md").write_text(
        "## 1 Quality\n\n### not_an_indicator\nText\n", encoding="utf-8"
    )
    with pytest.raises(
        InputDataError, match=r"2015-16-Q2\.md, row 3: 'not_an_indicator' is not an indicator id"
    ):
        read_commentary(raw / "commentary", config)


# ---------------------------------------------------------------------------------------------- benchmarks
@pytest.fixture
def ees_raw(raw: Path) -> Path:
    if not EES.is_dir():
        pytest.skip(f"{EES} is not present: these tests read DfE's published EES files")
    folder = raw / "benchmarks"
    folder.mkdir()
    for name in [
        "d3_cpps_subsequent_plan_2013_to_2025.csv",
        "ons_mid-year_population_estimates_2012_to_2024.csv",
    ]:
        shutil.copy(EES / name, folder / name)
    return raw


def test_benchmark_files_are_found_and_read(ees_raw, config, caplog):
    log = CleaningLog()
    benchmarks, population = clean_benchmarks(ees_raw, config, log)
    assert set(benchmarks["publication"]) == {"d3"}
    medway = benchmarks[(benchmarks["old_la_code"] == 887) & (benchmarks["time_period"] == 2015)]
    assert not medway.empty
    assert (population["old_la_code"] == 887).any()
    assert "No file for benchmark publication 'b1'" in caplog.text
    assert {s["source_file"] for s in log.sources} == {
        "benchmarks/d3_cpps_subsequent_plan_2013_to_2025.csv",
        "benchmarks/ons_mid-year_population_estimates_2012_to_2024.csv",
    }


def test_a_file_for_other_authorities_is_an_error_naming_the_codes(ees_raw, config):
    path = ees_raw / "benchmarks" / "d3_cpps_subsequent_plan_2013_to_2025.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join(line for line in lines if ",887," not in line) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError) as caught:
        clean_benchmarks(ees_raw, config, CleaningLog())
    assert caught.value.file.name == path.name
    assert "old_la_code 887 or new_la_code E06000035" in str(caught.value)


def test_a_benchmark_file_without_geography_columns_is_an_error(ees_raw, config):
    path = ees_raw / "benchmarks" / "d3_cpps_subsequent_plan_2013_to_2025.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.drop(columns=["geographic_level"]).to_csv(path, index=False)
    with pytest.raises(InputDataError) as caught:
        clean_benchmarks(ees_raw, config, CleaningLog())
    assert caught.value.file.name == path.name
    assert "geographic_level" in str(caught.value)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(None, id="a link to /etc/passwd"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50, id="binary bytes"),
        pytest.param("caf\xe9,time_period\n".encode("cp1252"), id="not UTF-8"),
        pytest.param(
            b'time_period,geographic_level\n2015,National\n2016,"National\n2017,x\n', id="an open quote"
        ),
    ],
)
def test_a_benchmark_file_that_is_not_csv_text_is_an_error_naming_it(ees_raw, config, content):
    """Issue 23, 2: the file named and what was expected, never a parser's error or the file's content."""
    path = ees_raw / "benchmarks" / "d3_cpps_subsequent_plan_2013_to_2025.csv"
    path.unlink()
    if content is None:
        if not Path("/etc/passwd").is_file():
            pytest.skip("no /etc/passwd on this machine")
        path.symlink_to("/etc/passwd")
    else:
        path.write_bytes(content)
    with pytest.raises(InputDataError) as caught:
        clean_benchmarks(ees_raw, config, CleaningLog())
    message = str(caught.value)
    assert caught.value.file.name == path.name
    assert "Explore Education Statistics open-data file" in message
    assert ":0:0:" not in message and "PNG" not in message


def test_a_neighbour_file_that_is_not_csv_text_is_an_error_naming_it(ees_raw, config):
    from analysis.stages.cleaning.benchmarks import clean_statistical_neighbours

    path = ees_raw / "benchmarks" / "sn_model_2025_wide.csv"
    path.symlink_to("/etc/passwd")
    with pytest.raises(InputDataError) as caught:
        clean_statistical_neighbours(ees_raw, config, CleaningLog())
    assert caught.value.file.name == path.name
    assert "statistical neighbour file" in str(caught.value) and ":0:0:" not in str(caught.value)


def test_only_wholly_blank_rows_below_the_heading_are_dropped():
    """A row blank in some columns but not all is data; empty or whitespace-only in every column is not."""
    rows = [
        ["ID", "Date", "Note"],
        ["A1", "01/04/2015", "x"],
        [None, None, "only the last column"],
        ["  ", "", None],
        ["", "02/04/2015", ""],
        [None, None, None],
        ["#N/A", None, None],  # a marker is not blank
    ]
    cells = pd.DataFrame(rows, dtype=object, index=pd.RangeIndex(1, len(rows) + 1))
    headings, body = data_below_header(RawSheet("list.csv", None, cells, Path("list.csv")), 1)
    assert headings == ["ID", "Date", "Note"]
    assert body.index.tolist() == [2, 3, 5, 7]
    assert body.loc[3].tolist() == [None, None, "only the last column"]
