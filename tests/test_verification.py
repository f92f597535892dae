"""The verification (thẩm định, chấm chéo) as a round trip: workbooks out, filled, read back into scores.csv.

A hand-made bloc-year on a copy of the sample registry: kinh-te-ky-thuat, 2025-Q3, ten members of
which three submitted, and a covenant with cross-checking groups:

    A  A1 graded 40; A2 target 90 (%), 20        B  B1 count, 5 points each, 20; B2 pass/fail 20

Self values and points (worked by hand):
    A2 excess over the target: CT (99-90)/90 = 0.1, XD 0, KCN (95-90)/90 = 0.0556; the best is CT's 0.1
    so-cong-thuong (CT)  A1 38, A2 99 -> 10 + 10*0.1/0.1 = 20, B1 4 -> 20, B2 Đạt -> 20   total 98
    so-xay-dung (XD)     A1 36, A2 90 -> 10 + 0 = 10,        B1 3 -> 15, B2 Đạt -> 20   total 81
    ban-ql-kcn (KCN)     A1 30, A2 95 -> 10 + 10*0.0556/0.1 = 15.56, B1 2 -> 10, B2 Đạt -> 20   total 75.56
Groups: so-xay-dung verifies CT, KCN and three non-submitting members; so-cong-thuong verifies XD and four more.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.cli.main import main
from toolkit.documents.template_data import _verification_lines
from toolkit.errors import DataError
from toolkit.forms import verification_layout as L
from toolkit.forms.ingest import ingest
from toolkit.forms.verification_template import write_verification_workbooks
from toolkit.model.covenant import Verification, group_problems, parse_covenant
from toolkit.model.workspace import Workspace
from toolkit.reports import data_quality, result_tables
from toolkit.reports.analysis import analyse

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
BLOC, PERIOD, YEAR = "kinh-te-ky-thuat", "2025-Q3", 2025
MEMBERS = ["so-cong-thuong", "so-nn-mt", "cuc-du-tru-ha-bac", "ban-ql-kcn", "lien-minh-htx",  # 2025: Sở TT&TT merged into Sở KH&CN
           "quy-phat-trien-dat", "so-xay-dung", "quy-dau-tu-phat-trien", "ban-ql-do-thi"]
GROUPS = [{"verifier": "so-xay-dung", "units": ["so-cong-thuong", "ban-ql-kcn", "so-nn-mt", "cuc-du-tru-ha-bac"]},
          {"verifier": "so-cong-thuong", "units": ["so-xay-dung", "lien-minh-htx", "quy-phat-trien-dat",
                                                   "quy-dau-tu-phat-trien", "ban-ql-do-thi"]}]
SCORES = """unit_id,criterion_id,self_value,verified_value,note
so-cong-thuong,A1,38,,Báo cáo 12/BC
so-cong-thuong,A2,99,,
so-cong-thuong,B1,4,,4 mô hình
so-cong-thuong,B2,1,,
so-xay-dung,A1,36,,
so-xay-dung,A2,90,,
so-xay-dung,B1,3,,
so-xay-dung,B2,1,,
ban-ql-kcn,A1,30,,
ban-ql-kcn,A2,95,,
ban-ql-kcn,B1,2,,
ban-ql-kcn,B2,1,,
"""


def covenant(verification: dict | None = None) -> dict:
    return {
        "bloc": BLOC, "year": YEAR, "title": "Giao ước thử nghiệm", "total": 100,
        "contents": [
            {"id": "A", "title": "Chuyên môn", "criteria": [
                {"id": "A1", "title": "Chất lượng tham mưu", "max": 40},
                {"id": "A2", "title": "Tỷ lệ hồ sơ đúng hạn", "max": 20, "kind": "target", "target": 90, "unit": "%"}]},
            {"id": "B", "title": "Phong trào", "criteria": [
                {"id": "B1", "title": "Mô hình điển hình", "max": 20, "kind": "count", "points_per_event": 5},
                {"id": "B2", "title": "Báo cáo đúng hạn", "max": 20, "kind": "pass_fail"}]},
        ],
        "verification": verification if verification is not None else {"mode": "cross", "groups": GROUPS},
    }


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("base") / "data"
    shutil.copytree(DATA, data)
    (data / "covenants" / BLOC / f"{YEAR}.yaml").write_text(yaml.safe_dump(covenant(), allow_unicode=True), encoding="utf-8")
    # the sample's registrations name the sample covenant's awards; this hand-made covenant has none
    (data / "periods" / BLOC / str(YEAR) / "registrations.csv").unlink(missing_ok=True)
    folder = data / "periods" / BLOC / PERIOD
    folder.mkdir(parents=True)
    (folder / "scores.csv").write_text(SCORES, encoding="utf-8")  # written before verified_note existed: no such column
    return data


@pytest.fixture
def data(base, tmp_path) -> Path:
    return Path(shutil.copytree(base, tmp_path / "data"))


def folder_of(data: Path) -> Path:
    return data / "periods" / BLOC / PERIOD


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def rows_of(ws) -> dict[tuple[str, str], int]:
    return {L.parse_row_code(c.value): c.row for c in ws["A"] if isinstance(c.value, str) and L.parse_row_code(c.value)}


def fill(path: Path, values: dict[tuple[str, str], tuple]) -> None:
    """Type (verified value, reason) into a workbook as a verifier would; a reason of None leaves the cell alone."""
    wb = openpyxl.load_workbook(path)
    ws = wb[L.SHEET_VERIFY]
    at = rows_of(ws)
    for key, (value, reason) in values.items():
        ws[f"{L.COLS['verified']}{at[key]}"] = value
        if reason is not None:
            ws[f"{L.COLS['reason']}{at[key]}"] = reason
    wb.save(path)


def workbooks(data: Path, out: Path) -> dict[str, Path]:
    paths = write_verification_workbooks(Workspace.open(data), BLOC, PERIOD, out)
    return {p.name.rsplit("_", 1)[1].removesuffix(".xlsx"): p for p in paths}


def fill_as_the_groups_would(books: dict[str, Path]) -> None:
    fill(books["so-xay-dung"], {("so-cong-thuong", "A1"): (30, "Thiếu minh chứng"), ("so-cong-thuong", "A2"): (99, None),
                                ("so-cong-thuong", "B1"): (2, "2 mô hình chưa được công nhận"),
                                ("so-cong-thuong", "B2"): ("Đạt", None),
                                ("ban-ql-kcn", "A1"): (30, None), ("ban-ql-kcn", "A2"): (95, None), ("ban-ql-kcn", "B1"): (2, None)})
    fill(books["so-cong-thuong"], {("so-xay-dung", "A1"): (36, None), ("so-xay-dung", "A2"): ("90", None),
                                   ("so-xay-dung", "B1"): (3, None), ("so-xay-dung", "B2"): ("Đạt", None)})


# --------------------------------------------------------------------------- the workbooks


def test_each_verifier_gets_a_workbook_with_just_its_units_and_the_engines_points(data, tmp_path):
    books = workbooks(data, tmp_path / "out")
    assert sorted(books) == ["so-cong-thuong", "so-xay-dung"]
    wb = openpyxl.load_workbook(books["so-xay-dung"])
    ws = wb[L.SHEET_VERIFY]
    at = rows_of(ws)
    # only the submitted units of its group, in membership order; the three others are listed without rows
    assert sorted({u for u, _ in at}) == ["ban-ql-kcn", "so-cong-thuong"]
    listed = [c.value[len(L.CODE_UNIT):] for c in ws["A"] if isinstance(c.value, str) and c.value.startswith(L.CODE_UNIT)]
    assert listed == ["so-cong-thuong", "so-nn-mt", "cuc-du-tru-ha-bac", "ban-ql-kcn"]
    E, F, G = L.COLS["self"], L.COLS["points"], L.COLS["note"]
    # hand-worked points above: the target criterion shares the bloc's best excess
    assert [ws[f"{F}{at[('so-cong-thuong', k)]}"].value for k in ("A1", "A2", "B1", "B2")] == [38, 20, 20, 20]
    assert ws[f"{F}{at[('ban-ql-kcn', 'A2')]}"].value == 15.56
    assert ws[f"{E}{at[('so-cong-thuong', 'B2')]}"].value == "Đạt"
    assert ws[f"{G}{at[('so-cong-thuong', 'A1')]}"].value == "Báo cáo 12/BC"
    # protected like the self-assessment form: only the verified and reason cells are unlocked
    assert ws.protection.sheet and wb.security.lockStructure
    row = at[("so-cong-thuong", "A1")]
    unlocked = [c.column_letter for c in ws[row] if not c.protection.locked]
    assert unlocked == [L.COLS["verified"], L.COLS["reason"]]
    # printable: A4 landscape, fitted to the width, the header row on every page
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$4:$4"
    meta = wb[L.SHEET_META]
    assert meta.sheet_state == "veryHidden"
    keys = {meta.cell(i, 1).value: meta.cell(i, 2).value for i in range(1, len(L.META_KEYS) + 1)}
    assert (keys["format"], keys["bloc"], keys["period"], keys["verifier_id"]) == (L.FORMAT_ID, BLOC, PERIOD, "so-xay-dung")
    assert keys["units"] == "so-cong-thuong,so-nn-mt,cuc-du-tru-ha-bac,ban-ql-kcn"
    recorded = sorted((meta[f"D{i}"].value, meta[f"E{i}"].value, meta[f"F{i}"].value) for i in range(1, 9))
    assert recorded[:4] == [("ban-ql-kcn", "A1", "30"), ("ban-ql-kcn", "A2", "95"), ("ban-ql-kcn", "B1", "2"), ("ban-ql-kcn", "B2", "1")]
    assert keys["self_digest"] == L.self_digest(recorded)


def test_without_groups_the_leader_verifies_everyone_in_one_workbook(data, tmp_path):
    path = data / "covenants" / BLOC / f"{YEAR}.yaml"
    path.write_text(yaml.safe_dump(covenant({"mode": "secretariat"}), allow_unicode=True), encoding="utf-8")
    books = workbooks(data, tmp_path / "out")
    assert list(books) == ["truong-khoi"]
    ws = openpyxl.load_workbook(books["truong-khoi"])[L.SHEET_VERIFY]
    assert sorted({u for u, _ in rows_of(ws)}) == ["ban-ql-kcn", "so-cong-thuong", "so-xay-dung"]
    assert "Trưởng khối (Sở Nông nghiệp và Môi trường)" in ws["B2"].value  # so-nn-mt leads the bloc in 2025


# --------------------------------------------------------------------------- reading back


def test_round_trip_sets_verified_values_and_reasons_and_changes_the_ranking(data, tmp_path):
    before = analyse(Workspace.open(data), BLOC, PERIOD, compare=False).ranking.set_index("unit_id")
    assert before.loc[["so-cong-thuong", "so-xay-dung", "ban-ql-kcn"], "total"].tolist() == [98, 81, 75.56]
    assert before.loc[["so-cong-thuong", "so-xay-dung", "ban-ql-kcn"], "rank"].tolist() == [1, 2, 3]
    books = workbooks(data, tmp_path / "out")
    fill_as_the_groups_would(books)
    result = ingest(tmp_path / "out", Workspace.open(data), BLOC, PERIOD)
    assert [o.status for o in result.outcomes] == ["accepted", "accepted"]
    assert (folder_of(data) / "scores.csv").read_text(encoding="utf-8") == (
        "unit_id,criterion_id,self_value,verified_value,note,verified_note\n"
        "so-cong-thuong,A1,38,30,Báo cáo 12/BC,Thiếu minh chứng\n"
        "so-cong-thuong,A2,99,99,,\n"
        "so-cong-thuong,B1,4,2,4 mô hình,2 mô hình chưa được công nhận\n"
        "so-cong-thuong,B2,1,1,,\n"
        "so-xay-dung,A1,36,36,,\n"
        "so-xay-dung,A2,90,90,,\n"
        "so-xay-dung,B1,3,3,,\n"
        "so-xay-dung,B2,1,1,,\n"
        "ban-ql-kcn,A1,30,30,,\n"
        "ban-ql-kcn,A2,95,95,,\n"
        "ban-ql-kcn,B1,2,2,,\n"
        "ban-ql-kcn,B2,1,,,\n")  # left blank: not verified yet, never 0
    # CT final: A1 30 + A2 20 + B1 2*5 = 10 + B2 20 = 80; XD unchanged 81; KCN's B2 falls back to self: 75.56
    after = analyse(Workspace.open(data), BLOC, PERIOD, compare=False).ranking.set_index("unit_id")
    assert after.loc[["so-cong-thuong", "so-xay-dung", "ban-ql-kcn"], "total"].tolist() == [80, 81, 75.56]
    assert after.loc[["so-xay-dung", "so-cong-thuong", "ban-ql-kcn"], "rank"].tolist() == [1, 2, 3]
    report = pd.read_csv(folder_of(data) / "ingest_report.csv", dtype=str, keep_default_na=False)
    assert sorted(report["unit_id"]) == ["tham-dinh:so-cong-thuong", "tham-dinh:so-xay-dung"]

    # a rerun changes no byte, and a workbook made now carries what is verified, so it too returns as a no-op
    files = snapshot(folder_of(data))
    again = ingest(tmp_path / "out", Workspace.open(data), BLOC, PERIOD)
    assert [o.action for o in again.outcomes] == ["unchanged", "unchanged"] and again.written == []
    assert snapshot(folder_of(data)) == files
    fresh = workbooks(data, tmp_path / "fresh")
    ingest(tmp_path / "fresh", Workspace.open(data), BLOC, PERIOD)
    assert {k: v for k, v in snapshot(folder_of(data)).items() if k != "ingest_report.csv"} == \
           {k: v for k, v in files.items() if k != "ingest_report.csv"}  # only the list of files read differs

    # where it shows: "self → verified (reason)"
    res = analyse(Workspace.open(data), BLOC, PERIOD, compare=False)
    table = result_tables.self_vs_verified(res).set_index("Đơn vị")
    assert table.loc["Sở Công Thương", "Điều chỉnh khi thẩm định"] == (
        "A1: 38 → 30 (Thiếu minh chứng); B1: 4 → 2 (2 mô hình chưa được công nhận)")
    assert table.loc["Sở Xây dựng", "Điều chỉnh khi thẩm định"] == ""
    lines = _verification_lines(res)
    assert lines[1] == ("- Sở Công Thương: tiêu chí A1 38 → 30 (Thiếu minh chứng); "
                        "tiêu chí B1 4 → 2 (2 mô hình chưa được công nhận).")
    assert lines[2] == ("Chưa thẩm định đủ (dùng điểm tự chấm cho các tiêu chí chưa thẩm định): "
                        "Ban Quản lý các Khu công nghiệp.")
    q = data_quality.load(BLOC, PERIOD, str(data))
    gaps = data_quality.self_vs_verified(q).set_index("Tiêu chí")
    assert gaps.loc["A1", "Tự chấm → thẩm định (lý do)"] == "38 → 30 (Thiếu minh chứng)"
    # verification progress: what is left, and who is due to verify it (from the groups)
    assert data_quality.unverified(q).values.tolist() == [["Ban Quản lý các Khu công nghiệp", "1: B2", "Sở Xây dựng"]]
    del fresh


def refused(result, cell: str) -> str:
    """The message of the one problem at ``cell`` (sheet!A1) of the rejected file."""
    [o] = [o for o in result.outcomes if o.status == "rejected"]
    found = [p.message for p in o.errors if p.where == cell]
    assert found, [str(p) for p in o.errors]
    return found[0]


def test_a_changed_value_without_a_reason_is_refused_with_its_cell_and_nothing_is_written(data, tmp_path):
    books = workbooks(data, tmp_path / "out")
    fill_as_the_groups_would(books)
    fill(books["so-xay-dung"], {("ban-ql-kcn", "A1"): (25, None)})
    row = rows_of(openpyxl.load_workbook(books["so-xay-dung"])[L.SHEET_VERIFY])[("ban-ql-kcn", "A1")]
    files = snapshot(folder_of(data))
    result = ingest(tmp_path / "out", Workspace.open(data), BLOC, PERIOD, dry_run=False)
    msg = refused(result, f"{L.SHEET_VERIFY}!{L.COLS['reason']}{row}")
    assert "Ban Quản lý các Khu công nghiệp, tiêu chí A1" in msg and "25 khác giá trị tự chấm 30" in msg and "lý do" in msg
    # the other group's workbook is accepted; the refused one changes nothing of its units
    scores = pd.read_csv(folder_of(data) / "scores.csv", dtype=str, keep_default_na=False).set_index(["unit_id", "criterion_id"])
    assert scores.loc[("so-xay-dung", "A1"), "verified_value"] == "36"
    assert (scores.loc["ban-ql-kcn", "verified_value"] == "").all() and scores.loc[("so-cong-thuong", "A1"), "verified_value"] == ""
    assert snapshot(folder_of(data)) != files  # the accepted workbook was written


def test_a_self_value_changed_since_the_workbook_was_made_is_refused_naming_both_values(data, tmp_path):
    books = workbooks(data, tmp_path / "out")
    fill_as_the_groups_would(books)
    path = folder_of(data) / "scores.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("ban-ql-kcn,A2,95,,", "ban-ql-kcn,A2,97.5,,"), encoding="utf-8")
    row = rows_of(openpyxl.load_workbook(books["so-xay-dung"])[L.SHEET_VERIFY])[("ban-ql-kcn", "A2")]
    result = ingest(tmp_path / "out", Workspace.open(data), BLOC, PERIOD)
    msg = refused(result, f"{L.SHEET_VERIFY}!{L.COLS['self']}{row}")
    assert msg.startswith("Ban Quản lý các Khu công nghiệp, tiêu chí A2: điểm tự chấm đã đổi")
    assert "(95 khi lập bảng, nay là 97,5)" in msg


def test_bad_verified_cells_are_each_named(data, tmp_path):
    books = workbooks(data, tmp_path / "out")
    fill(books["so-xay-dung"], {("so-cong-thuong", "A1"): (41, "quá"), ("so-cong-thuong", "B1"): ("hai", "x"),
                                ("so-cong-thuong", "B2"): ("Có", "x"), ("ban-ql-kcn", "A1"): ("=20+10", None)})
    at = rows_of(openpyxl.load_workbook(books["so-xay-dung"])[L.SHEET_VERIFY])
    V = L.COLS["verified"]
    files = snapshot(folder_of(data))
    result = ingest(tmp_path / "out", Workspace.open(data), BLOC, PERIOD)
    assert "điểm 41 vượt điểm chuẩn 40" in refused(result, f"{L.SHEET_VERIFY}!{V}{at[('so-cong-thuong', 'A1')]}")
    assert "cần số lần (số nguyên), nhận được 'hai'" in refused(result, f"{L.SHEET_VERIFY}!{V}{at[('so-cong-thuong', 'B1')]}")
    assert "“Đạt” hoặc “Không đạt”" in refused(result, f"{L.SHEET_VERIFY}!{V}{at[('so-cong-thuong', 'B2')]}")
    assert "công thức" in refused(result, f"{L.SHEET_VERIFY}!{V}{at[('ban-ql-kcn', 'A1')]}")
    assert {k: v for k, v in snapshot(folder_of(data)).items() if k != "ingest_report.csv"} == \
           {k: v for k, v in files.items() if k != "ingest_report.csv"}


def test_a_workbook_of_a_group_that_changed_is_refused(data, tmp_path):
    books = workbooks(data, tmp_path / "out")
    groups = [{"verifier": "so-xay-dung", "units": GROUPS[0]["units"][:-1]},
              {"verifier": "so-cong-thuong", "units": GROUPS[1]["units"] + ["cuc-du-tru-ha-bac"]}]
    (data / "covenants" / BLOC / f"{YEAR}.yaml").write_text(
        yaml.safe_dump(covenant({"mode": "cross", "groups": groups}), allow_unicode=True), encoding="utf-8")
    result = ingest(tmp_path / "out", Workspace.open(data), BLOC, PERIOD)
    assert all(o.status == "rejected" for o in result.outcomes)
    assert "nhóm thẩm định đã đổi" in refused_any(result, "so-xay-dung")
    del books


def refused_any(result, verifier: str) -> str:
    """Every error message of the verifier's workbook, joined."""
    [o] = [o for o in result.outcomes if o.submission.unit_id == f"tham-dinh:{verifier}"]
    return " | ".join(p.message for p in o.errors)


