"""Printing the report pages to PDF (A4) with headless Chromium, when it is installed."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

from analysis.io import atomic_path
from analysis.products.html_pages import PAGE_MODE

logger = logging.getLogger(__name__)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Headless printing offline: no sandbox (root in containers), no GPU, no background network, no first-run UI.
#: The last three keep Chromium to fewer processes, for the run's peak memory (issue 21): the GPU and network
#: services run inside the browser process rather than in processes of their own, and no spare renderer is started
#: beside the one tab that prints. On the demo quarter's eleven pages: 11 -> 8 processes, a peak of 1,430 -> 1,200
#: MiB (sum of resident sizes), the same time, and (those flags alone) the same PDF bytes but for their creation date.
#: ``--single-process --no-zygote`` go further: the one tab's renderer runs inside the browser process, with no zygote
#: processes to fork it. The demo quarter's eleven pages printed alone: a peak of about 1,320 -> 910 MiB, the same
#: time and processor time. The PDFs have the same pages, text, tags and links, pixel for pixel (rendered at 144 dpi),
#: and are a little smaller: each font is subset once per PDF instead of once per process that drew it.
CHROMIUM_ARGUMENTS = (
    "--single-process",
    "--no-zygote",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--in-process-gpu",
    "--enable-features=NetworkServiceInProcess2",
    "--disable-features=SpareRendererForSitePerProcess",
)
PDF_TIMEOUT_SECONDS = 180
#: Beside PDFs printed with ``write_pdfs(..., keep_unchanged=True)``: the SHA-256 of the page each was printed from.
PRINTED_PAGES_FILE = "pdf-pages.json"


def find_chromium() -> str | None:
    """A Chromium or Chrome on PATH (``$ANALYSIS_CHROMIUM`` names another), or ``None``."""
    override = os.environ.get("ANALYSIS_CHROMIUM")
    if override:
        return override if Path(override).is_file() else shutil.which(override)
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def print_pdfs_in_one_browser(pages: Iterable[Path], *, chromium: str) -> list[Path]:
    """Print each page to a PDF beside it in one headless Chromium, driven through Playwright (issue 21).

    Chromium's print as "Save as PDF" makes it (A4 and margins from the page's ``@page``, backgrounds, no header or
    footer, tagged), as ``--print-to-pdf`` did, without starting a browser per page: one launch, one tab.
    Each PDF is written atomically; a page that cannot be printed is logged and its old PDF removed. ``pages`` may
    be an iterator that yields each page when it is ready (:class:`PdfPrinter`).
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    written: list[Path] = []
    arguments = list(CHROMIUM_ARGUMENTS)
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=chromium, args=arguments)
        except PlaywrightError as error:  # not a browser, or one that cannot start: no page gets a PDF
            for page in pages:
                page.with_suffix(".pdf").unlink(missing_ok=True)
                logger.warning(
                    "No PDF for %s: %s could not start (%s)", page.name, chromium, _first_line(error)
                )
            return written
        tab = None
        try:
            # One browser context for every tab: with --single-process Chromium cannot make a second context.
            context = browser.new_context()
            for page in pages:
                pdf_path = page.with_suffix(".pdf")
                # One tab for every page: each page is loaded in place of the last, in the same renderer process.
                # A new tab per page started a renderer per page, twice the processor time (8.3 s against 3.8 s
                # for the demo quarter's ten reports and index, printed alone; issue 21). A tab whose page failed
                # is not used again. With --single-process a page that fails to load can take the whole browser
                # with it: a browser found closed is started afresh, and the page tried once more in it.
                for attempt in (1, 2):
                    try:
                        if not browser.is_connected():
                            with suppress(PlaywrightError):
                                browser.close()
                            browser = playwright.chromium.launch(executable_path=chromium, args=arguments)
                            context, tab = browser.new_context(), None
                        tab = tab or context.new_page()
                        _print_page(tab, page, pdf_path)
                        written.append(pdf_path)
                        break
                    except (PlaywrightError, OSError) as error:
                        failed, tab = tab, None
                        if failed is not None:
                            with suppress(PlaywrightError):  # the browser may be what failed
                                failed.close()
                        if attempt == 1 and not browser.is_connected():
                            continue
                        pdf_path.unlink(missing_ok=True)
                        logger.warning("No PDF for %s: %s", page.name, _first_line(error))
                        break
        finally:
            with suppress(PlaywrightError):
                browser.close()
    return written


def _print_page(tab: Any, page: Path, pdf_path: Path) -> None:
    """Load ``page`` in the Playwright tab and print it to ``pdf_path`` (atomically), as Chromium's "Save as PDF"."""
    tab.goto(page.resolve().as_uri(), wait_until="load", timeout=PDF_TIMEOUT_SECONDS * 1000)
    with atomic_path(pdf_path) as temporary:
        tab.pdf(
            path=str(temporary),
            prefer_css_page_size=True,
            print_background=True,  # as --print-to-pdf does
            tagged=True,  # a tagged PDF (structure for screen readers), as --print-to-pdf makes
            display_header_footer=False,
        )
        temporary.chmod(PAGE_MODE)


def _first_line(error: Exception) -> str:
    return next(iter(str(error).splitlines()), type(error).__name__)


