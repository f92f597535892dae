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
import shutil
import signal
import socket
import time
import traceback
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from toolkit.errors import InputError, KernelError, ParameterError, ThiduaError
from toolkit.model.files import recover_folder, recover_tree
from toolkit.runs.kernel import stopped
from toolkit.runs.lifetime import die_with_parent

log = logging.getLogger("thidua.batch")
LOCK_NAME = ".thidua.lock"
ATTEMPTS = 2  # workers a report may take: one lost to a crash or a stop is replaced, and the report run again
WATCH_EVERY = 0.5  # seconds between looks at the workers: a dead or stopped one is noticed within a second
OVERVIEW = "province_overview"  # the notebook of the province overview: a Job with this notebook runs run_overview


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
    attempts: int = 1  # kernels the report took: 2 when the machinery failed once and the report was retried


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
    """Finish what killed runs left in the reports folder; say what was done. Only call while holding the lock.

    A half-written report is removed; a previous report caught between two renames is put back;
    subfolders kept from a replaced report that a kill left in its old folder move into the new
    one (see :func:`toolkit.model.files.recover_folder`). What a live process is writing (a run
    on another reports folder that shares a path, say) is left alone.
    """
    return recover_tree(reports_dir)


def _worker(conn, parent: int, data_dir: str | None, reports_dir: str, timeout: int, force: bool) -> None:
    """Worker loop: one report at a time, in this process's own group.

    The worker is a fresh Python (the "spawn" start method: nothing is forked from a batch
    process that may run threads), told its parent's pid explicitly: it dies with the batch
    (``die_with_parent``, which exits at once if the batch died while starting it). In its own
    process group it would not receive a signal sent to the batch's group, and a SIGKILL of the
    batch alone would otherwise leave it blocked on the pipe for good. Its kernels die with it.
    """
    die_with_parent(parent)
    os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from toolkit.runs.runner import run_overview, run_report

    while True:
        job = conn.recv()
        if job is None:
            return
        t = time.perf_counter()

        def outcome(status: str, where: str = "", message: str = "", attempts: int = 1) -> Outcome:
            return Outcome(job.bloc, job.period, job.notebook, status, time.perf_counter() - t, where, message, attempts)

        try:
            if job.notebook == OVERVIEW:
                r = run_overview(job.period, reports_dir, timeout=timeout, force=force, data_dir=data_dir)
            else:
                r = run_report(job.bloc, job.period, job.notebook, data_dir, reports_dir, timeout, force=force)
            conn.send(outcome(r.status, str(r.folder / "report.html"), attempts=r.attempts))
        except InputError as exc:
            conn.send(outcome("bad-data", message=str(exc)))
        except ParameterError as exc:
            conn.send(outcome("no-data", message=str(exc)))
        except KernelError as exc:
            conn.send(outcome("failed", message=str(exc).splitlines()[0], attempts=2))
        except ThiduaError as exc:
            from toolkit.runs.runner import report_folder  # <bloc>/, or <bloc>/<notebook>/ for the other notebooks

            final = report_folder(Path(reports_dir), job.bloc, job.period, job.notebook)
            conn.send(outcome("failed", str(final.with_name(f"{final.name}.failed") / "report.ipynb"), str(exc).splitlines()[0]))
        except Exception as exc:  # a bug must not take the batch down: one line in the table, the traceback in the log
            logging.getLogger("thidua.batch").error("%s %s %s: lỗi trong mã nguồn thidua\n%s", job.bloc, job.period,
                                                    job.notebook, traceback.format_exc())
            conn.send(outcome("failed", message=f"lỗi trong mã nguồn thidua ({type(exc).__name__}: "
                                                f"{str(exc).splitlines()[0] if str(exc) else ''}); chi tiết trong nhật ký"))


