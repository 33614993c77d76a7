"""The report notebooks executed on the fixture tables, rendered by the built-in renderer; the Quarto project."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import report_fixtures as rf
import yaml

from analysis.errors import NotebookFailed
from analysis.methods.quarters import Quarter
from analysis.products import executed_notebooks, html_pages, index_pages
from analysis.run import pdf, quarto_project, render
from analysis.run.notebook_execution import execute_notebook

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


def test_a_page_is_the_same_whether_rendered_alone_after_others_or_beside_them(rendered, tmp_path):
    """The exporter is made once per process and shared by the report stage's threads (issue 21): nothing of one
    page may reach the next."""
    from concurrent.futures import ThreadPoolExecutor

    names = ["quarterly-report.ipynb", "exceptions-1-quality-and-effectiveness.ipynb"]
    for name in names:
        shutil.copy(rendered / name, tmp_path / name)

    def pages() -> dict[str, bytes]:
        return {name: (tmp_path / name).with_suffix(".html").read_bytes() for name in names}

    alone = {}
    for name in names:
        render._report_exporter.cache_clear()
        render.render_report_page(tmp_path / name, authority_name="Medway", quarter=Quarter.parse(rf.QUARTER))
        alone[name] = (tmp_path / name).with_suffix(".html").read_bytes()
    for name in names + names:
        render.render_report_page(tmp_path / name, authority_name="Medway", quarter=Quarter.parse(rf.QUARTER))
    assert pages() == alone
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(
            pool.map(
                lambda name: render.render_report_page(
                    tmp_path / name, authority_name="Medway", quarter=Quarter.parse(rf.QUARTER)
                ),
                names * 3,
            )
        )
    assert pages() == alone


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


def test_quarto_command_passes_the_projects_filters_and_no_contents_for_a_month():
    """``analysis run --renderer quarto`` renders files outside the render list, which get none of _quarto.yml's
    settings: the Lua filters are passed to Pandoc, and a month's page drops the contents list as in the project."""
    command = render.quarto_command(Path("exceptions-1-x.ipynb"), title=None)
    filters = [command[i + 1] for i, word in enumerate(command) if word == "--lua-filter"]
    assert filters == [str(path) for path in quarto_project.QUARTO_FILTERS]
    assert all(Path(path).is_file() for path in filters)
    assert "toc:true" in command
    dashboard = render.quarto_command(Path("reports/2015-06/dashboard.ipynb"), title=None)
    assert "toc:false" in dashboard and "toc:true" not in dashboard


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
    # The lock is held for the whole render: handed over while Quarto ($PPID) runs, released by the post-render.
    assert "RENDER_PID=$PPID" in project["pre-render"]
    assert "make --no-print-directory quarto-post-render" in project["post-render"]
    assert re.search(
        r"^quarto-post-render:.*\n\t.*-m analysis.run.quarto_project pdfs.*\n\t.*-m analysis.run.render_lock release",
        makefile,
        re.MULTILINE,
    )
    assert config["filters"] == [path.relative_to(REPO).as_posix() for path in quarto_project.QUARTO_FILTERS]
    assert config["format"]["html"]["toc-expand"] is True
    assert "render" not in project  # the pre-render writes it: reports/latest is a link Quarto's globs ignore
    assert config["metadata-files"] == [quarto_project.QUARTO_RENDER_LIST]
    assert config["execute"]["enabled"] is False
    assert config["execute"]["echo"] is False
    html = config["format"]["html"]
    assert html["toc"] is True
    assert html["embed-resources"] is True
    assert html["lang"] == "en-GB"
    assert html["html-math-method"] == "plain"  # no MathJax from a CDN
    assert (REPO / html["css"]).is_file()
    # the text column as wide as the built-in pages' at 1280 px: no empty left sidebar, a 1,000 px body
    assert html["grid"]["sidebar-width"] == "0px" and html["grid"]["body-width"] == "1000px"


@pytest.mark.parametrize(
    "markup",
    ["<table><tr><td>1</td></tr></table>", "<p>```code``` and `x`</p>\n<p>two lines</p>", ""],
)
def test_raw_html_block_round_trip(markup):
    block = html_pages.raw_html_markdown(markup)
    assert block.startswith("```") and "{=html}" in block.splitlines()[0]
    fence = block.splitlines()[0].removesuffix("{=html}")
    assert "`" * len(fence) not in markup  # the fence is longer than any run of backticks inside
    assert html_pages.raw_html(block) == markup
    assert html_pages.raw_html(block + "\n") == markup
    assert html_pages.raw_html("Some **Markdown**") is None
    assert html_pages.raw_html("```{=html}\n<p>a</p>\n```\n\nMore text") is None


