"""The stage-1 notebook: thin, parameterised, saved without outputs, and it runs under papermill."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import RAW_SMALL

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "01_clean.ipynb"


def test_the_notebook_is_thin_and_saved_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    defaults = {}
    for node in ast.parse(code[0].source).body:
        assert isinstance(node, ast.Assign)
        defaults[node.targets[0].id] = ast.literal_eval(node.value)
    assert defaults == {  # relative to the project root (analysis.paths.in_project), wherever it runs
        "raw_dir": "data/raw",
        "processed_dir": "data/processed",
        "config_dir": "config",
        "key_file": ".pseudonym-key",
        "quarter": None,  # the latest tracker; a run for a named quarter passes its label (its snapshot)
    }
    for cell in code:
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
        tree = ast.parse(cell.source)
        assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef)) for n in ast.walk(tree))


def test_the_notebook_runs_under_papermill(tmp_path, monkeypatch):
    papermill = pytest.importorskip("papermill")
    monkeypatch.delenv("ANALYSIS_PSEUDONYM_KEY", raising=False)
    raw = tmp_path / "raw"
    shutil.copytree(RAW_SMALL, raw)
    processed = tmp_path / "processed"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "out.ipynb"),
        parameters={
            "raw_dir": str(raw),
            "processed_dir": str(processed),
            "config_dir": str(REPO / "config"),
            "key_file": str(tmp_path / "key"),
        },
        cwd=str(REPO / "notebooks"),
        progress_bar=False,
        kernel_name="python3",
    )
    assert (tmp_path / "key").stat().st_size == 32
    contacts = pd.read_parquet(processed / "contacts.parquet")
    assert len(contacts) == 3  # as worked out in test_cleaning_annex_a
    executed = (tmp_path / "out.ipynb").read_text(encoding="utf-8")
    assert "RAW1001" not in executed and "Extract date: 30 June 2015" in executed
