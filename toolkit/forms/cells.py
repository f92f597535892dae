"""Cell values as people type them, turned into the text of the period CSV tables.

Shared by the reader (values read from a workbook with python-calamine) and the merge
(values already in the CSV tables), so both compare the same normal forms: NFC text with
collapsed spaces, case-folded labels, and numbers written as their shortest exact text.
"""
from __future__ import annotations

import datetime as _dt
import functools
import unicodedata

from openpyxl.utils import column_index_from_string

from toolkit.model.text import normalize


class NotANumber(Exception):
    """A cell that should hold a number holds something else (text, a date, a boolean)."""


@functools.lru_cache(maxsize=8192)  # labels, sheet names and keys repeat in every file
def norm(value) -> str:
    """:func:`toolkit.model.text.normalize`, with a fast path for text that is already clean."""
    s = value if isinstance(value, str) else str(value)
    if (s.isascii() or unicodedata.is_normalized("NFC", s)) and s.isprintable() and "  " not in s and s.strip() == s:
        return s
    return normalize(s)


def fold(value) -> str:
    """The key a typed label is matched by: normalised and case-folded (as ``label_key``)."""
    return norm(value).casefold()


def csv_number(x: float | None) -> str:
    """A number for the CSV tables: shortest exact text, no trailing '.0'."""
    if x is None:
        return ""
    x = float(x)
    # whole numbers without '.0', but never a 309-digit integer for 1e308: beyond 15 digits repr keeps the exponent
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def shown(value) -> str:
    """How a cell value is quoted back in a message (decimal comma, as it was typed)."""
    if isinstance(value, float):
        return csv_number(value).replace(".", ",")
    return normalize(value)


def number(value) -> float | None:
    """A typed number: floats, '9,5', ' 9.5 '; None when blank; NotANumber for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotANumber
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        raise NotANumber
    text = norm(value).replace(" ", "")
    if text == "":
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise NotANumber from None


def number_or_none(text: str) -> float | None:
    """:func:`number`, with None for anything that is not one."""
    try:
        return number(text)
    except NotANumber:
        return None


def text(value) -> str:
    """A cell as CSV text: blank for empty, numbers without '.0', dates in ISO form."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        return csv_number(value)
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return norm(value)


def cell(rows: list[list], r: int, col: str):
    """The value at 0-based row ``r`` and column letter ``col`` of a sheet read as rows ("" outside)."""
    row = rows[r] if r < len(rows) else ()
    c = column_index_from_string(col) - 1
    return row[c] if c < len(row) else ""


def ref(sheet: str, col: str, row0: int) -> str:
    """The A1 reference, with its sheet, of 0-based row ``row0`` in column ``col``."""
    return f"{sheet}!{col}{row0 + 1}"
