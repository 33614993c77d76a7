"""One run at a time, private staging, and publication in one step: a failed or killed run never changes the
last good outputs.

- **Lock.** :func:`project_lock` takes an exclusive ``fcntl.flock`` on ``<project>/.analysis-run.lock`` for the
  whole run. The kernel drops the lock when the process ends, however it ends, so a lock left by a killed run is
  simply taken over; the file only says who holds it (pid and start time) for the message a second run prints.
- **Staging.** Each run copies the published folders into private folders named with its run id
  (:func:`staging_copy`). The copies are real copies, never hard links: papermill, Great Expectations and the
  renderers open their outputs for writing in place, which through a hard link would change the published file.
- **Publication.** :func:`publish` writes a journal naming each (staged, published) pair, then swaps each pair
  in one system call (``renameat2(RENAME_EXCHANGE)`` on Linux; elsewhere two renames), then deletes the journal and
  the previous versions. Every published folder is at every instant either wholly the old or wholly the new one.
- **Recovery.** At the start of the next run (under the lock) :func:`recover` completes a publication that a
  kill interrupted (the journal says what was to be swapped; a marker file in each staged folder says whether it
  already was) and deletes any staging folder a killed run left behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from analysis.errors import PublicationFailed, RunInProgress, StorageError

logger = logging.getLogger(__name__)

LOCK_FILE = ".analysis-run.lock"
#: Environment variable naming the process (Quarto's) while which the lock is kept after the run ends.
HOLD_WHILE_ENV = "ANALYSIS_HOLD_LOCK_WHILE"
#: How the lock file describes the holder of the lock during ``quarto render`` (shown when a run is refused).
HOLDER_NAME = "quarto render"
JOURNAL_FILE = ".analysis-publish.json"
#: Marker written into each staged folder: the id of the run that made it (tells recovery what was swapped).
RUN_MARKER = ".run-id"
#: The processed tables' record of the last run's stages (:mod:`analysis.run.pipeline`): removed when the published
#: folders are left a mix of two runs, so that the next run runs every stage.
STATE_FILE = ".pipeline-state.json"
#: Errors of the storage itself (not of the pipeline's logic): reported in one sentence, exit code 2.
STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}
#: Free space kept in hand beyond the estimated size of a run's staged outputs.
SPACE_MARGIN_BYTES = 32 * 1024 * 1024
_AT_FDCWD = -100
#: (lock file, thread) pairs whose outermost ``project_lock`` block is open in this process.
_held_locks: set[tuple[Path, int]] = set()
_RENAME_EXCHANGE = 2


def new_run_id() -> str:
    """A run's id: start time, process id and a random suffix, so that no two runs share a staging path."""
    return f"{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}-{secrets.token_hex(3)}"


# ------------------------------------------------------------------------------------------------ the lock
@contextlib.contextmanager
def project_lock(root: Path) -> Iterator[None]:
    """Hold the project's run lock for the block, or raise :class:`RunInProgress` naming the holder's pid.

    Notes
    -----
    ``flock(2)`` locks belong to the open file and are released by the kernel when the holder exits, even on
    SIGKILL: a stale lock cannot exist, only a stale description of the holder, which is overwritten.
    The lock is re-entrant within one thread: a monthly run holds it for its whole length and the quarterly
    pipeline it calls takes it again without refusing itself. Another thread or process is refused.
    """
    path = Path(root).resolve() / LOCK_FILE
    key = (path, threading.get_ident())
    if key in _held_locks:
        yield
        return
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise storage_error(error, path) from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _lock_holder(descriptor)
        os.close(descriptor)
        raise RunInProgress(
            f"another run is in progress ({holder}) for {root}: wait for it to finish, then run again"
        ) from None
    try:
        now = datetime.now()
        os.ftruncate(descriptor, 0)
        os.pwrite(
            descriptor,
            json.dumps({"pid": os.getpid(), "started": now.isoformat(timespec="seconds")}).encode(),
            0,
        )
        _held_locks.add(key)
        yield
        _hand_over_to_quarto(descriptor)
    finally:
        _held_locks.discard(key)
        if not _handed_over.pop(descriptor, False):
            put_back_files(_put_back_when_render_ends)  # no render to wait for: now
            with contextlib.suppress(OSError):
                os.ftruncate(descriptor, 0)
        os.close(descriptor)


#: Lock descriptors whose lock was handed to a holder process (:mod:`analysis.run.render_lock`).
_handed_over: dict[int, bool] = {}
#: Files to move back into place when ``quarto render`` ends: {saved copy: its place} (:func:`put_back_when_render_ends`).
_put_back_when_render_ends: dict[Path, Path] = {}


