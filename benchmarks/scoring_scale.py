"""National-scale benchmark of the scoring engine (issue 2).

Builds, in memory, every province's blocs with ``toolkit.samples.national.national`` (default
63 provinces × 20 blocs × 15 units × 40 criteria: about 750,000 score rows, and about 2.5
million individual staff ratings) and times, for one year period over all blocs stacked:

* ``toolkit.engine.evaluate.evaluate(cov, data, vocab)``: scoring, bands, ranking, targets, cap,
  nominations;
* the baseline, a plain ``scores.groupby(["bloc_id", "unit_id"])["verified_value"].sum()``
  over the same score rows.

Goals: ``evaluate`` under 3 s (median wall) and under 1.5 GB (peak memory above its inputs),
with the engine's one plain pandas path. The ratio to the baseline is printed for
information only.

Repetitions are interleaved (engine, baseline, engine, baseline, ...) after one untimed
warm-up call of each, and medians are reported. Staff ratings are individual rows, one per
civil servant; they reach ``evaluate`` as counts per unit and level, aggregated by
``toolkit.samples.national.aggregate_staff``, a vectorised groupby equivalent to the loader's
(not by the CSV loader itself); that aggregation is timed separately and is not part of
``seconds``.

Peak memory: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` delta, on one extra untimed
engine call: freed memory is first handed back to the OS (``malloc_trim``, Arrow's pool) and
the kernel's high-water mark reset (``/proc/self/clear_refs``, value 5), so the delta is the
memory ``evaluate`` itself needs on top of its inputs; the process's absolute peak is shown
too. Where the reset is impossible (not Linux), ``tracemalloc`` is used instead and the
output says so. Timed calls only run a garbage collection first, for engine and baseline alike.

The machine may be shared: wall-clock medians are the headline figures, CPU-time medians
and the load average are printed next to them to show contention.

Usage: .venv/bin/python benchmarks/scoring_scale.py [--repeats 5] [--provinces 63] ...
``--smoke`` (run by the test suite): 2 blocs of 5 units, one repeat, figures printed, goals not judged.
The last line printed is one JSON object (seconds, baseline_seconds, ratio, peak_mb, rows,
staff_rows, blocs, units, repeats, smoke).
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit import config  # noqa: E402
from toolkit.engine.evaluate import evaluate  # noqa: E402
from toolkit.samples.national import aggregate_staff, national  # noqa: E402
from toolkit.model.vocabulary import load_vocabulary  # noqa: E402

GOAL_SECONDS, GOAL_MB = 3.0, 1536.0
# --smoke: the smallest input that still has several blocs, every kind of criterion and staff ratings
SMOKE = {"provinces": 1, "blocs": 2, "units": 5, "criteria": 6, "staff_per_unit": 10, "repeats": 1}


def _vocabulary_path() -> Path:
    for p in (ROOT / "data" / config.VOCABULARY, config.DATA_DIR / config.VOCABULARY,
              config.REFERENCE_DIR / config.VOCABULARY):
        if p.exists():
            return p
    raise SystemExit("vocabularies.yaml not found (looked in data/ and toolkit/reference/)")


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the kernel's RSS high-water mark (also what ru_maxrss reports) to the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


try:
    _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
except (OSError, AttributeError):  # not glibc
    _malloc_trim = None


def _release() -> None:
    """Hand freed memory back to the OS (glibc heap and Arrow's memory pool) so RSS shows what is in use."""
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):
        pass


