"""What the trends report shows: a bloc over the years, as tables with Vietnamese headers and sentences.

Every function takes a :class:`~toolkit.reports.bloc_history.History` (``load_history``). Wide tables
(units × periods) are for reading; :func:`all_tables` files the same figures in long form (one row
per period and unit, content, target...) in ``results.xlsx`` and ``results/*.csv`` (docs/results.md).
A period of the range without data keeps its column, headed "(không có dữ liệu)", with empty
cells: nothing is interpolated.

Why this module is longer than 400 lines: each section of the trends report is one small
function over the same history frame, and they share its column conventions; split by section they
would import each other's helpers back and forth.

Still so after the year-end documents were added: every table and sentence of the trends report over one History, with
:func:`all_tables` filing the same figures; the rules it counts live in ``engine/unit_lines``, the charts in
``trend_charts``, criteria with parts in ``criterion_parts``, units from other blocs in ``province_lineage``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.engine import granted_awards
from toolkit.engine import unit_lines as rules
from toolkit.model.registry import ROLES
from toolkit.model.rounding import ROUNDING_VI, round_half_up
from toolkit.model.text import fmt_number, fmt_percent, sort_key
from toolkit.reports.display import SYNTHETIC
from toolkit.reports.bloc_history import History
from toolkit.reports.filed_tables import Table
from toolkit.reports.result_tables import plain

NA = "—"
NOT_MEMBER = ""  # a unit that was not a member that period
NO_DATA = "(không có dữ liệu)"
PREDECESSOR = "↳ "  # a predecessor's row, under the line it continues into


def _period_of(h: History, label: str) -> str:
    return next(p.label_vi for p in h.periods if str(p) == label)


def _header(h: History, label: str) -> str:
    return f"{label} {NO_DATA}" if label in h.missing else label


def _span(h: History) -> str:
    return f"từ {_period_of(h, h.labels[0])} đến {_period_of(h, h.labels[-1])}" if len(h.labels) > 1 else _period_of(h, h.labels[0])


# --------------------------------------------------------------------------- heading, summary, notes


def title_block(h: History, data_dir: str = "") -> str:
    """Title, bloc, periods covered, periods without data, lineage, synthetic data (Markdown)."""
    lines = [f"# Diễn biến kết quả thi đua {_span(h)}", f"**{plain(h.bloc_name)}**", "",
             f"- Các kỳ so sánh: {len(h.labels)} kỳ cùng loại, mỗi năm một kỳ; {len(h.with_data)} kỳ có số liệu."]
    if h.missing:
        lines.append("- **Không có số liệu**: " + "; ".join(f"{_period_of(h, p)}: {plain(why)}" for p, why in h.missing.items())
                     + ". Các kỳ này để trống trong mọi bảng và biểu đồ, không ước tính.")
    for text in lineage_sentences(h):
        lines.append(f"- {plain(text)}")
    lines.append(f"- Nguồn dữ liệu: `{Path(data_dir).name if data_dir else 'data'}/periods/{h.bloc}/`")
    if h.synthetic:
        lines.append(SYNTHETIC)
    return "\n".join(lines)


def lineage_sentences(h: History) -> list[str]:
    """One sentence per unit whose line was renamed, merged or split in the range ("Sở ... hình thành năm 2025 do hợp nhất ...")."""
    u = h.units
    if u.empty or h.lineage.empty:
        return []
    notes = u[u["lineage"] != ""].drop_duplicates("unit_id")
    successors = set(h.lineage["to_unit"]) | set(h.lineage.loc[h.lineage["event"] == "split", "from_unit"])
    return [f"{r.name}: {r.lineage}." for r in notes.itertuples(index=False) if r.unit_id in successors]


def summary(h: History) -> str:
    """A few sentences on the range, built from the figures (Markdown)."""
    if not h.with_data:
        return "- Không kỳ nào trong khoảng có số liệu."
    u = h.units
    names = _org_names(h)
    lines = []
    runs = rules.lead_runs(u, h.labels)
    if len(runs):
        best = runs.iloc[0]
        lines.append(f"{len(runs)} đơn vị khác nhau dẫn đầu khối trong {len(h.with_data)} kỳ; dẫn đầu nhiều nhất là "
                     f"**{plain(names[best['org_id']])}**: {best['times']} kỳ ({best['periods']}).")
        if runs["longest"].max() > 1:
            r = runs.sort_values("longest", ascending=False, kind="stable").iloc[0]
            lines.append(f"Dẫn đầu liên tiếp lâu nhất: {plain(names[r['org_id']])}, {r['longest']} kỳ liền.")
        else:
            lines.append("Không đơn vị nào dẫn đầu hai kỳ liền.")
    over = rules.over_claims(u, _decimals(h))
    persistent = over[(over["higher"] >= ((over["periods"] + 1) // 2).clip(lower=2)) & (over["mean_gap"] > 0)]
    if len(persistent):
        top = persistent.iloc[0]
        lines.append(f"{len(persistent)} đơn vị tự chấm cao hơn kết quả thẩm định ở ít nhất một nửa số kỳ; nhiều nhất là "
                     f"{plain(names[top['org_id']])}: trung bình +{fmt_number(top['mean_gap'])} điểm mỗi kỳ, cao hơn ở "
                     f"{top['higher']}/{top['periods']} kỳ.")
    shares = rules.content_shares(h.contents)
    if len(shares):
        mean = shares.groupby("content_id")["mean_share"].mean().sort_values(kind="stable")
        titles = _content_titles(h)
        weakest = mean.index[0]
        lines.append(f"Nội dung cả khối mất nhiều điểm nhất: {plain(weakest)}. {plain(titles.get(weakest, ''))} "
                     f"(trung bình đạt {fmt_percent(mean.iloc[0])} điểm chuẩn qua các kỳ).")
    t = rules.target_shares(h.targets)
    judged = t[t["judged"] > 0]
    if len(judged) and judged["period"].nunique() > 1:
        per = judged.groupby("period", sort=False)[["met", "judged"]].sum()
        first, last = per.index[0], per.index[-1]
        a, b = per.loc[first, "met"] / per.loc[first, "judged"], per.loc[last, "met"] / per.loc[last, "judged"]
        trend = "cao hơn" if b > a + 1e-9 else "thấp hơn" if b < a - 1e-9 else "bằng"
        lines.append(f"Chỉ tiêu: {fmt_percent(b)} lượt đạt ở kỳ {last}, {trend} kỳ {first} ({fmt_percent(a)}).")
    for award_id, g in h.awards.groupby("award_id", sort=False):
        chosen = g[g["nominated"]]
        if chosen.empty:
            continue
        distinct = chosen["org_id"].nunique()
        r = granted_awards.rates(g, ["award_id"]).iloc[0]
        outcome = f"được tặng {r['granted']}/{r['granted'] + r['not_granted']} đề nghị đã có quyết định" + (
            f", {r['pending']} chờ quyết định" if r["pending"] else "")
        streaks = rules.award_streaks(g, list(h.orgs["org_id"]), h.labels, flag="granted")
        longest = streaks["longest"].max()
        rotation = "không đơn vị nào được tặng hai kỳ liền" if longest <= 1 else \
            f"được tặng liên tiếp dài nhất {longest} kỳ ({plain(names[streaks.sort_values('longest', ascending=False, kind='stable').iloc[0]['org_id']])})"
        lines.append(f"{plain(g['award'].iloc[-1])}: {distinct} đơn vị khác nhau được đề nghị trong {chosen['period'].nunique()} kỳ, "
                     f"{outcome}; {rotation}.")
    never = rules.never_nominated(h.awards, list(h.orgs["org_id"]), flag="granted") if _decided(h) else []
    if never:
        lines.append(f"Chưa từng được tặng danh hiệu nào (theo quyết định khen thưởng): {', '.join(plain(names[x]) for x in never)}.")
    changed = sorted({c.year for c in h.changes()})
    if changed:
        scoring = sorted({c.year for c in h.changes() if c.affects_scores})
        lines.append("Giao ước thay đổi quy tắc vào năm " + ", ".join(map(str, changed))
                     + (f"; cách tính điểm đổi vào năm {', '.join(map(str, scoring))}" if scoring else "; cách tính điểm không đổi")
                     + ": xem mục Thay đổi giao ước trước khi so sánh qua các năm đó.")
    return "\n".join(f"- {x}" for x in lines)


def notes(h: History) -> str:
    """Where each period's figures come from, and the periods without data (Markdown)."""
    items = []
    filed = [p for p, how in h.read_from.items() if how != "tính từ dữ liệu"]
    computed = [p for p, how in h.read_from.items() if how == "tính từ dữ liệu"]
    if computed:
        items.append(f"Tính từ dữ liệu theo giao ước của từng năm: {', '.join(computed)}.")
    if filed:
        items.append(f"Đọc từ bảng kết quả của báo cáo kỳ đã lập (cùng dữ liệu, cùng mã nguồn): {', '.join(filed)}.")
    items += [f"Kỳ {p}: {plain(why)}." for p, why in h.missing.items()]
    items.append("Mỗi năm được chấm theo giao ước của chính năm đó; tổng điểm được so sánh theo tỷ lệ điểm chuẩn tối đa "
                 "khi điểm chuẩn các năm khác nhau.")
    return "\n".join(f"- {x}" for x in items)


