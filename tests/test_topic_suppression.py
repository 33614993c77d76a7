"""Small numbers in the topic tables, over random breakdowns (hypothesis): no count of 1 to 5 children is shown, and
none can be worked back from a total the tables show (the rows and columns of a breakdown, the known-ethnicity
subtotal and the shares made from it, a journey's steps and their outcomes).

The published tables are checked against the true counts: the same functions with the small-number rule switched off
(``upper=0``), so the check is of what is withheld, not of how children are counted (hand counts are in
tests/test_topic_analyses.py and tests/test_topic_journeys.py). The lines a reader can add up are built here from the
published rows, not taken from the code that suppresses.
"""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.inputs.ethnic_population import ETHNIC_GROUPS, NOT_KNOWN
from analysis.methods.disproportionality import SHARES_OF_ALL, SHARES_OF_KNOWN, disproportionality
from analysis.methods.suppression import breakdown_discloses
from analysis.methods.topic_analyses import ALL_CHILDREN, KNOWN_ETHNICITY, TOTAL, profile, topic_periods
from analysis.methods.topic_journeys import Step, journey_table

QUARTER = topic_periods(pd.Timestamp("2015-04-01").date(), pd.Timestamp("2015-06-30").date())[0]
CODES = ["WBRI", "WIRI", "MWBC", "AIND", "BAFR", "OOTH", "NOBT", "REFU"]
BIRTHS = ["2000-01-01", "2008-06-01", "2012-03-01", "2015-02-01"]
SOURCES = ["police", "school", "health", "self"]
POPULATION = pd.DataFrame(
    {"ethnic_group": list(ETHNIC_GROUPS), "population": [800.0, 50.0, 60.0, 70.0, 20.0]}
)

child = st.tuples(
    st.sampled_from(["male", "female"]),
    st.sampled_from(CODES),
    st.sampled_from(BIRTHS),
    st.sampled_from(SOURCES),
    st.integers(1, 2),  # contacts in the quarter
)
#: Lists where some categories are much more common than others, as real ones are (the sizes a committee sees:
#: a few dozen children, where small cells are common).
children_lists = st.lists(child, min_size=0, max_size=60)


def contacts_of(children: list[tuple[str, str, str, str, int]]) -> pd.DataFrame:
    rows = []
    for n, (gender, code, born, source, contacts) in enumerate(children):
        for k in range(contacts):
            rows.append((f"c{n}", gender, code, born, f"2015-0{4 + k}-1{n % 10}", source))
    frame = pd.DataFrame(
        rows, columns=["child_id", "gender", "ethnicity", "date_of_birth", "contact_date", "contact_source"]
    )
    return frame.astype({"date_of_birth": "datetime64[s]", "contact_date": "datetime64[s]"})


def published_lines(rows: pd.DataFrame) -> list[tuple[list[tuple[str, str]], tuple[str, str]]]:
    """Every sum a reader can make from one published breakdown: its rows, columns and margins (and, for ethnicity,
    the known groups to the known subtotal, that and "Not known" to the total, and all groups to the total)."""
    labels = list(zip(rows["group"], rows["category"], strict=True))
    grand = (ALL_CHILDREN, TOTAL)
    if set(rows["breakdown"]) == {"ethnicity"}:
        known = [(ALL_CHILDREN, g) for g in ETHNIC_GROUPS]
        subtotal, unknown = (ALL_CHILDREN, KNOWN_ETHNICITY), (ALL_CHILDREN, NOT_KNOWN)
        return [(known, subtotal), ([subtotal, unknown], grand), ([*known, unknown], grand)]
    groups = sorted({g for g, _ in labels if g != ALL_CHILDREN})
    categories = list(dict.fromkeys(c for _, c in labels if c != TOTAL))
    if not groups:
        return [([(ALL_CHILDREN, c) for c in categories], grand)]
    lines = [([(g, c) for c in categories], (g, TOTAL)) for g in groups]
    lines += [([(g, c) for g in groups], (ALL_CHILDREN, c)) for c in categories]
    lines += [([(g, TOTAL) for g in groups], grand), ([(ALL_CHILDREN, c) for c in categories], grand)]
    return lines


