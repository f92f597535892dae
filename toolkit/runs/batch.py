"""Scheduled batch runs: many reports in parallel, each in a fresh kernel, safe to kill and re-run.

A batch takes a lock on the reports folder (a second run says who holds it and exits),
tidies what a killed run left (temporary folders, a report caught between two renames), then
hands reports to worker processes. Each worker runs one report at a time in its own process
group, so a report that passes its time limit is killed with its kernel without touching the
others. Finished reports whose inputs and code have not changed are skipped.
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import multiprocessing as mp
import os
import re
import shutil
import signal
import socket
import sys
import time
import traceback
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from toolkit.errors import InputError, ParameterError, ThiduaError
from toolkit.runs import kernel_fork
from toolkit.runs.lifetime import die_with_parent

log = logging.getLogger("thidua.batch")
LOCK_NAME = ".thidua.lock"
_TMP = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)$")


@dataclass(frozen=True)
class Job:
    bloc: str
    period: str
    notebook: str = "bloc_report"


@dataclass
class Outcome:
    bloc: str
    period: str
    notebook: str
    status: str  # ok | skipped | failed | timeout | bad-data | no-data
    seconds: float
    where: str
    message: str = ""


class LockedError(ThiduaError):
    """Another run holds the reports folder."""


@contextmanager
def reports_lock(reports_dir: Path, command: str):
    """Exclusive lock on a reports folder; the holder's pid, host and command are recorded beside it."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(reports_dir / LOCK_NAME))
    info = reports_dir / (LOCK_NAME + ".info")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        try:
            holder = json.loads(info.read_text(encoding="utf-8"))
            who = f"tiến trình {holder['pid']} trên máy {holder['host']}, bắt đầu {holder['started']}: {holder['command']}"
        except (OSError, ValueError, KeyError):
            who = "một tiến trình khác"
        raise LockedError(f"Thư mục báo cáo {reports_dir} đang được {who}. Chờ lượt chạy đó xong rồi chạy lại.") from None
    try:
        info.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "command": command,
                                    "started": _dt.datetime.now().isoformat(timespec="seconds")}, ensure_ascii=False),
                        encoding="utf-8")
        yield
    finally:
        info.unlink(missing_ok=True)
        lock.release()


def recover(reports_dir: Path) -> list[str]:
    """Tidy what a killed run left behind. Only call while holding the lock.

    ``.X.tmp-PID`` folders are half-written reports: removed. ``.X.old-PID`` is a previous
    report caught between the two renames of a swap: put back if X is missing, else removed.
    """
    done = []
    for path in sorted(reports_dir.rglob(".*")):
        m = _TMP.match(path.name)
        if not m or not path.is_dir():
            continue
        final = path.with_name(m["name"])
        if m["kind"] == "old" and not final.exists():
            path.rename(final)
            done.append(f"khôi phục {final}")
        else:
            shutil.rmtree(path, ignore_errors=True)
            done.append(f"xóa {path}")
    return done


def _worker(conn, parent: int, warm, data_dir: str | None, reports_dir: str, timeout: int, force: bool) -> None:
    """Worker loop: one report at a time, in this process's own group (its kernels die with it).

    The worker dies with the batch process (``die_with_parent``): in its own process group it
    would not receive a signal sent to the batch's group, and a SIGKILL of the batch alone
    would otherwise leave it blocked on the pipe for good. Its kernels come from the batch's
    warm process (``warm``, its own connection), which kills them when this worker's connection
    closes, however the worker ended.
    """
    die_with_parent(parent)
    os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    kernel_fork.use(warm)
    from toolkit.runs.runner import run_report

    while True:
        job = conn.recv()
        if job is None:
            return
        t = time.perf_counter()
        try:
            r = run_report(job.bloc, job.period, job.notebook, data_dir, reports_dir, timeout, force=force)
            conn.send(Outcome(job.bloc, job.period, job.notebook, r.status, time.perf_counter() - t, str(r.folder / "report.html")))
        except InputError as exc:
            conn.send(Outcome(job.bloc, job.period, job.notebook, "bad-data", time.perf_counter() - t, "", str(exc)))
        except ParameterError as exc:
            conn.send(Outcome(job.bloc, job.period, job.notebook, "no-data", time.perf_counter() - t, "", str(exc)))
        except ThiduaError as exc:
            from toolkit.runs.runner import report_folder  # <bloc>/, or <bloc>/<notebook>/ for the other notebooks

            final = report_folder(Path(reports_dir), job.bloc, job.period, job.notebook)
            where = str(final.with_name(f"{final.name}.failed") / "report.ipynb")
            conn.send(Outcome(job.bloc, job.period, job.notebook, "failed", time.perf_counter() - t, where, str(exc).splitlines()[0]))
        except Exception as exc:  # a bug must not take the batch down: one line in the table, the traceback in the log
            logging.getLogger("thidua.batch").error("%s %s %s: lỗi trong mã nguồn thidua\n%s", job.bloc, job.period,
                                                    job.notebook, traceback.format_exc())
            conn.send(Outcome(job.bloc, job.period, job.notebook, "failed", time.perf_counter() - t, "",
                              f"lỗi trong mã nguồn thidua ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); "
                              "chi tiết trong nhật ký"))


