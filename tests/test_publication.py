"""Unit tests of analysis.run.publication: the run lock, private staging copies and recoverable one-step publication."""

from __future__ import annotations

import errno
import multiprocessing
import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from analysis.errors import PublicationFailed, RunInProgress, StorageError
from analysis.run import publication
from analysis.run.publication import (
    JOURNAL_FILE,
    RUN_MARKER,
    check_can_write,
    project_lock,
    publish,
    recover,
    remove_leftovers,
    staging_copy,
    storage_error,
)


def _folder(path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8")
    return path


def _contents(path: Path) -> dict[str, str]:
    return {
        p.relative_to(path).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(path.rglob("*"))
        if p.is_file() and p.name != RUN_MARKER
    }


# ---------------------------------------------------------------------------------------------- the lock
def _try_lock_in_another_thread(root: Path) -> BaseException | None:
    """Take and release the project lock on a fresh thread; what it raised, or ``None``."""
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            with project_lock(root):
                outcome.append(None)
        except RunInProgress as error:
            outcome.append(error)

    worker = threading.Thread(target=attempt)
    worker.start()
    worker.join(30)
    return outcome[0]


def test_a_second_run_is_refused_with_the_holders_pid_and_start_time(tmp_path: Path) -> None:
    with project_lock(tmp_path):
        refused = _try_lock_in_another_thread(tmp_path)
    assert refused is not None
    assert re.search(rf"another run is in progress \(pid {os.getpid()} since \d\d:\d\d\)", str(refused))
    assert _try_lock_in_another_thread(tmp_path) is None  # released when the first run ended


def test_the_lock_is_reentrant_in_its_own_thread_and_held_until_the_outer_block_ends(tmp_path: Path) -> None:
    with project_lock(tmp_path):
        with project_lock(tmp_path):  # the monthly run's quarterly pipeline takes the lock again
            pass
        assert isinstance(_try_lock_in_another_thread(tmp_path), RunInProgress)
    assert _try_lock_in_another_thread(tmp_path) is None


def _hold_lock(root: str, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    with project_lock(Path(root)):
        ready.set()
        time.sleep(600)


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    holder = context.Process(target=_hold_lock, args=(str(tmp_path), ready))
    holder.start()
    try:
        assert ready.wait(60)
        with pytest.raises(RunInProgress, match=f"pid {holder.pid} since"), project_lock(tmp_path):
            pass  # pragma: no cover
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(30)
    with project_lock(tmp_path):  # the dead run's lock file is still there, its lock is not
        assert (tmp_path / publication.LOCK_FILE).is_file()


# ---------------------------------------------------------------------------------------------- staging
def test_the_staging_copy_shares_no_file_with_the_published_folder(tmp_path: Path) -> None:
    published = _folder(tmp_path / "published", {"a.ipynb": "good", "docs/index.html": "good docs"})
    staged = tmp_path / ".staging-x"
    staging_copy(published, staged)
    for name in ("a.ipynb", "docs/index.html"):
        assert (staged / name).stat().st_ino != (published / name).stat().st_ino
        # What papermill and Great Expectations do: open the output for writing in place.
        with (staged / name).open("w", encoding="utf-8") as handle:
            handle.write("failed run")
    assert _contents(published) == {"a.ipynb": "good", "docs/index.html": "good docs"}


def test_leftover_staging_folders_are_removed(tmp_path: Path) -> None:
    _folder(tmp_path / ".staging-2015-16-Q1-123", {"x": "1"})
    _folder(tmp_path / "2015-16-Q1", {"x": "1"})
    remove_leftovers([(tmp_path, ".staging-")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2015-16-Q1"]


# ------------------------------------------------------------------------------------------ publication
def test_publish_swaps_every_folder_and_removes_the_previous_versions(tmp_path: Path) -> None:
    processed = _folder(tmp_path / "processed", {"t.parquet": "old"})
    reports = _folder(tmp_path / "reports" / "Q1", {"r.html": "old"})
    new_processed = _folder(tmp_path / ".processed.staging-1", {"t.parquet": "new"})
    new_reports = _folder(tmp_path / "reports" / ".staging-Q1-1", {"r.html": "new", "n.html": "new"})
    publish([(new_processed, processed), (new_reports, reports)], "run-1", tmp_path / JOURNAL_FILE)
    assert _contents(processed) == {"t.parquet": "new"}
    assert _contents(reports) == {"r.html": "new", "n.html": "new"}
    assert not new_processed.exists() and not new_reports.exists()
    assert not (tmp_path / JOURNAL_FILE).exists()


def test_a_publication_interrupted_between_two_swaps_is_finished_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    processed = _folder(tmp_path / "processed", {"t.parquet": "old"})
    reports = _folder(tmp_path / "Q1", {"r.html": "old"})
    new_processed = _folder(tmp_path / ".processed.staging-1", {"t.parquet": "new"})
    new_reports = _folder(tmp_path / ".staging-Q1-1", {"r.html": "new"})
    real_exchange = publication.exchange
    calls: list[Path] = []

    def killed_after_first(staged: Path, target: Path) -> None:
        if calls:
            raise KeyboardInterrupt  # stands for SIGKILL: nothing after this point runs
        calls.append(target)
        real_exchange(staged, target)

    monkeypatch.setattr(publication, "exchange", killed_after_first)
    with pytest.raises(KeyboardInterrupt):
        publish([(new_processed, processed), (new_reports, reports)], "run-1", tmp_path / JOURNAL_FILE)
    # Each folder is whole (the old or the new version), never a mixture of files.
    assert _contents(processed) == {"t.parquet": "new"}
    assert _contents(reports) == {"r.html": "old"}
    monkeypatch.setattr(publication, "exchange", real_exchange)
    assert recover(tmp_path / JOURNAL_FILE)
    assert _contents(processed) == {"t.parquet": "new"}
    assert _contents(reports) == {"r.html": "new"}
    assert not (tmp_path / JOURNAL_FILE).exists()
    assert not recover(tmp_path / JOURNAL_FILE)


def test_without_an_atomic_exchange_two_renames_are_recovered_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publication, "_rename_exchange", lambda first, second: False)
    reports = _folder(tmp_path / "Q1", {"r.html": "old"})
    staged = _folder(tmp_path / ".staging-Q1-1", {"r.html": "new"})
    real_rename = os.rename
    renames: list[str] = []

    def rename_then_die(source: str | Path, target: str | Path) -> None:
        real_rename(source, target)
        renames.append(str(target))
        if len(renames) == 1:
            raise KeyboardInterrupt  # killed after moving the old version aside

    monkeypatch.setattr(publication.os, "rename", rename_then_die)
    with pytest.raises(KeyboardInterrupt):
        publish([(staged, reports)], "run-1", tmp_path / JOURNAL_FILE)
    monkeypatch.setattr(publication.os, "rename", real_rename)
    assert not reports.exists()
    recover(tmp_path / JOURNAL_FILE)
    assert _contents(reports) == {"r.html": "new"}


# ---------------------------------------------------------------------------------------------- storage
@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "is full"),
        (errno.EROFS, "read-only file system"),
        (errno.EACCES, "No permission to write"),
    ],
)
def test_storage_errors_are_one_sentence_naming_the_place(code: int, words: str) -> None:
    error = storage_error(OSError(code, os.strerror(code), "/data/reports/x.html"), "/data")
    assert isinstance(error, StorageError) and error.exit_code == 2
    assert words in str(error) and "/data/reports/x.html" in str(error)
    assert "unchanged" in str(error)


