"""How much a full `thidua run` costs over a bare papermill run of an empty notebook, and where it goes.

Both are run as the user runs them (a fresh process each), interleaved so that machine noise
hits both alike; medians and their ratio are printed. Goal: ratio <= 1.5. The CPU time of each
(all its processes) is printed too: less sensitive to other programs than the wall time.

Stages (medians over the runs, seconds), from each run's report.ipynb (papermill's times per
cell) and manifest.json (the runner's stages):

- ``cli``: everything outside the runner's report: process start, imports, checks, the worker;
- ``kernel_start``: from papermill's start to the first cell (the kernel started and ready);
- ``imports`` and ``analysis``: the report's first cell imports the toolkit, then loads and
  analyses the period; a probe run of the same notebook with that cell cut in two, in this
  process, says how its time divides;
- ``charts``: cells that draw a chart; ``tables``: the other cells (tables, notes, xlsx/CSV);
- ``papermill``: the rest of the execution (papermill and nbclient between and around cells);
- ``html``: the HTML export.

``--smoke`` (run by the test suite): one run of each, no warm-up run, one probe run; figures
printed, goal not judged. Last line: one JSON object of the figures.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from toolkit import config  # noqa: E402

STAGES = ("cli", "kernel_start", "imports", "analysis", "charts", "tables", "papermill", "html")


CPU: dict[str, list[float]] = {"ours": [], "bare": []}


def timed(cmd: list[str], cwd: Path, name: str = "") -> float:
    """Wall seconds of ``cmd``; its CPU seconds (with every process it started and waited for) go to CPU[name]."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if name:
        CPU[name].append(after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime)
    return wall


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def cell_stages(nb_path: Path) -> dict[str, float]:
    """Kernel start and per-kind cell time of an executed report notebook (papermill's metadata)."""
    nb = nbformat.read(nb_path, as_version=4)
    start = _when(nb.metadata.papermill.start_time)
    code = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("papermill", {}).get("start_time")]
    out = {"kernel_start": (_when(nb.cells[0].metadata.papermill.start_time) - start).total_seconds(),
           "first_cell": 0.0, "charts": 0.0, "tables": 0.0, "cells": 0.0, "papermill_duration": nb.metadata.papermill.duration}
    first = next(c for c in code if "report.load(" in c.source)
    for c in code:
        d = c.metadata.papermill.duration
        out["cells"] += d
        if c is first:
            out["first_cell"] += d
        elif "charts." in c.source:
            out["charts"] += d
        elif "parameters" not in c.metadata.get("tags", []) and "injected-parameters" not in c.metadata.get("tags", []):
            out["tables"] += d
    return out


def run_stages(folder: Path, wall: float) -> dict[str, float]:
    record = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    cells = cell_stages(folder / "report.ipynb")
    runner = record["stages_seconds"]
    return {"cli": wall - record["duration_seconds"], "kernel_start": cells["kernel_start"], "first_cell": cells["first_cell"],
            "charts": cells["charts"], "tables": cells["tables"],
            "papermill": runner["execute"] - cells["kernel_start"] - cells["cells"], "html": runner["html"]}


