"""The bloc's documents (báo cáo, biên bản, tờ trình, danh sách): read back with python-docx.

Layout (A4, margins, font, the Decree 30 header grid, trích yếu), figures against the engine's
results, hand-worked ballots (exactly at the threshold, just below, no ballot data, a tie),
escaping, placeholders for missing narrative, one message for missing header data, a
province's own template, unknown and broken tags, byte-identical reruns. The LibreOffice
conversion and the rendered first pages are at the end (slow).
"""
from __future__ import annotations

import datetime as dt
import math
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from conftest import DATA, covenant_dict, main_data, main_votes, make_covenant
from toolkit.cli.main import main
from toolkit.documents import markdown, write_documents
from toolkit.documents.vietnamese_format import doc_number, long_date, recipient_lines
from toolkit.documents.voting import ballot_rows, result_text
from toolkit.engine.evaluate import evaluate
from toolkit.errors import DataError
from toolkit.engine.ballot_count import vote_table
from toolkit.model.ballots import load_ballots, vote_passes, votes_disagreement
from toolkit.model.covenant import Award
from toolkit.model.workspace import Workspace
from toolkit.reports.analysis import analyse

BLOC = "kinh-te-ky-thuat"
BLOC_NAME = "Khối các sở, ban, ngành tham mưu và quản lý Nhà nước về kinh tế, kỹ thuật"
ALL = ["bao-cao", "bien-ban", "to-trinh", "danh-sach", "phieu-bau", "bien-ban-kiem-phieu"]
PAGED = [n for n in ALL if n != "phieu-bau"]  # ballot papers are handed out one by one: no page numbers


def paragraphs(path: Path) -> list[str]:
    """Every paragraph's text in document order, table cells included."""
    body = Document(path).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


def table_rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def find_table(path: Path, first_header: str, nth: int = 0) -> list[list[str]]:
    tables = [t for t in Document(path).tables if t.rows[0].cells[0].text == "STT" and t.rows[0].cells[1].text == first_header]
    return table_rows(tables[nth])


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return Workspace.open(DATA)


@pytest.fixture(scope="module")
def res2024(ws):
    return analyse(ws, BLOC, "2024", compare=False)