# --------------------------------------------------------------------------- ranks and totals


def _decimals(h: History) -> int:
    return max((c.decimals for c in h.covenants.values()), default=2)


def _line_names(h: History) -> dict[str, str]:
    lines = h.lines
    return dict(zip(lines["line_id"], lines["line_name"]))


def _org_names(h: History) -> dict[str, str]:
    orgs = h.orgs
    return dict(zip(orgs["org_id"], orgs["org_name"]))


def _content_titles(h: History) -> dict[str, str]:
    titles: dict[str, str] = {}
    for year in sorted(h.covenants):
        titles.update({c.id: c.title for c in h.covenants[year].contents})
    return titles


def _unit_rows(h: History) -> pd.DataFrame:
    """Every unit of the range, in report order: each line, then the predecessors that continue into it."""
    u = h.units
    lines = h.lines
    order = {line: i for i, line in enumerate(lines["line_id"])}
    first = {p: i for i, p in enumerate(h.labels)}
    rows = u.assign(_l=u["line_id"].map(order), _own=(u["unit_id"] != u["line_id"]).astype(int),
                    _f=u["period"].map(first), _k=u["name"].map(sort_key))
    rows = rows.sort_values(["_l", "_own", "_k", "_f"], kind="stable").drop_duplicates("unit_id")
    return rows[["unit_id", "name", "line_id", "lineage"]].reset_index(drop=True)


