"""Tolerant parsers for the values found in raw spreadsheets: missing cells, text, identifiers, headings, dates, numbers.

Every scalar parser takes whatever a cell holds (text, a number, a ``datetime``, ``None``) and returns the parsed
value or ``None`` for missing; none of them raises on arbitrary input. The ``*_series`` wrappers apply a scalar
parser to the *distinct* values of a column only and map the answers back, which keeps a million-row list fast
(an Annex A date column holds a few thousand distinct dates).

The vocabularies of coded columns and their parsers are in :mod:`analysis.inputs.coded_values`.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Callable, Hashable
from contextlib import suppress
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from analysis.safe_text import visible_text

logger = logging.getLogger(__name__)

#: Cell contents that mean "no value" (compared after stripping, case-insensitively).
MISSING_MARKERS = frozenset(
    {
        "",
        "#n/a",
        "n/a",
        "na",
        "n.a.",
        "#na",
        "null",
        "none",
        "nan",
        "nat",
        "-",
        "--",
        "#value!",
        "#ref!",
        "#div/0!",
    }
)

#: Excel's day zero for serial dates (the 1900 date system, with Excel's 1900 leap-year bug absorbed).
EXCEL_EPOCH = date(1899, 12, 30)
#: Largest serial Excel accepts (31/12/9999).
EXCEL_MAX_SERIAL = 2_958_465

#: Text date formats read, in the order tried. Day-first formats only: English data never puts the month first.
DATE_FORMATS: tuple[tuple[str, str], ...] = (
    ("%d/%m/%Y", "dmy_text"),
    ("%Y-%m-%d", "iso_text"),
    ("%Y-%m-%d %H:%M:%S", "iso_text"),
    ("%Y-%m-%dT%H:%M:%S", "iso_text"),
    ("%d/%m/%Y %H:%M:%S", "dmy_text"),
    ("%d/%m/%Y %H:%M", "dmy_text"),
    ("%d-%m-%Y", "other_text"),
    ("%d.%m.%Y", "other_text"),
    ("%Y/%m/%d", "other_text"),
    ("%d %B %Y", "other_text"),
    ("%d %b %Y", "other_text"),
    ("%d-%b-%Y", "other_text"),
    ("%d-%B-%Y", "other_text"),
)

#: Month headings of a wide scorecard: ``Apr-15``, ``April 2015``, ``2015-04``, ``04/2015``, ``2015-04-01``.
MONTH_FORMATS: tuple[str, ...] = (
    "%b-%y",
    "%b %y",
    "%B-%y",
    "%B %y",
    "%b-%Y",
    "%b %Y",
    "%B %Y",
    "%B-%Y",
    "%Y-%m",
    "%m/%Y",
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
)

OPTION_PREFIX = re.compile(r"^\(?[a-z]\)\s+", re.IGNORECASE)  # Annex A drop-downs: "a) Male"
#: The two usual text dates, in the digits strptime's ``%d/%m/%Y`` and ``%Y-%m-%d`` read: dd/mm/yyyy (groups 1-3)
#: or yyyy-mm-dd (groups 4-6), a day or month of one or two digits, a year of four.
_USUAL_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})|([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_SERIAL = re.compile(r"^\d{1,7}(\.\d+)?$")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
NON_WORD = re.compile(r"[^0-9a-z]+")


# ----------------------------------------------------------------------------------------------- generic
def is_missing(value: Any) -> bool:
    """Whether a cell holds no value: ``None``, NaN/NaT, blank, whitespace or a marker such as ``#N/A``.

    Notes
    -----
    Excel error values and the usual "not available" spellings are read as missing (:data:`MISSING_MARKERS`).
    """
    # The usual cell, ASCII letters and digits: nothing for clean_text to do.
    if type(value) is str and value.isascii() and value.isalnum():
        return value.lower() in MISSING_MARKERS
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, str):
        return clean_text(value).lower() in MISSING_MARKERS
    return False


def clean_text(value: Any) -> str:
    """Text of a cell with non-breaking and repeated spaces collapsed and the ends stripped (``""`` if missing).

    Invisible format and control characters (bidirectional overrides, zero-width spaces, ...) are removed
    (:func:`analysis.safe_text.visible_text`): what is kept is what a reader of the cell sees.
    """
    if isinstance(value, str) and value.isascii():  # fast path: nothing for NFKC to change
        return " ".join(visible_text(value).split())
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    text = unicodedata.normalize("NFKC", visible_text(value))
    return " ".join(text.split())


#: An identifier that is a whole number: digits, optionally written with a decimal point and zeros (``580049.0``).
_WHOLE_NUMBER_ID = re.compile(r"([0-9]+)(?:\.0*)?")


def normalise_identifier(value: Any) -> str | None:
    """An identifier (child, adopter) in the one form every list is joined on; ``None`` if missing.

    The rule: the cell's visible text (:func:`clean_text`: spaces collapsed, invisible characters removed, NFKC so
    full-width digits are digits); an identifier that is a whole number, stored as a number (``580049``,
    ``580049.0``) or as digits in text (``"00580049"``, ``"580049.0"``), is written as that number without leading
    zeros (``580049``); any other identifier is kept as text exactly, case included (``C00123`` stays ``C00123``).

    Why: Ofsted's Annex A asks for the authority's own identifier for the child, the same in every list. Excel
    stores an identifier typed as digits as a number and drops its leading zeros, so one list can hold
    ``580049`` where another (a text column, or a CSV export) holds ``00580049`` for the same child. The zeros
    cannot be put back, so the number is the form both can reach. The cost: two identifiers differing only in
    leading zeros would be one child; a case system does not issue those as different people's numbers.

    Examples
    --------
    >>> [normalise_identifier(v) for v in (580049, 580049.0, " 00580049 ", "580049.0", "C0012", "", None)]
    ['580049', '580049', '580049', '580049', 'C0012', None, None]
    """
    # The usual identifier, ASCII letters and digits: the same rule, without clean_text (issue 21).
    if type(value) is str and value.isascii() and value.isalnum():
        if value.lower() in MISSING_MARKERS:
            return None
        return str(int(value)) if value.isdigit() else value
    if is_missing(value) or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value)
    whole = _WHOLE_NUMBER_ID.fullmatch(text)
    if whole:
        return str(int(whole.group(1)))
    return text or None


def text_or_none(value: Any) -> str | None:
    """Stripped text, or ``None`` for a missing marker."""
    return None if is_missing(value) else clean_text(value)


def normalise_heading(value: Any) -> str:
    """A heading reduced for matching: lower case, apostrophes dropped, other punctuation and spaces collapsed.

    ``"Child's  Legal\u00a0Status"`` and ``"CHILDS LEGAL STATUS"`` both give ``"childs legal status"``.
    """
    text = clean_text(value).lower().replace("'", "").replace("\u2019", "")
    return " ".join(NON_WORD.sub(" ", text).split())


# ------------------------------------------------------------------------------------------------- dates
def parse_date_with_rule(value: Any) -> tuple[date | None, str]:
    """Parse one cell as a date and say how: the rule is ``missing``, ``datetime_cell``, ``excel_serial``,
    ``dmy_text``, ``iso_text``, ``other_text`` or ``unparseable``.

    Notes
    -----
    Excel serials count days from 30/12/1899 (Excel's 1900 date system); times of day are dropped.
    """
    if is_missing(value):
        return None, "missing"
    if isinstance(value, pd.Timestamp):
        return value.date(), "datetime_cell"
    if isinstance(value, datetime):
        return value.date(), "datetime_cell"
    if isinstance(value, date):
        return value, "datetime_cell"
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date(), "datetime_cell"
    if isinstance(value, (bool, np.bool_)):
        return None, "unparseable"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _from_serial(float(value))
    text = clean_text(value)
    if _SERIAL.match(text):
        return _from_serial(float(text))
    usual = _USUAL_DATE.fullmatch(text)
    if usual:  # dd/mm/yyyy or yyyy-mm-dd, as the first two formats read them, without strptime (issue 21)
        day, month, year, rule = (
            (usual[1], usual[2], usual[3], "dmy_text")
            if usual[1]
            else (usual[6], usual[5], usual[4], "iso_text")
        )
        with suppress(ValueError):  # not a day of the calendar (31/02/2015): the formats say so
            return date(int(year), int(month), int(day)), rule
    return date_from_formats(text)


def date_from_formats(text: str) -> tuple[date | None, str]:
    """A cell's text read by the first of :data:`DATE_FORMATS` that reads it (``strptime``), and its rule;
    ``(None, "unparseable")`` if none does."""
    for pattern, rule in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date(), rule
        except ValueError:
            continue
    return None, "unparseable"


def _from_serial(serial: float) -> tuple[date | None, str]:
    if not math.isfinite(serial) or serial < 1 or serial > EXCEL_MAX_SERIAL:
        return None, "unparseable"
    return EXCEL_EPOCH + timedelta(days=math.floor(serial)), "excel_serial"


def parse_date(value: Any) -> date | None:
    """Parse one cell as a date (``None`` if missing or unparseable); see :func:`parse_date_with_rule`."""
    return parse_date_with_rule(value)[0]


class DistinctValues:
    """A column as its distinct values and, for each row, which one it holds (``pandas.factorize``), so that a
    scalar parser runs once per distinct value and its answers are put back by position, as numpy arrays.

    One column is read by several parsers (missing markers, values, recodings): it is factorised once for all of
    them, not once per parser, and a yes/no answer comes back as booleans without an object column between
    (issue 21).
    """

    def __init__(self, series: pd.Series) -> None:
        codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
        self.index = series.index
        self.codes = codes  # -1 for a missing cell: the last entry of each lookup below
        self.uniques: list[Any] = list(uniques)

    def answers(self, function: Callable[[Any], Any]) -> list[Any]:
        """``function`` of each distinct value, then of ``None`` (the answer for a missing cell)."""
        return [function(value) for value in self.uniques] + [function(None)]

    def map(self, function: Callable[[Any], Any]) -> pd.Series:
        """``function`` of each row's value (object dtype)."""
        lookup = np.empty(len(self.uniques) + 1, dtype=object)
        for n, answer in enumerate(self.answers(function)):  # one by one: a tuple answer stays one object
            lookup[n] = answer
        return pd.Series(lookup[self.codes], index=self.index, dtype=object)

    def test(self, predicate: Callable[[Any], object]) -> pd.Series:
        """Whether ``predicate`` holds for each row's value (bool dtype)."""
        lookup = np.array([bool(answer) for answer in self.answers(predicate)], dtype=bool)
        return pd.Series(lookup[self.codes], index=self.index, dtype=bool)

    def missing(self) -> pd.Series:
        """Rows whose cell is missing (:func:`is_missing`)."""
        return self.test(is_missing)

    def dates(self) -> tuple[pd.Series, pd.Series]:
        """Each row's date (``datetime64[s]``, NaT where missing or unparseable) and the rule that read it
        (:func:`parse_date_with_rule`)."""
        parsed = self.answers(parse_date_with_rule)
        not_a_time = np.datetime64("NaT", "s")
        days = np.array(
            [not_a_time if day is None else np.datetime64(day, "s") for day, _ in parsed],
            dtype="datetime64[s]",
        )
        rules = np.array([rule for _, rule in parsed], dtype=object)
        return (
            pd.Series(days[self.codes], index=self.index),
            pd.Series(rules[self.codes], index=self.index, dtype="str"),
        )


def parse_date_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of dates: returns the dates (``datetime64[s]``, NaT where missing or unparseable) and the
    rule applied to each row (see :func:`parse_date_with_rule`)."""
    return DistinctValues(series).dates()


def parse_month(value: Any) -> pd.Timestamp | None:
    """Read a scorecard month heading (``Apr-15``, ``April 2015``, ``2015-04``, a date cell) as the month's first day."""
    if is_missing(value):
        return None
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return pd.Timestamp(value.year, value.month, 1)
    if not isinstance(value, str):
        return None
    text = clean_text(value)
    for pattern in MONTH_FORMATS:
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return pd.Timestamp(parsed.year, parsed.month, 1)
    return None


# ----------------------------------------------------------------------------------------------- numbers
def parse_number(value: Any) -> float | None:
    """Read a number: ``1,234`` -> 1234.0, ``62.5%`` -> 62.5, ``−3`` -> -3.0; ``None`` for missing or not a number.

    Notes
    -----
    A percentage keeps its percent scale (``62.5%`` is 62.5), as the scorecards and DfE tables print them.
    """
    if isinstance(value, (bool, np.bool_)) or is_missing(value):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if not isinstance(value, str):
        return None
    text = clean_text(value).replace("\u2212", "-").replace(" ", "")
    if text.endswith("%"):
        text = text[:-1]
    if _GROUPED_NUMBER.match(text):
        text = text.replace(",", "")
    if not _PLAIN_NUMBER.match(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def parse_integer(value: Any) -> int | None:
    """Read a whole number (``3``, ``3.0``, ``"3"``); ``None`` if missing, fractional or not a number."""
    number = parse_number(value)
    if number is None or number != math.floor(number) or abs(number) > 2**53:
        return None
    return int(number)


def map_series(series: pd.Series, parser: Callable[[Any], Hashable | None]) -> pd.Series:
    """Apply a scalar parser to the distinct values of a column (fast on long columns); object dtype out."""
    return DistinctValues(series).map(parser)


def missing_mask(series: pd.Series) -> pd.Series:
    """Rows whose cell is missing (blank, whitespace, ``#N/A`` ...)."""
    return DistinctValues(series).missing()
