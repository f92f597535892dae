"""The ballot at year end: the papers, the count's minutes, the tally workbook and its way back into ballots.csv.

The round trip is the issue's "done when": for the sample bloc's 2024, the tally workbook that
``thidua documents`` writes, filled in as the committee would (with openpyxl, from today's
ballots.csv figures), ingested, gives the same ballots.csv and the same nominations.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn

from toolkit.cli.main import main
from toolkit.documents import write_documents
from toolkit.model.workspace import Workspace
from toolkit.reports.analysis import analyse

BLOC = "kinh-te-ky-thuat"
DATA = Path(__file__).resolve().parents[1] / "data"
FOLDER = Path("periods") / BLOC / "2024"


def paragraphs(path: Path) -> list[str]:
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in Document(path).element.body.iter(qn("w:p"))]


def tables(path: Path, first_header: str) -> list[list[list[str]]]:
    return [[[c.text for c in r.cells] for r in t.rows] for t in Document(path).tables
            if t.rows[0].cells[0].text == "STT" and t.rows[0].cells[1].text == first_header]


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ballot") / "documents"
    written = write_documents(Workspace.open(DATA), BLOC, "2024", folder, pdf=False)
    assert [p.name for p in written.workbooks] == ["kiem-phieu.xlsx"]
    return folder


def _fill(workbook: Path, ballots: pd.DataFrame, out: Path, edit=None) -> Path:
    """Type the figures of ``ballots`` into the committee's cells, as the committee would; ``edit(wb)`` spoils some."""
    wb = openpyxl.load_workbook(workbook)
    meta = {r[0]: r[1] for r in wb["_thidua"].iter_rows(values_only=True)}
    for key, sheet in meta.items():
        if not str(key).startswith("award:"):
            continue
        rows = ballots[ballots["award_id"] == key[len("award:"):]].set_index("unit_id")
        ws = wb[sheet]
        for row in ws.iter_rows(max_col=1):
            code, r = row[0].value, row[0].row
            if isinstance(code, str) and code[len("count:"):] in ("issued", "returned", "valid") and code.startswith("count:"):
                ws[f"E{r}"] = int(rows[code[len("count:"):]].iloc[0])
            elif isinstance(code, str) and code.startswith("unit:"):
                ws[f"E{r}"] = int(rows.loc[code[len("unit:"):], "in_favour"])
    if edit:
        edit(wb)
    out.mkdir(parents=True, exist_ok=True)
    wb.save(out / "kiem-phieu-da-kiem.xlsx")
    return out


def _ingest(inbox: Path, data: Path):
    return CliRunner().invoke(main, ["ingest", str(inbox), "--bloc", BLOC, "--period", "2024", "--data", str(data)])


# --------------------------------------------------------------------------- the round trip

def test_tally_filled_in_and_ingested_gives_the_same_ballots_and_nominations(docs, data_copy, tmp_path):
    path = data_copy / FOLDER / "ballots.csv"
    before_bytes = path.read_bytes()
    ws = Workspace.open(data_copy)
    before = analyse(ws, BLOC, "2024", compare=False).eligibility
    inbox = _fill(docs / "kiem-phieu.xlsx", pd.read_csv(path), tmp_path / "inbox")
    path.unlink()  # the count's only record is now the workbook
    r = _ingest(inbox, data_copy)
    assert r.exit_code == 0, r.output
    assert "24 dòng kết quả bỏ phiếu" in r.output and "Đã ghi: ballots.csv" in r.output
    assert path.read_bytes() == before_bytes
    after = analyse(Workspace.open(data_copy), BLOC, "2024", compare=False).eligibility
    pd.testing.assert_frame_equal(after, before)
    mtime = path.stat().st_mtime_ns
    again = _ingest(inbox, data_copy)  # a rerun changes nothing, not even the file's time
    assert again.exit_code == 0 and "Không có gì thay đổi" in again.output
    assert path.stat().st_mtime_ns == mtime


