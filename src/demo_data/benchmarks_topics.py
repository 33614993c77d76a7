"""Synthetic rows of two topic publications: assessment factors (CIN table C3) and new placements (SSDA903).

Their layouts are those of DfE's ``c3_factors_identified_at_end_of_assessment_2018_to_2025.csv`` and
``la_cla_during_year_new_placements.csv`` (real downloads in ../shared/data/ees); :mod:`analysis.demo.benchmarks`
writes them with the other publications. Shares are England's published ones (C3: 2018, the first year of the
real file, whose layout has no child-on-child / adult-on-child split and no criminal exploitation column, as in the
demo's years; new placements: 2025). Counts of 1 to 5 are written ``c`` as DfE does, with their percentage; a
non-zero percentage under 0.5 is written ``k``.
"""

from __future__ import annotations

import numpy as np

#: Factor -> England's episodes with that factor per episode with factor information, 2018 (C3). Columns DfE
#: did not collect then are written ``x``.
C3_SHARES = {
    "Alcohol_Misuse_child": 12800,
    "Alcohol_Misuse_parent": 64380,
    "Alcohol_Misuse_person": 11880,
    "Drug_Misuse_child": 23190,
    "Drug_Misuse_parent": 62260,
    "Drug_Misuse_person": 16030,
    "Domestic_Abuse_child": 61650,
    "Domestic_Abuse_parent": 155420,
    "Domestic_Abuse_person": 29640,
    "Mental_Health_child": 57410,
    "Mental_Health_parent": 129230,
    "Mental_Health_person": 19080,
    "Learning_Disability_child": 41610,
    "Learning_Disability_parent": 12660,
    "Learning_Disability_person": 6390,
    "Physical_Disability_child": 22490,
    "Physical_Disability_parent": 23240,
    "Physical_Disability_person": 5630,
    "Young_Carer": 16100,
    "Privately_fostered": 2220,
    "Unaccompanied_asylum_seeker": 2380,
    "Going_missing": 16070,
    "Child_sexual_exploitation": 20000,
    "Trafficking": 2070,
    "Gangs": 8650,
    "Socially_unacceptable_behaviour": 40790,
    "Self_harm": 21440,
    "Neglect": 88660,
    "Emotional_Abuse": 104760,
    "Physical_Abuse_unknown": 71630,
    "Physical_Abuse_child_on_child": None,
    "Physical_Abuse_adult_on_child": None,
    "Sexual_Abuse_unknown": 30840,
    "Sexual_Abuse_child_on_child": None,
    "Sexual_Abuse_adult_on_child": None,
    "Female_Genital_Mutilation": 940,
    "Faith_linked_abuse": 1630,
    "Child_criminal_exploitation": None,
    "Other": 93330,
}
C3_ENGLAND_EPISODES = 482_750
C3_COLUMNS = ("category", "Episodes_with_assessment_factor", *C3_SHARES)

LOCATION = "Location of new placements during the year"
CHANGE = "Reason for placement change during the year"
TOTAL_NEW = "Total new placements"
TOTAL_CHANGING = "Total placements changing"
#: Breakdown -> England's count, 2025 (la_cla_during_year_new_placements), in the real file's order.
LOCATION_SHARES = {
    "Distance not known or not recorded": 11840,
    "Placed inside LA boundary less than 20 miles from home": 41990,
    "Placed inside LA boundary more than 20 miles from home": 4310,
    "Placed outside LA boundary less than 20 miles from home": 18220,
    "Placed outside LA boundary more than 20 miles from home": 14560,
}
CHANGE_SHARES = {
    "Allegation (s47)": 390,
    "Approval removed": 250,
    "Carer requests placement end other than due to child's behaviour": 4230,
    "Carer requests placement ends due to child's behaviour": 5010,
    "Change in the status of a placement only": 10500,
    "Change to/implementation of care plan": 20170,
    "Child requests placement to end": 1870,
    "Custody arrangement": 150,
    "Other": 14570,
    "Resignation or closure of provision": 400,
    "Responsible/area authority requests placement ends": 1000,
    "Standards of care concern": 600,
}
#: England, 2025: placements changing per new placement.
CHANGING_PER_NEW = 59140 / 90930
NEW_PLACEMENT_COLUMNS = ("characteristic", "breakdown", "children_count", "children_percent")
#: DfE suppresses counts of 1 to 5 children (and the percentages computed from them).
SMALL_COUNT_MAX = 5

Row = dict[str, object]


def _count(value: object) -> object:
    """A count as DfE writes it: symbols carried, 1 to 5 written ``c``."""
    if isinstance(value, str):
        return value
    n = round(float(value))  # type: ignore[arg-type]
    return "c" if 0 < n <= SMALL_COUNT_MAX else n


def _percent(part: object, whole: object) -> object:
    """A whole-number percentage as the SSDA903 files write it: ``c`` for a suppressed count, ``k`` under 0.5."""
    if isinstance(part, str) or isinstance(whole, str):
        return part if isinstance(part, str) else whole
    if not whole:
        return "z"
    if _count(part) == "c":
        return "c"
    pct = 100 * float(part) / float(whole)  # type: ignore[arg-type]
    return "k" if 0 < pct < 0.5 else round(pct)


def _split(rng: np.random.Generator, total: int, shares: dict[str, int]) -> dict[str, int]:
    """``total`` shared among the breakdowns around England's shares (multinomial)."""
    weights = np.array(list(shares.values()), dtype=float)
    counts = rng.multinomial(total, rng.dirichlet(weights / weights.sum() * 200))
    return dict(zip(shares, (int(c) for c in counts), strict=True))


