"""Who takes part: units with their lineage, blocs, and membership per year.

Units merge, rename and disappear (Decree 45/2025 merged departments), so membership is
per year and comparisons across periods map old unit ids to their successors.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from toolkit import config
from toolkit.errors import DataError, Problem
from toolkit.model.ids import ID_RULE, is_id
from toolkit.model.readers import duplicates, parse_years, read_csv_checked
from toolkit.model.text import normalize

ROLES = {"leader": "Trưởng khối", "deputy": "Phó khối", "member": "Thành viên"}
LINEAGE_EVENTS = {"rename": "đổi tên", "merge": "sáp nhập", "dissolve": "giải thể"}


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
        """Map each unit id as of ``from_year`` to its id in ``to_year`` (None if dissolved)."""
        mapping: dict[str, str | None] = {u: u for u in self.units.unit_id}
        events = self.lineage[(self.lineage.year > from_year) & (self.lineage.year <= to_year)].sort_values("year", kind="stable")
        for ev in events.itertuples(index=False):
            target = None if ev.event == "dissolve" else ev.to_unit
            for old, cur in mapping.items():
                if cur == ev.from_unit:
                    mapping[old] = target
        return mapping

    def predecessors(self, unit: str, from_year: int, to_year: int) -> list[str]:
        return sorted(u for u, s in self.successors(from_year, to_year).items() if s == unit)


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
    file_u = str(data_dir / config.UNITS)
    problems += duplicates(units, ["unit_id"], file_u, "unit_id", lambda r: f"mã đơn vị '{r.unit_id}'")
    # ids become folder and file names (reports, forms): one rule for all of them
    for i in units.index[~units.unit_id.map(is_id)]:
        problems.append(Problem(file_u, f"dòng {i + 2}, cột unit_id", f"mã đơn vị '{units.unit_id[i]}' không hợp lệ: {ID_RULE}"))
    file_b = str(data_dir / config.BLOCS)
    for i in blocs.index[~blocs.bloc_id.map(is_id)]:
        problems.append(Problem(file_b, f"dòng {i + 2}, cột bloc_id", f"mã khối '{blocs.bloc_id[i]}' không hợp lệ: {ID_RULE}"))
    file_m = str(data_dir / config.MEMBERSHIP)
    membership["year"] = parse_years(membership["year"])
    for i in membership.index[membership.year.isna()]:
        problems.append(Problem(file_m, f"dòng {i + 2}, cột year", "cần một năm (ví dụ 2018)"))
    for i in membership.index[~membership.unit_id.isin(known)]:
        problems.append(Problem(file_m, f"dòng {i + 2}, cột unit_id", f"đơn vị '{membership.unit_id[i]}' không có trong {config.UNITS}"))
    for i in membership.index[~membership.bloc_id.isin(set(blocs.bloc_id))]:
        problems.append(Problem(file_m, f"dòng {i + 2}, cột bloc_id", f"khối '{membership.bloc_id[i]}' không có trong {config.BLOCS}"))
    for i in membership.index[~membership.role.isin(ROLES)]:
        problems.append(Problem(file_m, f"dòng {i + 2}, cột role", f"vai trò '{membership.role[i]}' không hợp lệ; dùng {', '.join(ROLES)}"))
    problems += duplicates(membership, ["year", "bloc_id", "unit_id"], file_m, "unit_id",
                           lambda r: f"đơn vị '{r.unit_id}' trong khối '{r.bloc_id}' năm {r.year:g}")
    file_l = str(data_dir / config.LINEAGE)
    lineage["year"] = parse_years(lineage["year"])
    for i in lineage.index[lineage.year.isna()]:
        problems.append(Problem(file_l, f"dòng {i + 2}, cột year", "cần một năm (ví dụ 2025)"))
    for col in ("from_unit", "to_unit"):
        bad = lineage.index[~lineage[col].isin(known) & ~((col == "to_unit") & (lineage.event == "dissolve"))]
        for i in bad:
            problems.append(Problem(file_l, f"dòng {i + 2}, cột {col}", f"đơn vị '{lineage[col][i]}' không có trong {config.UNITS}"))
    for i in lineage.index[~lineage.event.isin(LINEAGE_EVENTS)]:
        problems.append(Problem(file_l, f"dòng {i + 2}, cột event", f"sự kiện '{lineage.event[i]}' không hợp lệ; dùng {', '.join(LINEAGE_EVENTS)}"))
    if problems:
        raise DataError(problems)
    membership["year"] = membership["year"].astype(int)
    lineage["year"] = lineage["year"].astype(int)
    return Registry(units, lineage, blocs, membership)
