"""Throughput of a batch of 20 bloc reports.

Compares, in one run: our batch with --jobs 2 against --jobs 1 (goal: >= 1.8x on 2 cores),
and against what a user would otherwise write, a shell loop of `papermill` then
`jupyter nbconvert --to html --no-input` over the same reports (goal: ours at least 2x the
throughput). Each configuration is run `--repeats` times, interleaved; medians are compared.
``seconds_per_report``: the --jobs 2 batch's time per report (goal: half of 2.7 s, the figure first measured);
``cpu_seconds_per_report``: the CPU time of all its processes (workers and kernels) per report,
which the load of other programs on the machine changes much less. ``--only jobs2`` runs just that configuration.
``--smoke`` (run by the test suite): one report, once, with --jobs 2 and the shell loop; figures
printed, goals not judged. Last line: one JSON object of the figures.
"""
from __future__ import annotations

import argparse
import json
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.runs import batch
from toolkit import config  # noqa: E402
from toolkit.model.workspace import Workspace  # noqa: E402

BIN = Path(sys.executable).parent
# --smoke: --jobs 1 is left out, it runs the same code as --jobs 2 (and the shell loop is the one other path)
SMOKE = {"reports": 1, "repeats": 1, "only": ["jobs2", "shell"]}


def jobs(n: int) -> list[batch.Job]:
    ws = Workspace.open(config.DATA_DIR)
    pairs = [(b, p) for p in ws.periods(ws.blocs()[0]) if "-" not in p for b in ws.blocs()]
    return [batch.Job(b, p) for b, p in pairs[:n]]


def children_cpu() -> float:
    """CPU seconds of this process's finished children (and theirs, each waited for by its parent)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


CPU: dict[str, list[float]] = {}


def ours(job_list, workers: int) -> float:
    cpu = children_cpu()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        out = batch.run_batch(job_list, Path(tmp), workers=workers, force=True)
        elapsed = time.perf_counter() - t
    CPU.setdefault(f"jobs{workers}", []).append(children_cpu() - cpu)
    bad = [o for o in out if o.status != "ok"]
    if bad:
        raise SystemExit(f"batch failed: {bad}")
    return elapsed


def shell_loop(job_list) -> float:
    nb = config.NOTEBOOKS_DIR / "bloc_report.ipynb"
    with tempfile.TemporaryDirectory() as tmp:
        lines = ["set -e"]
        for j in job_list:
            out = Path(tmp) / j.period / j.bloc
            lines.append(f"mkdir -p {shlex.quote(str(out))}")
            lines.append(f"{BIN}/papermill {shlex.quote(str(nb))} {out}/report.ipynb -p bloc {j.bloc} -p period {j.period} "
                         f"-p output_dir {out} --no-progress-bar -k thidua >/dev/null 2>&1")
            lines.append(f"{BIN}/jupyter nbconvert --to html --no-input {out}/report.ipynb >/dev/null 2>&1")
        t = time.perf_counter()
        proc = subprocess.run(["bash", "-c", "\n".join(lines)])
        if proc.returncode != 0:
            raise SystemExit("the shell loop failed; run one of its papermill lines by hand to see why")
        return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reports", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--only", choices=["jobs2", "jobs1", "shell"], nargs="+", default=["jobs2", "jobs1", "shell"],
                    help="configurations to run (default: all three)")
    ap.add_argument("--smoke", action="store_true",
                    help="one report, once, --jobs 2 and the shell loop: checks the benchmark runs, judges nothing")
    args = ap.parse_args()
    if args.smoke:
        vars(args).update(SMOKE)
    job_list = jobs(args.reports)
    runs = {k: [] for k in ("jobs2", "jobs1", "shell") if k in args.only}
    for i in range(args.repeats):
        order = list(runs) if i % 2 == 0 else list(runs)[::-1]
        for name in order:
            secs = ours(job_list, 1) if name == "jobs1" else ours(job_list, 2) if name == "jobs2" else shell_loop(job_list)
            runs[name].append(secs)
            print(f"  {name}: {secs:.1f} s", flush=True)
    med = {k: statistics.median(v) for k, v in runs.items()}
    n = len(job_list)
    print(f"{'configuration':<40}{'median s':>10}{'s/report':>10}")
    for label, key in (("thidua batch, --jobs 2", "jobs2"), ("thidua batch, --jobs 1", "jobs1"),
                       ("shell loop: papermill + nbconvert", "shell")):
        if key in med:
            print(f"{label:<40}{med[key]:>10.1f}{med[key] / n:>10.2f}")
    speedup = med["jobs1"] / med["jobs2"] if {"jobs1", "jobs2"} <= set(med) else None
    vs_shell = med["shell"] / med["jobs2"] if {"shell", "jobs2"} <= set(med) else None
    if speedup is not None:
        print(f"speedup --jobs 2 vs --jobs 1: {speedup:.2f} " + ("(--smoke: not judged)" if args.smoke else "(goal >= 1.8)"))
    if vs_shell is not None:
        print(f"throughput vs shell loop: {vs_shell:.2f}x " + ("(--smoke: not judged)" if args.smoke else "(goal >= 2)"))
    cpu = statistics.median(CPU["jobs2"]) / n if "jobs2" in CPU else None
    if "jobs2" in med:
        print(f"seconds per report at --jobs 2: {med['jobs2'] / n:.2f} (CPU: {cpu:.2f} s a report, all processes)")

    def fig(x, digits=3):
        return None if x is None else round(x, digits)

    print(json.dumps({"reports": n, "repeats": args.repeats, "jobs2_seconds": fig(med.get("jobs2"), 2),
                      "jobs1_seconds": fig(med.get("jobs1"), 2), "shell_loop_seconds": fig(med.get("shell"), 2),
                      "seconds_per_report": fig(med["jobs2"] / n if "jobs2" in med else None),
                      "cpu_seconds_per_report": fig(cpu),
                      "speedup_jobs": fig(speedup), "vs_shell_loop": fig(vs_shell), "smoke": args.smoke}))


if __name__ == "__main__":
    main()
