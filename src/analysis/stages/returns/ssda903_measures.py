"""Children looked after measures from the SSDA903 return, as DfE defines them for each year ending 31 March.

Sources, function by function: DfE, "Children looked after in England including adoption: methodology" (Explore
Education Statistics, the methodology of the annual release made from the SSDA903), and DfE, "Children looked
after return: guide" (the codes: RNE, LS, PLACE, REC, ACTIV, ACCOM). Figures exclude children looked after under
an agreed series of short-term placements (legal status V3 or V4), as DfE's do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stages.returns.common import (
    Figure,
    in_year,
    open_at,
    percent,
    rate_per_10000,
    year_end,
    year_start,
)
from analysis.stages.returns.ssda903 import Ssda903Return

SHORT_BREAKS = frozenset({"V3", "V4"})
"""Legal statuses of an agreed series of short-term placements (respite), left out of every DfE figure."""
NEW_PLACEMENT = frozenset({"S", "P", "B", "T"})
"""Reasons for a new episode (RNE) that start a new placement: S started to be looked after; P change of placement
and carer(s); B change of legal status and placement at once; T change of placement and legal status at once.
L (legal status only) and U (change of placement type with the same carers) are not placement moves."""
TEMPORARY_PLACEMENTS = frozenset({"T0", "T1", "T2", "T3", "T4"})
"""Temporary placements (holiday, hospital, custody...): DfE does not count them as placement moves."""
PLACED_FOR_ADOPTION = frozenset({"A3", "A4", "A5", "A6"})
ADOPTED = frozenset({"E11", "E12"})
"""Reasons episode ceased (REC): adopted (application unopposed E11, or opposed E12)."""
CARE_CONTINUES = "X1"
"""REC X1: the episode ceased but the child stays looked after (a new episode follows)."""
EET = frozenset({"F1", "P1", "F2", "P2", "F3", "P3"})
"""OC3 ACTIV codes in education, employment or training (full- or part-time: higher education, other education,
training or employment)."""
CARE_LEAVER_AGES = (19, 20, 21)
STABILITY_MIN_CARE = pd.DateOffset(months=30)
STABILITY_MIN_PLACEMENT = pd.DateOffset(years=2)
STABILITY_MAX_AGE = 16


def _episodes(ssda: Ssda903Return) -> pd.DataFrame:
    """Episodes without short breaks, sorted by child and start, each with its placement start and period start.

    A placement starts at an episode whose RNE starts a new placement (not a temporary placement); an episode
    after a legal-status-only change (L), a same-carer change (U) or a temporary placement carries the start of
    the placement before it. A period of care starts at RNE S or wherever an episode does not begin on the day
    the one before ceased (a break in care).
    """
    episodes = ssda.table("episodes")
    episodes = episodes.loc[~episodes["LS"].isin(SHORT_BREAKS) & episodes["DECOM"].notna()]
    episodes = episodes.sort_values(["CHILD", "DECOM"]).reset_index(drop=True)
    previous_end = episodes.groupby("CHILD")["DEC"].shift()
    first = episodes.groupby("CHILD").cumcount().eq(0)
    new_period = _flag(
        first | episodes["RNE"].eq("S") | previous_end.isna() | (previous_end != episodes["DECOM"])
    )
    episodes["period"] = new_period.cumsum()
    episodes["period_start"] = episodes.groupby("period")["DECOM"].transform("min")
    new_placement = new_period | _flag(
        episodes["RNE"].isin(NEW_PLACEMENT) & ~episodes["PLACE"].isin(TEMPORARY_PLACEMENTS)
    )
    episodes["new_placement"] = new_placement
    placement_start = episodes["DECOM"].where(new_placement)
    episodes["placement_start"] = placement_start.groupby(episodes["period"]).ffill()
    return episodes


def _flag(values: pd.Series) -> pd.Series:
    """A mask as plain numpy booleans (missing: False), whatever the dtype of the columns compared."""
    return values.astype("boolean").fillna(False).astype(bool)


def _dob(ssda: Ssda903Return) -> pd.Series:
    header = ssda.table("header").dropna(subset=["CHILD"])
    return header.drop_duplicates("CHILD").set_index("CHILD")["DOB"]


def looked_after_at_31_march(ssda: Ssda903Return) -> pd.DataFrame:
    """The episode of each child looked after at 31 March (DECOM on or before it, DEC blank or after it)."""
    episodes = _episodes(ssda)
    day = year_end(_year(ssda))
    return episodes.loc[open_at(episodes["DECOM"], episodes["DEC"], day)].drop_duplicates(
        "CHILD", keep="last"
    )


def _year(ssda: Ssda903Return) -> int:
    if ssda.collection_year is None:
        raise ValueError("an SSDA903 return without a collection year has no measures")
    return ssda.collection_year


def ssda903_figures(ssda: Ssda903Return, population: float | None) -> list[Figure]:
    """Every SSDA903 measure for the return's collection year (see each helper for its DfE definition)."""
    year = _year(ssda)
    episodes = _episodes(ssda)
    at_end = looked_after_at_31_march(ssda)
    cla = float(len(at_end))
    src = "SSDA903 episodes (DECOM, DEC, LS)"
    figures = [
        Figure("cla_at_31_march", year, cla, None, cla, src),
        Figure(
            "children_looked_after_per_10000", year, cla, population, rate_per_10000(cla, population), src
        ),
    ]
    figures += _flows(episodes, year)
    figures += _stability(ssda, episodes, at_end, year)
    figures += _adoption(ssda, episodes, year)
    figures += _care_leavers(ssda, year)
    figures += _missing(ssda, episodes, year)
    figures += _uasc(ssda, at_end, year)
    return figures


