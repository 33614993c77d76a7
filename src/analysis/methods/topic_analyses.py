"""The analyses of a themed topic: who the children in each list are, and drift from referral to a plan or care.

Disproportionality is in :mod:`analysis.methods.disproportionality`, journeys in :mod:`analysis.methods.topic_journeys`.

Pure functions, DataFrame in and DataFrame out, called by :mod:`analysis.stages.topics`. Every count of children
they return has passed :func:`analysis.methods.suppression.suppress_breakdown`: a count of 1 to 5 is absent, and so
is any count that would let one be worked back from a total the table shows; the ``withheld`` column says why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analysis.inputs.ethnic_population import ETHNIC_GROUPS, NOT_KNOWN, ethnic_group
from analysis.methods.benchmark_breakdowns import WITHHELD_SECONDARY, WITHHELD_SMALL
from analysis.methods.suppression import Line, small_count, suppress_breakdown

#: The periods a topic's tables cover: the quarter, and the twelve months to the quarter's end.
PERIODS = ("quarter", "year")
#: Each list's event date (and, for lists of episodes, the column that ends the episode).
LIST_DATES: dict[str, tuple[str, str | None]] = {
    "contacts": ("contact_date", None),
    "early_help": ("early_help_start_date", None),
    "referrals": ("referral_date", None),
    "assessments": ("assessment_start_date", None),
    "section47": ("strategy_discussion_date", None),
    "children_in_need": ("cin_start_date", "cin_end_date"),
    "cp_plans": ("cp_plan_start_date", "cp_plan_end_date"),
    "looked_after": ("placement_start_date", "placement_end_date"),
    "care_leavers": ("contact_date", None),
}
#: The breakdowns of each list beyond age by sex and ethnicity: the columns the list holds.
LIST_BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "contacts": ("contact_source", "repeat"),
    "referrals": ("referral_source", "repeat"),
    "assessments": ("disability",),
    "children_in_need": ("primary_need",),
    "cp_plans": ("category_of_abuse",),
    "looked_after": ("placement_type", "legal_status", "placements"),
    "care_leavers": ("activity", "accommodation_suitable", "in_touch"),
}
#: DfE's age groups in the CIN census and SSDA903 tables (age at the event; "unborn" before birth).
AGE_BANDS = ("unborn", "under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over")
NOT_RECORDED = "not recorded"
ALL_CHILDREN = "all children"
TOTAL = "total"
#: The subtotal of the ethnicity breakdown: children whose ethnic group is recorded (the shares' denominator).
KNOWN_ETHNICITY = "known ethnicity"

PROFILE_COLUMNS = [
    "topic_id",
    "list",
    "period",
    "period_start",
    "period_end",
    "breakdown",
    "group",
    "category",
    "children",
    "percent",
    "withheld",
]


@dataclass(frozen=True)
class Period:
    """A topic period: ``quarter`` or ``year`` (the twelve months to the quarter's end), first and last day."""

    name: str
    start: pd.Timestamp
    end: pd.Timestamp


def topic_periods(quarter_start: date, quarter_end: date) -> list[Period]:
    """The quarter and the twelve months ending with it."""
    end = pd.Timestamp(quarter_end)
    return [
        Period("quarter", pd.Timestamp(quarter_start), end),
        Period("year", end + pd.Timedelta(days=1) - pd.DateOffset(years=1), end),
    ]


def age_band(date_of_birth: pd.Series, on: pd.Series) -> pd.Series:
    """DfE's age group of each child on a date (:data:`AGE_BANDS`; "not recorded" without a date of birth).

    Notes
    -----
    Age in whole years on the date; dates of birth are the first of the month (the day is removed for privacy), so
    a child can be counted a few days older than they are. Bands: DfE, Characteristics of children in need and
    Children looked after in England (under 1, 1 to 4, 5 to 9, 10 to 15, 16 and over).
    """
    born = pd.to_datetime(date_of_birth)
    day = pd.to_datetime(on)
    years = (
        day.dt.year
        - born.dt.year
        - (
            (day.dt.month < born.dt.month) | ((day.dt.month == born.dt.month) & (day.dt.day < born.dt.day))
        ).astype(int)
    )
    bands = pd.cut(years, [-1000, -1, 0, 4, 9, 15, 1000], labels=list(AGE_BANDS), right=True)
    bands = bands.astype("object").where(born.notna() & day.notna(), NOT_RECORDED)
    return bands.astype("str")


def children_in_period(table: pd.DataFrame, list_name: str, period: Period) -> pd.DataFrame:
    """One row per child in the list during the period, with the date their age is taken on (``on``).

    A list of events (contacts, referrals, assessments, enquiries, early help) holds the children with an event in
    the period, their latest such row kept; a list of episodes (children in need, plans, placements) the children
    whose episode was open on some day of the period; care leavers are the list as extracted (it holds one row per
    young person). Age is taken on the event's date, or on the period's last day (the episode's end if earlier).
    """
    start_column, end_column = LIST_DATES[list_name]
    if table.empty:
        return table.assign(on=pd.Series(dtype="datetime64[s]"))
    starts = pd.to_datetime(table[start_column])
    if list_name == "care_leavers":
        rows = table.assign(on=starts.fillna(period.end).clip(upper=period.end))
    elif end_column is None:
        inside = starts.between(period.start, period.end)
        rows = table.loc[inside].assign(on=starts[inside])
    else:
        ends = pd.to_datetime(table[end_column])
        if list_name == "looked_after":
            ends = ends.fillna(pd.to_datetime(table["care_end_date"]))
        open_ = (starts <= period.end) & (ends.isna() | (ends >= period.start))
        rows = table.loc[open_].assign(on=ends[open_].fillna(period.end).clip(upper=period.end))
    rows = rows.sort_values(["child_id", start_column], kind="stable")
    return rows.drop_duplicates("child_id", keep="last").reset_index(drop=True)


def _category(values: pd.Series) -> pd.Series:
    text = values.astype("object")
    filled = values.dropna()
    is_object = values.dtype == object and len(filled) > 0
    if pd.api.types.is_bool_dtype(values.dtype) or (is_object and all(isinstance(v, bool) for v in filled)):
        text = values.astype("object").map({True: "yes", False: "no"})
    return text.where(pd.notna(text), NOT_RECORDED).astype("str").replace("", NOT_RECORDED)


def open_placements(looked_after: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The placements (rows of Annex A list 8) open on some day of the period.

    Notes
    -----
    Placement stability as DfE measures it (SSDA903, "children looked after at 31 March with three or more
    placements during the year") counts every placement a child had during the year; here each placement open
    during the period counts once, so a quarter counts the placements of that quarter. A placement without an end
    date ends with the period of care (``care_end_date``), or is still open.
    """
    if looked_after.empty:
        return looked_after
    starts = pd.to_datetime(looked_after["placement_start_date"])
    ends = pd.to_datetime(looked_after["placement_end_date"]).fillna(
        pd.to_datetime(looked_after["care_end_date"])
    )
    return looked_after.loc[(starts <= period.end) & (ends.isna() | (ends >= period.start))]


def _breakdown_cells(
    children: pd.DataFrame,
    events: pd.DataFrame,
    table: pd.DataFrame,
    period: Period,
    breakdown: str,
) -> tuple[pd.Series, list[Line]]:
    """The counts of one breakdown (cells labelled ``(group, category)``, totals included) and its lines."""
    total_label = (ALL_CHILDREN, TOTAL)
    if breakdown == "age_band_by_sex":
        ages = age_band(children["date_of_birth"], children["on"])
        sexes = _category(children["gender"])
        table = pd.crosstab(sexes, ages)
        table = table.reindex(columns=[b for b in (*AGE_BANDS, NOT_RECORDED) if b in table.columns])
        counts: dict[tuple[str, str], float] = {}
        lines: list[Line] = []
        for sex in table.index:
            for band in table.columns:
                counts[(sex, band)] = float(table.loc[sex, band])
            counts[(sex, TOTAL)] = float(table.loc[sex].sum())
            lines.append(([(sex, b) for b in table.columns], (sex, TOTAL)))
        for band in table.columns:
            counts[(ALL_CHILDREN, band)] = float(table[band].sum())
            lines.append(([(s, band) for s in table.index], (ALL_CHILDREN, band)))
        counts[total_label] = float(len(children))
        lines.append(([(s, TOTAL) for s in table.index], total_label))
        lines.append(([(ALL_CHILDREN, b) for b in table.columns], total_label))
        return pd.Series(counts, dtype="float64"), lines
    if breakdown == "ethnicity":
        codes = children["ethnicity"].astype("object")
        groups = codes.map({code: ethnic_group(code) for code in codes.unique()}).fillna(NOT_KNOWN)
        tally = groups.value_counts().reindex([*ETHNIC_GROUPS, NOT_KNOWN], fill_value=0)
        known_label = (ALL_CHILDREN, KNOWN_ETHNICITY)
        known = [(ALL_CHILDREN, g) for g in ETHNIC_GROUPS]
        counts = {(ALL_CHILDREN, str(c)): float(n) for c, n in tally.items()}
        counts[known_label] = float(tally[list(ETHNIC_GROUPS)].sum())
        counts[total_label] = float(len(children))
        # The children of known ethnicity are the shares' denominator (disproportionality): a published subtotal.
        # Its groups add up to it, and it and "Not known" to the total, so a small group is protected within the
        # known groups before "Not known" (which would take every share with it) is touched.
        ordered = {
            label: counts[label] for label in [*known, known_label, (ALL_CHILDREN, NOT_KNOWN), total_label]
        }
        lines = [
            (known, known_label),
            ([known_label, (ALL_CHILDREN, NOT_KNOWN)], total_label),
            ([*known, (ALL_CHILDREN, NOT_KNOWN)], total_label),
        ]
        return pd.Series(ordered, dtype="float64"), lines
    if breakdown == "placements":
        ids = open_placements(table, period)["child_id"].astype("object")
        per_child = ids.value_counts().reindex(children["child_id"].astype("object")).fillna(0).to_numpy()
        categories = pd.Series(
            np.select([per_child >= 3, per_child == 2], ["3 or more", "2"], "1"), index=children.index
        )
        order = ["1", "2", "3 or more"]
    elif breakdown == "repeat":
        ids = events["child_id"].astype("object")
        per_child = ids.value_counts().reindex(children["child_id"].astype("object")).fillna(0)
        categories = pd.Series(
            np.where(per_child.to_numpy() > 1, "more than one", "one"), index=children.index
        )
        order = ["one", "more than one"]
    else:
        categories = _category(children[breakdown])
        order = sorted(categories.unique())
    tally = categories.value_counts().reindex(order, fill_value=0)
    counts = {(ALL_CHILDREN, str(c)): float(n) for c, n in tally.items()}
    counts[total_label] = float(len(children))
    return pd.Series(counts, dtype="float64"), [([(ALL_CHILDREN, str(c)) for c in tally.index], total_label)]


def _withheld_reasons(counts: pd.Series, hidden: pd.Series, lower: int, upper: int) -> pd.Series:
    small = small_count(counts, lower=lower, upper=upper).to_numpy()
    reasons = np.where(hidden.to_numpy(), np.where(small, WITHHELD_SMALL, WITHHELD_SECONDARY), "")
    return pd.Series(reasons, index=counts.index, dtype="str")


def list_breakdowns(list_name: str) -> tuple[str, ...]:
    """The breakdowns a list is profiled by: age by sex, ethnicity, and what else the list holds."""
    return ("age_band_by_sex", "ethnicity", *LIST_BREAKDOWNS.get(list_name, ()))


def profile(
    table: pd.DataFrame,
    list_name: str,
    period: Period,
    *,
    topic_id: str,
    lower: int = 1,
    upper: int = 5,
) -> pd.DataFrame:
    """The children in one Annex A list during a period, by each breakdown the list holds, small numbers withheld.

    Parameters
    ----------
    table
        The list's child-level table (e.g. ``contacts``).
    list_name
        Its name (a key of :data:`LIST_DATES`).
    period
        The quarter or the year (:func:`topic_periods`).
    topic_id
        Written in the ``topic_id`` column.
    lower, upper
        The small-number rule (``config.suppression``).

    Returns
    -------
    pandas.DataFrame
        :data:`PROFILE_COLUMNS`: one row per breakdown, group and category; ``group`` is the sex for age by sex
        ("all children" otherwise, and for its margin), ``category`` "total" for the totals. ``children`` and
        ``percent`` (of all the list's children in the period) are absent where ``withheld`` says why.

    Notes
    -----
    What Ofsted's Children's services Analysis Tool (ChAT) draws from the Annex A lists: age by sex, ethnicity,
    sources, repeat contacts per child; plus the columns each list holds (Ofsted, "Annex A: guidance on the
    lists"). Children with more than one contact or referral in the period: the ``repeat`` breakdown; children
    looked after by the number of placements open during the period (1, 2, 3 or more: placement stability,
    :func:`open_placements`): the ``placements`` breakdown; care leavers by activity, suitable accommodation and
    whether the authority is in touch. The ethnicity breakdown has a subtotal, the children of known ethnicity
    (the shares' denominator in :func:`analysis.methods.disproportionality.disproportionality`). Small
    numbers: :func:`analysis.methods.suppression.suppress_breakdown` over every total the table shows; the list's
    total is one number in every breakdown, so where one breakdown must withhold it, all do.
    """
    children = children_in_period(table, list_name, period)
    date_column = LIST_DATES[list_name][0]
    dates = pd.to_datetime(table[date_column]) if not table.empty else pd.Series(dtype="datetime64[s]")
    events = table.loc[dates.between(period.start, period.end)] if not table.empty else table
    breakdowns = list_breakdowns(list_name)
    built = {b: _breakdown_cells(children, events, table, period, b) for b in breakdowns}
    total_label = (ALL_CHILDREN, TOTAL)
    forced: pd.Series | None = None
    for _ in range(2):
        hidden = {
            b: suppress_breakdown(
                counts,
                lines,
                lower=lower,
                upper=upper,
                forced=forced.reindex(counts.index, fill_value=False) if forced is not None else None,
            )
            for b, (counts, lines) in built.items()
        }
        if not any(h[total_label] for h in hidden.values()) or forced is not None:
            break
        forced = pd.Series({total_label: True})
    grand = float(len(children))
    total_hidden = any(h[total_label] for h in hidden.values())
    parts = []
    for name, (counts, _lines) in built.items():
        withheld = hidden[name]
        reasons = _withheld_reasons(counts, withheld, lower, upper)
        shown = counts.mask(withheld.to_numpy())
        percent = (100 * shown / grand).round(1) if grand > 0 and not total_hidden else shown * np.nan
        parts.append(
            pd.DataFrame(
                {
                    "breakdown": name,
                    "group": [g for g, _ in counts.index],
                    "category": [c for _, c in counts.index],
                    "children": shown.to_numpy(),
                    "percent": percent.to_numpy(),
                    "withheld": reasons.to_numpy(),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "period_end", period.end)
    frame.insert(0, "period_start", period.start)
    frame.insert(0, "period", period.name)
    frame.insert(0, "list", list_name)
    frame.insert(0, "topic_id", topic_id)
    return frame.loc[:, PROFILE_COLUMNS]


DRIFT_BANDS = ("within_6_months", "from_6_to_12_months", "over_12_months", "no_referral_found")
DRIFT_COLUMNS = [
    "topic_id",
    "period",
    "period_start",
    "period_end",
    "destination",
    "starts",
    *DRIFT_BANDS,
    "over_6_months",
    "median_days",
    "lower_quartile_days",
    "upper_quartile_days",
    "withheld",
]
DESTINATIONS = {"cp_plan": "child protection plan", "looked_after": "looked after"}


def days_from_referral(referrals: pd.DataFrame, starts: pd.DataFrame, date_column: str) -> pd.DataFrame:
    """Each start with the child's latest referral on or before it and the days between (NaN: no referral)."""
    left = (
        starts[["child_id", date_column]]
        .dropna()
        .rename(columns={date_column: "start"})
        .astype({"start": "datetime64[ns]"})
        .sort_values("start", kind="stable")
    )
    right = (
        referrals[["child_id", "referral_date"]]
        .dropna()
        .astype({"referral_date": "datetime64[ns]"})
        .sort_values("referral_date", kind="stable")
    )
    matched = pd.merge_asof(
        left, right, left_on="start", right_on="referral_date", by="child_id", direction="backward"
    )
    return matched.assign(days=(matched["start"] - matched["referral_date"]).dt.days.astype("float64"))


def drift(
    referrals: pd.DataFrame,
    cp_plans: pd.DataFrame,
    looked_after: pd.DataFrame,
    period: Period,
    *,
    topic_id: str,
    lower: int = 1,
    upper: int = 5,
) -> pd.DataFrame:
    """Days from referral to a child protection plan and to becoming looked after, for starts in the period.

    Returns
    -------
    pandas.DataFrame
        :data:`DRIFT_COLUMNS`, one row per destination: the starts in the period, how many followed their referral
        within 6 months, 6 to 12 months, over 12 months (and over 6 months in all), how many had no referral in
        the lists before them, and the median and quartiles of the days (of starts with a referral).

    Notes
    -----
    The referral is the child's latest one on or before the start (Annex A list 3); a period of care starts on its
    ``care_start_date`` (one start per child and date, whatever the placements); months are calendar months
    (a start more than 6 months after the referral date: later than the referral date plus 6 months). Quartiles:
    pandas' linear interpolation (Hyndman and Fan type 7). Small numbers: the bands add up to the starts and the
    two later bands to "over 6 months", so :func:`analysis.methods.suppression.suppress_breakdown` withholds over
    both; the median and quartiles are withheld when 1 to 5 starts had a referral.
    """
    sources = {
        "cp_plan": (cp_plans, "cp_plan_start_date"),
        "looked_after": (
            looked_after.drop_duplicates(["child_id", "care_start_date"])
            if not looked_after.empty
            else looked_after,
            "care_start_date",
        ),
    }
    records = []
    for key, (table, column) in sources.items():
        if table.empty:
            in_period = table.assign(start=pd.Series(dtype="datetime64[ns]"))
        else:
            dates = pd.to_datetime(table[column])
            in_period = table.loc[dates.between(period.start, period.end)]
        matched = days_from_referral(referrals, in_period, column) if len(in_period) else None
        if matched is None:
            days = pd.Series(dtype="float64")
            six = twelve = pd.Series(dtype=bool)
        else:
            days = matched["days"]
            six = matched["start"] > matched["referral_date"] + pd.DateOffset(months=6)
            twelve = matched["start"] > matched["referral_date"] + pd.DateOffset(months=12)
        has_referral = days.notna()
        counts = pd.Series(
            {
                "starts": float(len(days)),
                "within_6_months": float((has_referral & ~six).sum()),
                "from_6_to_12_months": float((six & ~twelve).sum()),
                "over_12_months": float(twelve.sum()),
                "no_referral_found": float((~has_referral).sum()),
            }
        )
        counts["over_6_months"] = counts["from_6_to_12_months"] + counts["over_12_months"]
        lines: list[Line] = [
            (["within_6_months", "over_6_months", "no_referral_found"], "starts"),
            (["from_6_to_12_months", "over_12_months"], "over_6_months"),
        ]
        hidden = suppress_breakdown(counts, lines, lower=lower, upper=upper)
        with_referral = days.dropna()
        quartiles_hidden = bool(small_count([len(with_referral)], lower=lower, upper=upper).iloc[0])
        reasons = _withheld_reasons(counts, hidden, lower, upper)
        withheld = [f"{name}: {reasons[name]}" for name in counts.index if hidden[name]]
        if quartiles_hidden:
            withheld.append(f"median and quartiles: {WITHHELD_SMALL}")
        shown = counts.mask(hidden.to_numpy())
        empty_or_hidden = quartiles_hidden or with_referral.empty
        records.append(
            {
                "topic_id": topic_id,
                "period": period.name,
                "period_start": period.start,
                "period_end": period.end,
                "destination": DESTINATIONS[key],
                **shown.to_dict(),
                "median_days": math.nan if empty_or_hidden else float(with_referral.median()),
                "lower_quartile_days": math.nan if empty_or_hidden else float(with_referral.quantile(0.25)),
                "upper_quartile_days": math.nan if empty_or_hidden else float(with_referral.quantile(0.75)),
                "withheld": "; ".join(withheld),
            }
        )
    return pd.DataFrame.from_records(records, columns=DRIFT_COLUMNS)


def concat_or_empty(parts: Sequence[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """The parts one after another, or an empty table with these columns."""
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
