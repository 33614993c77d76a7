"""Small-number suppression: which figures may be published, and how a suppressed one is shown.

Suppression is applied once, where the analysis tables are made (:func:`withhold_suppressed`, called by
:mod:`analysis.stages.analyse`): a suppressed figure is ABSENT from ``indicators_monthly`` and ``indicators_annual`` (its
value, numerator and denominator empty) and its ``suppressed`` column says why (a count of 1 to 5 children behind
it), so no product can chart, judge or print it: they show ``c`` in its place (:func:`publishable`). The SPC charts,
anticipated bands and forecasts are made from the withheld tables, so a suppressed month is never a point of a chart
or a figure in a sentence.

Which counts sit "behind" a figure depends on its unit (:func:`count_columns_for_unit`): for a percentage both the
numerator and the denominator (a denominator of 1 to 5 discloses as much as a numerator would); for a rate per
10,000 the count of children (the numerator: the population denominator is not about identifiable children); for
an average number of days the number of children it averages (the denominator); for a count the count itself.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import pandas as pd

logger = logging.getLogger(__name__)

SUPPRESSED_SYMBOL = "c"
"""GSS symbol for a figure withheld to protect confidentiality."""
NOT_AVAILABLE_SYMBOL = "x"
"""GSS symbol for a figure that is not available."""


def count_columns_for_unit(unit: str) -> list[str]:
    """The columns of an indicator table holding the counts of children behind a figure of this unit.

    Parameters
    ----------
    unit : str
        The indicator's unit from the registry: ``%``, ``rate per 10,000``, ``days``, ``weeks``, ``count``, ``FTE``.

    Returns
    -------
    list of str
        Column names among ``numerator``, ``denominator`` and ``value``; empty when the figure is not built from
        counts of children (``weeks``, ``FTE``).

    Notes
    -----
    DfE's statistical disclosure control suppresses a count of 1 to 5 children and any figure derived from it
    (e.g. CIN census and SSDA903 local authority tables show ``c`` for such percentages and rates).
    """
    return {
        "%": ["numerator", "denominator"],
        "rate per 10,000": ["numerator"],
        "days": ["denominator"],
        "count": ["value"],
    }.get(unit, [])


def small_count(counts: pd.Series | Sequence[float], *, lower: int = 1, upper: int = 5) -> pd.Series:
    """Whether each count of children is small enough to suppress (1 to 5 by default): THE rule, used everywhere.

    Parameters
    ----------
    counts : pandas.Series or sequence of numbers
        Counts of children (NaN or non-numbers: not small).
    lower, upper : int
        The smallest and largest count that is suppressed (``config.suppression.min_count``/``max_count``).

    Returns
    -------
    pandas.Series
        Boolean, never missing: True where the count is between the bounds inclusive.

    Notes
    -----
    DfE, "Statistics at DfE: policy statement on confidentiality": counts of 1 to 5 children are shown as ``c``;
    zero is shown (it identifies nobody). Every figure published from a count (a local indicator, the authority's
    own row in a benchmark file, and anything derived from it: band, rank, direction, alt text) is decided here.
    """
    values = pd.to_numeric(pd.Series(counts), errors="coerce")
    return values.between(lower, upper, inclusive="both").fillna(False).astype(bool)


def suppress_small_counts(
    frame: pd.DataFrame, count_columns: Sequence[str], *, lower: int = 1, upper: int = 5
) -> pd.Series:
    """Mark the rows where any count behind the figure is between ``lower`` and ``upper`` inclusive.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of figures with their counts (e.g. ``indicators_monthly``).
    count_columns : sequence of str
        The columns holding counts of children (see :func:`count_columns_for_unit`).
    lower, upper : int
        The smallest and largest count that is suppressed (``config.suppression.min_count``/``max_count``).

    Returns
    -------
    pandas.Series
        Boolean on ``frame``'s index, never missing: True where the figure must not be published. A zero or a
        missing count does not suppress.

    Notes
    -----
    DfE, "Statistics at DfE: policy statement on confidentiality" and the GSS symbols guidance: counts of 1 to 5
    children are shown as ``c`` (zero is shown, because it identifies nobody); a percentage or rate made from such
    a count is suppressed with it.
    """
    suppressed = pd.Series(False, index=frame.index, dtype=bool)
    for column in count_columns:
        suppressed |= small_count(frame[column], lower=lower, upper=upper).to_numpy()
    return suppressed


#: The columns of an indicator table emptied where the figure is suppressed.
WITHHELD_COLUMNS = ("value", "numerator", "denominator")


def withhold_suppressed(frame: pd.DataFrame) -> pd.DataFrame:
    """The indicator table with every suppressed figure removed: value, numerator and denominator empty.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``indicators_monthly`` or ``indicators_annual`` rows with their ``suppressed`` flags.

    Returns
    -------
    pandas.DataFrame
        A copy; the rows stay (the period exists) with ``suppressed`` True as the reason the figure is absent.

    Notes
    -----
    DfE, "Statistics at DfE: policy statement on confidentiality": a figure resting on 1 to 5 children is
    withheld (``c``), and so is anything derived from it. Removing it where the tables are made, instead of
    flagging it for every reader to remember, means a chart, a sentence or an alt text cannot quote it.
    """
    withheld = frame.copy()
    if withheld.empty or "suppressed" not in withheld.columns:
        return withheld
    hidden = withheld["suppressed"].fillna(False).astype(bool).to_numpy()
    for column in WITHHELD_COLUMNS:
        if column in withheld.columns:
            withheld[column] = withheld[column].astype("float64").mask(hidden)
    return withheld


def publishable(value: float | None, suppressed: bool, *, decimals: int = 1) -> str:
    """The figure as a report shows it: formatted, ``c`` when suppressed, ``x`` when not available.

    Parameters
    ----------
    value : float or None
        The figure.
    suppressed : bool
        The ``suppressed`` flag from the indicator tables.
    decimals : int
        Decimal places (the registry's ``decimals``).

    Returns
    -------
    str
        E.g. ``"1,234.5"``, ``"c"`` or ``"x"``.

    Notes
    -----
    GSS symbols, as DfE uses them in Explore Education Statistics: ``c`` confidential (suppressed), ``x`` not
    available.
    """
    if suppressed:
        return SUPPRESSED_SYMBOL
    if value is None or pd.isna(value) or (isinstance(value, float) and math.isinf(value)):
        return NOT_AVAILABLE_SYMBOL
    return f"{float(value):,.{decimals}f}"


def publishable_column(values: pd.Series, suppressed: pd.Series, *, decimals: int = 1) -> pd.Series:
    """:func:`publishable` applied to a column of figures and their flags (same index)."""
    return pd.Series(
        [publishable(v, bool(s), decimals=decimals) for v, s in zip(values, suppressed, strict=True)],
        index=values.index,
        dtype="str",
    )


#: A published total and the cells that add up to it: ``(cells, total)``, labels of the counts being suppressed.
Line = tuple[Sequence[object], object]


def _line_discloses(hidden: pd.Series, upper: int) -> bool:
    """Whether the withheld cells of a line whose total is shown give a small count back.

    With the total and the other cells shown, the withheld cells' sum is known: one withheld cell is known exactly,
    and several whose sum is from 1 to ``upper`` disclose a group of that size.
    """
    if hidden.empty:
        return False
    return len(hidden) == 1 or 1 <= float(hidden.sum()) <= upper


def suppress_breakdown(
    counts: pd.Series,
    lines: Sequence[Line],
    *,
    lower: int = 1,
    upper: int = 5,
    forced: pd.Series | None = None,
) -> pd.Series:
    """Which counts of a breakdown to withhold: the small ones, and enough others that none can be worked back.

    Parameters
    ----------
    counts : pandas.Series
        Counts of children, one per cell, totals included (labels are the cells' names).
    lines : sequence of (cells, total)
        Each published relation "these cells add up to this total": the rows and columns of a table with their
        margins, the categories of a breakdown and its total, the outcomes of a flow's step and the step's count.
        A label may be a cell of one line and the total of another (a step of a flow, a margin).
    lower, upper : int
        The small-number rule (``config.suppression``): counts from ``lower`` to ``upper`` are withheld.
    forced : pandas.Series of bool, optional
        Cells withheld whatever their count (e.g. a total withheld in another breakdown of the same children).

    Returns
    -------
    pandas.Series
        Boolean on ``counts``' index: True where the count must be withheld.

    Notes
    -----
    Primary suppression is :func:`small_count` (DfE, "Statistics at DfE: policy statement on confidentiality":
    1 to 5 children shown as ``c``). Secondary suppression follows the GSS / ONS disclosure control practice for
    tables with totals ("Disclosure control guidance for tables produced from administrative sources", GSS 2014,
    and the ONS "Statistical disclosure control" pages): wherever a total is shown, its withheld cells must number
    two or more and must not add up to 1-5, else the smallest other non-zero cell of that line is withheld too (the
    least information lost); when no such cell is left, the total is withheld. A withheld total is itself a sum of
    its cells, so one of them is withheld too when all are shown. Lines are revisited until none
    discloses, so a cell withheld for one line is protected in every other line it belongs to.
    """
    values = pd.to_numeric(counts, errors="coerce").astype("float64")
    hidden = small_count(values, lower=lower, upper=upper).to_numpy().copy()
    if forced is not None:
        hidden |= forced.reindex(values.index, fill_value=False).astype(bool).to_numpy()
    figures = values.to_numpy()
    position = {label: n for n, label in enumerate(values.index)}
    positions = [([position[c] for c in cells], position[total]) for cells, total in lines]
    changed = True
    while changed:
        changed = False
        for members, total in positions:
            withheld = [m for m in members if hidden[m]]
            shown = [m for m in members if not hidden[m] and figures[m] > 0]
            if hidden[total]:
                # A withheld total whose cells are all shown is their sum: withhold the smallest non-zero cell.
                if not withheld and shown:
                    hidden[min(shown, key=lambda m: figures[m])] = True
                    changed = True
                continue
            if not withheld or (len(withheld) > 1 and not 1 <= figures[withheld].sum() <= upper):
                continue
            if shown:
                hidden[min(shown, key=lambda m: figures[m])] = True
            else:
                hidden[total] = True
            changed = True
    return pd.Series(hidden, index=values.index, dtype=bool)


def breakdown_discloses(counts: pd.Series, hidden: pd.Series, lines: Sequence[Line], upper: int = 5) -> bool:
    """Whether a withheld breakdown still shows a count of 1 to ``upper`` or lets one be worked back from a total.

    The check the property tests make of :func:`suppress_breakdown` (a published count of 1 to ``upper``; a line
    whose total is shown with one withheld cell, or withheld cells adding up to 1 to ``upper``; a withheld total
    whose non-zero cells are all shown).
    """
    values = pd.to_numeric(counts, errors="coerce").astype("float64")
    shown = values[~hidden]
    if shown.between(1, upper).any():
        return True
    for cells, total in lines:
        members = list(cells)
        withheld = values[members][hidden[members].to_numpy()]
        if not hidden[total] and _line_discloses(withheld, upper):
            return True
        if hidden[total] and withheld.empty and values[members].gt(0).any():
            return True
    return False
