"""End to end: the whole pipeline on the demo data, re-runs that skip, failures that leave the last good run alone.

One full run per session is shared by most tests (``first_run``); the tests that change inputs work on their own
copies so that their order does not matter.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import copy_project

from analysis.cli import main
from analysis.errors import DataCheckFailed
from analysis.paths import ProjectPaths
from analysis.run.pipeline import RunResult, run_pipeline

pytestmark = pytest.mark.e2e

THEME_REPORTS = [
    "exceptions-1-quality-and-effectiveness.html",
    "exceptions-2-workforce-and-capability.html",
    "exceptions-3-performance-management.html",
    "exceptions-4-partnership-and-early-help.html",
    "exceptions-5-leadership-and-governance.html",
    "exceptions-6-communications.html",
]


def test_project_without_notebooks_uses_the_checkouts(demo_project: ProjectPaths, repo_root: Path) -> None:
    assert demo_project.notebooks == repo_root / "notebooks"


def test_run_produces_every_report(first_run: RunResult) -> None:
    folder = first_run.quarter_dir
    assert first_run.quarter == "2015-16-Q1"
    assert first_run.report_path == folder / "quarterly-report.html"
    assert first_run.renderer == "built-in"
    for name in ["quarterly-report.html", "index.html", *THEME_REPORTS]:
        assert (folder / name).is_file(), name
    for audit in ["01-clean.ipynb", "02-validate.ipynb", "03-analyse.ipynb"]:
        assert (folder / audit).is_file(), audit
    index = (folder / "index.html").read_text(encoding="utf-8")
    for name in ["quarterly-report.html", *THEME_REPORTS]:
        assert name in index
    assert not any(stage.skipped for stage in first_run.stages)


def test_manifest_records_inputs_versions_and_stages(
    first_run: RunResult, demo_project: ProjectPaths
) -> None:
    manifest = json.loads((first_run.quarter_dir / "manifest.json").read_text(encoding="utf-8"))
    inputs = {item["path"]: item["sha256"] for item in manifest["inputs"]}
    assert "scorecard.xlsx" in inputs and len(inputs["scorecard.xlsx"]) == 64
    assert manifest["quarter"] == "2015-16-Q1"
    assert manifest["package_version"]
    assert manifest["libraries"]["pandas"].startswith("3.")
    assert [s["name"] for s in manifest["stages"]] == [
        "clean",
        "commentary",
        "validate",
        "analyse",
        "reports",
    ]
    assert manifest["extract_date"] == "2015-07-10"
    assert str(demo_project.root) not in json.dumps(manifest), "the manifest must not embed absolute paths"


def test_processed_tables_hold_pseudonyms_only(first_run: RunResult, demo_project: ProjectPaths) -> None:
    raw_ids = _raw_child_ids(demo_project.raw)
    assert len(raw_ids) > 1000
    pattern = re.compile("|".join(re.escape(i) for i in sorted(raw_ids)[:2000]))
    for folder in [demo_project.processed, first_run.quarter_dir]:
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in {".parquet", ".html", ".ipynb", ".json", ".csv"}:
                text = path.read_bytes().decode("latin-1")
                assert not pattern.search(text), f"a raw child identifier appears in {path.name}"


def _raw_child_ids(raw: Path) -> set[str]:
    workbook = raw / "annex_a.xlsx"
    if workbook.is_file():
        frame = pd.read_excel(workbook, sheet_name="List 1", header=None, dtype=str, engine="openpyxl")
    else:
        frame = pd.read_csv(raw / "annex_a" / "List_1.csv", header=None, dtype=str)
    values = frame.stack().dropna().astype(str).str.strip()
    return set(values[values.str.fullmatch(r"[A-Z]{2}\d{5,}")])


def test_warm_rerun_skips_every_stage(
    first_run: RunResult, demo_project: ProjectPaths, tmp_path: Path
) -> None:
    paths = copy_project(demo_project, tmp_path / "warm")
    before = (paths.quarter_reports("2015-16-Q1") / "quarterly-report.html").read_bytes()
    again = run_pipeline(paths, jobs=2, renderer="builtin")
    assert again.skipped_everything, [(s.name, s.skipped) for s in again.stages]
    assert (again.quarter_dir / "quarterly-report.html").read_bytes() == before
    assert (again.quarter_dir / "01-clean.ipynb").is_file()
    # naming the latest quarter, which has no snapshot of the action tracker, reads the same tracker: nothing to do
    assert not (paths.raw / "action_tracker" / "2015-16-Q1.xlsx").exists()
    named = run_pipeline(paths, quarter="2015-16-Q1", jobs=2, renderer="builtin")
    assert named.skipped_everything, [(s.name, s.skipped) for s in named.stages]


def test_changing_the_commentary_reruns_only_the_reports(
    first_run: RunResult, demo_project: ProjectPaths, tmp_path: Path
) -> None:
    paths = copy_project(demo_project, tmp_path / "commentary")
    commentary = paths.raw / "commentary" / "2015-16-Q1.md"
    commentary.write_text(
        commentary.read_text(encoding="utf-8") + "\n\nA sentence the analyst added late.\n", encoding="utf-8"
    )
    again = run_pipeline(paths, jobs=2, renderer="builtin")
    ran = {s.name for s in again.stages if not s.skipped}
    assert ran == {"commentary", "reports"}
    # the sentence ends the file, so it is theme 6's: the quarterly report and theme 6's exception report show it
    # and run again; every other report is kept as it was (its notebook, page and PDF), as is nothing else
    shown = ["quarterly-report", "exceptions-6-communications"]
    for name in shown:
        page = (again.quarter_dir / f"{name}.html").read_text(encoding="utf-8")
        assert "A sentence the analyst added late." in page, name
    kept = sorted(p.name for p in first_run.quarter_dir.glob("*.html") if p.stem not in {*shown, "index"})
    assert {"exceptions-1-quality-and-effectiveness.html", "topic-child-protection.html"} <= set(kept), kept
    for name in kept:
        for suffix in (".ipynb", ".html", ".pdf"):
            before, after = (
                (first_run.quarter_dir / name).with_suffix(suffix),
                (again.quarter_dir / name).with_suffix(suffix),
            )
            assert before.is_file() == after.is_file(), after
            if before.is_file():
                assert after.read_bytes() == before.read_bytes(), f"{after.name} was made again"
    for name in shown:
        after = (again.quarter_dir / name).with_suffix(".ipynb").read_bytes()
        assert after != (first_run.quarter_dir / name).with_suffix(".ipynb").read_bytes(), name


def test_changing_a_raw_file_reruns_everything_downstream(
    first_run: RunResult, demo_project: ProjectPaths, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    paths = copy_project(demo_project, tmp_path / "raw-change")
    tracker = paths.raw / "action_tracker.xlsx"
    workbook = load_workbook(tracker)
    sheet = workbook["Actions"]
    status_column = next(c.column for row in sheet.iter_rows(max_row=10) for c in row if c.value == "Status")
    header_row = next(c.row for row in sheet.iter_rows(max_row=10) for c in row if c.value == "Status")
    sheet.cell(row=header_row + 1, column=status_column, value="Complete")
    workbook.save(tracker)
    again = run_pipeline(paths, jobs=2, renderer="builtin")
    assert [s.name for s in again.stages if not s.skipped] == ["clean", "validate", "analyse", "reports"]
    # Great Expectations adds each validation's results to the site it finds: the Data Docs show this one's only
    validations = again.report_path.parent / "data-docs" / "validations"
    results_per_suite = {suite.name: len(list(suite.glob("*/*"))) for suite in validations.iterdir()}
    assert results_per_suite and set(results_per_suite.values()) == {1}, results_per_suite


def test_critical_data_failure_exits_2_and_keeps_the_last_good_reports(
    first_run: RunResult,
    demo_project: ProjectPaths,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = copy_project(demo_project, tmp_path / "corrupt")
    adoptions_file = paths.processed / "adoptions.parquet"
    adoptions = pd.read_parquet(adoptions_file)
    row = adoptions.index[
        adoptions["placement_order_date"].notna() & adoptions["adoption_order_date"].notna()
    ][0]
    adoptions.loc[row, "adoption_order_date"] = adoptions.loc[row, "placement_order_date"] - pd.Timedelta(
        days=30
    )
    adoptions.to_parquet(adoptions_file, index=False)
    raw_row = int(adoptions.loc[row, "source_row"])
    report = paths.quarter_reports("2015-16-Q1") / "quarterly-report.html"
    before = report.read_bytes()

    with pytest.raises(DataCheckFailed) as failure:
        run_pipeline(paths, jobs=2, renderer="builtin")
    assert "adoption" in str(failure.value)
    assert str(raw_row) in str(failure.value)
    assert report.read_bytes() == before

    monkeypatch.setenv("ANALYSIS_PROJECT_ROOT", str(paths.root))
    code = main(["run", "--renderer", "builtin"])
    assert code == 2
    assert str(raw_row) in caplog.text
    assert report.read_bytes() == before


def test_a_past_quarter_is_reproduced_with_its_own_tracker_and_commentary(
    first_run: RunResult, demo_project: ProjectPaths, tmp_path: Path
) -> None:
    """Issue 13: 2014-15 Q4 takes the tracker as at March 2015 (no June deadline passed) and its own commentary."""
    paths = copy_project(demo_project, tmp_path / "past")
    past = run_pipeline(paths, quarter="2014-15-Q4", jobs=2, renderer="builtin")
    assert past.quarter == "2014-15-Q4"
    actions = pd.read_parquet(paths.processed / "actions.parquet")
    # the demo's snapshot action_tracker/2014-15-Q4.xlsx: nothing had started, nothing was due by 31 March 2015
    assert set(actions["status"]) == {"not_started"}
    report = (past.quarter_dir / "quarterly-report.html").read_text(encoding="utf-8")
    assert "Due date passed" not in report  # the July tracker's update on the June 2015 deadline
    # the commentary of 2015-16 Q1 (notes on May and June) is not in the report of 2014-15 Q4
    assert "May and June are well above the 18-week standard" not in report
    current = (first_run.quarter_dir / "quarterly-report.html").read_text(encoding="utf-8")
    assert "May and June are well above the 18-week standard" in current
    assert "Due date passed" in current
    assert (paths.reports / "latest").resolve().name == "2015-16-Q1"
