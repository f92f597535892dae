"""Charts for the period report (matplotlib, Vietnamese labels, DejaVu Sans covers the diacritics)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from .engine import PeriodResult
from .text import fmt_number

plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
                     "svg.hashsalt": "thidua", "axes.formatter.use_locale": False})
_COMMA = FuncFormatter(lambda x, _pos: fmt_number(x, 0 if float(x).is_integer() else 1))
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
    ax.xaxis.set_major_formatter(_COMMA)
    ax.set_xlabel("Điểm")
    ax.set_title(f"Điểm theo nội dung thi đua, {res.period.label_vi} (vạch đứt: ngưỡng xếp loại)", pad=14)
    ax.legend(ncol=min(len(ids) + 1, 7), fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12 if len(r) > 6 else -0.25), frameon=False)
    fig.tight_layout()
    return fig


def self_vs_verified_chart(res: PeriodResult):
    """Self-assessed versus verified criteria totals: the gap the bloc corrected."""
    r = res.ranking[res.ranking["submitted"]]
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(r) + 1.4))
    y = np.arange(len(r))[::-1]
    ax.hlines(y, r["criteria_total"], r["self_criteria"], color="grey", lw=2)
    ax.scatter(r["self_criteria"], y, color=_COLORS[3], label="Tự chấm", zorder=3)
    ax.scatter(r["criteria_total"], y, color=_COLORS[0], label="Sau thẩm định", zorder=3)
    ax.set_yticks(y, _label(res)[res.ranking["submitted"]])
    ax.xaxis.set_major_formatter(_COMMA)
    ax.set_xlabel("Điểm các tiêu chí (chưa gồm thưởng/trừ)")
    ax.set_title("Tự chấm và kết quả thẩm định")
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def change_chart(res: PeriodResult):
    """Total now versus the previous comparable period, following lineage."""
    c = res.comparison
    r = res.ranking[res.ranking["submitted"]].merge(c[["unit_id", "prev_total"]], on="unit_id", how="left") if c is not None and len(c) else None
    fig, ax = plt.subplots(figsize=(9, 0.4 * (0 if r is None else len(r)) + 1.4))
    if r is None or r["prev_total"].isna().all():
        ax.text(0.5, 0.5, "Không có dữ liệu kỳ trước để so sánh", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    y = np.arange(len(r))[::-1]
    has = r["prev_total"].notna()
    ax.hlines(y[has], r["prev_total"][has], r["total"][has], color="grey", lw=2)
    ax.scatter(r["prev_total"], y, color="lightgrey", edgecolor="grey", label=f"Kỳ {c['prev_period'].iloc[0]}", zorder=3)
    ax.scatter(r["total"], y, color=_COLORS[2], label=f"Kỳ {res.period}", zorder=3)
    labels = res.ranking[res.ranking["submitted"]]["short_name"]
    ax.set_yticks(y, labels)
    ax.xaxis.set_major_formatter(_COMMA)
    ax.set_xlabel("Tổng điểm")
    ax.set_title("Thay đổi so với kỳ trước (theo đơn vị kế thừa)")
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
