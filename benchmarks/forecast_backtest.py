"""Backtest of the forecasts: rolling origin, model against naive, MAPE and 80%/95% interval coverage, per series.

Run from the repository root::

    .venv/bin/python benchmarks/forecast_backtest.py                       # demo monthly + DfE annual series
    .venv/bin/python benchmarks/forecast_backtest.py --processed data/processed --ees ../shared/data/ees

Two sets of series:

* the demo's monthly demand measures (``anticipated.looking_ahead`` in ``config/indicators.yml``), from the
  ``indicators_monthly`` table of a pipeline run (``make report`` first), each since its last rebase: the same
  backtest the analysis stage runs (one origin a quarter, three months ahead);
* DfE's published annual series in ``../shared/data/ees`` (referrals, children in need, child protection plans at
  31 March, section 47 enquiries; years ending 31 March 2013-2025) for England, the South East and Medway: one year
  ahead from every origin with at least six years of history, no seasonality. Skipped, with the reason, when the
  folder is absent.

Methods: :mod:`analysis.methods.forecast` (ETS chosen by AICc against a naive forecast; FPP3 5.10 rolling origin).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd

from analysis.config import load_config
from analysis.config_indicators import ForecastSettings
from analysis.inputs.ees import read_ees_file
from analysis.io import read_table
from analysis.methods.demand_forecasts import backtest_scores, demand_forecasts
from analysis.methods.forecast import choose_method
from analysis.methods.quarters import Quarter

#: DfE files and measures of the annual backtest: (label, file, publication id, measure column).
ANNUAL_SERIES = (
    ("Referrals", "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "c1", "referral_count"),
    ("Children in need at 31 March", "b1_children_in_need_2013_to_2025.csv", "b1", "At31_episodes"),
    ("CP plans at 31 March", "d5_cpps_at31march_by_duration_2013_to_2025.csv", "d5", "CPP_At31"),
    ("Section 47 enquiries", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv", "c4", "Section47"),
)
#: Areas of the annual backtest: (label, geographic level, area code).
AREAS = (
    ("England", "National", "E92000001"),
    ("South East", "Regional", "E12000008"),
    ("Medway", "Local authority", "E06000035"),
)
#: Annual settings: six years before the first origin, one year ahead, every year an origin.
ANNUAL = ForecastSettings(
    minimum_points=6, backtest_minimum_points=6, backtest_horizon=1, backtest_origin_step=1
)

COLUMNS = [
    "series",
    "frequency",
    "points",
    "model",
    "tested",
    "model_mape",
    "naive_mape",
    "model_cov80",
    "model_cov95",
    "naive_cov80",
    "naive_cov95",
    "used",
]


#: The printed table's short headings for the columns of :func:`analysis.methods.demand_forecasts.backtest_scores`.
SHORT_NAMES = {
    "candidate": "model",
    "forecasts": "tested",
    "model_mape": "model_mape",
    "naive_mape": "naive_mape",
    "model_coverage_80": "model_cov80",
    "model_coverage_95": "model_cov95",
    "naive_coverage_80": "naive_cov80",
    "naive_coverage_95": "naive_cov95",
    "method": "used",
}


def _row(series: str, frequency: str, points: int, scores: dict[str, object]) -> dict[str, object]:
    row = {"series": series, "frequency": frequency, "points": points}
    row |= {short: scores[name] for name, short in SHORT_NAMES.items()}
    if not isinstance(row["model"], str):
        row["model"] = "-"
    return row


def demo_rows(processed: Path, config_dir: Path, quarter: str) -> list[dict[str, object]]:
    """The analysis stage's backtest of the demo's demand measures (from a run's ``indicators_monthly``)."""
    config = load_config(config_dir)
    monthly = read_table("indicators_monthly", processed)
    forecasts, backtest = demand_forecasts(monthly, config, Quarter.parse(quarter))
    spans = forecasts.groupby("series_id").first()
    rows = []
    for row in backtest.itertuples(index=False):
        start, end = spans.loc[row.series_id, ["fitted_from", "fitted_to"]]
        points = (end.year - start.year) * 12 + end.month - start.month + 1
        rows.append(_row(f"demo: {row.name}", "monthly", points, row._asdict()))
    return rows


def annual_rows(ees: Path) -> list[dict[str, object]]:
    """Rolling-origin backtest of DfE's annual series for England, the South East and Medway."""
    rows = []
    for label, file, publication, measure in ANNUAL_SERIES:
        path = ees / file
        if not path.is_file():
            print(f"skipped {label}: {path} not found", file=sys.stderr)
            continue
        tidy = read_ees_file(path, publication)
        tidy = tidy.loc[tidy["measure"] == measure]
        for area, level, code in AREAS:
            series = tidy.loc[(tidy["geographic_level"] == level) & (tidy["area_code"] == code)]
            series = series.sort_values("time_period")
            if series.empty or series["value"].isna().any():  # a suppressed or missing year: never forecast
                print(f"skipped {label}, {area}: missing or suppressed years", file=sys.stderr)
                continue
            y = series["value"].to_numpy(dtype="float64")
            choice = choose_method(y, ANNUAL, None)
            years = f"{int(series['time_period'].iloc[0])}-{int(series['time_period'].iloc[-1])}"
            rows.append(_row(f"DfE {label}, {area} ({years})", "annual", len(y), backtest_scores(choice)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processed", type=Path, default=Path("data/processed"))
    parser.add_argument("--config", type=Path, default=Path("config"))
    parser.add_argument("--quarter", default="2015-16-Q1")
    parser.add_argument("--ees", type=Path, default=Path("..") / "shared" / "data" / "ees")
    args = parser.parse_args(argv)
    warnings.simplefilter(
        "error"
    )  # the forecasts silence statsmodels' warnings themselves: any other is a fault
    rows: list[dict[str, object]] = []
    if (args.processed / "indicators_monthly.parquet").is_file():
        rows += demo_rows(args.processed, args.config, args.quarter)
    else:
        print(
            f"skipped the demo: no {args.processed / 'indicators_monthly.parquet'} (run `make report` first)",
            file=sys.stderr,
        )
    if args.ees.is_dir():
        rows += annual_rows(args.ees)
    else:
        print(f"skipped DfE's annual series: {args.ees} is not present", file=sys.stderr)
    if not rows:
        print("nothing to backtest", file=sys.stderr)
        return 2
    table = pd.DataFrame(rows, columns=COLUMNS)
    with pd.option_context("display.width", 200, "display.max_columns", None, "display.max_colwidth", 60):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.1f}", na_rep="-"))
    print(
        "\nMAPE: mean absolute percentage error (%); cov80/cov95: % of outcomes inside the 80%/95% interval."
    )
    print("used: the method the report prints (naive when the model's MAPE is not lower than naive's).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
