"""Writing the self-assessment workbook (mẫu tự chấm điểm) each member unit fills in and sends back.

One ``.xlsx`` per member, in Vietnamese, built from the year's covenant: an instructions
sheet, the scoring table, staff and organisation ratings (year periods only) and bonus or
penalty events. Only the yellow input cells are unlocked; Excel itself validates them
(decimals between 0 and the maximum, whole counts, drop-down lists of the rating labels valid
that year). A very hidden sheet carries the unit, bloc, period, template version and a digest
of the scoring table, so a returned file is recognised whatever it was renamed to.

Where everything goes (sheet names, columns, row codes, identification keys) is
:mod:`toolkit.forms.workbook_layout`, the contract shared with :mod:`toolkit.forms.reader`; how a
sheet is drawn (styles, A4 pages, protection, validation) is :mod:`toolkit.forms.sheet`.

Why this module is longer than 400 lines: it is one function per sheet, in the order of the
workbook, and the sheets point into each other (the scoring sheet's totals read the events
sheet, the drop-down lists live on the hidden sheet), so they are read and changed together.

Still so after the year-end documents were added: the workbook's five sheets are written together against one layout
(``workbook_layout``) and one set of styles; the rows of criteria with parts and of deductions already live in
``criterion_rows``. Splitting the sheets apart would scatter one contract over several files.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection

from toolkit.forms.criterion_rows import deduction_points, how_to_deduct, write_parent, write_violations
from toolkit.forms.period_context import period_context
from toolkit.forms.workbook_layout import (
    CODE_CRITERION, CODE_EVENT, CODE_ORG, CODE_STAFF, EVENT_COLS, FAIL, FORMAT_ID, META_KEYS, ORG_COLS, PASS,
    SCORE_COLS, SHEET_EVENTS, SHEET_GUIDE, SHEET_META, SHEET_ORGS, SHEET_SCORES, SHEET_STAFF, STAFF_COLS, TEMPLATE_VERSION,
    covenant_digest,
)
from toolkit.forms.sheet import CALC_FILL, HEAD_FILL, INPUT_FILL, FormSheet, excel_number, national_header, text_lines, validation
from toolkit.model.files import replacing
from toolkit.model.covenant import ORGANISATION_VI, Covenant, Criterion
from toolkit.model.periods import Period
from toolkit.model.text import fmt_date, fmt_number, label_key
from toolkit.model.vocabulary import Vocabulary

PROVINCIAL_KINDS = ("department", "board", "fund")  # units under the provincial People's Committee


def staff_rows(vocab: Vocabulary, year: int) -> list[tuple[str, str]]:
    """(level, label) per staff level, highest first, with the label in force that year."""
    scale = vocab.scales["staff"]
    labels = scale.labels_for(year)
    first: dict[str, str] = {}
    for label in scale.valid_labels(year):
        first.setdefault(labels[label_key(label)], label)
    return [(lvl, first.get(lvl, scale.display(lvl))) for lvl in reversed(scale.levels)]


def rating_choices(vocab: Vocabulary, scale_name: str, year: int) -> list[str]:
    """Labels valid that year for a scale, best level first (order of the drop-down list)."""
    scale = vocab.scales[scale_name]
    labels = scale.labels_for(year)
    valid = scale.valid_labels(year)
    return sorted(valid, key=lambda lab: -scale.rank(labels[label_key(lab)]))


def how_to_score(k: Criterion) -> str:
    """One line telling the person filling in what to type for this criterion."""
    if k.kind == "graded":
        return f"Nhập điểm từ 0 đến {fmt_number(k.max, 2).rstrip('0').rstrip(',')}"
    if k.kind == "pass_fail":
        return f"Chọn “{PASS}” hoặc “{FAIL}”"
    if k.kind == "count":
        return f"Nhập số lần; {fmt_number(k.points_per_event, 2).rstrip('0').rstrip(',')} điểm/lần, tối đa {k.max:g}"
    better = "càng thấp càng tốt" if k.lower_is_better else "càng cao càng tốt"
    unit = f" {k.unit}" if k.unit else ""
    return f"Nhập kết quả thực tế; chỉ tiêu {fmt_number(k.target, 2).rstrip('0').rstrip(',')}{unit} ({better}) (*)"


@dataclass(frozen=True)
class TemplateSpec:
    """Everything one unit's workbook needs; built once per bloc and period, then per unit."""

    bloc: str
    bloc_name: str
    period: Period
    covenant: Covenant
    vocab: Vocabulary
    unit_id: str
    unit_name: str
    deadline: str = ""  # dd/mm/yyyy, shown on the instructions sheet
    contact: str = ""
    superior: str = ""  # governing body shown above the unit's name ("UBND tỉnh Bắc Ninh"), if known


