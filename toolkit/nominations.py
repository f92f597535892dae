"""Award eligibility with the reason for every "no", and nominations within quotas.

Awards are considered in covenant order; an award can exclude the nominees of an earlier
one (the flag's leader is not also proposed for a certificate). A tie at the quota's edge is
never broken silently: the tied units are sent back to the bloc for a vote.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .covenant import Award, Covenant
from .numbers import ROUNDING_VI, round_count
from .text import fmt_number, fmt_percent

KEYS = ["bloc_id", "unit_id"]


def quota_size(award: Award, n_members: int) -> tuple[int, str]:
    """How many units the award admits, and the arithmetic as text."""
    q = award.quota
    if q.count is not None:
        return q.count, f"{q.count} đơn vị"
    n = round_count(q.share * n_members, q.rounding)
    return n, f"{fmt_percent(q.share, 0)} × {n_members} thành viên = {fmt_number(q.share * n_members)} → {n} ({ROUNDING_VI[q.rounding]})"


def _reasons(units: pd.DataFrame, award: Award, cov: Covenant, targets: pd.DataFrame, cap: pd.DataFrame,
             events: pd.DataFrame, band_rank: dict[str, int]) -> pd.Series:
    """Semicolon-joined reasons why each unit is not eligible ('' when eligible)."""
    parts: list[pd.Series] = []

    def why(mask: pd.Series, text) -> None:
        mask = mask.fillna(False).astype(bool)
        msg = text if isinstance(text, pd.Series) else pd.Series(text, index=units.index)
        parts.append(msg.where(mask, ""))

    why(~units["submitted"], "chưa nộp bảng tự chấm điểm")
    if award.min_total is not None:
        why(units["submitted"] & (units["total"] < award.min_total - 1e-9),
            "tổng điểm " + units["total"].map(fmt_number) + f" thấp hơn mức tối thiểu {fmt_number(award.min_total)}")
    if award.min_band is not None:
        need = band_rank[award.min_band]
        have = units["band_id"].map(band_rank).astype(float)
        label = next(b.label for b in cov.bands if b.id == award.min_band)
        why(units["submitted"] & ~(have <= need), f"xếp loại chưa đạt '{label}'")
    if award.required_targets:
        # ``met`` is False for a target missed, and NaN when it could not be judged. NaN means
        # two different things: a staff target without any staff ratings (no evidence, so the
        # award cannot be granted: reported as missing data), and an organisation target with
        # ``required: false`` for a unit that has no such organisation (the target does not
        # apply to it, so it must not cost the unit an award).
        req = targets if award.required_targets == "all" else targets[targets["target_id"].isin(award.required_targets)]
        no_data = req["met"].isna() & req["kind"].eq("staff")
        for mask, prefix in ((req["met"].eq(False), "không đạt chỉ tiêu: "), (no_data, "chưa có số liệu chỉ tiêu: ")):
            text = req[mask].groupby(KEYS)["title"].agg(lambda s: "; ".join(s))
            joined = units[KEYS].merge(text.rename("missed").reset_index(), on=KEYS, how="left")["missed"]
            joined.index = units.index
            why(joined.notna(), prefix + joined.fillna(""))
    if award.disqualifying_events:
        bad = events[events["event_id"].isin(award.disqualifying_events) & (events["count"] > 0)]
        titles = {e.id: e.title for e in cov.adjustments.events}
        text = bad.assign(t=bad["event_id"].map(titles) + np.where(bad["reason"].astype(str) != "", " (" + bad["reason"].astype(str) + ")", ""))
        text = text.groupby(KEYS)["t"].agg(lambda s: "; ".join(s))
        joined = units[KEYS].merge(text.rename("ev").reset_index(), on=KEYS, how="left")["ev"]
        joined.index = units.index
        why(joined.notna(), "có sự kiện loại trừ: " + joined.fillna(""))
    if award.require_cap_compliance and len(cap):
        c = units[KEYS].merge(cap[KEYS + ["within_cap", "arithmetic"]], on=KEYS, how="left")
        c.index = units.index
        why(c["within_cap"].eq(False), "vượt trần tỷ lệ hoàn thành xuất sắc: " + c["arithmetic"].fillna(""))
    if award.min_vote_share is not None:
        share = units["vote_share"]
        why(units["submitted"] & share.isna(), "chưa có kết quả bỏ phiếu bình xét")
        why(share < award.min_vote_share - 1e-12,
            "tỷ lệ phiếu " + share.map(fmt_percent) + f" dưới mức {fmt_percent(award.min_vote_share, 0)}")
    if not parts:
        return pd.Series("", index=units.index)
    joined = pd.concat(parts, axis=1)
    return joined.apply(lambda r: "; ".join(x for x in r if x), axis=1)


def nominate(units: pd.DataFrame, cov: Covenant, targets: pd.DataFrame, cap: pd.DataFrame,
             events: pd.DataFrame, period_kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (eligibility long table, quota table) for every award of the covenant."""
    band_rank = {b.id: i for i, b in enumerate(cov.bands)}
    rows, quotas = [], []
    nominated_by_award: dict[str, set[tuple[str, str]]] = {}
    members_per_bloc = units.groupby("bloc_id")["unit_id"].size()
    unit_index = pd.MultiIndex.from_frame(units[KEYS])
    for award in cov.awards:
        if period_kind not in award.periods:
            continue
        reasons = _reasons(units, award, cov, targets, cap, events, band_rank)
        excluded = pd.Series(False, index=units.index)
        excl_text = pd.Series("", index=units.index)
        for other in award.excludes:
            hit = pd.Series(unit_index.isin(list(nominated_by_award.get(other, set()))), index=units.index)
            title = next(a.title for a in cov.awards if a.id == other)
            excluded |= hit
            excl_text = excl_text.where(~hit, f"đã được đề nghị {title}")
        elig = units[KEYS + ["name", "rank", "total"]].assign(award_id=award.id, award=award.title,
                                                                eligible=reasons.eq(""), reasons=reasons)
        cand = elig["eligible"] & ~excluded
        order = elig[cand].sort_values(["bloc_id", "rank"], kind="stable")
        sizes = {b: quota_size(award, int(n))[0] for b, n in members_per_bloc.items()}
        size = order["bloc_id"].map(sizes).astype("int64")
        seq = order.groupby("bloc_id").cumcount()
        tie_group = order.groupby(["bloc_id", "rank"])
        start = seq - tie_group.cumcount()
        end = seq + tie_group.cumcount(ascending=False)
        fits = end < size  # the unit's whole tie group fits in the quota
        edge = (start < size) & ~fits  # a tie straddles the quota's edge
        nominated = pd.Series(False, index=elig.index)
        nominated[order.index[fits]] = True
        status = pd.Series("", index=elig.index, dtype=object)
        status[~elig["eligible"]] = "Không đủ điều kiện: " + elig["reasons"][~elig["eligible"]]
        status[elig["eligible"] & excluded] = "Không đề nghị: " + excl_text[elig["eligible"] & excluded]
        status[nominated] = "Đề nghị"
        beyond = order.index[~fits & ~edge]
        status[beyond] = "Đủ điều kiện nhưng ngoài hạn mức (" + elig.loc[beyond, "rank"].astype(str) + ". hạng)"
        tie_edge = order.index[edge]
        status[tie_edge] = "Đồng hạng ở ranh giới hạn mức: khối cần bình xét bổ sung"
        elig = elig.assign(nominated=nominated, status=status)
        rows.append(elig)
        nominated_by_award[award.id] = set(zip(elig.loc[nominated, "bloc_id"], elig.loc[nominated, "unit_id"]))
        counts = elig.loc[nominated, "bloc_id"].value_counts()
        for bloc, n in members_per_bloc.items():
            size_n, text = quota_size(award, int(n))
            quotas.append({"bloc_id": bloc, "award_id": award.id, "award": award.title, "quota": size_n, "quota_rule": text,
                           "nominated": int(counts.get(bloc, 0)), "basis": award.basis})
    cols = KEYS + ["name", "rank", "total", "award_id", "award", "eligible", "reasons", "nominated", "status"]
    elig_all = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    return elig_all[cols], pd.DataFrame(quotas, columns=["bloc_id", "award_id", "award", "quota", "quota_rule", "nominated", "basis"])