def test_cli_writes_and_reads_back(data, tmp_path):
    runner = CliRunner()
    out = tmp_path / "td"
    r = runner.invoke(main, ["template", "--verification", "--bloc", BLOC, "--period", PERIOD, "--out", str(out),
                             "--unit", "so-cong-thuong", "--data", str(data)])
    assert r.exit_code == 0, r.output
    assert [p.name for p in out.iterdir()] == [f"tham-dinh_{BLOC}_{PERIOD}_so-cong-thuong.xlsx"]
    fill(out / f"tham-dinh_{BLOC}_{PERIOD}_so-cong-thuong.xlsx", {("so-xay-dung", "A1"): (35, None)})
    r = runner.invoke(main, ["ingest", str(out), "--bloc", BLOC, "--period", PERIOD, "--data", str(data)])
    assert r.exit_code == 1 and "Thẩm định: Sở Công Thương" in r.output and "cần ghi lý do điều chỉnh" in r.output


# --------------------------------------------------------------------------- the groups setting


def test_groups_are_checked_in_the_covenant_and_against_the_members():
    def probs(groups, members):
        return group_problems(Verification.model_validate({"mode": "cross", "groups": groups}), members)

    assert probs(GROUPS, MEMBERS) == []
    bad = [{"verifier": "so-xay-dung", "units": ["so-xay-dung", "so-cong-thuong"]},
           {"verifier": "so-cong-thuong", "units": ["ban-ql-kcn"]}]
    with pytest.raises(DataError) as exc:  # the covenant alone: self-verification is refused on loading
        parse_covenant(covenant({"mode": "cross", "groups": bad}), "c.yaml")
    assert [(p.where, p.message) for p in exc.value.problems] == [
        ("verification.groups[0].units[0]", "đơn vị 'so-xay-dung' không được tự thẩm định bảng tự chấm của mình")]
    twice = [{"verifier": "so-xay-dung", "units": ["so-cong-thuong", "ban-ql-kcn"]},
             {"verifier": "so-tt-tt", "units": ["ban-ql-kcn", "so-la"]}]
    assert probs(twice, MEMBERS[:2] + ["ban-ql-kcn", "so-xay-dung", "so-tt-tt"]) == [
        ("verification.groups[1].units[0]", "đơn vị 'ban-ql-kcn' đã được nhóm 1 thẩm định: mỗi đơn vị chỉ được một nhóm thẩm định"),
        ("verification.groups[1].units[1]", "đơn vị 'so-la' không phải thành viên khối năm này"),
        ("verification.groups", "chưa có nhóm thẩm định các thành viên: so-nn-mt, so-xay-dung, so-tt-tt")]
    with pytest.raises(DataError) as exc:
        parse_covenant(covenant({"mode": "cross"}), "c.yaml")
    assert "cần 'groups'" in str(exc.value)


