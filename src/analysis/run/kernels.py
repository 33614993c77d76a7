"""Kernels started ahead of time and reused, so a notebook does not wait for Python and its imports to load.

The cleaning, validation and analysis stages each keep one core busy; on a two-core machine the other is idle.
While they run, :class:`WarmKernels` starts the kernels the later notebooks will need, one after another on a
background thread, and runs each notebook's imports in them (``import great_expectations`` alone takes seconds).
A stage's notebook runs in a kernel of its own, shut down after it. A step of many notebooks (the quarter's ten
reports, a batch's dashboards) runs them in a :class:`KernelPool`: no more kernels than notebooks run at once, each
running one notebook after another, with its namespace cleared in between (IPython's ``reset``), so no variable
passes from one notebook to the next and execution counts start at 1 again; only imported modules stay loaded.
The warm-up and the reset run ``silent``, so an executed notebook is the same as one run in a fresh kernel.

A kernel is a :class:`Kernel`: its manager and the one client the run talks to it through, whose channels stay open
for the kernel's life, so a notebook starts at once instead of waiting for a new client to find the kernel ready.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if (
    TYPE_CHECKING
):  # jupyter_client is imported only when a kernel is started: a run that skips every stage is fast
    from jupyter_client.blocking.client import BlockingKernelClient
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


class Kernel:
    """A running kernel and the one client the run talks to it through, its channels open for the kernel's life.

    Every notebook the kernel runs uses this client (:func:`analysis.run.notebook_execution.execute_notebook`
    hands it to nbclient). Given a manager
    alone, nbclient makes a client for each notebook and waits for it to be ready (jupyter_client
    ``wait_for_ready``), which includes 0.2 s of silence on IOPub before the first cell: 0.2 s of every report and
    of every stage's notebook (issue 21). This client's IOPub is known to be connected once the warm-up's own
    status message has come back on it (:func:`await_answer`).
    """

    def __init__(self, manager: KernelManager) -> None:
        self.manager = manager
        self.client: BlockingKernelClient = manager.client()
        # as nbclient sets it on the clients it makes: a notebook cannot prompt for input
        self.client.allow_stdin = False
        self.client.start_channels()
        #: A silent run sent but not yet answered (the clearing after a notebook): its message id and its code.
        self.unanswered: tuple[str, str] | None = None


def shut_down(kernel: Kernel) -> None:
    """Close the kernel's client, shut the kernel down and remove its IPC folder (:func:`new_kernel_manager`)."""
    kernel.client.stop_channels()
    manager = kernel.manager
    if manager.has_kernel:
        manager.shutdown_kernel(now=True)
    if manager.transport == "ipc":
        shutil.rmtree(os.path.dirname(manager.ip), ignore_errors=True)


#: Kernels being shut down on threads of their own (:func:`shut_down_soon`), and the lock that guards the set.
_shutting_down: set[threading.Thread] = set()
_shutting_down_lock = threading.Lock()


def shut_down_soon(kernel: Kernel) -> None:
    """:func:`shut_down` on a thread of its own, so that the run goes on at once: a kernel takes 0.1 s to shut down,
    which the end of each stage, and the last report before its page, waited for (issue 21). A failure is logged.
    :func:`finish_shutting_down` waits for every kernel so handed over; Python waits for them before it exits."""
    thread = threading.Thread(target=_shut_down_now, args=(kernel,), name="kernel-shutdown")
    with _shutting_down_lock:
        _shutting_down.add(thread)
    thread.start()


def _shut_down_now(kernel: Kernel) -> None:
    try:
        shut_down(kernel)
    except Exception as error:  # nothing waits on this thread to be told
        logger.warning("A kernel could not be shut down (%s)", error)
    finally:
        with _shutting_down_lock:
            _shutting_down.discard(threading.current_thread())


def finish_shutting_down() -> None:
    """Wait until every kernel handed to :func:`shut_down_soon` is shut down (the end of a run)."""
    while True:
        with _shutting_down_lock:
            threads = list(_shutting_down)
        if not threads:
            return
        for thread in threads:
            thread.join()


#: Run after a kernel's warm-up: the objects its imports made are moved out of the garbage collector's sight
#: (Python's ``gc.freeze``), as they live as long as the kernel. Every later collection, the full one of each
#: clearing (:data:`CLEAR_NAMESPACE`) among them, then looks only at the objects the notebooks made (issue 21: a
#: cold demo quarter 15.35 -> 14.40 s, four paired runs).
FREEZE_IMPORTS = "import gc; gc.freeze()"


def start_kernel(cwd: Path, warm_up: str) -> Kernel:
    """Start a kernel in ``cwd`` and run ``warm_up`` (imports) in it silently; return once it has finished."""
    manager = new_kernel_manager()
    try:
        manager.start_kernel(cwd=str(cwd), extra_arguments=KERNEL_ARGUMENTS)
    except BaseException:  # no kernel: its IPC folder is all there is to remove
        shutil.rmtree(os.path.dirname(manager.ip), ignore_errors=True)
        raise
    kernel = Kernel(manager)
    try:
        run_silently(kernel, f"{warm_up}\n{FREEZE_IMPORTS}")
    except BaseException:
        shut_down(kernel)
        raise
    return kernel


