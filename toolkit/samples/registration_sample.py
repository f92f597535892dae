"""Synthetic registrations (đăng ký thi đua) of the sample blocs for 2024 and 2025.

Written after the rest of the sample (``generate`` calls :func:`write`), from the membership,
covenants and year-end scores already written and without drawing random numbers, so the other
sample files stay as they were. Every member registers for the certificate; the flag is
registered by all but the bloc's weakest third on the year's verified graded points (a unit
that cannot hope for it does not ask); committed figures sit at or a little beyond the
covenant's targets; a few commitments in words. In 2024 one unit of the sample bloc sends no
registration. The sample covenants do not require registration, so no result depends on this file.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from toolkit import config
from toolkit.model.period_data import REGISTRATIONS
from toolkit.model.readers import read_own_csv

YEARS = (2024, 2025)
NO_SHOW = {("kinh-te-ky-thuat", 2024): "lien-minh-htx"}  # no registration sent that year (it is proposed for nothing)
FLAG = "co_thi_dua"
STEPS_UP = (0, 1, 2, 3, 5)  # how far beyond a higher-is-better target units commit
STEPS_DOWN = (0, 0.5, 1, 1.5, 2)  # and below a lower-is-better one
WORDS = (
    "100% hồ sơ thủ tục hành chính được giải quyết đúng và trước hạn",
    "Hoàn thành 100% nhiệm vụ UBND tỉnh giao đúng tiến độ",
    "Không có cán bộ, công chức, viên chức vi phạm kỷ luật",
    "Xây dựng ít nhất 01 mô hình, điển hình tiên tiến trong năm",
    "Tham gia đầy đủ các hoạt động do Khối thi đua tổ chức",
)


def _rows(bloc: str, year: int, members: list[str], cov: dict, scores: pd.DataFrame) -> list[list[str]]:
    graded = [k["id"] for c in cov["contents"] for k in c["criteria"] if k.get("kind", "graded") == "graded"]
    targets = [k for c in cov["contents"] for k in c["criteria"] if k.get("kind") == "target"]
    points = scores[scores["criterion_id"].isin(graded)].groupby("unit_id")["verified_value"].sum()
    order = sorted(members, key=lambda u: (-points.get(u, 0.0), u))
    weakest = set(order[len(order) - len(order) // 3:])
    out = []
    for i, unit in enumerate(members):
        if NO_SHOW.get((bloc, year)) == unit:
            continue
        for award in cov["awards"]:
            yes = award["id"] != FLAG or unit not in weakest
            out.append([unit, "award", award["id"], "1" if yes else "0", ""])
        for j, k in enumerate(targets):
            if k.get("lower_is_better"):
                value = k["target"] - STEPS_DOWN[(i + j) % len(STEPS_DOWN)]
            else:
                value = min(100.0 if k.get("unit") == "%" else float("inf"), k["target"] + STEPS_UP[(i + j) % len(STEPS_UP)])
            out.append([unit, "criterion", k["id"], f"{value:g}", ""])
        for n in range(1 + i % 3):
            out.append([unit, "commitment", str(n + 1), "", WORDS[(i + n) % len(WORDS)]])
    return out


def write(out: Path) -> list[Path]:
    """Write ``periods/<bloc>/<year>/registrations.csv`` for every sample bloc and year of :data:`YEARS`."""
    membership = read_own_csv(out / config.MEMBERSHIP, dtype=str, keep_default_na=False)
    written = []
    for bloc in sorted(membership["bloc_id"].unique()):
        for year in YEARS:
            members = membership[(membership["bloc_id"] == bloc) & (membership["year"] == str(year))]["unit_id"].tolist()
            folder = out / config.PERIODS / bloc / str(year)
            if not members or not (folder / "scores.csv").exists():
                continue
            cov = yaml.safe_load((out / config.COVENANTS / bloc / f"{year}.yaml").read_text(encoding="utf-8"))
            scores = read_own_csv(folder / "scores.csv", keep_default_na=False, na_values=[""])
            rows = _rows(bloc, year, members, cov, scores)
            frame = pd.DataFrame(rows, columns=["unit_id", "kind", "item", "value", "text"])
            frame.to_csv(folder / REGISTRATIONS, index=False, lineterminator="\n")
            written.append(folder / REGISTRATIONS)
    return written
