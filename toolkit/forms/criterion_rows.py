"""The scoring sheet's rows for the criteria that are not one value typed in one cell.

A criterion with parts (tiêu chí thành phần) gets a subtotal row above its parts, which are
ordinary criterion rows. A deduction criterion (chấm trừ) gets rows below it where the unit
lists each violation with its reason; the number of violations is counted from them, never
typed a second time. Writing (for :mod:`toolkit.forms.template`) and reading (for
:mod:`toolkit.forms.reader`) sit together because they are one layout.
"""
from __future__ import annotations

import math

from toolkit.forms.cells import NotANumber, cell, csv_number, number, ref, shown, text
from toolkit.forms.sheet import CALC_FILL, INPUT_FILL, FormSheet, excel_number, validation
from toolkit.forms.workbook_layout import CODE_PARENT, CODE_VIOLATION, SCORE_COLS, SHEET_SCORES
from toolkit.model.covenant import Criterion
from toolkit.model.text import fmt_number

C = SCORE_COLS


def violation_rows_for(k: Criterion) -> int:
    """Rows offered for a deduction criterion's violations: enough to take every point (a row may count several)."""
    return max(3, min(10, math.ceil(k.max / k.points_per_violation)))


def how_to_deduct(k: Criterion) -> str:
    per = fmt_number(k.points_per_violation, 2).rstrip("0").rstrip(",")
    return f"Kê từng lần vi phạm ở các dòng dưới; trừ {per} điểm/lần, tối đa {k.max:g}; không vi phạm: đủ điểm"


def write_parent(s: FormSheet, r: int, k: Criterion, part_points: list[str], decimals: int) -> None:
    """The subtotal row of a criterion with parts: its maximum and the sum of its parts' points, no input."""
    s.put(f"A{r}", f"{CODE_PARENT}{k.id}")
    s.put(f"{C['no']}{r}", k.id, align="center", box=True, bold=True)
    s.put(f"{C['title']}{r}", k.title, box=True, bold=True)
    s.put(f"{C['max']}{r}", k.max, align="center", box=True, fmt="0.##", bold=True)
    how = f"Cộng điểm {len(k.parts)} tiêu chí thành phần"
    s.put(f"{C['how']}{r}", how, box=True, size=11, italic=True)
    for col in (C["value"], C["note"]):
        s.put(f"{col}{r}", box=True)
    s.put(f"{C['points']}{r}", f"=ROUND({'+'.join(part_points)},{decimals})", align="center", box=True, fill=CALC_FILL,
          fmt="0.00", bold=True)
    s.height(r, {C["title"]: k.title, C["how"]: how}, sizes={C["how"]: 11})


def write_violations(s: FormSheet, r: int, k: Criterion) -> tuple[str, int]:
    """Violation rows from row ``r``: returns the formula counting them and the next free row.

    A row counts its number, or 1 when only its reason is written (as events.csv counts a blank).
    """
    ws = s.ws
    count_dv = validation("whole", operator="greaterThanOrEqual", f1="0", title="Số lần vi phạm",
                          prompt="Số lần vi phạm của lý do này (để trống: 1 lần).", error="Cần một số nguyên từ 0 trở lên.")
    reason_dv = validation("textLength", operator="lessThanOrEqual", f1="2000", title="Lý do vi phạm",
                           prompt="Việc gì, số và ngày văn bản.", error="Tối đa 2000 ký tự.")
    ws.add_data_validation(count_dv)
    ws.add_data_validation(reason_dv)
    terms = []
    for i in range(1, violation_rows_for(k) + 1):
        v, why = f"{C['value']}{r}", f"{C['note']}{r}"
        s.put(f"A{r}", f"{CODE_VIOLATION}{k.id}:{i}")
        s.put(f"{C['no']}{r}", box=True)
        s.put(f"{C['title']}{r}", f"– Vi phạm {i} (ghi lý do ở cột “Minh chứng, ghi chú”)", box=True, italic=True, size=11)
        s.put(f"{C['max']}{r}", box=True)
        s.put(f"{C['how']}{r}", "Số lần (trống: 1)", box=True, italic=True, size=11)
        s.put(v, None, box=True, fill=INPUT_FILL, locked=False, align="center", fmt="0")
        s.put(why, None, box=True, fill=INPUT_FILL, locked=False)
        count_dv.add(v)
        reason_dv.add(why)
        n = f'IF(ISNUMBER({v}),{v},IF(LEN(TRIM({why}))>0,1,0))'
        terms.append(n)
        s.put(f"{C['points']}{r}", f"=-{excel_number(k.points_per_violation)}*{n}", align="center", box=True,
              fill=CALC_FILL, fmt="+0.00;-0.00;\"\"")
        s.ws.row_dimensions[r].height = 32  # two lines of reason, as typed
        r += 1
    return "=" + "+".join(terms), r


def deduction_points(value_ref: str, k: Criterion, decimals: int) -> str:
    return (f"=IF(ISNUMBER({value_ref}),ROUND(MAX(0,{excel_number(k.max)}-{excel_number(k.points_per_violation)}*{value_ref}),"
            f"{decimals}),0)")


def read_violations(sub, rows: list[list], index: dict[str, int], k: Criterion, skip: set[str]) -> tuple[float, list[list[str]]]:
    """The violations a unit listed for deduction criterion ``k``: their number and their rows for violations.csv.

    A count without a reason is refused at the reason cell: every point taken off needs one.
    """
    total, out = 0.0, []
    for i in range(1, violation_rows_for(k) + 1):
        r = index.get(f"{k.id}:{i}")
        if r is None:
            sub.error(f"{SHEET_SCORES}!A1", f"thiếu dòng vi phạm {i} của tiêu chí {k.id} (dòng đã bị xóa?): hãy dùng lại mẫu gốc")
            continue
        if {f"{C['value']}{r + 1}", f"{C['note']}{r + 1}"} & skip:
            continue  # reported once already (a formula or a control character)
        raw = cell(rows, r, C["value"])
        reason = text(cell(rows, r, C["note"]))
        where = ref(SHEET_SCORES, C["value"], r)
        try:
            count = number(raw)
        except NotANumber:
            sub.error(where, f"tiêu chí {k.id}, vi phạm {i}: cần số lần (số nguyên), nhận được '{shown(raw)}'")
            continue
        if count is not None and (not math.isfinite(count) or count < 0 or not count.is_integer()):
            sub.error(where, f"tiêu chí {k.id}, vi phạm {i}: cần số lần là số nguyên từ 0 trở lên, nhận được '{shown(raw)}'")
            continue
        if count is None:
            count = 1.0 if reason else 0.0
        if count and not reason:
            sub.error(ref(SHEET_SCORES, C["note"], r), f"tiêu chí {k.id}, vi phạm {i}: có {count:g} lần vi phạm nhưng chưa ghi lý do "
                                                       "(việc gì, số và ngày văn bản)")
            continue
        if count:
            total += count
            out.append([sub.unit_id, k.id, csv_number(count), reason])
    return total, out


def score_input_rows(rows: list[list], index: dict[str, int], deductions: set[str]) -> dict[str, int]:
    """The scoring sheet's rows whose value and note cells are inputs: criteria but deductions
    (their count is a formula), and every violation row (keyed by its code)."""
    out = {key: r for key, r in index.items() if key not in deductions}
    for i, row in enumerate(rows):
        code = row[0] if row else None
        if isinstance(code, str) and code.startswith(CODE_VIOLATION):
            out[code] = i
    return out
