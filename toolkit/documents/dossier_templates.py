"""Make the dossier's shipped Word templates: the nominee's báo cáo thành tích and the danh mục hồ sơ.

Run after changing their layout, and commit the .docx files::

    python -m toolkit.documents.dossier_templates

Drawn with the same Decree 30 pieces as the bloc's four documents
(:mod:`toolkit.documents.build_templates`); a province replaces either by its own copy in
``data/templates/`` like the others. The values they may use are listed in docs/documents.md.
"""
from __future__ import annotations

from pathlib import Path

from toolkit.documents import build_templates
from toolkit.documents.build_templates import (TEMPLATES_DIR, centred, end_mark, header_grid, heading, loop_table, new_document,
                                               para, rule, synthetic_notice, tag)
from toolkit.documents.decree30_docx import (CENTER, LEFT, TEXT_WIDTH_CM, add_text, cant_split, fixed_widths, fmt_paragraph,
                                             table_borders)


def _signed_column(table, col: int, lines: list[tuple[str, float, bool, bool]], name: str) -> None:
    """A signature column: its lines (text, size, bold, italic) in the first row; four blank lines to sign in and the
    name in the second, so both names stand level however many lines the titles above them take."""
    cell = table.cell(0, col)
    for i, (text, size, bold, italic) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        fmt_paragraph(p, CENTER, line=1.0, keep_next=True)
        add_text(p, text, size, bold=bold, italic=italic)
    cell = table.cell(1, col)
    fmt_paragraph(cell.paragraphs[0], CENTER, line=1.0, keep_next=True)
    for _ in range(3):
        fmt_paragraph(cell.add_paragraph(), CENTER, line=1.0, keep_next=True)
    p = cell.add_paragraph()
    fmt_paragraph(p, CENTER, line=1.0)
    add_text(p, name, 14, bold=True)


def bao_cao_thanh_tich():
    """Mẫu số 02 (collective) of Decree 98/2023's Phụ lục I: I. đặc điểm; II. thành tích; III. khen thưởng; two signatures."""
    doc = new_document()
    header_grid(doc, numbered=False)
    centred(doc, "BÁO CÁO THÀNH TÍCH", 14, before=18, keep_next=True, bold=True)
    centred(doc, "{{ summary|upper }}", 14, keep_next=True, bold=True)
    centred(doc, "{{ form }}", 12, italic=True)
    rule(doc, 4.0, TEXT_WIDTH_CM)
    synthetic_notice(doc)
    p = para(doc, align=CENTER, indent=False, before=12)
    add_text(p, "Tên tập thể đề nghị: {{ nominee }}", 14, bold=True)
    heading(doc, "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH")
    para(doc, "1. Đặc điểm, tình hình", bold=True, italic=True, keep_next=True)
    tag(doc, "{%p for g in general %}")
    p = para(doc)
    add_text(p, "{{ g.text }}")
    add_text(p, "{{ g.gap }}", highlight=True)  # a placeholder, highlighted as in the narratives
    add_text(p, "{{ g.end }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{{p characteristics }}")
    para(doc, "2. Chức năng, nhiệm vụ", bold=True, italic=True, keep_next=True)
    tag(doc, "{{p functions }}")
    heading(doc, "II. THÀNH TÍCH ĐẠT ĐƯỢC")
    para(doc, "1. Kết quả thực hiện Giao ước thi đua năm {{ year }}", bold=True, italic=True, keep_next=True)
    para(doc, "{{ results_intro }}", keep_next=True)
    tag(doc, "{{p contents }}")
    tag(doc, "{%p if targets %}")
    para(doc, "2. Thực hiện các chỉ tiêu giao ước", bold=True, italic=True, keep_next=True)
    tag(doc, "{%p for line in targets %}")
    para(doc, "{{ line }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    para(doc, "{{ num.votes }}. Kết quả bình xét", bold=True, italic=True, keep_next=True)
    tag(doc, "{%p for line in votes %}")
    para(doc, "{{ line }}")
    tag(doc, "{%p endfor %}")
    para(doc, "{{ num.achievements }}. Thành tích nổi bật, biện pháp và nguyên nhân đạt được",
         bold=True, italic=True, keep_next=True)
    tag(doc, "{{p achievements }}")
    heading(doc, "III. CÁC HÌNH THỨC KHEN THƯỞNG ĐÃ ĐƯỢC GHI NHẬN")
    tag(doc, "{%p if has_awards %}")
    tag(doc, "{{p awards }}")
    tag(doc, "{%p else %}")
    tag(doc, "{{p no_awards }}")
    tag(doc, "{%p endif %}")
    spacer = para(doc, indent=False, before=12)
    spacer.paragraph_format.keep_with_next = True
    t = doc.add_table(rows=2, cols=2)
    table_borders(t, visible=False)
    fixed_widths(t, [TEXT_WIDTH_CM / 2, TEXT_WIDTH_CM / 2])
    for row in t.rows:
        cant_split(row)
    _signed_column(t, 0, [("XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG", 12, True, False),
                          ("{{ confirmer.authority|upper }}", 12, True, False), ("{{ confirmer.title|upper }}", 12, True, False),
                          ("({{ confirmer.unit }}; ký, đóng dấu)", 12, False, True)], "{{ confirmer.name }}")
    _signed_column(t, 1, [("THỦ TRƯỞNG ĐƠN VỊ", 12, True, False), ("{{ head.title|upper }}", 12, True, False),
                          ("(Ký, đóng dấu)", 12, False, True)], "{{ head.name }}")
    end_mark(doc)
    return doc


def danh_muc_ho_so():
    """The dossier's checklist: every document the province requires, present or missing, complete or not."""
    doc = new_document()
    header_grid(doc, numbered=False)
    centred(doc, "DANH MỤC HỒ SƠ", 14, before=18, keep_next=True, bold=True)
    centred(doc, "{{ summary }}", 14, keep_next=True, bold=True)
    rule(doc, 4.0, TEXT_WIDTH_CM)
    synthetic_notice(doc)
    para(doc, "{{ intro }}", before=6)
    loop_table(doc, ["STT", "Tài liệu", "Tệp", "Tình trạng"],
               ["{{ r.stt }}", "{{ r.title }}", "{{ r.file }}", "{{ r.status }}"],
               [1.3, 6.0, 5.0, 4.2], [CENTER, LEFT, LEFT, LEFT], "r in rows")
    tag(doc, "{%p for line in notes %}")
    para(doc, "{{ line }}", italic=True, size=12)
    tag(doc, "{%p endfor %}")
    para(doc, "{{ conclusion }}", bold=True, before=6)
    end_mark(doc)
    return doc


BUILDERS = {"bao-cao-thanh-tich": bao_cao_thanh_tich, "danh-muc-ho-so": danh_muc_ho_so}


def build(folder: Path = TEMPLATES_DIR) -> list[Path]:
    return build_templates.build(folder, BUILDERS)


if __name__ == "__main__":  # pragma: no cover
    for path in build():
        print(path)
