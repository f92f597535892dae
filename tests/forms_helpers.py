"""Typing values into a self-assessment workbook as a unit would, for tests and benchmarks.

The library only writes blank templates (:mod:`toolkit.forms.template`); filled ones are
needed only to test and time reading them back, so the filling lives here.
"""
from __future__ import annotations

from toolkit.forms.workbook_layout import (
    CODE_COL, CODE_CRITERION, CODE_EVENT, CODE_ORG, CODE_STAFF, EVENT_COLS, ORG_COLS, SCORE_COLS, SHEET_EVENTS, SHEET_ORGS,
    SHEET_SCORES, SHEET_STAFF, STAFF_COLS,
)


def fill_workbook(wb, scores: dict | None = None, notes: dict | None = None, staff: dict | None = None,
                  orgs: dict | None = None, events: dict | None = None):
    """Type values into a template's input cells, as a unit would.

    ``scores``: criterion id -> value (a number, or "Đạt"/"Không đạt" text, or any text);
    ``notes``: criterion id -> text; ``staff``: level id -> count; ``orgs``: organisation ->
    label; ``events``: event id -> (count, reason). Rows are found by their code in column A.
    """
    def rows(sheet: str, prefix: str) -> dict[str, int]:
        ws = wb[sheet]
        return {c.value[len(prefix):]: c.row for c in ws[CODE_COL] if isinstance(c.value, str) and c.value.startswith(prefix)}

    if scores or notes:
        ws, at = wb[SHEET_SCORES], rows(SHEET_SCORES, CODE_CRITERION)
        for k, v in (scores or {}).items():
            ws[f"{SCORE_COLS['value']}{at[k]}"] = v
        for k, v in (notes or {}).items():
            ws[f"{SCORE_COLS['note']}{at[k]}"] = v
    if staff:
        ws, at = wb[SHEET_STAFF], rows(SHEET_STAFF, CODE_STAFF)
        for k, v in staff.items():
            ws[f"{STAFF_COLS['value']}{at[k]}"] = v
    if orgs:
        ws, at = wb[SHEET_ORGS], rows(SHEET_ORGS, CODE_ORG)
        for k, v in orgs.items():
            ws[f"{ORG_COLS['value']}{at[k]}"] = v
    if events:
        ws, at = wb[SHEET_EVENTS], rows(SHEET_EVENTS, CODE_EVENT)
        for k, (count, reason) in events.items():
            ws[f"{EVENT_COLS['value']}{at[k]}"] = count
            ws[f"{EVENT_COLS['note']}{at[k]}"] = reason
    return wb

