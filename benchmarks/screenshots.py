"""The first screen of each report, as a reader meets it: a 1280x800 screenshot per page.

Saves ``reports/<quarter>/screenshots/<name>.png`` (headless Chromium through Playwright, the browser the run prints
its PDFs with) and prints the paths: each topic report (``topic-<id>.png``); with ``--all`` also the quarterly report,
the first exception report, the Board dashboard of each month published beside the quarter, and the same pages as
Quarto rendered them (``reports/quarto/...``, named ``quarto-<name>.png``) when ``quarto render`` has been run. The
screenshots sit beside the reports, so ``make clean`` removes them with everything else the pipeline made.

Usage, after ``make report`` (and ``make dashboards``, ``quarto render`` for ``--all``):
``python benchmarks/screenshots.py [--quarter 2015-16-Q1] [--reports reports] [--all]``
(default: the quarter the ``reports/latest`` link points to).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1280, 800


def topic_pages(quarter_dir: Path, config_dir: Path) -> list[tuple[str, Path]]:
    """Each topic's id and its published page (``topic-<id>.html``), in the order of ``config/topics.yml``."""
    from analysis.config import load_config

    config = load_config(config_dir)
    pages = [(t.id, quarter_dir / f"topic-{t.id}.html") for t in config.topics.topics]
    return [(topic, page) for topic, page in pages if page.is_file()]


def other_pages(quarter_dir: Path) -> list[tuple[str, Path]]:
    """The quarterly report, the first exception report and the months' dashboards, as each renderer made them:
    the built-in pages in ``reports/<quarter>/`` and ``reports/<YYYY-MM>/``, Quarto's in ``reports/quarto/``."""
    from analysis.methods.quarters import Quarter

    reports = quarter_dir.parent
    months = [f"{month:%Y-%m}" for month in Quarter.parse(quarter_dir.name).months]
    pages: list[tuple[str, Path]] = []
    for prefix, root in (("", reports), ("quarto-", reports / "quarto")):
        folder = root / quarter_dir.name
        exceptions = sorted(folder.glob("exceptions-*.html"))
        pages += [(f"{prefix}quarterly-report", folder / "quarterly-report.html")]
        pages += [(f"{prefix}{exceptions[0].stem}", exceptions[0])] if exceptions else []
        pages += [(f"{prefix}dashboard-{m}", root / m / "dashboard.html") for m in months]
    return [(name, page) for name, page in pages if page.is_file()]


def save_first_screens(
    quarter_dir: Path, config_dir: Path, *, chromium: str | None = None, every_product: bool = False
) -> list[Path]:
    """Screenshot the first screen (1280x800) of each topic report (with ``every_product``, of the pages of
    :func:`other_pages` too) into ``quarter_dir/screenshots/``.

    Returns the paths written. Raises ``RuntimeError`` when no Chromium is installed.
    """
    from playwright.sync_api import sync_playwright

    from analysis.run.pdf import find_chromium

    executable = chromium or find_chromium()
    if executable is None:
        raise RuntimeError("no Chromium found (make browser installs Debian's)")
    folder = quarter_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            shots = [(f"topic-{topic}", html) for topic, html in topic_pages(quarter_dir, config_dir)]
            shots += other_pages(quarter_dir) if every_product else []
            for name, html in shots:
                page.goto(html.resolve().as_uri(), wait_until="load")
                target = folder / f"{name}.png"
                page.screenshot(path=str(target), full_page=False)
                written.append(target)
        finally:
            browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarter", default=None, help="e.g. 2015-16-Q1 (default: reports/latest)")
    parser.add_argument("--reports", type=Path, default=REPO / "reports", help="the reports folder")
    parser.add_argument("--config", type=Path, default=REPO / "config", help="the config folder")
    parser.add_argument(
        "--all",
        action="store_true",
        help="also the quarterly, an exception report and dashboards, both renderers",
    )
    args = parser.parse_args()
    quarter_dir = args.reports / args.quarter if args.quarter else (args.reports / "latest").resolve()
    if not quarter_dir.is_dir():
        print(f"No reports in {quarter_dir}: run 'make report' first", file=sys.stderr)
        return 2
    written = save_first_screens(quarter_dir, args.config, every_product=args.all)
    if not written:
        print(f"No topic reports in {quarter_dir}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
