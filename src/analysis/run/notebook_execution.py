"""Execute one parameterised notebook with papermill; an error in a cell becomes an error the analyst can read."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.errors import AnalysisError, DataCheckFailed, NotebookFailed, StorageError
from analysis.run.kernels import shut_down_soon, start_kernel

if TYPE_CHECKING:
    from analysis.run.kernels import Kernel

#: Errors raised inside a notebook that are the analyst's to fix (exit code 2), by exception class name.
_ANALYST_ERRORS: dict[str, type[AnalysisError]] = {
    "DataCheckFailed": DataCheckFailed,
    "InputDataError": AnalysisError,
    "ConfigError": AnalysisError,
    "StorageError": StorageError,
}


#: What a storage failure inside a notebook's kernel says (``OSError`` text): reported as a StorageError.
_STORAGE_MESSAGES = ("No space left on device", "Read-only file system", "Permission denied", "Disk quota")


#: The papermill engine that runs a notebook through the kernel's own client (:func:`_kernel_client_engine`).
ENGINE_NAME = "analysis-kernel-client"


@functools.cache
def _kernel_client_engine() -> str:
    """Register, once, papermill's nbclient engine given the kernel's client (``kc``) as well as its manager.

    nbclient takes a running kernel's manager but always makes a client of its own (``NotebookClient.kc`` is set
    in its ``async_setup_kernel``, never from its arguments). A second client of the same kernel has the manager's
    session, so the same identity on the kernel's sockets, and the kernel's replies reached only one of the two
    (seen: the clearing after a notebook never answered). The engine sets the kernel's client on papermill's
    notebook client before it executes (papermill engines: ``papermill_engines.register``).
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import remove_args

    class KernelClientEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(  # papermill's signature, and the kernel's client (kc)
            cls,
            nb_man: Any,
            kernel_name: str,
            *,
            kc: Any,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: float | None = None,
            **kwargs: Any,
        ) -> Any:
            # as NBClientEngine.execute_managed_notebook does, then the kernel's client
            options = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            client = PapermillNotebookClient(
                nb_man,
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                **options,
            )
            client.kc = kc
            return client.execute()

    papermill_engines.register(ENGINE_NAME, KernelClientEngine)
    return ENGINE_NAME


def execute_notebook(
    notebook: Path,
    output: Path,
    parameters: dict[str, Any],
    *,
    cwd: Path,
    kernel: Kernel | None = None,
) -> None:
    """Execute a notebook with papermill; an error in a cell becomes an :class:`AnalysisError` with its message.

    Papermill saves the failed notebook (with the error in it) before raising, so the analyst can open it.
    Only JSON-native parameter values are passed (strings, numbers, booleans, lists). ``kernel``, a running kernel
    (:mod:`analysis.run.kernels`), stays the caller's: it is not shut down here, and its client is the one the
    notebook runs through. Without one, a kernel is started for this notebook and shut down after it.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    # A kernel prepared in advance is already running; otherwise one is started (IPC, not TCP ports).
    owned = kernel is None
    if kernel is None:
        kernel = start_kernel(cwd, "pass")
    engine_options: dict[str, Any] = {
        "engine_name": _kernel_client_engine(),
        "km": kernel.manager,
        "kc": kernel.client,
    }
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
            shut_down_soon(kernel)
