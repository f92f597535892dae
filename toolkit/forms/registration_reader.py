"""Reading returned registration workbooks into the year's ``registrations.csv``.

:mod:`toolkit.forms.ingest` reads every file of a folder with :func:`toolkit.forms.reader.read_submission`,
which hands a workbook whose identification sheet says it is a registration form to
:func:`read_registration`. The checks are the self-assessment form's: the identification
(version, bloc, year, unit, the covenant it was made from), then every input cell, each problem
named by sheet and cell; formulas and control characters in input cells are refused. Accepted
units are merged by :func:`merge_registrations` with the self-assessment's rules (a unit with
different data is replaced only with ``--replace``; the same content changes no byte).
"""
from __future__ import annotations

import math
import zipfile
from pathlib import Path

from toolkit.errors import ThiduaError, visible
from toolkit.forms import registration_layout as layout
from toolkit.forms.cells import NotANumber, cell, csv_number, fold, norm, number, number_or_none, ref, shown, text
from toolkit.forms.formulas import formula_inputs
from toolkit.forms.merge import Outcome, Table, _merged, csv_bytes, load_table
from toolkit.forms.period_context import PeriodContext
from toolkit.forms.reader import Submission
from toolkit.forms.workbook_layout import SHEET_META
from toolkit.model.period_data import REGISTRATIONS
from toolkit.model.periods import Period
from toolkit.model.readers import REFUSED, control_problem

SHEET = layout.SHEET_FORM
_TICKS = {fold(layout.YES): 1, fold(layout.NO): 0, "x": 1, "1": 1, "0": 0}


def _identify(sub: Submission, meta: list[list], ctx: PeriodContext) -> bool:
    found = {norm(row[0]): (text(row[1]), f"{SHEET_META}!B{i + 1}") for i, row in enumerate(meta) if len(row) > 1 and row[0]}
    get = lambda k: found.get(k, ("", f"{SHEET_META}!A1"))  # noqa: E731
    version, where = get("template_version")
    if version != layout.TEMPLATE_VERSION:
        sub.error(where, f"bản đăng ký phiên bản {version or '?'} không còn dùng được; khối đang dùng phiên bản "
                         f"{layout.TEMPLATE_VERSION}: hãy chép nội dung sang mẫu mới")
        return False
    ok = True
    bloc, where = get("bloc")
    if bloc != ctx.bloc:
        sub.error(where, f"bản đăng ký của khối '{bloc}', không phải khối '{ctx.bloc}' đang tổng hợp")
        ok = False
    period, _ = get("period")
    if period != str(ctx.period):
        try:
            shown_period = Period.parse(period).label_vi
        except ThiduaError:
            shown_period = f"'{period or '?'}'"
        sub.error(f"trang “{SHEET}”, tiêu đề", f"đây là bản đăng ký thi đua {shown_period}, không phải {ctx.period.label_vi} "
                                               f"đang tổng hợp: bản đăng ký là theo năm, chạy với --period {period or 'NĂM'}")
        ok = False
    unit, _ = get("unit_id")
    sub.unit_id = visible(unit)
    if ok and unit not in ctx.member_names:
        sub.error(f"trang “{SHEET}”, dòng “Đơn vị”",
                  f"bản đăng ký của đơn vị “{get('unit_name')[0] or unit}”, không phải thành viên khối '{ctx.bloc}' năm {ctx.period.year}")
        ok = False
    digest, where = get("covenant_digest")
    if ok and digest != layout.registration_digest(ctx.covenant):
        sub.error(where, "bản đăng ký được tạo từ giao ước khác giao ước hiện hành (danh hiệu hoặc tiêu chí chỉ tiêu đã sửa "
                         "sau khi phát mẫu?): hãy chép nội dung sang mẫu mới")
        ok = False
    return ok


def _index(sub: Submission, rows: list[list]) -> dict[str, int]:
    """Row (0-based) of every machine code in column A; a code twice is an error."""
    out: dict[str, int] = {}
    for i, row in enumerate(rows):
        code = row[0] if row else None
        if isinstance(code, str) and code.startswith((layout.CODE_AWARD, layout.CODE_CRITERION, layout.CODE_COMMITMENT)):
            if code in out:
                sub.error(f"{SHEET}!A{i + 1}", f"dòng '{code}' xuất hiện hai lần (dòng {out[code] + 1} và {i + 1})")
            else:
                out[code] = i
    return out


def _skipped(sub: Submission, rows: list[list], index: dict[str, int], zf: zipfile.ZipFile) -> set[str]:
    """Input cells holding a formula or a control character: each reported once, then not read."""
    inputs = {f"{c}{r + 1}" for code, r in index.items() for prefix, cols in layout.INPUT_COLS.items()
              if code.startswith(prefix) for c in cols}
    cols = frozenset(c for cols in layout.INPUT_COLS.values() for c in cols)
    bad = set(formula_inputs(zf, {SHEET: (inputs, cols)}).get(SHEET, set()))
    for a1 in sorted(bad):
        sub.error(f"{SHEET}!{a1}", "ô nhập chứa công thức: hãy nhập giá trị (số hoặc chữ), không nhập công thức")
    for a1 in sorted(inputs - bad):
        col, r = a1[0], int(a1[1:]) - 1
        value = cell(rows, r, col)
        if isinstance(value, str) and REFUSED.search(norm(value)):
            sub.problems.append(control_problem(sub.file, f"{SHEET}!{a1}", norm(value)))
            bad.add(a1)
    return bad


