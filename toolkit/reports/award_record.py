"""A unit's record (hồ sơ thành tích): who it is, where it served, and the awards it received.

What ``thidua record --unit U`` shows and exports: the unit's general information from the registry
(names, kind, the units it was renamed or merged from) and from its own record file
(``data/records/<unit>.yaml``: address, head, functions, structure), its blocs and roles year by
year, and its titles and commendations by year with their decisions: those a decision in
``data/decisions/`` grants (its predecessors' included and marked,
:func:`toolkit.engine.granted_awards.unit_history`), never retyped, then the earlier awards the
unit declares in its record, marked as declared.
"""
from __future__ import annotations

import pandas as pd

from toolkit.engine import granted_awards
from toolkit.errors import ParameterError
from toolkit.model.registry import ROLES
from toolkit.model.text import fmt_date
from toolkit.model.unit_records import load_unit_records
from toolkit.model.workspace import Workspace

KINDS = {"department": "Sở, ngành", "board": "Ban, cơ quan", "fund": "Quỹ", "central-branch": "Cơ quan Trung ương trên địa bàn",
         "association": "Tổ chức, hiệp hội"}
EVENTS = {"rename": "đổi tên", "merge": "hợp nhất"}


def _titles(ws: Workspace) -> dict[str, str]:
    """Award id -> title, the latest covenant's title winning."""
    titles: dict[str, str] = {}
    for year in sorted(set(ws.registry.membership["year"])):
        for bloc in ws.blocs():
            if ws.covenant_path(bloc, year).exists():
                titles.update({a.id: a.title for a in ws.covenant(bloc, year).awards})
    return titles


def granted_history(ws: Workspace, unit: str, year: int) -> pd.DataFrame:
    """The awards granted to ``unit`` (and to the units it was renamed or merged from) up to ``year``, by the
    province's decisions, in the columns of :data:`toolkit.model.unit_records.HISTORY_COLUMNS` (status "granted")."""
    reg = ws.registry
    hist = granted_awards.unit_history(granted_awards.lines_as_of_year(ws.decisions().lines, reg), reg, unit, year)
    return granted_awards.record_history(hist, _titles(ws), reg.units.set_index("unit_id")["name"].to_dict())


def record_tables(ws: Workspace, unit: str, year: int | None = None) -> dict[str, pd.DataFrame]:
    """The record of ``unit`` as of ``year`` (default: the registry's latest year): general information, blocs, awards."""
    reg = ws.registry
    units = reg.units.set_index("unit_id")
    if unit not in units.index:
        raise ParameterError(f"Đơn vị '{unit}' không có trong units.csv.")
    year = int(year or reg.membership["year"].max())
    names = units["name"].to_dict()
    predecessors = [u for u, s in reg.successors(int(reg.membership["year"].min()), year).items() if s == unit and u != unit]
    lin = reg.lineage
    how = {r.from_unit: f"{names.get(r.from_unit, r.from_unit)} ({EVENTS.get(r.event, r.event)} năm {r.year})"
           for r in lin[lin["from_unit"].isin(predecessors)].itertuples(index=False)}
    rec = load_unit_records(ws.data_dir, [unit])[0][unit]  # a faulty file stops with its file and key (DataError)
    own = [] if rec is None else [
        ("Tên đầy đủ", rec.full_name), ("Địa chỉ", rec.address), ("Điện thoại", rec.phone), ("Thư điện tử", rec.email),
        ("Thủ trưởng", f"{rec.head.title} {rec.head.name}" if rec.head else ""), ("Chức năng, nhiệm vụ", rec.functions),
        ("Số cán bộ, công chức, viên chức", "" if rec.structure.staff is None else str(rec.structure.staff)),
        ("Tổ chức đảng", rec.structure.party), ("Phòng, ban chuyên môn", "; ".join(rec.structure.departments)),
        ("Đơn vị trực thuộc", "; ".join(rec.structure.subordinate_units))]
    rows = [("Tên đơn vị", units.at[unit, "name"]), ("Tên viết tắt", units.at[unit, "short_name"]),
            ("Loại hình", KINDS.get(units.at[unit, "kind"], units.at[unit, "kind"])),
            ("Hình thành từ", "; ".join(how[u] for u in predecessors if u in how)), *[(k, v) for k, v in own if v]]
    info = pd.DataFrame({"Mục": [k for k, _ in rows], "Nội dung": [v for _, v in rows]})
    m = reg.membership[reg.membership["unit_id"].isin([unit, *predecessors]) & (reg.membership["year"] <= year)]
    blocs = pd.DataFrame({"Năm": m["year"].to_numpy(), "Đơn vị": m["unit_id"].map(names).to_numpy(),
                          "Khối thi đua": m["bloc_id"].map(reg.bloc_name).to_numpy(), "Vai trò": m["role"].map(ROLES).to_numpy()})
    blocs = blocs.sort_values(["Năm", "Đơn vị"], kind="stable").reset_index(drop=True)
    decisions = ws.decisions()
    hist = granted_awards.unit_history(granted_awards.lines_as_of_year(decisions.lines, reg), reg, unit, year)
    titles = _titles(ws)
    awards = pd.DataFrame({
        "Năm": hist["year"].to_numpy(), "Hình thức khen thưởng": hist["award_id"].map(lambda a: titles.get(a, a)).to_numpy(),
        "Số quyết định": hist["number"].to_numpy(), "Ngày": hist["date"].map(fmt_date).to_numpy(),
        "Cơ quan ban hành": hist["body"].to_numpy(), "Nguồn": "quyết định khen thưởng",
        "Ghi chú": [f"tặng {names.get(v, v)} (trước khi {EVENTS.get(e, 'chuyển')})" if v else ""
                    for v, e in zip(hist["via"], hist["event"])]})
    granted = {(int(y), titles.get(a, a)) for y, a in zip(hist["year"], hist["award_id"])}
    declared = [a for a in (rec.awards if rec else []) if a.year <= year and (a.year, a.award) not in granted]
    if declared:  # earlier awards the unit declares, with their decisions, where no decision here grants them
        awards = pd.concat([awards, pd.DataFrame({
            "Năm": [a.year for a in declared], "Hình thức khen thưởng": [a.award for a in declared],
            "Số quyết định": [a.decision for a in declared], "Ngày": [fmt_date(a.date) if a.date else "" for a in declared],
            "Cơ quan ban hành": [a.issuer for a in declared], "Nguồn": "đơn vị kê khai", "Ghi chú": ""})], ignore_index=True)
        awards = awards.sort_values("Năm", kind="stable").reset_index(drop=True)
    return {"Thông tin chung": info, "Khối thi đua": blocs, "Khen thưởng": awards}
