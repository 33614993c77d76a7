"""Tolerant parsers for the values found in raw spreadsheets: dates, numbers, coded values and headings.

Every scalar parser takes whatever a cell holds (text, a number, a ``datetime``, ``None``) and returns the parsed
value or ``None`` for missing; none of them raises on arbitrary input. The ``*_series`` wrappers apply a scalar
parser to the *distinct* values of a column only and map the answers back, which keeps a million-row list fast
(an Annex A date column holds a few thousand distinct dates).

Vocabularies (the canonical values each coded column takes, and the spellings read as each):

- gender: ``male``, ``female``, ``unknown``, ``indeterminate`` (CIN census codes 1, 2, 0, 9; Annex A's
  ``a) Male`` etc.; ``M``, ``F``, ``U``, ``I``);
- ethnicity: the DfE ethnicity codes of the CIN census and SSDA903 (:data:`ETHNICITY_CODES`), from the code itself,
  ``WBRI - White British``, ``a) WBRI`` or the description (``White British``); ``not known`` -> ``NOBT``;
- yes/no: ``Yes``, ``Y``, ``a) Yes``, ``1``, ``True`` -> ``True``; ``No``, ``N``, ``b) No``, ``0``, ``False`` -> ``False``;
- activity of care leavers: ``education``, ``training``, ``employment``, ``neet``, ``unknown`` (SSDA903 activity
  codes F1/P1/F2/P2 education, F3/P3 training or employment (read as employment), G4/G5/G6 NEET, 0 no information);
- category of abuse: ``neglect``, ``physical``, ``sexual``, ``emotional``, ``multiple`` (CIN census codes NEG, PHY,
  SAB, EMO, MUL and the Annex A wording);
- SSDA903 codes (legal status, placement type, reason ceased) and primary need codes N0-N9: upper case, the code
  taken from ``C2 - Full care order`` style cells; :data:`SSDA903_CODES` lists the codes DfE defines.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Callable, Hashable
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
_SERIAL = re.compile(r"^\d{1,7}(\.\d+)?$")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_CODE = re.compile(r"^([A-Z0-9]{1,4})\b")

GENDER = {
    "male": "male",
    "m": "male",
    "1": "male",
    "boy": "male",
    "female": "female",
    "f": "female",
    "2": "female",
    "girl": "female",
    "unknown": "unknown",
    "not known": "unknown",
    "u": "unknown",
    "0": "unknown",
    "unborn": "unknown",
    "indeterminate": "indeterminate",
    "i": "indeterminate",
    "9": "indeterminate",
    "not specified": "indeterminate",
}

#: DfE ethnicity codes (CIN census / SSDA903) and their descriptions.
ETHNICITY_CODES: dict[str, str] = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background",
    "WROM": "Gypsy/Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Caribbean",
    "BAFR": "African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}
_ETHNICITY_WORDS = {normalise: code for code, text in ETHNICITY_CODES.items() for normalise in [text.lower()]}
_ETHNICITY_WORDS.update(
    {"white irish": "WIRI", "not known": "NOBT", "unknown": "NOBT", "not obtained": "NOBT"}
)

YES_NO = {
    "yes": True,
    "y": True,
    "1": True,
    "true": True,
    "t": True,
    "no": False,
    "n": False,
    "0": False,
    "false": False,
    "f": False,
}

ACTIVITY = {
    "education": "education",
    "in education": "education",
    "f1": "education",
    "p1": "education",
    "f2": "education",
    "p2": "education",
    "higher education": "education",
    "training": "training",
    "in training": "training",
    "employment": "employment",
    "in employment": "employment",
    "f3": "employment",
    "p3": "employment",
    "f4": "training",  # SSDA903 2016 on: apprenticeship, full or part time
    "p4": "training",
    "f5": "employment",  # training or employment, not an apprenticeship
    "p5": "employment",
    "g1": "neet",  # SSDA903 before 2016: G1-G3 not in education, employment or training
    "g2": "neet",
    "g3": "neet",
    "training or employment": "employment",
    "neet": "neet",
    "not in education employment or training": "neet",
    "g4": "neet",
    "g5": "neet",
    "g6": "neet",
    "unknown": "unknown",
    "not known": "unknown",
    "no information": "unknown",
    "0": "unknown",
}

CATEGORY_OF_ABUSE = {
    "neglect": "neglect",
    "neg": "neglect",
    "n": "neglect",
    "physical": "physical",
    "physical abuse": "physical",
    "phy": "physical",
    "p": "physical",
    "sexual": "sexual",
    "sexual abuse": "sexual",
    "sab": "sexual",
    "s": "sexual",
    "emotional": "emotional",
    "emotional abuse": "emotional",
    "emo": "emotional",
    "e": "emotional",
    "multiple": "multiple",
    "mul": "multiple",
    "m": "multiple",
}

#: Codes DfE defines for SSDA903 legal status, placement type and reason ceased, and CIN primary need.
SSDA903_CODES: dict[str, frozenset[str]] = {
    "legal_status": frozenset(["C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"]),
    "placement_type": frozenset(
        [
            "A3",
            "A4",
            "A5",
            "A6",
            "H5",
            "K1",
            "K2",
            "P1",
            "P2",
            "P3",
            "R1",
            "R2",
            "R3",
            "R5",
            "S1",
            "T0",
            "T1",
            "T2",
            "T3",
            "T4",
            "U1",
            "U2",
            "U3",
            "U4",
            "U5",
            "U6",
            "Z1",
        ]
    ),
    "reason_ceased": frozenset(
        [
            "E11",
            "E12",
            "E13",
            "E14",
            "E15",
            "E16",
            "E17",
            "E2",
            "E3",
            "E4A",
            "E4B",
            "E41",
            "E45",
            "E46",
            "E47",
            "E48",
            "E5",
            "E6",
            "E7",
            "E8",
            "E9",
        ]
    ),
    "primary_need": frozenset(f"N{n}" for n in range(10)),
}


# ----------------------------------------------------------------------------------------------- generic
def is_missing(value: Any) -> bool:
    """Whether a cell holds no value: ``None``, NaN/NaT, blank, whitespace or a marker such as ``#N/A``.

    Notes
    -----
    Excel error values and the usual "not available" spellings are read as missing (:data:`MISSING_MARKERS`).
    """
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
    return " ".join(_NON_WORD.sub(" ", text).split())


def _option_text(value: Any) -> str:
    """Lower-case text with an Annex A option prefix (``a) ``) removed, for vocabulary look-ups."""
    text = clean_text(value)
    text = OPTION_PREFIX.sub("", text)
    return text.lower().strip()


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


def _map_distinct(series: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """Apply ``function`` to each distinct value of ``series`` once and map the results back (object dtype)."""
    codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
    answers = [function(value) for value in uniques]
    missing_answer = function(None)
    lookup = np.empty(len(answers) + 1, dtype=object)
    for n, answer in enumerate(answers):
        lookup[n] = answer
    lookup[-1] = missing_answer
    return pd.Series(lookup[codes], index=series.index, dtype=object)


def parse_date_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of dates: returns the dates (``datetime64[s]``, NaT where missing or unparseable) and the
    rule applied to each row (see :func:`parse_date_with_rule`)."""
    parsed = _map_distinct(series, parse_date_with_rule)
    dates = pd.to_datetime(pd.Series([p[0] for p in parsed], index=series.index, dtype=object)).astype(
        "datetime64[s]"
    )
    rules = pd.Series([p[1] for p in parsed], index=series.index, dtype="str")
    return dates, rules


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


