"""How much a full `thidua run` costs over a bare papermill run of an empty notebook.

Both are run as the user runs them (a fresh process each), interleaved so that machine noise
hits both alike; medians and their ratio are printed. Goal: ratio <= 1.5.
Last line: one JSON object of the figures.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def timed(cmd: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--bloc", default="kinh-te-ky-thuat")
    ap.add_argument("--period", default="2018")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        empty = tmp / "empty.ipynb"
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        nb.metadata["kernelspec"] = {"name": "thidua", "display_name": "Python (thidua)", "language": "python"}
        nbformat.write(nb, empty)
        ours_cmd = [str(BIN / "thidua"), "run", "--bloc", args.bloc, "--period", args.period, "--reports", str(tmp / "reports"),
                    "--force"]  # a real run every time, not the skip of an unchanged report
        bare_cmd = [str(BIN / "papermill"), str(empty), str(tmp / "out.ipynb"), "--no-progress-bar"]
        timed(bare_cmd, tmp)  # warm the file cache for both before measuring
        timed(ours_cmd, tmp)
        ours, bare = [], []
        for i in range(args.repeats):
            pair = [("bare", bare_cmd), ("ours", ours_cmd)]
            for name, cmd in (pair if i % 2 == 0 else pair[::-1]):
                (ours if name == "ours" else bare).append(timed(cmd, tmp))
        stages = json.loads((tmp / "reports" / args.period / args.bloc / "manifest.json").read_text())["stages_seconds"]
    m_ours, m_bare = statistics.median(ours), statistics.median(bare)
    print(f"{'run':<34}{'median s':>10}{'min s':>8}{'max s':>8}")
    print(f"{'thidua run (full report)':<34}{m_ours:>10.2f}{min(ours):>8.2f}{max(ours):>8.2f}")
    print(f"{'papermill CLI, empty notebook':<34}{m_bare:>10.2f}{min(bare):>8.2f}{max(bare):>8.2f}")
    print(f"ratio (ours / bare papermill): {m_ours / m_bare:.2f}  (goal <= 1.5)")
    print(f"stages of the last run (s): {stages}")
    print(json.dumps({"seconds": round(m_ours, 3), "baseline_seconds": round(m_bare, 3), "ratio": round(m_ours / m_bare, 3),
                      "repeats": args.repeats, "stages_seconds": stages}))


if __name__ == "__main__":
    main()
