"""Every benchmark still runs: each once in ``--smoke`` mode (tiny sizes, one repeat), as `make bench` would run it.

Benchmarks are not part of `make test`, so nothing else would notice one that stopped working
(the ingest benchmark once stopped at its first generated workbook). Smoke figures come from
tiny inputs on a shared machine, so none is judged: a benchmark fails here when it exits
non-zero or when its last line is not a JSON object with the keys it promises. The keys are
listed per benchmark below, and a benchmark missing from the list (or from `make bench`) fails
the first tests of this module, so a new one cannot be forgotten.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import spawn

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
LIMIT = 900  # seconds: a hung benchmark fails the test instead of hanging the suite (not a speed goal)

# benchmark -> the keys of its last line, and the markers its smoke run needs
BENCHMARKS: dict[str, tuple[set[str], tuple]] = {
    "scoring_scale.py": ({"seconds", "baseline_seconds", "ratio", "peak_mb", "rows", "staff_rows", "blocs", "units",
                          "repeats", "smoke"}, ()),
    "ingest.py": ({"seconds", "calamine_seconds", "ratio", "workspace_seconds", "workbooks", "repeats", "ok", "smoke"}, ()),
    "report_overhead.py": ({"seconds", "baseline_seconds", "ratio", "cpu_seconds", "baseline_cpu_seconds", "cpu_ratio",
                            "repeats", "stages_seconds", "smoke"}, ()),
    "batch.py": ({"reports", "jobs2_seconds", "jobs1_seconds", "shell_loop_seconds", "seconds_per_report",
                  "cpu_seconds_per_report", "speedup_jobs", "vs_shell_loop", "smoke"}, ()),
    "app_latency.py": ({"first_view_seconds", "controls_working_seconds", "first_view_seconds_without_pool",
                        "pool_kernel_rss_mb", "pool_kernel_pss_mb", "kernels_alive_after_visits", "ok", "smoke"},
                       (pytest.mark.requires_chromium, pytest.mark.browser)),
    "explorer_latency.py": ({"blocs", "units", "score_rows", "open_seconds", "selection_seconds", "other_seconds", "ok",
                             "smoke"}, ()),
    # plain HTTP to `thidua app`, no browser; written on its own branch: smoke-run here once it is in benchmarks/
    "app_load.py": ({"p50_seconds", "p95_seconds", "peak_mb"}, ()),
    "soak.py": ({"reports", "machinery_failures", "retries", "seconds_per_report", "stray_processes", "locks_left",
                 "smoke"}, ()),
}


def present() -> list[str]:
    return sorted(p.name for p in BENCH.glob("*.py"))


def test_every_benchmark_is_smoke_tested():
    assert set(present()) - set(BENCHMARKS) == set(), "add the new benchmark and the keys of its last line to BENCHMARKS"


def test_make_bench_runs_every_benchmark():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = re.search(r"^bench:.*\n((?:\t.*\n)+)", makefile, flags=re.M)
    assert target, "no bench target in the Makefile"
    run = set(re.findall(r"benchmarks/(\w+\.py)", target.group(1)))
    assert set(present()) - run == set()


def last_json(stdout: str) -> dict:
    lines = stdout.strip().splitlines()
    assert lines, "the benchmark printed nothing"
    try:
        figures = json.loads(lines[-1])
    except ValueError:
        figures = None
    assert isinstance(figures, dict), f"the last line is not a JSON object: {lines[-1][:300]!r}"
    return figures


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(name, marks=BENCHMARKS[name][1]) for name in present() if name in BENCHMARKS])
def test_benchmark_runs_in_smoke_mode(name, tmp_path):
    # this checkout's code, in the benchmark and in every `thidua` it starts
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = spawn([sys.executable, str(BENCH / name), "--smoke"], cwd=tmp_path, env=env, stdout=o, stderr=e,
                     stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            code = proc.wait(timeout=LIMIT)
        finally:
            try:  # whatever the benchmark left in its session (its servers and kernels clean up after themselves)
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    stdout, stderr = out.read_text(errors="replace"), err.read_text(errors="replace")
    print(stdout)  # the smoke figures, shown by pytest -rA or on failure
    assert code == 0, f"{name} --smoke exited {code}:\n{stderr[-3000:]}\n{stdout[-2000:]}"
    figures = last_json(stdout)
    missing = BENCHMARKS[name][0] - set(figures)
    assert not missing, f"{name} promises {sorted(missing)} on its last line: {stdout.splitlines()[-1][:500]}"