def read_registration(sub: Submission, meta: list[list], rows_of, zf: zipfile.ZipFile, ctx: PeriodContext) -> None:
    """Check one registration workbook and put its rows (unit_id, kind, item, value, text) in ``sub.rows``."""
    if not _identify(sub, meta, ctx):
        return
    rows = rows_of(SHEET)
    if rows is None:
        sub.error(f"{SHEET}!A1", f"thiếu trang “{SHEET}” của mẫu: hãy dùng lại mẫu gốc, không xóa hay đổi tên trang")
        return
    index = _index(sub, rows)
    skip = _skipped(sub, rows, index, zf)
    C, u, out = layout.COLS, sub.unit_id, []

    def at(code: str, what: str) -> int | None:
        r = index.get(code)
        if r is None:
            sub.error(f"{SHEET}!A1", f"thiếu dòng {what} (dòng đã bị xóa?): hãy dùng lại mẫu gốc")
        return r

    ticked = 0
    for a in ctx.covenant.awards:
        r = at(layout.CODE_AWARD + a.id, f"danh hiệu “{a.title}”")
        if r is None or f"{C['value']}{r + 1}" in skip:
            continue
        raw = cell(rows, r, C["value"])
        key = fold(text(raw))
        if key == "":
            key = fold(layout.NO)  # an unticked box: not registered
        if key not in _TICKS:
            sub.error(ref(SHEET, C["value"], r), f"danh hiệu “{a.title}”: cần “{layout.YES}” hoặc “{layout.NO}”, nhận được '{shown(raw)}'")
            continue
        ticked += _TICKS[key]
        out.append([u, "award", a.id, str(_TICKS[key]), ""])
    if ctx.covenant.awards and ticked == 0 and sub.ok:
        sub.warn(f"{SHEET}!{C['value']}{min(index.get(layout.CODE_AWARD + a.id, 0) for a in ctx.covenant.awards) + 1}",
                 "đơn vị không đăng ký danh hiệu nào: sẽ không được xét các danh hiệu yêu cầu đăng ký")
    for _, k in ctx.covenant.criteria:
        if k.kind != "target":
            continue
        r = at(layout.CODE_CRITERION + k.id, f"chỉ tiêu {k.id}")
        if r is None or f"{C['value']}{r + 1}" in skip:
            continue
        where, raw = ref(SHEET, C["value"], r), cell(rows, r, C["value"])
        note = "" if f"{C['note']}{r + 1}" in skip else text(cell(rows, r, C["note"]))
        try:
            value = number(raw)
        except NotANumber:
            sub.error(where, f"chỉ tiêu {k.id}: cần một số (ví dụ 98 hoặc 98,5), nhận được '{shown(raw)}'")
            continue
        lo, hi = k.plausible_range()
        unit = f" {k.unit}" if k.unit else ""
        if value is None:
            sub.warn(where, f"chỉ tiêu {k.id} chưa đăng ký mức: không có cam kết để so sánh với kết quả cuối năm")
            continue
        if not math.isfinite(value) or not lo <= value <= hi:
            span = f"từ {lo:g} đến {hi:g}{unit}" if math.isfinite(hi) else f"từ {lo:g}{unit} trở lên"
            sub.error(where, f"chỉ tiêu {k.id}: mức '{shown(raw)}' nằm ngoài khoảng hợp lý ({span})")
            continue
        if (value > k.target) if k.lower_is_better else (value < k.target):
            sub.warn(where, f"chỉ tiêu {k.id}: mức đăng ký {shown(raw)}{unit} kém hơn chỉ tiêu giao ước {k.target:g}{unit}")
        out.append([u, "criterion", k.id, csv_number(value), note])
    for i in range(1, layout.COMMITMENT_ROWS + 1):
        r = index.get(f"{layout.CODE_COMMITMENT}{i}")
        if r is None or f"{C['title']}{r + 1}" in skip:
            continue  # commitment rows are optional: a deleted one is simply empty
        words = text(cell(rows, r, C["title"]))
        if words:
            out.append([u, "commitment", str(i), "", words])
    sub.rows[REGISTRATIONS] = out


# --------------------------------------------------------------------------- merging

def _fingerprint(rows: list[dict[str, str]]) -> list[tuple]:
    return sorted((norm(r.get("kind", "")), norm(r.get("item", "")), number_or_none(r.get("value", "")), norm(r.get("text", "")))
                  for r in rows)


def merge_registrations(ctx: PeriodContext, subs: list[Submission], replace: list[str]) -> tuple[list[Outcome], dict[Path, bytes]]:
    """The verdict on every registration file and the new ``registrations.csv`` (path -> bytes) if it changes."""
    table: Table = load_table(ctx.folder, REGISTRATIONS)
    columns = ["unit_id", "kind", "item", "value", "text"]
    outcomes, changes = [], {}
    for s in subs:
        if not s.ok:
            outcomes.append(Outcome(s, "rejected"))
            continue
        unit, stored = s.unit_id, table.dict_rows(s.unit_id)
        if not stored:
            outcomes.append(Outcome(s, "accepted", "added"))
            changes[unit] = s.rows[REGISTRATIONS]
        elif _fingerprint(stored) == _fingerprint([dict(zip(columns, r)) for r in s.rows[REGISTRATIONS]]):
            outcomes.append(Outcome(s, "accepted", "unchanged"))
        elif unit in replace:
            outcomes.append(Outcome(s, "accepted", "replaced"))
            changes[unit] = s.rows[REGISTRATIONS]
        else:
            s.error("", f"đơn vị {ctx.member_names[unit]} đã có bản đăng ký thi đua năm {ctx.period.year} khác với tệp này; "
                        f"đăng ký lại phải được chỉ định rõ: chạy lại với --replace {unit}")
            outcomes.append(Outcome(s, "rejected"))
    if not changes:
        return outcomes, {}
    content = csv_bytes(table.header, _merged(table, changes, list(ctx.members["unit_id"])))
    return outcomes, ({} if content == table.original else {ctx.folder / REGISTRATIONS: content})
