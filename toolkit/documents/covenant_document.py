"""What the covenant document (giao ước thi đua) shows, from the covenant, the registry and the heads.

Made before the year has any data: nothing here reads scores. Every sentence is worded from
the covenant's settings (points, kinds of criteria, targets with that year's rating labels,
bands, bonus and penalty events, quotas worked out on the year's membership, vote thresholds,
tie-breaks), so what the members sign is what the toolkit will apply. The signature table
has one cell per member with its head in office on the signing day (``heads.csv``), or a
visible "[Khối bổ sung: ...]" where the secretariat has not entered one yet.
"""
from __future__ import annotations

import datetime as _dt

import pandas as pd

from toolkit.engine.ballot_count import base_text
from toolkit.documents.decree30_docx import LANDSCAPE_WIDTH_CM
from toolkit.documents.template_data import Grid, _tie_break_text, amount
from toolkit.documents.vietnamese_format import count_text, join_names, long_date
from toolkit.engine.nominations import quota_size
from toolkit.model.ballots import threshold_text
from toolkit.model.covenant import ORGANISATION_VI, Award, Covenant, Criterion
from toolkit.model.heads import Head
from toolkit.model.registry import ROLES
from toolkit.model.rounding import ROUNDING_VI
from toolkit.model.text import fmt_number, fmt_percent
from toolkit.model.vocabulary import Vocabulary

MISSING = "[Khối bổ sung: {}]"


def _pct(x: float) -> str:
    return fmt_percent(x, 0 if abs(x * 100 - round(x * 100)) < 1e-9 else 1)


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def how_scored(k: Criterion) -> str:
    """How a criterion's points are given, as the members read it."""
    if k.kind == "pass_fail":
        return f"đạt: {amount(k.max)} điểm; không đạt: 0 điểm"
    if k.kind == "count":
        return f"{amount(k.points_per_event)} điểm mỗi lần, tối đa {amount(k.max)} điểm"
    if k.kind == "target":
        unit = k.unit.strip()
        target = f"{amount(k.target)}{unit if unit == '%' else ' ' + unit if unit else ''}"
        better = "thấp hơn" if k.lower_is_better else "cao hơn"
        text = (f"chỉ tiêu {target} ({'càng thấp càng tốt' if k.lower_is_better else 'càng cao càng tốt'}): đạt chỉ tiêu được "
                f"{amount(k.max / 2)} điểm, chưa đạt tính theo tỷ lệ thực hiện; {amount(k.max / 2)} điểm còn lại chia theo mức "
                f"{better} chỉ tiêu so với đơn vị vượt nhiều nhất")
        return text + (f" (mức vượt tính tối đa {_pct(k.max_excess)})" if k.max_excess else "")
    return f"chấm từ 0 đến {amount(k.max)} điểm"


def _label(vocab: Vocabulary, scale: str, level: str, year: int) -> str:
    """The label of ``level`` valid in ``year`` (the first the vocabulary lists), else the level's own label."""
    s = vocab.scales[scale]
    v = s.version(year)
    if v is not None:
        for text, key in zip(v.display, v.labels):
            if v.labels[key] == level:
                return text
    return s.display(level)


def staff_targets(cov: Covenant, vocab: Vocabulary) -> list[str]:
    """'100% cán bộ, công chức, viên chức hoàn thành nhiệm vụ trở lên, trong đó ít nhất 15% hoàn thành xuất sắc nhiệm vụ.'"""
    staff = vocab.scales["staff"]
    items = sorted(cov.targets.staff, key=lambda t: (-t.min_share, staff.rank(t.min_level)))
    if not items:
        return []

    def part(t) -> str:
        top = staff.rank(t.min_level) == len(staff.levels) - 1
        level = _lower(_label(vocab, "staff", t.min_level, cov.year)) + ("" if top else " trở lên")
        return f"{'100%' if t.min_share >= 1 else 'ít nhất ' + _pct(t.min_share)} {{who}}{level}"

    first = part(items[0]).replace("{who}", "cán bộ, công chức, viên chức ")
    rest = [part(t).replace("{who}", "") for t in items[1:]]
    text = first + (", trong đó " + ", ".join(rest) if rest else "")
    return [text[:1].upper() + text[1:] + "."]


def org_targets(cov: Covenant, vocab: Vocabulary) -> list[str]:
    out = []
    for t in cov.targets.organisations:
        scale = "party" if t.organisation == "party" else "mass"
        top = vocab.scales[scale].rank(t.min_level) == len(vocab.scales[scale].levels) - 1
        label = _label(vocab, scale, t.min_level, cov.year)
        out.append(f"{ORGANISATION_VI[t.organisation]}{'' if t.required else ' (ở đơn vị có tổ chức này)'} được xếp loại "
                   f"“{label}”{'' if top else ' trở lên'}.")
    return out


