"""Make the shipped Word templates (bao-cao, bien-ban, to-trinh, danh-sach, giao-uoc, and the province's danh-sach-tinh) in Decree 30/2020 layout.

Run once after changing the layout, and commit the .docx files::

    python -m toolkit.documents.build_templates

The templates are ordinary Word files with docxtpl (Jinja2) tags; a province changes its
letterhead, wording or signature block by saving its own copy under the same name in
``data/templates/`` (see docs/documents.md), never by editing this script. The variables a
template may use are listed in docs/documents.md and built by :mod:`toolkit.documents.template_data`.

python-docx has no API for fields, so the page number (PAGE, centred in the top margin, from
page 2: "different first page") is written into the header XML here.

Why this module is longer than 400 lines: it draws five Word templates, paragraph by
paragraph, with the Decree 30 layout written out where a reader can check it against the decree.

Still so after the year-end documents were added: it is the shared toolkit of the Decree 30 template builders (header grid, titles,
loop tables, signatures) plus the bloc's five templates; the ballot, dossier and province templates already live
in their own modules and import these helpers. Splitting the five bloc templates apart would only move lines.
"""
from __future__ import annotations

import io

import datetime as _dt
from pathlib import Path

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from toolkit.documents.decree30_docx import (BODY_PT, CENTER, FIRST_LINE, FONT, JUSTIFY, LANDSCAPE_WIDTH_CM, LEFT, TABLE_PT,
                                      TEXT_WIDTH_CM, add_text, cant_split, cell_text, fixed_widths, fmt_paragraph, indent_table,
                                      page_setup, repeat_header, rule, table_borders)
from toolkit.model.files import write_file
from toolkit.reports.table_writer import pin_zip_times

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
BUILT = _dt.datetime(2025, 1, 1)
LEFT_CM, RIGHT_CM = 7.2, 9.8  # header grid: issuing body | national title
GRID_SHIFT_CM = -0.5  # the grid is 0.5 cm wider than the text, into the left margin, as offices set it


# --------------------------------------------------------------------------- document basics

def _base_fonts(doc) -> None:
    """Times New Roman 14 pt for the whole document, theme fonts removed (they would win over it)."""
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "vi-VN")
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    pf = normal.paragraph_format
    pf.alignment = JUSTIFY
    pf.first_line_indent = FIRST_LINE
    pf.space_before, pf.space_after = Pt(6), Pt(0)
    pf.line_spacing = 1.1
    pf.widow_control = True


def _page_number_header(section) -> None:
    """PAGE field centred in the header of every page but the first."""
    section.different_first_page_header_footer = True
    first = section.first_page_header
    first.is_linked_to_previous = False
    fmt_paragraph(first.paragraphs[0], CENTER)
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    fmt_paragraph(p, CENTER)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    fonts = OxmlElement("w:rFonts")
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), str(BODY_PT * 2))
    rpr.extend([fonts, size])
    text = OxmlElement("w:t")
    text.text = "2"
    run.extend([rpr, text])
    field.append(run)
    p._p.append(field)


def new_document():
    doc = Document()
    _base_fonts(doc)
    section = doc.sections[0]
    page_setup(section)
    _page_number_header(section)
    return doc


def para(doc, text: str = "", bold: bool = False, italic: bool = False, size: float | None = None, align=None,
         indent: bool = True, before: float | None = None, keep_next: bool = False):
    """A body paragraph in the Normal style; only what differs from Normal is set."""
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if not indent:
        p.paragraph_format.first_line_indent = Cm(0)
    if before is not None:
        p.paragraph_format.space_before = Pt(before)
    if keep_next:
        p.paragraph_format.keep_with_next = True
    if text:
        run = p.add_run(text)
        if bold:
            run.font.bold = True
        if italic:
            run.font.italic = True
        if size:
            run.font.size = Pt(size)
    return p


def tag(doc, text: str):
    """A paragraph holding only a docxtpl control tag ({%p ... %}); it disappears on rendering."""
    p = doc.add_paragraph(text)
    p.paragraph_format.first_line_indent = Cm(0)
    return p


def heading(doc, text: str):
    """'I. ĐẶC ĐIỂM TÌNH HÌNH': uppercase bold, kept with what follows."""
    return para(doc, text, bold=True, keep_next=True)


# --------------------------------------------------------------------------- header, title, signature

