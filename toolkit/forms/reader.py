"""Reading one returned self-assessment workbook into tidy rows, with every problem found.

:func:`read_submission` never raises for a bad file: it opens the bytes (telling an empty,
encrypted, old .xls, truncated or non-Excel file apart), checks the identification sheet
against the :class:`~toolkit.forms.period_context.PeriodContext` (format, template version, bloc,
period, unit, scoring table), then reads every data sheet, recording each problem with its
sheet and A1 cell. Rows are found by their code in column A (:mod:`toolkit.forms.workbook_layout`).

Cells are read with python-calamine; formulas in input cells are found by
:mod:`toolkit.forms.formulas`.
"""
from __future__ import annotations

import hashlib
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

from toolkit.errors import Problem, ThiduaError, visible
from toolkit.forms import workbook_layout
from toolkit.forms.cells import NotANumber, cell, csv_number, fold, norm, number, ref, shown, text
from toolkit.forms.criterion_rows import read_violations, score_input_rows
from toolkit.forms.period_context import PeriodContext
from toolkit.forms.formulas import formula_inputs
from toolkit.model.covenant import ORGANISATION_VI
from toolkit.model.periods import Period
from toolkit.model.period_data import EVENTS, ORGS, SCORES, STAFF, VIOLATIONS
from toolkit.model.readers import REFUSED, control_problem
from toolkit.model.text import label_key


@dataclass
class Submission:
    """One file read and checked; ``rows`` are the tidy rows it contributes per table."""

    file: str
    sha256: str
    unit_id: str = ""
    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, list[list[str]]] = field(default_factory=dict)
    kind: str = workbook_layout.FORMAT_ID  # the format id of its identification sheet: which kind of workbook it is

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.file, where, message))

    def warn(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.file, where, message, "warning"))


_PASS_FAIL = {label_key(workbook_layout.PASS): 1.0, label_key(workbook_layout.FAIL): 0.0}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def _open(sub: Submission, data: bytes) -> tuple[CalamineWorkbook, zipfile.ZipFile] | None:
    """Open the bytes as an xlsx; record why not (encrypted, .xls, truncated, not a workbook)."""
    if not data:
        sub.error("", "tệp rỗng (0 byte): tệp bị hỏng hoặc chưa sao chép xong; hãy gửi lại tệp")
        return None
    if data.startswith(_OLE):
        if _ENCRYPTED in data:
            sub.error("", "tệp được đặt mật khẩu: hãy gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại")
        else:
            sub.error("", "tệp dạng Excel 97-2003 (.xls) hoặc tài liệu Office cũ: hãy dùng đúng mẫu và lưu dạng .xlsx")
        return None
    if not data.startswith(b"PK"):
        sub.error("", "không phải tệp Excel (.xlsx): hãy gửi đúng mẫu tự chấm điểm đã điền")
        return None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError, OSError):
        sub.error("", "tệp Excel bị hỏng hoặc không đầy đủ (bị cắt ngang khi sao chép, tải về): hãy gửi lại tệp")
        return None
    if "xl/workbook.xml" not in names:
        sub.error("", _what_zip_is(zf, names))
        return None
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several error types for damaged content
        sub.error("", f"không đọc được nội dung tệp Excel (tệp bị hỏng?): {type(exc).__name__}")
        return None
    return wb, zf


def _what_zip_is(zf: zipfile.ZipFile, names: set[str]) -> str:
    """Name what a zip that is not an xlsx really is, in the words its sender knows."""
    mimetype = zf.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
    if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
        return ("bảng tính OpenDocument (.ods, lưu từ LibreOffice Calc hoặc WPS): hãy mở lại mẫu của khối, "
                "điền và chọn Lưu thành 'Excel 2007-365 (.xlsx)'")
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        return "tài liệu OpenDocument (LibreOffice), không phải bảng tính Excel: hãy gửi đúng mẫu tự chấm điểm (.xlsx)"
    if "word/document.xml" in names:
        return "tài liệu Word (.docx), không phải bảng tính Excel: hãy gửi đúng mẫu tự chấm điểm (.xlsx)"
    if "ppt/presentation.xml" in names:
        return "bản trình chiếu PowerPoint (.pptx), không phải bảng tính Excel: hãy gửi đúng mẫu tự chấm điểm (.xlsx)"
    return "tệp nén (.zip), không phải bảng tính Excel: hãy gửi đúng mẫu tự chấm điểm (.xlsx)"