def test_the_count_decides_the_nominations(docs, data_copy, tmp_path):
    # Quỹ Phát triển đất, the flag's nominee with 11 of 11, gets 8 of 11 in this count: 72,7% < 80%,
    # so the flag goes to the next eligible unit or nobody; the nominations change with the workbook
    path = data_copy / FOLDER / "ballots.csv"
    ballots = pd.read_csv(path)
    ballots.loc[(ballots["award_id"] == "co_thi_dua") & (ballots["unit_id"] == "quy-phat-trien-dat"), "in_favour"] = 8
    r = _ingest(_fill(docs / "kiem-phieu.xlsx", ballots, tmp_path / "inbox"), data_copy)
    assert r.exit_code == 0, r.output
    e = analyse(Workspace.open(data_copy), BLOC, "2024", compare=False).eligibility
    flag = e[(e["award_id"] == "co_thi_dua") & (e["unit_id"] == "quy-phat-trien-dat")].iloc[0]
    assert not flag["nominated"] and "tỷ lệ phiếu 72,7% dưới mức 80%" in flag["reasons"]


# --------------------------------------------------------------------------- the ingest's checks

def _spoil(wb):
    flag, cert = (wb[n] for n in wb.sheetnames if n != "_thidua")
    rows = {c.value: c.row for c in flag["A"] if c.value}
    flag[f"E{rows['count:returned']}"] = 12  # of 11 issued
    cert_rows = {c.value: c.row for c in cert["A"] if c.value}
    cert[f"E{cert_rows['count:valid']}"] = 11
    cert[f"E{cert_rows['count:returned']}"] = 10  # 11 valid of 10 returned
    cert[f"E{cert_rows['unit:so-cong-thuong']}"] = 12  # 12 in favour of 11 valid
    cert[f"E{cert_rows['unit:so-xay-dung']}"] = None  # left blank: not 0
    cert[f"E{cert_rows['unit:so-tt-tt']}"] = "chín"


def test_every_problem_is_named_by_sheet_and_cell_and_nothing_is_written(docs, data_copy, tmp_path):
    path = data_copy / FOLDER / "ballots.csv"
    before = path.read_bytes()
    inbox = _fill(docs / "kiem-phieu.xlsx", pd.read_csv(path), tmp_path / "inbox", _spoil)
    wb = openpyxl.load_workbook(inbox / "kiem-phieu-da-kiem.xlsx")
    flag, cert = (n for n in wb.sheetnames if n != "_thidua")
    at = {s: {c.value: c.row for c in wb[s]["A"] if c.value} for s in (flag, cert)}
    r = _ingest(inbox, data_copy)
    assert r.exit_code == 1, r.output
    assert "bị từ chối" in r.output
    expected = [
        f"{flag}!E{at[flag]['count:returned']}: số phiếu thu về 12 lớn hơn số phiếu phát ra 11",
        f"{cert}!E{at[cert]['count:valid']}: số phiếu hợp lệ 11 lớn hơn số phiếu thu về 10",
        f"{cert}!E{at[cert]['unit:so-cong-thuong']}: số phiếu đồng ý 12 của Sở Công Thương lớn hơn số phiếu hợp lệ 11",
        f"{cert}!E{at[cert]['unit:so-xay-dung']}: chưa ghi số phiếu đồng ý của Sở Xây dựng",
        f"{cert}!E{at[cert]['unit:so-tt-tt']}: số phiếu đồng ý của Sở Thông tin và Truyền thông: cần số nguyên từ 0, nhận được 'chín'",
    ]
    for line in expected:
        assert line in r.output, line
    assert path.read_bytes() == before


def test_an_untouched_sheet_is_an_award_not_voted_on(docs, data_copy, tmp_path):
    ballots = pd.read_csv(data_copy / FOLDER / "ballots.csv")

    def clear_certificates(wb):
        cert = wb[[n for n in wb.sheetnames if n != "_thidua"][1]]
        for c in cert["E"]:
            if c.fill.fgColor.rgb in ("00FFF2CC", "FFFFF2CC"):  # the yellow input cells
                c.value = None

    r = _ingest(_fill(docs / "kiem-phieu.xlsx", ballots, tmp_path / "inbox", clear_certificates), data_copy)
    assert r.exit_code == 0, r.output
    assert "không bỏ phiếu Bằng khen của Chủ tịch UBND tỉnh, bỏ qua trang này" in r.output
    written = pd.read_csv(data_copy / FOLDER / "ballots.csv")
    assert set(written["award_id"]) == {"co_thi_dua"} and len(written) == 12


