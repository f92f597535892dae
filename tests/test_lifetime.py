"""A child started through toolkit.runs.lifetime dies with its parent, even one killed just as it starts the child."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import gone, processes
from toolkit.runs.lifetime import launcher

ROOT = Path(__file__).resolve().parent.parent

# The parent: says "go" on stdout just before it starts the child, then waits to be killed.
PARENT = """
import subprocess, sys, time
from toolkit.runs.lifetime import launcher
sys.stdout.write("go\\n"); sys.stdout.flush()
subprocess.Popen(launcher(["sleep", sys.argv[1]]))
time.sleep(120)
"""


@pytest.mark.parametrize("delay", [0.0, 0.002, 0.005, 0.01, 0.02, 0.04, 0.08, 0.15, 0.4])
def test_kill_9_of_the_parent_leaves_nothing_behind(delay):
    """The parent is killed with SIGKILL at several instants after it starts its child: before the
    fork, while the launcher starts (its parent may die before the death signal is armed), and once
    the command runs. Whatever the instant, neither the launcher nor the command outlives it."""
    marker = f"{1000 + uuid.uuid4().int % 1000}.{uuid.uuid4().int % 10**6:06d}"  # `sleep` takes a fraction
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    parent = subprocess.Popen([sys.executable, "-c", PARENT, marker], stdout=subprocess.PIPE, env=env)
    try:
        assert parent.stdout.readline() == b"go\n"
        time.sleep(delay)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        left = gone(argv=marker)
        assert not left, f"killed {delay} s after starting its child, the parent left {left} behind"
    finally:
        for pid in processes(argv=marker):
            os.kill(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_the_command_runs_with_the_launchers_pid_and_exit_code(tmp_path):
    """The launcher becomes the command: same pid (callers signal and wait for it), same exit code."""
    out = tmp_path / "pid"
    proc = subprocess.Popen(launcher([sys.executable, "-c", f"import os, sys; open({str(out)!r}, 'w').write(str(os.getpid())); sys.exit(7)"]))
    assert proc.wait(timeout=60) == 7
    assert int(out.read_text()) == proc.pid


def test_a_child_whose_parent_is_not_the_one_named_exits_at_once():
    """Started by another process than the one named (the named parent died during the start): exits with 1, runs nothing."""
    proc = subprocess.run(launcher(["sleep", "30"], parent_pid=1), timeout=30)
    assert proc.returncode == 1
