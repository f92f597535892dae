"""The Jupyter kernel reports run in: always this project's own Python.

A machine may have several kernels called ``python3`` (a system one, a conda one, a stale
user one); papermill then runs the notebook in whichever jupyter_client finds first
(papermill #251, #638, #761). The notebooks ask for a kernel named ``thidua``, and we say
which one that is instead of installing it anywhere:

- :class:`ProjectKernelSpecManager` knows ``thidua`` as ``sys.executable`` running
  :mod:`toolkit.runs.kernel_launcher` (other names are looked up as usual);
- :class:`ProjectKernelManager` is nbclient's kernel manager with that spec manager; the
  runner hands it to papermill (``kernel_manager_class``, passed on to nbclient), so no
  kernelspec file is written and JUPYTER_PATH is left alone. Report kernels are launched as
  jupyter_client launches any kernel, over Unix sockets in a private folder (no ports to race
  for), and die with the process that launched them;
- a Jupyter server in another process (Voilà) takes the spec manager by its import path:
  ``--kernel_spec_manager_class=toolkit.runs.kernel.ProjectKernelSpecManager``.

:func:`ensure_kernel` is the older way, kept for a caller that can do neither: it writes the
kernelspec into a private temporary folder (mode 0700, one per process) and puts that folder
first on JUPYTER_PATH.
"""
from __future__ import annotations

import atexit
import functools
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Type, default

from toolkit.model.files import write_file
from toolkit.runs.lifetime import launcher

KERNEL_NAME = "thidua"
# what this system offers (README "Which systems"); tests/test_portability.py turns them off, as on macOS or Windows
UNIX_SOCKETS = os.name == "posix"  # ZeroMQ's ipc transport; Windows has TCP on 127.0.0.1 only
DEATH_SIGNAL = sys.platform.startswith("linux")  # PR_SET_PDEATHSIG: elsewhere ipykernel's parent poller ends a kernel
PROC = Path("/proc/self/stat").exists()  # process states: a stopped process can be told from a busy one
# see ProjectKernelManager; (``enabled=False`` instead made ipykernel hang 2.5 s on one shutdown in three)
REPORT_KERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:",)
DISPLAY_NAME = "Python (thidua)"


def spec_dict() -> dict:
    """The ``kernel.json`` of the project kernel: this interpreter, through the quick launcher."""
    return {
        "argv": [sys.executable, "-m", "toolkit.runs.kernel_launcher", "-f", "{connection_file}", "--IPKernelApp.log_level=ERROR"],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "metadata": {"debugger": False},
    }


class ProjectKernelSpecManager(KernelSpecManager):
    """Kernel specs as usual, plus ``thidua``: this project's Python, whatever is installed elsewhere."""

    def find_kernel_specs(self) -> dict[str, str]:
        return {**super().find_kernel_specs(), KERNEL_NAME: ""}

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name == KERNEL_NAME:
            return KernelSpec(resource_dir="", **spec_dict())
        return super().get_kernel_spec(kernel_name)

    def get_all_specs(self) -> dict[str, dict]:
        specs = super().get_all_specs()
        specs[KERNEL_NAME] = {"resource_dir": "", "spec": spec_dict()}
        return specs


