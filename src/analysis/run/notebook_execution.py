"""Execute one parameterised notebook with papermill; an error in a cell becomes an error the analyst can read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.errors import AnalysisError, DataCheckFailed, NotebookFailed, StorageError
from analysis.run.kernels import KERNEL_ARGUMENTS, new_kernel_manager, shut_down

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager

#: Errors raised inside a notebook that are the analyst's to fix (exit code 2), by exception class name.
_ANALYST_ERRORS: dict[str, type[AnalysisError]] = {
    "DataCheckFailed": DataCheckFailed,
    "InputDataError": AnalysisError,
    "ConfigError": AnalysisError,
    "StorageError": StorageError,
}


#: What a storage failure inside a notebook's kernel says (``OSError`` text): reported as a StorageError.
_STORAGE_MESSAGES = ("No space left on device", "Read-only file system", "Permission denied", "Disk quota")


def execute_notebook(
    notebook: Path,
    output: Path,
    parameters: dict[str, Any],
    *,
    cwd: Path,
    kernel: KernelManager | None = None,
) -> None:
    """Execute a notebook with papermill; an error in a cell becomes an :class:`AnalysisError` with its message.

    Papermill saves the failed notebook (with the error in it) before raising, so the analyst can open it.
    Only JSON-native parameter values are passed (strings, numbers, booleans, lists). ``kernel``, a running kernel
    (:mod:`analysis.run.kernels`), stays the caller's: it is not shut down here. Without one, a kernel is started
    for this notebook and shut down after it.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    # A kernel prepared in advance is already running; otherwise papermill starts ours (IPC, not TCP ports).
    owned = kernel is None
    if kernel is None:
        kernel = new_kernel_manager()
    engine_options: dict[str, Any] = {"km": kernel, "extra_arguments": KERNEL_ARGUMENTS}
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            cwd=str(cwd),
            # Written once, when it ends (or fails, with the error in it), not again after every cell: each write
            # serialises and validates the whole notebook so far, 0.1 s of the quarterly report's 1.2 s (issue 21).
            request_save_on_cell_execute=False,
            **engine_options,
        )
    except PapermillExecutionError as error:
        message = str(error.evalue).strip()
        analyst_error = _ANALYST_ERRORS.get(error.ename)
        if analyst_error is not None:
            raise analyst_error(message) from None
        if any(text in message for text in _STORAGE_MESSAGES):
            raise StorageError(
                f"{notebook.name} could not write its outputs: {message} (the last good outputs are unchanged)."
            ) from None
        raise NotebookFailed(
            f"{notebook.name} failed in cell {error.exec_count}: {error.ename}: {message} "
            f"(the executed notebook with the full error is {output})"
        ) from None
    finally:
        if owned:
            shut_down(kernel)
