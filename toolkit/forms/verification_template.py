"""Writing the verification workbook (bảng thẩm định) from the ingested self-assessments.

One ``.xlsx`` per verifier: the bloc's leader for every member, or, where the covenant sets
cross-checking groups (``verification.mode: cross``), each group's verifying unit for just its
units. Every submitted unit's criteria are listed with the self value, the evidence note and
the provisional points the engine gives them (the points of a target criterion depend on the
whole bloc, which no spreadsheet formula could know), a cell for the verified value and one for
the reason, which the reader requires when the verified value differs from the self value.

The sheet is drawn like the self-assessment form (:mod:`toolkit.forms.sheet`): yellow input
cells, everything else locked, Excel validation, A4 landscape fitted to the width with the
header row repeated on every page. Where everything goes is :mod:`toolkit.forms.verification_layout`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection

from toolkit.engine.scoring import criterion_scores
from toolkit.errors import DataError, ParameterError, Problem
from toolkit.forms import verification_layout as layout
from toolkit.forms.cells import csv_number
from toolkit.forms.period_context import PeriodContext, period_context
from toolkit.forms.sheet import CALC_FILL, HEAD_FILL, INPUT_FILL, FormSheet, excel_number, national_header, text_lines, validation
from toolkit.forms.workbook_layout import FAIL, PASS
from toolkit.model.covenant import SECRETARIAT, group_problems, verifier_name
from toolkit.model.files import replacing
from toolkit.model.text import fmt_number

MISSING_FILL = "F8CBAD"  # a verified value that differs from the self value and has no reason yet


@dataclass(frozen=True)
class VerificationSpec:
    """One verifier's workbook: who verifies, whom, and the rows (engine output) it shows."""

    ctx: PeriodContext
    verifier_id: str
    verifier_name: str
    units: list[str]
    scores: pd.DataFrame  # criterion_scores of the bloc: unit_id, criterion_id, self_value, self_score, note, ...
    submitted: frozenset


def check_groups(ctx: PeriodContext, covenant_file: str) -> None:
    """The covenant's cross-checking groups against that year's members: every problem at once, exit 2."""
    probs = group_problems(ctx.covenant.verification, list(ctx.members["unit_id"]))
    if probs:
        raise DataError([Problem(covenant_file, where, msg) for where, msg in probs])


def self_text(value) -> str:
    """A self or verified value as the CSV tables and the recorded digest hold it ("" when blank)."""
    return "" if value is None or pd.isna(value) else csv_number(float(value))


def specs_for(workspace, bloc: str, period: str, verifiers: list[str] | None = None) -> list[VerificationSpec]:
    """The spec of every verifier's workbook (or of those in ``verifiers``), from the ingested self-assessments."""
    ctx = period_context(workspace, bloc, period)
    check_groups(ctx, str(workspace.covenant_path(bloc, ctx.period.year)))
    if str(ctx.period) not in workspace.periods(bloc):
        raise ParameterError(f"Khối '{bloc}' chưa có bảng tự chấm kỳ {ctx.period} (scores.csv): "
                             "hãy tiếp nhận bảng tự chấm của các đơn vị (thidua ingest) trước khi lập bảng thẩm định.")
    cov, data = workspace.load(bloc, ctx.period)
    scores = criterion_scores(data.scores, cov)
    submitted = frozenset(data.scores["unit_id"])
    plan = cov.verification.assignments(list(ctx.members["unit_id"]))
    for v in verifiers or ():
        if v not in plan:
            raise ParameterError(f"'{v}' không phải đơn vị thẩm định của khối '{bloc}' năm {ctx.period.year}. "
                                 f"Đơn vị thẩm định: {', '.join(plan)}.")
    return [VerificationSpec(ctx, v, verifier_name(v, ctx.members), units, scores, submitted)
            for v, units in plan.items() if not verifiers or v in verifiers]


def _value_shown(kind: str, value):
    if value is None or pd.isna(value):
        return None
    if kind == "pass_fail":
        return PASS if value >= 1 else FAIL
    return float(value)


def recorded_self(spec: VerificationSpec) -> list[tuple[str, str, str]]:
    """(unit, criterion, self value) of every row of the workbook: what its digest is made of."""
    s = spec.scores
    rows = s[s["unit_id"].isin(spec.units)]
    return [(r.unit_id, r.criterion_id, self_text(r.self_value)) for r in rows.itertuples(index=False)]


