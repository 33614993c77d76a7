"""Run the pipeline for a quarter: clean, validate, analyse, then the report notebooks and their rendering.

Reads like a table of contents: :func:`run_pipeline` calls one function per stage. Each stage is a parameterised
notebook executed with papermill into ``reports/<quarter>/`` (the audit trail). Around the stages:

- **Skipping.** A stage runs only when the fingerprint of its inputs (raw files, configuration, the package's code,
  the notebook, its parameters and the fingerprints of the stages before it) differs from the last successful run's,
  kept in ``data/processed/.pipeline-state.json``. ``force=True`` runs everything.
- **One run at a time, atomic publication** (:mod:`analysis.publication`). A run holds the project's lock. Stages
  write into private copies (real copies, never hard links) of ``data/processed/`` and ``reports/<quarter>/``; only
  when every stage has succeeded is each copy swapped into place in one step, so a failed or killed run never
  changes the last good outputs, and the next run finishes or cleans up after a killed one. A failed run's
  notebooks are kept in ``reports/.failed-<quarter>/`` for inspection.
- **The key.** A missing or different pseudonymisation key with existing pseudonymised data stops the run
  (:func:`analysis.pseudonymise.confirm_key`); ``new_key=True`` (``--new-key``) starts afresh on purpose.
- **Provenance.** ``reports/<quarter>/manifest.json`` records the inputs' SHA-256, the configuration's hash, versions,
  parameters and each stage's timing and whether it was skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import __version__
from analysis.config import ProjectConfig, load_config
from analysis.errors import (
    AnalysisError,
    ConfigError,
    DataCheckFailed,
    InputDataError,
    NotebookFailed,
    PseudonymKeyError,
    PublicationFailed,
    StorageError,
)
from analysis.kernels import KERNEL_ARGUMENTS, WarmKernels
from analysis.paths import ProjectPaths
from analysis.pseudonymise import NEW_KEY_FLAG, confirm_key, key_check
from analysis.publication import (
    JOURNAL_FILE,
    STATE_FILE,
    check_can_swap,
    check_can_write,
    folder_bytes,
    is_storage_error,
    new_run_id,
    project_lock,
    publish,
    recover,
    remove_leftovers,
    staging_copy,
    storage_error,
)
from analysis.quarters import Quarter
from analysis.schemas import ANALYSIS_TABLES, SCHEMAS

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager

logger = logging.getLogger(__name__)

MANIFEST_FILE = "manifest.json"
KEY_FILE = ".pseudonym-key"
#: The key's check value, in the processed folder beside the tables it was made with (published with them).
KEY_CHECK_FILE = ".pseudonym-key-check"
_CHECK_VALUE = re.compile(r"[0-9a-f]{64}")
#: Raw sub-folder that only the report notebooks read: changing it re-runs the reports alone.
COMMENTARY_FOLDER = "commentary"
#: Errors raised inside a notebook that are the analyst's to fix (exit code 2), by exception class name.
_ANALYST_ERRORS: dict[str, type[AnalysisError]] = {
    "DataCheckFailed": DataCheckFailed,
    "InputDataError": AnalysisError,
    "ConfigError": AnalysisError,
    "StorageError": StorageError,
}
#: What a storage failure inside a notebook's kernel says (``OSError`` text): reported as a StorageError.
_STORAGE_MESSAGES = ("No space left on device", "Read-only file system", "Permission denied", "Disk quota")
#: Tables the cleaning stage writes (validation and analysis read them).
CLEAN_TABLES = [
    name for name in SCHEMAS if name not in {*ANALYSIS_TABLES, "validation_results", "commentary"}
]
#: What each later stage's kernel imports while earlier stages run (see analysis.kernels).
KERNEL_WARM_UPS = {
    "validate": "from analysis.validation import preload_great_expectations; preload_great_expectations()",
    "analyse": "import analysis.analyse",
    "reports": "import analysis.reporting",
}
#: The stages after each stage, whose kernels can be prepared while it runs.
LATER_STAGES = {
    "clean": ["validate", "analyse", "reports"],
    "validate": ["analyse", "reports"],
    "analyse": ["reports"],
}
KEY_LIBRARIES = (
    "pandas",
    "numpy",
    "pyarrow",
    "great-expectations",
    "papermill",
    "nbconvert",
    "matplotlib",
    "holidays",
)


# ---------------------------------------------------------------------------------------------- results
@dataclass
class StageRecord:
    """What happened to one stage in this run."""

    name: str
    skipped: bool
    seconds: float
    fingerprint: str
    notebooks: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    """The outcome of a successful run."""

    quarter: str
    quarter_dir: Path
    report_path: Path
    renderer: str
    stages: list[StageRecord]

    @property
    def skipped_everything(self) -> bool:
        return all(stage.skipped for stage in self.stages)


# ---------------------------------------------------------------------------------------------- hashing
def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks so large extracts do not fill memory."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files_below(folder: Path, *, exclude: Iterable[str] = ()) -> list[Path]:
    """Regular files below ``folder`` in a stable order, skipping hidden files and excluded top-level folders."""
    if not folder.is_dir():
        return []
    excluded = set(exclude)
    files = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if not path.is_file() or relative.parts[0] in excluded:
            continue
        if any(part.startswith(".") for part in relative.parts) or path.name == "README.md":
            continue
        files.append(path)
    return sorted(files)


def fingerprint_files(files: Sequence[Path], root: Path) -> list[dict[str, str]]:
    """``[{"path", "sha256"}]`` for files, paths relative to ``root`` so the fingerprint does not move with it."""
    return [{"path": path.relative_to(root).as_posix(), "sha256": sha256_file(path)} for path in files]


def tables_digest(folder: Path, tables: Iterable[str]) -> str:
    """Hash of the named processed tables' files: a stage re-runs when any table it reads has changed."""
    return _digest(
        [
            (t, sha256_file(folder / f"{t}.parquet"))
            for t in sorted(tables)
            if (folder / f"{t}.parquet").is_file()
        ]
    )


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def code_fingerprint() -> str:
    """Hash of the package's source and templates: any change to the code re-runs every stage."""
    package = Path(__file__).resolve().parent
    files = sorted(
        p for p in package.rglob("*") if p.is_file() and p.suffix in {".py", ".tpl", ".css", ".j2"}
    )
    return _digest(__version__, fingerprint_files(files, package))


