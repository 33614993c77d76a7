"""The demo authority's statutory returns, written from the same simulated case histories as its Annex A lists.

For each collection year (2013-14 and 2014-15 by default) ``returns/<year>/`` holds the SSDA903 CSV tables
(header, episodes, ad1, placed_for_adoption, oc3; headings as DfE's guidance, dates dd/mm/yyyy) and the CIN census
XML (elements as DfE's schema for 2016-17, the earliest the project holds: the 2013-14 and 2014-15 censuses had
the same modules). The same child identifiers as the Annex A lists are used, so pseudonyms link.

What each return holds follows DfE's guidance: the SSDA903 episodes open at any time in the year (an episode still
open on 31 March has no end date), the CIN census episodes open at any time in the year with their assessments,
section 47 enquiries and plans (dates after 31 March left out).
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from analysis.stages.returns.common import year_end, year_label, year_start
from demo_data.case_histories import CaseHistories

COLLECTION_YEARS = (2014, 2015)
SEX = {"male": "1", "female": "2"}
"""SSDA903 SEX: 1 male, 2 female (the return has no other code; the demo's few others are written 1)."""
GENDER_CURRENT = {"male": "1", "female": "2", "unknown": "0", "indeterminate": "9"}
REFERRAL_SOURCE = {
    "Police": "6", "Schools": "2A", "Health services": "3F", "LA services": "5A", "Individual": "1A",
    "Other": "8", "Anonymous": "9", "Housing": "4", "Other legal agency": "7", "Unknown": "10",
}  # fmt: skip
ABUSE = {
    "Neglect": "NEG",
    "Emotional abuse": "EMO",
    "Physical abuse": "PHY",
    "Sexual abuse": "SAB",
    "Multiple": "MUL",
}
ACTIVITY = {"Education": "F2", "Training": "F3", "Employment": "F3", "NEET": "G6", "Not known": "0"}
CARE_CONTINUES = "X1"
LEGAL_STATUS_CHANGE, PLACEMENT_CHANGE, STARTED = "L", "P", "S"


def _dmy(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.strftime("%d/%m/%Y").fillna("")


def _shown(values: pd.Series, collection_year: int) -> pd.Series:
    """Dates after 31 March of the collection year are not yet known to that year's return."""
    dates = pd.to_datetime(values)
    return dates.where(dates <= year_end(collection_year))


def _overlaps(start: pd.Series, end: pd.Series, collection_year: int) -> pd.Series:
    return (start <= year_end(collection_year)) & (end.isna() | (end >= year_start(collection_year)))


def care_episodes_903(h: CaseHistories) -> pd.DataFrame:
    """Every SSDA903 episode of the simulated care histories (dates as known at the extract).

    A placement is an episode (RNE S for the first of a period of care, P for a move); where a placement order
    is made during a placement, the placement is split there into a second episode with RNE L (legal status
    change only: not a placement move) and legal status E1. REC is X1 between episodes, the period's reason at
    its end.
    """
    pl = h.placements.copy()
    period = h.care_episodes.iloc[pl["episode"].to_numpy()].reset_index(drop=True)
    pl = pl.reset_index(drop=True)
    first = pl["episode"].ne(pl["episode"].shift())
    pl["RNE"] = np.where(first, STARTED, PLACEMENT_CHANGE)
    period_end = pd.to_datetime(period["end"])
    pl["REC"] = np.where(pl["end"].notna() & pl["end"].eq(period_end), period["reason"], CARE_CONTINUES)
    pl.loc[pl["end"].isna(), "REC"] = None
    order = pd.to_datetime(period["placement_order"])
    split = order.notna() & (order > pl["start"]) & (pl["end"].isna() | (order < pl["end"]))
    before = pl.loc[split].assign(end=order[split], REC=CARE_CONTINUES)
    after = pl.loc[split].assign(start=order[split], RNE=LEGAL_STATUS_CHANGE, legal_status="E1")
    episodes = pd.concat([pl.loc[~split], before, after]).sort_values(["child", "start"], kind="stable")
    return episodes.reset_index(drop=True)


def ssda903_tables(h: CaseHistories, collection_year: int, episodes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The SSDA903 tables for one collection year, with DfE's headings."""
    ids = h.children["child_id"].to_numpy()
    year_episodes = episodes.loc[_overlaps(episodes["start"], episodes["end"], collection_year)]
    end = _shown(year_episodes["end"], collection_year)
    episodes_table = pd.DataFrame(
        {
            "CHILD": ids[year_episodes["child"].to_numpy()],
            "DECOM": _dmy(year_episodes["start"]),
            "RNE": year_episodes["RNE"].to_numpy(),
            "LS": year_episodes["legal_status"].to_numpy(),
            "CIN": "N1",
            "PLACE": year_episodes["placement_type"].to_numpy(),
            "PLACE_PROVIDER": "PR1",
            "DEC": _dmy(end).to_numpy(),
            "REC": year_episodes["REC"].where(end.notna()).fillna("").to_numpy(),
            "REASON_PLACE_CHANGE": "",
            "HOME_POST": "",
            "PL_POST": "",
            "URN": "",
        }
    )
    adopted = h.adoptions.loc[
        pd.to_datetime(h.adoptions["end"]).between(year_start(collection_year), year_end(collection_year))
    ]
    dob = h.children["dob"].to_numpy()
    ad1 = pd.DataFrame(
        {
            "CHILD": ids[adopted["child"].to_numpy()],
            "DOB": _dmy(pd.Series(dob[adopted["child"].to_numpy()])).to_numpy(),
            "DATE_INT": _dmy(adopted["decision"]).to_numpy(),
            "DATE_MATCH": _dmy(adopted["matched"]).to_numpy(),
            "FOSTER_CARE": "0",
            "NB_ADOPTR": "2",
            "SEX_ADOPTR": "MF",
            "LS_ADOPTR": "L0",
        }
    )
    placed = h.adoptions.loc[
        _overlaps(pd.to_datetime(h.adoptions["placed"]), pd.to_datetime(h.adoptions["end"]), collection_year)
    ]
    placed_ceased = _shown(placed["end"], collection_year)
    placed_for_adoption = pd.DataFrame(
        {
            "CHILD": ids[placed["child"].to_numpy()],
            "DOB": _dmy(pd.Series(dob[placed["child"].to_numpy()])).to_numpy(),
            "DATE_PLACED": _dmy(placed["placed"]).to_numpy(),
            "DATE_PLACED_CEASED": _dmy(placed_ceased).to_numpy(),
            "REASON_PLACED_CEASED": "",
        }
    )
    oc3 = _oc3(h, collection_year)
    return {
        "header": _header(h, [episodes_table, oc3, ad1, placed_for_adoption]),
        "episodes": episodes_table,
        "ad1": ad1,
        "placed_for_adoption": placed_for_adoption,
        "oc3": oc3,
    }


def _header(h: CaseHistories, tables: list[pd.DataFrame]) -> pd.DataFrame:
    """One header row for every child in any of the year's tables (DfE: the header lists every child returned)."""
    ids = pd.unique(pd.concat([t["CHILD"] for t in tables]))
    kids = h.children.set_index("child_id").loc[ids]
    return pd.DataFrame(
        {
            "CHILD": ids,
            "SEX": kids["gender"].map(SEX).fillna("1").to_numpy(),
            "DOB": _dmy(kids["dob"]).to_numpy(),
            "ETHNIC": kids["ethnicity"].to_numpy(),
            "UPN": "",
            "MOTHER": "",
            "MC_DOB": "",
        }
    )


def _oc3(h: CaseHistories, collection_year: int) -> pd.DataFrame:
    """Care leavers whose 19th, 20th or 21st birthday fell in the year, as recorded at the birthday contact."""
    from analysis.stages.returns.ssda903_measures import CARE_LEAVER_AGES, care_leaver_age

    leavers = h.care_leavers
    dob = pd.Series(h.children["dob"].to_numpy()[leavers["child"].to_numpy()], index=leavers.index)
    contact = pd.to_datetime(leavers["contact_date"])
    age_at_contact = ((contact - pd.to_datetime(dob)).dt.days + 42) // 365.25
    age = care_leaver_age(pd.to_datetime(dob), collection_year)
    rows = leavers.loc[age.isin(CARE_LEAVER_AGES) & age.eq(age_at_contact)].drop_duplicates("child")
    suitable = rows["suitable"].map({True: "U1", False: "U2"}).fillna("0")
    return pd.DataFrame(
        {
            "CHILD": h.children["child_id"].to_numpy()[rows["child"].to_numpy()],
            "DOB": _dmy(dob.loc[rows.index]).to_numpy(),
            "IN_TOUCH": np.where(rows["in_touch"].to_numpy(), "YES", "NO"),
            "ACTIV": rows["activity"].map(ACTIVITY).fillna("0").to_numpy(),
            "ACCOM": np.where(rows["in_touch"].to_numpy(), suitable.to_numpy(), "0"),
        }
    )


def _tag(tag: str, values: pd.Series | np.ndarray | str) -> pd.Series | str:
    """``<tag>value</tag>`` for each value (text, already safe)."""
    return f"<{tag}>" + values + f"</{tag}>"


def _dates(tag: str, values: pd.Series, known_by: pd.Timestamp) -> pd.Series:
    """The element for each date known by ``known_by`` (ISO, as the schema's xs:date), else nothing."""
    dates = pd.to_datetime(values)
    text = dates.dt.strftime("%Y-%m-%d")
    return pd.Series(np.where(dates.notna() & (dates <= known_by), _tag(tag, text), ""), index=values.index)


def _joined(strings: pd.Series, by: pd.Series) -> pd.Series:
    """The strings joined within each group (in order), indexed by the group key."""
    return strings.groupby(by.to_numpy(), sort=False).agg("".join)


def cin_census_xml(h: CaseHistories, collection_year: int) -> str:
    """The CIN census for one collection year: every CIN episode open in the year, with its modules.

    Built column-wise (one string per record, joined per episode and child) so that a million-row demo stays
    quick.
    """
    day = year_end(collection_year)
    cin = h.children_in_need
    cin = cin.loc[_overlaps(pd.to_datetime(cin["start"]), pd.to_datetime(cin["end"]), collection_year)]
    a = h.assessments.loc[pd.to_datetime(h.assessments["start"]) <= day]
    assessments = _tag(
        "Assessments",
        _dates("AssessmentActualStartDate", a["start"], day)
        + _dates("AssessmentAuthorisationDate", a["authorised"], day),
    )
    s = h.section47.loc[pd.to_datetime(h.section47["strategy"]) <= day]
    not_required = s["icpc_not_required"].fillna(False).astype(bool).astype(int).astype(str)
    section47 = _tag(
        "Section47",
        _dates("S47ActualStartDate", s["strategy"], day) + _dates("DateOfInitialCPC", s["icpc"], day)
        + _tag("ICPCnotRequired", not_required),
    )  # fmt: skip
    p = h.cp_plans.loc[pd.to_datetime(h.cp_plans["start"]) <= day]
    category = p["category"].map(ABUSE).fillna("MUL")
    plans = _tag(
        "ChildProtectionPlans",
        _dates("CPPstartDate", p["start"], day) + _dates("CPPendDate", p["end"], day)
        + _tag("InitialCategoryOfAbuse", category) + _tag("LatestCategoryOfAbuse", category)
        + _tag("NumberOfPreviousCPP", p["previous"].astype(int).astype(str)),
    )  # fmt: skip
    plan_referral = pd.Series(h.section47["referral"].to_numpy()[p["s47"].to_numpy()], index=p.index)
    referral = cin["referral"]
    closed = pd.to_datetime(cin["end"]).notna() & (pd.to_datetime(cin["end"]) <= day)
    source = h.referrals["source"].to_numpy()[referral.to_numpy()]
    episodes = _tag(
        "CINdetails",
        _dates("CINreferralDate", cin["start"], day)
        + _tag("ReferralSource", pd.Series(source, index=cin.index).map(REFERRAL_SOURCE).fillna("10"))
        + _tag("PrimaryNeedCode", cin["primary_need"].astype(str))
        + _dates("CINclosureDate", cin["end"], day) + np.where(closed, "<ReasonForClosure>RC8</ReasonForClosure>", "")
        + referral.map(_joined(assessments, a["referral"])).fillna("")
        + referral.map(_joined(section47, s["referral"])).fillna("")
        + "<ReferralNFA>0</ReferralNFA>"
        + referral.map(_joined(plans, plan_referral)).fillna(""),
    )  # fmt: skip
    by_child = _joined(episodes, cin["child"])
    kids = h.children.iloc[by_child.index.to_numpy()]
    born = pd.to_datetime(kids["dob"]) <= day
    birth = _dates("PersonBirthDate", kids["dob"], day)
    expected = _dates("ExpectedPersonBirthDate", kids["dob"], pd.Timestamp.max)
    identifiers = (
        _tag("LAchildID", kids["child_id"].astype(str).map(escape)) + np.where(born, birth, expected)
        + _tag("GenderCurrent", kids["gender"].map(GENDER_CURRENT).fillna("0"))
    )  # fmt: skip
    children = (
        "<Child>" + _tag("ChildIdentifiers", identifiers)
        + _tag("ChildCharacteristics", _tag("Ethnicity", kids["ethnicity"].astype(str)))
        + by_child.to_numpy() + "</Child>\n"
    )  # fmt: skip
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Message><Header><CollectionDetails><Collection>CIN</Collection>'
        f"<Year>{collection_year}</Year><ReferenceDate>{day:%Y-%m-%d}</ReferenceDate></CollectionDetails>"
        "<Source><SourceLevel>L</SourceLevel><LEA>887</LEA><SoftwareCode>synthetic demonstration data"
        "</SoftwareCode></Source></Header><Children>\n"
    )
    return head + "".join(children.tolist()) + "</Children></Message>\n"


def write_returns(h: CaseHistories, folder: Path, years: tuple[int, ...] = COLLECTION_YEARS) -> list[Path]:
    """Write both returns for each collection year into ``folder/<2014-15>/``; the paths written."""
    written: list[Path] = []
    episodes = care_episodes_903(h)
    for year in years:
        target = Path(folder) / year_label(year)
        target.mkdir(parents=True, exist_ok=True)
        for name, table in ssda903_tables(h, year, episodes).items():
            path = target / f"ssda903_{name}.csv"
            table.to_csv(path, index=False)
            written.append(path)
        path = target / "cin_census.xml"
        path.write_text(cin_census_xml(h, year), encoding="utf-8")
        written.append(path)
    return written