def put_back_when_render_ends(saved: Path, place: Path) -> bool:
    """In Quarto's pre-render of the whole project, have ``saved`` moved over ``place`` when the render ends.

    The lock's holder (:mod:`analysis.run.render_lock`) does it as it lets the lock go, whether Quarto ended well
    (post-render) or not, so a file the rest of the render needs changed (Quarto's render list of the pages out of
    date) is never left in place of the original. Returns False, registering nothing, when no render is held for.
    """
    if hold_while_pid() is None:
        return False
    _put_back_when_render_ends[Path(saved)] = Path(place)
    return True


def put_back_files(files: dict[Path, Path]) -> None:
    """Move each saved copy over its place (atomic rename), once; a copy already gone is skipped, and one that
    cannot be moved is logged (it never hides the error that ended a run)."""
    for saved, place in list(files.items()):
        files.pop(saved, None)
        try:
            os.replace(saved, place)
        except FileNotFoundError:
            pass
        except OSError as error:
            logger.warning("Could not put %s back as %s: %s", saved, place, error)


def _hand_over_to_quarto(descriptor: int) -> None:
    """When Quarto's pre-render ran this, keep the lock for the rest of ``quarto render`` (:mod:`analysis.run.render_lock`)."""
    quarto = hold_while_pid()
    if quarto is not None:
        holder = hand_over_lock(descriptor, quarto, put_back=_put_back_when_render_ends)
        _put_back_when_render_ends.clear()
        _handed_over[descriptor] = True
        logger.info(
            "The project's lock stays held (pid %d) until quarto render (pid %d) ends", holder, quarto
        )


def hold_while_pid() -> int | None:
    """The process id of ``$ANALYSIS_HOLD_LOCK_WHILE`` if set to a running process, else None."""
    text = os.environ.get(HOLD_WHILE_ENV, "").strip()
    if not text.isdigit():
        return None
    pid = int(text)
    return pid if process_alive(pid) else None


def hand_over_lock(descriptor: int, watched_pid: int, put_back: dict[Path, Path] | None = None) -> int:
    """Start the holder with the open lock file ``descriptor`` (the lock stays held); its process id.

    The holder runs in its own session, so the end of the pre-render's process group does not end it. As it lets
    the lock go it moves each saved copy of ``put_back`` over its place (:func:`put_back_when_render_ends`).
    """
    pairs = [str(path) for saved, place in (put_back or {}).items() for path in (saved, place)]
    holder = subprocess.Popen(  # noqa: S603 - our own module, with our interpreter
        [sys.executable, "-m", "analysis.run.render_lock", "hold", str(descriptor), str(watched_pid), *pairs],
        pass_fds=(descriptor,),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    _describe(descriptor, holder.pid)
    return holder.pid


def _describe(descriptor: int, pid: int) -> None:
    """Write who holds the lock into the lock file (read by a refused run's message)."""
    description = {"pid": pid, "started": datetime.now().isoformat(timespec="seconds"), "holder": HOLDER_NAME}
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, json.dumps(description).encode(), 0)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock_holder(descriptor: int) -> str:
    """``pid N since HH:MM`` from the lock file (written by the holder), or what is known of it."""
    try:
        holder = json.loads(os.pread(descriptor, 4096, 0) or b"{}")
        started = datetime.fromisoformat(holder["started"])
        what = f"{holder['holder']}, " if holder.get("holder") else ""
        return f"{what}pid {int(holder['pid'])} since {started:%H:%M}"
    except (OSError, ValueError, KeyError, TypeError):
        return "pid unknown"


# ---------------------------------------------------------------------------------------------- storage
def storage_error(error: OSError, path: Path | str) -> StorageError:
    """One clear sentence for a storage failure (full disk, read-only folder, no permission)."""
    where = Path(error.filename) if getattr(error, "filename", None) else Path(path)
    if error.errno in {errno.ENOSPC, errno.EDQUOT}:
        text = f"The disk holding {where} is full: free some space and run again"
    elif error.errno == errno.EROFS:
        text = f"{where} is on a read-only file system: make it writable or choose another folder"
    elif error.errno in {errno.EACCES, errno.EPERM}:
        text = f"No permission to write to {where}: change its permissions or choose another folder"
    else:
        text = f"Cannot write to {where} ({os.strerror(error.errno or 0)})"
    return StorageError(text + " (the last good outputs are unchanged).")


def is_storage_error(error: BaseException) -> bool:
    """Whether an exception is a storage failure that :func:`storage_error` explains."""
    return isinstance(error, OSError) and error.errno in STORAGE_ERRNOS


def folder_bytes(folder: Path) -> int:
    """Total size of the regular files below ``folder`` (0 if it does not exist)."""
    if not Path(folder).is_dir():
        return 0
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file() and not p.is_symlink())


