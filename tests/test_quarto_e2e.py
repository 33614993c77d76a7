"""`quarto render` as the analyst runs it: a git checkout holding the session's demo run, rendered by real Quarto.

One checkout per session (the repository's tracked files, ``.venv`` linked, the session's demo data, processed
tables and reports copied in), one ``quarto render`` of the whole project (the run's quarter, the latest), then one
of a single notebook. The checkout also holds a month of the quarter, a later month (``reports/latest-month``) and an
earlier quarter, made from the run's notebooks, which Quarto must leave alone but the quarter's month. Quarto writes
to ``reports/quarto/``: its pages are compared with the built-in renderer's pages of the same run, which it must
not change.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis.paths import ProjectPaths
from analysis.run.pipeline import RunResult
from analysis.run.print_ahead import PRINTER_FILE
from analysis.run.quarto_project import QUARTO_RENDER_LIST, RENDERED_PAGES_FILE, WHOLE_RENDER_LIST

REPO = Path(__file__).resolve().parents[1]
QUARTO = shutil.which("quarto")

pytestmark = pytest.mark.skipif(
    QUARTO is None,
    reason=(
        "quarto is not on PATH: `make test` installs the offline Quarto of ../shared/tools/quarto when it is there; "
        "otherwise install Quarto 1.5+"
    ),
)

REMOTE_RESOURCE = re.compile(
    r"""<(?!a\b)[a-z]+\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE
)
REMOTE_CSS = re.compile(r"""(?:@import\s+(?:url\()?|url\()\s*["']?(?:https?:)?//""", re.IGNORECASE)


@dataclass
class Rendered:
    root: Path
    quarter_dir: Path  # the pipeline's (built-in) pages: reports/<quarter>/
    quarto_dir: Path  # Quarto's pages: reports/quarto/<quarter>/
    started: float
    result: subprocess.CompletedProcess[str]
    notebook_times: dict[str, float]
    before: dict[str, str]  # every file of reports/ (path: SHA-256) before the render
    month: str  # a month of the quarter
    others: tuple[str, ...]  # a later month and an earlier quarter


def checkout(root: Path) -> Path:
    """The repository's files as a fresh clone has them (plus new, unignored files), committed to a new git repo."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)  # mtimes kept: make finds .venv up to date
    (root / ".venv").symlink_to(REPO / ".venv")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "checkout"], cwd=root, check=True)
    return root


def quarto_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANALYSIS_", "QUARTER"))}
    env.setdefault("QUARTO_PYTHON", sys.executable)
    return env


def snapshot(reports: Path) -> dict[str, str]:
    """Every file below ``reports`` (not through symbolic links): its path and SHA-256."""
    return {
        path.relative_to(reports).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(reports.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def fake_month(quarter_dir: Path, folder: Path) -> None:
    """A month's folder with executed notebooks as ``analysis run --month`` leaves them (the quarter's, renamed)."""
    folder.mkdir()
    exceptions = sorted(quarter_dir.glob("exceptions-*.ipynb"))
    shutil.copy2(exceptions[0], folder / "dashboard.ipynb")
    shutil.copy2(exceptions[1], folder / "safeguarding-board.ipynb")


def git_status(root: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def rendered(
    first_run: RunResult, demo_project: ProjectPaths, tmp_path_factory: pytest.TempPathFactory
) -> Rendered:
    """``quarto render`` at the root of a checkout holding the session's demo run (made by the built-in renderer)."""
    root = checkout(tmp_path_factory.mktemp("quarto") / "checkout")
    for folder in ("data/raw", "data/processed", "reports"):
        shutil.copytree(demo_project.root / folder, root / folder, symlinks=True, dirs_exist_ok=True)
    shutil.copy2(demo_project.root / ".pseudonym-key", root / ".pseudonym-key")
    reports = root / "reports"
    quarter_dir = reports / first_run.quarter
    assert first_run.quarter == "2015-16-Q1"
    month, later, earlier = "2015-05", "2015-07", "2014-15-Q4"
    fake_month(quarter_dir, reports / month)
    fake_month(quarter_dir, reports / later)
    (reports / "latest-month").unlink(missing_ok=True)
    (reports / "latest-month").symlink_to(
        later
    )  # the bug: Quarto rendered reports/latest-month, any quarter's
    shutil.copytree(quarter_dir, reports / earlier, symlinks=True)
    notebook_times = {p.name: p.stat().st_mtime for p in quarter_dir.glob("*.ipynb")}
    before = snapshot(reports)
    started = time.time()
    result = subprocess.run(
        ["quarto", "render"],
        cwd=root,
        env=quarto_env(),  # the run's quarter: QUARTER=<another quarter> would run its every stage (minutes)
        capture_output=True,
        text=True,
        timeout=900,
    )
    quarto_dir = reports / "quarto" / first_run.quarter
    return Rendered(
        root, quarter_dir, quarto_dir, started, result, notebook_times, before, month, (later, earlier)
    )


