"""Several authorities in one run: local processes, and a Dask distributed LocalCluster."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import copy_project, make_demo_project

from analysis.paths import ProjectPaths
from analysis.run.consortium import run_authorities
from analysis.run.pipeline import RunResult

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def two_authorities(
    tmp_path_factory: pytest.TempPathFactory,
    repo_root: Path,
    first_run: RunResult,
    demo_project: ProjectPaths,
) -> list[Path]:
    """The session's demo project as it stood after its run (its run finds everything up to date), and a second
    authority's data set, never run (its run makes everything): one run of each kind, each in its own process."""
    base = tmp_path_factory.mktemp("consortium")
    first = copy_project(demo_project, base / "medway").root
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
    stages = [{stage.name: stage.skipped for stage in r.stages} for r in results]
    assert all(stages[0].values()), stages[0]  # the session's demo, already run: nothing to do
    assert not any(stages[1].values()), stages[1]  # the second authority's first run: every stage


def test_dask_local_cluster(two_authorities: list[Path]) -> None:
    """The same authorities sent to a Dask LocalCluster's worker processes, as a consortium's monthly update is: one
    authority's commentary has changed, so its worker re-makes its reports (and only them) and the other's finds
    everything up to date. Forcing every stage again in Dask would repeat the local run's work and check nothing
    more (the pipeline is the same function in either executor)."""
    distributed = pytest.importorskip("distributed")
    if not all(
        (folder / "reports" / "2015-16-Q1" / "quarterly-report.html").is_file() for folder in two_authorities
    ):
        run_authorities(two_authorities, jobs=1, executor="local", renderer="builtin")  # run on its own
    added = "A sentence the second authority added after its first run."
    with (two_authorities[1] / "data" / "raw" / "commentary" / "2015-16-Q1.md").open(
        "a", encoding="utf-8"
    ) as f:
        f.write(f"\n{added}\n")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        results = run_authorities(two_authorities, jobs=1, executor=f"dask://{address}", renderer="builtin")
        # Both runs were tasks of the cluster's scheduler, run in its workers.
        prefix = cluster.scheduler.task_prefixes.get("run_one_authority")
        assert prefix is not None and prefix.state_counts["memory"] == 2  # each reached memory: it finished
    _assert_reports(two_authorities, results)
    stages = [{stage.name: stage.skipped for stage in r.stages} for r in results]
    assert all(stages[0].values()), stages[0]  # nothing changed for the first
    assert not stages[1]["reports"] and stages[1]["clean"], stages[1]
    assert added in results[1].report_path.read_text(encoding="utf-8")
    assert added not in results[0].report_path.read_text(encoding="utf-8")