def template_filename(bloc: str, period: Period | str, unit_id: str) -> str:
    return f"tu-cham-diem_{bloc}_{period}_{unit_id}.xlsx"


# --------------------------------------------------------------------------- writing

def _guide_sheet(wb, spec: TemplateSpec, sheets: list[str]) -> None:
    ws = wb.active
    ws.title = SHEET_GUIDE
    s = FormSheet(ws, {"A": 2, "B": 5, "C": 26, "D": 30, "E": 30})
    cov, p = spec.covenant, spec.period
    r = national_header(s, 1, spec.unit_name, spec.superior, "D", "E")
    s.merge_put(f"B{r}", f"E{r}", f"MẪU TỰ CHẤM ĐIỂM THI ĐUA {p.label_vi.upper()}", bold=True, size=14, align="center")
    s.ws.row_dimensions[r].height = 24
    r += 1
    s.merge_put(f"B{r}", f"E{r}", f"(Theo {cov.title.lower() if cov.title else 'giao ước thi đua'} của khối)", italic=True, align="center")
    r += 2
    signed = ""
    if cov.signed_on:
        signed = f", ký ngày {fmt_date(cov.signed_on)}" + (f" tại {cov.signed_at}" if cov.signed_at else "")
    info = [
        ("Đơn vị", spec.unit_name, True),
        ("Khối thi đua", spec.bloc_name, True),
        ("Kỳ đánh giá", p.label_vi.capitalize(), True),
        ("Giao ước thi đua", f"{cov.title}{signed}", True),
        ("Hạn gửi bảng tự chấm", spec.deadline, False),
        ("Đầu mối liên hệ của khối", spec.contact, False),
        ("Mã mẫu", f"{spec.bloc} / {p} / {spec.unit_id} / phiên bản {TEMPLATE_VERSION}", True),
    ]
    for label, value, locked in info:
        s.merge_put(f"B{r}", f"C{r}", label, bold=True, box=True)
        s.put(f"C{r}", box=True)
        s.merge_put(f"D{r}", f"E{r}", value, box=True, locked=locked, fill=None if locked else INPUT_FILL,
                    bold=label == "Đơn vị")
        s.put(f"E{r}", box=True)
        s.ws.row_dimensions[r].height = max(20, text_lines(value, 60) * 16 + 4)  # merged D:E is 60 wide
        r += 1
    r += 1
    s.merge_put(f"B{r}", f"E{r}", "HƯỚNG DẪN ĐIỀN MẪU", bold=True, align="left")
    r += 1
    annual = p.is_annual
    steps = [
        "Chỉ nhập vào các ô nền vàng; các ô khác đã được khóa. Cột “Điểm tạm tính” và các dòng tổng tự tính.",
        f"Trang “{SHEET_SCORES}”: nhập điểm tự chấm của từng tiêu chí vào cột “Tự chấm” theo hướng dẫn ở cột "
        "“Cách chấm”; ghi minh chứng (số, ngày văn bản, kết quả) vào cột “Minh chứng, ghi chú”. Dùng dấu phẩy "
        "cho phần thập phân theo cài đặt máy (ví dụ 8,5).",
        "Ô để trống được hiểu là chưa chấm: khối sẽ tính 0 điểm và nhắc lại. Nếu điểm là 0, hãy nhập số 0.",
        "Tiêu chí có dấu (*) chấm theo chỉ tiêu: nhập kết quả thực tế đạt được; đạt chỉ tiêu được một nửa điểm "
        "chuẩn, phần còn lại khối tính khi tổng hợp theo mức vượt chỉ tiêu so với đơn vị vượt cao nhất.",
    ]
    if any(k.parts for _, k in cov.top_criteria):
        steps.append("Tiêu chí có tiêu chí thành phần (dòng in đậm, ví dụ N2.3): chấm từng tiêu chí thành phần ở các dòng "
                     "ngay dưới; điểm của tiêu chí là tổng điểm các phần.")
    if any(k.kind == "deduction" for _, k in cov.criteria):
        steps.append("Tiêu chí chấm trừ: kê từng lần vi phạm ở các dòng “Vi phạm” ngay dưới tiêu chí (số lần ở cột "
                     "“Tự chấm”, để trống là 1 lần; lý do, số và ngày văn bản ở cột “Minh chứng, ghi chú”). Không vi phạm "
                     "thì để trống các dòng này: tiêu chí được đủ điểm.")
    if annual:
        steps += [
            f"Trang “{SHEET_STAFF}”: số cán bộ, công chức, viên chức theo từng mức xếp loại {p.label_vi}.",
            f"Trang “{SHEET_ORGS}”: chọn xếp loại của tổ chức Đảng và các đoàn thể trong danh sách; "
            "để trống nếu đơn vị không có tổ chức đó.",
        ]
    steps += [
        f"Trang “{SHEET_EVENTS}”: số lần được cộng hoặc bị trừ điểm và lý do, căn cứ (số, ngày văn bản).",
        "Không thêm, xóa, đổi tên các trang; không nhập công thức vào ô nhập. Có thể đổi tên tệp.",
        "Lưu dưới dạng Excel (.xlsx), không đặt mật khẩu, gửi về đầu mối của khối trước hạn; "
        "bản in có chữ ký của thủ trưởng đơn vị gửi kèm theo quy chế của khối.",
    ]
    for i, text in enumerate(steps, 1):
        s.put(f"B{r}", f"{i}.", align="right", valign="top")
        s.merge_put(f"C{r}", f"E{r}", text, valign="top")
        s.ws.row_dimensions[r].height = max(18, text_lines(text, 84) * 16 + 3)
        r += 1
    r += 1
    s.merge_put(f"B{r}", f"E{r}", "Các trang của mẫu: " + "; ".join(f"“{n}”" for n in sheets) + ".", italic=True)
    s.ws.row_dimensions[r].height = 36
    s.page(landscape=False)
    s.protect()


