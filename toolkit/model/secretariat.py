"""What the bloc's secretariat writes for its documents, which the results do not hold.

One YAML file per bloc and period, ``periods/<bloc>/<period>/documents.yaml``: the header of
the documents (place, parent and issuing body, number code, date, signer, recipients), the
year-end meeting (time, place, chair, secretary, attendance) and the narrative sections as
Markdown. It is validated like the covenant: every problem at once, each with the file and
the key path. Header data is mandatory (a document cannot go out without it); narrative is
not (a missing section becomes a visible placeholder in the draft). See docs/documents.md.
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, StringConstraints, ValidationError

from toolkit.errors import DataError, Problem
from toolkit.model.readers import read_yaml
from toolkit.model.schema import Model, schema_problems
from toolkit.model.periods import Period
from toolkit.model.text import normalize_tree

DOCUMENTS = "documents.yaml"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_TIME = re.compile(r"^([01]?\d|2[0-3])[:hH]([0-5]\d)$")
_CODE = re.compile(r"^[^\s/]+$")


class Person(Model):
    name: Text
    position: str = ""  # "Giám đốc Quỹ Đầu tư phát triển tỉnh"


class Absence(Model):
    unit: Text
    reason: str = ""


class Meeting(Model):
    date: _dt.date
    start: Text  # "08:30"
    end: Text  # "11:15"
    place: Text
    chair: Person
    secretary: Person
    representatives: dict[str, str] = {}  # unit_id -> "Ông Trần Văn Bình, Phó Giám đốc"
    absent: list[Absence] = []
    guests: list[str] = []
    ballot_committee: list[str] = []  # Ban kiểm phiếu, when the bloc elects one


class Signer(Model):
    authority: str = ""  # "TM. KHỐI THI ĐUA" (signing on behalf); empty when the head signs
    title: Text  # "Trưởng khối"
    name: Text


class Numbers(Model):
    """Document numbers; a missing one is left blank for the clerk (văn thư) to fill in at issue."""

    bao_cao: int | None = Field(None, ge=1)
    to_trinh: int | None = Field(None, ge=1)
    bien_ban: int | None = Field(None, ge=1)


class Narrative(Model):
    situation: str = ""  # I. Đặc điểm tình hình
    contents: dict[str, str] = {}  # per covenant content id: how the bloc carried it out
    targets: str = ""  # on the covenant's targets, after the figures
    shortcomings: str = ""  # Tồn tại, hạn chế
    directions: str = ""  # Phương hướng, nhiệm vụ
    discussion: str = ""  # biên bản: opinions at the meeting


class AchievementForm(Model):
    """Which appendix form the nominees' achievement reports follow: a setting, because the form that replaces
    Decree 98/2023's (Decree 152/2025) has not been read yet; ``confirmed: false`` makes the drafts say so."""

    form: Text = "Mẫu số 02"
    appendix: Text = "Phụ lục I"
    decree: Text = "Nghị định số 98/2023/NĐ-CP"
    confirmed: bool = True


class DocumentInputs(Model):
    synthetic: bool = False
    place: Text  # địa danh: "Bắc Ninh"
    parent_body: Text  # cơ quan chủ quản: "UBND tỉnh Bắc Ninh"
    issuer: Text  # the issuing body as on the header: "Khối thi đua kinh tế, kỹ thuật"
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=_CODE.pattern)]  # "KTKT" -> "Số: 05/BC-KTKT"
    numbers: Numbers = Numbers()
    date: _dt.date  # date of the report and the submission
    addressee: str = ""  # Kính gửi (mandatory for the year-end submission)
    signer: Signer
    recipients: dict[str, list[str]] = {}  # per document: bao_cao, to_trinh -> "Nơi nhận"
    archive: str = "VT"  # "- Lưu: VT, ..."
    meeting: Meeting | None = None  # year end: the review meeting (biên bản)
    narrative: Narrative = Narrative()
    achievement_form: AchievementForm = AchievementForm()  # the form of the nominees' báo cáo thành tích


