"""Several authorities' quarterly runs: one process per authority on this machine, or a Dask cluster."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import ConfigError
from analysis.paths import ProjectPaths
from analysis.run.pipeline import RunResult, run_pipeline


@dataclass(frozen=True)
class AuthorityRun:
    """One authority's run in a consortium batch: a folder holding ``config/`` and ``data/raw/``."""

    folder: Path
    quarter: str | None
    jobs: int
    force: bool
    renderer: str = "auto"


def run_one_authority(task: AuthorityRun) -> RunResult:
    """Run the pipeline for one authority folder (a picklable task for local processes or Dask workers)."""
    paths = ProjectPaths.from_root(task.folder)
    return run_pipeline(paths, quarter=task.quarter, jobs=task.jobs, force=task.force, renderer=task.renderer)


def run_authorities(
    folders: Sequence[Path],
    *,
    quarter: str | None = None,
    jobs: int = 1,
    force: bool = False,
    executor: str = "local",
    renderer: str = "auto",
) -> list[RunResult]:
    """Run the pipeline for several authorities, handing each to an executor.

    ``executor`` is ``local`` (a process per authority on this machine, at most ``os.cpu_count()`` at once) or
    ``dask://host:port``, the address of a Dask distributed scheduler (``tcp://`` is assumed).
    """
    for folder in folders:
        if not (Path(folder) / "config" / "authority.yml").is_file():
            raise ConfigError(
                Path(folder) / "config" / "authority.yml", "(file)", "an authority folder with config/"
            )
    tasks = [AuthorityRun(Path(f), quarter, jobs, force, renderer) for f in folders]
    submit = _executor(executor)
    return submit(run_one_authority, tasks)


def _executor(
    spec: str,
) -> Callable[[Callable[[AuthorityRun], RunResult], list[AuthorityRun]], list[RunResult]]:
    if spec == "local":
        return _run_local
    if spec.startswith("dask://"):
        address = "tcp://" + spec.removeprefix("dask://")
        return lambda function, tasks: _run_dask(address, function, tasks)
    raise ConfigError("--executor", "executor", "'local' or 'dask://host:port'", spec)


def _run_local(function: Callable[[AuthorityRun], RunResult], tasks: list[AuthorityRun]) -> list[RunResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = max(1, min(len(tasks), os.cpu_count() or 1))
    # Fresh interpreters ("spawn"), not forks: a fork copies the caller's threads and ZeroMQ state (from kernels
    # it has run) into a child that can then hang.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(function, tasks))


def _run_dask(
    address: str, function: Callable[[AuthorityRun], RunResult], tasks: list[AuthorityRun]
) -> list[RunResult]:
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError("--executor", "executor", "Dask installed: pip install '.[dask]'") from None
    with Client(address, set_as_default=False) as client:
        futures = client.map(function, tasks, pure=False)
        return client.gather(futures)
