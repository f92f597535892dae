"""Report kernels forked from a warm process: a fresh kernel that does not pay for its imports.

Most of a report kernel's start is importing ipykernel, pandas and matplotlib. A *warm
process* (``python -m toolkit.runs.kernel_fork``) imports them once, before any report is
known, and then forks one kernel per report. Each kernel is a new process that no report has
touched: it shares only the warm process's imported modules (copy-on-write pages), and
nothing of any other kernel.

- :func:`start` starts this process's warm process, early: ``thidua run`` starts it before it
  checks parameters and data, so the imports are done by the time a kernel is wanted. It
  dies with the process that started it, and so do its kernels (``die_with_parent``).
- A batch gives each worker a connection of its own (:func:`connection_for_child`, :func:`use`):
  one warm process serves every worker, and when a worker's connection closes (it finished,
  or it was killed for passing its time limit) the kernels it asked for are killed.
- :class:`toolkit.runs.kernel.ForkProvisioner` is how jupyter_client gets a kernel from here;
  the kernel runs the launcher's own :func:`~toolkit.runs.kernel_launcher.run_kernel`, in a new
  session, as jupyter_client starts kernels.
- The warm process imports what a report kernel would, as a launched kernel would at that moment:
  a kernel whose environment differs from the warm process's (the toolkit reads the data and
  reports folders from it at import), or that starts after a toolkit source file changed, gets
  a new warm process, so a kernel sees exactly the code and settings a launched one would.

Messages are JSON objects over ``SOCK_SEQPACKET`` Unix sockets (one message per packet; a new
connection travels as a file descriptor). The warm process needs Linux (pidfd); elsewhere
kernels are launched (:data:`SUPPORTED`).

This module imports nothing heavy, so a command can start the warm process first thing.
"""
from __future__ import annotations

import atexit
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from toolkit.runs.lifetime import die_with_parent

SUPPORTED = sys.platform.startswith("linux") and hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")

# What the warm process imports: what every report kernel imports first (ipykernel, then the
# toolkit modules the report notebooks import, and so pandas, matplotlib, openpyxl, pydantic...).
# Importing runs no report code; nothing here may depend on a kernel being there either:
# matplotlib's backend is chosen only when a kernel draws its first figure.
WARM_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython.display", "PIL.PngImagePlugin",
                "toolkit.reports.notebook", "toolkit.reports.tables", "toolkit.reports.charts",
                "toolkit.reports.data_quality", "toolkit.reports.overview")
_TOOLKIT = Path(__file__).resolve().parent.parent
_INLINE = "module://matplotlib_inline.backend_inline"  # what ipykernel puts in MPLBACKEND before a notebook imports matplotlib
_PER_KERNEL = ("JPY_", "PYTHONEXECUTABLE")  # environment jupyter_client sets for each kernel, not for the warm process
_PACKET = 1 << 17


def _send(sock: socket.socket, message: dict, fds: tuple[int, ...] = ()) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.send(data)


def _receive(sock: socket.socket) -> tuple[dict | None, list[int]]:
    data, fds, _flags, _addr = socket.recv_fds(sock, _PACKET, 1)
    return (json.loads(data) if data else None), fds


def _kernel_env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith(_PER_KERNEL)}


def _code_changed_since(when: float) -> bool:
    """True when a toolkit source file is newer than ``when`` (a timestamp)."""
    return any(f.stat().st_mtime > when for f in _TOOLKIT.rglob("*.py"))


class Connection:
    """One client's socket to a warm process: ask it for kernels."""

    def __init__(self, sock: socket.socket, env: dict[str, str], started: float | None = None):
        self.sock, self.env = sock, _kernel_env(env)
        self.started = time.time() if started is None else started  # the warm process imported the toolkit after this
        self.ready = False
        self._lock = threading.Lock()

    def wait_ready(self) -> None:
        """Wait until the warm process has imported everything (it says so once on each connection)."""
        with self._lock:
            self._wait_ready()

    def _wait_ready(self) -> None:
        if not self.ready:
            self._answer("ready")
            self.ready = True

    def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> int:
        """A new kernel running the kernel app's ``argv`` in ``cwd``; its pid."""
        with self._lock:
            self._wait_ready()
            _send(self.sock, {"fork": {"argv": argv, "env": env, "cwd": cwd}})
            return self._answer("pid")["pid"]

    def adopt(self, sock: socket.socket) -> None:
        """Hand the warm process another connection (for a child process); no answer, so no wait for its imports."""
        with self._lock:
            _send(self.sock, {"adopt": True}, (sock.fileno(),))

    def _answer(self, key: str) -> dict:
        try:
            reply, _fds = _receive(self.sock)
        except OSError:
            reply = None
        if reply is None:
            raise RuntimeError("the warm kernel process has stopped")
        if key not in reply:
            raise RuntimeError(reply.get("error", f"unexpected answer from the warm kernel process: {reply}"))
        return reply

    def usable(self, env: dict[str, str]) -> bool:
        """Whether its kernels are what a kernel launched now with ``env`` would be."""
        return self.env == _kernel_env(env) and self.sock.fileno() >= 0 and not _code_changed_since(self.started)

    def close(self) -> None:
        self.sock.close()


