"""Care in the simulated case histories: periods of care, placements, adoption, care leavers and adopters.

Periods of care run from 1999 so that published-style annual figures can be computed; SSDA903 codes for legal
status, placement type and reason ceased.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo_data import calibration as cal
from demo_data.case_histories import (
    DAYS_PER_YEAR,
    NAT,
    ChildRegister,
    month_last_day,
    month_starts,
    shares_of,
)

CARE_AGE_WEIGHTS = np.array(
    [2.2, 0.9, 0.8, 0.7, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.7, 0.9, 1.1, 1.1, 0.8]
)


FOSTER_TYPES = np.array(["U1", "U2", "U3", "U4", "U5", "U6", "K2", "R1", "P1"])


FOSTER_SHARES = np.array([8, 4, 30, 6, 8, 25, 9, 2, 8], dtype=float)


REASONS_CEASED = np.array(["E4A", "E45", "E46", "E41", "E13", "E8", "E15"])


REASON_SHARES = np.array([50, 9, 7, 5, 12, 12, 5], dtype=float)


AGE_OUT_REASONS = np.array(["E48", "E8", "E17"])


MEDWAY_SECTORS = np.array([f"ME{d} {s}" for d in (1, 2, 3, 4, 5, 7, 8) for s in range(1, 10)])


OUT_OF_AREA_SECTORS = np.array(["DA11 0", "DA12 2", "TN23 4", "CT9 5", "ME14 2", "ME15 6", "ME10 3", "SE9 1"])


def simulate_care(
    rng: np.random.Generator, children: ChildRegister, referrals: pd.DataFrame, scale: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Periods of care (with adoption for some young children) and their placements.

    Notes
    -----
    SSDA903 codes for legal status, placement type and reason ceased (E11/E12 adopted). Adoption steps follow the
    DfE adoption scorecard's A1 and A2 measures.
    """
    ref_days = referrals["referral_date"].to_numpy().astype("datetime64[D]")
    ref_child = referrals["child"].to_numpy()
    frames: list[pd.DataFrame] = []
    all_child = np.array([], dtype=np.int64)
    all_end = np.array([], dtype="datetime64[D]")
    for month_start in month_starts(cal.CARE_SIMULATION_START, cal.EXTRACT_DATE):
        month_end = min(month_last_day(month_start), cal.EXTRACT_DATE)
        n = int(rng.poisson(cal.CARE_ENTRIES_PER_MONTH * scale))
        days = month_start + (rng.random(n) * ((month_end - month_start).astype(int) + 1)).astype(
            "timedelta64[D]"
        )
        assigned = np.full(n, -1, dtype=np.int64)
        if month_start >= cal.SIMULATION_START + 180:
            lo, hi = np.searchsorted(ref_days, [month_start - 180, month_start])
            candidates = np.unique(ref_child[lo:hi])
            in_care = all_child[all_end > month_start]
            candidates = candidates[~np.isin(candidates, in_care)]
            dob = children.dob_array()
            candidates = candidates[dob[candidates] > month_end - int(16.5 * DAYS_PER_YEAR)]
            k = min(int(rng.binomial(n, 0.85)), len(candidates))
            assigned[:k] = rng.choice(candidates, size=k, replace=False)
        fresh = assigned < 0
        if fresh.any():
            assigned[fresh] = children.add(days[fresh], CARE_AGE_WEIGHTS, max_age=17.0)
        paths = _care_paths(rng, days, assigned, children.dob_array()[assigned])
        frames.append(paths)
        all_child = np.concatenate([all_child, assigned])
        all_end = np.concatenate([all_end, paths["true_end"].to_numpy().astype("datetime64[D]")])
    episodes = pd.concat(frames, ignore_index=True)
    episodes = episodes[episodes["start"] <= cal.EXTRACT_DATE].reset_index(drop=True)
    placements = _placements(rng, episodes)
    return episodes, placements


