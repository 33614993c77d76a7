"""Tests of the Annex A cleaning on the hand-made lists in tests/fixtures/raw_small (answers worked out by hand)."""

from __future__ import annotations

import csv
import hashlib
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import RAW_SMALL
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import InputDataError
from analysis.inputs.pseudonymise import pseudonymise_ids
from analysis.stages.cleaning import clean_all, clean_sources

REPO = Path(__file__).resolve().parents[1]
KEY = b"0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def cleaned(config, tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw") / "raw"
    shutil.copytree(RAW_SMALL, folder)
    return clean_sources(folder, config, key=KEY)


def pseudonym(raw_id: str) -> str:
    return pseudonymise_ids(pd.Series([raw_id]), KEY).iloc[0]


def test_contacts_are_cleaned_as_worked_out_by_hand(cleaned):
    tables, summary = cleaned
    contacts = tables["contacts"].set_index("source_row")
    # Rows 4, 5 and 8 survive: 6 repeats 5 exactly, 7 has no ID, 9 has a contact in 2099.
    assert sorted(contacts.index) == [4, 5, 8]
    assert contacts.loc[4, "child_id"] == pseudonym("RAW1001")
    assert contacts.loc[4, "gender"] == "male"  # "a) Male"
    assert contacts.loc[5, "ethnicity"] == "WIRI"  # "a) WIRI"
    assert contacts.loc[8, "ethnicity"] == "WBRI"  # "White British"
    assert contacts.loc[4, "date_of_birth"] == pd.Timestamp("2010-05-01")  # 14/05/2010 -> first of the month
    assert contacts.loc[8, "date_of_birth"] == pd.Timestamp("2010-01-01")  # Excel serial 40179
    assert contacts.loc[8, "contact_date"] == pd.Timestamp("2015-04-01")  # Excel serial 42095
    assert contacts.loc[8, "contact_source"] == "health_visitor"
    counts = summary.tables.set_index("table").loc["contacts"]
    assert (counts["rows_read"], counts["duplicates_removed"], counts["quarantined"], counts["written"]) == (
        6,
        1,
        2,
        3,
    )


def test_quarantine_names_file_row_column_and_reason_without_identifiers(cleaned):
    _, summary = cleaned
    quarantine = summary.quarantine
    got = set(
        zip(
            quarantine["table"],
            quarantine["source_row"],
            quarantine["column"],
            quarantine["reason"],
            strict=True,
        )
    )
    # The column is named as the file writes it (List 1's heading row is in capitals), so it can be found.
    assert ("contacts", 7, "CHILD UNIQUE ID", "no Child Unique ID") in got
    assert any(
        t == "contacts" and r == 9 and c == "Date of contact" and "impossible" in why for t, r, c, why in got
    )
    assert (
        "assessments",
        3,
        "Date of Authorisation",  # the earlier wording, read through the alias table
        "assessment authorised before it started",
    ) in got
    assert ("early_help", 3, "Assessment Completion Date", "early help completed before it started") in got
    assert ("children_in_need", 3, "Case Closure Date", "date not recognised") in got
    assert len(quarantine) == 5
    assert set(quarantine["source_file"]) == {
        "annex_a/List_1.csv",
        "annex_a/List_2.csv",
        "annex_a/List_4.csv",
        "annex_a/List_6.csv",
    }
    assert not quarantine.astype(str).apply(lambda c: c.str.contains("RAW")).any().any()


def test_natural_key_duplicates_keep_the_first_row(cleaned):
    tables, summary = cleaned
    referrals = tables["referrals"]
    assert referrals["source_row"].tolist() == [3, 2] or sorted(referrals["source_row"]) == [2, 3]
    row = referrals.set_index("source_row").loc[3]
    assert row["referral_source"] == "school"  # row 4 repeats child and date with "Health": removed
    assert bool(row["referral_nfa"]) is True  # "a) Yes"
    log = summary.cleaning_log.set_index(["table", "rule"])
    assert log.loc[("referrals", "duplicates.natural_key"), "rows_affected"] == 1
    assert log.loc[("contacts", "duplicates.exact"), "rows_affected"] == 1


