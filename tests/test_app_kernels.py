"""`thidua app`'s kernels: a closed page's kernel is freed after the idle timeout, the preheated pool is kept,
and a kernel taken from the pool after a quiet spell is not culled before its page can connect."""
from __future__ import annotations

import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import spawn

ROOT = Path(__file__).resolve().parent.parent
IDLE = 4  # seconds: `thidua app --idle-timeout`; the culler looks every second


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(parent: int) -> list[tuple[int, str]]:
    """(pid, command line) of the live processes whose parent is ``parent``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent and fields[0] != "Z":
                found.append((int(stat.parent.name), (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=120) as answer:
        return answer.read().decode("utf-8")


def _until(check, what: str, log: Path, timeout: float = 120):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            found = check()
        except OSError:
            found = None
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{what} not after {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.mark.slow
def test_a_closed_pages_kernel_is_culled_and_the_pool_is_kept(tmp_path, small_data):
    from toolkit.cli.app_command import voila_command

    port, token = _free_port(), secrets.token_urlsafe(16)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    argv, env = voila_command(port, runtime, data_dir=small_data, reports_dir=tmp_path / "reports", token=token, pool=1,
                              idle_timeout=IDLE)
    env.update({"JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
                "IPYTHONDIR": str(tmp_path / "ipython"), "JUPYTER_PLATFORM_DIRS": "1"})
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "voila.log"
    with open(log, "wb") as out:
        proc = spawn(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        def kernels() -> set[str]:  # Voilà lists no kernels: its kernel processes, by the id in their connection file's name
            return {m.group(1) for pid, cmd in _children(proc.pid) if "kernel_launcher" in cmd
                    for m in [re.search(r"kernel-([0-9a-f-]{36})\.json", cmd)] if m}

        pool = _until(kernels, "a preheated kernel", log)
        assert len(pool) == 1
        time.sleep(3 * IDLE)  # the pool's kernel, idle all along, is never culled
        assert kernels() == pool
        page = _get(f"{base}/?token={token}")  # a visitor opens the page and leaves without connecting (a closed tab)
        handed_out = time.monotonic()
        visitor = set(re.findall(r'"kernelId":\s*"([0-9a-f-]{36})"', page)) or set(re.findall(r"([0-9a-f]{8}-[0-9a-f-]{27})", page))
        assert visitor & pool, "the visitor got the preheated kernel"
        _until(lambda: not (kernels() & visitor), "the closed page's kernel shut down", log, timeout=90)
        # idle for long before it was handed out, it was still given time for its page to connect:
        # the idle timeout less one round of the culler (1 s here), not culled at the next round
        assert time.monotonic() - handed_out >= IDLE - 1.5
        refilled = _until(kernels, "the pool refilled", log)
        assert len(refilled) == 1 and not refilled & visitor
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
