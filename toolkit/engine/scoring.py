"""Scores: criterion values to points, content subtotals, bonus and penalty, totals, bands.

Vectorised over all units (and blocs) at once: one pass per scoring *kind* or *rule*, never
one per unit or criterion: a national run costs a merge, a sort and a few groupbys.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.model.ids import KEYS
from toolkit.model.covenant import Covenant
from toolkit.model.rounding import round_half_up



def criteria_table(cov: Covenant) -> pd.DataFrame:
    """One row per scored criterion (a part in place of its parent), in covenant order.

    ``group_id`` is the criterion of the scoring table a row counts towards: its parent for a
    part (``parent_id``), itself otherwise. Floors and tie-breaks name those.
    """
    parents = {p.id: k for _, k in cov.top_criteria for p in k.parts}
    rows = []
    for i, (c, k) in enumerate(cov.criteria):
        parent = parents.get(k.id)
        rows.append({
            "content_id": c.id, "content_title": c.title, "criterion_id": k.id, "criterion_title": k.title,
            "max": float(k.max), "kind": k.kind, "points_per_event": k.points_per_event, "target": k.target,
            "target_unit": k.unit, "lower_is_better": k.lower_is_better, "order": i,
            "points_per_violation": k.points_per_violation, "parent_id": parent.id if parent else "",
            "group_id": parent.id if parent else k.id,
        })
    # merged onto every unit's rows: a float and two categories cost far less there than Python objects
    return pd.DataFrame(rows).astype({"points_per_violation": float, "parent_id": "category", "group_id": "category"})


def _points(v: np.ndarray, rows: pd.DataFrame, max_excess: np.ndarray) -> np.ndarray:
    """Points for entered values ``v``, one column per kind of value (self, verified, final);
    ``rows`` (bloc, criterion and its parameters) and ``max_excess`` are aligned row by row with them.

    A ``target`` criterion shares its upper half by how far each unit exceeds the target
    relative to the unit of the same bloc that exceeds it most. The excess counted is capped
    by the covenant's ``max_excess`` (when set), so one extreme value cannot take the whole
    share; a missing value (NaN) has no excess and takes no part in the bloc's best. An actual
    of exactly 0 on a lower-is-better target is a real value (e.g. files settled the same day):
    the best possible, excess 1.
    """
    mx = rows["max"].to_numpy(dtype="float64")[:, None]
    kind = rows["kind"]
    out = np.full(v.shape, np.nan)
    graded = kind.eq("graded").to_numpy(dtype=bool)
    out[graded] = v[graded]
    pf = kind.eq("pass_fail").to_numpy(dtype=bool)
    out[pf] = np.where(v[pf] >= 1, mx[pf], 0.0)
    cnt = kind.eq("count").to_numpy(dtype=bool)
    out[cnt] = np.minimum(v[cnt] * rows["points_per_event"].to_numpy(dtype="float64")[cnt, None], mx[cnt])
    ded = kind.eq("deduction").to_numpy(dtype=bool)  # chấm trừ: the maximum less each violation, never below 0
    out[ded] = np.maximum(mx[ded] - v[ded] * rows["points_per_violation"].to_numpy(dtype="float64")[ded, None], 0.0)
    tgt = kind.eq("target").to_numpy(dtype=bool)
    if tgt.any():
        vt = v[tgt]
        t = rows["target"].to_numpy(dtype="float64")[tgt, None]
        lower = rows["lower_is_better"].to_numpy(dtype=bool)[tgt, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            # achievement ratio: actual/target, or target/actual when lower is better
            ratio = np.where(lower, np.where(vt <= t, 1.0, t / vt), vt / t)
            excess = np.where(lower, (t - vt) / t, (vt - t) / t)
        excess = np.where(np.isnan(vt), np.nan, np.clip(excess, 0, max_excess[tgt, None]))
        best_of = rows.loc[tgt, ["bloc_id", "criterion_id"]]
        best = (pd.DataFrame(excess, index=best_of.index)
                .groupby([best_of["bloc_id"], best_of["criterion_id"]], dropna=False).transform("max").to_numpy())  # NaN ignored
        share = np.where(best > 0, excess / np.where(best > 0, best, 1.0), 0.0)
        half = mx[tgt] / 2.0
        out[tgt] = half * np.minimum(ratio, 1.0) + half * share
    return np.where(np.isnan(v), np.nan, out)


def _complete(scores: pd.DataFrame, crit: pd.DataFrame) -> pd.DataFrame:
    """Every criterion for every unit that submitted anything: a criterion left out is no data (NaN values)."""
    units = scores[KEYS].drop_duplicates()
    if len(scores) >= len(units) * len(crit):
        return scores
    grid = units.merge(crit[["criterion_id"]], how="cross")
    missing = grid.merge(scores[KEYS + ["criterion_id"]], on=KEYS + ["criterion_id"], how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    filler = {c: "" for c in scores.columns if c not in KEYS + ["criterion_id", "self_value", "verified_value"]}
    return pd.concat([scores, missing.assign(self_value=np.nan, verified_value=np.nan, **filler)[scores.columns]],
                     ignore_index=True)


def criterion_scores(scores: pd.DataFrame, cov: Covenant) -> pd.DataFrame:
    """Self, verified and final points per unit and criterion (final = verified where present).

    Missing is not zero, but it earns nothing: a blank value, or a criterion left out, scores
    0 points (self and final) and has no part in the bloc's best excess. A blank verified value
    only means "not verified": its points stay empty and the final value falls back to self.
    """
    crit = criteria_table(cov)
    df = _complete(scores, crit).merge(crit, on="criterion_id", how="left", validate="many_to_one")
    df = df.sort_values(["bloc_id", "unit_id", "order"], kind="stable").reset_index(drop=True)
    df["final_value"] = df["verified_value"].where(df["verified_value"].notna(), df["self_value"])
    df["verified"] = df["verified_value"].notna()
    values = ("self", "verified", "final")
    caps = {k.id: np.inf if k.max_excess is None else k.max_excess for _, k in cov.criteria}
    max_excess = df["criterion_id"].map(caps).to_numpy(dtype="float64")
    points = _points(df[[f"{c}_value" for c in values]].to_numpy(dtype="float64"), df, max_excess)
    for i, c in enumerate(values):
        df[f"{c}_score"] = round_half_up(points[:, i], cov.decimals)
    for c in ("self", "final"):  # no data: 0 points
        df[f"{c}_score"] = df[f"{c}_score"].fillna(0.0)
    return df


def content_scores(crit_scores: pd.DataFrame, cov: Covenant) -> pd.DataFrame:
    """Subtotals per content (nội dung) for self and final scores."""
    g = crit_scores.groupby(KEYS + ["content_id"], sort=False, observed=True)
    out = g.agg(self_score=("self_score", "sum"), final_score=("final_score", "sum"), max=("max", "sum")).reset_index()
    for c in ("self_score", "final_score"):
        out[c] = round_half_up(out[c], cov.decimals)
    return out


def group_scores(crit_scores: pd.DataFrame, cov: Covenant) -> pd.DataFrame:
    """Points per unit and criterion of the scoring table: a criterion with parts sums them.

    ``share`` (final points over the maximum) is what a band's ``min_criterion_share`` floor
    reads: the floor applies to the criterion the covenant lists, so a weak part may be made
    up by a strong one of the same criterion, as the scoring table adds them.
    """
    g = crit_scores.groupby(KEYS + ["group_id"], sort=False, observed=True)
    out = g.agg(self_score=("self_score", "sum"), final_score=("final_score", "sum"), max=("max", "sum")).reset_index()
    for c in ("self_score", "final_score"):
        out[c] = round_half_up(out[c], cov.decimals)
    out["share"] = out["final_score"] / out["max"]
    return out.rename(columns={"group_id": "criterion_id"})


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
    """Per unit: self and final criteria totals, bonus, penalty, total, lowest criterion share (a parent's, not its parts')."""
    cs = crit_scores.assign(share=crit_scores["final_score"] / crit_scores["max"])
    out = cs.groupby(KEYS, sort=False, observed=True).agg(
        self_criteria=("self_score", "sum"),
        criteria_total=("final_score", "sum"),
        min_share=("share", "min"),
        verified_rows=("verified", "sum"),
        rows=("verified", "size"),
    ).reset_index()
    if any(k.parts for _, k in cov.top_criteria):  # the floor reads a parent's share, not its parts'
        shares = group_scores(crit_scores, cov).groupby(KEYS, sort=False, observed=True)["share"].min()
        out["min_share"] = pd.MultiIndex.from_frame(out[KEYS]).map(shares)
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
