"""Processes we start die with their parent, whatever killed it.

cron's timeout, the OOM killer or an impatient user sends SIGKILL to the ``thidua`` process,
which has no chance to clean up. Its batch workers (about 190 MB each), Voilà and their kernels
must not live on, blocked on a pipe to a dead parent. On Linux the kernel does it for us: a
process asks, with ``prctl(PR_SET_PDEATHSIG)``, to receive SIGKILL when its parent thread exits.

The request must be made in the child, and never from ``subprocess``'s ``preexec_fn``: Python
documents that hook as unsafe in a process that runs threads (the child may deadlock on a lock
another thread held at fork), and Voilà, pytest and our batch all run threads. So a child is
started through a tiny launcher instead (:func:`launcher`): ``python -m toolkit.runs.lifetime
--parent PID -- CMD...`` arms the death signal, checks that its parent is still ``PID`` (else
the parent died while starting it, and it exits at once), then ``exec``s ``CMD``: the death
signal survives the exec of a program that is not set-user-ID. The parent is named explicitly
because the launcher cannot tell its original parent from the process it was re-parented to.

The death signal follows the parent *thread*: a parent must start such a child from a thread
that lives as long as it does (the main thread, as ``thidua app`` and the tests do).
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1
MODULE = "toolkit.runs.lifetime"


def die_with_parent(parent_pid: int | None = None) -> bool:
    """Ask to be killed when the parent exits; exit now if it already has. False where unsupported.

    ``parent_pid``: the parent expected (the death signal is armed after fork, so the parent may
    already be gone, in which case this process was re-parented and exits at once).
    """
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
        return False
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)
    return True


def launcher(argv: list[str], parent_pid: int | None = None) -> list[str]:
    """The command line that runs ``argv`` as a child that dies with ``parent_pid`` (default: this process).

    Give it to ``subprocess.Popen`` from the process (and thread) that is to be the parent; the
    child keeps the launcher's pid, since the launcher replaces itself with ``argv``. The launcher
    is this very file, run by path in isolated mode (``-I``: only the standard library, which is all
    it needs), so it works whatever the child's environment makes importable.
    """
    if not argv:
        raise ValueError("no command to launch")
    return [sys.executable, "-I", os.path.abspath(__file__), "--parent", str(parent_pid or os.getpid()), "--", *map(str, argv)]


def main(args: list[str]) -> None:
    """``--parent PID -- CMD...``: arm the death signal, check the parent, become ``CMD``."""
    if len(args) < 4 or args[0] != "--parent" or args[2] != "--" or not args[1].isdigit():
        sys.stderr.write(f"usage: python -m {MODULE} --parent PID -- COMMAND [ARGUMENT...]\n")
        sys.exit(2)
    parent, command = int(args[1]), args[3:]
    if not die_with_parent(parent) and os.getppid() != parent:  # not Linux: at least not start an orphan
        sys.exit(1)
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        sys.stderr.write(f"{MODULE}: cannot run {command[0]}: {exc}\n")
        sys.exit(127)


if __name__ == "__main__":
    main(sys.argv[1:])
