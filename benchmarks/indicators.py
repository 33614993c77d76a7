"""Benchmark: time and peak memory of computing every indicator on the demo and the scaled (~1 million row) demo.

Run from the repository root::

    .venv/bin/python benchmarks/indicators.py                 # scales 1 and 16, generated in a temporary folder
    .venv/bin/python benchmarks/indicators.py --scales 1
    .venv/bin/python benchmarks/indicators.py --processed data/processed   # tables already cleaned

Prints, per data set: rows in the child-level tables, seconds for ``compute_indicators`` (best of ``--repeat``) and
its peak traced memory (``tracemalloc``: Python and numpy allocations; Arrow-backed strings are not traced,
so the process's peak resident memory is printed too).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pandas as pd

from analysis.config import load_config
from analysis.io import read_table
from analysis.methods.quarters import Quarter
from analysis.schemas import CHILD_LEVEL_TABLES
from analysis.stages.indicators import compute_indicators

REPO = Path(__file__).resolve().parents[1]
BENCHMARK_KEY = bytes(range(32))


def _tables(processed: Path) -> dict[str, pd.DataFrame]:
    return {name: read_table(name, processed) for name in [*CHILD_LEVEL_TABLES, "scorecard", "population"]}


def _prepare(scale: int, workdir: Path) -> Path:
    import demo_data.generate as demo_data  # imported here: only needed when generating
    from analysis.stages import cleaning

    config = load_config(REPO / "config")
    raw, processed = workdir / f"raw_{scale}", workdir / f"processed_{scale}"
    started = time.perf_counter()
    demo_data.generate_demo_data(raw, seed=2015, scale=scale, config=config)
    cleaning.clean_all(raw, processed, config, key=BENCHMARK_KEY)
    print(f"  scale {scale}: demo generated and cleaned in {time.perf_counter() - started:.1f} s")
    return processed


def _period(tables: dict[str, pd.DataFrame]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First full month of referrals to the last month of the latest complete quarter with referrals."""
    dates = tables["referrals"]["referral_date"].dropna()
    first = dates.min().to_period("M").start_time
    if dates.min() != first:
        first += pd.offsets.MonthBegin(1)
    quarter = Quarter.latest_complete(dates.max().date())
    return first, quarter.months[-1]


def measure(label: str, processed: Path, repeat: int) -> None:
    config = load_config(REPO / "config")
    tables = _tables(processed)
    rows = sum(len(tables[name]) for name in CHILD_LEVEL_TABLES)
    first, last = _period(tables)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        monthly, annual = compute_indicators(tables, config, first_month=first, last_month=last)
        timings.append(time.perf_counter() - started)
    tracemalloc.start()
    compute_indicators(tables, config, first_month=first, last_month=last)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label}: {rows:,} child-level rows, {first:%b %Y} to {last:%b %Y} ({len(monthly):,} monthly and "
        f"{len(annual):,} annual figures): {min(timings):.2f} s (best of {repeat}), peak traced memory "
        f"{peak / 2**20:,.0f} MiB (process peak resident memory so far "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:,.0f} MiB)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 16], help="demo scales to generate")
    parser.add_argument("--processed", type=Path, help="use the processed tables in this folder instead")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per data set (best is reported)")
    args = parser.parse_args(argv)
    if args.processed:
        measure(str(args.processed), args.processed, args.repeat)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        for scale in args.scales:
            measure(f"demo x{scale}", _prepare(scale, Path(folder)), args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
