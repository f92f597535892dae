"""What each template shows, built from the period's results and the secretariat's inputs.

Pure: a :class:`~toolkit.engine.evaluate.PeriodResult`, the validated ``documents.yaml`` and
the ballots in, one dict per document out. Every figure is formatted here from the engine's
frames (decimal comma, dd/mm/yyyy), never typed; the parts whose shape depends on the data
are left as :class:`Narrative` (the secretariat's Markdown) and :class:`Grid` (the scorecard)
for :mod:`toolkit.documents.render` to turn into Word paragraphs and tables.

Why this module is longer than 400 lines: one builder per document (báo cáo, biên bản, tờ
trình, danh sách) over the same result frames and wording helpers, read and changed together.

Still so after the year-end documents were added: each of the bloc's period documents (báo cáo, biên bản, tờ trình, danh sách)
shares the same formatted figures (ranking, nominees, targets, tie-break and vote wording); the values of the
newer documents (ballots, achievement reports, covenant) already live in their own modules.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from toolkit.documents.decree30_docx import LANDSCAPE_WIDTH_CM
from toolkit.documents.vietnamese_format import (clock, count_text, doc_number, join_names, long_date, ordinal_roman, place_date,
                                  recipient_lines)
from toolkit.documents.voting import ballot_rows, result_text, tie_notes
from toolkit.engine.evaluate import PeriodResult
from toolkit.engine.ballot_count import rule_text
from toolkit.model.covenant import Award
from toolkit.model.secretariat import DocumentInputs
from toolkit.model.text import fmt_date, fmt_number, fmt_percent
from toolkit.reports.result_tables import verification_changes


@dataclass(frozen=True)
class Narrative:
    """The secretariat's Markdown; when it is empty, a highlighted '[<who> bổ sung: <missing>]'."""

    text: str
    missing: str
    who: str = "Khối"  # who writes it: the bloc's secretariat, or the unit ("Đơn vị") for its achievement report


