"""Award eligibility with the reason for every "no", and nominations within quotas.

Awards are considered in covenant order; an award can exclude the nominees of an earlier
one (the flag's leader is not also proposed for a certificate). A tie at the quota's edge is
never broken silently: the tied units are sent back to the bloc for a vote.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.engine.ballot_count import BASE_VI, base_text
from toolkit.model.ids import KEYS
from toolkit.model.covenant import Award, Covenant
from toolkit.model.rounding import ROUNDING_VI, round_count
from toolkit.model.text import fmt_number, fmt_percent



def quota_size(award: Award, n_members: int) -> tuple[int, str]:
    """How many units the award admits, and the arithmetic as text."""
    q = award.quota
    if q.count is not None:
        return q.count, f"{q.count} đơn vị"
    n = round_count(q.share * n_members, q.rounding)
    return n, f"{fmt_percent(q.share, 0)} × {n_members} thành viên = {fmt_number(q.share * n_members)} → {n} ({ROUNDING_VI[q.rounding]})"


def _joined_per_unit(units: pd.DataFrame, rows: pd.DataFrame, column: str) -> pd.Series:
    """``rows[column]`` joined with "; " per unit, in row order, aligned with ``units`` (NaN: no row)."""
    if rows.empty:
        return pd.Series(np.nan, index=units.index, dtype=object)
    texts = rows[column].astype(object)  # Python strings: pandas ``str`` ones are converted one by one as they are joined
    joined = texts.groupby([rows["bloc_id"], rows["unit_id"]], sort=False).agg("; ".join).rename("_joined").reset_index()
    return units[KEYS].merge(joined, on=KEYS, how="left")["_joined"].set_axis(units.index)


def _registered(units: pd.DataFrame, registrations: pd.DataFrame | None, award_id: str) -> pd.Series:
    """Whether each unit registered for the award: its ``award`` row holds 1 (no file: nobody did)."""
    if registrations is None or registrations.empty:
        return pd.Series(False, index=units.index)
    r = registrations
    yes = r.loc[r["kind"].eq("award") & r["item"].eq(award_id) & r["value"].eq(1), KEYS]
    return pd.Series(pd.MultiIndex.from_frame(units[KEYS]).isin(pd.MultiIndex.from_frame(yes)), index=units.index)


def _award_votes(units: pd.DataFrame, award: Award, votes: pd.DataFrame | None) -> tuple[pd.Series, pd.Series]:
    """Per unit, the award's vote share and its votes in favour (NaN: no vote); ``units``' own
    ``vote_share`` when the caller has no per-award table."""
    if votes is None:
        return units["vote_share"], units["vote_share"]
    v = votes[votes["award_id"] == award.id]
    m = units[KEYS].merge(v[KEYS + ["share", "in_favour"]], on=KEYS, how="left").set_axis(units.index)
    return m["share"].astype(float), m["in_favour"].astype(float)


def _reasons(units: pd.DataFrame, award: Award, cov: Covenant, targets: pd.DataFrame, cap: pd.DataFrame,
             events: pd.DataFrame, band_rank: dict[str, int], registrations: pd.DataFrame | None = None,
             votes: pd.DataFrame | None = None) -> pd.Series:
    """Semicolon-joined reasons why each unit is not eligible ('' when eligible)."""
    parts: list[pd.Series] = []  # one text per unit for each rule ('' where the rule does not apply)

    def why(mask: pd.Series, text: str | pd.Series) -> None:
        """The reason ``text`` for the units in ``mask``: one text, or a text per unit of ``mask``
        (built for those units only: formatting a number for every unit of a national run costs
        more than the rest of the rule)."""
        parts.append(pd.Series(text, index=units.index, dtype=object).where(mask.fillna(False).astype(bool), ""))

    why(~units["submitted"], "chưa nộp bảng tự chấm điểm")
    if award.requires_registration:
        why(~_registered(units, registrations, award.id), "chưa đăng ký thi đua")
    if award.min_total is not None:
        low = units["submitted"] & (units["total"] < award.min_total - 1e-9)
        need = fmt_number(award.min_total)
        why(low, units.loc[low, "total"].map(lambda t: f"tổng điểm {fmt_number(t)} thấp hơn mức tối thiểu {need}"))
    if award.min_band is not None:
        label = next(b.label for b in cov.bands if b.id == award.min_band)
        why(units["submitted"] & ~(units["band_id"].map(band_rank) <= band_rank[award.min_band]), f"xếp loại chưa đạt '{label}'")
    if award.required_targets:
        # ``met`` is False for a target missed, and NaN when it could not be judged. NaN means
        # two different things: a staff target without any staff ratings (no evidence, so the
        # award cannot be granted: reported as missing data), and an organisation target with
        # ``required: false`` for a unit that has no such organisation (the target does not
        # apply to it, so it must not cost the unit an award).
        req = targets[KEYS + ["target_id", "title", "kind", "met"]]  # only what is read: filtering every text column is costly
        if award.required_targets != "all":
            req = req[req["target_id"].isin(award.required_targets)]
        no_data = req["met"].isna() & req["kind"].eq("staff")
        for mask, prefix in ((req["met"].eq(False), "không đạt chỉ tiêu: "), (no_data, "chưa có số liệu chỉ tiêu: ")):
            joined = _joined_per_unit(units, req[mask], "title")
            why(joined.notna(), prefix + joined.dropna())
    if award.disqualifying_events:
        bad = events[events["event_id"].isin(award.disqualifying_events) & (events["count"] > 0)]
        titles = {e.id: e.title for e in cov.adjustments.events}
        text = bad.assign(t=bad["event_id"].map(titles) + np.where(bad["reason"].astype(str) != "", " (" + bad["reason"].astype(str) + ")", ""))
        joined = _joined_per_unit(units, text, "t")
        why(joined.notna(), "có sự kiện loại trừ: " + joined.dropna())
    if award.require_cap_compliance and len(cap):
        c = units[KEYS].merge(cap[KEYS + ["within_cap", "arithmetic"]], on=KEYS, how="left").set_axis(units.index)
        why(c["within_cap"].eq(False), "vượt trần tỷ lệ hoàn thành xuất sắc: " + c["arithmetic"].fillna(""))
    if award.min_vote_share is not None:
        share, in_favour = _award_votes(units, award, votes)
        on = "" if award.vote_base == "issued" else f" ({base_text(award)})"  # the default base reads as before
        counted = units["submitted"] & share.isna() & in_favour.notna()
        why(units["submitted"] & share.isna() & ~counted, "chưa có kết quả bỏ phiếu bình xét")
        why(counted, f"chưa có {BASE_VI[award.vote_base]} để tính tỷ lệ phiếu")
        need = fmt_percent(award.min_vote_share, 0) + on
        if award.vote_rule == "more_than":  # the covenant asks for more than the threshold
            low = share <= award.min_vote_share + 1e-12
            why(low, share[low].map(lambda s: f"tỷ lệ phiếu {fmt_percent(s)} không vượt mức {need}"))
        else:
            low = share < award.min_vote_share - 1e-12
            why(low, share[low].map(lambda s: f"tỷ lệ phiếu {fmt_percent(s)} dưới mức {need}"))
    texts = ["; ".join(p for p in row if p) for row in zip(*parts)]
    return pd.Series(texts, index=units.index, dtype=object)  # nominate() makes it pandas ``str``


def nominate(units: pd.DataFrame, cov: Covenant, targets: pd.DataFrame, cap: pd.DataFrame,
             events: pd.DataFrame, period_kind: str, registrations: pd.DataFrame | None = None,
             votes: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (eligibility long table, quota table) for every award of the covenant.

    ``registrations`` (the year's registrations.csv: bloc_id, unit_id, kind, item, value) matters
    only to awards with ``requires_registration``; None means the year has no file, so nobody registered.
    ``votes`` (:func:`toolkit.engine.ballot_count.vote_table`) gives each award its own vote;
    without it every award reads the units' ``vote_share``.
    """
    band_rank = {b.id: i for i, b in enumerate(cov.bands)}
    rows, quotas = [], []
    unit_keys = pd.MultiIndex.from_frame(units[KEYS])
    nominated_by_award: dict[str, pd.MultiIndex] = {}  # per award, the (bloc_id, unit_id) nominated
    members_per_bloc = units.groupby("bloc_id")["unit_id"].size()
    for award in cov.awards:
        if period_kind not in award.periods:
            continue
        reasons_text = _reasons(units, award, cov, targets, cap, events, band_rank, registrations, votes).to_numpy(dtype=object)
        reasons = pd.Series(reasons_text, index=units.index)  # pandas ``str``
        excluded = pd.Series(False, index=units.index)
        excl_text = pd.Series("", index=units.index)
        for other in award.excludes:
            hit = pd.Series(unit_keys.isin(nominated_by_award.get(other, unit_keys[:0])), index=units.index)
            title = next(a.title for a in cov.awards if a.id == other)
            excluded |= hit
            excl_text = excl_text.where(~hit, f"đã được đề nghị {title}")
        elig = units[KEYS + ["name", "rank", "total"]].assign(award_id=award.id, award=award.title,
                                                                eligible=reasons.eq(""), reasons=reasons)
        cand = elig["eligible"] & ~excluded
        order = elig[cand].sort_values(["bloc_id", "rank"], kind="stable")
        rules = {n: quota_size(award, n) for n in set(members_per_bloc.astype(int).tolist())}  # per distinct size
        sizes = members_per_bloc.map({n: r[0] for n, r in rules.items()})  # quota per bloc
        size = order["bloc_id"].map(sizes).astype("int64")
        seq = order.groupby("bloc_id").cumcount()
        tie_group = order.groupby(["bloc_id", "rank"])
        start = seq - tie_group.cumcount()
        end = seq + tie_group.cumcount(ascending=False)
        fits = end < size  # the unit's whole tie group fits in the quota
        edge = (start < size) & ~fits  # a tie straddles the quota's edge
        nominated = pd.Series(False, index=elig.index)
        nominated[order.index[fits]] = True
        # status built in a plain object array (positions, not labels): pandas ``str`` values
        # written into an object Series are converted one by one
        at = elig.index.get_indexer
        status = np.full(len(elig), "", dtype=object)
        eligible = elig["eligible"].to_numpy(dtype=bool)
        skipped = eligible & excluded.to_numpy(dtype=bool)
        status[~eligible] = "Không đủ điều kiện: " + reasons_text[~eligible]
        status[skipped] = "Không đề nghị: " + excl_text.to_numpy(dtype=object)[skipped]
        status[nominated.to_numpy(dtype=bool)] = "Đề nghị"
        beyond = order.index[~fits & ~edge]
        status[at(beyond)] = "Đủ điều kiện nhưng ngoài hạn mức (xếp hạng " + elig.loc[beyond, "rank"].astype(str).to_numpy(dtype=object) + ")"
        tie_edge = order.index[edge]
        status[at(tie_edge)] = "Đồng hạng ở ranh giới hạn mức: khối cần bình xét bổ sung"
        elig = elig.assign(nominated=nominated, status=pd.Series(status, index=elig.index, dtype=object))
        rows.append(elig)
        nominated_by_award[award.id] = unit_keys[nominated.to_numpy(dtype=bool)]
        if len(members_per_bloc):  # one row per bloc, built column-wise
            counts = elig.loc[nominated, "bloc_id"].value_counts()
            quotas.append(pd.DataFrame({
                "bloc_id": members_per_bloc.index, "award_id": award.id, "award": award.title, "quota": sizes.to_numpy(dtype="int64"),
                "quota_rule": members_per_bloc.map({n: r[1] for n, r in rules.items()}).to_numpy(dtype=object),
                "nominated": counts.reindex(members_per_bloc.index, fill_value=0).to_numpy(dtype="int64"), "basis": award.basis}))
    cols = KEYS + ["name", "rank", "total", "award_id", "award", "eligible", "reasons", "nominated", "status"]
    quota_cols = ["bloc_id", "award_id", "award", "quota", "quota_rule", "nominated", "basis"]
    elig_all = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    quota_all = pd.concat(quotas, ignore_index=True)[quota_cols] if quotas else pd.DataFrame([], columns=quota_cols)
    return elig_all[cols], quota_all
