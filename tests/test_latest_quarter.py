"""``reports/latest`` points at the newest quarter reported, not the last one run."""

from __future__ import annotations

from pathlib import Path

from analysis.run.provenance import MANIFEST_FILE
from analysis.run.quarter_run import update_latest


def make_quarter(reports: Path, label: str) -> None:
    (reports / label).mkdir(parents=True)
    (reports / label / MANIFEST_FILE).write_text("{}", encoding="utf-8")


def test_rerunning_a_past_quarter_leaves_latest_on_the_newest(tmp_path):
    make_quarter(tmp_path, "2015-16-Q1")
    make_quarter(tmp_path, "2014-15-Q4")
    (tmp_path / ".failed-2016-17-Q1").mkdir()  # not a published quarter
    (tmp_path / "2016-17-Q2").mkdir()  # no manifest: never published
    update_latest(tmp_path, "2014-15-Q4")
    assert (tmp_path / "latest").readlink() == Path("2015-16-Q1")
    make_quarter(tmp_path, "2015-16-Q2")
    update_latest(tmp_path, "2015-16-Q2")
    assert (tmp_path / "latest").readlink() == Path("2015-16-Q2")
