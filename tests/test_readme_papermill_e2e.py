"""The README's papermill commands, run exactly as written from the root of a project holding the demo run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from analysis.paths import ProjectPaths
from analysis.products.executed_notebooks import notebook_error
from analysis.run.pipeline import RunResult

REPO = Path(__file__).resolve().parents[1]


def readme_papermill_commands() -> list[str]:
    """The README's ``.venv/bin/papermill`` command lines, as written."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\.venv/bin/papermill .+$", text, re.MULTILINE)


def test_the_readme_shows_a_stage_and_a_theme_report():
    commands = readme_papermill_commands()
    assert any("notebooks/03_analyse.ipynb" in c for c in commands)
    assert any("notebooks/exception_report.ipynb" in c and "-p theme " in c for c in commands)


def test_readme_papermill_commands_work_as_written(
    first_run: RunResult, demo_project: ProjectPaths, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(demo_project.root, root, symlinks=True)
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    (root / ".venv").symlink_to(REPO / ".venv")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSIS_")}
    commands = readme_papermill_commands()
    for command in commands:
        done = subprocess.run(
            ["bash", "-c", command], cwd=root, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"{command}\n{done.stderr[-3000:]}"
        output = root / command.split()[2]
        notebook = nbformat.read(output, as_version=4)
        assert notebook_error(notebook) is None
    report = nbformat.read(root / "reports" / "exceptions-1.ipynb", as_version=4)
    shown = "".join(
        "".join(output.get("data", {}).get("text/markdown", ""))
        for cell in report.cells
        for output in cell.get("outputs", [])
    )
    assert "exception report for theme 1 " in shown
    assert "Synthetic demonstration data" in shown


@pytest.mark.parametrize("folder", ["notebooks", "reports"])
def test_notebook_paths_are_relative_to_the_project_root(folder, tmp_path, monkeypatch):
    from analysis.paths import in_project

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "plan.yml").write_text("{}", encoding="utf-8")
    (tmp_path / folder).mkdir()
    monkeypatch.delenv("ANALYSIS_PROJECT_ROOT", raising=False)
    monkeypatch.chdir(tmp_path / folder)
    assert in_project("data/processed") == tmp_path.resolve() / "data" / "processed"
    assert in_project("/abs/config") == Path("/abs/config")
