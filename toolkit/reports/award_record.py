"""A unit's record as the decisions make it: who it is, where it served, and the awards the province granted it.

What ``thidua record --unit U`` shows and exports: the unit's general information from the registry
(names, kind, the units it was renamed or merged from), its blocs and roles year by year, and its
titles and commendations by year with their decisions, its predecessors' included and marked
(:func:`toolkit.engine.granted_awards.unit_history`). The unit's own record file (functions,
structure, earlier awards it declares: ``data/records/``, issue 20) adds to this; the awards here
are the ones a decision in ``data/decisions/`` grants, never retyped.
"""
from __future__ import annotations

import pandas as pd

from toolkit.engine import granted_awards
from toolkit.errors import ParameterError
from toolkit.model.registry import ROLES
from toolkit.model.text import fmt_date
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
    info = pd.DataFrame({"Mục": ["Tên đơn vị", "Tên viết tắt", "Loại hình", "Hình thành từ"],
                         "Nội dung": [units.at[unit, "name"], units.at[unit, "short_name"],
                                      KINDS.get(units.at[unit, "kind"], units.at[unit, "kind"]),
                                      "; ".join(how[u] for u in predecessors if u in how)]})
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
    return {"Thông tin chung": info, "Khối thi đua": blocs, "Khen thưởng": awards}
