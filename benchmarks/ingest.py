"""How long `ingest` takes for 300 filled workbooks, against reading their cells with python-calamine alone.

A scratch data folder gets a bloc of 300 members (the 2018 covenant of the sample bloc);
one filled template per member is generated into a temporary folder (random but valid
values, seeded). Then, interleaved so that machine noise hits both alike:

* calamine: open every file with python-calamine and read every sheet's cells, nothing else;
* ingest:   ``toolkit.forms.ingest.ingest`` on an open Workspace: load the covenant and the period
            tables, read and check every file, write the tables and the report (into an
            emptied period folder each time, so every repeat does the full work, fsync
            included). Opening the Workspace (registry and vocabulary, the same for any
            number of files) is timed apart and printed as ``workspace_seconds``.

Medians and their ratio are printed. Goals: ratio <= 1.5 and ingest < 10 s.
``--smoke`` (run by the test suite): 3 workbooks, one repeat, figures printed, goals not judged.
Last line: one JSON object of the figures (``ratio``, ``seconds``...).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # forms_helpers: filling templates is test code, not library code

from python_calamine import CalamineWorkbook  # noqa: E402

from forms_helpers import fill_workbook  # noqa: E402
from toolkit.forms import workbook_layout, template  # noqa: E402
from toolkit.forms.ingest import ingest  # noqa: E402
from toolkit.model.workspace import Workspace  # noqa: E402

SOURCE_BLOC, YEAR, BLOC = "kinh-te-ky-thuat", 2018, "bench"
SMOKE = {"workbooks": 3, "repeats": 1}


def make_data(src: Path, dst: Path, n: int) -> list[str]:
    """Copy the registry files and add a bloc of ``n`` members with the sample 2018 covenant."""
    dst.mkdir(parents=True)
    for name in ("units.csv", "lineage.csv", "blocs.csv", "membership.csv", "vocabularies.yaml"):
        shutil.copy(src / name, dst / name)
    units = [f"don-vi-{i:03d}" for i in range(1, n + 1)]
    with open(dst / "units.csv", "a", encoding="utf-8") as f:
        f.writelines(f"{u},Đơn vị thử nghiệm số {i:03d},ĐV{i:03d},department\n" for i, u in enumerate(units, 1))
    with open(dst / "blocs.csv", "a", encoding="utf-8") as f:
        f.write(f"{BLOC},Khối thử nghiệm hiệu năng,Bắc Ninh\n")
    with open(dst / "membership.csv", "a", encoding="utf-8") as f:
        f.writelines(f"{YEAR},{BLOC},{u},member\n" for u in units)
    cov = (src / "covenants" / SOURCE_BLOC / f"{YEAR}.yaml").read_text(encoding="utf-8")
    (dst / "covenants" / BLOC).mkdir(parents=True)
    (dst / "covenants" / BLOC / f"{YEAR}.yaml").write_text(cov.replace(f"bloc: {SOURCE_BLOC}", f"bloc: {BLOC}"), encoding="utf-8")
    return units


def _values(ws: Workspace, rng: random.Random) -> dict:
    cov = ws.covenant(BLOC, YEAR)
    scores, notes = {}, {}
    for _, k in cov.criteria:
        # the covenant's plausible range, as the reader checks it: a '%' target of 95 must not be typed as 103.5
        lo, hi = k.plausible_range()
        if k.kind == "graded":
            scores[k.id] = round(rng.uniform(0.6, 1.0) * k.max * 4) / 4
        elif k.kind == "pass_fail":
            scores[k.id] = workbook_layout.PASS if rng.random() < 0.9 else workbook_layout.FAIL
        elif k.kind == "count":
            scores[k.id] = int(min(max(rng.randint(0, 5), lo), hi))
        else:
            scores[k.id] = min(max(round(k.target * rng.uniform(0.8, 1.1), 1), lo), hi)
        if rng.random() < 0.3:
            notes[k.id] = f"Văn bản số {rng.randint(1, 500)}/BC ngày {rng.randint(1, 28)}/11/{YEAR}"
    staff = {"xuat_sac": rng.randint(2, 20), "tot": rng.randint(20, 80), "hoan_thanh": rng.randint(0, 10)}
    orgs = {"party": "Hoàn thành xuất sắc nhiệm vụ", "union": "Vững mạnh", "youth": rng.choice(["Vững mạnh", "Khá"])}
    events = {e.id: (1, "Quyết định khen thưởng") for e in cov.adjustments.events if rng.random() < 0.2}
    return {"scores": scores, "notes": notes, "staff": staff, "orgs": orgs, "events": events}


def _write_some(args: tuple[str, str, list[str], int]) -> int:
    data, out, units, seed = args
    ws = Workspace.open(data)
    specs = {s.unit_id: s for s in template.specs_for(ws, BLOC, str(YEAR), units)}
    for u in units:
        rng = random.Random(f"{seed}-{u}")
        wb = fill_workbook(template.build_workbook(specs[u]), **_values(ws, rng))
        wb.save(Path(out) / template.template_filename(BLOC, YEAR, u))
    return len(units)


def make_workbooks(data: Path, out: Path, units: list[str], seed: int) -> None:
    out.mkdir(parents=True)
    jobs = max(1, min(os.cpu_count() or 1, 8))
    chunks = [units[i::jobs] for i in range(jobs)]
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_write_some, [(str(data), str(out), c, seed) for c in chunks]))


def read_with_calamine(folder: Path) -> int:
    cells = 0
    for path in sorted(folder.iterdir()):
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(len(r) for r in rows)
    return cells


def run_ingest(ws: Workspace, folder: Path) -> tuple[int, float]:
    period = ws.data_dir / "periods" / BLOC / str(YEAR)
    shutil.rmtree(period, ignore_errors=True)  # every repeat does the full work, writing included
    t = time.perf_counter()
    result = ingest(folder, ws, BLOC, str(YEAR))
    seconds = time.perf_counter() - t
    if result.rejected or len(result.accepted) != sum(1 for _ in folder.iterdir()):
        raise SystemExit("ingest rejected files:\n" + "\n".join(str(p) for p in result.problems[:20]))
    return len(result.accepted), seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workbooks", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--seed", type=int, default=2018)
    ap.add_argument("--smoke", action="store_true", help="3 workbooks, one repeat: checks the benchmark runs, judges nothing")
    args = ap.parse_args()
    if args.smoke:
        vars(args).update(SMOKE)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        units = make_data(ROOT / "data", data, args.workbooks)
        t = time.perf_counter()
        make_workbooks(data, tmp / "nop", units, args.seed)
        print(f"generated {len(units)} filled workbooks in {time.perf_counter() - t:.1f} s", flush=True)
        folder = tmp / "nop"
        t = time.perf_counter()
        ws = Workspace.open(data)
        workspace_seconds = time.perf_counter() - t
        read_with_calamine(folder)  # warm the file cache and imports for both
        run_ingest(ws, folder)
        bare, ours = [], []
        for i in range(args.repeats):
            t = time.perf_counter()
            cells = read_with_calamine(folder)
            bare.append(time.perf_counter() - t)
            n, seconds = run_ingest(ws, folder)
            ours.append(seconds)
            print(f"repeat {i + 1}: calamine {bare[-1]:.3f} s ({cells} cells), ingest {ours[-1]:.3f} s ({n} units)", flush=True)
    med_bare, med_ours = statistics.median(bare), statistics.median(ours)
    ratio = med_ours / med_bare
    ok = None if args.smoke else ratio <= 1.5 and med_ours < 10
    print(f"median: calamine alone {med_bare:.3f} s, ingest {med_ours:.3f} s, ratio {ratio:.2f} "
          + ("(--smoke: not judged)" if args.smoke else "(goals: ratio <= 1.5, ingest < 10 s)"))
    print(json.dumps({"benchmark": "ingest", "workbooks": args.workbooks, "repeats": args.repeats,
                      "seconds": round(med_ours, 4), "calamine_seconds": round(med_bare, 4), "ratio": round(ratio, 3),
                      "workspace_seconds": round(workspace_seconds, 4), "cpu_count": os.cpu_count(),
                      "goal_ratio": 1.5, "goal_seconds": 10, "ok": ok, "smoke": args.smoke}))


if __name__ == "__main__":
    main()