def _wide(h: History, value: pd.Series, blank_not_submitted=NA) -> pd.DataFrame:
    """Units × periods of ``value`` (aligned with ``h.units``); a member that did not submit shows ``blank_not_submitted``."""
    u = h.units
    rows = _unit_rows(h)
    cell = value.astype(object).where(u["submitted"], blank_not_submitted)
    grid = pd.DataFrame({"unit_id": u["unit_id"], "period": u["period"], "v": cell}).pivot(index="unit_id", columns="period", values="v")
    grid = grid.reindex(index=rows["unit_id"], columns=h.labels)
    out = pd.DataFrame({"Đơn vị": [(PREDECESSOR if r.unit_id != r.line_id else "") + r.name for r in rows.itertuples()]})
    for label in h.labels:
        out[_header(h, label)] = [NOT_MEMBER if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in grid[label]]
    out["Ghi chú"] = rows["lineage"].to_numpy()
    return out


def ranks(h: History) -> pd.DataFrame:
    """Rank of every unit in every period; predecessors of a renamed or merged unit under it ("↳")."""
    if h.units.empty:
        return pd.DataFrame(columns=["Đơn vị", "Ghi chú"])
    return _wide(h, h.units["rank"].map(lambda r: NA if pd.isna(r) else int(r)))


def same_maximum(h: History) -> bool:
    """True when every year of the range has the same nominal total (totals can be compared as points)."""
    return len({c.total for c in h.covenants.values()}) <= 1


def totals(h: History) -> pd.DataFrame:
    """Total of every unit in every period: points, or the share of the year's maximum when maxima differ."""
    if h.units.empty:
        return pd.DataFrame(columns=["Đơn vị", "Ghi chú"])
    value = h.units["total"] if same_maximum(h) else h.units["total_share"]
    out = _wide(h, value)
    return out


def total_formats(h: History) -> dict:
    """How :func:`totals` cells are written: points, or percentages when the maxima differ."""
    from toolkit.reports.result_tables import percent

    if same_maximum(h):
        return {}
    return {c: percent for c in totals(h).columns if c not in ("Đơn vị", "Ghi chú")}


def leaders(h: History) -> pd.DataFrame:
    """Per period: who led the bloc, with what total, and which unit chaired it (trưởng khối)."""
    lead = rules.leaders(h.units, h.labels)
    out = pd.DataFrame({
        "Kỳ": lead["period"],
        "Dẫn đầu": lead["name"].fillna(""),
        "Tổng điểm": lead["total"],
        "Điểm tối đa": lead["max_total"],
        "Trưởng khối": lead["chair"].fillna(""),
    })
    out["Ghi chú"] = [h.missing.get(p, "") for p in lead["period"]]
    return _without_empty_notes(out)


