"""What-if scenarios: the covenant with a few settings changed, evaluated beside the real one.

A :class:`Scenario` lists edits (an award's quota, a band's thresholds, a criterion's maximum,
the tie-break order). :func:`apply` builds a new, validated :class:`~toolkit.model.covenant.Covenant`
from the bloc's own (copies, never the file), :func:`evaluate_scenario` re-runs the engine on
the same period data, and :func:`compare_ranking` / :func:`compare_nominations` put both
outcomes side by side with the units whose outcome changed marked. Saving a scenario as a
covenant file is the explorer's (:mod:`toolkit.explorer.scenario_files`): the engine writes nothing.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from toolkit.model.covenant import Covenant, Quota, parse_covenant
from toolkit.engine.evaluate import evaluate
from toolkit.model.rounding import ROUNDING_VI
from toolkit.model.period_data import PeriodData
from toolkit.model.text import fmt_number, fmt_percent, sort_key
from toolkit.model.vocabulary import Vocabulary


@dataclass(frozen=True)
class Scenario:
    """Edits to one covenant; empty edits mean the covenant as signed."""

    quotas: dict[str, Quota] = field(default_factory=dict)  # award id -> new quota
    bands: dict[str, tuple[float, float]] = field(default_factory=dict)  # band id -> (min_total, min_criterion_share)
    maxima: dict[str, float] = field(default_factory=dict)  # criterion id -> new maximum
    tie_break: tuple[str, ...] | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.quotas or self.bands or self.maxima or self.tie_break is not None)

    def describe(self, cov: Covenant) -> list[str]:
        """One Vietnamese line per edit: what the covenant says and what the scenario assumes."""
        lines = []
        for a in cov.awards:
            if a.id in self.quotas:
                lines.append(f"{a.title}: hạn mức {quota_text(a.quota)} → {quota_text(self.quotas[a.id])}")
        for b in cov.bands:
            if b.id in self.bands:
                t, s = self.bands[b.id]
                lines.append(f"Xếp loại '{b.label}': từ {fmt_number(b.min_total)} điểm và mỗi tiêu chí ≥ "
                             f"{fmt_percent(b.min_criterion_share, 0)} điểm chuẩn → từ {fmt_number(t)} điểm và ≥ {fmt_percent(s, 0)}")
        for content, k in cov.criteria:
            if k.id in self.maxima:
                extra = " (điểm đã chấm được quy đổi theo tỷ lệ)" if k.kind == "graded" else ""
                lines.append(f"Tiêu chí {k.id} ({content.id}): điểm chuẩn {fmt_number(k.max)} → {fmt_number(self.maxima[k.id])}{extra}")
        if self.maxima:
            total = sum(self.maxima.get(k.id, k.max) for _, k in cov.criteria)
            lines.append(f"Tổng điểm chuẩn: {fmt_number(cov.total)} → {fmt_number(total)}")
        if self.tie_break is not None:
            lines.append(f"Thứ tự phân hạng: {', '.join(cov.tie_break)} → {', '.join(self.tie_break)}")
        return lines


def quota_text(q: Quota) -> str:
    if q.count is not None:
        return f"{q.count} đơn vị"
    return f"{fmt_percent(q.share, 0)} số thành viên ({ROUNDING_VI[q.rounding]})"


def simplify(scenario: Scenario, cov: Covenant) -> Scenario:
    """Drop edits that restate the covenant, so an edit undone by hand no longer counts."""
    awards = {a.id: a for a in cov.awards}
    bands = {b.id: b for b in cov.bands}
    maxima = {k.id: k.max for _, k in cov.criteria}
    return Scenario(
        quotas={k: q for k, q in scenario.quotas.items() if k in awards and q != awards[k].quota},
        bands={k: v for k, v in scenario.bands.items()
               if k in bands and (abs(v[0] - bands[k].min_total) > 1e-9 or abs(v[1] - bands[k].min_criterion_share) > 1e-9)},
        maxima={k: v for k, v in scenario.maxima.items() if k in maxima and abs(v - maxima[k]) > 1e-9},
        tie_break=None if scenario.tie_break is None or list(scenario.tie_break) == list(cov.tie_break) else tuple(scenario.tie_break),
    )


def apply(cov: Covenant, scenario: Scenario, levels: dict[str, set[str]] | None = None, where: str = "kịch bản") -> Covenant:
    """The covenant with the scenario's edits, validated like a covenant file (a DataError says what is wrong).

    Changing a criterion's maximum changes the nominal ``total`` by the same amount, because the
    schema requires the total to equal the sum of the maxima.
    """
    awards = [a.model_copy(update={"quota": scenario.quotas[a.id]}) if a.id in scenario.quotas else a for a in cov.awards]
    bands = [b.model_copy(update={"min_total": float(scenario.bands[b.id][0]), "min_criterion_share": float(scenario.bands[b.id][1])})
             if b.id in scenario.bands else b for b in cov.bands]
    def scaled(k):  # a part's new maximum moves its parent's, which is their sum
        if k.parts:
            parts = [scaled(x) for x in k.parts]
            return k.model_copy(update={"parts": parts, "max": float(sum(x.max for x in parts))}) if parts != list(k.parts) else k
        return k.model_copy(update={"max": float(scenario.maxima[k.id])}) if k.id in scenario.maxima else k

    contents = [c.model_copy(update={"criteria": [scaled(k) for k in c.criteria]}) for c in cov.contents]
    update: dict = {"awards": awards, "bands": bands, "contents": contents}
    if scenario.maxima:
        update["total"] = float(sum(k.max for c in contents for k in c.criteria))
    if scenario.tie_break is not None:
        update["tie_break"] = list(scenario.tie_break)
    edited = cov.model_copy(update=update)
    # model_copy does not validate: parse the result again so a scenario obeys every rule a file does
    return parse_covenant(edited.model_dump(mode="json"), where, levels)


def rescale_graded(data: PeriodData, cov: Covenant, scenario: Scenario) -> PeriodData:
    """Period data for the scenario: a graded criterion's points are on its old scale, so they
    are converted in proportion (9 of 10 becomes 13,5 of 15). Other kinds are scored from the
    entered value and need no change. The cached data is not modified."""
    factors = {k.id: scenario.maxima[k.id] / k.max for _, k in cov.criteria if k.kind == "graded" and k.id in scenario.maxima}
    if not factors:
        return data
    s = data.scores.copy()
    f = s["criterion_id"].map(factors).fillna(1.0).astype(float)
    for col in ("self_value", "verified_value"):
        s[col] = s[col].astype(float) * f
    return dataclasses.replace(data, scores=s)


def evaluate_scenario(cov: Covenant, data: PeriodData, vocab: Vocabulary, scenario: Scenario) -> tuple[Covenant, dict[str, pd.DataFrame]]:
    new = apply(cov, scenario, vocab.levels())
    return new, evaluate(new, rescale_graded(data, cov, scenario), vocab)


# --------------------------------------------------------------------------- side by side

def _rank(x) -> object:
    return "—" if pd.isna(x) else int(x)


def compare_ranking(base: pd.DataFrame, other: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Units in scenario rank order with both outcomes; ``changed`` marks a rank or band that differs.

    ``base`` and ``other`` are engine ``units`` frames of the same members.
    """
    cols = ["unit_id", "name", "rank", "total", "band", "submitted"]
    m = base[cols].merge(other[["unit_id", "rank", "total", "band"]], on="unit_id", suffixes=("", "_s"), how="outer")
    m["_k"] = m["name"].map(sort_key)
    m = m.sort_values(["rank_s", "_k"], na_position="last", kind="stable").reset_index(drop=True)
    r0, r1 = m["rank"].astype("Float64"), m["rank_s"].astype("Float64")
    rank_changed = ~((r0 == r1).fillna(False) | (r0.isna() & r1.isna())).to_numpy(dtype=bool)
    band_changed = (m["band"].fillna("") != m["band_s"].fillna("")).to_numpy()
    changed = rank_changed | band_changed
    what = []
    for i, row in m.iterrows():
        parts = []
        if rank_changed[i]:
            parts.append(f"hạng {_rank(row['rank'])} → {_rank(row['rank_s'])}")
        if band_changed[i]:
            parts.append(f"xếp loại {row['band'] or '—'} → {row['band_s'] or '—'}")
        what.append("; ".join(parts))
    not_sub = "Chưa nộp bảng tự chấm"
    table = pd.DataFrame({
        "Đơn vị": m["name"].to_numpy(),
        "Hạng (giao ước)": m["rank"].map(_rank).to_numpy(),
        "Tổng điểm (giao ước)": m["total"].to_numpy(dtype=float),
        "Xếp loại (giao ước)": np.where(m["submitted"], m["band"].fillna(""), not_sub),
        "Hạng (giả định)": m["rank_s"].map(_rank).to_numpy(),
        "Tổng điểm (giả định)": m["total_s"].to_numpy(dtype=float),
        "Xếp loại (giả định)": np.where(m["submitted"], m["band_s"].fillna(""), not_sub),
        "Thay đổi": what,
    })
    return table, changed


