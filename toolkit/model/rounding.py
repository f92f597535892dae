"""Decimal-safe rounding for scores and quotas.

Scores keep a fixed number of decimals rounded half up (84.995 -> 85.00). Binary floating
point stores 84.995 as 84.99499999..., so a plain ``round`` gives 84.99; we first snap the
scaled value to 6 decimals, which removes representation error without touching real digits.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd


def round_half_up(values, decimals: int = 2):
    """Round half away from zero; works on scalars, numpy arrays and pandas objects (NaN kept)."""
    scale = 10.0**decimals
    arr = np.asarray(values, dtype="float64")
    scaled = np.round(np.abs(arr) * scale, 6)
    out = np.sign(arr) * np.floor(scaled + 0.5) / scale
    out = out + 0.0  # turn -0.0 into 0.0 so results print and compare the same
    if isinstance(values, pd.Series):
        return pd.Series(out, index=values.index, name=values.name)
    if np.ndim(values) == 0:
        return float(out)
    return out


def round_count(value: float, mode: str) -> int:
    """Whole count from a fractional quota: ``floor``, ``half_up`` or ``ceil``."""
    snapped = round(value, 9)
    if mode == "floor":
        return int(math.floor(snapped))
    if mode == "ceil":
        return int(math.ceil(snapped))
    if mode == "half_up":
        return int(math.floor(snapped + 0.5))
    raise ValueError(f"unknown rounding mode {mode!r}")


ROUNDING_VI = {"floor": "làm tròn xuống", "half_up": "làm tròn đến số nguyên gần nhất (0,5 lên)", "ceil": "làm tròn lên"}