def expected_pages(first_run: RunResult) -> list[str]:
    """The index, the quarterly report, the six exception reports and the topic reports (issue 19)."""
    return ["index.html", "quarterly-report.html"] + sorted(
        p.with_suffix(".html").name
        for pattern in ("exceptions-*.ipynb", "topic-*.ipynb")
        for p in first_run.quarter_dir.glob(pattern)
    )


def test_quarto_render_renders_every_report_of_the_quarter_offline(rendered, first_run):
    output = rendered.result.stdout + rendered.result.stderr
    assert rendered.result.returncode == 0, output[-3000:]
    assert "Could not fetch" not in output
    pages = expected_pages(first_run)
    assert len(pages) == 8 + 3  # the demo's config/topics.yml has three topics
    month_pages = [f"../{rendered.month}/dashboard.html", f"../{rendered.month}/safeguarding-board.html"]
    for name in pages + month_pages:
        path = rendered.quarto_dir / name
        assert path.stat().st_mtime > rendered.started, f"{name} was not rendered"
        page = path.read_text(encoding="utf-8")
        assert re.search(r'<meta name="generator" content="quarto-\d', page), name
        assert 'lang="en-GB"' in page, name
        assert not REMOTE_RESOURCE.findall(page), (name, REMOTE_RESOURCE.findall(page)[:3])
        assert not REMOTE_CSS.findall(page), name
    # and nothing else: Quarto lists what it renders as "[n/N] path"
    listed = re.findall(r"^\[\s*\d+/\d+\]\s+(\S+)", re.sub(r"\x1b\[[0-9;]*m", "", output), re.MULTILINE)
    stems = {Path(name).stem for name in pages}
    assert sorted(listed) == sorted(
        [
            f"reports/quarto/{first_run.quarter}/{stem}.{'qmd' if stem == 'index' else 'ipynb'}"
            for stem in stems
        ]
        + [
            f"reports/quarto/{rendered.month}/dashboard.ipynb",
            f"reports/quarto/{rendered.month}/safeguarding-board.ipynb",
        ]
    )


def test_quarto_changes_nothing_outside_its_folders_of_the_quarter_and_its_months(rendered, first_run):
    """Issue 22, point 10: the built-in pages and PDFs of the same names are left as they were, and so is every
    other quarter and month (reports/latest-month named a month of another quarter, which Quarto used to render)."""
    assert rendered.result.returncode == 0
    reports = rendered.root / "reports"
    after = snapshot(reports)
    made_by_quarto = (
        f"quarto/{first_run.quarter}/",
        f"quarto/{rendered.month}/",
        "quarto-render.yml",
        f"quarto/{RENDERED_PAGES_FILE}",  # what each of Quarto's pages was rendered from (post-render)
    )
    # the pre-render's run publishes the quarter again (every stage skipped): its provenance is rewritten
    rerun = {f"{first_run.quarter}/manifest.json", f"{first_run.quarter}/.run-id"}
    before = rendered.before
    changed = {
        name
        for name in set(before) | set(after)
        if before.get(name) != after.get(name) and not name.startswith(made_by_quarto) and name not in rerun
    }
    assert not changed, sorted(changed)[:10]
    builtin = [
        name
        for name in before
        if name.startswith(f"{first_run.quarter}/") and name.endswith((".html", ".pdf"))
    ]
    assert len(builtin) >= 15  # 8 pages, 7 PDFs
    assert {name: after.get(name) for name in builtin} == {name: before[name] for name in builtin}
    assert sorted(p.name for p in (reports / "quarto").iterdir()) == sorted(
        [first_run.quarter, rendered.month, RENDERED_PAGES_FILE]
    )
    for other in rendered.others:
        assert not (reports / "quarto" / other).exists(), other


