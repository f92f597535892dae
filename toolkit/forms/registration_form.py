"""Writing the registration workbook (bản đăng ký thi đua) each member unit fills in at the start of the year.

One ``.xlsx`` per member, in Vietnamese, from the year's covenant: the titles of the covenant
to tick (I), the figure the unit commits to for each target criterion (II) and its own
commitments in words (III), with the national header and the head's signature, on one A4
page fitted to its width. It is drawn and protected as the self-assessment form is
(:mod:`toolkit.forms.sheet`): only the yellow cells are unlocked and Excel validates them; a
very hidden sheet identifies the unit, bloc, year and the covenant it was made from, so a
returned file is recognised by ``thidua ingest`` whatever it was renamed to.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection

from toolkit.engine.nominations import quota_size
from toolkit.errors import ParameterError
from toolkit.forms.period_context import period_context
from toolkit.forms.registration_layout import (
    CODE_AWARD, CODE_COMMITMENT, CODE_CRITERION, COLS, COMMITMENT_ROWS, FORMAT_ID, NO, SHEET_FORM, TEMPLATE_VERSION, YES,
    registration_digest,
)
from toolkit.forms.sheet import HEAD_FILL, INPUT_FILL, FormSheet, excel_number, national_header, text_lines, validation
from toolkit.forms.workbook_layout import META_KEYS, SHEET_META
from toolkit.forms.template import PROVINCIAL_KINDS
from toolkit.model.covenant import Award, Covenant, Criterion
from toolkit.model.files import replacing
from toolkit.model.text import fmt_date, fmt_number, fmt_percent


@dataclass(frozen=True)
class RegistrationSpec:
    """What one unit's registration workbook shows."""

    bloc: str
    bloc_name: str
    year: int
    covenant: Covenant
    members: int  # the bloc's member count that year (a quota given as a share is shown as a number)
    unit_id: str
    unit_name: str
    deadline: str = ""
    contact: str = ""
    superior: str = ""


def registration_filename(bloc: str, year: int, unit_id: str) -> str:
    return f"dang-ky-thi-dua_{bloc}_{year}_{unit_id}.xlsx"


def _number(x: float) -> str:
    return fmt_number(x, 2).rstrip("0").rstrip(",")


