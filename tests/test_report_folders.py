"""Report folders are never lost: a swap killed at any instant is finished by recovery, and
recovery touches only what dead writers left.

A child process swaps a prepared new report into place (``replace_folder``) and kills itself
with SIGKILL just before its k-th file-system call, for every k; the test process then recovers
the reports folder as ``thidua run`` does and checks that the report is the old or the new one,
whole, with every kept subfolder and its content, and that nothing is left behind. Another
child swaps reports in a loop and is killed from outside after varying delays.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import spawn
from toolkit.model import files
from toolkit.runs import batch

KEPT = {"trends/report.html": "xu hướng", "trends/results/units.csv": "unit_id\nso-a\n", "data_quality/report.html": "chất lượng"}
OLD = {"report.html": "báo cáo cũ", "manifest.json": '{"v": "old"}', "documents/bao-cao.docx": "bản thảo cũ",
       "documents/manifest.json": '{"documents": "old"}', **{f"results/t{i}.csv": f"old {i}\n" for i in range(10)}}
NEW = {"report.html": "báo cáo mới", "manifest.json": '{"v": "new"}', "results/t0.csv": "new 0\n", "results/t1.csv": "new 1\n"}
KEEP = ("trends", "data_quality")

# Runs replace_folder(<temp folder>, final) after renaming the prepared new folder to this process's
# temporary name; SIGKILLs itself just before file-system call number `kill_at` (0: never) and
# otherwise prints the names of the calls it made. `renames` plays a system without renameat2.
SWAP = r"""
import io, json, os, signal, sys
from pathlib import Path
from toolkit.model import files
new, final, kill_at, mode = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
tmp = files.temp_folder(final)
os.rename(new, tmp)
calls = []
def counted(name, fn):
    def call(*args, **kwargs):
        calls.append(name)
        if len(calls) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return fn(*args, **kwargs)
    return call
for name in ("rename", "replace", "unlink", "rmdir", "mkdir", "fsync", "link"):
    setattr(os, name, counted(name, getattr(os, name)))
io.open = counted("open", io.open)
files._exchange = counted("exchange", files._exchange if mode == "exchange" else lambda a, b: False)
files.replace_folder(tmp, final, keep=lambda child: child.name in ("trends", "data_quality"))
print(json.dumps(calls))
"""

# Swaps generation after generation of a report (each generation's files all say its number)
# into place, keeping the subfolders, until killed.
LOOP = r"""
import os, sys
from pathlib import Path
from toolkit.model import files
final, mode = Path(sys.argv[1]), sys.argv[2]
if mode == "renames":
    files._exchange = lambda a, b: False
print("ready", flush=True)
gen = 0
while True:
    gen += 1
    tmp = files.temp_folder(final)
    (tmp / "results").mkdir(parents=True)
    for name in ("report.html", "manifest.json", "results/t0.csv", "results/t1.csv"):
        (tmp / name).write_text(f"gen {gen}", encoding="utf-8")
    files.replace_folder(tmp, final, keep=lambda child: child.name in ("trends", "data_quality"))