def _scores_sheet(wb, spec: TemplateSpec, names: dict[str, str]) -> dict[str, str]:
    """The scoring table; returns the cell refs of the totals for other sheets to use."""
    ws = wb.create_sheet(SHEET_SCORES)
    C = SCORE_COLS
    s = FormSheet(ws, {"A": 2, C["no"]: 6, C["title"]: 46, C["max"]: 8, C["how"]: 24, C["value"]: 10, C["points"]: 10, C["note"]: 30})
    cov, p = spec.covenant, spec.period
    d = cov.decimals
    r = 1
    s.merge_put(f"B{r}", f"H{r}", f"BẢNG TỰ CHẤM ĐIỂM THI ĐUA {p.label_vi.upper()}", bold=True, size=14, align="center")
    s.ws.row_dimensions[r].height = 22
    r += 1
    s.merge_put(f"B{r}", f"H{r}", f"Đơn vị: {spec.unit_name} — {spec.bloc_name}", bold=True, align="center")
    s.ws.row_dimensions[r].height = max(20, text_lines(f"Đơn vị: {spec.unit_name} — {spec.bloc_name}", 140) * 16 + 4)
    r += 2
    head = r
    for key, text in (("no", "TT"), ("title", "Nội dung, tiêu chí"), ("max", "Điểm chuẩn"), ("how", "Cách chấm"),
                      ("value", "Tự chấm"), ("points", "Điểm tạm tính"), ("note", "Minh chứng, ghi chú")):
        s.put(f"{C[key]}{r}", text, bold=True, align="center", box=True, fill=HEAD_FILL)
    s.height(r, {C["max"]: "Điểm chuẩn", C["points"]: "Điểm tạm tính"})
    s.page(landscape=True, title_rows=f"{head}:{head}")
    r += 1
    pass_dv = validation("list", f1=f"={names['pass']}", title="Đạt / Không đạt",
                  prompt=f"Chọn “{PASS}” hoặc “{FAIL}” trong danh sách.",
                  error=f"Chỉ chọn “{PASS}” hoặc “{FAIL}”.")
    count_dv = validation("whole", operator="greaterThanOrEqual", f1="0", title="Số lần",
                   prompt="Nhập số lần (số nguyên, từ 0).", error="Cần một số nguyên từ 0 trở lên.")
    target_dv = validation("decimal", operator="greaterThanOrEqual", f1="0", title="Kết quả thực tế",
                    prompt="Nhập kết quả thực tế đạt được (số, từ 0).", error="Cần một số từ 0 trở lên.")
    note_dv = validation("textLength", operator="lessThanOrEqual", f1="2000", title="Minh chứng, ghi chú",
                  prompt="Số, ngày văn bản, kết quả cụ thể.", error="Ghi chú tối đa 2000 ký tự.")
    graded: dict[float, object] = {}
    for dv in (pass_dv, count_dv, target_dv, note_dv):
        ws.add_data_validation(dv)
    points: list[str] = []  # the points cells of the current content's criteria scored one by one (parts, not a parent)

    def leaf(k: Criterion, r: int) -> int:
        """One criterion scored on its own (a part too), with a deduction's violation rows; returns the next free row."""
        v = f"{C['value']}{r}"
        s.put(f"A{r}", f"{CODE_CRITERION}{k.id}")
        s.put(f"{C['no']}{r}", k.id, align="center", box=True)
        s.put(f"{C['title']}{r}", k.title, box=True)
        s.put(f"{C['max']}{r}", k.max, align="center", box=True, fmt="0.##")
        how = how_to_deduct(k) if k.kind == "deduction" else how_to_score(k)
        s.put(f"{C['how']}{r}", how, box=True, size=11, italic=True)
        s.put(v, None, box=True, fill=INPUT_FILL, locked=False, align="center",
              fmt="0" if k.kind == "count" else "General")
        if k.kind == "deduction":  # counted from the violation rows below it, not typed
            count, after = write_violations(s, r + 1, k)
            s.put(v, count, box=True, fill=CALC_FILL, align="center", fmt="0")
            s.put(f"{C['note']}{r}", box=True)
            s.put(f"{C['points']}{r}", deduction_points(v, k, d), align="center", box=True, fill=CALC_FILL, fmt="0.00")
            s.height(r, {C["title"]: k.title, C["how"]: how}, sizes={C["how"]: 11})
            points.append(f"{C['points']}{r}")
            return after
        s.put(f"{C['note']}{r}", None, box=True, fill=INPUT_FILL, locked=False)
        note_dv.add(f"{C['note']}{r}")
        if k.kind == "graded":
            dv = graded.get(k.max)
            if dv is None:
                dv = graded[k.max] = validation("decimal", operator="between", f1="0", f2=excel_number(k.max), title="Điểm tự chấm",
                                         prompt=f"Nhập điểm từ 0 đến {k.max:g}.", error=f"Điểm phải từ 0 đến {k.max:g} (điểm chuẩn).")
                ws.add_data_validation(dv)
            dv.add(v)
            formula = f"=IF(ISNUMBER({v}),ROUND({v},{d}),0)"
        elif k.kind == "pass_fail":
            pass_dv.add(v)
            formula = f'=IF(TRIM({v})="{PASS}",{excel_number(k.max)},IF(AND(ISNUMBER({v}),{v}>=1),{excel_number(k.max)},0))'
        elif k.kind == "count":
            count_dv.add(v)
            formula = f"=IF(ISNUMBER({v}),ROUND(MIN({excel_number(k.max)},{excel_number(k.points_per_event)}*{v}),{d}),0)"
        else:
            lo, hi = k.plausible_range()
            if (lo, hi) == (0.0, float("inf")):
                target_dv.add(v)
            else:  # the covenant's plausible range (a '%' is 0..100): Excel refuses 924 as the reader would
                dv = graded.get(("range", lo, hi))
                if dv is None:
                    unit = f" {k.unit}" if k.unit else ""
                    span = (f"từ {lo:g} đến {hi:g}{unit}" if hi != float("inf") else f"từ {lo:g}{unit} trở lên")
                    dv = graded[("range", lo, hi)] = (
                        validation("decimal", operator="between", f1=excel_number(lo), f2=excel_number(hi), title="Kết quả thực tế",
                                   prompt=f"Nhập kết quả thực tế đạt được ({span}).", error=f"Cần một số {span}.")
                        if hi != float("inf") else
                        validation("decimal", operator="greaterThanOrEqual", f1=excel_number(lo), title="Kết quả thực tế",
                                   prompt=f"Nhập kết quả thực tế đạt được ({span}).", error=f"Cần một số {span}."))
                    ws.add_data_validation(dv)
                dv.add(v)
            half, t = excel_number(k.max / 2), excel_number(k.target)
            if k.lower_is_better:
                formula = f"=IF(ISNUMBER({v}),ROUND(IF({v}<={t},{half},{half}*{t}/{v}),{d}),0)"
            else:
                formula = f"=IF(ISNUMBER({v}),ROUND(MIN(1,{v}/{t})*{half},{d}),0)"
        s.put(f"{C['points']}{r}", formula, align="center", box=True, fill=CALC_FILL, fmt="0.00")
        s.height(r, {C["title"]: k.title, C["how"]: how}, sizes={C["how"]: 11})
        points.append(f"{C['points']}{r}")
        return r + 1

    content_rows: list[int] = []
    for content in cov.contents:
        cr = r
        content_rows.append(cr)
        s.put(f"A{cr}", f"content:{content.id}")
        s.put(f"{C['no']}{cr}", content.id, bold=True, align="center", box=True)
        s.put(f"{C['title']}{cr}", content.title, bold=True, box=True)
        s.put(f"{C['max']}{cr}", sum(k.max for k in content.criteria), bold=True, align="center", box=True, fmt="0.##")
        for col in (C["how"], C["value"], C["note"]):
            s.put(f"{col}{cr}", box=True)
        s.height(cr, {C["title"]: content.title})
        r += 1
        first = r
        points.clear()
        for top in content.criteria:
            if not top.parts:
                r = leaf(top, r)
                continue
            parent, r, mark = r, r + 1, len(points)
            for part in top.parts:
                r = leaf(part, r)
            write_parent(s, parent, top, points[mark:], d)
        plain = all(not k.parts and k.kind != "deduction" for k in content.criteria)  # each row below is a criterion's points
        total = f"=SUM({C['points']}{first}:{C['points']}{r - 1})" if plain else f"=SUM({','.join(points)})"
        s.put(f"{C['points']}{cr}", total, bold=True, align="center", box=True, fill=CALC_FILL, fmt="0.00")
    pts = C["points"]
    crit_sum = "+".join(f"{pts}{x}" for x in content_rows)
    ev = f"'{SHEET_EVENTS}'"
    totals = [
        ("total:criteria", "Cộng điểm các tiêu chí", f"={crit_sum}"),
        ("total:bonus", f"Điểm cộng (trang “{SHEET_EVENTS}”)", f"={ev}!{EVENT_COLS['total']}{{bonus}}"),
        ("total:penalty", f"Điểm trừ (trang “{SHEET_EVENTS}”)", f"={ev}!{EVENT_COLS['total']}{{penalty}}"),
    ]
    refs = {}
    for code, label, formula in totals:
        s.put(f"A{r}", code)
        s.merge_put(f"{C['no']}{r}", f"{C['how']}{r}", label, bold=True, box=True)
        for col in (C["title"], C["max"], C["how"], C["value"], C["note"]):
            s.put(f"{col}{r}", box=True)
        s.put(f"{C['max']}{r}", box=True)
        refs[code] = f"{pts}{r}"
        s.put(f"{pts}{r}", formula, bold=True, align="center", box=True, fill=CALC_FILL, fmt="0.00")
        s.ws.row_dimensions[r].height = 20
        r += 1
    s.put(f"A{r}", "total:all")
    s.merge_put(f"{C['no']}{r}", f"{C['how']}{r}", "TỔNG ĐIỂM TỰ CHẤM (tạm tính)", bold=True, box=True)
    for col in (C["title"], C["max"], C["how"], C["value"], C["note"]):
        s.put(f"{col}{r}", box=True)
    s.put(f"{pts}{r}", f"=ROUND({refs['total:criteria']}+{refs['total:bonus']}+{refs['total:penalty']},{d})", bold=True,
          align="center", box=True, fill=CALC_FILL, fmt="0.00")
    s.ws.row_dimensions[r].height = 20
    r += 1
    note = ("(*) Điểm tạm tính của tiêu chí chấm theo chỉ tiêu chỉ gồm phần điểm đạt chỉ tiêu (tối đa một nửa điểm "
            "chuẩn); phần điểm vượt chỉ tiêu do khối tính khi tổng hợp. Điểm chính thức là điểm khối thẩm định.")
    s.merge_put(f"B{r}", f"H{r}", note, italic=True, size=11, valign="top")
    s.ws.row_dimensions[r].height = text_lines(note, 140) * 15 + 4
    r += 2
    s.merge_put(f"B{r}", f"D{r}", "NGƯỜI LẬP BIỂU", bold=True, align="center")
    s.merge_put(f"F{r}", f"H{r}", "THỦ TRƯỞNG ĐƠN VỊ", bold=True, align="center")
    s.merge_put(f"B{r + 1}", f"D{r + 1}", "(Ký, ghi rõ họ tên)", italic=True, align="center")
    s.merge_put(f"F{r + 1}", f"H{r + 1}", "(Ký tên, đóng dấu)", italic=True, align="center")
    ws.freeze_panes = f"B{head + 1}"
    s.protect()
    return refs