def _guide_sheet(wb, spec: VerificationSpec) -> None:
    ws = wb.active
    ws.title = layout.SHEET_GUIDE
    s = FormSheet(ws, {"A": 2, "B": 5, "C": 26, "D": 30, "E": 30})
    ctx = spec.ctx
    p = ctx.period
    issuer = spec.verifier_id
    if issuer == SECRETARIAT:  # the leader unit issues it; without one, the bloc's secretariat
        leader = ctx.members.loc[ctx.members["role"] == "leader", "unit_id"]
        issuer = leader.iloc[0] if len(leader) else ""
    r = national_header(s, 1, ctx.member_names.get(issuer, "Thường trực Khối thi đua"), "", "D", "E")
    s.merge_put(f"B{r}", f"E{r}", f"BẢNG THẨM ĐỊNH KẾT QUẢ TỰ CHẤM ĐIỂM THI ĐUA {p.label_vi.upper()}", bold=True, size=14,
                align="center")
    s.ws.row_dimensions[r].height = 40
    r += 2
    units = "; ".join(ctx.member_names.get(u, u) for u in spec.units)
    info = [("Khối thi đua", ctx.bloc_name), ("Kỳ đánh giá", p.label_vi.capitalize()),
            ("Đơn vị thẩm định", spec.verifier_name), ("Các đơn vị được thẩm định", units),
            ("Mã mẫu", f"{ctx.bloc} / {p} / {spec.verifier_id} / thẩm định, phiên bản {layout.TEMPLATE_VERSION}")]
    for label, value in info:
        s.merge_put(f"B{r}", f"C{r}", label, bold=True, box=True)
        s.put(f"C{r}", box=True)
        s.merge_put(f"D{r}", f"E{r}", value, box=True)
        s.put(f"E{r}", box=True)
        s.ws.row_dimensions[r].height = max(20, text_lines(value, 60) * 16 + 4)
        r += 1
    r += 1
    s.merge_put(f"B{r}", f"E{r}", "HƯỚNG DẪN THẨM ĐỊNH", bold=True)
    r += 1
    steps = [
        "Chỉ nhập vào các ô nền vàng; các ô khác đã được khóa.",
        f"Trang “{layout.SHEET_VERIFY}”: với từng tiêu chí của từng đơn vị, đối chiếu giá trị tự chấm với minh chứng rồi "
        "nhập giá trị thẩm định vào cột “Thẩm định” (cùng cách nhập như bảng tự chấm: điểm, số lần, kết quả thực tế, "
        f"hoặc “{PASS}” / “{FAIL}”).",
        "Khi giá trị thẩm định khác giá trị tự chấm, bắt buộc ghi lý do vào cột “Lý do điều chỉnh” (ô chuyển màu đỏ "
        "cho đến khi có lý do).",
        "Ô thẩm định để trống là chưa thẩm định (không phải 0 điểm): khối dùng tạm điểm tự chấm và báo cáo ghi rõ. "
        "Nếu đồng ý với giá trị tự chấm, hãy nhập lại đúng giá trị đó. Giá trị đã thẩm định trước đây (nếu có) "
        "được điền sẵn; xóa một giá trị là bỏ kết quả thẩm định của tiêu chí đó.",
        "Điểm tạm tính là điểm tự chấm do phần mềm của khối tính theo giao ước (kể cả phần vượt chỉ tiêu so với cả khối).",
        "Bảng được lập từ điểm tự chấm đã tiếp nhận; nếu đơn vị nộp lại bảng tự chấm, bảng thẩm định này không dùng "
        "được nữa và khối sẽ gửi bảng mới.",
        "Không thêm, xóa, đổi tên các trang; lưu dạng Excel (.xlsx), không đặt mật khẩu, gửi về thường trực khối.",
    ]
    for i, text in enumerate(steps, 1):
        s.put(f"B{r}", f"{i}.", align="right", valign="top")
        s.merge_put(f"C{r}", f"E{r}", text, valign="top")
        s.ws.row_dimensions[r].height = max(18, text_lines(text, 84) * 16 + 3)
        r += 1
    s.page(landscape=False)
    s.protect()


