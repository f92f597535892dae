"""Province overview: reads the per-bloc result tables of a period (never recomputes them), and every bloc over the years.

The overview must agree with what each bloc filed, so the period's tables are built from the CSV
files in ``reports/<period>/<bloc>/results/`` of complete reports (those with a manifest), read by
their column ids (docs/results.md); the tables it shows have the bloc reports' Vietnamese headers
and name blocs by their names (``blocs.csv`` of the data folder). The view over the years is each
bloc's :class:`~toolkit.reports.bloc_history.History` up to the period, as the trends report builds it
(filed bloc reports that are current are read, other periods computed from the data).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit import config
from toolkit.engine import granted_awards
from toolkit.engine import unit_lines as rules
from toolkit.errors import DataError, ParameterError
from toolkit.model.period_data import read_source
from toolkit.model.periods import Period
from toolkit.model.text import fmt_percent, sort_key
from toolkit.model.workspace import Workspace
from toolkit.reports.display import SYNTHETIC
from toolkit.reports.bloc_history import History, history, period_range
from toolkit.reports.filed_tables import BOOLEANS, NA, read_results
from toolkit.reports.result_tables import plain

FOLDER = "province_overview"
TABLES = ("xep_hang", "de_nghi_khen_thuong", "chi_tieu", "tran_xuat_sac", "tu_cham_tham_dinh")


@dataclass
class Overview:
    """A period's filed bloc results, the blocs' names, and (on demand) every bloc over the years."""

    period: Period
    tables: dict[str, pd.DataFrame]  # stem -> every bloc's rows, machine form, with a ``bloc`` id column
    ws: Workspace
    names: dict[str, str]  # bloc id -> name
    synthetic: bool
    filed: dict[str, dict[str, str]] = field(default_factory=dict)  # bloc -> period -> current filed report
    _histories: dict[str, History] = field(default_factory=dict, repr=False)

    @property
    def blocs(self) -> list[str]:
        """Blocs with a report for the period, in Vietnamese order of their names."""
        return sorted(self.tables["xep_hang"]["bloc"].unique(), key=lambda b: sort_key(self.names.get(b, b)))

    def histories(self) -> dict[str, History]:
        """Each bloc from its earliest period of the same kind up to this one (computed once)."""
        if not self._histories:
            for bloc in self.blocs:
                if str(self.period) in self.ws.periods(bloc):
                    self._histories[bloc] = history(self.ws, bloc, period_range(self.ws, bloc, "", str(self.period)),
                                                    self.filed.get(bloc))
        return self._histories


def load(period: str | int, reports_dir: str = "", data_dir: str = "", filed: dict | None = None) -> Overview:
    """The overview of ``period``: filed results from ``reports_dir``, bloc names and sources from ``data_dir``."""
    p = Period.parse(period)
    tables = load_results(Path(reports_dir) if reports_dir else config.REPORTS_DIR, str(p))
    ws = Workspace.open(Path(data_dir) if data_dir else config.DATA_DIR)
    blocs = sorted(tables["xep_hang"]["bloc"].unique())
    names = {b: ws.registry.bloc_name(b) for b in blocs}
    synthetic = any(_synthetic(ws, b, p) for b in blocs)
    return Overview(p, tables, ws, names, synthetic, dict(filed or {}))


def _synthetic(ws: Workspace, bloc: str, p: Period) -> bool:
    try:
        cov = ws.covenant(bloc, p.year)
    except DataError:
        cov = None
    try:
        source = read_source(ws.data_dir, bloc, p)
    except DataError:
        source = {}
    return bool((cov is not None and cov.synthetic) or source.get("synthetic"))


def title_block(ov: Overview) -> str:
    """Heading of the overview: the period, how many blocs reported, synthetic data (Markdown)."""
    lines = [f"# Tổng hợp kết quả thi đua toàn tỉnh {ov.period.label_vi}", "",
             f"- Số khối có báo cáo: {len(ov.blocs)} ({'; '.join(plain(ov.names[b]) for b in ov.blocs)})"]
    if ov.synthetic:
        lines.append(SYNTHETIC)
    return "\n".join(lines)


def _named(ov: Overview, df: pd.DataFrame, column: str = "Khối") -> pd.DataFrame:
    """``column`` of bloc ids replaced by the blocs' names."""
    return df.assign(**{column: df[column].map(lambda b: ov.names.get(b, b))})