def test_a_folder_without_room_is_reported_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_can_write([tmp_path], needed_bytes=0)
    free = publication.shutil.disk_usage(tmp_path).free
    with pytest.raises(StorageError, match="nearly full"):
        check_can_write([tmp_path / "reports"], needed_bytes=free)


def test_a_read_only_folder_is_reported_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path))

    monkeypatch.setattr(publication.tempfile, "mkstemp", refuse)
    with pytest.raises(StorageError, match="read-only file system"):
        check_can_write([tmp_path / "reports"])


def _busy_on(busy: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, Path]]:
    """Make the swap into ``busy`` fail with EBUSY (a mount point, or a folder held open); the others swap."""
    real_exchange = publication.exchange
    calls: list[tuple[Path, Path]] = []

    def exchange(staged: Path, target: Path) -> None:
        calls.append((staged, target))
        if target == busy:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(target))
        real_exchange(staged, target)

    monkeypatch.setattr(publication, "exchange", exchange)
    return calls


def test_a_failed_second_swap_puts_the_first_back_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 23 item 3: all or nothing across folders; an exchange is its own inverse."""
    processed = _folder(tmp_path / "processed", {"t.parquet": "old"})
    reports = _folder(tmp_path / "Q1", {"r.html": "old"})
    month = tmp_path / "2015-06"  # a new folder (a month never made before) is renamed, and renamed back
    new_processed = _folder(tmp_path / ".processed.staging-1", {"t.parquet": "new"})
    new_month = _folder(tmp_path / ".staging-2015-06-1", {"d.html": "new"})
    new_reports = _folder(tmp_path / ".staging-Q1-1", {"r.html": "new"})
    calls = _busy_on(reports, monkeypatch)
    moves = [(new_processed, processed), (new_month, month), (new_reports, reports)]
    with pytest.raises(PublicationFailed) as raised:
        publish(moves, "run-1", tmp_path / JOURNAL_FILE)
    assert raised.value.all_old
    message = str(raised.value)
    assert f"Could not publish {reports} (Device or resource busy)" in message
    assert "2 folder(s) already swapped were put back" in message
    assert "every published folder is the last good run's" in message
    assert _contents(processed) == {"t.parquet": "old"}
    assert _contents(reports) == {"r.html": "old"}
    assert not month.exists()
    assert [target for _, target in calls] == [processed, month, reports, processed]
    # Nothing for the next run to finish: no journal.
    assert not (tmp_path / JOURNAL_FILE).exists()
    assert not recover(tmp_path / JOURNAL_FILE)


def test_when_a_swap_back_fails_too_the_message_names_what_is_new_and_the_next_run_runs_every_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    processed = _folder(tmp_path / "processed", {"t.parquet": "old", publication.STATE_FILE: "{}"})
    reports = _folder(tmp_path / "Q1", {"r.html": "old"})
    new_processed = _folder(
        tmp_path / ".processed.staging-1", {"t.parquet": "new", publication.STATE_FILE: "{}"}
    )
    new_reports = _folder(tmp_path / ".staging-Q1-1", {"r.html": "new"})
    real_exchange = publication.exchange
    swapped: list[Path] = []

    def exchange(staged: Path, target: Path) -> None:
        if target == reports or target in swapped:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(target))
        swapped.append(target)
        real_exchange(staged, target)

    monkeypatch.setattr(publication, "exchange", exchange)
    with pytest.raises(PublicationFailed) as raised:
        publish([(new_processed, processed), (new_reports, reports)], "run-1", tmp_path / JOURNAL_FILE)
    assert not raised.value.all_old
    assert f"could not put back {processed}: those folders hold the new run's outputs" in str(raised.value)
    assert _contents(processed) == {"t.parquet": "new"}
    assert not (tmp_path / JOURNAL_FILE).exists()


def test_recovery_without_a_staged_copy_does_not_claim_the_outputs_are_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 23 item 6: the next run does not skip its stages beside a half publication."""
    processed = _folder(tmp_path / "processed", {"t.parquet": "old", publication.STATE_FILE: "{}"})
    reports = _folder(tmp_path / "Q1", {"r.html": "old"})
    new_processed = _folder(
        tmp_path / ".processed.staging-1", {"t.parquet": "new", publication.STATE_FILE: "{}"}
    )
    new_reports = _folder(tmp_path / ".staging-Q1-1", {"r.html": "new"})
    real_exchange = publication.exchange

    def killed_before_second(staged: Path, target: Path) -> None:
        if target == reports:
            raise KeyboardInterrupt
        real_exchange(staged, target)

    monkeypatch.setattr(publication, "exchange", killed_before_second)
    with pytest.raises(KeyboardInterrupt):
        publish([(new_processed, processed), (new_reports, reports)], "run-1", tmp_path / JOURNAL_FILE)
    monkeypatch.setattr(publication, "exchange", real_exchange)
    import shutil

    shutil.rmtree(new_reports)  # the staged copy is gone
    assert not recover(tmp_path / JOURNAL_FILE)
    assert "Could not finish publishing" in caplog.text and "every stage will run again" in caplog.text
    assert not (processed / publication.STATE_FILE).exists()
    assert not (tmp_path / JOURNAL_FILE).exists()


