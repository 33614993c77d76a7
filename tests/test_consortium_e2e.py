"""Several authorities in one run: local processes, and a Dask distributed LocalCluster."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import make_demo_project

from analysis.run.consortium import run_authorities

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def two_authorities(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> list[Path]:
    base = tmp_path_factory.mktemp("consortium")
    first = make_demo_project(base / "medway", repo_root, seed=2015).root
    second = make_demo_project(base / "second", repo_root, seed=7).root
    authority_file = second / "config" / "authority.yml"
    authority = yaml.safe_load(authority_file.read_text(encoding="utf-8"))
    authority["name"] = "Medway (second demonstration data set)"
    authority_file.write_text(yaml.safe_dump(authority, sort_keys=False), encoding="utf-8")
    return [first, second]


def _assert_reports(folders: list[Path], results) -> None:
    assert [r.quarter for r in results] == ["2015-16-Q1", "2015-16-Q1"]
    for folder, result in zip(folders, results, strict=True):
        assert result.report_path == folder / "reports" / "2015-16-Q1" / "quarterly-report.html"
        assert result.report_path.is_file()
        assert len(list(result.quarter_dir.glob("exceptions-*.html"))) == 6
    titles = [r.report_path.read_text(encoding="utf-8") for r in results]
    assert "Medway (second demonstration data set)" in titles[1]
    assert "Medway (second demonstration data set)" not in titles[0]


def test_local_processes(two_authorities: list[Path]) -> None:
    results = run_authorities(two_authorities, jobs=1, executor="local", renderer="builtin")
    _assert_reports(two_authorities, results)


def test_dask_local_cluster(two_authorities: list[Path]) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        results = run_authorities(
            two_authorities, jobs=1, executor=f"dask://{address}", renderer="builtin", force=True
        )
    _assert_reports(two_authorities, results)
    assert all(not stage.skipped for r in results for stage in r.stages)
