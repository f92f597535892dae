"""How a report shows a table: an HTML table for readers, the same rows as stable text for nbval, a sentence when empty."""
from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

from toolkit.reports import result_tables
from toolkit.reports.display import ReportTable, Sentence
from toolkit.reports.notebook_api import show
from toolkit.reports.filed_tables import Table, save_tables


def test_a_table_has_an_html_form_and_the_checked_text_form():
    df = pd.DataFrame({"Hạng": [1, "—"], "Đơn vị": ["Sở <A>", "Sở B"], "Tổng điểm": [95.0, float("nan")]})
    shown = show(df)
    assert shown._repr_html_() == result_tables.to_html(df) and "<pre" not in shown._repr_html_()
    assert "&lt;A&gt;" in shown._repr_html_()  # submission text is escaped
    assert repr(shown) == result_tables.as_text(df) and "95,00" in repr(shown)


def test_an_empty_table_says_so_in_a_sentence():
    empty = show(pd.DataFrame(columns=["Đơn vị", "Còn thiếu"]), empty="Không đơn vị nào còn thiếu dữ liệu.")
    assert empty._repr_html_() == '<p class="thidua-empty">Không đơn vị nào còn thiếu dữ liệu.</p>'
    assert repr(empty) == "Không đơn vị nào còn thiếu dữ liệu."
    assert "<table" not in ReportTable(pd.DataFrame(columns=["X"]))._repr_html_()
    assert repr(Sentence("Không có kết quả kỳ 2017 để so sánh.")) == "Không có kết quả kỳ 2017 để so sánh."


def test_shares_are_written_as_percentages_when_asked():
    df = pd.DataFrame({"Đơn vị": ["Sở A"], "Tỷ lệ": [0.1875], "Trần": [6]})
    assert "18,8%" in show(df, formats={"Tỷ lệ": result_tables.percent})._repr_html_()
    assert "0,19" in show(df)._repr_html_()  # unchanged without a format
    text = repr(show(df, formats=result_tables.PERCENT))
    assert "18,8%" in text and "Sở A" in text


def test_share_columns_are_percentages_in_the_workbook(tmp_path):
    t = Table("x", "X", pd.DataFrame({"Kỳ": ["2025"], "Tỷ lệ đạt": [0.8831], "Số đơn vị": [3]}),
              {"Kỳ": "period", "Tỷ lệ đạt": "share_met", "Số đơn vị": "units"}, frozenset({"Tỷ lệ đạt"}))
    save_tables([t], tmp_path)
    ws = load_workbook(tmp_path / "results.xlsx")["X"]
    assert ws["B2"].value == 0.8831 and ws["B2"].number_format == "0.0%"
    assert ws["C2"].number_format == "#,##0"
    assert (tmp_path / "results" / "x.csv").read_text(encoding="utf-8") == "period,share_met,units\n2025,0.8831,3\n"


def test_a_chart_is_one_png_described_by_its_title_and_closed():
    import base64
    import struct

    import matplotlib.pyplot as plt

    from toolkit.reports.notebook_api import chart

    fig, ax = plt.subplots(figsize=(4, 2))
    ax.plot([0, 1], [0, 1])
    ax.set_title("Tổng điểm <Sở A> qua các kỳ")
    fig.tight_layout()  # as every report chart: all it draws is inside the figure
    shown = chart(fig)
    assert not plt.fignum_exists(fig.number), "closed: the inline backend must not draw it a second time"
    data, meta = shown._repr_mimebundle_()
    png = base64.b64decode(data["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (400, 200)  # the whole 4 x 2 inch figure at 100 dpi, not cropped to what is drawn
    assert meta == {"image/png": {"alt": "Tổng điểm <Sở A> qua các kỳ"}}  # escaped by the template (test_html_export)
    assert data["text/plain"] == repr(shown) == "Biểu đồ: Tổng điểm <Sở A> qua các kỳ"


def test_a_chart_of_panels_is_described_by_its_overall_title_else_by_its_panels():
    from matplotlib.figure import Figure

    from toolkit.reports import chart_style

    fig = Figure()
    left, right = fig.subplots(1, 2)
    left.set_title("Sở A", loc="left")
    right.set_title("Sở B")
    assert chart_style.description(fig) == "Sở A; Sở B"
    fig.suptitle("Thứ hạng qua các kỳ")
    assert chart_style.description(fig) == "Thứ hạng qua các kỳ"
    assert chart_style.description(Figure()) == "Biểu đồ"


def test_what_is_not_a_figure_is_shown_as_it_is():
    from toolkit.reports.notebook_api import chart

    sentence = Sentence("Không có kỳ nào có dữ liệu.")
    assert chart(sentence) is sentence and chart(None) is None