def test_report_notebooks_show_nothing_as_text_html(rendered):
    """Quarto adds CDN scripts to a page made from a notebook with text/html outputs: the reports have none."""
    for notebook in executed_notebooks.report_notebooks(rendered):
        node = nbformat.read(notebook, as_version=4)
        for cell in node.cells:
            for output in cell.get("outputs", []):
                kinds = set(output.get("data", {}))
                assert not kinds & {"text/html", "application/javascript"}, (notebook.name, kinds)


def test_prepare_quarto_render_copies_the_quarter_and_its_months_to_quartos_folder(rendered, tmp_path):
    """Issue 22, point 10: Quarto renders copies in reports/quarto/, of the quarter asked for and its own months."""
    project = tmp_path / "project"
    reports = project / "reports"
    quarter_dir = reports / rf.QUARTER
    shutil.copytree(rendered, quarter_dir)
    (project / "_quarto.yml").write_text("project:\n  type: default\n", encoding="utf-8")
    (reports / "latest").symlink_to(rf.QUARTER)
    for month in ("2015-05", "2015-07"):  # a month of the quarter, and one after it
        (reports / month).mkdir()
        shutil.copy2(quarter_dir / "quarterly-report.ipynb", reports / month / "dashboard.ipynb")
    (reports / "latest-month").symlink_to("2015-07")
    (reports / "quarto" / rf.QUARTER).mkdir(parents=True)
    (reports / "quarto" / rf.QUARTER / "exceptions-9-gone.html").write_text("old", encoding="utf-8")
    before = sorted(p.name for p in quarter_dir.iterdir())
    written = quarto_project.prepare_quarto_render(
        reports / "latest", authority_name="Medway", quarter_label=rf.QUARTER
    )
    assert written == reports / "quarto-render.yml"
    listed = yaml.safe_load(written.read_text(encoding="utf-8"))["project"]["render"]
    assert listed == [
        f"reports/quarto/{rf.QUARTER}/index.qmd",
        f"reports/quarto/{rf.QUARTER}/quarterly-report.ipynb",
        f"reports/quarto/{rf.QUARTER}/exceptions-1-quality-and-effectiveness.ipynb",
        f"reports/quarto/{rf.QUARTER}/exceptions-2-workforce-and-capability.ipynb",
        f"reports/quarto/{rf.QUARTER}/exceptions-3-performance-management.ipynb",
        "reports/quarto/2015-05/dashboard.ipynb",
    ]
    for name in listed[1:]:
        assert (project / name).read_bytes() == (reports / name.removeprefix("reports/quarto/")).read_bytes()
    assert sorted(p.name for p in quarter_dir.iterdir()) == before  # the pipeline's folder is left alone
    assert not (reports / "quarto" / rf.QUARTER / "exceptions-9-gone.html").exists()
    assert not (reports / "quarto" / "2015-07").exists()
    # the month's pages as the built-in dashboards: the whole width, no contents list (Quarto directory metadata)
    assert yaml.safe_load((reports / "quarto" / "2015-05" / "_metadata.yml").read_text(encoding="utf-8")) == (
        quarto_project.MONTHLY_PAGE_OPTIONS
    )
    assert not (reports / "quarto" / rf.QUARTER / "_metadata.yml").exists()
    index = (reports / "quarto" / rf.QUARTER / "index.qmd").read_text(encoding="utf-8")
    front, body = index.split("---\n")[1:3]
    metadata = yaml.safe_load(front)
    # punctuation escaped, so that Pandoc's Markdown reader keeps the apostrophe straight, as in the reports
    assert metadata["title"] == r"Medway children\'s services reports\: April to June 2015 \(2015\-16 Q1\)"
    assert metadata["page-layout"] == "full" and metadata["toc"] is False
    assert 'href="quarterly-report.html"' in html_pages.raw_html(body.strip())


def _quarto_pages(project: Path, names: list[str]) -> list[Path]:
    """Sources in Quarto's folder of the project, each with the page Quarto would have written beside it."""
    sources = []
    for name in names:
        source = project / "reports" / "quarto" / name
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(f"source of {name}", encoding="utf-8")
        source.with_suffix(".html").write_text(f"<p>page of {name}</p>", encoding="utf-8")
        sources.append(source)
    return sources