def _identify(sub: Submission, meta: list[list], ctx: PeriodContext) -> bool:
    """Check format, version, bloc, period, unit and scoring table; False stops reading."""
    found = {}
    for i, row in enumerate(meta):
        if row and norm(row[0]) in workbook_layout.META_KEYS:
            found[norm(row[0])] = (text(row[1]) if len(row) > 1 else "", f"{workbook_layout.SHEET_META}!B{i + 1}")
    get = lambda k: found.get(k, ("", f"{workbook_layout.SHEET_META}!A1"))  # noqa: E731
    fmt, where = get("format")
    if fmt.startswith("thidua-") and fmt != workbook_layout.FORMAT_ID:
        sub.kind = fmt  # :func:`toolkit.forms.ingest.ingest` hands it to the reader of its kind
        return False
    if fmt != workbook_layout.FORMAT_ID:
        sub.error(where, "không phải mẫu tự chấm điểm do khối phát hành (thiếu thông tin nhận dạng): hãy điền vào mẫu của khối")
        return False
    version, where = get("template_version")
    ok = True
    if version != workbook_layout.TEMPLATE_VERSION:
        sub.error(where, f"mẫu phiên bản {version or '?'} không còn dùng được; khối đang dùng mẫu phiên bản "
                         f"{workbook_layout.TEMPLATE_VERSION}: hãy chép số liệu sang mẫu mới")
        return False
    bloc, where = get("bloc")
    if bloc != ctx.bloc:
        sub.error(where, f"mẫu của khối '{bloc}', không phải khối '{ctx.bloc}' đang tổng hợp")
        ok = False
    period, _where = get("period")
    if period != str(ctx.period):
        # named by what the sender sees (the title of the guide sheet), not by a cell of the hidden sheet
        try:
            shown_period = f"“{Period.parse(period).label_vi}”"
        except ThiduaError:
            shown_period = f"'{period or '?'}'"
        sub.error(f"trang “{workbook_layout.SHEET_GUIDE}”, tiêu đề",
                  f"đây là mẫu tự chấm điểm {shown_period}, không phải {ctx.period.label_vi} đang tổng hợp: "
                  f"hãy dùng mẫu của kỳ này")
        ok = False
    unit, _where = get("unit_id")
    sub.unit_id = visible(unit)  # shown and filed in ingest_report.csv; a unit id with control characters is no member
    if ok and unit not in ctx.member_names:
        sub.error(f"trang “{workbook_layout.SHEET_GUIDE}”, dòng “Đơn vị”",
                  f"mẫu của đơn vị “{get('unit_name')[0] or unit}”, không phải thành viên khối '{ctx.bloc}' năm {ctx.period.year}")
        ok = False
    digest, where = get("covenant_digest")
    if ok and digest != ctx.digest:
        sub.error(where, "mẫu được tạo từ bảng điểm khác bảng điểm hiện hành của giao ước (giao ước đã sửa sau khi "
                         "phát mẫu?): hãy chép số liệu sang mẫu mới")
        ok = False
    return ok


