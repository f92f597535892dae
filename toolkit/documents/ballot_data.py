"""What the ballot papers (phiếu bầu) and the ballot committee's minutes (biên bản kiểm phiếu) show.

Pure, like :mod:`toolkit.documents.template_data`: the period's results, the secretariat's
inputs and the engine's count of the votes in, one dict per document out.

The candidates of an award's ballot are every ranked member in rank order (the bloc votes on
its members, as the sample's ballots do), then any unit that already has a vote for it; the
paper shows each one's total and rank, since the meeting votes after adopting the score table.
Before the meeting there is no count yet: the minutes of the count are then a form with dotted
blanks for the committee to fill in by hand, never zeros.
"""
from __future__ import annotations

import re

import pandas as pd

from toolkit.documents.template_data import _awards, _common, _nominees
from toolkit.documents.vietnamese_format import count_text, doc_number, join_names, long_date
from toolkit.documents.voting import ballot_rows, result_text
from toolkit.engine.ballot_count import base_text, rule_text
from toolkit.model.ballots import threshold_text
from toolkit.engine.evaluate import PeriodResult
from toolkit.model.covenant import Award
from toolkit.model.secretariat import DocumentInputs
from toolkit.model.text import fmt_number, fmt_percent, sort_key

BLANK = "……"
HOW_TO_VOTE = [
    "Đồng ý đề nghị khen thưởng đơn vị nào thì đánh dấu (X) vào ô “Đồng ý” cùng dòng với đơn vị đó; "
    "không đồng ý thì để trống ô.",
    "Không ghi thêm tên, ký hiệu hay nội dung nào khác vào phiếu.",
]
INVALID = [
    "Phiếu không phải do Ban kiểm phiếu phát ra tại Hội nghị;",
    "Phiếu ghi thêm tên đơn vị hoặc nội dung khác ngoài danh sách;",
    "Phiếu đánh dấu ngoài ô “Đồng ý”, gạch xóa hoặc sửa chữa không rõ ý chí của người bỏ phiếu;",
    "Phiếu rách, nát hoặc nhàu đến mức không đọc được.",
]


def candidates(res: PeriodResult, award: Award, votes: pd.DataFrame | None) -> pd.DataFrame:
    """unit_id, name, rank, total of the award's candidates: the ranked members, then the other units with a vote."""
    u = res.units.assign(_k=res.units["name"].map(sort_key))
    ranked = u[u["rank"].notna()].sort_values(["rank", "_k"], kind="stable")
    voted = set(votes.loc[votes["award_id"] == award.id, "unit_id"]) if votes is not None and len(votes) else set()
    extra = u[u["unit_id"].isin(voted - set(ranked["unit_id"]))].sort_values("_k", kind="stable")
    return pd.concat([ranked, extra])[["unit_id", "name", "rank", "total"]].reset_index(drop=True)


def _heading(award: Award, year: int) -> str:
    return f"Bình xét đề nghị tặng {award.title} năm {year}"


def phieu_bau(res: PeriodResult, doc: DocumentInputs, votes: pd.DataFrame | None) -> dict:
    """One paper per award: the candidates in rank order with their totals, a column to tick, how to vote, what is invalid."""
    y = res.period.year
    papers = []
    for award in _awards(res):
        rows = [{"stt": str(i), "name": r.name, "total": fmt_number(r.total) if pd.notna(r.total) else "",
                 "rank": str(int(r.rank)) if pd.notna(r.rank) else ""}
                for i, r in enumerate(candidates(res, award, votes).itertuples(), start=1)]
        rule = rule_text(award)
        papers.append({"heading": _heading(award, y), "rows": rows,
                       "rule": f"Đơn vị được đề nghị khi đạt {rule}." if rule else ""})
    return {**_common(res, doc, "bien_ban"), "summary": f"Bình xét thi đua, khen thưởng năm {y}", "papers": papers,
            "how_to_vote": HOW_TO_VOTE, "invalid": INVALID}


def _count(value) -> str:
    return BLANK if value is None or pd.isna(value) else fmt_number(float(value), 0)


def _award_counts(rows: pd.DataFrame) -> dict[str, str]:
    """The award's ballots issued, returned, valid, invalid and members present: one figure each when every
    candidate's row says the same, dotted when it was not recorded or differs between candidates."""
    counted = rows[rows["has_data"]]
    one = {}
    for k in ("issued", "returned", "valid", "present"):
        values = counted[k].unique()
        one[k] = float(values[0]) if len(values) == 1 and pd.notna(values[0]) else None
    both = one["returned"] is not None and one["valid"] is not None
    one["invalid"] = one["returned"] - one["valid"] if both else None
    return {k: _count(v) for k, v in one.items()}


