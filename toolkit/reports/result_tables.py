"""Result tables with Vietnamese headers, shared by the notebook, the HTML and the xlsx.

Each function takes a :class:`~toolkit.engine.evaluate.PeriodResult` and returns a plain DataFrame
whose numbers stay numbers (the xlsx applies number formats; the notebook formats with a
decimal comma), in rank order and Vietnamese name order. :data:`TABLES` gives each filed
table its file stem, sheet title and the column ids of its ``results/<stem>.csv`` form
(see :mod:`toolkit.reports.filed_tables` and docs/results.md).

Why one module over ~400 lines: :data:`TABLES` is the one list of every filed result table with its column ids
(docs/results.md); keeping each table's function beside that list is what keeps the two in step.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.engine.evaluate import PeriodResult
from toolkit.model.ids import KEYS
from toolkit.model.rounding import round_half_up
from toolkit.model.text import fmt_number, fmt_percent, sort_key
from toolkit.reports.filed_tables import Table

YES, NO, NA = "Đạt", "Không đạt", "—"


def _order(res: PeriodResult) -> pd.DataFrame:
    return res.ranking[KEYS + ["name", "rank"]]


def _rank_text(rank) -> object:
    return rank if pd.notna(rank) else "—"


def scorecard(res: PeriodResult) -> pd.DataFrame:
    """Units × contents (final subtotals), totals and band, in rank order."""
    order = _order(res)
    wide = res.contents.pivot_table(index="unit_id", columns="content_id", values="final_score", aggfunc="first")
    content_ids = [c.id for c in res.covenant.contents]
    wide = wide.reindex(columns=content_ids)
    u = res.units.set_index("unit_id")
    out = pd.DataFrame({"Hạng": order["rank"].map(_rank_text).to_numpy(), "Đơn vị": order["name"].to_numpy()})
    for cid, header in _content_headers(res).items():
        out[header] = wide[cid].reindex(order["unit_id"]).to_numpy()
    ids = order["unit_id"]
    out["Cộng tiêu chí"] = u["criteria_total"].reindex(ids).to_numpy()
    out["Điểm thưởng"] = u["bonus"].reindex(ids).to_numpy()
    out["Điểm trừ"] = u["penalty"].reindex(ids).to_numpy()
    out["Tổng điểm"] = u["total"].reindex(ids).to_numpy()
    submitted = u["submitted"].reindex(ids).to_numpy()
    out["Xếp loại"] = np.where(submitted, u["band"].reindex(ids).fillna("").to_numpy(), "Chưa nộp bảng tự chấm")
    verified = u["fully_verified"].reindex(ids)
    out["Thẩm định"] = np.where(~submitted, "—", np.where(verified.fillna(False).astype(bool), "Đã thẩm định", "Chưa thẩm định đủ"))
    return out


def _content_headers(res: PeriodResult) -> dict[str, str]:
    """Content id -> its scorecard header, ``"N1 (20)"`` (id and maximum points)."""
    return {c.id: f"{c.id} ({sum(k.max for k in c.criteria):g})" for c in res.covenant.contents}


def _violation_notes(res: PeriodResult) -> pd.Series:
    """'Vi phạm (3 lần): reason (2 lần); reason' per unit and deduction criterion, from violations.csv."""
    v = res.violations
    if v is None or v.empty:
        return pd.Series(dtype=object)
    v = v.assign(_n=v["count"].astype(float))
    one = v["reason"] + np.where(v["_n"] > 1, " (" + v["_n"].map(lambda n: f"{n:g}") + " lần)", "")
    g = v.assign(_t=one).groupby(["unit_id", "criterion_id"], sort=False)
    return ("Vi phạm (" + g["_n"].sum().map(lambda n: f"{n:g}") + " lần): " + g["_t"].agg("; ".join))


def _with_parents(res: PeriodResult, s: pd.DataFrame) -> pd.DataFrame:
    """The scores with a subtotal row above the parts of each criterion that has parts (points added by the engine)."""
    if "parent_id" not in s.columns or not s["parent_id"].astype(bool).any():
        return s
    from toolkit.engine.scoring import group_scores  # the parent's points as the floors read them

    g = group_scores(res.scores, res.covenant)
    titles = {k.id: k.title for _, k in res.covenant.top_criteria}
    first = s[s["parent_id"] != ""].groupby("parent_id", observed=True)["order"].min()
    g = g[g["criterion_id"].isin(first.index)]
    rows = g.assign(content_id=g["criterion_id"].map(dict(zip(s["parent_id"], s["content_id"]))),
                    criterion_title=g["criterion_id"].map(titles), order=g["criterion_id"].map(first) - 0.5,
                    self_value=np.nan, verified_value=np.nan, verified_score=np.nan, note="", verified=True,
                    parent_id="", _part_sum=True)
    return pd.concat([s.assign(_part_sum=False), rows[[c for c in rows.columns if c in s.columns] + ["_part_sum"]]],
                     ignore_index=True)


def criteria_detail(res: PeriodResult) -> pd.DataFrame:
    """Every criterion of every unit: entered values, self, verified and final points.

    A criterion with parts is a subtotal row above them; a deduction criterion's note lists its violations.
    """
    s = _with_parents(res, res.scores)
    s = s.assign(_k=s["unit_id"].map(dict(zip(res.units.unit_id, res.units.name.map(sort_key)))))
    s = s.sort_values(["_k", "order"], kind="stable")
    names = dict(zip(res.units.unit_id, res.units.name))
    notes = s["note"].fillna("")
    violations = _violation_notes(res)
    if len(violations):
        listed = pd.Series(list(zip(s["unit_id"], s["criterion_id"])), index=s.index).map(violations).fillna("")
        notes = np.where(listed == "", notes, np.where(notes == "", listed, notes + "; " + listed))
    source = np.where(s["verified"], "thẩm định", "tự chấm (chưa thẩm định)")
    if "_part_sum" in s.columns:
        source = np.where(s["_part_sum"].fillna(False).astype(bool), "cộng các tiêu chí thành phần", source)
    return pd.DataFrame({
        "Đơn vị": s["unit_id"].map(names).to_numpy(),
        "Nội dung": s["content_id"].to_numpy(),
        "Tiêu chí": (s["criterion_id"] + ". " + s["criterion_title"]).to_numpy(),
        "Điểm chuẩn": s["max"].to_numpy(),
        "Giá trị tự chấm": s["self_value"].to_numpy(),
        "Giá trị thẩm định": s["verified_value"].to_numpy(dtype=float),
        "Điểm tự chấm": s["self_score"].to_numpy(),
        "Điểm thẩm định": s["verified_score"].to_numpy(),
        "Điểm tính": s["final_score"].to_numpy(),
        "Nguồn điểm": source,
        "Ghi chú": np.asarray(notes, dtype=object),
    })


def ranking(res: PeriodResult) -> pd.DataFrame:
    r = res.ranking
    return pd.DataFrame({
        "Hạng": r["rank"].map(_rank_text).to_numpy(),
        "Đơn vị": r["name"].to_numpy(),
        "Tổng điểm": r["total"].to_numpy(),
        "Xếp loại": np.where(r["submitted"], r["band"].fillna(""), "Chưa nộp bảng tự chấm"),
        "Phân định khi bằng điểm": r["decided_by"].to_numpy(),
        "Bằng điểm với": r["tied_with"].to_numpy(),
    })


def nominations(res: PeriodResult) -> pd.DataFrame:
    """Every unit for every award: proposed, or the reason why not."""
    e = res.eligibility
    if e.empty:
        return pd.DataFrame(columns=["Danh hiệu", "Hạng", "Đơn vị", "Tổng điểm", "Đề nghị", "Lý do / kết quả xét"])
    award_order = {a.id: i for i, a in enumerate(res.covenant.awards)}
    e = e.assign(_a=e["award_id"].map(award_order), _r=e["rank"].astype(float).fillna(np.inf), _k=e["name"].map(sort_key))
    e = e.sort_values(["_a", "_r", "_k"], kind="stable")
    return pd.DataFrame({
        "Danh hiệu": e["award"].to_numpy(),
        "Hạng": e["rank"].map(_rank_text).to_numpy(),
        "Đơn vị": e["name"].to_numpy(),
        "Tổng điểm": e["total"].to_numpy(),
        "Đề nghị": np.where(e["nominated"], "Có", "Không"),
        "Lý do / kết quả xét": e["status"].to_numpy(),
    })


def quotas(res: PeriodResult) -> pd.DataFrame:
    q = res.quotas
    return pd.DataFrame({"Danh hiệu": q["award"], "Hạn mức": q["quota"], "Cách tính": q["quota_rule"],
                         "Số đề nghị": q["nominated"], "Căn cứ": q["basis"]})


def targets(res: PeriodResult) -> pd.DataFrame:
    t = res.targets
    if t.empty:
        return pd.DataFrame(columns=["Đơn vị", "Chỉ tiêu", "Yêu cầu", "Kết quả", "Đánh giá"])
    names = dict(zip(res.units.unit_id, res.units.name))
    order = {t_id: i for i, t_id in enumerate(res.covenant.target_ids())}
    t = t.assign(_k=t["unit_id"].map(names).map(sort_key), _o=t["target_id"].map(order)).sort_values(["_k", "_o"], kind="stable")
    verdict = np.where(t["met"].isna(), NA, np.where(t["met"].eq(True), YES, NO))
    return pd.DataFrame({"Đơn vị": t["unit_id"].map(names).to_numpy(), "Chỉ tiêu": t["title"].to_numpy(),
                         "Yêu cầu": t["required"].to_numpy(), "Kết quả": t["detail"].to_numpy(), "Đánh giá": verdict})


def targets_summary(res: PeriodResult) -> pd.DataFrame:
    """Per target: how many units met it, and who missed it."""
    t = res.targets
    if t.empty:
        return pd.DataFrame(columns=["Chỉ tiêu", "Số đơn vị đạt", "Số đơn vị không đạt", "Đơn vị không đạt"])
    names = dict(zip(res.units.unit_id, res.units.name))
    rows = []
    for target_id in res.covenant.target_ids():
        sel = t[t["target_id"] == target_id]
        missed = sorted(sel.loc[sel["met"].eq(False), "unit_id"].map(names), key=sort_key)
        rows.append({"Chỉ tiêu": sel["title"].iloc[0], "Số đơn vị đạt": int(sel["met"].eq(True).sum()),
                     "Số đơn vị không đạt": len(missed), "Đơn vị không đạt": "; ".join(missed)})
    return pd.DataFrame(rows)


def excellent_cap(res: PeriodResult) -> pd.DataFrame:
    c = res.cap
    if c.empty:
        return pd.DataFrame(columns=["Đơn vị", "Số HTXSNV", "Cơ sở tính", "Tỷ lệ", "Trần", "Phép tính", "Đánh giá"])
    names = dict(zip(res.units.unit_id, res.units.name))
    c = c.assign(_k=c["unit_id"].map(names).map(sort_key)).sort_values("_k", kind="stable")
    verdict = np.where(c["within_cap"].isna(), NA, np.where(c["within_cap"].eq(True), "Trong giới hạn", "Vượt trần"))
    base = c["base"].astype(float)
    return pd.DataFrame({"Đơn vị": c["unit_id"].map(names).to_numpy(), "Số HTXSNV": c["excellent"].astype(int).to_numpy(),
                         "Cơ sở tính": base.astype(int).to_numpy(),
                         "Tỷ lệ": round_half_up(c["excellent"].astype(float) / base.where(base > 0), 4).to_numpy(),
                         "Trần": c["cap"].to_numpy(), "Phép tính": c["arithmetic"].to_numpy(), "Đánh giá": verdict})


def value_text(kind: str, value) -> str:
    """A self or verified value as the unit typed it: 'Đạt', '9,25', '98,4'; 'trống' when blank."""
    if value is None or pd.isna(value):
        return "trống"
    if kind == "pass_fail":
        return YES if value >= 1 else NO
    return fmt_number(value, 4).rstrip("0").rstrip(",")


def verification_changes(scores: pd.DataFrame) -> pd.DataFrame:
    """The verified values that differ from the self values: unit_id, criterion_id and "self → verified (reason)".

    ``scores`` is the engine's criterion scores; a criterion not verified yet is not a change.
    """
    s = scores[scores["verified"] & ~np.isclose(scores["self_value"].astype(float), scores["verified_value"].astype(float),
                                               rtol=0, atol=1e-9)]
    reasons = s["verified_note"] if "verified_note" in s.columns else pd.Series("", index=s.index)
    text = [f"{value_text(k, a)} → {value_text(k, b)}" + (f" ({r})" if isinstance(r, str) and r.strip() else "")
            for k, a, b, r in zip(s["kind"], s["self_value"], s["verified_value"], reasons.fillna(""))]
    return pd.DataFrame({"unit_id": s["unit_id"].to_numpy(), "criterion_id": s["criterion_id"].to_numpy(),
                         "change": np.array(text, dtype=object)}, columns=["unit_id", "criterion_id", "change"])


def self_vs_verified(res: PeriodResult) -> pd.DataFrame:
    u = res.ranking[res.ranking["submitted"]]
    s = res.scores
    over = (s["self_score"] > s["final_score"] + 1e-9).groupby(s["unit_id"]).sum()
    ch = verification_changes(s)
    changes = (ch["criterion_id"] + ": " + ch["change"]).groupby(ch["unit_id"], sort=False).agg("; ".join)
    return pd.DataFrame({
        "Đơn vị": u["name"].to_numpy(),
        "Tự chấm": u["self_criteria"].to_numpy(),
        "Thẩm định": u["criteria_total"].to_numpy(),
        "Chênh lệch": u["self_gap"].to_numpy(),
        "Số tiêu chí tự chấm cao hơn": over.reindex(u["unit_id"]).fillna(0).astype(int).to_numpy(),
        "Điều chỉnh khi thẩm định": changes.reindex(u["unit_id"]).fillna("").to_numpy(),
    })


def comparison(res: PeriodResult) -> pd.DataFrame:
    c = res.comparison
    if c is None or c.empty:
        return pd.DataFrame(columns=["Đơn vị", "Hạng kỳ trước", "Hạng", "Thay đổi hạng", "Tổng kỳ trước", "Tổng điểm", "Chênh lệch", "Ghi chú"])
    r = res.ranking
    c = r[["unit_id", "name", "rank", "total"]].merge(c, on="unit_id", how="left")
    return pd.DataFrame({
        "Đơn vị": c["name"], "Hạng kỳ trước": c["prev_rank"].map(_rank_text), "Hạng": c["rank"].map(_rank_text),
        "Thay đổi hạng": c["delta_rank"].map(lambda d: "" if pd.isna(d) else (f"+{int(d)}" if d > 0 else str(int(d)))),
        "Tổng kỳ trước": c["prev_total"], "Tổng điểm": c["total"], "Chênh lệch": c["delta_total"], "Ghi chú": c["note"],
    })


REGISTRATION_COLUMNS = ["Hạng", "Đơn vị", "Danh hiệu đăng ký", "Đề nghị khen thưởng", "Chỉ tiêu đăng ký và kết quả", "Cam kết khác"]


def _commitment_vs_result(k, committed: float, actual: float | None, annual: bool) -> str:
    """"N1.2: đăng ký 98 %, đạt 97,5 % (chưa đạt)": a figure is compared only with a year's figure."""
    unit = k.unit if k.unit.strip() == "%" else f" {k.unit}" if k.unit else ""
    text = f"{k.id}: đăng ký {fmt_number(committed).rstrip('0').rstrip(',')}{unit}"
    if not annual:
        return text
    if actual is None or pd.isna(actual):
        return text + ", chưa có số liệu"
    met = actual <= committed + 1e-9 if k.lower_is_better else actual >= committed - 1e-9
    return text + f", thực hiện {fmt_number(actual).rstrip('0').rstrip(',')}{unit} ({'đạt' if met else 'chưa đạt'})"