def _rendered(project: Path, sources: list[Path]) -> list[str]:
    """What Quarto tells its post-render it wrote: the pages, relative to the project."""
    return [source.with_suffix(".html").relative_to(project).as_posix() for source in sources]


def test_quarto_pages_out_of_date_are_those_whose_page_source_or_settings_changed(tmp_path, monkeypatch):
    """Issue 21: a whole-project render renders only the pages out of date, as ``make`` would judge them."""
    monkeypatch.delenv("QUARTO_SHARE_PATH", raising=False)
    project = tmp_path
    (project / "_quarto.yml").write_text("project:\n  type: default\n", encoding="utf-8")
    index, report, dashboard = sources = _quarto_pages(
        project,
        [f"{rf.QUARTER}/index.qmd", f"{rf.QUARTER}/quarterly-report.ipynb", "2015-05/dashboard.ipynb"],
    )
    assert quarto_project.pages_out_of_date(project, sources) == sources  # never rendered by Quarto
    quarto_project.record_rendered_pages(project, _rendered(project, sources))
    assert quarto_project.pages_out_of_date(project, sources) == []
    report.write_text("executed again", encoding="utf-8")  # the source changed
    assert quarto_project.pages_out_of_date(project, sources) == [report]
    quarto_project.record_rendered_pages(project, _rendered(project, [report]))  # Quarto rendered it alone
    assert quarto_project.pages_out_of_date(project, sources) == []
    dashboard.with_suffix(".html").write_text("<p>edited by hand</p>", encoding="utf-8")  # the page changed
    index.with_suffix(".html").unlink()  # or is gone
    assert quarto_project.pages_out_of_date(project, sources) == [index, dashboard]
    quarto_project.record_rendered_pages(project, _rendered(project, sources[2:]))
    (dashboard.parent / quarto_project.DIRECTORY_METADATA).write_text("toc: false\n", encoding="utf-8")
    assert quarto_project.pages_out_of_date(project, sources) == [index, dashboard]  # its folder's settings
    index.with_suffix(".html").write_text("<p>page</p>", encoding="utf-8")
    quarto_project.record_rendered_pages(project, _rendered(project, sources))
    assert quarto_project.pages_out_of_date(project, sources) == []
    (project / "_quarto.yml").write_text("project:\n  type: default\nlang: fr\n", encoding="utf-8")
    assert quarto_project.pages_out_of_date(project, sources) == sources  # the project's settings changed
    quarto_project.record_rendered_pages(project, _rendered(project, sources))
    share = tmp_path / "share"
    share.mkdir()
    (share / "version").write_text("1.10.18", encoding="utf-8")
    monkeypatch.setenv("QUARTO_SHARE_PATH", str(share))
    assert quarto_project.pages_out_of_date(project, sources) == sources  # another Quarto
    record = project / "reports" / "quarto" / quarto_project.RENDERED_PAGES_FILE
    record.write_text("not JSON", encoding="utf-8")  # damaged: render them all
    assert quarto_project.pages_out_of_date(project, sources) == sources
    report.unlink()  # a source gone (a theme removed) leaves the record
    quarto_project.record_rendered_pages(project, _rendered(project, [index, dashboard]))
    assert sorted(json.loads(record.read_text(encoding="utf-8"))) == [
        "reports/quarto/2015-05/dashboard.ipynb",
        f"reports/quarto/{rf.QUARTER}/index.qmd",
    ]