def _member_name(line: str) -> str:
    """'Bà Đỗ Thu Hà (Sở Tài nguyên và Môi trường), Trưởng ban' -> 'Bà Đỗ Thu Hà' (the name the signature shows)."""
    name = re.split(r"\s*[(,]", line, maxsplit=1)[0].strip()
    return re.sub(r"^(Ông|Bà)\s+", "", name)


def bien_ban_kiem_phieu(res: PeriodResult, doc: DocumentInputs, votes: pd.DataFrame | None) -> dict:
    """The ballot committee's minutes: the committee, the counts per award, votes and share per candidate, the result, signatures."""
    m = doc.meeting
    y = res.period.year
    sections = []
    for award in _awards(res):
        rows = ballot_rows(res, award, votes)
        counted = bool(len(rows) and rows["has_data"].any())
        counts = _award_counts(rows) if counted else dict.fromkeys(("issued", "returned", "valid", "invalid", "present"), BLANK)
        table = []
        cand = candidates(res, award, votes)
        by_unit = rows.set_index("unit_id") if len(rows) else None
        for i, c in enumerate(cand.itertuples(), start=1):
            r = by_unit.loc[c.unit_id] if by_unit is not None and c.unit_id in by_unit.index else None
            has = r is not None and bool(r["has_data"])
            table.append({"stt": str(i), "name": c.name, "in_favour": _count(r["in_favour"]) if has else BLANK,
                          "share": fmt_percent(r["share"]) if has and pd.notna(r["share"]) else BLANK,
                          "result": result_text(r) if has else BLANK})
        base_count = BLANK
        if counted:
            b = rows.loc[rows["has_data"], "base_count"].dropna().unique()
            base_count = _count(b[0]) if len(b) == 1 else BLANK
        nom = _nominees(res, award)
        passed = [r["name"] for r in table if r["result"] == "Đạt"]
        if not counted:
            result = "Kết quả: [Ban kiểm phiếu ghi kết quả sau khi kiểm phiếu]"
        elif award.min_vote_share is None:
            result = "Giao ước không quy định tỷ lệ phiếu tối thiểu đối với hình thức này; kết quả được báo cáo Hội nghị xem xét."
        else:
            result = (f"Các đơn vị đạt tỷ lệ phiếu theo quy định: {join_names(passed)}." if passed
                      else "Không có đơn vị đạt tỷ lệ phiếu theo quy định.")
        proposed = (f"Theo thứ hạng và hạn mức của giao ước, đề nghị tặng {award.title} cho {count_text(len(nom))} tập thể: "
                    f"{join_names(list(nom['name']))}." if counted and len(nom) else "")
        unit = "phiếu" if award.vote_base in ("issued", "returned", "valid") else "đơn vị"
        threshold = (threshold_text(award, fmt_percent(award.min_vote_share, 0)) if award.min_vote_share is not None
                     else "giao ước không quy định")
        sections.append({"heading": _heading(award, y), **counts,
                         "show_present": award.vote_base == "present" or counts["present"] != BLANK,
                         "base": f"{base_text(award)} ({base_count} {unit})" if base_count != BLANK else base_text(award),
                         "rule": f"Điều kiện: {threshold}.", "rows": table, "result": result, "proposed": proposed})
    committee = list(m.ballot_committee) if m else []
    chair = _member_name(committee[0]) if committee else ""
    return {
        **_common(res, doc, "bien_ban"),
        "number": doc_number(None, "bien_ban", doc.code),
        "summary": f"Kiểm phiếu bình xét thi đua, khen thưởng năm {y}",
        "opening": (f"Vào lúc {BLANK} giờ {BLANK}, {long_date(m.date)}, tại {m.place}, Ban kiểm phiếu do Hội nghị bình xét "
                    f"thi đua, khen thưởng năm {y} của {res.bloc_name} bầu ra gồm:") if m else "",
        "committee": committee or ["[Khối bổ sung: thành phần Ban kiểm phiếu (meeting.ballot_committee)]"],
        "intro": "Ban kiểm phiếu đã tiến hành kiểm phiếu bầu; kết quả như sau:",
        "sections": sections,
        "closing": "Biên bản kiểm phiếu được lập xong và công bố trước Hội nghị; phiếu bầu được niêm phong, lưu cùng biên bản./.",
        "chair_name": chair,
        "members": [_member_name(x) for x in committee[1:]],
    }


BUILDERS = {"phieu-bau": phieu_bau, "bien-ban-kiem-phieu": bien_ban_kiem_phieu}
TITLES = {"phieu-bau": "Phiếu bầu", "bien-ban-kiem-phieu": "Biên bản kiểm phiếu"}
