"""Report kernels forked from a warm process: a fresh kernel that does not pay for its imports.

Most of a report kernel's start is importing ipykernel, pandas and matplotlib. A *warm
process* imports them once, before any report is known, and then forks one kernel per
report. Each kernel is a new process that no report has touched: it shares only the warm
process's imported modules (copy-on-write pages), and nothing of any other kernel.

- :func:`start` starts this process's warm process (``python -m toolkit.runs.kernel_fork``)
  early, e.g. while a batch worker still checks parameters and data; it dies with us.
- :class:`ForkProvisioner` is how jupyter_client starts the project kernel: it asks the warm
  process to fork one instead of running ``python -m toolkit.runs.kernel_launcher``. The
  kernel runs the launcher's own :func:`~toolkit.runs.kernel_launcher.run_kernel`, in a new
  session (as jupyter_client starts kernels) and it dies with the warm process.
- The warm process imports third-party modules only: the toolkit (which reads the data and
  reports folders from the environment) is imported by the kernel itself, as before. A kernel
  whose environment differs from the one the warm process started with gets a new warm
  process started with that environment, so a kernel sees what a launched one would see.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

from toolkit.runs.lifetime import die_with_parent

# What the warm process imports: what every report kernel would import first (ipykernel, then
# what the report notebooks use through the toolkit). Nothing here may run code that depends on
# a kernel being there: matplotlib's backend is only chosen when a kernel draws its first figure.
WARM_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "IPython.display", "pandas", "numpy", "matplotlib.pyplot",
                "matplotlib.ticker", "openpyxl", "pydantic", "yaml", "icu", "ipykernel.debugger")
_INLINE = "module://matplotlib_inline.backend_inline"  # what ipykernel puts in MPLBACKEND before the user imports matplotlib
_PER_KERNEL = ("JPY_", "PYTHONEXECUTABLE")  # environment that jupyter_client sets for each kernel, not for the warm process


def _same_environment(a: dict[str, str], b: dict[str, str]) -> bool:
    def keep(env):
        return {k: v for k, v in env.items() if not k.startswith(_PER_KERNEL)}

    return keep(a) == keep(b)


class WarmProcess:
    """A running ``python -m toolkit.runs.kernel_fork`` and the socket we ask it for kernels on."""

    def __init__(self, env: dict[str, str]):
        self.env = dict(env)
        ours, theirs = socket.socketpair()
        # -P: the working directory is not on sys.path (each kernel puts its own there, as `python -m` would)
        self.proc = subprocess.Popen([sys.executable, "-P", "-m", "toolkit.runs.kernel_fork", str(theirs.fileno())],
                                     env=self.env, stdin=subprocess.DEVNULL, pass_fds=(theirs.fileno(),),
                                     preexec_fn=die_with_parent)
        theirs.close()
        self.sock = ours
        self.lines = ours.makefile("rwb")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> int:
        """A new kernel running ``argv`` (the kernel app's arguments) in ``cwd``; its pid."""
        self.lines.write(json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode() + b"\n")
        self.lines.flush()
        answer = self.lines.readline()
        if not answer:
            raise RuntimeError("the warm kernel process stopped")
        reply = json.loads(answer)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply["pid"]

    def close(self) -> None:
        self.lines.close()
        self.sock.close()  # the warm process sees end of file and exits
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


_warm: WarmProcess | None = None
_lock = threading.Lock()


def start(env: dict[str, str] | None = None) -> WarmProcess:
    """This process's warm process, started now if it is not running (or has another environment).

    Call it from the main thread: the warm process is killed when the thread that started it
    exits (``PR_SET_PDEATHSIG`` follows the thread).
    """
    global _warm
    env = dict(os.environ) if env is None else env
    with _lock:
        if _warm is not None and not (_warm.alive() and _same_environment(_warm.env, env)):
            _warm.close()
            _warm = None
        if _warm is None:
            _warm = WarmProcess({k: v for k, v in env.items() if not k.startswith(_PER_KERNEL)})
        return _warm


def stop() -> None:
    """Stop this process's warm process (kernels it forked die with it)."""
    global _warm
    with _lock:
        if _warm is not None:
            _warm.close()
            _warm = None


class ForkedKernel:
    """The :class:`subprocess.Popen` subset jupyter_client uses, for a kernel that is not our child.

    The kernel is the warm process's child, so we cannot wait for it; a pidfd tells when it has
    exited and signals exactly that process (no pid reuse).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._fd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._fd], [], [], 0)[0]:
            self.returncode = 0  # the exit status belongs to the warm process, which has reaped the kernel
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


class ForkProvisioner(LocalProvisioner):
    """Starts the project kernel by forking the warm process instead of launching a new Python."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        from toolkit.runs.kernel_launcher import launcher_arguments

        env = kwargs.get("env") or dict(os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        pid = start(env).fork(launcher_arguments(cmd), env, cwd)
        self.process = ForkedKernel(pid)
        self.pid = pid
        self.pgid = pid  # the kernel leads its own session, as jupyter_client's launched kernels do
        self.cwd = cwd
        return self.connection_info


# ----------------------------------------------------------------------------- the warm process


def _kernel(request: dict, warm_pid: int, ready: int) -> None:
    """In the forked child: become a kernel for ``request``; never returns."""
    try:
        os.setsid()  # its own session and process group: an interrupt reaches the kernel, not us
        os.write(ready, b"1")
        os.close(ready)
        for sig in (signal.SIGCHLD, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        os.chdir(request["cwd"])
        sys.path.insert(0, request["cwd"])  # as `python -m` does
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(warm_pid)
        from toolkit.runs.kernel_launcher import run_kernel

        # ipykernel read JPY_PARENT_PID when the warm process imported it: say who the parent is
        run_kernel([*request["argv"], f"--IPKernelApp.parent_handle={warm_pid}"], warm_pid)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - a kernel that cannot start says why on stderr, as a launched one would
        import traceback

        traceback.print_exc()
        code = 1
    import atexit

    atexit._run_exitfuncs()  # what the interpreter would do on exit; then never return into the warm process's loop
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    os._exit(code)


def serve(fd: int) -> None:
    """The warm process: import, then fork a kernel for each request on socket ``fd`` until it closes."""
    parent = os.getppid()
    die_with_parent(parent)
    from toolkit.runs.kernel_launcher import skip_slow_imports

    skip_slow_imports()
    os.environ.setdefault("MPLBACKEND", _INLINE)
    import contextlib
    import importlib
    import io

    for name in WARM_MODULES:
        # debugpy warns about frozen modules on import: a launched kernel writes that to its own
        # output channel, which no report shows; here it would reach the terminal
        with contextlib.redirect_stderr(io.StringIO()):
            importlib.import_module(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they exit
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the run; the run stops us
    sock = socket.socket(fileno=fd)
    lines = sock.makefile("rwb")
    me = os.getpid()
    for line in lines:
        request = json.loads(line)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            lines.close()
            sock.close()
            _kernel(request, me, w)
        os.close(w)
        started = os.read(r, 1)
        os.close(r)
        lines.write(json.dumps({"pid": pid} if started else {"error": "the kernel did not start"}).encode() + b"\n")
        lines.flush()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