def _maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def _timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one call, after a garbage collection."""
    gc.collect()
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def _peak(fn) -> tuple[float, float] | None:
    """(MB evaluate needs above its inputs, process peak MB) from ru_maxrss, or None without /proc reset."""
    _release()
    if not _reset_peak():
        return None
    rss0 = _status_kb("VmRSS")
    if rss0 is None:
        return None
    out = fn()
    absolute = _maxrss_kb()
    del out
    return (absolute - rss0) / 1024, absolute / 1024


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=20180315)
    ap.add_argument("--provinces", type=int, default=63)
    ap.add_argument("--blocs", type=int, default=20, help="blocs per province")
    ap.add_argument("--units", type=int, default=15, help="units per bloc")
    ap.add_argument("--criteria", type=int, default=40)
    ap.add_argument("--staff-per-unit", type=int, default=130, help="mean civil servants per unit")
    ap.add_argument("--repeats", type=int, default=5, help="timed calls of each, interleaved")
    ap.add_argument("--smoke", action="store_true", help="tiny input, one repeat: checks the benchmark runs, judges nothing")
    args = ap.parse_args(argv)
    if args.smoke:
        vars(args).update(SMOKE)

    vocab_path = _vocabulary_path()
    vocab = load_vocabulary(vocab_path)
    t = time.perf_counter()
    cov, data, staff_rows = national(args.seed, args.provinces, args.blocs, args.units, args.criteria,
                                     args.staff_per_unit, vocab=vocab)
    gen_seconds = time.perf_counter() - t
    scores = data.scores
    n_blocs, n_units = data.members["bloc_id"].nunique(), len(data.members)
    t = time.perf_counter()
    staff = aggregate_staff(staff_rows, vocab, data.period.year)
    staff_seconds = time.perf_counter() - t
    assert staff.equals(data.staff), "aggregate_staff is not deterministic"

    def engine():
        return evaluate(cov, data, vocab)

    def baseline():
        return scores.groupby(["bloc_id", "unit_id"])["verified_value"].sum()

    # warm-up (imports, ICU collator, pandas caches), untimed; also checks the output sizes
    out = engine()
    assert len(out["scores"]) == len(scores) and len(out["units"]) == n_units, "unexpected engine output size"
    baseline()
    del out

    eng_w, eng_c, base_w, base_c = [], [], [], []
    for _ in range(args.repeats):
        w, c = _timed(engine)
        eng_w.append(w), eng_c.append(c)
        w, c = _timed(baseline)
        base_w.append(w), base_c.append(c)

    # memory on one extra, untimed call: freed memory is handed back first and the kernel's
    # high-water mark reset, so the ru_maxrss delta is what evaluate adds to its inputs
    measured = _peak(engine)
    if measured is not None:
        peak_mb, absolute_mb = measured
        peak_how = "ru_maxrss delta of one extra untimed evaluate call, high-water mark reset before it"
    else:  # no /proc/self/clear_refs: trace Python and numpy allocations on one extra untimed call
        _release()
        tracemalloc.start()
        engine()
        peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        peak_how, absolute_mb = "tracemalloc peak of one extra untimed evaluate call", None

    seconds, base_seconds = statistics.median(eng_w), statistics.median(base_w)
    ratio = seconds / base_seconds
    cpu_ratio = statistics.median(eng_c) / statistics.median(base_c)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3

    def ok(flag: bool) -> str:
        return "not judged (--smoke)" if args.smoke else "ok" if flag else "MISSED"

    rows = [
        ("input", f"{args.provinces} provinces × {args.blocs} blocs × {args.units} units × {args.criteria} criteria"),
        ("blocs / units", f"{n_blocs:,} / {n_units:,} ({n_units - scores['unit_id'].nunique()} without a submission)"),
        ("score rows", f"{len(scores):,}"),
        ("staff ratings (individual rows)", f"{len(staff_rows):,} -> {len(data.staff):,} unit×level counts"),
        ("staff aggregation (not in 'seconds')", f"{staff_seconds:.3f} s, aggregate_staff: vectorised groupby equivalent to the loader's"),
        ("data generation (not timed)", f"{gen_seconds:.2f} s"),
        ("repeats (interleaved, after warm-up)", f"{args.repeats} engine + {args.repeats} baseline"),
        ("engine evaluate, median wall", f"{seconds:.3f} s   [{', '.join(f'{x:.3f}' for x in eng_w)}]   goal < {GOAL_SECONDS:g} s: {ok(seconds < GOAL_SECONDS)}"),
        ("baseline groupby-sum, median wall", f"{base_seconds:.3f} s   [{', '.join(f'{x:.3f}' for x in base_w)}]"),
        ("ratio engine / baseline (wall)", f"{ratio:.1f}   (for information)"),
        ("median CPU time engine / baseline", f"{statistics.median(eng_c):.3f} s / {statistics.median(base_c):.3f} s = {cpu_ratio:.1f}"),
        ("peak memory of evaluate", f"{peak_mb:.0f} MB   goal < {GOAL_MB:g} MB: {ok(peak_mb < GOAL_MB)}   ({peak_how})"),
    ]
    if absolute_mb is not None:
        rows.append(("process peak RSS during evaluate", f"{absolute_mb:.0f} MB (inputs included)"))
    rows.append(("machine", f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
                 + (f", OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']}" if os.environ.get("OPENBLAS_CORETYPE") else "")))
    rows.append(("vocabulary", str(vocab_path.relative_to(ROOT) if vocab_path.is_relative_to(ROOT) else vocab_path)))
    width = max(len(k) for k, _ in rows)
    print("thidua national scoring benchmark")
    print("-" * (width + 60))
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    print("-" * (width + 60))
    result = {"seconds": round(seconds, 4), "baseline_seconds": round(base_seconds, 4), "ratio": round(ratio, 2),
              "peak_mb": round(peak_mb, 1), "rows": len(scores), "staff_rows": len(staff_rows), "blocs": n_blocs,
              "units": n_units, "repeats": args.repeats, "smoke": args.smoke}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
