"""The report notebooks executed on the fixture tables, rendered by the built-in renderer; the Quarto project."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import report_fixtures as rf
import yaml

from analysis import render
from analysis.errors import NotebookFailed
from analysis.pipeline import execute_notebook

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
MAX_BYTES = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Execute the quarterly report and three exception reports on the fixture, render them with the built-in."""
    root = tmp_path_factory.mktemp("render")
    parameters = {k: str(v) for k, v in rf.write_project(root).items()} | {"quarter": rf.QUARTER}
    quarter_dir = root / "reports" / rf.QUARTER
    execute_notebook(
        NOTEBOOKS / "quarterly_report.ipynb",
        quarter_dir / "quarterly-report.ipynb",
        parameters,
        cwd=NOTEBOOKS,
    )
    for theme, stem in (
        (1, "1-quality-and-effectiveness"),
        (2, "2-workforce-and-capability"),
        (3, "3-performance-management"),
    ):
        execute_notebook(
            NOTEBOOKS / "exception_report.ipynb",
            quarter_dir / f"exceptions-{stem}.ipynb",
            parameters | {"theme": theme},
            cwd=NOTEBOOKS,
        )
    (quarter_dir / "01-clean.ipynb").write_text("{}", encoding="utf-8")
    used = render.render_reports(
        quarter_dir, renderer="builtin", authority_name="Medway", quarter_label=rf.QUARTER
    )
    assert used == "built-in"
    return quarter_dir


def page(folder: Path, name: str) -> str:
    return (folder / name).read_text(encoding="utf-8")


def test_source_notebooks_are_saved_clean():
    for path in NOTEBOOKS.glob("*_report.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        assert notebook.metadata.kernelspec.name == "python3"
        first = notebook.cells[0]
        assert first.cell_type == "code" and "parameters" in first.metadata.get("tags", [])
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name
                assert not re.search(r"^\s*(def|class) ", cell.source, re.MULTILINE), path.name


def test_quarterly_report_has_every_section_in_heading_order(rendered):
    html = page(rendered, "quarterly-report.html")
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), "a heading level is skipped"
    headings = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html)
    for expected in ("Summary", "Progress by theme", "Data quality", "Method and provenance"):
        assert expected in headings
    assert sum(h.startswith("Theme ") for h in headings) == 6
    assert "Synthetic demonstration data" in html
    assert "No commentary was provided for this theme this quarter." in html  # theme 2 has none
    assert "▲ Improvement" in html


def test_suppressed_value_never_shown(rendered):
    html = page(rendered, "quarterly-report.html")
    assert "c (Jun 2015)" in html
    assert "40.0%" not in html


def test_pages_are_self_contained_code_free_and_accessible(rendered):
    pages = sorted(rendered.glob("*.html"))
    assert {p.name for p in pages} >= {
        "index.html",
        "quarterly-report.html",
        "exceptions-2-workforce-and-capability.html",
    }
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert path.stat().st_size < MAX_BYTES
        assert '<html lang="en-GB">' in html
        assert re.search(r"<title>[^<]+</title>", html)
        assert not re.search(r"<script[^>]*\bsrc=", html, re.IGNORECASE)
        assert not re.search(r"<link[^>]*href=[\"']?https?:", html, re.IGNORECASE)
        assert "@import" not in html and "url(http" not in html
        assert "jp-InputArea" not in html and "In&nbsp;[" not in html and "jp-InputPrompt" not in html
        assert "Traceback" not in html and "import " not in html
        for img in re.findall(r"<img\b[^>]*>", html):
            assert re.search(r'\balt="[^"]+"', img), img[:120]
    report = page(rendered, "quarterly-report.html")
    assert '<th scope="col">' in report
    assert report.count("<img ") >= 4  # SPC and benchmark charts of two indicators, SPC of a third


def test_exception_reports(rendered):
    two = page(rendered, "exceptions-2-workforce-and-capability.html")
    assert "Social workers recruited in the month" in two
    assert "Since:</strong> December 2014" in two
    assert two.count("<img ") == 1
    three = page(rendered, "exceptions-3-performance-management.html")
    assert "no exceptions</strong>" in three
    assert "No commentary was provided for this theme this quarter." in three


def test_index_links_every_report_and_the_audit_trail(rendered):
    index = page(rendered, "index.html")
    for name in ("quarterly-report.html", "exceptions-1-quality-and-effectiveness.html", "01-clean.ipynb"):
        assert f'href="{name}"' in index
    assert "02-validate.ipynb" not in index  # only what exists
    assert "Medway children&#x27;s services reports: April to June 2015 (2015-16 Q1)" in index