def _flows(episodes: pd.DataFrame, year: int) -> list[Figure]:
    """Children who started and who ceased to be looked after during the year.

    DfE methodology: each child counted once however often they started (or ceased) in the year. A period of care
    starts at its first episode's DECOM; it ends at an episode's DEC whose REC is not X1.
    """
    starts = episodes.loc[
        _flag(episodes["DECOM"].eq(episodes["period_start"]) & in_year(episodes["DECOM"], year))
    ]
    ceased = episodes.loc[_flag(episodes["REC"].ne(CARE_CONTINUES)) & in_year(episodes["DEC"], year)]
    started_n, ceased_n = float(starts["CHILD"].nunique()), float(ceased["CHILD"].nunique())
    return [
        Figure("cla_started_during_year", year, started_n, None, started_n, "SSDA903 episodes (DECOM, RNE)"),
        Figure("cla_ceased_during_year", year, ceased_n, None, ceased_n, "SSDA903 episodes (DEC, REC)"),
    ]


def placements_during_year(episodes: pd.DataFrame, year: int) -> pd.Series:
    """Placements each child had during the year: the one they were in on 1 April (or entered) and each move.

    DfE placement stability measure: changes of legal status only (RNE L), changes of placement with the same
    carers (U) and temporary placements (T0-T4) are not placements.
    """
    start, end = year_start(year), year_end(year)
    overlapping = episodes.loc[
        (episodes["DECOM"] <= end) & (episodes["DEC"].isna() | (episodes["DEC"] > start))
    ]
    first_in_year = overlapping.groupby("CHILD").cumcount().eq(0)
    counted = first_in_year | (overlapping["new_placement"] & (overlapping["DECOM"] >= start))
    return counted.groupby(overlapping["CHILD"]).sum()


def _stability(ssda: Ssda903Return, episodes: pd.DataFrame, at_end: pd.DataFrame, year: int) -> list[Figure]:
    """Short-term (three or more placements) and long-term placement stability at 31 March.

    Short term: of the children looked after at 31 March, the percentage with three or more placements during
    the year. Long term: of the children under 16 at 31 March looked after for 2.5 years or more (continuously:
    the current period of care), the percentage in the same placement for 2 years or more.
    """
    placements = placements_during_year(episodes, year)
    counts = placements.reindex(at_end["CHILD"]).fillna(0)
    three = float((counts >= 3).sum())
    cla = float(len(at_end))
    day = year_end(year)
    dob = _dob(ssda).reindex(at_end["CHILD"]).to_numpy()
    under_16 = pd.Series(dob, index=at_end.index) + pd.DateOffset(years=STABILITY_MAX_AGE) > day
    long_care = at_end["period_start"] <= day - STABILITY_MIN_CARE
    eligible = at_end.loc[under_16 & long_care]
    same = float((eligible["placement_start"] <= day - STABILITY_MIN_PLACEMENT).sum())
    return [
        Figure("lac_three_or_more_placements", year, three, cla, percent(three, cla), "SSDA903 episodes (RNE, PLACE)"),
        Figure(
            "cla_long_term_placement_stability", year, same, float(len(eligible)), percent(same, len(eligible)),
            "SSDA903 header (DOB), episodes (DECOM, RNE, PLACE)",
        ),
    ]  # fmt: skip