def test_quarto_pages_are_titled_and_list_every_section_as_the_built_in_pages(rendered, first_run):
    """The tab title is the report's heading, not the file name; the quarterly report's contents list every theme."""
    assert rendered.result.returncode == 0
    for name in expected_pages(first_run):
        quarto = (rendered.quarto_dir / name).read_text(encoding="utf-8")
        builtin = (first_run.quarter_dir / name).read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", quarto, re.DOTALL)
        assert title and unescape(title.group(1)).strip() != Path(name).stem, name
        expected = re.search(r"<title>(.*?)</title>", builtin, re.DOTALL).group(1)
        # index.qmd's YAML title gets Pandoc's typographic apostrophe (the reports' headings keep the straight one)
        assert unescape(title.group(1)).replace("\u2019", "'") == unescape(expected), name
    assert_contents_as_built_in(rendered, first_run, "quarterly-report.html")  # every theme listed
    for page in (rendered.quarto_dir.parent / rendered.month).glob("*.html"):
        title = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"))
        assert title and title.group(1) != page.stem, page.name


def assert_contents_as_built_in(rendered: Rendered, first_run: RunResult, name: str) -> None:
    """Quarto's contents list the headings of the built-in page's contents, none folded away."""
    quarto = (rendered.quarto_dir / name).read_text(encoding="utf-8")
    builtin = (first_run.quarter_dir / name).read_text(encoding="utf-8")
    toc = re.search(r'<nav id="TOC".*?</nav>', quarto, re.DOTALL)
    assert toc and 'data-toc-expanded="99"' in quarto, name  # no level folded away
    quarto_contents = re.findall(r'<a href="#([^"]+)"', toc.group(0))
    builtin_contents = re.findall(r'<a href="#([^"]+)"', builtin_toc(builtin))
    assert builtin_contents and quarto_contents[1:] == builtin_contents, name  # [0]: the page's own heading


def test_quarto_exception_and_topic_reports_list_every_section_in_their_contents(rendered, first_run):
    """Issue 22, point 10: Quarto's contents of an exception report listed only "Method and provenance". Pandoc
    lists the headings of a div only when it starts with a heading and holds no other of that level, and one
    notebook cell shows "Exceptions this quarter", every exception and "Commentary on the theme" (contents.lua)."""
    assert rendered.result.returncode == 0
    for name in expected_pages(first_run):
        if name.startswith(("exceptions-", "topic-")):
            assert_contents_as_built_in(rendered, first_run, name)


def builtin_toc(page: str) -> str:
    """The built-in page's contents list."""
    found = re.search(r'<nav[^>]*class="[^"]*toc[^"]*".*?</nav>', page, re.DOTALL) or re.search(
        r"<nav[^>]*aria-label=\"Contents\".*?</nav>", page, re.DOTALL
    )
    assert found, "no contents in the built-in page"
    return found.group(0)


@pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(), reason="no Chromium: Quarto's post-render prints no PDF"
)
def test_quarto_pages_have_their_pdfs(rendered, first_run):
    """The post-render prints each report page Quarto wrote, with the built-in renderer's Chromium print."""
    assert rendered.result.returncode == 0
    pages = [name for name in expected_pages(first_run) if name != "index.html"]
    pages += [f"../{rendered.month}/dashboard.html", f"../{rendered.month}/safeguarding-board.html"]
    for name in pages:
        pdf = (rendered.quarto_dir / name).with_suffix(".pdf")
        assert pdf.is_file() and pdf.stat().st_mtime > rendered.started, name
        assert pdf.read_bytes().startswith(b"%PDF"), name
    # all printed while Quarto rendered the pages (analysis.run.print_ahead), each from its page's final bytes, so
    # the post-render kept them all and printed none itself
    output = rendered.result.stdout + rendered.result.stderr
    assert f"Kept {len(pages)} of {len(pages)} PDFs" in output, output[-3000:]
    assert "Printed 0 PDFs" in output
    assert not (rendered.quarto_dir.parent / PRINTER_FILE).exists()


def test_pre_render_found_everything_up_to_date(rendered):
    """The pre-render ran the pipeline, which skipped every stage: no notebook was executed again."""
    assert rendered.result.returncode == 0
    for name, mtime in rendered.notebook_times.items():
        assert (rendered.quarter_dir / name).stat().st_mtime == mtime, f"{name} was executed again"


def test_a_render_leaves_the_checkout_clean(rendered):
    assert rendered.result.returncode == 0
    assert git_status(rendered.root) == ""
    assert "**/*.quarto_ipynb" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()


