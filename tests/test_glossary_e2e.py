"""Every page of the demo run in words a councillor knows (issue 22, point 7).

Each page of the built-in renderer, the quarter's (index, quarterly report, exception and topic reports) and each
month's (dashboard, safeguarding board, the dashboards' index): every acronym of ``config/glossary.yml`` spelt out
at its first appearance, no acronym the glossary does not know, and no snake_case identifier, ``config/`` or
``data/`` path, file name, model code or parameter dump in the text a reader reads. The checks
(:mod:`glossary_checks`) are shown to fail on a page planted with each fault.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from glossary_checks import page_problems, visible_text

from analysis.config import load_config
from analysis.config_glossary import GlossarySettings
from analysis.io import read_table
from analysis.paths import ProjectPaths
from analysis.run.pipeline import MonthlyResult, RunResult

pytestmark = pytest.mark.e2e


def _glossary(demo_project: ProjectPaths) -> GlossarySettings:
    return load_config(demo_project.config).glossary


def _quarter_pages(first_run: RunResult) -> list[Path]:
    folder = first_run.quarter_dir
    pages = [folder / "index.html", folder / "quarterly-report.html"]
    pages += sorted(folder.glob("exceptions-*.html")) + sorted(folder.glob("topic-*.html"))
    assert all(page.is_file() for page in pages), pages
    assert len(pages) >= 2 + 6 + 1
    return pages


def _month_pages(monthly_batch: MonthlyResult) -> list[Path]:
    pages = [monthly_batch.index]
    for folder in monthly_batch.folders:
        pages += [folder / "dashboard.html", folder / "safeguarding-board.html"]
    assert all(page.is_file() for page in pages), pages
    return pages


def test_the_demo_glossary_is_the_repositorys(demo_project: ProjectPaths, repo_root: Path) -> None:
    glossary = _glossary(demo_project)
    assert glossary == load_config(repo_root / "config").glossary
    for acronym in ("CADS", "MSCB", "PDR", "DfE", "CIN", "CAMHS"):
        assert acronym in glossary.acronyms
    assert "Framework i" in glossary.terms


def test_every_quarter_page_is_in_plain_words(first_run: RunResult, demo_project: ProjectPaths) -> None:
    glossary = _glossary(demo_project)
    problems = {
        page.name: found
        for page in _quarter_pages(first_run)
        if (found := page_problems(page.read_text(encoding="utf-8"), glossary))
    }
    assert not problems, problems


def test_every_monthly_page_is_in_plain_words(
    monthly_batch: MonthlyResult, demo_project: ProjectPaths
) -> None:
    glossary = _glossary(demo_project)
    problems = {
        f"{page.parent.name}/{page.name}": found
        for page in _month_pages(monthly_batch)
        if (found := page_problems(page.read_text(encoding="utf-8"), glossary))
    }
    assert not problems, problems


def test_the_words_named_in_the_issue_are_spelt_out_where_they_appear(
    first_run: RunResult, demo_project: ProjectPaths
) -> None:
    """CADS, MSCB, PDR and "Framework i" are spelt out on the quarterly report, once each."""
    glossary = _glossary(demo_project)
    text = visible_text((first_run.quarter_dir / "quarterly-report.html").read_text(encoding="utf-8"))
    for acronym in ("CADS", "MSCB", "PDR", "CAMHS", "DfE"):
        words = glossary.acronyms[acronym]
        spelt = {
            f"{words} ({acronym})",
            f"({words}, {acronym})",
            f"{words[0].upper()}{words[1:]} ({acronym})",
        }
        assert sum(text.count(s) for s in spelt) == 1, acronym
    assert text.count(f"Framework i ({glossary.terms['Framework i']})") == 1
    for jargon in ("process limit:", "provisional limits", "Parameters of this run", "naive", "backtest"):
        assert jargon not in text
    # "special cause" only where the method section defines it ("an unusual change (a special cause)")
    assert text.count("special cause") == text.count("unusual change (a special cause)") <= 1


def test_the_audit_trail_keeps_what_the_page_leaves_out(
    first_run: RunResult, demo_project: ProjectPaths
) -> None:
    """The settings, checksums and model codes are not on the page, but are in the manifest and the tables."""
    manifest = json.loads((first_run.quarter_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["jobs"] == 2
    assert manifest["inputs"] and all(len(entry["sha256"]) == 64 for entry in manifest["inputs"])
    backtest = read_table("forecast_backtest", demo_project.processed)
    assert backtest["candidate"].dropna().str.startswith("ETS(").any()
    text = visible_text((first_run.quarter_dir / "quarterly-report.html").read_text(encoding="utf-8"))
    assert "ETS(" not in text and "sha256" not in text.lower() and "jobs" not in text


# ------------------------------------------------------------------------------------ the checks can fail
PLANTED = """<!DOCTYPE html><html lang="en-GB"><head><title>CIN page</title></head><body>
<h1>Report</h1>
<p>Children on CP plans rose. Children in need (CIN) fell; CIN again.</p>
<p>The ETS(A,Ad,N) model (lowest AICc) was used, as set in config/dashboard.yml.</p>
<p>Parameters of this run: force = True, jobs = 2. The column latest_cin_plan_review_date is missing.</p>
<p>Ask the ZZQ team.</p>
<img alt="LADO chart" src="data:image/png;base64,AAAA">
</body></html>"""


def test_the_checks_find_each_planted_fault(repo_root: Path) -> None:
    glossary = load_config(repo_root / "config").glossary
    problems = page_problems(PLANTED, glossary)
    text = "\n".join(problems)
    assert "CP not spelt out" in text  # first use without its words
    assert "CIN not spelt out" not in text  # spelt out at its first use in the text (the title is not read)
    assert "LADO" not in text  # alt text is not the page's prose
    assert "ZZQ is in no list" in text
    assert "model code 'ETS('" in text and "model code 'AICc'" in text
    assert "path 'config/dashboard.yml'" in text and "file name 'dashboard.yml'" in text
    assert "parameter 'force = T" in text
    assert "identifier 'latest_cin_plan_review_date'" in text


def test_the_checks_pass_the_planted_page_once_mended(repo_root: Path) -> None:
    from analysis.products.glossary import spell_out_html

    glossary = load_config(repo_root / "config").glossary
    mended = spell_out_html(
        PLANTED.replace("<p>The ETS", "<!--").replace("is missing.</p>", "-->").replace("ZZQ", "front door"),
        glossary,
    )
    assert page_problems(mended, glossary) == []
    assert "Children on child protection (CP) plans rose" in visible_text(mended)