def test_a_whole_project_render_lists_the_pages_out_of_date_and_the_whole_list_is_put_back(
    rendered, tmp_path, monkeypatch
):
    """In Quarto's pre-render (the lock held for Quarto) the render list names only the pages out of date, and the
    whole list is put back when the render ends; run by hand, the run writes the whole list."""
    from analysis.run import publication

    project = tmp_path / "project"
    reports = project / "reports"
    shutil.copytree(rendered, reports / rf.QUARTER)
    (project / "_quarto.yml").write_text("project:\n  type: default\n", encoding="utf-8")

    def listed() -> list[str]:
        return yaml.safe_load((reports / "quarto-render.yml").read_text(encoding="utf-8"))["project"][
            "render"
        ]

    def prepare() -> None:
        quarto_project.prepare_quarto_render(
            reports / rf.QUARTER, authority_name="Medway", quarter_label=rf.QUARTER
        )

    prepare()  # by hand: no render to put anything back after
    whole = listed()
    assert len(whole) == 5 and not (project / quarto_project.WHOLE_RENDER_LIST).exists()
    monkeypatch.setenv("ANALYSIS_HOLD_LOCK_WHILE", str(os.getpid()))  # as make quarto-pre-render sets it
    monkeypatch.setattr(publication, "_put_back_when_render_ends", {})
    prepare()
    assert listed() == whole  # no page yet
    for name in whole:  # Quarto renders them, and its post-render records them
        (project / name).with_suffix(".html").write_text(f"<p>{name}</p>", encoding="utf-8")
    quarto_project.record_rendered_pages(project, [str(Path(name).with_suffix(".html")) for name in whole])
    publication.put_back_files(publication._put_back_when_render_ends)  # the render ended
    prepare()
    assert listed() == []  # nothing changed: Quarto renders nothing
    (project / whole[1]).with_suffix(".html").unlink()
    prepare()
    assert listed() == [whole[1]]
    saved = yaml.safe_load((project / quarto_project.WHOLE_RENDER_LIST).read_text(encoding="utf-8"))
    assert saved["project"]["render"] == whole
    publication.put_back_files(publication._put_back_when_render_ends)  # the render ended
    assert listed() == whole
    assert not (project / quarto_project.WHOLE_RENDER_LIST).exists()


def test_prepare_quarto_render_outside_a_quarto_project_writes_nothing(rendered, tmp_path):
    quarter_dir = tmp_path / "alone" / rf.QUARTER
    shutil.copytree(rendered, quarter_dir)
    assert (
        quarto_project.prepare_quarto_render(quarter_dir, authority_name="Medway", quarter_label=rf.QUARTER)
        is None
    )
    assert not (quarter_dir / "index.qmd").exists()
    assert not (quarter_dir.parent / "quarto").exists()


#: A report as Quarto hands it to Pandoc: one div per notebook cell, the exceptions and the commentary in one cell.
CELLS = """
::: {.cell}
# Exception report

```{=html}
<aside class="how-to-read" aria-label="How to read this report"><p>How to read this report</p></aside>
```
:::

::: {.cell}
## Exceptions this quarter

Two items.

### First exception

### Second exception

## Commentary on the theme
:::

::: {.cell}
Not a heading.
:::

::: {.cell}
## Method and provenance

### This run
:::
"""


def pandoc_contents(tmp_path: Path, filters: list[Path]) -> tuple[list[tuple[int, str]], str]:
    """The contents Pandoc (Quarto's) makes of :data:`CELLS` through ``filters``: (depth, target), and the body."""
    template = tmp_path / "template.html"
    template.write_text("$toc$\n<!-- body -->\n$body$\n", encoding="utf-8")
    command = ["quarto", "pandoc", "--from", "markdown", "--to", "html", "--toc", "--toc-depth", "3"]
    command += ["--standalone", "--template", str(template), "--metadata", "pagetitle:x"]
    for lua in filters:
        command += ["--lua-filter", str(lua)]
    done = subprocess.run(command, input=CELLS, capture_output=True, text=True, check=True)
    toc, body = done.stdout.split("<!-- body -->")
    depth, found = 0, []
    for tag in re.finditer(r'<(/?)ul>|<a href="#([^"]+)"', toc):
        if tag.group(2):
            found.append((depth, tag.group(2)))
        else:
            depth += -1 if tag.group(1) else 1
    return found, body


@pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto is not on PATH: install Quarto 1.5+")
def test_quarto_filters_list_every_heading_and_keep_the_box_in_the_text(tmp_path):
    """Issue 22, point 10, the diagnosis: Pandoc lists the headings of a div only when the div starts with a heading
    and holds no other of its level, so a cell with two level-2 headings lost them all from Quarto's contents.
    contents.lua unwraps such cells; aside.lua gives the box the landmark role of <aside> without Quarto's margin."""
    contents, aside = quarto_project.QUARTO_FILTERS[1:]
    unfiltered, _ = pandoc_contents(tmp_path, [])
    assert [target for _, target in unfiltered] == ["exception-report", "method-and-provenance", "this-run"]
    listed, body = pandoc_contents(tmp_path, [contents, aside])
    assert listed == [
        (1, "exception-report"),
        (1, "exceptions-this-quarter"),
        (2, "first-exception"),
        (2, "second-exception"),
        (1, "commentary-on-the-theme"),
        (1, "method-and-provenance"),
        (2, "this-run"),
    ]  # as the built-in contents (which leave out the title), each exception under its section
    assert "<aside" not in body and "</aside" not in body
    assert '<div role="complementary" class="how-to-read" aria-label="How to read this report">' in body
    assert body.count('class="cell"') == 2  # the title's cell and the one without a heading keep their div