def _titled_sheet(wb, name: str, spec: "TemplateSpec", cols: dict, widths: dict, title: str, headers) -> tuple["FormSheet", int]:
    """A data sheet's common top: title with the period, the unit's name, and a boxed header row (row 4)."""
    s = FormSheet(wb.create_sheet(name), {"A": 2, **{cols[k]: w for k, w in widths.items()}})
    s.merge_put("B1", "E1", f"{title} {spec.period.label_vi.upper()}", bold=True, size=13, align="center")
    s.ws.row_dimensions[1].height = 36
    s.merge_put("B2", "E2", spec.unit_name, bold=True, align="center")
    head = 4
    for key, text in headers:
        s.put(f"{cols[key]}{head}", text, bold=True, align="center", box=True, fill=HEAD_FILL)
    return s, head


def _staff_sheet(wb, spec: TemplateSpec) -> None:
    C = STAFF_COLS
    s, head = _titled_sheet(wb, SHEET_STAFF, spec, C, {"no": 6, "title": 50, "value": 14, "share": 14},
                            "XẾP LOẠI CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC",
                            (("no", "TT"), ("title", "Mức xếp loại"), ("value", "Số người"), ("share", "Tỷ lệ")))
    ws, p = s.ws, spec.period
    dv = validation("whole", operator="greaterThanOrEqual", f1="0", title="Số người",
             prompt="Nhập số người được xếp loại ở mức này (số nguyên, từ 0).", error="Cần một số nguyên từ 0 trở lên.")
    ws.add_data_validation(dv)
    rows = staff_rows(spec.vocab, p.year)
    first, last = head + 1, head + len(rows)
    total = last + 1
    for i, (level, label) in enumerate(rows):
        r = first + i
        s.put(f"A{r}", f"{CODE_STAFF}{level}")
        s.put(f"{C['no']}{r}", i + 1, align="center", box=True)
        s.put(f"{C['title']}{r}", label, box=True)
        s.put(f"{C['value']}{r}", None, align="center", box=True, fill=INPUT_FILL, locked=False, fmt="0")
        dv.add(f"{C['value']}{r}")
        v = f"{C['value']}{r}"
        s.put(f"{C['share']}{r}", f'=IF(N({C["value"]}{total})>0,N({v})/{C["value"]}{total},"")', align="center",
              box=True, fill=CALC_FILL, fmt="0.0%")
        s.height(r, {C["title"]: label})
    s.put(f"A{total}", "total:staff")
    s.put(f"{C['no']}{total}", None, box=True)
    s.put(f"{C['title']}{total}", "Tổng số", bold=True, box=True)
    s.put(f"{C['value']}{total}", f"=SUM({C['value']}{first}:{C['value']}{last})", bold=True, align="center", box=True,
          fill=CALC_FILL, fmt="0")
    s.put(f"{C['share']}{total}", None, box=True)
    r = total + 2
    targets = spec.covenant.targets.staff
    if targets:
        s.merge_put(f"B{r}", f"E{r}", "Chỉ tiêu theo giao ước:", bold=True)
        r += 1
        for t in targets:
            s.merge_put(f"B{r}", f"E{r}", f"– {t.title}", italic=True)
            s.ws.row_dimensions[r].height = text_lines(t.title, 80) * 16 + 3
            r += 1
    s.page(landscape=False, title_rows=f"{head}:{head}")
    s.protect()