class _Content(HTMLParser):
    """What a reader sees inside ``<main>``: headings, tables (caption and cells), figures and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <main>
        self.headings: list[tuple[str, str]] = []
        self.tables: list[list[list[str]]] = []
        self.figures: list[tuple[str, str]] = []
        self.links: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._capture: list[str] | None = None
        self._heading: str | None = None
        self._link: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth += 1
        if not self.depth:
            return
        values = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._capture = tag, []
        elif tag == "table":
            self.tables.append([])
        elif tag in ("tr", "caption"):
            self.tables[-1].append([])
            self._capture = [] if tag == "caption" else None
        elif tag in ("td", "th"):
            self._capture = []
        elif tag == "img":
            self.figures.append((values.get("alt") or "", values.get("src") or ""))
        elif tag == "a":
            self._link, self._capture = values.get("href") or "", []

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.depth -= 1
        if not self.depth or self._capture is None:
            return
        text = " ".join("".join(self._capture).split())
        if tag == self._heading:
            self.headings.append((tag, text))
            self._heading, self._capture = None, None
        elif tag in ("td", "th", "caption") and self.tables:
            self.tables[-1][-1].append(text)
            self._capture = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link, text))
            self._link, self._capture = None, None

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)
            if self._capture is not None:
                self._capture.append(data)

    @property
    def words(self) -> list[str]:
        return unescape(" ".join(self.text)).split()


def content(path: Path) -> _Content:
    parser = _Content()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_quarto_and_built_in_pages_show_the_same_content(rendered, first_run):
    """Same headings, tables, figures and alt texts, banner, provenance and words in both renderers."""
    assert rendered.result.returncode == 0
    for name in expected_pages(first_run):
        if name == "index.html":
            continue
        quarto, builtin = content(rendered.quarto_dir / name), content(first_run.quarter_dir / name)
        assert builtin.headings and quarto.headings == builtin.headings, name
        assert builtin.tables and quarto.tables == builtin.tables, name
        assert quarto.figures == builtin.figures, name
        assert all(alt for alt, _ in quarto.figures), name
        assert quarto.words == builtin.words, name
        page = (rendered.quarto_dir / name).read_text(encoding="utf-8")
        assert "Synthetic demonstration data" in page
        assert any(row and row[0] == "Pipeline version" for table in quarto.tables for row in table) or any(
            "provenance" in text.lower() for _, text in quarto.headings
        ), name
    quarto, builtin = (
        content(rendered.quarto_dir / "index.html"),
        content(first_run.quarter_dir / "index.html"),
    )
    assert quarto.links == builtin.links and len(builtin.links) >= 7


CHROMIUM = Path("/usr/bin/chromium")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

#: Measured on a Quarto page in Chromium: where the "How to read" box, the title and the text column are, whether
#: the contents list is shown, and, for each item of the index's lists, how far below the link's top its bullet is
#: (a zero-width mark put first in the item sits on the line of the item's marker, the bullet).
MEASURE_FIRST_SCREEN = """() => {
  const box = (e) => e ? e.getBoundingClientRect().toJSON() : null;
  const toc = document.querySelector('#TOC');
  const bullets = [...document.querySelectorAll('nav.report-index li')].map((item) => {
    const link = item.querySelector('a');
    const mark = document.createElement('span');
    item.insertBefore(mark, item.firstChild);
    const below = mark.getBoundingClientRect().top - link.getBoundingClientRect().top;
    mark.remove();
    return {link: link.textContent.trim().slice(0, 40), lines: Math.round(link.getBoundingClientRect().height / 24),
            below: below};
  });
  const shown = (e) => !!e && e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden'
                        && getComputedStyle(e).opacity !== '0';
  return {box: box(document.querySelector('.how-to-read')), h1: box(document.querySelector('main h1')),
          main: box(document.querySelector('main')), asides: document.querySelectorAll('main aside').length,
          toc: toc ? shown(toc) && !document.querySelector('.quarto-sidebar-toggle') : null,
          headings: [...document.querySelectorAll('main h2')].filter((h) => h.getBoundingClientRect().top < 800)
                      .map((h) => h.textContent.trim()),
          bullets: bullets};
}"""


@pytest.fixture(scope="module")
def browser_pages(rendered, first_run):
    """Quarto's pages opened at 1280x800 in Chromium: the first screens (saved as tests/artifacts/quarto-*.png),
    measured, with the layout checks of the built-in pages and axe-core's WCAG 2.2 AA violations."""
    if not CHROMIUM.is_file():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium (make browser) to run the browser checks"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
    )
    from layout_checks import layout_problems

    assert rendered.result.returncode == 0
    pages = [rendered.quarto_dir / name for name in expected_pages(first_run)]
    pages += sorted((rendered.quarto_dir.parent / rendered.month).glob("*.html"))
    artifacts = REPO / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    measured = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            for path in pages:
                name = f"{path.parent.name}/{path.name}"
                page.goto(path.as_uri(), wait_until="load")
                page.wait_for_timeout(200)  # Quarto's script folds the contents away after the first layout
                page.screenshot(
                    path=str(artifacts / f"quarto-{path.parent.name}-{path.stem}-first-screen.png")
                )
                measured[name] = page.evaluate(MEASURE_FIRST_SCREEN)
                measured[name]["layout"] = layout_problems(page)
                if path.name == "index.html":  # the reports' titles wrap in a narrower window
                    page.set_viewport_size({"width": 700, "height": 800})
                    measured[name]["narrow"] = page.evaluate(MEASURE_FIRST_SCREEN)
                    page.set_viewport_size({"width": 1280, "height": 800})
                result = axe_module.Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
                measured[name]["axe"] = [
                    f"{v['id']}: {[node['target'] for node in v['nodes'][:3]]}"
                    for v in result.response["violations"]
                ]
        finally:
            browser.close()
    return measured


def test_quarto_first_screens_show_the_how_to_read_box_in_the_text_and_the_contents_beside(
    browser_pages, first_run
):
    """Issue 22, point 10: the exception and topic reports opened on a blank first screen, the "How to read" box in
    Quarto's margin (Quarto's style sheet puts every <aside> there) and the contents folded away beside it (Quarto's
    script folds them while an <aside> is on screen). The box is now in the text column, under the title, and the
    exception report's first screen reaches its exceptions; the contents are shown."""
    quarter = first_run.quarter
    for name, seen in browser_pages.items():
        if not name.startswith(f"{quarter}/") or name.endswith("index.html"):
            continue
        assert seen["asides"] == 0, name
        assert seen["box"], name
        assert abs(seen["box"]["left"] - seen["h1"]["left"]) < 2, (name, seen["box"], seen["h1"])
        assert seen["box"]["right"] <= seen["main"]["right"] + 1, name
        assert seen["toc"] is True, f"{name}: the contents are folded away"
    first_exception = next(name for name in browser_pages if name.startswith(f"{quarter}/exceptions-"))
    assert "Exceptions this quarter" in browser_pages[first_exception]["headings"]