def import_share(bloc: str, period: str, tmp: Path, repeats: int) -> float:
    """Share of the report's first cell spent importing: a probe notebook with that cell cut in two."""
    from toolkit.runs import runner

    nb = nbformat.read(config.NOTEBOOKS_DIR / "bloc_report.ipynb", as_version=4)
    i = next(k for k, c in enumerate(nb.cells) if c.cell_type == "code" and "report.load(" in c.source)
    lines = nb.cells[i].source.splitlines()
    imports = [ln for ln in lines if ln.startswith(("import ", "from "))]
    rest = [ln for ln in lines if ln not in imports]
    nb.cells[i:i + 1] = [nbformat.v4.new_code_cell("\n".join(imports)), nbformat.v4.new_code_cell("\n".join(rest))]
    probe = tmp / "probe.ipynb"
    nbformat.write(nb, probe)
    shares = []
    for r in range(repeats):
        folder = tmp / "probe" / str(r)
        runner.execute_report(probe, folder, {"bloc": bloc, "period": period, "data_dir": "", "output_dir": "."}, {}, "probe")
        out = nbformat.read(folder / "report.ipynb", as_version=4)  # papermill has added a cell of parameters
        k = next(k for k, c in enumerate(out.cells) if c.cell_type == "code" and "report.load(" in c.source)
        t_imp, t_rest = (out.cells[j].metadata.papermill.duration for j in (k - 1, k))
        shares.append(t_imp / (t_imp + t_rest))
    return statistics.median(shares)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--bloc", default="kinh-te-ky-thuat")
    ap.add_argument("--period", default="2018")
    ap.add_argument("--smoke", action="store_true", help="one run of each, no warm-up: checks the benchmark runs, judges nothing")
    args = ap.parse_args()
    if args.smoke:
        args.repeats = 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        empty = tmp / "empty.ipynb"
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        nb.metadata["kernelspec"] = {"name": "thidua", "display_name": "Python (thidua)", "language": "python"}
        nbformat.write(nb, empty)
        ours_cmd = [str(BIN / "thidua"), "run", "--bloc", args.bloc, "--period", args.period, "--reports", str(tmp / "reports"),
                    "--force"]  # a real run every time, not the skip of an unchanged report
        bare_cmd = [str(BIN / "papermill"), str(empty), str(tmp / "out.ipynb"), "--no-progress-bar"]
        folder = tmp / "reports" / args.period / args.bloc
        if not args.smoke:
            timed(bare_cmd, tmp)  # warm the file cache for both before measuring
            timed(ours_cmd, tmp)
        ours, bare, stages = [], [], []
        for i in range(args.repeats):
            pair = [("bare", bare_cmd), ("ours", ours_cmd)]
            for name, cmd in (pair if i % 2 == 0 else pair[::-1]):
                (ours if name == "ours" else bare).append(timed(cmd, tmp, name))
                if name == "ours":
                    stages.append(run_stages(folder, ours[-1]))
        share = import_share(args.bloc, args.period, tmp, 1 if args.smoke else 3)
    med = {k: statistics.median(s[k] for s in stages) for k in stages[0]}
    first = med.pop("first_cell")
    med["imports"], med["analysis"] = first * share, first * (1 - share)
    med = {k: round(med[k], 3) for k in STAGES}
    m_ours, m_bare = statistics.median(ours), statistics.median(bare)
    print(f"{'run':<34}{'median s':>10}{'min s':>8}{'max s':>8}")
    print(f"{'thidua run (full report)':<34}{m_ours:>10.2f}{min(ours):>8.2f}{max(ours):>8.2f}")
    print(f"{'papermill CLI, empty notebook':<34}{m_bare:>10.2f}{min(bare):>8.2f}{max(bare):>8.2f}")
    print(f"ratio (ours / bare papermill): {m_ours / m_bare:.2f}  " + ("(--smoke: not judged)" if args.smoke else "(goal <= 1.5)"))
    c_ours, c_bare = statistics.median(CPU["ours"]), statistics.median(CPU["bare"])
    print(f"CPU seconds, all processes: ours {c_ours:.2f}, bare papermill {c_bare:.2f}, ratio {c_ours / c_bare:.2f}")
    print("stages of `thidua run`, medians (s): " + ", ".join(f"{k} {v:.2f}" for k, v in med.items())
          + f"; sum {sum(med.values()):.2f}")
    print(json.dumps({"seconds": round(m_ours, 3), "baseline_seconds": round(m_bare, 3), "ratio": round(m_ours / m_bare, 3),
                      "cpu_seconds": round(c_ours, 3), "baseline_cpu_seconds": round(c_bare, 3),
                      "cpu_ratio": round(c_ours / c_bare, 3), "repeats": args.repeats, "stages_seconds": med,
                      "smoke": args.smoke}))


if __name__ == "__main__":
    main()
