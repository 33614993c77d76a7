"""How a figure is written for a reader: an indicator's decimals and unit (one place, for every method and product)."""

from __future__ import annotations

import pandas as pd

from analysis.config_indicators import Indicator


def format_number(value: float | None, indicator: Indicator) -> str:
    """An indicator's value as a reader sees it: its decimals and unit (``88.0%``, ``412.3 per 10,000``).

    Notes
    -----
    Empty values read "not available"; suppression ("c") is decided by the caller, which knows the counts.
    """
    if value is None or pd.isna(value):
        return "not available"
    number = f"{value:,.{indicator.decimals}f}"
    if indicator.unit == "%":
        return f"{number}%"
    if indicator.unit == "rate per 10,000":
        return f"{number} per 10,000"
    if indicator.unit in {"days", "weeks"}:
        return f"{number} {indicator.unit}"
    if indicator.unit == "FTE":
        return f"{number} FTE"
    return number