def registrations(res: PeriodResult) -> pd.DataFrame:
    """What each unit registered at the start of the year beside what it achieved (Đăng ký và kết quả)."""
    regs = res.registrations
    if regs is None or regs.empty:
        return pd.DataFrame(columns=REGISTRATION_COLUMNS)
    cov, order = res.covenant, _order(res)
    titles = {a.id: a.title for a in cov.awards}
    targets = {k.id: k for _, k in cov.criteria if k.kind == "target"}
    final = res.scores.set_index(["unit_id", "criterion_id"])["final_value"] if len(res.scores) else pd.Series(dtype=float)
    e = res.eligibility
    nominated = e[e["nominated"]].groupby("unit_id")["award"].agg("; ".join) if len(e) else pd.Series(dtype=object)
    considered = set(e["award_id"]) if len(e) else set()
    rows = []
    for u in order.itertuples(index=False):
        mine = regs[regs["unit_id"] == u.unit_id]
        if mine.empty:
            rows.append([_rank_text(u.rank), u.name, "Chưa nộp bản đăng ký", NA, NA, NA])
            continue
        award = mine[mine["kind"].eq("award") & mine["value"].eq(1)]
        registered = "; ".join(titles[a] for a in titles if a in set(award["item"])) or "Không đăng ký danh hiệu"
        got = nominated.get(u.unit_id, "Không") if considered else "Không xét ở kỳ này"
        crit = mine[mine["kind"].eq("criterion")]
        figures = "; ".join(_commitment_vs_result(targets[c.item], c.value, final.get((u.unit_id, c.item)), res.period.is_annual)
                            for c in crit.itertuples(index=False) if c.item in targets) or NA
        words = mine[mine["kind"].eq("commitment")]
        words = words.assign(_n=words["item"].astype(int)).sort_values("_n")
        other = "; ".join(f"{n}. {t}" for n, t in zip(words["item"], words["text"])) or NA
        rows.append([_rank_text(u.rank), u.name, registered, got, figures, other])
    return pd.DataFrame(rows, columns=REGISTRATION_COLUMNS)


