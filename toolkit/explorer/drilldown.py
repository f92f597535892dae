"""One unit of one period, in detail: what the explorer's "Đơn vị" tab shows.

Criterion by criterion (entered values, self / verified / final points, evidence notes),
targets with the numbers behind each verdict, every award with its reasons and the awards the
province granted it (with their decisions, its predecessors' included), bonus and penalty
events, and the unit's history across periods following renames and mergers (a table and a
matplotlib chart). Plain DataFrames with Vietnamese headers, like :mod:`toolkit.reports.result_tables`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from toolkit.reports.result_tables import NA, NO, YES
from toolkit.explorer.analyses import Analyses, Key, period_order
from toolkit.engine.evaluate import PeriodResult
from toolkit.errors import ThiduaError
from toolkit.model.periods import Period
from toolkit.model.period_data import PeriodData
from toolkit.model.text import fmt_date, fmt_number, fmt_percent
from toolkit.model.registry import ROLES, Registry
from toolkit.model.decisions import Decisions
from toolkit.engine import granted_awards

# --------------------------------------------------------------------------- tables for one unit

def _how_scored(row) -> str:
    if row["kind"] == "graded":
        return f"chấm điểm 0–{fmt_number(row['max'])}"
    if row["kind"] == "pass_fail":
        return "đạt (1) / không đạt (0)"
    if row["kind"] == "count":
        return f"{fmt_number(row['points_per_event'])} điểm/lần, tối đa {fmt_number(row['max'])}"
    if row["kind"] == "deduction":
        return f"trừ {fmt_number(row['points_per_violation'])} điểm/lần vi phạm từ {fmt_number(row['max'])}, thấp nhất 0"
    unit = f" {row['target_unit']}" if row.get("target_unit") else ""
    better = "thấp hơn là tốt" if row["lower_is_better"] else "cao hơn là tốt"
    return f"chỉ tiêu {fmt_number(row['target'])}{unit} ({better})"


def unit_summary(res: PeriodResult, unit: str) -> pd.DataFrame:
    u = res.units[res.units["unit_id"] == unit]
    if u.empty:
        return pd.DataFrame(columns=["Mục", "Giá trị"])
    r = u.iloc[0]
    ranked = int(res.units["rank"].notna().sum())
    rows = [("Đơn vị", r["name"]), ("Vai trò trong khối", ROLES.get(r["role"], r["role"]))]
    if not r["submitted"]:
        rows.append(("Tình trạng", "Chưa nộp bảng tự chấm điểm: không xếp hạng, không xét khen thưởng"))
    else:
        rows += [
            ("Hạng", f"{int(r['rank'])}/{ranked}" + (f" ({r['decided_by']})" if r["decided_by"] else "")),
            ("Tổng điểm", fmt_number(r["total"])),
            ("Điểm các tiêu chí (sau thẩm định)", fmt_number(r["criteria_total"])),
            ("Điểm tự chấm các tiêu chí", fmt_number(r["self_criteria"])),
            ("Điểm thưởng / điểm trừ", f"{fmt_number(r['bonus'])} / {fmt_number(r['penalty'])}"),
            ("Xếp loại", r["band"] if isinstance(r["band"], str) and r["band"] else "—"),
            ("Tiêu chí thấp nhất so với điểm chuẩn", fmt_percent(r["min_share"])),
            ("Thẩm định", "Đã thẩm định đủ" if bool(r["fully_verified"]) else "Chưa thẩm định đủ: dùng điểm tự chấm cho ô trống"),
        ]
        if pd.notna(r.get("vote_share")):
            rows.append(("Bỏ phiếu bình xét", f"{int(r['approve'])}/{int(r['voters'])} = {fmt_percent(r['vote_share'])}"))
        if r["tied_with"]:
            rows.append(("Bằng tổng điểm với", r["tied_with"]))
    return pd.DataFrame(rows, columns=["Mục", "Giá trị"])


def unit_criteria(res: PeriodResult, unit: str) -> pd.DataFrame:
    """Criterion by criterion: entered values, self / verified / final points, evidence notes."""
    s = res.scores[res.scores["unit_id"] == unit].sort_values("order", kind="stable")
    return pd.DataFrame({
        "Nội dung": s["content_id"].to_numpy(),
        "Tiêu chí": (s["criterion_id"] + ". " + s["criterion_title"]).to_numpy(),
        "Cách chấm": [_how_scored(r) for _, r in s.iterrows()],
        "Điểm chuẩn": s["max"].to_numpy(dtype=float),
        "Giá trị tự chấm": s["self_value"].to_numpy(dtype=float),
        "Giá trị thẩm định": s["verified_value"].to_numpy(dtype=float),
        "Điểm tự chấm": s["self_score"].to_numpy(dtype=float),
        "Điểm thẩm định": s["verified_score"].to_numpy(dtype=float),
        "Điểm tính": s["final_score"].to_numpy(dtype=float),
        "Nguồn điểm": np.where(s["verified"].to_numpy(dtype=bool), "thẩm định", "tự chấm (chưa thẩm định)"),
        "Ghi chú, minh chứng": s["note"].fillna("").astype(str).to_numpy(),
    })


def unit_targets(res: PeriodResult, unit: str) -> pd.DataFrame:
    """Every target with the numbers behind the verdict, and the excellent-share cap."""
    cols = ["Chỉ tiêu", "Yêu cầu", "Tử số", "Mẫu số", "Kết quả", "Đánh giá"]
    t = res.targets[res.targets["unit_id"] == unit] if len(res.targets) else res.targets
    order = {t_id: i for i, t_id in enumerate(res.covenant.target_ids())}
    rows = []
    if len(t):
        t = t.assign(_o=t["target_id"].map(order)).sort_values("_o", kind="stable")
        for _, r in t.iterrows():
            verdict = NA if pd.isna(r["met"]) else (YES if bool(r["met"]) else NO)
            rows.append([r["title"], r["required"], r["numerator"], r["denominator"], r["detail"], verdict])
    c = res.cap[res.cap["unit_id"] == unit] if len(res.cap) else res.cap
    if len(c):
        r = c.iloc[0]
        verdict = NA if pd.isna(r["within_cap"]) else (YES if bool(r["within_cap"]) else "Vượt trần")
        note = "" if bool(r["confirmed"]) else " (căn cứ chưa đối chiếu văn bản gốc)"
        rows.append(["Trần tỷ lệ hoàn thành xuất sắc" + note, "không vượt trần", r["excellent"], r["base"], r["arithmetic"], verdict])
    out = pd.DataFrame(rows, columns=cols)
    for c_ in ("Tử số", "Mẫu số"):
        out[c_] = pd.to_numeric(out[c_], errors="coerce")
    return out


def unit_awards(res: PeriodResult, unit: str) -> pd.DataFrame:
    """Every award of the covenant: eligible or not and why, nominated or not."""
    cols = ["Danh hiệu", "Đủ điều kiện", "Đề nghị", "Kết quả xét", "Lý do không đủ điều kiện"]
    e = res.eligibility[res.eligibility["unit_id"] == unit] if len(res.eligibility) else res.eligibility
    rows = []
    for a in res.covenant.awards:
        sel = e[e["award_id"] == a.id] if len(e) else e
        if not len(sel):
            rows.append([a.title, NA, "Không", f"không xét trong kỳ {res.period} (chỉ xét kỳ: {', '.join(a.periods)})", ""])
            continue
        r = sel.iloc[0]
        rows.append([a.title, "Có" if bool(r["eligible"]) else "Không", "Có" if bool(r["nominated"]) else "Không",
                     r["status"], r["reasons"]])
    return pd.DataFrame(rows, columns=cols)


def unit_granted(res: PeriodResult, unit: str, decisions: Decisions | None, registry: Registry | None) -> pd.DataFrame:
    """The unit's awards granted by the province up to this period, with their decisions, its predecessors' included.

    A proposal of this period not granted, or still without a decision ("chờ quyết định"), is listed too.
    Without a data folder (periods given as frames) there are no decisions: the table is empty.
    """
    cols = ["Kỳ", "Danh hiệu", "Kết quả", "Quyết định", "Ngày", "Cơ quan ban hành", "Ghi chú"]
    if decisions is None or registry is None:
        return pd.DataFrame(columns=cols)
    titles = {a.id: a.title for a in res.covenant.awards}
    names = dict(zip(registry.units["unit_id"], registry.units["name"]))
    lines = granted_awards.lines_as_of_year(decisions.lines, registry)
    hist = granted_awards.unit_history(lines, registry, unit, res.period.year)
    events = {"rename": "trước khi đổi tên", "merge": "trước khi hợp nhất"}
    rows = [[r.period, titles.get(r.award_id, r.award_id), granted_awards.GRANTED, r.number, fmt_date(r.date), r.body,
             f"{names.get(r.via, r.via)} ({events.get(r.event, 'đơn vị tiền thân')})" if r.via else ""]
            for r in hist.itertuples(index=False)]
    e = res.eligibility[res.eligibility["unit_id"] == unit] if len(res.eligibility) else res.eligibility
    if len(e):
        mine = pd.DataFrame({"period": str(res.period), "award_id": e["award_id"].astype(str), "unit_id": unit,
                             "nominated": e["nominated"].astype(bool)})
        out = granted_awards.outcomes(mine, lines, decisions.decided)
        rows += [[str(res.period), titles.get(r.award_id, r.award_id), r.status, r.decision, "", "", "khối đã đề nghị"]
                 for r in out.itertuples(index=False) if r.status and r.status != granted_awards.GRANTED]
    return pd.DataFrame(rows, columns=cols)


def unit_events(data: PeriodData | None, res: PeriodResult, unit: str) -> pd.DataFrame:
    cols = ["Sự kiện", "Số lần", "Điểm mỗi lần", "Lý do"]
    if data is None or not len(data.events):
        return pd.DataFrame(columns=cols)
    ev = data.events[data.events["unit_id"] == unit]
    rows = []
    for _, r in ev.iterrows():
        spec = res.covenant.event(r["event_id"])
        rows.append([spec.title if spec else r["event_id"], float(r["count"]), spec.points if spec else np.nan,
                     "" if pd.isna(r["reason"]) else str(r["reason"])])
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- history


def unit_history(analyses: Analyses, bloc: str, period: str, unit: str, cached_only: bool = False) -> tuple[pd.DataFrame, list[Key]]:
    """The unit, its predecessors and successors in every period; ``missing`` lists periods not analysed
    (not yet, with ``cached_only``, or because their data has errors)."""
    year = Period.parse(period).year
    rows, missing = [], []
    for b, p, ids in analyses.history_keys(bloc, period, unit):
        key = (b, p)
        if cached_only and not analyses.is_cached(key):
            missing.append(key)
            continue
        try:
            ranked, units = analyses.get(b, p).history_rows
        except ThiduaError:
            missing.append(key)
            continue
        py = Period.parse(p).year
        for uid in ids:
            r = units.get(uid)
            if r is None:
                continue
            relation = "" if uid == unit else ("đơn vị tiền thân" if py <= year else "đơn vị kế thừa")
            rows.append({"period": p, "bloc_id": b, "unit_id": uid, "name": r["name"], "short_name": r["short_name"],
                         "rank": r["rank"], "ranked": ranked, "total": r["total"], "band": r["band"] if r["submitted"] else "",
                         "submitted": bool(r["submitted"]), "relation": relation, "_o": period_order(p)})
    hist = pd.DataFrame(rows, columns=["period", "bloc_id", "unit_id", "name", "short_name", "rank", "ranked", "total", "band",
                                       "submitted", "relation", "_o"])
    hist = hist.sort_values(["_o", "unit_id"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return hist, missing


def history_table(hist: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    names = names or {}
    return pd.DataFrame({
        "Kỳ": hist["period"].to_numpy(),
        "Khối": [names.get(b, b) for b in hist["bloc_id"]],
        "Đơn vị": hist["name"].to_numpy(),
        "Quan hệ": hist["relation"].to_numpy(),
        "Hạng": [f"{int(r)}/{n}" if pd.notna(r) else "—" for r, n in zip(hist["rank"], hist["ranked"])],
        "Tổng điểm": hist["total"].to_numpy(dtype=float),
        "Xếp loại": [b if s else "Chưa nộp bảng tự chấm" for b, s in zip(hist["band"], hist["submitted"])],
    })


_MARKERS = {"year": "o", "half": "s", "quarter": "^"}
_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f"]


def history_chart(hist: pd.DataFrame, title: str) -> Figure:
    """Total (top) and rank (bottom, 1 at the top) per period, one line per unit of the lineage;
    markers tell year (circle) from half-year (square) and quarter (triangle) periods."""
    fig = Figure(figsize=(8.0, 3.8), dpi=72)
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.17, hspace=0.08)
    periods = sorted(hist["period"].unique(), key=period_order) if len(hist) else []
    pos = {p: i for i, p in enumerate(periods)}
    kinds = {p: Period.parse(p).kind for p in periods}
    done = hist[hist["submitted"]]
    lineage = pd.unique(done["unit_id"])
    for i, uid in enumerate(lineage):
        g = done[done["unit_id"] == uid]
        color = _COLORS[i % len(_COLORS)]
        x = g["period"].map(pos).to_numpy()
        y1 = g["total"].to_numpy(dtype=float)
        y2 = g["rank"].astype(float).to_numpy()
        ax1.plot(x, y1, color=color, lw=1.2, label=str(g["short_name"].iloc[-1] or g["name"].iloc[-1]))
        ax2.plot(x, y2, color=color, lw=1.2)
        k = g["period"].map(kinds).to_numpy()
        for kind, mk in _MARKERS.items():
            sel = k == kind
            if sel.any():
                ax1.plot(x[sel], y1[sel], ls="none", marker=mk, ms=5, color=color)
                ax2.plot(x[sel], y2[sel], ls="none", marker=mk, ms=5, color=color)
    if not len(done):
        ax1.text(0.5, 0.5, "Chưa có kết quả", ha="center", va="center", transform=ax1.transAxes)
    ax1.set_ylabel("Tổng điểm")
    ax2.set_ylabel("Hạng")
    ax2.set_ylim(float(hist["ranked"].max()) + 0.5 if len(hist) else 1.5, 0.5)  # rank 1 at the top
    ax1.yaxis.set_major_locator(MaxNLocator(4))
    ax2.yaxis.set_major_locator(MaxNLocator(3, integer=True))
    ax2.set_xticks(range(len(periods)), periods, rotation=45, ha="right", fontsize=8)
    ax1.grid(axis="y", color="#ddd", lw=0.6)
    for ax in (ax1, ax2):
        ax.spines[["top", "right"]].set_visible(False)
    if len(lineage) > 1:  # several units (a merger): say which line is which
        ax1.legend(fontsize=8, frameon=False, loc="lower left")
    ax1.set_title(title + "  (○ năm, □ 6 tháng)", fontsize=10)
    return fig
