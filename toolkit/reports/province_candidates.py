"""The province's step after the blocs: their leading units, and who of them goes on to the Government's flag.

Read from what each bloc filed (``results/de_nghi_khen_thuong.csv`` and ``xep_hang.csv``, as the
overview reads them), never recomputed: the leading unit of a bloc is the unit it proposed for
the provincial flag (Cờ thi đua của UBND tỉnh, the award ``government_flag.award`` of the
province's settings, titled as in that bloc's covenant), which is what "meets the provincial
flag's standard" means at the province's desk. The selection and its arithmetic are
:mod:`toolkit.engine.government_flag`'s, under ``province/province.yaml``.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from toolkit.engine import government_flag as rule
from toolkit.errors import DataError
from toolkit.model.province import ORDER_KEYS, Province, load_province
from toolkit.model.rounding import round_half_up
from toolkit.reports.result_tables import plain

COLUMNS = ["bloc", "province", "unit", "total", "max_total", "share", "margin", "next_unit"]


@dataclass(frozen=True)
class Candidates:
    """The blocs' leading units (``leaders``), the province's choice among them (``ranked``) and how it was made."""

    province: Province
    leaders: pd.DataFrame  # one row per bloc that proposed a unit for the provincial flag (COLUMNS)
    without: list[str]  # blocs (names) that proposed nobody for the provincial flag
    other: list[str]  # blocs (names) of another province that year (a former province before its merger): its own step
    ranked: pd.DataFrame  # leaders best first, with position, selected, reason
    quota: int
    arithmetic: str


def _flag_title(ov, bloc: str, award: str) -> tuple[str | None, float | None]:
    """The provincial flag's title in ``bloc``'s covenant of the year, and the covenant's maximum total."""
    try:
        cov = ov.ws.covenant(bloc, ov.period.year)
    except DataError:
        return None, None
    titles = {a.id: a.title for a in cov.awards}
    return titles.get(award), float(cov.total)


def leading_units(ov, province: Province) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Per bloc: the unit it proposed for the provincial flag, its total, share of the maximum and lead over the next unit.

    Also the blocs that proposed nobody, and those of another province in the period's year: a
    former province's bloc before the merger proposed to its own province, not to this one.
    """
    award = province.government_flag.award
    e, r = ov.tables["de_nghi_khen_thuong"], ov.tables["xep_hang"]
    rows, without, other = [], [], []
    blocs = ov.ws.registry.blocs.set_index("bloc_id")
    merged = {f.name: f.merged_on.year for f in province.former}
    for bloc in ov.blocs:
        where = blocs.loc[bloc, "province"] if bloc in blocs.index else ""
        if province.name and where and where != province.name and merged.get(where, ov.period.year + 1) > ov.period.year:
            other.append(ov.names[bloc])
            continue
        title, maximum = _flag_title(ov, bloc, award)
        mine = e[(e["bloc"] == bloc) & (e["award"] == title) & e["nominated"].fillna(False).astype(bool)] if title else e.iloc[:0]
        if mine.empty:
            without.append(ov.names[bloc])
            continue
        ranked = r[(r["bloc"] == bloc) & r["total"].notna()]
        for lead in mine.itertuples(index=False):
            others = ranked[ranked["unit"] != lead.unit].sort_values("total", ascending=False, kind="stable")
            nxt = others.iloc[0] if len(others) else None
            margin = (lead.total - nxt["total"]) / maximum if nxt is not None else float("nan")
            rows.append({"bloc": ov.names[bloc], "province": province.former_name(where, ov.period.year) if where else "",
                         "unit": lead.unit, "total": lead.total, "max_total": maximum,
                         "share": round_half_up(lead.total / maximum, 4), "margin": round_half_up(margin, 4),
                         "next_unit": "" if nxt is None else nxt["unit"]})
    return pd.DataFrame(rows, columns=COLUMNS), without, other


def candidates(ov) -> Candidates:
    """The leading units and the Government flag's candidates among them, under the province's settings."""
    province = load_province(ov.ws.data_dir)
    g = province.government_flag
    leaders, without, other = leading_units(ov, province)
    ranked = rule.select(leaders.assign(name=leaders["unit"]), g.ratio, g.rounding, g.order).drop(columns="name")
    return Candidates(province, leaders, without, other, ranked, rule.quota(len(leaders), g.ratio, g.rounding),
                      rule.arithmetic(len(leaders), g.ratio, g.rounding))


def leaders_table(c: Candidates) -> pd.DataFrame:
    """The blocs' proposals for the provincial flag, as the overview shows them."""
    t = c.leaders
    return pd.DataFrame({"Khối": t["bloc"], "Tỉnh (trước hợp nhất)": t["province"], "Đơn vị đề nghị Cờ thi đua của UBND tỉnh": t["unit"],
                         "Tổng điểm": t["total"], "Điểm tối đa": t["max_total"], "Tỷ lệ so với điểm tối đa": t["share"]})


def government_table(c: Candidates) -> pd.DataFrame:
    """The leading units in the province's order, with who is proposed for the Government's flag and why (not)."""
    t = c.ranked
    return pd.DataFrame({"Thứ tự": t["position"], "Đơn vị": t["unit"], "Khối": t["bloc"], "Tổng điểm": t["total"],
                         "Tỷ lệ so với điểm tối đa": t["share"], "Cách biệt với đơn vị kế tiếp": t["margin"],
                         f"Đề nghị {c.province.government_flag.title}": t["selected"].map({True: "Có", False: "Không"}),
                         "Lý do": t["reason"]})


def note(c: Candidates, annual: bool = True) -> str:
    """How many may be proposed and how they were ordered (Markdown)."""
    g = c.province.government_flag
    if not annual:
        return f"- {g.title} chỉ xét theo kết quả cả năm."
    order = ", rồi ".join(ORDER_KEYS[k] for k in g.order)
    lines = [f"Số tập thể dẫn đầu khối đủ tiêu chuẩn Cờ thi đua của UBND tỉnh (được khối đề nghị): {len(c.leaders)}.",
             f"Hạn mức đề nghị {g.title}: {c.arithmetic}. Căn cứ: {plain(g.basis)}"
             + ("." if g.confirmed else " (cách làm tròn là thiết lập của tỉnh, chưa đối chiếu văn bản).")]
    lines.append(f"Thứ tự xét: {order}; các đơn vị vẫn bằng nhau ở ngưỡng hạn mức do Hội đồng Thi đua - Khen thưởng tỉnh quyết định.")
    if c.other:
        lines.append("Khối thuộc tỉnh khác trong năm này (tỉnh cũ, trước khi hợp nhất), đề nghị lên tỉnh của khối và không tính "
                     f"vào hạn mức: {'; '.join(plain(b) for b in c.other)}.")
    if c.without:
        lines.append(f"Khối không đề nghị Cờ thi đua của UBND tỉnh: {'; '.join(plain(b) for b in c.without)}.")
    return "\n".join(f"- {x}" for x in lines)
