"""`quarto render` as the analyst runs it: a git checkout holding the session's demo run, rendered by real Quarto.

One checkout per session (the repository's tracked files, ``.venv`` linked, the session's demo data, processed
tables and reports copied in), one ``quarto render`` of the whole project, then one of a single notebook. The
Quarto HTML is compared with the built-in renderer's HTML of the same run.
"""

from __future__ import annotations

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
    quarter_dir: Path
    started: float
    result: subprocess.CompletedProcess[str]
    notebook_times: dict[str, float]


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
    quarter_dir = root / "reports" / first_run.quarter
    notebook_times = {p.name: p.stat().st_mtime for p in quarter_dir.glob("*.ipynb")}
    started = time.time()
    result = subprocess.run(
        ["quarto", "render"], cwd=root, env=quarto_env(), capture_output=True, text=True, timeout=900
    )
    return Rendered(root, quarter_dir, started, result, notebook_times)


def expected_pages(first_run: RunResult) -> list[str]:
    return ["index.html", "quarterly-report.html"] + sorted(
        p.with_suffix(".html").name for p in first_run.quarter_dir.glob("exceptions-*.ipynb")
    )


def test_quarto_render_renders_every_report_of_the_quarter_offline(rendered, first_run):
    output = rendered.result.stdout + rendered.result.stderr
    assert rendered.result.returncode == 0, output[-3000:]
    assert "Could not fetch" not in output
    pages = expected_pages(first_run)
    assert len(pages) == 8
    for name in pages:
        path = rendered.quarter_dir / name
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
        f"reports/{first_run.quarter}/{stem}.{'qmd' if stem == 'index' else 'ipynb'}" for stem in stems
    )


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
        quarto, builtin = content(rendered.quarter_dir / name), content(first_run.quarter_dir / name)
        assert builtin.headings and quarto.headings == builtin.headings, name
        assert builtin.tables and quarto.tables == builtin.tables, name
        assert quarto.figures == builtin.figures, name
        assert all(alt for alt, _ in quarto.figures), name
        assert quarto.words == builtin.words, name
        page = (rendered.quarter_dir / name).read_text(encoding="utf-8")
        assert "Synthetic demonstration data" in page
        assert any(row and row[0] == "Pipeline version" for table in quarto.tables for row in table) or any(
            "provenance" in text.lower() for _, text in quarto.headings
        ), name
    quarto, builtin = (
        content(rendered.quarter_dir / "index.html"),
        content(first_run.quarter_dir / "index.html"),
    )
    assert quarto.links == builtin.links and len(builtin.links) >= 7


def test_quarto_render_of_one_notebook_renders_just_that_file(rendered, first_run):
    """``quarto render <notebook>`` renders that file alone and does not run the pipeline (pre-render is guarded)."""
    assert rendered.result.returncode == 0
    notebook = sorted(rendered.quarter_dir.glob("exceptions-*.ipynb"))[0]
    others = {p: p.stat().st_mtime for p in rendered.quarter_dir.glob("*.html") if p.stem != notebook.stem}
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


def test_the_render_holds_the_lock_to_its_end_and_a_run_meanwhile_is_refused(
    rendered, first_run, tmp_path_factory: pytest.TempPathFactory
):
    """Issue 23 item 7: ``analysis run --force`` during ``quarto render`` is refused, naming the render; after
    the render (post-render) the lock is free and no stray folder is left in the published quarter."""
    from analysis.run.publication import LOCK_FILE

    root = tmp_path_factory.mktemp("quarto-lock") / "checkout"
    shutil.copytree(rendered.root, root, symlinks=True)
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