# ------------------------------------------------------------------------------------------------- codes
def parse_gender(value: Any) -> str | None:
    """Canonical gender (``male``, ``female``, ``unknown``, ``indeterminate``) or ``None``."""
    if is_missing(value):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and float(value).is_integer():
        value = str(int(value))
    return GENDER.get(_option_text(value))


def parse_ethnicity(value: Any) -> str | None:
    """DfE ethnicity code (upper case) from a code, ``WBRI - White British``, ``a) WBRI`` or a description."""
    if is_missing(value):
        return None
    text = _option_text(value)
    upper = text.upper()
    match = re.match(r"^([A-Z]{4})\b", upper)
    if match and match.group(1) in ETHNICITY_CODES:
        return match.group(1)
    words = " ".join(_NON_WORD.sub(" ", text).split())
    for description, code in _ETHNICITY_WORDS.items():
        if words == " ".join(_NON_WORD.sub(" ", description).split()):
            return code
    return None


def parse_yes_no(value: Any) -> bool | None:
    """``Yes``/``Y``/``a) Yes``/``1``/``True`` -> True; the same for no -> False; anything else -> ``None``."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if is_missing(value):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and float(value).is_integer():
        value = str(int(value))
    return YES_NO.get(_option_text(value))


#: SSDA903 ``IN_TOUCH`` codes (DfE children looked after return, care leavers): yes is in touch; no and refused
#: are not; died, no longer requires services and returned home for six months or more are neither (empty).
IN_TOUCH = {"yes": True, "y": True, "no": False, "n": False, "refu": False, "refused": False}
IN_TOUCH_NOT_APPLICABLE = frozenset({"died", "nreq", "rhom"})
#: Annex A "Suitability of Accommodation" options (``a) Suitable``, ``b) Unsuitable``), and yes/no.
SUITABILITY = {"suitable": True, "unsuitable": False, "not suitable": False, **YES_NO}


def parse_in_touch(value: Any) -> bool | None:
    """Whether the authority is in touch with the care leaver: ``a) Yes`` -> True; ``b) No``, ``d) Refu`` ->
    False; ``c) Died``, ``e) NREQ``, ``f) Rhom`` and anything else -> ``None``.

    Notes
    -----
    DfE SSDA903 guidance, field IN_TOUCH (YES, NO, DIED, REFU, NREQ, RHOM), as Annex A list 9 offers it.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if is_missing(value):
        return None
    text = " ".join(_NON_WORD.sub(" ", _option_text(value)).split())
    return IN_TOUCH.get(text)


