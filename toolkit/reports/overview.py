"""Province overview: reads the per-bloc result tables of a period (never recomputes them).

The overview must agree with what each bloc filed, so it is built from the CSV files in
``reports/<period>/<bloc>/results/`` of complete reports (those with a manifest), read by
their column ids (docs/results.md); the tables it shows have the bloc reports' Vietnamese headers.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.errors import ParameterError
from toolkit.model.text import sort_key
from toolkit.reports.results import BOOLEANS, NA, read_results

FOLDER = "province_overview"
TABLES = ("xep_hang", "de_nghi_khen_thuong", "chi_tieu", "tran_xuat_sac", "tu_cham_tham_dinh")


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


def leaders(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per bloc: the unit ranked first, and the units proposed for each award."""
    r = tables["xep_hang"]
    first = r[r["rank"].eq(1).fillna(False)].groupby("bloc")["unit"].agg(lambda s: "; ".join(s)).rename_axis("Khối")
    e = tables["de_nghi_khen_thuong"]
    proposed = (e[e["nominated"].fillna(False)].groupby(["bloc", "award"])["unit"].agg(lambda s: "; ".join(s))
                .rename_axis(["Khối", "Danh hiệu"]).unstack(fill_value=""))
    out = pd.DataFrame({"Dẫn đầu": first}).join(proposed, how="outer").fillna("").reset_index().rename(columns={"index": "Khối"})
    return out.sort_values("Khối", kind="stable").reset_index(drop=True)


def band_counts(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    r = tables["xep_hang"]
    return pd.crosstab(r["bloc"].rename("Khối"), r["band"].rename("Xếp loại")).reset_index()


def totals_by_bloc(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    r = tables["xep_hang"].dropna(subset=["total"])
    g = r.groupby("bloc")["total"]
    out = pd.DataFrame({"Số đơn vị": g.size(), "Thấp nhất": g.min(), "Trung vị": g.median(), "Cao nhất": g.max()})
    return out.rename_axis("Khối").reset_index()


def targets_missed(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    t = tables["chi_tieu"]
    if "met" not in t.columns:  # no bloc filed the table
        return t
    m = t[t["met"].eq(False).fillna(False)][["bloc", "unit", "target", "result"]]
    m = m.set_axis(["Khối", "Đơn vị", "Chỉ tiêu", "Kết quả"], axis=1)
    return m.assign(_k=m["Đơn vị"].map(sort_key)).sort_values(["Khối", "_k"], kind="stable").drop(columns="_k").reset_index(drop=True)


def cap_by_unit(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    c = tables["tran_xuat_sac"]
    if "within_cap" not in c.columns:  # no bloc filed the table
        return c
    c = c.assign(within_cap=_display(c["within_cap"], "within_cap"))
    cols = {"bloc": "Khối", "unit": "Đơn vị", "excellent": "Số HTXSNV", "base": "Cơ sở tính", "share": "Tỷ lệ", "cap": "Trần",
            "within_cap": "Đánh giá"}
    out = c[list(cols)].rename(columns=cols)
    return out.sort_values(["Tỷ lệ", "Khối"], ascending=[False, True], kind="stable").reset_index(drop=True)


def self_gaps(tables: dict[str, pd.DataFrame], n: int = 10) -> pd.DataFrame:
    s = tables["tu_cham_tham_dinh"]
    cols = {"bloc": "Khối", "unit": "Đơn vị", "self_total": "Tự chấm", "verified_total": "Thẩm định", "gap": "Chênh lệch"}
    out = s[list(cols)].rename(columns=cols)
    return out.sort_values(["Chênh lệch", "Khối"], ascending=[False, True], kind="stable").head(n).reset_index(drop=True)


def totals_chart(tables: dict[str, pd.DataFrame]):
    import matplotlib.pyplot as plt

    r = tables["xep_hang"].dropna(subset=["total"])
    blocs = sorted(r["bloc"].unique())
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(blocs) + 1.5))
    ax.boxplot([r.loc[r["bloc"] == b, "total"] for b in blocs], orientation="horizontal", tick_labels=blocs)
    ax.set_xlabel("Tổng điểm")
    ax.set_title("Phân bố tổng điểm theo khối")
    fig.tight_layout()
    return fig
