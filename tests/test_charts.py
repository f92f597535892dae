"""Every report chart fits its figure: the PNG is the whole figure, uncropped (toolkit.reports.chart_style.png),
so a title, tick label or legend sticking out of it would be cut off in the report."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from toolkit.model.workspace import Workspace  # noqa: E402
from toolkit.reports import period_charts, trend_charts  # noqa: E402
from toolkit.reports import notebook_api as report  # noqa: E402
from toolkit.reports.bloc_history import load_history  # noqa: E402

from chart_helpers import sticking_out  # noqa: E402

BLOCS = tuple(Workspace.open().blocs())


def test_a_chart_that_sticks_out_is_found():
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.legend(handles=ax.plot([0, 1], label="một đường"), loc="upper center", bbox_to_anchor=(0.5, -0.3))
    ax.set_title("Tổng điểm")
    fig.tight_layout()
    assert sticking_out(fig) == [], "tight_layout makes room for the title and the legend below the axes"
    fig.text(0.5, -0.2, "ghi chú dưới hình")  # a figure text is not laid out: 0.4 in below the figure
    assert [edge.split()[0] for edge in sticking_out(fig)] == ["bottom"]
    plt.close(fig)


# the Bắc Giang bloc of the sample has 2023-2024 only (merged into the new Bắc Ninh in 2025): its periods that exist
CASES = [(b, p) for b in BLOCS for p in ("2019", "2024-H1", "2025") if p in Workspace.open().periods(b)]


@pytest.mark.parametrize("bloc, period", CASES)
def test_every_bloc_report_chart_fits_its_figure(bloc, period):
    """Each period has its comparable period a year before in the sample data (2018, 2023-H1, 2024),
    so the change chart is drawn too: a chart that comes back as nothing fails here."""
    res = report.load(bloc, period)
    for make in (period_charts.totals_chart, period_charts.self_vs_verified_chart, report.change_chart):
        fig = make(res)
        assert isinstance(fig, Figure), (make.__name__, fig)
        assert sticking_out(fig) == [], (make.__name__, fig.axes[0].get_title())
        plt.close(fig)


@pytest.mark.slow
@pytest.mark.parametrize("bloc", BLOCS)
def test_every_trends_chart_fits_its_figure(bloc):
    years = [p for p in Workspace.open().periods(bloc) if "-" not in p]
    h = load_history(bloc, "", max(years))  # 2025, or 2024 for the Bắc Giang bloc (merged away in 2025)
    for make in (trend_charts.rank_chart, trend_charts.totals_chart, trend_charts.gap_chart, trend_charts.content_chart,
                 trend_charts.targets_chart, trend_charts.awards_chart):
        fig = make(h)
        assert isinstance(fig, Figure), (make.__name__, fig)  # eight years of every bloc: each section has its chart
        assert sticking_out(fig) == [], make.__name__
        plt.close(fig)
