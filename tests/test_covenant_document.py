"""The covenant document (giao ước thi đua): read back with python-docx, hand-checked against the sample.

The sample's 2025 covenant of kinh-te-ky-thuat was signed on 15/03/2025; its 10 members are led by
Sở Nông nghiệp và Môi trường (trưởng khối) and Sở Thông tin và Truyền thông (phó khối). heads.csv
gives Sở Nông nghiệp và Môi trường a new director from 01/03/2025 (Vũ Thanh Tùng, in office on the
signing day) and Sở Công Thương one from 01/07/2025 (after it: Nguyễn Văn An still signs).
"""
from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from docx import Document
from docx.enum.section import WD_ORIENT

from test_documents import paragraphs
from toolkit.cli.main import main

BLOC = "kinh-te-ky-thuat"


def draft(data, reports, year="2025", *extra):
    r = CliRunner().invoke(main, ["documents", "--bloc", BLOC, "--period", year, "--kind", "giao-uoc", "--data", str(data),
                                  "--reports", str(reports), *extra])
    return r, reports / "covenants" / BLOC / year.split("-")[0] / "giao-uoc.docx"


def signature_cells(path) -> list[list[str]]:
    """One list per member: the non-empty lines of its two cells (unit and title above, the name below)."""
    table = Document(path).tables[1]  # the header grid, the signatures, the annex
    rows = table.rows
    lines = lambda cell: [x.text for x in cell.paragraphs if x.text.strip()]  # noqa: E731
    return [lines(top.cells[j]) + lines(bottom.cells[j]) for top, bottom in zip(rows[::2], rows[1::2]) for j in (0, 1)]