@dataclass(frozen=True)
class Grid:
    """A bordered table made at render time (its columns depend on the covenant)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    aligns: tuple[str, ...]  # "left" | "center" per column
    notes: tuple[str, ...] = ()
    size: float = 11


TIE_BREAK_VI = {"total": "tổng điểm", "bonus": "điểm cộng", "penalty": "điểm trừ ít hơn",
                "self_gap": "chênh lệch giữa điểm tự chấm và điểm Khối chấm ít hơn", "vote_share": "tỷ lệ phiếu cao hơn",
                "name": "tên đơn vị"}


def amount(x: float) -> str:
    """A covenant amount: '100', '1.000', '99,50'."""
    return fmt_number(x, 0) if float(x).is_integer() else fmt_number(x, 2)


def mean(values, decimals: int = 2) -> float:
    """Mean of values kept at ``decimals`` places, rounded half up (as the scores are)."""
    vals = [Decimal(str(round(float(v), decimals))) for v in values]
    return float((sum(vals) / len(vals)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _names(names: list[str], limit: int = 4) -> str:
    return join_names(names) if len(names) <= limit else f"{count_text(len(names))} đơn vị"


def _tie_break_text(keys: list[str]) -> str:
    out = []
    for key in keys[1:]:
        kind, _, ref = key.partition(":")
        out.append(f"điểm nội dung {ref}" if kind == "content" else f"điểm tiêu chí {ref}" if kind == "criterion"
                   else TIE_BREAK_VI.get(kind, key))
    return ", rồi ".join(out)


# --------------------------------------------------------------------------- shared pieces

def _common(res: PeriodResult, doc: DocumentInputs, kind: str) -> dict:
    when = doc.meeting.date if kind == "bien_ban" and doc.meeting else doc.date
    return {
        "synthetic": bool(res.source.get("synthetic") or doc.synthetic),
        "parent_body": doc.parent_body,
        "issuer": doc.issuer,
        "number": doc_number(getattr(doc.numbers, kind), kind, doc.code),
        "place_date": place_date(doc.place, when),
        "date": fmt_date(when),
        "bloc_name": res.bloc_name,
        "period_label": res.period.label_vi,
        "year": str(res.period.year),
        "signer": {"authority": doc.signer.authority, "title": doc.signer.title, "name": doc.signer.name},
        "recipients": recipient_lines(doc.recipients.get(kind, []), doc.archive) if kind != "bien_ban" else [],
        "addressee": doc.addressee,
    }


def _ranking(res: PeriodResult) -> pd.DataFrame:
    return res.ranking


def _member_count(res: PeriodResult) -> int:
    return len(res.units)


def _awards(res: PeriodResult) -> list[Award]:
    return [a for a in res.covenant.awards if res.period.kind in a.periods]


def _nominees(res: PeriodResult, award: Award) -> pd.DataFrame:
    n = res.nominations
    return n[n["award_id"] == award.id].sort_values("rank", kind="stable")


def _shares(res: PeriodResult, award: Award, ballots: pd.DataFrame | None) -> dict[str, float]:
    """Vote share per unit for this award, on its base (none where the base is unknown)."""
    rows = ballot_rows(res, award, ballots)
    return {r.unit_id: r.share for r in rows.itertuples() if r.has_data and r.share == r.share}


def _passed_over(res: PeriodResult, award: Award, last_rank: int) -> list[str]:
    """Why units ranked above a nominee were not proposed (the skipped nominees of an earlier award aside)."""
    e = res.eligibility
    e = e[(e["award_id"] == award.id) & ~e["nominated"] & (e["rank"] < last_rank)
          & ~e["status"].astype(str).str.startswith("Không đề nghị")].sort_values("rank", kind="stable")
    return [f"{r.name} (xếp thứ {r.rank}) {_lower_first(str(r.status))}" for r in e.itertuples()]


def proposals(res: PeriodResult, ballots: pd.DataFrame | None, figures: bool) -> list[dict]:
    """One entry per award with nominees, in covenant order ('Tặng Cờ thi đua ... cho 01 tập thể: ...')."""
    n = _member_count(res)
    out = []
    for award in _awards(res):
        nom = _nominees(res, award)
        if nom.empty:
            if figures:
                out.append({"award": award.title, "count": 0, "text": f"{award.title}: không có tập thể đủ điều kiện."})
            continue
        shares = _shares(res, award, ballots)
        names = []
        for r in nom.itertuples():
            if figures:
                bits = [f"{fmt_number(r.total)} điểm", f"xếp thứ {r.rank}/{n}"]
                if r.unit_id in shares:
                    bits.append(f"tỷ lệ phiếu đồng ý {fmt_percent(shares[r.unit_id])}")
                names.append(f"{r.name} ({', '.join(bits)})")
            else:
                names.append(r.name)
        listed = "; ".join(names) if figures else join_names(names)
        text = f"Tặng {award.title} cho {count_text(len(nom))} tập thể: {listed}."
        if figures:
            text += "".join(f" {why}." for why in _passed_over(res, award, int(nom["rank"].max())))
        out.append({"award": award.title, "count": len(nom), "text": text})
    return out


# --------------------------------------------------------------------------- báo cáo

def _content_items(res: PeriodResult, doc: DocumentInputs) -> list[dict]:
    c = res.contents[res.contents["final_score"].notna()]
    names = dict(zip(res.units["unit_id"], res.units["name"]))
    items = []
    for i, content in enumerate(res.covenant.contents, start=1):
        rows = c[c["content_id"] == content.id]
        mx = sum(k.max for k in content.criteria)
        if rows.empty:
            figures = "Chưa có đơn vị nộp điểm nội dung này."
        else:
            avg = mean(rows["final_score"], res.covenant.decimals)
            best, worst = rows["final_score"].max(), rows["final_score"].min()
            top = [names[u] for u in rows.loc[rows["final_score"] == best, "unit_id"]]
            low = [names[u] for u in rows.loc[rows["final_score"] == worst, "unit_id"]]
            figures = (f"Điểm bình quân của Khối đạt {fmt_number(avg)}/{amount(mx)} điểm ({fmt_percent(avg / mx)} điểm chuẩn); "
                       f"cao nhất: {_names(top)} ({fmt_number(best)} điểm)")
            figures += "." if best == worst else f"; thấp nhất: {_names(low)} ({fmt_number(worst)} điểm)."
        items.append({"number": str(i), "id": content.id, "title": content.title, "max": amount(mx), "figures": figures,
                      "narrative": Narrative(doc.narrative.contents.get(content.id, ""),
                                             f"kết quả nổi bật của các đơn vị ở nội dung {content.id}")})
    return items


def _target_items(res: PeriodResult) -> list[dict]:
    t = res.targets
    if t is None or t.empty:
        return []
    names = dict(zip(res.units["unit_id"], res.units["name"]))
    items = []
    for tid in res.covenant.target_ids():
        rows = t[t["target_id"] == tid]
        if rows.empty:
            continue
        met, missed = rows["met"].eq(True), rows["met"].eq(False)
        no_data = rows["met"].isna() & rows["kind"].eq("staff")
        judged = int(met.sum() + missed.sum())
        parts = [f"{count_text(int(met.sum()))}/{count_text(judged)} đơn vị đạt"]
        if missed.any():
            parts.append("chưa đạt: " + join_names([names.get(u, u) for u in rows.loc[missed, "unit_id"]]))
        if no_data.any():
            parts.append("chưa có số liệu: " + join_names([names.get(u, u) for u in rows.loc[no_data, "unit_id"]]))
        items.append({"id": tid, "title": rows["title"].iloc[0], "summary": "; ".join(parts) + "."})
    return items


def _registration_items(res: PeriodResult) -> list[dict]:
    """The year's registrations beside the results, as lines of the targets section (year periods with registrations only)."""
    regs = res.registrations
    if regs is None or regs.empty or not res.period.is_annual:
        return []
    names = dict(zip(res.units["unit_id"], res.units["name"]))
    e = res.eligibility
    parts = [f"{count_text(regs['unit_id'].nunique())}/{count_text(len(res.units))} đơn vị nộp bản đăng ký thi đua"]
    for a in res.covenant.awards:
        yes = regs[regs["kind"].eq("award") & regs["item"].eq(a.id) & regs["value"].eq(1)]["unit_id"]
        got = e[e["award_id"].eq(a.id) & e["nominated"]]["unit_id"] if len(e) else pd.Series(dtype=object)
        parts.append(f"{a.title}: {count_text(len(yes))} đơn vị đăng ký, {count_text(int(got.isin(set(yes)).sum()))} được đề nghị")
    items = [{"id": "registration", "title": "Đăng ký thi đua", "summary": "; ".join(parts) + "."}]
    final = res.scores.set_index(["unit_id", "criterion_id"])["final_value"]
    for _, k in res.covenant.criteria:
        rows = regs[regs["kind"].eq("criterion") & regs["item"].eq(k.id)]
        if k.kind != "target" or rows.empty:
            continue
        actual = pd.Series([final.get((u, k.id)) for u in rows["unit_id"]], index=rows.index, dtype=float)
        met = actual <= rows["value"] + 1e-9 if k.lower_is_better else actual >= rows["value"] - 1e-9
        missed = [names.get(u, u) for u in rows.loc[actual.notna() & ~met, "unit_id"]]
        text = f"{count_text(int((actual.notna() & met).sum()))}/{count_text(len(rows))} đơn vị đạt mức đã đăng ký"
        items.append({"id": f"registration:{k.id}", "title": f"{k.title} (mức đơn vị đăng ký)",
                      "summary": text + (f"; chưa đạt: {join_names(missed)}" if missed else "") + "."})
    return items