def _without_empty_notes(df: pd.DataFrame) -> pd.DataFrame:
    """Drop the "Ghi chú" column when no row has a note (only periods without data have one)."""
    return df.drop(columns="Ghi chú") if "Ghi chú" in df.columns and not df["Ghi chú"].astype(bool).any() else df


def lead_runs(h: History) -> pd.DataFrame:
    """Per unit that led the bloc at least once: how often, the longest run of consecutive periods, which periods."""
    names = _org_names(h)
    r = rules.lead_runs(h.units, h.labels)
    return pd.DataFrame({"Đơn vị": r["org_id"].map(names), "Số kỳ dẫn đầu": r["times"], "Liên tiếp dài nhất": r["longest"],
                         "Các kỳ dẫn đầu": r["periods"]})


# --------------------------------------------------------------------------- self vs verified


def over_claims(h: History) -> pd.DataFrame:
    """Per unit: periods submitted, periods its self score was higher than verified, mean and largest gap."""
    names = _org_names(h)
    o = rules.over_claims(h.units, _decimals(h))
    return pd.DataFrame({"Đơn vị": o["org_id"].map(names), "Số kỳ đã nộp": o["periods"], "Số kỳ tự chấm cao hơn": o["higher"],
                         "Chênh lệch trung bình": o["mean_gap"], "Chênh lệch lớn nhất": o["max_gap"],
                         "Kỳ chênh lệch lớn nhất": o["max_gap_period"].where(o["max_gap"] > 0, "")})


def gaps(h: History) -> pd.DataFrame:
    """Self minus verified criteria total of every unit in every period (the figure behind :func:`over_claims`)."""
    if h.units.empty:
        return pd.DataFrame(columns=["Đơn vị", "Ghi chú"])
    return _wide(h, h.units["self_gap"])


# --------------------------------------------------------------------------- contents, targets, cap


def _part_rows(h: History) -> dict[str, list[tuple[str, str]]]:
    """Content id -> (criterion id, label) of its criteria with parts and of their parts, over every year of the range."""
    rows: dict[str, dict[str, str]] = {}
    for year in sorted(h.covenants):
        for content, k in h.covenants[year].top_criteria:
            if k.parts:
                mine = rows.setdefault(content.id, {})
                mine[k.id] = f"   {k.id}. {k.title}"
                mine.update({p.id: f"      – {p.id}. {p.title}" for p in k.parts})
    return {c: list(items.items()) for c, items in rows.items()}


def contents(h: History) -> pd.DataFrame:
    """Per content: the bloc's average share of the content's maximum in each period, and over the range.

    A criterion with parts is listed under its content, and its parts under it, with their own shares.
    """
    s = rules.content_shares(h.contents)
    titles = _content_titles(h)
    parts = _part_rows(h)
    if parts:  # parents and parts are keyed apart from contents, by their criterion id
        s = pd.concat([s, rules.content_shares(h.parts.rename(columns={"criterion_id": "content_id"}))
                       .assign(content_id=lambda f: "k:" + f["content_id"])], ignore_index=True)
    ids, labels = [], []
    for c in titles:
        ids.append(c)
        labels.append(f"{c}. {titles[c]}")
        for k, label in parts.get(c, []):
            ids.append(f"k:{k}")
            labels.append(label)
    out = pd.DataFrame({"Nội dung": labels})
    grid = s.pivot(index="content_id", columns="period", values="mean_share").reindex(index=ids, columns=h.labels) \
        if len(s) else pd.DataFrame(index=ids, columns=h.labels, dtype=float)
    for label in h.labels:
        out[_header(h, label)] = grid[label].astype(float).to_numpy()
    out["Trung bình các kỳ"] = grid.astype(float).mean(axis=1, skipna=True).round(4).to_numpy()
    return out


def targets(h: History) -> pd.DataFrame:
    """Per target: units meeting it out of those judged, in each period ("8/10")."""
    t = rules.target_shares(h.targets)
    if t.empty:
        return pd.DataFrame(columns=["Chỉ tiêu"])
    order = list(dict.fromkeys(t.sort_values("period", ascending=False, kind="stable")["target_id"]))
    title = t.drop_duplicates("target_id", keep="last").set_index("target_id")["title"]
    out = pd.DataFrame({"Chỉ tiêu": [title[x] for x in order]})
    cells = t.assign(cell=[f"{m}/{j}" if j else NA for m, j in zip(t["met"], t["judged"])])
    grid = cells.pivot(index="target_id", columns="period", values="cell").reindex(index=order, columns=h.labels)
    for label in h.labels:
        out[_header(h, label)] = grid[label].fillna("").to_numpy()
    return out


