"""How a report shows a table: an HTML table for readers, the same rows as stable text for nbval, a sentence when empty."""
from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

from toolkit.reports import tables
from toolkit.reports.display import ReportTable, Sentence
from toolkit.reports.notebook import show
from toolkit.reports.results import Table, save_tables


def test_a_table_has_an_html_form_and_the_checked_text_form():
    df = pd.DataFrame({"Hạng": [1, "—"], "Đơn vị": ["Sở <A>", "Sở B"], "Tổng điểm": [95.0, float("nan")]})
    shown = show(df)
    assert shown._repr_html_() == tables.to_html(df) and "<pre" not in shown._repr_html_()
    assert "&lt;A&gt;" in shown._repr_html_()  # submission text is escaped
    assert repr(shown) == tables.as_text(df) and "95,00" in repr(shown)


def test_an_empty_table_says_so_in_a_sentence():
    empty = show(pd.DataFrame(columns=["Đơn vị", "Còn thiếu"]), empty="Không đơn vị nào còn thiếu dữ liệu.")
    assert empty._repr_html_() == '<p class="thidua-empty">Không đơn vị nào còn thiếu dữ liệu.</p>'
    assert repr(empty) == "Không đơn vị nào còn thiếu dữ liệu."
    assert "<table" not in ReportTable(pd.DataFrame(columns=["X"]))._repr_html_()
    assert repr(Sentence("Không có kết quả kỳ 2017 để so sánh.")) == "Không có kết quả kỳ 2017 để so sánh."


def test_shares_are_written_as_percentages_when_asked():
    df = pd.DataFrame({"Đơn vị": ["Sở A"], "Tỷ lệ": [0.1875], "Trần": [6]})
    assert "18,8%" in show(df, formats={"Tỷ lệ": tables.percent})._repr_html_()
    assert "0,19" in show(df)._repr_html_()  # unchanged without a format
    text = repr(show(df, formats=tables.PERCENT))
    assert "18,8%" in text and "Sở A" in text


def test_share_columns_are_percentages_in_the_workbook(tmp_path):
    t = Table("x", "X", pd.DataFrame({"Kỳ": ["2025"], "Tỷ lệ đạt": [0.8831], "Số đơn vị": [3]}),
              {"Kỳ": "period", "Tỷ lệ đạt": "share_met", "Số đơn vị": "units"}, frozenset({"Tỷ lệ đạt"}))
    save_tables([t], tmp_path)
    ws = load_workbook(tmp_path / "results.xlsx")["X"]
    assert ws["B2"].value == 0.8831 and ws["B2"].number_format == "0.0%"
    assert ws["C2"].number_format == "#,##0"
    assert (tmp_path / "results" / "x.csv").read_text(encoding="utf-8") == "period,share_met,units\n2025,0.8831,3\n"