class WarmProcess:
    """A running warm process this process started, and the connection it gives us."""

    def __init__(self, env: dict[str, str]):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # -P: the working directory is not on sys.path (each kernel puts its own there, as `python -m` would)
        self.proc = subprocess.Popen([sys.executable, "-P", "-m", "toolkit.runs.kernel_fork", str(theirs.fileno())],
                                     env=_kernel_env(env), stdin=subprocess.DEVNULL, pass_fds=(theirs.fileno(),),
                                     preexec_fn=die_with_parent)
        theirs.close()
        self.connection = Connection(ours, env)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        """Stop it: when it has finished importing it sees its first connection close, kills its kernels and exits."""
        self.connection.close()
        if not self.connection.ready:
            self.proc.kill()  # still importing, and it reads its connections only after that
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


_warm: WarmProcess | None = None  # the warm process this process started
_connection: Connection | None = None  # the connection this process asks for kernels on (ours, or one handed to us)
_lock = threading.Lock()


def start(env: dict[str, str] | None = None) -> Connection | None:
    """The connection to a warm process for kernels with environment ``env``; started now if needed.

    None where forking kernels is not supported. Call it from the main thread the first time:
    the warm process dies when the thread that started it exits (``PR_SET_PDEATHSIG`` follows
    threads), after which it is started again.
    """
    global _warm, _connection
    if not SUPPORTED:
        return None
    env = dict(os.environ) if env is None else env
    with _lock:
        if _connection is not None and _connection.usable(env) and (_warm is None or _warm.alive()):
            return _connection
        if _warm is not None:
            _warm.close()
        _warm = WarmProcess(env)
        _connection = _warm.connection
        return _connection


def connection_for_child() -> Connection | None:
    """A new connection to this process's warm process, for a child process to :func:`use` (close ours after forking)."""
    conn = start()
    if conn is None:
        return None
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    conn.adopt(theirs)
    theirs.close()
    return Connection(ours, conn.env, conn.started)


def use(connection: Connection | None) -> None:
    """In a child process: ask for kernels on ``connection`` (from :func:`connection_for_child`) from now on."""
    global _warm, _connection
    if connection is not None:
        with _lock:
            _warm = None  # the parent's; not ours to stop
            _connection = connection


@atexit.register
def stop() -> None:
    """Stop this process's warm process (its kernels die with it); also done at exit, so that it is waited for."""
    global _warm, _connection
    with _lock:
        if _warm is not None:
            _warm.close()
        _warm = _connection = None


# ----------------------------------------------------------------------------- the warm process


def _kernel(request: dict, warm_pid: int, ready: int) -> None:
    """In the forked child: become a kernel for ``request``; never returns."""
    code = 1
    try:
        os.setsid()  # its own session and process group: an interrupt reaches the kernel, not us
        os.write(ready, b"1")
        os.close(ready)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
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
    atexit._run_exitfuncs()  # what the interpreter does on exit; then never return into the warm process's loop
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    os._exit(code)


class _Server:
    """The warm process's loop: connections ask for kernels; a closed connection's kernels are killed."""

    def __init__(self, first: socket.socket):
        self.first = first
        self.kernels: dict[socket.socket, dict[int, int]] = {first: {}}  # connection -> {pidfd: pid}
        self.me = os.getpid()

    def run(self) -> None:
        self.reply(self.first, {"ready": True})  # the process that started us may have finished already
        while self.first in self.kernels:
            pidfds = {fd: conn for conn, ks in self.kernels.items() for fd in ks}
            readable, _, _ = select.select([*self.kernels, *pidfds], [], [])
            for r in readable:
                if isinstance(r, int):  # a kernel exited: reap it (its time counts as ours, as a child's does)
                    os.waitid(os.P_PIDFD, r, os.WEXITED)
                    del self.kernels[pidfds[r]][r]
                    os.close(r)
                elif r in self.kernels:
                    self.serve(r)

    def serve(self, conn: socket.socket) -> None:
        try:
            request, fds = _receive(conn)
        except OSError:
            request, fds = None, []
        if request is None:
            self.drop(conn)
        elif "adopt" in request:
            child = socket.socket(fileno=fds[0])
            self.kernels[child] = {}
            self.reply(child, {"ready": True})
        elif "fork" in request:
            self.fork(conn, request["fork"])

    def fork(self, conn: socket.socket, request: dict) -> None:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            for c, kernels in self.kernels.items():
                c.close()
                for fd in kernels:
                    os.close(fd)
            _kernel(request, self.me, w)
        os.close(w)
        started = os.read(r, 1)  # the kernel leads its own session now
        os.close(r)
        self.kernels[conn][os.pidfd_open(pid)] = pid  # our child, not yet reaped: its pid is still its own
        self.reply(conn, {"pid": pid} if started else {"error": "the kernel did not start"})

    def reply(self, conn: socket.socket, message: dict) -> None:
        try:
            _send(conn, message)
        except OSError:
            self.drop(conn)

    def drop(self, conn: socket.socket) -> None:
        """A client has gone: so do the kernels it asked for."""
        for fd in self.kernels.pop(conn, {}):
            try:
                signal.pidfd_send_signal(fd, signal.SIGKILL)
                os.waitid(os.P_PIDFD, fd, os.WEXITED)
            except (ProcessLookupError, ChildProcessError):
                pass
            os.close(fd)
        conn.close()


def serve(fd: int) -> None:
    """The warm process: import, then fork kernels for its connections until the first one closes."""
    die_with_parent(os.getppid())
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
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the command; it stops us
    _Server(socket.socket(fileno=fd)).run()
    os._exit(0)  # nothing to flush or save: skip tearing down all those modules, the command is waiting


if __name__ == "__main__":
    serve(int(sys.argv[1]))