def test_title_names_authority_and_quarter(rendered):
    html = page(rendered, "quarterly-report.html")
    title = re.search(r"<title>([^<]+)</title>", html).group(1)
    assert "Medway" in title and "April to June 2015" in title


def test_a_notebook_that_raises_fails_clearly(tmp_path):
    broken = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_code_cell("raise ValueError('no such theme: 9')"),
        ]
    )
    broken.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = tmp_path / "broken.ipynb"
    nbformat.write(broken, source)
    with pytest.raises(NotebookFailed, match="no such theme: 9"):
        execute_notebook(source, tmp_path / "out" / "quarterly-report.ipynb", {}, cwd=tmp_path)
    # papermill keeps the failed notebook; the renderer refuses it, naming the cell and the error
    with pytest.raises(NotebookFailed, match=r"cell 2: ValueError: no such theme: 9"):
        render.render_notebook_html(
            tmp_path / "out" / "quarterly-report.ipynb", tmp_path / "x.html", title="t"
        )
    assert not (tmp_path / "x.html").exists()


def test_renderer_choice(monkeypatch):
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    assert render.choose_renderer("auto") == "built-in"
    assert render.choose_renderer("builtin") == "built-in"
    with pytest.raises(NotebookFailed, match="quarto is not on PATH"):
        render.choose_renderer("quarto")
    with pytest.raises(ValueError, match="not one of"):
        render.choose_renderer("pdf")
    monkeypatch.setattr(render.shutil, "which", lambda name: "/usr/bin/quarto")
    assert render.choose_renderer("auto") == "quarto"


def test_quarto_command_does_not_execute_and_keeps_the_title_one_string():
    command = render.quarto_command(Path("q.ipynb"), title="Medway: report")
    assert command[:3] == ["quarto", "render", "q.ipynb"]
    assert "--no-execute" in command
    assert 'pagetitle:"Medway: report"' in command


def test_quarto_failure_raises_with_its_stderr(monkeypatch, rendered):
    def fake_run(command, **kwargs):
        return subprocess.CompletedProcess(command, 1, stdout="", stderr="ERROR: pandoc failed")

    monkeypatch.setattr(render.subprocess, "run", fake_run)
    with pytest.raises(NotebookFailed, match="pandoc failed"):
        render.render_with_quarto([rendered / "quarterly-report.ipynb"], project_dir=REPO)


def test_quarto_project_file_has_the_settings():
    config = yaml.safe_load((REPO / "_quarto.yml").read_text(encoding="utf-8"))
    project = config["project"]
    assert project["type"] == "default"
    assert "make --no-print-directory quarto-pre-render" in project["pre-render"]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^quarto-pre-render:.*\n\t.*analysis run .*--renderer none", makefile, re.MULTILINE)
    assert "QUARTO_PROJECT_RENDER_ALL" in project["pre-render"]
    assert project["render"] == [
        "reports/latest/quarterly-report.ipynb",
        "reports/latest/exceptions-*.ipynb",
        "reports/latest-month/*.ipynb",  # the latest month's dashboard and safeguarding board view
    ]
    assert config["execute"]["enabled"] is False
    assert config["execute"]["echo"] is False
    html = config["format"]["html"]
    assert html["toc"] is True
    assert html["embed-resources"] is True
    assert html["lang"] == "en-GB"
    assert (REPO / html["css"]).is_file()


@pytest.mark.skipif(
    shutil.which("quarto") is None, reason="quarto is not on PATH: install Quarto 1.5+ to run it"
)
def test_quarto_renders_the_executed_notebooks(rendered, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(rendered, project / "reports" / rf.QUARTER)
    shutil.copy(REPO / "_quarto.yml", project / "_quarto.yml")
    css = REPO / "src" / "analysis" / "templates" / "report" / "report.css"
    (project / css.relative_to(REPO)).parent.mkdir(parents=True)
    shutil.copy(css, project / css.relative_to(REPO))
    quarter_dir = project / "reports" / rf.QUARTER
    used = render.render_reports(
        quarter_dir, renderer="quarto", authority_name="Medway", quarter_label=rf.QUARTER
    )
    assert used == "quarto"
    html = (quarter_dir / "quarterly-report.html").read_text(encoding="utf-8")
    assert 'lang="en-GB"' in html
    assert "Progress by theme" in html
    assert not re.search(r"<script[^>]*\bsrc=[\"']?https?:", html)
    for img in re.findall(r"<img\b[^>]*>", html):
        assert re.search(r'\balt="[^"]+"', img)