"""


def write_tree(root: Path, tree: dict[str, str]) -> None:
    for rel, text in tree.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def read_tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file()}


def swap_in_child(reports: Path, kill_at: int, mode: str) -> subprocess.CompletedProcess:
    """A reports folder with the old report (its drafts and kept subfolders) and a new one; a child swaps them."""
    final = reports / "2024" / "kinh-te-ky-thuat"
    write_tree(final, {**OLD, **KEPT})
    write_tree(reports / "new", NEW)
    child = spawn([sys.executable, "-c", SWAP, str(reports / "new"), str(final), str(kill_at), mode],
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
        child.wait()
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def outcome(reports: Path) -> str:
    """'old' or 'new': which whole report is filed, with every kept subfolder; fails on anything else."""
    period = reports / "2024"
    assert sorted(p.name for p in period.iterdir()) == ["kinh-te-ky-thuat"]  # no temporary folder left beside it
    tree = read_tree(period / "kinh-te-ky-thuat")
    assert not [rel for rel in tree if rel.rsplit("/", 1)[-1].startswith(".")]  # no marker or temporary file left inside
    if tree == {**OLD, **KEPT}:
        return "old"
    assert tree == {**NEW, **KEPT}
    return "new"


@pytest.mark.parametrize("mode", ["exchange", "renames"])
def test_a_swap_killed_at_every_step_loses_nothing(tmp_path, mode):
    whole = swap_in_child(tmp_path / "whole", 0, mode)
    assert whole.returncode == 0, whole.stderr
    calls = json.loads(whole.stdout)
    assert outcome(tmp_path / "whole") == "new"
    assert len(calls) >= 20, calls
    swapped_at = calls.index("exchange") + 1 if mode == "exchange" else calls.index("rename") + 2  # the call that files the new report
    seen = []
    for k in range(1, len(calls) + 1):
        reports = tmp_path / f"kill-{k}"
        killed = swap_in_child(reports, k, mode)
        assert killed.returncode == -signal.SIGKILL, (k, calls[k - 1], killed.stderr)
        batch.recover(reports)
        seen.append(outcome(reports))
        assert seen[-1] == ("old" if k <= swapped_at else "new"), (k, calls[k - 1])
    # killed just before the first kept subfolder moves: the new report is in place, the kept ones
    # still in the old folder, and recovery moved them across
    first_move = calls.index("rename", swapped_at)
    assert seen[first_move] == "new"


@pytest.mark.parametrize("mode", ["exchange", "renames"])
def test_a_swap_loop_killed_from_outside_at_varying_delays_loses_nothing(tmp_path, mode):
    generations = set()
    for i in range(20):
        final = tmp_path / f"kill-{i}" / "2024" / "kinh-te-ky-thuat"
        write_tree(final, {**OLD, **KEPT})
        child = spawn([sys.executable, "-c", LOOP, str(final), mode], stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "ready"
            time.sleep(0.002 + 0.01 * i)  # from before the first swap to many swaps in
            child.send_signal(signal.SIGKILL)
        finally:
            child.kill()
            child.wait()
            child.stdout.close()
        batch.recover(final.parent.parent)
        assert sorted(p.name for p in final.parent.iterdir()) == ["kinh-te-ky-thuat"]
        tree = read_tree(final)
        assert {rel: tree[rel] for rel in KEPT} == KEPT
        report = {rel: text for rel, text in tree.items() if rel not in KEPT}
        if report != OLD:
            [gen] = set(report.values())  # one whole generation: every file from the same swap
            assert sorted(report) == ["manifest.json", "report.html", "results/t0.csv", "results/t1.csv"], report
            generations.add(gen)
    assert len(generations) >= 2  # the kills did land at different points of the loop


def test_the_next_writer_finishes_a_dead_writers_swap_before_its_own(tmp_path):
    """Killed between the exchange and the moves, then replaced again without `thidua run`'s recovery: nothing is lost."""
    whole = swap_in_child(tmp_path / "whole", 0, "exchange")
    calls = json.loads(whole.stdout)
    swap_in_child(tmp_path, calls.index("exchange") + 2, "exchange")
    final = tmp_path / "2024" / "kinh-te-ky-thuat"
    assert not (final / "trends").exists()  # still in the dead writer's leftover
    tmp = files.temp_folder(final)
    write_tree(tmp, {"report.html": "báo cáo mới hơn"})
    files.replace_folder(tmp, final, keep=lambda child: child.name in KEEP)
    assert read_tree(final) == {"report.html": "báo cáo mới hơn", **KEPT}
    assert sorted(p.name for p in final.parent.iterdir()) == ["kinh-te-ky-thuat"]


@pytest.mark.parametrize("before_swap", [True, False])
def test_a_killed_workers_report_is_kept_aside_only_when_it_was_not_filed(tmp_path, before_swap):
    whole = swap_in_child(tmp_path / "whole", 0, "exchange")
    calls = json.loads(whole.stdout)
    killed = swap_in_child(tmp_path, calls.index("exchange") + (1 if before_swap else 2), "exchange")
    assert killed.returncode == -signal.SIGKILL
    pid = spawn_pid(tmp_path)
    where = batch._keep_partial(tmp_path, batch.Job("kinh-te-ky-thuat", "2024"), pid, 900)
    final = tmp_path / "2024" / "kinh-te-ky-thuat"
    if before_swap:  # the half-filed new report goes aside; the old report stays whole
        assert where == str(final.with_name("kinh-te-ky-thuat.failed") / "report.ipynb")
        assert read_tree(final) == {**OLD, **KEPT}
        assert read_tree(final.with_name("kinh-te-ky-thuat.failed"))["report.html"] == NEW["report.html"]
    else:  # the new report was filed: the swap is finished, nothing is called partial
        assert where == ""
        assert read_tree(final) == {**NEW, **KEPT}
        assert not final.with_name("kinh-te-ky-thuat.failed").exists()