def cap_text(cov: Covenant, vocab: Vocabulary) -> list[str]:
    cap = cov.targets.excellent_cap
    if cap is None:
        return []
    base = _lower(_label(vocab, "staff", cap.base_min_level, cov.year))
    scope = "trở lên" if cap.base_scope == "at_least" else "(chỉ mức này)"
    text = (f"Số cán bộ, công chức, viên chức được xếp loại “{_label(vocab, 'staff', cap.level, cov.year)}” không vượt quá "
            f"{_pct(cap.ratio)} số được xếp loại {base} {scope} của đơn vị ({ROUNDING_VI[cap.rounding]})")
    text += f", theo {cap.basis}" if cap.basis else ""
    return [text + ("." if cap.confirmed else "; quy định này chưa được đối chiếu với văn bản gốc.")]


def event_lines(cov: Covenant) -> list[str]:
    adj = cov.adjustments
    out = []
    for e in adj.events:
        verb = "cộng" if e.points > 0 else "trừ"
        out.append(f"{e.title}: {verb} {amount(abs(e.points))} điểm mỗi lần" + (f", tối đa {amount(e.cap)} điểm" if e.cap else "") + ".")
    caps = []
    if adj.bonus_cap is not None:
        caps.append(f"điểm cộng tối đa {amount(adj.bonus_cap)} điểm")
    if adj.penalty_cap is not None:
        caps.append(f"điểm trừ tối đa {amount(adj.penalty_cap)} điểm")
    if caps:
        out.append(f"Tổng {' và '.join(caps)}.")
    return out


def band_lines(cov: Covenant) -> list[str]:
    basis = "Tổng điểm (gồm điểm cộng, điểm trừ)" if cov.band_score == "total" else "Điểm các tiêu chí (không tính điểm cộng, điểm trừ)"
    out = [f"{basis} là căn cứ xếp loại:"]
    for b in cov.bands:
        cond = [f"từ {amount(b.min_total)} điểm trở lên"] if b.min_total > 0 else []
        if b.min_criterion_share > 0:
            cond.append(f"mỗi tiêu chí đạt từ {_pct(b.min_criterion_share)} điểm chuẩn trở lên")
        out.append(f"- {b.label}: {' và '.join(cond) if cond else 'các trường hợp còn lại'}.")
    return out


def award_text(cov: Covenant, a: Award, members: int) -> str:
    n, _ = quota_size(a, members)
    q = a.quota
    quota = (f"{count_text(n)} tập thể" if q.count is not None
             else f"không quá {_pct(q.share)} số đơn vị thành viên ({_pct(q.share)} × {members} = {fmt_number(q.share * members)}, "
                  f"{ROUNDING_VI[q.rounding]}: {count_text(n)} tập thể)")
    bands = {b.id: b.label for b in cov.bands}
    cond = []
    if a.min_band:
        cond.append(f"xếp loại “{bands[a.min_band]}” trở lên")
    if a.min_total is not None:
        cond.append(f"tổng điểm từ {amount(a.min_total)} điểm trở lên")
    titles = {**{t.id: t.title for t in cov.targets.staff}, **{t.id: t.title for t in cov.targets.organisations}}
    if a.required_targets == "all":
        cond.append("đạt tất cả các chỉ tiêu thi đua")
    elif a.required_targets:
        cond.append("đạt chỉ tiêu: " + "; ".join(titles.get(t, t) for t in a.required_targets))
    if a.disqualifying_events:
        cond.append("không có trường hợp: " + "; ".join(_lower(cov.event(e).title) for e in a.disqualifying_events if cov.event(e)))
    if a.require_cap_compliance:
        cond.append("tỷ lệ xếp loại hoàn thành xuất sắc nhiệm vụ không vượt mức quy định")
    if a.min_vote_share is not None:
        cond.append(f"được {threshold_text(a, _pct(a.min_vote_share))} số phiếu đồng ý khi bỏ phiếu kín, {base_text(a)}")
    excluded = [x.title for x in cov.awards if x.id in a.excludes]
    if excluded:
        cond.append(f"không xét đơn vị đã được đề nghị {join_names(excluded)}")
    text = f"{a.title}: {quota}"
    text += f"; xét theo thứ tự xếp hạng trong số các đơn vị {', '.join(cond)}" if cond else "; xét theo thứ tự xếp hạng"
    return text + (f" (căn cứ: {a.basis.rstrip('.')})." if a.basis else ".")


def content_items(cov: Covenant) -> list[dict]:
    return [{"number": str(i), "title": c.title, "max": amount(sum(k.max for k in c.criteria)),
             "criteria": [f"{k.id}. {k.title}: {amount(k.max)} điểm ({how_scored(k)})." for k in c.criteria]}
            for i, c in enumerate(cov.contents, start=1)]