def test_codes_postcodes_and_dropped_columns(cleaned):
    tables, _ = cleaned
    placements = tables["looked_after"].set_index("source_row")
    assert placements["legal_status"].tolist() == ["C2", "C2"]  # "c2" and "C2 - Full care order"
    assert placements["placement_postcode_sector"].tolist() == ["ME4 6", "ME7 2"]
    assert "Allocated Worker" not in placements.columns and "worker" not in " ".join(placements.columns)
    assert tables["care_leavers"]["activity"].tolist() == ["employment"]  # F3
    assert tables["cp_plans"].set_index("source_row").loc[3, "category_of_abuse"] == "emotional"  # EMO
    assert tables["cp_plans"]["previous_cp_plans"].tolist() == [0, 2] or sorted(
        tables["cp_plans"]["previous_cp_plans"]
    ) == [0, 2]
    assert sorted(tables["children_in_need"]["primary_need"]) == ["N1", "N1", "N3"]
    assert (
        tables["adopters"]["adopter_id"].iloc[0] == pseudonymise_ids(pd.Series(["ADOPT77"]), KEY, "A").iloc[0]
    )


def test_extract_date_comes_from_the_cover(cleaned):
    _, summary = cleaned
    assert summary.extract_date == pd.Timestamp("2015-06-30")
    annex = summary.source_files[summary.source_files["source_file"].str.startswith("annex_a/")]
    assert len(annex) == 11
    assert (annex["extract_date"] == pd.Timestamp("2015-06-30")).all()


def test_without_a_cover_the_extract_date_is_the_latest_event(raw, config):
    (raw / "annex_a" / "cover.txt").unlink()
    _, summary = clean_sources(raw, config, key=KEY)
    # Latest non-birth date in the fixture lists: the contact of 20/05/2015 on list 9? No: 15/05/2015 and the
    # assessment authorised 20/05/2015 and early help completed 20/05/2015; CIN closed 01/05/2015. -> 20/05/2015.
    assert summary.extract_date == pd.Timestamp("2015-05-20")


def test_same_input_and_key_give_byte_identical_files(raw, config, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    clean_all(raw, first, config, key=KEY)
    clean_all(raw, second, config, key=KEY)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        one = hashlib.sha256((first / name).read_bytes()).hexdigest()
        assert one == hashlib.sha256((second / name).read_bytes()).hexdigest(), name


def test_every_processed_table_from_raw_data_is_written(raw, config, tmp_path):
    summary = clean_all(raw, tmp_path / "out", config, key=KEY)
    written = {p.stem for p in summary.written}
    expected = {
        "contacts",
        "early_help",
        "referrals",
        "assessments",
        "section47",
        "children_in_need",
        "cp_plans",
        "looked_after",
        "care_leavers",
        "adoptions",
        "adopters",
        "scorecard",
        "actions",
        "benchmarks",
        "population",
        "statistical_neighbours",
        "commentary",
        "cleaning_log",
        "source_files",
        "quarantine",
        "statutory_returns",
    }
    assert written == expected


# ----------------------------------------------------------------------------------------------- bad input
def test_no_annex_a_names_what_was_expected(raw, config):
    shutil.rmtree(raw / "annex_a")
    with pytest.raises(InputDataError, match=r"annex_a\.xlsx.*no Annex A found.*List_1\.csv"):
        clean_sources(raw, config, key=KEY)


def test_a_missing_list_file_is_named(raw, config):
    (raw / "annex_a" / "List_7.csv").unlink()
    with pytest.raises(InputDataError, match=r"List_7\.csv: the file does not exist"):
        clean_sources(raw, config, key=KEY)


def test_an_empty_file_is_named(raw, config):
    (raw / "annex_a" / "List_5.csv").write_bytes(b"")
    with pytest.raises(InputDataError, match=r"List_5\.csv: the file is empty"):
        clean_sources(raw, config, key=KEY)


def test_a_missing_required_column_is_named_with_a_suggestion(raw, config):
    path = raw / "annex_a" / "List_3.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Date of Referral", "Date of Refferal"), encoding="utf-8"
    )
    with pytest.raises(InputDataError) as caught:
        clean_sources(raw, config, key=KEY)
    message = str(caught.value)
    assert "List_3.csv" in message and "row 1" in message
    assert "'Date of referral' is missing" in message
    assert "closest heading present: 'Date of Refferal'" in message


def test_an_unknown_heading_is_a_warning_naming_it(raw, config, caplog):
    clean_sources(raw, config, key=KEY)
    assert "heading 'Comments' is not an Annex A heading of List 4" in caplog.text


def test_a_windows_1252_csv_is_read(raw, config, caplog):
    path = raw / "annex_a" / "List_2.csv"
    text = path.read_text(encoding="utf-8").replace("School", "Caf\u00e9 \u2013 school")
    path.write_bytes(text.encode("cp1252"))
    tables, _ = clean_sources(raw, config, key=KEY)
    assert tables["early_help"]["organisation"].tolist() == ["Caf\u00e9 \u2013 school"]
    assert "List_2.csv is not UTF-8: read it as cp1252" in caplog.text


