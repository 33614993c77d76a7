"""Printing Quarto's pages while Quarto renders (analysis.run.print_ahead): when a page counts as finished, what is
recorded as printed from which bytes, and that the post-render never signals a process that is not the printer."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.run import print_ahead
from analysis.run.pdf import PRINTED_PAGES_FILE, find_chromium, record_printed_pages
from analysis.run.print_ahead import PRINTER_FILE, finish_printing_ahead, settled_pages


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(print_ahead, "SETTLE_SECONDS", 0.05)
    monkeypatch.setattr(print_ahead, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(print_ahead, "_all_written", False)


def written(page: Path, text: str, *, at: float | None = None) -> Path:
    page.write_text(text, encoding="utf-8")
    if at is not None:
        os.utime(page, (at, at))
    return page


def sha(page: Path) -> str:
    return hashlib.sha256(page.read_bytes()).hexdigest()


def test_a_page_is_yielded_once_quarto_has_finished_it_and_recorded_when_unchanged(tmp_path: Path) -> None:
    since = time.time() - 1
    page = written(tmp_path / "report.html", "<html>new</html>")
    printed_from: dict[Path, str] = {}
    pages = settled_pages([page], since=since, quarto_pid=os.getpid(), printed_from=printed_from)
    assert next(pages) == page
    assert printed_from == {}  # recorded only once printed
    assert list(pages) == []
    assert printed_from == {page: sha(page)}


def test_a_page_written_again_while_it_was_printed_is_not_recorded(tmp_path: Path) -> None:
    page = written(tmp_path / "report.html", "<html>first</html>")
    printed_from: dict[Path, str] = {}
    pages = settled_pages([page], since=time.time() - 1, quarto_pid=os.getpid(), printed_from=printed_from)
    assert next(pages) == page
    written(page, "<html>second</html>")  # Quarto wrote it again while it was printed
    assert list(pages) == []
    assert printed_from == {}  # so the post-render prints it again


def test_a_page_written_again_as_it_was_printed_keeps_its_pdf(tmp_path: Path) -> None:
    """Quarto wrote a page again with the bytes its PDF was printed from: it is not printed again (write_pdfs would
    keep that PDF too)."""
    page = written(tmp_path / "report.html", "<html>same</html>")
    page.with_suffix(".pdf").write_bytes(b"%PDF-1.7 printed before")
    record_printed_pages({page: sha(page)})
    assert list(settled_pages([page], since=time.time() - 1, quarto_pid=os.getpid(), printed_from={})) == []


def test_a_page_left_from_an_earlier_render_or_still_being_rendered_waits(tmp_path: Path) -> None:
    """An old page (written before the printer started) and a page whose _files folder is still there are not
    finished; once Quarto has written the one and removed the other's folder, both are yielded."""
    since = time.time()
    old = written(tmp_path / "old.html", "<html>old</html>", at=since - 60)
    busy = written(tmp_path / "busy.html", "<html>busy</html>")
    (tmp_path / "busy_files").mkdir()
    seen: dict[Path, tuple[int, int, float]] = {}
    for _ in range(3):
        assert not print_ahead._finished(old, since, seen)
        assert not print_ahead._finished(busy, since, seen)
        time.sleep(0.03)
    written(old, "<html>old, rendered again</html>", at=since + 1)
    (tmp_path / "busy_files").rmdir()
    pages = settled_pages([old, busy], since=since, quarto_pid=os.getpid(), printed_from={})
    assert sorted(pages) == [busy, old]


def test_a_page_that_keeps_changing_is_not_yet_finished(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    seen: dict[Path, tuple[int, int, float]] = {}
    for n in range(5):
        written(page, "<html>" + "x" * n + "</html>")
        assert not print_ahead._finished(page, time.time() - 1, seen)
        time.sleep(0.03)
    time.sleep(0.06)
    assert print_ahead._finished(page, time.time() - 1, seen)


def test_once_every_page_is_written_the_rest_are_yielded_without_settling(tmp_path: Path) -> None:
    page = written(tmp_path / "report.html", "<html>last</html>")
    (tmp_path / "report_files").mkdir()  # would wait for ever
    print_ahead._on_all_written(0, None)
    assert list(settled_pages([page], since=time.time() - 1, quarto_pid=os.getpid(), printed_from={})) == [
        page
    ]


def test_the_printer_stops_when_quarto_ends_without_a_post_render(tmp_path: Path) -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    page = tmp_path / "never.html"
    started = time.monotonic()
    assert list(settled_pages([page], since=time.time(), quarto_pid=ended.pid, printed_from={})) == []
    assert time.monotonic() - started < 1


def test_the_post_render_signals_only_the_printer(tmp_path: Path) -> None:
    """A record naming a process that is not the printer (here the tests' own: SIGUSR1 would end it) is removed
    and nothing is signalled."""
    (tmp_path / PRINTER_FILE).write_text(f'{{"pid": {os.getpid()}, "pages": 1}}', encoding="utf-8")
    finish_printing_ahead(tmp_path)
    assert not (tmp_path / PRINTER_FILE).exists()
    finish_printing_ahead(tmp_path)  # no record: nothing to do


def test_the_post_render_waits_for_the_printer_to_finish(tmp_path: Path) -> None:
    """The printer, started as the pre-render starts it, prints the page it is told is written and ends."""
    if find_chromium() is None:
        pytest.skip("no Chromium to print with")
    quarto = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        page = tmp_path / "report.html"
        assert print_ahead.start_printing_ahead(tmp_path, [page], quarto.pid) is not None
        time.sleep(0.05)
        (tmp_path / "report_files").mkdir()  # not settled: only the post-render's word lets it be printed
        page.write_text("<!doctype html><html><body><h1>Report</h1></body></html>", encoding="utf-8")
        time.sleep(0.5)
        assert not page.with_suffix(".pdf").exists()
        finish_printing_ahead(tmp_path)
        assert page.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
        assert (tmp_path / PRINTED_PAGES_FILE).read_text(encoding="utf-8").count(sha(page)) == 1
    finally:
        quarto.kill()
        quarto.wait()
