"""What the readers of both statutory returns share: data-quality findings, collection years, dates, rates.

A *collection year* is the year ending 31 March that a return covers, named by the year it ends in (2015 = the
2014-15 return, 1 April 2014 to 31 March 2015), as DfE names its CIN census and SSDA903 collections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from analysis.inputs.parsing import parse_date_series

Severity = Literal["error", "warning", "note"]
#: ``error``: the return (or a file of it) could not be used; ``warning``: a record breaks a rule and may change a
#: figure; ``note``: how something was read, for the analyst's information.
ERROR: Severity = "error"
WARNING: Severity = "warning"
NOTE: Severity = "note"

_SPAN = re.compile(r"(?<!\d)(20\d\d)\s*[-_/ ]\s*(\d\d)(?!\d)")
_FULL_SPAN = re.compile(r"(?<!\d)(20\d\d)(\d\d)(?!\d)")
_SINGLE = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


@dataclass(frozen=True)
class Finding:
    """One data-quality finding: where (file, row or child, field), what, and how serious.

    ``child`` is the pseudonym, never the council's identifier; ``rule`` is DfE's validation rule code where one
    applies (e.g. ``"103"``), or a short name of the project's own check.
    """

    severity: Severity
    file: str
    message: str
    row: int | None = None
    child: str | None = None
    field: str | None = None
    rule: str | None = None

    def line(self) -> str:
        """The finding as one line for standard error."""
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.child:
            where.append(f"child {self.child}")
        if self.field:
            where.append(f"field {self.field}")
        rule = f" [rule {self.rule}]" if self.rule else ""
        return f"{self.severity.upper()} {', '.join(where)}: {self.message}{rule}"


def collection_year_of(name: str) -> int | None:
    """The collection year a folder or file name gives: ``2014-15``, ``2014_15``, ``201415`` -> 2015; ``2015`` ->
    2015 (DfE's own naming of a collection by the year it ends in); ``None`` if the name has no year.
    """
    span = _SPAN.search(name) or _FULL_SPAN.search(name)
    if span and (int(span.group(1)) + 1) % 100 == int(span.group(2)):
        return int(span.group(1)) + 1
    single = _SINGLE.search(name)
    return int(single.group(1)) if single else None


def year_label(collection_year: int) -> str:
    """``2015`` -> ``"2014-15"``."""
    return f"{collection_year - 1}-{collection_year % 100:02d}"


def year_start(collection_year: int) -> pd.Timestamp:
    """1 April of the year the collection year begins in."""
    return pd.Timestamp(date(collection_year - 1, 4, 1))


def year_end(collection_year: int) -> pd.Timestamp:
    """31 March of the collection year: the census date."""
    return pd.Timestamp(date(collection_year, 3, 31))


def in_year(dates: pd.Series, collection_year: int) -> pd.Series:
    """Whether each date falls from 1 April to 31 March of the collection year (missing: False)."""
    return (dates >= year_start(collection_year)) & (dates <= year_end(collection_year))


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates (``datetime64[s]``) from text as councils' files hold them (dd/mm/yyyy or ISO), and a mask of the
    cells that held text but no date (for a finding naming the row and field)."""
    dates, rules = parse_date_series(values)
    return dates, rules.eq("unparseable")


def open_at(start: pd.Series, end: pd.Series, day: pd.Timestamp) -> pd.Series:
    """Whether a record that started on ``start`` and ended on ``end`` (missing: still open) was open on ``day``.

    A record that ended on ``day`` itself was not open at the end of it (DfE: a child who ceased to be looked
    after on 31 March is not looked after at 31 March; an SSDA903 episode's DEC is the day it ceased).
    """
    return (start <= day) & (end.isna() | (end > day))


def rate_per_10000(count: float, population: float | None) -> float | None:
    """A count per 10,000 children aged 0 to 17 (``None`` without a population)."""
    if population is None or not population:
        return None
    return count * 10_000 / population


def percent(numerator: float, denominator: float) -> float | None:
    """``numerator`` as a percentage of ``denominator`` (``None`` when the denominator is 0)."""
    return numerator * 100 / denominator if denominator else None


@dataclass(frozen=True)
class Figure:
    """One measure for one collection year, as DfE defines it, with the return and fields it comes from."""

    measure: str
    collection_year: int
    numerator: float | None
    denominator: float | None
    value: float | None
    source: str
