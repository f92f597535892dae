"""Make the shipped Word templates of the ballot: phieu-bau (ballot papers) and bien-ban-kiem-phieu.

Run after changing the layout, and commit the .docx files::

    python -m toolkit.documents.ballot_templates

Drawn with :mod:`toolkit.documents.build_templates`' helpers (same page, header grid, title
and tables), in a module of their own so the year-end documents' builder stays as it is. A
province replaces either by saving its own copy under the same name in ``data/templates/``.
The variables are built by :mod:`toolkit.documents.ballot_data`.
"""
from __future__ import annotations

from pathlib import Path

from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn

from toolkit.documents import build_templates
from toolkit.documents.build_templates import (TEMPLATES_DIR, end_mark, header_grid, loop_table, new_document, para, tag,
                                               title)
from toolkit.documents.decree30_docx import (CENTER, LEFT, TEXT_WIDTH_CM, add_text, cant_split, fixed_widths, fmt_paragraph,
                                             table_borders)


def _no_page_numbers(doc) -> None:
    """Ballot papers are handed out one by one: no page number on any of them."""
    for p in doc.sections[0].header.paragraphs:
        for child in list(p._p):
            if child.tag == qn("w:fldSimple"):
                p._p.remove(child)


def phieu_bau():
    doc = new_document()
    _no_page_numbers(doc)
    tag(doc, "{%p for a in papers %}")
    header_grid(doc, dated=False, numbered=False)
    title(doc, "PHIẾU BẦU", "{{ a.heading }}")
    para(doc, "Hướng dẫn bỏ phiếu:", bold=True, italic=True, keep_next=True, size=13)
    tag(doc, "{%p for line in how_to_vote %}")
    para(doc, "- {{ line }}", size=13)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if a.rule %}")
    para(doc, "{{ a.rule }}", italic=True, size=13)
    tag(doc, "{%p endif %}")
    para(doc, indent=False, before=0)
    loop_table(doc, ["STT", "Tên đơn vị", "Tổng điểm", "Xếp hạng", "Đồng ý (X)"],
               ["{{ c.stt }}", "{{ c.name }}", "{{ c.total }}", "{{ c.rank }}", ""],
               [1.2, 7.6, 2.2, 2.0, 2.5], [CENTER, LEFT, CENTER, CENTER, CENTER], "c in a.rows", size=12)
    para(doc, "Phiếu không hợp lệ:", bold=True, italic=True, keep_next=True, size=12, before=8)
    tag(doc, "{%p for line in invalid %}")
    para(doc, "- {{ line }}", size=12)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not loop.last %}")
    para(doc, indent=False).add_run().add_break(WD_BREAK.PAGE)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    end_mark(doc)
    return doc


def _signature_column(cell, role: str, lines: list[str]) -> None:
    p = cell.paragraphs[0]
    fmt_paragraph(p, CENTER, line=1.0)
    add_text(p, role, 13, bold=True)
    for text in lines:
        q = cell.add_paragraph()
        fmt_paragraph(q, CENTER, line=1.0)
        add_text(q, text, 14, bold=text.startswith("{{"))


def bien_ban_kiem_phieu():
    doc = new_document()
    header_grid(doc, dated=False)
    title(doc, "BIÊN BẢN")
    para(doc, "{{ opening }}", keep_next=True)
    tag(doc, "{%p for m in committee %}")
    para(doc, "- {{ m }};")
    tag(doc, "{%p endfor %}")
    para(doc, "{{ intro }}", keep_next=True)
    tag(doc, "{%p for a in sections %}")
    para(doc, "{{ loop.index }}. {{ a.heading }}", bold=True, keep_next=True)
    para(doc, "- Số phiếu phát ra: {{ a.issued }} phiếu; số phiếu thu về: {{ a.returned }} phiếu;", keep_next=True)
    para(doc, "- Số phiếu hợp lệ: {{ a.valid }} phiếu; số phiếu không hợp lệ: {{ a.invalid }} phiếu;", keep_next=True)
    tag(doc, "{%p if a.show_present %}")
    para(doc, "- Số thành viên có mặt: {{ a.present }};", keep_next=True)
    tag(doc, "{%p endif %}")
    para(doc, "- Tỷ lệ phiếu đồng ý {{ a.base }}. {{ a.rule }}", keep_next=True)
    loop_table(doc, ["STT", "Đơn vị", "Số phiếu đồng ý", "Tỷ lệ đồng ý", "Kết quả"],
               ["{{ c.stt }}", "{{ c.name }}", "{{ c.in_favour }}", "{{ c.share }}", "{{ c.result }}"],
               [1.2, 7.4, 2.4, 2.3, 2.2], [CENTER, LEFT, CENTER, CENTER, CENTER], "c in a.rows", size=12)
    para(doc, "{{ a.result }}")
    tag(doc, "{%p if a.proposed %}")
    para(doc, "{{ a.proposed }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    para(doc, "{{ closing }}", keep_next=True)
    spacer = para(doc, indent=False, before=12)
    spacer.paragraph_format.keep_with_next = True
    t = doc.add_table(rows=1, cols=2)
    table_borders(t, visible=False)
    fixed_widths(t, [TEXT_WIDTH_CM / 2, TEXT_WIDTH_CM / 2])
    cant_split(t.rows[0])
    _signature_column(t.cell(0, 0), "CÁC THÀNH VIÊN", ["{%p for n in members %}", "", "", "", "{{ n }}", "{%p endfor %}"])
    _signature_column(t.cell(0, 1), "TRƯỞNG BAN KIỂM PHIẾU", ["", "", "", "{{ chair_name }}"])
    end_mark(doc)
    return doc


BUILDERS = {"phieu-bau": phieu_bau, "bien-ban-kiem-phieu": bien_ban_kiem_phieu}


def build(folder: Path = TEMPLATES_DIR) -> list[Path]:
    return build_templates.build(folder, BUILDERS)


if __name__ == "__main__":  # pragma: no cover
    for path in build():
        print(path)
