"""The explorer's export button: every table in view written to one xlsx, offered for download.

The workbook starts with a "Thông tin" sheet saying what was selected (bloc, period, unit,
scenario, source), then one sheet per table exactly as displayed. The file name is built
from ids that come from data files, so anything but letters, digits, '-' and '_' is
replaced: it can never become a path.
"""
from __future__ import annotations

import base64
import re
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from toolkit.explorer.html import esc, message
from toolkit.reports.table_writer import write_xlsx

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def export_stem(bloc: str, period: str, unit: str, scenario: bool) -> str:
    """File name (without .xlsx) of an export: kham-pha_<bloc>_<period>[_<unit>][_gia-dinh]."""
    parts = ("kham-pha", bloc, period, unit, "gia-dinh" if scenario else "")
    return "_".join(_SAFE.sub("-", x) for x in parts if x)


def info_table(bloc_name: str, period: str, unit_name: str, scenario: list[str] | None, synthetic: bool) -> pd.DataFrame:
    """The first sheet: what the exported tables are of."""
    return pd.DataFrame({"Mục": ["Khối", "Kỳ", "Đơn vị", "Giả định", "Nguồn"],
                         "Giá trị": [bloc_name, period, unit_name, "; ".join(scenario) if scenario else "không",
                                     "thidua explorer; dữ liệu mẫu tổng hợp" if synthetic else "thidua explorer"]})


class ExportButton:
    """The button and the message beside it (an error, or the download link); ``widget`` is their row."""

    def __init__(self, export_dir: Path):
        self.export_dir = export_dir
        self.button = widgets.Button(description="Xuất bảng đang xem (xlsx)", layout=widgets.Layout(width="240px"))
        self.button.add_class("thidua-export")
        self.message_html = widgets.HTML()
        self.widget = widgets.HBox([self.button, self.message_html])

    def refuse(self, text: str) -> None:
        self.message_html.value = message(text, error=True)

    def shown(self, path: Path) -> str:
        """``path`` as a visitor may read it: relative to the reports folder (the export folder's parent), else its name."""
        try:
            return Path(path).resolve().relative_to(self.export_dir.resolve().parent).as_posix()
        except ValueError:
            return Path(path).name

    def write(self, sheets: dict[str, pd.DataFrame], stem: str, path: Path | None = None) -> Path | None:
        """Write ``sheets`` to ``path`` (default ``<export_dir>/<stem>.xlsx``) and offer it; None when it failed."""
        path = Path(path) if path else self.export_dir / f"{stem}.xlsx"
        try:
            write_xlsx(sheets, path)
        except OSError as exc:  # strerror only: the exception's text carries the absolute path
            self.refuse(f"Không ghi được {self.shown(path)} trong thư mục báo cáo: {exc.strerror or type(exc).__name__}")
            return None
        data = base64.b64encode(path.read_bytes()).decode()
        self.message_html.value = (f'<a download="{esc(path.name)}" href="data:{XLSX_MIME};base64,{data}">Tải {esc(path.name)}</a>'
                                   f" <span>(đã ghi {esc(self.shown(path))} trong thư mục báo cáo)</span>")
        return path
