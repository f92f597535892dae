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
       "documents/manifest.json": '{"documents": "old"}', **{f"results/t{i}.csv": f"old {i}\n" for i in range(8)}}
NEW = {"report.html": "báo cáo mới", "manifest.json": '{"v": "new"}', "results/t0.csv": "new 0\n", "results/t1.csv": "new 1\n"}
KEEP = ("trends", "data_quality")

# Runs replace_folder(<temp folder>, final) after renaming the prepared new folder to this process's
# temporary name; SIGKILLs itself just before file-system call number `kill_at` (0: never) and
# otherwise prints the names of the calls it made. `renames` plays a system without renameat2.
SWAP = r"""
import json, os, signal, sys
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
    # the new report is in place from the exchange on, kept subfolders still in the old folder: recovery moved them
    assert calls[swapped_at] == "rename" and seen[swapped_at] == "new"


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