def problems(res: PeriodResult) -> pd.DataFrame:
    """Data warnings of the period (blank self scores, members without a submission)."""
    return pd.DataFrame({"Mức": ["Cảnh báo" if p.severity == "warning" else "Lỗi" for p in res.warnings],
                         "Tệp": [Path(p.file).name for p in res.warnings],
                         "Vị trí": [p.where for p in res.warnings], "Nội dung": [p.message for p in res.warnings]})


# stem of results/<stem>.csv -> (sheet title, table function, {Vietnamese header: column id}).
# Column ids are documented in docs/results.md; the scorecard also has one content_<id> column per content.
TABLES = {
    "bang_diem": ("Bảng điểm", scorecard, {
        "Hạng": "rank", "Đơn vị": "unit", "Cộng tiêu chí": "criteria_total", "Điểm thưởng": "bonus",
        "Điểm trừ": "penalty", "Tổng điểm": "total", "Xếp loại": "band", "Thẩm định": "verification"}),
    "chi_tiet_tieu_chi": ("Chi tiết tiêu chí", criteria_detail, {
        "Đơn vị": "unit", "Nội dung": "content_id", "Tiêu chí": "criterion", "Điểm chuẩn": "max",
        "Giá trị tự chấm": "self_value", "Giá trị thẩm định": "verified_value", "Điểm tự chấm": "self_score",
        "Điểm thẩm định": "verified_score", "Điểm tính": "final_score", "Nguồn điểm": "score_source", "Ghi chú": "note"}),
    "xep_hang": ("Xếp hạng", ranking, {
        "Hạng": "rank", "Đơn vị": "unit", "Tổng điểm": "total", "Xếp loại": "band",
        "Phân định khi bằng điểm": "decided_by", "Bằng điểm với": "tied_with"}),
    "chi_tieu": ("Chỉ tiêu", targets, {
        "Đơn vị": "unit", "Chỉ tiêu": "target", "Yêu cầu": "requirement", "Kết quả": "result", "Đánh giá": "met"}),
    "tran_xuat_sac": ("Trần tỷ lệ xuất sắc", excellent_cap, {
        "Đơn vị": "unit", "Số HTXSNV": "excellent", "Cơ sở tính": "base", "Tỷ lệ": "share", "Trần": "cap",
        "Phép tính": "arithmetic", "Đánh giá": "within_cap"}),
    "de_nghi_khen_thuong": ("Đề nghị khen thưởng", nominations, {
        "Danh hiệu": "award", "Hạng": "rank", "Đơn vị": "unit", "Tổng điểm": "total", "Đề nghị": "nominated",
        "Lý do / kết quả xét": "status"}),
    "han_muc": ("Hạn mức khen thưởng", quotas, {
        "Danh hiệu": "award", "Hạn mức": "quota", "Cách tính": "quota_rule", "Số đề nghị": "nominated_count",
        "Căn cứ": "basis"}),
    "tu_cham_tham_dinh": ("Tự chấm - thẩm định", self_vs_verified, {
        "Đơn vị": "unit", "Tự chấm": "self_total", "Thẩm định": "verified_total", "Chênh lệch": "gap",
        "Số tiêu chí tự chấm cao hơn": "criteria_self_higher", "Điều chỉnh khi thẩm định": "changes"}),
    "so_voi_ky_truoc": ("So với kỳ trước", comparison, {
        "Đơn vị": "unit", "Hạng kỳ trước": "previous_rank", "Hạng": "rank", "Thay đổi hạng": "rank_change",
        "Tổng kỳ trước": "previous_total", "Tổng điểm": "total", "Chênh lệch": "total_change", "Ghi chú": "note"}),
    "dang_ky_ket_qua": ("Đăng ký và kết quả", registrations, {
        "Hạng": "rank", "Đơn vị": "unit", "Danh hiệu đăng ký": "registered_awards", "Đề nghị khen thưởng": "nominated_awards",
        "Chỉ tiêu đăng ký và kết quả": "committed_figures", "Cam kết khác": "other_commitments"}),
    "canh_bao_du_lieu": ("Cảnh báo dữ liệu", problems, {
        "Mức": "severity", "Tệp": "file", "Vị trí": "location", "Nội dung": "message"}),
}


