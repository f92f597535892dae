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


def fmt_number(value: object, decimals: int = 2) -> str:
    """``85.5 -> '85,50'``, ``1234.5 -> '1.234,50'``; blank for missing values."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return _fmt_number_fast(float(value), decimals)


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


# Texts per unit are built column-wise: a value is formatted once per *distinct* value (a
# national run has ~19,000 units but a few thousand distinct totals or shares), never by a
# Python call per unit.
_VI_MARKS = str.maketrans({",": ".", ".": ","})


def _fmt_number_fast(value: float, decimals: int = 2) -> str:
    """Vietnamese number text for a float: Decimal half-up, "." thousands, "," decimals."""
    if value != value:
        return ""
    d = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return format(d, f",.{decimals}f").translate(_VI_MARKS)


def map_distinct(values, func) -> np.ndarray:
    """``[func(float(v)) for v in values]`` as an object array, calling ``func`` once per distinct value.

    Values are told apart by their bits, so 0.0 and -0.0 stay distinct.
    """
    arr = np.ascontiguousarray(values, dtype="float64")
    codes, uniq = pd.factorize(arr.view("int64"))
    out = np.empty(len(uniq), dtype=object)
    out[:] = [func(x) for x in uniq.view("float64").tolist()]
    return out[codes]


def fmt_numbers(values, decimals: int = 2) -> np.ndarray:
    """Vectorised :func:`toolkit.text.fmt_number` (object array of texts, blank for NaN)."""
    return map_distinct(values, lambda x: _fmt_number_fast(x, decimals))


def fmt_percents(values, decimals: int = 1) -> np.ndarray:
    """Vectorised :func:`toolkit.text.fmt_percent`: ``0.153`` -> ``'15,3%'``, blank for NaN."""
    return map_distinct(values, lambda x: (t + "%") if (t := _fmt_number_fast(x * 100, decimals)) else "")