def c3_values(rng: np.random.Generator, episodes: int) -> dict[str, float]:
    """An area's C3 counts: ``episodes`` with factor information, each factor in about England's share of them."""
    out: dict[str, float] = {"Episodes_with_assessment_factor": episodes}
    for factor, england in C3_SHARES.items():
        if england is not None:
            out[factor] = int(
                rng.binomial(episodes, min(1.0, england / C3_ENGLAND_EPISODES * rng.lognormal(0, 0.2)))
            )
    return out


def c3_rows(v: Row) -> list[Row]:
    """One wide row; factors DfE did not collect in the demo's years are ``x``."""
    row: Row = {"category": "Factors identified at the end of assessment"}
    row["Episodes_with_assessment_factor"] = _count(v["Episodes_with_assessment_factor"])
    for factor in C3_SHARES:
        row[factor] = _count(v[factor]) if factor in v else "x"
    return [row]


def new_placement_values(rng: np.random.Generator, new_placements: int) -> dict[str, float]:
    """An area's new placements by location and its placement changes by reason."""
    changing = round(new_placements * CHANGING_PER_NEW * rng.lognormal(0, 0.1))
    return {
        TOTAL_NEW: new_placements,
        **_split(rng, new_placements, LOCATION_SHARES),
        TOTAL_CHANGING: changing,
        **_split(rng, changing, CHANGE_SHARES),
    }


def new_placement_rows(v: Row) -> list[Row]:
    """Rows by characteristic and breakdown, each breakdown's percentage of its characteristic's total."""
    out: list[Row] = []
    for characteristic, total, shares in (
        (LOCATION, TOTAL_NEW, LOCATION_SHARES),
        (CHANGE, TOTAL_CHANGING, CHANGE_SHARES),
    ):
        for breakdown in sorted([*shares, total], key=lambda b: (b == total, b)):
            out.append(
                {
                    "characteristic": characteristic,
                    "breakdown": breakdown,
                    "children_count": _count(v[breakdown]),
                    "children_percent": _percent(v[breakdown], v[total]) if breakdown != total else 100,
                }
            )
    return out


#: ONS Census 2021, ethnic group (20 categories): code, name and an illustrative share of all residents (per
#: 1,000) for the demo authority, near a Kent-and-Medway mix; the other areas vary around it. -8 "Does not apply"
#: is written with 0, as ONS writes it.
ETHNIC_CATEGORIES = (
    (-8, "Does not apply", 0.0),
    (1, "Asian, Asian British or Asian Welsh: Bangladeshi", 7.0),
    (2, "Asian, Asian British or Asian Welsh: Chinese", 4.6),
    (3, "Asian, Asian British or Asian Welsh: Indian", 27.5),
    (4, "Asian, Asian British or Asian Welsh: Pakistani", 7.6),
    (5, "Asian, Asian British or Asian Welsh: Other Asian", 12.3),
    (6, "Black, Black British, Black Welsh, Caribbean or African: African", 40.3),
    (7, "Black, Black British, Black Welsh, Caribbean or African: Caribbean", 9.1),
    (8, "Black, Black British, Black Welsh, Caribbean or African: Other Black", 6.8),
    (9, "Mixed or Multiple ethnic groups: White and Asian", 7.7),
    (10, "Mixed or Multiple ethnic groups: White and Black African", 5.0),
    (11, "Mixed or Multiple ethnic groups: White and Black Caribbean", 8.7),
    (12, "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups", 6.7),
    (13, "White: English, Welsh, Scottish, Northern Irish or British", 783.3),
    (14, "White: Irish", 6.7),
    (15, "White: Gypsy or Irish Traveller", 2.7),
    (16, "White: Roma", 1.7),
    (17, "White: Other White", 49.0),
    (18, "Other ethnic group: Arab", 1.6),
    (19, "Other ethnic group: Any other ethnic group", 12.5),
)
#: The layout of ONS's custom dataset of Census 2021 ethnic group by 2023 upper-tier local authority.
ETHNIC_POPULATION_COLUMNS = (
    "2023 Upper tier local authorities Code",
    "2023 Upper tier local authorities",
    "Ethnic group (20 categories) Code",
    "Ethnic group (20 categories)",
    "Observation",
)


def ethnic_population_rows(
    areas: list[tuple[str, str]], residents: int, rng: np.random.Generator
) -> list[tuple[object, ...]]:
    """Census 2021 residents of all ages by ethnic group (20 categories) for each ``(code, name)`` area.

    The first area (the demo authority) has ``residents`` in :data:`ETHNIC_CATEGORIES`' shares, drawn as a
    multinomial; the others a size and mix varied around it.
    """
    shares = np.array([share for *_, share in ETHNIC_CATEGORIES])
    rows: list[tuple[object, ...]] = []
    for n, (code, name) in enumerate(areas):
        size = residents if n == 0 else int(residents * rng.lognormal(0, 0.5))
        mix = shares if n == 0 else shares * rng.lognormal(0, 0.6, size=len(shares))
        counts = rng.multinomial(size, mix / mix.sum())
        rows += [
            (code, name, category, label, int(count))
            for (category, label, _), count in zip(ETHNIC_CATEGORIES, counts, strict=True)
        ]
    return rows
