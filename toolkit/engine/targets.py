"""Targets (chỉ tiêu) of the covenant, met or missed, with the numbers behind each verdict.

Staff-rating and organisation targets use annual data; for a half or a quarter they are
reported as not applicable rather than guessed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.model.ids import KEYS
from toolkit.model.covenant import ORGANISATION_VI, Covenant
from toolkit.model.rounding import ROUNDING_VI, round_count
from toolkit.model.text import fmt_number, fmt_percent
from toolkit.model.vocabulary import Vocabulary

COLUMNS = KEYS + ["target_id", "title", "kind", "required", "actual", "numerator", "denominator", "met", "detail"]


def staff_counts(staff: pd.DataFrame, units: pd.DataFrame, vocab: Vocabulary) -> pd.DataFrame:
    """Wide table: one column per staff level (count), plus ``staff_total``; ``wide`` for the
    functions below, which can share it.

    ``staff_ratings.csv`` is optional and a half or a quarter has none, so an empty ``staff``
    must give zero counts. The empty case is joined on an index built from ``units`` itself:
    an index made from empty lists would be float64 and pandas refuses to join it to the
    string unit ids.
    """
    levels = list(vocab.scales["staff"].levels)
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


def staff_targets(staff: pd.DataFrame, units: pd.DataFrame, cov: Covenant, vocab: Vocabulary,
                  wide: pd.DataFrame | None = None) -> pd.DataFrame:
    wide = staff_counts(staff, units, vocab) if wide is None else wide
    scale = vocab.scales["staff"]
    frames = []
    for t in cov.targets.staff:
        num = _at_least(wide, vocab, t.min_level)
        den = wide["staff_total"]
        share = num / den.where(den > 0)
        met = (num >= t.min_share * den - 1e-9).where(den > 0)
        level_label = scale.display(t.min_level)
        need = f" {level_label.lower()} trở lên; cần ≥ {fmt_percent(t.min_share, 0)}"
        percent = {s: fmt_percent(s) for s in share.dropna().unique()}  # a few thousand distinct shares
        detail = [f"{n:g}/{d:g} = {percent[s]}{need}" if d > 0 else "chưa có số liệu xếp loại công chức, viên chức"
                  for n, d, s in zip(num, den, share)]
        frames.append(wide[KEYS].assign(target_id=t.id, title=t.title, kind="staff", required=fmt_percent(t.min_share, 0),
                                         actual=share, numerator=num, denominator=den, met=met, detail=detail))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def org_targets(orgs: pd.DataFrame, units: pd.DataFrame, cov: Covenant, vocab: Vocabulary) -> pd.DataFrame:
    frames = []
    for t in cov.targets.organisations:
        scale = vocab.scale_for_org(t.organisation)
        rank = {lvl: i for i, lvl in enumerate(scale.levels)}
        mine = orgs.loc[orgs["organisation"] == t.organisation, KEYS + ["level", "label"]]
        df = units[KEYS].merge(mine, on=KEYS, how="left")
        have = df["level"].notna()
        met = df["level"].map(rank).astype(float) >= rank[t.min_level]
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
    wide = staff_counts(staff, units, vocab) if wide is None else wide
    scale = vocab.scales["staff"]
    excellent = _at_least(wide, vocab, cap.level)
    # the base: those rated base_min_level or above (at_least), or that level only (exactly): the
    # legal text is read both ways, so the covenant says which and the arithmetic shows it
    base = _at_least(wide, vocab, cap.base_min_level) if cap.base_scope == "at_least" else wide[cap.base_min_level]
    limit = [round_count(cap.ratio * b, cap.rounding) for b in base]
    within = (excellent <= pd.Series(limit, index=wide.index)).where(wide["staff_total"] > 0)
    ratio, level, rounding = fmt_percent(cap.ratio, 0), scale.display(cap.base_min_level).lower(), ROUNDING_VI[cap.rounding]
    scope = f"{level} trở lên" if cap.base_scope == "at_least" else f"chỉ tính mức {level}"
    exact = {b: fmt_number(cap.ratio * b) for b in base.unique()}  # a few hundred distinct bases
    arithmetic = [f"{e:g} {'≤' if e <= n else '>'} {ratio} × {b:g} ({scope}) = {exact[b]} → {n} ({rounding})"
                  for e, b, n in zip(excellent, base, limit)]
    return wide[KEYS].assign(excellent=excellent, base=base, cap=limit, within_cap=within,
                             arithmetic=arithmetic, confirmed=cap.confirmed)


def all_targets(staff, orgs, units, cov, vocab, wide: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long table of every target for every unit; order follows the covenant."""
    frames = [f for f in (staff_targets(staff, units, cov, vocab, wide), org_targets(orgs, units, cov, vocab)) if len(f)]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)[COLUMNS]
