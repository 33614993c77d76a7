"""Time the synthetic data generator at scales 1 and 16 and count the Annex A rows it writes.

Run: ``.venv/bin/python benchmarks/demo_data.py`` (writes to a temporary folder, deleted afterwards).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

from analysis.config import load_config
from demo_data.generate import generate_demo_data


def main() -> None:
    config = load_config(Path(__file__).resolve().parents[1] / "config")
    for scale in (1, 16):
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            written = generate_demo_data(Path(folder), seed=2015, scale=scale, config=config)
            seconds = time.perf_counter() - started
            csvs = sorted(Path(folder).glob("annex_a/List_*.csv"))
            rows = sum(len(pd.read_csv(p, usecols=[0])) for p in csvs) if csvs else None
            print(f"scale {scale:>4}: {seconds:6.1f} s, {len(written)} files, Annex A CSV rows: {rows}")


if __name__ == "__main__":
    main()
