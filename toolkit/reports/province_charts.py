"""Charts of the province overview (matplotlib, Vietnamese labels): blocs by name, in one period and over the years."""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch

from toolkit.reports.overview import Overview, same_maximum, year_labels
from toolkit.reports.chart_style import COMMA, PERCENT

_COLORS = plt.get_cmap("tab10").colors


def _wrap(name: str, width: int = 34) -> str:
    return textwrap.fill(name, width)


def totals_chart(ov: Overview):
    """The period's totals per bloc (box: the middle half of the units; line: median)."""
    r = ov.tables["xep_hang"].dropna(subset=["total"])
    blocs = [b for b in ov.blocs if b in set(r["bloc"])][::-1]
    fig, ax = plt.subplots(figsize=(9, 0.75 * len(blocs) + 1.5))
    ax.boxplot([r.loc[r["bloc"] == b, "total"] for b in blocs], orientation="horizontal",
               tick_labels=[_wrap(ov.names[b]) for b in blocs], widths=0.5, showfliers=False)  # every unit is a dot
    for i, b in enumerate(blocs, start=1):
        x = r.loc[r["bloc"] == b, "total"]
        ax.scatter(x, np.full(len(x), i) + np.random.default_rng(i).uniform(-0.1, 0.1, len(x)), s=10, color="0.35", zorder=3)
    ax.xaxis.set_major_formatter(COMMA)
    ax.set_xlabel("Tổng điểm")
    ax.set_title(f"Tổng điểm các đơn vị theo khối, {ov.period.label_vi}")
    fig.tight_layout()
    return fig


def totals_by_year_chart(ov: Overview):
    """Totals of every bloc in every period: one box per bloc and period, blocs side by side."""
    labels = year_labels(ov)
    hist = ov.histories()
    shares = not same_maximum(ov)
    col = "total_share" if shares else "total"
    fig, ax = plt.subplots(figsize=(10.5, 4.6))
    width = 0.8 / max(1, len(hist))
    handles = []
    for k, (bloc, h) in enumerate(hist.items()):
        u = h.units[h.units["submitted"]]
        data, at = [], []
        for i, p in enumerate(labels):
            v = u.loc[u["period"] == p, col].to_numpy()
            if len(v):
                data.append(v)
                at.append(i + (k - (len(hist) - 1) / 2) * width)
        color = _COLORS[k % 10]
        if data:
            ax.boxplot(data, positions=at, widths=width * 0.85, showfliers=True, patch_artist=True,
                       boxprops={"facecolor": color, "alpha": 0.45, "edgecolor": color}, medianprops={"color": "black"},
                       whiskerprops={"color": color}, capprops={"color": color},
                       flierprops={"marker": "o", "markersize": 3, "markerfacecolor": color, "markeredgecolor": color})
        handles.append(Patch(facecolor=color, alpha=0.45, edgecolor=color, label=_wrap(ov.names[bloc], 45)))
    ax.set_xticks(range(len(labels)), labels)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.yaxis.set_major_formatter(PERCENT if shares else COMMA)
    ax.set_ylabel("Tổng điểm (% điểm tối đa)" if shares else "Tổng điểm")
    ax.grid(axis="y", color="0.92", lw=0.6)
    ax.legend(handles=handles, fontsize=7.5, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=min(3, len(handles)))
    ax.set_title("Tổng điểm các đơn vị của từng khối qua các kỳ (hộp: một nửa số đơn vị ở giữa; vạch đen: trung vị)")
    fig.tight_layout()
    return fig
