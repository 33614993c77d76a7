"""Unreadable inputs are clear errors naming file and sheet; doubtful scorecard figures are data-quality findings;
a missing or different pseudonymisation key stops the run."""

from __future__ import annotations

import os
import resource
from pathlib import Path

import pandas as pd
import pytest
from hostile_files import SHEET_PART, write_zip_bomb

from analysis.errors import InputDataError, PseudonymKeyError
from analysis.inputs.annex_a import ANNEX_A_LISTS
from analysis.inputs.pseudonymise import KEY_ENV_VAR, confirm_key, key_check
from analysis.stages.cleaning.annex_a_reading import read_annex_a
from analysis.stages.cleaning.file_checks import check_workbook_file
from analysis.stages.cleaning.log import CleaningLog
from analysis.stages.cleaning.reading import read_csv_cells, read_excel_sheets
from analysis.stages.cleaning.scorecard import UNREADABLE_FIGURE, clean_scorecard
from analysis.stages.cleaning.tracker import read_tracker_sheet
from analysis.stages.validation.checks import scorecard_percent_scale


def _workbook(path: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "List 1"
    for row in range(1, 400):
        workbook.active.append([f"child {row}", row, "2015-04-01", "some text to make the sheet long"])
    workbook.save(path)
    return path


# ----------------------------------------------------------------------------------------------- workbooks
def test_a_damaged_workbook_names_the_file_and_the_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "annex_a.xlsx")
    data = bytearray(path.read_bytes())
    # Damage the sheet's compressed XML (the largest zip member sits in the middle of the file).
    middle = len(data) // 2
    data[middle : middle + 200] = bytes(b ^ 0xFF for b in data[middle : middle + 200])
    path.write_bytes(bytes(data))
    with pytest.raises(InputDataError) as error:
        read_excel_sheets(path, tmp_path, ["List 1"])
    message = str(error.value)
    assert str(path) in message and "damaged" in message
    assert "sheet 'List 1'" in message or "cannot be opened" in message
    assert "child" not in message  # no cell content in the message


def test_an_encrypted_workbook_is_said_to_be_encrypted(tmp_path: Path) -> None:
    # An encrypted Office file is an OLE2 compound file with an EncryptionInfo stream (MS-OFFCRYPTO 2.3.4).
    path = tmp_path / "scorecard.xlsx"
    directory_entry = "EncryptionInfo".encode("utf-16-le").ljust(64, b"\0")
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + directory_entry + b"\0" * 2000)
    with pytest.raises(InputDataError, match="encrypted") as error:
        read_excel_sheets(path, tmp_path, ["Scorecard"])
    assert str(path) in str(error.value) and "without a password" in str(error.value)