def header_grid(doc, dated: bool = True, numbered: bool = True) -> None:
    """The two-column borderless grid: issuing body, rule, number | national title, motto, rule, place and date.

    A paper with neither number nor date (a ballot paper) has no second row."""
    t = doc.add_table(rows=2 if numbered or dated else 1, cols=2)
    table_borders(t, visible=False)
    fixed_widths(t, [LEFT_CM, RIGHT_CM])
    indent_table(t, GRID_SHIFT_CM)
    left, right = t.cell(0, 0), t.cell(0, 1)
    p = left.paragraphs[0]
    fmt_paragraph(p, CENTER, line=1.0)
    add_text(p, "{{ parent_body|upper }}", 12)
    p = left.add_paragraph()
    fmt_paragraph(p, CENTER, line=1.0)
    add_text(p, "{{ issuer|upper }}", 12, bold=True)
    rule(left, 2.4, LEFT_CM - 0.4)
    p = right.paragraphs[0]
    fmt_paragraph(p, CENTER, line=1.0)
    add_text(p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True)
    p = right.add_paragraph()
    fmt_paragraph(p, CENTER, line=1.0)
    add_text(p, "Độc lập - Tự do - Hạnh phúc", 13, bold=True)
    rule(right, 6.0, RIGHT_CM - 0.4)
    if not (numbered or dated):
        return
    p = t.cell(1, 0).paragraphs[0]
    fmt_paragraph(p, CENTER, before=6, line=1.0)
    if numbered:
        add_text(p, "Số: {{ number }}", 13)
    p = t.cell(1, 1).paragraphs[0]
    fmt_paragraph(p, CENTER, before=6, line=1.0)
    if dated:
        add_text(p, "{{ place_date }}", 14, italic=True)


def centred(doc, text: str, size: float, before: float = 0, keep_next: bool = False, **style) -> None:
    """A centred line of ``text`` (a title, a subtitle, a note under them)."""
    add_text(para(doc, align=CENTER, indent=False, before=before, keep_next=keep_next), text, size, **style)


def synthetic_notice(doc) -> None:
    """The line a document drafted from sample data carries under its title."""
    tag(doc, "{%p if synthetic %}")
    centred(doc, "(Bản thử lập từ dữ liệu mẫu tổng hợp, không phải số liệu thật)", 12, italic=True)
    tag(doc, "{%p endif %}")


def title(doc, kind: str, summary: str = "{{ summary }}") -> None:
    centred(doc, kind, 14, before=18, keep_next=True, bold=True)
    centred(doc, summary, 14, keep_next=True, bold=True)
    rule(doc, 4.0, TEXT_WIDTH_CM)
    synthetic_notice(doc)


def attached_title(doc, kind: str, summary: str, attached_to: str, width_cm: float) -> None:
    """The title of a page attached to another document: a phụ lục, a danh sách kèm theo."""
    centred(doc, kind, 14, bold=True)
    centred(doc, summary, 14, bold=True)
    centred(doc, f"(Kèm theo {attached_to} số {{{{ number }}}} ngày {{{{ date }}}} của {{{{ issuer }}}})", 13, italic=True)
    rule(doc, 4.0, width_cm)


def signature(doc, recipients: bool = True) -> None:
    """Nơi nhận (left, 12 pt bold italic label, 11 pt list) | authority, title, name (right)."""
    spacer = para(doc, indent=False, before=6)
    spacer.paragraph_format.keep_with_next = True
    t = doc.add_table(rows=1, cols=2)
    table_borders(t, visible=False)
    fixed_widths(t, [8.0, TEXT_WIDTH_CM - 8.0])
    cant_split(t.rows[0])
    left, right = t.cell(0, 0), t.cell(0, 1)
    p = left.paragraphs[0]
    fmt_paragraph(p, LEFT, line=1.0)
    if recipients:
        add_text(p, "Nơi nhận:", 12, bold=True, italic=True)
        for text in ("{%p for line in recipients %}", "{{ line }}", "{%p endfor %}"):
            q = left.add_paragraph()
            fmt_paragraph(q, LEFT, line=1.0)
            add_text(q, text, 11)
    p = right.paragraphs[0]
    fmt_paragraph(p, CENTER, line=1.0)
    add_text(p, "{%p if signer.authority %}", 13)
    for text, size, bold in (("{{ signer.authority|upper }}", 13, True), ("{%p endif %}", 13, False),
                             ("{{ signer.title|upper }}", 13, True)):
        q = right.add_paragraph()
        fmt_paragraph(q, CENTER, line=1.0)
        add_text(q, text, size, bold)
    for _ in range(4):
        fmt_paragraph(right.add_paragraph(), CENTER, line=1.0)
    q = right.add_paragraph()
    fmt_paragraph(q, CENTER, line=1.0)
    add_text(q, "{{ signer.name }}", 14, bold=True)
    end_mark(doc)


