"""Charts of the trends report (matplotlib, Vietnamese labels): a bloc across the periods at a glance.

Every chart takes a :class:`~toolkit.reports.bloc_history.History`. A period without data keeps its
place on the axis, shaded and labelled "không có dữ liệu"; no line is drawn across it. A chart
with nothing to draw (no targets over halves, no awards) is None: the section's table says why.
"""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from toolkit.engine import unit_lines as rules
from toolkit.model.text import fmt_number, fmt_percent
from toolkit.reports.bloc_history import History
from toolkit.reports.chart_style import COMMA, PERCENT

_COLORS = list(plt.get_cmap("tab10").colors) + list(plt.get_cmap("Dark2").colors)
# low shares red, the full maximum a light green (dark cells would hide their numbers)
_SHARES = LinearSegmentedColormap.from_list("shares", ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#66bd63"])
NO_DATA = "không có\ndữ liệu"


def _axis(ax, h: History) -> np.ndarray:
    """Periods on the x axis; periods without data shaded and labelled."""
    x = np.arange(len(h.labels))
    ax.set_xticks(x, [f"{p}\n({NO_DATA})" if p in h.missing else p for p in h.labels])
    for i, p in enumerate(h.labels):
        if p in h.missing:
            ax.axvspan(i - 0.45, i + 0.45, color="0.92", zorder=0)
    ax.set_xlim(-0.5, len(h.labels) - 0.5)
    return x


def _short(h: History) -> dict[str, str]:
    """unit id -> its short name (the name when it has none)."""
    u = h.units.drop_duplicates("unit_id", keep="last")
    return {r.unit_id: (r.short_name if isinstance(r.short_name, str) and r.short_name else r.name) for r in u.itertuples()}


def _org_labels(h: History) -> dict[str, str]:
    """org id -> short label; a unit later merged into another shows where it went ("SGTVT → SXD")."""
    short = _short(h)
    u = h.units.drop_duplicates("org_id", keep="last")
    return {r.org_id: short.get(r.org_id, r.org_id) + (f" → {short.get(r.line_id, r.line_id)}" if r.org_id != r.line_id else "")
            for r in u.itertuples()}


def rank_chart(h: History):
    """Small multiples of ranks: one panel per unit line, the other units in grey behind it.

    A merged unit's panel continues its predecessors' lines (thinner, joined by a dashed
    stroke; a rename by a solid one), so its history reads from the first period.
    """
    u = h.units[h.units["submitted"]]
    if u.empty:
        return None  # nothing to draw: the section's table says so
    pos = {p: i for i, p in enumerate(h.labels)}
    x = np.arange(len(h.labels))
    lines = [line for line in h.lines["line_id"] if line in set(u["line_id"])]
    short = _short(h)
    names = dict(zip(h.lines["line_id"], h.lines["line_name"]))
    depth = int(u["rank"].max())
    series = {}
    for unit, g in u.groupby("unit_id", sort=False):
        y = np.full(len(x), np.nan)
        y[g["period"].map(pos).to_numpy()] = g["rank"].astype(float).to_numpy()
        series[unit] = (g["line_id"].iloc[0], g["line_event"].iloc[-1], y)
    cols = 4 if len(lines) > 6 else 3
    rows = -(-len(lines) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(11, 2.35 * rows + 0.9), sharex=True, sharey=True, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(lines):
            ax.set_axis_off()
            continue
        line = lines[k]
        color = _COLORS[k % len(_COLORS)]
        for i, p in enumerate(h.labels):
            if p in h.missing:
                ax.axvspan(i - 0.45, i + 0.45, color="0.92", zorder=0)
        others = [np.column_stack([x, y]) for other, _event, y in series.values() if other != line]
        ax.add_collection(LineCollection(others, colors="0.86", linewidths=0.8, zorder=1))  # NaN breaks a line: no gap bridged
        own = series.get(line, (line, "", np.full(len(x), np.nan)))[2]
        for unit, (other, event, y) in series.items():
            if other != line or unit == line:
                continue
            ax.plot(x, y, color=color, lw=1.3, marker="o", ms=2.5, alpha=0.7, zorder=2)
            last = int(np.nanargmax(np.where(np.isnan(y), -1, x)))
            later = [i for i in range(last + 1, len(x)) if not np.isnan(own[i])]
            if later:
                ax.plot([last, later[0]], [y[last], own[later[0]]], color=color, lw=1.2, ls="-" if event == "rename" else "--", zorder=2)
            ax.annotate(short[unit], (last, y[last]), xytext=(0, 4), textcoords="offset points", ha="center", va="bottom",
                        fontsize=6.5, color=color)
        ax.plot(x, own, color=color, lw=2.2, marker="o", ms=3.5, zorder=3)
        done = [i for i in range(len(x)) if not np.isnan(own[i])]
        if done:
            ax.annotate(f"{int(own[done[-1]])}", (done[-1], own[done[-1]]), xytext=(5, 0), textcoords="offset points",
                        va="center", fontsize=8, fontweight="bold", color=color)
        title = textwrap.shorten(names.get(line, line), 42, placeholder="…")
        ax.set_title(title, fontsize=8.5, color=color, loc="left")
        ax.grid(axis="y", color="0.93", lw=0.6)
        ax.tick_params(labelsize=7, length=2)
    axes[0, 0].set_ylim(depth + 0.6, 0.4)
    axes[0, 0].set_yticks([1, *range(5, depth + 1, 5)] if depth > 6 else range(1, depth + 1))
    for k, ax in enumerate(axes.flat):  # tick labels under the lowest panel of each column
        if k < len(lines) and k + cols >= len(lines):
            ax.tick_params(labelbottom=True)
            ax.set_xticks(x, [f"{p}*" if p in h.missing else p for p in h.labels], rotation=90 if len(x) > 6 else 0)
    for ax in axes[:, 0]:
        ax.set_ylabel("Hạng", fontsize=8)
    note = "Hạng 1 ở trên cùng; số cuối dòng: hạng ở kỳ gần nhất; đường mảnh cùng màu: đơn vị tiền thân (nét đứt: hợp nhất)"
    if h.missing:
        note += "; * kỳ không có dữ liệu"
    fig.suptitle("Thứ hạng của từng đơn vị qua các kỳ", fontsize=11)
    fig.text(0.5, 0.005, note, ha="center", va="bottom", fontsize=7.5, color="0.35")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig


def totals_chart(h: History):
    """Each period's totals (points, or the share of the year's maximum when maxima differ), leader marked."""
    u = h.units[h.units["submitted"]]
    if u.empty:
        return None  # nothing to draw: the section's table says so
    shares = len({c.total for c in h.covenants.values()}) > 1
    col = "total_share" if shares else "total"
    pos = {p: i for i, p in enumerate(h.labels)}
    fig, ax = plt.subplots(figsize=(10, 4.2))
    x = _axis(ax, h)
    data = [u.loc[u["period"] == p, col].to_numpy() for p in h.labels]
    have = [i for i, d in enumerate(data) if len(d)]
    ax.boxplot([data[i] for i in have], positions=have, widths=0.45, showfliers=False, patch_artist=True,
               boxprops={"facecolor": "#ddebf7", "edgecolor": "#5b7ea6"}, medianprops={"color": "#1f4e79", "lw": 2},
               whiskerprops={"color": "#5b7ea6"}, capprops={"color": "#5b7ea6"})
    rng = np.random.default_rng(0)
    ax.scatter(u["period"].map(pos) + rng.uniform(-0.12, 0.12, len(u)), u[col], s=12, color="0.35", zorder=3)
    top = u[u["rank"].eq(1).fillna(False)]
    short = _short(h)
    ax.scatter(top["period"].map(pos), top[col], marker="*", s=110, color="#c00000", zorder=4)
    for r in top.itertuples():
        ax.annotate(short[r.unit_id], (pos[r.period], getattr(r, col)), xytext=(0, 7), textcoords="offset points",
                    ha="center", fontsize=7, color="#c00000")
    ax.set_xticks(x, [f"{p}\n({NO_DATA})" if p in h.missing else p for p in h.labels])
    ax.yaxis.set_major_formatter(PERCENT if shares else COMMA)
    ax.set_ylabel("Tổng điểm (% điểm tối đa của năm)" if shares else "Tổng điểm")
    ax.set_title("Tổng điểm các đơn vị qua các kỳ (★ đơn vị dẫn đầu; hộp: một nửa số đơn vị ở giữa; vạch đậm: trung vị)")
    fig.tight_layout()
    return fig


def _heatmap(ax, grid: pd.DataFrame, cmap, vmin: float, vmax: float, fmt, h: History):
    values = grid.to_numpy(dtype=float)
    masked = np.ma.masked_invalid(values)
    im = ax.imshow(masked, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):
            r, g, b, _ = im.cmap(im.norm(v))
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5  # white text on a dark cell
            ax.text(j, i, fmt(v), ha="center", va="center", fontsize=7.5, color="white" if dark else "black")
    ax.set_xticks(range(len(grid.columns)), [f"{p}\n({NO_DATA})" if p in h.missing else p for p in grid.columns])
    ax.set_yticks(range(len(grid.index)), list(grid.index))
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_facecolor("0.95")
    return im


def _heatmap_figure(h: History, grid, row_height: float, cmap, low: float, high: float, text, bar_label: str, title: str,
                    bar_format=None):
    """A figure of :func:`_heatmap` (``row_height`` inches a row) with its colour bar and title."""
    fig, ax = plt.subplots(figsize=(10, row_height * len(grid) + 1.6))
    im = _heatmap(ax, grid, cmap, low, high, text, h)
    bar = fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02, format=bar_format)
    bar.set_label(bar_label)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def gap_chart(h: History):
    """Self-assessed minus verified criteria total, per unit and period: who claims more than the bloc verifies."""
    u = h.units[h.units["submitted"]]
    if u.empty:
        return None  # nothing to draw: the section's table says so
    labels = _org_labels(h)
    orgs = [o for o in h.orgs["org_id"] if o in set(u["org_id"])]
    grid = u.pivot_table(index="org_id", columns="period", values="self_gap", aggfunc="first").reindex(index=orgs, columns=h.labels)
    grid.index = [labels[o] for o in orgs]
    values = grid.to_numpy(dtype=float)
    vmax = max(1.0, float(np.nanmax(np.abs(values))))
    below = bool(np.nanmin(values) < 0)  # a unit that scored itself lower than verified: blue
    cmap = LinearSegmentedColormap.from_list("gap", ["#2c7bb6", "#ffffff", "#d7191c"] if below else ["#ffffff", "#d7191c"])
    return _heatmap_figure(h, grid, 0.36, cmap, -vmax if below else 0.0, vmax, lambda v: fmt_number(v),
                           "Điểm tự chấm cao hơn thẩm định",
                           "Tự chấm trừ điểm thẩm định (điểm các tiêu chí): đỏ là tự chấm cao hơn kết quả khối thẩm định")


def content_chart(h: History):
    """The bloc's average share of each content's maximum, per period: a content everyone loses points on is pale."""
    s = rules.content_shares(h.contents)
    if s.empty:
        return None  # nothing to draw: the section's table says so
    titles = {}
    for year in sorted(h.covenants):
        titles.update({c.id: c.title for c in h.covenants[year].contents})
    ids = list(titles)
    grid = s.pivot(index="content_id", columns="period", values="mean_share").reindex(index=ids, columns=h.labels)
    grid.index = [textwrap.shorten(f"{c}. {titles[c]}", 48, placeholder="…") for c in ids]
    low = float(np.floor(min(np.nanmin(grid.to_numpy(dtype=float)), 0.9) * 20) / 20)
    return _heatmap_figure(h, grid, 0.45, _SHARES, low, 1.0, lambda v: fmt_percent(v, 0), "Trung bình đạt (% điểm chuẩn)",
                           "Cả khối đạt bao nhiêu phần trăm điểm chuẩn của từng nội dung", bar_format=PERCENT)


def targets_chart(h: History):
    """Units meeting each target out of those judged, per period, and units over the excellent-share cap."""
    t = rules.target_shares(h.targets)
    if t.empty:
        return None  # nothing to draw: the section's table says so
    pos = {p: i for i, p in enumerate(h.labels)}
    order = list(dict.fromkeys(t.sort_values("period", ascending=False, kind="stable")["target_id"]))
    title = t.drop_duplicates("target_id", keep="last").set_index("target_id")["title"]
    grid = t.pivot(index="target_id", columns="period", values="share").reindex(index=order, columns=h.labels)
    text = t.assign(cell=[f"{m}/{j}" for m, j in zip(t["met"], t["judged"])]).pivot(
        index="target_id", columns="period", values="cell").reindex(index=order, columns=h.labels)
    grid.index = [textwrap.shorten(title[x], 50, placeholder="…") for x in order]
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(10, 0.45 * len(order) + 3.2), height_ratios=[0.45 * len(order) + 0.6, 1.3])
    low = float(np.floor(min(np.nanmin(grid.to_numpy(dtype=float)), 0.8) * 10) / 10)
    _heatmap(ax, grid, _SHARES, low, 1.0, lambda v: "", h)
    for (i, j), cell in np.ndenumerate(text.to_numpy(dtype=object)):
        if isinstance(cell, str):
            ax.text(j, i, cell, ha="center", va="center", fontsize=8)
    ax.set_title("Số đơn vị đạt từng chỉ tiêu / số đơn vị được đánh giá (đỏ: nhiều đơn vị không đạt)")
    c = rules.cap_summary(h.cap) if len(h.cap) else pd.DataFrame(columns=["period", "over"])
    _axis(bx, h)
    bx.bar(c["period"].map(pos), c["over"].astype(float), width=0.5, color="#c00000")
    for r in c.itertuples():
        bx.annotate(str(int(r.over)), (pos[r.period], r.over), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8)
    bx.yaxis.set_major_locator(MaxNLocator(integer=True))
    bx.set_ylim(0, max(1.0, float(c["over"].max()) if len(c) else 1.0) * 1.35)
    bx.set_ylabel("Số đơn vị")
    bx.set_title("Số đơn vị vượt trần tỷ lệ hoàn thành xuất sắc nhiệm vụ", fontsize=9)
    fig.tight_layout()
    return fig


