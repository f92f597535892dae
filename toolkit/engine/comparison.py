"""Change since the previous comparable period, following unit lineage.

A renamed unit is compared with its former self; a unit formed by a merger lists its
predecessors' results instead of a difference, because totals of different units cannot be
added up into one meaningful "previous" score. A unit that took over part of a split unit's
functions (Decree 150/2025) is compared with its own previous result only, and says so: the split
unit's results are not carried into any of its successors. Predecessors from outside the bloc
(another bloc, or a former province's bloc merged on 1 July 2025) are named in the note only.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.model.rounding import round_half_up
from toolkit.model.text import fmt_number, sort_key

COLUMNS = ["unit_id", "prev_period", "prev_unit_ids", "prev_rank", "prev_total", "delta_total", "delta_rank", "note"]


def compare_periods(current: pd.DataFrame, previous: pd.DataFrame | None, successors: dict[str, str | None],
                    prev_period: str, names: dict[str, str], decimals: int = 2,
                    split_sources: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """``current``/``previous``: unit tables with unit_id, rank, total; ``successors`` maps old -> current id.

    ``split_sources`` maps a current unit to the split units whose functions it took over
    (:meth:`~toolkit.model.registry.Registry.split_sources`); it adds a note, never a figure.
    """
    cur = current[["unit_id", "rank", "total"]].copy()
    split_sources = split_sources or {}
    if previous is None or previous.empty:
        out = cur[["unit_id"]].assign(prev_period=prev_period, prev_unit_ids="", prev_rank=pd.NA, prev_total=np.nan,
                                      delta_total=np.nan, delta_rank=pd.NA, note=f"không có dữ liệu kỳ {prev_period}")
        out["note"] = [_with_split(n, split_sources.get(u, []), names) for u, n in zip(out["unit_id"], out["note"])]
        return out[COLUMNS]
    prev = previous[["unit_id", "rank", "total", "name"]].copy()
    prev["successor"] = prev["unit_id"].map(successors)
    counts = prev.groupby("successor")["unit_id"].agg(list)
    one = prev[prev["successor"].map(counts.map(len)) == 1].set_index("successor")
    cur = cur.join(one[["unit_id", "rank", "total"]].rename(columns={"unit_id": "prev_id", "rank": "prev_rank", "total": "prev_total"}), on="unit_id")
    cur["prev_unit_ids"] = cur["unit_id"].map(lambda u: ", ".join(counts.get(u, [])))
    cur["delta_total"] = round_half_up(cur["total"] - cur["prev_total"], decimals)  # as every other number: half up
    cur["delta_rank"] = (cur["prev_rank"] - cur["rank"]).astype("Int64")  # positive: moved up
    merged_from = cur["unit_id"].map(lambda u: counts.get(u, []))

    def note(row, preds) -> str:
        if len(preds) > 1:
            # a predecessor without a submission has no rank or total: say so instead of "hạng -,  điểm"
            parts = [f"{names.get(p, p)}: " + (f"hạng {_int(r)}, {fmt_number(t)} điểm" if pd.notna(t) else "chưa nộp")
                     for p, r, t in prev.set_index("unit_id").loc[preds, ["rank", "total"]].itertuples()]
            return "hợp nhất từ " + "; ".join(parts)
        if pd.isna(row.total):
            return "kỳ này chưa nộp"
        if not preds:
            return f"không có kết quả kỳ {prev_period}"
        if preds[0] != row.unit_id:
            return f"kỳ trước mang tên {names.get(preds[0], preds[0])}"
        if pd.isna(row.prev_total):
            return f"kỳ {prev_period} chưa nộp"
        return ""

    # predecessors that were not in this bloc (another bloc, another province before 1 July 2025): named, never added
    seen = set(prev["unit_id"])
    elsewhere: dict[str, list[str]] = {}
    for old, succ in successors.items():
        if succ is not None and old != succ and old not in seen:
            elsewhere.setdefault(succ, []).append(old)
    cur["note"] = [_with_elsewhere(_with_split(note(r, p), split_sources.get(r.unit_id, []), names),
                                   elsewhere.get(r.unit_id, []), names) for r, p in zip(cur.itertuples(), merged_from)]
    cur["prev_period"] = prev_period
    cur["prev_rank"] = cur["prev_rank"].astype("Int64")
    return cur[COLUMNS]


def _with_split(note: str, sources: list[str], names: dict[str, str]) -> str:
    """``note``, then what the unit took over from split units ("tiếp nhận một phần chức năng của ...")."""
    if not sources:
        return note
    text = ("tiếp nhận một phần chức năng của " + "; ".join(names.get(s, s) for s in sources)
            + " (chia tách): so với kết quả của chính đơn vị, không cộng kết quả của đơn vị chia tách")
    return f"{note}; {text}" if note else text


def _with_elsewhere(note: str, units: list[str], names: dict[str, str]) -> str:
    """``note``, then the unit's predecessors from outside the bloc, whose results are not compared."""
    if not units:
        return note
    text = "có thêm tiền thân ngoài khối: " + "; ".join(sorted((names.get(u, u) for u in units), key=sort_key)) + " (không cộng vào kết quả kỳ trước)"
    return f"{note}; {text}" if note else text


def _int(x) -> str:
    return "-" if pd.isna(x) else str(int(x))
