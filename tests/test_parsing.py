"""Tests of the tolerant raw-value parsers (hand-worked examples and hypothesis properties)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.inputs.coded_values import (
    ETHNICITY_CODES,
    parse_activity,
    parse_category_of_abuse,
    parse_code,
    parse_ethnicity,
    parse_gender,
    parse_source,
    parse_yes_no,
)
from analysis.inputs.parsing import (
    MISSING_MARKERS,
    date_from_formats,
    is_missing,
    normalise_heading,
    normalise_identifier,
    parse_date,
    parse_date_series,
    parse_date_with_rule,
    parse_integer,
    parse_month,
    parse_number,
)

SUPPORTED_TEXT_FORMATS = [
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
]


@pytest.mark.parametrize(
    ("cell", "expected", "rule"),
    [
        ("31/03/2015", date(2015, 3, 31), "dmy_text"),
        ("1/4/2015", date(2015, 4, 1), "dmy_text"),
        ("2015-03-31", date(2015, 3, 31), "iso_text"),
        ("2015-03-31 00:00:00", date(2015, 3, 31), "iso_text"),
        (" 31-03-2015 ", date(2015, 3, 31), "other_text"),
        ("31 March 2015", date(2015, 3, 31), "other_text"),
        (42005, date(2015, 1, 1), "excel_serial"),  # Excel shows 42005 as 01/01/2015
        ("42095", date(2015, 4, 1), "excel_serial"),  # 90 days later: 31 + 28 + 31
        (40179.75, date(2010, 1, 1), "excel_serial"),  # the time of day is dropped
        (datetime(2015, 6, 30, 13, 5), date(2015, 6, 30), "datetime_cell"),
        (pd.Timestamp("2015-06-30"), date(2015, 6, 30), "datetime_cell"),
        ("#N/A", None, "missing"),
        ("\u00a0 ", None, "missing"),
        (None, None, "missing"),
        (float("nan"), None, "missing"),
        ("31/02/2015", None, "unparseable"),
        ("03/31/2015", None, "unparseable"),  # month first is not read
        ("soon", None, "unparseable"),
        (True, None, "unparseable"),
    ],
)
def test_dates_are_read_from_every_supported_form(cell, expected, rule):
    assert parse_date_with_rule(cell) == (expected, rule)


def test_a_date_column_is_parsed_with_the_rule_of_each_row():
    dates, rules = parse_date_series(pd.Series(["01/04/2015", 42005, None, "nonsense", "01/04/2015"]))
    assert str(dates.dtype) == "datetime64[s]"
    assert dates.tolist()[:2] == [pd.Timestamp("2015-04-01"), pd.Timestamp("2015-01-01")]
    assert dates.isna().tolist() == [False, False, True, True, False]
    assert rules.tolist() == ["dmy_text", "excel_serial", "missing", "unparseable", "dmy_text"]


@given(
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)),
    st.sampled_from(SUPPORTED_TEXT_FORMATS),
)
def test_any_date_written_in_a_supported_format_parses_back_to_itself(day, pattern):
    assert parse_date(day.strftime(pattern)) == day


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)))
def test_any_excel_serial_parses_back_to_its_date(day):
    serial = (day - date(1899, 12, 30)).days
    assert parse_date(serial) == day
    assert parse_date(str(serial)) == day


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans()))
def test_parsers_never_raise_on_arbitrary_input(value):
    for parser in (
        parse_date,
        parse_number,
        parse_integer,
        parse_gender,
        parse_ethnicity,
        parse_yes_no,
        parse_activity,
        parse_category_of_abuse,
        parse_code,
        parse_source,
        parse_month,
        is_missing,
        normalise_heading,
    ):
        parser(value)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1,234", 1234.0),
        ("62.5%", 62.5),
        (" 1,234,567.25 ", 1234567.25),
        ("\u22123", -3.0),
        (12, 12.0),
        ("n/a", None),
        ("-", None),
        ("", None),
        ("12,34", None),  # not a thousands separator: refused rather than guessed
        ("1.2.3", None),
        ("abc", None),
    ],
)
def test_numbers_with_separators_and_percent_signs(cell, expected):
    assert parse_number(cell) == expected


@given(st.integers(min_value=-(10**12), max_value=10**12), st.booleans())
def test_numbers_with_thousands_separators_and_percent_round_trip(number, percent):
    text = f"{number:,}" + ("%" if percent else "")
    assert parse_number(text) == float(number)


@given(st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False))
def test_decimal_numbers_with_separators_round_trip(number):
    assert parse_number(f"{number:,.2f}") == pytest.approx(float(number))


@pytest.mark.parametrize(
    ("cell", "expected"), [("3", 3), (3.0, 3), ("2.5", None), ("three", None), ("", None)]
)
def test_whole_numbers(cell, expected):
    assert parse_integer(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("a) Male", "male"),
        ("Male", "male"),
        ("M", "male"),
        (1, "male"),
        ("b) Female", "female"),
        ("f", "female"),
        ("c) Unknown", "unknown"),
        ("0", "unknown"),
        ("d) Indeterminate", "indeterminate"),
        ("9", "indeterminate"),
        ("#N/A", None),
        ("Martian", None),
    ],
)
def test_gender_vocabulary(cell, expected):
    assert parse_gender(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("WBRI", "WBRI"),
        ("wbri", "WBRI"),
        ("a) MWBC", "MWBC"),
        ("BAFR - African", "BAFR"),
        ("White British", "WBRI"),
        ("Not known", "NOBT"),
        ("XXXX", None),
        ("", None),
    ],
)
def test_ethnicity_codes(cell, expected):
    assert parse_ethnicity(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Yes", True),
        ("a) Yes", True),
        ("Y", True),
        (1, True),
        (True, True),
        ("b) No", False),
        ("no", False),
        ("0", False),
        ("Maybe", None),
        ("", None),
    ],
)
def test_yes_no(cell, expected):
    assert parse_yes_no(cell) is expected


@pytest.mark.parametrize(
    ("parser", "cell", "expected"),
    [
        (parse_activity, "F3", "employment"),
        (parse_activity, "G5 - NEET other", "neet"),
        (parse_activity, "Not in education, employment or training", "neet"),
        (parse_activity, "Education", "education"),
        (parse_activity, "astronaut", None),
        (parse_category_of_abuse, "Neglect", "neglect"),
        (parse_category_of_abuse, "EMO", "emotional"),
        (parse_category_of_abuse, "b) Physical abuse", "physical"),
        (parse_category_of_abuse, "MUL", "multiple"),
        (parse_code, "c2", "C2"),
        (parse_code, "C2 - Full care order", "C2"),
        (parse_code, "a) E11", "E11"),
        (parse_code, "N1 - Abuse or neglect", "N1"),
        (parse_source, "Health visitor", "health_visitor"),
        (parse_source, "a) Police", "police"),
    ],
)
def test_coded_vocabularies(parser, cell, expected):
    assert parser(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Apr-15", pd.Timestamp("2015-04-01")),
        ("April 2015", pd.Timestamp("2015-04-01")),
        ("2015-04", pd.Timestamp("2015-04-01")),
        ("Mar 2016", pd.Timestamp("2016-03-01")),
        (datetime(2015, 4, 30), pd.Timestamp("2015-04-01")),
        ("Target", None),
        (2015, None),
    ],
)
def test_month_headings(cell, expected):
    assert parse_month(cell) == expected


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Child's  Legal\u00a0Status", "childs legal status"),
        ("  REFERRAL NFA? ", "referral nfa"),
        ("Date of Birth (DOB)", "date of birth dob"),
    ],
)
def test_headings_are_normalised(heading, expected):
    assert normalise_heading(heading) == expected


@pytest.mark.parametrize("cell", ["", " ", "\u00a0", "#N/A", "N/A", "n/a", "-", None, float("nan"), pd.NA])
def test_missing_markers(cell):
    assert is_missing(cell)


@pytest.mark.parametrize("cell", ["0", 0, "No", "x"])
def test_values_that_are_not_missing(cell):
    assert not is_missing(cell)


@given(
    st.sampled_from(["male", "female", "unknown", "indeterminate"]),
    st.sampled_from(["", "a) ", "B) ", "(c) "]),
    st.sampled_from([str.lower, str.upper, str.title]),
    st.sampled_from(["", " ", "\u00a0"]),
)
def test_any_spelling_of_a_gender_reads_as_its_canonical_value(gender, prefix, case, padding):
    assert parse_gender(padding + prefix + case(gender) + padding) == gender


@given(st.sampled_from(sorted(ETHNICITY_CODES)), st.sampled_from(["", "a) "]), st.booleans())
def test_any_ethnicity_code_with_or_without_its_description_reads_as_the_code(code, prefix, described):
    text = prefix + code + (f" - {ETHNICITY_CODES[code]}" if described else "")
    assert parse_ethnicity(text) == code
    assert parse_ethnicity(ETHNICITY_CODES[code].upper()) == code


# ------------------------------------------------------------------------------------------- identifiers
def test_identifier_rule_examples() -> None:
    from analysis.inputs.parsing import normalise_identifier

    assert normalise_identifier(580049) == normalise_identifier("00580049") == "580049"
    assert normalise_identifier(580049.0) == normalise_identifier(" 580049.0 ") == "580049"
    assert normalise_identifier("\uff15\uff18\uff10") == "580"  # full-width digits are digits (NFKC)
    assert normalise_identifier("\u200b580049\u202e") == "580049"  # invisible characters are not part of it
    assert normalise_identifier("C00123") == "C00123" and normalise_identifier("c00123") == "c00123"
    assert normalise_identifier("000") == "0"
    assert normalise_identifier(12.5) == "12.5"
    for missing in (None, "", "  ", float("nan"), "N/A", True):
        assert normalise_identifier(missing) is None


@given(
    st.from_regex(r"[0-9]{1,3}/[0-9]{1,3}/[0-9]{3,5}|[0-9]{3,5}-[0-9]{1,3}-[0-9]{1,3}", fullmatch=True)
    | st.builds(lambda d: d.strftime(r"%d/%m/%Y"), st.dates())
    | st.builds(lambda d: d.isoformat(), st.dates())
)
def test_the_fast_path_for_usual_text_dates_gives_strptimes_answer(text: str) -> None:
    assert parse_date_with_rule(text) == date_from_formats(text)  # the formats alone, by strptime


@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=0, max_value=6))
def test_a_whole_number_and_its_zero_padded_text_are_one_identifier(number: int, zeros: int) -> None:
    """Excel drops leading zeros from an identifier stored as a number: every form of it meets in one."""
    from analysis.inputs.parsing import normalise_identifier

    forms = {number, float(number) if number < 2**53 else number, "0" * zeros + str(number), f" {number} "}
    assert {normalise_identifier(form) for form in forms} == {str(number)}


@given(st.text(min_size=1, max_size=20))
def test_identifier_normalisation_is_idempotent_and_never_empty(text: str) -> None:
    from analysis.inputs.parsing import normalise_identifier

    once = normalise_identifier(text)
    assert once is None or (once and normalise_identifier(once) == once)


@given(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,10}", fullmatch=True))
def test_identifiers_with_letters_are_kept_exactly(identifier: str) -> None:
    from analysis.inputs.parsing import normalise_identifier

    if identifier.upper() not in {"NA", "NAN", "NONE", "NULL", "N", "NIL"}:  # missing markers
        assert normalise_identifier(identifier) in {identifier, None}


class _Cell(str):
    """A text cell that is not exactly ``str``: it takes the general path of the parsers, not their fast path."""


_IDENTIFIER_LIKE = st.one_of(
    st.text(alphabet="0123456789", max_size=12),
    st.text(alphabet="abcNAnulC0123456789", max_size=6),
    st.sampled_from(sorted(MISSING_MARKERS)).map(str.upper),
    st.text(max_size=8),
)


@given(_IDENTIFIER_LIKE)
def test_the_fast_path_for_plain_letters_and_digits_gives_the_general_answer(value):
    """Issue 21: a cell of ASCII letters and digits skips clean_text, with the same answer as the general rule."""
    assert normalise_identifier(value) == normalise_identifier(_Cell(value))
    assert is_missing(value) == is_missing(_Cell(value))
