"""Writing result tables: CSV files and one xlsx workbook, byte for byte repeatable.

openpyxl stamps the current time into the workbook's properties and into every zip entry,
so two runs on the same inputs would differ; we pin both to one fixed date (FIXED_TIME,
1 January 2000), so a changed file always means changed results. Files are written with
:mod:`toolkit.model.files` (complete or not at all).
"""
from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from toolkit.model.files import write_file, write_files

FIXED_TIME = _dt.datetime(2000, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe-like quote.

    Submissions are data: a unit name or a note starting with '=' must not execute in Excel.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csvs(tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """``<folder>/<stem>.csv`` per table, UTF-8, numbers in full (the engine has rounded them); all or none."""
    return write_files({folder / f"{stem}.csv": df.map(neutralise).to_csv(index=False, lineterminator="\n")
                        for stem, df in tables.items()})


PERCENT = "0.0%"


def _number_format(series: pd.Series) -> str | None:
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return "#,##0"
    if pd.api.types.is_float_dtype(series):
        return "#,##0.00"
    return None


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path, when: _dt.datetime = FIXED_TIME,
               percent: dict[str, set[str]] | None = None) -> Path:
    """One sheet per table: bold frozen header, widths fitted to content, number formats.

    Numbers stay numbers (Excel shows them with the reader's locale separators); the columns
    ``percent`` names per sheet hold shares (0.8831) and are shown as percentages (88.3%).
    """
    wb = Workbook()
    wb.remove(wb.active)
    header_font = Font(name="Times New Roman", bold=True)
    body_font = Font(name="Times New Roman")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for title, df in sheets.items():
        ws = wb.create_sheet(title=title[:31])
        ws.append([str(c) for c in df.columns])
        for cell in ws[1]:
            cell.font, cell.fill = header_font, fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        formats = [PERCENT if c in (percent or {}).get(title, ()) else _number_format(df[c]) for c in df.columns]
        for rec in df.itertuples(index=False):
            row = []
            for v in rec:
                if v is None or (not isinstance(v, str) and pd.isna(v)):
                    row.append(None)
                elif isinstance(v, np.generic):
                    row.append(v.item())
                else:
                    row.append(v)
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
                    # text, never a formula: stored as a string with Excel's own quote-prefix style,
                    # so the reader sees the text as typed, without a visible apostrophe
                    cell.data_type = "s"
                    cell.quotePrefix = True
        for j, (col, fmt) in enumerate(zip(df.columns, formats), start=1):
            letter = get_column_letter(j)
            lengths = [len(str(col))] + [len(str(v)) for v in df[col].head(500)]
            ws.column_dimensions[letter].width = min(max(10, max(lengths) + 2), 60)
            for cell in ws[letter][1:]:
                cell.font = body_font
                if fmt:
                    cell.number_format = fmt
                if isinstance(cell.value, str) and len(cell.value) > 60:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.print_title_rows = "1:1"
    wb.properties.creator = "thidua"
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.lastModifiedBy = "thidua"
    buf = io.BytesIO()
    wb.save(buf)
    return write_file(path, pin_zip_times(buf.getvalue(), when))


def pin_zip_times(data: bytes, when: _dt.datetime = FIXED_TIME) -> bytes:
    """A zip-based file (xlsx, docx) with fixed entry times and modified date, entries in the same order."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    entries = [(info, _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data) if info.filename == "docProps/core.xml" else data)
               for info, data in entries]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)
    return out.getvalue()
