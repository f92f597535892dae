"""What each nominee's achievement report (báo cáo thành tích) shows, in the collective form of the decree's appendix.

One report per collective the bloc proposes at year end, in the form the secretariat's
``achievement_form`` names (Mẫu số 02, Phụ lục I, Decree 98/2023 by default, until the
appendix of Decree 152/2025 that replaces it is confirmed). Section I comes from the registry
and the unit's record (``records/<unit_id>.yaml``, :mod:`toolkit.model.unit_records`);
section II from the period's results (scores per content, targets with their figures, rank,
band and the ballot) and the unit's own narrative; section III from
:func:`toolkit.model.unit_records.award_history`. What the unit has not written yet is a
visible "[Đơn vị bổ sung: ...]", so the report is drafted either way and the dossier's
checklist can say it is incomplete. Pure: frames and validated inputs in, a context out.
"""
from __future__ import annotations

import re

import pandas as pd

from toolkit.documents.decree30_docx import TEXT_WIDTH_CM
from toolkit.documents.template_data import Grid, Narrative, amount
from toolkit.documents.vietnamese_format import count_text, join_names, place_date
from toolkit.documents.voting import ballot_rows
from toolkit.engine.evaluate import PeriodResult
from toolkit.model.covenant import Award
from toolkit.model.registry import ROLES
from toolkit.model.secretariat import DocumentInputs
from toolkit.model.text import fmt_date, fmt_number, fmt_percent
from toolkit.model.unit_records import STATUS_VI, UnitRecord, award_history

UNIT = "Đơn vị"  # who fills in what is missing
_GAP = re.compile(r"\[Đơn vị bổ sung: [^\]]*\]")


def file_name(unit_id: str) -> str:
    return f"bao-cao-thanh-tich-{unit_id}"


def _missing(what: str) -> str:
    return f"[{UNIT} bổ sung: {what}]"


def nominees(res: PeriodResult) -> list[tuple[str, list[Award]]]:
    """Every nominated unit once, with the awards proposed for it: covenant order of the awards, then rank."""
    order = {a.id: i for i, a in enumerate(res.covenant.awards)}
    awards = {a.id: a for a in res.covenant.awards}
    n = res.nominations
    n = n.assign(_a=n["award_id"].map(order)).sort_values(["_a", "rank"], kind="stable")
    out: dict[str, list[Award]] = {}
    for r in n.itertuples():
        out.setdefault(r.unit_id, []).append(awards[r.award_id])
    return list(out.items())


def proposals_of(history_awards: pd.DataFrame, history_units: pd.DataFrame, unit_id: str, year: int) -> pd.DataFrame:
    """The bloc's proposals for ``unit_id`` over the history (``year``, ``award``, ``unit_name``), renames followed, mergers not.

    ``history_*`` are :class:`toolkit.reports.bloc_history.History` frames. A merged unit's
    predecessors' awards are theirs, not the merged unit's: only the unit's own organisation
    (the same ``org_id``) counts.
    """
    u = history_units
    org = u.loc[(u["unit_id"] == unit_id) & (u["year"] == year), "org_id"]
    if org.empty:
        return pd.DataFrame(columns=["year", "award", "unit_name", "granted"])
    a = history_awards[(history_awards["org_id"] == org.iloc[0]) & history_awards["nominated"]]
    names = u.drop_duplicates(["period", "unit_id"]).set_index(["period", "unit_id"])["name"]
    return pd.DataFrame({"year": a["period"].str[:4].astype(int),
                         "award": a["award"].astype(object),
                         "unit_name": [names.get((p, x), x) for p, x in zip(a["period"], a["unit_id"])],
                         # the province's outcome: True, False, or NA while no decision decides it
                         "granted": a["granted"].astype(object) if "granted" in a else pd.NA})


def _parts(line: str) -> dict:
    """A line as the template prints it: the text, the placeholder it holds (highlighted), the rest."""
    m = _GAP.search(line)
    if m is None:
        return {"text": line, "gap": "", "end": ""}
    return {"text": line[:m.start()], "gap": m.group(0), "end": line[m.end():]}