def test_bad_groups_stop_the_workbooks_with_exit_2(data, tmp_path):
    groups = [GROUPS[0], {"verifier": "so-cong-thuong", "units": GROUPS[1]["units"][:-1]}]  # ban-ql-do-thi left out
    (data / "covenants" / BLOC / f"{YEAR}.yaml").write_text(
        yaml.safe_dump(covenant({"mode": "cross", "groups": groups}), allow_unicode=True), encoding="utf-8")
    r = CliRunner().invoke(main, ["template", "--verification", "--bloc", BLOC, "--period", PERIOD,
                                  "--out", str(tmp_path / "o"), "--data", str(data)])
    assert r.exit_code == 2 and "chưa có nhóm thẩm định các thành viên: ban-ql-do-thi" in r.output
    assert not (tmp_path / "o").exists()


def test_a_self_assessment_accepted_in_the_same_run_refuses_the_workbook_of_its_verifier(data, tmp_path):
    from forms_helpers import fill_workbook
    from toolkit.forms.template import build_workbook, specs_for

    books = workbooks(data, tmp_path / "out")
    fill_as_the_groups_would(books)
    [spec] = specs_for(Workspace.open(data), BLOC, PERIOD, ["ban-ql-kcn"])
    wb = fill_workbook(build_workbook(spec), scores={"A1": 31, "A2": 95, "B1": 2, "B2": "Đạt"})  # A1 was 30
    wb.save(tmp_path / "out" / "kcn-nop-lai.xlsx")
    result = ingest(tmp_path / "out", Workspace.open(data), BLOC, PERIOD, replace=["ban-ql-kcn"])
    by = {o.submission.file: o for o in result.outcomes}
    assert by["kcn-nop-lai.xlsx"].action == "replaced"
    assert by[books["so-cong-thuong"].name].status == "accepted"
    assert "bảng tự chấm mới của Ban Quản lý các Khu công nghiệp" in refused_any(result, "so-xay-dung")
    scores = pd.read_csv(folder_of(data) / "scores.csv", dtype=str, keep_default_na=False).set_index(["unit_id", "criterion_id"])
    assert scores.loc[("ban-ql-kcn", "A1"), ["self_value", "verified_value"]].tolist() == ["31", ""]
    assert scores.loc[("so-cong-thuong", "A1"), "verified_value"] == ""  # the refused workbook wrote nothing
    assert scores.loc[("so-xay-dung", "A1"), "verified_value"] == "36"


