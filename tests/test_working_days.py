"""Working days in England and Wales and the "within N working days" rule, with hand-counted answers."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.methods.working_days import (
    england_and_wales_bank_holidays,
    within_working_days,
    working_days_between,
)


def _days(pairs: list[tuple[str | None, str | None]]) -> pd.Series:
    start = pd.Series(pd.to_datetime([a for a, _ in pairs]))
    end = pd.Series(pd.to_datetime([b for _, b in pairs]))
    return working_days_between(start, end)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Mon 1 June 2015: Jun 2-5 (4), 8-12 (9), 15-19 (14), Mon 22 June is the 15th working day after.
        ("2015-06-01", "2015-06-22", 15),
        ("2015-06-01", "2015-06-23", 16),
        # Fri 27 March 2015 across Good Friday (3 Apr) and Easter Monday (6 Apr): Mar 30-Apr 2 (4), Apr 7-10 (8),
        # Apr 13-17 (13), Apr 20 (14), Apr 21 (15). Without the bank holidays 21 April would be the 17th.
        ("2015-03-27", "2015-04-21", 15),
        ("2015-03-27", "2015-04-22", 16),
        # Wed 24 Dec 2014: 25, 26 Dec bank holidays, weekend, Dec 29-31 (3), 1 Jan bank holiday, Fri 2 Jan (4).
        ("2014-12-24", "2015-01-02", 4),
        # Start on a Saturday: Sunday is not a working day, Monday is the first.
        ("2015-03-28", "2015-03-29", 0),
        ("2015-03-28", "2015-03-30", 1),
        # Same day; end before start.
        ("2015-06-01", "2015-06-01", 0),
        ("2015-06-22", "2015-06-01", -15),
        # Boxing Day 2015 was a Saturday: the substitute bank holiday is Monday 28 December.
        ("2015-12-24", "2015-12-29", 1),
    ],
)
def test_working_days_between_hand_counted(start: str, end: str, expected: int) -> None:
    assert _days([(start, end)]).iloc[0] == expected


def test_missing_dates_give_missing_counts_and_are_not_within() -> None:
    start = pd.Series(pd.to_datetime(["2015-06-01", None, "2015-06-01"]))
    end = pd.Series(pd.to_datetime([None, "2015-06-05", "2015-06-05"]))
    counts = working_days_between(start, end)
    assert counts.isna().tolist() == [True, True, False]
    assert counts.dtype == "Int64"
    assert within_working_days(start, end, 15).tolist() == [False, False, True]


def test_within_15_working_days_edges() -> None:
    start = pd.Series(pd.to_datetime(["2015-06-01", "2015-06-01", "2015-03-27", "2015-06-22", "2015-06-01"]))
    end = pd.Series(pd.to_datetime(["2015-06-22", "2015-06-23", "2015-04-21", "2015-06-01", "2015-06-01"]))
    # 15th day within, 16th not, 15th across Easter within, end before start not, same day within.
    assert within_working_days(start, end, 15).tolist() == [True, False, True, False, True]


def test_index_is_kept() -> None:
    start = pd.Series(pd.to_datetime(["2015-06-01", "2015-06-01"]), index=[10, 20])
    end = pd.Series(pd.to_datetime(["2015-06-02", "2015-06-03"]), index=[10, 20])
    assert working_days_between(start, end).to_dict() == {10: 1, 20: 2}


def test_bank_holidays_are_england_and_wales() -> None:
    days = set(england_and_wales_bank_holidays(2015, 2015).astype("datetime64[D]").tolist())
    assert date(2015, 4, 3) in days and date(2015, 4, 6) in days  # Good Friday, Easter Monday
    assert date(2015, 12, 28) in days  # Boxing Day substitute
    assert date(2015, 1, 2) not in days  # a Scottish bank holiday only
    assert date(2015, 8, 3) not in days  # Scottish summer bank holiday
    wales = holidays.country_holidays("GB", subdiv="WLS", years=range(2010, 2031))
    assert set(england_and_wales_bank_holidays(2010, 2030).tolist()) == set(wales)


def _reference_count(start: date, end: date) -> int:
    """Independent count: walk the calendar day by day (slow, only for the property tests)."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(start.year - 1, end.year + 2))
    step, sign = (timedelta(days=1), 1) if end >= start else (timedelta(days=-1), -1)
    total, day = 0, start
    if end >= start:
        while day < end:
            day += step
            total += day.weekday() < 5 and day not in bank
    else:
        # Negative: the working days in (end, start], counted negatively.
        while day > end:
            total += day.weekday() < 5 and day not in bank
            day += step
    return sign * total


dates = st.dates(min_value=date(2012, 1, 1), max_value=date(2019, 12, 31))


@settings(max_examples=60, deadline=None)
@given(start=dates, span=st.integers(min_value=-60, max_value=200))
def test_matches_calendar_walk(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    assert _days([(start.isoformat(), end.isoformat())]).iloc[0] == _reference_count(start, end)


@settings(max_examples=60, deadline=None)
@given(start=dates, spans=st.lists(st.integers(min_value=0, max_value=400), min_size=2, max_size=20))
def test_monotone_in_end_date_and_never_counts_weekends(start: date, spans: list[int]) -> None:
    spans = sorted(spans)
    ends = [start + timedelta(days=s) for s in spans]
    counts = working_days_between(
        pd.Series(pd.to_datetime([start] * len(ends))), pd.Series(pd.to_datetime(ends))
    )
    assert (np.diff(counts.to_numpy(dtype=int)) >= 0).all()
    assert (counts.to_numpy(dtype=int) <= np.array(spans)).all()
    for end, days in zip(ends, counts, strict=True):
        if end.weekday() >= 5:  # a weekend end day adds nothing to the Friday before it
            friday = end - timedelta(days=end.weekday() - 4)
            if friday >= start:
                assert days == _days([(start.isoformat(), friday.isoformat())]).iloc[0]