# ---------------------------------------------------------------------------------------------- state
def _read_state(processed: Path) -> dict[str, Any]:
    path = processed / STATE_FILE
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        logger.warning("Ignoring an unreadable %s: every stage will run", path)
        return {}


def _write_json(path: Path, data: Any) -> None:
    _write_text(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def _write_text(path: Path, text: str) -> None:
    from analysis.io import write_text

    write_text(path, text)


# ---------------------------------------------------------------------------------------------- notebooks
def execute_notebook(
    notebook: Path,
    output: Path,
    parameters: dict[str, Any],
    *,
    cwd: Path,
    kernel: KernelManager | None = None,
) -> None:
    """Execute a notebook with papermill; an error in a cell becomes an :class:`AnalysisError` with its message.

    Papermill saves the failed notebook (with the error in it) before raising, so the analyst can open it.
    Only JSON-native parameter values are passed (strings, numbers, booleans, lists). ``kernel``, a kernel
    prepared in advance (:mod:`analysis.kernels`), runs this one notebook and is shut down after it.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    engine_options: dict[str, Any] = (
        {"km": kernel} if kernel is not None else {"extra_arguments": KERNEL_ARGUMENTS}
    )
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            cwd=str(cwd),
            **engine_options,
        )
    except PapermillExecutionError as error:
        message = str(error.evalue).strip()
        analyst_error = _ANALYST_ERRORS.get(error.ename)
        if analyst_error is not None:
            raise analyst_error(message) from None
        if any(text in message for text in _STORAGE_MESSAGES):
            raise StorageError(
                f"{notebook.name} could not write its outputs: {message} (the last good outputs are unchanged)."
            ) from None
        raise NotebookFailed(
            f"{notebook.name} failed in cell {error.exec_count}: {error.ename}: {message} "
            f"(the executed notebook with the full error is {output})"
        ) from None
    finally:
        if kernel is not None:
            kernel.shutdown_kernel(now=True)


# ---------------------------------------------------------------------------------------------- the run
@dataclass
class _Run:
    """Everything one run needs to know, passed between the stage functions."""

    paths: ProjectPaths
    config: ProjectConfig
    run_id: str
    staged_processed: Path
    staged_reports: Path | None
    state: dict[str, Any]
    new_state: dict[str, Any]
    force: bool
    jobs: int
    code: str
    config_hash: str
    new_key: bool = False
    warm: WarmKernels | None = None
    records: list[StageRecord] = field(default_factory=list)
    quarter: Quarter | None = None
    #: The quarter asked for (its label), whose action tracker snapshot the cleaning takes; None for the latest.
    tracker_quarter: str | None = None

    def prepare_kernels(self, stages: Iterable[str]) -> None:
        """Start, in the background, kernels for the notebooks of ``stages`` (validate, analyse, reports)."""
        if self.warm is None:
            return
        for stage in stages:
            if stage == "reports":
                for index in range(1 + len(self.config.plan.themes)):
                    self.warm.prepare(f"report-{index}", KERNEL_WARM_UPS["reports"])
            else:
                self.warm.prepare(stage, KERNEL_WARM_UPS[stage])

    def take_kernel(self, key: str) -> KernelManager | None:
        return self.warm.take(key) if self.warm is not None else None

    def parameters(self, **extra: Any) -> dict[str, Any]:
        base = {"processed_dir": str(self.staged_processed), "config_dir": str(self.paths.config)}
        return base | extra

    def previous_fingerprint(self, stage: str) -> str | None:
        return self.state.get("stages", {}).get(stage, {}).get("fingerprint")

    def should_skip(self, stage: str, fingerprint: str, outputs: Iterable[Path]) -> bool:
        return (
            not self.force
            and self.previous_fingerprint(stage) == fingerprint
            and all(path.exists() for path in outputs)
        )

    def record(
        self, stage: str, fingerprint: str, started: float, *, skipped: bool, notebooks: list[str]
    ) -> None:
        seconds = round(time.perf_counter() - started, 3)
        self.records.append(StageRecord(stage, skipped, seconds, fingerprint, notebooks))
        self.new_state.setdefault("stages", {})[stage] = {"fingerprint": fingerprint, "notebooks": notebooks}
        if skipped:
            logger.info("Skipped %s: its inputs, code and parameters are unchanged since the last run", stage)
        else:
            logger.info("Ran %s in %.1f s", stage, seconds)


#: Name prefix of a run's private copy of ``reports/<quarter>/`` (in ``reports/``) and of ``data/processed/``.
REPORTS_STAGING_PREFIX = ".staging-"


def _processed_staging_prefix(paths: ProjectPaths) -> str:
    return f".{paths.processed.name}.staging-"


def _ensure_quarter_reports(run: _Run) -> Path:
    """Create this run's private copy of ``reports/<quarter>/`` (real copies of the last good files) on first use."""
    if run.staged_reports is None:
        assert run.quarter is not None
        target = run.paths.quarter_reports(run.quarter.label)
        staged = run.paths.reports / f"{REPORTS_STAGING_PREFIX}{run.quarter.label}-{run.run_id}"
        staging_copy(target, staged)
        run.staged_reports = staged
    return run.staged_reports


def _carry_notebooks(run: _Run, stage: str) -> None:
    """When a skipped stage's executed notebooks live in another quarter's folder, copy them into this one."""
    staged = _ensure_quarter_reports(run)
    for recorded in run.state.get("stages", {}).get(stage, {}).get("notebooks", []):
        source = run.paths.reports / recorded
        target = staged / Path(recorded).name
        if source.is_file() and not target.exists():
            shutil.copy2(source, target)


def read_key_check(processed: Path, state: dict[str, Any]) -> str | None:
    """The check value of the key the processed data were made with (:func:`analysis.pseudonymise.key_check`).

    Kept in its own file beside the tables, ``data/processed/.pseudonym-key-check``, published with them. Before
    that file existed it was kept in the run's state file, which is still read when the file is absent.

    Raises
    ------
    PseudonymKeyError
        The file exists but cannot be read or does not hold a check value: the run stops (exit code 2) rather
        than accept a key it cannot check.
    """
    path = processed / KEY_CHECK_FILE
    if not path.exists() and not path.is_symlink():
        recorded = state.get("key_check")
        return str(recorded) if recorded else None
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "not text"
        raise PseudonymKeyError(
            f"The key's check value {path} cannot be read ({reason}): the key cannot be checked against the "
            f"processed data. Restore the file, or run again with {NEW_KEY_FLAG} to start afresh on purpose."
        ) from None
    if not _CHECK_VALUE.fullmatch(text):
        raise PseudonymKeyError(
            f"The key's check value {path} does not hold a check value (64 hexadecimal digits): the key cannot be "
            f"checked against the processed data. Restore the file, or run again with {NEW_KEY_FLAG} to start "
            "afresh on purpose."
        )
    return text


def stage_clean(run: _Run) -> str:
    """Stage 1: raw files to tidy, pseudonymised tables (``01_clean.ipynb``)."""
    started = time.perf_counter()
    raw_files = _files_below(run.paths.raw, exclude=[COMMENTARY_FOLDER])
    if not raw_files:
        raise InputDataError(
            run.paths.raw, "there are no input files", expected="run 'analysis demo-data' first"
        )
    key_file = run.paths.root / KEY_FILE
    # The key is checked (and made, only when there is no pseudonymised data or on purpose) here, before
    # fingerprinting, so that a new key re-runs the cleaning; only its check value enters the fingerprint.
    key_digest = key_check(
        confirm_key(
            key_file,
            recorded_check=read_key_check(run.paths.processed, run.state),
            has_pseudonymised_data=any(
                (run.paths.processed / f"{table}.parquet").is_file() for table in CLEAN_TABLES
            ),
            new_key=run.new_key,
        )
    )
    _write_text(run.staged_processed / KEY_CHECK_FILE, key_digest + "\n")
    fingerprint = _digest(
        "clean",
        run.code,
        run.config_hash,
        fingerprint_files(raw_files, run.paths.raw),
        key_digest,
        run.tracker_quarter or "",
    )
    outputs = [run.staged_processed / "source_files.parquet"]
    if run.should_skip("clean", fingerprint, outputs):
        run.record(
            "clean", fingerprint, started, skipped=True, notebooks=run.state["stages"]["clean"]["notebooks"]
        )
        return fingerprint
    # The executed notebook goes to a holding folder until the quarter (read from the cleaned data) is known.
    holding = run.staged_processed.parent / f"{run.staged_processed.name}-notebooks"
    holding.mkdir(parents=True, exist_ok=True)
    run.prepare_kernels(LATER_STAGES["clean"])
    execute_notebook(
        run.paths.notebooks / "01_clean.ipynb",
        holding / "01-clean.ipynb",
        run.parameters(raw_dir=str(run.paths.raw), key_file=str(key_file), quarter=run.tracker_quarter),
        cwd=run.paths.notebooks,
    )
    run.record("clean", fingerprint, started, skipped=False, notebooks=[])
    return fingerprint


def stage_commentary(run: _Run) -> str:
    """The analyst's commentary, read apart from the rest so that editing it re-runs only the reports."""
    from analysis.cleaning.commentary import read_commentary
    from analysis.io import write_table

    started = time.perf_counter()
    files = _files_below(run.paths.raw / COMMENTARY_FOLDER)
    fingerprint = _digest("commentary", run.code, run.config_hash, fingerprint_files(files, run.paths.raw))
    outputs = [run.staged_processed / "commentary.parquet"]
    if run.should_skip("commentary", fingerprint, outputs):
        run.record("commentary", fingerprint, started, skipped=True, notebooks=[])
        return fingerprint
    write_table(
        read_commentary(run.paths.raw / COMMENTARY_FOLDER, run.config), "commentary", run.staged_processed
    )
    run.record("commentary", fingerprint, started, skipped=False, notebooks=[])
    return fingerprint


def latest_complete_quarter(processed: Path) -> Quarter:
    """The latest quarter that ends on or before the extract date recorded by the cleaning stage."""
    from analysis.io import read_table

    sources = read_table("source_files", processed)
    extract = sources["extract_date"].dropna()
    if extract.empty:
        raise InputDataError(
            processed / "source_files.parquet",
            "no extract date was found in the raw files",
            expected="an extract date on the Annex A cover sheet; or pass --quarter",
        )
    return Quarter.latest_complete(extract.max().date())


def _notebook_stage(
    run: _Run,
    name: str,
    notebook: str,
    output: str,
    reads: Iterable[str],
    parameters: dict[str, Any],
    outputs: list[str],
) -> str:
    """Run (or skip) a pipeline notebook that reads the ``reads`` tables and writes the ``outputs`` tables."""
    started = time.perf_counter()
    staged = _ensure_quarter_reports(run)
    upstream = tables_digest(run.staged_processed, reads)
    fingerprint = _digest(name, run.code, run.config_hash, upstream, parameters_without_paths(parameters))
    targets = [run.staged_processed / f"{table}.parquet" for table in outputs]
    if run.should_skip(name, fingerprint, targets):
        _carry_notebooks(run, name)
        run.record(name, fingerprint, started, skipped=True, notebooks=run.state["stages"][name]["notebooks"])
        return fingerprint
    run.prepare_kernels(LATER_STAGES[name])
    execute_notebook(
        run.paths.notebooks / notebook,
        staged / output,
        parameters,
        cwd=run.paths.notebooks,
        kernel=run.take_kernel(name),
    )
    assert run.quarter is not None
    run.record(name, fingerprint, started, skipped=False, notebooks=[f"{run.quarter.label}/{output}"])
    return fingerprint


def parameters_without_paths(parameters: dict[str, Any]) -> dict[str, Any]:
    """Parameters that say *what* is computed: folder paths are left out so that a moved project still skips."""
    return {k: v for k, v in parameters.items() if not k.endswith(("_dir", "_path", "_file"))}


def report_notebooks(config: ProjectConfig, quarter: Quarter) -> list[tuple[str, str, dict[str, Any]]]:
    """(source notebook, executed file name, parameters) for the quarterly report and each theme's exceptions."""
    jobs: list[tuple[str, str, dict[str, Any]]] = [
        ("quarterly_report.ipynb", "quarterly-report.ipynb", {"quarter": quarter.label})
    ]
    for theme in config.plan.themes:
        jobs.append(
            (
                "exception_report.ipynb",
                f"exceptions-{theme.file_stem}.ipynb",
                {"quarter": quarter.label, "theme": theme.number},
            )
        )
    return jobs


def stage_reports(run: _Run, renderer: str) -> tuple[str, str]:
    """Execute the report notebooks (in parallel, up to ``jobs``) and render them to self-contained HTML.

    The fingerprint covers what the notebooks show, not how they are rendered: a run with another renderer (e.g.
    Quarto's pre-render, ``--renderer none``, after ``make report``) finds the executed notebooks up to date and
    only renders them again, when the HTML is missing or was made by another renderer.
    """
    from tqdm.auto import tqdm

    started = time.perf_counter()
    assert run.quarter is not None
    staged = _ensure_quarter_reports(run)
    jobs = report_notebooks(run.config, run.quarter)
    upstream = tables_digest(run.staged_processed, SCHEMAS)
    fingerprint = _digest("reports", run.code, run.config_hash, upstream, jobs)
    executed = [staged / name for _, name, _ in jobs]
    pages = [path.with_suffix(".html") for path in executed] + [staged / "index.html"]
    previous = run.state.get("renderer", "none")
    if run.should_skip("reports", fingerprint, executed):
        if renderer == "none" or (
            _renderer_for(renderer) == previous and all(path.exists() for path in pages)
        ):
            run.record("reports", fingerprint, started, skipped=True, notebooks=[])
            # with "none" the pages are left to Quarto: the next run with a renderer renders them again
            return fingerprint, "none" if renderer == "none" else previous
        used = _render(run, staged, renderer)
        run.record("reports", fingerprint, started, skipped=False, notebooks=[])
        return fingerprint, used
    for page in pages:  # pages and PDFs of the last run would otherwise sit beside newer notebooks
        page.unlink(missing_ok=True)
        page.with_suffix(".pdf").unlink(missing_ok=True)
    manifest_path = staged / MANIFEST_FILE
    _write_json(manifest_path, _manifest(run, renderer="pending"))

    def execute(index: int, job: tuple[str, str, dict[str, Any]]) -> str:
        source, output, parameters = job
        execute_notebook(
            run.paths.notebooks / source,
            staged / output,
            run.parameters(manifest_path=str(manifest_path)) | parameters,
            cwd=run.paths.notebooks,
            kernel=run.take_kernel(f"report-{index}"),
        )
        return output

    with ThreadPoolExecutor(max_workers=max(1, run.jobs)) as pool:
        futures = [pool.submit(execute, index, job) for index, job in enumerate(jobs)]
        progress = tqdm(total=len(futures), desc="Report notebooks", unit="report", disable=None)
        try:
            for future in as_completed(futures):
                future.result()
                progress.update()
        except BaseException:
            for pending in futures:
                pending.cancel()
            raise
        finally:
            progress.close()
    if renderer != "none":
        logger.info("Executed the report notebooks: rendering them")
    used = "none" if renderer == "none" else _render(run, staged, renderer)
    run.record("reports", fingerprint, started, skipped=False, notebooks=[])
    return fingerprint, used


def index_summary(
    config: ProjectConfig, processed: Path, quarter: Quarter
) -> tuple[str, list[tuple[str, str, str]]]:
    """The index page's banner (HTML) and each theme's status, from the exceptions table."""
    from analysis.io import read_table
    from analysis.reporting import demo_banner_html, theme_statuses

    return demo_banner_html(config), theme_statuses(config, read_table("exceptions", processed), quarter)


def _renderer_for(renderer: str) -> str:
    from analysis.render import choose_renderer

    return "none" if renderer == "none" else choose_renderer(renderer)


def _render(run: _Run, staged: Path, renderer: str) -> str:
    from analysis.render import render_reports

    assert run.quarter is not None
    banner, statuses = index_summary(run.config, run.staged_processed, run.quarter)
    used = render_reports(
        staged,
        renderer=renderer,
        authority_name=run.config.authority.name,
        quarter_label=run.quarter.label,
        banner=banner,
        statuses=statuses,
    )
    logger.info("Rendered the reports with the %s renderer", used)
    return used


# ---------------------------------------------------------------------------------------------- manifest
def _git_commit(root: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _library_versions() -> dict[str, str]:
    versions = {}
    for name in KEY_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _data_period(processed: Path) -> tuple[dict[str, str | None], str | None]:
    from analysis.io import read_table

    period: dict[str, str | None] = {"first_month": None, "last_month": None}
    extract = None
    try:
        sources = read_table("source_files", processed)
        if sources["extract_date"].notna().any():
            extract = str(sources["extract_date"].max().date())
        monthly = read_table("indicators_monthly", processed, columns=["month"])
        if not monthly.empty:
            period = {
                "first_month": str(monthly["month"].min().date()),
                "last_month": str(monthly["month"].max().date()),
            }
    except FileNotFoundError:
        pass
    return period, extract


def manifest_inputs(paths: ProjectPaths, processed: Path) -> list[dict[str, Any]]:
    """The raw files the run read (the cleaning's ``source_files`` table and the commentary), with their SHA-256.

    Only those: a file in ``data/raw/`` that no reader opens is not hashed into the published manifest (it may
    be anything, a link to a system file included). An input that is a symbolic link to a file outside the project
    is marked ``"outside_project": true``.
    """
    from analysis.io import read_table

    names: set[str] = set()
    with contextlib.suppress(FileNotFoundError):
        names.update(read_table("source_files", processed, columns=["source_file"])["source_file"].dropna())
    names.update(p.relative_to(paths.raw).as_posix() for p in _files_below(paths.raw / COMMENTARY_FOLDER))
    root = paths.root.resolve()
    inputs: list[dict[str, Any]] = []
    for name in sorted(names):
        path = paths.raw / name
        if not path.is_file():
            continue
        entry: dict[str, Any] = {"path": name, "sha256": sha256_file(path)}
        if not path.resolve().is_relative_to(root):
            entry["outside_project"] = True
        inputs.append(entry)
    return inputs


def _manifest(run: _Run, *, renderer: str) -> dict[str, Any]:
    """The run's provenance: inputs and their hashes, configuration, versions, parameters and stage timings.

    Paths are relative to the project so that two runs of the same inputs give the same manifest apart from the
    run timestamp and timings.
    """
    period, extract = _data_period(run.staged_processed)
    return {
        "authority": run.config.authority.name,
        "quarter": run.quarter.label if run.quarter else None,
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "package_version": __version__,
        "git_commit": _git_commit(run.paths.root),
        "python": platform.python_version(),
        "libraries": _library_versions(),
        "config_sha256": run.config_hash,
        "code_sha256": run.code,
        "inputs": manifest_inputs(run.paths, run.staged_processed),
        "parameters": {
            "quarter": run.quarter.label if run.quarter else None,
            "jobs": run.jobs,
            "force": run.force,
            "renderer": renderer,
        },
        "renderer": renderer,
        "data_period": period,
        "extract_date": extract,
        "stages": [
            {"name": r.name, "seconds": r.seconds, "skipped": r.skipped, "fingerprint": r.fingerprint}
            for r in run.records
        ],
    }


# ---------------------------------------------------------------------------------------------- entry points
def run_pipeline(
    paths: ProjectPaths,
    *,
    quarter: str | None = None,
    jobs: int = 2,
    force: bool = False,
    renderer: str = "auto",
    warm_kernels: bool = True,
    new_key: bool = False,
) -> RunResult:
    """Run every stage for ``quarter`` (default: the latest complete quarter in the data) and publish the outputs.

    With ``warm_kernels`` the kernels of later notebooks are started, and their imports done, while earlier stages
    run (:mod:`analysis.kernels`). ``new_key`` starts afresh with a new pseudonymisation key on purpose.

    Raises
    ------
    AnalysisError
        Bad input, configuration or a failed critical data check; another run in progress; a folder that cannot
        be written or a full disk (the CLI exits 2). Nothing is published.
    """
    config = load_config(paths.config)
    requested = Quarter.parse(quarter) if quarter else None
    check_can_write([paths.root])
    with project_lock(paths.root), storage_errors_explained(paths):
        with staged_quarter(
            paths,
            config,
            requested,
            jobs=jobs,
            force=force,
            renderer=renderer,
            warm=warm_kernels,
            new_key=new_key,
        ) as run:
            publish_run(run)
        return finish_quarter(run, renderer)


@contextlib.contextmanager
def storage_errors_explained(paths: ProjectPaths) -> Iterator[None]:
    """Turn a storage failure (full disk, read-only folder) inside the block into one sentence (exit code 2).

    A full disk often gives an error without a file name (a write, not an open): the message then names the
    folder, of those the run writes, whose disk has the least room left, not the project's root.
    """
    try:
        yield
    except OSError as error:
        if is_storage_error(error):
            place = paths.root
            if not getattr(error, "filename", None):
                place = min(
                    [paths.processed.parent, paths.reports, paths.root],
                    key=lambda folder: shutil.disk_usage(folder).free if folder.exists() else float("inf"),
                )
            raise storage_error(error, place) from None
        raise


def _prepare_project(paths: ProjectPaths, state: dict[str, Any]) -> None:
    """Under the lock, before any stage: finish or clean up after a killed run, and check the folders can be written.

    The free space needed is about one more copy of what is published (the run's private copies).
    """
    if recover(paths.root / JOURNAL_FILE):
        logger.warning("The previous run was interrupted while publishing: its publication is now finished")
    # A folder that cannot be swapped (a mount point, read-only) is found now, not after every stage has run.
    check_can_swap([paths.processed, *_published_folders(paths.reports)])
    remove_leftovers(
        [(paths.processed.parent, _processed_staging_prefix(paths)), (paths.reports, REPORTS_STAGING_PREFIX)]
    )
    published_quarter = state.get("quarter")
    needs = {
        paths.processed.parent: folder_bytes(paths.processed),
        paths.reports: folder_bytes(paths.quarter_reports(published_quarter)) if published_quarter else 0,
    }
    # Each disk must hold the copies of the folders it holds: the message names the folder on the full disk.
    disks = {folder: _disk_of(folder) for folder in needs}
    for folder in needs:
        on_same_disk = sum(needs[other] for other in needs if disks[other] == disks[folder])
        check_can_write([folder], needed_bytes=on_same_disk)


def _disk_of(folder: Path) -> int:
    """The device number of the file system holding ``folder`` (or its nearest existing parent)."""
    existing = Path(folder)
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    return existing.stat().st_dev


def _published_folders(reports: Path) -> list[Path]:
    """The quarters' and months' folders in ``reports/`` (what a publication may swap)."""
    if not reports.is_dir():
        return []
    return [p for p in reports.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")]


@contextlib.contextmanager
def staged_quarter(
    paths: ProjectPaths,
    config: ProjectConfig,
    requested: Quarter | None,
    *,
    jobs: int,
    force: bool,
    renderer: str,
    warm: bool,
    new_key: bool,
) -> Iterator[_Run]:
    """Run the quarter's stages into private copies of the published folders, and yield the run.

    Call under the project's lock. The caller publishes the copies inside the block (:func:`publish_run`), with
    any folders of its own (a monthly run's months), so that one publication puts everything in place. If the
    stages or anything in the block fail, the copies are deleted, the last good outputs are unchanged and the
    run's notebooks are kept in ``reports/.failed-<quarter>/``.
    """
    state = _read_state(paths.processed)
    _prepare_project(paths, state)
    run_id = new_run_id()
    staged_processed = paths.processed.parent / f"{_processed_staging_prefix(paths)}{run_id}"
    staging_copy(paths.processed, staged_processed)
    run = _Run(
        paths=paths,
        config=config,
        run_id=run_id,
        staged_processed=staged_processed,
        staged_reports=None,
        state=state,
        new_state={},
        force=force,
        jobs=jobs,
        code=code_fingerprint(),
        config_hash=_digest(fingerprint_files(sorted(paths.config.glob("*.yml")), paths.config)),
        new_key=new_key,
        warm=WarmKernels(paths.notebooks) if warm else None,
        tracker_quarter=requested.label if requested else None,
    )
    logger.debug("Run %s: staging in %s", run_id, staged_processed)
    holding = staged_processed.parent / f"{staged_processed.name}-notebooks"
    try:
        _run_stages(run, requested, renderer, holding)
        yield run
    except BaseException as error:
        failed = _keep_failed(run, holding, error)
        if isinstance(error, NotebookFailed) and failed is not None:
            # The message points at the executed notebook: say where it is kept, not where it was staged.
            raise NotebookFailed(
                str(error).replace(str(run.staged_reports), str(failed)).replace(str(holding), str(failed))
            ) from None
        raise
    finally:
        if run.warm is not None:
            run.warm.close()
        shutil.rmtree(holding, ignore_errors=True)


def _run_stages(run: _Run, requested: Quarter | None, renderer: str, holding: Path) -> None:
    """Clean, commentary, validate, analyse and the reports, into the run's private copies."""
    stage_clean(run)
    stage_commentary(run)
    run.quarter = requested or latest_complete_quarter(run.staged_processed)
    logger.info("Reporting quarter %s: %s", run.quarter.label, run.quarter.name)
    staged_reports = _ensure_quarter_reports(run)
    if (holding / "01-clean.ipynb").is_file():
        shutil.move(holding / "01-clean.ipynb", staged_reports / "01-clean.ipynb")
        run.new_state["stages"]["clean"]["notebooks"] = [f"{run.quarter.label}/01-clean.ipynb"]
        run.records[0].notebooks = run.new_state["stages"]["clean"]["notebooks"]
    else:
        _carry_notebooks(run, "clean")
    _notebook_stage(
        run,
        "validate",
        "02_validate.ipynb",
        "02-validate.ipynb",
        CLEAN_TABLES,
        run.parameters(quarter=run.quarter.label, data_docs_dir=str(staged_reports / "data-docs")),
        ["validation_results"],
    )
    _notebook_stage(
        run,
        "analyse",
        "03_analyse.ipynb",
        "03-analyse.ipynb",
        [*CLEAN_TABLES, "validation_results"],
        run.parameters(quarter=run.quarter.label),
        list(ANALYSIS_TABLES),
    )
    _, used = stage_reports(run, renderer)
    run.new_state["renderer"] = used
    run.new_state["quarter"] = run.quarter.label
    _write_json(staged_reports / MANIFEST_FILE, _manifest(run, renderer=used))
    _write_json(run.staged_processed / STATE_FILE, run.new_state)


def finish_quarter(run: _Run, renderer: str) -> RunResult:
    """After publication: Quarto's render list (for ``--renderer none``) and the run's result."""
    assert run.quarter is not None
    used = run.new_state["renderer"]
    quarter_dir = run.paths.quarter_reports(run.quarter.label)
    if renderer == "none":  # Quarto's pre-render: tell Quarto what to render next
        from analysis.render import prepare_quarto_render

        banner, statuses = index_summary(run.config, run.paths.processed, run.quarter)
        prepare_quarto_render(
            quarter_dir,
            authority_name=run.config.authority.name,
            quarter_label=run.quarter.label,
            banner=banner,
            statuses=statuses,
        )
    report = quarter_dir / ("quarterly-report.html" if used != "none" else "quarterly-report.ipynb")
    result = RunResult(run.quarter.label, quarter_dir, report, used, run.records)
    if result.skipped_everything:
        logger.info(
            "Nothing changed since the last run: every stage was skipped (use --force to run them again)"
        )
    return result


def publish_run(run: _Run, also: Sequence[tuple[Path, Path]] = ()) -> None:
    """Swap the staged processed tables, the quarter's reports and ``also`` (staged, published) into place at once.

    One publication (:func:`analysis.publication.publish`): a monthly run passes its months' folders as ``also``,
    so the quarter and the months are published together or not at all.
    """
    logger.debug("Run %s: publishing", run.run_id)
    moves = [(run.staged_processed, run.paths.processed)]
    if run.staged_reports is not None and run.quarter is not None:
        moves.append((run.staged_reports, run.paths.quarter_reports(run.quarter.label)))
    publish([*moves, *also], run.run_id, run.paths.root / JOURNAL_FILE)
    if run.quarter is not None:
        _update_latest(run.paths.reports, run.quarter.label)


def _update_latest(reports: Path, quarter: str) -> None:
    """Point ``reports/latest`` at the newest quarter's folder, which need not be the quarter just run.

    Re-running a past quarter (to reproduce it) leaves ``latest`` on the newest quarter reported.
    """
    quarters = [Quarter.parse(quarter)]
    for folder in reports.iterdir():
        if folder.is_dir() and not folder.is_symlink() and (folder / MANIFEST_FILE).is_file():
            try:
                quarters.append(Quarter.parse(folder.name))
            except ValueError:
                continue
    # the link is swapped atomically below, so a reader never finds none
    quarter = max(quarters, key=lambda q: (q.financial_year_start, q.number)).label
    latest = reports / "latest"
    if latest.is_symlink() and os.readlink(latest) == quarter:
        return
    if latest.is_dir() and not latest.is_symlink():
        shutil.rmtree(latest)
    temporary = reports / f".latest-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(quarter, target_is_directory=True)
    os.replace(temporary, latest)


def _keep_failed(run: _Run, holding: Path, error: BaseException) -> Path | None:
    """Leave the last good outputs untouched; keep the failed run's notebooks where the analyst can open them."""
    shutil.rmtree(run.staged_processed, ignore_errors=True)
    staged = run.staged_reports
    if staged is None and (holding / "01-clean.ipynb").is_file():
        staged = holding
    if staged is None or not staged.exists():
        return None
    failed = run.paths.reports / f".failed-{run.quarter.label if run.quarter else 'run'}"
    try:
        shutil.rmtree(failed, ignore_errors=True)
        failed.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, failed)
    except OSError:
        shutil.rmtree(staged, ignore_errors=True)
        return None
    if isinstance(error, PublicationFailed) and not error.all_old:
        logger.error("The run failed while publishing; this run's notebooks are in %s", failed)
    else:
        logger.error(
            "The run failed: the last good outputs are untouched; this run's notebooks are in %s", failed
        )
    return failed


# ---------------------------------------------------------------------------------------------- consortium
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
