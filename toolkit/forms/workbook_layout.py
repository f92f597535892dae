"""The layout of the self-assessment workbook: the contract between its writer and its reader.

:mod:`toolkit.forms.template` writes workbooks to this layout and :mod:`toolkit.forms.reader`
reads returned ones by it: sheet names, the column letter of every field, the machine codes
written in the hidden column A, the keys of the very hidden identification sheet, and the
digest of the scoring table. The reader finds every row by its code in column A, never by
position, so an inserted empty row or a re-sorted sheet is still read correctly.

Changing anything here changes what earlier files mean: bump ``TEMPLATE_VERSION`` with it.
"""
from __future__ import annotations

import hashlib
import json

from toolkit.model.covenant import Covenant

TEMPLATE_VERSION = "1"
FORMAT_ID = "thidua-tu-cham-diem"

# Sheet names (shown to people; NFC). The metadata sheet is very hidden.
SHEET_GUIDE = "Hướng dẫn"
SHEET_SCORES = "Chấm điểm"
SHEET_STAFF = "Xếp loại CBCCVC"
SHEET_ORGS = "Xếp loại tổ chức"
SHEET_EVENTS = "Cộng trừ điểm"
SHEET_META = "_thidua"

# Column letters of each table (A is the hidden machine-code column everywhere).
CODE_COL = "A"
SCORE_COLS = {"no": "B", "title": "C", "max": "D", "how": "E", "value": "F", "points": "G", "note": "H"}
STAFF_COLS = {"no": "B", "title": "C", "value": "D", "share": "E"}
ORG_COLS = {"no": "B", "title": "C", "value": "D", "note": "E"}
EVENT_COLS = {"no": "B", "title": "C", "points": "D", "cap": "E", "value": "F", "total": "G", "note": "H"}

# Machine codes written in column A; the reader looks rows up by these.
CODE_CRITERION = "crit:"
CODE_STAFF = "staff:"
CODE_ORG = "org:"
CODE_EVENT = "event:"
CODE_PARENT = "parent:"  # the subtotal row of a criterion with parts (no input)
CODE_VIOLATION = "viol:"  # "viol:<criterion id>:<n>": the n-th violation row of a deduction criterion

# The data sheets: the code prefix of their rows and their input (yellow, unlocked) columns.
ROW_CODES = {SHEET_SCORES: CODE_CRITERION, SHEET_STAFF: CODE_STAFF, SHEET_ORGS: CODE_ORG, SHEET_EVENTS: CODE_EVENT}
INPUT_COLS = {
    SHEET_SCORES: (SCORE_COLS["value"], SCORE_COLS["note"]),
    SHEET_STAFF: (STAFF_COLS["value"],),
    SHEET_ORGS: (ORG_COLS["value"],),
    SHEET_EVENTS: (EVENT_COLS["value"], EVENT_COLS["note"]),
}

# Metadata keys, in the order they are written (column A key, column B value) on SHEET_META.
META_KEYS = ("format", "template_version", "bloc", "period", "unit_id", "unit_name", "covenant_digest")

# The two choices of a pass/fail criterion (a drop-down list in the workbook).
PASS = "Đạt"
FAIL = "Không đạt"


def covenant_digest(cov: Covenant) -> str:
    """Fingerprint of everything in the covenant that shapes the workbook's input cells.

    A file made from an earlier draft of the scoring table (a criterion added, a maximum
    changed) is refused rather than read against the wrong maxima; edits to titles or notes
    do not change the digest.
    """
    spec = {
        # a deduction's points per violation only where there is one, so earlier forms keep their digest
        "criteria": [[k.id, k.max, k.kind, k.points_per_event, k.target, k.lower_is_better]
                     + ([k.points_per_violation] if k.kind == "deduction" else []) for _, k in cov.criteria],
        "events": [[e.id, e.points, e.cap] for e in cov.adjustments.events],
        "caps": [cov.adjustments.bonus_cap, cov.adjustments.penalty_cap],
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]