def award_conditions(award: Award, cov: Covenant, members: int) -> str:
    """The covenant's conditions of an award, in the words a unit checks before ticking it."""
    n, _ = quota_size(award, members)
    parts = [f"tối đa {n} đơn vị"]
    if award.min_band:
        parts.append("xếp loại “" + next(b.label for b in cov.bands if b.id == award.min_band) + "” trở lên")
    if award.min_total is not None:
        parts.append(f"tổng điểm từ {_number(award.min_total)}")
    if award.required_targets:
        parts.append("đạt mọi chỉ tiêu của giao ước" if award.required_targets == "all" else "đạt chỉ tiêu: " + "; ".join(
            t.title for t in cov.targets.staff + cov.targets.organisations if t.id in award.required_targets))
    if award.min_vote_share is not None:
        parts.append(f"tỷ lệ phiếu {'trên' if award.vote_rule == 'more_than' else 'từ'} {fmt_percent(award.min_vote_share, 0)}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def target_text(k: Criterion) -> str:
    unit = f" {k.unit}" if k.unit else ""
    better = "càng thấp càng tốt" if k.lower_is_better else "càng cao càng tốt"
    return f"{_number(k.target)}{unit} ({better})"


def _meta_sheet(wb, spec: RegistrationSpec) -> str:
    """Very hidden: identification in A:B (the self-assessment form's keys) and the tick list in D."""
    ws = wb.create_sheet(SHEET_META)
    values = {"format": FORMAT_ID, "template_version": TEMPLATE_VERSION, "bloc": spec.bloc, "period": str(spec.year),
              "unit_id": spec.unit_id, "unit_name": spec.unit_name, "covenant_digest": registration_digest(spec.covenant)}
    for i, key in enumerate(META_KEYS, 1):
        ws.cell(i, 1, key)
        ws.cell(i, 2, values[key])
    ws["D1"], ws["D2"], ws["D3"] = "DS_DANGKY", YES, NO
    wb.defined_names["DS_DANGKY"] = DefinedName("DS_DANGKY", attr_text=f"'{SHEET_META}'!$D$2:$D$3")
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
    return "DS_DANGKY"


def _heading(s: FormSheet, r: int, text: str) -> int:
    s.merge_put(f"B{r}", f"F{r}", text, bold=True)
    s.ws.row_dimensions[r].height = 22
    return r + 1


def _head_row(s: FormSheet, r: int, headers: list[tuple[str, str]]) -> int:
    for col, text in headers:
        s.put(f"{col}{r}", text, bold=True, align="center", box=True, fill=HEAD_FILL)
    s.height(r, {col: text for col, text in headers})
    return r + 1


def _form_sheet(wb, spec: RegistrationSpec, tick_list: str) -> None:
    ws = wb.active
    ws.title = SHEET_FORM
    C = COLS
    s = FormSheet(ws, {"A": 2, C["no"]: 6, C["title"]: 42, C["covenant"]: 30, C["value"]: 14, C["note"]: 26})
    cov = spec.covenant
    r = national_header(s, 1, spec.unit_name, spec.superior, "D", "F")
    s.merge_put(f"B{r}", f"F{r}", f"BẢN ĐĂNG KÝ THI ĐUA NĂM {spec.year}", bold=True, size=14, align="center")
    s.ws.row_dimensions[r].height = 24
    r += 1
    s.merge_put(f"B{r}", f"F{r}", f"Đơn vị: {spec.unit_name} — {spec.bloc_name}", bold=True, align="center")
    s.ws.row_dimensions[r].height = max(20, text_lines(f"Đơn vị: {spec.unit_name} — {spec.bloc_name}", 110) * 16 + 4)
    r += 1
    signed = f", ký ngày {fmt_date(cov.signed_on)}" if cov.signed_on else ""
    intro = (f"Thực hiện {cov.title.lower() if cov.title else 'giao ước thi đua'} của khối{signed}, đơn vị đăng ký "
             f"danh hiệu thi đua, chỉ tiêu và cam kết năm {spec.year} như sau. Chỉ nhập vào các ô nền vàng; danh hiệu "
             f"không đăng ký thì không được khối xét" + (f"; gửi về khối trước ngày {spec.deadline}" if spec.deadline else "")
             + (f" ({spec.contact})" if spec.contact else "") + ".")
    s.merge_put(f"B{r}", f"F{r}", intro, italic=True, valign="top")
    s.ws.row_dimensions[r].height = text_lines(intro, 110) * 16 + 4
    r += 2

    r = _heading(s, r, "I. ĐĂNG KÝ DANH HIỆU THI ĐUA")
    r = _head_row(s, r, [(C["no"], "TT"), (C["title"], "Danh hiệu"), (C["covenant"], "Điều kiện theo giao ước"),
                         (C["value"], "Đăng ký"), (C["note"], "Ghi chú")])
    tick = validation("list", f1=f"={tick_list}", title="Đăng ký", prompt=f"Chọn “{YES}” để đăng ký danh hiệu này, “{NO}” nếu không.",
                      error=f"Chỉ chọn “{YES}” hoặc “{NO}”.")
    ws.add_data_validation(tick)
    for i, a in enumerate(cov.awards, 1):
        cond = award_conditions(a, cov, spec.members)
        s.put(f"A{r}", f"{CODE_AWARD}{a.id}")
        s.put(f"{C['no']}{r}", i, align="center", box=True)
        s.put(f"{C['title']}{r}", a.title, box=True)
        s.put(f"{C['covenant']}{r}", cond, box=True, size=11, italic=True)
        s.put(f"{C['value']}{r}", None, box=True, fill=INPUT_FILL, locked=False, align="center")
        tick.add(f"{C['value']}{r}")
        s.put(f"{C['note']}{r}", "Bắt buộc đăng ký để được xét" if a.requires_registration else None, box=True, size=11, italic=True)
        s.height(r, {C["title"]: a.title, C["covenant"]: cond + " " * 30}, sizes={C["covenant"]: 11})  # a line to spare: wrapped words
        r += 1
    r += 1

    targets = [k for _, k in cov.criteria if k.kind == "target"]
    r = _heading(s, r, "II. ĐĂNG KÝ CHỈ TIÊU")
    if targets:
        r = _head_row(s, r, [(C["no"], "TT"), (C["title"], "Chỉ tiêu"), (C["covenant"], "Chỉ tiêu giao ước"),
                             (C["value"], "Đơn vị đăng ký"), (C["note"], "Ghi chú")])
        note_dv = validation("textLength", operator="lessThanOrEqual", f1="2000", title="Ghi chú", prompt="Ghi chú (không bắt buộc).",
                             error="Tối đa 2000 ký tự.")
        ws.add_data_validation(note_dv)
        for i, k in enumerate(targets, 1):
            lo, hi = k.plausible_range()
            unit = f" {k.unit}" if k.unit else ""
            span = f"từ {lo:g} đến {hi:g}{unit}" if hi != float("inf") else f"từ {lo:g}{unit} trở lên"
            dv = validation("decimal", operator="between" if hi != float("inf") else "greaterThanOrEqual", f1=excel_number(lo),
                            f2=excel_number(hi) if hi != float("inf") else None, title="Mức đăng ký",
                            prompt=f"Nhập mức đơn vị cam kết đạt ({span}).", error=f"Cần một số {span}.")
            ws.add_data_validation(dv)
            s.put(f"A{r}", f"{CODE_CRITERION}{k.id}")
            s.put(f"{C['no']}{r}", i, align="center", box=True)
            title = f"{k.title} ({k.id})"
            s.put(f"{C['title']}{r}", title, box=True)
            s.put(f"{C['covenant']}{r}", target_text(k), box=True, align="center")
            s.put(f"{C['value']}{r}", None, box=True, fill=INPUT_FILL, locked=False, align="center", fmt="General")
            dv.add(f"{C['value']}{r}")
            s.put(f"{C['note']}{r}", None, box=True, fill=INPUT_FILL, locked=False)
            note_dv.add(f"{C['note']}{r}")
            s.height(r, {C["title"]: title})
            r += 1
    else:
        s.merge_put(f"B{r}", f"F{r}", "Giao ước năm nay không có tiêu chí chấm theo chỉ tiêu.", italic=True)
        r += 1
    r += 1

    r = _heading(s, r, "III. CAM KẾT KHÁC CỦA ĐƠN VỊ")
    r = _head_row(s, r, [(C["no"], "TT"), (C["title"], "Nội dung cam kết")])
    s.merge_put(f"{C['title']}{r - 1}", f"{C['note']}{r - 1}", "Nội dung cam kết", bold=True, align="center", box=True, fill=HEAD_FILL)
    words = validation("textLength", operator="lessThanOrEqual", f1="2000", title="Cam kết",
                       prompt="Một cam kết mỗi dòng (ví dụ: 100% hồ sơ giải quyết đúng hạn).", error="Tối đa 2000 ký tự.")
    ws.add_data_validation(words)
    for i in range(1, COMMITMENT_ROWS + 1):
        s.put(f"A{r}", f"{CODE_COMMITMENT}{i}")
        s.put(f"{C['no']}{r}", i, align="center", box=True)
        s.merge_put(f"{C['title']}{r}", f"{C['note']}{r}", None, box=True, fill=INPUT_FILL, locked=False, valign="top")
        for col in (C["covenant"], C["value"], C["note"]):
            s.put(f"{col}{r}", box=True, fill=INPUT_FILL, locked=False)
        words.add(f"{C['title']}{r}")
        s.ws.row_dimensions[r].height = 34
        r += 1
    r += 1
    s.merge_put(f"{C['covenant']}{r}", f"{C['note']}{r}", "THỦ TRƯỞNG ĐƠN VỊ", bold=True, align="center")
    s.merge_put(f"{C['covenant']}{r + 1}", f"{C['note']}{r + 1}", "(Ký tên, đóng dấu)", italic=True, align="center")
    s.page(landscape=False, title_rows=None)
    ws.print_area = f"B1:{C['note']}{r + 5}"
    ws.freeze_panes = None
    s.protect()


def build_registration(spec: RegistrationSpec):
    """The openpyxl Workbook of one unit (not saved)."""
    wb = Workbook()
    tick_list = _meta_sheet(wb, spec)
    _form_sheet(wb, spec, tick_list)
    wb.move_sheet(SHEET_META, offset=len(wb.sheetnames))
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.title = f"Bản đăng ký thi đua năm {spec.year} - {spec.unit_name}"
    wb.properties.creator = "thidua"
    return wb


def write_registrations(workspace, bloc: str, period: str, out_dir: Path, units: list[str] | None = None,
                        deadline: str = "", contact: str = "") -> list[Path]:
    """Write one registration workbook per member of ``bloc`` in the year ``period`` (or per unit in ``units``)."""
    ctx = period_context(workspace, bloc, period, units)
    if not ctx.period.is_annual:
        raise ParameterError(f"Đăng ký thi đua là theo năm: dùng --period {ctx.period.year} (nhận được '{period}').")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for m in ctx.members.itertuples(index=False):
        if units and m.unit_id not in units:
            continue
        superior = f"UBND tỉnh {ctx.province}" if ctx.province and m.kind in PROVINCIAL_KINDS else ""
        spec = RegistrationSpec(bloc, ctx.bloc_name, ctx.period.year, ctx.covenant, len(ctx.members), m.unit_id, m.name,
                                deadline, contact, superior)
        path = out_dir / registration_filename(bloc, spec.year, m.unit_id)
        with replacing(path) as tmp:  # a reader never finds half a workbook
            build_registration(spec).save(tmp)
        paths.append(path)
    return paths
