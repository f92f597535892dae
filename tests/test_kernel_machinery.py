"""A report fails only for its own notebook or data: fault injection into the machinery that runs it.

Each case breaks a kernel or a worker on purpose (a kernel that exits or stops at start, one
killed in the middle of a report, a worker killed or stopped, the batch parent killed at many
instants) and checks what a scheduled run must guarantee: the report is retried on a fresh
kernel or worker and comes out ok, the failure is noticed within about a second rather than
after a whole timeout, and nothing is left running.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from conftest import gone, processes, spawn
from toolkit.errors import KernelError
from toolkit.runs import runner
from toolkit.runs.kernel import ProjectKernelManager, runtime_dir
from toolkit.runs.lifetime import launcher

BIN = Path(sys.executable).parent
BLOCS = ["kinh-te-ky-thuat", "noi-chinh-tong-hop", "van-hoa-xa-hoi"]
START_TIMEOUT = 60  # papermill's kernel start timeout: a failure must be known long before it
QUICK = 10  # seconds: "within about a second", with room for a loaded 2-core machine

def _flaky_launch(monkeypatch, bad_command: list[str], times: int = 1) -> list[float]:
    """Make the first ``times`` report kernels run ``bad_command`` instead; return the launch instants."""
    launches: list[float] = []
    original = ProjectKernelManager.format_kernel_cmd

    def launch(self, extra_arguments=None):
        cmd = original(self, extra_arguments)
        launches.append(time.monotonic())
        return bad_command if len(launches) <= times else cmd

    monkeypatch.setattr(ProjectKernelManager, "format_kernel_cmd", launch)
    return launches


# stand-ins for a kernel, started through the lifetime launcher: a stand-in left stopped dies with this process
EXITS_AT_ONCE = launcher([sys.executable, "-c", "import sys; sys.exit(3)"])
STOPS_ITSELF = launcher([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSTOP)"])


@pytest.mark.slow
@pytest.mark.parametrize("bad", [EXITS_AT_ONCE, STOPS_ITSELF], ids=["exits-at-start", "stopped-at-start"])
def test_a_kernel_that_cannot_start_is_noticed_at_once_and_the_report_retried(tmp_path, monkeypatch, caplog, bad):
    launches = _flaky_launch(monkeypatch, bad)
    caplog.set_level(logging.WARNING, "thidua.run")
    result = runner.run_report("van-hoa-xa-hoi", "2019", reports_dir=tmp_path)
    assert result.status == "ok" and result.attempts == 2
    assert len(launches) == 2
    assert launches[1] - launches[0] < QUICK, f"the failed kernel was waited on for {launches[1] - launches[0]:.0f} s"
    record = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert record["attempts"] == 2, "the manifest says the report took a second kernel"
    assert "nhân Jupyter lỗi" in caplog.text and "KernelStartError" in caplog.text, "the first failure is in the log"


@pytest.mark.slow
def test_a_kernel_that_fails_twice_is_a_machinery_error_not_the_reports(tmp_path, monkeypatch):
    launches = _flaky_launch(monkeypatch, EXITS_AT_ONCE, times=2)
    t = time.monotonic()
    with pytest.raises(KernelError, match="không phải do sổ tay hay dữ liệu"):
        runner.run_report("van-hoa-xa-hoi", "2019", reports_dir=tmp_path)
    assert len(launches) == 2 and time.monotonic() - t < START_TIMEOUT
    assert not (tmp_path / "2019" / "van-hoa-xa-hoi").exists(), "no report is filed"


def _notebook(path: Path, body: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(body)])
    nb.metadata["kernelspec"] = {"name": "thidua", "display_name": "Python (thidua)", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_a_kernel_killed_in_the_middle_of_a_report_is_replaced(tmp_path):
    """As the OOM killer would: the first kernel dies during a cell; the report runs again on a new one."""
    flag = tmp_path / "killed-once"
    nb = _notebook(tmp_path / "dies.ipynb", f"import os, pathlib, signal\nflag = pathlib.Path({str(flag)!r})\n"
                                            "if not flag.exists():\n    flag.touch()\n    os.kill(os.getpid(), signal.SIGKILL)\n"
                                            "print('xong')")
    t = time.monotonic()
    result = runner.execute_report(nb, tmp_path / "out", {}, {}, "thử nghiệm")
    assert time.monotonic() - t < START_TIMEOUT
    assert result.attempts == 2
    out = nbformat.read(result.folder / "report.ipynb", as_version=4)
    assert out.cells[-1].outputs[0]["text"] == "xong\n"


@pytest.mark.slow
def test_a_cell_past_its_time_is_the_reports_own_failure_not_retried(tmp_path):
    nb = _notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(60)")
    with pytest.raises(runner.ReportError, match="quá 2 giây") as caught:
        runner.execute_report(nb, tmp_path / "out", {}, {}, "thử nghiệm", timeout=2)
    assert not isinstance(caught.value, KernelError)


def _unix_socket_paths(pid: int) -> set[str]:
    """Paths of the Unix sockets process ``pid`` holds (its own inodes, looked up in /proc/net/unix)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    paths = set()
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) == 8 and fields[6] in inodes:
            paths.add(fields[7])
    return paths


