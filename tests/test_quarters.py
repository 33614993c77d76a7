"""Financial-year quarters: parsing, boundaries and the latest complete quarter."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.methods.quarters import Quarter


def test_q1_is_april_to_june() -> None:
    quarter = Quarter.parse("2015-16-Q1")
    assert quarter.start == date(2015, 4, 1)
    assert quarter.end == date(2015, 6, 30)
    assert quarter.name == "April to June 2015 (2015-16 Q1)"
    assert [m.month for m in quarter.months] == [4, 5, 6]


def test_q4_is_january_to_march_of_the_next_calendar_year() -> None:
    quarter = Quarter.parse("2014-15-Q4")
    assert (quarter.start, quarter.end) == (date(2015, 1, 1), date(2015, 3, 31))
    assert quarter.next().label == "2015-16-Q1"


@pytest.mark.parametrize("label", ["2015-Q1", "2015-17-Q1", "2015-16-Q5", "15-16-Q1", ""])
def test_bad_labels_say_what_is_expected(label: str) -> None:
    with pytest.raises(ValueError, match="2015-16-Q1|does not follow"):
        Quarter.parse(label)


def test_latest_complete_quarter() -> None:
    assert Quarter.latest_complete(date(2015, 7, 10)).label == "2015-16-Q1"
    assert Quarter.latest_complete(date(2015, 6, 30)).label == "2015-16-Q1"
    assert Quarter.latest_complete(date(2015, 6, 29)).label == "2014-15-Q4"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_every_day_is_in_exactly_its_quarter(day: date) -> None:
    quarter = Quarter.containing(day)
    assert quarter.start <= day <= quarter.end
    assert Quarter.parse(quarter.label) == quarter
    assert quarter.next().start == quarter.end + timedelta(days=1)
    assert quarter.next().previous() == quarter