def parse_suitability(value: Any) -> bool | None:
    """``a) Suitable``/``Yes`` -> True, ``b) Unsuitable``/``Not suitable``/``No`` -> False, else ``None``.

    Notes
    -----
    Ofsted Annex A list 9 "Suitability of Accommodation"; DfE SSDA903 field ACCOM (suitable or unsuitable).
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if is_missing(value):
        return None
    text = " ".join(_NON_WORD.sub(" ", _option_text(value)).split())
    return SUITABILITY.get(text)


def parse_activity(value: Any) -> str | None:
    """Canonical care leaver activity (``education``, ``training``, ``employment``, ``neet``, ``unknown``)."""
    if is_missing(value):
        return None
    text = " ".join(_NON_WORD.sub(" ", _option_text(value)).split())
    if text in ACTIVITY:
        return ACTIVITY[text]
    first = text.split(" ")[0] if text else ""
    return ACTIVITY.get(first) if re.fullmatch(r"[fpg]\d", first) else None


def parse_category_of_abuse(value: Any) -> str | None:
    """Canonical category of abuse (``neglect``, ``physical``, ``sexual``, ``emotional``, ``multiple``)."""
    if is_missing(value):
        return None
    text = " ".join(_NON_WORD.sub(" ", _option_text(value)).split())
    return CATEGORY_OF_ABUSE.get(text)


def parse_code(value: Any) -> str | None:
    """An upper-case code (SSDA903, primary need) from ``c2``, ``C2 - Full care order`` or ``a) C2``."""
    if is_missing(value):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and float(value).is_integer():
        return str(int(value))
    text = _option_text(value).upper()
    match = _CODE.match(text)
    return match.group(1) if match else None


def parse_source(value: Any) -> str | None:
    """A contact or referral source as snake_case text (``Police`` -> ``police``, ``a) Health visitor`` ->
    ``health_visitor``)."""
    if is_missing(value):
        return None
    text = _option_text(value).replace("'", "")
    words = _NON_WORD.sub(" ", text).split()
    return "_".join(words) or None


def map_series(series: pd.Series, parser: Callable[[Any], Hashable | None]) -> pd.Series:
    """Apply a scalar parser to the distinct values of a column (fast on long columns); object dtype out."""
    return _map_distinct(series, parser)


def missing_mask(series: pd.Series) -> pd.Series:
    """Rows whose cell is missing (blank, whitespace, ``#N/A`` ...)."""
    return _map_distinct(series, is_missing).astype(bool)
