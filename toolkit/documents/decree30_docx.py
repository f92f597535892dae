"""Decree 30/2020 layout with python-docx: page, fonts, rules, borders, tables.

Used twice: by :mod:`toolkit.documents.build_templates` to make the shipped Word templates,
and at render time for the parts whose shape depends on the data (the scorecard, whose
columns are the covenant's contents, and the secretariat's Markdown). Formatting is direct
(not by style name) so these parts look the same inside a province's own template.
"""
from __future__ import annotations

from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
FIRST_LINE = Cm(1.27)
A4 = (Mm(210), Mm(297))
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_WIDTH_CM = 16.5  # 210 - 30 - 15 mm
LANDSCAPE_MARGINS = {"top": Mm(20), "bottom": Mm(15), "left": Mm(20), "right": Mm(20)}
LANDSCAPE_WIDTH_CM = 25.7  # 297 - 20 - 20 mm
CENTER, LEFT, RIGHT, JUSTIFY = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT,
                                WD_ALIGN_PARAGRAPH.JUSTIFY)


def set_run_font(run, size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> None:
    """Times New Roman for every script slot (Vietnamese letters are 'hAnsi', not 'ascii')."""
    run.font.name = FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if italic is not None:
        run.font.italic = italic


def fmt_paragraph(p, align=None, first_line=None, before: float = 0, after: float = 0, line: float | None = None,
                  left=None, right=None, keep_next: bool = False) -> None:
    pf = p.paragraph_format
    if align is not None:
        p.alignment = align
    pf.first_line_indent = first_line if first_line is not None else Cm(0)
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    if line is not None:
        pf.line_spacing = line
    if left is not None:
        pf.left_indent = left
    if right is not None:
        pf.right_indent = right
    if keep_next:
        pf.keep_with_next = True


def add_text(p, text: str, size: float = BODY_PT, bold: bool = False, italic: bool = False, highlight: bool = False):
    run = p.add_run(text)
    set_run_font(run, size, bold, italic)
    if highlight:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return run


def rule(container, width_cm: float, cell_width_cm: float):
    """A centred horizontal rule ``width_cm`` long: an empty 1 pt paragraph with a top border, narrowed by indents."""
    p = container.add_paragraph()
    side = Cm(max(0.0, (cell_width_cm - width_cm) / 2))
    fmt_paragraph(p, CENTER, before=2, after=0, left=side, right=side)
    p.paragraph_format.line_spacing = Pt(2)
    border(p, "top")
    mark = p.add_run()
    set_run_font(mark, 2)
    return p


# Word rejects a document whose property elements are out of the schema's order ("unreadable
# content"), so elements python-docx has no API for are inserted at their place in the sequence.
_PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
              "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
              "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
              "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"]
_TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW", "jc",
                "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption",
                "tblDescription", "tblPrChange"]


def insert_ordered(parent, child, order: list[str]) -> None:
    """Put ``child`` into ``parent`` before the first sibling that the schema places after it (replacing a namesake)."""
    name = child.tag.split("}")[1]
    old = parent.find(qn(f"w:{name}"))
    if old is not None:
        parent.remove(old)
    later = set(order[order.index(name) + 1:])
    for i, sibling in enumerate(parent):
        if sibling.tag.split("}")[-1] in later:
            parent.insert(i, child)
            return
    parent.append(child)


def border(p, side: str, size: int = 6) -> None:
    ppr = p._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        insert_ordered(ppr, bdr, _PPR_ORDER)
    edge = OxmlElement(f"w:{side}")
    for k, v in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", "000000")):
        edge.set(qn(k), v)
    bdr.append(edge)


def table_borders(table, visible: bool = True) -> None:
    """All borders single (or none), written on the table so no table style is needed."""
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:val"), "single" if visible else "nil")
        if visible:
            e.set(qn("w:sz"), "4")
            e.set(qn("w:space"), "0")
            e.set(qn("w:color"), "000000")
        borders.append(e)
    insert_ordered(table._tbl.tblPr, borders, _TBLPR_ORDER)


def cell_margins(table, cm: float) -> None:
    """Left and right padding of every cell (Word's default is 0,19 cm): narrow numeric columns fit."""
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:w"), str(int(Cm(cm).twips)))
        e.set(qn("w:type"), "dxa")
        mar.append(e)
    insert_ordered(table._tbl.tblPr, mar, _TBLPR_ORDER)


def fixed_widths(table, widths_cm: list[float]) -> None:
    """Fixed layout with these column widths (Word and LibreOffice both honour tblGrid + tcW)."""
    table.autofit = False  # python-docx writes <w:tblLayout w:type="fixed"/>
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm):
        col.set(qn("w:w"), str(int(Cm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm):
            cell.width = Cm(w)


def indent_table(table, cm: float) -> None:
    """Shift the table's left edge (negative: into the left margin), as Word's 'indent from left'."""
    ind = OxmlElement("w:tblInd")
    ind.set(qn("w:w"), str(int(Cm(cm).twips)))
    ind.set(qn("w:type"), "dxa")
    insert_ordered(table._tbl.tblPr, ind, _TBLPR_ORDER)


def repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    h = OxmlElement("w:tblHeader")
    h.set(qn("w:val"), "true")
    trpr.append(h)


def cant_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def cell_text(cell, text: str, size: float = TABLE_PT, bold: bool = False, italic: bool = False, align=CENTER) -> None:
    """Replace the cell's content by one paragraph of ``text`` (lines split on '\\n')."""
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    fmt_paragraph(p, align, before=1, after=1, line=1.0)
    for i, line in enumerate(text.split("\n")):
        if i:
            add_text(p, "", size).add_break()
        add_text(p, line, size, bold, italic)


def grid_table(container, header: list[str], rows: list[list[str]], widths_cm: list[float], aligns: list,
               size: float = TABLE_PT, bold_rows: set[int] = frozenset()):
    """A bordered table with a bold, repeated header row; ``aligns`` per column."""
    table = container.add_table(rows=1 + len(rows), cols=len(header))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table_borders(table)
    cell_margins(table, 0.08)
    fixed_widths(table, widths_cm)
    for j, h in enumerate(header):
        cell_text(table.rows[0].cells[j], h, size, bold=True)
    repeat_header(table.rows[0])
    for i, values in enumerate(rows, start=1):
        cant_split(table.rows[i])
        for j, v in enumerate(values):
            cell_text(table.rows[i].cells[j], v, size, bold=(i - 1) in bold_rows, align=aligns[j])
    return table


def page_setup(section, landscape: bool = False) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = A4[1], A4[0]
        m = LANDSCAPE_MARGINS
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = A4
        m = MARGINS
    section.top_margin, section.bottom_margin = m["top"], m["bottom"]
    section.left_margin, section.right_margin = m["left"], m["right"]
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