def target_shares(h: History) -> pd.DataFrame:
    """:func:`targets` as shares (for the chart and the filed table)."""
    return rules.target_shares(h.targets)


def cap(h: History) -> pd.DataFrame:
    """Per period: the cap on staff rated excellent (from the covenant) and how many units were over it."""
    s = rules.cap_summary(h.cap).set_index("period") if len(h.cap) else pd.DataFrame()
    rows = []
    for p in h.periods:
        if not p.is_annual:
            continue  # staff ratings are yearly figures: a half or a quarter has no cap to check
        label = str(p)
        c = h.covenants.get(p.year)
        rule = c.targets.excellent_cap if c else None
        have = label in s.index
        rows.append({
            "Kỳ": label,
            "Trần": fmt_percent(rule.ratio, 0) if rule else ("" if c is None else "không đặt trần"),
            "Cách làm tròn": ROUNDING_VI[rule.rounding] if rule else "",
            "Đã đối chiếu văn bản gốc": ("Có" if rule.confirmed else "Không") if rule else "",
            "Số đơn vị vượt trần": int(s.loc[label, "over"]) if have else np.nan,
            "Số đơn vị có số liệu": int(s.loc[label, "judged"]) if have else np.nan,
            "Tỷ lệ HTXSNV toàn khối": float(s.loc[label, "share"]) if have else np.nan,
            "Ghi chú": h.missing.get(label, "" if rule or c is None else "giao ước không đặt trần"),
        })
    columns = ["Kỳ", "Trần", "Cách làm tròn", "Đã đối chiếu văn bản gốc", "Số đơn vị vượt trần", "Số đơn vị có số liệu",
               "Tỷ lệ HTXSNV toàn khối", "Ghi chú"]
    return pd.DataFrame(rows, columns=columns).astype({"Số đơn vị vượt trần": "Int64", "Số đơn vị có số liệu": "Int64",
                                                       "Tỷ lệ HTXSNV toàn khối": float})


def cap_shown(h: History) -> pd.DataFrame:
    """:func:`cap` as the report shows it (without an empty "Ghi chú" column)."""
    return _without_empty_notes(cap(h))


# --------------------------------------------------------------------------- awards


def awards(h: History) -> pd.DataFrame:
    """Per period: the units proposed for each award of the covenant ("; "-joined), each with what the province decided."""
    a = h.awards
    if a.empty:
        return pd.DataFrame(columns=["Kỳ"])  # no award is considered for this kind of period: the report says so
    titles = list(dict.fromkeys(a.sort_values("period", ascending=False, kind="stable")["award"]))
    out = pd.DataFrame({"Kỳ": h.labels})
    for title in titles:
        chosen = a[(a["award"] == title) & a["nominated"]]
        considered = set(a.loc[a["award"] == title, "period"])
        chosen = a[(a["award"] == title) & (a["nominated"] | a["granted"].eq(True).fillna(False))]
        names = dict(zip(h.units["unit_id"], h.units["name"]))
        cells = chosen.assign(_r=chosen["rank"].astype(float), _t=[f"{names[u]} ({_outcome(s, d)})" for u, s, d in
                                                                   zip(chosen["unit_id"], chosen["status"], chosen["decision"])])
        joined = cells.sort_values(["period", "_r"], kind="stable").groupby("period")["_t"].agg(list)
        out[title] = ["; ".join(joined[p]) if p in joined.index
                      else ("không đề nghị đơn vị nào" if p in considered else "") for p in h.labels]
    out["Ghi chú"] = [h.missing.get(p, "") for p in h.labels]
    return _without_empty_notes(out)


def streaks(h: History) -> pd.DataFrame:
    """Per award and unit ever granted it (by a decision): how often, the longest run of consecutive periods, which periods."""
    names = _org_names(h)
    s = rules.award_streaks(h.awards, list(h.orgs["org_id"]), h.labels, flag="granted")
    s = s[s["times"] > 0].sort_values(["award_id", "times", "longest"], ascending=[True, False, False], kind="stable")
    order = {a: i for i, a in enumerate(dict.fromkeys(h.awards["award_id"]))}
    s = s.assign(_o=s["award_id"].map(order)).sort_values(["_o", "times", "longest"], ascending=[True, False, False], kind="stable")
    return pd.DataFrame({"Danh hiệu": s["award"].to_numpy(), "Đơn vị": s["org_id"].map(names).to_numpy(),
                         "Số kỳ được tặng": s["times"].to_numpy(), "Liên tiếp dài nhất": s["longest"].to_numpy(),
                         "Các kỳ": s["periods"].to_numpy()})