def test_quarto_index_bullets_stand_beside_the_first_line_of_their_links(browser_pages, first_run):
    """Issue 22, point 10: a report's title wrapped over two lines had its bullet beside the second line (an inline
    block sits on its line by its last baseline), so each bullet seemed to belong to the next report."""
    index = browser_pages[f"{first_run.quarter}/index.html"]
    assert len(index["bullets"]) >= 11
    assert any(item["lines"] >= 2 for item in index["narrow"]["bullets"])  # at 700 px some titles wrap
    for item in index["bullets"] + index["narrow"]["bullets"]:
        assert item["below"] < 12, item  # on the link's first line (24 px each)


def test_quarto_months_pages_have_no_contents_list_and_the_whole_width(browser_pages, rendered):
    """A month's pages (dashboard, safeguarding board) as the built-in renderer lays them out: no contents list
    (their headings are raw HTML, so Quarto's listed the title alone) and the page's whole width."""
    months = {name: seen for name, seen in browser_pages.items() if name.startswith(f"{rendered.month}/")}
    assert len(months) == 2
    for name, seen in months.items():
        assert seen["toc"] is None, name
        assert seen["main"]["width"] > 1100, (name, seen["main"])


def test_quarto_pages_fit_1280_px_and_are_axe_clean(browser_pages):
    """Both renderers: no table column hidden at 1280 px, no text under 12 px (issue 22, point 9) and no
    axe-core WCAG 2.2 AA violation, on every page Quarto renders."""
    assert {
        name: seen["layout"] for name, seen in browser_pages.items() if any(seen["layout"].values())
    } == {}
    assert {name: seen["axe"] for name, seen in browser_pages.items() if seen["axe"]} == {}


