"""Result tables in two forms: for people (Vietnamese headers) and for machines (column ids).

A report shows its tables in the notebook and the HTML and files them in ``results.xlsx``
with Vietnamese headers and display values ("—" for not applicable, "Có"/"Không"). The same
rows go to ``results/<stem>.csv`` for scripts and the province overview, in the machine form
documented in ``docs/results.md``:

- every column has a stable snake_case id (a header without one is a bug and raises);
- "—" (not applicable) is an empty cell;
- ranks and other whole numbers that the display writes as text are integers (empty when none);
- yes/no verdicts are ``True``/``False`` (``nominated``, ``met``, ``within_cap``, ``submitted``);
- numbers are written in full (the engine has already rounded them), not to two decimals;
- names, labels, reasons and messages are as displayed (Vietnamese).

:func:`save_tables` is the one way a report files its tables.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from toolkit.model.readers import read_own_csv
from toolkit.reports.table_writer import write_csvs, write_xlsx

NA = "—"  # what a display table shows for "not applicable"
BOOLEANS = {  # column id -> display value -> machine value
    "nominated": {"Có": True, "Không": False},
    "submitted": {"Có": True, "Không": False},
    "met": {"Đạt": True, "Không đạt": False},
    "within_cap": {"Trong giới hạn": True, "Vượt trần": False},
    "affects_scores": {"Có": True, "Không": False},
    "confirmed": {"Có": True, "Không": False},
}
INTEGERS = {"rank", "previous_rank", "rank_change", "blank_cells"}  # shown as text ("—", "+2"), filed as integers


@dataclass(frozen=True)
class Table:
    """One result table: ``frame`` as people see it, ``columns`` mapping each header to its id."""

    stem: str  # results/<stem>.csv
    title: str  # sheet title in results.xlsx
    frame: pd.DataFrame
    columns: dict[str, str]  # Vietnamese header -> column id
    percent: frozenset[str] = frozenset()  # headers of share columns (0.8831), shown as 88.3% in results.xlsx

    def for_machines(self) -> pd.DataFrame:
        """The table with column ids and machine values (see the module docstring)."""
        missing = [c for c in self.frame.columns if c not in self.columns]
        if missing:
            raise KeyError(f"results/{self.stem}.csv: no column id for {missing}")
        out = self.frame.rename(columns=self.columns)
        for col in out.columns:
            values = out[col]
            if not pd.api.types.is_numeric_dtype(values):
                values = values.mask(values.map(lambda v: isinstance(v, str) and v == NA))
            if col in BOOLEANS:
                values = _booleans(values, BOOLEANS[col], f"{self.stem}.{col}")
            elif col in INTEGERS:
                values = _integers(values, f"{self.stem}.{col}")
            out[col] = values
        return out


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and v == "") or (not isinstance(v, str) and pd.isna(v))


def _booleans(values: pd.Series, mapping: dict[str, bool], where: str) -> pd.Series:
    unknown = sorted({str(v) for v in values if not _blank(v) and v not in mapping})
    if unknown:
        raise ValueError(f"{where}: values {unknown} are not one of {list(mapping)}")
    return pd.array([pd.NA if _blank(v) else mapping[v] for v in values], dtype="boolean")


def _integers(values: pd.Series, where: str) -> pd.Series:
    def one(v):
        if _blank(v):
            return pd.NA
        number = float(v)  # "+2" and "-1" as the display writes a change of rank
        if not number.is_integer():
            raise ValueError(f"{where}: {v!r} is not a whole number")
        return int(number)

    return pd.array([one(v) for v in values], dtype="Int64")


def save_tables(tables: Iterable[Table] | dict[str, Table], output_dir: str | Path) -> list[Path]:
    """Write ``results/<stem>.csv`` (machine form) and ``results.xlsx`` (Vietnamese) into ``output_dir``.

    Nothing is written when ``output_dir`` is empty (a notebook opened by hand).
    """
    if not output_dir:
        return []
    items = list(tables.values()) if isinstance(tables, dict) else list(tables)
    out = Path(output_dir)
    files = write_csvs({t.stem: t.for_machines() for t in items}, out / "results")
    files.append(write_xlsx({t.title: t.frame for t in items}, out / "results.xlsx",
                            percent={t.title: set(t.percent) for t in items if t.percent} or None))
    return files


def read_results(path: Path) -> pd.DataFrame:
    """A ``results/*.csv`` table read back with the types docs/results.md gives its columns (empty cells are missing)."""
    df = read_own_csv(path, keep_default_na=False, na_values=[""], dtype={"unit": str, "award": str, "target": str, "band": str})
    for col in INTEGERS & set(df.columns):
        df[col] = df[col].astype("Int64")
    for col in BOOLEANS.keys() & set(df.columns):
        df[col] = df[col].astype("boolean")
    return df