def write_pdfs(pages: list[Path], *, keep_unchanged: bool = False) -> list[Path]:
    """Print each report page to a PDF beside it (``quarterly-report.pdf``...) when Chromium is available.

    The committee receives a PDF pack as often as HTML. Without Chromium the PDFs are skipped with a notice; a
    page that cannot be printed is logged and its old PDF removed, so no PDF is older than its page. One browser
    prints every page (:func:`print_pdfs_in_one_browser`): a Chromium per page cost half as much again in processor
    time (issue 21).

    ``keep_unchanged`` (Quarto's post-render, which sees every page written again): a PDF whose page has the same
    bytes as when it was printed (:data:`PRINTED_PAGES_FILE`, beside it) is kept rather than printed again. Returns
    the PDFs printed.
    """
    chromium = find_chromium()
    if chromium is None:
        logger.info("No Chromium found: the PDFs are not written (install chromium to have them)")
        return []
    digests = (
        {page: hashlib.sha256(page.read_bytes()).hexdigest() for page in pages} if keep_unchanged else {}
    )
    records: dict[Path, dict[str, str]] = {}  # each folder's record, read once
    kept = [page for page in pages if keep_unchanged and _printed_from(page, records) == digests[page]]
    if kept:
        logger.info(
            "Kept %d of %d PDFs: their pages are unchanged since they were printed", len(kept), len(pages)
        )
    to_print = [page for page in pages if page not in kept]
    written = print_pdfs_in_one_browser(to_print, chromium=chromium) if to_print else []
    logger.info("Printed %d PDF%s with %s", len(written), "" if len(written) == 1 else "s", chromium)
    if keep_unchanged:
        _record_printed_pages(
            {page: digests[page] for page in pages if page in kept or page.with_suffix(".pdf") in written},
            records,
        )
    return written


def _printed_from(page: Path, records: dict[Path, dict[str, str]]) -> str | None:
    """The SHA-256 of the page that ``page``'s PDF was printed from, if it has a PDF and that was recorded.
    ``records`` keeps each folder's :data:`PRINTED_PAGES_FILE` once read."""
    if not page.with_suffix(".pdf").is_file():
        return None
    found = _folder_record(page.parent, records).get(page.name)
    return found if isinstance(found, str) else None


def _folder_record(folder: Path, records: dict[Path, dict[str, str]]) -> dict[str, str]:
    """``folder``'s :data:`PRINTED_PAGES_FILE`, read once into ``records`` (none, or a damaged one: empty)."""
    if folder not in records:
        try:
            record = json.loads((folder / PRINTED_PAGES_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):  # no record yet, or a damaged one: print again
            record = {}
        records[folder] = record if isinstance(record, dict) else {}
    return records[folder]


def printed_from_these_bytes(page: Path, page_digest: str) -> bool:
    """Whether ``page`` has a PDF recorded as printed from the page's bytes with SHA-256 ``page_digest``."""
    return _printed_from(page, {}) == page_digest


def record_printed_pages(digests: dict[Path, str]) -> None:
    """Record that each page's PDF was printed from the page's bytes with SHA-256 ``digests[page]``, so that
    :func:`write_pdfs` (``keep_unchanged``) keeps it (:mod:`analysis.run.print_ahead`)."""
    if digests:
        _record_printed_pages(digests, {})


def _record_printed_pages(digests: dict[Path, str], records: dict[Path, dict[str, str]]) -> None:
    """Write, in each folder, which page (by SHA-256) each of its PDFs was printed from.

    Pages not printed or kept this time (Quarto rendered only the pages out of date) keep their entries while the
    page and its PDF are there.
    """
    folders: dict[Path, dict[str, str]] = {}
    for page, page_digest in digests.items():
        if page.parent not in folders:
            folders[page.parent] = {
                name: digest
                for name, digest in _folder_record(page.parent, records).items()
                if (page.parent / name).is_file() and (page.parent / name).with_suffix(".pdf").is_file()
            }
        folders[page.parent][page.name] = page_digest
    for folder, record in folders.items():
        with atomic_path(folder / PRINTED_PAGES_FILE) as temporary:
            temporary.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            temporary.chmod(PAGE_MODE)


class PdfPrinter:
    """One headless Chromium, on a thread of its own, printing each page as soon as it is handed over.

    The report stage hands over each report's page as soon as that report is executed and rendered, so the PDFs
    are printed while the other reports are still running rather than all after them (issue 21). Without Chromium
    nothing is printed (a notice, as :func:`write_pdfs`). ``close`` waits for the last PDF.
    """

    _DONE = Path()

    def __init__(self) -> None:
        self._chromium = find_chromium()
        self._pages: queue.SimpleQueue[Path] = queue.SimpleQueue()
        self._written: list[Path] = []
        self._failure: BaseException | None = None
        self._thread: threading.Thread | None = None
        if self._chromium is None:
            logger.info("No Chromium found: the PDFs are not written (install chromium to have them)")
            return
        self._thread = threading.Thread(target=self._print, name="pdf-printer", daemon=True)
        self._thread.start()

    def print(self, page: Path) -> None:
        """Queue ``page`` to be printed to a PDF beside it."""
        if self._thread is not None:
            self._pages.put(page)

    def close(self) -> list[Path]:
        """Wait until every page handed over is printed; the PDFs written."""
        if self._thread is None:
            return []
        self._pages.put(self._DONE)
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        logger.info(
            "Printed %d PDF%s with %s",
            len(self._written),
            "" if len(self._written) == 1 else "s",
            self._chromium,
        )
        return self._written

    def _handed_over(self) -> Iterator[Path]:
        while (page := self._pages.get()) is not self._DONE:
            yield page

    def _print(self) -> None:
        assert self._chromium is not None
        try:
            self._written = print_pdfs_in_one_browser(self._handed_over(), chromium=self._chromium)
        except BaseException as error:  # raised again by close(), in the thread that waits for the PDFs
            self._failure = error
            for _ in self._handed_over():  # nothing waits on a queue no one reads
                pass
