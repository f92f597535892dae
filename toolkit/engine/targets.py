"""Targets (chỉ tiêu) of the covenant, met or missed, with the numbers behind each verdict.

Staff-rating and organisation targets use annual data; for a half or a quarter they are
reported as not applicable rather than guessed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.model.covenant import ORGANISATION_VI, Covenant
from toolkit.model.rounding import ROUNDING_VI, round_count
from toolkit.engine.frames import UnitLocator, _left_lookup, locate_units
from toolkit.model.text import _fmt_number_fast, fmt_percent, fmt_percents, map_distinct
from toolkit.model.vocabulary import Vocabulary

KEYS = ["bloc_id", "unit_id"]
COLUMNS = KEYS + ["target_id", "title", "kind", "required", "actual", "numerator", "denominator", "met", "detail"]


def _staff_counts(staff: pd.DataFrame, units: pd.DataFrame, vocab: Vocabulary) -> pd.DataFrame:
    """Wide table: one column per staff level (count), plus ``staff_total``.

    ``staff_ratings.csv`` is optional and a half or a quarter has none, so an empty ``staff``
    must give zero counts. The empty case is joined on an index built from ``units`` itself:
    an index made from empty lists would be float64 and pandas refuses to join it to the
    string unit ids.
    """
    levels = list(vocab.scales["staff"].levels)
    at = locate_units(units, staff) if len(staff) else None
    if at is not None:
        # the same sums as the pivot below, by position: one bincount instead of a pivot and a join
        lv = pd.Index(levels).get_indexer(staff["level"])
        ok = (at >= 0) & (lv >= 0)
        counts = staff["count"].to_numpy(dtype=float)[ok]
        grid = np.bincount(at[ok] * len(levels) + lv[ok], weights=np.where(np.isnan(counts), 0.0, counts),
                           minlength=len(units) * len(levels)).reshape(len(units), len(levels))
        wide = units[KEYS].copy()
        for i, level in enumerate(levels):
            wide[level] = grid[:, i]
        wide["staff_total"] = wide[levels].sum(axis=1)
        return wide
    if len(staff):
        wide = (staff.astype({"count": float})
                .pivot_table(index=KEYS, columns="level", values="count", aggfunc="sum", fill_value=0)
                .reindex(columns=levels, fill_value=0))
    else:
        wide = pd.DataFrame(columns=levels, index=pd.MultiIndex.from_frame(units[KEYS].iloc[0:0]), dtype=float)
    wide = units[KEYS].join(wide, on=KEYS)
    wide[levels] = wide[levels].fillna(0).astype(float)
    wide["staff_total"] = wide[levels].sum(axis=1)
    return wide


def _at_least(wide: pd.DataFrame, vocab: Vocabulary, level: str) -> pd.Series:
    levels = list(vocab.scales["staff"].levels)
    return wide[levels[levels.index(level):]].sum(axis=1)


def staff_counts(staff: pd.DataFrame, units: pd.DataFrame, vocab: Vocabulary) -> pd.DataFrame:
    """Staff counts per unit and level (``wide`` for the functions below, which can share it)."""
    return _staff_counts(staff, units, vocab)


def staff_targets(staff: pd.DataFrame, units: pd.DataFrame, cov: Covenant, vocab: Vocabulary,
                  wide: pd.DataFrame | None = None) -> pd.DataFrame:
    wide = _staff_counts(staff, units, vocab) if wide is None else wide
    scale = vocab.scales["staff"]
    frames = []
    for t in cov.targets.staff:
        num = _at_least(wide, vocab, t.min_level)
        den = wide["staff_total"]
        share = num / den.where(den > 0)
        met = (num >= t.min_share * den - 1e-9).where(den > 0)
        level_label = scale.display(t.min_level)
        text = (map_distinct(num, lambda x: f"{x:g}") + "/" + map_distinct(den, lambda x: f"{x:g}") + " = "
                + fmt_percents(share) + f" {level_label.lower()} trở lên; cần ≥ {fmt_percent(t.min_share, 0)}")
        detail = list(np.where(den.to_numpy() > 0, text, "chưa có số liệu xếp loại công chức, viên chức"))
        frames.append(wide[KEYS].assign(target_id=t.id, title=t.title, kind="staff", required=fmt_percent(t.min_share, 0),
                                         actual=share, numerator=num, denominator=den, met=met, detail=detail))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def org_targets(orgs: pd.DataFrame, units: pd.DataFrame, cov: Covenant, vocab: Vocabulary) -> pd.DataFrame:
    frames = []
    where = UnitLocator(units)
    unit_of = where(orgs) if where.ok and len(orgs) else None  # unit (position) of every organisation row
    for t in cov.targets.organisations:
        scale = vocab.scale_for_org(t.organisation)
        rank = {lvl: i for i, lvl in enumerate(scale.levels)}
        df, mask = None, (orgs.organisation == t.organisation).to_numpy(dtype=bool)
        if unit_of is not None:
            rows, units_at = np.flatnonzero(mask), unit_of[mask]
            rows, units_at = rows[units_at >= 0], units_at[units_at >= 0]  # rows of other units play no part
            if len(rows) and len(np.unique(units_at)) == len(units_at):  # one row per unit: look up by position
                row_of_unit = np.full(len(units), -1)
                row_of_unit[units_at] = rows
                df = _left_lookup(units, orgs, ["level", "label"], at=row_of_unit)
        if df is None:
            mine = orgs[mask][KEYS + ["level", "label"]]
            df = _left_lookup(units, mine, ["level", "label"])
        have = df["level"].notna()
        at = pd.Index(list(rank)).get_indexer(df["level"])  # rank of each level (NaN: none), without a dict .map
        met = pd.Series(np.where(at >= 0, np.array(list(rank.values()), dtype=float)[np.maximum(at, 0)], np.nan) >= rank[t.min_level],
                        index=df.index)
        met = met.where(have, False if t.required else np.nan)
        need = scale.display(t.min_level)
        detail = np.where(have, "đạt mức '" + df["label"].fillna("") + f"'; cần '{need}' trở lên",
                          f"không có số liệu {ORGANISATION_VI[t.organisation]}" + ("" if t.required else " (không bắt buộc)"))
        frames.append(df[KEYS].assign(target_id=t.id, title=t.title, kind="organisation", required=need,
                                      actual=df["label"], numerator=np.nan, denominator=np.nan, met=met, detail=detail))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def excellent_cap(staff: pd.DataFrame, units: pd.DataFrame, cov: Covenant, vocab: Vocabulary,
                  wide: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per unit: excellent count against the legal cap, with the arithmetic spelled out."""
    cap = cov.targets.excellent_cap
    cols = KEYS + ["excellent", "base", "cap", "within_cap", "arithmetic", "confirmed"]
    if cap is None:
        return pd.DataFrame(columns=cols)
    wide = _staff_counts(staff, units, vocab) if wide is None else wide
    scale = vocab.scales["staff"]
    excellent = _at_least(wide, vocab, cap.level)
    base = _at_least(wide, vocab, cap.base_min_level)
    limit = list(map_distinct(base, lambda b: round_count(cap.ratio * b, cap.rounding)))
    within = (excellent <= pd.Series(limit, index=wide.index)).where(wide["staff_total"] > 0)
    lim = np.array(limit, dtype=object)
    arithmetic = list(
        map_distinct(excellent, lambda e: f"{e:g}") + np.where(excellent.to_numpy() <= np.array(limit, dtype=float), " ≤ ", " > ").astype(object)
        + f"{fmt_percent(cap.ratio, 0)} × " + map_distinct(base, lambda b: f"{b:g}")
        + f" ({scale.display(cap.base_min_level).lower()} trở lên) = "
        + map_distinct(base, lambda b: _fmt_number_fast(cap.ratio * b, 2)) + " → " + lim.astype(str).astype(object)
        + f" ({ROUNDING_VI[cap.rounding]})")
    return wide[KEYS].assign(excellent=excellent, base=base, cap=limit, within_cap=within,
                             arithmetic=arithmetic, confirmed=cap.confirmed)


def all_targets(staff, orgs, units, cov, vocab, wide: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long table of every target for every unit; order follows the covenant."""
    frames = [f for f in (staff_targets(staff, units, cov, vocab, wide), org_targets(orgs, units, cov, vocab)) if len(f)]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)[COLUMNS]