_MARKERS = ["*", "o", "s", "D", "^", "v"]
_AWARD_COLORS = ["#c00000", "#1f4e79", "#548235", "#7f6000", "#7030a0", "#404040"]


def awards_chart(h: History):
    """Who was proposed for each award in every period, and what the province decided: one row per unit, one mark per award
    (filled: granted, hollow: not granted, pale: pending)."""
    a = h.awards
    if a.empty:
        return None  # nothing to draw: the section's table says so
    labels = _org_labels(h)
    orgs = list(h.orgs["org_id"])
    pos = {p: i for i, p in enumerate(h.labels)}
    row = {o: i for i, o in enumerate(orgs)}
    titles = list(dict.fromkeys(a.sort_values("period", ascending=False, kind="stable")["award_id"]))
    fig, ax = plt.subplots(figsize=(10, 0.36 * len(orgs) + 1.8))
    _axis(ax, h)
    width = 0.5 / max(1, len(titles))
    handles = []
    chosen = a[a["nominated"]]
    several = chosen.groupby(["period", "org_id"])["award_id"].transform("size") > 1  # two awards in one period: side by side
    for k, award in enumerate(titles):
        mine = chosen["award_id"] == award
        g = chosen[mine]
        shift = np.where(several[mine], (k - (len(titles) - 1) / 2) * width, 0.0)
        x, y = g["period"].map(pos) + shift, g["org_id"].map(row)
        won, lost = g["granted"].eq(True).fillna(False).to_numpy(bool), g["granted"].eq(False).fillna(False).to_numpy(bool)
        pending = ~(won | lost)
        size, color = 110 if k == 0 else 55, _AWARD_COLORS[k % 6]
        ax.scatter(x[won], y[won], marker=_MARKERS[k % 6], s=size, color=color, zorder=3)  # granted: filled
        ax.scatter(x[lost], y[lost], marker=_MARKERS[k % 6], s=size, facecolors="white", edgecolors=color, zorder=3)  # refused: hollow
        ax.scatter(x[pending], y[pending], marker=_MARKERS[k % 6], s=size, color=color, alpha=0.3, zorder=3)  # pending: pale
        handles.append(Line2D([], [], ls="", marker=_MARKERS[k % 6], color=_AWARD_COLORS[k % 6], ms=9 if k == 0 else 6,
                              label=a.loc[a["award_id"] == award, "award"].iloc[-1]))
    proposed = set(zip(chosen["period"], chosen["org_id"]))
    member = h.units[[(p, o) not in proposed for p, o in zip(h.units["period"], h.units["org_id"])]]
    member = member.assign(_x=member["period"].map(pos), _y=member["org_id"].map(row))
    ax.scatter(member["_x"], member["_y"], marker="o", s=6, color="0.8", zorder=2)
    ax.set_yticks(range(len(orgs)), [labels[o] for o in orgs])
    ax.set_ylim(len(orgs) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", color="0.93", lw=0.6)
    handles.append(Line2D([], [], ls="", marker="o", color="0.8", ms=3, label="thành viên, không được đề nghị"))
    handles += [Line2D([], [], ls="", marker="o", color="0.3", ms=6, label="đặc: được tặng"),
                Line2D([], [], ls="", marker="o", markerfacecolor="white", markeredgecolor="0.3", ms=6, label="rỗng: không được tặng"),
                Line2D([], [], ls="", marker="o", color="0.3", alpha=0.3, ms=6, label="nhạt: chờ quyết định")]
    ax.legend(handles=handles, fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=min(len(handles), 4))
    ax.set_title("Đơn vị được đề nghị khen thưởng và quyết định của tỉnh qua các kỳ")
    fig.tight_layout()
    return fig