@pytest.fixture(scope="module")
def docs2024(ws, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("docs") / "2024"
    written = write_documents(ws, BLOC, "2024", folder, pdf=False)
    assert [p.name for p in written.docx][:len(ALL)] == [f"{n}.docx" for n in ALL]  # then the nominees' reports (test_dossier)
    return folder


# --------------------------------------------------------------------------- formats

def test_long_dates_and_numbers_as_decree_30_writes_them():
    assert long_date(dt.date(2025, 12, 5)) == "ngày 05 tháng 12 năm 2025"
    assert long_date(dt.date(2025, 2, 15)) == "ngày 15 tháng 02 năm 2025"  # months 1 and 2 take a leading 0
    assert long_date(dt.date(2025, 3, 9)) == "ngày 09 tháng 3 năm 2025"
    assert doc_number(5, "bao_cao", "KTKT") == "05/BC-KTKT"
    assert doc_number(12, "to_trinh", "KTKT") == "12/TTr-KTKT"
    assert doc_number(None, "bien_ban", "KTKT").endswith("/BB-KTKT")  # blank for the clerk
    assert recipient_lines(["Như trên", "Sở Nội vụ;"], "VT, Khối") == ["- Như trên;", "- Sở Nội vụ;", "- Lưu: VT, Khối."]


def test_markdown_headings_paragraphs_bullets_and_emphasis():
    blocks = markdown.parse("## Nhiệm vụ\n\nDòng một\ntiếp tục **đậm** và *nghiêng*.\n\n- mục một\n* mục hai")
    assert [b.kind for b in blocks] == ["heading2", "paragraph", "bullet", "bullet"]
    assert blocks[1].runs == (("Dòng một tiếp tục ", False, False), ("đậm", True, False), (" và ", False, False),
                              ("nghiêng", False, True), (".", False, False))
    assert blocks[3].text == "mục hai"
    assert markdown.parse("   \n") == []


def test_markdown_numbered_lines_word_bullets_and_both_emphases():
    blocks = markdown.parse("1. một\n2) **hai**\n\n• chấm từ Word\n\n***cả hai*** và a_b_c")
    assert [(b.kind, b.runs) for b in blocks] == [
        ("paragraph", (("1. một", False, False),)),  # the number typed stays, as text
        ("paragraph", (("2) ", False, False), ("hai", True, False))),
        ("bullet", (("chấm từ Word", False, False),)),
        ("paragraph", (("cả hai", True, True), (" và a_b_c", False, False))),  # '_' inside a word is not emphasis
    ]


HOSTILE = ["Xem [trang](http://example.com/x) và ![ảnh](anh.png) hay <http://a.vn>",
           '<b>đậm</b> <a href="http://b.vn">c</a> `mã` &amp; &lt;i&gt;',
           "[tham chiếu]", "[tham chiếu]: http://c.vn"]


def test_secretariat_text_never_becomes_a_link_an_image_or_html(data_copy, tmp_path):
    """The narrative is data: what looks like a link, an image, HTML or an entity is written as typed."""
    _edit_documents_yaml(data_copy, "2024", lambda raw: raw["narrative"].update(shortcomings="\n\n".join(HOSTILE)))
    out = write_documents(Workspace.open(data_copy), BLOC, "2024", tmp_path / "d", pdf=False)
    texts = paragraphs(out.folder / "bao-cao.docx")
    start = texts.index(HOSTILE[0])
    assert texts[start:start + len(HOSTILE)] == HOSTILE
    with zipfile.ZipFile(out.folder / "bao-cao.docx") as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels")))
    for part in ("<w:hyperlink", "<w:drawing", "<w:pict", "<w:altChunk", "HYPERLINK", 'TargetMode="External"', "example.com/x\""):
        assert part not in xml, part


# --------------------------------------------------------------------------- layout

def test_shipped_templates_are_what_the_build_script_makes(tmp_path):
    from toolkit.documents import ballot_templates
    from toolkit.documents.build_templates import TEMPLATES_DIR, build

    for made in build(tmp_path) + ballot_templates.build(tmp_path):
        assert made.read_bytes() == (TEMPLATES_DIR / made.name).read_bytes(), f"rerun build_templates: {made.name}"


@pytest.mark.parametrize("name", ALL)
def test_a4_portrait_margins_and_times_new_roman(docs2024, name):
    doc = Document(docs2024 / f"{name}.docx")
    first = doc.sections[0]
    assert first.orientation == WD_ORIENT.PORTRAIT
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)
    # Decree 30: top/bottom 20-25 mm, left 30-35 mm, right 15-20 mm
    assert (round(first.top_margin.mm), round(first.bottom_margin.mm), round(first.left_margin.mm),
            round(first.right_margin.mm)) == (20, 20, 30, 15)
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.styles["Normal"].font.size.pt == 14
    fonts = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert {fonts.get(qn(k)) for k in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")} == {"Times New Roman"}
    assert fonts.get(qn("w:asciiTheme")) is None  # a theme font would win over Times New Roman in Word
    # every explicit run font is Times New Roman too
    explicit = {f.get(qn("w:hAnsi")) for f in doc.element.body.iter(qn("w:rFonts"))}
    assert explicit <= {"Times New Roman", None}


@pytest.mark.parametrize("name", PAGED)
def test_page_number_field_in_the_header_from_page_two(docs2024, name):
    sec = Document(docs2024 / f"{name}.docx").sections[0]
    assert sec.different_first_page_header_footer
    header = sec.header._element
    assert [f.get(qn("w:instr")).strip() for f in header.iter(qn("w:fldSimple"))] == ["PAGE"]
    assert next(header.iter(qn("w:jc"))).get(qn("w:val")) == "center"
    assert not list(sec.first_page_header._element.iter(qn("w:fldSimple")))


def test_scorecard_annex_is_a_landscape_page(docs2024):
    sections = Document(docs2024 / "bao-cao.docx").sections
    assert len(sections) == 2
    annex = sections[1]
    assert annex.orientation == WD_ORIENT.LANDSCAPE
    assert (round(annex.page_width.mm), round(annex.page_height.mm)) == (297, 210)


@pytest.mark.parametrize("name", ALL)
def test_no_tag_left_unfilled(docs2024, name):
    import zipfile

    with zipfile.ZipFile(docs2024 / f"{name}.docx") as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    assert "{{" not in xml and "{%" not in xml and "}}" not in xml and "%}" not in xml


@pytest.mark.parametrize("name, number, dated", [("bao-cao", "Số: 05/BC-KTKT", True), ("to-trinh", "Số: 06/TTr-KTKT", True),
                                                 ("bien-ban", "Số: 04/BB-KTKT", False)])
def test_header_grid(docs2024, name, number, dated):
    grid = Document(docs2024 / f"{name}.docx").tables[0]
    left, right = grid.cell(0, 0), grid.cell(0, 1)
    assert [p.text for p in left.paragraphs if p.text] == ["UBND TỈNH BẮC NINH", "KHỐI THI ĐUA CÁC SỞ, BAN, NGÀNH KINH TẾ, KỸ THUẬT"]
    assert left.paragraphs[1].runs[0].bold and not left.paragraphs[0].runs[0].bold
    assert [p.text for p in right.paragraphs if p.text] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    # a short rule under the issuing body, a full-length one under the motto: paragraphs with a top border
    rules = [p for c in (left, right) for p in c.paragraphs if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None]
    assert len(rules) == 2
    assert grid.cell(1, 0).text == number
    date_line = grid.cell(1, 1).paragraphs[0]
    if dated:  # 06/12/2024 in the sample's documents.yaml
        assert date_line.text == "Bắc Ninh, ngày 06 tháng 12 năm 2024"
        assert date_line.runs[0].italic
    else:  # Decree 30: minutes carry no place and date in the header
        assert date_line.text == ""


@pytest.mark.parametrize("name, kind, summary", [
    ("bao-cao", "BÁO CÁO", f"Tổng kết công tác thi đua, khen thưởng năm 2024 của {BLOC_NAME}"),
    ("bien-ban", "BIÊN BẢN", f"Họp bình xét thi đua, khen thưởng năm 2024 của {BLOC_NAME}"),
    ("to-trinh", "TỜ TRÌNH", "Về việc đề nghị tặng Cờ thi đua của UBND tỉnh và Bằng khen của Chủ tịch UBND tỉnh năm 2024"),
])
def test_document_type_and_summary_bold_and_centred(docs2024, name, kind, summary):
    doc = Document(docs2024 / f"{name}.docx")
    body = doc.paragraphs
    i = [p.text for p in body].index(kind)
    assert body[i + 1].text == summary
    for p in (body[i], body[i + 1]):
        assert p.alignment == 1 and all(r.bold for r in p.runs)


def test_mid_year_report_is_a_sơ_kết_without_awards(ws, tmp_path):
    written = write_documents(ws, BLOC, "2024-H1", tmp_path / "h1", pdf=False)
    assert [p.name for p in written.docx] == ["bao-cao.docx"]
    text = paragraphs(written.docx[0])
    assert f"Sơ kết công tác thi đua, khen thưởng 6 tháng đầu năm 2024 của {BLOC_NAME}" in text
    assert "I. ĐẶC ĐIỂM TÌNH HÌNH" in text and "IV. TỒN TẠI, HẠN CHẾ" in text
    assert not any("ĐỀ NGHỊ KHEN THƯỞNG" in t for t in text)
    assert "V. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2024" in text


def test_recipients_and_signature(docs2024):
    doc = Document(docs2024 / "to-trinh.docx")
    sig = doc.tables[-1]
    left = [p for p in sig.cell(0, 0).paragraphs if p.text]
    assert left[0].text == "Nơi nhận:" and left[0].runs[0].bold and left[0].runs[0].italic and left[0].runs[0].font.size.pt == 12
    assert [p.text for p in left[1:]] == ["- Như trên;", "- Ban Thi đua - Khen thưởng (Sở Nội vụ);", "- Lưu: VT, Khối."]
    assert all(p.runs[0].font.size.pt == 11 for p in left[1:])
    assert [p.text for p in sig.cell(0, 1).paragraphs if p.text] == ["TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI", "Nguyễn Văn An"]
    minutes = Document(docs2024 / "bien-ban.docx").tables[-1]
    assert [p.text for p in minutes.cell(0, 0).paragraphs if p.text] == ["THƯ KÝ", "Trần Thị Bích"]
    assert [p.text for p in minutes.cell(0, 1).paragraphs if p.text] == ["CHỦ TỌA", "Nguyễn Văn An"]


# --------------------------------------------------------------------------- figures

# The sample's 2024 nominations and the ballots behind their shares (data/.../2024/ballots.csv):
# flag: quy-phat-trien-dat 11 in favour / 11 issued = 100,0% (so-tn-mt ranks 1st but has 8/11 = 72,7% < 80%);
# certificates (quota 30% x 12 = 3,60 -> 3): so-tn-mt 8/11 = 72,7%, cuc-du-tru-ha-bac 10/11 = 90,9%,
# so-cong-thuong 9/11 = 81,8% (10 valid ballots of 11: one spoilt paper).
NOMINEES = [
    ("Quỹ Phát triển đất", "Cờ thi đua của UBND tỉnh", "92,01", "2", "100,0%"),
    ("Sở Tài nguyên và Môi trường", "Bằng khen của Chủ tịch UBND tỉnh", "93,92", "1", "72,7%"),
    ("Cục Dự trữ Nhà nước khu vực Hà Bắc", "Bằng khen của Chủ tịch UBND tỉnh", "91,07", "3", "90,9%"),
    ("Sở Công Thương", "Bằng khen của Chủ tịch UBND tỉnh", "88,31", "4", "81,8%"),
]


def test_the_list_has_every_nominee_with_total_rank_and_vote_share(docs2024, res2024):
    rows = find_table(docs2024 / "danh-sach.docx", "Tên tập thể")
    assert rows[0] == ["STT", "Tên tập thể", "Hình thức khen thưởng", "Tổng điểm", "Xếp hạng", "Tỷ lệ phiếu", "Ghi chú"]
    assert [tuple(r[1:6]) for r in rows[1:]] == NOMINEES
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    # the same units the engine nominated, nothing typed
    assert sorted(r[1] for r in rows[1:]) == sorted(res2024.nominations["name"])
    assert "Danh sách có 04 tập thể./." in paragraphs(docs2024 / "danh-sach.docx")


def test_the_submission_names_every_nominee_and_its_legal_bases(docs2024):
    text = paragraphs(docs2024 / "to-trinh.docx")
    assert "Kính gửi: Hội đồng Thi đua - Khen thưởng tỉnh Bắc Ninh." in text
    assert text[text.index("Kính gửi: Hội đồng Thi đua - Khen thưởng tỉnh Bắc Ninh.") + 1:][:4] == [
        "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15;",
        "Căn cứ Nghị định 98/2023/NĐ-CP;",
        f"Căn cứ Giao ước thi đua năm 2024 của {BLOC_NAME} ký ngày 15/03/2024;",
        "Căn cứ Biên bản họp bình xét thi đua, khen thưởng năm 2024 của Khối ngày 05/12/2024.",
    ]
    assert "1. Tặng Cờ thi đua của UBND tỉnh cho 01 tập thể: Quỹ Phát triển đất." in text
    assert ("2. Tặng Bằng khen của Chủ tịch UBND tỉnh cho 03 tập thể: Sở Tài nguyên và Môi trường, "
            "Cục Dự trữ Nhà nước khu vực Hà Bắc và Sở Công Thương.") in text
    assert "(có danh sách kèm theo)" in text


def test_the_minutes_record_each_ballot_with_share_threshold_and_result(docs2024):
    flag = find_table(docs2024 / "bien-ban.docx", "Đơn vị", 1)
    assert flag[0] == ["STT", "Đơn vị", "Phiếu phát ra", "Phiếu thu về", "Phiếu hợp lệ", "Phiếu đồng ý", "Tỷ lệ đồng ý", "Kết quả"]
    by_name = {r[1]: r[2:] for r in flag[1:]}
    assert len(by_name) == 12
    assert by_name["Quỹ Phát triển đất"] == ["11", "11", "11", "11", "100,0%", "Đạt"]
    assert by_name["Sở Tài nguyên và Môi trường"] == ["11", "11", "11", "8", "72,7%", "Không đạt"]  # 72,7% < 80%
    assert by_name["Sở Công Thương"] == ["11", "11", "11", "9", "81,8%", "Đạt"]  # 81,8% >= 80%
    cert = {r[1]: r[2:] for r in find_table(docs2024 / "bien-ban.docx", "Đơn vị", 2)[1:]}
    for name, _award, _total, _rank, share in NOMINEES[1:]:
        assert cert[name][4] == share
        assert cert[name][2] == "10"  # one spoilt paper
    text = paragraphs(docs2024 / "bien-ban.docx")
    assert "Điều kiện: tỷ lệ phiếu đồng ý từ 80% trở lên, tính trên tổng số phiếu phát ra (Giao ước thi đua năm 2024)." in text
    assert "Hội nghị thống nhất đề nghị tặng Cờ thi đua của UBND tỉnh cho 01 tập thể: Quỹ Phát triển đất." in text
    assert "Thời gian: bắt đầu lúc 08 giờ 30 phút, ngày 05 tháng 12 năm 2024." in text
    assert "- Đại diện các đơn vị thành viên có mặt: 11/12 đơn vị, gồm:" in text
    assert "- Vắng mặt: Liên minh Hợp tác xã tỉnh (lý do: bận công tác đột xuất)." in text
    assert any(t.startswith("Hội nghị kết thúc lúc 11 giờ 15 phút cùng ngày.") for t in text)


def test_score_tables_equal_the_engine_results(docs2024, res2024):
    from toolkit.model.text import fmt_number

    ranking = res2024.ranking
    expected = [[str(i), r.name, fmt_number(r.total), r.band, str(r.rank)] for i, r in enumerate(ranking.itertuples(), start=1)]
    minutes = find_table(docs2024 / "bien-ban.docx", "Đơn vị", 0)
    assert [[r[0], r[1], r[6], r[7], r[8]] for r in minutes[1:]] == expected
    annex = find_table(docs2024 / "bao-cao.docx", "Tên đơn vị")
    assert annex[0][2:8] == ["N1\n(20)", "N2\n(25)", "N3\n(20)", "N4\n(10)", "N5\n(10)", "N6\n(15)"]
    assert [[r[0], r[1], r[-3], r[-2], r[-1]] for r in annex[1:]] == expected
    # one content score checked against the engine's contents frame
    c = res2024.contents.set_index(["unit_id", "content_id"])["final_score"]
    assert annex[1][2] == fmt_number(c[(ranking.iloc[0]["unit_id"], "N1")])
    # hand check of the sample's leader: 88,92 criteria + 5,00 bonus - 0,00 = 93,92
    assert annex[1][1:2] + annex[1][8:12] == ["Sở Tài nguyên và Môi trường", "88,92", "5,00", "0,00", "93,92"]


def test_report_figures_per_content_from_the_results(docs2024, res2024):
    text = paragraphs(docs2024 / "bao-cao.docx")
    c = res2024.contents[res2024.contents.content_id == "N4"]["final_score"]
    # N4 (max 10), the 12 scores of the annex: 3 x 10 + 2 x 9,75 + 2 x 9,50 + 3 x 9,25 + 2 x 9,00 = 114,25;
    # 114,25 / 12 = 9,5208 -> 9,52; 9,52 / 10 = 95,2%
    assert sorted(c) == [9.0, 9.0, 9.25, 9.25, 9.25, 9.5, 9.5, 9.75, 9.75, 10.0, 10.0, 10.0]
    assert any(t.startswith("Điểm bình quân của Khối đạt 9,52/10 điểm (95,2% điểm chuẩn); cao nhất: ") for t in text)
    assert ("- Ít nhất 15% hoàn thành xuất sắc nhiệm vụ: 11/12 đơn vị đạt; chưa đạt: Ban Quản lý các Khu công nghiệp."
            in text)
    assert "Kết quả xếp loại: 03 đơn vị hoàn thành xuất sắc nhiệm vụ, 08 đơn vị hoàn thành tốt nhiệm vụ, 01 đơn vị hoàn thành nhiệm vụ." in text
    flag = next(t for t in text if t.startswith("1. Tặng Cờ thi đua"))
    assert "Quỹ Phát triển đất (92,01 điểm, xếp thứ 2/12, tỷ lệ phiếu đồng ý 100,0%)" in flag
    assert "Sở Tài nguyên và Môi trường (xếp thứ 1) không đủ điều kiện: tỷ lệ phiếu 72,7% dưới mức 80%." in flag
    assert "I. ĐẶC ĐIỂM TÌNH HÌNH" in text and "VI. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2025" in text


# --------------------------------------------------------------------------- ballots, worked by hand

def _res(units: list[tuple], nominated: dict[str, list[str]]):
    """A stand-in for a PeriodResult: units (unit_id, name, rank, approve, voters) and who the engine nominated."""
    u = pd.DataFrame(units, columns=["unit_id", "name", "rank", "approve", "voters"]).assign(bloc_id="b")
    e = pd.DataFrame([(a, x, x in ids, "Đề nghị" if x in ids else "") for a, ids in nominated.items() for x in u.unit_id],
                     columns=["award_id", "unit_id", "nominated", "status"])
    return SimpleNamespace(units=u, eligibility=e)


FLAG = Award(id="co", title="Cờ thi đua", quota={"count": 1}, min_vote_share=0.8)


def _ballots(res, award, rows=None):
    """The engine's count of ``rows`` (award_id, unit_id, issued, returned, valid, in_favour); None: the units' votes.csv."""
    b = pd.DataFrame(rows or [], columns=["award_id", "unit_id", "issued", "returned", "valid", "in_favour"])
    votes = res.units.loc[res.units["voters"].notna(), ["bloc_id", "unit_id", "approve", "voters"]] if rows is None else \
        pd.DataFrame(columns=["bloc_id", "unit_id", "approve", "voters"])
    return vote_table(SimpleNamespace(awards=[award]), b.assign(bloc_id="b", present=np.nan), votes, res.units)


def test_ballot_exactly_at_the_threshold_passes_at_least_and_fails_more_than():
    res = _res([("a", "Sở A", 1, 8, 10)], {"co": ["a"]})
    rows = [("co", "a", 10, 10, 10, 8)]  # 8 / 10 = 80% exactly
    row = ballot_rows(res, FLAG, _ballots(res, FLAG, rows)).iloc[0]
    assert row["share"] == 0.8 and result_text(row) == "Đạt"
    strict = FLAG.model_copy(update={"vote_rule": "more_than"})
    assert result_text(ballot_rows(res, strict, _ballots(res, strict, rows)).iloc[0]) == "Không đạt"
    assert vote_passes(0.8, FLAG) is True and vote_passes(0.8, strict) is False
    assert vote_passes(0.81, strict) is True


def test_ballot_just_below_the_threshold_fails():
    res = _res([("a", "Sở A", 1, 7, 9)], {"co": []})
    row = ballot_rows(res, FLAG, _ballots(res, FLAG, [("co", "a", 9, 9, 9, 7)])).iloc[0]  # 7 / 9 = 77,8% < 80%
    assert round(row["share"], 4) == 0.7778 and result_text(row) == "Không đạt"
    row = ballot_rows(res, FLAG, _ballots(res, FLAG, [("co", "a", 100, 100, 100, 79)])).iloc[0]  # 79% < 80%
    assert result_text(row) == "Không đạt"


def test_nominee_without_ballot_data_is_shown_not_dropped():
    res = _res([("a", "Sở A", 1, 9, 10), ("b", "Sở B", 2, None, None)], {"co": ["a", "b"]})
    rows = ballot_rows(res, FLAG, _ballots(res, FLAG, [("co", "a", 10, 10, 10, 9)]))
    assert list(rows["unit_id"]) == ["a", "b"]
    b = rows.iloc[1]
    assert not b["has_data"] and math.isnan(b["share"]) and result_text(b) == "Chưa có số liệu"


def test_tie_in_votes_both_pass_and_the_ranking_orders_them():
    # c and d both get 9 of 10 (90%): equal shares, both above 80%; d ranks 1st, c 2nd
    res = _res([("c", "Sở C", 2, 9, 10), ("d", "Sở D", 1, 9, 10)], {"co": ["d"]})
    rows = ballot_rows(res, FLAG, _ballots(res, FLAG, [("co", "c", 10, 10, 10, 9), ("co", "d", 10, 10, 10, 9)]))
    assert list(rows["unit_id"]) == ["d", "c"]
    assert list(rows["share"]) == [0.9, 0.9]
    assert [result_text(r) for _, r in rows.iterrows()] == ["Đạt", "Đạt"]
    assert list(rows["nominated"]) == [True, False]


def test_old_data_without_ballots_falls_back_to_votes_csv():
    res = _res([("a", "Sở A", 1, 4, 5)], {"co": ["a"]})
    row = ballot_rows(res, FLAG, _ballots(res, FLAG)).iloc[0]  # 4 / 5 = 80%, returned and valid unknown
    assert row["issued"] == 5 and row["in_favour"] == 4 and math.isnan(row["returned"]) and result_text(row) == "Đạt"


def test_engine_honours_more_than(vocab):
    # u2 gets 4 of 5 = 80,0%: at least 80% passes; more than 80% does not
    votes = [v if v[0] != "u2" else ("u2", 4, 5) for v in main_votes()]
    at_least = evaluate(make_covenant(), main_data(votes=votes), vocab)["eligibility"]
    assert at_least.set_index(["award_id", "unit_id"]).loc[("co", "u2"), "status"] == "Đề nghị"
    raw = covenant_dict()
    raw["awards"][0]["vote_rule"] = "more_than"
    strict = evaluate(make_covenant(raw), main_data(votes=votes), vocab)["eligibility"]
    assert strict.set_index(["award_id", "unit_id"]).loc[("co", "u2"), "reasons"] == "tỷ lệ phiếu 80,0% không vượt mức 80%"


def test_ballots_csv_problems_name_file_line_and_column(ws, res2024, tmp_path):
    (tmp_path / "votes.csv").write_text("unit_id,approve,voters\nso-cong-thuong,9,11\n", encoding="utf-8")
    (tmp_path / "ballots.csv").write_text(
        "award_id,unit_id,issued,returned,valid,in_favour\n"
        "co_thi_dua,so-gtvt,11,11,11,11\n"
        "co_thi_dua,cuc-du-tru-ha-bac,11,11,10,11\n"  # 11 in favour of 10 valid
        "giai_thuong,so-gtvt,11,11,11,11\n"  # no such award
        "co_thi_dua,so-cong-thuong,11,11,11,10\n"  # votes.csv says 9 / 11
        "bang_khen,so-gtvt,11,12,11,11\n", encoding="utf-8")  # 12 returned of 11 issued
    u = res2024.units
    problems = []
    ballots = load_ballots(tmp_path / "ballots.csv", res2024.covenant, u, problems)
    ballots = ballots[ballots["award_id"] != "giai_thuong"]
    votes = pd.read_csv(tmp_path / "votes.csv")
    problems += votes_disagreement(ballots, votes, res2024.covenant, tmp_path / "ballots.csv", tmp_path / "votes.csv")[0]
    where = [(Path(p.file).name, p.where) for p in problems]
    assert where == [("ballots.csv", "dòng 4, cột award_id"), ("ballots.csv", "dòng 6, cột returned"),
                     ("ballots.csv", "dòng 3, cột in_favour"), ("ballots.csv", "dòng 5, cột in_favour")]
    assert "votes.csv" in problems[-1].message and "(9 / 11)" in problems[-1].message


# --------------------------------------------------------------------------- secretariat inputs

def _edit_documents_yaml(data: Path, period: str, edit) -> None:
    path = data / "periods" / BLOC / period / "documents.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_missing_narrative_gives_visible_placeholders(data_copy, tmp_path):
    _edit_documents_yaml(data_copy, "2024", lambda raw: raw.pop("narrative"))
    out = write_documents(Workspace.open(data_copy), BLOC, "2024", tmp_path / "d", pdf=False)
    doc = Document(out.folder / "bao-cao.docx")
    holes = [p for p in doc.paragraphs if p.text.startswith("[Khối bổ sung:")]
    assert [p.text for p in holes][:2] == ["[Khối bổ sung: đặc điểm tình hình của Khối năm 2024]",
                                           "[Khối bổ sung: kết quả nổi bật của các đơn vị ở nội dung N1]"]
    assert "[Khối bổ sung: tồn tại, hạn chế năm 2024]" in [p.text for p in holes]
    assert all(r.font.highlight_color is not None for p in holes for r in p.runs)
    assert "[Khối bổ sung: ý kiến thảo luận của các đơn vị tại Hội nghị]" in paragraphs(out.folder / "bien-ban.docx")


def test_missing_header_data_fails_with_one_message_listing_all(data_copy, tmp_path):
    def drop(raw):
        del raw["place"], raw["issuer"], raw["signer"]["name"]
    _edit_documents_yaml(data_copy, "2024", drop)
    with pytest.raises(DataError) as err:
        write_documents(Workspace.open(data_copy), BLOC, "2024", tmp_path / "d", pdf=False)
    where = [p.where for p in err.value.problems]
    assert where == ["place", "issuer", "signer.name"]  # all of them, in one error
    assert all(p.file.endswith("2024/documents.yaml") for p in err.value.problems)
    assert not (tmp_path / "d").exists()  # nothing written


def test_schema_problems_are_worded_for_the_secretariat():
    from toolkit.model.periods import Period
    from toolkit.model.secretariat import parse_document_inputs

    raw = yaml.safe_load((DATA / "periods" / BLOC / "2024" / "documents.yaml").read_text(encoding="utf-8"))
    raw.update(date="2024-13-06", place="  ", code="BC/KTKT", numbers={"bao_cao": 5, "so": 1})
    with pytest.raises(DataError) as err:
        parse_document_inputs(raw, "documents.yaml", Period.parse("2024"), ["N1"], {})
    assert [(p.where, p.message) for p in err.value.problems] == [
        ("place", "để trống: cần một nội dung"),
        ("code", "ký hiệu 'BC/KTKT' không hợp lệ: viết liền, không dấu cách, không '/' (ví dụ KTKT)"),
        ("numbers.so", "trường không được khai báo trong lược đồ thông tin soạn văn bản (gõ nhầm tên?)"),
        ("date", "cần một ngày dạng 2024-12-05, nhận được '2024-13-06'"),
    ]


def test_semantic_problems_of_the_meeting(data_copy, tmp_path):
    def edit(raw):
        raw["meeting"]["end"] = "08:00"
        raw["meeting"]["absent"].append({"unit": "so-khong-co"})
    _edit_documents_yaml(data_copy, "2024", edit)
    with pytest.raises(DataError) as err:
        write_documents(Workspace.open(data_copy), BLOC, "2024", tmp_path / "d", pdf=False)
    assert [p.where for p in err.value.problems] == ["meeting.end", "meeting.absent[1].unit"]
    assert "08:00" in err.value.problems[0].message and "08:30" in err.value.problems[0].message


def test_missing_documents_file_says_what_to_write(data_copy, tmp_path):
    (data_copy / "periods" / BLOC / "2024" / "documents.yaml").unlink()
    with pytest.raises(DataError) as err:
        write_documents(Workspace.open(data_copy), BLOC, "2024", tmp_path / "d", pdf=False)
    assert "docs/documents.md" in str(err.value)


def test_unquoted_yaml_time_is_read_as_the_time_it_says(data_copy, tmp_path):
    path = data_copy / "periods" / BLOC / "2024" / "documents.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("end: '11:15'", "end: 11:15"), encoding="utf-8")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["meeting"]["end"] == 675  # YAML 1.1 base 60
    out = write_documents(Workspace.open(data_copy), BLOC, "2024", tmp_path / "d", pdf=False)
    assert any(t.startswith("Hội nghị kết thúc lúc 11 giờ 15 phút") for t in paragraphs(out.folder / "bien-ban.docx"))


def test_values_are_escaped(data_copy, tmp_path):
    units = data_copy / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace("Quỹ Phát triển đất", '"A & B <C>"'), encoding="utf-8")
    out = write_documents(Workspace.open(data_copy), BLOC, "2024", tmp_path / "d", pdf=False)
    assert "1. Tặng Cờ thi đua của UBND tỉnh cho 01 tập thể: A & B <C>." in paragraphs(out.folder / "to-trinh.docx")
    assert find_table(out.folder / "danh-sach.docx", "Tên tập thể")[1][1] == "A & B <C>"


