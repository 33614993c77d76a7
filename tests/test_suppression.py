"""Small-number suppression and the publishable form of a figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.methods.suppression import (
    count_columns_for_unit,
    publishable,
    publishable_column,
    small_count,
    suppress_small_counts,
)


def test_counts_of_one_to_five_are_suppressed_zero_and_six_are_not() -> None:
    frame = pd.DataFrame({"numerator": [0, 1, 5, 6, np.nan, 3.0]})
    assert suppress_small_counts(frame, ["numerator"]).tolist() == [False, True, True, False, False, True]


def test_any_count_column_suppresses() -> None:
    # 40 of 200 is published; 2 of 50 is not (numerator); 0 of 4 is not (denominator of 4 children).
    frame = pd.DataFrame({"numerator": [40, 2, 0], "denominator": [200, 50, 4]}, index=[7, 8, 9])
    flags = suppress_small_counts(frame, ["numerator", "denominator"])
    assert flags.to_dict() == {7: False, 8: True, 9: True}
    assert flags.dtype == bool


def test_thresholds_come_from_the_caller() -> None:
    frame = pd.DataFrame({"value": [5, 9, 10, 11]})
    assert suppress_small_counts(frame, ["value"], lower=1, upper=10).tolist() == [True, True, True, False]


def test_no_count_columns_suppresses_nothing() -> None:
    frame = pd.DataFrame({"value": [1.0, 2.0]})
    assert not suppress_small_counts(frame, []).any()


@pytest.mark.parametrize(
    ("unit", "columns"),
    [
        ("%", ["numerator", "denominator"]),
        ("rate per 10,000", ["numerator"]),
        ("days", ["denominator"]),
        ("count", ["value"]),
        ("FTE", []),
        ("weeks", []),
    ],
)
def test_count_columns_for_unit(unit: str, columns: list[str]) -> None:
    assert count_columns_for_unit(unit) == columns


@pytest.mark.parametrize(
    ("value", "suppressed", "decimals", "expected"),
    [
        (1234.56, False, 1, "1,234.6"),
        (76.44, False, 1, "76.4"),
        (3.0, False, 0, "3"),
        (3.0, True, 0, "c"),
        (np.nan, False, 1, "x"),
        (None, False, 1, "x"),
        (np.nan, True, 1, "c"),
    ],
)
def test_publishable(value: float | None, suppressed: bool, decimals: int, expected: str) -> None:
    assert publishable(value, suppressed, decimals=decimals) == expected


def test_publishable_column() -> None:
    values = pd.Series([12.0, 4.0, np.nan], index=["a", "b", "c"])
    flags = pd.Series([False, True, False], index=["a", "b", "c"])
    assert publishable_column(values, flags, decimals=0).to_dict() == {"a": "12", "b": "c", "c": "x"}


@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=50))
def test_suppressed_exactly_when_between_one_and_five(counts: list[int]) -> None:
    flags = suppress_small_counts(pd.DataFrame({"numerator": counts}), ["numerator"])
    assert flags.tolist() == [1 <= c <= 5 for c in counts]


def test_small_count_is_the_one_rule_with_its_bounds() -> None:
    counts = pd.Series([0, 1, 5, 6, float("nan"), "c"], dtype="object")
    assert small_count(counts).tolist() == [False, True, True, False, False, False]
    assert small_count([3, 7, 10], lower=1, upper=7).tolist() == [True, True, False]


def test_a_suppressed_figure_is_absent_from_the_withheld_table_and_its_flag_says_why() -> None:
    from analysis.methods.suppression import withhold_suppressed

    # 0 of 3 children: the figure (0.0%) rests on a denominator of 3, so nothing of it may remain.
    frame = pd.DataFrame(
        {
            "indicator_id": ["a", "a", "b"],
            "value": [0.0, 40.0, 12.5],
            "numerator": [0.0, 80.0, 1.0],
            "denominator": [3.0, 200.0, 8.0],
            "suppressed": pd.array([True, False, True], dtype="boolean"),
        }
    )
    withheld = withhold_suppressed(frame)
    assert withheld.loc[[0, 2], ["value", "numerator", "denominator"]].isna().all().all()
    assert withheld.loc[1, ["value", "numerator", "denominator"]].tolist() == [40.0, 80.0, 200.0]
    assert withheld["suppressed"].tolist() == [True, False, True]
    assert frame.loc[0, "denominator"] == 3.0, "the caller's table is not changed"


@given(
    st.lists(
        st.tuples(st.floats(0, 1000, allow_nan=False), st.booleans()),
        min_size=1,
        max_size=30,
    )
)
def test_withholding_keeps_every_row_and_empties_exactly_the_suppressed(
    rows: list[tuple[float, bool]],
) -> None:
    from analysis.methods.suppression import withhold_suppressed

    frame = pd.DataFrame({"value": [v for v, _ in rows], "suppressed": [s for _, s in rows]})
    withheld = withhold_suppressed(frame)
    assert len(withheld) == len(frame)
    assert (withheld["value"].isna() == frame["suppressed"]).all()