def _general(res: PeriodResult, unit: pd.Series, record: UnitRecord | None) -> list[str]:
    r = record
    lines = [f"- Tên tập thể: {r.full_name if r and r.full_name else unit['name']}."]
    lines.append(f"- Địa chỉ trụ sở: {r.address if r and r.address else _missing('địa chỉ trụ sở')}.")
    contact = [f"Điện thoại: {r.phone if r and r.phone else _missing('số điện thoại')}"]
    if r and r.email:
        contact.append(f"thư điện tử: {r.email}")
    if r and r.website:
        contact.append(f"trang thông tin điện tử: {r.website}")
    lines.append(f"- {'; '.join(contact)}.")
    head = f"{r.head.name}, {r.head.title}" if r and r.head else _missing("họ tên, chức vụ Thủ trưởng đơn vị")
    lines.append(f"- Thủ trưởng đơn vị: {head}.")
    s = r.structure if r else None
    if s and (s.departments or s.subordinate_units):
        parts = []
        if s.departments:
            parts.append(f"{count_text(len(s.departments))} phòng, ban chuyên môn ({', '.join(s.departments)})")
        if s.subordinate_units:
            parts.append(f"{count_text(len(s.subordinate_units))} đơn vị trực thuộc ({', '.join(s.subordinate_units)})")
        lines.append(f"- Cơ cấu tổ chức: {'; '.join(parts)}.")
    else:
        lines.append(f"- Cơ cấu tổ chức: {_missing('các phòng, ban chuyên môn và đơn vị trực thuộc')}.")
    staff = f"{s.staff} người" if s and s.staff is not None else _missing("tổng số cán bộ, công chức, viên chức, người lao động")
    lines.append(f"- Tổng số cán bộ, công chức, viên chức và người lao động: {staff}.")
    if s and s.party:
        lines.append(f"- Tổ chức đảng: {s.party}.")
    if s and s.mass_organisations:
        lines.append(f"- Tổ chức đoàn thể: {', '.join(s.mass_organisations)}.")
    role = ROLES.get(unit["role"], "") if isinstance(unit["role"], str) else ""
    lines.append(f"- Năm {res.period.year}, đơn vị là {role.lower() or 'thành viên'} {res.bloc_name}.")
    return lines


def _results_intro(res: PeriodResult, unit: pd.Series) -> str:
    cov = res.covenant
    n = len(res.units)
    band = f"; xếp loại: {unit['band']}" if isinstance(unit["band"], str) and unit["band"] else ""
    return (f"Thực hiện {cov.title} năm {res.period.year} của {res.bloc_name}, đơn vị tự chấm "
            f"{fmt_number(unit['self_criteria'])} điểm; Khối chấm {fmt_number(unit['criteria_total'])}/{amount(cov.total)} "
            f"điểm tiêu chí, điểm cộng {fmt_number(unit['bonus'])}, điểm trừ {fmt_number(abs(unit['penalty']))}, tổng điểm "
            f"{fmt_number(unit['total'])}; xếp thứ {int(unit['rank'])}/{count_text(n)} đơn vị của Khối{band}. "
            "Kết quả từng nội dung như sau:")


def content_grid(res: PeriodResult, unit_id: str) -> Grid:
    """Per content: the maximum, the unit's own score, the bloc's score and its share of the maximum."""
    c = res.contents[res.contents["unit_id"] == unit_id].set_index("content_id")
    rows = []
    for i, content in enumerate(res.covenant.contents, start=1):
        mx = sum(k.max for k in content.criteria)
        own = c["self_score"].get(content.id) if content.id in c.index else None
        final = c["final_score"].get(content.id) if content.id in c.index else None
        has = final is not None and pd.notna(final)
        rows.append((str(i), content.title, amount(mx), fmt_number(own) if own is not None and pd.notna(own) else "",
                     fmt_number(final) if has else "", fmt_percent(final / mx) if has and mx else ""))
    widths = (1.0, TEXT_WIDTH_CM - 1.0 - 1.7 - 1.7 - 1.7 - 1.9, 1.7, 1.7, 1.7, 1.9)
    return Grid(("STT", "Nội dung", "Điểm chuẩn", "Tự chấm", "Khối chấm", "Tỷ lệ so với điểm chuẩn"), tuple(rows), widths,
                ("center", "left", "center", "center", "center", "center"), size=12)


def _targets(res: PeriodResult, unit_id: str) -> list[str]:
    t = res.targets
    if t is None or t.empty:
        return []
    lines = []
    for r in t[t["unit_id"] == unit_id].itertuples():
        verdict = "đạt" if r.met is True else "chưa đạt" if r.met is False else "chưa có số liệu"
        detail = f" ({r.detail})" if isinstance(r.detail, str) and r.detail else ""
        lines.append(f"- {r.title}: {verdict}{detail}.")
    return lines


def _votes(res: PeriodResult, doc: DocumentInputs, ballots, unit_id: str, awards: list[Award]) -> list[str]:
    day = f" ngày {fmt_date(doc.meeting.date)}" if doc.meeting else ""
    lines = []
    for award in awards:
        rows = ballot_rows(res, award, ballots)
        row = rows[rows["unit_id"] == unit_id]
        if len(row) and row["has_data"].iloc[0] and pd.notna(row["share"].iloc[0]):
            r = row.iloc[0]
            lines.append(f"Tại Hội nghị bình xét{day}, đơn vị được {int(r['in_favour'])}/{int(r['issued'])} phiếu đồng ý "
                         f"({fmt_percent(r['share'])} số phiếu phát ra), được Khối thống nhất đề nghị tặng {award.title}.")
        else:
            lines.append(f"Hội nghị bình xét{day} thống nhất đề nghị tặng {award.title}.")
    return lines