@pytest.mark.skipif(
    shutil.which("quarto") is None, reason="quarto is not on PATH: install Quarto 1.5+ to run it"
)
def test_quarto_renders_the_executed_notebooks(rendered, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(rendered, project / "reports" / rf.QUARTER)
    shutil.copy(REPO / "_quarto.yml", project / "_quarto.yml")
    css = REPO / "src" / "analysis" / "products" / "templates" / "report" / "report.css"
    shutil.copytree(css.parent, project / css.parent.relative_to(REPO))  # the style sheet and pagetitle.lua
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
    # the project's filters applied: the exceptions in the contents, the "How to read" box not in the margin
    exceptions = (quarter_dir / "exceptions-1-quality-and-effectiveness.html").read_text(encoding="utf-8")
    toc = re.search(r'<nav id="TOC".*?</nav>', exceptions, re.DOTALL)
    assert toc and 'href="#exceptions-this-quarter"' in toc.group(0)
    assert 'href="#commentary-on-the-theme"' in toc.group(0)
    assert "<aside" not in exceptions.split("<main", 1)[1] and 'class="how-to-read"' in exceptions


def test_heading_ids_follow_pandoc():
    seen: dict[str, int] = {}
    assert render.heading_id("Theme 1 Quality and Effectiveness of practice", seen) == (
        "theme-1-quality-and-effectiveness-of-practice"
    )
    assert render.heading_id("Commentary", seen) == "commentary"
    assert render.heading_id("Commentary", seen) == "commentary-1"
    assert render.heading_id("2015: what's new?", seen) == "whats-new"
    assert render.heading_id("42", seen) == "section"


def test_built_in_page_has_a_contents_list_after_the_report(rendered):
    html = page(rendered, "quarterly-report.html")
    nav = re.search(r'<nav[^>]*\bclass="report-toc"[^>]*>(.*?)</nav>', html, re.DOTALL)
    assert nav and html.index("</main>") < nav.start()
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', nav.group(1))
    assert ("summary", "Summary") in links
    assert (
        "theme-1-quality-and-effectiveness-of-practice",
        "Theme 1 Quality and Effectiveness of practice",
    ) in links
    for identifier, _ in links:
        assert f'id="{identifier}"' in html


def test_index_shows_the_banner_each_themes_status_and_the_audit_trail(tmp_path, rendered):
    statuses = [
        ("1 Quality", "Needs attention: 2 exceptions", "status status-attention"),
        ("2 Workforce", "No exceptions", "status status-ok"),
    ]
    index = index_pages.index_html(
        rendered,
        authority_name="Medway",
        quarter=Quarter.parse(rf.QUARTER),
        banner='<p class="demo-banner">Synthetic demonstration data</p>',
        statuses=statuses,
    )
    assert index.index("demo-banner") < index.index("How each theme is doing") < index.index("Audit trail")
    assert '<td class="status status-attention">Needs attention: 2 exceptions</td>' in index
    assert '<a href="exceptions-2-workforce-and-capability.html">Theme 2 exception report</a>' in index
    audit = index.split("Audit trail")[1]
    assert 'href="quarterly-report.ipynb"' in audit and 'href="01-clean.ipynb"' in audit
    assert 'href="quarterly-report.ipynb"' not in index.split("Audit trail")[0]


def test_the_index_links_the_quarters_monthly_dashboards(tmp_path):
    """Issue 22, point 8: the quarter's index links each of its months' dashboards that are published beside it."""
    quarter_dir = tmp_path / "2015-16-Q1"
    quarter_dir.mkdir()
    (tmp_path / "2015-05").mkdir()
    (tmp_path / "2015-05" / "dashboard.html").write_text("<p>May</p>", encoding="utf-8")
    (tmp_path / "2015-05" / "safeguarding-board.html").write_text("<p>May</p>", encoding="utf-8")
    (tmp_path / "2015-07").mkdir()  # the next quarter's month: not this index's
    (tmp_path / "2015-07" / "dashboard.html").write_text("<p>July</p>", encoding="utf-8")
    index = index_pages.index_html(quarter_dir, authority_name="Medway", quarter=Quarter.parse("2015-16-Q1"))
    months = index.split("<h2>Monthly dashboards</h2>")[1].split("</ul>")[0]
    assert '<a href="../2015-05/dashboard.html">Improvement Board dashboard, May 2015</a>' in months
    assert '<a href="../2015-05/safeguarding-board.html">Safeguarding board dataset, May 2015</a>' in months
    assert "2015-04" not in months and "2015-07" not in months


def test_no_chromium_means_no_pdf_and_a_notice(monkeypatch, tmp_path, caplog):
    monkeypatch.delenv("ANALYSIS_CHROMIUM", raising=False)
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    page_path = tmp_path / "r.html"
    page_path.write_text("<p>x</p>", encoding="utf-8")
    with caplog.at_level("INFO", logger="analysis.run.pdf"):
        assert pdf.write_pdfs([page_path]) == []
    assert "No Chromium found" in caplog.text
    assert not (tmp_path / "r.pdf").exists()


def test_a_failed_print_leaves_no_pdf(monkeypatch, tmp_path, caplog):
    page_path = tmp_path / "r.html"
    page_path.write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "r.pdf").write_bytes(b"old")
    monkeypatch.setenv("ANALYSIS_CHROMIUM", "/bin/false")
    assert pdf.write_pdfs([page_path]) == []
    assert not (tmp_path / "r.pdf").exists(), "an old PDF would no longer match its page"
    assert "No PDF for r.html" in caplog.text