@given(st.lists(st.integers(0, 5), min_size=2, max_size=8))
@settings(max_examples=200, deadline=None)
def test_groups_made_from_any_assignment_are_valid_exactly_when_nobody_verifies_itself(picks):
    """Invariant: members 0..n-1, member i verified by member picks[i] mod n; the groups built from that
    assignment have no problem iff no member verifies itself, and ``verifier_of`` gives the assignment back."""
    members = [f"u{i}" for i in range(len(picks))]
    by = {}
    for i, p in enumerate(picks):
        by.setdefault(members[p % len(members)], []).append(members[i])
    v = Verification.model_validate({"mode": "cross", "groups": [{"verifier": k, "units": u} for k, u in by.items()]})
    selfish = [m for i, m in enumerate(members) if picks[i] % len(members) == i]
    problems = group_problems(v, members)
    assert (problems == []) == (selfish == [])
    assert sorted(w for w, _ in problems) == sorted(
        f"verification.groups[{list(by).index(m)}].units[{by[m].index(m)}]" for m in selfish)
    assert v.verifier_of(members) == {m: members[picks[i] % len(members)] for i, m in enumerate(members)}


def test_the_data_quality_summary_says_who_still_has_to_verify_what(data, tmp_path):
    books = workbooks(data, tmp_path / "out")
    fill_as_the_groups_would(books)
    ingest(tmp_path / "out", Workspace.open(data), BLOC, PERIOD)
    text = data_quality.summary(data_quality.load(BLOC, PERIOD, str(data)))
    # 12 criterion rows of the three submitting units, 11 verified; KCN's B2 is Sở Xây dựng's to do
    assert "- 11/12 điểm tiêu chí đã được khối thẩm định." in text
    assert "- Sở Xây dựng còn 1 tiêu chí của 1 đơn vị chưa thẩm định: Ban Quản lý các Khu công nghiệp." in text
    assert "Sở Công Thương còn" not in text


