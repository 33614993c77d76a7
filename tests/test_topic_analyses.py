"""Topic analyses: the profile of a list's children, disproportionality and drift, on hand-made rows."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import InputDataError
from analysis.inputs.ethnic_population import ETHNIC_GROUPS, ethnic_group, read_ethnic_population
from analysis.methods.disproportionality import disproportionality, katz_interval
from analysis.methods.suppression import breakdown_discloses
from analysis.methods.topic_analyses import (
    age_band,
    children_in_period,
    drift,
    profile,
    topic_periods,
)

QUARTER, YEAR = topic_periods(pd.Timestamp("2015-04-01").date(), pd.Timestamp("2015-06-30").date())
ONS = Path(__file__).resolve().parents[2] / "shared" / "data" / "ons" / "ons-ethnic-population-la.csv"


def test_the_year_is_the_twelve_months_to_the_quarters_end() -> None:
    assert (YEAR.start, YEAR.end) == (pd.Timestamp("2014-07-01"), pd.Timestamp("2015-06-30"))


def test_age_bands_as_dfe_groups_them() -> None:
    born = pd.Series(
        pd.to_datetime(["2015-03-01", "2011-04-01", "2015-05-01", None, "1999-01-01", "2005-05-01"])
    )
    on = pd.Series(pd.to_datetime(["2015-04-01"] * 6))
    # 0 years; 4 (1 to 4); not born yet; no date of birth; 16; 9 (birthday in May, not yet 10).
    assert age_band(born, on).tolist() == [
        "under 1",
        "1 to 4",
        "unborn",
        "not recorded",
        "16 and over",
        "5 to 9",
    ]


def test_episodes_open_in_the_period_and_one_row_per_child() -> None:
    plans = pd.DataFrame(
        {
            "child_id": ["a", "b", "c", "d", "d"],
            "cp_plan_start_date": pd.to_datetime(
                ["2015-01-01", "2015-05-01", "2015-07-01", "2014-01-01", "2015-06-01"]
            ),
            "cp_plan_end_date": pd.to_datetime([None, "2015-05-20", None, "2015-03-31", None]),
        }
    )
    # a open throughout; b opened and closed inside; c after the quarter; d's first plan ended before it, second open.
    rows = children_in_period(plans, "cp_plans", QUARTER)
    assert rows["child_id"].tolist() == ["a", "b", "d"]
    assert rows.set_index("child_id").loc["b", "on"] == pd.Timestamp("2015-05-20")
    assert rows.set_index("child_id").loc["d", "cp_plan_start_date"] == pd.Timestamp("2015-06-01")


def contacts(n_white: int = 20, extra: list[tuple] | None = None) -> pd.DataFrame:
    rows = [
        (f"w{k}", "male" if k % 2 else "female", "WBRI", "2008-01-01", "2015-05-01", "police")
        for k in range(n_white)
    ]
    rows += extra or []
    frame = pd.DataFrame(
        rows, columns=["child_id", "gender", "ethnicity", "date_of_birth", "contact_date", "contact_source"]
    )
    return frame.astype({"date_of_birth": "datetime64[s]", "contact_date": "datetime64[s]"})


def test_profile_counts_children_and_withholds_small_numbers() -> None:
    # 20 white children aged 7 (10 girls, 10 boys) from the police; 3 Asian boys aged 7 from schools, one of them
    # with a second contact. Asian (3) is withheld, and Not known (0) cannot hide it: the next smallest, White, goes.
    extra = [(f"a{k}", "male", "AIND", "2008-01-01", "2015-05-02", "school") for k in range(3)]
    extra.append(("a0", "male", "AIND", "2008-01-01", "2015-06-02", "school"))
    table = profile(contacts(extra=extra), "contacts", QUARTER, topic_id="t")
    cells = table.set_index(["breakdown", "group", "category"])
    assert cells.loc[("ethnicity", "all children", "total"), "children"] == 23
    assert cells.loc[("ethnicity", "all children", "Asian"), "withheld"] == "c: from 1 to 5 children"
    assert math.isnan(cells.loc[("ethnicity", "all children", "White"), "children"])
    assert cells.loc[("ethnicity", "all children", "White"), "withheld"].startswith("c: withheld so that")
    # Age by sex: 10 girls and 13 boys aged 5 to 9; every cell is 0, 10, 13 or 23.
    assert cells.loc[("age_band_by_sex", "male", "5 to 9"), "children"] == 13
    assert cells.loc[("age_band_by_sex", "all children", "5 to 9"), "percent"] == 100.0
    # Repeat contacts: 22 children with one and 1 with more than one: withheld, and its partner with it.
    assert cells.loc[("repeat", "all children", "more than one"), "withheld"] == "c: from 1 to 5 children"
    assert math.isnan(cells.loc[("repeat", "all children", "one"), "children"])
    shown = table["children"].dropna()
    assert not shown.between(1, 5).any()


def test_a_list_of_1_to_5_children_is_withheld_in_every_breakdown() -> None:
    table = profile(contacts(n_white=4), "contacts", QUARTER, topic_id="t")
    totals = table.loc[(table["category"] == "total") & (table["group"] == "all children")]
    assert totals["children"].isna().all() and len(totals) == 4  # age by sex, ethnicity, source, repeat
    assert table["percent"].isna().all()


def test_every_profile_breakdown_is_safe_under_its_own_totals() -> None:
    extra = [
        (f"x{k}", "female", code, "2014-01-01", "2015-04-20", "health")
        for k, code in enumerate(["BAFR", "MWBC", "OOTH", "NOBT", "BCRB", "BAFR"])
    ]
    table = profile(contacts(extra=extra), "contacts", QUARTER, topic_id="t", lower=1, upper=5)
    ethnicity = table.loc[table["breakdown"] == "ethnicity"].set_index("category")
    counts = pd.Series({("all children", c): v for c, v in ethnicity["children"].fillna(-1).items()})
    hidden = ethnicity["children"].isna()
    hidden.index = counts.index
    assert hidden.any()
    cells = [k for k in counts.index if k[1] != "total"]
    true = pd.Series(
        {
            ("all children", "White"): 20,
            ("all children", "Mixed"): 1,
            ("all children", "Asian"): 0,
            ("all children", "Black"): 3,
            ("all children", "Other"): 1,
            ("all children", "Not known"): 1,
            ("all children", "total"): 26,
        },
        dtype="float64",
    )
    assert not breakdown_discloses(true.reindex(counts.index), hidden, [(cells, ("all children", "total"))])


def test_katz_interval_worked_by_hand() -> None:
    # 30 of 100 children against 1,000 of 10,000 residents: ratio 0.3 / 0.1 = 3; standard error of the log
    # sqrt(1/30 - 1/100 + 1/1000 - 1/10000) = sqrt(0.0242333) = 0.155671; 3 x exp(+/- 1.959964 x 0.155671)
    # = 3 x exp(+/- 0.305110) = 2.2111 to 4.0703.
    ratio, low, high = katz_interval(30, 100, 1000, 10000)
    assert ratio == pytest.approx(3.0)
    assert low == pytest.approx(2.2111, abs=1e-4) and high == pytest.approx(4.0703, abs=1e-4)
    assert math.isnan(katz_interval(0, 100, 1000, 10000)[1])


def test_disproportionality_against_the_population() -> None:
    table = profile(
        contacts(
            n_white=60,
            extra=[(f"b{k}", "male", "BAFR", "2008-01-01", "2015-05-02", "police") for k in range(40)],
        ),
        "contacts",
        QUARTER,
        topic_id="t",
    )
    population = pd.DataFrame(
        {"ethnic_group": list(ETHNIC_GROUPS), "population": [8000.0, 500.0, 500.0, 800.0, 200.0]}
    )
    result = disproportionality(table, population).set_index("ethnic_group")
    # Black: 40 of 100 children (40%) against 800 of 10,000 residents (8%): ratio 5.
    assert (
        result.loc["Black", "share_percent"] == 40.0
        and result.loc["Black", "population_share_percent"] == 8.0
    )
    assert result.loc["Black", "ratio"] == 5.0
    assert result.loc["Black", "ratio_lower_95"] < 5 < result.loc["Black", "ratio_upper_95"]
    assert result.loc["Asian", "ratio"] == 0.0 and math.isnan(result.loc["Asian", "ratio_lower_95"])
    without = disproportionality(table, population.iloc[0:0]).set_index("ethnic_group")
    assert without.loc["Black", "share_percent"] == 40.0 and without["ratio"].isna().all()


def test_one_small_group_withholds_itself_and_the_next_smallest_group_only() -> None:
    # 40 White, 20 Black, 12 Mixed, 3 Asian, 0 Other, 10 Not known (85). Asian (3) is withheld, and Mixed (12), the
    # smallest other known group, with it: the known subtotal (75) and "Not known" (10) stay, so White's and
    # Black's shares (of 75) and Other's 0 are shown.
    extra = [
        *[(f"b{k}", "male", "BAFR", "2008-01-01", "2015-05-02", "police") for k in range(20)],
        *[(f"m{k}", "male", "MWBC", "2008-01-01", "2015-05-02", "police") for k in range(12)],
        *[(f"a{k}", "male", "AIND", "2008-01-01", "2015-05-02", "police") for k in range(3)],
        *[(f"n{k}", "male", "NOBT", "2008-01-01", "2015-05-02", "police") for k in range(10)],
    ]
    table = profile(contacts(n_white=40, extra=extra), "contacts", QUARTER, topic_id="t")
    ethnicity = table.loc[table["breakdown"] == "ethnicity"].set_index("category")
    assert ethnicity.loc["known ethnicity", "children"] == 75 and ethnicity.loc["Not known", "children"] == 10
    population = pd.DataFrame({"ethnic_group": list(ETHNIC_GROUPS), "population": [1.0] * 5})
    result = disproportionality(table, population).set_index("ethnic_group")
    assert result.loc["Asian", "withheld"] == "c: from 1 to 5 children"
    assert result.loc["Mixed", "withheld"].startswith("c: withheld so that")
    assert result.loc[["White", "Black", "Other"], "withheld"].eq("").all()
    assert result.loc["White", "share_percent"] == 53.3 and result.loc["Black", "share_percent"] == 26.7
    assert result.loc["Other", "share_percent"] == 0.0
    assert (result["shares_of"] == "children of known ethnicity").all()


def test_shares_are_of_all_children_when_the_known_subtotal_cannot_be_shown() -> None:
    # 30 White and 1 Not known: the 1 is withheld, so the known subtotal (30 = 31 - 1) is too, and White with it
    # (it equals the subtotal). The empty groups' shares are of all 31 children, whose total stays shown.
    extra = [("n1", "male", "NOBT", "2008-01-01", "2015-05-02", "police")]
    table = profile(contacts(n_white=30, extra=extra), "contacts", QUARTER, topic_id="t")
    result = disproportionality(
        table, pd.DataFrame({"ethnic_group": list(ETHNIC_GROUPS), "population": [1.0] * 5})
    ).set_index("ethnic_group")
    assert result.loc["White", "withheld"] != "" and pd.isna(result.loc["White", "share_percent"])
    assert result.loc[["Mixed", "Asian", "Black", "Other"], "share_percent"].eq(0.0).all()
    assert result["children_with_known_ethnicity"].isna().all()
    assert result["shares_of"].str.startswith("all children").all()


def test_ethnic_groups_of_dfe_codes() -> None:
    codes = ["WBRI", "WROM", "MWBC", "AIND", "CHNE", "BAFR", "OOTH", "REFU", "NOBT", None]
    assert [ethnic_group(c) for c in codes] == [
        "White",
        "White",
        "Mixed",
        "Asian",
        "Asian",
        "Black",
        "Other",
        "Not known",
        "Not known",
        "Not known",
    ]


def test_ons_file_read_for_one_area(tmp_path: Path) -> None:
    path = tmp_path / "ons.csv"
    path.write_text(
        "2023 Upper tier local authorities Code,2023 Upper tier local authorities,Ethnic group (20 categories) Code,"
        "Ethnic group (20 categories),Observation\n"
        "E06000035,Medway,-8,Does not apply,0\nE06000035,Medway,1,Bangladeshi,10\nE06000035,Medway,3,Indian,5\n"
        "E06000035,Medway,13,British,100\nE06000035,Medway,19,Any other,2\nE06000001,Hartlepool,13,British,7\n",
        encoding="utf-8",
    )
    table = read_ethnic_population(path, "E06000035").set_index("ethnic_group")["population"]
    assert table.to_dict() == {"White": 100, "Mixed": 0, "Asian": 15, "Black": 0, "Other": 2}
    with pytest.raises(InputDataError, match="no rows for area"):
        read_ethnic_population(path, "E10000016")


@pytest.mark.skipif(not ONS.is_file(), reason="../shared/data/ons is absent")
def test_medway_in_the_census_file() -> None:
    table = read_ethnic_population(ONS, "E06000035").set_index("ethnic_group")["population"]
    assert table.sum() > 250_000 and table.idxmax() == "White"


def test_drift_from_referral_counted_by_hand() -> None:
    referrals = pd.DataFrame(
        {
            "child_id": ["a", "b", "c", "c"],
            "referral_date": pd.to_datetime(["2015-04-01", "2014-10-01", "2013-01-01", "2014-12-01"]),
        }
    )
    plans = pd.DataFrame(
        {
            "child_id": ["a", "b", "c", "d", "e"],
            "cp_plan_start_date": pd.to_datetime(
                ["2015-04-11", "2015-05-01", "2015-05-01", "2015-06-01", "2015-08-01"]
            ),
        }
    )
    looked_after = pd.DataFrame(
        {
            "child_id": ["c", "c"],
            "care_start_date": pd.to_datetime(
                ["2015-06-01", "2015-06-01"]
            ),  # two placements, one period of care
        }
    )
    table = drift(referrals, plans, looked_after, QUARTER, topic_id="t", lower=1, upper=0).set_index(
        "destination"
    )
    plan = table.loc["child protection plan"]
    # a: 10 days; b: 1 Oct to 1 May = 212 days (over 6 months); c: latest referral 1 Dec 2014, 151 days (within 6
    # months); d: no referral; e: after the quarter. Median of 10, 151, 212 = 151; quartiles 80.5 and 181.5.
    assert (plan["starts"], plan["within_6_months"], plan["from_6_to_12_months"], plan["over_12_months"]) == (
        4,
        2,
        1,
        0,
    )
    assert plan["no_referral_found"] == 1 and plan["over_6_months"] == 1
    assert (plan["median_days"], plan["lower_quartile_days"], plan["upper_quartile_days"]) == (
        151,
        80.5,
        181.5,
    )
    care = table.loc["looked after"]
    assert care["starts"] == 1 and care["within_6_months"] == 1 and care["median_days"] == 182
    suppressed = drift(referrals, plans, looked_after, QUARTER, topic_id="t").set_index("destination")
    assert suppressed[["starts", "median_days"]].isna().all().all()
    assert "median and quartiles" in suppressed.loc["child protection plan", "withheld"]


_CHILDREN = st.sampled_from(["A", "B", "C", None])
_DAYS = st.integers(min_value=0, max_value=60)


@settings(max_examples=60, deadline=None)
@given(
    events=st.lists(st.tuples(_CHILDREN, st.one_of(_DAYS, st.none())), max_size=12),
    nexts=st.lists(st.tuples(_CHILDREN, st.one_of(_DAYS, st.none())), max_size=12),
    window=st.integers(min_value=0, max_value=20),
)
def test_follow_finds_each_childs_first_next_event_in_the_window(events, nexts, window) -> None:
    """Issue 21: children matched by number (one shared factorisation), not by their identifiers as strings; the
    same answer as looking at every next event of the same child, row by row."""
    from analysis.methods.topic_journeys import follow

    start, period_end = pd.Timestamp("2015-01-01"), pd.Timestamp("2015-02-15")

    def frame(rows, column):
        return pd.DataFrame(
            {
                "child_id": pd.array([child for child, _ in rows], dtype="string"),
                column: pd.Series(
                    [None if day is None else start + pd.Timedelta(days=day) for _, day in rows],
                    dtype="datetime64[s]",
                ),
            }
        )

    left, right = frame(events, "at"), frame(nexts, "next")
    found = follow(left, "at", right, "next", window, period_end)
    for n, (child, day) in enumerate(events):
        candidates = [
            start + pd.Timedelta(days=next_day)
            for next_child, next_day in nexts
            if child is not None and next_child == child and day is not None and next_day is not None
            and day <= next_day <= day + window and start + pd.Timedelta(days=next_day) <= period_end
        ]  # fmt: skip
        expected = min(candidates) if candidates else pd.NaT
        assert found.iloc[n] == expected or (pd.isna(found.iloc[n]) and pd.isna(expected)), (n, events, nexts)
