"""Award eligibility with the reason for every "no", and nominations within quotas.

Awards are considered in covenant order; an award can exclude the nominees of an earlier
one (the flag's leader is not also proposed for a certificate). A tie at the quota's edge is
never broken silently: the tied units are sent back to the bloc for a vote.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.model.covenant import Award, Covenant
from toolkit.model.rounding import ROUNDING_VI, round_count
from toolkit.engine.frames import UnitLocator
from toolkit.engine.frames import locate_units as _locate
from toolkit.model.text import fmt_number, fmt_numbers, fmt_percent, fmt_percents

KEYS = ["bloc_id", "unit_id"]


def quota_size(award: Award, n_members: int) -> tuple[int, str]:
    """How many units the award admits, and the arithmetic as text."""
    q = award.quota
    if q.count is not None:
        return q.count, f"{q.count} đơn vị"
    n = round_count(q.share * n_members, q.rounding)
    return n, f"{fmt_percent(q.share, 0)} × {n_members} thành viên = {fmt_number(q.share * n_members)} → {n} ({ROUNDING_VI[q.rounding]})"


def _join_at(n: int, pos: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """Object array of ``n`` texts: ``vals`` joined with "; " at their position ``pos`` (-1: dropped),
    in the order given; NaN where nothing lands. One vectorised pass per position within a unit."""
    out = np.full(n, np.nan, dtype=object)
    keep = np.flatnonzero(pos >= 0)
    keep = keep[np.argsort(pos[keep], kind="stable")]  # grouped by unit, row order kept within a unit
    pos, vals = pos[keep], vals[keep]
    starts = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
    within = np.arange(len(pos)) - np.repeat(starts, np.diff(np.r_[starts, len(pos)]))
    for k in range(int(within.max()) + 1 if len(pos) else 0):
        m = within == k
        out[pos[m]] = vals[m] if k == 0 else out[pos[m]] + "; " + vals[m]
    return out


def _joined_per_unit(units: pd.DataFrame, rows: pd.DataFrame, column: str, where: UnitLocator | None = None) -> pd.Series:
    """``rows[column]`` joined with "; " per unit, in row order, aligned with ``units`` (NaN: no row).

    Same as ``rows.groupby(KEYS)[column].agg("; ".join)`` merged onto ``units``, with one
    vectorised pass per position within a unit (a unit has a handful of rows) instead of a
    Python call per unit.
    """
    out = np.full(len(units), np.nan, dtype=object)
    if len(rows) and len(units):
        where = where or UnitLocator(units)
        pos = where(rows) if where.ok else None
        if pos is None:
            text = rows.groupby(KEYS)[column].agg(lambda s: "; ".join(s))
            joined = units[KEYS].merge(text.rename("_joined").reset_index(), on=KEYS, how="left")["_joined"]
            joined.index = units.index
            return joined
        out = _join_at(len(units), pos, rows[column].to_numpy(dtype=object))
    return pd.Series(out, index=units.index, dtype=object)


def _reasons(units: pd.DataFrame, award: Award, cov: Covenant, targets: pd.DataFrame, cap: pd.DataFrame,
             events: pd.DataFrame, band_rank: dict[str, int]) -> pd.Series:
    """Semicolon-joined reasons why each unit is not eligible ('' when eligible)."""
    parts: list[np.ndarray] = []  # one object array of texts per rule, aligned with ``units``
    where = UnitLocator(units)  # shared by the lookups below

    def why(mask: pd.Series, text) -> None:
        mask = mask.fillna(False).astype(bool).to_numpy(dtype=bool)
        part = np.full(len(units), "", dtype=object)
        part[mask] = (text.to_numpy(dtype=object) if isinstance(text, pd.Series) else np.asarray(text, dtype=object))[mask] \
            if not isinstance(text, str) else text
        parts.append(part)

    why(~units["submitted"], "chưa nộp bảng tự chấm điểm")
    if award.min_total is not None:
        why(units["submitted"] & (units["total"] < award.min_total - 1e-9),
            "tổng điểm " + pd.Series(fmt_numbers(units["total"]), index=units.index, dtype=object) + f" thấp hơn mức tối thiểu {fmt_number(award.min_total)}")
    if award.min_band is not None:
        need = band_rank[award.min_band]
        at = pd.Index(list(band_rank)).get_indexer(units["band_id"])  # a dict .map converts every value
        have = pd.Series(np.where(at >= 0, np.array(list(band_rank.values()), dtype=float)[np.maximum(at, 0)], np.nan),
                         index=units.index)
        label = next(b.label for b in cov.bands if b.id == award.min_band)
        why(units["submitted"] & ~(have <= need), f"xếp loại chưa đạt '{label}'")
    if award.required_targets:
        # ``met`` is False for a target missed, and NaN when it could not be judged. NaN means
        # two different things: a staff target without any staff ratings (no evidence, so the
        # award cannot be granted: reported as missing data), and an organisation target with
        # ``required: false`` for a unit that has no such organisation (the target does not
        # apply to it, so it must not cost the unit an award).
        # (masks over the whole targets table, titles joined by position: no frame is filtered)
        req = (np.ones(len(targets), dtype=bool) if award.required_targets == "all"
               else targets["target_id"].isin(award.required_targets).to_numpy(dtype=bool))
        no_data = (targets["met"].isna() & targets["kind"].eq("staff")).to_numpy(dtype=bool)
        missed = targets["met"].eq(False).to_numpy(dtype=bool)
        # only the rows that say something are located and their titles read (few of ~95,000)
        rows = np.flatnonzero((missed | no_data) & req)
        at = np.full(len(targets), -1)
        if where.ok and len(rows):
            at[rows] = where(targets[KEYS].take(rows))
        codes, uniques = pd.factorize(targets["title"])
        titles = np.append(np.asarray(uniques, dtype=object), np.nan)[codes]  # a missing title stays NaN
        for mask, prefix in ((missed, "không đạt chỉ tiêu: "), (no_data, "chưa có số liệu chỉ tiêu: ")):
            if not where.ok:
                joined = _joined_per_unit(units, targets.loc[mask & req, KEYS + ["title"]], "title", where)
            else:
                joined = pd.Series(_join_at(len(units), at[mask & req], titles[mask & req]), index=units.index, dtype=object)
            why(joined.notna(), prefix + joined.fillna(""))
    if award.disqualifying_events:
        bad = events[events["event_id"].isin(award.disqualifying_events) & (events["count"] > 0)]
        titles = {e.id: e.title for e in cov.adjustments.events}
        text = bad.assign(t=bad["event_id"].map(titles) + np.where(bad["reason"].astype(str) != "", " (" + bad["reason"].astype(str) + ")", ""))
        joined = _joined_per_unit(units, text, "t", where)
        why(joined.notna(), "có sự kiện loại trừ: " + joined.fillna(""))
    if award.require_cap_compliance and len(cap):
        at = _locate(cap, units)  # row of each unit in ``cap``
        if at is None:
            c = units[KEYS].merge(cap[KEYS + ["within_cap", "arithmetic"]], on=KEYS, how="left")
            c.index = units.index
        else:
            found = at >= 0
            c = pd.DataFrame({col: pd.Series(np.where(found, cap[col].to_numpy(dtype=object)[np.maximum(at, 0)] if len(cap) else None, np.nan),
                                             index=units.index, dtype=object) for col in ("within_cap", "arithmetic")})
        why(c["within_cap"].eq(False), "vượt trần tỷ lệ hoàn thành xuất sắc: " + c["arithmetic"].fillna(""))
    if award.min_vote_share is not None:
        share = units["vote_share"]
        why(units["submitted"] & share.isna(), "chưa có kết quả bỏ phiếu bình xét")
        if award.vote_rule == "more_than":  # the covenant asks for more than the threshold
            why(share <= award.min_vote_share + 1e-12, "tỷ lệ phiếu " + pd.Series(fmt_percents(share), index=units.index, dtype=object)
                + f" không vượt mức {fmt_percent(award.min_vote_share, 0)}")
        else:
            why(share < award.min_vote_share - 1e-12,
                "tỷ lệ phiếu " + pd.Series(fmt_percents(share), index=units.index, dtype=object) + f" dưới mức {fmt_percent(award.min_vote_share, 0)}")
    if not parts:
        return pd.Series("", index=units.index)
    if not len(units):
        return pd.concat([pd.Series(p, index=units.index) for p in parts], axis=1).apply(lambda r: "; ".join(x for x in r if x), axis=1)
    # "; ".join of the non-empty parts, one vectorised step per part (a rule), not per unit
    out = parts[0].copy()
    for p in parts[1:]:
        has = p != ""
        first = has & (out == "")
        more = has & ~first
        out[first] = p[first]
        out[more] = out[more] + "; " + p[more]
    return pd.Series(out, index=units.index, dtype=object)  # nominate() makes it pandas ``str``, as apply() did


def nominate(units: pd.DataFrame, cov: Covenant, targets: pd.DataFrame, cap: pd.DataFrame,
             events: pd.DataFrame, period_kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (eligibility long table, quota table) for every award of the covenant."""
    band_rank = {b.id: i for i, b in enumerate(cov.bands)}
    rows, quotas = [], []
    nominated_by_award: dict[str, np.ndarray] = {}  # per award, which rows of ``units`` were nominated
    members_per_bloc = units.groupby("bloc_id")["unit_id"].size()
    unit_index = None  # built when an award excludes another's nominees and unit keys repeat
    unique_keys = None
    for award in cov.awards:
        if period_kind not in award.periods:
            continue
        reasons_text = _reasons(units, award, cov, targets, cap, events, band_rank).to_numpy(dtype=object)
        reasons = pd.Series(reasons_text, index=units.index)  # pandas ``str``
        excluded = pd.Series(False, index=units.index)
        excl_text = pd.Series("", index=units.index)
        for other in award.excludes:
            if unique_keys is None:
                unique_keys = not units.duplicated(KEYS).any()
            done = nominated_by_award.get(other, np.zeros(len(units), dtype=bool))
            if unique_keys:  # one row per unit: the rows nominated for ``other`` are the ones to skip
                hit = pd.Series(done, index=units.index)
            else:  # a repeated unit is skipped on all its rows, as a lookup by (bloc_id, unit_id) does
                if unit_index is None:
                    unit_index = pd.MultiIndex.from_frame(units[KEYS])
                keys = set(zip(units.loc[done, "bloc_id"], units.loc[done, "unit_id"]))
                hit = pd.Series(unit_index.isin(list(keys)), index=units.index)
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
        nominated_by_award[award.id] = nominated.to_numpy(dtype=bool)
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