def test_the_covenant_document_holds_its_sections_targets_awards_and_one_signature_per_member(data_copy, tmp_path):
    shutil.rmtree(data_copy / "periods")  # made before the year has data: no scores needed
    r, path = draft(data_copy, tmp_path / "reports", "2025", "--no-pdf")
    assert r.exit_code == 0, r.output
    text = paragraphs(path)
    for line in ("GIAO ƯỚC THI ĐUA NĂM 2025", "KHỐI CÁC SỞ, BAN, NGÀNH THAM MƯU VÀ QUẢN LÝ NHÀ NƯỚC VỀ KINH TẾ, KỸ THUẬT",
                 "Bắc Ninh, ngày 15 tháng 3 năm 2025", "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15;",
                 "Căn cứ Quyết định 86/2025/QĐ-UBND tỉnh Bắc Ninh.", "I. NỘI DUNG THI ĐUA VÀ THANG ĐIỂM", "II. CHỈ TIÊU THI ĐUA",
                 "III. XẾP LOẠI, XẾP HẠNG VÀ KHEN THƯỞNG", "IV. TỔ CHỨC THỰC HIỆN",
                 "1. Tham mưu kịp thời cho Tỉnh ủy, HĐND, UBND tỉnh các chủ trương, cơ chế, chính sách phát triển kinh tế - xã hội "
                 "(20 điểm)",
                 "- N3.2. Mô hình, điển hình tiên tiến được phát hiện, nhân rộng: 5 điểm (1 điểm mỗi lần, tối đa 5 điểm).",
                 "- N6.2. Không có cán bộ, đảng viên vi phạm đến mức phải xử lý kỷ luật: 5 điểm (đạt: 5 điểm; không đạt: 0 điểm).",
                 "- 100% cán bộ, công chức, viên chức hoàn thành nhiệm vụ trở lên, trong đó ít nhất 15% hoàn thành xuất sắc nhiệm vụ.",
                 "- Đoàn Thanh niên (ở đơn vị có tổ chức này) được xếp loại “Vững mạnh” trở lên.",
                 "- Được tặng Cờ thi đua của UBND tỉnh năm trước: cộng 5 điểm mỗi lần, tối đa 5 điểm.",
                 "- Tổng điểm cộng tối đa 8 điểm và điểm trừ tối đa 10 điểm.",
                 "- Hoàn thành tốt nhiệm vụ: từ 80 điểm trở lên và mỗi tiêu chí đạt từ 40% điểm chuẩn trở lên.",
                 "- Không hoàn thành nhiệm vụ: các trường hợp còn lại.",
                 "Các đơn vị được xếp hạng theo tổng điểm từ cao xuống thấp; đơn vị bằng tổng điểm được xếp theo điểm nội dung N1, "
                 "rồi điểm trừ ít hơn, rồi chênh lệch giữa điểm tự chấm và điểm Khối chấm ít hơn."):
        assert line in text, line
    intro = next(t for t in text if t.startswith("Thực hiện phong trào thi đua năm 2025"))
    # 2025: Sở TT&TT merged into Sở KH&CN (the sample's reorganisation), so nine members and another deputy
    assert intro.startswith("Thực hiện phong trào thi đua năm 2025, 09 đơn vị thành viên Khối các sở, ban, ngành tham mưu và quản "
                            "lý Nhà nước về kinh tế, kỹ thuật (Trưởng khối: Sở Nông nghiệp và Môi trường; Phó khối: Cục Dự trữ "
                            "Nhà nước khu vực Hà Bắc)")
    awards = [t for t in text if t.startswith("- Cờ thi đua") or t.startswith("- Bằng khen")]
    assert awards == [
        "- Cờ thi đua của UBND tỉnh: 01 tập thể; xét theo thứ tự xếp hạng trong số các đơn vị xếp loại “Hoàn thành xuất sắc "
        "nhiệm vụ” trở lên, đạt tất cả các chỉ tiêu thi đua, không có trường hợp: có công chức, viên chức bị kỷ luật từ khiển "
        "trách trở lên, tỷ lệ xếp loại hoàn thành xuất sắc nhiệm vụ không vượt mức quy định, được từ 80% trở lên số phiếu đồng "
        "ý khi bỏ phiếu kín, tính trên tổng số phiếu phát ra (căn cứ: Luật Thi đua, khen thưởng 2022, Điều 26; Nghị định "
        "152/2025/NĐ-CP).",
        # 30 % of 9 members = 2.70, rounded down: 2
        "- Bằng khen của Chủ tịch UBND tỉnh: không quá 30% số đơn vị thành viên (30% × 9 = 2,70, làm tròn xuống: 02 tập thể); "
        "xét theo thứ tự xếp hạng trong số các đơn vị xếp loại “Hoàn thành tốt nhiệm vụ” trở lên, đạt chỉ tiêu: 100% cán bộ, "
        "công chức, viên chức hoàn thành nhiệm vụ trở lên, không có trường hợp: có công chức, viên chức bị kỷ luật từ khiển "
        "trách trở lên, không xét đơn vị đã được đề nghị Cờ thi đua của UBND tỉnh (căn cứ: Luật Thi đua, khen thưởng; quy chế "
        "khối thi đua)."]
    cells = signature_cells(path)
    assert len(cells) == 10 and cells[-1] == []  # 9 members, two a row: the last row's right cell is empty
    assert cells[0] == ["SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "GIÁM ĐỐC", "Vũ Thanh Tùng"]  # the leader first
    assert cells[1] == ["CỤC DỰ TRỮ NHÀ NƯỚC KHU VỰC HÀ BẮC", "CỤC TRƯỞNG", "Vũ Thu Hải"]  # then the deputy
    assert ["SỞ CÔNG THƯƠNG", "GIÁM ĐỐC", "Nguyễn Văn An"] in cells
    assert ["LIÊN MINH HỢP TÁC XÃ TỈNH", "CHỦ TỊCH", "Bùi Thanh Khánh"] in cells  # heads.csv line 10
    # the annex: landscape, every criterion with its points and how it is scored, the total last
    doc = Document(path)
    assert doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE and doc.sections[0].orientation == WD_ORIENT.PORTRAIT
    annex = doc.tables[-1]
    rows = [[c.text for c in r.cells] for r in annex.rows]
    assert rows[0] == ["STT", "Nội dung, tiêu chí", "Điểm chuẩn", "Cách chấm điểm"]
    assert rows[3] == ["1.2", "Tỷ lệ nhiệm vụ UBND tỉnh giao hoàn thành đúng hạn (N1.2)", "10",
                       "chỉ tiêu 95% (càng cao càng tốt): đạt chỉ tiêu được 5 điểm, chưa đạt tính theo tỷ lệ thực hiện; 5 điểm "
                       "còn lại chia theo mức cao hơn chỉ tiêu so với đơn vị vượt nhiều nhất"]
    assert rows[-1] == ["", "TỔNG CỘNG", "100", ""] and len(rows) == 1 + 6 + 14 + 1


def test_a_unit_without_a_head_shows_a_placeholder_and_reruns_are_byte_identical(data_copy, tmp_path):
    heads = pd.read_csv(data_copy / "heads.csv")
    heads[heads["unit_id"] != "so-xay-dung"].to_csv(data_copy / "heads.csv", index=False, lineterminator="\n")
    r, path = draft(data_copy, tmp_path / "reports", "2025", "--no-pdf")
    assert r.exit_code == 0, r.output
    assert ["SỞ XÂY DỰNG", "[Khối bổ sung: chức danh, họ tên người đứng đầu Sở Xây dựng]"] in signature_cells(path)
    first = path.read_bytes()
    manifest = (path.parent / "manifest.json").read_bytes()
    r, path = draft(data_copy, tmp_path / "reports", "2025", "--no-pdf")
    assert path.read_bytes() == first and (path.parent / "manifest.json").read_bytes() == manifest


def test_a_drafted_covenant_is_marked_as_a_draft_with_its_open_points(data_copy, tmp_path):
    assert CliRunner().invoke(main, ["covenant", "draft", "--bloc", BLOC, "--year", "2026", "--data", str(data_copy)]).exit_code == 0
    r, path = draft(data_copy, tmp_path / "reports", "2026", "--no-pdf")
    assert r.exit_code == 0, r.output
    text = paragraphs(path)
    assert "GIAO ƯỚC THI ĐUA NĂM 2026" in text and "Bắc Ninh, ngày ... tháng ... năm 2026" in text
    assert "DỰ THẢO: còn các điểm chưa quyết định" in text
    assert "- signed_on: ngày ký giao ước (YYYY-MM-DD) năm 2026" in text
    assert "6 điểm chưa quyết định" in r.output
    # without a signing day, each unit's latest known head signs: Sở Công Thương's from 01/07/2025
    assert ["SỞ CÔNG THƯƠNG", "GIÁM ĐỐC", "Vũ Minh Phong"] in signature_cells(path)


def test_bad_heads_file_kind_or_period_stop_with_exit_2_and_nothing_written(data_copy, tmp_path):
    reports = tmp_path / "reports"
    (data_copy / "heads.csv").write_text("unit_id,title,name,from\nso-khong-co,Giám đốc,,2025-13-01\n", encoding="utf-8")
    r, path = draft(data_copy, reports, "2025", "--no-pdf")
    assert r.exit_code == 2 and not path.exists()
    assert "dòng 2, cột unit_id: đơn vị 'so-khong-co' không có trong units.csv" in r.output
    assert "dòng 2, cột name: để trống" in r.output and "dòng 2, cột from: ngày '2025-13-01' không hợp lệ" in r.output
    r, _ = draft(data_copy, reports, "2025-H1", "--no-pdf")
    assert r.exit_code == 2 and "dùng --period 2025" in r.output
    r = CliRunner().invoke(main, ["documents", "--bloc", BLOC, "--period", "2025", "--kind", "giao-uoc", "--kind", "phieu",
                                  "--data", str(data_copy), "--reports", str(reports)])
    assert r.exit_code == 2 and "Các loại hợp lệ: bao-cao, bien-ban, to-trinh, danh-sach, phieu-bau, bien-ban-kiem-phieu, giao-uoc" in r.output
    r, _ = draft(data_copy, reports, "2031", "--no-pdf")
    assert r.exit_code == 2 and "không có giao ước thi đua của khối 'kinh-te-ky-thuat' năm 2031" in r.output


def test_kind_drafts_only_the_period_documents_asked_for_and_keeps_the_others(data_copy, tmp_path):
    reports = tmp_path / "reports"
    args = ["documents", "--bloc", BLOC, "--period", "2024", "--data", str(data_copy), "--reports", str(reports), "--no-pdf"]
    assert CliRunner().invoke(main, args).exit_code == 0
    folder = reports / "2024" / BLOC / "documents"
    before = {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()}
    doc = yaml.safe_load((data_copy / "periods" / BLOC / "2024" / "documents.yaml").read_text(encoding="utf-8"))
    doc["narrative"]["situation"] = "Tình hình đã sửa."
    (data_copy / "periods" / BLOC / "2024" / "documents.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    r = CliRunner().invoke(main, [*args, "--kind", "bao-cao"])
    assert r.exit_code == 0, r.output
    after = {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()}
    assert set(after) == set(before) and (folder / "ho-so").is_dir()  # the dossier of the whole run is kept
    assert "ho-so" in r.output  # and the secretariat is told it no longer matches the báo cáo
    assert after["bao-cao.docx"] != before["bao-cao.docx"] and "Tình hình đã sửa." in paragraphs(folder / "bao-cao.docx")
    assert all(after[n] == before[n] for n in ("bien-ban.docx", "to-trinh.docx", "danh-sach.docx"))


@pytest.mark.requires_libreoffice
def test_the_covenant_document_converts_to_pdf(data_copy, tmp_path):
    r, path = draft(data_copy, tmp_path / "reports", "2025")
    assert r.exit_code == 0, r.output
    pdf = path.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000


def test_a_head_entered_twice_for_the_same_day_is_one_problem_on_its_first_line(data_copy, tmp_path):
    with open(data_copy / "heads.csv", "a", encoding="utf-8") as fh:
        fh.write("so-cong-thuong,Giám đốc,Người Khác,2025-07-01\n")  # line 3 of the sample file has this unit and day
    r, path = draft(data_copy, tmp_path / "reports", "2025", "--no-pdf")
    assert r.exit_code == 2 and not path.exists()
    assert "dòng 3, cột from: người đứng đầu đơn vị 'so-cong-thuong' từ ngày 2025-07-01 bị nhập 2 lần" in r.output


def test_the_vote_threshold_names_the_covenants_vote_base():
    from conftest import DATA
    from toolkit.documents.covenant_document import award_text
    from toolkit.model.workspace import Workspace

    cov = Workspace.open(DATA).covenant(BLOC, 2024)
    flag = next(a for a in cov.awards if a.min_vote_share is not None)
    assert "tính trên tổng số phiếu phát ra" in award_text(cov, flag, 12)  # the default base, ballots issued
    members = flag.model_copy(update={"vote_base": "members"})
    text = award_text(cov, members, 12)
    assert "tính trên tổng số đơn vị thành viên" in text and "phiếu phát ra" not in text