def _orgs_sheet(wb, spec: TemplateSpec, names: dict[str, str]) -> None:
    C = ORG_COLS
    s, head = _titled_sheet(wb, SHEET_ORGS, spec, C, {"no": 6, "title": 22, "value": 34, "note": 26},
                            "XẾP LOẠI TỔ CHỨC ĐẢNG VÀ CÁC ĐOÀN THỂ",
                            (("no", "TT"), ("title", "Tổ chức"), ("value", "Xếp loại"), ("note", "Ghi chú")))
    ws, p = s.ws, spec.period
    party_dv = validation("list", f1=f"={names['party']}", title="Xếp loại tổ chức Đảng",
                   prompt="Chọn trong danh sách; để trống nếu đơn vị không có tổ chức này.",
                   error=f"Chọn một xếp loại trong danh sách (nhãn hợp lệ năm {p.year}).")
    mass_dv = validation("list", f1=f"={names['mass']}", title="Xếp loại đoàn thể",
                  prompt="Chọn trong danh sách; để trống nếu đơn vị không có tổ chức này.",
                  error=f"Chọn một xếp loại trong danh sách (nhãn hợp lệ năm {p.year}).")
    ws.add_data_validation(party_dv)
    ws.add_data_validation(mass_dv)
    required = {}
    scales = spec.vocab
    for t in spec.covenant.targets.organisations:
        scale = scales.scale_for_org(t.organisation)
        label = scale.display(t.min_level)
        required[t.organisation] = (f"Giao ước: đạt “{label}” trở lên" if t.required
                                    else f"Nếu có tổ chức: đạt “{label}” trở lên")
    for i, (org, title) in enumerate(ORGANISATION_VI.items()):
        r = head + 1 + i
        s.put(f"A{r}", f"{CODE_ORG}{org}")
        s.put(f"{C['no']}{r}", i + 1, align="center", box=True)
        s.put(f"{C['title']}{r}", title, box=True)
        s.put(f"{C['value']}{r}", None, box=True, fill=INPUT_FILL, locked=False)
        (party_dv if org == "party" else mass_dv).add(f"{C['value']}{r}")
        note = required.get(org, "Để trống nếu đơn vị không có tổ chức này")
        s.put(f"{C['note']}{r}", note, box=True, italic=True, size=11)
        s.height(r, {C["note"]: note, C["title"]: title}, minimum=22)
    s.page(landscape=False, title_rows=f"{head}:{head}")
    s.protect()