def _care_paths(
    rng: np.random.Generator, start: np.ndarray, child: np.ndarray, dob: np.ndarray
) -> pd.DataFrame:
    n = len(start)
    age = (start - dob).astype(int) / DAYS_PER_YEAR
    adoption = (age < 5) & (rng.random(n) < cal.CARE_ADOPTION_PATHWAY_UNDER_5)
    kind = rng.choice(3, size=n, p=[0.35, 0.45, 0.20])
    duration = np.select(
        [kind == 0, kind == 1], [rng.gamma(1.2, 60, size=n), rng.gamma(1.5, 500, size=n)], 40_000
    ).astype(int)
    eighteen = dob + int(18 * DAYS_PER_YEAR)
    end = np.minimum(start + duration.astype("timedelta64[D]"), eighteen)
    aged_out = end == eighteen
    decision = start + rng.integers(90, 250, size=n).astype("timedelta64[D]")
    order = decision + rng.integers(30, 120, size=n).astype("timedelta64[D]")
    matched = order + rng.gamma(2.2, cal.A2_MEAN_DAYS / 2.2, size=n).astype(int).astype("timedelta64[D]")
    placed = matched + rng.integers(7, 35, size=n).astype("timedelta64[D]")
    adopted = placed + rng.integers(90, 300, size=n).astype("timedelta64[D]")
    end = np.where(adoption, adopted, end)
    reason = rng.choice(REASONS_CEASED, size=n, p=shares_of(REASON_SHARES))
    reason = np.where(aged_out, rng.choice(AGE_OUT_REASONS, size=n), reason)
    reason = np.where(adoption, np.where(rng.random(n) < 0.85, "E11", "E12"), reason)
    legal = rng.choice(np.array(["C2", "C1", "V2"]), size=n, p=[0.45, 0.2, 0.35])
    legal = np.where(adoption, "C1", legal)

    def observed(days: np.ndarray) -> np.ndarray:
        return np.where(adoption & (days <= cal.EXTRACT_DATE), days, NAT)

    ended = end <= cal.EXTRACT_DATE
    return pd.DataFrame(
        {
            "child": child,
            "start": start,
            "end": np.where(ended, end, NAT),
            "reason": np.where(ended, reason, None),  # type: ignore[call-overload]  # numpy's stubs omit None, which where() takes as an object scalar
            "aged_out": aged_out & ~adoption,
            "legal_status": legal,
            "adoption": adoption,
            "decision": observed(decision),
            "placement_order": observed(order),
            "matched": observed(matched),
            "placed": observed(placed),
            "adopted": observed(adopted),
            "true_end": end,
        }
    ).sort_values("start", kind="stable")


def _placements(rng: np.random.Generator, episodes: pd.DataFrame) -> pd.DataFrame:
    """Placements within each period of care: moves at a steady rate, more of them in April-June 2015."""
    start = episodes["start"].to_numpy().astype("datetime64[D]")
    last = np.minimum(episodes["true_end"].to_numpy().astype("datetime64[D]"), cal.EXTRACT_DATE)
    placed = episodes["placed"].to_numpy().astype("datetime64[D]")
    adoption_move = ~np.isnat(placed)
    span = np.maximum((last - start).astype(int), 1)
    moves = rng.poisson(cal.PLACEMENT_MOVES_PER_YEAR * span / DAYS_PER_YEAR)
    surge_start, surge_end = np.datetime64("2015-04-01"), np.datetime64("2015-06-30")
    overlap_from = np.maximum(start + 1, surge_start)
    overlap = np.maximum((np.minimum(last, surge_end) - overlap_from).astype(int), 0)
    surge = rng.poisson(cal.PLACEMENT_MOVES_SURGE * overlap / 91)
    episode_of_move = np.concatenate(
        [np.repeat(np.arange(len(episodes)), moves), np.repeat(np.arange(len(episodes)), surge)]
    )
    offset = np.concatenate(
        [
            (rng.random(int(moves.sum())) * np.repeat(span, moves)).astype(int),
            (overlap_from - start).astype(int).repeat(surge)
            + (rng.random(int(surge.sum())) * np.repeat(np.maximum(overlap, 1), surge)).astype(int),
        ]
    )
    move_day = start[episode_of_move] + np.maximum(offset, 1).astype("timedelta64[D]")
    # An adopted child's last move is to the adopters: drop other moves after the day they were placed.
    keep = ~(adoption_move[episode_of_move] & (move_day >= placed[episode_of_move]))
    episode_of_move, move_day = episode_of_move[keep], move_day[keep]
    adoption_rows = np.flatnonzero(adoption_move)
    episode_all = np.concatenate([np.arange(len(episodes)), episode_of_move, adoption_rows])
    day_all = np.concatenate([start, move_day, placed[adoption_rows]])
    is_adoption = np.concatenate(
        [np.zeros(len(episodes) + len(move_day), bool), np.ones(len(adoption_rows), bool)]
    )
    order = np.lexsort((day_all, episode_all))
    episode_all, day_all, is_adoption = episode_all[order], day_all[order], is_adoption[order]
    distinct = np.ones(len(day_all), dtype=bool)
    distinct[1:] = (episode_all[1:] != episode_all[:-1]) | (day_all[1:] != day_all[:-1])
    episode_all, day_all, is_adoption = episode_all[distinct], day_all[distinct], is_adoption[distinct]
    following_same = np.zeros(len(day_all), dtype=bool)
    following_same[:-1] = episode_all[1:] == episode_all[:-1]
    placement_end = np.where(
        following_same, np.roll(day_all, -1), episodes["end"].to_numpy().astype("datetime64[D]")[episode_all]
    )
    types = rng.choice(FOSTER_TYPES, size=len(day_all), p=shares_of(FOSTER_SHARES))
    child = episodes["child"].to_numpy()[episode_all]
    types = np.where(is_adoption, "A4", types)
    in_area = rng.random(len(day_all)) < 0.7
    postcode = np.where(
        in_area,
        rng.choice(MEDWAY_SECTORS, size=len(day_all)),
        rng.choice(OUT_OF_AREA_SECTORS, size=len(day_all)),
    )
    legal = episodes["legal_status"].to_numpy()[episode_all]
    order_day = episodes["placement_order"].to_numpy().astype("datetime64[D]")[episode_all]
    legal = np.where(~np.isnat(order_day) & (day_all >= order_day), "E1", legal)
    frame = pd.DataFrame(
        {
            "episode": episode_all,
            "child": child,
            "start": day_all,
            "end": np.where(placement_end <= cal.EXTRACT_DATE, placement_end, NAT),
            "placement_type": types,
            "postcode": postcode,
            "legal_status": legal,
        }
    )
    return frame[frame["start"] <= cal.EXTRACT_DATE].reset_index(drop=True)