def bloc_folders(reports_dir: Path, period: str) -> list[Path]:
    base = Path(reports_dir) / period
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != FOLDER
                  and not p.name.endswith(".failed") and (p / "manifest.json").exists())


def load_results(reports_dir: Path, period: str) -> dict[str, pd.DataFrame]:
    """Each result table (machine form, docs/results.md) of every bloc, stacked, with a ``bloc`` column."""
    folders = bloc_folders(reports_dir, period)
    if not folders:
        raise ParameterError(f"Chưa có báo cáo khối nào cho kỳ {period} trong {reports_dir}: chạy `thidua run --bloc all --period {period}` trước.")
    out = {}
    for stem in TABLES:
        frames = [read_results(f / "results" / f"{stem}.csv").assign(bloc=f.name)
                  for f in folders if (f / "results" / f"{stem}.csv").exists()]
        out[stem] = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return out


def input_files(reports_dir: Path, period: str) -> list[Path]:
    return sorted(f / "results" / f"{stem}.csv" for f in bloc_folders(reports_dir, period) for stem in TABLES
                  if (f / "results" / f"{stem}.csv").exists())


def _display(values: pd.Series, column: str) -> pd.Series:
    """A yes/no column back in the words the bloc reports show ("—" when not applicable)."""
    words = {v: k for k, v in BOOLEANS[column].items()}
    return values.map(lambda v: NA if pd.isna(v) else words[bool(v)]).astype(object)


def leaders(ov: Overview) -> pd.DataFrame:
    """Per bloc (by name): the unit ranked first, and the units proposed for each award."""
    tables = ov.tables
    r = tables["xep_hang"]
    first = r[r["rank"].eq(1).fillna(False)].groupby("bloc")["unit"].agg(lambda s: "; ".join(s)).rename_axis("Khối")
    e = tables["de_nghi_khen_thuong"]
    proposed = (e[e["nominated"].fillna(False)].groupby(["bloc", "award"])["unit"].agg(lambda s: "; ".join(s))
                .rename_axis(["Khối", "Danh hiệu"]).unstack(fill_value=""))
    out = pd.DataFrame({"Dẫn đầu": first}).join(proposed, how="outer").fillna("").reset_index().rename(columns={"index": "Khối"})
    order = {b: i for i, b in enumerate(ov.blocs)}
    out = out.assign(_o=out["Khối"].map(order)).sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    awards = list(dict.fromkeys(e["award"]))  # covenant order, as the bloc reports list them
    return _named(ov, out[["Khối", "Dẫn đầu", *[a for a in awards if a in out.columns]]])


def band_counts(ov: Overview) -> pd.DataFrame:
    """Per bloc: units in each band, highest band first, those that did not submit last."""
    r = ov.tables["xep_hang"]
    counts = pd.crosstab(r["bloc"].rename("Khối"), r["band"].rename("Xếp loại"))
    bands = _band_order(ov, list(counts.columns))
    counts = counts.reindex(index=ov.blocs, columns=bands, fill_value=0).reset_index()
    counts.columns.name = None
    return _named(ov, counts)


def _band_order(ov: Overview, labels: list[str]) -> list[str]:
    """Band labels highest first, as the covenants list them; labels no covenant has (not submitted) last."""
    order: list[str] = []
    for bloc in ov.blocs:
        try:
            order += [b.label for b in ov.ws.covenant(bloc, ov.period.year).bands]
        except DataError:
            continue
    known = [b for b in dict.fromkeys(order) if b in labels]
    return known + [b for b in labels if b not in known]


def totals_by_bloc(ov: Overview) -> pd.DataFrame:
    r = ov.tables["xep_hang"].dropna(subset=["total"])
    g = r.groupby("bloc")["total"]
    out = pd.DataFrame({"Số đơn vị": g.size(), "Thấp nhất": g.min(), "Trung vị": g.median(), "Cao nhất": g.max()})
    return _named(ov, out.reindex([b for b in ov.blocs if b in out.index]).rename_axis("Khối").reset_index())


def targets_missed(ov: Overview) -> pd.DataFrame:
    t = ov.tables["chi_tieu"]
    cols = ["Khối", "Đơn vị", "Chỉ tiêu", "Kết quả"]
    if "met" not in t.columns:  # no bloc filed the table
        return pd.DataFrame(columns=cols)
    m = t[t["met"].eq(False).fillna(False)][["bloc", "unit", "target", "result"]]
    m = m.set_axis(cols, axis=1)
    order = {b: i for i, b in enumerate(ov.blocs)}
    m = m.assign(_o=m["Khối"].map(order), _k=m["Đơn vị"].map(sort_key)).sort_values(["_o", "_k"], kind="stable")
    return _named(ov, m.drop(columns=["_o", "_k"]).reset_index(drop=True))