def _events_sheet(wb, spec: TemplateSpec) -> tuple[int, int]:
    ws = wb.create_sheet(SHEET_EVENTS)
    C = EVENT_COLS
    s = FormSheet(ws, {"A": 2, C["no"]: 6, C["title"]: 46, C["points"]: 10, C["cap"]: 10, C["value"]: 10, C["total"]: 10, C["note"]: 40})
    cov, p = spec.covenant, spec.period
    adj = cov.adjustments
    s.merge_put("B1", "H1", f"ĐIỂM CỘNG, ĐIỂM TRỪ {p.label_vi.upper()}", bold=True, size=13, align="center")
    s.ws.row_dimensions[1].height = 22
    s.merge_put("B2", "H2", spec.unit_name, bold=True, align="center")
    head = 4
    for key, text in (("no", "TT"), ("title", "Nội dung"), ("points", "Điểm mỗi lần"), ("cap", "Tối đa"),
                      ("value", "Số lần"), ("total", "Điểm"), ("note", "Lý do, căn cứ (số, ngày văn bản)")):
        s.put(f"{C[key]}{head}", text, bold=True, align="center", box=True, fill=HEAD_FILL)
    s.height(head, {C["points"]: "Điểm mỗi lần", C["note"]: "Lý do, căn cứ (số, ngày văn bản)"})
    dv = validation("whole", operator="greaterThanOrEqual", f1="0", title="Số lần",
             prompt="Nhập số lần (số nguyên); để trống nếu không có.", error="Cần một số nguyên từ 0 trở lên.")
    ws.add_data_validation(dv)
    note_dv = validation("textLength", operator="lessThanOrEqual", f1="2000", title="Lý do, căn cứ",
                  prompt="Ghi lý do và căn cứ: số, ngày văn bản.", error="Tối đa 2000 ký tự.")
    ws.add_data_validation(note_dv)
    r = head + 1
    first = r
    for i, e in enumerate(adj.events):
        v = f"{C['value']}{r}"
        s.put(f"A{r}", f"{CODE_EVENT}{e.id}")
        s.put(f"{C['no']}{r}", i + 1, align="center", box=True)
        s.put(f"{C['title']}{r}", e.title, box=True)
        s.put(f"{C['points']}{r}", e.points, align="center", box=True, fmt="+0.##;-0.##")
        s.put(f"{C['cap']}{r}", e.cap, align="center", box=True, fmt="0.##")
        s.put(v, None, align="center", box=True, fill=INPUT_FILL, locked=False, fmt="0")
        dv.add(v)
        s.put(f"{C['note']}{r}", None, box=True, fill=INPUT_FILL, locked=False)
        note_dv.add(f"{C['note']}{r}")
        sign = 1 if e.points > 0 else -1
        raw = f"{excel_number(abs(e.points))}*{v}"
        capped = f"MIN({excel_number(e.cap)},{raw})" if e.cap is not None else raw
        s.put(f"{C['total']}{r}", f"=IF(ISNUMBER({v}),{sign}*{capped},0)", align="center", box=True, fill=CALC_FILL,
              fmt="+0.00;-0.00;0.00")
        s.height(r, {C["title"]: e.title})
        r += 1
    last = r - 1
    rng = f"{C['total']}{first}:{C['total']}{max(first, last)}"
    bonus_row, penalty_row = r, r + 1
    bonus = f'SUMIF({rng},">0")'
    penalty = f'SUMIF({rng},"<0")'
    if adj.bonus_cap is not None:
        bonus = f"MIN({excel_number(adj.bonus_cap)},{bonus})"
    if adj.penalty_cap is not None:
        penalty = f"MAX({excel_number(-adj.penalty_cap)},{penalty})"
    caps = [
        ("total:bonus", "Cộng điểm thưởng" + (f" (tối đa {adj.bonus_cap:g} điểm)" if adj.bonus_cap is not None else ""), bonus),
        ("total:penalty", "Trừ điểm" + (f" (tối đa {adj.penalty_cap:g} điểm)" if adj.penalty_cap is not None else ""), penalty),
    ]
    for code, label, formula in caps:
        s.put(f"A{r}", code)
        s.merge_put(f"{C['no']}{r}", f"{C['value']}{r}", label, bold=True, box=True)
        for col in (C["title"], C["points"], C["cap"], C["value"], C["note"]):
            s.put(f"{col}{r}", box=True)
        s.put(f"{C['total']}{r}", f"={formula}", bold=True, align="center", box=True, fill=CALC_FILL, fmt="+0.00;-0.00;0.00")
        s.ws.row_dimensions[r].height = 20
        r += 1
    s.page(landscape=True, title_rows=f"{head}:{head}")
    s.protect()
    return bonus_row, penalty_row