def test_mount_points_are_found_from_the_kernels_list() -> None:
    assert publication.is_mount_point(Path("/"))
    assert publication.is_mount_point(Path("/proc"))
    assert not publication.is_mount_point(Path(__file__).parent)


def test_a_mount_point_is_refused_before_any_stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path / "processed", {"t.parquet": "old"})
    real_ismount = publication.is_mount_point
    monkeypatch.setattr(publication, "is_mount_point", lambda p: Path(p) == folder or real_ismount(p))
    with pytest.raises(StorageError, match=rf"{re.escape(str(folder))} is a mount point"):
        publication.check_can_swap([folder, tmp_path / "absent"])


# ------------------------------------------------------------------------------------ the lock and Quarto
def _lock_in_child(root: Path, watched: int) -> None:
    """A pre-render run as Quarto starts it: the lock taken and left with ``$ANALYSIS_HOLD_LOCK_WHILE`` set.

    Inside the lock it saves ``root/list.yml`` ("whole") as ``root/whole.yml`` and writes "reduced" in its place, to
    be put back when the render ends, as the pre-render does with Quarto's render list."""
    import subprocess
    import sys

    code = "import sys; from pathlib import Path\n"
    code += "from analysis.run.publication import project_lock, put_back_when_render_ends\n"
    code += "root = Path(sys.argv[1])\n"
    code += "with project_lock(root):\n"
    code += "    (root / 'whole.yml').write_text('whole')\n"
    code += "    (root / 'list.yml').write_text('reduced' if put_back_when_render_ends(root / 'whole.yml', root / 'list.yml') else 'whole')\n"
    env = os.environ | {"ANALYSIS_HOLD_LOCK_WHILE": str(watched)}
    subprocess.run([sys.executable, "-c", code, str(root)], env=env, check=True, timeout=60)


