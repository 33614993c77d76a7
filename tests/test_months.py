"""Month labels and ranges of the monthly products, and which quarter's exceptions a month shows."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.methods.months import (
    month_end,
    month_label,
    month_name,
    parse_month,
    parse_month_range,
    reported_quarter,
)


def test_parse_month_and_labels():
    month = parse_month("2015-06")
    assert month == pd.Timestamp(2015, 6, 1)
    assert month_label(month) == "2015-06"
    assert month_name(month) == "June 2015"
    assert month_end(month) == pd.Timestamp(2015, 6, 30)


@pytest.mark.parametrize("text", ["2015-6", "2015-13", "June 2015", "2015-00", ""])
def test_bad_months_name_the_form(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(text)


def test_range_includes_both_ends():
    months = parse_month_range("2014-04:2015-06")
    assert len(months) == 15
    assert (months[0], months[-1]) == (pd.Timestamp(2014, 4, 1), pd.Timestamp(2015, 6, 1))
    assert parse_month_range("2015-06") == [pd.Timestamp(2015, 6, 1)]


def test_range_backwards_is_an_error():
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_month_range("2015-06:2015-01")


@pytest.mark.parametrize(
    ("month", "quarter"),
    [
        ("2015-06", "2015-16-Q1"),
        ("2015-05", "2014-15-Q4"),
        ("2015-03", "2014-15-Q4"),
        ("2014-04", "2013-14-Q4"),
    ],
)
def test_reported_quarter_is_the_latest_ended_by_the_month_end(month, quarter):
    assert reported_quarter(parse_month(month)).label == quarter