def _band_counts(res: PeriodResult) -> str:
    u = res.units[res.units["submitted"]]
    parts = []
    for band in res.covenant.bands:
        n = int((u["band_id"] == band.id).sum())
        if n:
            parts.append(f"{count_text(n)} đơn vị {_lower_first(band.label)}")
    return ", ".join(parts)


def _tie_lines(res: PeriodResult) -> list[str]:
    r = _ranking(res)
    lines, seen = [], set()
    for row in r.itertuples():
        if not isinstance(row.tied_with, str) or not row.tied_with:
            continue
        group = frozenset([row.name, *[x.strip() for x in row.tied_with.split(";")]])
        if group in seen:
            continue
        seen.add(group)
        members = r[r["name"].isin(group)]
        how = (f"thứ hạng xác định theo {row.decided_by}" if isinstance(row.decided_by, str) and row.decided_by
               else f"đồng hạng {row.rank}")
        lines.append(f"{join_names(list(members['name']))} bằng tổng điểm ({fmt_number(row.total)} điểm); {how}.")
    return lines


def _scoring_summary(res: PeriodResult, doc: DocumentInputs) -> list[str]:
    u = res.units
    sub = u[u["submitted"]]
    missing = list(u.loc[~u["submitted"], "name"])
    who = (f"Trưởng khối kiểm tra, chấm điểm và Hội nghị Khối ngày {fmt_date(doc.meeting.date)} thông qua"
           if res.period.is_annual and doc.meeting else "Trưởng khối kiểm tra, chấm điểm")
    first = (f"Các đơn vị thành viên đã tự chấm điểm theo bảng chấm điểm của Giao ước; {who}. "
             f"Có {count_text(len(sub))}/{count_text(len(u))} đơn vị nộp bảng tự chấm điểm")
    first += (f"; chưa nộp: {join_names(missing)}." if missing else ".")
    lines = [first]
    if len(sub):
        lines.append(f"Kết quả xếp loại: {_band_counts(res)}.")
        r = _ranking(res)
        ranked = r[r["rank"].notna()]
        top, last = ranked.iloc[0], ranked.iloc[-1]
        lines.append(f"Đơn vị dẫn đầu Khối: {top['name']} ({fmt_number(top['total'])} điểm). Tổng điểm bình quân của Khối: "
                     f"{fmt_number(mean(sub['total'], res.covenant.decimals))} điểm; thấp nhất: {last['name']} "
                     f"({fmt_number(last['total'])} điểm).")
        lines += _tie_lines(res)
        lines += _verification_lines(res)
    lines.append("Kết quả chấm điểm chi tiết của từng đơn vị tại Phụ lục kèm theo Báo cáo này.")
    return lines


