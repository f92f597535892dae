"""The tally workbook (bảng kiểm phiếu) the ballot committee fills in at the year-end meeting.

One sheet per award, printable on A4 like the self-assessment forms: the ballots issued,
returned and valid and the members present, then the candidates in rank order with a cell for
their votes in favour and the share computed on the covenant's ``vote_base``. Only the yellow
cells are unlocked and Excel accepts whole numbers ≥ 0 there; a very hidden sheet says which
bloc, period and award each sheet is, so ``thidua ingest`` recognises the file whatever its
name (:mod:`toolkit.forms.tally_reader`) and turns it into ``ballots.csv``.

Written with the documents (``thidua documents``), blank: the count is the committee's. The
same inputs give the same bytes (fixed properties and zip times).
"""
from __future__ import annotations

import datetime as _dt
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.workbook.protection import WorkbookProtection

from toolkit.forms.sheet import CALC_FILL, HEAD_FILL, INPUT_FILL, FormSheet, national_header, text_lines, validation
from toolkit.engine.ballot_count import BASE_VI
from toolkit.model.ballots import threshold_text
from toolkit.model.covenant import Award
from toolkit.model.text import fmt_percent

FORMAT_ID = "thidua-kiem-phieu"
VERSION = "1"
SHEET_META = "_thidua"
FILENAME = "kiem-phieu.xlsx"
BUILT = _dt.datetime(2025, 1, 1)
VALUE = "E"  # the column of every number typed in
CODE_COUNT = "count:"
CODE_UNIT = "unit:"
COUNT_ROWS = [("issued", "Số phiếu phát ra"), ("returned", "Số phiếu thu về"), ("valid", "Số phiếu hợp lệ"),
              ("invalid", "Số phiếu không hợp lệ (tự tính)"), ("present", "Số thành viên có mặt"),
              ("members", "Số đơn vị thành viên của Khối")]
INPUTS = ("issued", "returned", "valid", "present")


def sheet_name(i: int, award: Award) -> str:
    """'1. Cờ thi đua của UBND tỉnh', without the characters Excel refuses, at most 31 characters (cut between words)."""
    name = re.sub(r"[\[\]:*?/\\']", " ", f"{i}. {award.title}")
    return name if len(name) <= 31 else name[:32].rsplit(" ", 1)[0].strip()


