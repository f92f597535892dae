"""How every chart looks and how it becomes a picture: one style, one PNG renderer.

The report charts (:mod:`period_charts`, :mod:`trend_charts`, :mod:`province_charts`) and the
explorer's history chart share the style below, the axis number formats of the reports
(Vietnamese decimal comma) and :func:`png`. A report shows a chart as a
:class:`~toolkit.reports.display.Chart`: rendered here once, with its title as the picture's
description (``alt``) for readers who cannot see it, instead of the inline backend's render at
the end of the cell.
"""
from __future__ import annotations

import io

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from toolkit.model.text import fmt_number, fmt_percent

STYLE = {"font.family": "DejaVu Sans", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
         "svg.hashsalt": "thidua", "axes.formatter.use_locale": False}
plt.rcParams.update(STYLE)  # DejaVu Sans has every Vietnamese diacritic

DPI = 100  # 9 inches wide: 900 pixels, sharp on screen and on an A4 page
COMMA = FuncFormatter(lambda x, _pos: fmt_number(x, 0 if float(x).is_integer() else 1))
PERCENT = FuncFormatter(lambda x, _pos: fmt_percent(x, 0))
UNTITLED = "Biểu đồ"


def png(fig: Figure, dpi: float = DPI) -> bytes:
    """The figure as PNG bytes, the whole figure.

    Every chart lays itself out to fit its figure (``tight_layout``: titles, tick labels and
    legends below the axes inside; ``tests/test_charts.py`` checks that nothing sticks out),
    so it is not cropped to what is drawn: ``bbox_inches="tight"`` would lay the figure out
    again, a second pass over every text, for a few pixels of margin. Deterministic: the same
    figure gives the same bytes (matplotlib writes no date into a PNG).
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def description(fig: Figure) -> str:
    """What the chart shows, in words: its overall title, else the titles of its panels."""
    if fig.get_suptitle():
        return fig.get_suptitle()
    titles = [t for ax in fig.axes for t in (ax.get_title(loc) for loc in ("center", "left", "right")) if t]
    return "; ".join(titles) if titles else UNTITLED