def _verification_lines(res: PeriodResult) -> list[str]:
    """What the verification changed, "self → verified (reason)" per criterion, one line per unit; and what is not verified."""
    changes = verification_changes(res.scores)
    names = dict(zip(res.units["unit_id"], res.units["name"]))
    lines = []
    if len(changes):
        units = list(dict.fromkeys(changes["unit_id"]))
        lines.append(f"Qua thẩm định, Khối điều chỉnh kết quả tự chấm của {count_text(len(units))} đơn vị "
                     "(giá trị tự chấm → giá trị thẩm định, lý do):")
        order = {u: i for i, u in enumerate(_ranking(res)["unit_id"])}  # the annex's order: rank
        changes = changes.assign(_o=changes["unit_id"].map(order)).sort_values("_o", kind="stable")
        for unit, g in changes.groupby("unit_id", sort=False):
            lines.append(f"- {names.get(unit, unit)}: " + "; ".join(f"tiêu chí {c} {t}" for c, t in zip(g["criterion_id"], g["change"])) + ".")
    s = res.scores
    todo = [u for u in _ranking(res)["unit_id"] if u in set(s.loc[~s["verified"], "unit_id"])]
    if todo:
        lines.append(f"Chưa thẩm định đủ (dùng điểm tự chấm cho các tiêu chí chưa thẩm định): {join_names([names.get(u, u) for u in todo])}.")
    return lines


