"""The nominees' achievement reports, the units' records and the year-end dossier (issue 20)."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from docx import Document
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA
from toolkit.documents import achievement_report as ar
from toolkit.documents import dossier, write_documents
from toolkit.documents.writer import prepare
from toolkit.errors import DataError
from toolkit.model.unit_records import DeclaredAward, UnitRecord, award_history, load_unit_record
from toolkit.model.workspace import Workspace

BLOC = "kinh-te-ky-thuat"
NOMINEE = "quy-phat-trien-dat"


def texts(path: Path) -> list[str]:
    body = Document(path).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


@pytest.fixture(scope="module")
def drafts():
    return prepare(Workspace.open(DATA), BLOC, "2024")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    return write_documents(Workspace.open(DATA), BLOC, "2024", tmp_path_factory.mktemp("docs") / "a", pdf=False)


def _context(drafts, unit_id: str, record="own"):
    res, doc = drafts.result, drafts.inputs
    awards = dict(drafts.nominees.awards)[unit_id]
    rec = drafts.nominees.records[unit_id] if record == "own" else record
    return ar.bao_cao_thanh_tich(res, doc, drafts.ballots, unit_id, awards, rec, drafts.nominees.proposed[unit_id],
                                 drafts.nominees.granted.get(unit_id))


def test_section_two_figures_of_a_nominee_worked_by_hand(drafts):
    """Quỹ Phát triển đất, kinh-te-ky-thuat 2024 (data/periods/.../2024/scores.csv, covenant 2024.yaml).

    Khối chấm (verified) per content:
      N1 = N1.1 9,75 + N1.2 (99,5% vs target 95%: ratio ≥ 1 -> 5; the bloc's best excess -> +5) 10 = 19,75 of 20
      N2 = N2.1 9,50 + N2.2 (10,5 days vs 10, lower better: 5 x 10/10,5 = 4,7619; no excess) + N2.3 4,75 = 19,0119 -> 19,01 of 25
      N3 = 9,25 + min(6 events x 1, 5) + 4,25 = 18,50 of 20
      N4 = 5 + min(4 x 2,5, 5) = 10 of 10;  N5 = 10 of 10;  N6 = 4,75 + 5 (pass) + 5 (pass) = 14,75 of 15
    Tự chấm: N1 = 10 + 10 = 20; N2 = 10 + 4,7619 + 4,75 = 19,51; the rest as verified.
    Criteria 19,75 + 19,01 + 18,50 + 10 + 10 + 14,75 = 92,01; self 20 + 19,51 + 18,50 + 10 + 10 + 14,75 = 92,76;
    no events: bonus 0, penalty 0, total 92,01 ≥ 90: "Hoàn thành xuất sắc nhiệm vụ"; 2nd of 12 (Sở TN&MT 93,92 first).
    Shares: 19,75/20 = 98,75% -> 98,8%; 19,01/25 = 76,04% -> 76,0%; 18,5/20 = 92,5%; 14,75/15 = 98,33% -> 98,3%.
    Staff 12 + 52 + 12 = 76: 76/76 completed; 12/76 = 15,79% -> 15,8% excellent (target 15%).
    Flag ballot (ballots.csv): 11 in favour of 11 issued = 100,0%.
    """
    ctx = _context(drafts, NOMINEE)
    rows = [r[2:] for r in ctx["contents"].rows]
    assert rows == [("20", "20,00", "19,75", "98,8%"), ("25", "19,51", "19,01", "76,0%"), ("20", "18,50", "18,50", "92,5%"),
                    ("10", "10,00", "10,00", "100,0%"), ("10", "10,00", "10,00", "100,0%"), ("15", "14,75", "14,75", "98,3%")]
    intro = ctx["results_intro"]
    assert "tự chấm 92,76 điểm; Khối chấm 92,01/100 điểm tiêu chí, điểm cộng 0,00, điểm trừ 0,00, tổng điểm 92,01" in intro
    assert "xếp thứ 2/12 đơn vị của Khối; xếp loại: Hoàn thành xuất sắc nhiệm vụ" in intro
    assert any("76/76 = 100,0%" in t and ": đạt" in t for t in ctx["targets"])
    assert any("12/76 = 15,8%" in t and ": đạt" in t for t in ctx["targets"])
    assert ctx["votes"] == ["Tại Hội nghị bình xét ngày 05/12/2024, đơn vị được 11/11 phiếu đồng ý (100,0% số phiếu phát ra), "
                            "được Khối thống nhất đề nghị tặng Cờ thi đua của UBND tỉnh."]
    assert ctx["summary"] == "Đề nghị tặng Cờ thi đua của UBND tỉnh năm 2024"


def test_section_three_joins_the_decisions_the_declared_awards_and_pending_proposals(drafts):
    """Quỹ Phát triển đất was proposed in 2019 (Bằng khen), 2020 (Cờ), 2021 and 2022 (Bằng khen); it declares 2017.

    The province's decisions (data/decisions/): 2019's Bằng khen and 2020's Cờ were decided without it (not
    granted: no award of the unit, so not listed); 2021's by 315/QĐ-UBND of 23/01/2022 and 2022's by 344/QĐ-UBND
    of 23/01/2023 granted it. 2024, the year proposed, is not history.
    """
    ctx = _context(drafts, NOMINEE)
    rows = [(r[1], r[2], r[4]) for r in ctx["awards"].rows]
    assert rows == [("2017", "Tập thể lao động tiên tiến", "Đơn vị kê khai"),
                    ("2021", "Bằng khen của Chủ tịch UBND tỉnh", "Theo quyết định khen thưởng"),
                    ("2022", "Bằng khen của Chủ tịch UBND tỉnh", "Theo quyết định khen thưởng")]
    assert ctx["awards"].rows[0][3] == "Quyết định số 1890/QĐ-UBND ngày 28/12/2017 của UBND tỉnh Bắc Ninh"
    assert ctx["awards"].rows[1][3] == "Quyết định số 315/QĐ-UBND ngày 23/01/2022 của UBND tỉnh Bắc Ninh"


def test_a_proposal_without_a_decision_stays_a_proposal_and_a_refused_one_is_dropped():
    proposed = pd.DataFrame({"year": [2020, 2021, 2022], "award": ["Cờ", "Bằng khen", "Bằng khen"], "unit_name": ["A"] * 3,
                             "granted": [False, True, pd.NA]})
    granted = pd.DataFrame({"year": [2021], "award": ["Bằng khen"], "status": ["granted"], "decision": ["9/QĐ-UBND"],
                            "decision_date": [None], "issuer": ["UBND tỉnh"], "unit_name": ["A"]})
    h = award_history(proposed, None, granted=granted)
    # 2020 refused: gone; 2021 granted: once, from the decision; 2022 no decision yet: still the bloc's proposal
    assert list(zip(h["year"], h["status"], h["decision"])) == [(2021, "granted", "9/QĐ-UBND"), (2022, "proposed", "")]


def test_a_declared_award_replaces_the_proposal_it_records():
    proposed = pd.DataFrame({"year": [2018, 2019], "award": ["Cờ thi đua của UBND tỉnh", "Bằng khen"], "unit_name": ["A", "A"]})
    rec = UnitRecord(awards=[DeclaredAward(year=2018, award="cờ thi đua của  UBND tỉnh", decision="1/QĐ-UBND")])
    h = award_history(proposed, rec)
    assert list(zip(h["year"], h["status"], h["decision"])) == [(2018, "declared", "1/QĐ-UBND"), (2019, "proposed", "")]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(2018, 2022), st.sampled_from(["Cờ", "Bằng khen", "TTLĐXS"])), max_size=8),
       st.lists(st.tuples(st.integers(2018, 2022), st.sampled_from(["Cờ", "Bằng khen", "Huân chương"])), max_size=5),
       st.integers(2018, 2023))
def test_award_history_keeps_every_award_once_and_only_earlier_years(proposals, declared, before):
    proposed = pd.DataFrame(proposals, columns=["year", "award"]).assign(unit_name="A").drop_duplicates(["year", "award"])
    rec = UnitRecord(awards=[DeclaredAward(year=y, award=a) for y, a in declared])
    h = award_history(proposed, rec, before=before)
    assert (h["year"] < before).all()
    assert list(h["year"]) == sorted(h["year"])
    want = {(y, a) for y, a in declared if y < before} | {(y, a) for y, a in proposals if y < before}
    assert set(zip(h["year"], h["award"])) == want
    assert len(h[h["status"] == "proposed"]) == len({(y, a) for y, a in proposals if y < before} - set(declared))


def test_a_unit_without_record_gets_placeholders_not_a_failure(drafts):
    ctx = _context(drafts, NOMINEE, record=None)
    general = "\n".join(g["text"] + g["gap"] + g["end"] for g in ctx["general"])
    assert {"text": "- Địa chỉ trụ sở: ", "gap": "[Đơn vị bổ sung: địa chỉ trụ sở]", "end": "."} in ctx["general"]
    for what in ("địa chỉ trụ sở", "số điện thoại", "họ tên, chức vụ Thủ trưởng đơn vị", "tổng số cán bộ"):
        assert f"[Đơn vị bổ sung: {what}" in general
    assert ctx["head"]["name"] == "[Đơn vị bổ sung: họ tên]"
    assert ctx["achievements"].text == "" and ctx["achievements"].who == "Đơn vị"
    assert ctx["nominee"] == "Quỹ Phát triển đất"  # the registry's name when no full name is recorded


def test_the_sample_nominee_without_record_shows_its_placeholders_in_the_report(written):
    out = written
    doc = out.folder / f"{ar.file_name('cuc-du-tru-ha-bac')}.docx"
    lines = texts(doc)
    assert "- Địa chỉ trụ sở: [Đơn vị bổ sung: địa chỉ trụ sở]." in lines
    assert any(t.startswith("[Đơn vị bổ sung: chức năng, nhiệm vụ được giao]") for t in lines)
    assert "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH" in lines and "III. CÁC HÌNH THỨC KHEN THƯỞNG ĐÃ ĐƯỢC GHI NHẬN" in lines
    assert any("Mẫu số 02, Phụ lục I Nghị định số 98/2023/NĐ-CP" in t for t in lines)


def test_a_record_with_an_unknown_key_stops_with_file_and_key(data_copy):
    path = data_copy / "records" / f"{NOMINEE}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["adress"] = "typo"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError) as exc:
        prepare(Workspace.open(data_copy), BLOC, "2024")
    assert any(p.file == str(path) and p.where == "adress" for p in exc.value.problems)


def test_a_record_read_normalises_text(data_copy):
    import unicodedata

    path = data_copy / "records" / f"{NOMINEE}.yaml"
    path.write_text(unicodedata.normalize("NFD", "address: Số  1,  Lý Thái Tổ\n"), encoding="utf-8")
    assert load_unit_record(data_copy, NOMINEE).address == "Số 1, Lý Thái Tổ"


# --------------------------------------------------------------------------- the dossier


def test_checklist_marks_a_document_with_placeholder_text_incomplete(tmp_path):
    d = Document()
    d.add_paragraph("Báo cáo đầy đủ.")
    d.save(tmp_path / "bao-cao.docx")
    d = Document()
    t = d.add_table(rows=1, cols=1)
    t.cell(0, 0).text = "Địa chỉ: [Đơn vị bổ sung: địa chỉ trụ sở]"  # inside a table too
    d.add_paragraph("[Khối bổ sung: tồn tại, hạn chế]")
    d.save(tmp_path / "to-trinh.docx")
    entries = dossier.check(tmp_path, [("Tờ trình", "to-trinh"), ("Báo cáo", "bao-cao"), ("Danh sách", "danh-sach")])
    assert [e.status for e in entries] == ["Còn 02 chỗ cần bổ sung", "Đủ", "Thiếu"]
    assert entries[0].gaps == ("[Đơn vị bổ sung: địa chỉ trụ sở]", "[Khối bổ sung: tồn tại, hạn chế]")


def test_the_ballot_committee_minutes_join_the_dossier_only_when_drafted(drafts, tmp_path):
    wanted = [stem for _, stem in dossier.items(drafts.result, tmp_path, drafts.nominees)]
    assert "bien-ban-kiem-phieu" not in wanted and wanted[:3] == ["to-trinh", "danh-sach", "bien-ban"]
    (tmp_path / "bien-ban-kiem-phieu.docx").write_bytes(b"")
    wanted = [stem for _, stem in dossier.items(drafts.result, tmp_path, drafts.nominees)]
    assert wanted[:4] == ["to-trinh", "danh-sach", "bien-ban", "bien-ban-kiem-phieu"] and wanted[-1] == "bao-cao"


def test_dossier_holds_every_document_in_order_with_its_checklist(written):
    out = written
    ho = out.folder / dossier.HO_SO
    assert sorted(p.name for p in ho.iterdir()) == [
        "00-danh-muc-ho-so.docx", "01-to-trinh.docx", "02-danh-sach.docx", "03-bien-ban.docx",
        "04-bien-ban-kiem-phieu.docx",  # the ballot committee's minutes, drafted with the other year-end documents
        "05-bao-cao-thanh-tich-quy-phat-trien-dat.docx", "06-bao-cao-thanh-tich-so-tn-mt.docx",
        "07-bao-cao-thanh-tich-cuc-du-tru-ha-bac.docx", "08-bao-cao-thanh-tich-so-cong-thuong.docx", "09-bao-cao.docx"]
    assert (ho / "01-to-trinh.docx").read_bytes() == (out.folder / "to-trinh.docx").read_bytes()
    lines = texts(ho / "00-danh-muc-ho-so.docx")
    assert "Báo cáo thành tích của Cục Dự trữ Nhà nước khu vực Hà Bắc" in lines
    assert lines[lines.index("Tờ trình đề nghị khen thưởng") + 2] == "Đủ"
    # Quỹ PTĐ and Sở Công Thương: complete (every earlier proposal of theirs decided); Sở TN&MT: no 2024 narrative;
    # Cục Dự trữ: no record at all
    assert any(t.startswith("Hồ sơ chưa hoàn chỉnh: 02 tài liệu còn nội dung cần bổ sung") for t in lines)
    assert out.dossier[0] == "01. Tờ trình đề nghị khen thưởng: Đủ"
    assert any(line.startswith("07. Báo cáo thành tích của Cục Dự trữ") and "cần bổ sung" in line for line in out.dossier)
    with zipfile.ZipFile(out.folder / dossier.ZIP) as z:
        assert sorted(z.namelist()) == sorted(f"ho-so/{p.name}" for p in ho.iterdir())
        assert {i.date_time for i in z.infolist()} == {(2024, 12, 6, 0, 0, 0)}  # the documents' date, not the clock


def test_dossier_and_zip_are_byte_identical_on_rerun(written, tmp_path):
    ws = Workspace.open(DATA)
    a = written.folder
    b = write_documents(ws, BLOC, "2024", tmp_path / "b", pdf=False).folder
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert Path(dossier.ZIP) in files and Path("ho-so/00-danh-muc-ho-so.docx") in files
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f


def test_manifest_lists_the_dossier_and_the_records_read(written):
    import json

    out = written
    record = json.loads((out.folder / "manifest.json").read_text(encoding="utf-8"))
    assert "ho-so/00-danh-muc-ho-so.docx" in record["outputs"] and "ho-so.zip" in record["outputs"]
    assert f"records/{NOMINEE}.yaml" in record["inputs"]
    assert "periods/kinh-te-ky-thuat/2020/scores.csv" in record["inputs"]  # the proposals of earlier years
    assert record["templates"]["bao-cao-thanh-tich-so-cong-thuong"]["file"] == "thidua:templates/bao-cao-thanh-tich.docx"


def test_verify_compares_the_dossier(tmp_path):
    from toolkit.runs.verify import compare_folders

    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        (root / "documents" / "ho-so").mkdir(parents=True)
        (root / "documents" / "ho-so" / "01-to-trinh.docx").write_bytes(b"x")
    (b / "documents" / "ho-so" / "01-to-trinh.docx").write_bytes(b"y")
    assert compare_folders(a, b) == ["documents/ho-so/01-to-trinh.docx"]


def test_shipped_dossier_templates_are_what_the_builder_makes(tmp_path):
    from toolkit.documents.build_templates import TEMPLATES_DIR
    from toolkit.documents.dossier_templates import build

    for made in build(tmp_path):
        assert made.read_bytes() == (TEMPLATES_DIR / made.name).read_bytes(), f"rerun dossier_templates: {made.name}"


@pytest.mark.slow
def test_run_all_blocs_2024_with_documents_exits_0(tmp_path):
    """Every sample bloc has its secretariat file, so the batch drafts every bloc's documents and dossier."""
    reports = tmp_path / "reports"
    proc = subprocess.run([sys.executable, "-m", "toolkit", "run", "--bloc", "all", "--period", "2024", "--documents",
                           "--data", str(DATA), "--reports", str(reports), "--jobs", "1"],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for bloc in ("kinh-te-ky-thuat", "van-hoa-xa-hoi", "noi-chinh-tong-hop"):
        assert (reports / "2024" / bloc / "documents" / dossier.ZIP).is_file(), bloc


def test_the_form_is_a_setting_and_an_unconfirmed_one_says_so(drafts):
    from toolkit.model.secretariat import AchievementForm

    assert ar.form_text(drafts.inputs) == "(Theo Mẫu số 02, Phụ lục I Nghị định số 98/2023/NĐ-CP)"  # the default
    doc = drafts.inputs.model_copy(update={"achievement_form": AchievementForm(decree="Nghị định số 152/2025/NĐ-CP",
                                                                                confirmed=False)})
    assert ar.form_text(doc) == "(Theo Mẫu số 02, Phụ lục I Nghị định số 152/2025/NĐ-CP; số mẫu chưa được xác nhận)"