def test_every_page_the_project_writes_has_the_reports_content_security_policy(tmp_path, rendered):
    """Issue 18: the quarter's index and the dashboards' index carry the policy the report template carries."""
    from analysis.run.monthly import dashboards_index_html

    template = (html_pages.TEMPLATES_DIR / html_pages.REPORT_TEMPLATE / "index.html.j2").read_text(
        encoding="utf-8"
    )
    meta = f'<meta http-equiv="Content-Security-Policy" content="{html_pages.CONTENT_SECURITY_POLICY}">'
    assert meta in template
    quarter_index = index_pages.index_html(
        rendered, authority_name="Medway", quarter=Quarter.parse(rf.QUARTER)
    )
    (tmp_path / "2015-06").mkdir()
    (tmp_path / "2015-06" / "dashboard.html").write_text("<p>dashboard</p>", encoding="utf-8")
    dashboards_index = dashboards_index_html(tmp_path, authority_name="Medway")
    for page in (quarter_index, dashboards_index):
        head = page.split("</head>")[0]
        assert meta in head and head.index(meta) < head.index("<title>")
    assert 'href="2015-06/dashboard.html"' in dashboards_index


def _small_pages(folder: Path, *names: str) -> list[Path]:
    """One small page per name (``<name>.html``, saying "The <name> page"), to print."""
    pages = []
    for name in names:
        page_path = folder / f"{name}.html"
        page_path.write_text(f"<title>{name}</title><p>The {name} page</p>", encoding="utf-8")
        pages.append(page_path)
    return pages


def test_the_printer_prints_each_page_handed_over_and_close_waits_for_the_last(tmp_path):
    if pdf.find_chromium() is None:
        pytest.skip("Chromium is not installed: no PDF is printed")
    from pypdf import PdfReader

    pages = _small_pages(tmp_path, "first", "second", "third")
    pages[1].unlink()  # the second cannot be loaded: the pages either side of it are still printed
    (tmp_path / "second.pdf").write_bytes(b"old")
    printer = pdf.PdfPrinter()
    for page_path in pages:
        printer.print(page_path)
    written = printer.close()
    assert written == [tmp_path / "first.pdf", tmp_path / "third.pdf"]
    assert not (tmp_path / "second.pdf").exists()
    # one tab prints every page in turn (issue 21): each PDF is its own page, not the one loaded before it
    for path, name in zip(written, ("first", "third"), strict=True):
        assert PdfReader(path).pages[0].extract_text().strip() == f"The {name} page"


def _descendants_named(name: str) -> list[int]:
    """The test process's descendants whose program is ``name`` (read from /proc)."""
    parents: dict[int, int] = {}
    programs: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[stat.rfind(")") + 2 :].split()[1])
            programs[int(entry.name)] = stat[stat.find("(") + 1 : stat.rfind(")")]
    family = {os.getpid()}
    for _ in range(len(parents)):  # each pass adds the next generation
        grown = {pid for pid, parent in parents.items() if parent in family} | family
        if grown == family:
            break
        family = grown
    return [pid for pid in family if programs.get(pid) == name]


