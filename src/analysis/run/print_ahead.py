"""Quarto's pages printed to PDF while Quarto renders the next ones, not all after the last (issue 21).

``quarto render`` writes its pages one after another, each a Pandoc run on one core, and runs the post-render
(:mod:`analysis.run.quarto_project`, which prints the PDFs) only after the last: the demo quarter's ten PDFs then
took 4 to 5 s at the end of every cold render while the second core sat idle during the pages. So the pre-render
starts a printer of its own (``python -m analysis.run.print_ahead``) that launches the headless Chromium at once and
prints each page of the render list as soon as Quarto has finished it:

- a page is taken as finished when it was written after the printer started, Quarto has removed its
  ``<page>_files`` folder (it does at the end of each self-contained page) and it has kept its size and time for
  :data:`SETTLE_SECONDS`;
- the page's SHA-256 is taken before and after it is printed; only a PDF whose page did not change meanwhile is
  recorded as printed from those bytes (:data:`analysis.run.pdf.PRINTED_PAGES_FILE`).

The post-render then tells the printer that every page is written (SIGUSR1: it prints those it has not yet without
waiting for them to settle), waits for it, and prints as before, keeping each PDF whose page has the bytes it was
printed from (:func:`analysis.run.pdf.write_pdfs`, ``keep_unchanged``). A guess that was wrong (a page printed and
then written again) therefore costs a second print of that page, never a PDF of other bytes than its page's. The
printer stops when Quarto ends without a post-render (a failed render), and after :data:`GIVE_UP_SECONDS` at most.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from analysis.io import atomic_path
from analysis.run.fingerprints import sha256_file
from analysis.run.pdf import (
    find_chromium,
    print_pdfs_in_one_browser,
    printed_from_these_bytes,
    record_printed_pages,
)
from analysis.run.publication import process_alive

logger = logging.getLogger(__name__)

#: In ``reports/quarto/``: the printer's process id while it runs (written by the pre-render, removed by the
#: post-render).
PRINTER_FILE = "printing-ahead.json"
#: How long a page must keep its size and time before it is printed (seconds).
SETTLE_SECONDS = 0.3
#: How often the printer looks at the pages it waits for (seconds).
POLL_SECONDS = 0.1
#: The longest the printer runs, whatever happens to Quarto (seconds).
GIVE_UP_SECONDS = 3600.0
#: How long the post-render waits for the printer to finish the pages (seconds); then it prints the rest itself.
FINISH_WAIT_SECONDS = 120.0

#: Set by SIGUSR1, the post-render's word that Quarto has written every page.
_all_written = False


def start_printing_ahead(pages_folder: Path, pages: list[Path], quarto_pid: int) -> int | None:
    """Pre-render: start the printer of ``pages`` (the HTML pages Quarto is about to write) beside Quarto's process
    ``quarto_pid``; its process id, or ``None`` when there is nothing to print or no Chromium to print with."""
    if not pages or find_chromium() is None:
        return None
    since = time.time()
    printer = subprocess.Popen(  # noqa: S603 - our own module, with our interpreter
        [sys.executable, "-m", "analysis.run.print_ahead", str(quarto_pid), repr(since), *map(str, pages)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # not ended with the pre-render's process group
    )
    with atomic_path(pages_folder / PRINTER_FILE) as temporary:
        temporary.write_text(json.dumps({"pid": printer.pid, "pages": len(pages)}), encoding="utf-8")
    return printer.pid


def finish_printing_ahead(pages_folder: Path) -> None:
    """Post-render: tell the printer every page is written, and wait for it to print them (or give up on it)."""
    record = pages_folder / PRINTER_FILE
    try:
        pid = json.loads(record.read_text(encoding="utf-8"))["pid"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    try:
        if isinstance(pid, int) and _is_printer(pid):
            os.kill(pid, signal.SIGUSR1)
            deadline = time.monotonic() + FINISH_WAIT_SECONDS
            while _is_printer(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _is_printer(pid):
                logger.warning("The PDFs printed during the render are not finished: printing the rest now")
                os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    finally:
        record.unlink(missing_ok=True)


def _is_printer(pid: int) -> bool:
    """Whether ``pid`` is a printer still running (not a process that took its number since, nor a zombie)."""
    if not process_alive(pid):
        return False
    try:
        status = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # no /proc: trust the process id
        return True
    return status != "Z" and b"analysis.run.print_ahead" in command


def settled_pages(
    pages: list[Path], *, since: float, quarto_pid: int, printed_from: dict[Path, str]
) -> Iterator[Path]:
    """Yield each page once Quarto has finished it (see the module's notes), until every page is yielded, Quarto's
    process ends or :data:`GIVE_UP_SECONDS` pass. Each page yielded is resumed from once it is printed: if its bytes
    are those it was yielded with, ``printed_from`` gets its SHA-256."""
    waiting = list(pages)
    seen: dict[Path, tuple[int, int, float]] = {}  # page: (size, mtime_ns, first seen so)
    give_up = time.monotonic() + GIVE_UP_SECONDS
    while waiting and time.monotonic() < give_up and (_all_written or process_alive(quarto_pid)):
        ready = next((page for page in waiting if _all_written or _finished(page, since, seen)), None)
        if ready is None:
            time.sleep(POLL_SECONDS)
            continue
        waiting.remove(ready)
        if not ready.is_file() or ready.stat().st_mtime < since:
            continue  # never written by this render (not in its list after all): the post-render decides
        before = sha256_file(ready)
        # written again as it was printed: its PDF is kept, as write_pdfs keeps it
        if printed_from_these_bytes(ready, before):
            continue
        yield ready
        with contextlib.suppress(OSError):
            if sha256_file(ready) == before:
                printed_from[ready] = before


def _finished(page: Path, since: float, seen: dict[Path, tuple[int, int, float]]) -> bool:
    """Whether Quarto has finished ``page``: written since the printer started, its ``_files`` folder gone, and
    the same size and time for :data:`SETTLE_SECONDS`."""
    try:
        state = page.stat()
    except OSError:
        return False
    if state.st_mtime < since or page.with_name(f"{page.stem}_files").exists():
        seen.pop(page, None)
        return False
    now = time.monotonic()
    size_and_time = (state.st_size, state.st_mtime_ns)
    first = seen.get(page)
    if first is None or first[:2] != size_and_time:
        seen[page] = (*size_and_time, now)
        return False
    return now - first[2] >= SETTLE_SECONDS


def print_ahead(pages: list[Path], *, quarto_pid: int, since: float) -> list[Path]:
    """The printer: each page printed to a PDF beside it as Quarto finishes it, and recorded as printed from its
    bytes when they did not change meanwhile; the PDFs so recorded."""
    chromium = find_chromium()
    if chromium is None:
        return []
    printed_from: dict[Path, str] = {}
    written = print_pdfs_in_one_browser(
        settled_pages(pages, since=since, quarto_pid=quarto_pid, printed_from=printed_from), chromium=chromium
    )
    recorded = {page: digest for page, digest in printed_from.items() if page.with_suffix(".pdf") in written}
    record_printed_pages(recorded)
    return [page.with_suffix(".pdf") for page in recorded]


def _on_all_written(signum: int, frame: object) -> None:
    global _all_written
    _all_written = True


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.run.print_ahead QUARTO_PID SINCE PAGE...`` (started by :func:`start_printing_ahead`)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 3 or not args[0].isdigit():
        print("usage: python -m analysis.run.print_ahead QUARTO_PID SINCE PAGE...", file=sys.stderr)
        return 2
    signal.signal(signal.SIGUSR1, _on_all_written)

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the terminal ends Quarto; the printer follows it
    print_ahead([Path(page) for page in args[2:]], quarto_pid=int(args[0]), since=float(args[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