def _rows_by_code(sub: Submission, sheet: str, rows: list[list], prefix: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, row in enumerate(rows):
        if not row:
            continue
        code = row[0]
        if isinstance(code, str) and code.startswith(prefix):
            key = code[len(prefix):]
            if key in out:
                sub.error(f"{sheet}!A{i + 1}", f"dòng '{key}' xuất hiện hai lần (dòng {out[key] + 1} và {i + 1})")
            else:
                out[key] = i
    return out


def _find(sub: Submission, sheet: str, index: dict[str, int], key: str, what: str) -> int | None:
    r = index.get(key)
    if r is None:
        sub.error(f"{sheet}!A1", f"thiếu dòng {what} (dòng đã bị xóa?): hãy dùng lại mẫu gốc")
    return r


def criterion_value(k, raw) -> tuple[float | None, Problem | None]:
    """A typed value of criterion ``k`` (a self or a verified one) and what is wrong with it, if anything.

    The problem has no file and cell: the caller knows them. None for a blank cell.
    """
    def bad(message: str, severity: str = "error") -> tuple[float | None, Problem]:
        return value, Problem("", "", message, severity)

    value = None
    try:
        if k.kind == "pass_fail" and isinstance(raw, str) and fold(raw) in _PASS_FAIL:
            value = _PASS_FAIL[fold(raw)]
        else:
            value = number(raw)
    except NotANumber:
        want = (f"“{workbook_layout.PASS}” hoặc “{workbook_layout.FAIL}”" if k.kind == "pass_fail" else
                "số lần (số nguyên)" if k.kind == "count" else "một số (ví dụ 8,5)")
        return bad(f"tiêu chí {k.id}: cần {want}, nhận được '{shown(raw)}'")
    lo, hi = k.plausible_range()
    if value is None:
        return None, None
    if not math.isfinite(value):
        return bad(f"tiêu chí {k.id}: '{shown(raw)}' không phải một số hữu hạn")
    if value < 0:
        return bad(f"tiêu chí {k.id}: giá trị âm '{shown(raw)}' không hợp lệ; cần từ 0 trở lên")
    if k.kind == "graded" and value > k.max + 1e-9:
        return bad(f"tiêu chí {k.id}: điểm {shown(raw)} vượt điểm chuẩn {k.max:g}; cần từ 0 đến {k.max:g}")
    if k.kind == "pass_fail" and value not in (0.0, 1.0):
        return bad(f"tiêu chí {k.id}: cần “{workbook_layout.PASS}” hoặc “{workbook_layout.FAIL}”, nhận được '{shown(raw)}'")
    if k.kind == "count" and not value.is_integer():
        return bad(f"tiêu chí {k.id}: số lần phải là số nguyên, nhận được '{shown(raw)}'")
    if k.kind != "graded" and not lo <= value <= hi:
        unit = f" {k.unit}" if k.unit else ""
        span = f"từ {lo:g} đến {hi:g}{unit}" if math.isfinite(hi) else f"từ {lo:g}{unit} trở lên"
        return bad(f"tiêu chí {k.id}: giá trị '{shown(raw)}' nằm ngoài khoảng hợp lý ({span})")
    if k.kind == "target" and k.unit == "%" and 0 < value <= 1 < k.target:
        return bad(f"tiêu chí {k.id}: kết quả {shown(raw)} rất thấp so với chỉ tiêu {k.target:g}%: "
                   f"có phải đã nhập dạng phần trăm (ví dụ 98%) thay vì số (98)?", "warning")
    return value, None


def _read_scores(sub: Submission, rows: list[list], index: dict[str, int], ctx: PeriodContext, formulas: set[str]) -> None:
    sheet, cols = workbook_layout.SHEET_SCORES, workbook_layout.SCORE_COLS
    out, listed = [], []
    deductions = any(k.kind == "deduction" for _, k in ctx.covenant.criteria)
    violations = _rows_by_code(sub, sheet, rows, workbook_layout.CODE_VIOLATION) if deductions else {}
    for _, k in ctx.covenant.criteria:
        r = _find(sub, sheet, index, k.id, f"tiêu chí {k.id}")
        if r is None:
            continue
        if k.kind == "deduction":  # the number of violations listed below it; a unit that lists none declares none
            count, found = read_violations(sub, rows, violations, k, formulas)
            listed += found
            out.append([sub.unit_id, k.id, csv_number(count), "", ""])
            continue
        where = ref(sheet, cols["value"], r)
        note = text(cell(rows, r, cols["note"]))
        if f"{cols['value']}{r + 1}" in formulas:
            continue  # reported once as a formula
        raw = cell(rows, r, cols["value"])
        value, problem = criterion_value(k, raw)
        if problem is not None:
            (sub.warn if problem.severity == "warning" else sub.error)(where, problem.message)
            if problem.severity == "error":
                continue
        if value is None:
            sub.warn(where, f"tiêu chí {k.id} để trống: không có số liệu, 0 điểm (và không tính vào mức vượt chỉ tiêu "
                            f"cao nhất của khối); nếu giá trị đúng là 0 hãy nhập 0")
        out.append([sub.unit_id, k.id, csv_number(value), "", note])
    sub.rows[SCORES] = out
    if deductions:
        sub.rows[VIOLATIONS] = listed


def _whole_cell(sub: Submission, rows, r: int, sheet: str, col: str, what: str) -> float | None:
    raw = cell(rows, r, col)
    where = ref(sheet, col, r)
    try:
        value = number(raw)
    except NotANumber:
        sub.error(where, f"{what}: cần một số nguyên, nhận được '{shown(raw)}'")
        return None
    if value is not None and (value < 0 or not value.is_integer()):
        sub.error(where, f"{what}: cần một số nguyên từ 0 trở lên, nhận được '{shown(raw)}'")
        return None
    return value


def _read_staff(sub: Submission, rows: list[list], index: dict[str, int], ctx: PeriodContext, formulas: set[str]) -> None:
    sheet, cols = workbook_layout.SHEET_STAFF, workbook_layout.STAFF_COLS
    year = ctx.period.year
    scale = ctx.vocab.scales["staff"]
    labels = scale.labels_for(year)
    out, any_value = [], False
    for level in reversed(scale.levels):
        r = _find(sub, sheet, index, level, f"xếp loại '{scale.display(level)}'")
        if r is None:
            continue
        label = text(cell(rows, r, cols["title"]))
        if labels.get(fold(label)) != level:
            sub.error(ref(sheet, cols["title"], r), f"xếp loại '{label}' không hợp lệ năm {year}; "
                                                    f"dùng một trong: {'; '.join(scale.valid_labels(year))}")
            continue
        if f"{cols['value']}{r + 1}" in formulas:
            continue
        count = _whole_cell(sub, rows, r, sheet, cols["value"], f"số người xếp loại '{label}'")
        if count is not None:
            any_value = True
            out.append([sub.unit_id, _canonical(scale, label, year), csv_number(count)])
    if not any_value and index:
        sub.warn(f"{sheet}!{cols['value']}{min(index.values()) + 1}",
                 "chưa nhập số cán bộ, công chức, viên chức theo xếp loại: chỉ tiêu xếp loại sẽ không tính được")
    sub.rows[STAFF] = out


_SPELLING: dict[tuple[int, int], dict[str, str]] = {}


def _canonical(scale, label: str, year: int) -> str:
    """The vocabulary's own spelling of a label typed in any case or normalisation."""
    spelling = _SPELLING.get((id(scale), year))
    if spelling is None:
        spelling = _SPELLING[(id(scale), year)] = {fold(x): x for x in reversed(scale.valid_labels(year))}
    return spelling.get(fold(label), norm(label))


def _read_orgs(sub: Submission, rows: list[list], index: dict[str, int], ctx: PeriodContext, formulas: set[str]) -> None:
    sheet, cols = workbook_layout.SHEET_ORGS, workbook_layout.ORG_COLS
    year = ctx.period.year
    required = {t.organisation for t in ctx.covenant.targets.organisations if t.required}
    out = []
    for org, title in ORGANISATION_VI.items():
        r = _find(sub, sheet, index, org, f"tổ chức '{title}'")
        if r is None:
            continue
        where = ref(sheet, cols["value"], r)
        if f"{cols['value']}{r + 1}" in formulas:
            continue
        raw = cell(rows, r, cols["value"])
        scale = ctx.vocab.scale_for_org(org)
        if raw is None or (isinstance(raw, str) and norm(raw) == ""):
            if org in required:
                sub.warn(where, f"chưa chọn xếp loại {title}: giao ước yêu cầu chỉ tiêu này; "
                                "nếu đơn vị có tổ chức này hãy chọn xếp loại")
            continue
        label = text(raw)
        if not isinstance(raw, str) or fold(label) not in scale.labels_for(year):
            sub.error(where, f"xếp loại '{label}' của {title} không hợp lệ năm {year}; "
                             f"chọn một trong: {'; '.join(scale.valid_labels(year))}")
            continue
        out.append([sub.unit_id, org, _canonical(scale, label, year)])
    sub.rows[ORGS] = out


def _read_events(sub: Submission, rows: list[list], index: dict[str, int], ctx: PeriodContext, formulas: set[str]) -> None:
    sheet, cols = workbook_layout.SHEET_EVENTS, workbook_layout.EVENT_COLS
    out = []
    for e in ctx.covenant.adjustments.events:
        r = _find(sub, sheet, index, e.id, f"'{e.title}'")
        if r is None or f"{cols['value']}{r + 1}" in formulas:
            continue
        count = _whole_cell(sub, rows, r, sheet, cols["value"], f"số lần '{e.title}'")
        reason = text(cell(rows, r, cols["note"]))
        if count:
            if not reason:
                sub.warn(ref(sheet, cols["note"], r), f"'{e.title}': chưa ghi lý do, căn cứ")
            out.append([sub.unit_id, e.id, csv_number(count), reason])
    sub.rows[EVENTS] = out


_READERS = {workbook_layout.SHEET_SCORES: _read_scores, workbook_layout.SHEET_STAFF: _read_staff, workbook_layout.SHEET_ORGS: _read_orgs,
            workbook_layout.SHEET_EVENTS: _read_events}


def _input_cells(indexes: dict[str, dict[str, int]]) -> dict[str, tuple[set[str], frozenset]]:
    """A1 refs of the input cells actually present, per sheet (rows located by code)."""
    out = {}
    for sheet, index in indexes.items():
        cols = workbook_layout.INPUT_COLS[sheet]
        out[sheet] = ({f"{c}{i + 1}" for i in index.values() for c in cols}, frozenset(cols))
    return out


def _formulas(sub: Submission, zf: zipfile.ZipFile, indexes: dict[str, dict[str, int]]) -> dict[str, set[str]]:
    """Input cells holding a formula, per sheet; each reported once as an error."""
    found = formula_inputs(zf, _input_cells(indexes))
    for sheet, hits in found.items():
        for a1 in sorted(hits, key=lambda a: (int(re.sub(r"\D", "", a)), a)):
            sub.error(f"{sheet}!{a1}", "ô nhập chứa công thức: hãy nhập giá trị (số hoặc chữ), không nhập công thức")
    return found


def _controls(sub: Submission, sheet: str, rows: list[list], index: dict[str, int]) -> set[str]:
    """Input cells holding a control character (Excel saves a pasted BEL or ESC as ``_x0007_``): each an error, then not read."""
    bad = set()
    for r in index.values():
        for col in workbook_layout.INPUT_COLS[sheet]:
            value = cell(rows, r, col)
            if isinstance(value, str) and REFUSED.search(norm(value)):
                sub.problems.append(control_problem(sub.file, ref(sheet, col, r), norm(value)))
                bad.add(f"{col}{r + 1}")
    return bad


def read_submission(path: Path, ctx: PeriodContext, others: dict | None = None) -> Submission:
    """Read and check one returned workbook; never raises for a bad file, records problems.

    ``others`` maps the format id of another kind of workbook (the registration form) to its
    reader, called as ``read(sub, meta_rows, rows_of, zf, ctx)`` once the file is open.
    """
    data = path.read_bytes()
    sub = Submission(visible(path.name), hashlib.sha256(data).hexdigest())  # a file name is shown, and filed in a CSV
    opened = _open(sub, data)
    if opened is not None:
        wb, zf = opened
        with zf:
            _read_sheets(sub, wb, zf, ctx, others or {})
    return sub


def _read_sheets(sub: Submission, wb: CalamineWorkbook, zf: zipfile.ZipFile, ctx: PeriodContext, others: dict) -> None:
    sheets = {norm(n): n for n in wb.sheet_names}

    def rows_of(name: str) -> list[list] | None:
        real = sheets.get(name)
        if real is None:
            return None
        try:
            return wb.get_sheet_by_name(real).to_python(skip_empty_area=False)
        except Exception as exc:  # damaged sheet XML
            sub.error(f"{name}!A1", f"không đọc được trang (tệp bị hỏng?): {type(exc).__name__}")
            return []

    meta = rows_of(workbook_layout.SHEET_META)
    if meta is None:
        sub.error("", "không phải mẫu tự chấm điểm do khối phát hành (không có trang thông tin nhận dạng): "
                      "hãy điền vào mẫu của khối")
        return
    fmt = next((text(row[1]) for row in meta if len(row) > 1 and norm(row[0]) == "format"), "")
    if fmt in others:
        sub.kind = fmt
        others[fmt](sub, meta, rows_of, zf, ctx)
        return
    if not _identify(sub, meta, ctx):
        return
    wanted = [workbook_layout.SHEET_SCORES, workbook_layout.SHEET_EVENTS] + ([workbook_layout.SHEET_STAFF, workbook_layout.SHEET_ORGS] if ctx.period.is_annual else [])
    rows_by_sheet = {}
    for name in wanted:
        rows = rows_of(name)
        if rows is None:
            sub.error(f"{name}!A1", f"thiếu trang “{name}” của mẫu: hãy dùng lại mẫu gốc, không xóa hay đổi tên trang")
        else:
            rows_by_sheet[name] = rows
    indexes = {name: _rows_by_code(sub, name, rows, workbook_layout.ROW_CODES[name]) for name, rows in rows_by_sheet.items()}
    inputs = dict(indexes)
    if workbook_layout.SHEET_SCORES in inputs:
        deductions = {k.id for _, k in ctx.covenant.criteria if k.kind == "deduction"}
        inputs[workbook_layout.SHEET_SCORES] = score_input_rows(rows_by_sheet[workbook_layout.SHEET_SCORES],
                                                                indexes[workbook_layout.SHEET_SCORES], deductions)
    formulas = _formulas(sub, zf, inputs)
    for name, rows in rows_by_sheet.items():
        skip = formulas.get(name, set()) | _controls(sub, name, rows, inputs[name])  # each reported once
        _READERS[name](sub, rows, indexes[name], ctx, skip)