def scorecard(res: PeriodResult) -> Grid:
    """The landscape annex: one row per unit in rank order, a column per content, then the totals."""
    cov = res.covenant
    contents = cov.contents
    pivot = res.contents.pivot_table(index="unit_id", columns="content_id", values="final_score", aggfunc="first")
    fixed = [1.0] + [1.25] * len(contents) + [1.5, 1.2, 1.2, 1.4, 4.9, 1.1]
    widths = (fixed[0], round(LANDSCAPE_WIDTH_CM - sum(fixed), 2), *fixed[1:])
    header = ("STT", "Tên đơn vị", *[f"{c.id}\n({amount(sum(k.max for k in c.criteria))})" for c in contents],
              f"Điểm tiêu chí\n({amount(cov.total)})", "Điểm cộng", "Điểm trừ", "Tổng điểm", "Xếp loại", "Xếp hạng")
    rows = []
    for i, r in enumerate(_ranking(res).itertuples(), start=1):
        if not r.submitted:
            rows.append((str(i), r.name, *[""] * len(contents), "", "", "", "", "", "Chưa nộp"))
            continue
        scores = [fmt_number(pivot.loc[r.unit_id, c.id]) if r.unit_id in pivot.index and c.id in pivot.columns else ""
                  for c in contents]
        rows.append((str(i), r.name, *scores, fmt_number(r.criteria_total), fmt_number(r.bonus), fmt_number(abs(r.penalty)),
                     fmt_number(r.total), r.band if isinstance(r.band, str) else "", str(r.rank)))
    legend = "; ".join(f"{c.id}: {c.title}" for c in contents)
    notes = (f"Ghi chú: {legend}.",
             "Điểm nội dung là điểm do Khối chấm; tổng điểm = điểm tiêu chí + điểm cộng - điểm trừ"
             + (f"; đơn vị bằng tổng điểm được xếp theo {_tie_break_text(cov.tie_break)}." if len(cov.tie_break) > 1 else "."))
    return Grid(header, tuple(rows), widths, ("center", "left", *["center"] * (len(header) - 2)), notes, 10.5)


def bao_cao(res: PeriodResult, doc: DocumentInputs, ballots: pd.DataFrame | None) -> dict:
    p, y = res.period, res.period.year
    annual = p.is_annual
    kind = "tổng kết công tác thi đua, khen thưởng" if annual else "sơ kết công tác thi đua, khen thưởng"
    sections = ["situation", "contents", "scoring"] + (["awards"] if annual else []) + ["shortcomings", "directions"]
    cov = res.covenant
    signed = f" ký ngày {fmt_date(cov.signed_on)}" if cov.signed_on else ""
    where = f" tại {cov.signed_at}" if cov.signed_at else ""
    u = res.units
    contents_intro = (f"{cov.title} của Khối{signed}{where} gồm {count_text(len(cov.contents))} nội dung, "
                      f"{count_text(len(cov.criteria))} tiêu chí, tổng số {amount(cov.total)} điểm. "
                      f"Có {count_text(int(u['submitted'].sum()))}/{count_text(len(u))} đơn vị nộp bảng tự chấm điểm. "
                      "Kết quả thực hiện từng nội dung (điểm do Khối chấm) như sau:")
    targets = _target_items(res) + _registration_items(res)
    meeting_day = fmt_date(doc.meeting.date) if doc.meeting else fmt_date(doc.date)
    next_period = f"năm {y + 1}" if annual else ("6 tháng cuối năm " + str(y) if p.kind == "half" and p.number == 1 else f"năm {y + 1}")
    narr = doc.narrative
    return {
        **_common(res, doc, "bao_cao"),
        "summary": f"{kind[0].upper()}{kind[1:]} {p.label_vi} của {res.bloc_name}",
        "report_kind": kind,
        "is_annual": annual,
        "num": {s: ordinal_roman(i) for i, s in enumerate(sections, start=1)},
        "situation": Narrative(narr.situation, f"đặc điểm tình hình của Khối {p.label_vi}"),
        "contents_intro": contents_intro,
        "contents": _content_items(res, doc),
        "targets": targets,
        "targets_number": str(len(cov.contents) + 1),
        "targets_narrative": Narrative(narr.targets, ""),
        "scoring_summary": _scoring_summary(res, doc),
        "awards_intro": (f"Căn cứ kết quả chấm điểm, xếp hạng và kết quả bỏ phiếu kín tại Hội nghị bình xét ngày {meeting_day}, "
                         f"{res.bloc_name} đề nghị:"),
        "proposals": proposals(res, ballots, figures=True) if annual else [],
        "shortcomings": Narrative(narr.shortcomings, f"tồn tại, hạn chế {p.label_vi}"),
        "directions": Narrative(narr.directions, f"phương hướng, nhiệm vụ {next_period}"),
        "next_period": next_period,
        "scorecard": scorecard(res),
    }