def cap_by_unit(ov: Overview) -> pd.DataFrame:
    c = ov.tables["tran_xuat_sac"]
    if "within_cap" not in c.columns:  # no bloc filed the table
        return pd.DataFrame(columns=["Khối", "Đơn vị", "Số HTXSNV", "Cơ sở tính", "Tỷ lệ", "Trần", "Đánh giá"])
    c = c.assign(within_cap=_display(c["within_cap"], "within_cap"))
    cols = {"bloc": "Khối", "unit": "Đơn vị", "excellent": "Số HTXSNV", "base": "Cơ sở tính", "share": "Tỷ lệ", "cap": "Trần",
            "within_cap": "Đánh giá"}
    out = _named(ov, c[list(cols)].rename(columns=cols))
    return out.sort_values(["Tỷ lệ", "Khối"], ascending=[False, True], kind="stable").reset_index(drop=True)


def self_gaps(ov: Overview, n: int = 10) -> pd.DataFrame:
    s = ov.tables["tu_cham_tham_dinh"]
    cols = {"bloc": "Khối", "unit": "Đơn vị", "self_total": "Tự chấm", "verified_total": "Thẩm định", "gap": "Chênh lệch"}
    out = _named(ov, s[list(cols)].rename(columns=cols))
    return out.sort_values(["Chênh lệch", "Khối"], ascending=[False, True], kind="stable").head(n).reset_index(drop=True)


# --------------------------------------------------------------------------- every bloc over the years


def year_labels(ov: Overview) -> list[str]:
    """Every period of the blocs' ranges, oldest first."""
    periods = {p for h in ov.histories().values() for p in h.periods}
    return [str(p) for p in sorted(periods)]


def years_note(ov: Overview) -> str:
    """Which blocs lack data in which periods of the range (Markdown); nothing is estimated for them."""
    labels = year_labels(ov)
    if not labels:
        return "Không khối nào có dữ liệu các kỳ trước."
    lines = [f"Các kỳ {labels[0]}–{labels[-1]}, mỗi năm một kỳ cùng loại; mỗi khối chấm theo giao ước của chính năm đó."]
    for bloc, h in ov.histories().items():
        absent = [p for p in labels if p not in h.labels or p in h.missing]
        if absent:
            why = "; ".join(f"{p}: {plain(h.missing.get(p, 'chưa có khối'))}" for p in absent)
            lines.append(f"{plain(ov.names[bloc])} không có số liệu kỳ {why}: để trống, không ước tính.")
    return "\n".join(f"- {x}" for x in lines)


def leaders_by_year(ov: Overview) -> pd.DataFrame:
    """Per period (rows) and bloc (columns): the unit that led the bloc, with its total."""
    labels = year_labels(ov)
    out = pd.DataFrame({"Kỳ": labels})
    for bloc, h in ov.histories().items():
        lead = rules.leaders(h.units, h.labels).set_index("period")
        cells = []
        for p in labels:
            if p in h.missing or p not in lead.index or pd.isna(lead.loc[p, "name"]):
                cells.append("không có số liệu" if p in h.missing or p not in h.labels else "")
            else:
                cells.append(f"{lead.loc[p, 'name']} ({_points(lead.loc[p, 'total'])})")
        out[ov.names[bloc]] = cells
    return out


def _points(value) -> str:
    from toolkit.model.text import fmt_number

    return fmt_number(value)


def same_maximum(ov: Overview) -> bool:
    """True when every bloc and year has the same nominal total (totals compare as points)."""
    return len({c.total for h in ov.histories().values() for c in h.covenants.values()}) <= 1


def totals_by_year(ov: Overview) -> pd.DataFrame:
    """Per period and bloc: units scored, lowest, median and highest total (points, or shares of the maximum when maxima differ)."""
    col = "total" if same_maximum(ov) else "total_share"
    rows = []
    for p in year_labels(ov):
        for bloc, h in ov.histories().items():
            u = h.units[(h.units["period"] == p) & h.units["submitted"]]
            if u.empty:
                continue
            rows.append({"Kỳ": p, "Khối": ov.names[bloc], "Số đơn vị": len(u), "Thấp nhất": u[col].min(),
                         "Trung vị": u[col].median(), "Cao nhất": u[col].max()})
    return pd.DataFrame(rows, columns=["Kỳ", "Khối", "Số đơn vị", "Thấp nhất", "Trung vị", "Cao nhất"])


