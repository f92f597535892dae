"""A table as a report shows it: an HTML table for readers, a stable text form for nbval.

Jupyter keeps both forms of a displayed object: nbconvert puts the HTML one in the filed report,
and nbval compares both of a checked cell (``# NBVAL_CHECK_OUTPUT``) with the committed notebook.
So the checked ranking and nominations read as tables like every other section, while a changed
result still fails the test. A table with no rows says so in a sentence instead of showing a
bare header row.
"""
from __future__ import annotations

import base64
import html

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from toolkit.reports import chart_style
from toolkit.reports.result_tables import Formats, as_text, to_html

NOTHING = "Không có nội dung cần báo cáo."  # what an empty table says when its caller gives no sentence
SYNTHETIC = "- **Dữ liệu mẫu** (tổng hợp, không phải số liệu thật của đơn vị nào)"  # every report of sample data says so


class ReportTable:
    """``df`` displayed as an escaped HTML table (``text/html``) and as plain text (``text/plain``)."""

    def __init__(self, df: pd.DataFrame, empty: str = NOTHING, formats: Formats | None = None):
        self.df = df
        self.empty = empty
        self.formats = formats

    def _repr_html_(self) -> str:
        if self.df.empty:  # an empty sentence: the section has already said why (nothing is shown)
            return f'<p class="thidua-empty">{html.escape(self.empty)}</p>' if self.empty else ""
        return to_html(self.df, self.formats)

    def __repr__(self) -> str:
        return self.empty if self.df.empty else as_text(self.df, self.formats)


class Sentence:
    """A sentence shown instead of a table or a chart (e.g. "no year has data"), in both forms."""

    def __init__(self, text: str):
        self.text = text

    def _repr_html_(self) -> str:
        return f'<p class="thidua-empty">{html.escape(self.text)}</p>'

    def __repr__(self) -> str:
        return self.text


class Chart:
    """A figure as a report shows it: a PNG described by the chart's title (``alt`` in the HTML).

    Rendered once, here: the figure is closed so that the inline backend does not draw it again
    at the end of the cell. The text form (what nbval and a terminal see) names the chart.
    """

    def __init__(self, fig: Figure):
        self.png = chart_style.png(fig)
        self.description = chart_style.description(fig)
        plt.close(fig)

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": repr(self)}
        return data, {"image/png": {"alt": self.description}}

    def __repr__(self) -> str:
        return f"Biểu đồ: {self.description}"
