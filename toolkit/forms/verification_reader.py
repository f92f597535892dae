"""Reading returned verification workbooks into ``verified_value`` and ``verified_note`` of scores.csv.

A workbook is checked against what it was made from and what holds now: its bloc, period and
verifier, the covenant's scoring table and cross-checking groups, and every self value it
recorded, which must still be the value in scores.csv (a unit that submitted again since must
be verified again: the unit, criterion and both values are named). Each verified cell is read
like a self value (:func:`toolkit.forms.reader.criterion_value`); a verified value that differs
from the self value needs a reason. Any error refuses the whole workbook; an accepted one sets
its units' verified values and reasons, a blank cell meaning "not verified" (never 0).

:func:`toolkit.forms.ingest.ingest` hands these workbooks here, recognised by their
identification sheet, and writes the result with the self-assessments in one atomic step.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from toolkit.errors import Problem, visible
from toolkit.forms import verification_layout as layout
from toolkit.forms.cells import cell, csv_number, norm, number_or_none, ref, text
from toolkit.forms.formulas import formula_inputs
from toolkit.forms.merge import Outcome, Table
from toolkit.forms.period_context import PeriodContext
from toolkit.forms.reader import Submission, _open, criterion_value
from toolkit.forms.workbook_layout import FAIL, PASS
from toolkit.model.covenant import group_problems
from toolkit.model.readers import REFUSED, control_problem

VERIFIED = "verified"  # key of a verification submission's rows: [unit, criterion, verified value, reason]
NOTE = "verified_note"
REPORT_PREFIX = "tham-dinh:"  # the unit_id column of ingest_report.csv for a verification workbook: + verifier id


def _self_values(table: Table) -> dict[tuple[str, str], str]:
    """(unit, criterion) -> the self value now in scores.csv, as CSV text ("" when blank)."""
    u, c, v = table.unit_col, table.col("criterion_id"), table.col("self_value")
    out = {}
    for r in table.rows:
        if c is None or v is None or len(r) <= max(u, c):
            continue
        out[(norm(r[u]), norm(r[c]))] = csv_number(number_or_none(r[v])) if v < len(r) else ""
    return out


def _shown_value(kind: str, value: str) -> str:
    """A value as the person typed or saw it ('Đạt', '9,25'), or '(trống)'."""
    if value == "":
        return "(trống)"
    if kind == "pass_fail":
        return PASS if float(value) >= 1 else FAIL
    return value.replace(".", ",")


def _identify(sub: Submission, meta: list[list], ctx: PeriodContext) -> tuple[str, list[str], list[tuple[str, str, str]]] | None:
    """Check version, bloc, period, verifier, groups and digests; the verifier, its units and the recorded self values."""
    found = {}
    for i, row in enumerate(meta):
        if row and norm(row[0]) in layout.META_KEYS:
            found[norm(row[0])] = (text(row[1]) if len(row) > 1 else "", f"{layout.SHEET_META}!B{i + 1}")
    get = lambda k: found.get(k, ("", f"{layout.SHEET_META}!A1"))  # noqa: E731
    version, where = get("template_version")
    if version != layout.TEMPLATE_VERSION:
        sub.error(where, f"bảng thẩm định phiên bản {version or '?'} không còn dùng được; hãy lập bảng mới (thidua template --verification)")
        return None
    ok = True
    bloc, where = get("bloc")
    if bloc != ctx.bloc:
        sub.error(where, f"bảng thẩm định của khối '{bloc}', không phải khối '{ctx.bloc}' đang tổng hợp")
        ok = False
    period, where = get("period")
    if period != str(ctx.period):
        sub.error(where, f"bảng thẩm định kỳ '{period or '?'}', không phải kỳ {ctx.period} đang tổng hợp")
        ok = False
    verifier, where = get("verifier_id")
    sub.unit_id = visible(REPORT_PREFIX + verifier)
    if not ok:
        return None
    problems = group_problems(ctx.covenant.verification, list(ctx.members["unit_id"]))
    if problems:
        sub.error("", "nhóm chấm chéo trong giao ước không hợp lệ: " + "; ".join(f"{w}: {m}" for w, m in problems))
        return None
    plan = ctx.covenant.verification.assignments(list(ctx.members["unit_id"]))
    units_text, units_where = get("units")
    units = [u for u in units_text.split(",") if u]
    if verifier not in plan:
        sub.error(where, f"'{verifier}' không phải đơn vị thẩm định theo giao ước năm {ctx.period.year} "
                         f"(đơn vị thẩm định: {', '.join(plan)}): hãy lập lại bảng thẩm định")
        return None
    if units != plan[verifier]:
        sub.error(units_where, f"nhóm thẩm định đã đổi từ khi lập bảng (bảng: {', '.join(units) or 'không có'}; giao ước: "
                               f"{', '.join(plan[verifier])}): hãy lập lại bảng thẩm định")
        return None
    digest, where = get("covenant_digest")
    if digest != ctx.digest:
        sub.error(where, "bảng thẩm định được lập từ bảng điểm khác bảng điểm hiện hành của giao ước: hãy lập lại bảng thẩm định")
        return None
    recorded = []
    for row in meta:
        vals = [text(cell([row], 0, col)) for col in layout.SELF_COLS]
        if vals[0] and vals[1]:
            recorded.append((vals[0], vals[1], vals[2]))
    stored, where = get("self_digest")
    if layout.self_digest(recorded) != stored:
        sub.error(where, "thông tin nhận dạng của bảng thẩm định đã bị sửa (điểm tự chấm ghi trong bảng không khớp mã kiểm tra): "
                         "hãy dùng bảng do khối phát hành")
        return None
    return verifier, units, recorded


def _rows_by_code(sub: Submission, rows: list[list]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for i, row in enumerate(rows):
        key = layout.parse_row_code(row[0]) if row and isinstance(row[0], str) else None
        if key is None:
            continue
        if key in out:
            sub.error(f"{layout.SHEET_VERIFY}!A{i + 1}", f"dòng {key[0]} / {key[1]} xuất hiện hai lần (dòng {out[key] + 1} và {i + 1})")
        else:
            out[key] = i
    return out


def read_verification(path: Path, ctx: PeriodContext, scores: Table) -> Submission:
    """Read and check one returned verification workbook against ``scores`` (scores.csv as stored now)."""
    data = path.read_bytes()
    sub = Submission(visible(path.name), hashlib.sha256(data).hexdigest(), kind=layout.FORMAT_ID)
    opened = _open(sub, data)
    if opened is None:
        return sub
    wb, zf = opened
    with zf:
        sheets = {norm(n): n for n in wb.sheet_names}

        def rows_of(name):
            real = sheets.get(name)
            return None if real is None else wb.get_sheet_by_name(real).to_python(skip_empty_area=False)

        ident = _identify(sub, rows_of(layout.SHEET_META) or [], ctx)
        if ident is None:
            return sub
        rows = rows_of(layout.SHEET_VERIFY)
        if rows is None:
            sub.error(f"{layout.SHEET_VERIFY}!A1", f"thiếu trang “{layout.SHEET_VERIFY}”: hãy dùng lại bảng gốc, không xóa hay đổi tên trang")
            return sub
        index = _rows_by_code(sub, rows)
        inputs = {f"{c}{i + 1}" for i in index.values() for c in layout.INPUT_COLS}
        formulas = formula_inputs(zf, {layout.SHEET_VERIFY: (inputs, frozenset(layout.INPUT_COLS))}).get(layout.SHEET_VERIFY, set())
    _read_rows(sub, rows, index, ident[2], formulas, ctx, _self_values(scores))
    return sub


def _read_rows(sub: Submission, rows, index, recorded, formulas: set[str], ctx: PeriodContext, now: dict) -> None:
    C = layout.COLS
    crit = {k.id: k for _, k in ctx.covenant.criteria}
    names = ctx.member_names
    recorded_keys = {(u, c) for u, c, _ in recorded}
    out = []
    for unit, cid, was in sorted(recorded, key=lambda t: index.get((t[0], t[1]), -1)):  # problems in the sheet's order
        r = index.get((unit, cid))
        k = crit.get(cid)
        if r is None or k is None:
            sub.error(f"{layout.SHEET_VERIFY}!A1", f"thiếu dòng tiêu chí {cid} của {names.get(unit, unit)} (dòng đã bị xóa?): hãy dùng lại bảng gốc")
            continue
        is_now = now.get((unit, cid), "")
        if is_now != was:
            sub.error(ref(layout.SHEET_VERIFY, C["self"], r),
                      f"{names.get(unit, unit)}, tiêu chí {cid}: điểm tự chấm đã đổi từ khi lập bảng thẩm định "
                      f"({_shown_value(k.kind, was)} khi lập bảng, nay là {_shown_value(k.kind, is_now)}): "
                      "hãy lập lại bảng thẩm định cho đơn vị này (thidua template --verification)")
            continue
        v_ref, why_ref = ref(layout.SHEET_VERIFY, C["verified"], r), ref(layout.SHEET_VERIFY, C["reason"], r)
        if f"{C['verified']}{r + 1}" in formulas or f"{C['reason']}{r + 1}" in formulas:
            for col in layout.INPUT_COLS:
                if f"{col}{r + 1}" in formulas:
                    sub.error(ref(layout.SHEET_VERIFY, col, r), "ô nhập chứa công thức: hãy nhập giá trị, không nhập công thức")
            continue
        raw, reason_raw = cell(rows, r, C["verified"]), cell(rows, r, C["reason"])
        bad = False
        for where, value in ((v_ref, raw), (why_ref, reason_raw)):
            if isinstance(value, str) and REFUSED.search(norm(value)):
                sub.problems.append(control_problem(sub.file, where, norm(value)))
                bad = True
        if bad:
            continue
        value, problem = criterion_value(k, raw)
        if problem is not None:
            (sub.warn if problem.severity == "warning" else sub.error)(v_ref, f"{names.get(unit, unit)}, {problem.message}")
            if problem.severity == "error":
                continue
        reason = text(reason_raw)
        verified = csv_number(value)
        if value is not None and verified != was and not reason:
            sub.error(why_ref, f"{names.get(unit, unit)}, tiêu chí {cid}: giá trị thẩm định {_shown_value(k.kind, verified)} "
                               f"khác giá trị tự chấm {_shown_value(k.kind, was)}: cần ghi lý do điều chỉnh")
            continue
        if value is None and reason:
            sub.warn(why_ref, f"{names.get(unit, unit)}, tiêu chí {cid}: có lý do nhưng chưa nhập giá trị thẩm định: "
                              "tiêu chí được coi là chưa thẩm định")
        out.append([unit, cid, verified, reason if value is not None else ""])
    extra = sorted(k for k, v in now.items() if k[0] in {u for u, _ in recorded_keys} and k not in recorded_keys and k[1] in crit)
    for unit, cid in extra:
        sub.error(f"{layout.SHEET_VERIFY}!A1", f"{names.get(unit, unit)}, tiêu chí {cid}: có điểm tự chấm mới sau khi lập bảng "
                                         "thẩm định: hãy lập lại bảng thẩm định")
    sub.rows[VERIFIED] = out


def apply(table: Table, sub: Submission, names: dict[str, str]) -> tuple[int, list[Problem]]:
    """Write an accepted workbook's verified values and reasons into ``table`` (in place).

    Returns how many cells changed, and a warning for each stored verified value a blank cell cleared.
    """
    if NOTE not in table.header:
        table.header.append(NOTE)
    u, c = table.unit_col, table.col("criterion_id")
    vcol, ncol = table.col("verified_value"), table.col(NOTE)
    width = len(table.header)
    where = {}
    for i, r in enumerate(table.rows):
        if len(r) > max(u, c):
            where[(norm(r[u]), norm(r[c]))] = i
    changed, cleared = 0, {}
    for unit, cid, value, reason in sub.rows.get(VERIFIED, []):
        i = where.get((unit, cid))
        if i is None:
            if value == "":
                continue
            row = [""] * width
            row[u], row[c], row[vcol], row[ncol] = unit, cid, value, reason
            last = max((j for (uu, _), j in where.items() if uu == unit), default=len(table.rows) - 1)
            table.rows.insert(last + 1, row)
            where = {k: (j + 1 if j > last else j) for k, j in where.items()}
            where[(unit, cid)] = last + 1
            changed += 1
            continue
        row = table.rows[i]
        row.extend([""] * (width - len(row)))
        old = (row[vcol], row[ncol])
        if old == (value, reason):
            continue
        if value == "" and old[0].strip():
            cleared.setdefault(unit, []).append(f"{cid} ({old[0]})")
        row[vcol], row[ncol] = value, reason
        changed += 1
    notices = [Problem(sub.file, "", f"{names.get(unit, unit)}: ô thẩm định để trống, bỏ giá trị thẩm định đã ghi của tiêu chí "
                                     f"{', '.join(items)}: các tiêu chí này trở lại chưa thẩm định", "warning")
               for unit, items in cleared.items()]
    return changed, notices


def flag_duplicates(subs: list[Submission]) -> None:
    """Two accepted-looking workbooks of one verifier: both refused, each naming the other."""
    by: dict[str, list[Submission]] = {}
    for s in subs:
        if s.ok:
            by.setdefault(s.unit_id, []).append(s)
    for verifier, group in by.items():
        if len(group) > 1:
            for s in group:
                others = ", ".join(o.file for o in group if o is not s)
                s.error(f"{layout.SHEET_META}!B5", f"có {len(group)} bảng thẩm định của '{verifier[len(REPORT_PREFIX):]}': "
                                              f"tệp này và {others}; chỉ để lại một tệp rồi chạy lại")


def verified_outcomes(paths: list[Path], ctx: PeriodContext, scores: Table, changed_units: set[str]) -> tuple[list[Outcome], int]:
    """Read, check and apply every verification workbook: the verdicts, and how many cells of ``scores`` changed."""
    subs = [read_verification(p, ctx, scores) for p in paths]
    flag_duplicates(subs)
    for s in subs:
        again = sorted({u for u, _, _, _ in s.rows.get(VERIFIED, [])} & changed_units)
        if s.ok and again:
            s.error("", "bảng tự chấm mới của " + ", ".join(ctx.member_names.get(u, u) for u in again)
                        + " được tiếp nhận cùng lúc: điểm tự chấm đổi, hãy lập lại bảng thẩm định cho các đơn vị này")
    outcomes, total = [], 0
    for s in subs:
        if not s.ok:
            outcomes.append(Outcome(s, "rejected"))
            continue
        n, notices = apply(scores, s, ctx.member_names)
        s.problems.extend(notices)
        total += n
        outcomes.append(Outcome(s, "accepted", "verified" if n else "unchanged"))
    return outcomes, total