# --------------------------------------------------------------------------- the workbook

def test_tally_workbook_is_protected_printable_and_repeatable(docs, tmp_path):
    wb = openpyxl.load_workbook(docs / "kiem-phieu.xlsx")
    assert wb.security.lockStructure
    assert wb["_thidua"].sheet_state == "veryHidden"
    sheets = [n for n in wb.sheetnames if n != "_thidua"]
    assert sheets == ["1. Cờ thi đua của UBND tỉnh", "2. Bằng khen của Chủ tịch UBND"]
    for name in sheets:
        ws = wb[name]
        assert ws.protection.sheet
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.page_setup.orientation == "portrait"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        codes = {c.value: c.row for c in ws["A"] if c.value}
        units = [k for k in codes if k.startswith("unit:")]
        # candidates in rank order: Sở Tài nguyên và Môi trường (93,92) first, Liên minh HTX (79,61) last
        assert units[0] == "unit:so-tn-mt" and units[-1] == "unit:lien-minh-htx" and len(units) == 12
        unlocked = {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}
        assert unlocked == {f"E{codes[f'count:{k}']}" for k in ("issued", "returned", "valid", "present")} | {
            f"E{codes[u]}" for u in units}
        # the share is computed on the covenant's base: ballots issued
        assert ws[f"F{codes['unit:so-tn-mt']}"].value.endswith(f"E{codes['unit:so-tn-mt']}/E{codes['count:issued']},\"\")")
    again = write_documents(Workspace.open(DATA), BLOC, "2024", tmp_path / "again", pdf=False)
    assert again.workbooks[0].read_bytes() == (docs / "kiem-phieu.xlsx").read_bytes()


# --------------------------------------------------------------------------- the papers and the minutes of the count

def test_one_ballot_paper_per_award_with_candidates_in_rank_order(docs):
    papers = tables(docs / "phieu-bau.docx", "Tên đơn vị")
    assert len(papers) == 2
    for paper in papers:
        assert paper[0] == ["STT", "Tên đơn vị", "Tổng điểm", "Xếp hạng", "Đồng ý (X)"]
        assert paper[1] == ["1", "Sở Tài nguyên và Môi trường", "93,92", "1", ""]
        assert paper[-1] == ["12", "Liên minh Hợp tác xã tỉnh", "79,61", "12", ""]
        assert [r[3] for r in paper[1:]] == [str(i) for i in range(1, 13)]
    text = paragraphs(docs / "phieu-bau.docx")
    assert text.count("PHIẾU BẦU") == 2
    assert "Bình xét đề nghị tặng Cờ thi đua của UBND tỉnh năm 2024" in text
    assert "Đơn vị được đề nghị khi đạt tỷ lệ phiếu đồng ý từ 80% trở lên, tính trên tổng số phiếu phát ra." in text
    assert "Phiếu không hợp lệ:" in text and any(t.startswith("- Đồng ý đề nghị khen thưởng đơn vị nào") for t in text)
    breaks = [b for b in Document(docs / "phieu-bau.docx").element.body.iter(qn("w:br")) if b.get(qn("w:type")) == "page"]
    assert len(breaks) == 1  # two papers, each on its own page


