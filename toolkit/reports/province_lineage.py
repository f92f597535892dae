"""Units and blocs followed across blocs and across the 2025 merger of provinces.

From 1 July 2025 provinces merged (Bắc Ninh and Bắc Giang into the new Bắc Ninh): a department
of the new province was formed from departments of two provinces, which sat in two different
blocs. A bloc's own history cannot rank a predecessor that was never its member, so the trends
report lists such predecessors apart, each with its rank and total *in its own bloc* (never added
to the successor's line), and the province overview says where the blocs of a former province
went. Both read :class:`~toolkit.model.registry.Registry` lineage, ``blocs.csv``'s ``province``
column and ``province/province.yaml``'s ``former`` list.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit import config
from toolkit.errors import DataError
from toolkit.model.periods import Period
from toolkit.model.province import load_province
from toolkit.model.text import fmt_number, sort_key
from toolkit.model.workspace import Workspace
from toolkit.reports.analysis import analyse
from toolkit.reports.bloc_history import History

JOINS = ("merge", "rename")  # events whose predecessor continues into the successor (a split never does)


def _bloc_label(ws: Workspace, bloc: str, now: int) -> str:
    """'Khối … — tỉnh Bắc Giang (cũ)' for a bloc of another province (named as in the year ``now``), the bloc's name otherwise."""
    row = ws.registry.blocs[ws.registry.blocs["bloc_id"] == bloc]
    name = ws.registry.bloc_name(bloc)
    if row.empty:
        return name
    province = load_province(ws.data_dir)
    where = row["province"].iloc[0]
    return name if where == province.name else f"{name} — {province.former_name(where, now)}"


def outside_predecessors(h: History, data_dir: str = "") -> pd.DataFrame:
    """Predecessors of the bloc's units that were never its members: per period, their rank and total in their own bloc."""
    ws = Workspace.open(Path(data_dir) if data_dir else config.DATA_DIR)
    lin = h.lineage
    own = set(h.units["unit_id"]) if len(h.units) else set()
    rows = lin[lin["event"].isin(JOINS) & lin["to_unit"].isin(own) & ~lin["from_unit"].isin(own)]
    names = dict(zip(ws.registry.units["unit_id"], ws.registry.units["name"]))
    m = ws.registry.membership
    out = []
    results: dict[tuple[str, str], pd.DataFrame | None] = {}
    for ev in rows.sort_values(["to_unit", "from_unit"], kind="stable").itertuples(index=False):
        row = {"Đơn vị": names.get(ev.to_unit, ev.to_unit), "Tiền thân": names.get(ev.from_unit, ev.from_unit), "Khối của tiền thân": ""}
        blocs_seen = []
        for label, period in zip(h.labels, h.periods):
            where = m[(m["unit_id"] == ev.from_unit) & (m["year"] == period.year)]["bloc_id"]
            if where.empty:
                row[label] = ""
                continue
            bloc = where.iloc[0]
            blocs_seen.append(_bloc_label(ws, bloc, h.periods[-1].year))
            row[label] = _result(ws, bloc, period, ev.from_unit, results)
        row["Khối của tiền thân"] = "; ".join(dict.fromkeys(blocs_seen))
        row["Ghi chú"] = f"từ năm {ev.year} {'hợp nhất vào' if ev.event == 'merge' else 'đổi tên thành'} {row['Đơn vị']}; " \
                         "hạng và điểm trong khối của chính đơn vị, không cộng vào đơn vị kế thừa"
        out.append(row)
    columns = ["Đơn vị", "Tiền thân", "Khối của tiền thân", *h.labels, "Ghi chú"]
    frame = pd.DataFrame(out, columns=columns)
    return frame.sort_values(["Đơn vị", "Tiền thân"], key=lambda s: s.map(sort_key), kind="stable").reset_index(drop=True)


