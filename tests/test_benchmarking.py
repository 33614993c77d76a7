"""Benchmark comparisons: hand-made fixtures for ranking, ties, polarity and direction; DfE's real files for figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.benchmarking import (
    compare_with_benchmarks,
    direction_of_travel,
    gap_to_target,
    quartile_bands,
    rate_per_10000,
)
from analysis.ees import read_ees_file, read_population_file, read_statistical_neighbours
from analysis.io import conform

REPO = Path(__file__).resolve().parents[1]
EES = REPO.parent / "shared" / "data" / "ees"
needs_shared = pytest.mark.skipif(
    not EES.is_dir(), reason="../shared/data/ees (DfE's published files) is absent"
)


def bench_row(
    year: int,
    level: str,
    code: str,
    value: float,
    old: int | None = None,
    measure: str = "rereferral_percent",
):
    return {
        "publication": "c1",
        "time_period": year,
        "geographic_level": level,
        "area_code": code,
        "old_la_code": old,
        "area_name": code,
        "measure": measure,
        "value": value,
        "symbol": "c" if np.isnan(value) else None,
    }


def la(year: int, old: int, value: float, measure: str = "rereferral_percent"):
    return bench_row(year, "Local authority", f"E06{old:06d}", value, old, measure)


def frame(rows: list[dict]) -> pd.DataFrame:
    return conform(pd.DataFrame(rows), "benchmarks")


EMPTY_ANNUAL = pd.DataFrame(
    {
        "indicator_id": pd.Series(dtype="str"),
        "period_type": pd.Series(dtype="str"),
        "time_period": [],
        "value": [],
    }
)
EMPTY_POPULATION = pd.DataFrame(
    columns=["time_period", "geographic_level", "area_code", "old_la_code", "area_name", "population"]
)


# ------------------------------------------------------------------------------------ hand-made fixtures
@pytest.mark.parametrize(
    ("polarity", "ranks", "bands"),
    [
        ("higher_is_better", [1, 2, 2, 4], ["A", "B", "B", "D"]),
        ("lower_is_better", [4, 2, 2, 1], ["D", "B", "B", "A"]),
    ],
)
def test_ranks_share_ties_and_bands_follow_rank_position(
    polarity: str, ranks: list[int], bands: list[str]
) -> None:
    result = quartile_bands(pd.Series([5.0, 3.0, 3.0, 1.0, np.nan]), polarity)
    assert result["rank"].iloc[:4].tolist() == ranks
    assert result["band"].iloc[:4].tolist() == bands
    assert pd.isna(result["rank"].iloc[4]) and pd.isna(result["band"].iloc[4])


def test_bands_with_a_number_of_authorities_not_divisible_by_four() -> None:
    # n = 6: A up to rank 1.5, B up to 3, C up to 4.5, D above.
    result = quartile_bands(pd.Series([6.0, 5.0, 4.0, 3.0, 2.0, 1.0]), "higher_is_better")
    assert result["band"].tolist() == ["A", "B", "B", "C", "D", "D"]


def test_context_indicators_are_not_ranked() -> None:
    result = quartile_bands(pd.Series([1.0, 2.0]), "context")
    assert result["rank"].isna().all() and result["band"].isna().all()


@pytest.mark.parametrize(
    ("current", "previous", "polarity", "expected"),
    [
        (20.0, 25.0, "lower_is_better", "improving"),
        (20.0, 25.0, "higher_is_better", "worsening"),
        (20.04, 20.0, "lower_is_better", "no_change"),  # the same at one decimal place
        (20.0, np.nan, "lower_is_better", "not_applicable"),
        (20.0, 25.0, "context", "not_applicable"),
    ],
)
def test_direction_of_travel(current: float, previous: float, polarity: str, expected: str) -> None:
    assert direction_of_travel(current, previous, polarity, decimals=1) == expected


def test_gap_to_target_is_positive_when_better() -> None:
    assert gap_to_target(90.0, 85.0, "higher_is_better") == pytest.approx(5.0)
    assert gap_to_target(160.0, 152.0, "lower_is_better") == pytest.approx(-8.0)
    assert np.isnan(gap_to_target(160.0, None, "lower_is_better"))


def test_rate_uses_the_previous_mid_year() -> None:
    counts = frame([la(2015, 887, 50.0, "CPP_At31")])
    population = pd.DataFrame(
        {
            "time_period": [2014, 2015],
            "geographic_level": ["Local authority"] * 2,
            "area_code": ["E06000887"] * 2,
            "old_la_code": pd.array([887, 887], dtype="Int64"),
            "area_name": ["x", "x"],
            "population": [10_000.0, 20_000.0],
        }
    )
    assert rate_per_10000(counts, population)["value"].tolist() == [50.0]


def test_comparison_of_a_small_made_up_publication(config) -> None:
    # Re-referrals (lower is better). Medway 887; statistical neighbours include 866 and 894; 100-102 are others.
    rows = [
        bench_row(2015, "National", "E92000001", 22.0),
        bench_row(2015, "Regional", "E12000008", 21.0),
        bench_row(2015, "Regional", "E12000007", 99.0),
        la(2015, 887, 20.0),
        la(2015, 866, 10.0),
        la(2015, 894, 30.0),
        la(2015, 100, 20.0),
        la(2015, 101, 40.0),
        la(2015, 102, np.nan),
        bench_row(2014, "National", "E92000001", 23.0),
        la(2014, 887, np.nan),  # suppressed: the locally computed 25.0 stands in
        la(2014, 866, 10.0),
        la(2014, 894, 30.0),
        la(2014, 100, 20.0),
        la(2014, 101, 40.0),
    ]
    annual = pd.DataFrame(
        {
            "indicator_id": ["rereferrals_within_12_months"] * 2,
            "period_type": ["year_to_31_march", "rolling_12_months"],
            "time_period": [2014, 2014],
            "value": [25.0, 99.0],
        }
    )
    result = compare_with_benchmarks(annual, frame(rows), EMPTY_POPULATION, config)
    conform(result, "benchmark_comparison")
    result = result.set_index("time_period")
    assert result["indicator_id"].unique().tolist() == ["rereferrals_within_12_months"]
    # 2014: 10, 20, 25 (Medway, local), 30, 40 -> rank 3 of 5 -> ceil(12/5) = 3 -> C.
    assert result.loc[2014, "local_value"] == 25.0
    assert (
        result.loc[2014, "rank"],
        result.loc[2014, "authorities_ranked"],
        result.loc[2014, "quartile_band"],
    ) == (
        3,
        5,
        "C",
    )
    assert np.isnan(result.loc[2014, "region"])
    # 2015: 10, 20 (Medway), 20, 30, 40 -> Medway ties for rank 2 of 5 -> ceil(8/5) = 2 -> B.
    assert result.loc[2015, "local_value"] == 20.0
    assert (result.loc[2015, "rank"], result.loc[2015, "quartile_band"]) == (2, "B")
    assert (result.loc[2015, "england"], result.loc[2015, "region"]) == (22.0, 21.0)
    assert result.loc[2015, "statistical_neighbours_median"] == 20.0  # median of 10 and 30
    assert result.loc[2015, "statistical_neighbours_count"] == 2
    assert result.loc[2014, "direction_of_travel"] == "not_applicable"
    assert result.loc[2015, "direction_of_travel"] == "improving"

    only_2014 = compare_with_benchmarks(
        annual, frame(rows), EMPTY_POPULATION, config, up_to=date(2014, 6, 30)
    )
    assert only_2014["time_period"].tolist() == [2014]


def test_no_published_figures_gives_no_rows(config) -> None:
    result = compare_with_benchmarks(
        EMPTY_ANNUAL, frame([la(2015, 887, 1.0, "other")]), EMPTY_POPULATION, config
    )
    assert result.empty
    conform(result, "benchmark_comparison")


# ------------------------------------------------------------------------------------------- real files
@pytest.fixture(scope="module")
def real_comparison(config) -> pd.DataFrame:
    if not EES.is_dir():
        pytest.skip("../shared/data/ees (DfE's published files) is absent")
    benchmarks = pd.concat(
        [
            read_ees_file(EES / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "c1"),
            read_ees_file(EES / "d5_cpps_at31march_by_duration_2013_to_2025.csv", "d5"),
        ]
    )
    population = read_population_file(EES / "ons_mid-year_population_estimates_2012_to_2024.csv")
    return compare_with_benchmarks(EMPTY_ANNUAL, benchmarks, population, config).set_index(
        ["indicator_id", "time_period"]
    )


def test_medway_cp_plans_per_10000_at_31_march_2015(real_comparison: pd.DataFrame) -> None:
    # CPP_At31 = 475 (d5, 2015) over the mid-2014 population of 62,183 x 10,000 = 76.39.
    row = real_comparison.loc[("children_on_cp_plan_per_10000", 2015)]
    assert round(row["local_value"], 1) == 76.4
    assert row["local_value"] > row["england"]


def test_medway_rereferrals_2016_are_in_band_b(real_comparison: pd.DataFrame) -> None:
    # Worked from the file: 150 authorities have a 2016 rate (South Tyneside 'x', Isles of Scilly 'c'); 42 are
    # below Medway's 16.5%, so Medway is 43rd: 43 > 150/4 = 37.5 and <= 75, band B.
    row = real_comparison.loc[("rereferrals_within_12_months", 2016)]
    assert (row["local_value"], row["rank"], row["authorities_ranked"], row["quartile_band"]) == (
        16.5,
        43,
        150,
        "B",
    )
    assert (row["england"], row["region"]) == (22.5, 23.5)
    # Neighbours with a 2016 figure (940/941 did not exist): 14.9 17.1 17.5 17.7 | 19.9 20.8 27.9 28 -> 18.8.
    assert row["statistical_neighbours_count"] == 8
    assert row["statistical_neighbours_median"] == pytest.approx(18.8)
    assert real_comparison.loc[("rereferrals_within_12_months", 2015), "england"] == 24.2
    assert real_comparison.loc[("rereferrals_within_12_months", 2015), "region"] == 28.2


def test_neighbours_median_with_groups_from_the_2021_file() -> None:
    if not EES.is_dir():
        pytest.skip("../shared/data/ees (DfE's published files) is absent")
    groups = read_statistical_neighbours(EES / "New_Statistical_Neighbour_Groupings_April_2021.csv")
    c1 = read_ees_file(EES / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "c1")
    rows = c1.loc[
        (c1["measure"] == "rereferral_percent")
        & (c1["time_period"] == 2016)
        & c1["old_la_code"].isin(groups[887])
    ]
    assert rows["value"].median() == pytest.approx(18.8)