def _semantic_problems(doc: DocumentInputs, file: str, period: Period, cov_contents: list[str],
                       members: dict[str, str]) -> list[Problem]:
    probs: list[Problem] = []

    def add(where: str, msg: str) -> None:
        probs.append(Problem(file, where, msg))

    for k in doc.narrative.contents:
        if k not in cov_contents:
            add(f"narrative.contents.{k}", f"nội dung '{k}' không có trong giao ước {period.year} (mã hợp lệ: {', '.join(cov_contents)})")
    if doc.date.year not in (period.year, period.year + 1):
        add("date", f"ngày {doc.date:%d/%m/%Y} không thuộc kỳ {period} (cần trong năm {period.year} hoặc đầu năm {period.year + 1})")
    needed = ["bao_cao"] + (["to_trinh"] if period.is_annual else [])
    for d in needed:
        if not doc.recipients.get(d):
            add(f"recipients.{d}", "thiếu nơi nhận của " + ("báo cáo" if d == "bao_cao" else "tờ trình"))
    for d in doc.recipients:
        if d not in ("bao_cao", "to_trinh"):
            add(f"recipients.{d}", "chỉ khai báo nơi nhận cho bao_cao và to_trinh")
    if not period.is_annual:
        return probs
    if not doc.addressee.strip():
        add("addressee", "thiếu nơi gửi tờ trình (Kính gửi), ví dụ 'Hội đồng Thi đua - Khen thưởng tỉnh'")
    m = doc.meeting
    if m is None:
        add("meeting", "thiếu thông tin cuộc họp bình xét cuối năm (ngày, giờ, địa điểm, chủ tọa, thư ký) để lập biên bản")
        return probs
    times = {}
    for f in ("start", "end"):
        hit = _TIME.match(getattr(m, f))
        if hit is None:
            add(f"meeting.{f}", f"giờ '{getattr(m, f)}' không hợp lệ; viết dạng 08:30")
        else:
            times[f] = (int(hit[1]), int(hit[2]))
    if len(times) == 2 and times["end"] <= times["start"]:
        add("meeting.end", f"giờ kết thúc {m.end} không sau giờ bắt đầu {m.start}")
    if m.date.year not in (period.year, period.year + 1):
        add("meeting.date", f"ngày họp {m.date:%d/%m/%Y} không thuộc kỳ {period}")
    if m.date > doc.date:
        add("meeting.date", f"ngày họp {m.date:%d/%m/%Y} sau ngày ban hành tờ trình {doc.date:%d/%m/%Y}: tờ trình căn cứ biên bản họp")
    for u in m.representatives:
        if u not in members:
            add(f"meeting.representatives.{u}", f"đơn vị '{u}' không phải thành viên khối năm {period.year}")
    seen = set()
    for i, a in enumerate(m.absent):
        if a.unit not in members:
            add(f"meeting.absent[{i}].unit", f"đơn vị '{a.unit}' không phải thành viên khối năm {period.year} "
                                             f"(mã hợp lệ: {', '.join(members)})")
        if a.unit in seen:
            add(f"meeting.absent[{i}].unit", f"đơn vị '{a.unit}' khai báo vắng hai lần")
        if a.unit in m.representatives:
            add(f"meeting.absent[{i}].unit", f"đơn vị '{a.unit}' vừa vắng mặt vừa có người dự họp (representatives)")
        seen.add(a.unit)
    return probs


def parse_document_inputs(raw: object, file: str, period: Period, cov_contents: list[str],
                          members: dict[str, str]) -> DocumentInputs:
    """Validate a parsed YAML document; raise one DataError listing every problem."""
    raw = normalize_tree(raw)
    meeting = raw.get("meeting") if isinstance(raw, dict) else None
    for f in ("start", "end"):  # YAML 1.1 reads an unquoted 11:15 as the number 675 (base 60)
        if isinstance(meeting, dict) and isinstance(meeting.get(f), int) and not isinstance(meeting.get(f), bool):
            meeting[f] = f"{meeting[f] // 60:02d}:{meeting[f] % 60:02d}"
    try:
        doc = DocumentInputs.model_validate(raw)
    except ValidationError as exc:
        raise DataError(schema_problems(exc, file, "thông tin soạn văn bản", _message)) from None
    problems = _semantic_problems(doc, file, period, cov_contents, members)
    if problems:
        raise DataError(problems)
    return doc


def _message(err: dict) -> str | None:
    """Dates, blank texts and the number code, worded for this file; None leaves the rest to the schema's messages."""
    if err["type"] in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"cần một ngày dạng 2024-12-05, nhận được {err.get('input')!r}"
    if err["type"] == "string_too_short":
        return "để trống: cần một nội dung"
    if err["type"] == "string_pattern_mismatch":
        return f"ký hiệu {err.get('input')!r} không hợp lệ: viết liền, không dấu cách, không '/' (ví dụ KTKT)"
    return None


def load_document_inputs(folder: Path, period: Period, cov_contents: list[str], members: dict[str, str]) -> DocumentInputs:
    """Read ``folder/documents.yaml``; a missing file is a DataError naming what it must hold."""
    path = folder / DOCUMENTS
    if not path.exists():
        raise DataError([Problem(str(path), "", "không có tệp thông tin soạn văn bản của khối (địa danh, cơ quan ban hành, "
                                                "ký hiệu, ngày, người ký, nơi nhận, cuộc họp): lập theo docs/documents.md")])
    raw = read_yaml(path, "thông tin soạn văn bản (documents.yaml)")
    return parse_document_inputs(raw, str(path), period, cov_contents, members)