@settings(max_examples=60, deadline=None)
@given(children_lists)
def test_no_profile_or_disproportionality_figure_shows_or_gives_back_1_to_5_children(
    children: list[tuple[str, str, str, str, int]],
) -> None:
    table = contacts_of(children)
    published = profile(table, "contacts", QUARTER, topic_id="t", lower=1, upper=5)
    true = profile(table, "contacts", QUARTER, topic_id="t", lower=1, upper=0)
    key = ["breakdown", "group", "category"]
    assert published[key].equals(true[key])
    hidden_all = published["withheld"] != ""
    # No count of 1 to 5 shown; a withheld count has no percentage (it would give the count back from the total).
    assert not published["children"].between(1, 5).any()
    assert (published["children"].isna() == hidden_all).all()
    assert published.loc[hidden_all, "percent"].isna().all()
    # The list's total is one number in every breakdown: shown in all or none.
    totals = hidden_all[(published["group"] == ALL_CHILDREN) & (published["category"] == TOTAL)]
    assert totals.all() or not totals.any()
    for _, rows in published.groupby("breakdown", sort=False):
        labels = pd.Index(list(zip(rows["group"], rows["category"], strict=True)), tupleize_cols=False)
        counts = pd.Series(true.loc[rows.index, "children"].to_numpy(), index=labels)
        hidden = pd.Series(hidden_all[rows.index].to_numpy(), index=labels)
        assert not breakdown_discloses(counts, hidden, published_lines(rows)), rows

    shares = disproportionality(published, POPULATION)
    profile_ethnicity = published.loc[published["breakdown"] == "ethnicity"].set_index("category")
    true_ethnicity = true.loc[true["breakdown"] == "ethnicity"].set_index("category")
    for _, row in shares.iterrows():
        group_hidden = profile_ethnicity.loc[row["ethnic_group"], "withheld"] != ""
        if group_hidden or row["withheld"]:
            # A withheld count has no share, ratio or interval (each would give it back).
            assert row["withheld"] != ""
            assert (
                math.isnan(row["share_percent"]) and math.isnan(row["ratio"]) and math.isnan(row["children"])
            )
            continue
        assert row["children"] == true_ethnicity.loc[row["ethnic_group"], "children"]
        if pd.isna(row["share_percent"]):
            continue
        # A shown share with its shown count gives its denominator back: that must be a figure already shown.
        denominator = (
            KNOWN_ETHNICITY
            if row["shares_of"] == SHARES_OF_KNOWN
            else TOTAL
            if row["shares_of"] == SHARES_OF_ALL
            else None
        )
        assert denominator is not None and profile_ethnicity.loc[denominator, "withheld"] == ""
    # The known subtotal in the shares table is the profile's, shown or withheld alike.
    known_shown = profile_ethnicity.loc[KNOWN_ETHNICITY, "withheld"] == ""
    assert shares["children_with_known_ethnicity"].notna().all() == known_shown


@settings(max_examples=150, deadline=None)
@given(
    st.integers(2, 3).flatmap(
        lambda n: st.lists(st.lists(st.integers(0, 14), min_size=3, max_size=3), min_size=n, max_size=n)
    )
)
def test_no_journey_step_or_outcome_shows_or_gives_back_1_to_5(outcome_counts: list[list[int]]) -> None:
    # Step k's outcomes are outcome_counts[k]; its count is the first outcome of the step before (step 1: the sum).
    steps, before = [], None
    for number, counts in enumerate(outcome_counts, start=1):
        if before is not None:  # this step's outcomes add up to the step before's first outcome
            if sum(counts) == 0:
                counts = [1, 0, 0]
            split = [int(c * before / sum(counts)) for c in counts]
            split[0] += before - sum(split)
            counts = split
        order = tuple(f"outcome {number}.{k}" for k in range(3))
        outcomes = pd.Series(
            [o for o, c in zip(order, counts, strict=True) for _ in range(c)], dtype="object"
        )
        steps.append(Step(f"Step {number}", "rule", outcomes, order))
        before = counts[0]
    published = journey_table(steps, "front_door", QUARTER, topic_id="t", lower=1, upper=5)
    true = journey_table(steps, "front_door", QUARTER, topic_id="t", lower=1, upper=0)
    hidden_all = published["withheld"] != ""
    assert not published["count"].between(1, 5).any()
    assert (published["count"].isna() == hidden_all).all()
    labels = pd.Index(list(zip(published["step"], published["outcome"], strict=True)), tupleize_cols=False)
    counts = pd.Series(true["count"].to_numpy(), index=labels)
    hidden = pd.Series(hidden_all.to_numpy(), index=labels)
    lines = []
    for number, step in enumerate(steps, start=1):
        lines.append(([(number, o) for o in step.order], (number, "all")))
        if number > 1:  # the step's count is the step before's first outcome: one number, shown twice
            first = (number - 1, steps[number - 2].order[0])
            assert hidden[(number, "all")] == hidden[first]
            lines.append(([(number, "all")], first))
    assert not breakdown_discloses(counts, hidden, lines)
    # A percentage of a step is shown only with its count and the step's count (either would come back).
    for _, row in published.iterrows():
        if pd.notna(row["percent_of_step"]):
            step_all = published.loc[
                (published["step"] == row["step"]) & (published["outcome"] == "all")
            ].iloc[0]
            assert row["withheld"] == "" and step_all["withheld"] == ""