def targets_missed_by_year(ov: Overview) -> pd.DataFrame:
    """Per target (rows) and period (columns): units of every bloc that missed it, with the total per period."""
    labels = year_labels(ov)
    frames = [h.targets.assign(bloc=bloc) for bloc, h in ov.histories().items() if len(h.targets)]
    if not frames:
        return pd.DataFrame(columns=["Chỉ tiêu", *labels])
    t = pd.concat(frames, ignore_index=True)
    missed = t[t["met"].eq(False).fillna(False).astype(bool)]
    titles = list(dict.fromkeys(t.sort_values("period", ascending=False, kind="stable")["title"]))
    grid = missed.groupby(["title", "period"]).size().unstack(fill_value=0).reindex(index=titles, columns=labels, fill_value=0)
    judged = set(t["period"])
    out = pd.DataFrame({"Chỉ tiêu": titles})
    for p in labels:
        out[p] = grid[p].to_numpy() if p in judged else [pd.NA] * len(titles)
    units = missed.groupby("period").apply(lambda g: len(set(zip(g["bloc"], g["unit_id"]))), include_groups=False)
    total = {"Chỉ tiêu": "Số đơn vị có chỉ tiêu không đạt"}
    total.update({p: int(units.get(p, 0)) if p in judged else pd.NA for p in labels})
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True).astype({p: "Int64" for p in labels})


def totals_formats(ov: Overview) -> dict:
    """How :func:`totals_by_year` numbers are written: points, or percentages of the maximum when maxima differ."""
    from toolkit.reports.result_tables import percent

    return {} if same_maximum(ov) else {c: percent for c in ("Thấp nhất", "Trung vị", "Cao nhất")}


# --------------------------------------------------------------------------- proposed against granted (issue 21)


def granted_by_year(ov: Overview) -> pd.DataFrame:
    """Per period, bloc and award: proposals, how many the province granted, refused or has yet to decide, and the rate.

    The rate is granted / decided: a proposal without a decision yet is "chờ quyết định", counted
    apart and never as not granted (toolkit/engine/granted_awards.py).
    """
    columns = ["Kỳ", "Khối", "Danh hiệu", "Đề nghị", "Được tặng", "Không được tặng", "Chờ quyết định", "Tỷ lệ được tặng"]
    frames = [h.awards.assign(bloc=ov.names[bloc]) for bloc, h in ov.histories().items() if len(h.awards)]
    if not frames:
        return pd.DataFrame(columns=columns)
    a = pd.concat(frames, ignore_index=True)
    r = granted_awards.rates(a, ["period", "bloc", "award"])
    order = {p: i for i, p in enumerate(year_labels(ov))}
    r = r.assign(_o=r["period"].map(order)).sort_values("_o", kind="stable")
    return pd.DataFrame({"Kỳ": r["period"], "Khối": r["bloc"], "Danh hiệu": r["award"], "Đề nghị": r["proposed"],
                         "Được tặng": r["granted"], "Không được tặng": r["not_granted"], "Chờ quyết định": r["pending"],
                         "Tỷ lệ được tặng": r["rate"]}, columns=columns).reset_index(drop=True)


def granted_note(ov: Overview) -> str:
    """The province's totals of :func:`granted_by_year` in a sentence per award (Markdown)."""
    g = granted_by_year(ov)
    if g.empty:
        return "Không kỳ nào có danh hiệu khen thưởng được xét."
    lines = []
    for award, x in g.groupby("Danh hiệu", sort=False):
        decided = int(x["Được tặng"].sum() + x["Không được tặng"].sum())
        pending = x.loc[x["Chờ quyết định"] > 0, "Kỳ"].unique()
        text = (f"{plain(award)}: tỉnh đã quyết định {decided} đề nghị, tặng {int(x['Được tặng'].sum())}"
                + (f" ({fmt_percent(x['Được tặng'].sum() / decided)})" if decided else ""))
        if len(pending):
            text += f"; {int(x['Chờ quyết định'].sum())} đề nghị kỳ {', '.join(pending)} chờ quyết định (chưa tính là không được tặng)"
        lines.append(text + ".")
    return "\n".join(f"- {x}" for x in lines)