def _award_sheet(wb, i: int, award: Award, candidates: pd.DataFrame, ctx) -> str:
    name = sheet_name(i, award)
    s = FormSheet(wb.create_sheet(name), {"A": 2, "B": 6, "C": 44, "D": 10, "E": 14, "F": 14})
    superior = f"UBND tỉnh {ctx.province}" if ctx.province else ""
    r = national_header(s, 1, ctx.bloc_name, superior, "D", "F")
    s.merge_put(f"B{r}", f"F{r}", "BẢNG KIỂM PHIẾU", bold=True, size=14, align="center")
    s.merge_put(f"B{r + 1}", f"F{r + 1}", f"Bình xét đề nghị tặng {award.title} năm {ctx.period.year}", bold=True, size=13,
                align="center")
    s.ws.row_dimensions[r + 1].height = text_lines(award.title, 70, 13) * 18 + 4
    guide = (f"Ban kiểm phiếu ghi số liệu vào các ô màu vàng (số nguyên, từ 0). Tỷ lệ đồng ý tính trên {BASE_VI[award.vote_base]}"
             + (f"; điều kiện: {threshold_text(award, fmt_percent(award.min_vote_share, 0))}" if award.min_vote_share is not None else "")
             + ". Ô để trống là chưa kiểm, không phải 0: đơn vị không có phiếu đồng ý nào thì ghi 0.")
    s.merge_put(f"B{r + 2}", f"F{r + 2}", guide, italic=True, size=11)
    s.ws.row_dimensions[r + 2].height = text_lines(guide, 80, 11) * 15 + 4
    dv = validation("whole", operator="greaterThanOrEqual", f1="0", title="Số phiếu",
                    prompt="Số nguyên từ 0 trở lên.", error="Cần một số nguyên từ 0 trở lên.")
    s.ws.add_data_validation(dv)
    row = {}
    r += 4
    for key, label in COUNT_ROWS:
        row[key] = r
        s.put(f"A{r}", f"{CODE_COUNT}{key}")
        s.merge_put(f"B{r}", f"D{r}", label, box=True)
        for col in ("C", "D"):
            s.put(f"{col}{r}", None, box=True)
        if key in INPUTS:
            s.put(f"{VALUE}{r}", None, align="center", box=True, fill=INPUT_FILL, locked=False, fmt="0")
            dv.add(f"{VALUE}{r}")
        r += 1
    e = lambda k: f"{VALUE}{row[k]}"  # noqa: E731
    s.put(e("invalid"), f'=IF(AND(ISNUMBER({e("returned")}),ISNUMBER({e("valid")})),{e("returned")}-{e("valid")},"")',
          align="center", box=True, fill=CALC_FILL, fmt="0")
    s.put(e("members"), len(ctx.members), align="center", box=True, fill=CALC_FILL, fmt="0")
    head = r + 1
    for col, text in zip("BCDEF", ("STT", "Đơn vị", "Xếp hạng", "Số phiếu đồng ý", "Tỷ lệ đồng ý")):
        s.put(f"{col}{head}", text, bold=True, align="center", box=True, fill=HEAD_FILL)
    base = e(award.vote_base)
    for j, c in enumerate(candidates.itertuples(), start=1):
        r = head + j
        s.put(f"A{r}", f"{CODE_UNIT}{c.unit_id}")
        s.put(f"B{r}", j, align="center", box=True)
        s.put(f"C{r}", c.name, box=True)
        s.put(f"D{r}", int(c.rank) if pd.notna(c.rank) else None, align="center", box=True)
        s.put(f"E{r}", None, align="center", box=True, fill=INPUT_FILL, locked=False, fmt="0")
        dv.add(f"E{r}")
        s.put(f"F{r}", f'=IF(AND(ISNUMBER(E{r}),N({base})>0),E{r}/{base},"")', align="center", box=True, fill=CALC_FILL,
              fmt="0.0%")
        s.height(r, {"C": c.name})
    r = head + len(candidates) + 2
    s.merge_put(f"B{r}", f"C{r}", "CÁC THÀNH VIÊN", bold=True, align="center")
    s.merge_put(f"D{r}", f"F{r}", "TRƯỞNG BAN KIỂM PHIẾU", bold=True, align="center")
    s.ws.row_dimensions[r + 1].height = 60
    s.ws.print_area = f"B1:F{r + 2}"
    s.page(landscape=False, title_rows=f"{head}:{head}")
    s.protect()
    return name


def _meta_sheet(wb, ctx, sheets: dict[str, str]) -> None:
    ws = wb.create_sheet(SHEET_META)
    rows = [("format", FORMAT_ID), ("template_version", VERSION), ("bloc", ctx.bloc), ("period", str(ctx.period))]
    rows += [(f"award:{a}", name) for a, name in sheets.items()]
    for i, (k, v) in enumerate(rows, 1):
        ws.cell(i, 1, k)
        ws.cell(i, 2, v)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def build_workbook(ctx, candidates: dict[str, pd.DataFrame]) -> Workbook:
    """The tally workbook of ``ctx`` (a :class:`~toolkit.forms.period_context.PeriodContext`), one sheet per award in
    ``candidates``; not saved (the documents' writer saves it with pinned times)."""
    wb = Workbook()
    wb.remove(wb.active)
    awards = {a.id: a for a in ctx.covenant.awards}
    sheets = {a: _award_sheet(wb, i, awards[a], cand, ctx) for i, (a, cand) in enumerate(candidates.items(), start=1)}
    _meta_sheet(wb, ctx, sheets)
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.title = f"Bảng kiểm phiếu bình xét thi đua năm {ctx.period.year} - {ctx.bloc_name}"
    wb.properties.creator = wb.properties.lastModifiedBy = "thidua"
    wb.properties.created = wb.properties.modified = BUILT
    return wb
