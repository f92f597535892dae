"""What the report notebooks call: parameter checks, the result, and display helpers.

Notebooks stay thin: each section is one call here, and no rule is computed in a notebook.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from . import config, presentation
from .engine import PeriodResult, Workspace
from .errors import ParameterError
from .exports import write_csvs, write_xlsx
from .text import fmt_date

_BLOC_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def check_bloc_id(bloc: str) -> str:
    """Bloc ids become folder names: refuse anything that could step outside the reports folder."""
    if not _BLOC_ID.match(bloc):
        raise ParameterError(f"Mã khối '{bloc}' không hợp lệ: chỉ gồm chữ thường không dấu, số và dấu '-'.")
    return bloc


def check_parameters(bloc: object, period: object, data_dir: object = "", output_dir: object = "") -> tuple[Workspace, str]:
    """Validate notebook/CLI parameters before anything is read or written."""
    if isinstance(period, int) and not isinstance(period, bool):
        period = str(period)  # `papermill -p period 2018` passes an int: a year is what the user meant
    for name, value in (("bloc", bloc), ("period", period), ("data_dir", data_dir), ("output_dir", output_dir)):
        if not isinstance(value, str):
            raise ParameterError(f"Tham số '{name}' phải là chuỗi ký tự (str), nhận được {type(value).__name__}: {value!r}.")
    check_bloc_id(bloc)
    for name, value in (("data_dir", data_dir), ("output_dir", output_dir)):
        if ".." in Path(value).parts:
            raise ParameterError(f"Tham số '{name}' không được chứa '..': {value!r}.")
    ws = Workspace.open(Path(data_dir) if data_dir else config.DATA_DIR)
    p = ws.check(bloc, period)
    return ws, str(p)


def load(bloc: str, period: str, data_dir: str = "", output_dir: str = "") -> PeriodResult:
    ws, p = check_parameters(bloc, period, data_dir, output_dir)
    return ws.analyse(bloc, p)


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
