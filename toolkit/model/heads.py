"""Who heads each unit, from which day: the names the covenant's signature table prints.

``data/heads.csv`` is the secretariat's own file (``unit_id, title, name, from``), read through
the one CSV reader and checked like every table. Heads change during a year, so a document
takes the head in office on its date (the latest row whose ``from`` is on or before it). The
file is optional and a unit without a head is not an error: the document shows a visible
"[Khối bổ sung: ...]" in that cell, since a covenant must be drafted before every name is known.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from toolkit.errors import DataError, Problem
from toolkit.model.readers import RowChecker, duplicates, read_csv_checked

HEADS = "heads.csv"
COLUMNS = ["unit_id", "title", "name", "from"]


@dataclass(frozen=True)
class Head:
    title: str  # "Giám đốc", "Trưởng ban", "Phó Giám đốc phụ trách"
    name: str


def _date(text: str) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def load_heads(data_dir: Path, known_units: set[str]) -> pd.DataFrame:
    """``heads.csv`` checked (unit ids known, title and name given, dates YYYY-MM-DD, one row per unit and date); every problem at once."""
    path = Path(data_dir) / HEADS
    problems: list[Problem] = []
    df = read_csv_checked(path, COLUMNS, problems, optional=True)
    if problems:
        raise DataError(problems)
    check = RowChecker(path, problems)
    check.rows(df, ~df["unit_id"].isin(known_units), "unit_id", lambda r: f"đơn vị '{r['unit_id']}' không có trong units.csv")
    for col, what in (("title", "chức danh người đứng đầu (ví dụ Giám đốc)"), ("name", "họ và tên người đứng đầu")):
        check.rows(df, df[col].eq(""), col, f"để trống: cần {what}")
    dates = df["from"].map(_date)
    check.rows(df, dates.isna(), "from", lambda r: f"ngày '{r['from']}' không hợp lệ: viết dạng 2026-01-01 (ngày bắt đầu giữ chức vụ)")
    problems += duplicates(df.assign(_d=dates), ["unit_id", "_d"], str(path), "from",
                           lambda r: f"người đứng đầu đơn vị '{r['unit_id']}' từ ngày {r['from']}")
    if problems:
        raise DataError(problems)
    return df.assign(**{"from": dates}).sort_values(["unit_id", "from"], kind="stable").reset_index(drop=True)


def heads_on(heads: pd.DataFrame, day: _dt.date) -> dict[str, Head]:
    """Each unit's head in office on ``day``: its latest row from that day or before."""
    on = heads[heads["from"] <= day]
    last = on.groupby("unit_id", sort=False).tail(1)
    return {r.unit_id: Head(r.title, r.name) for r in last.itertuples()}
