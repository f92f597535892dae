"""results.xlsx: text that Excel would run as a formula stays text, shown as typed."""
from __future__ import annotations

import zipfile

import pandas as pd
from openpyxl import load_workbook

from toolkit.reports.table_writer import write_xlsx


def test_formula_like_text_is_stored_as_text_with_the_quote_prefix_style(tmp_path):
    names = ['=HYPERLINK("http://x","bấm")', "+84 912", "-3 điểm", "@SUM(A1)", "Sở Công Thương"]
    path = write_xlsx({"Đơn vị": pd.DataFrame({"Tên": names})}, tmp_path / "r.xlsx")
    cells = list(load_workbook(path)["Đơn vị"]["A"])[1:]
    assert [c.value for c in cells] == names  # as typed: no visible apostrophe added
    assert [c.data_type for c in cells] == ["s"] * 5
    assert [c.quotePrefix for c in cells] == [True, True, True, True, False]
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet  # no formula anywhere in the file
