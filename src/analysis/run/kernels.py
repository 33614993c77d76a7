"""Kernels started ahead of time, so a stage's notebook does not wait for Python and its imports to load.

The cleaning, validation and analysis stages each keep one core busy; on a two-core machine the other is idle.
While they run, :class:`WarmKernels` starts the kernels the later notebooks will need, one after another on a
background thread, and runs each notebook's imports in them (``import great_expectations`` alone takes seconds).
Each kernel runs exactly one notebook and is then shut down, so no state passes between notebooks: a warm kernel
differs from a fresh one only in having its modules already imported. The warm-up runs ``silent``, so execution
counts in the executed notebook still start at 1.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

if (
    TYPE_CHECKING
):  # jupyter_client is imported only when a kernel is started: a run that skips every stage is fast
    from jupyter_client.manager import KernelManager

logger = logging.getLogger(__name__)

KERNEL_NAME = "python3"
#: Keep the kernel's start-up notices (e.g. ipykernel 7's warning about TCP on this machine's loopback) and its
#: shutdown notice out of the terminal; cell errors still reach the notebook.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
READY_TIMEOUT_SECONDS = 120


def new_kernel_manager() -> KernelManager:
    """A manager for one kernel that talks to it over IPC sockets in a private temporary folder, not TCP ports.

    With TCP, jupyter_client picks free ports and the kernel binds them a moment later; runs started side by side
    (two test workers, a monthly batch beside a quarter) can pick the same port in between, and one kernel then
    receives another's messages ("ValueError: DELIM not in msg_list" on stderr, seen in CI). IPC files in a
    folder of their own cannot be shared by accident (jupyter_client ``KernelManager.transport``).
    """
    from jupyter_client.manager import KernelManager

    folder = tempfile.mkdtemp(prefix="analysis-kernel-")
    return KernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=os.path.join(folder, "kernel"))


def shut_down(manager: KernelManager) -> None:
    """Shut the kernel down and remove its IPC folder (:func:`new_kernel_manager`)."""
    if manager.has_kernel:
        manager.shutdown_kernel(now=True)
    if manager.transport == "ipc":
        shutil.rmtree(os.path.dirname(manager.ip), ignore_errors=True)


def start_kernel(cwd: Path, warm_up: str) -> KernelManager:
    """Start a kernel in ``cwd`` and run ``warm_up`` (imports) in it silently; return once it has finished."""
    manager = new_kernel_manager()
    manager.start_kernel(cwd=str(cwd), extra_arguments=KERNEL_ARGUMENTS)
    client = manager.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=READY_TIMEOUT_SECONDS)
        request = client.execute(warm_up, silent=True)
        while True:
            reply = client.get_shell_msg(timeout=READY_TIMEOUT_SECONDS)
            if reply["parent_header"].get("msg_id") == request:
                break
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"warm-up failed: {reply['content'].get('evalue')}")
    except BaseException:
        shut_down(manager)
        raise
    finally:
        client.stop_channels()
    return manager


class WarmKernels:
    """Kernels prepared in the background, one per notebook to come, each taken once.

    ``prepare`` queues a kernel (one at a time, on one background thread, so it uses the idle core and not
    both); ``take`` waits for it and hands it over; ``close`` shuts down any that were never taken. A kernel that
    fails to start is logged and replaced by papermill starting its own.
    """

    def __init__(self, cwd: Path) -> None:
        self._cwd = Path(cwd)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warm-kernel")
        self._kernels: dict[str, Future[KernelManager]] = {}

    def prepare(self, key: str, warm_up: str) -> None:
        """Start (in the background) a kernel for the notebook called ``key``, with ``warm_up`` run in it."""
        if key not in self._kernels:
            self._kernels[key] = self._pool.submit(start_kernel, self._cwd, warm_up)

    def take(self, key: str) -> KernelManager | None:
        """The prepared kernel for ``key`` (waiting for it if need be), or ``None`` if there is none."""
        future = self._kernels.pop(key, None)
        if future is None:
            return None
        try:
            return future.result()
        except Exception as error:  # a kernel that did not start: the notebook starts its own instead
            logger.warning("A kernel prepared in advance did not start (%s); starting one on demand", error)
            return None

    def close(self) -> None:
        """Shut down every kernel that was prepared but not taken."""
        for future in self._kernels.values():
            future.cancel()
        self._pool.shutdown(wait=True)
        for future in self._kernels.values():
            if future.done() and not future.cancelled() and future.exception() is None:
                shut_down(future.result())
        self._kernels.clear()
