"""What the report notebooks call: the checked result, display helpers, and filing the tables.

Notebooks stay thin: each section is one call here, and no rule is computed in a notebook.
``save_tables(tables, output_dir)`` (from :mod:`toolkit.reports.filed_tables`) files any report's
tables: ``report.save_tables(tables.all_tables(result), output_dir)``, ``report.save_tables(data_quality.all_tables(q), output_dir)``.
"""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from toolkit.engine.evaluate import PeriodResult
from toolkit.model.parameters import check_parameters
from toolkit.reports import result_tables as presentation
from toolkit.reports.display import NOTHING, SYNTHETIC, Chart, ReportTable, Sentence
from toolkit.reports.analysis import analyse
from toolkit.reports.filed_tables import save_tables
from toolkit.reports.result_tables import PERCENT, Formats, percent, plain
from toolkit.model.text import fmt_date

__all__ = ["load", "title_block", "markdown", "notes", "show", "chart", "comparison", "change_chart", "save_tables", "PERCENT", "percent"]

def load(bloc: str, period: str, data_dir: str = "", output_dir: str = "") -> PeriodResult:
    ws, p = check_parameters(bloc, period, data_dir, output_dir)
    return analyse(ws, bloc, p)


def title_block(res: PeriodResult, data_dir: str = "") -> str:
    cov = res.covenant
    lines = [
        f"# Báo cáo kết quả thi đua {res.period.label_vi}",
        f"**{plain(res.bloc_name)}**",
        "",
        f"- Giao ước: {plain(cov.title)}" + (f", ký ngày {fmt_date(cov.signed_on)}" if cov.signed_on else "")
        + (f" tại {plain(cov.signed_at)}" if cov.signed_at else ""),
        *([f"- Căn cứ: {'; '.join(map(plain, cov.legal_basis))}"] if cov.legal_basis else []),
        f"- Nguồn dữ liệu: `{Path(data_dir).name if data_dir else 'data'}/periods/{res.bloc}/{res.period}`",
    ]
    if res.source.get("synthetic"):
        lines.append(SYNTHETIC)
    return "\n".join(lines)


def comparison(res: PeriodResult):
    """The change since the previous period, or a sentence when that period has no data."""
    c = res.comparison
    if c is None or c.empty or c["prev_total"].isna().all():
        prev = c["prev_period"].iloc[0] if c is not None and len(c) else str(res.period.previous())
        return Sentence(f"Không có kết quả kỳ {prev} để so sánh.")
    return ReportTable(presentation.comparison(res))


def change_chart(res: PeriodResult):
    """The change chart, or nothing when there is no previous period (:func:`comparison` says so)."""
    if isinstance(comparison(res), Sentence):
        return None
    from toolkit.reports import period_charts

    return period_charts.change_chart(res)


def chart(fig):
    """A chart for display (:class:`Chart`); a sentence or nothing, given instead of a chart, as it is."""
    return Chart(fig) if isinstance(fig, Figure) else fig


def markdown(text: str):
    """Markdown for display, safe for the names and reasons from submissions it carries.

    The text's builders write each value from data through :func:`~toolkit.reports.result_tables.plain`
    (its Markdown marks escaped, so a name keeps the bold around it and a URL in it is no link);
    here '<', '>' and '&' are escaped (no HTML), and so is every "](": the reports write no links
    or pictures, and a unit name like ``![x](http://...)`` would otherwise become a picture that
    the report fetches from that server whenever it is opened. Nothing is displayed for an
    empty text (a section with nothing to add).
    """
    from IPython.display import Markdown

    if not text:
        return None

    return Markdown(html.escape(text, quote=False).replace("](", "]\\("))


def notes(res: PeriodResult) -> str:
    items = list(res.notes) + [str(p.message) for p in res.warnings]
    return "\n".join(f"- {plain(x)}" for x in items) if items else "- Không có ghi chú."


def show(df: pd.DataFrame, empty: str = NOTHING, formats: Formats | None = None) -> ReportTable:
    """A table for the report: escaped HTML with decimal commas for readers, plain text for nbval.

    ``empty``: the sentence shown instead of a table without rows (say what there is none of,
    e.g. "Không có đơn vị nào còn thiếu dữ liệu."); ``formats``: column -> cell writer (e.g.
    ``{"Tỷ lệ": tables.percent}``).
    """
    return ReportTable(df, empty, formats)
