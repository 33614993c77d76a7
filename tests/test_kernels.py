"""Kernels prepared in advance and pooled: imports done ahead, nothing passed between notebooks, none left running."""

from __future__ import annotations

import logging
from pathlib import Path

import nbformat
import pytest

from analysis.errors import NotebookFailed
from analysis.run.kernels import KernelPool, WarmKernels, finish_shutting_down, shut_down
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
        assert kernel is not None and kernel.manager.is_alive()
        source = _notebook(
            tmp_path / "check.ipynb",
            "import sys\nassert 'fractions' in sys.modules\nassert value == 2",
            # the warm-up's objects are frozen out of the collector's sight (gc.freeze), the notebook's are not
            "import gc\nmade_here = []\ntracked = gc.get_objects()\n"
            "assert not any(o is sys.modules['fractions'].__dict__ for o in tracked)\n"
            "assert any(o is made_here for o in tracked)",
        )
        execute_notebook(source, tmp_path / "out.ipynb", {"value": 2}, cwd=tmp_path, kernel=kernel)
        executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
        counts = [cell.execution_count for cell in executed.cells if cell.cell_type == "code"]
        assert counts == [1, 2, 3, 4], "the silent warm-up must not show in the notebook's execution counts"
        assert kernel.manager.is_alive(), "a kernel passed in stays its caller's"
        shut_down(kernel)
    finally:
        warm.close()


def test_close_shuts_down_kernels_never_taken(tmp_path: Path) -> None:
    warm = WarmKernels(tmp_path)
    warm.prepare("unused", "pass")
    kernel = warm._kernels["unused"].result(timeout=120)  # noqa: SLF001 - reach the manager to check on it
    assert kernel.manager.is_alive()
    warm.close()
    assert not kernel.manager.is_alive()


def test_a_kernel_taken_is_not_prepared_again(tmp_path: Path) -> None:
    """The validation and the analysis each prepare the steps after them: once the analysis has taken its kernel,
    the validation's asking for one again must not start a second, left idle until the run ends."""
    warm = WarmKernels(tmp_path)
    try:
        warm.prepare("analyse", "pass")
        kernel = warm.take("analyse")
        assert kernel is not None
        shut_down(kernel)
        warm.prepare("analyse", "pass")
        assert "analyse" not in warm._kernels  # noqa: SLF001 - no kernel queued
        assert warm.take("analyse") is None
    finally:
        warm.close()


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


def _process_id(executed: Path) -> str:
    notebook = nbformat.read(executed, as_version=4)
    return "".join(output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", []))


def test_a_pooled_kernel_runs_notebooks_in_turn_with_nothing_passed_between_them(tmp_path: Path) -> None:
    source = _notebook(
        tmp_path / "check.ipynb",
        "import os, sys\nassert 'fractions' in sys.modules",
        "assert 'left_behind' not in globals(), 'a variable of the last notebook'\nleft_behind = value",
        "print(os.getpid(), end='')",
    )
    pool = KernelPool(tmp_path, "import fractions", size=1)
    try:
        for value in (1, 2, 3):
            with pool.lease() as kernel:
                execute_notebook(
                    source, tmp_path / f"out-{value}.ipynb", {"value": value}, cwd=tmp_path, kernel=kernel
                )
    finally:
        pool.close()
    assert not kernel.manager.is_alive(), "close shuts the idle kernels down"
    runs = [nbformat.read(tmp_path / f"out-{value}.ipynb", as_version=4) for value in (1, 2, 3)]
    for executed in runs:
        assert [cell.execution_count for cell in executed.cells if cell.cell_type == "code"] == [
            1,
            2,
            3,
            4,
            5,
        ]
    assert len({_process_id(tmp_path / f"out-{value}.ipynb") for value in (1, 2, 3)}) == 1, (
        "one kernel ran all three"
    )


def test_a_kernel_whose_notebook_failed_is_replaced(tmp_path: Path) -> None:
    failing = _notebook(tmp_path / "fails.ipynb", "raise ValueError('a bad cell')")
    fine = _notebook(tmp_path / "fine.ipynb", "import os\nprint(os.getpid(), end='')")
    pool = KernelPool(tmp_path, "pass", size=1)
    try:
        with pytest.raises(NotebookFailed, match="a bad cell"), pool.lease() as failed_kernel:
            execute_notebook(failing, tmp_path / "failed.ipynb", {}, cwd=tmp_path, kernel=failed_kernel)
        assert not failed_kernel.manager.is_alive()
        with pool.lease() as kernel:
            assert kernel is not failed_kernel and kernel.manager.is_alive()
            execute_notebook(fine, tmp_path / "fine-out.ipynb", {}, cwd=tmp_path, kernel=kernel)
    finally:
        pool.close()
    assert not kernel.manager.is_alive()


def test_the_pool_takes_kernels_prepared_in_advance(tmp_path: Path) -> None:
    warm = WarmKernels(tmp_path)
    warm.prepare("slot-0", "import fractions")
    prepared = warm._kernels["slot-0"].result(timeout=120)  # noqa: SLF001 - reach the manager to check on it
    pool = KernelPool(tmp_path, "pass", size=2, ready=lambda slot: warm.take(f"slot-{slot}"))
    try:
        with pool.lease() as first, pool.lease() as second:
            assert first is prepared, "slot 0 is the kernel prepared in advance"
            assert second is not prepared and second.manager.is_alive(), (
                "slot 1 had none: a kernel is started"
            )
    finally:
        pool.close()
        warm.close()
    assert not first.manager.is_alive() and not second.manager.is_alive()


def test_a_silent_run_in_a_kernel_that_died_says_so() -> None:
    """A silent run reads only the shell channel (no wait for IOPub): a dead kernel is an error naming the code,
    found by checking the kernel while waiting, not after the two-minute timeout."""
    import os
    import signal

    from analysis.run.kernels import run_silently, start_kernel

    kernel = start_kernel(Path.cwd(), "pass")
    try:
        run_silently(kernel, "answer = 42")
        os.kill(kernel.manager.provisioner.pid, signal.SIGKILL)
        with pytest.raises(RuntimeError, match="the kernel died before 'answer'"):
            run_silently(kernel, "answer")
    finally:
        shut_down(kernel)


def test_a_pool_told_how_many_notebooks_shuts_a_kernel_down_when_its_last_notebook_ends(
    tmp_path: Path,
) -> None:
    """Issue 21: with no notebook left to run, a kernel is not cleared and kept idle beside Chromium printing the
    last PDFs; it is shut down as soon as its notebook ends, before the pool is closed."""
    source = _notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid(), end='')")
    pool = KernelPool(tmp_path, "pass", size=2, notebooks=3)
    alive_after = []
    try:
        for number in range(3):
            with pool.lease() as kernel:
                execute_notebook(source, tmp_path / f"out-{number}.ipynb", {}, cwd=tmp_path, kernel=kernel)
            finish_shutting_down()  # a kernel is shut down on a thread of its own
            alive_after.append(kernel.manager.is_alive())
    finally:
        pool.close()
    assert alive_after == [True, True, False]
    assert len({_process_id(tmp_path / f"out-{number}.ipynb") for number in range(3)}) == 1, (
        "one kernel ran all"
    )