def test_quarto_render_of_one_notebook_renders_just_that_file(rendered, first_run):
    """``quarto render <notebook>`` renders that file alone and does not run the pipeline (pre-render is guarded)."""
    assert rendered.result.returncode == 0
    notebook = sorted(rendered.quarto_dir.glob("exceptions-*.ipynb"))[0]
    others = {p: p.stat().st_mtime for p in rendered.quarto_dir.glob("*.html") if p.stem != notebook.stem}
    others |= {p: p.stat().st_mtime for p in rendered.quarter_dir.glob("*.html")}
    manifest = rendered.quarter_dir / "manifest.json"
    manifest_time = manifest.stat().st_mtime
    before = time.time()
    done = subprocess.run(
        ["quarto", "render", str(notebook.relative_to(rendered.root))],
        cwd=rendered.root,
        env=quarto_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    page = notebook.with_suffix(".html")
    assert page.stat().st_mtime > before
    assert 'lang="en-GB"' in page.read_text(encoding="utf-8")  # the project's settings applied
    assert {p: p.stat().st_mtime for p in others} == others
    assert manifest.stat().st_mtime == manifest_time, "the pipeline ran"
    assert git_status(rendered.root) == ""


def test_a_render_with_nothing_changed_renders_no_page_and_a_page_out_of_date_alone(
    rendered, first_run, tmp_path_factory: pytest.TempPathFactory
):
    """Issue 21: with nothing changed ``quarto render`` renders no page again, and with one page gone it renders
    that page alone; after each render the render list names every page again (for ``quarto render <file>``)."""
    assert rendered.result.returncode == 0
    root = tmp_path_factory.mktemp("quarto-again") / "checkout"
    shutil.copytree(rendered.root, root, symlinks=True)
    quarto_pages = root / "reports" / "quarto"
    whole = (root / QUARTO_RENDER_LIST).read_text(encoding="utf-8")
    files = len(expected_pages(first_run)) + 2  # and the month's two pages
    assert len(re.findall(r"^    - ", whole, re.MULTILINE)) == files
    before = snapshot(quarto_pages)

    def render_again() -> str:
        done = subprocess.run(
            ["quarto", "render"], cwd=root, env=quarto_env(), capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        assert (root / QUARTO_RENDER_LIST).read_text(encoding="utf-8") == whole
        assert not (root / WHOLE_RENDER_LIST).exists()
        return done.stdout + done.stderr

    output = render_again()
    assert f"Quarto will render 0 of the {files} files" in output, output[-3000:]
    assert snapshot(quarto_pages) == before
    page = quarto_pages / first_run.quarter / "quarterly-report.html"
    page.unlink()
    times = {path: path.stat().st_mtime_ns for path in quarto_pages.rglob("*.html")}
    output = render_again()
    assert f"Quarto will render 1 of the {files} files" in output, output[-3000:]
    assert {path: path.stat().st_mtime_ns for path in times} == times  # the others were left as they were
    assert (
        snapshot(quarto_pages) == before
    )  # and the page Quarto wrote again is the same, so its PDF was kept


def test_the_render_holds_the_lock_to_its_end_and_a_run_meanwhile_is_refused(
    rendered, first_run, tmp_path_factory: pytest.TempPathFactory
):
    """Issue 23 item 7: ``analysis run --force`` during ``quarto render`` is refused, naming the render; after
    the render (post-render) the lock is free and no stray folder is left in the published quarter."""
    from analysis.run.publication import LOCK_FILE

    root = tmp_path_factory.mktemp("quarto-lock") / "checkout"
    shutil.copytree(rendered.root, root, symlinks=True)
    (
        root / "reports" / "quarto" / RENDERED_PAGES_FILE
    ).unlink()  # every page to render again: the render lasts
    render = subprocess.Popen(
        ["quarto", "render"],
        cwd=root,
        env=quarto_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lock = root / LOCK_FILE
        deadline = time.monotonic() + 600
        while render.poll() is None and time.monotonic() < deadline:
            if lock.is_file() and "quarto render" in lock.read_text(encoding="utf-8"):
                break
            time.sleep(0.2)
        assert render.poll() is None, "the render ended before the pre-render handed its lock over"
        env = {k: v for k, v in quarto_env().items() if k != "QUARTO_PYTHON"} | {
            "ANALYSIS_PROJECT_ROOT": str(root)
        }
        done = subprocess.run(
            [sys.executable, "-m", "analysis.cli", "run", "--force", "--renderer", "builtin"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr[-2000:]
        assert "another run is in progress (quarto render, pid" in done.stderr
        output, _ = render.communicate(timeout=900)
    finally:
        if render.poll() is None:
            render.kill()
    assert render.returncode == 0, output[-3000:]
    assert "quarto render" not in (root / LOCK_FILE).read_text(encoding="utf-8")
    assert not list((root / "reports" / first_run.quarter).glob("*_files"))
    assert not list((root / "reports" / "quarto" / first_run.quarter).glob("*_files"))


def test_a_later_monthly_run_leaves_quarto_pages_as_they_are(rendered):
    """Issue 22, point 10: ``analysis run --month`` (built-in renderer) publishes reports/<YYYY-MM>/ and never
    touches reports/quarto/, where Quarto's pages of the same month and quarter stay. Runs last: it changes the
    checkout."""
    assert rendered.result.returncode == 0
    reports = rendered.root / "reports"
    quarto_before = snapshot(reports / "quarto")
    env = {k: v for k, v in quarto_env().items() if k != "QUARTO_PYTHON"} | {
        "ANALYSIS_PROJECT_ROOT": str(rendered.root)
    }
    done = subprocess.run(
        [sys.executable, "-m", "analysis.cli", "run", "--month", rendered.month, "--renderer", "builtin"],
        cwd=rendered.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    page = (reports / rendered.month / "dashboard.html").read_text(encoding="utf-8")
    assert (
        'name="generator" content="quarto-' not in page
    )  # the built-in renderer's page, in the pipeline's folder
    assert snapshot(reports / "quarto") == quarto_before