#: What clears a kernel between two notebooks: every variable goes, execution counts start again at 1
#: (IPython ``InteractiveShell.reset(new_session=True)``); imported modules stay.
CLEAR_NAMESPACE = "get_ipython().reset(new_session=True)"
#: Seconds to wait, after a reply, for the kernel's "idle" status on IOPub: it follows the reply at once, unless
#: IOPub is not yet connected (a kernel just started: ZeroMQ drops what is published before the subscription is in
#: place), and then a kernel_info request is sent again until its status comes back (:func:`await_answer`).
IOPUB_STATUS_SECONDS = 0.25


def run_silently(kernel: Kernel, code: str) -> None:
    """Run ``code`` in the kernel without it counting as an execution; raise if it fails, or if the kernel dies or
    has not answered within :data:`READY_TIMEOUT_SECONDS`."""
    send_silently(kernel, code)
    await_answer(kernel)


def send_silently(kernel: Kernel, code: str) -> None:
    """Send ``code`` to run silently and return at once; :func:`await_answer` reads its answer (the kernel runs
    requests in turn, so a notebook sent after it runs after it)."""
    if kernel.unanswered is not None:
        raise RuntimeError(f"the kernel has not answered {kernel.unanswered[1]!r} yet")
    kernel.unanswered = (kernel.client.execute(code, silent=True), code)


def await_answer(kernel: Kernel) -> None:
    """Wait for the answer to the silent run :func:`send_silently` sent; raise as :func:`run_silently` says.

    The reply comes on the shell channel. Then IOPub is read up to the kernel's "idle" status for the same request:
    the messages before it (a notebook's last ones, which nbclient leaves unread) are dropped, and its arrival shows
    IOPub connected, so that no output of the next notebook is lost. When it does not come, kernel_info requests
    are sent until one's status does, as jupyter_client's ``wait_for_ready`` does, without its 0.2 s wait for
    silence on IOPub afterwards.
    """
    if kernel.unanswered is None:
        return
    request, code = kernel.unanswered
    reply = _shell_reply(kernel, request, repr(code))
    kernel.unanswered = None
    if reply["content"].get("status") != "ok":
        raise RuntimeError(f"{code!r} failed: {reply['content'].get('evalue')}")
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while not _idle_status_came(kernel.client, request):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the kernel's IOPub channel did not connect in {READY_TIMEOUT_SECONDS} s")
        request = kernel.client.kernel_info()
        _shell_reply(kernel, request, "kernel_info")


