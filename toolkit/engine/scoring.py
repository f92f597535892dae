"""Scores: criterion values to points, content subtotals, bonus and penalty, totals, bands.

Vectorised over all units (and blocs) at once: one pass per scoring *kind* or *rule*, never
one per unit or criterion, so a national run costs about what a pandas groupby costs.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.model.covenant import Covenant
from toolkit.model.rounding import round_half_up

KEYS = ["bloc_id", "unit_id"]


def criteria_table(cov: Covenant) -> pd.DataFrame:
    """One row per criterion, in covenant order."""
    rows = [
        {
            "content_id": c.id, "content_title": c.title, "criterion_id": k.id, "criterion_title": k.title,
            "max": float(k.max), "kind": k.kind, "points_per_event": k.points_per_event, "target": k.target,
            "target_unit": k.unit, "lower_is_better": k.lower_is_better, "order": i,
        }
        for i, (c, k) in enumerate(cov.criteria)
    ]
    return pd.DataFrame(rows)


class _Keys:
    """Integer codes for the rows of ``df``, equal exactly when every column of ``keys`` is equal.

    ``codes``: with ``sort`` they follow the lexicographic order of the keys; without, they
    number groups by first appearance, and ``first`` holds each group's first row.

    Each column is compared with its previous row, and only the first row of each run of equal
    values is hashed: a unit's rows are adjacent in any real table, so a national run hashes
    ~19,000 unit ids and ~1,300 bloc ids instead of ~750,000 cells of each.
    """

    def __init__(self, df: pd.DataFrame, keys: list[str], sort: bool = False):
        n = len(df)
        self.ok = n > 0
        if not self.ok:
            return
        self._runs, self._columns = {}, {}
        changes = []
        for k in keys:
            col = df[k]
            change = col.ne(col.shift()).to_numpy(dtype=bool, copy=True)  # a missing value always starts a run
            change[0] = True
            changes.append(change)
        heads = np.flatnonzero(np.logical_or.reduce(changes))
        code = np.zeros(len(heads), dtype="int64")
        for k, change in zip(keys, changes):
            values = df[k].take(np.flatnonzero(change))  # the value of each run of this column
            c, uniques = pd.factorize(values, sort=sort)
            if (c < 0).any():
                self.ok = False
                return
            run = np.cumsum(change)[heads] - 1  # run of this column each head belongs to
            self._runs[k] = (values, run)
            self._columns[k] = (c, change)
            code = code * len(uniques) + c[run]
            code = np.unique(code, return_inverse=True)[1].reshape(-1) if sort else pd.factorize(code)[0].astype("int64")
        self.codes = np.repeat(code, np.diff(np.append(heads, n)))
        if not sort:
            self._new = code > np.maximum.accumulate(np.append(-1, code[:-1]))  # numbered as they first appear
            self.first = heads[self._new]

    def column_codes(self, key: str) -> np.ndarray:
        """A code per row for ``key`` alone (sorted if the codes are)."""
        c, change = self._columns[key]
        return c[np.cumsum(change) - 1]

    def first_values(self, key: str) -> pd.Series:
        """Each group's value of ``key``, as a groupby index gives it (object text becomes pandas ``str``)."""
        values, run = self._runs[key]
        return pd.Series(pd.Index(values.array).take(run[self._new]), name=key)


def _point_rules(crit: pd.DataFrame, groups, pos: np.ndarray | None = None) -> dict:
    """Row masks and parameters for :func:`_points`, computed once for the self, verified and final values.

    ``crit`` is aligned row by row with the values, or, given ``pos`` (each row's position in
    it), is the criteria table itself: then every column is read from its few rows.
    """
    def col(name: str, dtype) -> np.ndarray:
        a = crit[name].to_numpy(dtype=dtype)
        return a if pos is None else a[pos]

    kind = crit["kind"]

    def is_kind(k: str) -> np.ndarray:
        m = kind.eq(k).to_numpy(dtype=bool)
        return m if pos is None else m[pos]

    r = {"max": col("max", "float64"), "graded": is_kind("graded"), "pass_fail": is_kind("pass_fail"),
         "count": is_kind("count"), "target": is_kind("target")}
    r["per_event"] = col("points_per_event", "float64")[r["count"]]
    tgt = r["target"]
    if tgt.any():
        r["goal"] = col("target", "float64")[tgt]
        r["lower"] = col("lower_is_better", bool)[tgt]
        codes, uniques = pd.factorize(np.asarray(groups)[tgt])  # a missing group (-1) takes no part, as in a groupby
        r["group"], r["n_groups"] = codes, len(uniques)
    return r


