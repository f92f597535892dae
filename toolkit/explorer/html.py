"""The explorer's HTML: tables, section titles and messages, every text escaped.

Submission text (unit names, notes, reasons) is data, not markup: everything that becomes
HTML here goes through :func:`esc`. Tables use the same markup as the reports
(:func:`toolkit.reports.result_tables.to_html`), plus a highlight for changed rows.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

from toolkit.model.text import fmt_number, fmt_numbers

STYLE = """<style>
.thidua-explorer table.thidua { border-collapse: collapse; font-size: 12px; margin: 2px 0 10px 0; }
.thidua-explorer table.thidua th, .thidua-explorer table.thidua td { border: 1px solid #d0d7de; padding: 2px 6px; vertical-align: top; }
.thidua-explorer table.thidua th { background: #ddebf7; }
.thidua-explorer table.thidua td.num { text-align: right; white-space: nowrap; }
.thidua-explorer table.thidua tr.changed td { background: #fde68a; font-weight: 600; }
.thidua-explorer .thidua-msg-error { color: #b42318; }
.thidua-explorer h4 { margin: 10px 0 4px 0; }
</style>"""
# In the live explorer only: once its widgets are drawn, the page's plain-HTML first view (see
# toolkit.explorer.first_view) gives way to them.
LIVE_STYLE = "<style>.thidua-first-view { display: none !important; }</style>"


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _cells(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(escaped texts, is-number flags) of one column, as :func:`toolkit.reports.result_tables.to_html` shows them
    (decimal comma, blank for missing), formatting each distinct float once."""
    if col.dtype.kind == "f":
        texts = fmt_numbers(col.to_numpy(dtype="float64", na_value=np.nan))
        return np.array([esc(x) for x in texts], dtype=object), np.ones(len(col), dtype=bool)
    values = col.to_numpy()
    texts = np.empty(len(values), dtype=object)
    nums = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        if isinstance(v, (float, np.floating)):
            texts[i], nums[i] = esc(fmt_number(v)), True
        elif v is None or (not isinstance(v, str) and pd.isna(v)):
            texts[i] = ""
        else:
            texts[i], nums[i] = esc(v), _is_number(v)
    return texts, nums


def table_html(df: pd.DataFrame, changed=None, css: str = "thidua") -> str:
    """Escaped HTML table, the same markup as :func:`toolkit.reports.result_tables.to_html` (every cell is
    escaped: submission text is data, not markup); rows where ``changed`` is true get class
    ``changed`` (highlighted)."""
    head = "".join(f"<th>{esc(c)}</th>" for c in df.columns)
    cols = [_cells(df[c]) for c in df.columns] if len(df.columns) else []
    flags = np.zeros(len(df), dtype=bool) if changed is None else np.asarray(changed, dtype=bool)
    rows = []
    for i in range(len(df)):
        cells = "".join(('<td class="num">' if nums[i] else "<td>") + texts[i] + "</td>" for texts, nums in cols)
        rows.append(("<tr class='changed'>" if flags[i] else "<tr>") + cells + "</tr>")
    return f'<table class="{css}">\n<thead><tr>{head}</tr></thead>\n<tbody>\n' + "\n".join(rows) + "\n</tbody></table>"


def section(title: str, body: str) -> str:
    return f"<h4>{esc(title)}</h4>{body}"


def message(text: str, error: bool = False) -> str:
    lines = "<br>".join(esc(x) for x in str(text).splitlines())
    return f'<div class="{"thidua-msg-error" if error else "thidua-msg"}">{lines}</div>'
