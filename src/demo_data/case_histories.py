"""The simulated case histories' shared parts: the register of children, the tables' container and the calendar.

Every table of :class:`CaseHistories` holds an integer ``child`` (a row of :attr:`CaseHistories.children`) and
``datetime64[D]`` dates, ``NaT`` where an event had not happened by the extract date. The histories are simulated by
:mod:`demo_data.simulate` (the front door in :mod:`demo_data.simulate_front_door`, child protection in
:mod:`demo_data.simulate_protection`, care in :mod:`demo_data.simulate_care`).
"""

from __future__ import annotations

from dataclasses import dataclass

import holidays
import numpy as np
import pandas as pd

NAT = np.datetime64("NaT", "D")


DAYS_PER_YEAR = 365.25


GENDERS = np.array(["male", "female", "unknown", "indeterminate"])


GENDER_SHARES = np.array([0.505, 0.485, 0.008, 0.002])


ETHNICITIES = np.array(
    [
        "WBRI",
        "WOTH",
        "WIRI",
        "WROM",
        "MWBC",
        "MWBA",
        "MWAS",
        "MOTH",
        "AIND",
        "APKN",
        "ABAN",
        "AOTH",
        "BAFR",
        "BCRB",
        "BOTH",
        "CHNE",
        "OOTH",
        "NOBT",
        "REFU",
    ]
)


ETHNICITY_SHARES = np.array(
    [81.0, 3.5, 0.4, 0.4, 1.8, 1.0, 0.8, 1.5, 1.5, 0.7, 0.3, 0.8, 3.2, 0.5, 0.3, 0.2, 1.0, 0.7, 0.4]
)


def shares_of(values: np.ndarray) -> np.ndarray:
    """Relative frequencies as probabilities that sum to 1 (for ``rng.choice``)."""
    return values / values.sum()


def bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    """England and Wales bank holidays as ``datetime64[D]`` (the working-day calendar of the timeliness measures)."""
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


class ChildRegister:
    """A growing register of children's dates of birth (gender and ethnicity are drawn at the end)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._dob = np.empty(1024, dtype="datetime64[D]")
        self.count = 0

    def _append(self, dob: np.ndarray) -> np.ndarray:
        n = len(dob)
        if self.count + n > len(self._dob):
            grown = np.empty(max(2 * len(self._dob), self.count + n), dtype="datetime64[D]")
            grown[: self.count] = self._dob[: self.count]
            self._dob = grown
        self._dob[self.count : self.count + n] = dob
        index = np.arange(self.count, self.count + n)
        self.count += n
        return index

    def add(self, event_days: np.ndarray, age_weights: np.ndarray, max_age: float = 17.9) -> np.ndarray:
        """New children, each aged by ``age_weights`` on its event day; returns their indices."""
        n = len(event_days)
        years = self.rng.choice(len(age_weights), size=n, p=shares_of(age_weights)) + self.rng.random(n)
        age_days = (np.minimum(years, max_age) * DAYS_PER_YEAR).astype(int)
        return self._append(event_days - age_days.astype("timedelta64[D]"))

    def dob_array(self) -> np.ndarray:
        """Dates of birth so far (a view: do not keep it across :meth:`add`)."""
        return self._dob[: self.count]

    def frame(self) -> pd.DataFrame:
        n = self.count
        return pd.DataFrame(
            {
                "dob": self._dob[:n].copy(),
                "gender": self.rng.choice(GENDERS, size=n, p=GENDER_SHARES),
                "ethnicity": self.rng.choice(ETHNICITIES, size=n, p=shares_of(ETHNICITY_SHARES)),
            }
        )


@dataclass
class CaseHistories:
    """Every simulated table (see the module docstring)."""

    children: pd.DataFrame
    contacts: pd.DataFrame
    early_help: pd.DataFrame
    referrals: pd.DataFrame
    assessments: pd.DataFrame
    section47: pd.DataFrame
    children_in_need: pd.DataFrame
    cp_plans: pd.DataFrame
    care_episodes: pd.DataFrame
    placements: pd.DataFrame
    care_leavers: pd.DataFrame
    adoptions: pd.DataFrame
    adopters: pd.DataFrame
    holidays: np.ndarray


def month_starts(first: np.datetime64, last: np.datetime64) -> np.ndarray:
    """The first day of every month from ``first``'s to ``last``'s."""
    return np.arange(first.astype("datetime64[M]"), last.astype("datetime64[M]") + 1).astype("datetime64[D]")


def month_last_day(start: np.datetime64) -> np.datetime64:
    """The last day of ``start``'s month."""
    return (start.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
