"""Small-number suppression and the publishable form of a figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.methods.suppression import (
    breakdown_discloses,
    count_columns_for_unit,
    publishable,
    publishable_column,
    small_count,
    suppress_breakdown,
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


# ------------------------------------------------------------- issue 19: breakdowns with totals and flows
def crosstab(values: list[list[int]]) -> tuple[pd.Series, list]:
    """A table's cells, its row and column totals and grand total, and the lines that add up."""
    rows, columns = len(values), len(values[0])
    counts = {}
    for i in range(rows):
        for j in range(columns):
            counts[(i, j)] = values[i][j]
        counts[(i, "total")] = sum(values[i])
    for j in range(columns):
        counts[("total", j)] = sum(values[i][j] for i in range(rows))
    counts[("total", "total")] = sum(map(sum, values))
    lines = [([(i, j) for j in range(columns)], (i, "total")) for i in range(rows)]
    lines += [([(i, j) for i in range(rows)], ("total", j)) for j in range(columns)]
    lines.append(([(i, "total") for i in range(rows)], ("total", "total")))
    lines.append(([("total", j) for j in range(columns)], ("total", "total")))
    series = pd.Series(
        list(counts.values()), index=pd.Index(list(counts), tupleize_cols=False), dtype="float64"
    )
    return series, lines


def test_one_small_cell_takes_the_next_smallest_with_it() -> None:
    # Categories 3, 10, 40, 7 of 60: the 3 alone could be worked back from 60 - 57, so 7 is withheld too (3 + 7 = 10).
    counts = pd.Series([3, 10, 40, 7, 60], index=["a", "b", "c", "d", "total"], dtype="float64")
    hidden = suppress_breakdown(counts, [(["a", "b", "c", "d"], "total")])
    assert hidden.tolist() == [True, False, False, True, False]


def test_two_small_cells_adding_up_to_a_small_count_take_a_third() -> None:
    # 1 + 2 = 3 would be known from the total: the next smallest (8) is withheld: 1 + 2 + 8 = 11.
    counts = pd.Series([1, 2, 8, 30, 41], index=["a", "b", "c", "d", "total"], dtype="float64")
    hidden = suppress_breakdown(counts, [(["a", "b", "c", "d"], "total")])
    assert hidden.tolist() == [True, True, True, False, False]


def test_a_small_cell_beside_zeros_withholds_the_total() -> None:
    counts = pd.Series([0, 4, 0, 4], index=["a", "b", "c", "total"], dtype="float64")
    hidden = suppress_breakdown(counts, [(["a", "b", "c"], "total")])
    assert hidden.tolist() == [False, True, False, True]


def test_a_flow_step_protects_the_step_before() -> None:
    # 40 enquiries: 3 to a conference (withheld), 30 no conference, 7 too recent; the conference step (3) is the
    # total of its own outcomes. The 7 goes too, so the 3 cannot be worked back from 40.
    counts = pd.Series(
        {"enquiries": 40, "icpc": 3, "none": 30, "recent": 7, "plan": 2, "no_plan": 1, "icpc_recent": 0}
    )
    lines = [(["icpc", "none", "recent"], "enquiries"), (["plan", "no_plan", "icpc_recent"], "icpc")]
    hidden = suppress_breakdown(counts, lines)
    assert hidden[["icpc", "recent", "plan", "no_plan"]].all() and not hidden[["enquiries", "none"]].any()
    assert not breakdown_discloses(counts, hidden, lines)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda rows: st.lists(
            st.lists(st.integers(0, 30), min_size=3, max_size=3), min_size=rows, max_size=rows
        )
    )
)
def test_no_breakdown_cell_of_1_to_5_is_published_or_recoverable_from_a_total(
    values: list[list[int]],
) -> None:
    counts, lines = crosstab(values)
    hidden = suppress_breakdown(counts, lines)
    shown = counts[~hidden]
    assert not shown.between(1, 5).any()
    for cells, total in lines:
        withheld = counts[cells][hidden[cells].to_numpy()]
        if not hidden[total]:
            # The total is shown: the withheld cells are none, or two or more adding up to more than 5.
            assert len(withheld) != 1
            assert withheld.empty or withheld.sum() > 5
        else:
            # The total is withheld: it is not the sum of cells that are all shown.
            assert not withheld.empty or counts[cells].sum() == 0
    assert not breakdown_discloses(counts, hidden, lines)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=2, max_size=4))
def test_no_flow_step_of_1_to_5_is_published_or_recoverable(outcomes: list[int]) -> None:
    # Step 1 splits into outcomes; the first outcome is step 2, split again in halves.
    first = outcomes[0]
    second = [first // 2, first - first // 2]
    counts = pd.Series(
        {
            "start": sum(outcomes),
            **{f"o{k}": v for k, v in enumerate(outcomes)},
            "p0": second[0],
            "p1": second[1],
        },
        dtype="float64",
    )
    counts["o0"] = first
    lines = [([f"o{k}" for k in range(len(outcomes))], "start"), (["p0", "p1"], "o0")]
    hidden = suppress_breakdown(counts, lines)
    assert not counts[~hidden].between(1, 5).any()
    assert not breakdown_discloses(counts, hidden, lines)
