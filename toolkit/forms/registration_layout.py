"""The layout of the registration workbook (bản đăng ký thi đua): the contract between its writer and its reader.

:mod:`toolkit.forms.registration_form` writes one workbook per member unit at the start of the
year; :mod:`toolkit.forms.registration_reader` reads the returned ones by this layout. One visible
sheet holds three tables (the titles to tick, the figures committed for the covenant's target
criteria, commitments in words); every row carries its machine code in the hidden column A, so
rows are found by code, never by position. The very hidden identification sheet has the keys of
the self-assessment form (:mod:`toolkit.forms.workbook_layout`) with its own format id, which is
how ``thidua ingest`` tells the two kinds of workbook apart.

Changing anything here changes what earlier files mean: bump ``TEMPLATE_VERSION`` with it.
"""
from __future__ import annotations

import hashlib
import json

from toolkit.model.covenant import Covenant

TEMPLATE_VERSION = "1"
FORMAT_ID = "thidua-dang-ky-thi-dua"

SHEET_FORM = "Đăng ký thi đua"  # shown to people (NFC); the identification sheet is SHEET_META of the self-assessment form

# Columns (A is the hidden machine-code column). Award rows: the tick in "value"; criterion rows:
# the committed figure in "value" and a remark in "note"; commitment rows: the text in "title".
COLS = {"no": "B", "title": "C", "covenant": "D", "value": "E", "note": "F"}

CODE_AWARD = "award:"
CODE_CRITERION = "criterion:"
CODE_COMMITMENT = "commitment:"

COMMITMENT_ROWS = 6  # free-text commitment rows on every form

# What each kind of row lets a unit type (the yellow, unlocked cells).
INPUT_COLS = {CODE_AWARD: (COLS["value"],), CODE_CRITERION: (COLS["value"], COLS["note"]),
              CODE_COMMITMENT: (COLS["title"],)}

# The tick of an award row (a drop-down list); blank reads as not registered.
YES = "Có"
NO = "Không"


def registration_digest(cov: Covenant) -> str:
    """Fingerprint of what shapes the form's input cells: the awards and the target criteria with their ranges.

    A form made from an earlier draft of the covenant (an award added, a target criterion
    dropped or its range changed) is refused rather than read against the wrong rows.
    """
    spec = {
        "awards": [a.id for a in cov.awards],
        "criteria": [[k.id, k.unit, *k.plausible_range()] for _, k in cov.criteria if k.kind == "target"],
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]
