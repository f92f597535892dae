"""Identifiers: the one form of bloc, unit and scenario ids, and the key of a unit in result frames.

Ids become folder and file names (``reports/<period>/<bloc>/``, ``covenants/<bloc>/scenarios/<name>.yaml``,
one form per unit), so they are lower-case ASCII letters, digits and '-', 1 to 64 characters,
not starting with '-': nothing that could step outside a folder or differ between file systems.
"""
from __future__ import annotations

import re

from toolkit.errors import ParameterError

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")  # used with fullmatch: no trailing newline slips through
ID_RULE = "chỉ gồm chữ thường không dấu, chữ số và dấu '-', không bắt đầu bằng '-', tối đa 64 ký tự"

# A unit of a bloc. Every per-unit frame carries both columns, so the frames of several blocs
# can be stacked and evaluated together (a unit id alone is unique only within a bloc's year).
KEYS = ["bloc_id", "unit_id"]


def is_id(value: object) -> bool:
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def check_id(value: object, what: str) -> str:
    """``value`` if it is a valid id, else a ParameterError naming ``what`` (e.g. "Mã khối") and the rule."""
    if not is_id(value):
        raise ParameterError(f"{what} {value!r} không hợp lệ: {ID_RULE}.")
    return value
