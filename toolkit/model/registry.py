"""Who takes part: units with their lineage, blocs, and membership per year.

Units merge, rename, split and disappear (Decree 45/2025 merged departments; Decree 150/2025
dissolved Sở Lao động - Thương binh và Xã hội and split its functions between three departments),
so membership is per year and comparisons across periods map old unit ids to their successors. A
split unit has several successors and none of them is its continuation: its results are never
carried into one of them, so for comparisons it ends as a dissolved unit does, and each successor
only notes that it took over part of its functions.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from toolkit import config
from toolkit.errors import DataError, Problem
from toolkit.model.ids import ID_RULE, is_id
from toolkit.model.readers import RowChecker, duplicates, parse_years, read_csv_checked
from toolkit.model.text import normalize

ROLES = {"leader": "Trưởng khối", "deputy": "Phó khối", "member": "Thành viên"}
LINEAGE_EVENTS = {"rename": "đổi tên", "merge": "sáp nhập", "dissolve": "giải thể", "split": "chia tách"}
ENDS = ("dissolve", "split")  # events after which a unit has no single successor


@dataclass(frozen=True)
class Registry:
    units: pd.DataFrame  # unit_id, name, short_name, kind
    lineage: pd.DataFrame  # year, from_unit, to_unit, event
    blocs: pd.DataFrame  # bloc_id, name, province
    membership: pd.DataFrame  # year, bloc_id, unit_id, role

    def members(self, bloc: str, year: int) -> pd.DataFrame:
        m = self.membership[(self.membership.bloc_id == bloc) & (self.membership.year == year)]
        return m.merge(self.units, on="unit_id", how="left")[["unit_id", "name", "short_name", "kind", "role"]].reset_index(drop=True)

    def bloc_name(self, bloc: str) -> str:
        row = self.blocs[self.blocs.bloc_id == bloc]
        return row.name.iloc[0] if len(row) else bloc

    def successors(self, from_year: int, to_year: int) -> dict[str, str | None]:
        """Map each unit id as of ``from_year`` to its id in ``to_year`` (None if dissolved or split)."""
        mapping: dict[str, str | None] = {u: u for u in self.units.unit_id}
        events = self.lineage[(self.lineage.year > from_year) & (self.lineage.year <= to_year)].sort_values("year", kind="stable")
        for ev in events.itertuples(index=False):
            target = None if ev.event in ENDS else ev.to_unit
            for old, cur in mapping.items():
                if cur == ev.from_unit:
                    mapping[old] = target
        return mapping

    def predecessors(self, unit: str, from_year: int, to_year: int) -> list[str]:
        return sorted(u for u, s in self.successors(from_year, to_year).items() if s == unit)

    def split_sources(self, from_year: int, to_year: int) -> dict[str, list[str]]:
        """Each unit that took over part of a split unit's functions after ``from_year`` up to ``to_year``: the split units."""
        lin = self.lineage
        rows = lin[(lin.event == "split") & (lin.year > from_year) & (lin.year <= to_year)]
        out: dict[str, list[str]] = {}
        for ev in rows.sort_values(["year", "from_unit"], kind="stable").itertuples(index=False):
            out.setdefault(ev.to_unit, []).append(ev.from_unit)
        return out


def load_registry(data_dir: Path) -> Registry:
    """Read the four registry tables, reporting every problem in one pass."""
    problems: list[Problem] = []
    units = read_csv_checked(data_dir / config.UNITS, ["unit_id", "name", "short_name", "kind"], problems)
    lineage = read_csv_checked(data_dir / config.LINEAGE, ["year", "from_unit", "to_unit", "event"], problems, optional=True)
    blocs = read_csv_checked(data_dir / config.BLOCS, ["bloc_id", "name", "province"], problems)
    membership = read_csv_checked(data_dir / config.MEMBERSHIP, ["year", "bloc_id", "unit_id", "role"], problems)
    if problems:
        raise DataError(problems)
    for df in (units, blocs):
        df["name"] = df["name"].map(normalize)
    known = set(units.unit_id)
    u = RowChecker(data_dir / config.UNITS, problems)
    problems += duplicates(units, ["unit_id"], u.file, "unit_id", lambda r: f"mã đơn vị '{r.unit_id}'")
    # ids become folder and file names (reports, forms): one rule for all of them
    u.rows(units, ~units.unit_id.map(is_id), "unit_id", lambda r: f"mã đơn vị '{r.unit_id}' không hợp lệ: {ID_RULE}")
    RowChecker(data_dir / config.BLOCS, problems).rows(
        blocs, ~blocs.bloc_id.map(is_id), "bloc_id", lambda r: f"mã khối '{r.bloc_id}' không hợp lệ: {ID_RULE}")
    m = RowChecker(data_dir / config.MEMBERSHIP, problems)
    membership["year"] = parse_years(membership["year"])
    m.rows(membership, membership.year.isna(), "year", "cần một năm (ví dụ 2018)")
    m.rows(membership, ~membership.unit_id.isin(known), "unit_id", lambda r: f"đơn vị '{r.unit_id}' không có trong {config.UNITS}")
    m.rows(membership, ~membership.bloc_id.isin(set(blocs.bloc_id)), "bloc_id",
           lambda r: f"khối '{r.bloc_id}' không có trong {config.BLOCS}")
    m.rows(membership, ~membership.role.isin(ROLES), "role",
           lambda r: f"vai trò '{r.role}' không hợp lệ; dùng {', '.join(ROLES)}")
    problems += duplicates(membership, ["year", "bloc_id", "unit_id"], m.file, "unit_id",
                           lambda r: f"đơn vị '{r.unit_id}' trong khối '{r.bloc_id}' năm {r.year:g}")
    ln = RowChecker(data_dir / config.LINEAGE, problems)
    lineage["year"] = parse_years(lineage["year"])
    ln.rows(lineage, lineage.year.isna(), "year", "cần một năm (ví dụ 2025)")
    for col in ("from_unit", "to_unit"):
        unknown = ~lineage[col].isin(known) & ~((col == "to_unit") & (lineage.event == "dissolve"))
        ln.rows(lineage, unknown, col, lambda r, col=col: f"đơn vị '{r[col]}' không có trong {config.UNITS}")
    ln.rows(lineage, ~lineage.event.isin(LINEAGE_EVENTS), "event",
            lambda r: f"sự kiện '{r.event}' không hợp lệ; dùng {', '.join(LINEAGE_EVENTS)}")
    # a split goes to several successors (one row each): one row alone is a rename or a merge written wrongly
    splits = lineage[lineage.event == "split"]
    heirs = splits.groupby(["year", "from_unit"])["to_unit"].transform("nunique")
    ln.rows(splits, heirs < 2, "to_unit", lambda r: f"đơn vị '{r.from_unit}' chia tách năm {r.year:g} chỉ vào một đơn vị: "
            "chia tách cần ít nhất hai đơn vị tiếp nhận (một dòng mỗi đơn vị); một đơn vị tiếp nhận là 'rename' hoặc 'merge'")
    if problems:
        raise DataError(problems)
    membership["year"] = membership["year"].astype(int)
    lineage["year"] = lineage["year"].astype(int)
    return Registry(units, lineage, blocs, membership)
