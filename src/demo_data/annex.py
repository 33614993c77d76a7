"""The Annex A lists as a case system would export them, dirty in the small ways real extracts are.

Headings are those of Ofsted's current Annex A template (:data:`analysis.inputs.annex_a.ANNEX_A_LISTS`), for the columns
the demo simulates, so the demo runs the path a real workbook takes. One column is not in the current template:
List 8 keeps one row per placement with its ``Placement End Date`` (as earlier templates and many authorities'
exports have it), because placement stability cannot be computed without it. The dirt (all deterministic for a
seed, and well under 1% of rows): exact duplicate rows; dates as ``dd/mm/yyyy`` text or Excel serial numbers among
real dates; coded values written in several styles (``a) Male``, ``Male``, ``M``, ``m``; ``a) WBRI``, ``WBRI``);
``#N/A`` cells; stray and non-breaking spaces; a blank row above the header of List 4; earlier heading wordings on
List 7 (``Child ID``, ``DOB``); a few impossible dates (an assessment authorised before it started, a case closed in
2099).
"""

from __future__ import annotations

import logging
from datetime import datetime

import numpy as np
import pandas as pd

from analysis.inputs.annex_a import ANNEX_A_LISTS, AnnexAList
from demo_data import calibration as cal
from demo_data.case_histories import CaseHistories

logger = logging.getLogger(__name__)


EXCEL_EPOCH = np.datetime64("1899-12-30")


#: Share of rows given each kind of dirt (see the module docstring).
DIRT = {
    "duplicate": 0.0015,
    "text_date": 0.003,
    "serial_date": 0.002,
    "code_variant": 0.003,
    "na": 0.001,
    "space": 0.002,
}


#: Text columns given "#N/A" markers and stray spaces.
DIRTY_TEXT = {"contact_source", "referral_source"}


#: Statutory review timescales: Working Together to Safeguard Children (2015), chapter 1: the first child
#: protection review conference within three months of the initial conference, then at least every six months;
#: Care Planning, Placement and Case Review (England) Regulations 2010, reg. 33: the first looked-after review
#: within 20 working days (about four weeks), the second within three months of it, then every six months.
FIRST_REVIEW_CONFERENCE_DAYS, REVIEW_CONFERENCE_INTERVAL_DAYS = 91, 182


FIRST_LAC_REVIEW_DAYS, LAC_REVIEW_INTERVAL_DAYS = 28, 182


#: Care leavers' activity in the SSDA903 codes of Annex A list 9's "Activity Status".
ACTIVITY_STATUS = {
    "Education": "F2: Full time in education other than higher",
    "Training": "F4: Young person engaged full time in an apprenticeship",
    "Employment": "F5: Young person engaged full time in training or employment (not apprenticeship)",
    "NEET": "G5: Not in education, employment or training - other",
}


GENDER_STYLES = {
    "option": {
        "male": "a) Male",
        "female": "b) Female",
        "unknown": "c) Not known",
        "indeterminate": "d) Indeterminate",
    },
    "word": {"male": "Male", "female": "Female", "unknown": "Unknown", "indeterminate": "Indeterminate"},
    "letter": {"male": "M", "female": "F", "unknown": "U", "indeterminate": "I"},
}


GENDER_VARIANTS = {
    "male": ["m", "Male", "M", "a) Male"],
    "female": ["f", "Female", "F", "b) Female"],
    "unknown": ["U", "Unknown"],
    "indeterminate": ["I", "Indeterminate"],
}


LIST_GENDER_STYLE = {
    1: "option",
    2: "option",
    3: "option",
    4: "option",
    5: "option",
    6: "word",
    7: "word",
    8: "word",
    9: "letter",
    10: "letter",
}


LIST_OPTION_ETHNICITY = {1, 3, 5, 7, 9}


LIST_OPTION_YES_NO = {3, 4, 5}


TEAMS_BEFORE = np.array(["Referral and Assessment", "Children in Need", "Child Protection"])


TEAMS_AFTER = np.array(["CADS and Assessment", "CIN and CP", "IFSS"])


def _in_window(*dates: pd.Series) -> np.ndarray:
    """Rows with any of the dates on or after the window start, or still open (the first date given is required)."""
    keep = np.zeros(len(dates[0]), dtype=bool)
    for series in dates:
        keep |= (series >= pd.Timestamp(cal.WINDOW_START)).to_numpy() | series.isna().to_numpy()
    return keep & (dates[0] <= pd.Timestamp(cal.EXTRACT_DATE)).to_numpy() & dates[0].notna().to_numpy()