def _points(v: np.ndarray, r: dict) -> np.ndarray:
    mx = r["max"]
    out = np.full(len(v), np.nan)
    graded, pf, cnt, tgt = r["graded"], r["pass_fail"], r["count"], r["target"]
    out[graded] = v[graded]
    out[pf] = np.where(v[pf] >= 1, mx[pf], 0.0)
    out[cnt] = np.minimum(v[cnt] * r["per_event"], mx[cnt])
    if tgt.any():
        # only the target rows: every step is element-wise but the best excess of the group
        vt, t, lower = v[tgt], r["goal"], r["lower"]
        with np.errstate(divide="ignore", invalid="ignore"):
            # achievement ratio: actual/target, or target/actual when lower is better
            ratio = np.where(lower, np.where(vt <= t, 1.0, t / vt), vt / t)
            excess = np.where(lower, (t - vt) / t, (vt - t) / t)
        excess = np.where(np.isnan(vt), np.nan, np.clip(excess, 0, None))
        # best excess of the bloc and criterion, NaN ignored (a group's max, as groupby gives it)
        g = r["group"]
        ok = g >= 0
        best_g = np.full(r["n_groups"], np.nan)
        np.fmax.at(best_g, g[ok], excess[ok])
        best = np.where(ok, best_g[np.maximum(g, 0)] if len(best_g) else np.nan, np.nan)
        share = np.where(best > 0, excess / np.where(best > 0, best, 1.0), 0.0)
        half = mx[tgt] / 2.0
        out[tgt] = half * np.minimum(ratio, 1.0) + half * share
    return np.where(np.isnan(v), np.nan, out)


def _sorted_rows(scores: pd.DataFrame, crit: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray] | None:
    """``scores`` joined to ``crit`` and sorted by bloc, unit and criterion order, with a group code
    per bloc and criterion and each row's position in ``crit``; ``None`` when the plain merge is needed (unknown or duplicate
    criterion ids, missing keys, clashing column names).

    Same rows, columns and order as ``merge`` then a stable ``sort_values``, but the sort runs
    on integer codes and the criterion columns are taken from the small criteria table, which
    costs a fraction of merging and then permuting every column of the big one.
    """
    ids = crit["criterion_id"]
    extra = [c for c in crit.columns if c != "criterion_id"]
    if not len(scores) or not ids.is_unique or set(extra) & set(scores.columns):
        return None
    crit_codes, crit_uniques = pd.factorize(scores["criterion_id"])
    unique_pos = pd.Index(ids).get_indexer(crit_uniques)
    unit = _Keys(scores, ["bloc_id", "unit_id"], sort=True)
    if (crit_codes < 0).any() or (unique_pos < 0).any() or not unit.ok:
        return None
    pos = unique_pos[crit_codes]
    bloc_codes = unit.column_codes("bloc_id")
    rank = crit["order"].to_numpy(dtype="int64")
    key = unit.codes * (int(rank.max()) + 1) + rank[pos]
    if (key[1:] >= key[:-1]).all():
        rows = scores.reset_index(drop=True)  # already in order: a stable sort would not move any row
    else:
        perm = np.argsort(key, kind="stable")
        if (bloc_codes[1:] >= bloc_codes[:-1]).all():
            # blocs already in order: rows only move within their bloc and the column stays as it is
            at = scores.columns.get_loc("bloc_id")
            rows = scores.drop(columns="bloc_id").take(perm).reset_index(drop=True)
            rows.insert(at, "bloc_id", scores["bloc_id"].reset_index(drop=True))
        else:
            rows = scores.take(perm).reset_index(drop=True)
            bloc_codes = bloc_codes[perm]
        pos = pos[perm]
    df = pd.concat([rows, crit[extra].take(pos).reset_index(drop=True)], axis=1)
    return df, bloc_codes * len(crit) + pos, pos


def criterion_scores(scores: pd.DataFrame, cov: Covenant) -> pd.DataFrame:
    """Self, verified and final points per unit and criterion (final = verified where present)."""
    crit = criteria_table(cov)
    fast = _sorted_rows(scores, crit)
    if fast is None:
        df = scores.merge(crit, on="criterion_id", how="left", validate="many_to_one")
        groups = df["bloc_id"].astype(str) + "\x1f" + df["criterion_id"].astype(str)
        rules = _point_rules(df, groups)
    else:
        df, groups, pos = fast  # already in the final order: the points do not depend on row order
        rules = _point_rules(crit, groups, pos)
    df["final_value"] = df["verified_value"].where(df["verified_value"].notna(), df["self_value"])
    df["verified"] = df["verified_value"].notna()
    for col in ("self", "verified"):
        points = pd.Series(_points(df[f"{col}_value"].to_numpy(dtype="float64"), rules), index=df.index)
        df[f"{col}_score"] = round_half_up(points, cov.decimals)
    # final = verified where present: outside ``target`` criteria a row's points depend on its own
    # value only, so they are the verified or the self points already computed; a ``target``
    # row depends on its bloc's best final value and is computed from the final values
    final = np.where(df["verified"].to_numpy(dtype=bool), df["verified_score"].to_numpy(), df["self_score"].to_numpy())
    tgt = rules["target"]
    if tgt.any():
        none = np.zeros(int(tgt.sum()), dtype=bool)
        only = {**rules, "max": rules["max"][tgt], "graded": none, "pass_fail": none, "count": none,
                "target": ~none, "per_event": rules["per_event"][:0]}
        final[tgt] = round_half_up(_points(df["final_value"].to_numpy(dtype="float64")[tgt], only), cov.decimals)
    df["final_score"] = final
    if fast is None:
        df = df.sort_values(["bloc_id", "unit_id", "order"], kind="stable").reset_index(drop=True)
    return df


