"""Batch runs: lock, recovery after a kill, skipping unchanged reports, timeouts, exit codes, verify."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conftest import processes, spawn
from toolkit.model import files
from toolkit.runs import batch
from toolkit import config

BIN = Path(sys.executable).parent
BLOCS = ["kinh-te-ky-thuat", "noi-chinh-tong-hop", "van-hoa-xa-hoi"]


def thidua(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "thidua"), *args], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=900, **kw)


def dead_writer() -> str:
    """The pid and start time of a process that has ended, as a temporary folder's name carries them."""
    child = spawn([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        return f"{child.pid}-{files._start_time(child.pid)}"
    finally:
        child.kill()
        child.wait()


def test_recover_removes_half_written_and_restores_swapped(tmp_path):
    period = tmp_path / "2018"
    a, b, c = dead_writer(), dead_writer(), dead_writer()
    (period / f".bloc-a.tmp-{a}").mkdir(parents=True)
    (period / f".bloc-a.tmp-{a}" / "report.ipynb").write_text("{}")
    (period / f".bloc-b.old-{b}").mkdir()
    (period / f".bloc-b.old-{b}" / "manifest.json").write_text("{}")
    (period / "bloc-c").mkdir()
    (period / f".bloc-c.old-{c}").mkdir()
    done = batch.recover(tmp_path)
    assert sorted(p.name for p in period.iterdir()) == ["bloc-b", "bloc-c"]
    assert (period / "bloc-b" / "manifest.json").exists()
    assert len(done) == 3


def test_second_run_is_refused_and_told_who_holds_the_lock(tmp_path):
    with batch.reports_lock(tmp_path, "thidua run --bloc all --period 2018"):
        proc = thidua("run", "--bloc", "all", "--period", "2018", "--reports", str(tmp_path))
    assert proc.returncode == 4
    assert f"tiến trình {os.getpid()}" in proc.stderr and "thidua run --bloc all --period 2018" in proc.stderr
    assert not (tmp_path / "2018").exists()


def test_exit_codes():
    o = lambda s: batch.Outcome("b", "2018", "bloc_report", s, 1.0, "")  # noqa: E731
    assert batch.exit_code([o("ok"), o("skipped")]) == 0
    assert batch.exit_code([o("ok"), o("no-data")]) == 3
    assert batch.exit_code([o("no-data"), o("timeout")]) == 1
    assert batch.exit_code([o("failed")]) == 1
    assert batch.exit_code([o("ok"), o("bad-data"), o("no-data")]) == 2


@pytest.mark.slow
def test_cron_line_runs_every_bloc_then_skips_unchanged(tmp_path):
    readme = (config.ROOT / "README.md").read_text(encoding="utf-8")
    line = re.search(r"^(?:[\d*/,-]+\s+){5}(cd .+)$", readme, flags=re.M).group(1)
    command = line.replace("/srv/thidua", str(config.ROOT)).replace(" >> /var/log/thidua.log 2>&1", "")
    command = command.replace("--reports " + str(config.ROOT) + "/reports", f"--reports {tmp_path}")
    assert f"--reports {tmp_path}" in command and "--period latest" in command
    # as cron would on 1 December 2025 (never today's date: the test must not change with the calendar);
    # the sample blocs close the year on 30 November, so 'latest' is 2025 itself
    env = {**os.environ, "THIDUA_TODAY": "2025-12-01"}
    proc = subprocess.run(["bash", "-c", command], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900, env=env)
    assert proc.returncode == 0, proc.stderr
    latest = "2025"
    log_lines = [ln for ln in proc.stderr.splitlines() if re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ", ln)]
    assert len(log_lines) == 4, proc.stderr  # one line per bloc and one for the overview, no progress bar without a terminal
    for bloc in BLOCS:
        assert (tmp_path / latest / bloc / "manifest.json").exists()
        assert bloc in proc.stdout
    assert (tmp_path / latest / "province_overview" / "report.html").exists()
    again = subprocess.run(["bash", "-c", command], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900, env=env)
    assert again.returncode == 0
    assert again.stdout.count("giữ nguyên") == 4, again.stdout


@pytest.mark.slow
def test_overview_agrees_with_each_bloc(tmp_path):
    proc = thidua("run", "--bloc", "all", "--period", "2019", "--reports", str(tmp_path), "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    from toolkit.reports import overview

    ov = overview.load("2019", str(tmp_path))
    leaders = overview.leaders(ov)
    for bloc in BLOCS:
        ranking = pd.read_csv(tmp_path / "2019" / bloc / "results" / "xep_hang.csv")  # machine form: docs/results.md
        first = ranking.loc[ranking["rank"] == 1, "unit"].tolist()
        assert leaders.loc[leaders["Khối"] == ov.names[bloc], "Dẫn đầu"].item() == "; ".join(first)  # blocs by name
    assert "province_overview" in (tmp_path / "2019" / "province_overview" / "manifest.json").read_text()


def _notebook(path: Path, body: str) -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('bloc: str = ""\nperiod: str = ""\ndata_dir: str = ""\noutput_dir: str = ""',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(body)])
    nb.metadata["kernelspec"] = {"name": "thidua", "display_name": "Python (thidua)", "language": "python"}
    nbformat.write(nb, path)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie has died; only its exit status waits to be read)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _launched_kernels(marker: str) -> list[int]:
    """Live kernels started through the kernel launcher with ``marker`` in their environment."""
    return processes(environ=marker, argv="toolkit.runs.kernel_launcher")


@pytest.mark.slow
def test_a_hanging_and_a_failing_report_do_not_stop_the_others(tmp_path, monkeypatch):
    import uuid

    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    pid_file = tmp_path / "hang-kernel.pid"  # the hanging kernel says who it is, however it was started
    _notebook(nbdir / "hang.ipynb", f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
                                    "print('bắt đầu', flush=True)\ntime.sleep(600)")
    _notebook(nbdir / "broken.ipynb", "raise ValueError('số liệu hỏng')")
    _notebook(nbdir / "fine.ipynb", "from toolkit.reports import notebook_api as report\nr = report.load(bloc, period, data_dir)\nprint(len(r.units))")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", nbdir)
    monkeypatch.setenv("THIDUA_NOTEBOOKS", str(nbdir))  # workers are new processes: they read the folder from here
    marker = f"THIDUA_TEST_RUN={uuid.uuid4().hex}"
    monkeypatch.setenv(*marker.split("="))  # inherited by the workers and by every kernel they start
    reports = tmp_path / "reports"
    jobs = [batch.Job("kinh-te-ky-thuat", "2018", "hang"), batch.Job("kinh-te-ky-thuat", "2018", "fine"),
            batch.Job("van-hoa-xa-hoi", "2018", "broken"), batch.Job("van-hoa-xa-hoi", "2018", "fine")]
    t = time.perf_counter()
    out = batch.run_batch(jobs, reports, workers=2, report_timeout=45, force=True)
    assert time.perf_counter() - t < 120
    status = {(o.bloc, o.notebook): o for o in out}
    assert status[("kinh-te-ky-thuat", "hang")].status == "timeout"
    # the timed-out report's kernel is killed, not left sleeping: a kernel goes when its worker's
    # connection closes, which is noticed asynchronously, so allow it a generous moment (not a speed goal)
    kernel = int(pid_file.read_text())
    deadline = time.time() + 30
    while (_alive(kernel) or _launched_kernels(marker)) and time.time() < deadline:
        time.sleep(0.2)
    assert not _alive(kernel), f"the hanging report's kernel (pid {kernel}) is still running"
    assert _launched_kernels(marker) == [], "kernels of the batch are still running"
    assert Path(status[("kinh-te-ky-thuat", "hang")].where).exists(), "the partial notebook is kept for inspection"
    assert status[("van-hoa-xa-hoi", "broken")].status == "failed"
    assert "số liệu hỏng" in status[("van-hoa-xa-hoi", "broken")].message
    assert status[("kinh-te-ky-thuat", "fine")].status == "ok" and status[("van-hoa-xa-hoi", "fine")].status == "ok"
    assert batch.exit_code(out) == 1
    table = batch.summary_table(out)
    assert "QUÁ GIỜ" in table and "LỖI" in table


@pytest.mark.slow
def test_a_cell_past_its_time_limit_fails_the_report_and_keeps_its_partial_notebook(tmp_path, monkeypatch):
    """--cell-timeout: the report fails as a failing cell does (its notebook kept in <bloc>.failed/), not as a toolkit bug."""
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    _notebook(nbdir / "slow_cell.ipynb", "import time\nprint('bắt đầu', flush=True)\ntime.sleep(120)")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", nbdir)
    monkeypatch.setenv("THIDUA_NOTEBOOKS", str(nbdir))  # workers are new processes: they read the folder from here
    [out] = batch.run_batch([batch.Job("kinh-te-ky-thuat", "2018", "slow_cell")], tmp_path / "reports", workers=1,
                            report_timeout=300, cell_timeout=3, force=True)
    assert (out.status, out.message.splitlines()[0]) == ("failed", "Một ô của sổ tay chạy quá 3 giây nên đã bị dừng."), out
    partial = nbformat.read(out.where, as_version=4)
    assert Path(out.where).parent.name == "slow_cell.failed"
    assert "bắt đầu" in "".join(o.get("text", "") for o in partial.cells[-1].outputs)  # it ran until it was stopped


@pytest.mark.slow
def test_killed_batch_is_finished_by_a_rerun(tmp_path):
    args = [str(BIN / "thidua"), "run", "--bloc", "all", "--period", "2018", "--jobs", "1", "--reports", str(tmp_path)]
    proc = spawn(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, start_new_session=True)
    first = tmp_path / "2018" / BLOCS[0] / "manifest.json"
    try:
        deadline = time.time() + 300
        while not first.exists() and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # now in the middle of the second report
    finally:  # the run is in its own session: end it even when the wait fails
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    visible = [p for p in (tmp_path / "2018").iterdir() if not p.name.startswith(".")]
    for folder in visible:  # anything visible is a complete report
        record = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert all((folder / rel).exists() for rel in record["outputs"])
    rerun = thidua(*args[1:])
    assert rerun.returncode == 0, rerun.stderr
    assert "giữ nguyên" in rerun.stdout.splitlines()[1], rerun.stdout  # the finished report was kept
    assert not [p for p in (tmp_path / "2018").iterdir() if p.name.startswith(".") and p.is_dir()]
    for bloc in BLOCS:
        assert (tmp_path / "2018" / bloc / "report.html").exists()


@pytest.mark.slow
def test_kill_9_of_the_parent_leaves_no_worker_or_kernel_behind(tmp_path):
    """cron's timeout or the OOM killer kills only the parent: its workers and kernels must go too."""
    import uuid

    marker = f"THIDUA_TEST_RUN={uuid.uuid4().hex}"
    env = {**os.environ, marker.split("=")[0]: marker.split("=")[1]}
    args = [str(BIN / "thidua"), "run", "--bloc", "all", "--period", "2018", "--jobs", "2", "--reports", str(tmp_path)]
    proc = spawn(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
    deadline = time.time() + 120
    while len(processes(environ=marker)) < 4 and time.time() < deadline:  # parent, 2 workers, at least one kernel
        time.sleep(0.1)
    assert len(processes(environ=marker)) >= 4, "the batch did not start its workers and kernels"
    os.kill(proc.pid, signal.SIGKILL)  # the parent alone, not its group
    proc.wait()
    deadline = time.time() + 15
    while processes(environ=marker) and time.time() < deadline:
        time.sleep(0.2)
    assert processes(environ=marker) == [], "processes of the killed run are still alive"
    rerun = thidua(*args[1:])
    assert rerun.returncode == 0, rerun.stderr
    for bloc in BLOCS:
        assert (tmp_path / "2018" / bloc / "report.html").exists()


@pytest.mark.slow
def test_verify_says_identical_then_names_the_changed_input(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, data)
    proc = thidua("run", "--bloc", "kinh-te-ky-thuat", "--period", "2018-H1", "--data", str(data), "--reports", str(tmp_path / "r"))
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "r" / "2018-H1" / "kinh-te-ky-thuat"
    ok = thidua("verify", str(folder), "--data", str(data))
    assert ok.returncode == 0 and "Giống hệt" in ok.stdout, ok.stdout + ok.stderr
    scores = data / "periods" / "kinh-te-ky-thuat" / "2018-H1" / "scores.csv"
    text = scores.read_text(encoding="utf-8").splitlines()
    cells = text[1].split(",")
    cells[3] = "0"  # the bloc now verifies the first criterion of the first unit at 0
    text[1] = ",".join(cells)
    scores.write_text("\n".join(text) + "\n", encoding="utf-8")
    changed = thidua("verify", str(folder), "--data", str(data))
    assert changed.returncode == 1
    assert "periods/kinh-te-ky-thuat/2018-H1/scores.csv" in changed.stdout
    assert "results/xep_hang.csv" in changed.stdout or "results/bang_diem.csv" in changed.stdout