def _adoption(ssda: Ssda903Return, episodes: pd.DataFrame, year: int) -> list[Figure]:
    """Children adopted during the year and DfE's adoption timings (adoption scorecard A1 and A2, one year).

    - ``children_leaving_care_adopted``: of the children who ceased to be looked after in the year (last occasion),
      the percentage adopted (REC E11 or E12).
    - A1: average days from entering care (the start of the period of care they were adopted from) to moving in
      with the adoptive family (the start of the placement they were adopted from, traced back through changes
      that kept the same carers, so a child adopted by their foster carers moved in when the fostering began).
    - A2: average days from the placement order (the first episode of the period with legal status E1 or D1) to
      the match with adopters (AD1 DATE_MATCH).
    """
    ceased = episodes.loc[_flag(episodes["REC"].ne(CARE_CONTINUES)) & in_year(episodes["DEC"], year)]
    last = ceased.drop_duplicates("CHILD", keep="last")
    adopted = last.loc[last["REC"].isin(ADOPTED)]
    n_adopted, n_ceased = float(len(adopted)), float(len(last))
    a1_days = (adopted["placement_start"] - adopted["period_start"]).dt.days
    order = episodes.loc[episodes["LS"].isin({"E1", "D1"})].groupby("period")["DECOM"].min()
    ad1 = ssda.table("ad1").dropna(subset=["CHILD"]).drop_duplicates("CHILD", keep="last").set_index("CHILD")
    match = ad1["DATE_MATCH"].reindex(adopted["CHILD"]).to_numpy(dtype="datetime64[s]")
    placement_order = order.reindex(adopted["period"]).to_numpy(dtype="datetime64[s]")
    a2_days = pd.Series((match - placement_order) / np.timedelta64(1, "D")).dropna()
    return [
        Figure("cla_adopted_during_year", year, n_adopted, None, n_adopted, "SSDA903 episodes (DEC, REC)"),
        Figure(
            "children_leaving_care_adopted", year, n_adopted, n_ceased, percent(n_adopted, n_ceased),
            "SSDA903 episodes (DEC, REC)",
        ),
        Figure(
            "adoption_a1_days_entering_care_to_placed", year, float(a1_days.sum()), float(len(a1_days)),
            float(a1_days.mean()) if len(a1_days) else None, "SSDA903 episodes (DECOM, RNE, PLACE, REC)",
        ),
        Figure(
            "adoption_a2_days_placement_order_to_match", year, float(a2_days.sum()), float(len(a2_days)),
            float(a2_days.mean()) if len(a2_days) else None, "SSDA903 episodes (LS, DECOM), ad1 (DATE_MATCH)",
        ),
    ]  # fmt: skip


def care_leaver_age(dob: pd.Series, year: int) -> pd.Series:
    """The age each care leaver reached on their birthday in the collection year (the OC3 cohort is those whose
    19th, 20th or 21st birthday fell in it)."""
    birthday_year = np.where(dob.dt.month >= 4, year - 1, year)
    return pd.Series(birthday_year - dob.dt.year.to_numpy(), index=dob.index)


