"""Throughput of a batch of 20 bloc reports.

Compares, in one run: our batch with --jobs 2 against --jobs 1 (goal: >= 1.8x on 2 cores),
and against what a user would otherwise write, a shell loop of `papermill` then
`jupyter nbconvert --to html --no-input` over the same reports (goal: ours at least 2x the
throughput). Each configuration is run `--repeats` times, interleaved; medians are compared.
Last line: one JSON object of the figures.
"""
from __future__ import annotations

import argparse
import json
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


def jobs(n: int) -> list[batch.Job]:
    ws = Workspace.open(config.DATA_DIR)
    pairs = [(b, p) for p in ws.periods(ws.blocs()[0]) if "-" not in p for b in ws.blocs()]
    return [batch.Job(b, p) for b, p in pairs[:n]]


def ours(job_list, workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        out = batch.run_batch(job_list, Path(tmp), workers=workers, force=True)
        elapsed = time.perf_counter() - t
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
    args = ap.parse_args()
    job_list = jobs(args.reports)
    runs = {"jobs1": [], "jobs2": [], "shell": []}
    for i in range(args.repeats):
        order = ["jobs2", "jobs1", "shell"] if i % 2 == 0 else ["shell", "jobs1", "jobs2"]
        for name in order:
            secs = ours(job_list, 1) if name == "jobs1" else ours(job_list, 2) if name == "jobs2" else shell_loop(job_list)
            runs[name].append(secs)
            print(f"  {name}: {secs:.1f} s", flush=True)
    med = {k: statistics.median(v) for k, v in runs.items()}
    n = len(job_list)
    print(f"{'configuration':<40}{'median s':>10}{'s/report':>10}")
    for label, key in (("thidua batch, --jobs 2", "jobs2"), ("thidua batch, --jobs 1", "jobs1"),
                       ("shell loop: papermill + nbconvert", "shell")):
        print(f"{label:<40}{med[key]:>10.1f}{med[key] / n:>10.2f}")
    speedup = med["jobs1"] / med["jobs2"]
    vs_shell = med["shell"] / med["jobs2"]
    print(f"speedup --jobs 2 vs --jobs 1: {speedup:.2f} (goal >= 1.8); throughput vs shell loop: {vs_shell:.2f}x (goal >= 2)")
    print(json.dumps({"reports": n, "repeats": args.repeats, "jobs2_seconds": round(med["jobs2"], 2),
                      "jobs1_seconds": round(med["jobs1"], 2), "shell_loop_seconds": round(med["shell"], 2),
                      "speedup_jobs": round(speedup, 3), "vs_shell_loop": round(vs_shell, 3)}))


if __name__ == "__main__":
    main()