# --------------------------------------------------------------------------- biên bản

def _person(p) -> str:
    return f"{p.name}, {p.position}" if p.position else p.name


def ballot_sections(res: PeriodResult, ballots: pd.DataFrame | None) -> list[dict]:
    out = []
    cov = res.covenant
    for award in _awards(res):
        rows = ballot_rows(res, award, ballots)
        table = []
        for i, r in enumerate(rows.to_dict("records"), start=1):
            def count(k):
                v = r[k]
                return "—" if v is None or pd.isna(v) else f"{int(v)}"
            table.append({"stt": str(i), "name": r["name"], "issued": count("issued"), "returned": count("returned"),
                          "valid": count("valid"), "in_favour": count("in_favour"),
                          "share": fmt_percent(r["share"]) if r["has_data"] and pd.notna(r["share"]) else "—",
                          "result": result_text(r)})
        if award.min_vote_share is not None:
            rule = f"Điều kiện: {rule_text(award)} ({cov.title})."
        else:
            rule = "Giao ước không quy định tỷ lệ phiếu tối thiểu đối với hình thức này; kết quả bỏ phiếu được ghi để Hội nghị xem xét."
        notes = tie_notes(res, award)
        lacking = list(rows.loc[~rows["has_data"], "name"]) if len(rows) else []
        if lacking:
            notes.append(f"[Khối bổ sung: số phiếu của {join_names(lacking)}]")
        if len(rows) and rows["returned"].isna().all() and rows["has_data"].any():
            notes.append("Số phiếu thu về và phiếu hợp lệ chưa được ghi (chỉ có tệp votes.csv): Khối bổ sung tệp ballots.csv.")
        nom = _nominees(res, award)
        conclusion = (f"Hội nghị thống nhất đề nghị tặng {award.title} cho {count_text(len(nom))} tập thể: "
                      f"{join_names(list(nom['name']))}." if len(nom) else
                      f"Không có tập thể đủ điều kiện đề nghị tặng {award.title}.")
        out.append({"award": f"Bình xét đề nghị tặng {award.title}", "rule": rule, "rows": table, "notes": notes,
                    "conclusion": conclusion})
    return out


def bien_ban(res: PeriodResult, doc: DocumentInputs, ballots: pd.DataFrame | None) -> dict:
    m = doc.meeting
    y = res.period.year
    absent = {a.unit: a.reason for a in m.absent}
    present = []
    for r in res.units.itertuples():
        if r.unit_id in absent:
            continue
        rep = m.representatives.get(r.unit_id, "")
        present.append(f"{r.name}: {rep}" if rep else r.name)
    names = dict(zip(res.units["unit_id"], res.units["name"]))
    absent_text = "; ".join(f"{names[u]}" + (f" (lý do: {why})" if why else "") for u, why in absent.items()) or "không"
    score_rows = []
    for i, r in enumerate(_ranking(res).itertuples(), start=1):
        if not r.submitted:
            score_rows.append({"stt": str(i), "name": r.name, "self": "", "criteria": "", "bonus": "", "penalty": "",
                               "total": "", "band": "", "rank": "Chưa nộp"})
            continue
        score_rows.append({"stt": str(i), "name": r.name, "self": fmt_number(r.self_criteria), "criteria": fmt_number(r.criteria_total),
                           "bonus": fmt_number(r.bonus), "penalty": fmt_number(abs(r.penalty)), "total": fmt_number(r.total),
                           "band": r.band if isinstance(r.band, str) else "", "rank": str(r.rank)})
    ranked = _ranking(res)
    ranked = ranked[ranked["rank"].notna()]
    lead = f" Đơn vị dẫn đầu Khối: {ranked.iloc[0]['name']} ({fmt_number(ranked.iloc[0]['total'])} điểm)." if len(ranked) else ""
    return {
        **_common(res, doc, "bien_ban"),
        "summary": f"Họp bình xét thi đua, khen thưởng năm {y} của {res.bloc_name}",
        "opening": f"Thời gian: bắt đầu lúc {clock(m.start)}, {long_date(m.date)}.",
        "meeting": {"place": m.place, "chair": {"name": m.chair.name}, "secretary": {"name": m.secretary.name}},
        "chair": _person(m.chair),
        "secretary": _person(m.secretary),
        "guests": "; ".join(m.guests),
        "present": present,
        "present_count": count_text(len(present)),
        "member_count": count_text(len(res.units)),
        "absent": absent_text,
        "scores_intro": ("Hội nghị đã nghe Trưởng khối báo cáo kết quả tự chấm điểm của các đơn vị và kết quả kiểm tra, "
                         "chấm điểm của Khối; sau khi thảo luận, Hội nghị thống nhất thông qua bảng tổng hợp kết quả chấm điểm như sau:"),
        "score_rows": score_rows,
        "scores_conclusion": f"Kết quả xếp loại: {_band_counts(res)}.{lead}",
        "discussion": Narrative(doc.narrative.discussion, "ý kiến thảo luận của các đơn vị tại Hội nghị"),
        "ballot_committee": "; ".join(m.ballot_committee),
        "ballots": ballot_sections(res, ballots),
        "closing": f"Hội nghị kết thúc lúc {clock(m.end)} cùng ngày. Biên bản đã được đọc lại và thông qua tại Hội nghị./.",
    }