def scoring_table(cov: Covenant) -> Grid:
    """The annex: every content and criterion with its points and how it is scored."""
    fixed = [1.3, 2.2, 9.0]
    widths = (fixed[0], round(LANDSCAPE_WIDTH_CM - sum(fixed), 2), fixed[1], fixed[2])
    rows = []
    for i, c in enumerate(cov.contents, start=1):
        rows.append((str(i), c.title.upper(), amount(sum(k.max for k in c.criteria)), ""))
        rows += [(f"{i}.{j}", f"{k.title} ({k.id})", amount(k.max), how_scored(k)) for j, k in enumerate(c.criteria, start=1)]
    rows.append(("", "TỔNG CỘNG", amount(cov.total), ""))
    notes = (f"Điểm được làm tròn đến {cov.decimals} chữ số thập phân (làm tròn nửa lên).",)
    return Grid(("STT", "Nội dung, tiêu chí", "Điểm chuẩn", "Cách chấm điểm"), tuple(rows), widths,
                ("center", "left", "center", "left"), notes, 11)


def signature_rows(members: pd.DataFrame, heads: dict[str, Head]) -> list[dict]:
    """Two signature cells a row: leader, deputy, then the other members, each with its head or a placeholder."""
    order = {"leader": 0, "deputy": 1, "member": 2}
    m = members.assign(_o=members["role"].map(order)).sort_values("_o", kind="stable")
    cells = []
    for r in m.itertuples():
        h = heads.get(r.unit_id)
        cells.append({"unit": r.name, "role": ROLES[r.role] if r.role != "member" else "",
                      "title": h.title if h else "", "name": h.name if h else MISSING.format(f"chức danh, họ tên người đứng đầu {r.name}")})
    blank = {"unit": "", "role": "", "title": "", "name": ""}
    return [{"left": cells[i], "right": cells[i + 1] if i + 1 < len(cells) else blank} for i in range(0, len(cells), 2)]


def giao_uoc(cov: Covenant, bloc_name: str, province: str, members: pd.DataFrame, heads: dict[str, Head],
             vocab: Vocabulary, synthetic: bool) -> dict:
    """The values of the giao-uoc template (docs/documents.md)."""
    signed = _dt.date.fromisoformat(cov.signed_on) if cov.signed_on else None
    place_date = f"{province}, {long_date(signed)}" if signed else f"{province}, ngày ... tháng ... năm {cov.year}"
    bases = [b.strip().rstrip(";.") for b in cov.legal_basis]
    bases = [(b if b.lower().startswith("căn cứ") else f"Căn cứ {b}") + (";" if i < len(bases) - 1 else ".") for i, b in enumerate(bases)]
    roles = {r: list(members.loc[members["role"] == r, "name"]) for r in ROLES}
    lead = "; ".join(f"{ROLES[r]}: {join_names(roles[r])}" for r in ("leader", "deputy") if roles[r])
    n = len(members)
    intro = (f"Thực hiện phong trào thi đua năm {cov.year}, {count_text(n)} đơn vị thành viên {bloc_name}"
             + (f" ({lead})" if lead else "") + f" thống nhất ký kết {cov.title} với các nội dung sau:")
    where = f" tại {cov.signed_at}" if cov.signed_at else ""
    when = f" ngày {signed:%d/%m/%Y}" if signed else ""
    ties = _tie_break_text(cov.tie_break)
    return {
        "synthetic": synthetic,
        "parent_body": f"UBND tỉnh {province}",
        "issuer": bloc_name,
        "place_date": place_date,
        "year": str(cov.year),
        "heading": cov.title.upper(),
        "bloc_name": bloc_name,
        "title": cov.title,
        "summary": bloc_name,
        "bases": bases,
        "intro": intro,
        "contents": content_items(cov),
        "total": amount(cov.total),
        "staff_targets": staff_targets(cov, vocab),
        "org_targets": org_targets(cov, vocab),
        "cap": cap_text(cov, vocab),
        "events": event_lines(cov),
        "bands": band_lines(cov),
        "ranking": ("Các đơn vị được xếp hạng theo tổng điểm từ cao xuống thấp"
                    + (f"; đơn vị bằng tổng điểm được xếp theo {ties}." if ties else "; đơn vị bằng tổng điểm được xếp đồng hạng.")),
        "awards": [award_text(cov, a, n) for a in cov.awards if "year" in a.periods],
        "quota_ties": "Khi các đơn vị bằng điểm ở vị trí cuối cùng của hạn mức, Hội nghị Khối bỏ phiếu để quyết định.",
        "notes": list(cov.notes),
        "closing": (f"{cov.title} được các đơn vị thành viên thống nhất ký kết{where}{when}; các đơn vị có trách nhiệm tổ chức "
                    "thực hiện, tự chấm điểm theo bảng chấm điểm tại Phụ lục và gửi Trưởng khối đúng thời hạn./."),
        "signatures": signature_rows(members, heads),
        "scoring_table": scoring_table(cov),
        "pending": [f"{p.key}: {p.note}" for p in cov.to_decide],
    }