def _wait_for_lock(root: Path, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with project_lock(root):
                return True
        except RunInProgress:
            time.sleep(0.1)
    return False


def test_the_lock_stays_held_for_the_render_after_the_pre_render_ends(tmp_path: Path) -> None:
    """Issue 23 item 7: held from the pre-render to Quarto's end (here a stand-in process), then released."""
    import subprocess

    quarto = subprocess.Popen(["sleep", "60"])
    try:
        _lock_in_child(tmp_path, quarto.pid)
        with (
            pytest.raises(RunInProgress, match=r"another run is in progress \(quarto render, pid \d+ since"),
            project_lock(tmp_path),
        ):
            pass
        assert (tmp_path / "list.yml").read_text() == "reduced"  # for the rest of the render only
    finally:
        quarto.kill()
        quarto.wait()
    # Quarto ended without a post-render (a failed render): the holder lets the lock go by itself, and first puts
    # the whole list back.
    assert _wait_for_lock(tmp_path)
    assert (tmp_path / "list.yml").read_text() == "whole"
    assert not (tmp_path / "whole.yml").exists()


def test_post_render_releases_the_lock(tmp_path: Path) -> None:
    import subprocess

    from analysis.run.render_lock import release

    quarto = subprocess.Popen(["sleep", "60"])
    try:
        _lock_in_child(tmp_path, quarto.pid)
        assert not _wait_for_lock(tmp_path, seconds=1.0)
        release(tmp_path)
        assert (tmp_path / "list.yml").read_text() == "whole"
        assert _wait_for_lock(tmp_path, seconds=2.0)
    finally:
        quarto.kill()
        quarto.wait()


def test_without_quarto_the_lock_ends_with_the_run(tmp_path: Path) -> None:
    _lock_in_child(tmp_path, 2**22 + 12345)  # no such process: nothing to hold the lock for
    assert _wait_for_lock(tmp_path, seconds=0.5)
    assert (tmp_path / "list.yml").read_text() == "whole"  # nothing was to be put back


def test_a_pre_render_that_fails_puts_the_saved_files_back_at_once(tmp_path: Path, monkeypatch) -> None:
    """No lock is handed over when the run fails: what it registered to put back is put back as the lock ends."""
    from analysis.run import publication

    monkeypatch.setenv("ANALYSIS_HOLD_LOCK_WHILE", str(os.getpid()))
    monkeypatch.setattr(publication, "_put_back_when_render_ends", {})
    (tmp_path / "whole.yml").write_text("whole")
    with pytest.raises(RuntimeError, match="the run failed"), project_lock(tmp_path):
        assert publication.put_back_when_render_ends(tmp_path / "whole.yml", tmp_path / "list.yml")
        (tmp_path / "list.yml").write_text("reduced")
        raise RuntimeError("the run failed")
    assert (tmp_path / "list.yml").read_text() == "whole"
    assert not (tmp_path / "whole.yml").exists()
    assert publication._put_back_when_render_ends == {}


def test_release_returns_once_the_lock_is_free_though_the_holder_still_looks_alive(
    tmp_path: Path, monkeypatch
) -> None:
    """An ended holder lingers as a zombie until init reaps it (1.6 s on the project's machine), and ``kill(pid, 0)``
    still finds it: ``release`` waits for the lock to be free, not for the process to vanish (issue 21)."""
    import json
    import subprocess

    from analysis.run import render_lock
    from analysis.run.publication import HOLDER_NAME, LOCK_FILE

    holder = subprocess.Popen(["sleep", "60"])  # holds no lock: as a holder that has let it go
    try:
        (tmp_path / LOCK_FILE).write_text(json.dumps({"pid": holder.pid, "holder": HOLDER_NAME}))
        monkeypatch.setattr(render_lock, "process_alive", lambda pid: True)  # as a zombie looks
        started = time.monotonic()
        render_lock.release(tmp_path)
        assert time.monotonic() - started < render_lock.RELEASE_WAIT_SECONDS / 2
    finally:
        holder.kill()
        holder.wait()
