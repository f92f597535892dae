"""What changed in a bloc's covenant from one year to the next, so a reader knows when a comparison
across years crosses a rule change.

Contents, criteria, events, bands, targets and awards are matched by their ids; for each one that
is kept, every rule field that differs is named with its old and new value. Identification (title,
date and place of signing, source, notes) is not a rule and is not compared. Each change says
whether it changes how points are counted (``affects_scores``): criteria, maxima, bonus and
penalty rules; bands, targets, caps and awards change verdicts, not points.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from toolkit.engine.ballot_count import BASE_VI
from toolkit.model.covenant import ORGANISATION_VI, Covenant
from toolkit.model.rounding import ROUNDING_VI
from toolkit.model.text import fmt_number, fmt_percent


@dataclass(frozen=True)
class Change:
    year: int  # the year the new rule applies from
    part: str  # "Tiêu chí", "Xếp loại", "Khen thưởng", ... (Vietnamese, for the report)
    item: str  # the id of what changed ("N1.2", "co_thi_dua"), or "" for the covenant as a whole
    name: str  # what changed as a reader knows it ("N1.2. Tỷ lệ nhiệm vụ ...", "Cờ thi đua của UBND tỉnh")
    change: str  # "thêm", "bỏ" or "đổi"
    detail: str  # what changed, in words, with the old and new values
    affects_scores: bool


def _num(v) -> str:
    return "không có" if v is None else fmt_number(v, 2).rstrip("0").rstrip(",")


def _share(v) -> str:
    if v is None:
        return "không có"
    whole = abs(float(v) * 100 - round(float(v) * 100)) < 1e-9
    return fmt_percent(v, 0 if whole else 1)


def _yes(v) -> str:
    return "có" if v else "không"


def _text(v) -> str:
    if v is None or v == "" or v == []:
        return "không có"
    if isinstance(v, list):
        return "; ".join(map(str, v))
    return str(v)


def _rounding(v) -> str:
    return ROUNDING_VI.get(v, str(v))


def _quota(q: dict) -> str:
    if q.get("count") is not None:
        return f"{q['count']} đơn vị"
    return f"{_share(q.get('share'))} số thành viên ({_rounding(q.get('rounding'))})"


KINDS_VI = {"graded": "chấm điểm", "pass_fail": "đạt/không đạt", "count": "tính theo số lần", "target": "so với chỉ tiêu",
            "deduction": "chấm trừ theo số lần vi phạm"}

# field -> (Vietnamese name, how its values are written); fields not listed are compared as text
FIELDS: dict[str, tuple[str, Callable[[object], str]]] = {
    "title": ("tên", _text), "label": ("tên", _text),
    "max": ("điểm chuẩn", _num), "kind": ("cách chấm", lambda v: KINDS_VI.get(v, str(v))), "target": ("mức chỉ tiêu", _num),
    "points_per_event": ("điểm mỗi lần", _num), "points_per_violation": ("điểm trừ mỗi lần vi phạm", _num),
    "parent": ("thuộc tiêu chí", _text), "unit": ("đơn vị tính", _text), "lower_is_better": ("càng thấp càng tốt", _yes),
    "min_value": ("giá trị nhỏ nhất hợp lệ", _num), "max_value": ("giá trị lớn nhất hợp lệ", _num),
    "max_excess": ("mức vượt chỉ tiêu tối đa được tính", _share),
    "points": ("điểm", _num), "cap": ("mức trần", _num),
    "min_total": ("điểm tối thiểu", _num), "min_criterion_share": ("mỗi tiêu chí tối thiểu", _share),
    "min_level": ("mức tối thiểu", _text), "min_share": ("tỷ lệ tối thiểu", _share), "required": ("bắt buộc", _yes),
    "organisation": ("tổ chức", lambda v: ORGANISATION_VI.get(v, str(v))),
    "level": ("mức bị giới hạn", _text), "base_min_level": ("cơ sở tính từ mức", _text), "ratio": ("tỷ lệ trần", _share),
    "rounding": ("cách làm tròn", _rounding), "base_scope": ("phạm vi cơ sở tính", _text), "basis": ("căn cứ", _text),
    "confirmed": ("đã đối chiếu văn bản gốc", _yes),
    "quota": ("hạn mức", _quota), "periods": ("kỳ xét", _text), "min_band": ("xếp loại tối thiểu", _text),
    "required_targets": ("chỉ tiêu phải đạt", _text), "disqualifying_events": ("sự kiện loại trừ", _text),
    "require_cap_compliance": ("phải trong trần tỷ lệ xuất sắc", _yes), "min_vote_share": ("tỷ lệ phiếu tối thiểu", _share),
    "vote_rule": ("cách so tỷ lệ phiếu", lambda v: {"at_least": "từ mức trở lên", "more_than": "vượt mức"}.get(v, str(v))),
    "vote_base": ("tỷ lệ phiếu tính trên", lambda v: BASE_VI.get(v, str(v))),
    "excludes": ("không xét đơn vị đã được đề nghị", _text), "content": ("thuộc nội dung", _text),
}

# each list of the covenant matched by id: (where it sits, its Vietnamese part name, does it change points)
_LISTS = (
    (("adjustments", "events"), "Cộng, trừ điểm", True),
    (("bands",), "Xếp loại", False),
    (("targets", "staff"), "Chỉ tiêu", False),
    (("targets", "organisations"), "Chỉ tiêu", False),
    (("awards",), "Khen thưởng", False),
)


def _field_changes(old: dict, new: dict, skip: tuple[str, ...] = ("id",)) -> list[str]:
    out = []
    for key in dict.fromkeys([*old, *new]):
        if key in skip or old.get(key) == new.get(key):
            continue
        name, write = FIELDS.get(key, (key, _text))
        out.append(f"{name}: {write(old.get(key))} → {write(new.get(key))}")
    return out


def _title(x: dict) -> str:
    return x.get("title") or x.get("label") or x["id"]


def _keyed(old: list[dict], new: list[dict], year: int, part: str, affects: bool,
           name: Callable[[dict], str] = _title, what: Callable[[dict], str] = lambda x: "") -> list[Change]:
    """Items added, changed (field by field) and removed between two lists matched by ``id``."""
    before, after = {x["id"]: x for x in old}, {x["id"]: x for x in new}
    out = []
    for key, x in after.items():
        if key not in before:
            out.append(Change(year, part, key, name(x), "thêm", what(x), affects))
        else:
            diff = _field_changes(before[key], x)
            if diff:
                out.append(Change(year, part, key, name(x), "đổi", "; ".join(diff), affects))
    out += [Change(year, part, key, name(x), "bỏ", what(x), affects) for key, x in before.items() if key not in after]
    return out


def _get(d: dict, path: tuple[str, ...]):
    for key in path:
        d = d.get(key) or {}
    return d or []


def _criteria(dump: dict) -> list[dict]:
    """Criteria and their parts as one list matched by id: a part keeps its parent's id, so a part moved,
    added or split off is named as such; a parent's parts are compared one by one, not as one field."""
    out = []
    for c in dump["contents"]:
        for k in c["criteria"]:
            parts = k.get("parts") or []
            out.append({**{f: v for f, v in k.items() if f != "parts"}, "content": c["id"]})
            out += [{**{f: v for f, v in p.items() if f != "parts"}, "content": c["id"], "parent": k["id"]} for p in parts]
    return out