def _meta_sheet(wb, spec: TemplateSpec) -> dict[str, str]:
    """Very hidden sheet: identification (A:B) and the drop-down lists (D:F) with their names."""
    ws = wb.create_sheet(SHEET_META)
    values = {
        "format": FORMAT_ID, "template_version": TEMPLATE_VERSION, "bloc": spec.bloc, "period": str(spec.period),
        "unit_id": spec.unit_id, "unit_name": spec.unit_name, "covenant_digest": covenant_digest(spec.covenant),
    }
    for i, key in enumerate(META_KEYS, 1):
        ws.cell(i, 1, key)
        ws.cell(i, 2, values[key])
    lists = {"pass": ("DS_DAT", [PASS, FAIL])}
    if spec.period.is_annual:
        lists["party"] = ("DS_DANG", rating_choices(spec.vocab, "party", spec.period.year))
        lists["mass"] = ("DS_DOANTHE", rating_choices(spec.vocab, "mass", spec.period.year))
    names = {}
    for j, (key, (name, items)) in enumerate(lists.items()):
        col = get_column_letter(4 + j)  # D, E, F
        ws[f"{col}1"] = name
        for i, item in enumerate(items, 2):
            ws[f"{col}{i}"] = item
        wb.defined_names[name] = DefinedName(name, attr_text=f"'{SHEET_META}'!${col}$2:${col}${len(items) + 1}")
        names[key] = name
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
    return names


