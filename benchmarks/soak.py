"""Soak: hundreds of reports through `thidua run --bloc all`, beside a CPU hog; nothing may fail, linger or stay locked.

A scheduled run must be boring on a loaded server, every time. This runs, one after the other,
``thidua run --bloc all --period P --jobs 2 --force --reports <tmp>`` over every period that all
the sample blocs have (2018 to 2025, years and half-years: 48 reports a pass), pass after pass,
until at least ``--reports`` bloc reports (default 200) have run, all into the same reports folder
(as cron does: each run replaces the previous reports). Meanwhile a busy-loop process keeps one
core busy; it is bounded in time, stops when the soak dies, and is killed when the soak ends.

Machinery failures (the goal is 0; the sample data is valid, so none is the data's fault):

* a bloc report whose status in the run's log is not ``ok`` (or that the log does not mention),
  or a province overview that was not written (its ``manifest.json`` not renewed);
* a run that exits non-zero (when no report or overview above explains it) or passes ``--run-timeout``;
* a process still alive after its run ended: every run carries a marker in its environment
  (``THIDUA_SOAK=<random>``), inherited by its workers and kernels, and /proc is searched for it
  (for up to ``GRACE`` seconds, as children take a moment to see their parent die); strays are killed;
* a lock left: the reports folder's lock still held or its ``.info`` file still there;
* a half-written report folder (``.<name>.tmp-PID`` or ``.<name>.old-PID``) left after a run.

``retries``: the sum of ``attempts - 1`` over the manifests each run wrote (a report whose kernel
had to be started again says ``"attempts": 2``; a manifest without the key counts as 1 attempt).
``seconds_per_report``: the runs' wall time (overviews included) per bloc report.

``--smoke`` (run by the test suite): about 6 reports (2 runs). Exit code 1 when there was any
machinery failure (a failure is a bug, not noise), 0 otherwise. Last line: one JSON object.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from filelock import FileLock, Timeout  # noqa: E402

from toolkit.model.workspace import Workspace  # noqa: E402
from toolkit.runs.batch import LOCK_NAME  # noqa: E402

MARKER = "THIDUA_SOAK"
GRACE = 10.0  # seconds a run's processes get to go after the run itself has exited
SMOKE = {"reports": 6}
# the log line `thidua run` writes per report when stderr is not a terminal: time, bloc, period, notebook, status, seconds
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (?P<bloc>\S+) (?P<period>\S+) (?P<notebook>\S+) "
                      r"(?P<status>\S+) [\d.]+s")
HALF_WRITTEN = re.compile(r"^\..+\.(tmp|old)-\d+$")
# keeps one core busy; stops by itself after its time limit or as soon as its parent (the soak) is gone
HOG = ("import os, sys, time\n"
       "parent, end = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])\n"
       "while time.monotonic() < end and os.getppid() == parent:\n"
       "    pass\n")


@dataclass
class Tally:
    reports: int = 0
    runs: int = 0
    seconds: float = 0.0
    retries: int = 0
    failed_reports: int = 0
    failed_runs: int = 0
    overview_failures: int = 0
    stray_processes: int = 0
    locks_left: int = 0
    half_written_left: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def machinery_failures(self) -> int:
        return (self.failed_reports + self.failed_runs + self.overview_failures + self.stray_processes
                + self.locks_left + self.half_written_left)


def marked(marker: str) -> list[int]:
    """Live processes whose environment carries ``marker`` (read from /proc, as ps does)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:  # gone meanwhile, or not ours
                pass
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()[:200]
    except OSError:
        return "?"