def outside_periods(ws: Workspace, bloc: str, periods: list[Period]) -> list[tuple[str, Period]]:
    """The (bloc, period) pairs whose data :func:`outside_predecessors` reads for ``bloc`` over ``periods`` (a report's inputs)."""
    m = ws.registry.membership
    years = {p.year for p in periods}
    own = set(m.loc[(m["bloc_id"] == bloc) & m["year"].isin(years), "unit_id"])
    lin = ws.registry.lineage
    lin = lin[lin["event"].isin(JOINS) & lin["to_unit"].isin(own) & ~lin["from_unit"].isin(own)
              & (lin["year"] > min(years, default=0)) & (lin["year"] <= max(years, default=0))]
    out = []
    for p in periods:
        where = m[m["unit_id"].isin(set(lin["from_unit"])) & (m["year"] == p.year)]["bloc_id"]
        out += [(b, p) for b in sorted(set(where)) if str(p) in ws.periods(b)]
    return out


def _result(ws: Workspace, bloc: str, period: Period, unit: str, cache: dict) -> str:
    """'hạng 2/5, 91,75 điểm' of ``unit`` in ``bloc``'s ``period``; why not, when there is no result."""
    key = (bloc, str(period))
    if key not in cache:
        try:
            cache[key] = analyse(ws, bloc, period, compare=False).units if str(period) in ws.periods(bloc) else None
        except DataError:
            cache[key] = None
    u = cache[key]
    if u is None:
        return "không có số liệu"
    r = u[u["unit_id"] == unit]
    if r.empty or pd.isna(r["rank"].iloc[0]):
        return "chưa nộp"
    ranked = int(u["rank"].notna().sum())
    return f"hạng {int(r['rank'].iloc[0])}/{ranked}, {fmt_number(r['total'].iloc[0])} điểm"


def former_blocs(ov) -> pd.DataFrame:
    """Blocs of the provinces merged into this one: their last year, and where each of their units went in ``ov``'s year."""
    ws = ov.ws
    province = load_province(ws.data_dir)
    former = {f.name: f for f in province.former}
    blocs = ws.registry.blocs[ws.registry.blocs["province"].isin(former)]
    year = ov.period.year
    names = dict(zip(ws.registry.units["unit_id"], ws.registry.units["name"]))
    m = ws.registry.membership
    now = m[m["year"] == year].set_index("unit_id")["bloc_id"].to_dict()
    rows = []
    for b in blocs.itertuples(index=False):
        years = sorted(m.loc[m["bloc_id"] == b.bloc_id, "year"].unique())
        if not years or years[-1] >= year:
            continue  # still a bloc of its own in this year: it is in the overview's tables
        last = int(years[-1])
        succ = ws.registry.successors(last, year)
        splits = ws.registry.lineage[(ws.registry.lineage["event"] == "split") & (ws.registry.lineage["year"] > last)
                                     & (ws.registry.lineage["year"] <= year)]
        for u in m.loc[(m["bloc_id"] == b.bloc_id) & (m["year"] == last), "unit_id"]:
            s = succ.get(u)
            if s is not None:
                went = f"{names.get(s, s)} ({ws.registry.bloc_name(now[s])})" if s in now else f"{names.get(s, s)} (không thuộc khối nào năm {year})"
            elif u in set(splits["from_unit"]):
                heirs = splits.loc[splits["from_unit"] == u, "to_unit"]
                went = "chia tách vào " + "; ".join(names.get(x, x) for x in sorted(heirs, key=lambda x: sort_key(names.get(x, x))))
            else:
                went = "giải thể"
            rows.append({"Khối (tỉnh cũ)": f"{b.name} (tỉnh {b.province} cũ, hợp nhất từ {former[b.province].merged_on:%d/%m/%Y})",
                         "Năm cuối": last, "Đơn vị": names.get(u, u), f"Năm {year}": went})
    return pd.DataFrame(rows, columns=["Khối (tỉnh cũ)", "Năm cuối", "Đơn vị", f"Năm {year}"])