class _Slot:
    def __init__(self, ctx, args):
        self.conn, child = ctx.Pipe()
        warm = kernel_fork.connection_for_child()
        self.proc = ctx.Process(target=_worker, args=(child, os.getpid(), warm, *args), daemon=True)
        self.proc.start()
        child.close()
        if warm is not None:
            warm.close()  # the worker's now: when it ends, the warm process sees it and kills its kernels
        self.job: Job | None = None
        self.deadline = 0.0
        self.started = 0.0

    def give(self, job: Job, limit: float) -> None:
        self.job, self.started, self.deadline = job, time.perf_counter(), time.perf_counter() + limit
        self.conn.send(job)

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.join(5)

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.proc.join(10)
        if self.proc.is_alive():
            self.kill()


def run_batch(jobs: list[Job], reports_dir: Path, data_dir: Path | None = None, workers: int = 2,
              report_timeout: int = 900, cell_timeout: int = 600, force: bool = False, progress=None) -> list[Outcome]:
    """Run ``jobs`` on ``workers`` processes; return one outcome per job, in job order."""
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    args = (str(data_dir) if data_dir else None, str(reports_dir), cell_timeout, force)
    slots = [_Slot(ctx, args) for _ in range(max(1, min(workers, len(jobs))))]
    queue = list(jobs)
    results: dict[Job, Outcome] = {}
    try:
        while queue or any(s.job for s in slots):
            for s in slots:
                if s.job is None and queue:
                    s.give(queue.pop(0), report_timeout)
            ready = mp.connection.wait([s.conn for s in slots if s.job], timeout=1.0)
            for s in slots:
                job = s.job
                if job is None:
                    continue
                outcome = None
                if s.conn in ready:
                    try:
                        outcome = s.conn.recv()
                    except EOFError:
                        outcome = Outcome(s.job.bloc, s.job.period, s.job.notebook, "failed", time.perf_counter() - s.started,
                                          "", "tiến trình chạy báo cáo dừng bất thường")
                elif time.perf_counter() > s.deadline or not s.proc.is_alive():
                    timed_out = s.proc.is_alive()
                    s.kill()
                    where = _keep_partial(reports_dir, s.job, s.proc.pid, report_timeout if timed_out else None)
                    outcome = Outcome(s.job.bloc, s.job.period, s.job.notebook, "timeout" if timed_out else "failed",
                                      time.perf_counter() - s.started, where,
                                      f"quá {report_timeout} giây" if timed_out else "tiến trình chạy báo cáo dừng bất thường")
                    s.__init__(ctx, args)
                if outcome is not None:
                    results[job] = outcome
                    s.job = None
                    if progress:
                        progress(outcome)
    finally:
        for s in slots:
            if s.job:
                s.kill()
            else:
                s.stop()
    return [results[j] for j in jobs]


def _keep_partial(reports_dir: Path, job: Job, pid: int, limit: int | None) -> str:
    """After a kill, move the worker's half-written report aside as ``<bloc>.failed`` for inspection."""
    from toolkit.runs.runner import report_folder

    final = report_folder(reports_dir, job.bloc, job.period, job.notebook)
    tmp = final.with_name(f".{final.name}.tmp-{pid}")
    if not tmp.exists():
        return ""
    failed = final.with_name(f"{final.name}.failed")
    shutil.rmtree(failed, ignore_errors=True)
    tmp.rename(failed)
    why = f"Báo cáo bị dừng sau {limit} giây." if limit else "Tiến trình chạy báo cáo dừng bất thường."
    (failed / "error.txt").write_text(why + "\n", encoding="utf-8")
    return str(failed / "report.ipynb")


def summary_table(outcomes: list[Outcome]) -> str:
    import pandas as pd

    labels = {"ok": "xong", "skipped": "giữ nguyên (không đổi)", "failed": "LỖI", "timeout": "QUÁ GIỜ",
              "bad-data": "DỮ LIỆU SAI", "no-data": "không có dữ liệu"}
    df = pd.DataFrame([asdict(o) for o in outcomes])
    df["status"] = df["status"].map(labels)
    df["seconds"] = df["seconds"].map(lambda s: f"{s:.1f}")
    df["message"] = df["message"].map(lambda m: m.splitlines()[0] if m else "")  # one line per report; details are logged
    df = df.rename(columns={"bloc": "khối", "period": "kỳ", "notebook": "sổ tay", "status": "trạng thái", "seconds": "giây",
                            "where": "ở đâu", "message": "ghi chú"})
    return df.to_string(index=False)


def exit_code(outcomes: list[Outcome]) -> int:
    """0 all done; 1 a report failed or timed out; 2 invalid data; 3 only missing data."""
    statuses = {o.status for o in outcomes}
    if statuses & {"failed", "timeout"}:
        return 1
    if "bad-data" in statuses:
        return 2
    if "no-data" in statuses:
        return 3
    return 0