def award_grid(history: pd.DataFrame, current: str = "") -> Grid:
    rows = []
    for i, r in enumerate(history.itertuples(), start=1):
        if r.status == "proposed":
            decision = _missing("số, ngày quyết định, cơ quan ban hành nếu được tặng; bỏ dòng nếu không được tặng")
            note = STATUS_VI["proposed"] + (f" (khi đó là {r.unit_name})" if r.unit_name and r.unit_name != current else "")
        else:
            bits = [f"Quyết định số {r.decision}" if r.decision else _missing("số quyết định")]
            if r.decision_date is not None and pd.notna(r.decision_date):
                bits.append(f"ngày {fmt_date(r.decision_date)}")
            if r.issuer:
                bits.append(f"của {r.issuer}")
            decision = " ".join(bits)
            note = STATUS_VI[r.status] + (f" (tặng {r.unit_name})" if r.status == "granted" and r.unit_name and r.unit_name != current
                                          else "")
        rows.append((str(i), str(r.year), r.award, decision, note))
    widths = (1.0, 1.4, 5.2, TEXT_WIDTH_CM - 1.0 - 1.4 - 5.2 - 2.6, 2.6)
    return Grid(("STT", "Năm", "Danh hiệu thi đua, hình thức khen thưởng", "Số, ngày quyết định; cơ quan ban hành", "Ghi chú"),
                tuple(rows), widths, ("center", "center", "left", "left", "left"), size=12)


def form_text(doc: DocumentInputs) -> str:
    f = doc.achievement_form
    text = f"Theo {f.form}, {f.appendix} {f.decree}"
    return f"({text}; số mẫu chưa được xác nhận)" if not f.confirmed else f"({text})"


def bao_cao_thanh_tich(res: PeriodResult, doc: DocumentInputs, ballots: pd.DataFrame | None, unit_id: str,
                       awards: list[Award], record: UnitRecord | None, proposed: pd.DataFrame,
                       granted: pd.DataFrame | None = None) -> dict:
    """The context of one nominee's report; ``proposed`` as :func:`proposals_of` returns it, ``granted``
    as :func:`toolkit.reports.award_record.granted_history` does."""
    y = res.period.year
    unit = res.units.set_index("unit_id").loc[unit_id]
    unit = pd.concat([pd.Series({"unit_id": unit_id}), unit])
    name = record.full_name if record and record.full_name else unit["name"]
    history = award_history(proposed, record, before=y, granted=granted)
    leader = res.units.loc[res.units["role"] == "leader", "name"]
    head = record.head if record else None
    award_titles = join_names([a.title for a in awards])
    targets = _targets(res, unit_id)
    return {
        "synthetic": bool(res.source.get("synthetic") or doc.synthetic or (record and record.synthetic)),
        "parent_body": record.parent_body if record and record.parent_body else doc.parent_body,
        "issuer": unit["name"],
        "place_date": place_date(doc.place, doc.date),
        "date": fmt_date(doc.date),
        "year": str(y),
        "bloc_name": res.bloc_name,
        "summary": f"Đề nghị tặng {award_titles} năm {y}",
        "form": form_text(doc),
        "nominee": name,
        "general": [_parts(line) for line in _general(res, unit, record)],
        "characteristics": Narrative(record.characteristics if record else "",
                                     "những đặc điểm chính của đơn vị (quá trình thành lập, thuận lợi, khó khăn)", UNIT),
        "functions": Narrative(record.functions if record else "", "chức năng, nhiệm vụ được giao", UNIT),
        "results_intro": _results_intro(res, unit),
        "contents": content_grid(res, unit_id),
        "targets": targets,
        "num": {"votes": "3" if targets else "2", "achievements": "4" if targets else "3"},
        "votes": _votes(res, doc, ballots, unit_id, awards),
        "achievements": Narrative(record.achievements.get(y, "") if record else "",
                                  f"thành tích nổi bật năm {y} theo chức năng, nhiệm vụ được giao; biện pháp, nguyên nhân đạt "
                                  "được thành tích; việc thực hiện chủ trương, chính sách của Đảng, pháp luật của Nhà nước và "
                                  "hoạt động của tổ chức đảng, đoàn thể", UNIT),
        "has_awards": bool(len(history)),
        "awards": award_grid(history, unit["name"]),
        "no_awards": Narrative("", "các danh hiệu thi đua, hình thức khen thưởng đã được tặng (năm, hình thức, số, ngày quyết "
                                   "định, cơ quan ban hành)", UNIT),
        "head": {"title": head.title if head else "", "name": head.name if head else _missing("họ tên")},
        "confirmer": {"authority": doc.signer.authority, "title": doc.signer.title, "name": doc.signer.name,
                      "unit": leader.iloc[0] if len(leader) else ""},
    }