def _group_agg(df: pd.DataFrame, keys: list[str], sort: bool = False, **aggs) -> pd.DataFrame:
    """``df.groupby(keys, sort=False).agg(**aggs).reset_index()``, grouping on integer codes.

    The same cython kernels run over the same rows in the same order, so results are
    bit-identical; only the hashing of string keys is avoided (see :class:`_Keys`).
    """
    grouped = _Keys(df, keys)
    if not grouped.ok:
        return df.groupby(keys, sort=sort, observed=True).agg(**aggs).reset_index()
    out = df.groupby(grouped.codes, sort=False).agg(**aggs).reset_index(drop=True)
    return pd.concat([*(grouped.first_values(k) for k in keys), out], axis=1)


def content_scores(crit_scores: pd.DataFrame, cov: Covenant) -> pd.DataFrame:
    """Subtotals per content (nội dung) for self and final scores."""
    out = _group_agg(crit_scores, KEYS + ["content_id"],
                     self_score=("self_score", "sum"), final_score=("final_score", "sum"), max=("max", "sum"))
    for c in ("self_score", "final_score"):
        out[c] = round_half_up(out[c], cov.decimals)
    return out


def adjustments(events: pd.DataFrame, cov: Covenant) -> pd.DataFrame:
    """Bonus and penalty points per unit after per-kind and overall caps.

    Returns bloc_id, unit_id, bonus (>= 0), penalty (<= 0).
    """
    spec = pd.DataFrame(
        [{"event_id": e.id, "points": e.points, "cap": e.cap if e.cap is not None else np.inf} for e in cov.adjustments.events],
        columns=["event_id", "points", "cap"],
    )
    ev = events.merge(spec, on="event_id", how="inner")
    if ev.empty:
        return pd.DataFrame(columns=KEYS + ["bonus", "penalty"]).astype({"bonus": float, "penalty": float})
    ev["raw"] = ev["points"] * ev["count"].astype(float)
    per_kind = ev.groupby(KEYS + ["event_id"], as_index=False).agg(raw=("raw", "sum"), cap=("cap", "first"))
    per_kind["pts"] = np.sign(per_kind["raw"]) * np.minimum(per_kind["raw"].abs(), per_kind["cap"])
    per_kind["bonus"] = per_kind["pts"].clip(lower=0)
    per_kind["penalty"] = per_kind["pts"].clip(upper=0)
    out = per_kind.groupby(KEYS, as_index=False)[["bonus", "penalty"]].sum()
    if cov.adjustments.bonus_cap is not None:
        out["bonus"] = out["bonus"].clip(upper=cov.adjustments.bonus_cap)
    if cov.adjustments.penalty_cap is not None:
        out["penalty"] = out["penalty"].clip(lower=-cov.adjustments.penalty_cap)
    out["bonus"] = round_half_up(out["bonus"], cov.decimals)
    out["penalty"] = round_half_up(out["penalty"], cov.decimals)
    return out


def unit_totals(crit_scores: pd.DataFrame, events: pd.DataFrame, cov: Covenant) -> pd.DataFrame:
    """Per unit: self and final criteria totals, bonus, penalty, total, lowest criterion share."""
    cs = crit_scores.assign(share=crit_scores["final_score"] / crit_scores["max"])
    out = _group_agg(
        cs, KEYS,
        self_criteria=("self_score", "sum"),
        criteria_total=("final_score", "sum"),
        min_share=("share", "min"),
        verified_rows=("verified", "sum"),
        rows=("verified", "size"),
    )
    out["fully_verified"] = out["verified_rows"] == out["rows"]
    out = out.drop(columns=["verified_rows", "rows"])
    adj = adjustments(events, cov)
    out = out.merge(adj, on=KEYS, how="left")
    out[["bonus", "penalty"]] = out[["bonus", "penalty"]].fillna(0.0)
    d = cov.decimals
    out["self_criteria"] = round_half_up(out["self_criteria"], d)
    out["criteria_total"] = round_half_up(out["criteria_total"], d)
    out["total"] = round_half_up(out["criteria_total"] + out["bonus"] + out["penalty"], d)
    out["self_gap"] = round_half_up(out["self_criteria"] - out["criteria_total"], d)
    return out


def assign_bands(totals: pd.DataFrame, cov: Covenant) -> pd.DataFrame:
    """The first band (highest first) whose total and per-criterion floor the unit reaches."""
    basis = totals["total"] if cov.band_score == "total" else totals["criteria_total"]
    band_id = pd.Series(pd.NA, index=totals.index, dtype="object")
    for band in cov.bands:
        ok = (basis >= band.min_total - 1e-9) & (totals["min_share"] >= band.min_criterion_share - 1e-9)
        band_id = band_id.where(band_id.notna() | ~ok, band.id)
    labels = {b.id: b.label for b in cov.bands}
    return totals.assign(band_id=band_id, band=band_id.map(labels))
