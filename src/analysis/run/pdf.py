"""Printing the report pages to PDF (A4) with headless Chromium, when it is installed."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from analysis.errors import NotebookFailed
from analysis.io import atomic_path
from analysis.products.html_pages import PAGE_MODE

logger = logging.getLogger(__name__)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Headless printing offline: no sandbox (root in containers), no GPU, no background network, no first-run UI.
CHROMIUM_ARGUMENTS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
)
PDF_TIMEOUT_SECONDS = 180


def find_chromium() -> str | None:
    """A Chromium or Chrome on PATH (``$ANALYSIS_CHROMIUM`` names another), or ``None``."""
    override = os.environ.get("ANALYSIS_CHROMIUM")
    if override:
        return override if Path(override).is_file() else shutil.which(override)
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def print_pdf(page: Path, pdf_path: Path, *, chromium: str) -> Path:
    """Print an HTML page to PDF with headless Chromium, as "Save as PDF" would, on A4 (the page's ``@page``).

    Chromium's ``--print-to-pdf`` uses the page's print style sheet (``report.css``: A4, charts and table rows kept
    whole); ``--no-pdf-header-footer`` leaves out the file path and date Chromium would print in the margins.
    Written atomically: a failed print leaves no partial file.

    Raises
    ------
    NotebookFailed
        If Chromium exits with an error or writes nothing.
    """
    page, pdf_path = Path(page).resolve(), Path(pdf_path)
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile, atomic_path(pdf_path) as temporary:
        command = [
            chromium,
            "--headless",
            *CHROMIUM_ARGUMENTS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={temporary}",
            page.as_uri(),
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=PDF_TIMEOUT_SECONDS, check=False
        )
        if done.returncode != 0 or temporary.stat().st_size == 0:
            raise NotebookFailed(
                f"Chromium could not print {page.name} to PDF (exit code {done.returncode}): "
                f"{done.stderr.strip()[-500:]}"
            )
        temporary.chmod(PAGE_MODE)
    return pdf_path


def write_pdfs(pages: list[Path], *, jobs: int = 2) -> list[Path]:
    """Print each report page to a PDF beside it (``quarterly-report.pdf``...) when Chromium is available.

    The committee receives a PDF pack as often as HTML. Without Chromium the PDFs are skipped with a notice; a
    page that cannot be printed is logged and its old PDF removed, so no PDF is older than its page.
    """
    chromium = find_chromium()
    if chromium is None:
        logger.info("No Chromium found: the PDFs are not written (install chromium to have them)")
        return []

    def one(page: Path) -> Path | None:
        try:
            return print_pdf(page, page.with_suffix(".pdf"), chromium=chromium)
        except (NotebookFailed, OSError, subprocess.TimeoutExpired) as error:
            page.with_suffix(".pdf").unlink(missing_ok=True)
            logger.warning("No PDF for %s: %s", page.name, error)
            return None

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        written = [pdf for pdf in pool.map(one, pages) if pdf is not None]
    logger.info("Printed %d PDF%s with %s", len(written), "" if len(written) == 1 else "s", chromium)
    return written