def test_minutes_of_the_count_give_counts_share_base_result_and_signatures(docs):
    text = paragraphs(docs / "bien-ban-kiem-phieu.docx")
    assert "Kiểm phiếu bình xét thi đua, khen thưởng năm 2024" in text
    assert "- Bà Đỗ Thu Hà (Sở Tài nguyên và Môi trường), Trưởng ban;" in text
    # the flag: 11 issued, 11 returned, 11 valid; the certificates: one spoilt paper (10 valid of 11)
    assert "- Số phiếu hợp lệ: 11 phiếu; số phiếu không hợp lệ: 0 phiếu;" in text
    assert "- Số phiếu hợp lệ: 10 phiếu; số phiếu không hợp lệ: 1 phiếu;" in text
    assert "- Tỷ lệ phiếu đồng ý tính trên tổng số phiếu phát ra (11 phiếu). Điều kiện: từ 80% trở lên." in text
    flag = {r[1]: r[2:] for r in tables(docs / "bien-ban-kiem-phieu.docx", "Đơn vị")[0][1:]}
    assert flag["Sở Tài nguyên và Môi trường"] == ["8", "72,7%", "Không đạt"]  # 8 / 11
    assert flag["Quỹ Đầu tư phát triển"] == ["6", "54,5%", "Không đạt"]  # 6 / 11
    assert flag["Sở Công Thương"] == ["9", "81,8%", "Đạt"]  # 9 / 11 ≥ 80%
    assert "Theo thứ hạng và hạn mức của giao ước, đề nghị tặng Cờ thi đua của UBND tỉnh cho 01 tập thể: Quỹ Phát triển đất." in text
    assert ["CÁC THÀNH VIÊN", "TRƯỞNG BAN KIỂM PHIẾU"] == [t for t in text if t in ("CÁC THÀNH VIÊN", "TRƯỞNG BAN KIỂM PHIẾU")]
    assert "Đỗ Thu Hà" in text and "Vũ Quang Hải" in text


def test_minutes_before_the_count_are_a_form_with_blanks_not_zeros(data_copy, tmp_path):
    (data_copy / FOLDER / "ballots.csv").unlink()  # the meeting has not voted yet
    out = write_documents(Workspace.open(data_copy), BLOC, "2024", tmp_path / "d", pdf=False)
    text = paragraphs(out.folder / "bien-ban-kiem-phieu.docx")
    assert "- Số phiếu phát ra: …… phiếu; số phiếu thu về: …… phiếu;" in text
    flag = tables(out.folder / "bien-ban-kiem-phieu.docx", "Đơn vị")[0]
    assert flag[1] == ["1", "Sở Tài nguyên và Môi trường", "……", "……", "……"]
    assert "Kết quả: [Ban kiểm phiếu ghi kết quả sau khi kiểm phiếu]" in text


def test_the_minutes_say_the_base_the_covenant_names(data_copy, tmp_path):
    cov_path = data_copy / "covenants" / BLOC / "2024.yaml"
    cov = yaml.safe_load(cov_path.read_text(encoding="utf-8"))
    cov["awards"][0]["vote_base"] = "members"
    cov_path.write_text(yaml.safe_dump(cov, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = write_documents(Workspace.open(data_copy), BLOC, "2024", tmp_path / "d", pdf=False)
    count = paragraphs(out.folder / "bien-ban-kiem-phieu.docx")
    # 12 member units in 2024; Sở Công Thương: 9 / 12 = 75,0% < 80% (it was 9 / 11 = 81,8% on ballots issued)
    assert "- Tỷ lệ phiếu đồng ý tính trên tổng số đơn vị thành viên (12 đơn vị). Điều kiện: từ 80% trở lên." in count
    flag = {r[1]: r[2:] for r in tables(out.folder / "bien-ban-kiem-phieu.docx", "Đơn vị")[0][1:]}
    assert flag["Sở Công Thương"] == ["9", "75,0%", "Không đạt"]
    minutes = paragraphs(out.folder / "bien-ban.docx")
    assert ("Điều kiện: tỷ lệ phiếu đồng ý từ 80% trở lên, tính trên tổng số đơn vị thành viên "
            "(Giao ước thi đua năm 2024).") in minutes
    wb = openpyxl.load_workbook(out.workbooks[0])
    ws = wb[wb.sheetnames[0]]
    codes = {c.value: c.row for c in ws["A"] if c.value}
    assert ws[f"E{codes['count:members']}"].value == 12
    assert f"/E{codes['count:members']}," in ws[f"F{codes['unit:so-cong-thuong']}"].value


def test_two_tally_workbooks_in_one_folder_are_refused(docs, data_copy, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("kiem-phieu.xlsx", "kiem-phieu (1).xlsx"):
        shutil.copy(docs / "kiem-phieu.xlsx", inbox / name)
    before = (data_copy / FOLDER / "ballots.csv").read_bytes()
    r = _ingest(inbox, data_copy)
    assert r.exit_code == 2 and "có 2 bảng kiểm phiếu: để lại đúng một bảng" in r.output, r.output
    assert (data_copy / FOLDER / "ballots.csv").read_bytes() == before