def _verify_sheet(wb, spec: VerificationSpec) -> None:
    ws = wb.create_sheet(layout.SHEET_VERIFY)
    C = layout.COLS
    s = FormSheet(ws, {"A": 2, C["no"]: 7, C["title"]: 40, C["max"]: 8, C["self"]: 10, C["points"]: 10, C["note"]: 30,
                       C["verified"]: 11, C["reason"]: 30})
    ctx, cov = spec.ctx, spec.ctx.covenant
    s.merge_put("B1", "I1", f"BẢNG THẨM ĐỊNH KẾT QUẢ TỰ CHẤM ĐIỂM THI ĐUA {ctx.period.label_vi.upper()}", bold=True, size=14,
                align="center")
    ws.row_dimensions[1].height = 22
    s.merge_put("B2", "I2", f"Đơn vị thẩm định: {spec.verifier_name} — {ctx.bloc_name}", bold=True, align="center")
    ws.row_dimensions[2].height = max(20, text_lines(ws["B2"].value, 140) * 16 + 4)
    head = 4
    for key, text in (("no", "TT"), ("title", "Đơn vị, tiêu chí"), ("max", "Điểm chuẩn"), ("self", "Tự chấm"),
                      ("points", "Điểm tạm tính"), ("note", "Minh chứng của đơn vị"), ("verified", "Thẩm định"),
                      ("reason", "Lý do điều chỉnh")):
        s.put(f"{C[key]}{head}", text, bold=True, align="center", box=True, fill=HEAD_FILL)
    s.height(head, {C["max"]: "Điểm chuẩn", C["points"]: "Điểm tạm tính"})
    s.page(landscape=True, title_rows=f"{head}:{head}")
    pass_dv = validation("list", f1=f"={layout.LIST_NAME}", title="Đạt / Không đạt", prompt=f"Chọn “{PASS}” hoặc “{FAIL}”.",
                         error=f"Chỉ chọn “{PASS}” hoặc “{FAIL}”.")
    count_dv = validation("whole", operator="greaterThanOrEqual", f1="0", title="Số lần", prompt="Số lần (số nguyên, từ 0).",
                          error="Cần một số nguyên từ 0 trở lên.")
    reason_dv = validation("textLength", operator="lessThanOrEqual", f1="2000", title="Lý do điều chỉnh",
                           prompt="Bắt buộc khi giá trị thẩm định khác giá trị tự chấm.", error="Tối đa 2000 ký tự.")
    ranges: dict[tuple, object] = {}
    for dv in (pass_dv, count_dv, reason_dv):
        ws.add_data_validation(dv)
    scores = spec.scores.set_index(["unit_id", "criterion_id"])
    r = head + 1
    first_input = r
    for i, unit in enumerate(spec.units, 1):
        name = ctx.member_names.get(unit, unit)
        s.put(f"A{r}", f"{layout.CODE_UNIT}{unit}")
        s.put(f"{C['no']}{r}", i, bold=True, align="center", box=True, fill=HEAD_FILL)
        done = unit in spec.submitted
        s.merge_put(f"{C['title']}{r}", f"{C['reason']}{r}", name if done else f"{name} (chưa nộp bảng tự chấm: không có gì để thẩm định)",
                    bold=True, box=True, fill=HEAD_FILL)
        ws.row_dimensions[r].height = 20
        r += 1
        if not done:
            continue
        for content in cov.contents:
            s.put(f"{C['no']}{r}", content.id, bold=True, align="center", box=True)
            s.merge_put(f"{C['title']}{r}", f"{C['reason']}{r}", content.title, bold=True, italic=True, box=True)
            s.ws.row_dimensions[r].height = max(18, text_lines(content.title, 130) * 16 + 4)  # merged C:I
            r += 1
            for k in content.criteria:
                row = scores.loc[(unit, k.id)]
                s.put(f"A{r}", layout.row_code(unit, k.id))
                s.put(f"{C['no']}{r}", k.id, align="center", box=True)
                s.put(f"{C['title']}{r}", k.title, box=True)
                s.put(f"{C['max']}{r}", k.max, align="center", box=True, fmt="0.##")
                s.put(f"{C['self']}{r}", _value_shown(k.kind, row["self_value"]), align="center", box=True, fill=CALC_FILL,
                      fmt="0.##")
                s.put(f"{C['points']}{r}", float(row["self_score"]), align="center", box=True, fill=CALC_FILL, fmt="0.00")
                note = str(row["note"]) if isinstance(row["note"], str) else ""
                s.put(f"{C['note']}{r}", note, box=True, size=11)
                v = f"{C['verified']}{r}"
                # what is verified already is shown, so returning the workbook unchanged changes nothing
                s.put(v, _value_shown(k.kind, row["verified_value"]), align="center", box=True, fill=INPUT_FILL, locked=False,
                      fmt="0" if k.kind == "count" else "General")
                reason = row.get("verified_note", "")
                s.put(f"{C['reason']}{r}", reason if isinstance(reason, str) and reason else None, box=True, fill=INPUT_FILL,
                      locked=False)
                reason_dv.add(f"{C['reason']}{r}")
                if k.kind == "pass_fail":
                    pass_dv.add(v)
                elif k.kind == "count":
                    count_dv.add(v)
                else:
                    lo, hi = (0.0, k.max) if k.kind == "graded" else k.plausible_range()
                    dv = ranges.get((lo, hi))
                    if dv is None:
                        span = f"từ {lo:g} đến {hi:g}" if hi != float("inf") else f"từ {lo:g} trở lên"
                        dv = ranges[(lo, hi)] = (
                            validation("decimal", operator="between", f1=excel_number(lo), f2=excel_number(hi),
                                       title="Giá trị thẩm định", prompt=f"Nhập giá trị thẩm định ({span}).", error=f"Cần một số {span}.")
                            if hi != float("inf") else
                            validation("decimal", operator="greaterThanOrEqual", f1=excel_number(lo), title="Giá trị thẩm định",
                                       prompt=f"Nhập giá trị thẩm định ({span}).", error=f"Cần một số {span}."))
                        ws.add_data_validation(dv)
                    dv.add(v)
                s.height(r, {C["title"]: k.title, C["note"]: note}, sizes={C["note"]: 11})
                r += 1
        total = float(spec.scores.loc[spec.scores["unit_id"] == unit, "self_score"].sum())
        s.merge_put(f"{C['no']}{r}", f"{C['self']}{r}", f"Cộng điểm tự chấm các tiêu chí (tạm tính): {fmt_number(total)}",
                    bold=True, box=True)
        for col in (C["title"], C["max"], C["self"], C["points"], C["note"], C["verified"], C["reason"]):
            s.put(f"{col}{r}", box=True)
        s.put(f"{C['points']}{r}", round(total, cov.decimals), bold=True, align="center", box=True, fill=CALC_FILL, fmt="0.00")
        ws.row_dimensions[r].height = 20
        r += 1
    last = max(first_input, r - 1)
    # the reason cell turns red while a verified value differs from the self value and no reason is given
    V, E, R = C["verified"], C["self"], C["reason"]
    rule = FormulaRule(formula=[f'AND(LEFT($A{first_input},7)="{layout.CODE_ROW}",{V}{first_input}<>"",'
                                f'{V}{first_input}<>{E}{first_input},TRIM({R}{first_input})="")'],
                       fill=PatternFill("solid", start_color=MISSING_FILL, end_color=MISSING_FILL))
    ws.conditional_formatting.add(f"{R}{first_input}:{R}{last}", rule)
    r += 1
    s.merge_put(f"B{r}", f"D{r}", "NGƯỜI THẨM ĐỊNH", bold=True, align="center")
    s.merge_put(f"G{r}", f"I{r}", "THỦ TRƯỞNG ĐƠN VỊ THẨM ĐỊNH", bold=True, align="center")
    s.merge_put(f"B{r + 1}", f"D{r + 1}", "(Ký, ghi rõ họ tên)", italic=True, align="center")
    s.merge_put(f"G{r + 1}", f"I{r + 1}", "(Ký tên, đóng dấu)", italic=True, align="center")
    ws.freeze_panes = f"B{head + 1}"
    s.protect()