# --------------------------------------------------------------------------- templates a province changes

def _province_template(path: Path, *lines: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(path)
    return path


def test_a_province_template_in_the_data_folder_is_used(data_copy, tmp_path):
    _province_template(data_copy / "templates" / "to-trinh.docx", "MẪU RIÊNG CỦA TỈNH: {{ issuer|upper }}", "{{ summary }}",
                       "{%p for a in proposals %}", "{{ a.text }}", "{%p endfor %}")
    out = write_documents(Workspace.open(data_copy), BLOC, "2024", tmp_path / "d", pdf=False)
    assert paragraphs(out.folder / "to-trinh.docx")[:2] == [
        "MẪU RIÊNG CỦA TỈNH: KHỐI THI ĐUA CÁC SỞ, BAN, NGÀNH KINH TẾ, KỸ THUẬT",
        "Về việc đề nghị tặng Cờ thi đua của UBND tỉnh và Bằng khen của Chủ tịch UBND tỉnh năm 2024"]
    # the other documents still come from the shipped templates
    assert "BIÊN BẢN" in paragraphs(out.folder / "bien-ban.docx")
    import json

    used = json.loads((out.folder / "manifest.json").read_text(encoding="utf-8"))["templates"]
    assert used["to-trinh"]["file"] == "templates/to-trinh.docx"
    assert used["bien-ban"]["file"] == "thidua:templates/bien-ban.docx"


def test_unknown_tag_names_the_template_and_the_tag(data_copy, tmp_path):
    tpl = _province_template(data_copy / "templates" / "to-trinh.docx", "{{ issuer }}", "Người ký: {{ nguoi_ky_sai }}")
    with pytest.raises(DataError) as err:
        write_documents(Workspace.open(data_copy), BLOC, "2024", tmp_path / "d", pdf=False)
    [p] = err.value.problems
    assert p.file == str(tpl) and p.where == "thẻ {{ nguoi_ky_sai }}"
    assert "'nguoi_ky_sai'" in p.message
    assert not (tmp_path / "d").exists()


def test_unknown_attribute_names_the_template_and_the_tag(data_copy, tmp_path):
    tpl = _province_template(data_copy / "templates" / "to-trinh.docx", "{{ signer.ten }}")
    with pytest.raises(DataError) as err:
        write_documents(Workspace.open(data_copy), BLOC, "2024", tmp_path / "d", pdf=False)
    [p] = err.value.problems
    assert p.file == str(tpl) and p.where == "thẻ {{ signer.ten }}"


@pytest.mark.parametrize("broken, tag", [("{% if is_annual %}năm{% endfi %}", "thẻ {% endfi %}"),
                                         ("Khối: {{ issuer | }}", "thẻ {{ issuer | }}")])
def test_syntax_error_names_the_template_and_the_tag(data_copy, tmp_path, broken, tag):
    tpl = _province_template(data_copy / "templates" / "bao-cao.docx", "{{ issuer }}", broken)
    with pytest.raises(DataError) as err:
        write_documents(Workspace.open(data_copy), BLOC, "2024", tmp_path / "d", pdf=False)
    [p] = err.value.problems
    assert p.file == str(tpl) and p.where == tag
    assert p.message.startswith("lỗi cú pháp mẫu")


# --------------------------------------------------------------------------- runs, CLI, manifest

def test_rerun_gives_byte_identical_documents(ws, docs2024, tmp_path):
    again = write_documents(ws, BLOC, "2024", tmp_path / "again", pdf=False)
    for f in again.docx + [again.folder / "manifest.json"]:
        assert f.read_bytes() == (docs2024 / f.name).read_bytes(), f.name


def test_cli_writes_beside_the_report_and_lists_them_in_its_manifest(tmp_path, monkeypatch):
    import json

    import toolkit.documents.writer as writer

    monkeypatch.setattr(writer, "soffice", lambda: None)  # as on a machine without LibreOffice
    report = tmp_path / "reports" / "2024" / BLOC
    report.mkdir(parents=True)
    (report / "manifest.json").write_text(json.dumps({"outputs": {"report.html": "x"}}), encoding="utf-8")
    r = CliRunner().invoke(main, ["documents", "--bloc", BLOC, "--period", "2024", "--data", str(DATA),
                                  "--reports", str(tmp_path / "reports")])
    assert r.exit_code == 0, r.output
    nominees = [f"bao-cao-thanh-tich-{u}.docx" for u in ("quy-phat-trien-dat", "so-tn-mt", "cuc-du-tru-ha-bac", "so-cong-thuong")]
    made = [f"{n}.docx" for n in ALL] + nominees  # and the dossier (tests/test_dossier.py)
    assert sorted(p.name for p in (report / "documents").iterdir()) == sorted(made + ["kiem-phieu.xlsx", "manifest.json", "ho-so", "ho-so.zip"])
    assert "apt-get install libreoffice-writer-nogui" in r.output  # how to get the PDFs
    outputs = json.loads((report / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    dossier = {f"documents/{p.relative_to(report / 'documents').as_posix()}" for p in (report / "documents" / "ho-so").iterdir()}
    assert len(dossier) == 10  # checklist, tờ trình, biên bản, biên bản kiểm phiếu, danh sách, four achievement reports, báo cáo
    assert set(outputs) == {"report.html", "documents/manifest.json", "documents/ho-so.zip", "documents/kiem-phieu.xlsx",
                            *[f"documents/{n}" for n in made], *dossier}


def test_cli_bad_data_is_a_message_not_a_traceback(data_copy, tmp_path):
    (data_copy / "periods" / BLOC / "2024" / "documents.yaml").unlink()
    r = CliRunner().invoke(main, ["documents", "--bloc", BLOC, "--period", "2024", "--data", str(data_copy),
                                  "--reports", str(tmp_path), "--no-pdf"])
    assert r.exit_code == 2 and "documents.yaml" in r.output and "Traceback" not in r.output


# --------------------------------------------------------------------------- LibreOffice (slow)

@pytest.mark.slow
@pytest.mark.requires_libreoffice
@pytest.mark.requires_poppler
def test_libreoffice_converts_each_document_and_first_pages_render(ws, tmp_path):
    out = write_documents(ws, BLOC, "2024", tmp_path / "d")
    assert [p.name for p in out.pdfs][:len(ALL)] == [f"{n}.pdf" for n in ALL]  # then the nominees' reports
    info = subprocess.run(["pdfinfo", str(out.folder / "bao-cao.pdf")], capture_output=True, text=True, check=True)
    assert "(A4)" in info.stdout, info.stdout  # "Page size: 595.3 x 841.9 pts (A4)"
    fonts = subprocess.run(["pdffonts", str(out.folder / "to-trinh.pdf")], capture_output=True, text=True, check=True)
    assert "Times" in fonts.stdout or "LiberationSerif" in fonts.stdout, fonts.stdout  # or its metric-compatible substitute
    for pdf in out.pdfs:
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / pdf.stem)], check=True)
        [png] = sorted(tmp_path.glob(f"{pdf.stem}*.png"))
        assert png.stat().st_size > 15_000  # a rendered page, not a blank one
        print(f"first page: {png}")  # look at it: pytest -s -k libreoffice tests/test_documents.py
    again = write_documents(ws, BLOC, "2024", tmp_path / "again")
    for pdf in again.pdfs:  # dates, id and checksum pinned: the same bytes
        assert pdf.read_bytes() == (out.folder / pdf.name).read_bytes(), pdf.name


@pytest.mark.slow
@pytest.mark.requires_libreoffice
def test_run_with_documents_then_verify(tmp_path):
    import json

    reports = tmp_path / "reports"
    r = CliRunner().invoke(main, ["run", "--bloc", BLOC, "--period", "2024", "--data", str(DATA), "--reports", str(reports),
                                  "--documents"])
    assert r.exit_code == 0, r.output
    folder = reports / "2024" / BLOC
    outputs = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    assert {f"documents/{n}.{ext}" for n in ALL for ext in ("docx", "pdf")} <= set(outputs)
    assert {"documents/ho-so.zip", "documents/ho-so/00-danh-muc-ho-so.pdf", "documents/ho-so/01-to-trinh.pdf"} <= set(outputs)
    v = CliRunner().invoke(main, ["verify", str(folder)])
    assert v.exit_code == 0, v.output
    (folder / "documents" / "ho-so" / "01-to-trinh.docx").write_bytes(b"edited by hand")  # the dossier is checked too
    v = CliRunner().invoke(main, ["verify", str(folder)])
    assert v.exit_code != 0 and "ho-so/01-to-trinh.docx" in v.output, v.output
