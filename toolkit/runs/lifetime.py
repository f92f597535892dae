"""Processes we start die with their parent, whatever killed it.

cron's timeout, the OOM killer or an impatient user sends SIGKILL to the ``thidua`` process,
which has no chance to clean up. Its batch workers (about 190 MB each) and their kernels must
not live on, blocked on a pipe to a dead parent. On Linux the kernel does it for us: a process
asks, with ``prctl(PR_SET_PDEATHSIG)``, to receive SIGKILL when its parent thread exits.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


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