def covenant_changes(old: Covenant, new: Covenant) -> list[Change]:
    """Every rule that differs between two covenants of a bloc (``new`` is the later year), in covenant order."""
    year = new.year
    a, b = old.model_dump(), new.model_dump()
    out: list[Change] = []
    for key, name in (("total", "tổng điểm chuẩn"), ("decimals", "số chữ số thập phân"), ("band_score", "điểm so với ngưỡng xếp loại")):
        if a[key] != b[key]:
            write = _num if key == "total" else _text
            out.append(Change(year, "Thang điểm", "", "Giao ước", "đổi", f"{name}: {write(a[key])} → {write(b[key])}", True))
    # contents, then criteria matched across the whole covenant (a criterion may move to another content)
    numbered = lambda x: f"{x['id']}. {x['title']}"  # noqa: E731
    out += _keyed([{k: v for k, v in c.items() if k != "criteria"} for c in a["contents"]],
                  [{k: v for k, v in c.items() if k != "criteria"} for c in b["contents"]], year, "Nội dung", True, numbered,
                  lambda c: f"{_num(sum(k['max'] for k in c.get('criteria', [])))} điểm" if c.get("criteria") else "")
    crit_a, crit_b = _criteria(a), _criteria(b)
    out += _keyed(crit_a, crit_b, year, "Tiêu chí", True, numbered,
                  lambda k: f"{_num(k['max'])} điểm, {KINDS_VI.get(k['kind'], k['kind'])}, thuộc nội dung {k['content']}")
    for key, name in (("bonus_cap", "trần điểm thưởng"), ("penalty_cap", "trần điểm trừ")):
        if a["adjustments"][key] != b["adjustments"][key]:
            out.append(Change(year, "Cộng, trừ điểm", "", "Giao ước", "đổi", f"{name}: {_num(a['adjustments'][key])} → {_num(b['adjustments'][key])}", True))
    for path, part, affects in _LISTS:
        out += _keyed(_get(a, path), _get(b, path), year, part, affects)
    cap_a, cap_b = a["targets"]["excellent_cap"], b["targets"]["excellent_cap"]
    if cap_a != cap_b:
        if cap_a is None or cap_b is None:
            out.append(Change(year, "Trần tỷ lệ xuất sắc", "", "Trần tỷ lệ hoàn thành xuất sắc nhiệm vụ", "thêm" if cap_a is None else "bỏ",
                              f"trần {_share((cap_b or cap_a)['ratio'])}", False))
        else:
            out.append(Change(year, "Trần tỷ lệ xuất sắc", "", "Trần tỷ lệ hoàn thành xuất sắc nhiệm vụ", "đổi", "; ".join(_field_changes(cap_a, cap_b)), False))
    if a["tie_break"] != b["tie_break"]:
        out.append(Change(year, "Phân hạng khi bằng điểm", "", "Thứ tự tiêu chí phân hạng", "đổi", f"{_text(a['tie_break'])} → {_text(b['tie_break'])}", False))
    if a["legal_basis"] != b["legal_basis"]:
        out.append(Change(year, "Căn cứ", "", "Căn cứ pháp lý của giao ước", "đổi", f"{_text(a['legal_basis'])} → {_text(b['legal_basis'])}", False))
    return out
