"""What the report notebooks call: the checked result, and display helpers.

Notebooks stay thin: each section is one call here, and no rule is computed in a notebook.
"""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from toolkit.engine.evaluate import PeriodResult
from toolkit.model.parameters import check_parameters
from toolkit.reports import tables as presentation
from toolkit.reports.analysis import analyse
from toolkit.reports.exports import write_csvs, write_xlsx
from toolkit.model.text import fmt_date

def load(bloc: str, period: str, data_dir: str = "", output_dir: str = "") -> PeriodResult:
    ws, p = check_parameters(bloc, period, data_dir, output_dir)
    return analyse(ws, bloc, p)


def title_block(res: PeriodResult, data_dir: str = "") -> str:
    cov = res.covenant
    lines = [
        f"# Báo cáo kết quả thi đua {res.period.label_vi}",
        f"**{res.bloc_name}** (mã khối `{res.bloc}`)",
        "",
        f"- Giao ước: {cov.title}" + (f", ký ngày {fmt_date(cov.signed_on)}" if cov.signed_on else "")
        + (f" tại {cov.signed_at}" if cov.signed_at else ""),
        *([f"- Căn cứ: {'; '.join(cov.legal_basis)}"] if cov.legal_basis else []),
        f"- Nguồn dữ liệu: `{Path(data_dir).name if data_dir else 'data'}/periods/{res.bloc}/{res.period}`",
    ]
    if res.source.get("synthetic"):
        lines.append("- **Dữ liệu mẫu** (tổng hợp, không phải số liệu thật của đơn vị nào)")
    return "\n".join(lines)


def markdown(text: str):
    """Markdown for display; '<', '>' and '&' are escaped because names and reasons come from submissions."""
    from IPython.display import Markdown

    return Markdown(html.escape(text, quote=False))


def notes(res: PeriodResult) -> str:
    items = list(res.notes) + [str(p.message) for p in res.warnings]
    return "\n".join(f"- {x}" for x in items) if items else "- Không có ghi chú."


def show(df: pd.DataFrame):
    """Display a table in the notebook (escaped HTML, decimal comma)."""
    from IPython.display import HTML

    return HTML(presentation.to_html(df))


def save_tables(res: PeriodResult, output_dir: str) -> list[Path]:
    """Write results/*.csv and results.xlsx into ``output_dir`` (nothing when it is empty)."""
    if not output_dir:
        return []
    out = Path(output_dir)
    tables = presentation.all_tables(res)
    files = write_csvs({stem: df for stem, (_t, df) in tables.items()}, out / "results")
    files.append(write_xlsx({title: df for title, df in tables.values()}, out / "results.xlsx"))
    return files
