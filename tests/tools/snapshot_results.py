"""Dump every engine frame of every sample bloc and period, to prove a refactor changes no result.

    python tests/tools/snapshot_results.py OUT_DIR          # write one CSV per bloc, period and frame
    diff -r BEFORE_DIR AFTER_DIR                             # identical trees: identical results

Floats are written with ``repr`` precision (``float_format='%.17g'``), so two runs match only when
every number is bit-identical, not merely equal after display rounding.
"""
from __future__ import annotations

import sys
from pathlib import Path

FRAMES = ("criteria", "scores", "contents", "units", "targets", "cap", "eligibility", "quotas", "comparison")


def main(out: Path) -> int:
    from toolkit.model.workspace import Workspace
    from toolkit.reports.analysis import analyse

    ws = Workspace.open()
    count = 0
    for bloc in ws.blocs():
        for period in ws.periods(bloc):
            result = analyse(ws, bloc, period)
            folder = out / bloc / period
            folder.mkdir(parents=True, exist_ok=True)
            for name in FRAMES:
                frame = getattr(result, name)
                frame.to_csv(folder / f"{name}.csv", index=False, float_format="%.17g", lineterminator="\n")
                count += 1
            (folder / "warnings.txt").write_text("\n".join(map(str, result.warnings)) + "\n", encoding="utf-8")
            (folder / "notes.txt").write_text("\n".join(result.notes) + "\n", encoding="utf-8")
    print(f"{count} frames written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