def spawn_pid(reports: Path) -> int:
    """The pid in the name of the one leftover the killed child left in ``reports/2024``."""
    [left] = [files.leftover(p) for p in (reports / "2024").iterdir() if files.leftover(p)]
    return left.pid


# --------------------------------------------------------------------------- whose leftover it is

HOLD = r"""
import sys, time
from pathlib import Path
from toolkit.model.files import temp_folder
folder = temp_folder(Path(sys.argv[1]))
folder.mkdir(parents=True)
print(folder, flush=True)
time.sleep(120)
"""


def test_recover_leaves_a_live_writers_folder_alone(tmp_path):
    child = spawn([sys.executable, "-c", HOLD, str(tmp_path / "2024" / "kinh-te-ky-thuat" / "documents")],
                  stdout=subprocess.PIPE, text=True)
    try:
        writing = Path(child.stdout.readline().strip())
        assert writing.is_dir() and writing.name.startswith(f".documents.tmp-{child.pid}-")
        assert batch.recover(tmp_path) == []
        assert writing.is_dir()
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    assert batch.recover(tmp_path) == [f"xóa {writing}"]  # its writer is gone now
    assert not writing.exists()


@pytest.fixture(params=["proc", "psutil"])
def start_times(request, monkeypatch):
    """Each way of reading a process's start time: /proc on Linux, psutil elsewhere."""
    monkeypatch.setattr(files, "_start_time", files._proc_start if request.param == "proc" else files._psutil_start)
    files._tag.cache_clear()
    yield request.param
    files._tag.cache_clear()


def test_a_dead_writers_pid_given_to_another_process_does_not_keep_its_leftover(tmp_path, start_times):
    final = tmp_path / "2024" / "kinh-te-ky-thuat"
    mine = files.temp_folder(final)  # this live process, its real start time
    start = mine.name.rsplit("-", 1)[1]
    assert start.isdigit() and files._start_time(os.getpid()) == start
    reused = final.with_name(f".{final.name}.tmp-{os.getpid()}-{int(start) - 1}")  # same pid, an earlier process
    for folder in (mine, reused):
        write_tree(folder, {"report.html": "dở dang"})
    assert batch.recover(tmp_path) == [f"xóa {reused}"]
    assert mine.is_dir() and not reused.exists()