def _shell_reply(kernel: Kernel, request: str, what: str) -> dict[str, Any]:
    """The kernel's reply to ``request`` on the shell channel; raise if the kernel dies or does not answer in time."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        try:
            reply = kernel.client.get_shell_msg(timeout=1)
        except queue.Empty:
            if not kernel.manager.is_alive():
                raise RuntimeError(f"the kernel died before {what} finished") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"the kernel did not answer {what} in {READY_TIMEOUT_SECONDS} s") from None
            continue
        if reply["parent_header"].get("msg_id") == request:
            return reply


def _idle_status_came(client: BlockingKernelClient, request: str) -> bool:
    """Whether the kernel's "idle" status for ``request`` comes on IOPub within :data:`IOPUB_STATUS_SECONDS`; the
    messages before it are dropped."""
    deadline = time.monotonic() + IOPUB_STATUS_SECONDS
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = client.get_iopub_msg(timeout=left)
        except queue.Empty:
            return False
        if (
            message["parent_header"].get("msg_id") == request
            and message["msg_type"] == "status"
            and message["content"].get("execution_state") == "idle"
        ):
            return True
    return False


class KernelPool:
    """Up to ``size`` kernels that run a step's notebooks, each kernel one notebook at a time, reused in turn.

    ``lease`` hands over an idle kernel, or starts one while fewer than ``size`` exist (``ready(slot)``, a kernel
    prepared in advance, else a new one with ``warm_up`` run in it), or waits for one to be free. A kernel whose
    notebook succeeded is sent the clearing (:data:`CLEAR_NAMESPACE`) and kept for the next; the clearing's
    answer is read when the kernel is next leased, so that the kernel clears itself while the caller renders the
    page it has just made. One whose notebook failed, or that could not be cleared, is shut down and replaced when
    needed. ``close`` shuts down every kernel.

    ``notebooks``, when the step knows how many it will run: once that many have been handed a kernel, a kernel
    whose notebook ends is shut down at once instead of cleared and kept idle until ``close``. The quarter's last
    pages are then printed to PDF with no idle kernel beside Chromium (issue 21: the run's peak memory).
    """

    def __init__(
        self,
        cwd: Path,
        warm_up: str,
        size: int,
        *,
        ready: Callable[[int], Kernel | None] | None = None,
        notebooks: int | None = None,
    ) -> None:
        self._cwd = Path(cwd)
        self._warm_up = warm_up
        self._size = max(1, size)
        self._ready = ready
        self._notebooks_left = notebooks
        self._idle: queue.SimpleQueue[Kernel] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._slots_used = 0
        self._closed = False

    @contextmanager
    def lease(self) -> Iterator[Kernel]:
        """A kernel for one notebook, kept for the next notebook if this one ran without error."""
        kernel = self._acquire()
        with self._lock:
            if self._notebooks_left is not None:
                self._notebooks_left -= 1
        try:
            yield kernel
        except BaseException:
            self._discard(kernel)
            raise
        with self._lock:
            last = self._notebooks_left is not None and self._notebooks_left <= 0
        if last:  # no notebook will ask for it again: shut down while the caller renders its page
            self._discard(kernel, wait=False)
            return
        try:
            send_silently(kernel, CLEAR_NAMESPACE)  # answered when next leased (_acquire)
        except Exception as error:  # a kernel that cannot be cleared never runs another notebook
            logger.warning("A kernel could not be cleared after its notebook (%s); starting another", error)
            self._discard(kernel)
            return
        with self._lock:
            if self._closed:
                shut_down(kernel)
                return
        self._idle.put(kernel)

    def close(self) -> None:
        """Shut down every idle kernel (a kernel still leased is shut down when its lease ends)."""
        with self._lock:
            self._closed = True
        while True:
            try:
                shut_down(self._idle.get_nowait())
            except queue.Empty:
                return

    def _acquire(self) -> Kernel:
        while True:
            if (idle := self._idle_kernel(wait=0)) is not None:
                return idle
            with self._lock:
                if self._closed:
                    raise RuntimeError("the kernel pool is closed")
                slot = self._slots_used if self._slots_used < self._size else None
                if slot is not None:
                    self._slots_used += 1
            if slot is not None:
                return self._start(slot)
            # every kernel is busy: wait for one to be free (or its slot, if it is discarded)
            if (idle := self._idle_kernel(wait=1)) is not None:
                return idle

    def _idle_kernel(self, *, wait: float) -> Kernel | None:
        """An idle kernel that answered its clearing, waiting up to ``wait`` seconds for one; ``None`` if none came
        or the one that came could not be cleared (it is shut down, its slot freed)."""
        try:
            kernel = self._idle.get(timeout=wait) if wait else self._idle.get_nowait()
        except queue.Empty:
            return None
        return kernel if self._cleared(kernel) else None

    def _cleared(self, kernel: Kernel) -> bool:
        """Whether the kernel answered its clearing; one that did not (it failed, or the kernel died) is shut down."""
        try:
            await_answer(kernel)
        except Exception as error:
            logger.warning("A kernel could not be cleared after its notebook (%s); starting another", error)
            self._discard(kernel)
            return False
        return True

    def _start(self, slot: int) -> Kernel:
        try:
            prepared = self._ready(slot) if self._ready is not None else None
            return prepared if prepared is not None else start_kernel(self._cwd, self._warm_up)
        except BaseException:
            with self._lock:
                self._slots_used -= 1
            raise

    def _discard(self, kernel: Kernel, *, wait: bool = True) -> None:
        if wait:
            shut_down(kernel)
        else:
            shut_down_soon(kernel)
        with self._lock:
            self._slots_used -= 1


class WarmKernels:
    """Kernels prepared in the background, one per notebook to come, each taken once.

    ``prepare`` queues a kernel (one at a time, on one background thread, so it uses the idle core and not
    both); ``take`` waits for it and hands it over; ``close`` shuts down any that were never taken. A kernel that
    fails to start is logged and replaced by papermill starting its own. A key already taken is not prepared again:
    the validation and the analysis run side by side and each prepares the steps after it, so the validation could
    otherwise start a second kernel for the analysis that had already taken its own, left idle until ``close``
    (issue 21: a kernel's memory more at the run's peak).
    """

    def __init__(self, cwd: Path) -> None:
        self._cwd = Path(cwd)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warm-kernel")
        self._kernels: dict[str, Future[Kernel]] = {}
        self._taken: set[str] = set()
        self._lock = (
            threading.Lock()
        )  # two stages run side by side (validation and analysis) and both prepare

    def prepare(self, key: str, warm_up: str) -> None:
        """Start (in the background) a kernel for the notebook called ``key``, with ``warm_up`` run in it."""
        with self._lock:
            if key not in self._kernels and key not in self._taken:
                self._kernels[key] = self._pool.submit(start_kernel, self._cwd, warm_up)

    def take(self, key: str) -> Kernel | None:
        """The prepared kernel for ``key`` (waiting for it if need be), or ``None`` if there is none."""
        with self._lock:
            future = self._kernels.pop(key, None)
            self._taken.add(key)
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
        finish_shutting_down()  # the run's kernels shut down on their own threads: none outlives the run