def kill_all(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def strays(marker: str, grace: float) -> list[int]:
    """The run's processes still alive ``grace`` seconds after it exited (none, when all is well)."""
    deadline = time.monotonic() + grace
    left = marked(marker)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = marked(marker)
    return left


def lock_left(reports: Path) -> bool:
    if (reports / (LOCK_NAME + ".info")).exists():
        return True
    lock = FileLock(str(reports / LOCK_NAME))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def attempts(manifest: Path) -> int:
    try:
        return int(json.loads(manifest.read_text(encoding="utf-8")).get("attempts", 1))
    except (OSError, ValueError, TypeError):
        return 1


def common_periods(data: Path) -> tuple[list[str], list[str]]:
    """The blocs, and the periods every one of them has, in the order `thidua list` shows them."""
    ws = Workspace.open(data)
    blocs = ws.blocs()
    periods = [p for p in ws.periods(blocs[0]) if all(p in ws.periods(b) for b in blocs[1:])]
    return blocs, periods


def one_run(period: str, blocs: list[str], args, reports: Path, marker: str, tally: Tally) -> str:
    """Run `thidua run` for one period, add what it did to ``tally``; return a line for the screen."""
    env = {**os.environ, MARKER: marker.split("=", 1)[1]}
    cmd = [str(BIN / "thidua"), "run", "--bloc", "all", "--period", period, "--jobs", str(args.jobs), "--force",
           "--reports", str(reports), "--data", str(args.data), "--timeout", str(args.report_timeout)]
    started = time.time()
    t = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=args.run_timeout)
        code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:  # subprocess.run has killed `thidua run`; its children are swept below
        code, stdout, stderr = None, exc.stdout or "", exc.stderr or ""
        stdout, stderr = (s.decode(errors="replace") if isinstance(s, bytes) else s for s in (stdout, stderr))
    seconds = time.perf_counter() - t
    tally.runs += 1
    tally.seconds += seconds
    tally.reports += len(blocs)

    status = {}
    for line in stderr.splitlines():
        m = LOG_LINE.match(line)
        if m and m["notebook"] == "bloc_report":
            status[m["bloc"]] = m["status"]
    bad = {b: status.get(b, "not in the log") for b in blocs if status.get(b) != "ok"}
    tally.failed_reports += len(bad)
    tally.problems += [f"{period} {b}: {s}" for b, s in bad.items()]
    written = [m for m in (reports / period).glob("*/manifest.json") if m.stat().st_mtime >= started - 1]
    overview = reports / period / "province_overview" / "manifest.json"
    if overview not in written:
        tally.overview_failures += 1
        tally.problems.append(f"{period}: the province overview was not written")
    if code != 0:
        if not bad and overview in written:  # a failed report or overview explains the exit code: counted once
            tally.failed_runs += 1
        why = f"exit code {code}" if code is not None else f"still running after {args.run_timeout} s, killed"
        tally.problems.append(f"{period}: thidua run {why}: {(stderr.strip().splitlines() or [''])[-1][:200]}")
    retries = sum(attempts(m) - 1 for m in written)
    tally.retries += retries

    left = strays(marker, GRACE)
    if left:
        tally.stray_processes += len(left)
        tally.problems += [f"{period}: process {pid} still alive after the run: {command_line(pid)}" for pid in left]
        kill_all(left)
    if lock_left(reports):
        tally.locks_left += 1
        tally.problems.append(f"{period}: the reports folder is still locked after the run")
    half = [p for p in reports.rglob(".*") if p.is_dir() and HALF_WRITTEN.match(p.name)]
    if half:
        tally.half_written_left += len(half)
        tally.problems += [f"{period}: half-written folder left: {p}" for p in half]
    ok = len(blocs) - len(bad)
    return (f"run {tally.runs:>3}  {period:<8} {ok}/{len(blocs)} reports ok, overview "
            f"{'ok' if overview in written else 'MISSING'}, exit {code}, retries {retries}, stray {len(left)}, "
            f"{seconds:.1f} s  (total {tally.reports} reports)")


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=200, help="bloc reports to run at least (whole runs of every bloc)")
    ap.add_argument("--jobs", type=int, default=2, help="as `thidua run --jobs`")
    ap.add_argument("--data", type=Path, default=ROOT / "data", help="data folder (default: the project's sample data)")
    ap.add_argument("--report-timeout", type=int, default=300, help="as `thidua run --timeout`: seconds for one report")
    ap.add_argument("--run-timeout", type=int, default=1200, help="seconds one `thidua run` may take before it is killed")
    ap.add_argument("--no-hog", action="store_true", help="run without the CPU hog")
    ap.add_argument("--smoke", action="store_true", help="about 6 reports: checks the soak runs (a machinery failure still makes it exit 1)")
    args = ap.parse_args()
    if args.smoke:
        vars(args).update(SMOKE)
    blocs, periods = common_periods(args.data)
    if not blocs or not periods:
        raise SystemExit(f"no period that every bloc has in {args.data}")
    runs = max(1, math.ceil(args.reports / len(blocs)))
    marker = f"{MARKER}={secrets.token_hex(8)}"
    print(f"soak: {runs} runs of `thidua run --bloc all --jobs {args.jobs} --force` over {len(periods)} periods "
          f"({len(blocs)} blocs each), {'no CPU hog' if args.no_hog else 'beside a CPU hog'}; marker {marker}", flush=True)
    tally = Tally()
    hog, hog_cpu = None, None
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="thidua-soak-") as tmp:
        reports = Path(tmp) / "reports"
        try:
            if not args.no_hog:  # its own limit: every run at its time limit, and a minute more
                hog = subprocess.Popen([sys.executable, "-c", HOG, str(os.getpid()), str(runs * args.run_timeout + 60)])
            for i in range(runs):
                print(one_run(periods[i % len(periods)], blocs, args, reports, marker, tally), flush=True)
        finally:
            if hog is not None:
                hog_cpu = cpu_seconds(hog.pid)
                hog.kill()
                hog.wait()
            left = marked(marker)  # after an interruption: nothing of ours outlives the soak
            kill_all(left)
    wall = time.perf_counter() - t0
    per_report = tally.seconds / tally.reports
    for line in tally.problems[:30]:
        print(f"  problem: {line}")
    if len(tally.problems) > 30:
        print(f"  ... and {len(tally.problems) - 30} more problems")
    print(f"{tally.reports} reports in {tally.runs} runs ({tally.runs / len(periods):.1f} passes over {len(periods)} periods), "
          f"{per_report:.2f} s a report; machinery failures: {tally.machinery_failures} (goal 0); retries: {tally.retries}; "
          f"CPU hog: {'none' if hog_cpu is None else f'{hog_cpu:.0f} s of CPU'}")
    print(json.dumps({"benchmark": "soak", "reports": tally.reports, "runs": tally.runs, "periods": len(periods),
                      "blocs": len(blocs), "jobs": args.jobs, "machinery_failures": tally.machinery_failures,
                      "failed_reports": tally.failed_reports, "failed_runs": tally.failed_runs,
                      "overview_failures": tally.overview_failures, "stray_processes": tally.stray_processes,
                      "locks_left": tally.locks_left, "half_written_left": tally.half_written_left,
                      "retries": tally.retries, "seconds_per_report": round(per_report, 3),
                      "runs_seconds": round(tally.seconds, 1), "wall_seconds": round(wall, 1),
                      "hog_cpu_seconds": None if hog_cpu is None else round(hog_cpu, 1),
                      "problems": tally.problems[:10], "cpu_count": os.cpu_count(),
                      "load_average": [round(x, 2) for x in os.getloadavg()], "smoke": args.smoke,
                      "ok": tally.machinery_failures == 0}, ensure_ascii=False))
    return 1 if tally.machinery_failures else 0


if __name__ == "__main__":
    sys.exit(main())
