"""Calendar months as the monthly products name them: ``2015-06``, ranges ``2014-04:2015-06``, "June 2015"."""

from __future__ import annotations

import re

import pandas as pd

from analysis.methods.quarters import Quarter

_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")


def parse_month(text: str) -> pd.Timestamp:
    """``2015-06`` -> the first day of June 2015; ``ValueError`` naming the expected form otherwise."""
    match = _MONTH.match(str(text).strip())
    if not match or not 1 <= int(match["month"]) <= 12:
        raise ValueError(f"month {text!r} is not in the form YYYY-MM (e.g. 2015-06)")
    return pd.Timestamp(int(match["year"]), int(match["month"]), 1)


def month_label(month: pd.Timestamp) -> str:
    """``2015-06``: the folder name of a month's reports."""
    return f"{pd.Timestamp(month):%Y-%m}"


def month_name(month: pd.Timestamp) -> str:
    """``June 2015``."""
    return f"{pd.Timestamp(month):%B %Y}"


def month_end(month: pd.Timestamp) -> pd.Timestamp:
    """The last day of the month."""
    return pd.Timestamp(month) + pd.offsets.MonthEnd(0)


def parse_month_range(text: str) -> list[pd.Timestamp]:
    """``2014-04:2015-06`` -> every month from April 2014 to June 2015, both included (a single month alone too)."""
    first_text, separator, last_text = str(text).partition(":")
    first = parse_month(first_text)
    last = parse_month(last_text) if separator else first
    if last < first:
        raise ValueError(
            f"month range {text!r} ends before it starts (expected FIRST:LAST, e.g. 2014-04:2015-06)"
        )
    return list(pd.date_range(first, last, freq="MS"))


def reported_quarter(month: pd.Timestamp) -> Quarter:
    """The latest quarter that had ended by the month's end: the one whose exception reports are open.

    June 2015 gives 2015-16 Q1 (April to June 2015); May 2015 gives 2014-15 Q4.
    """
    return Quarter.latest_complete(month_end(month).date())