def all_tables(res: PeriodResult) -> dict[str, Table]:
    """Every filed result table, in report order: stem -> :class:`~toolkit.reports.filed_tables.Table`."""
    contents = {header: f"content_{cid}" for cid, header in _content_headers(res).items()}
    return {stem: Table(stem, title, fn(res), {**ids, **contents} if fn is scorecard else ids)
            for stem, (title, fn, ids) in TABLES.items()}


def _cell(value) -> str:
    if isinstance(value, (float, np.floating)):
        return fmt_number(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def percent(value) -> str:
    """A share shown as a percentage with one decimal ("18,8%"); blank when missing; text as it is (a column format)."""
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return ""
    return fmt_percent(value)


Formats = dict[str, Callable[[object], str]]  # column -> how its cells are written; "*": every other column
PERCENT: Formats = {"*": percent}  # every number a share, written as a percentage (text is left as it is)


def _formatter(formats: Formats | None, column) -> Callable[[object], str]:
    formats = formats or {}
    return formats.get(column, formats.get("*", _cell))


def as_text(df: pd.DataFrame, formats: Formats | None = None) -> str:
    """Deterministic plain-text rendering (decimal comma), for checked notebook outputs."""
    shown = pd.DataFrame({c: df[c].map(_formatter(formats, c)) for c in df.columns}, columns=df.columns) if formats else df.map(_cell)
    return shown.to_string(index=False, max_colwidth=None, line_width=None, max_rows=None, max_cols=None)


_MARKUP = re.compile(r"([\\`*_\[\]~|$])")  # '<', '>' and '&' are escaped as HTML by reports.notebook.markdown
_LINE_START = re.compile(r"^([#+=-]|\d+(?=[.)]))")  # a heading, a list item, a setext underline, an ordered item


def plain(value: object) -> str:
    """A value from data (a name, a title, a reason) for the reports' Markdown: it renders as exactly its text.

    Markdown's own marks in it are backslash-escaped, so a name with '*' or '_' cannot end the
    bold around it; '://' is escaped so that a URL is not made a link (nbconvert links plain
    URLs, and then takes the closing '**' into the link); line breaks become spaces, so a value
    cannot start a heading or a list of its own. The reports write bold, lists and code around
    such values; the values themselves are text.
    """
    text = _MARKUP.sub(r"\\\1", " ".join(str(value).split())).replace("://", "\\://")
    return _LINE_START.sub(lambda m: m.group(1) + "\\" if m.group(1)[0].isdigit() else "\\" + m.group(1), text)


def to_html(df: pd.DataFrame, formats: Formats | None = None) -> str:
    """HTML table; every cell is escaped, because submission text is data, not markup.

    ``formats`` maps a column to the function writing its cells (e.g. :func:`percent`);
    numbers stay right-aligned whatever their format.
    """
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    writers = [_formatter(formats, c) for c in df.columns]
    rows = []
    for rec in df.itertuples(index=False):
        cells = []
        for write, v in zip(writers, rec):
            cls = ' class="num"' if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) else ""
            cells.append(f"<td{cls}>{html.escape(write(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="thidua">\n<thead><tr>{head}</tr></thead>\n<tbody>\n' + "\n".join(rows) + "\n</tbody></table>"


def summary(res: PeriodResult) -> str:
    """A few sentences on the period, built from the results (Markdown)."""
    u = res.ranking
    sub = u[u["submitted"]]
    missing = u[~u["submitted"]]["name"].tolist()
    lines = [f"Khối có {len(u)} thành viên; {len(sub)} đơn vị nộp bảng tự chấm điểm"
             + (f" (chưa nộp: {', '.join(map(plain, missing))})." if missing else ".")]
    if len(sub):
        top = sub.iloc[0]
        lines.append(f"Dẫn đầu là **{plain(top['name'])}** với {fmt_number(top['total'])} điểm; điểm thấp nhất "
                     f"{fmt_number(sub['total'].min())}, trung bình {fmt_number(sub['total'].mean())}.")
        bands = sub["band"].value_counts()
        lines.append("Xếp loại: " + "; ".join(f"{plain(b.label)}: {bands[b.label]} đơn vị" for b in res.covenant.bands if b.label in bands) + ".")
        ties = sub[sub["tied_with"] != ""]
        if len(ties):
            lines.append(f"Có {len(ties)} đơn vị bằng tổng điểm; thứ hạng được phân định theo thứ tự tiêu chí của giao ước.")
    for award in res.covenant.awards:
        e = res.eligibility[res.eligibility["award_id"] == award.id]
        if e.empty:
            continue
        chosen = e[e["nominated"]]["name"].tolist()
        text = f"{plain(award.title)}: đề nghị {', '.join(map(plain, chosen)) if chosen else 'không có đơn vị nào'}"
        above = e[(~e["eligible"]) & e["rank"].notna()]
        if len(chosen) and len(above):
            first = e[e["nominated"]]["rank"].min()
            skipped = above[above["rank"] < first]
            if len(skipped):
                text += "; " + "; ".join(f"{plain(r['name'])} (hạng {r['rank']}) không đủ điều kiện do {plain(r['reasons'])}" for _, r in skipped.iterrows())
        lines.append(text + ".")
    t = res.targets
    if len(t):
        missed = t[t["met"].eq(False)]
        lines.append(f"Chỉ tiêu: {int(t['met'].eq(True).sum())}/{len(t)} lượt đạt; {missed['unit_id'].nunique()} đơn vị có chỉ tiêu không đạt.")
    gap = sub[sub["self_gap"] > 0]
    if len(gap):
        worst = gap.sort_values("self_gap", ascending=False, kind="stable").iloc[0]
        lines.append(f"{len(gap)} đơn vị tự chấm cao hơn kết quả thẩm định; nhiều nhất {plain(worst['name'])} "
                     f"(+{fmt_number(worst['self_gap'])} điểm).")
    c = res.comparison
    if c is not None and len(c) and c["prev_total"].notna().any():
        moved = c.dropna(subset=["delta_rank"])
        if len(moved):
            best = moved.sort_values("delta_rank", ascending=False, kind="stable").iloc[0]
            name = dict(zip(u.unit_id, u.name))[best["unit_id"]]
            lines.append(f"So với kỳ {c['prev_period'].iloc[0]}: tăng hạng nhiều nhất là {plain(name)} ({int(best['delta_rank']):+d} bậc).")
    return "\n".join(f"- {x}" for x in lines)

