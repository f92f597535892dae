"""Aligning tables on (bloc_id, unit_id) by position: cheaper than merges at national scale."""
from __future__ import annotations

import numpy as np
import pandas as pd

KEYS = ["bloc_id", "unit_id"]


class UnitLocator:
    """Positions of (bloc_id, unit_id) pairs in a units table, on integer codes (no merge, no
    MultiIndex, which sorts its levels). ``ok`` is False when a key of ``units`` is missing or
    repeated; build once and call for each table to align."""

    def __init__(self, units: pd.DataFrame):
        b_codes, b_uniques = pd.factorize(units["bloc_id"])
        u_codes, u_uniques = pd.factorize(units["unit_id"])
        self._blocs, self._units, self._n = pd.Index(b_uniques), pd.Index(u_uniques), len(u_uniques)
        self._index = pd.Index(b_codes.astype("int64") * self._n + u_codes)
        self.ok = not ((b_codes < 0).any() or (u_codes < 0).any()) and self._index.is_unique

    def __call__(self, rows: pd.DataFrame) -> np.ndarray:
        """Position of each row's unit, -1 when it is not in the table."""
        rb = self._blocs.get_indexer(rows["bloc_id"])
        ru = self._units.get_indexer(rows["unit_id"])
        return self._index.get_indexer(np.where((rb >= 0) & (ru >= 0), rb.astype("int64") * self._n + ru, -1))


def locate_units(units: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray | None:
    """Position in ``units`` of each row's (bloc_id, unit_id), -1 when absent; ``None`` when a key of
    ``units`` is missing or repeated."""
    where = UnitLocator(units)
    return where(rows) if where.ok else None


def _left_lookup(units: pd.DataFrame, rows: pd.DataFrame, cols: list[str], at: np.ndarray | None = None) -> pd.DataFrame:
    """``units[KEYS].merge(rows[KEYS + cols], on=KEYS, how="left")``, by position when ``rows`` has one
    row per unit at most (no hashing of both key columns twice, no merge machinery).

    ``at`` (optional): the row of ``rows`` for each unit, -1 for none, when already known.
    """
    if at is None:
        at = locate_units(rows, units) if len(rows) else None  # row of ``rows`` for each unit
    if at is None:
        return units[KEYS].merge(rows[KEYS + cols], on=KEYS, how="left")
    found = at >= 0
    out = units[KEYS].reset_index(drop=True)
    for c in cols:
        out[c] = rows[c].take(np.maximum(at, 0)).reset_index(drop=True).where(found)
    return out
