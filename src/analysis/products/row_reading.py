"""One reading per row (issue 22, point 3): when an indicator's row shows signals that point different ways, one
sentence says why, so a councillor never reads "better than the year before" beside "Concern" unexplained.

The row's signals are the analysis stage's stored readings: direction of travel and quartile band of the published
year (``benchmark_comparison``, DfE LAIT), SPC variation and assurance of the monthly figures (``spc_summary``,
NHS England "Making Data Count") and the exceptions of the quarter (``exceptions``). This module only words how
they combine; it computes no reading. The rules are written once, here, in :data:`MIXED_SIGNALS`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.config_indicators import Indicator
from analysis.methods.exception_finder import WORST_QUARTILE
from analysis.products.indicator_charts import no_monthly_chart_reason
from analysis.products.indicator_tables import latest_benchmarks
from analysis.products.report_data import ReportData

#: (published-year signal, monthly signal, the words of each): the combinations that point different ways.
#: Published-year signals: ``better`` / ``worse`` (direction of travel), ``top`` / ``bottom`` (band A / D).
#: Monthly signals: SPC variation ``concern`` / ``improvement``, assurance ``consistently_passing``.
MIXED_SIGNALS: dict[tuple[str, str], tuple[str, str]] = {
    ("better", "concern"): ("better than the year before", "an unusual change for the worse"),
    ("worse", "improvement"): ("worse than the year before", "an unusual change for the better"),
    ("top", "concern"): ("among the top 25% of councils", "an unusual change for the worse"),
    ("bottom", "improvement"): ("among the bottom 25% of councils", "an unusual change for the better"),
}
FOOTNOTE_LEAD = "Where a row's readings point different ways:"


def _year_signals(direction: object, band: object) -> list[str]:
    signals = {"improving": "better", "worsening": "worse"}.get(str(direction))
    banded = {"A": "top", "D": "bottom"}.get(str(band))
    return [s for s in (signals, banded) if s]


def row_reason(data: ReportData, indicator: Indicator) -> str | None:
    """The sentence an indicator's row needs when its published-year and monthly readings disagree, else None.

    e.g. "Looked after children with three or more placements: better than the year before and among the top 25%
    of councils in DfE's figures for 2013-14, but the monthly figures since January 2015 show an unusual change for
    the worse (the published year ended before it)."
    """
    bench = latest_benchmarks(data.benchmark_comparison)
    bench = bench.loc[bench["indicator_id"] == indicator.id]
    summary = data.spc_summary.loc[data.spc_summary["indicator_id"] == indicator.id]
    if bench.empty or summary.empty or bool(bench.iloc[0]["local_suppressed"]):
        return None
    b, s = bench.iloc[0], summary.iloc[0]
    year = str(b["period_label"])  # "2013-14"; "Sep 2014" for the workforce census
    if no_monthly_chart_reason(data, indicator) is None:
        monthly = str(s["variation"])
        said = [
            MIXED_SIGNALS[(y, monthly)]
            for y in _year_signals(b["direction_of_travel"], b["quartile_band"])
            if (y, monthly) in MIXED_SIGNALS
        ]
        if said:
            since = f" since {pd.Timestamp(s['since']):%B %Y}" if pd.notna(s["since"]) else ""
            return (
                f"{indicator.name}: {' and '.join(words for words, _ in said)} in DfE's figures for {year}, but "
                f"the monthly figures{since} show {said[0][1]} (the two cover different periods)."
            )
    if str(s["assurance"]) == "consistently_passing" and str(b["quartile_band"]) == "D":
        reasons = data.exceptions.loc[
            (data.exceptions["quarter"] == data.quarter.label) & (data.exceptions["item_id"] == indicator.id),
            "reason_codes",
        ]
        moved = any(WORST_QUARTILE in str(codes).split(",") for codes in reasons)
        why = (
            "it is an exception this quarter because it moved into the bottom 25%"
            if moved
            else "it is not an exception, because it was in the bottom 25% the year before too (an exception is a "
            "move into it)"
        )
        return (
            f"{indicator.name}: meets its target reliably, but was among the bottom 25% of councils in {year}: the "
            f"target is below what most councils achieve; {why}."
        )
    return None


def mixed_signal_notes(data: ReportData, indicators: Sequence[Indicator]) -> list[str]:
    """The footnote for a table of these indicators: one sentence per row whose readings disagree (none: [])."""
    reasons = [r for r in (row_reason(data, i) for i in indicators) if r]
    return [" ".join([FOOTNOTE_LEAD, *reasons])] if reasons else []
