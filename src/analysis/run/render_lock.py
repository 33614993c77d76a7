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

Meanwhile a run is refused with "another run is in progress (quarto render, pid N since HH:MM)" (exit code 2).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path

from analysis.run.publication import HOLDER_NAME, LOCK_FILE, process_alive

#: How often the holder checks whether Quarto is still running (seconds).
POLL_SECONDS = 0.5
#: How long ``release`` waits for the holder to end (seconds).
RELEASE_WAIT_SECONDS = 10.0


def _hold(descriptor: int, watched_pid: int) -> int:
    """The holder: describe itself in the lock file, then wait for Quarto's end or a release (SIGTERM)."""
    released = False

    def release(signum: int, frame: object) -> None:
        nonlocal released
        released = True

    signal.signal(signal.SIGTERM, release)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    while not released and process_alive(watched_pid):
        time.sleep(POLL_SECONDS)
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
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``hold FD PID`` (started by :func:`hand_over`) or ``release [ROOT]`` (Quarto's post-render)."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["hold"] and len(args) == 3:
        return _hold(int(args[1]), int(args[2]))
    if args[:1] == ["release"] and len(args) <= 2:
        from analysis.paths import project_root

        return release(Path(args[1]) if len(args) == 2 else project_root())
    print("usage: python -m analysis.run.render_lock hold FD PID | release [PROJECT_ROOT]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
