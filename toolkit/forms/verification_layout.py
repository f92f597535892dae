"""The layout of the verification workbook (bảng thẩm định): the contract between its writer and its reader.

:mod:`toolkit.forms.verification_template` writes one workbook per verifier (the bloc's leader,
or each cross-checking group's verifying unit) and :mod:`toolkit.forms.verification_reader`
reads returned ones by this layout: one row per unit and criterion, found by its code in the
hidden column A, and a very hidden sheet naming the bloc, period and verifier and recording the
self values the workbook was made from (with their digest), so a self value changed since is
caught on return.

Changing anything here changes what earlier files mean: bump ``TEMPLATE_VERSION`` with it.
"""
from __future__ import annotations

import hashlib
import json

TEMPLATE_VERSION = "1"
FORMAT_ID = "thidua-tham-dinh"

SHEET_GUIDE = "Hướng dẫn"
SHEET_VERIFY = "Thẩm định"
SHEET_META = "_thidua"

# Column letters of the verification sheet (A is the hidden machine-code column).
COLS = {"no": "B", "title": "C", "max": "D", "self": "E", "points": "F", "note": "G", "verified": "H", "reason": "I"}
INPUT_COLS = (COLS["verified"], COLS["reason"])
CODE_ROW = "verify:"  # + unit id + "|" + criterion id
CODE_UNIT = "unit:"

# Identification keys (column A key, column B value) on SHEET_META, in this order; the self
# values the workbook was made from follow in columns D:F (unit id, criterion id, value).
META_KEYS = ("format", "template_version", "bloc", "period", "verifier_id", "verifier_name", "units",
             "covenant_digest", "self_digest")
SELF_COLS = ("D", "E", "F")
LIST_COL = "H"  # the "Đạt / Không đạt" drop-down list
LIST_NAME = "DS_DAT_TD"


def row_code(unit: str, criterion: str) -> str:
    return f"{CODE_ROW}{unit}|{criterion}"


def parse_row_code(code: str) -> tuple[str, str] | None:
    if not code.startswith(CODE_ROW) or "|" not in code:
        return None
    unit, _, crit = code[len(CODE_ROW):].partition("|")
    return unit, crit


def self_digest(values: list[tuple[str, str, str]]) -> str:
    """Fingerprint of the self values (unit, criterion, value as CSV text) a workbook was made from."""
    return hashlib.sha256(json.dumps(sorted(values)).encode()).hexdigest()[:16]


def workbook_filename(bloc: str, period, verifier: str) -> str:
    return f"tham-dinh_{bloc}_{period}_{verifier}.xlsx"
