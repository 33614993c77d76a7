"""Financial-year quarters (Q1 = April to June), written like ``2015-16-Q1``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

_QUARTER_PATTERN = re.compile(r"^(?P<start>\d{4})-(?P<end>\d{2})-Q(?P<q>[1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    """One quarter of a financial year that starts on 1 April of ``financial_year_start``."""

    financial_year_start: int
    number: int

    @classmethod
    def parse(cls, label: str) -> Quarter:
        """Read ``2015-16-Q1``; raise ``ValueError`` with the expected form otherwise."""
        match = _QUARTER_PATTERN.match(label.strip())
        if not match:
            raise ValueError(
                f"quarter {label!r} is not in the form 2015-16-Q1 (financial year, then Q1 to Q4)"
            )
        start = int(match["start"])
        if (start + 1) % 100 != int(match["end"]):
            raise ValueError(f"quarter {label!r}: {match['end']} does not follow {start}")
        return cls(start, int(match["q"]))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        """The financial quarter a date falls in."""
        fy = day.year if day.month >= 4 else day.year - 1
        return cls(fy, (day.month - 4) % 12 // 3 + 1)

    @classmethod
    def latest_complete(cls, last_day_with_data: date) -> Quarter:
        """The latest quarter whose last day is on or before ``last_day_with_data``."""
        quarter = cls.containing(last_day_with_data)
        return quarter if quarter.end == last_day_with_data else quarter.previous()

    @property
    def label(self) -> str:
        return f"{self.financial_year_start}-{(self.financial_year_start + 1) % 100:02d}-Q{self.number}"

    @property
    def financial_year(self) -> str:
        """``2015-16``."""
        return self.label[:7]

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.number - 1)
        year = self.financial_year_start + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    @property
    def months(self) -> list[pd.Timestamp]:
        """First day of each of the quarter's three months."""
        return list(pd.date_range(self.start, periods=3, freq="MS"))

    @property
    def name(self) -> str:
        """Plain English: ``April to June 2015 (2015-16 Q1)``."""
        first, last = self.months[0], self.months[-1]
        return f"{first:%B} to {last:%B %Y} ({self.financial_year} Q{self.number})"

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.financial_year_start + 1, 1)
        return Quarter(self.financial_year_start, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.financial_year_start - 1, 4)
        return Quarter(self.financial_year_start, self.number - 1)

    def __str__(self) -> str:
        return self.label