class ProjectKernelClient(AsyncKernelClient):
    """jupyter_client's client, ready as soon as the kernel is, not after 0.2 s of silence.

    jupyter_client's ``wait_for_ready`` takes a kernel_info reply plus any IOPub message as
    proof that IOPub is connected, then reads IOPub until it has been quiet for 0.2 s: a fixed
    0.2 s per report, a tenth of a batch report's cost. Here the proof is the kernel's "idle"
    status for our own kernel_info request: IOPub is connected, and since a channel keeps its
    order, everything the kernel published before it has been read (the same flush, exactly).
    A request answered before IOPub was connected has its status lost: it is asked again as
    soon as the kernel welcomes our subscription (ipykernel's ``iopub_welcome``), or after
    0.2 s from a kernel that does not, as jupyter_client does.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            request = self.kernel_info()
            if await self._replied(request, deadline) and await self._idle_after(request, deadline):
                return
            if not await self._async_is_alive():
                raise KernelStartError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise KernelStartError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _replied(self, request: str, deadline: float) -> bool:
        """Whether the kernel answered ``request`` within a second (or by the deadline)."""
        return await _first(self.shell_channel, min(time.monotonic() + 1.0, deadline),
                            lambda msg: msg["msg_type"] == "kernel_info_reply" and _answers(msg, request),
                            self._handle_kernel_info_reply) is not None

    async def _idle_after(self, request: str, deadline: float) -> bool:
        """Whether IOPub says the kernel is idle after ``request``; False when it may have been missed.

        An ``iopub_welcome`` means IOPub was connected just now: whatever came before it is lost.
        """
        found = await _first(self.iopub_channel, min(time.monotonic() + 0.2, deadline),
                             lambda msg: msg["msg_type"] == "iopub_welcome" or (
                                 msg["msg_type"] == "status" and _answers(msg, request)
                                 and msg["content"].get("execution_state") == "idle"))
        return found is not None and found["msg_type"] == "status"


class KernelStartError(RuntimeError):
    """A kernel that died or never answered while we waited for it to be ready.

    A RuntimeError, as jupyter_client's own, so nbclient cleans the kernel up as it would; a
    type of its own, so the runner can tell it from a report's failure and retry.
    """


def _answers(msg: dict, request: str) -> bool:
    return msg["parent_header"].get("msg_id") == request


async def _first(channel, until: float, wanted, seen=lambda msg: None) -> dict | None:
    """The first message on ``channel`` that is ``wanted`` before the time ``until`` (monotonic), else None.

    Other messages are read and dropped: a kernel that keeps publishing cannot hold us past ``until``.
    """
    while (left := until - time.monotonic()) > 0:
        try:
            msg = await channel.get_msg(timeout=left)
        except Empty:
            return None
        if wanted(msg):
            seen(msg)
            return msg
    return None


class ProjectKernelManager(AsyncKernelManager):
    """nbclient's kernel manager for report kernels: the project's Python, launched, over private IPC sockets.

    A report kernel is launched as jupyter_client launches any kernel (a new Python that imports
    what it needs), which is the most boring way there is: nothing it depends on is shared with
    another report or another process. Three things differ from jupyter_client's defaults:

    - **No ports.** On POSIX the kernel's five channels are Unix sockets in this process's
      private folder (mode 0700, :func:`runtime_dir`), named after a connection file that no
      other kernel has. With TCP a port is chosen by one process and bound later by another
      (the kernel), and two batches on one machine picked the same port now and then ("Address
      already in use"); a path in a folder only we can write to cannot be taken.
    - **A stopped kernel is dead** (:meth:`is_alive`): a kernel that was sent SIGSTOP never
      answers by itself; it is killed and counted as dead, so nbclient's once-a-second
      liveness check (and our wait for a starting kernel) notices it and the report is retried
      on a fresh kernel instead of waiting for a whole timeout.
    - **It dies with the process that launched it** (started through
      :func:`toolkit.runs.lifetime.launcher`, which arms ``PR_SET_PDEATHSIG`` and checks the
      expected parent): ipykernel's own parent poller misses a parent that died before the
      poller started.

    A report kernel keeps its IPython history in memory (:data:`REPORT_KERNEL_ARGUMENTS`): a
    scheduled report writes nothing into the user's ``~/.ipython``, and parallel reports do not
    queue on its one SQLite file for every cell. The kernel spec JupyterLab and Voilà launch
    has no such argument: analysts keep their history.
    """

    client_class = DottedObjectName(f"{__name__}.ProjectKernelClient")
    client_factory = Type(ProjectKernelClient, klass=AsyncKernelClient)

    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self) -> KernelSpecManager:
        return ProjectKernelSpecManager(data_dir=self.data_dir)

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc" if UNIX_SOCKETS else "tcp"

    @default("connection_file")
    def _connection_file_default(self) -> str:
        return str(runtime_dir() / f"kernel-{secrets.token_hex(8)}.json")

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        if self.kernel_name == KERNEL_NAME:
            cmd = super().format_kernel_cmd([*(extra_arguments or []), *REPORT_KERNEL_ARGUMENTS])
            return launcher(cmd) if DEATH_SIGNAL else cmd  # it dies with us, as every child we start does
        return super().format_kernel_cmd(extra_arguments)

    async def _async_is_alive(self) -> bool:
        if not await super()._async_is_alive():
            return False
        process = getattr(self.provisioner, "process", None)
        if process is None or not stopped(process.pid):
            return True
        # it will not go on by itself; killed now, since callers do not shut down a kernel that is not alive
        await self.provisioner.kill()
        return False

    is_alive = _async_is_alive  # AsyncKernelManager binds KernelManager's function: ours must be named again


def stopped(pid: int) -> bool:
    """Whether process ``pid`` is stopped by a signal (state T in /proc); False where /proc is not there."""
    if not PROC:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].startswith("T")


@functools.cache
def runtime_dir() -> Path:
    """This process's private folder for its report kernels' connection files and sockets (mode 0700).

    Removed when the process exits; a killed process leaves an empty-ish folder in the system's
    temporary folder, which holds no secret once its kernels are gone.
    """
    path = Path(tempfile.mkdtemp(prefix="thidua-k-"))
    atexit.register(shutil.rmtree, path, True)
    return path


@functools.cache
def _private_jupyter_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="thidua-jupyter-"))  # mode 0700: no other user can swap the kernel


def ensure_kernel() -> str:
    """Write the project kernelspec into a private folder put first on JUPYTER_PATH; return its name.

    Only for a Jupyter process that cannot be given :class:`ProjectKernelSpecManager`.
    """
    base = _private_jupyter_dir()
    write_file(base / "kernels" / KERNEL_NAME / "kernel.json", json.dumps(spec_dict(), indent=1))
    parts = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != str(base)]
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(base), *parts])
    return KERNEL_NAME