class _Slot:
    def __init__(self, ctx, args):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, os.getpid(), *args), daemon=True)
        self.proc.start()
        child.close()
        self.job: Job | None = None
        self.attempt = 1
        self.deadline = 0.0
        self.started = 0.0

    def give(self, job: Job, attempt: int, limit: float) -> None:
        self.job, self.attempt, self.started, self.deadline = job, attempt, time.perf_counter(), time.perf_counter() + limit
        self.conn.send(job)

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the worker and anything else in its group
        except ProcessLookupError:
            pass
        if self.proc.is_alive():  # lost before it made its own group
            self.proc.kill()
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
    """Run ``jobs`` on ``workers`` processes; return one outcome per job, in job order.

    Workers are watched every :data:`WATCH_EVERY` seconds: one that died or was stopped (the
    machinery's fault, not the report's) is replaced, and its report runs once more on the new
    worker; one past the report's time limit is killed and the report is a timeout.
    """
    ctx = mp.get_context("spawn")  # never fork a process that may run threads (tqdm's monitor, the HTML exporter's)
    args = (str(data_dir) if data_dir else None, str(reports_dir), cell_timeout, force)
    slots = [_Slot(ctx, args) for _ in range(max(1, min(workers, len(jobs))))]
    queue = [(job, 1) for job in jobs]  # each job with the attempt it is on
    results: dict[Job, Outcome] = {}
    try:
        while queue or any(s.job for s in slots):
            for s in slots:
                if s.job is None and queue:
                    s.give(*queue.pop(0), report_timeout)
            ready = mp.connection.wait([s.conn for s in slots if s.job], timeout=WATCH_EVERY)
            for s in slots:
                if s.job is not None:
                    outcome = _watch(s, s.conn in ready, ctx, args, queue, reports_dir, report_timeout)
                    if outcome is not None:
                        results[outcome_job(outcome)] = outcome
                        if progress:
                            progress(outcome)
    finally:
        for s in slots:
            if s.job:
                s.kill()
            else:
                s.stop()
    return [results[j] for j in jobs]


def outcome_job(o: Outcome) -> Job:
    return Job(o.bloc, o.period, o.notebook)


def _watch(s: _Slot, answered: bool, ctx, args, queue: list, reports_dir: Path, report_timeout: int) -> Outcome | None:
    """The outcome of slot ``s``'s report if it has one now; a lost worker's report is queued again once."""
    job, attempt = s.job, s.attempt
    lost = ""  # what happened to the worker, when it is lost
    if answered:
        try:
            outcome = s.conn.recv()
            outcome.attempts += attempt - 1
            s.job = None
            return outcome
        except (EOFError, OSError):
            lost = "dừng bất thường"
    elif time.perf_counter() > s.deadline:
        s.kill()
        where = _keep_partial(reports_dir, job, s.proc.pid, report_timeout)
        s.__init__(ctx, args)
        return Outcome(job.bloc, job.period, job.notebook, "timeout", time.perf_counter() - s.started, where,
                       f"quá {report_timeout} giây", attempt)
    elif not s.proc.is_alive():
        lost = "dừng bất thường"
    elif stopped(s.proc.pid):
        lost = "bị treo (tạm dừng bởi tín hiệu)"
    if not lost:
        return None
    s.kill()
    pid, seconds = s.proc.pid, time.perf_counter() - s.started
    s.__init__(ctx, args)
    if attempt < ATTEMPTS:
        log.warning("%s %s %s: tiến trình chạy báo cáo %s; chạy lại báo cáo trên tiến trình mới.", job.bloc, job.period,
                    job.notebook, lost)
        queue.insert(0, (job, attempt + 1))
        return None
    return Outcome(job.bloc, job.period, job.notebook, "failed", seconds, _keep_partial(reports_dir, job, pid, None),
                   f"tiến trình chạy báo cáo {lost}, hai lần liền", attempt)


def _keep_partial(reports_dir: Path, job: Job, pid: int, limit: int | None) -> str:
    """After a kill, move the worker's half-written report aside as ``<bloc>.failed`` for inspection.

    A worker killed in the middle of filing a complete report has its swap finished instead.
    """
    from toolkit.runs.runner import report_folder

    final = report_folder(reports_dir, job.bloc, job.period, job.notebook)
    failed = final.with_name(f"{final.name}.failed")
    aside = []

    def keep(partial: Path) -> None:
        shutil.rmtree(failed, ignore_errors=True)
        partial.rename(failed)
        aside.append(failed)

    recover_folder(final, pid=pid, partial=keep)
    if not aside:
        return ""
    why = f"Báo cáo bị dừng sau {limit} giây." if limit else "Tiến trình chạy báo cáo dừng bất thường."
    (failed / "error.txt").write_text(why + "\n", encoding="utf-8")
    return str(failed / "report.ipynb")


def summary_table(outcomes: list[Outcome]) -> str:
    import pandas as pd

    labels = {"ok": "xong", "skipped": "giữ nguyên (không đổi)", "failed": "LỖI", "timeout": "QUÁ GIỜ",
              "bad-data": "DỮ LIỆU SAI", "no-data": "không có dữ liệu"}
    df = pd.DataFrame([asdict(o) for o in outcomes])
    retried = (df["attempts"] > 1) & df["status"].isin(["ok", "skipped"])
    df.loc[retried, "message"] = "nhân Jupyter lỗi một lần, đã chạy lại trên nhân mới"
    df = df.drop(columns="attempts")
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
