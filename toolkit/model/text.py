"""Vietnamese text handling: normalisation, collation and number/date formatting.

Submissions arrive in NFC and NFD and with stray spaces, so every label is compared after
:func:`normalize`; names are sorted with ICU's Vietnamese collation (đ after d, tones
secondary) rather than by code point; documents use "," for decimals and "." for thousands.
"""
from __future__ import annotations

import datetime as _dt
import functools
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

import icu
import numpy as np
import pandas as pd

_SPACES = re.compile(r"\s+")


def normalize(text: object) -> str:
    """NFC, trimmed, inner whitespace collapsed to one space."""
    if text is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(text))).strip()


def normalize_tree(raw):
    """A YAML document's texts normalised (:func:`normalize`), Markdown kept line by line; people's files arrive in NFD too."""
    if isinstance(raw, dict):
        return {k: normalize_tree(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [normalize_tree(v) for v in raw]
    if isinstance(raw, str):
        return "\n".join(normalize(line) if line.strip() else "" for line in raw.split("\n")) if "\n" in raw else normalize(raw)
    return raw


def label_key(text: object) -> str:
    """Key for matching labels typed by people: normalised and case-folded."""
    return normalize(text).casefold()


@functools.lru_cache(maxsize=1)
def _collator() -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale("vi_VN"))


def sort_key(text: object) -> bytes:
    """Vietnamese collation key, for ``sorted(..., key=sort_key)`` and pandas ``key=``."""
    return _collator().getSortKey(normalize(text))


def collation_rank(values) -> list[int]:
    """Position of each value in Vietnamese order (equal strings share a position)."""
    keys = [sort_key(v) for v in values]
    order = {k: i for i, k in enumerate(sorted(set(keys)))}
    return [order[k] for k in keys]


# "," for decimals and "." for thousands: Python's "," grouping with the two marks swapped.
_VI_MARKS = str.maketrans({",": ".", ".": ","})


def fmt_number(value: object, decimals: int = 2) -> str:
    """``85.5 -> '85,50'``, ``1234.5 -> '1.234,50'``; blank for missing values.

    Rounded half up in decimal (``Decimal(str(x))``), so 2.675 gives '2,68' as a person
    rounding the printed number would, not '2,67' as binary floating point does.
    """
    try:
        if value is None or pd.isna(value):
            return ""
    except (TypeError, ValueError):  # pd.isna of a list-like is not a truth value
        pass
    d = Decimal(str(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return format(d, f",.{decimals}f").translate(_VI_MARKS)


def fmt_percent(value: object, decimals: int = 1) -> str:
    """A share (0.153) as ``'15,3%'``."""
    text = fmt_number(None if value is None else float(value) * 100, decimals)
    return f"{text}%" if text else ""


def fmt_date(value: _dt.date | str | None) -> str:
    """dd/mm/yyyy, as Vietnamese documents write dates."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = _dt.date.fromisoformat(value)
    return value.strftime("%d/%m/%Y")


def fmt_numbers(values, decimals: int = 2) -> np.ndarray:
    """:func:`fmt_number` of each value, as an object array (blank for NaN)."""
    return np.array([fmt_number(v, decimals) for v in values], dtype=object)
