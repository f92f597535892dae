"""Criteria with parts (tiêu chí thành phần) across periods: the points of each parent and part, per unit.

A year whose covenant splits no criterion has no rows, so the trends of a bloc without parts
read and show exactly what they did before. The rows come from the engine's result, or from a
filed report's criteria detail (``results/chi_tiet_tieu_chi.csv``), where the parent is the
subtotal row above its parts; the two agree (tests/test_criterion_trends.py).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.engine.evaluate import PeriodResult
from toolkit.engine.scoring import group_scores
from toolkit.model.covenant import Covenant
from toolkit.reports.filed_tables import read_results

PART_COLUMNS = ["period", "unit_id", "line_id", "org_id", "criterion_id", "parent_id", "title", "max", "score"]
_FRAME = ["unit_id", "criterion_id", "parent_id", "title", "max", "score"]


def _items(cov: Covenant) -> list[tuple[str, str, str, float]]:
    """(id, parent id or "", title, max) of every criterion with parts and of its parts, in covenant order."""
    out = []
    for _, k in cov.top_criteria:
        if k.parts:
            out.append((k.id, "", k.title, float(k.max)))
            out += [(p.id, k.id, p.title, float(p.max)) for p in k.parts]
    return out


def order(cov: Covenant) -> dict[str, int]:
    return {item[0]: i for i, item in enumerate(_items(cov))}


def from_result(res: PeriodResult) -> pd.DataFrame:
    """The final points of every parent and part for the units that submitted."""
    items = _items(res.covenant)
    if not items:
        return pd.DataFrame(columns=_FRAME)
    done = set(res.units.loc[res.units["submitted"], "unit_id"])
    groups = group_scores(res.scores, res.covenant).rename(columns={"final_score": "score"})
    scores = res.scores.rename(columns={"final_score": "score"})
    frames = []
    for frame in (groups, scores):
        frames.append(frame.loc[frame["unit_id"].isin(done), ["unit_id", "criterion_id", "score"]])
    return _described(pd.concat(frames, ignore_index=True), items)


def from_filed(results: Path, cov: Covenant, unit_ids) -> pd.DataFrame | None:
    """The same rows read from a filed report; None when its criteria detail cannot give them (then the period is computed)."""
    items = _items(cov)
    if not items:
        return pd.DataFrame(columns=_FRAME)
    try:
        detail = read_results(results / "chi_tiet_tieu_chi.csv")
        units = unit_ids(detail)
    except (OSError, ValueError, KeyError):
        return None
    if units is None:
        return None
    ids = detail["criterion"].astype(str).str.split(". ", n=1, regex=False).str[0]
    rows = pd.DataFrame({"unit_id": units, "criterion_id": ids, "score": detail["final_score"].astype(float)})
    wanted = {item[0] for item in items}
    return _described(rows[rows["criterion_id"].isin(wanted)], items)


def _described(rows: pd.DataFrame, items) -> pd.DataFrame:
    meta = pd.DataFrame(items, columns=["criterion_id", "parent_id", "title", "max"])
    out = rows.merge(meta, on="criterion_id", how="inner")
    return out[_FRAME].astype({"unit_id": object, "criterion_id": object, "parent_id": object, "title": object})