def test_a_date_column_mostly_unparseable_is_an_error_with_an_example_row(raw, config):
    path = raw / "annex_a" / "List_3.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("01/04/2015", "April the first")
    lines[2] = lines[2].replace("03/04/2015", "the third")
    lines[3] = lines[3].replace("03/04/2015", "the third")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError) as caught:
        clean_sources(raw, config, key=KEY)
    error = caught.value
    assert error.file.name == "List_3.csv" and error.row == 2 and error.column == "Date of Referral"
    assert "dates like 31/03/2015" in str(error)
    assert "April the first" not in str(error)  # values are never quoted: they could identify a child


# ------------------------------------------------------------------------------------------------ workbook
def _workbook_from_fixture(raw: Path, target: Path) -> None:
    """annex_a.xlsx from the fixture CSVs: a Cover sheet, blank rows above each heading row, and in List 1
    the dates as real date cells and Excel serial numbers (as Excel would hold them)."""
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Cover"
    cover["A1"] = "Annex A"
    cover["A3"] = "Date of extract"
    cover["B3"] = datetime(2015, 7, 3)
    for n in range(1, 12):
        sheet = workbook.create_sheet(f"List {n}")
        with (raw / "annex_a" / f"List_{n}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        offset = 3  # two blank rows above the headings
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                cell_value: object = value if value != "" else None
                if n == 1 and r >= 3 and c == 5 and value.count("/") == 2:
                    cell_value = datetime.strptime(value, "%d/%m/%Y")
                elif n == 1 and r >= 3 and c == 3 and value.isdigit():
                    cell_value = int(value)
                sheet.cell(row=r + offset, column=c + 1, value=cell_value)
    workbook.save(target)


def test_a_workbook_with_a_cover_and_blank_rows_is_read(raw, config):
    _workbook_from_fixture(raw, raw / "annex_a.xlsx")
    shutil.rmtree(raw / "annex_a")
    tables, summary = clean_sources(raw, config, key=KEY)
    assert summary.extract_date == pd.Timestamp("2015-07-03")
    contacts = tables["contacts"].set_index("source_row")
    # The CSV's rows 4, 5 and 8 are Excel rows 6, 7 and 10 (two blank rows above).
    assert sorted(contacts.index) == [6, 7, 10]
    assert contacts.loc[6, "contact_date"] == pd.Timestamp("2015-04-01")
    assert contacts.loc[10, "date_of_birth"] == pd.Timestamp("2010-01-01")
    assert set(summary.source_files.loc[summary.source_files["table"] == "contacts", "source_sheet"]) == {
        "List 1"
    }
    quarantine = summary.quarantine
    assert (
        (quarantine["table"] == "contacts") & (quarantine["source_row"] == 9)
    ).any()  # the row without an ID


def test_a_missing_sheet_is_named(raw, config):
    _workbook_from_fixture(raw, raw / "annex_a.xlsx")
    shutil.rmtree(raw / "annex_a")
    workbook = openpyxl.load_workbook(raw / "annex_a.xlsx")
    del workbook["List 9"]
    workbook.save(raw / "annex_a.xlsx")
    with pytest.raises(InputDataError, match=r"annex_a\.xlsx, sheet 'List 9': the sheet is missing"):
        clean_sources(raw, config, key=KEY)


def test_a_csv_with_a_blank_line_and_a_title_above_the_headings(raw, config):
    path = raw / "annex_a" / "List_9.csv"
    path.write_text("\nAnnex A list 9: care leavers\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    tables, _ = clean_sources(raw, config, key=KEY)
    assert tables["care_leavers"]["source_row"].tolist() == [4]  # was row 2; two lines added above
    assert tables["care_leavers"]["contact_date"].tolist() == [pd.Timestamp("2015-05-15")]


# ------------------------------------------------------------------------------------- ambiguous sheet names
@pytest.mark.parametrize("other", ["List 1 ", " List 1", "LIST  1", "List_1"])  # Excel forbids case alone
def test_two_sheets_that_could_be_one_list_are_an_error_naming_both(tmp_path, other):
    """Issue 23, 5: 'List 1 ' beside 'List 1' was read instead of it (contacts 27,215 -> 100, exit 0)."""
    from analysis.stages.cleaning.reading import read_excel_sheets

    workbook = openpyxl.Workbook()
    workbook.active.title = "List 1"
    workbook.active.append(["Child Unique ID"])
    workbook.create_sheet(other).append(["Child Unique ID"])
    workbook.create_sheet("List 2").append(["Child Unique ID"])
    path = tmp_path / "annex_a.xlsx"
    workbook.save(path)
    with pytest.raises(InputDataError) as caught:
        read_excel_sheets(path, tmp_path, ["List 1", "List 2"])
    message = str(caught.value)
    assert str(path) in message and "'List 1' and" in message and f"'{other}'" in message
    assert read_excel_sheets(path, tmp_path, ["List 2"])["List 2"].sheet == "List 2"  # no other list suffers


# ---------------------------------------------------------------------------------- identifiers across lists
def test_an_id_stored_as_a_number_in_one_list_and_zero_padded_text_in_another_is_one_child(tmp_path):
    """Issue 23, 5: List 3 held 580049 (a number cell), List 4 "00580049" (text): no referral matched an
    assessment and "Referrals that led to an assessment 0.0%" was published with every check passing."""
    from analysis.inputs.annex_a import ANNEX_A_BY_TABLE
    from analysis.stages.cleaning.annex_a import DateBounds, clean_annex_a_list
    from analysis.stages.cleaning.log import CleaningLog
    from analysis.stages.cleaning.reading import read_excel_sheets
    from analysis.stages.validation.checks import annex_a_links

    referrals, assessments = ANNEX_A_BY_TABLE["referrals"], ANNEX_A_BY_TABLE["assessments"]
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for spec, ids in ((referrals, [580049, 123.0, 77]), (assessments, ["00580049", " 0123 ", "C77"])):
        sheet = workbook.create_sheet(spec.sheet)
        headings = [c.heading for c in spec.columns]
        sheet.append(headings)
        for child in ids:
            row: list[object] = [None] * len(headings)
            for at, column in enumerate(spec.columns):
                if column.kind in {"child_id", "adopter_id"}:
                    row[at] = child
                elif column.kind == "date" and column.required:
                    row[at] = datetime(2015, 4, 1)
            sheet.append(row)
    path = tmp_path / "annex_a.xlsx"
    workbook.save(path)
    sheets = read_excel_sheets(path, tmp_path, [referrals.sheet, assessments.sheet])
    assert isinstance(sheets[referrals.sheet].cells.iloc[1, 0], (int, float))  # stored as a number
    bounds = DateBounds.until(pd.Timestamp("2015-06-30"))
    tables = {
        spec.table: clean_annex_a_list(sheets[spec.sheet], spec, KEY, CleaningLog(), bounds).frame
        for spec in (referrals, assessments)
    }
    expected = {pseudonym("580049"), pseudonym("123")}
    assert set(tables["referrals"]["child_id"]) == expected | {pseudonym("77")}
    assert set(tables["assessments"]["child_id"]) == expected | {pseudonym("C77")}  # C77 is not 77
    links = annex_a_links(tables).set_index("second_list")
    assert links.loc["List 4", "children_in_both"] == 2


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.one_of(st.none(), st.sampled_from(["C1", "C2", "c1"])),
            st.one_of(st.none(), st.integers(0, 3)),
            st.one_of(st.none(), st.sampled_from(["a", "b"])),
        ),
        max_size=30,
    )
)
def test_duplicates_found_in_key_order_are_those_pandas_marks(rows: list[tuple]) -> None:
    """Exact repeats, then repeats of the key among the rest, as ``DataFrame.duplicated`` marks them."""
    from analysis.stages.cleaning.annex_a import duplicates_in_key_order

    frame = pd.DataFrame(
        {
            "child_id": pd.array([r[0] for r in rows], dtype="string"),
            "contact_date": pd.Series(
                [
                    None if r[1] is None else pd.Timestamp("2015-01-01") + pd.Timedelta(days=r[1])
                    for r in rows
                ],
                dtype="datetime64[s]",
            ),
            "contact_source": pd.array([r[2] for r in rows], dtype="string"),
            "source_row": range(len(rows)),
        }
    )
    key, data = ["child_id", "contact_date"], ["child_id", "contact_date", "contact_source"]
    frame = frame.sort_values([*key, "source_row"], kind="stable", na_position="last")
    exact, natural = duplicates_in_key_order(frame, key, data)
    expected_exact = frame.duplicated(subset=data, keep="first")
    expected_natural = frame.loc[~expected_exact].duplicated(subset=key, keep="first")
    assert exact.tolist() == expected_exact.tolist()
    assert frame.index[natural].tolist() == expected_natural.index[expected_natural].tolist()