def compare_nominations(base: pd.DataFrame, other: pd.DataFrame, cov: Covenant) -> tuple[pd.DataFrame, np.ndarray]:
    """Every unit for every award under both covenants; ``changed`` marks a nomination gained or lost."""
    cols = ["award_id", "unit_id", "award", "name", "nominated", "status"]
    if base.empty and other.empty:
        return pd.DataFrame(columns=["Danh hiệu", "Đơn vị", "Đề nghị (giao ước)", "Đề nghị (giả định)",
                                     "Kết quả xét (giao ước)", "Kết quả xét (giả định)"]), np.zeros(0, dtype=bool)
    m = base[cols + ["rank"]].merge(other[["award_id", "unit_id", "nominated", "status", "rank"]],
                                    on=["award_id", "unit_id"], suffixes=("", "_s"), how="outer")
    order = {a.id: i for i, a in enumerate(cov.awards)}
    m = m.assign(_a=m["award_id"].map(order), _r=m["rank_s"].astype(float).fillna(np.inf), _k=m["name"].map(sort_key))
    m = m.sort_values(["_a", "_r", "_k"], kind="stable").reset_index(drop=True)
    n0 = m["nominated"].fillna(False).astype(bool).to_numpy()
    n1 = m["nominated_s"].fillna(False).astype(bool).to_numpy()
    yes = {True: "Có", False: "Không"}
    table = pd.DataFrame({
        "Danh hiệu": m["award"].to_numpy(),
        "Đơn vị": m["name"].to_numpy(),
        "Đề nghị (giao ước)": [yes[x] for x in n0],
        "Đề nghị (giả định)": [yes[x] for x in n1],
        "Kết quả xét (giao ước)": m["status"].fillna("").to_numpy(),
        "Kết quả xét (giả định)": m["status_s"].fillna("").to_numpy(),
    })
    return table, n0 != n1
