"""The Jupyter kernel reports run in: always this project's own Python.

A machine may have several kernels called ``python3`` (a system one, a conda one, a stale
user one); papermill then runs the notebook in whichever jupyter_client finds first
(papermill #251, #638, #761). The notebooks ask for a kernel named ``thidua``, and we say
which one that is instead of installing it anywhere:

- :class:`ProjectKernelSpecManager` knows ``thidua`` as ``sys.executable`` running
  :mod:`toolkit.runs.kernel_launcher` (other names are looked up as usual);
- :class:`ProjectKernelManager` is nbclient's kernel manager with that spec manager; the
  runner hands it to papermill (``kernel_manager_class``, passed on to nbclient), so no
  kernelspec file is written and JUPYTER_PATH is left alone. It does not launch that
  command but forks the kernel from a warm process that has already imported what a report
  needs (:class:`ForkProvisioner`, :mod:`toolkit.runs.kernel_fork`): a fresh kernel per
  report, without the imports' cost;
- a Jupyter server in another process (Voilà) takes the spec manager by its import path:
  ``--kernel_spec_manager_class=toolkit.runs.kernel.ProjectKernelSpecManager``.

:func:`ensure_kernel` is the older way, kept for a caller that can do neither: it writes the
kernelspec into a private temporary folder (mode 0700, one per process) and puts that folder
first on JUPYTER_PATH.
"""
from __future__ import annotations

import asyncio
import functools
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import DottedObjectName, Type, default

from toolkit.model.files import write_file
from toolkit.runs import kernel_fork
from toolkit.runs.kernel_launcher import launcher_arguments

KERNEL_NAME = "thidua"
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
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

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
    """nbclient's kernel manager, resolving kernel names with :class:`ProjectKernelSpecManager`.

    The project kernel is forked from a warm process (:mod:`toolkit.runs.kernel_fork`) where the
    system can say exactly when a process that is not our child exits (Linux pidfd); elsewhere
    it is launched as jupyter_client launches any kernel (:data:`kernel_fork.SUPPORTED`). Its
    clients are :class:`ProjectKernelClient`, and a forked kernel's exit is awaited on its pidfd
    instead of jupyter_client's polling every 0.1 s.

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

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None and self.kernel_name == KERNEL_NAME and kernel_fork.SUPPORTED:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        if self.kernel_name == KERNEL_NAME:
            extra_arguments = [*(extra_arguments or []), *REPORT_KERNEL_ARGUMENTS]
        return super().format_kernel_cmd(extra_arguments)

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        process = getattr(self.provisioner, "process", None)
        if isinstance(process, ForkedKernel):
            await process.exited()
        else:
            await super()._async_wait(pollinterval)


class ForkedKernel:
    """The :class:`subprocess.Popen` subset jupyter_client uses, for a kernel that is not our child.

    The kernel is the warm process's child, so we cannot wait for it; a pidfd says when it has
    exited and signals exactly that process (never another one that got its pid later).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._fd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._fd], [], [], 0)[0]:
            self.returncode = 0  # its exit status went to the warm process, which reaped it
            os.close(self._fd)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not select.select([self._fd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired("kernel", timeout)
            self.poll()
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            signal.pidfd_send_signal(self._fd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    async def exited(self) -> None:
        """Return as soon as the kernel has exited.

        One waiter at a time (jupyter_client awaits an exit from one place): a second reader of
        the same pidfd on the event loop would replace the first.
        """
        if self.poll() is None:
            loop = asyncio.get_running_loop()
            done = loop.create_future()
            loop.add_reader(self._fd, lambda: done.done() or done.set_result(None))
            try:
                await done
            finally:
                loop.remove_reader(self._fd)
            self.poll()


class ForkProvisioner(LocalProvisioner):
    """Starts the project kernel by forking the warm process instead of launching a new Python."""

    async def launch_kernel(self, cmd: list[str], **kwargs) -> KernelConnectionInfo:
        env = kwargs.get("env") or dict(os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        pid = kernel_fork.start(env).fork(launcher_arguments(cmd), env, cwd)
        self.process = ForkedKernel(pid)
        self.pid = self.pgid = pid  # the kernel leads its own process group, as jupyter_client's launched kernels do
        self.cwd = cwd
        return self.connection_info

    async def wait(self) -> int | None:
        """As LocalProvisioner's, without its polling every 0.1 s: the pidfd says when the kernel has gone."""
        if self.process is None:
            return 0
        await self.process.exited()
        code, self.process = self.process.returncode, None
        return code


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
