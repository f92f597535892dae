"""Mutation testing of the rules (`make mutation`): run mutmut over a fixed random sample of mutants and score it.

Why a sample: the modules that decide results give about 2,400 mutants, and each one runs the
rule tests that reach the mutated function; on the project's two shared cores a full run takes
close to three hours. A sample drawn with a fixed seed gives the same mutants on every machine,
so two runs can be compared; ``--all`` runs every mutant when there is time.

The modules, the tests and mutmut's settings are in pyproject.toml ([tool.mutmut]); mutmut
copies the tree into mutants/ (git-ignored) and keeps each mutant's verdict there. This script
only draws the sample, calls ``mutmut run`` on it and prints the score per module with the
survivors (see docs/mutation.md for how to read them).

    python tests/tools/mutation.py [--sample N] [--seed S] [--all] [--jobs J] [--report-only]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"
SAMPLE_FILE = MUTANTS / "sample.json"


def _metas() -> dict[str, dict]:
    """Mutated module path -> mutmut's record of its mutants (name -> exit code, None when not run)."""
    return {str(p.relative_to(MUTANTS))[: -len(".meta")]: json.loads(p.read_text("utf-8"))
            for p in sorted(MUTANTS.glob("toolkit/**/*.py.meta"))}


def generate() -> None:
    """Create mutants/ the way ``mutmut run`` starts, without running anything, so the sample can be drawn first."""
    from mutmut.__main__ import create_mutants
    from mutmut.utils.file_utils import copy_also_copy_files, copy_src_dir, setup_source_paths

    os.chdir(ROOT)
    MUTANTS.mkdir(exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    setup_source_paths()
    create_mutants(os.cpu_count() or 2)


def status(code: int | None) -> str:
    from mutmut.stats import status_by_exit_code

    return status_by_exit_code[code]


def report(names: list[str]) -> int:
    """Print killed/total per module for ``names``; the survivors and untested ones by name. Returns how many were not killed."""
    metas = _metas()
    verdict = {k: (module, status(code)) for module, meta in metas.items() for k, code in meta["exit_code_by_key"].items()}
    per_module: dict[str, Counter] = {}
    not_killed = []
    for name in names:
        module, s = verdict[name]
        per_module.setdefault(module, Counter())[s] += 1
        if s not in ("killed", "timeout"):  # a mutant that makes the tests hang is caught too
            not_killed.append((module, name, s))
    total = Counter()
    print(f"{'module':40} {'killed':>7} {'total':>6} {'score':>6}")
    for module, c in sorted(per_module.items()):
        n, k = sum(c.values()), c["killed"] + c["timeout"]
        total.update(c)
        print(f"{module:40} {k:7} {n:6} {k / n:6.1%}")
    n, k = sum(total.values()), total["killed"] + total["timeout"]
    print(f"{'all':40} {k:7} {n:6} {(k / n if n else 0):6.1%}")
    if not_killed:
        print("\nNot killed (`.venv/bin/mutmut show NAME` prints the change):")
        for module, name, s in sorted(not_killed):
            print(f"  {s:12} {name}")
    return len(not_killed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=200, help="how many mutants to draw (default 200)")
    ap.add_argument("--seed", type=int, default=18, help="seed of the draw (default 18, the issue's number)")
    ap.add_argument("--all", action="store_true", help="every mutant instead of a sample (about three hours on two cores)")
    ap.add_argument("--jobs", type=int, default=2, help="mutants tested at once (default 2)")
    ap.add_argument("--report-only", action="store_true", help="score the last run's sample without running anything")
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    if args.report_only:
        report(json.loads(SAMPLE_FILE.read_text("utf-8")))
        return 0
    if not _metas():
        generate()
    every = sorted(k for meta in _metas().values() for k in meta["exit_code_by_key"])
    names = every if args.all else sorted(random.Random(args.seed).sample(every, min(args.sample, len(every))))
    SAMPLE_FILE.write_text(json.dumps(names, indent=0), "utf-8")
    what = "every mutant" if args.all else f"a sample of {len(names)} of {len(every)} mutants (seed {args.seed})"
    print(f"mutation testing: {what}", flush=True)
    started = time.monotonic()
    cmd = [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", str(args.jobs)] + ([] if args.all else names)
    with open(MUTANTS / "run.log", "w", encoding="utf-8") as log:  # mutmut's progress line, rewritten in place
        run = subprocess.run(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    print(f"mutmut finished in {time.monotonic() - started:.0f} s (exit code {run.returncode}; its output: mutants/run.log)\n")
    report(names)
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
