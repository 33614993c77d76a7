"""Kernels prepared in advance: each runs one notebook with its imports done, and none is left running."""

from __future__ import annotations

import logging
from pathlib import Path

import nbformat
import pytest

from analysis.run.kernels import WarmKernels
from analysis.run.notebook_execution import execute_notebook


def _notebook(path: Path, *sources: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("value = 1")]
    notebook.cells[0].metadata["tags"] = ["parameters"]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def test_a_warm_kernel_runs_one_notebook_with_its_imports_done(tmp_path: Path) -> None:
    warm = WarmKernels(tmp_path)
    try:
        warm.prepare("one", "import fractions")
        kernel = warm.take("one")
        assert kernel is not None and kernel.is_alive()
        source = _notebook(
            tmp_path / "check.ipynb", "import sys\nassert 'fractions' in sys.modules\nassert value == 2"
        )
        execute_notebook(source, tmp_path / "out.ipynb", {"value": 2}, cwd=tmp_path, kernel=kernel)
        executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
        counts = [cell.execution_count for cell in executed.cells if cell.cell_type == "code"]
        assert counts == [1, 2, 3], "the silent warm-up must not show in the notebook's execution counts"
        assert not kernel.is_alive(), "a kernel runs one notebook only"
    finally:
        warm.close()


def test_close_shuts_down_kernels_never_taken(tmp_path: Path) -> None:
    warm = WarmKernels(tmp_path)
    warm.prepare("unused", "pass")
    kernel = warm._kernels["unused"].result(timeout=120)  # noqa: SLF001 - reach the manager to check on it
    assert kernel.is_alive()
    warm.close()
    assert not kernel.is_alive()


def test_a_kernel_that_fails_to_warm_up_is_replaced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    warm = WarmKernels(tmp_path)
    try:
        warm.prepare("broken", "raise ValueError('no such module')")
        with caplog.at_level(logging.WARNING):
            assert warm.take("broken") is None
        assert "did not start" in caplog.text
        assert warm.take("never prepared") is None
    finally:
        warm.close()
