"""Time and peak memory of stage 2 (``validate_processed``) on the demo and on the scaled (~1 million row) demo.

Run from the repository root: ``.venv/bin/python benchmarks/validation.py [--scales 1 16]``. Prints one line per
scale: rows checked, expectations run, seconds, and the peak resident memory of the process that ran the checks
(Linux ``ru_maxrss`` of a child process; scales run smallest first, so each figure is that scale's peak).
"""

from __future__ import annotations

import argparse
import logging
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis.config import load_config

REPO = Path(__file__).resolve().parents[1]


def prepare(folder: Path, scale: float) -> Path:
    """Generate the demo at ``scale`` and clean it; return the processed folder."""
    import demo_data.generate as demo_data
    from analysis.stages import cleaning

    config = load_config(REPO / "config")
    demo_data.generate_demo_data(folder / "raw", seed=2015, scale=scale, config=config)
    cleaning.clean_all(folder / "raw", folder / "processed", config, key=b"benchmark-key")
    return folder / "processed"


_CHILD = """
import sys, time
from pathlib import Path
from analysis.config import load_config
from analysis.methods.quarters import Quarter
from analysis.stages.validation import validate_processed
from analysis.stages.validation.runner import _import_gx, read_processed
from analysis.stages.validation.suites import REQUIRED_TABLES
processed, quarter, config_dir = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
_import_gx()
rows = sum(len(t) for name, t in read_processed(processed).items() if name in REQUIRED_TABLES)
started = time.perf_counter()
outcome = validate_processed(processed, load_config(config_dir), Quarter.parse(quarter), raise_on_critical=False)
print(rows, len(outcome.results), time.perf_counter() - started)
"""


def measure(processed: Path, quarter: str) -> tuple[int, int, float, float]:
    """(rows checked, expectations, seconds, peak RSS MiB) of ``validate_processed`` in a fresh process.

    The run is timed after Great Expectations is imported (a once-per-process cost printed separately); the peak
    resident memory is the child process's, so generating and cleaning the demo do not count.
    """
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, str(processed), quarter, str(REPO / "config")],
        check=True,
        capture_output=True,
        text=True,
    )
    rows, checks, seconds = completed.stdout.split()
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: KiB; max over children so far
    return int(rows), int(checks), float(seconds), peak_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 16.0])
    parser.add_argument("--quarter", default="2015-16-Q1")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
    from analysis.stages.validation.runner import _import_gx

    _import_gx()
    print(f"Great Expectations import: {time.perf_counter() - started:.1f} s")
    for scale in args.scales:
        with tempfile.TemporaryDirectory() as folder:
            processed = prepare(Path(folder), scale)
            rows, checks, seconds, peak = measure(processed, args.quarter)
            print(
                f"scale {scale:g}: {rows:,} rows, {checks} expectations, {seconds:.1f} s, "
                f"peak RSS {peak:,.0f} MiB"
            )


if __name__ == "__main__":
    main()