def no_streaks(h: History) -> str:
    """What the streaks table says when empty: nobody granted, no decision yet, or nothing when no award was considered."""
    if h.awards.empty:
        return ""
    return "Chưa đơn vị nào được tặng danh hiệu trong các kỳ này." if _decided(h) else NO_DECISION


NO_DECISION = "Chưa có quyết định khen thưởng nào cho các kỳ này: các đề nghị đều đang chờ quyết định."


def _decided(h: History) -> bool:
    """Whether any proposal of the range has been decided (granted or not) by the province."""
    return bool(h.awards["granted"].notna().any()) if len(h.awards) else False


def never_nominated(h: History) -> str:
    """A sentence naming the units never granted any award in the range (by the province's decisions)."""
    names = _org_names(h)
    if h.awards.empty:
        return ""  # no award considered in the range: the awards table says so
    if not _decided(h):
        return NO_DECISION
    never = rules.never_nominated(h.awards, list(h.orgs["org_id"]), flag="granted")
    pending = sorted(set(h.awards.loc[h.awards["status"] == granted_awards.PENDING, "period"]))
    note = f"; kỳ {', '.join(pending)} chờ quyết định" if pending else ""
    if not never:
        return f"Mọi đơn vị đều được tặng ít nhất một danh hiệu {_span(h)} (theo các quyết định khen thưởng{note})."
    return (f"Chưa từng được tặng danh hiệu nào {_span(h)} (tính theo quyết định khen thưởng, không theo đề nghị{note}): "
            + ", ".join(plain(names[x]) for x in never) + ".")


def _outcome(status: str, decision: str) -> str:
    """A proposal's outcome as a cell says it: "được tặng, QĐ số 215/QĐ-UBND", "không được tặng", "chờ quyết định"."""
    granted = status in (granted_awards.GRANTED, granted_awards.GRANTED_UNPROPOSED)
    return f"{status}, QĐ số {decision}" if granted and decision else status


def granted(h: History) -> pd.DataFrame:
    """Per unit and period: each award proposed or granted, with the outcome and the decision's number."""
    a = h.awards
    if a.empty or h.units.empty:
        return pd.DataFrame(columns=["Đơn vị", "Ghi chú"])
    shown = a[a["nominated"] | a["granted"].eq(True).fillna(False)]
    text = {(p, u): "; ".join(f"{t}: {_outcome(s, d)}" for t, s, d in zip(g["award"], g["status"], g["decision"]))
            for (p, u), g in shown.groupby(["period", "unit_id"], sort=False)}
    cells = pd.Series([text.get((p, u), "") for p, u in zip(h.units["period"], h.units["unit_id"])], index=h.units.index)
    return _wide(h, cells, blank_not_submitted="")


def decisions(h: History) -> pd.DataFrame:
    """Per period and award: the bloc's proposals, how many the province granted, refused or has yet to decide, and the decisions."""
    a = h.awards
    columns = ["Kỳ", "Danh hiệu", "Số đề nghị", "Được tặng", "Không được tặng", "Chờ quyết định", "Tỷ lệ được tặng", "Quyết định"]
    if a.empty:
        return pd.DataFrame(columns=columns)
    r = granted_awards.rates(a, ["period", "award_id", "award"])
    numbers = a[a["decision"] != ""].groupby(["period", "award_id"])["decision"].agg(lambda s: "; ".join(dict.fromkeys(
        n for x in s for n in x.split("; "))))
    return pd.DataFrame({"Kỳ": r["period"], "Danh hiệu": r["award"], "Số đề nghị": r["proposed"], "Được tặng": r["granted"],
                         "Không được tặng": r["not_granted"], "Chờ quyết định": r["pending"],
                         "Tỷ lệ được tặng": round_half_up(r["rate"], 4),
                         "Quyết định": [numbers.get((p, x), "") for p, x in zip(r["period"], r["award_id"])]}, columns=columns)


# --------------------------------------------------------------------------- covenant changes