def test_an_old_xls_and_a_non_workbook_are_named(tmp_path: Path) -> None:
    xls = tmp_path / "a.xlsx"
    xls.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 4000)
    with pytest.raises(InputDataError, match=r"Excel 97-2003 \(\.xls\)"):
        check_workbook_file(xls)
    text = tmp_path / "b.xlsx"
    text.write_text("Indicator,Apr-15\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="not an Excel workbook"):
        check_workbook_file(text)


class _MustNotOpen:
    """Stands in for the workbook readers: a zip bomb must be refused before any of them opens it."""

    @staticmethod
    def from_path(path: str) -> None:
        raise AssertionError(f"{path} was opened by a workbook reader")


def test_a_zip_bomb_is_refused_naming_the_file_before_it_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 9 MB workbook whose sheet declares 3 GiB of XML: refused from its declared sizes, in no time or memory."""
    import analysis.stages.cleaning.reading as reading

    path = write_zip_bomb(tmp_path / "annex_a.xlsx", 3 * 1024**3)
    assert path.stat().st_size < 16 * 1024**2
    monkeypatch.setattr(reading, "CalamineWorkbook", _MustNotOpen)
    monkeypatch.setattr(reading.openpyxl, "load_workbook", _MustNotOpen.from_path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for percent_as_fraction in (False, True):
        with pytest.raises(InputDataError, match="zip bomb") as error:
            read_excel_sheets(path, tmp_path, ["List 1"], percent_as_fraction=percent_as_fraction)
        assert str(path) in str(error.value) and "3,072 MiB" in str(error.value)
        assert SHEET_PART in str(error.value)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB


def test_a_part_that_expands_hundreds_of_times_is_refused_though_small(tmp_path: Path) -> None:
    """Under the total limit, but expanding 341 times: no spreadsheet XML does that."""
    path = write_zip_bomb(tmp_path / "scorecard.xlsx", 40 * 1024**2)
    with pytest.raises(InputDataError, match=r"would expand 341 times, to 40 MiB") as error:
        check_workbook_file(path)
    assert str(path) in str(error.value)


def test_a_part_larger_than_it_declares_is_caught_while_streaming(tmp_path: Path) -> None:
    """The headers declare 1 KB for a sheet of 40 MiB: the streaming check stops at the declared size."""
    path = write_zip_bomb(tmp_path / "annex_a.xlsx", 40 * 1024**2, declared=1000)
    with pytest.raises(InputDataError, match="damaged") as error:
        check_workbook_file(path)
    assert str(path) in str(error.value)


def test_a_real_sized_workbook_passes_the_size_checks(tmp_path: Path) -> None:
    check_workbook_file(_workbook(tmp_path / "annex_a.xlsx"))


# ----------------------------------------------------------------------------------------------- CSV files
def test_a_binary_csv_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "action_tracker.csv"
    path.write_bytes(b"Action ID,Theme\x00\x01\x02" * 100)
    with pytest.raises(InputDataError, match="binary data"):
        read_csv_cells(path, tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        "Title\nAction ID,Theme\n" + "A1,1\n" * 40 + "A2,2,a third field far below\n",  # wider, far below
        "Action ID,Theme,,\n" + "A1,1\n" * 40,  # the headings wider than every row below
        # a first row one field wider than the first rows show (a quoted note of 40 lines): pandas would make its
        # first field the row labels
        '"' + "a note\n" * 40 + '",Theme\nA1\n',
        '"Action\nID",Theme\n' + "A1,1\n" * 40 + "A2,2,3,4\n",  # a quoted line break in the headings
    ],
)
def test_a_csv_is_read_with_as_many_columns_as_its_widest_row(tmp_path: Path, text: str) -> None:
    """The widest row sets the columns wherever it is (the first rows' widest is only tried first, issue 21): no
    field is lost or shifted, and a shorter row is filled with blanks."""
    import csv

    path = tmp_path / "action_tracker.csv"
    path.write_text(text, encoding="utf-8")
    rows = list(csv.reader(text.splitlines(keepends=True)))
    width = max(map(len, rows))
    cells = read_csv_cells(path, tmp_path).cells
    assert cells.shape == (len(rows), width)
    assert cells.to_numpy().tolist() == [row + [""] * (width - len(row)) for row in rows]


def test_a_large_csv_without_headings_fails_on_its_first_rows(tmp_path: Path) -> None:
    """About 60 MB of text that is not a tracker: the heading check reads only the first rows."""
    path = tmp_path / "action_tracker.csv"
    line = "qwerty,uiop,asdf,ghjkl,zxcvbnm,1234567890,lorem ipsum dolor sit amet\n"
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(60):
            handle.write(line * (1_000_000 // len(line)))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputDataError, match="no heading row found in the first 30 rows") as error:
        read_tracker_sheet(path, tmp_path)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert str(path) in str(error.value)
    assert grown_kb < 40_000, "the whole file was loaded"


def test_annex_a_csv_lists_are_checked_for_headings_before_parsing(raw: Path) -> None:
    """Each list is read from its file when the cleaning reaches it (one list's raw cells at a time, issue 21), and
    a file of something else fails on its headings, naming the file and the list."""
    from analysis.stages.cleaning.annex_a_reading import locate_annex_a

    lists, _ = read_annex_a(locate_annex_a(raw), raw)
    assert list(lists) == [spec.table for spec in ANNEX_A_LISTS] and len(lists) == len(ANNEX_A_LISTS)
    spec = ANNEX_A_LISTS[0]
    (raw / "annex_a" / spec.csv_name).write_text("nothing,like,a,list\n" * 50, encoding="utf-8")
    with pytest.raises(InputDataError, match="no heading row") as error:
        lists[spec.table]  # read now, from the file as it is now
    assert spec.csv_name in str(error.value) and spec.sheet in str(error.value)
    assert len(lists[ANNEX_A_LISTS[1].table].cells) > 1


# ----------------------------------------------------------------------------------------------- scorecard
def test_text_figures_in_the_scorecard_are_quarantined_with_row_and_column(raw: Path, config) -> None:
    path = raw / "scorecard.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("45,", "TBC,", 1).replace('"1,234"', "£64", 1), encoding="utf-8")
    log = CleaningLog()
    frame = clean_scorecard(read_csv_cells(path, raw), config, log)
    quarantine = log.quarantine_table()
    assert set(quarantine["reason"]) == {UNREADABLE_FIGURE}
    assert sorted(zip(quarantine["source_row"], quarantine["column"], strict=True)) == [
        (4, "Apr-15"),
        (4, "May-15"),
    ]
    assert (quarantine["source_file"] == "scorecard.csv").all()
    proceedings = frame.loc[frame["indicator_id"] == "children_in_care_proceedings"].set_index("month")
    assert proceedings["value"].isna().sum() == 3  # TBC, £64 and n/a: no value


def test_markers_of_no_figure_are_not_findings(raw: Path, config) -> None:
    log = CleaningLog()
    clean_scorecard(read_csv_cells(raw / "scorecard.csv", raw), config, log)
    assert log.quarantine_table().empty  # n/a, - and blank are ordinary "not available"


def _scorecard(values: list[float | None]) -> pd.DataFrame:
    months = pd.date_range("2015-01-01", periods=len(values), freq="MS").astype("datetime64[s]")
    return pd.DataFrame(
        {
            "indicator_id": "agency_social_worker_rate",
            "month": months,
            "value": values,
            "symbol": None,
            "source_row": 7,
            "source_column": [f"{m:%b-%y}" for m in months],
        }
    )


def test_a_fraction_in_a_percentage_row_is_found_with_file_sheet_row_and_column(config) -> None:
    sources = pd.DataFrame(
        {"table": ["scorecard"], "source_file": ["scorecard.xlsx"], "source_sheet": ["Scorecard"]}
    )
    found = scorecard_percent_scale(_scorecard([30.1, 28.0, 0.284, 31.5, None]), config, sources)
    flagged = found.loc[found["looks_like_fraction"], "item"].tolist()
    # Median of the other figures (30.1, 28.0, 31.5) is 30.1; 28.4 is within a factor of two of it.
    assert flagged == [
        "agency_social_worker_rate, March 2015: 0.284 in a row of about 30.1 (scorecard.xlsx sheet "
        "'Scorecard', row 7, column 'Mar-15')"
    ]


def test_small_percentages_in_a_row_of_small_percentages_are_not_fractions(config) -> None:
    found = scorecard_percent_scale(_scorecard([0.5, 0.4, 0.6, 0.3]), config)
    assert not found["looks_like_fraction"].any()  # medians below 1: a row of genuinely small percentages
    found = scorecard_percent_scale(_scorecard([30.0, 31.0, 0.9, 29.0]), config)
    assert not found["looks_like_fraction"].any()  # 90 is three times 30: not a fraction of this row


# ----------------------------------------------------------------------------------------------- the key
@pytest.fixture
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)


def test_a_missing_key_with_pseudonymised_data_stops_the_run(tmp_path: Path, no_env_key: None) -> None:
    path = tmp_path / ".pseudonym-key"
    with pytest.raises(PseudonymKeyError) as error:
        confirm_key(path, recorded_check="ab" * 32, has_pseudonymised_data=True)
    message = str(error.value)
    assert str(path) in message and "restore the key file" in message and "--new-key" in message
    assert not path.exists(), "no key may be made behind the analyst's back"


def test_new_key_starts_afresh_on_purpose(tmp_path: Path, no_env_key: None) -> None:
    path = tmp_path / ".pseudonym-key"
    key = confirm_key(path, recorded_check="ab" * 32, has_pseudonymised_data=True, new_key=True)
    assert path.read_bytes() == key


def test_a_different_key_is_detected_by_its_check_value(tmp_path: Path, no_env_key: None) -> None:
    path = tmp_path / ".pseudonym-key"
    path.write_bytes(b"the original key")
    recorded = key_check(b"the original key")
    assert confirm_key(path, recorded_check=recorded, has_pseudonymised_data=True) == b"the original key"
    path.write_bytes(b"another key")
    with pytest.raises(PseudonymKeyError, match="not the key the processed data were made with"):
        confirm_key(path, recorded_check=recorded, has_pseudonymised_data=True)
    assert confirm_key(path, recorded_check=recorded, has_pseudonymised_data=True, new_key=True)


def test_the_check_value_is_an_hmac_of_a_label_not_the_key() -> None:
    import hashlib
    import hmac

    key = os.urandom(32)
    check = key_check(key)
    assert check == hmac.new(key, b"analysis: pseudonymisation key check v1", hashlib.sha256).hexdigest()
    assert key.hex() not in check and check != hashlib.sha256(key).hexdigest()


def test_a_first_run_makes_its_key(tmp_path: Path, no_env_key: None) -> None:
    key = confirm_key(tmp_path / ".pseudonym-key", recorded_check=None, has_pseudonymised_data=False)
    assert len(key) == 32


# ------------------------------------------------------------------------------- critical check messages
def test_critical_check_lines_name_the_raw_file_sheet_and_column() -> None:
    from analysis.stages.validation.runner import raw_source_text

    sources = pd.DataFrame(
        {
            "table": ["cp_plans", "scorecard"],
            "source_file": ["annex_a.xlsx", "scorecard.xlsx"],
            "source_sheet": ["List 8", "Scorecard"],
        }
    )
    assert raw_source_text("cp_plans", "previous_cp_plans", sources) == (
        " Raw source: annex_a.xlsx sheet 'List 8', column 'Number of Previous Child Protection Plans'."
    )
    assert raw_source_text("scorecard", "percent_value", sources) == (
        " Raw source: scorecard.xlsx sheet 'Scorecard'."
    )
    assert raw_source_text("monthly_volumes", "ratio", sources) == ""
    assert raw_source_text("cp_plans", "previous_cp_plans", None) == ""


# ---------------------------------------------------------------------------------------------- commentary
@pytest.mark.parametrize(
    "damage",
    ["binary", "Windows-1252", "unreadable", "dangling link"],
)
def test_a_commentary_file_that_is_not_utf8_text_is_an_error_naming_it(
    raw: Path, config, damage: str
) -> None:
    """Every unreadable input is exit 2 with the file named (issue 23, 2): the commentary was read unguarded."""
    from analysis.stages.cleaning.commentary import clean_commentary

    path = next((raw / "commentary").glob("*.md"))
    if damage == "binary":
        path.write_bytes(b"## 1\x00\x01\x02" * 20)
    elif damage == "Windows-1252":
        path.write_bytes("## 1 Caf\xe9 \x93quoted\x94\n".encode("latin-1"))
    elif damage == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("root reads every file")
        path.chmod(0)
    else:
        path.unlink()
        path.symlink_to(raw / "nowhere.md")
    with pytest.raises(InputDataError) as error:
        clean_commentary(raw, config, CleaningLog())
    assert str(path) in str(error.value) and "Markdown text saved as UTF-8" in str(error.value)
