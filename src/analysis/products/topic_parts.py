"""The small parts the topic reports share (issue 19): names in words, a topic's rows of a table, cells as shown.

Used by :mod:`analysis.products.topic_report` (the report's first screen, indicators and actions) and
:mod:`analysis.products.topic_sections` (its analysis sections). Nothing here computes a figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.config_topics import Topic
from analysis.products.indicator_tables import table_footnotes
from analysis.products.report_data import ReportData
from analysis.products.topic_flow import count_text, percent_text

SECONDARY_FOOTNOTE = "Some figures of 6 or more are also shown as c, so that a figure of 1 to 5 cannot be worked out from a total."
POPULATION_SOURCE = "Census 2021, all ages, ONS"
LIST_NAMES = {
    "early_help": "early help assessments",
    "section47": "section 47 enquiries",
    "cp_plans": "child protection plans",
    "looked_after": "children looked after",
}
JOURNEY_NAMES = {
    "front_door": "The front door: contact to referral to assessment",
    "child_protection": "Child protection: section 47 enquiry to initial conference to plan",
}
PERIOD_WORDS = {"quarter": "This quarter", "year": "Year to the quarter's end"}
#: A profile's breakdowns in words (others: the column's name with spaces).
BREAKDOWN_NAMES = {
    "age_band_by_sex": "age and sex",
    "repeat": "number of contacts or referrals in the period",
    "placements": "number of placements during the period (placement stability)",
    "accommodation_suitable": "whether their accommodation is suitable",
    "in_touch": "whether the council is in touch with them",
}


# ------------------------------------------------------------------------------------------- small parts
def list_name(name: str) -> str:
    """An Annex A list in words: ``section47`` -> ``section 47 enquiries``, ``care_leavers`` -> ``care leavers``."""
    return LIST_NAMES.get(name, name.replace("_", " "))


def breakdown_name(breakdown: str) -> str:
    """A profile breakdown in words: ``age_band_by_sex`` -> ``age and sex``."""
    return BREAKDOWN_NAMES.get(breakdown, breakdown.replace("_", " "))


def topic_rows(data: ReportData, name: str, topic: Topic) -> pd.DataFrame:
    """The rows of one topic table for this topic (empty when the run made none)."""
    table = data.tables.get(name)
    if table is None or table.empty:
        return pd.DataFrame(columns=["topic_id"])
    return table.loc[table["topic_id"] == topic.id].reset_index(drop=True)


def shown(
    frame: pd.DataFrame, column: str, reasons: str | None = None, *, percent: bool = False
) -> list[str]:
    """A column's cells as shown, each ``c`` where the ``reasons`` column says it was withheld."""
    why = frame[reasons] if reasons else pd.Series("", index=frame.index)
    text = percent_text if percent else count_text
    return [text(v, r) for v, r in zip(frame[column], why, strict=True)]


def days_text(value: object) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):,.0f} days"  # type: ignore[arg-type]


def footnotes_for(table: pd.DataFrame, reasons: Sequence[object] = ()) -> list[str]:
    """The c footnote when a cell shows c, and the secondary-suppression note when a cell was withheld for a total."""
    notes = table_footnotes(table)
    if any("worked out" in str(r) for r in reasons):
        notes.append(SECONDARY_FOOTNOTE)
    return notes


def total_row(profile: pd.DataFrame, list_name: str, period: str) -> pd.Series | None:
    rows = profile.loc[
        (profile["list"] == list_name)
        & (profile["period"] == period)
        & (profile["group"] == "all children")
        & (profile["category"] == "total")
    ]
    return None if rows.empty else rows.iloc[0]