def _referrals_last_12_months(referrals: pd.DataFrame) -> np.ndarray:
    """Referrals of the same child in the 12 months up to and including each referral."""
    days = referrals["referral_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    key = referrals["child"].to_numpy() * 100_000 + (days - days.min())
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    counts = np.empty(len(key), dtype=np.int64)
    counts[order] = np.arange(len(key)) - np.searchsorted(sorted_key, sorted_key - 365, side="left") + 1
    return counts


def _yes_no(values: np.ndarray) -> np.ndarray:
    return np.where(pd.isna(values), None, np.where(values.astype(bool), "Yes", "No")).astype(object)  # type: ignore[call-overload]  # numpy's stubs omit None, which where() takes as an object scalar


def list_frames(histories: CaseHistories, seed: int) -> dict[int, pd.DataFrame]:
    """Each Annex A list as a frame with the template's headings and clean values (dates as ``datetime64``)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 11]))
    h = histories
    workers = np.array([f"SW{n:04d}" for n in range(1, 121)])
    advisers = np.array([f"PA{n:03d}" for n in range(1, 16)])

    def team(days: pd.Series) -> np.ndarray:
        after = (days >= pd.Timestamp(cal.REALIGNMENT)).to_numpy()
        return np.where(after, rng.choice(TEAMS_AFTER, len(days)), rng.choice(TEAMS_BEFORE, len(days)))

    frames: dict[int, pd.DataFrame] = {}
    c = h.contacts[_in_window(h.contacts["contact_date"])]
    frames[1] = pd.DataFrame(
        {"child": c["child"], "Date of Contact": c["contact_date"], "Contact Source": c["source"]}
    )
    e = h.early_help[_in_window(h.early_help["start"])]
    frames[2] = pd.DataFrame(
        {
            "child": e["child"],
            "Assessment start date": e["start"],
            "Assessment completion date": e["completed"],
            "Organisation completing assessment": e["organisation"],
        }
    )
    r = h.referrals.assign(last12=_referrals_last_12_months(h.referrals))
    assessed = np.zeros(len(r), dtype=bool)
    assessed[h.assessments["referral"].to_numpy()] = True
    r = r.assign(nfa=~assessed)[_in_window(r["referral_date"])]
    frames[3] = pd.DataFrame(
        {
            "child": r["child"],
            "Date of referral": r["referral_date"],
            "Referral Source": r["source"],
            "Referral NFA?": _yes_no(r["nfa"].to_numpy()),
            "Number of Referrals in Last 12 Months": r["last12"],
            "Allocated Team": team(r["referral_date"]),
            "Allocated Worker": rng.choice(workers, len(r)),
        }
    )
    a = h.assessments[_in_window(h.assessments["start"], h.assessments["authorised"])]
    frames[4] = pd.DataFrame(
        {
            "child": a["child"],
            "Does the Child have a Disability": _yes_no(a["disability"].to_numpy()),
            "Continuous Assessment Start Date": a["start"],
            "Child Seen During Continuous Assessment": _yes_no(a["child_seen"].to_numpy()),
            "Continuous Assessment Date of Authorisation": a["authorised"],
            "Was the child assessed as requiring LA children's social care support?": np.where(  # type: ignore[call-overload]  # numpy's stubs omit None, which where() takes as an object scalar
                a["authorised"].isna(), None, _yes_no(a["needs_support"].to_numpy())
            ),
            "Allocated Team": team(a["start"]),
            "Allocated Worker": rng.choice(workers, len(a)),
        }
    )
    s = h.section47[_in_window(h.section47["strategy"], h.section47["icpc"])]
    frames[5] = pd.DataFrame(
        {
            "child": s["child"],
            "Strategy discussion initiating Section 47 Enquiry Start Date": s["strategy"],
            "Was an Initial Child Protection Conference deemed unnecessary?": _yes_no(
                s["icpc_not_required"].to_numpy()
            ),
            "Date of Initial Child Protection Conference": s["icpc"],
            "Did the Initial Child Protection Conference Result in a Child Protection Plan": _yes_no(
                s["plan"].to_numpy()
            ),
            "Allocated Team": team(s["strategy"]),
            "Allocated Worker": rng.choice(workers, len(s)),
        }
    )
    n = h.children_in_need[_in_window(h.children_in_need["start"], h.children_in_need["end"])]
    n = n[(n["end"].isna() | (n["end"] >= pd.Timestamp(cal.WINDOW_START))).to_numpy()]
    frames[6] = pd.DataFrame(
        {
            "child": n["child"],
            "CIN Start Date": n["start"],
            "Primary Need Code": n["primary_need"],
            "CIN Closure Date": n["end"],
            "Allocated Team": team(n["start"]),
            "Allocated Worker": rng.choice(workers, len(n)),
        }
    )
    p = h.cp_plans[
        (h.cp_plans["end"].isna() | (h.cp_plans["end"] >= pd.Timestamp(cal.WINDOW_START))).to_numpy()
    ]
    frames[7] = pd.DataFrame(
        {
            "child": p["child"],
            "Allocated Team": team(p["start"]),
            "Allocated Worker": rng.choice(workers, len(p)),
            "Child Protection Plan Start Date": p["start"],
            "Initial Category of Abuse": p["category"],
            "Date of the Last Statutory Visit": _last_visit(rng, p["start"], p["end"], 15),
            "Date of latest review conference": _latest_review(
                p["start"], p["end"], FIRST_REVIEW_CONFERENCE_DAYS, REVIEW_CONFERENCE_INTERVAL_DAYS
            ),
            "Child Protection Plan End Date": p["end"],
            "Number of Previous Child Protection Plans": p["previous"],
        }
    )
    pl = h.placements[
        (h.placements["end"].isna() | (h.placements["end"] >= pd.Timestamp(cal.WINDOW_START))).to_numpy()
    ]
    episode = h.care_episodes.iloc[pl["episode"].to_numpy()]
    frames[8] = pd.DataFrame(
        {
            "child": pl["child"].to_numpy(),
            "Date Started to be Looked After": episode["start"].to_numpy(),
            "Child's Legal Status": pl["legal_status"].to_numpy(),
            "Date of Latest Statutory Review": _latest_review(
                episode["start"], episode["end"], FIRST_LAC_REVIEW_DAYS, LAC_REVIEW_INTERVAL_DAYS
            ),
            "Date of Last Social Work Visit": _last_visit(rng, episode["start"], episode["end"], 40),
            "Date Ceased to be Looked After": episode["end"].to_numpy(),
            "Reason Ceased to be Looked After": episode["reason"].to_numpy(),
            "Start Date of Most Recent Placement": pl["start"].to_numpy(),
            "Placement End Date": pl["end"].to_numpy(),
            "Placement Type": pl["placement_type"].to_numpy(),
            "Placement Postcode": pl["postcode"].to_numpy(),
            "Allocated Worker": rng.choice(workers, len(pl)),
        }
    )
    cl = h.care_leavers[_in_window(h.care_leavers["contact_date"])]
    frames[9] = pd.DataFrame(
        {
            "child": cl["child"],
            "Allocated Personal Advisor": rng.choice(advisers, len(cl)),
            "LA in Touch": np.where(cl["in_touch"].to_numpy(), "a) Yes", "b) No"),
            "Latest Date of Contact": cl["contact_date"],
            "Suitability of Accommodation": pd.Series(cl["suitable"].to_numpy())
            .map({True: "a) Suitable", False: "b) Unsuitable"})
            .to_numpy(),
            "Activity Status": pd.Series(cl["activity"].to_numpy()).map(ACTIVITY_STATUS).to_numpy(),
        }
    )
    ad = h.adoptions[_in_window(h.adoptions["decision"], h.adoptions["adopted"])]
    frames[10] = pd.DataFrame(
        {
            "child": ad["child"],
            "Date the Child Entered Care": ad["start"],
            "Date of Decision that Child Should be Placed for Adoption": ad["decision"],
            "Date of Placement Order": ad["placement_order"],
            "Date of Matching Child and Prospective Adopters": ad["matched"],
            "Date Placed for Adoption": ad["placed"],
            "Date of Adoption Order": ad["adopted"],
        }
    )
    adopters = h.adopters[_in_window(h.adopters["enquiry"], h.adopters["approved"], h.adopters["matched"])]
    numbers = rng.choice(np.arange(10_000, 100_000), size=len(adopters), replace=False)
    frames[11] = pd.DataFrame(
        {
            "Individual adopter identifier": [f"AD{x}" for x in numbers],
            "Date enquiry received": adopters["enquiry"],
            "Date application approved": adopters["approved"],
            "Date adopter matched with child(ren)": adopters["matched"],
        }
    )
    return {k: _with_child_columns(v, h, k) for k, v in frames.items()}


def child_ids(count: int, seed: int) -> np.ndarray:
    """Case-system style identifiers (``MC123456``), unique per child, seven digits when there are many children."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 12]))
    high = max(900_000, 3 * count)
    numbers = rng.choice(high, size=count, replace=False) + 100_000
    return np.char.add("MC", numbers.astype(str))


def _with_child_columns(frame: pd.DataFrame, h: CaseHistories, number: int) -> pd.DataFrame:
    if "child" not in frame:
        return frame.reset_index(drop=True)
    child = frame["child"].to_numpy()
    children = h.children
    ids = h.children["child_id"].to_numpy() if "child_id" in children else None
    dob = children["dob"].to_numpy()[child]
    age = ((np.datetime64(cal.EXTRACT_DATE) - dob.astype("datetime64[D]")).astype(int) // 365.25).astype(int)
    out = pd.DataFrame(
        {
            "Child Unique ID": ids[child] if ids is not None else child,
            "Gender": children["gender"].to_numpy()[child],
            "Ethnicity": children["ethnicity"].to_numpy()[child],
            "Date of Birth": dob,
            "Age of Child (Years)": age,
        }
    )
    rest = frame.drop(columns="child").reset_index(drop=True)
    out = pd.concat([out, rest], axis=1)
    spec = next(s for s in ANNEX_A_LISTS if s.number == number)
    return out[[c.heading for c in spec.columns if c.heading in out]]


def _latest_review(start: pd.Series, end: pd.Series, first_days: int, interval_days: int) -> np.ndarray:
    """The latest review due by the plan's (or care's) end or the extract date, on schedule: the first
    ``first_days`` after the start, then every ``interval_days``; empty before the first is due."""
    starts = pd.to_datetime(pd.Series(np.asarray(start))).to_numpy()
    ends = pd.to_datetime(pd.Series(np.asarray(end))).fillna(pd.Timestamp(cal.EXTRACT_DATE)).to_numpy()
    ends = np.minimum(ends, np.datetime64(pd.Timestamp(cal.EXTRACT_DATE)))
    elapsed = (ends - starts).astype("timedelta64[D]").astype("int64")
    held = np.where(elapsed >= first_days, 1 + (elapsed - first_days) // interval_days, 0)
    offset = first_days + (held - 1) * interval_days
    latest = starts + offset.astype("timedelta64[D]")
    return np.where(held > 0, latest, np.datetime64("NaT"))


def _last_visit(rng: np.random.Generator, start: pd.Series, end: pd.Series, within_days: int) -> np.ndarray:
    """A statutory visit within ``within_days`` before the end (or the extract date), not before the start."""
    starts = pd.to_datetime(pd.Series(np.asarray(start))).to_numpy()
    ends = pd.to_datetime(pd.Series(np.asarray(end))).fillna(pd.Timestamp(cal.EXTRACT_DATE)).to_numpy()
    ends = np.minimum(ends, np.datetime64(pd.Timestamp(cal.EXTRACT_DATE)))
    visit = ends - rng.integers(0, within_days, size=len(ends)).astype("timedelta64[D]")
    return np.maximum(visit, starts)


def _date_columns(spec: AnnexAList) -> list[str]:
    return [c.heading for c in spec.columns if c.kind in {"date", "date_of_birth"}]


def dirty(frames: dict[int, pd.DataFrame], seed: int, *, as_text_dates: bool) -> dict[int, pd.DataFrame]:
    """Cells as a case system exports them: styled codes, mixed date forms, and a little dirt (module docstring).

    Dates become ``datetime`` objects (workbook) or ``dd/mm/yyyy`` text (CSV), a few as text or Excel serials.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 13]))
    out: dict[int, pd.DataFrame] = {}
    for spec in ANNEX_A_LISTS:
        frame = frames[spec.number]
        n = len(frame)
        cells: dict[str, np.ndarray] = {}
        columns = [c for c in spec.columns if c.heading in frame]
        for column in columns:
            values = frame[column.heading].to_numpy()
            if column.heading in _date_columns(spec):
                cells[column.heading] = _date_cells(rng, values, as_text_dates)
            else:
                cells[column.heading] = np.where(pd.isna(values), None, values).astype(object)  # type: ignore[attr-defined]  # numpy's stubs omit None, which where() takes as an object scalar
        if "Gender" in cells:
            cells["Gender"] = _gender_cells(rng, cells["Gender"], LIST_GENDER_STYLE.get(spec.number, "word"))
        if "Ethnicity" in cells and spec.number in LIST_OPTION_ETHNICITY:
            cells["Ethnicity"] = np.char.add("a) ", cells["Ethnicity"].astype(str)).astype(object)
        for column in columns:
            if column.kind == "yes_no" and spec.number in LIST_OPTION_YES_NO:
                values = cells[column.heading]
                cells[column.heading] = np.where(
                    values == "Yes", "a) Yes", np.where(values == "No", "b) No", values)
                )
        text_columns = [c.heading for c in columns if c.kind == "text" and c.column in DIRTY_TEXT]
        for heading in text_columns:
            values = cells[heading]
            na = rng.random(n) < DIRT["na"]
            space = rng.random(n) < DIRT["space"]
            values = np.where(space & (values != None), np.char.add(values.astype(str), "\u00a0"), values)  # noqa: E711
            cells[heading] = np.where(na, "#N/A", values).astype(object)
        id_heading = columns[0].heading
        stray = rng.random(n) < DIRT["space"]
        cells[id_heading] = np.where(
            stray, np.char.add(cells[id_heading].astype(str), " "), cells[id_heading]
        )
        dirty_frame = pd.DataFrame(cells)
        if spec.number == 4 and n:
            _authorised_before_start(rng, dirty_frame, as_text_dates)
        if spec.number == 6 and n:
            closed = np.flatnonzero(dirty_frame["CIN Closure Date"].notna().to_numpy())
            if len(closed):
                row = closed[len(closed) // 2]
                dirty_frame.loc[row, "CIN Closure Date"] = (
                    "31/12/2099" if as_text_dates else datetime(2099, 12, 31)
                )
        if spec.number in {1, 3, 4, 8} and n:
            repeats = np.flatnonzero(rng.random(n) < DIRT["duplicate"])
            if len(repeats):
                dirty_frame = pd.concat([dirty_frame, dirty_frame.iloc[repeats]]).sort_index(kind="stable")
        out[spec.number] = dirty_frame.reset_index(drop=True)
    return out


def _authorised_before_start(rng: np.random.Generator, frame: pd.DataFrame, as_text: bool) -> None:
    start, end = "Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation"
    done = np.flatnonzero(frame[end].notna().to_numpy() & frame[start].notna().to_numpy())
    for row in rng.choice(done, size=min(3, len(done)), replace=False):
        frame.loc[row, [start, end]] = [frame.loc[row, end], frame.loc[row, start]]


def _date_cells(rng: np.random.Generator, values: np.ndarray, as_text: bool) -> np.ndarray:
    days = pd.to_datetime(values).to_numpy().astype("datetime64[D]")
    missing = np.isnat(days)
    n = len(days)
    text = pd.Series(days).dt.strftime("%d/%m/%Y").to_numpy(dtype=object, copy=True)
    serial = (days - EXCEL_EPOCH).astype(int)
    if as_text:
        cells = text.copy()
        iso = rng.random(n) < DIRT["text_date"]
        cells[iso] = pd.Series(days[iso]).dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    else:
        cells = (
            np.array(pd.Series(days).dt.to_pydatetime(), dtype=object) if n else np.array([], dtype=object)
        )
        as_string = rng.random(n) < DIRT["text_date"]
        cells[as_string] = text[as_string]
    as_serial = rng.random(n) < DIRT["serial_date"]
    cells[as_serial] = serial[as_serial]
    cells[missing] = None
    return cells


def _gender_cells(rng: np.random.Generator, values: np.ndarray, style: str) -> np.ndarray:
    mapping = GENDER_STYLES[style]
    out = np.array([mapping.get(v, v) for v in values], dtype=object)
    variant = np.flatnonzero(rng.random(len(values)) < DIRT["code_variant"])
    for row in variant:
        options = GENDER_VARIANTS[values[row]]
        out[row] = options[rng.integers(len(options))]
    return out
