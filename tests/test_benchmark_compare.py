"""benchmarks/compare.py: two runs of `make bench` side by side, each figure against its goal."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def _compare() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_compare", REPO / "benchmarks" / "compare.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_compare"] = module
    spec.loader.exec_module(module)
    return module


def test_two_runs_side_by_side_with_the_ratio_and_the_goal() -> None:
    compare = _compare()
    old = {"label": "old", "figures": {"cold_ratio": 0.57, "cold_peak_mib": 2568.0}}
    new = {"label": "new", "figures": {"cold_ratio": 0.30, "cold_peak_mib": 1500.0}}
    lines = compare.table([old, new]).splitlines()
    assert lines[0] == "| figure | old | new | new / old | goal |"
    assert "| ours / naive | 0.57 | 0.30 | 0.53 | <= 0.35 (met) |" in lines
    assert (
        "| peak memory of the run's process tree (MiB) | 2,568.0 | 1,500.0 | 0.58 | <= 1,024.0 (missed) |"
        in lines
    )
    assert not any("scale run" in line for line in lines)  # figures neither run measured are left out


def test_every_figure_has_a_unique_key() -> None:
    keys = [figure.key for figure in _compare().FIGURES]
    assert len(keys) == len(set(keys))
