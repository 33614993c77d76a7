"""The project's run lock held for the whole of ``quarto render``, not only for its pre-render.

Quarto runs the pre-render (``analysis run --renderer none``) as a process that ends before Quarto renders the
pages, and the run's lock (:func:`analysis.run.publication.project_lock`, an ``flock``) ends with it: a run started
during the render would publish over the pages Quarto is writing. So, when the pre-render is run by Quarto
(``$ANALYSIS_HOLD_LOCK_WHILE`` names Quarto's process id, set by ``make quarto-pre-render``), the run hands its
lock, at its successful end, to a small holder process: the holder inherits the open lock file (an ``flock``
belongs to the open file, so the lock is never free in between) and keeps it

- until the post-render (``python -m analysis.run.render_lock release``, which Quarto runs after a successful render),
- or until Quarto's process ends, however it ends: Quarto does not run the post-render when the render fails
  (checked with Quarto 1.10), so the holder watches Quarto's process id itself.

As it lets the lock go, it puts back the files the pre-render changed for the rest of the render only (the whole
render list, :func:`analysis.run.quarto_project.prepare_quarto_render`).

Meanwhile a run is refused with "another run is in progress (quarto render, pid N since HH:MM)" (exit code 2).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import sys
import time
from pathlib import Path

from analysis.run.publication import HOLDER_NAME, LOCK_FILE, process_alive, put_back_files

#: How often the holder checks whether Quarto is still running (seconds).
POLL_SECONDS = 0.5
#: How long ``release`` waits for the holder to end (seconds).
RELEASE_WAIT_SECONDS = 10.0


def _hold(descriptor: int, watched_pid: int, put_back: dict[Path, Path]) -> int:
    """The holder: wait for Quarto's end or a release (SIGTERM), put ``put_back``'s files back, free the lock."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    # SIGTERM (a release) is blocked and waited for, so the holder wakes as it arrives, not at the next poll.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    while process_alive(watched_pid):
        if signal.sigtimedwait({signal.SIGTERM}, POLL_SECONDS) is not None:
            break
    put_back_files(put_back)  # before the lock is free: no run can start in between
    with contextlib.suppress(OSError):
        os.ftruncate(descriptor, 0)
    os.close(descriptor)  # the last reference to the open lock file: the lock is free
    return 0


def release(root: Path) -> int:
    """Post-render: end the holder of ``root``'s lock if it is Quarto's (another run's lock is left alone)."""
    path = Path(root).resolve() / LOCK_FILE
    try:
        holder = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return 0
    if holder.get("holder") != HOLDER_NAME or not isinstance(holder.get("pid"), int):
        return 0
    pid = holder["pid"]
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + RELEASE_WAIT_SECONDS
    while process_alive(pid) and not _lock_free(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    return 0


def _lock_free(path: Path) -> bool:
    """Whether nobody holds the lock: the holder has let it go (its ended process may linger, unreaped, a while)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return True
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)  # closing lets go of the shared lock taken to look
    return True


def main(argv: list[str] | None = None) -> int:
    """``hold FD PID [SAVED PLACE]...`` (started by :func:`analysis.run.publication.hand_over_lock`) or
    ``release [ROOT]`` (Quarto's post-render)."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["hold"] and len(args) >= 3 and len(args) % 2 == 1:
        pairs = args[3:]
        return _hold(
            int(args[1]),
            int(args[2]),
            {Path(s): Path(p) for s, p in zip(pairs[::2], pairs[1::2], strict=True)},
        )
    if args[:1] == ["release"] and len(args) <= 2:
        from analysis.paths import project_root

        return release(Path(args[1]) if len(args) == 2 else project_root())
    print(
        "usage: python -m analysis.run.render_lock hold FD PID [SAVED PLACE]... | release [PROJECT_ROOT]",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
