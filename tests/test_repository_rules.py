"""The repository's own rules: what the pre-commit hooks refuse, and tests that never skip a broken import of ours."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _hook(hook_id: str) -> dict:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    return hooks[hook_id]


def _refused(hook: dict, path: str) -> bool:
    """Whether a ``language: fail`` hook refuses ``path`` (pre-commit matches ``files`` and ``exclude`` by search)."""
    return bool(re.search(hook["files"], path)) and not re.search(hook.get("exclude", "^$"), path)


def test_data_and_reports_are_refused_but_their_readmes_are_not() -> None:
    hook = _hook("no-data-or-reports")
    for path in ["data/raw/annex_a.xlsx", "data/processed/contacts.parquet", "reports/2015-16-Q1/index.html"]:
        assert _refused(hook, path), path
    for path in [
        "data/raw/README.md",
        "reports/README.md",
        "src/analysis/io.py",
        "tests/fixtures/raw_small/x.csv",
    ]:
        assert not _refused(hook, path), path


def test_key_files_are_refused() -> None:
    hook = _hook("no-key-files")
    for path in [".pseudonym-key", "config/.pseudonym-key.old", "secrets/authority.key"]:
        assert _refused(hook, path), path
    for path in ["src/analysis/inputs/pseudonymise.py", "config/keys.yml", "docs/keyboard.md"]:
        assert not _refused(hook, path), path


def test_notebook_outputs_are_found_and_the_committed_notebooks_have_none() -> None:
    pattern = re.compile(_hook("notebooks-without-outputs")["entry"], re.MULTILINE)
    executed = {
        "cells": [
            {"cell_type": "code", "execution_count": 3, "outputs": [{"output_type": "stream", "text": "x"}]}
        ]
    }
    assert pattern.search(json.dumps(executed, indent=1))
    for notebook in sorted((REPO / "notebooks").glob("*.ipynb")):
        assert not pattern.search(notebook.read_text(encoding="utf-8")), notebook.name


def test_no_test_skips_when_the_project_s_own_code_fails_to_import() -> None:
    """A broken import of our own code must fail a test, never skip it (developers' guide)."""
    own = re.compile(r"importorskip\(\s*[\"'](analysis|demo_data)\b")
    offenders = [p.name for p in (REPO / "tests").glob("*.py") if own.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def _imports_demo_data(source: str) -> bool:
    """Whether Python source imports the demo generator (``import demo_data...`` or ``from demo_data... import``)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == "demo_data" or name.startswith("demo_data.") for name in names):
            return True
    return False


def test_nothing_in_analysis_imports_the_demo_generator() -> None:
    """The pipeline never imports the generator, so nothing synthetic can reach a council's run (issue 18)."""
    assert _imports_demo_data("def f():\n    from demo_data.generate import generate_demo_data\n")
    assert _imports_demo_data("import demo_data.annex as annex\n")
    assert not _imports_demo_data("from analysis.inputs import annex_a  # demo_data.generate writes it\n")
    modules = sorted((REPO / "src" / "analysis").rglob("*.py"))
    assert modules
    offenders = [
        str(m.relative_to(REPO)) for m in modules if _imports_demo_data(m.read_text(encoding="utf-8"))
    ]
    assert offenders == []


#: The longest a module under src/ may be: a module that grows past it holds more than one thing (issue 18).
MAX_MODULE_LINES = 500
#: Modules allowed over the limit: none since the safeguarding board's rewrite (issue 18).
NOT_YET_SPLIT: tuple[str, ...] = ()


def _over_the_limit(sources: dict[str, str], limit: int = MAX_MODULE_LINES) -> list[str]:
    """``path: N lines`` for each source longer than ``limit`` lines."""
    counts = {path: len(text.splitlines()) for path, text in sources.items()}
    return [f"{path}: {n} lines" for path, n in sorted(counts.items()) if n > limit]


def _sources(folder: Path) -> dict[str, str]:
    """Every .py file under ``folder``, by its path from the repository's root."""
    return {
        p.relative_to(REPO).as_posix(): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.py"))
    }


def test_no_module_under_src_is_over_500_lines() -> None:
    """A module says what it holds in its name, and holds one thing: none is over 500 lines (issue 18)."""
    assert _over_the_limit({"src/a.py": "x = 1\n" * 501, "src/b.py": "x = 1\n" * 500}) == [
        "src/a.py: 501 lines"
    ]
    sources = _sources(REPO / "src")
    assert sources
    offenders = [o for o in _over_the_limit(sources) if o.split(":")[0] not in NOT_YET_SPLIT]
    assert offenders == []


#: Modules allowed to escape HTML themselves: none since the safeguarding board escapes through safe_text (issue 18).
NOT_YET_ON_SAFE_TEXT: tuple[str, ...] = ()


def _escapes_html_itself(source: str) -> bool:
    """Whether Python source calls ``html.escape`` (under any name) rather than :func:`analysis.safe_text.html_text`."""
    tree = ast.parse(source)
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.asname or alias.name for alias in node.names if alias.name == "html"}
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module == "html"
            and any(alias.name == "escape" for alias in node.names)
        ):
            return True
    calls = [node.func for node in ast.walk(tree) if isinstance(node, ast.Call)]
    return any(
        isinstance(func, ast.Attribute)
        and func.attr == "escape"
        and isinstance(func.value, ast.Name)
        and func.value.id in modules
        for func in calls
    )


def test_html_is_escaped_only_through_safe_text() -> None:
    """One escaping policy: every module under src/analysis escapes HTML through analysis.safe_text (issue 18)."""
    assert _escapes_html_itself("import html\n\ndef f(x):\n    return html.escape(x)\n")
    assert _escapes_html_itself("import html as h\nh.escape('<')\n")
    assert _escapes_html_itself("from html import escape\n")
    assert not _escapes_html_itself("import html\nhtml.unescape('&lt;')\n")
    assert not _escapes_html_itself("from analysis.safe_text import html_text\nhtml_text('<')\n")
    sources = _sources(REPO / "src" / "analysis")
    offenders = [
        path
        for path, text in sources.items()
        if path != "src/analysis/safe_text.py"
        and path not in NOT_YET_ON_SAFE_TEXT
        and _escapes_html_itself(text)
    ]
    assert offenders == []
