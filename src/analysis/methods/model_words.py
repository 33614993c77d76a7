"""A forecasting model's code in words, for the pages: the code stays in the ``forecast_backtest`` table (the audit
trail) and never reaches a reader (issue 22, point 7)."""

from __future__ import annotations

from analysis.methods.forecast import NAIVE_PLAIN, EtsSpec


def model_in_words(label: object) -> str:
    """``ETS(A,Ad,N)`` -> "a statistical model that follows the recent level and trend, with the trend levelling
    off"; ``naive`` -> the latest figure carried forward; no model (too few figures) said so."""
    if not isinstance(label, str) or not label.startswith("ETS("):
        return NAIVE_PLAIN if isinstance(label, str) and label == "naive" else "none (too few figures)"
    parts = label[len("ETS(") : -1].split(",")
    return EtsSpec(trend=parts[1] != "N", seasonal=parts[2] != "N").plain