def _care_leavers(ssda: Ssda903Return, year: int) -> list[Figure]:
    """Care leavers aged 19, 20 and 21 in suitable accommodation and in education, employment or training (OC3).

    DfE: the denominator is every care leaver of the age in the OC3 table (including those the council is not in
    touch with); ACCOM codes ending in 1 are suitable, 2 unsuitable, 0 no information; ACTIV codes F1-P3 are
    education, employment or training. ``care_leavers_in_...`` are all ages 19-21 together.
    """
    oc3 = ssda.table("oc3").dropna(subset=["CHILD"])
    dob = oc3["DOB"].where(oc3["DOB"].notna(), oc3["CHILD"].map(_dob(ssda)))
    ages = care_leaver_age(pd.to_datetime(dob), year)
    suitable = _flag(oc3["ACCOM"].str.endswith("1"))
    eet = oc3["ACTIV"].isin(EET)
    figures: list[Figure] = []
    src_acc, src_eet = "SSDA903 oc3 (ACCOM, DOB)", "SSDA903 oc3 (ACTIV, DOB)"
    groups = [("", ages.isin(CARE_LEAVER_AGES))] + [(f"_age_{a}", ages.eq(a)) for a in CARE_LEAVER_AGES]
    for suffix, cohort in groups:
        n = float(cohort.sum())
        s, e = float((suitable & cohort).sum()), float((eet & cohort).sum())
        figures.append(
            Figure(f"care_leavers_in_suitable_accommodation{suffix}", year, s, n, percent(s, n), src_acc)
        )
        figures.append(
            Figure(
                f"care_leavers_in_education_employment_training{suffix}", year, e, n, percent(e, n), src_eet
            )
        )
    return figures


def _missing(ssda: Ssda903Return, episodes: pd.DataFrame, year: int) -> list[Figure]:
    """Children who went missing (MISSING M) or were away without authorisation (A) during the year.

    DfE methodology: as a percentage of all children looked after at any time in the year; incidents counted by
    their start date (MIS_START) in the year.
    """
    start, end = year_start(year), year_end(year)
    during = episodes.loc[(episodes["DECOM"] <= end) & (episodes["DEC"].isna() | (episodes["DEC"] >= start))]
    looked_after = float(during["CHILD"].nunique())
    missing = ssda.table("missing")
    missing = missing.loc[in_year(missing["MIS_START"], year) & missing["CHILD"].isin(during["CHILD"])]
    src = "SSDA903 missing (MISSING, MIS_START), episodes"
    figures = []
    for code, measure in (
        ("M", "cla_missing_during_year"),
        ("A", "cla_away_without_authorisation_during_year"),
    ):
        rows = missing.loc[_flag(missing["MISSING"].eq(code))]
        children, incidents = float(rows["CHILD"].nunique()), float(len(rows))
        figures.append(Figure(measure, year, children, looked_after, percent(children, looked_after), src))
        figures.append(
            Figure(f"{measure.removesuffix('_during_year')}_incidents", year, incidents, None, incidents, src)
        )
    return figures


def _uasc(ssda: Ssda903Return, at_end: pd.DataFrame, year: int) -> list[Figure]:
    """Unaccompanied asylum-seeking children among those looked after at 31 March: a UASC record whose date UASC
    ceased (DUC) is blank or after 31 March."""
    uasc = ssda.table("uasc")
    current = uasc.loc[uasc["DUC"].isna() | (uasc["DUC"] > year_end(year)), "CHILD"]
    n, cla = float(at_end["CHILD"].isin(current).sum()), float(len(at_end))
    return [Figure("cla_uasc_at_31_march", year, n, cla, percent(n, cla), "SSDA903 uasc (DUC), episodes")]


def with_history(current: Ssda903Return, earlier: list[Ssda903Return]) -> Ssda903Return:
    """The year's return with the episodes and header rows of earlier years' returns added (DfE links each year's
    return to the years before to see a child's whole period of care). An episode in several returns is kept as
    the latest return has it (last year's open episode has its end date this year)."""
    if not earlier:
        return current
    combined = Ssda903Return(current.collection_year, dict(current.tables), [])
    for name, key in (("episodes", ["CHILD", "DECOM"]), ("header", ["CHILD"])):
        frames = [r.table(name) for r in earlier] + [current.table(name)]
        stacked = (
            pd.concat([f for f in frames if len(f)], ignore_index=True)
            if any(len(f) for f in frames)
            else None
        )
        if stacked is not None:
            combined.tables[name] = stacked.drop_duplicates(key, keep="last").reset_index(drop=True)
    return combined


def care_begun_before_data(ssda: Ssda903Return) -> int:
    """Children looked after at 31 March whose first episode read does not start a period of care (RNE S): their
    care began before the earliest return read, so long-term stability and adoption timings may understate."""
    episodes = _episodes(ssda)
    first = episodes.drop_duplicates("CHILD")
    unknown = set(first.loc[_flag(first["RNE"].ne("S")), "CHILD"])
    return int(looked_after_at_31_march(ssda)["CHILD"].isin(unknown).sum())
