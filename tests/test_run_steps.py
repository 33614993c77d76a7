"""The steps of a quarter and of a month, declared once (analysis.run.steps): what each reads, and that a step's
fingerprint changes with the files of config/ it reads and with no other (issue 18)."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

from analysis.config import CONFIG_FILES, OPTIONAL_CONFIG_FILES
from analysis.paths import ProjectPaths
from analysis.products.dashboard_data import DASHBOARD_TABLES
from analysis.products.safeguarding_board import BOARD_TABLE
from analysis.run.fingerprints import config_digest
from analysis.run.monthly import month_fingerprint
from analysis.run.steps import (
    CLEAN,
    DASHBOARD,
    MONTH_STEPS,
    QUARTER_STEPS,
    SAFEGUARDING_BOARD,
    config_read_by,
    later_steps,
)
from analysis.schemas import SCHEMAS

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
#: Where a module reads config/dashboard.yml's settings.
_READS_DASHBOARD_YML = re.compile(r"\bconfig\.dashboard\b|\bboard_measure_ids\b")


def test_the_quarter_s_steps_run_in_order_and_prepare_the_later_kernels() -> None:
    assert [step.name for step in QUARTER_STEPS] == ["clean", "commentary", "validate", "analyse", "reports"]
    assert [step.name for step in later_steps(CLEAN)] == ["validate", "analyse", "reports"]
    for step in (*QUARTER_STEPS, *MONTH_STEPS):
        for source, _ in step.notebooks:
            assert (REPO / "notebooks" / source).is_file(), (step.name, source)
        assert set(step.reads) <= set(SCHEMAS), step.name
        assert set(step.writes) <= set(SCHEMAS), step.name


def test_every_table_a_step_reads_is_written_by_an_earlier_step() -> None:
    written: set[str] = set()
    for step in (*QUARTER_STEPS, *MONTH_STEPS):
        assert set(step.reads) <= written, (step.name, sorted(set(step.reads) - written))
        written |= set(step.writes)


def test_the_month_s_steps_read_the_tables_their_products_read() -> None:
    assert set(DASHBOARD.reads) == set(DASHBOARD_TABLES)
    assert SAFEGUARDING_BOARD.reads == (BOARD_TABLE,)


def test_every_file_the_loader_reads_is_declared_by_a_step() -> None:
    """A new file of config/ must be declared by the steps that read it, or no step would run again for it."""
    loaded = {*CONFIG_FILES.values(), *OPTIONAL_CONFIG_FILES.values()}
    assert set(config_read_by((*QUARTER_STEPS, *MONTH_STEPS))) == loaded
    assert "dashboard.yml" not in config_read_by(QUARTER_STEPS)
    assert "glossary.yml" not in config_read_by(QUARTER_STEPS[:-1])  # read by the reports and the months
    assert set(config_read_by(MONTH_STEPS)) == loaded


def _module_file(name: str) -> Path | None:
    base = SRC / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(tree: ast.AST) -> set[str]:
    """The ``analysis`` modules a module or cell imports (at its top or inside functions)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in names if name.startswith("analysis") and _module_file(name) is not None}


def _imported_by(roots: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        assert path is not None
        todo += _imports(ast.parse(path.read_text(encoding="utf-8")))
    return seen


def _notebook_imports(notebook: Path) -> set[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    return _imports(ast.parse(code))


def test_only_the_month_s_products_read_dashboard_yml() -> None:
    """The quarter's steps do not declare dashboard.yml: no code that they run reads it (but the loader, which
    only checks it before any step runs). A product of the quarter that came to read it would have to declare it."""
    readers = {
        ".".join(path.relative_to(SRC).with_suffix("").parts)
        for path in (SRC / "analysis").rglob("*.py")
        if _READS_DASHBOARD_YML.search(path.read_text(encoding="utf-8"))
    }
    loader = {"analysis.config", "analysis.config_measures"}
    assert readers - loader == {
        "analysis.products.dashboard",
        "analysis.products.dashboard_data",
        "analysis.products.safeguarding_board",
    }
    roots = {"analysis.stages.cleaning.commentary"}  # the commentary step runs in the runner's process
    for step in QUARTER_STEPS:
        for source, _ in step.notebooks:
            roots |= _notebook_imports(REPO / "notebooks" / source)
    assert not (_imported_by(roots) & (readers - loader))
    month_roots = {
        name for step in MONTH_STEPS for name in _notebook_imports(REPO / "notebooks" / step.notebook)
    }
    assert readers - loader <= _imported_by(month_roots)


def test_editing_dashboard_yml_changes_the_month_s_fingerprint_and_no_step_of_the_quarter_s(
    tmp_path: Path,
) -> None:
    paths = ProjectPaths.from_root(tmp_path, notebooks=REPO / "notebooks")
    shutil.copytree(REPO / "config", paths.config)
    quarter = {step.name: config_digest(paths.config, step.config) for step in QUARTER_STEPS}
    month = month_fingerprint(paths, "2015-06", "built-in")
    dashboard = paths.config / "dashboard.yml"
    dashboard.write_text(dashboard.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert {step.name: config_digest(paths.config, step.config) for step in QUARTER_STEPS} == quarter
    assert month_fingerprint(paths, "2015-06", "built-in") != month
    plan = paths.config / "plan.yml"
    plan.write_text(plan.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert all(config_digest(paths.config, step.config) != quarter[step.name] for step in QUARTER_STEPS)