def test_a_reaped_writer_is_dead_and_a_live_one_is_not(start_times):
    child = spawn([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        start = files._start_time(child.pid)
        assert not files.writer_dead(child.pid, start)
        assert files.writer_dead(child.pid, str(int(start) + 1))  # the same pid, another process
    finally:
        child.kill()
        child.wait()
    assert files.writer_dead(child.pid, start)


# --------------------------------------------------------------------------- the lock, and `run --documents`

BIN = Path(sys.executable).parent
BLOC = "kinh-te-ky-thuat"


def thidua(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "thidua"), *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900)


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None) under ``root``, hidden ones included."""
    return {p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None for p in sorted(root.rglob("*"))}


def _meeting_ends_before_it_starts(data: Path) -> str:
    path = data / "periods" / BLOC / "2024" / "documents.yaml"
    text = path.read_text(encoding="utf-8")
    assert "end: '11:15'" in text
    path.write_text(text.replace("end: '11:15'", "end: '08:00'"), encoding="utf-8")
    return "documents.yaml: meeting.end: giờ kết thúc 08:00 không sau giờ bắt đầu 08:30"


def _more_ballots_returned_than_issued(data: Path) -> str:
    path = data / "periods" / BLOC / "2024" / "ballots.csv"
    text = path.read_text(encoding="utf-8")
    assert "co_thi_dua,so-gtvt,11,11,11,11" in text
    path.write_text(text.replace("co_thi_dua,so-gtvt,11,11,11,11", "co_thi_dua,so-gtvt,11,12,11,11"), encoding="utf-8")
    return "ballots.csv: dòng 4, cột returned: số phiếu thu về 12 lớn hơn số phiếu phát ra 11"


@pytest.mark.parametrize("spoil", [_meeting_ends_before_it_starts, _more_ballots_returned_than_issued])
def test_run_documents_with_bad_inputs_leaves_the_reports_folder_as_it_was(data_copy, tmp_path, spoil):
    problem = spoil(data_copy)
    reports = tmp_path / "reports"
    write_tree(reports / "2024" / BLOC, {**OLD, **KEPT})  # a filed report, its drafts and the trends report
    before = snapshot(reports)
    run = thidua("run", "--bloc", BLOC, "--period", "2024", "--data", str(data_copy), "--reports", str(reports), "--documents")
    assert run.returncode == 2, run.stdout + run.stderr
    assert snapshot(reports) == before  # old report and old drafts intact, not even a lock file
    assert problem in run.stderr
    documents = thidua("documents", "--bloc", BLOC, "--period", "2024", "--data", str(data_copy), "--reports", str(reports),
                       "--no-pdf")
    assert documents.returncode == 2 and run.stderr == documents.stderr


def test_documents_under_a_held_lock_exit_4_naming_the_holder(tmp_path):
    with batch.reports_lock(tmp_path, "thidua run --bloc all --period 2024"):
        proc = thidua("documents", "--bloc", BLOC, "--period", "2024", "--reports", str(tmp_path), "--no-pdf")
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert f"tiến trình {os.getpid()}" in proc.stderr and "thidua run --bloc all --period 2024" in proc.stderr
    assert not (tmp_path / "2024").exists()


@pytest.fixture
def run_without_reports(monkeypatch, tmp_path):
    """`thidua run` in this process with the reports themselves faked: the jobs it runs and the documents it drafts are recorded."""
    from filelock import FileLock, Timeout

    from toolkit.cli import documents as cli_documents, main as cli_main
    from toolkit.documents import Written

    seen = {"ran": [], "drafted": []}

    def run_jobs(jobs, reports_dir, *args):
        seen["ran"] += [(j.bloc, j.period) for j in jobs if j.notebook != batch.OVERVIEW]
        return [batch.Outcome(j.bloc, j.period, j.notebook, "ok", 1.0, str(reports_dir / j.period / j.bloc / "report.html"))
                for j in jobs]

    def draft(data_dir, reports_dir, bloc, period, pdf=True):
        probe = FileLock(str(reports_dir / batch.LOCK_NAME))
        try:
            probe.acquire(timeout=0)
            probe.release()
            held = False
        except Timeout:
            held = True
        seen["drafted"].append((bloc, period, held))
        return Written(reports_dir / period / bloc / "documents", [])

    monkeypatch.setattr(cli_main, "_run_jobs", run_jobs)
    monkeypatch.setattr(cli_documents, "make_documents", draft)

    def invoke(*args):
        from click.testing import CliRunner

        return CliRunner().invoke(cli_main.main, ["run", *args, "--reports", str(tmp_path / "reports"), "--documents"])
    return invoke, seen


def test_run_documents_drafts_while_it_still_holds_the_lock(run_without_reports):
    invoke, seen = run_without_reports
    r = invoke("--bloc", BLOC, "--period", "2024")
    assert r.exit_code == 0, r.output
    assert seen == {"ran": [(BLOC, "2024")], "drafted": [(BLOC, "2024", True)]}


def test_a_batch_with_documents_holds_back_the_report_whose_documents_cannot_be_drafted(run_without_reports, data_copy):
    invoke, seen = run_without_reports
    _meeting_ends_before_it_starts(data_copy)
    r = invoke("--bloc", BLOC, "--bloc", "noi-chinh-tong-hop", "--period", "2024", "--data", str(data_copy))
    assert r.exit_code == 2, r.output
    assert seen["ran"] == [("noi-chinh-tong-hop", "2024")] and seen["drafted"] == [("noi-chinh-tong-hop", "2024", True)]
    assert f"Không lập được văn bản {BLOC} 2024; báo cáo giữ nguyên" in r.output
    assert "giờ kết thúc 08:00 không sau giờ bắt đầu 08:30" in r.output


def test_a_bloc_that_drafts_no_documents_this_period_is_not_held_back(run_without_reports, data_copy):
    """A bloc without documents.yaml for the period still has its report filed."""
    invoke, seen = run_without_reports
    (data_copy / "periods" / "noi-chinh-tong-hop" / "2024" / "documents.yaml").unlink()  # the sample has one for every bloc
    r = invoke("--bloc", BLOC, "--bloc", "noi-chinh-tong-hop", "--period", "2024", "--data", str(data_copy))
    assert seen["ran"] == [(BLOC, "2024"), ("noi-chinh-tong-hop", "2024")], r.output