def end_mark(doc) -> None:
    """A 1 pt empty paragraph after a closing table: Word wants a paragraph between a table and the section's end."""
    p = doc.add_paragraph()
    fmt_paragraph(p, LEFT, line=Pt(1))
    add_text(p, "", 1)


def loop_table(doc, header: list[str], cells: list[str], widths: list[float], aligns: list, loop: str,
               size: float = TABLE_PT):
    """A bordered table: a bold header row, then one row per item of ``loop`` ('r in rows')."""
    t = doc.add_table(rows=4, cols=len(header))
    t.alignment = 1  # centred
    table_borders(t)
    fixed_widths(t, widths)
    for j, h in enumerate(header):
        cell_text(t.cell(0, j), h, size, bold=True)
    repeat_header(t.rows[0])
    cell_text(t.cell(1, 0), f"{{%tr for {loop} %}}", size)
    for j, c in enumerate(cells):
        cell_text(t.cell(2, j), c, size, align=aligns[j])
    cant_split(t.rows[2])
    cell_text(t.cell(3, 0), "{%tr endfor %}", size)
    return t


# --------------------------------------------------------------------------- the four templates

def bao_cao():
    doc = new_document()
    header_grid(doc)
    title(doc, "BÁO CÁO")
    heading(doc, "{{ num.situation }}. ĐẶC ĐIỂM TÌNH HÌNH")
    tag(doc, "{{p situation }}")
    heading(doc, "{{ num.contents }}. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG GIAO ƯỚC THI ĐUA")
    para(doc, "{{ contents_intro }}")
    tag(doc, "{%p for c in contents %}")
    para(doc, "{{ c.number }}. {{ c.title }}", bold=True, italic=True, keep_next=True)
    para(doc, "{{ c.figures }}")
    tag(doc, "{{p c.narrative }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if targets %}")
    para(doc, "{{ targets_number }}. Thực hiện các chỉ tiêu giao ước", bold=True, italic=True, keep_next=True)
    tag(doc, "{%p for t in targets %}")
    para(doc, "- {{ t.title }}: {{ t.summary }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{{p targets_narrative }}")
    tag(doc, "{%p endif %}")
    heading(doc, "{{ num.scoring }}. KẾT QUẢ CHẤM ĐIỂM VÀ XẾP HẠNG")
    tag(doc, "{%p for line in scoring_summary %}")
    para(doc, "{{ line }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if is_annual %}")
    heading(doc, "{{ num.awards }}. ĐỀ NGHỊ KHEN THƯỞNG")
    para(doc, "{{ awards_intro }}")
    tag(doc, "{%p for a in proposals %}")
    para(doc, "{{ loop.index }}. {{ a.text }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    heading(doc, "{{ num.shortcomings }}. TỒN TẠI, HẠN CHẾ")
    tag(doc, "{{p shortcomings }}")
    heading(doc, "{{ num.directions }}. PHƯƠNG HƯỚNG, NHIỆM VỤ {{ next_period|upper }}")
    tag(doc, "{{p directions }}")
    para(doc, "Trên đây là báo cáo {{ report_kind }} {{ period_label }} của {{ bloc_name }}./.")
    signature(doc)
    # the scorecard: a landscape annex page
    annex = doc.add_section()
    page_setup(annex, landscape=True)
    annex.different_first_page_header_footer = False
    attached_title(doc, "PHỤ LỤC", "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA {{ period_label|upper }}", "Báo cáo",
                   LANDSCAPE_WIDTH_CM)
    tag(doc, "{{p scorecard }}")
    return doc


def bien_ban():
    doc = new_document()
    header_grid(doc, dated=False)
    title(doc, "BIÊN BẢN")
    para(doc, "{{ opening }}")
    para(doc, "Địa điểm: {{ meeting.place }}.")
    para(doc, "Thành phần tham dự:", bold=True, keep_next=True)
    para(doc, "- Chủ tọa: {{ chair }};")
    para(doc, "- Thư ký: {{ secretary }};")
    tag(doc, "{%p if guests %}")
    para(doc, "- Khách mời: {{ guests }};")
    tag(doc, "{%p endif %}")
    para(doc, "- Đại diện các đơn vị thành viên có mặt: {{ present_count }}/{{ member_count }} đơn vị, gồm:", keep_next=True)
    tag(doc, "{%p for line in present %}")
    para(doc, "+ {{ line }}")
    tag(doc, "{%p endfor %}")
    para(doc, "- Vắng mặt: {{ absent }}.")
    p = para(doc, align=CENTER, indent=False, before=12, keep_next=True)
    add_text(p, "NỘI DUNG CUỘC HỌP", 14, bold=True)
    para(doc, "1. Thông qua kết quả chấm điểm thi đua", bold=True, keep_next=True)
    para(doc, "{{ scores_intro }}", keep_next=True)
    loop_table(doc, ["STT", "Đơn vị", "Tự chấm", "Khối chấm", "Điểm cộng", "Điểm trừ", "Tổng điểm", "Xếp loại", "Xếp hạng"],
               ["{{ r.stt }}", "{{ r.name }}", "{{ r.self }}", "{{ r.criteria }}", "{{ r.bonus }}", "{{ r.penalty }}",
                "{{ r.total }}", "{{ r.band }}", "{{ r.rank }}"],
               [1.2, 4.0, 1.4, 1.4, 1.3, 1.3, 1.5, 3.1, 1.3], [CENTER, LEFT] + [CENTER] * 7, "r in score_rows", size=11)
    para(doc, "{{ scores_conclusion }}")
    tag(doc, "{{p discussion }}")
    para(doc, "2. Bỏ phiếu kín bình xét khen thưởng", bold=True, keep_next=True)
    tag(doc, "{%p if ballot_committee %}")
    para(doc, "Hội nghị bầu Ban kiểm phiếu gồm: {{ ballot_committee }}.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for a in ballots %}")
    para(doc, "2.{{ loop.index }}. {{ a.award }}", bold=True, italic=True, keep_next=True)
    para(doc, "{{ a.rule }}", keep_next=True)
    para(doc, "Kết quả kiểm phiếu:", keep_next=True)
    loop_table(doc, ["STT", "Đơn vị", "Phiếu phát ra", "Phiếu thu về", "Phiếu hợp lệ", "Phiếu đồng ý", "Tỷ lệ đồng ý",
                     "Kết quả"],
               ["{{ c.stt }}", "{{ c.name }}", "{{ c.issued }}", "{{ c.returned }}", "{{ c.valid }}", "{{ c.in_favour }}",
                "{{ c.share }}", "{{ c.result }}"],
               [1.2, 4.8, 1.6, 1.6, 1.6, 1.6, 1.7, 2.4], [CENTER, LEFT] + [CENTER] * 6, "c in a.rows", size=11)
    tag(doc, "{%p for note in a.notes %}")
    para(doc, "{{ note }}", italic=True, size=12)
    tag(doc, "{%p endfor %}")
    para(doc, "{{ a.conclusion }}")
    tag(doc, "{%p endfor %}")
    para(doc, "3. Hội nghị thống nhất giao đơn vị Trưởng khối hoàn thiện hồ sơ, trình cấp có thẩm quyền xem xét, "
              "khen thưởng theo quy định.", keep_next=True)
    para(doc, "{{ closing }}", keep_next=True)
    spacer = para(doc, indent=False, before=12)
    spacer.paragraph_format.keep_with_next = True
    t = doc.add_table(rows=1, cols=2)
    table_borders(t, visible=False)
    fixed_widths(t, [TEXT_WIDTH_CM / 2, TEXT_WIDTH_CM / 2])
    cant_split(t.rows[0])
    for cell, role, who in ((t.cell(0, 0), "THƯ KÝ", "{{ meeting.secretary.name }}"),
                            (t.cell(0, 1), "CHỦ TỌA", "{{ meeting.chair.name }}")):
        p = cell.paragraphs[0]
        fmt_paragraph(p, CENTER, line=1.0)
        add_text(p, role, 13, bold=True)
        for _ in range(4):
            fmt_paragraph(cell.add_paragraph(), CENTER, line=1.0)
        p = cell.add_paragraph()
        fmt_paragraph(p, CENTER, line=1.0)
        add_text(p, who, 14, bold=True)
    end_mark(doc)
    return doc


def to_trinh():
    doc = new_document()
    header_grid(doc)
    title(doc, "TỜ TRÌNH")
    p = para(doc, align=CENTER, indent=False, before=12)
    add_text(p, "Kính gửi: {{ addressee }}.", 14)
    tag(doc, "{%p for b in bases %}")
    para(doc, "{{ b }}", italic=True)
    tag(doc, "{%p endfor %}")
    para(doc, "{{ proposal_intro }}")
    tag(doc, "{%p for a in proposals %}")
    para(doc, "{{ loop.index }}. {{ a.text }}")
    tag(doc, "{%p endfor %}")
    para(doc, "(có danh sách kèm theo)", italic=True)
    para(doc, "Kính đề nghị {{ addressee }} xem xét, quyết định./.")
    signature(doc)
    return doc


def danh_sach():
    doc = new_document()
    attached_title(doc, "DANH SÁCH", "{{ summary }}", "Tờ trình", TEXT_WIDTH_CM)
    synthetic_notice(doc)
    para(doc, indent=False, before=0)
    loop_table(doc, ["STT", "Tên tập thể", "Hình thức khen thưởng", "Tổng điểm", "Xếp hạng", "Tỷ lệ phiếu", "Ghi chú"],
               ["{{ r.stt }}", "{{ r.name }}", "{{ r.award }}", "{{ r.total }}", "{{ r.rank }}", "{{ r.share }}", "{{ r.note }}"],
               [1.2, 4.8, 3.8, 1.7, 1.5, 1.9, 1.6], [CENTER, LEFT, LEFT, CENTER, CENTER, CENTER, LEFT], "r in rows")
    para(doc, "Danh sách có {{ count }} tập thể./.", italic=True, before=6)
    return doc


def _lines(doc, loop: str, text: str = "{{ line }}", **style) -> None:
    tag(doc, f"{{%p for line in {loop} %}}")
    para(doc, text, **style)
    tag(doc, "{%p endfor %}")


def _signature_cells(top, bottom, side: str) -> None:
    """A member's signature: its name and the head's title in capitals (``top``, aligned at the bottom so the titles of
    a row line up however long the names), then room to sign and the head's name (``bottom``, so the names line up)."""
    top.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    p = top.paragraphs[0]
    fmt_paragraph(p, CENTER, line=1.0, keep_next=True)
    add_text(p, f"{{{{ r.{side}.unit|upper }}}}", 12, bold=True)
    p = top.add_paragraph()
    fmt_paragraph(p, CENTER, line=1.0, keep_next=True)
    add_text(p, f"{{{{ r.{side}.title|upper }}}}", 13, bold=True)
    for _ in range(3):
        fmt_paragraph(bottom.paragraphs[0] if _ == 0 else bottom.add_paragraph(), CENTER, line=1.0)
    p = bottom.add_paragraph()
    fmt_paragraph(p, CENTER, after=12, line=1.0)
    add_text(p, f"{{{{ r.{side}.name }}}}", 14, bold=True)


def giao_uoc():
    """The covenant the heads of the member units sign: contents and points, targets, awards, one signature per member."""
    doc = new_document()
    header_grid(doc, numbered=False)
    title(doc, "{{ heading }}", "{{ summary|upper }}")
    tag(doc, "{%p if pending %}")
    centred(doc, "DỰ THẢO: còn các điểm chưa quyết định", 12, bold=True, italic=True)
    _lines(doc, "pending", "- {{ line }}", italic=True, size=12)
    tag(doc, "{%p endif %}")
    _lines(doc, "bases", "{{ line }}", italic=True)
    para(doc, "{{ intro }}")
    heading(doc, "I. NỘI DUNG THI ĐUA VÀ THANG ĐIỂM")
    para(doc, "Tổng số điểm chuẩn: {{ total }} điểm, gồm các nội dung sau (bảng chấm điểm chi tiết tại Phụ lục):")
    tag(doc, "{%p for c in contents %}")
    para(doc, "{{ c.number }}. {{ c.title }} ({{ c.max }} điểm)", bold=True, italic=True, keep_next=True)
    tag(doc, "{%p for k in c.criteria %}")
    para(doc, "- {{ k }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if events %}")
    para(doc, "Điểm cộng, điểm trừ ngoài thang điểm:", bold=True, italic=True, keep_next=True)
    _lines(doc, "events", "- {{ line }}")
    tag(doc, "{%p endif %}")
    heading(doc, "II. CHỈ TIÊU THI ĐUA")
    _lines(doc, "staff_targets", "- {{ line }}")
    _lines(doc, "org_targets", "- {{ line }}")
    _lines(doc, "cap", "- {{ line }}")
    heading(doc, "III. XẾP LOẠI, XẾP HẠNG VÀ KHEN THƯỞNG")
    para(doc, "1. Xếp loại", bold=True, italic=True, keep_next=True)
    _lines(doc, "bands")
    para(doc, "2. Xếp hạng", bold=True, italic=True, keep_next=True)
    para(doc, "{{ ranking }}")
    para(doc, "3. Đề nghị khen thưởng", bold=True, italic=True, keep_next=True)
    _lines(doc, "awards", "- {{ line }}")
    para(doc, "{{ quota_ties }}")
    heading(doc, "IV. TỔ CHỨC THỰC HIỆN")
    _lines(doc, "notes")
    para(doc, "{{ closing }}")
    p = para(doc, align=CENTER, indent=False, before=12, keep_next=True)
    add_text(p, "ĐẠI DIỆN CÁC ĐƠN VỊ THÀNH VIÊN KÝ GIAO ƯỚC", 13, bold=True)
    t = doc.add_table(rows=4, cols=2)
    table_borders(t, visible=False)
    fixed_widths(t, [TEXT_WIDTH_CM / 2, TEXT_WIDTH_CM / 2])
    cell_text(t.cell(0, 0), "{%tr for r in signatures %}", 12)
    for j, side in enumerate(("left", "right")):
        _signature_cells(t.cell(1, j), t.cell(2, j), side)
    cant_split(t.rows[1])
    cant_split(t.rows[2])
    cell_text(t.cell(3, 0), "{%tr endfor %}", 12)
    end_mark(doc)
    annex = doc.add_section()
    page_setup(annex, landscape=True)
    annex.different_first_page_header_footer = False
    centred(doc, "PHỤ LỤC", 14, bold=True)
    centred(doc, "BẢNG CHẤM ĐIỂM THI ĐUA NĂM {{ year }}", 14, bold=True)
    centred(doc, "(Kèm theo {{ title }} của {{ bloc_name }})", 13, italic=True)
    rule(doc, 4.0, LANDSCAPE_WIDTH_CM)
    tag(doc, "{{p scoring_table }}")
    return doc


def danh_sach_tinh():
    """The province's list: each bloc's leading unit for the provincial flag, then those proposed for the Government's flag."""
    doc = new_document()
    attached_title(doc, "DANH SÁCH", "{{ summary }}", "Tờ trình", TEXT_WIDTH_CM)
    synthetic_notice(doc)
    para(doc, indent=False, before=0)
    loop_table(doc, ["STT", "Tên tập thể", "Khối thi đua", "Hình thức khen thưởng", "Tổng điểm", "Tỷ lệ so với điểm tối đa",
                     "Ghi chú"],
               ["{{ r.stt }}", "{{ r.name }}", "{{ r.bloc }}", "{{ r.award }}", "{{ r.total }}", "{{ r.share }}", "{{ r.note }}"],
               [1.2, 3.6, 3.9, 3.4, 1.5, 1.6, 1.3], [CENTER, LEFT, LEFT, LEFT, CENTER, CENTER, LEFT], "r in rows")
    para(doc, "{{ quota }}", italic=True, before=6)
    para(doc, "Danh sách có {{ count }} lượt tập thể./.", italic=True)
    return doc


BUILDERS = {"bao-cao": bao_cao, "bien-ban": bien_ban, "to-trinh": to_trinh, "danh-sach": danh_sach, "giao-uoc": giao_uoc,
            "danh-sach-tinh": danh_sach_tinh}


def save(doc, path: Path) -> Path:
    props = doc.core_properties
    props.author = props.last_modified_by = "thidua"
    props.title = f"Mẫu {path.stem} (Nghị định 30/2020/NĐ-CP)"
    props.created = props.modified = BUILT
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return write_file(path, pin_zip_times(buf.getvalue(), BUILT))


def build(folder: Path = TEMPLATES_DIR, builders: dict | None = None) -> list[Path]:
    """Write the shipped templates of ``builders`` (default: this module's) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return [save(make(), folder / f"{name}.docx") for name, make in (builders or BUILDERS).items()]


if __name__ == "__main__":  # pragma: no cover
    for path in build():
        print(path)