def test_a_cleared_cell_unverifies_with_a_warning_and_a_missing_row_is_added_in_place(data, tmp_path):
    path = folder_of(data) / "scores.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("so-xay-dung,B2,1,,\n", ""), encoding="utf-8")  # XD left B2 out
    books = workbooks(data, tmp_path / "out")
    fill_as_the_groups_would(books)
    fill(books["so-cong-thuong"], {("so-xay-dung", "B2"): ("Không đạt", "Không có báo cáo")})  # self blank: a change, with its reason
    ingest(tmp_path / "out", Workspace.open(data), BLOC, PERIOD)
    # the new row goes after the unit's own rows, not at the end of the file
    assert path.read_text(encoding="utf-8").splitlines()[7:10] == [
        "so-xay-dung,B1,3,3,,", "so-xay-dung,B2,,0,,Không có báo cáo", "ban-ql-kcn,A1,30,30,,"]
    fill(books["so-xay-dung"], {("so-cong-thuong", "A1"): (None, "")})  # the verifier takes A1 back
    result = ingest(tmp_path / "out", Workspace.open(data), BLOC, PERIOD)
    [o] = [o for o in result.outcomes if o.submission.unit_id == "tham-dinh:so-xay-dung"]
    assert o.status == "accepted" and [p.message for p in o.warnings] == [
        "Sở Công Thương: ô thẩm định để trống, bỏ giá trị thẩm định đã ghi của tiêu chí A1 (30): "
        "các tiêu chí này trở lại chưa thẩm định"]
    assert "so-cong-thuong,A1,38,,Báo cáo 12/BC,\n" in path.read_text(encoding="utf-8")