def _meta_sheet(wb, spec: VerificationSpec) -> None:
    ws = wb.create_sheet(layout.SHEET_META)
    recorded = recorded_self(spec)
    values = {"format": layout.FORMAT_ID, "template_version": layout.TEMPLATE_VERSION, "bloc": spec.ctx.bloc,
              "period": str(spec.ctx.period), "verifier_id": spec.verifier_id, "verifier_name": spec.verifier_name,
              "units": ",".join(spec.units), "covenant_digest": spec.ctx.digest, "self_digest": layout.self_digest(recorded)}
    for i, key in enumerate(layout.META_KEYS, 1):
        ws.cell(i, 1, key)
        ws.cell(i, 2, values[key])
    for i, row in enumerate(recorded, 1):
        for col, value in zip(layout.SELF_COLS, row):
            ws[f"{col}{i}"] = value
    ws[f"{layout.LIST_COL}1"], ws[f"{layout.LIST_COL}2"] = PASS, FAIL
    wb.defined_names[layout.LIST_NAME] = DefinedName(layout.LIST_NAME, attr_text=f"'{layout.SHEET_META}'!${layout.LIST_COL}$1:${layout.LIST_COL}$2")
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def build_workbook(spec: VerificationSpec):
    """The openpyxl Workbook of one verifier (not saved)."""
    wb = Workbook()
    _guide_sheet(wb, spec)
    _verify_sheet(wb, spec)
    _meta_sheet(wb, spec)
    wb.active = 1
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.title = f"Bảng thẩm định thi đua {spec.ctx.period.label_vi} - {spec.verifier_name}"
    wb.properties.creator = "thidua"
    return wb


def write_verification_workbooks(workspace, bloc: str, period: str, out_dir: Path,
                                 verifiers: list[str] | None = None) -> list[Path]:
    """One workbook per verifier of ``bloc`` in ``period`` (or per verifier in ``verifiers``) into ``out_dir``."""
    specs = specs_for(workspace, bloc, period, verifiers)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for spec in specs:
        path = out_dir / layout.workbook_filename(bloc, spec.ctx.period, spec.verifier_id)
        with replacing(path) as tmp:
            build_workbook(spec).save(tmp)
        paths.append(path)
    return paths
