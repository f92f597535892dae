"""Charts for the period report (matplotlib, Vietnamese labels, DejaVu Sans covers the diacritics)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from toolkit.engine.evaluate import PeriodResult
from toolkit.model.text import fmt_number
from toolkit.reports.chart_style import COMMA

_COLORS = plt.get_cmap("tab10").colors


def _label(res: PeriodResult) -> pd.Series:
    r = res.ranking
    return r["short_name"].where(r["short_name"].astype(str) != "", r["name"])


def totals_chart(res: PeriodResult):
    """Stacked content subtotals per unit in rank order, with bonus/penalty and band thresholds."""
    r = res.ranking[res.ranking["submitted"]]
    wide = res.contents.pivot_table(index="unit_id", columns="content_id", values="final_score", aggfunc="first")
    ids = [c.id for c in res.covenant.contents]
    wide = wide.reindex(index=r["unit_id"], columns=ids).fillna(0)
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(r) + 1.6))
    y = np.arange(len(r))[::-1]
    left = np.zeros(len(r))
    for i, cid in enumerate(ids):
        ax.barh(y, wide[cid].to_numpy(), left=left, color=_COLORS[i % 10], label=cid, height=0.7)
        left += wide[cid].to_numpy()
    adj = (r["bonus"] + r["penalty"]).to_numpy()
    ax.scatter(r["total"], y, marker="D", color="black", zorder=3, s=18, label="Tổng (gồm thưởng/trừ)")
    for yy, tot, a in zip(y, r["total"], adj):
        ax.annotate(fmt_number(tot) + (f" ({'+' if a > 0 else ''}{fmt_number(a)})" if a else ""), (tot, yy),
                    xytext=(6, -3), textcoords="offset points", fontsize=8)
    for band in res.covenant.bands:
        if band.min_total > 0:
            ax.axvline(band.min_total, color="grey", lw=0.8, ls="--")
            ax.text(band.min_total, 1.0, f"≥ {fmt_number(band.min_total, 0)}", transform=ax.get_xaxis_transform(),
                    fontsize=7, color="grey", va="bottom", ha="center")
    labels = _label(res)[res.ranking["submitted"]]
    ax.set_yticks(y, [f"{int(k)}. {n}" for k, n in zip(r["rank"], labels)])
    ax.set_xlim(0, max(res.covenant.total + (res.covenant.adjustments.bonus_cap or 0), float(r["total"].max() or 0)) * 1.08)
    ax.xaxis.set_major_formatter(COMMA)
    ax.set_xlabel("Điểm")
    ax.set_title(f"Điểm theo nội dung thi đua, {res.period.label_vi} (vạch đứt: ngưỡng xếp loại)", pad=14)
    ax.legend(ncol=min(len(ids) + 1, 7), fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12 if len(r) > 6 else -0.25), frameon=False)
    fig.tight_layout()
    return fig


def _dumbbell(labels, before: pd.Series, after: pd.Series, before_style: dict, after_style: dict, xlabel: str, title: str):
    """One row per unit: a line from ``before`` to ``after`` (missing ``before`` shows ``after`` alone)."""
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(labels) + 1.4))
    y = np.arange(len(labels))[::-1]
    has = before.notna().to_numpy()
    ax.hlines(y[has], before[has], after[has], color="grey", lw=2)
    ax.scatter(before, y, zorder=3, **before_style)
    ax.scatter(after, y, zorder=3, **after_style)
    ax.set_yticks(y, list(labels))
    ax.xaxis.set_major_formatter(COMMA)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def self_vs_verified_chart(res: PeriodResult):
    """Self-assessed versus verified criteria totals: the gap the bloc corrected."""
    r = res.ranking[res.ranking["submitted"]]
    return _dumbbell(_label(res)[res.ranking["submitted"]], r["self_criteria"], r["criteria_total"],
                     {"color": _COLORS[3], "label": "Tự chấm"}, {"color": _COLORS[0], "label": "Sau thẩm định"},
                     "Điểm các tiêu chí (chưa gồm thưởng/trừ)", "Tự chấm và kết quả thẩm định")


def change_chart(res: PeriodResult):
    """Total now versus the previous comparable period, following lineage."""
    c = res.comparison
    r = res.ranking[res.ranking["submitted"]]
    if c is None or c.empty or c["prev_total"].isna().all():
        fig, ax = plt.subplots(figsize=(9, 1.4))
        ax.text(0.5, 0.5, "Không có dữ liệu kỳ trước để so sánh", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    r = r.merge(c[["unit_id", "prev_total"]], on="unit_id", how="left")
    return _dumbbell(r["short_name"], r["prev_total"], r["total"],
                     {"color": "lightgrey", "edgecolor": "grey", "label": f"Kỳ {c['prev_period'].iloc[0]}"},
                     {"color": _COLORS[2], "label": f"Kỳ {res.period}"},
                     "Tổng điểm", "Thay đổi so với kỳ trước (theo đơn vị kế thừa)")
