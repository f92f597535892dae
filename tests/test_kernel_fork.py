"""Kernels forked from the warm process: the same report as a launched kernel, and no kernel outlives its client."""
from __future__ import annotations

import os
import select
import sys
import time

import pytest

from conftest import spawn
from toolkit.runs import kernel_fork

pytestmark = pytest.mark.skipif(not kernel_fork.SUPPORTED, reason="kernels are forked on Linux only (pidfd)")


def _gone(pid: int, timeout: float = 20) -> bool:
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)


def _kernel_arguments(tmp_path) -> list[str]:
    from jupyter_client.connect import write_connection_file

    connection_file, _info = write_connection_file(str(tmp_path / "kernel.json"))
    return ["-f", connection_file, "--IPKernelApp.log_level=ERROR"]


@pytest.mark.slow
def test_a_forked_kernel_gives_the_report_of_a_launched_one(tmp_path, monkeypatch):
    """Byte for byte: results/*.csv, results.xlsx and report.html apart from its footer."""
    from toolkit.runs import runner

    forked = runner.run_report("van-hoa-xa-hoi", "2019", reports_dir=tmp_path / "forked").folder
    assert kernel_fork._connection is not None, "the report's kernel came from the warm process"
    monkeypatch.setattr(kernel_fork, "SUPPORTED", False)  # as on a system without pidfd: launched by jupyter_client
    launched = runner.run_report("van-hoa-xa-hoi", "2019", reports_dir=tmp_path / "launched").folder
    files = sorted(p.relative_to(forked) for p in forked.rglob("*") if p.suffix in (".csv", ".xlsx"))
    assert len(files) > 5
    for rel in files:
        assert (forked / rel).read_bytes() == (launched / rel).read_bytes(), rel

    def body(folder):
        return [ln for ln in (folder / "report.html").read_text(encoding="utf-8").splitlines() if "Tạo bởi thidua" not in ln]

    assert body(forked) == body(launched)


@pytest.mark.slow
def test_a_closed_connection_takes_its_kernels_along(tmp_path):
    conn = kernel_fork.connection_for_child()  # what a batch worker gets
    pid = conn.fork(_kernel_arguments(tmp_path), dict(os.environ), str(tmp_path))
    assert not _gone(pid, 0.5), "the kernel runs"
    assert os.getsid(pid) == pid, "in a session of its own, as jupyter_client starts kernels"
    conn.close()  # the worker ended, or was killed for passing its time limit
    assert _gone(pid), "the warm process killed the kernel of the closed connection"
    assert kernel_fork.start() is not None  # the warm process itself serves on


def test_another_environment_gets_another_warm_process():
    first = kernel_fork.start()
    assert kernel_fork.start({**os.environ, "JPY_SESSION_NAME": "x"}) is first, "per-kernel settings do not count"
    other = kernel_fork.start({**os.environ, "THIDUA_DATA": "/elsewhere"})
    assert other is not first and other.env["THIDUA_DATA"] == "/elsewhere"
    kernel_fork.stop()


@pytest.mark.slow
def test_the_warm_process_and_its_kernels_die_with_their_parent(tmp_path):
    """kill -9 of the process that started the warm process: nothing of it is left."""
    import subprocess

    script = ("import os, sys\nfrom toolkit.runs import kernel_fork\n"
              "from jupyter_client.connect import write_connection_file\n"
              f"f, _ = write_connection_file({str(tmp_path / 'k.json')!r})\n"
              "conn = kernel_fork.start()\n"
              f"pid = conn.fork(['-f', f], dict(os.environ), {str(tmp_path)!r})\n"
              "print(kernel_fork._warm.proc.pid, pid, flush=True)\nsys.stdin.read()\n")
    proc = spawn([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    warm, kernel = (int(x) for x in proc.stdout.readline().split())
    assert not _gone(warm, 0.2) and not _gone(kernel, 0.2)
    proc.kill()
    proc.wait()
    assert _gone(warm) and _gone(kernel)
    time.sleep(0.1)


def test_a_changed_toolkit_file_gets_another_warm_process(tmp_path, monkeypatch):
    """The warm process imported the toolkit: after an edit, kernels must see the new code, as launched ones would."""
    source = tmp_path / "rules.py"
    source.write_text("x = 1\n")
    os.utime(source, (time.time() - 60, time.time() - 60))
    monkeypatch.setattr(kernel_fork, "_TOOLKIT", tmp_path)
    first = kernel_fork.start()
    assert kernel_fork.start() is first
    os.utime(source, (time.time() + 1, time.time() + 1))  # edited after the warm process started
    assert kernel_fork.start() is not first
    kernel_fork.stop()


@pytest.mark.slow
@pytest.mark.parametrize("forked", [True, False], ids=["forked", "launched"])
def test_the_client_is_ready_with_iopub_connected_and_flushed(tmp_path, monkeypatch, forked):
    """Ready without jupyter_client's 0.2 s of silence: nothing of kernel_info is left on IOPub, and
    the first cell's output arrives (it would be lost if IOPub were not yet connected). A report
    kernel keeps its IPython history in memory; the kernel spec JupyterLab and Voilà launch does not ask that."""
    import asyncio
    from queue import Empty

    from toolkit.runs.kernel import ForkedKernel, ProjectKernelClient, ProjectKernelManager

    monkeypatch.setattr(kernel_fork, "SUPPORTED", forked)
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))  # the kernel's "~/.ipython"

    async def session():
        km = ProjectKernelManager(kernel_name="thidua")
        await km.start_kernel(cwd=str(tmp_path))
        kc = km.client()
        assert isinstance(kc, ProjectKernelClient)
        assert isinstance(km.provisioner.process, ForkedKernel) is forked
        kc.start_channels()
        try:
            for _ in range(3):  # the same client again: ready at once, and still nothing left behind
                await kc.wait_for_ready(timeout=60)
                with pytest.raises(Empty):
                    await kc.iopub_channel.get_msg(timeout=0.3)
            request = kc.execute("print('xin chào', get_ipython().history_manager.hist_file)")
            texts = []
            while True:
                msg = await kc.iopub_channel.get_msg(timeout=20)
                if msg["parent_header"].get("msg_id") != request:
                    continue
                if msg["msg_type"] == "stream":
                    texts.append(msg["content"]["text"])
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
            assert "".join(texts) == "xin chào :memory:\n", "a report kernel keeps its IPython history in memory"
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
        return km

    km = asyncio.run(session())
    assert not km.has_kernel
    assert not list((tmp_path / "ipython").rglob("*.sqlite")), "nothing of a report in the user's IPython folder"
    from toolkit.runs.kernel import spec_dict

    assert not any("HistoryManager" in a for a in spec_dict()["argv"])


@pytest.mark.slow
def test_waiting_for_a_kernel_that_does_not_answer_ends_at_its_timeout(tmp_path):
    """A stopped kernel never answers kernel_info: the wait gives up at its timeout with a message, it does not hang."""
    import asyncio
    import signal as signals

    from toolkit.runs.kernel import ProjectKernelManager

    async def session():
        km = ProjectKernelManager(kernel_name="thidua")
        await km.start_kernel(cwd=str(tmp_path))
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            km.provisioner.process.send_signal(signals.SIGSTOP)
            with pytest.raises(RuntimeError, match="didn't respond in 2 seconds"):
                await asyncio.wait_for(kc.wait_for_ready(timeout=2), 30)
        finally:
            km.provisioner.process.send_signal(signals.SIGCONT)
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    asyncio.run(session())