def test_a_pooled_kernel_runs_every_notebook_through_one_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21: a client made per notebook (nbclient's own) waits 0.2 s for silence on IOPub before the first cell;
    the kernel's one client, opened when it starts, runs the warm-up, every notebook and every clearing."""
    from jupyter_client.manager import KernelManager

    made = []
    original = KernelManager.client

    def counted(self: KernelManager, **kwargs: object) -> object:
        made.append(self)
        return original(self, **kwargs)

    monkeypatch.setattr(KernelManager, "client", counted)
    source = _notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid(), end='')")
    pool = KernelPool(tmp_path, "pass", size=1)
    try:
        for number in range(3):
            with pool.lease() as kernel:
                execute_notebook(source, tmp_path / f"out-{number}.ipynb", {}, cwd=tmp_path, kernel=kernel)
    finally:
        pool.close()
    assert len({_process_id(tmp_path / f"out-{number}.ipynb") for number in range(3)}) == 1
    assert len(made) == 1, "one client for the kernel's life"


def test_a_kernel_whose_clearing_fails_is_replaced_when_next_leased(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The clearing is sent as a notebook ends and answered when the kernel is next leased: one that failed never
    runs another notebook."""
    import analysis.run.kernels as kernels

    source = _notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid(), end='')")
    monkeypatch.setattr(kernels, "CLEAR_NAMESPACE", "raise ValueError('cannot clear')")
    pool = KernelPool(tmp_path, "pass", size=1)
    try:
        with pool.lease() as first:
            execute_notebook(source, tmp_path / "first.ipynb", {}, cwd=tmp_path, kernel=first)
        with caplog.at_level(logging.WARNING), pool.lease() as second:
            execute_notebook(source, tmp_path / "second.ipynb", {}, cwd=tmp_path, kernel=second)
    finally:
        pool.close()
    assert second is not first and not first.manager.is_alive()
    assert "cannot clear" in caplog.text
    assert _process_id(tmp_path / "first.ipynb") != _process_id(tmp_path / "second.ipynb")


def test_a_status_lost_before_iopub_connected_is_asked_for_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kernel just started publishes before the client's IOPub subscription is in place, and ZeroMQ drops those
    messages: when the warm-up's "idle" status does not come, kernel_info is asked until one's does, so the first
    notebook's outputs are not lost (and no 2 s wait on a status that will never come)."""
    import analysis.run.kernels as kernels

    real = kernels._idle_status_came  # noqa: SLF001 - the check whose miss is simulated
    seen: list[bool] = []

    def first_one_lost(client: object, request: str) -> bool:
        came = real(client, request) and bool(seen)  # the warm-up's status is treated as dropped
        seen.append(came)
        return came

    monkeypatch.setattr(kernels, "_idle_status_came", first_one_lost)
    kernel = kernels.start_kernel(tmp_path, "pass")
    try:
        assert seen[0] is False and seen[-1] is True, "kernel_info asked after the lost status until one came"
        source = _notebook(tmp_path / "say.ipynb", "print('first output', end='')")
        execute_notebook(source, tmp_path / "said.ipynb", {}, cwd=tmp_path, kernel=kernel)
        assert _process_id(tmp_path / "said.ipynb") == "first output"
    finally:
        shut_down(kernel)


def test_a_kernel_that_cannot_start_leaves_no_folder_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kernel started in a folder that is not there fails; its private IPC folder goes with it."""
    import tempfile

    from analysis.run.kernels import start_kernel

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(OSError):
        start_kernel(tmp_path / "no-such-folder", "pass")
    assert not list(tmp_path.glob("analysis-kernel-*"))