def changes(h: History) -> pd.DataFrame:
    """Every rule that changed between consecutive years, and whether it changes how points are counted."""
    rows = [{"Năm": c.year, "Phần": c.part, "Mục": c.name, "Thay đổi": c.change, "Chi tiết": c.detail,
             "Ảnh hưởng cách tính điểm": "Có" if c.affects_scores else "Không"} for c in h.changes()]
    return pd.DataFrame(rows, columns=["Năm", "Phần", "Mục", "Thay đổi", "Chi tiết", "Ảnh hưởng cách tính điểm"])


def changes_note(h: History) -> str:
    """What the covenant comparison covers: years without a covenant cannot be compared (Markdown)."""
    years = [p.year for p in h.periods]
    without = [y for y in years if y not in h.covenants]
    text = f"So sánh giao ước của từng năm với năm liền trước, {_span(h)}."
    if without:
        text += f" Không có giao ước năm {', '.join(map(str, without))}: không so sánh được các năm đó."
    if len(h.covenants) < 2:
        text += " Cần ít nhất hai năm có giao ước để so sánh."
    return text


# --------------------------------------------------------------------------- filed tables (results.xlsx, results/*.csv)


def all_tables(h: History) -> dict[str, Table]:
    """Every filed table of the trends report, in long form (docs/results.md, "Trends report")."""
    u = h.units
    names = dict(zip(u["unit_id"], u["name"]))
    org_names = _org_names(h)
    per_unit = pd.DataFrame({
        "Kỳ": u["period"], "Đơn vị": u["name"], "Dòng đơn vị": u["line_name"], "Ghi chú đơn vị": u["lineage"],
        "Vai trò": u["role"].map(ROLES), "Đã nộp": np.where(u["submitted"], "Có", "Không"),
        "Hạng": u["rank"].map(lambda r: NA if pd.isna(r) else int(r)), "Tổng điểm": u["total"], "Điểm tối đa": u["max_total"],
        "Tỷ lệ tổng điểm": u["total_share"], "Xếp loại": u["band"].fillna(""),
        "Tự chấm": u["self_criteria"], "Thẩm định": u["criteria_total"], "Chênh lệch": u["self_gap"]})
    lead = leaders(h)
    if "Ghi chú" not in lead.columns:  # filed with every column, notes or not
        lead = lead.assign(**{"Ghi chú": ""})
    o = rules.over_claims(u, _decimals(h))
    over = pd.DataFrame({"Đơn vị": o["org_id"].map(org_names), "Số kỳ đã nộp": o["periods"], "Số kỳ tự chấm cao hơn": o["higher"],
                         "Chênh lệch trung bình": o["mean_gap"], "Chênh lệch lớn nhất": o["max_gap"],
                         "Kỳ chênh lệch lớn nhất": o["max_gap_period"]})
    s = rules.content_shares(h.contents)
    titles = _content_titles(h)
    content = pd.DataFrame({"Kỳ": s["period"], "Nội dung": s["content_id"], "Tên nội dung": s["content_id"].map(titles),
                            "Điểm chuẩn": s["max"], "Số đơn vị": s["units"], "Tỷ lệ điểm trung bình": s["mean_share"]})
    t = rules.target_shares(h.targets)
    target = pd.DataFrame({"Kỳ": t["period"], "Chỉ tiêu": t["title"], "Số đơn vị đạt": t["met"].astype(int),
                           "Số đơn vị được đánh giá": t["judged"].astype(int), "Tỷ lệ đạt": t["share"]})
    capped = cap(h)
    cap_t = capped[["Kỳ", "Trần", "Cách làm tròn", "Đã đối chiếu văn bản gốc", "Số đơn vị vượt trần", "Số đơn vị có số liệu",
                    "Tỷ lệ HTXSNV toàn khối", "Ghi chú"]].assign(**{"Đã đối chiếu văn bản gốc": capped["Đã đối chiếu văn bản gốc"].replace("", NA)})
    a = h.awards[h.awards["nominated"] | h.awards["granted"].eq(True).fillna(False)]
    award = pd.DataFrame({"Kỳ": a["period"], "Danh hiệu": a["award"], "Hạng": a["rank"].map(lambda r: NA if pd.isna(r) else int(r)),
                          "Đơn vị": a["unit_id"].map(names), "Kết quả": a["status"], "Quyết định": a["decision"]})
    st = rules.award_streaks(h.awards, list(h.orgs["org_id"]), h.labels, flag="granted")
    streak = pd.DataFrame({"Danh hiệu": st["award"], "Đơn vị": st["org_id"].map(org_names), "Số kỳ được tặng": st["times"],
                           "Liên tiếp dài nhất": st["longest"], "Liên tiếp đến kỳ cuối": st["current"], "Các kỳ": st["periods"]})
    missing = pd.DataFrame({"Kỳ": list(h.missing), "Lý do": list(h.missing.values())}, columns=["Kỳ", "Lý do"])
    spec = [
        ("qua_cac_ky", "Qua các kỳ", per_unit, {
            "Kỳ": "period", "Đơn vị": "unit", "Dòng đơn vị": "line", "Ghi chú đơn vị": "lineage", "Vai trò": "role",
            "Đã nộp": "submitted", "Hạng": "rank", "Tổng điểm": "total", "Điểm tối đa": "max_total", "Tỷ lệ tổng điểm": "total_share",
            "Xếp loại": "band", "Tự chấm": "self_total", "Thẩm định": "verified_total", "Chênh lệch": "gap"}, {"Tỷ lệ tổng điểm"}),
        ("dan_dau", "Dẫn đầu từng kỳ", lead, {
            "Kỳ": "period", "Dẫn đầu": "unit", "Tổng điểm": "total", "Điểm tối đa": "max_total", "Trưởng khối": "chair",
            "Ghi chú": "note"}, set()),
        ("tu_cham_cao_hon", "Tự chấm cao hơn", over, {
            "Đơn vị": "unit", "Số kỳ đã nộp": "periods_submitted", "Số kỳ tự chấm cao hơn": "periods_self_higher",
            "Chênh lệch trung bình": "mean_gap", "Chênh lệch lớn nhất": "max_gap", "Kỳ chênh lệch lớn nhất": "max_gap_period"}, set()),
        ("noi_dung_qua_cac_ky", "Nội dung qua các kỳ", content, {
            "Kỳ": "period", "Nội dung": "content_id", "Tên nội dung": "content", "Điểm chuẩn": "max", "Số đơn vị": "units",
            "Tỷ lệ điểm trung bình": "mean_share"}, {"Tỷ lệ điểm trung bình"}),
        ("chi_tieu_qua_cac_ky", "Chỉ tiêu qua các kỳ", target, {
            "Kỳ": "period", "Chỉ tiêu": "target", "Số đơn vị đạt": "met_count", "Số đơn vị được đánh giá": "judged_count",
            "Tỷ lệ đạt": "share_met"}, {"Tỷ lệ đạt"}),
        ("tran_qua_cac_ky", "Trần xuất sắc qua các kỳ", cap_t, {
            "Kỳ": "period", "Trần": "cap_ratio", "Cách làm tròn": "rounding", "Đã đối chiếu văn bản gốc": "confirmed",
            "Số đơn vị vượt trần": "units_over_cap", "Số đơn vị có số liệu": "units_judged",
            "Tỷ lệ HTXSNV toàn khối": "excellent_share", "Ghi chú": "note"}, {"Tỷ lệ HTXSNV toàn khối"}),
        ("khen_thuong_qua_cac_ky", "Đề nghị qua các kỳ", award, {
            "Kỳ": "period", "Danh hiệu": "award", "Hạng": "rank", "Đơn vị": "unit", "Kết quả": "outcome", "Quyết định": "decision"},
         set()),
        ("chuoi_de_nghi", "Chuỗi được tặng", streak, {
            "Danh hiệu": "award", "Đơn vị": "unit", "Số kỳ được tặng": "times", "Liên tiếp dài nhất": "longest_run",
            "Liên tiếp đến kỳ cuối": "current_run", "Các kỳ": "periods"}, set()),
        ("quyet_dinh_khen_thuong", "Quyết định khen thưởng", decisions(h), {
            "Kỳ": "period", "Danh hiệu": "award", "Số đề nghị": "proposed", "Được tặng": "granted", "Không được tặng": "not_granted",
            "Chờ quyết định": "pending", "Tỷ lệ được tặng": "rate", "Quyết định": "decisions"}, {"Tỷ lệ được tặng"}),
        ("thay_doi_giao_uoc", "Thay đổi giao ước", changes(h), {
            "Năm": "year", "Phần": "part", "Mục": "item", "Thay đổi": "change", "Chi tiết": "detail",
            "Ảnh hưởng cách tính điểm": "affects_scores"}, set()),
        ("ky_thieu_du_lieu", "Kỳ thiếu dữ liệu", missing, {"Kỳ": "period", "Lý do": "reason"}, set()),
    ]
    return {stem: Table(stem, title, frame.reset_index(drop=True), ids, frozenset(pct)) for stem, title, frame, ids, pct in spec}