@pytest.mark.slow
def test_report_kernels_talk_over_sockets_in_a_private_folder_not_ports(tmp_path):
    """Nothing to race for: with TCP, jupyter_client picks five free ports and the kernel binds them
    later, and two batches on one machine once picked the same one ("Address already in use"). A
    path in a folder only this process can write to cannot be taken. (ipykernel binds one TCP port
    of its own for subprocess output, itself, retrying another port when one is taken.)"""
    async def session():
        km = ProjectKernelManager(kernel_name="thidua")
        await km.start_kernel(cwd=str(tmp_path))
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=START_TIMEOUT)
            return km.get_connection_info(), _unix_socket_paths(km.provisioner.process.pid), km.connection_file
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    info, sockets, connection_file = asyncio.run(session())
    assert info["transport"] == "ipc"
    channels = {f"{info['ip']}-{info[f'{name}_port']}" for name in ("shell", "iopub", "stdin", "control", "hb")}
    assert len(channels) == 5 and channels <= sockets, "the kernel listens on its five channels' socket files"
    folder = runtime_dir()
    assert Path(connection_file).parent == folder and all(Path(c).parent == folder for c in channels)
    mode = os.stat(folder)
    assert stat.S_IMODE(mode.st_mode) & 0o777 == 0o700 and mode.st_uid == os.getuid()  # (jupyter_client adds the sticky bit)
    assert not list(folder.glob(Path(connection_file).stem + "*")), "a finished kernel's files are removed"


def _thidua_run(tmp_path, marker: str, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "THIDUA_TEST_RUN": marker}
    args = [str(BIN / "thidua"), "run", "--bloc", "all", "--period", "2019", "--jobs", "2", "--force",
            "--reports", str(tmp_path), *extra]
    return spawn(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, text=True)


def _attempts(tmp_path) -> dict[str, int]:
    return {bloc: json.loads((tmp_path / "2019" / bloc / "manifest.json").read_text(encoding="utf-8"))["attempts"]
            for bloc in BLOCS}


def _hit_mid_batch(tmp_path, signum: int, *, worker: bool) -> tuple[str, str, int]:
    """Run a batch and send ``signum`` to its first report kernel (or that kernel's worker); out, err, exit code."""
    marker = uuid.uuid4().hex
    proc = _thidua_run(tmp_path, marker)
    try:
        deadline = time.time() + 120
        while not (kernels := processes(environ=marker, argv="toolkit.runs.kernel_launcher")) and time.time() < deadline:
            time.sleep(0.05)
        assert kernels, "the batch started no kernel"
        target = kernels[0]
        if worker:
            target = int(Path(f"/proc/{target}/stat").read_text().rsplit(")", 1)[1].split()[1])  # the kernel's parent
            assert target != proc.pid
        os.kill(target, signum)
        out, err = proc.communicate(timeout=300)
    finally:
        proc.kill()
        for pid in processes(environ=marker):
            os.kill(pid, signal.SIGKILL)
    assert gone(environ=marker) == [], "a process of the run is still there"
    return out, err, proc.returncode


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGSTOP], ids=["kill-9", "sigstop"])
def test_a_kernel_killed_or_stopped_mid_batch_costs_one_retry_not_the_night(tmp_path, signum):
    t = time.monotonic()
    out, err, code = _hit_mid_batch(tmp_path, signum, worker=False)
    assert code == 0, out + err
    assert time.monotonic() - t < START_TIMEOUT * 2, "the hit kernel was waited on"
    assert sorted(_attempts(tmp_path).values()) == [1, 1, 2], "exactly the hit report took a second kernel"


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGSTOP], ids=["kill-9", "sigstop"])
def test_a_worker_killed_or_stopped_mid_batch_is_replaced_and_its_report_retried(tmp_path, signum):
    out, err, code = _hit_mid_batch(tmp_path, signum, worker=True)
    assert code == 0, out + err
    assert "chạy lại báo cáo trên tiến trình mới" in err
    for bloc in BLOCS:
        assert (tmp_path / "2019" / bloc / "report.html").exists()


# instants after the start of `thidua run`: while it imports, spawns its workers, while they start
# their kernels, while kernels import and run, and while the overview is started
KILL_AT = (0.0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.25, 1.5, 1.8, 2.1, 2.5, 3.0, 3.5, 4.2, 5.0, 6.0, 8.0)


@pytest.mark.slow
def test_kill_9_of_the_batch_parent_at_twenty_instants_leaves_nothing_running_and_a_rerun_finishes(tmp_path):
    left = {}
    for at in KILL_AT:
        marker = uuid.uuid4().hex
        proc = _thidua_run(tmp_path, marker)
        time.sleep(at)
        proc.kill()
        proc.communicate()
        if remaining := gone(environ=marker, within=10):
            left[at] = remaining
            for pid in remaining:
                os.kill(pid, signal.SIGKILL)
    assert left == {}, f"processes left after kill -9 of the parent at these instants (seconds): {left}"
    rerun = _thidua_run(tmp_path, uuid.uuid4().hex)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, out + err
    assert not [p for p in (tmp_path / "2019").iterdir() if p.name.startswith(".")], "a leftover of a killed run"
    for bloc in BLOCS:
        record = json.loads((tmp_path / "2019" / bloc / "manifest.json").read_text(encoding="utf-8"))
        assert all((tmp_path / "2019" / bloc / rel).is_file() for rel in record["outputs"])


@pytest.mark.slow
def test_a_toolkit_module_touched_mid_batch_changes_nothing(tmp_path):
    """A `git pull` during a night run: the reports go on (each kernel imports the code it finds)."""
    module = Path(runner.__file__).parent.parent / "engine" / "scoring.py"
    before = os.stat(module)
    marker = uuid.uuid4().hex
    proc = _thidua_run(tmp_path, marker)
    try:
        deadline = time.time() + 120
        while not processes(environ=marker, argv="toolkit.runs.kernel_launcher") and time.time() < deadline:
            time.sleep(0.05)
        os.utime(module, (time.time() + 3600, time.time() + 3600))  # newer than anything, even in the future
        out, err = proc.communicate(timeout=300)
    finally:
        os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns))
        proc.kill()
    assert proc.returncode == 0, out + err
    assert set(_attempts(tmp_path).values()) == {1}