# --------------------------------------------------------------------------- tờ trình and its list

def _awards_phrase(props: list[dict]) -> str:
    return join_names([p["award"] for p in props])


def _basis(text: str) -> str:
    text = text.strip().rstrip(";.")
    return text if text.lower().startswith("căn cứ") else f"Căn cứ {text}"


def to_trinh(res: PeriodResult, doc: DocumentInputs, ballots: pd.DataFrame | None) -> dict:
    cov = res.covenant
    y = res.period.year
    props = proposals(res, ballots, figures=False)
    bases = [_basis(b) for b in cov.legal_basis]
    bases.append(f"Căn cứ {cov.title} của {res.bloc_name}" + (f" ký ngày {fmt_date(cov.signed_on)}" if cov.signed_on else ""))
    bases.append(f"Căn cứ Biên bản họp bình xét thi đua, khen thưởng năm {y} của Khối ngày {fmt_date(doc.meeting.date)}")
    bases = [b + (";" if i < len(bases) - 1 else ".") for i, b in enumerate(bases)]
    return {
        **_common(res, doc, "to_trinh"),
        "summary": f"Về việc đề nghị tặng {_awards_phrase(props)} năm {y}",
        "bases": bases,
        "proposal_intro": (f"Căn cứ kết quả chấm điểm, xếp hạng và bỏ phiếu kín bình xét thi đua năm {y}, {res.bloc_name} "
                           f"kính trình {doc.addressee} xem xét, đề nghị khen thưởng cho các tập thể sau:"),
        "proposals": props,
    }


def danh_sach(res: PeriodResult, doc: DocumentInputs, ballots: pd.DataFrame | None) -> dict:
    y = res.period.year
    rows = []
    for award in _awards(res):
        nom = _nominees(res, award)
        shares = _shares(res, award, ballots)
        for r in nom.itertuples():
            share = shares.get(r.unit_id)
            note = "" if share is not None or award.min_vote_share is None else "chưa có số liệu phiếu"
            rows.append({"stt": str(len(rows) + 1), "name": r.name, "award": award.title, "total": fmt_number(r.total),
                         "rank": str(r.rank), "share": fmt_percent(share) if share is not None else "", "note": note})
    props = proposals(res, ballots, figures=False)
    common = _common(res, doc, "to_trinh")
    return {**common, "summary": f"Tập thể đề nghị tặng {_awards_phrase(props)} năm {y}", "rows": rows,
            "count": count_text(len(rows))}


BUILDERS = {"bao-cao": bao_cao, "bien-ban": bien_ban, "to-trinh": to_trinh, "danh-sach": danh_sach}


def documents_for(res: PeriodResult) -> list[str]:
    """Which documents a period has: the report always; the minutes and the submission at year end."""
    return list(BUILDERS) if res.period.is_annual else ["bao-cao"]