def check_can_write(folders: Iterable[Path], *, needed_bytes: int = 0) -> None:
    """Before any stage runs: each folder (or its nearest existing parent) takes a new file and has room.

    ``needed_bytes`` is the estimated size of the run's staged copies; the margin
    :data:`SPACE_MARGIN_BYTES` is added. A failure raises :class:`StorageError` (one sentence, exit code 2).
    """
    for folder in folders:
        existing = Path(folder)
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        try:
            handle, probe = tempfile.mkstemp(prefix=".write-test-", dir=existing)
            os.close(handle)
            os.unlink(probe)
        except OSError as error:
            raise storage_error(OSError(error.errno, error.strerror), folder) from None
        free = shutil.disk_usage(existing).free
        if free < needed_bytes + SPACE_MARGIN_BYTES:
            raise StorageError(
                f"The disk holding {folder} is nearly full: {free / 1e6:.0f} MB free, about "
                f"{(needed_bytes + SPACE_MARGIN_BYTES) / 1e6:.0f} MB needed; free some space and run again "
                "(the last good outputs are unchanged)."
            )


def is_mount_point(folder: Path) -> bool:
    """Whether ``folder`` is a mount point, a bind mount included (which :func:`os.path.ismount` misses when it is
    of the same file system): Linux lists every mount point in ``/proc/self/mountinfo`` (its fifth field)."""
    if os.path.ismount(folder):
        return True
    try:
        lines = Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    resolved = str(Path(folder).resolve())
    # Spaces and other characters in mount points are written as octal escapes (\040).
    points = {line.split()[4].encode().decode("unicode_escape") for line in lines if len(line.split()) > 4}
    return resolved in points


def check_can_swap(folders: Iterable[Path]) -> None:
    """Before any stage runs: each published folder can be swapped for a new one as a whole.

    A mount point cannot be renamed (``EBUSY``) and a folder on a read-only file system cannot be changed: both are
    refused here, naming the folder, rather than after every stage has run. A folder held open by another program
    is found only when the swap is tried; :func:`publish` then puts back what it swapped.
    """
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        if is_mount_point(folder):
            raise StorageError(
                f"{folder} is a mount point: a run replaces it as a whole, which a mount point does not allow; "
                "mount its parent folder instead, or choose another folder (the last good outputs are unchanged)."
            )
        try:  # a file made and removed in it: the real reason (read-only file system, permissions) if not
            handle, probe = tempfile.mkstemp(prefix=".write-test-", dir=folder)
            os.close(handle)
            os.unlink(probe)
        except OSError as error:
            raise storage_error(OSError(error.errno, error.strerror), folder) from None


# ---------------------------------------------------------------------------------------------- staging
def staging_copy(source: Path, staged: Path) -> None:
    """Make ``staged`` a private copy of ``source`` (or an empty folder): real copies, never hard links."""
    if staged.exists():
        shutil.rmtree(staged)
    if source.is_dir():
        shutil.copytree(source, staged, symlinks=True, ignore=shutil.ignore_patterns(RUN_MARKER))
    else:
        staged.mkdir(parents=True)


def remove_leftovers(places: Iterable[tuple[Path, str]]) -> None:
    """Delete the folders in ``parent`` whose names start with ``prefix``: what killed runs left behind."""
    for parent, prefix in places:
        if not parent.is_dir():
            continue
        for leftover in parent.iterdir():
            if leftover.name.startswith(prefix) and leftover.is_dir() and not leftover.is_symlink():
                logger.info("Removing %s, left by an earlier run that did not finish", leftover)
                shutil.rmtree(leftover, ignore_errors=True)


# ------------------------------------------------------------------------------------------ publication
def exchange(staged: Path, target: Path) -> None:
    """Put ``staged`` at ``target`` in one step; the previous ``target`` (if any) is left at ``staged``."""
    if not target.exists() and not target.is_symlink():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staged, target)
        return
    if _rename_exchange(staged, target):
        return
    # No atomic exchange here (not Linux, or a file system without it): two renames; recovery finishes them.
    aside = staged.with_name(staged.name + ".previous")
    os.rename(target, aside)
    os.rename(staged, target)
    os.rename(aside, staged)


def _rename_exchange(first: Path, second: Path) -> bool:
    """``renameat2(first, second, RENAME_EXCHANGE)``; ``False`` when the platform or file system lacks it."""
    if not sys.platform.startswith("linux"):
        return False
    function = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP}:
        return False
    raise OSError(code, os.strerror(code), str(second))