def test_a_browser_that_dies_is_started_afresh_for_the_pages_after_it(tmp_path):
    """Chromium runs as one process (--single-process): if it dies, the pages after it are printed by a new one."""
    chromium = pdf.find_chromium()
    if chromium is None or not Path("/proc").is_dir():
        pytest.skip("Chromium (and /proc) needed")
    from pypdf import PdfReader

    pages = _small_pages(tmp_path, "first", "second", "third")
    killed = []

    def handed_over():
        yield pages[0]
        # /usr/bin/chromium is a script that runs /usr/lib/chromium/chromium; Google's runs "chrome"
        for name in {Path(chromium).name, "chromium", "chrome"}:
            for pid in _descendants_named(name):
                os.kill(pid, 9)
                killed.append(pid)
        yield from pages[1:]

    written = pdf.print_pdfs_in_one_browser(handed_over(), chromium=chromium)
    assert killed, "the browser's process was not found"
    assert written == [tmp_path / f"{name}.pdf" for name in ("first", "second", "third")]
    for path, name in zip(written, ("first", "second", "third"), strict=True):
        assert PdfReader(path).pages[0].extract_text().strip() == f"The {name} page"


def test_the_printer_without_chromium_prints_nothing_and_says_so(monkeypatch, tmp_path, caplog):
    monkeypatch.delenv("ANALYSIS_CHROMIUM", raising=False)
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    page_path = tmp_path / "r.html"
    page_path.write_text("<p>x</p>", encoding="utf-8")
    with caplog.at_level("INFO", logger="analysis.run.pdf"):
        printer = pdf.PdfPrinter()
        printer.print(page_path)
        assert printer.close() == []
    assert "No Chromium found" in caplog.text
    assert not (tmp_path / "r.pdf").exists()


def test_quarto_post_render_keeps_a_pdf_whose_page_is_unchanged_and_prints_a_changed_one(tmp_path, caplog):
    """Quarto writes every page again on each render: the PDFs of the unchanged pages are kept, not printed again."""
    if pdf.find_chromium() is None:
        pytest.skip("Chromium is not installed: no PDF is printed")
    pages = _small_pages(tmp_path, "same", "edited", "deleted-pdf")
    assert pdf.write_pdfs(pages, keep_unchanged=True) == [page.with_suffix(".pdf") for page in pages]
    printed = {page: page.with_suffix(".pdf").read_bytes() for page in pages}
    for page in pages:  # marked, to tell a kept PDF from one printed again
        page.with_suffix(".pdf").write_bytes(printed[page] + b"% kept\n")
    pages[1].write_text("<title>edited</title><p>The page, edited</p>", encoding="utf-8")
    pages[2].with_suffix(".pdf").unlink()
    with caplog.at_level("INFO", logger="analysis.run.pdf"):
        written = pdf.write_pdfs(pages, keep_unchanged=True)
    assert written == [pages[1].with_suffix(".pdf"), pages[2].with_suffix(".pdf")]
    assert pages[0].with_suffix(".pdf").read_bytes().endswith(b"% kept\n")
    assert not pages[1].with_suffix(".pdf").read_bytes().endswith(b"% kept\n")
    assert "Kept 1 of 3 PDFs" in caplog.text
    (tmp_path / pdf.PRINTED_PAGES_FILE).write_text("not JSON", encoding="utf-8")  # damaged: print them all
    assert len(pdf.write_pdfs(pages, keep_unchanged=True)) == 3
    record = json.loads((tmp_path / pdf.PRINTED_PAGES_FILE).read_text(encoding="utf-8"))
    assert sorted(record) == ["deleted-pdf.html", "edited.html", "same.html"]
    # Quarto rendered one page alone (the others were up to date): the others keep their entries while they last
    assert pdf.write_pdfs([pages[0]], keep_unchanged=True) == []
    pages[2].with_suffix(".pdf").unlink()
    assert pdf.write_pdfs([pages[1]], keep_unchanged=True) == []
    assert json.loads((tmp_path / pdf.PRINTED_PAGES_FILE).read_text(encoding="utf-8")) == {
        name: digest for name, digest in record.items() if name != "deleted-pdf.html"
    }
