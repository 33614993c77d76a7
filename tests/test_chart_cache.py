"""The chart cache: a cached chart is the bytes of a fresh draw, drawn once per distinct input, and never a wrong or
half-written file."""

from __future__ import annotations

import ast
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_charts import PERCENT, points

from analysis.products import annual_charts, chart_cache, looking_ahead, spc_charts
from analysis.products.annual_charts import benchmark_chart
from analysis.products.anticipated_charts import anticipated_overlay
from analysis.products.spc_charts import spc_chart

REPO = Path(__file__).resolve().parents[1]
COMPARISON = pd.DataFrame(
    {
        "time_period": [2013, 2014, 2015],
        "local_value": [56.0, 60.5, 78.0],
        "england": [82.0, 81.0, 81.5],
        "region": [80.0, 79.5, np.nan],
        "statistical_neighbours_average": [79.0, 78.0, 80.0],
    }
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache folder in use (and pruned as if for the first time in this process)."""
    monkeypatch.setattr(chart_cache, "_pruned", set())
    cache = tmp_path / "data" / chart_cache.FOLDER_NAME
    chart_cache.use_folder(cache)
    return cache


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob(f"*{chart_cache.SUFFIX}")) if cache.is_dir() else []


def drawing_refused(*_: object, **__: object) -> object:
    raise AssertionError("drawn although the chart is in the cache")


def test_a_cached_spc_chart_is_the_bytes_of_a_fresh_draw_and_the_second_call_reads_the_file(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = points([55.0, 70.0, 88.0, 61.0], classes=["common_cause"] * 3 + ["concern"])
    fresh = spc_charts.spc_chart_svg.__wrapped__(frame, PERCENT)  # type: ignore[attr-defined]
    first = spc_chart(frame, PERCENT)
    assert first.svg == fresh
    [entry] = entries(folder)
    assert entry.read_bytes() == fresh.encode("utf-8")
    monkeypatch.setattr(spc_charts, "new_figure", drawing_refused)
    second = spc_chart(frame, PERCENT)
    assert second == first  # the SVG from the file; alt text and caption as ever


def test_a_cached_benchmark_chart_is_the_bytes_of_a_fresh_draw(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = {"authority": "Medway", "region": "South East"}
    fresh = benchmark_chart(COMPARISON, PERCENT, **names)  # no folder: drawn
    chart_cache.use_folder(folder)
    assert benchmark_chart(COMPARISON, PERCENT, **names) == fresh
    monkeypatch.setattr(annual_charts, "new_figure", drawing_refused)
    assert benchmark_chart(COMPARISON, PERCENT, **names) == fresh
    assert len(entries(folder)) == 1


def test_a_changed_value_is_a_new_key_and_a_new_drawing(folder: Path) -> None:
    before = benchmark_chart(COMPARISON, PERCENT, authority="Medway", region="South East").svg
    changed = COMPARISON.copy()
    changed.loc[2, "local_value"] = 79.0
    after = benchmark_chart(changed, PERCENT, authority="Medway", region="South East").svg
    assert after != before
    assert len(entries(folder)) == 2


def test_the_rows_places_in_their_table_do_not_change_the_key(folder: Path) -> None:
    """A chart's rows sliced from a table keep their row labels, which shift when another indicator's rows do."""
    names = {"authority": "Medway", "region": "South East"}
    first = benchmark_chart(COMPARISON, PERCENT, **names)
    assert benchmark_chart(COMPARISON.set_axis([7, 8, 9]), PERCENT, **names) == first
    assert len(entries(folder)) == 1


def test_defaults_given_or_left_out_share_a_key(folder: Path) -> None:
    frame = points([55.0, 70.0, 88.0])
    spc_chart(frame, PERCENT)
    spc_chart(frame, PERCENT, rebase_dates=(), rebase_label="Process changed: limits recalculated")
    assert len(entries(folder)) == 1


def test_the_key_is_the_same_once_the_data_has_been_drawn() -> None:
    """pandas arrays cache what is read from them (a date column's unit), and pickle what they cached."""
    frame = points([55.0, 70.0, 88.0])
    draw = spc_charts.spc_chart_svg.__wrapped__  # type: ignore[attr-defined]
    before = chart_cache.chart_key(draw, (frame, PERCENT), {})
    draw(frame, PERCENT)
    assert chart_cache.chart_key(draw, (frame, PERCENT), {}) == before


@pytest.mark.parametrize("damage", ["garbage", "truncated", "not utf-8"])
def test_a_corrupt_file_is_drawn_again_and_replaced(folder: Path, damage: str) -> None:
    frame = points([55.0, 70.0, 88.0])
    fresh = spc_chart(frame, PERCENT).svg
    [entry] = entries(folder)
    damaged = {
        "garbage": b"not an svg",
        "truncated": fresh.encode("utf-8")[: len(fresh) // 2],
        "not utf-8": b"<svg \xff\xfe",
    }[damage]
    entry.write_bytes(damaged)
    assert spc_chart(frame, PERCENT).svg == fresh
    assert entry.read_bytes() == fresh.encode("utf-8")


def test_with_no_folder_every_chart_is_drawn_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chart_cache.use_folder(None)
    assert chart_cache.current_folder() is None
    monkeypatch.setattr(chart_cache, "write_entry", drawing_refused)
    monkeypatch.chdir(tmp_path)
    frame = points([55.0, 70.0, 88.0])
    assert spc_chart(frame, PERCENT).svg == spc_chart(frame, PERCENT).svg
    assert list(tmp_path.iterdir()) == []


def test_arguments_that_cannot_be_keyed_are_drawn_without_the_cache(folder: Path) -> None:
    frame = points([55.0, 70.0, 88.0])

    def overlay_of_a_notebook(axes: object) -> list[object]:  # a closure: not picklable by reference
        return []

    assert spc_chart(frame, PERCENT, overlay=overlay_of_a_notebook).svg.startswith("<svg")
    assert entries(folder) == []


def test_once_the_source_changes_under_a_process_its_charts_are_drawn_without_the_cache(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = points([55.0, 70.0, 88.0])
    spc_chart(frame, PERCENT)
    [entry] = entries(folder)
    entry.write_text("<svg>a chart drawn by the code as it was</svg>")
    assert chart_cache.source_unchanged()
    edited = tuple((path, modified + 1, size) for path, modified, size in chart_cache.source_stamp())
    monkeypatch.setattr(chart_cache, "source_stamp", lambda: edited)  # as if a module had been saved since
    assert not chart_cache.source_unchanged()
    assert spc_chart(frame, PERCENT).svg.startswith("<svg xmlns")  # drawn, not read
    assert entries(folder) == [entry]


def test_code_outside_what_the_key_covers_is_refused() -> None:
    with pytest.raises(chart_cache.Unkeyable):
        chart_cache.arguments_pickle((test_code_outside_what_the_key_covers_is_refused,))  # a test's function
    # analysis, pandas and pydantic are covered
    chart_cache.arguments_pickle((spc_chart, pd.DataFrame({"a": [1.0]}), PERCENT))


def test_the_anticipated_overlay_is_cached(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = points([55.0, 70.0, 88.0])
    rows = pd.DataFrame(
        {"month": frame["month"], "expected": 60.0, "lower": 50.0, "upper": 70.0, "basis": "forecast"}
    )
    first = spc_chart(frame, PERCENT, overlay=anticipated_overlay(rows)).svg
    monkeypatch.setattr(spc_charts, "new_figure", drawing_refused)
    assert spc_chart(frame, PERCENT, overlay=anticipated_overlay(rows)).svg == first
    assert len(entries(folder)) == 1


def test_a_hit_touches_the_file(folder: Path) -> None:
    frame = points([55.0, 70.0, 88.0])
    spc_chart(frame, PERCENT)
    [entry] = entries(folder)
    old = time.time() - 10 * 86400
    os.utime(entry, (old, old))
    spc_chart(frame, PERCENT)
    assert entry.stat().st_mtime > old + 9 * 86400


def test_entries_unused_for_the_limit_are_pruned_once_per_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chart_cache, "_pruned", set())
    cache = tmp_path / "chart-cache"
    cache.mkdir()
    stale = time.time() - (chart_cache.MAX_AGE_DAYS + 1) * 86400
    kept = time.time() - (chart_cache.MAX_AGE_DAYS - 1) * 86400
    for name, when in [
        ("old.svg", stale),
        (".old.svg.x.tmp", stale),
        ("recent.svg", kept),
        ("notes.txt", stale),
    ]:
        (cache / name).write_text("<svg></svg>")
        os.utime(cache / name, (when, when))
    chart_cache.use_folder(cache)
    assert sorted(p.name for p in cache.iterdir()) == ["notes.txt", "recent.svg"]
    (cache / "old.svg").write_text("<svg></svg>")
    os.utime(cache / "old.svg", (stale, stale))
    chart_cache.use_folder(cache)  # pruned once per process: not again
    assert (cache / "old.svg").exists()


def test_the_folder_is_beside_the_processed_tables(tmp_path: Path) -> None:
    assert chart_cache.folder_beside(tmp_path / "data" / "processed") == tmp_path / "data" / "chart-cache"
    staging = tmp_path / "data" / ".processed.staging-run"
    assert chart_cache.folder_beside(staging) == tmp_path / "data" / "chart-cache"


def test_the_key_is_the_same_in_another_process() -> None:
    """Sets pickle in hash order, which changes from process to process: the key must not (issue 21: a chart
    drawn by one notebook's kernel is read by the next)."""
    code = (
        "import hashlib, sys; sys.path.insert(0, 'tests');"
        "from analysis.products.chart_cache import arguments_pickle; from test_charts import PERCENT, points;"
        "print(hashlib.sha256(arguments_pickle((PERCENT, {'a', 'b', 'c'}, points([1.0, 2.0])))).hexdigest())"
    )
    arguments = (PERCENT, {"a", "b", "c"}, points([1.0, 2.0]))
    here = hashlib.sha256(chart_cache.arguments_pickle(arguments)).hexdigest()
    for seed in ("1", "2"):
        there = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert there == here


def test_every_function_that_draws_a_figure_is_cached() -> None:
    """A function that turns a figure into SVG (``figure_svg``) is a cached chart function."""
    products = REPO / "src" / "analysis" / "products"
    drawing = {}
    for path in sorted(products.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "figure_svg"
                for call in ast.walk(node)
            ):
                decorators = {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
                drawing[f"{path.stem}.{node.name}"] = "cached_svg" in decorators
    assert drawing == {
        "annual_charts.annual_chart_svg": True,
        "annual_charts.benchmark_chart_svg": True,
        "looking_ahead.looking_ahead_svg": True,
        "spc_charts.spc_chart_svg": True,
    }
    assert hasattr(looking_ahead.looking_ahead_svg, "__wrapped__")
