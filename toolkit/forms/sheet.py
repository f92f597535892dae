"""A worksheet drawn as a Vietnamese administrative form, for the self-assessment workbook.

Times New Roman, boxed cells, A4 pages with the margins of Decree 30/2020 and the national
header, input cells (yellow, unlocked) and computed ones (grey), sheet protection and Excel
data validation. What goes where is :mod:`toolkit.forms.template`'s business.
"""
from __future__ import annotations

import math
import weakref

from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.styles.borders import DEFAULT_BORDER
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from toolkit.forms.workbook_layout import CODE_COL

FONT = "Times New Roman"
INPUT_FILL = "FFF2CC"  # pale yellow: "type here"
CALC_FILL = "EDEDED"  # grey: computed, locked
HEAD_FILL = "D9E1F2"


def text_lines(text: str, width: float, size: float = 12) -> int:
    """Lines a wrapped text needs in a column ``width`` characters wide (Times New Roman, ``size`` pt).

    0.8 column-width units per character was measured on LibreOffice's rendering of
    Vietnamese text in Times New Roman 12 (Liberation Serif); smaller type fits more.
    """
    if not text:
        return 1
    usable = max(width - 1.5, 1.0)
    per_char = 0.8 * size / 12
    return sum(max(1, math.ceil(len(part) * per_char / usable)) for part in str(text).split("\n"))


_STYLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # workbook -> {style key: NamedStyle name}


def _style_name(bold, italic, size, align, valign, wrap, box, fill, fmt, locked) -> str:
    """A readable, unique name for one combination (shown in Excel's list of cell styles)."""
    parts = [f"thidua {size:g}pt", "bold" if bold else "", "italic" if italic else "", f"{align}/{valign}",
             "wrap" if wrap else "", "box" if box else "", f"fill {fill}" if fill else "", f"format {fmt}" if fmt else "",
             "" if locked else "input"]
    return " ".join(p for p in parts if p)


class FormSheet:
    """Small helper around an openpyxl worksheet: styled cells, row heights, protection."""

    def __init__(self, ws, widths: dict[str, float]):
        self.ws = ws
        self.widths = widths
        thin = Side(style="thin", color="000000")
        self.box = Border(left=thin, right=thin, top=thin, bottom=thin)
        for col, w in widths.items():
            ws.column_dimensions[col].width = w
        ws.column_dimensions[CODE_COL].hidden = True
        ws.sheet_view.showGridLines = False

    def put(self, ref: str, value=None, *, bold=False, italic=False, size=12, align="left", valign="center",
            wrap=True, box=False, fill=None, fmt=None, locked=True):
        c = self.ws[ref]
        if value is not None:
            c.value = value
        # Setting font, alignment, border... one by one is slow (every assignment searches the
        # workbook's style lists): each combination is registered once per workbook as a
        # NamedStyle, and cells take it by name.
        wb = self.ws.parent
        names = _STYLES.setdefault(wb, {})
        key = (bold, italic, size, align, valign, wrap, box, fill, fmt, locked)
        name = names.get(key)
        if name is None:
            name = names[key] = _style_name(*key)
            wb.add_named_style(NamedStyle(
                name, font=Font(name=FONT, size=size, bold=bold, italic=italic),
                alignment=Alignment(horizontal=align, vertical=valign, wrap_text=wrap),
                border=self.box if box else DEFAULT_BORDER,
                fill=PatternFill("solid", start_color=fill, end_color=fill) if fill else PatternFill(),
                number_format=fmt or "General", protection=Protection(locked=locked)))
        c.style = name
        return c

    def merge_put(self, first: str, last: str, value, **kw):
        self.ws.merge_cells(f"{first}:{last}")
        return self.put(first, value, **kw)

    def height(self, row: int, cells: dict[str, str], size: int = 12, minimum: float = 20.0, sizes: dict | None = None):
        """Set a row height large enough for the wrapped texts in ``cells`` (column -> text)."""
        sizes = sizes or {}
        lines = max((text_lines(t, self.widths.get(col, 10), sizes.get(col, size)) for col, t in cells.items()), default=1)
        self.ws.row_dimensions[row].height = max(minimum, lines * size * 1.32 + 4)

    def page(self, landscape: bool, title_rows: str | None = None):
        ws = self.ws
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        mm = 1 / 25.4  # Decree 30/2020: top/bottom 20-25 mm, left 30-35 mm, right 15-20 mm
        ws.page_margins.left, ws.page_margins.right = 30 * mm, 15 * mm
        ws.page_margins.top, ws.page_margins.bottom = 20 * mm, 20 * mm
        ws.page_margins.header, ws.page_margins.footer = 8 * mm, 8 * mm
        ws.print_options.horizontalCentered = True
        # page numbers from page 2, centred in the top margin
        ws.HeaderFooter.differentFirst = True
        ws.oddHeader.center.text = "&P"
        ws.oddHeader.center.font = FONT
        ws.oddHeader.center.size = 12
        if title_rows:
            ws.print_title_rows = title_rows

    def protect(self):
        p = self.ws.protection
        p.sheet = True
        p.formatColumns = False  # people may widen a column or heighten a row to read a long note
        p.formatRows = False
        p.selectLockedCells = False
        p.selectUnlockedCells = False


def validation(kind: str, *, operator=None, f1=None, f2=None, title="", prompt="", error=""):
    return DataValidation(type=kind, operator=operator, formula1=f1, formula2=f2, allow_blank=True,
                          showErrorMessage=True, showInputMessage=bool(prompt), errorStyle="stop",
                          errorTitle="Giá trị không hợp lệ", error=error[:255], promptTitle=title[:32], prompt=prompt[:255])


def excel_number(x: float) -> str:
    """A number as an Excel formula literal (dot decimal, no exponent)."""
    return format(float(x), ".10g")


def national_header(s: FormSheet, row: int, unit_name: str, superior: str, split: str, last: str) -> int:
    """Decree 30/2020 header: the unit (under its governing body) left, the national motto right.

    Columns B up to the one before ``split`` hold the unit, ``split`` to ``last`` the motto;
    returns the first free row below.
    """
    left_end = get_column_letter(column_index_from_string(split) - 1)
    top, bottom = (superior.upper(), unit_name.upper()) if superior else (unit_name.upper(), "")
    s.merge_put(f"B{row}", f"{left_end}{row}", top, bold=not superior, size=12, align="center")
    s.merge_put(f"{split}{row}", f"{last}{row}", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, align="center")
    s.merge_put(f"B{row + 1}", f"{left_end}{row + 1}", bottom, bold=True, size=12, align="center", valign="top")
    s.merge_put(f"{split}{row + 1}", f"{last}{row + 1}", "Độc lập - Tự do - Hạnh phúc", size=13, align="center", valign="top")
    # bold and underlined: the rule beneath the motto, exactly as long as the motto
    s.ws[f"{split}{row + 1}"].font = Font(name=FONT, size=13, bold=True, underline="single")
    s.merge_put(f"{split}{row + 2}", f"{last}{row + 2}", "……, ngày …… tháng …… năm ……", italic=True, size=13, align="center")
    s.ws.row_dimensions[row].height = 18
    s.ws.row_dimensions[row + 1].height = max(20, text_lines(bottom, 30) * 16 + 3)
    s.ws.row_dimensions[row + 2].height = 22
    return row + 4