def _marker(folder: Path) -> str | None:
    try:
        return (folder / RUN_MARKER).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def publish(moves: Sequence[tuple[Path, Path]], run_id: str, journal: Path) -> None:
    """Swap each fully written staged folder into place, all or none; then delete the previous versions.

    Parameters
    ----------
    moves : sequence of (staged folder, published folder)
    run_id : str
        This run's id, written into each staged folder so that recovery can tell what was already swapped.
    journal : Path
        Where the list of swaps is kept until they are all done (``<project>/.analysis-publish.json``).

    Raises
    ------
    PublicationFailed
        A swap failed (a folder busy, a mount point, no permission): the swaps already made were made again (an
        exchange is its own inverse), so every published folder is the last good run's, and the journal is
        deleted. If a swap back fails too, the message says which folders are new and which old.
    """
    for staged, _ in moves:
        (staged / RUN_MARKER).write_text(run_id + "\n", encoding="utf-8")
    _write_journal(journal, moves, run_id)
    done: list[tuple[Path, Path, bool]] = []
    try:
        for staged, target in moves:
            existed = target.exists() or target.is_symlink()
            exchange(staged, target)
            done.append((staged, target, existed))
            logger.debug("Published %s", target)
    except OSError as error:
        failed_target = next(t for s, t in moves if (s, t) not in {(s2, t2) for s2, t2, _ in done})
        _undo(done, error, failed_target, journal)
    journal.unlink()
    for staged, _ in moves:
        shutil.rmtree(staged, ignore_errors=True)


def _undo(done: list[tuple[Path, Path, bool]], error: OSError, failed: Path, journal: Path) -> None:
    """Put back the folders already swapped (newest first) and raise :class:`PublicationFailed` saying so."""
    reason = os.strerror(error.errno) if error.errno else str(error)
    not_undone: list[Path] = []
    for staged, target, existed in reversed(done):
        try:
            if existed:
                exchange(staged, target)  # an exchange is its own inverse
            else:
                os.rename(target, staged)
        except OSError:
            not_undone.append(target)
    if not not_undone:
        journal.unlink(missing_ok=True)
        raise PublicationFailed(
            f"Could not publish {failed} ({reason}); "
            + (f"{len(done)} folder(s) already swapped were put back, so " if done else "")
            + "every published folder is the last good run's: free the folder (close the program holding it, "
            "or choose a folder that is not a mount point) and run again."
        ) from None
    # Some folders are the new run's and some the old run's: the journal is deleted so that nobody finishes a
    # half publication from it, and the state of the processed tables is removed so that the next run runs every
    # stage and publishes a consistent set.
    journal.unlink(missing_ok=True)
    for target in not_undone:
        (target / STATE_FILE).unlink(missing_ok=True)
    raise PublicationFailed(
        f"Could not publish {failed} ({reason}), and could not put back "
        + ", ".join(str(t) for t in not_undone)
        + ": those folders hold the new run's outputs, the others the last good run's. Run again (every stage "
        "will run) to publish a consistent set.",
        all_old=False,
    ) from None


def _write_journal(journal: Path, moves: Sequence[tuple[Path, Path]], run_id: str) -> None:
    data = json.dumps({"run_id": run_id, "moves": [[str(s), str(t)] for s, t in moves]}).encode()
    temporary = journal.with_name(journal.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, journal)


def _apply(moves: Sequence[tuple[Path, Path]], run_id: str) -> list[Path]:
    """Finish the swaps of an interrupted publication; the published folders that could not be finished."""
    unfinished = []
    for staged, target in moves:
        if _marker(target) == run_id:
            continue  # already swapped before an interruption
        if _marker(staged) != run_id:
            unfinished.append(target)
            continue
        exchange(staged, target)
        logger.debug("Published %s", target)
    return unfinished


def recover(journal: Path) -> bool:
    """Finish a publication a killed run left half done; ``True`` if there was one. Call under the lock."""
    journal = Path(journal)
    journal.with_name(journal.name + ".tmp").unlink(missing_ok=True)
    if not journal.is_file():
        return False
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
        run_id = str(record["run_id"])
        moves = [(Path(s), Path(t)) for s, t in record["moves"]]
    except (ValueError, KeyError, TypeError):
        logger.warning("Ignoring an unreadable publication journal %s", journal)
        journal.unlink()
        return False
    logger.warning("Finishing the publication of run %s, which was interrupted", run_id)
    unfinished = _apply(moves, run_id)
    if unfinished:
        # A folder's staged copy is gone: the published folders are a mix of two runs. Forget the processed
        # tables' state so that this run runs every stage and publishes a consistent set.
        for _, target in moves:
            (target / STATE_FILE).unlink(missing_ok=True)
        logger.warning(
            "Could not finish publishing %s (its staged copy is gone): every stage will run again to publish "
            "a consistent set",
            ", ".join(str(t) for t in unfinished),
        )
    journal.unlink()
    for staged, _ in moves:
        shutil.rmtree(staged, ignore_errors=True)
    return not unfinished
