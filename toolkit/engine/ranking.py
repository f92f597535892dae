"""Ranking within each bloc by the covenant's tie-break order, saying which key decided each tie.

Units sharing every tie-break key share a rank (competition ranking: 1, 2, 2, 4); the
covenant must list ``name`` last to force a strict order. Units without a submission are
not ranked.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.model.text import collation_rank, sort_key

KEY_LABELS = {
    "total": "tổng điểm",
    "bonus": "điểm thưởng cao hơn",
    "penalty": "bị trừ ít điểm hơn",
    "self_gap": "tự chấm sát kết quả thẩm định hơn",
    "vote_share": "tỷ lệ phiếu bình xét cao hơn",
    "name": "thứ tự tên đơn vị (theo bảng chữ cái)",
}


def key_label(key: str, titles: dict[str, str] | None = None) -> str:
    kind, _, ref = key.partition(":")
    if kind == "content":
        return f"điểm nội dung {ref} cao hơn"
    if kind == "criterion":
        return f"điểm tiêu chí {ref} cao hơn"
    return KEY_LABELS[kind]


def key_values(units: pd.DataFrame, contents: pd.DataFrame, crit_scores: pd.DataFrame, key: str) -> pd.Series:
    """Value of one tie-break key per unit, oriented so that larger is better."""
    kind, _, ref = key.partition(":")
    if kind in ("total", "bonus", "penalty"):
        return units[kind].astype(float)
    if kind == "self_gap":
        # "tự chấm sát kết quả thẩm định hơn": the unit whose self score is *closer* to the
        # verified one wins, so under-scoring oneself by 2 is no better than over-scoring by 2.
        return -units["self_gap"].astype(float).abs()
    if kind == "vote_share":
        return units["vote_share"].astype(float).fillna(-np.inf)
    if kind == "name":
        return -pd.Series(collation_rank(units["name"]), index=units.index, dtype=float)
    if kind == "content":
        sel = contents.loc[contents["content_id"] == ref, ["bloc_id", "unit_id", "final_score"]].set_index(["bloc_id", "unit_id"])["final_score"]
    else:  # a criterion with parts (its id is every part's group_id) counts the sum of its parts
        hit = crit_scores.loc[crit_scores["group_id"] == ref, ["bloc_id", "unit_id", "final_score"]]
        # parts keep 2-4 decimals; rounding the sum far below them keeps 0.15 + 0.15 equal to 0.1 + 0.2
        sel = hit.groupby(["bloc_id", "unit_id"], sort=False)["final_score"].sum().round(9)
    idx = pd.MultiIndex.from_frame(units[["bloc_id", "unit_id"]])
    return pd.Series(sel.reindex(idx).to_numpy(dtype=float), index=units.index)


def rank_units(units: pd.DataFrame, contents: pd.DataFrame, crit_scores: pd.DataFrame, tie_break: list[str]) -> pd.DataFrame:
    """Add ``rank``, ``decided_by`` and ``tied_with`` to submitted units, per bloc."""
    ranked = units[units["submitted"]].copy()
    keys = pd.DataFrame(index=ranked.index)
    for k in tie_break:
        if k == "name" and len(keys.columns):
            # Names only order units equal on every earlier key, so only those are collated (one
            # ICU key per unit is most of the cost of a national run); positions among them keep
            # the same order and equalities, and the other units' value never decides anything.
            level = ranked[["bloc_id"]].join(keys).duplicated(keep=False).to_numpy()
            vals = np.zeros(len(ranked))
            if level.any():
                vals[level] = key_values(ranked[level], contents, crit_scores, k).to_numpy()
            keys[k] = vals
        else:
            keys[k] = key_values(ranked, contents, crit_scores, k)
    order = ranked[["bloc_id"]].join(keys)
    order = order.sort_values(["bloc_id", *tie_break], ascending=[True] + [False] * len(tie_break), kind="stable")
    same_bloc = order["bloc_id"].eq(order["bloc_id"].shift())
    eq_prev = pd.DataFrame({k: order[k].eq(order[k].shift()) & same_bloc for k in tie_break})
    all_eq = eq_prev.all(axis=1)
    pos = order.groupby("bloc_id", sort=False).cumcount() + 1
    rank = pos.where(~all_eq).ffill().astype(int)
    same_total_prev = eq_prev[tie_break[0]]
    same_total_next = same_total_prev.shift(-1, fill_value=False)
    # A unit sharing its rank is "đồng hạng" whatever its neighbours: which of the fully tied
    # units the stable sort happens to put first depends on input row order, and the label
    # must not. Otherwise the label is the first key that separated the unit from its
    # same-total neighbour (the one above it, else the one below).
    shared = (all_eq | all_eq.shift(-1, fill_value=False)).to_numpy()
    diff_prev = (~eq_prev).to_numpy()
    first_diff_prev = np.where(diff_prev.any(axis=1), diff_prev.argmax(axis=1), -1)
    first_diff_next = np.append(first_diff_prev[1:], -1)
    labels = np.array([key_label(k) for k in tie_break] + ["đồng hạng (các tiêu chí phân hạng đều bằng nhau)"], dtype=object)
    pick = np.where(shared, -1, np.where(same_total_prev, first_diff_prev, np.where(same_total_next, first_diff_next, -2)))
    decided = np.where(pick == -2, "", labels[np.where(pick < 0, len(tie_break), pick)])
    order = order.assign(rank=rank.to_numpy(), decided_by=decided, tie=(same_total_prev | same_total_next).to_numpy())
    # Names of the other units with the same total, in Vietnamese name order (not row order).
    rows = order.index[order["tie"].to_numpy()]
    tied = pd.DataFrame({"row": rows, "bloc_id": order.loc[rows, "bloc_id"].to_numpy(),
                         "total_key": order.loc[rows, tie_break[0]].to_numpy(), "name": ranked.loc[rows, "name"].to_numpy()})
    tied["_k"] = tied["name"].map(sort_key)
    pairs = tied.merge(tied, on=["bloc_id", "total_key"], suffixes=("", "_other"))
    pairs = pairs[pairs["row"] != pairs["row_other"]].sort_values(["row", "_k_other"], kind="stable")
    tied_with = pairs.groupby("row")["name_other"].agg("; ".join).reindex(order.index, fill_value="")
    out = units.join(order[["rank", "decided_by"]]).join(tied_with.rename("tied_with"))
    out["rank"] = out["rank"].astype("Int64")
    out["decided_by"] = out["decided_by"].fillna("")
    out["tied_with"] = out["tied_with"].fillna("")
    return out