def build_workbook(spec: TemplateSpec):
    """The openpyxl Workbook for one unit (not saved)."""
    wb = Workbook()
    annual = spec.period.is_annual
    sheets = [SHEET_GUIDE, SHEET_SCORES] + ([SHEET_STAFF, SHEET_ORGS] if annual else []) + [SHEET_EVENTS]
    _guide_sheet(wb, spec, sheets)
    names = _meta_sheet(wb, spec)
    refs = _scores_sheet(wb, spec, names)
    if annual:
        _staff_sheet(wb, spec)
        _orgs_sheet(wb, spec, names)
    bonus_row, penalty_row = _events_sheet(wb, spec)
    ws = wb[SHEET_SCORES]
    for code, row in (("total:bonus", bonus_row), ("total:penalty", penalty_row)):
        cell = ws[refs[code]]
        cell.value = cell.value.format(bonus=bonus_row, penalty=penalty_row)
    wb.move_sheet(SHEET_META, offset=len(wb.sheetnames))  # keep the visible sheets first, in order
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)  # no sheet can be added, deleted, renamed or unhidden
    wb.properties.title = f"Mẫu tự chấm điểm thi đua {spec.period.label_vi} - {spec.unit_name}"
    wb.properties.creator = "thidua"
    return wb


def write_template(spec: TemplateSpec, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / template_filename(spec.bloc, spec.period, spec.unit_id)
    with replacing(path) as tmp:  # a reader never finds half a workbook
        build_workbook(spec).save(tmp)
    return path


def specs_for(workspace, bloc: str, period: str | Period, units: list[str] | None = None,
              deadline: str = "", contact: str = "") -> list[TemplateSpec]:
    """The TemplateSpec of every member of ``bloc`` in ``period`` (or of the members in ``units``)."""
    ctx = period_context(workspace, bloc, period, units)
    out = []
    for m in ctx.members.itertuples(index=False):
        if units and m.unit_id not in units:
            continue
        superior = f"UBND tỉnh {ctx.province}" if ctx.province and m.kind in PROVINCIAL_KINDS else ""
        out.append(TemplateSpec(bloc, ctx.bloc_name, ctx.period, ctx.covenant, workspace.vocab, m.unit_id, m.name,
                                deadline=deadline, contact=contact, superior=superior))
    return out


def write_templates(workspace, bloc: str, period: str | Period, out_dir: Path, units: list[str] | None = None,
                    deadline: str = "", contact: str = "") -> list[Path]:
    """Write one workbook per member of ``bloc`` in ``period`` (or per unit in ``units``) into ``out_dir``."""
    return [write_template(spec, out_dir) for spec in specs_for(workspace, bloc, period, units, deadline, contact)]