def simulate_care_leavers(rng: np.random.Generator, episodes: pd.DataFrame, dob: np.ndarray) -> pd.DataFrame:
    """Birthday contacts at 19, 20 and 21 for young people who left care at 18.

    Notes
    -----
    SSDA903 care leavers: activity and accommodation recorded around the 19th, 20th and 21st birthdays.
    """
    leavers = episodes[
        episodes["aged_out"].to_numpy() & ((episodes["end"] - episodes["start"]).dt.days >= 91)
    ]
    child = np.repeat(leavers["child"].to_numpy(), 3)
    age = np.tile(np.array([19, 20, 21]), len(leavers))
    birth = dob[child]
    years = birth.astype("datetime64[Y]").astype(int) + 1970 + age
    birthday = (
        pd.to_datetime(
            {
                "year": years,
                "month": pd.DatetimeIndex(birth).month,
                "day": np.minimum(pd.DatetimeIndex(birth).day, 28),
            }
        )
        .to_numpy()
        .astype("datetime64[D]")
    )
    contact = birthday + rng.integers(-14, 42, size=len(birthday)).astype("timedelta64[D]")
    keep = (contact >= cal.SIMULATION_START) & (contact <= cal.EXTRACT_DATE)
    child, contact = child[keep], contact[keep]
    n = len(child)
    in_touch = rng.random(n) < cal.CARE_LEAVER_IN_TOUCH
    activity = rng.choice(
        np.array(["Education", "Training", "Employment", "NEET"]),
        size=n,
        p=[
            cal.CARE_LEAVER_EET * 0.4,
            cal.CARE_LEAVER_EET * 0.2,
            cal.CARE_LEAVER_EET * 0.4,
            1 - cal.CARE_LEAVER_EET,
        ],
    )
    suitable = rng.random(n) < cal.CARE_LEAVER_SUITABLE
    return pd.DataFrame(
        {
            "child": child,
            "contact_date": contact,
            "in_touch": in_touch,
            "activity": np.where(in_touch, activity, "Not known"),
            "suitable": np.where(in_touch, suitable, None).astype(object),  # type: ignore[call-overload]  # numpy's stubs omit None, which where() takes as an object scalar
        }
    ).sort_values("contact_date", kind="stable")


def simulate_adopters(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    """Adopter households: enquiry, approval for some, a match for most of those."""
    months = month_starts(cal.SIMULATION_START, cal.EXTRACT_DATE)
    counts = rng.poisson(4.0 * scale, size=len(months))
    month = np.repeat(months, counts)
    enquiry = month + rng.integers(0, 28, size=len(month)).astype("timedelta64[D]")
    approved = enquiry + rng.integers(150, 270, size=len(month)).astype("timedelta64[D]")
    approved = np.where((rng.random(len(month)) < 0.55) & (approved <= cal.EXTRACT_DATE), approved, NAT)
    matched = approved + rng.integers(30, 300, size=len(month)).astype("timedelta64[D]")
    matched = np.where((rng.random(len(month)) < 0.7) & (matched <= cal.EXTRACT_DATE), matched, NAT)
    return pd.DataFrame({"enquiry": enquiry, "approved": approved, "matched": matched})
