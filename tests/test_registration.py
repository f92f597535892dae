"""Registration (đăng ký thi đua): the forms out and back, registrations.csv, and the awards that require it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from conftest import by_unit, covenant_dict, main_data, make_covenant, make_vocab
from test_invariants import VOCAB, bloc_data, stacked
from toolkit.cli.main import main
from toolkit.engine.evaluate import evaluate
from toolkit.errors import DataError
from toolkit.forms import registration_layout as layout
from toolkit.forms.ingest import ingest
from toolkit.forms.registration_form import write_registrations
from toolkit.forms.workbook_layout import SHEET_META
from toolkit.model.workspace import Workspace
from toolkit.reports import result_tables
from toolkit.reports.analysis import analyse

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
BLOC, YEAR = "kinh-te-ky-thuat", "2025"
NOT_REGISTERED = "Không đủ điều kiện: chưa đăng ký thi đua"


# --------------------------------------------------------------------------- the rule

def _flag_only(requires: bool) -> dict:
    """The test covenant with a flag decided by rank alone (quota 1), so registration is what decides."""
    raw = covenant_dict()
    raw["awards"] = [{"id": "co", "title": "Cờ thi đua", "quota": {"count": 1}, "requires_registration": requires}]
    return raw


def _regs(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit_id", "kind", "item", "value", "text"]).assign(bloc_id=main_data().members.bloc_id[0])


def test_the_leader_did_not_register_so_the_flag_goes_to_the_next_eligible_unit():
    # main scenario: u1 ranks 1st (94), u2 2nd (90), u3 and u4 below, u5 has not submitted.
    # u1 ticked "Không" for the flag; u2, u3 and u4 ticked "Có"; u5 sent no registration.
    regs = _regs([("u1", "award", "co", 0, ""), ("u2", "award", "co", 1, ""), ("u3", "award", "co", 1, ""),
                  ("u4", "award", "co", 1, "")])
    data = main_data()
    data.registrations = regs
    e = evaluate(make_covenant(_flag_only(True)), data, make_vocab())["eligibility"]
    status = by_unit(e, "status")
    assert status["u1"] == NOT_REGISTERED
    assert status["u2"] == "Đề nghị"  # the next eligible unit in rank order takes the quota of 1
    assert status["u5"] == "Không đủ điều kiện: chưa nộp bảng tự chấm điểm; chưa đăng ký thi đua"
    assert sorted(e[e.nominated].unit_id) == ["u2"]
    # the same registrations under a covenant that does not require them: the leader keeps the flag
    e0 = evaluate(make_covenant(_flag_only(False)), data, make_vocab())["eligibility"]
    assert sorted(e0[e0.nominated].unit_id) == ["u1"]


def test_without_a_registrations_file_nobody_is_registered():
    data = main_data()  # registrations None: the year has no registrations.csv
    e = evaluate(make_covenant(_flag_only(True)), data, make_vocab())["eligibility"]
    assert not e.nominated.any()
    assert set(by_unit(e, "status").values()) >= {NOT_REGISTERED}
    assert by_unit(e, "status")["u2"] == NOT_REGISTERED


# --------------------------------------------------------------------------- loading registrations.csv

@pytest.fixture
def data2025(tmp_path) -> Path:
    """A private copy of the sample data whose 2025 flag requires registration."""
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    (dst / "periods" / BLOC / YEAR / "registrations.csv").unlink(missing_ok=True)
    path = dst / "covenants" / BLOC / f"{YEAR}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("- id: co_thi_dua\n", "- id: co_thi_dua\n  requires_registration: true\n", 1), encoding="utf-8")
    return dst


def test_a_missing_file_is_a_warning_and_every_unit_is_not_registered(data2025):
    res = analyse(Workspace.open(data2025), BLOC, YEAR)
    [warning] = [p for p in res.warnings if "đăng ký" in p.message]
    assert warning.file.endswith(f"{YEAR}/registrations.csv") and warning.severity == "warning"
    assert "không đơn vị nào được coi là đã đăng ký" in warning.message
    flag = res.eligibility[res.eligibility.award_id == "co_thi_dua"]
    assert not flag.nominated.any() and flag.reasons.str.contains("chưa đăng ký thi đua").all()


def test_every_bad_row_is_named_by_line_and_column(data2025):
    (data2025 / "periods" / BLOC / YEAR / "registrations.csv").write_text(
        "unit_id,kind,item,value,text\n"
        "so-cong-thuong,award,co_thi_dua,x,\n"          # line 2: not 0/1
        "so-cong-thuong,award,co_ba_sao,1,\n"           # line 3: no such award
        "so-cong-thuong,criterion,N1.1,9,\n"            # line 4: N1.1 is graded, not a target criterion
        "so-cong-thuong,criterion,N1.2,120,\n"          # line 5: a % above 100
        "so-cong-thuong,commitment,1,,\n"               # line 6: a commitment without words
        "so-cong-thuong,thing,1,,x\n"                   # line 7: unknown kind
        "so-y-te,award,co_thi_dua,1,\n"                 # line 8: not a member in 2025
        "so-cong-thuong,award,co_thi_dua,1,\n",         # line 9: second row for line 2's key
        encoding="utf-8")
    with pytest.raises(DataError) as exc:
        analyse(Workspace.open(data2025), BLOC, YEAR)
    where = sorted(p.where for p in exc.value.problems if p.file.endswith("registrations.csv"))
    assert where == sorted(["dòng 2, cột value", "dòng 3, cột item", "dòng 4, cột item", "dòng 5, cột value",
                            "dòng 6, cột text", "dòng 7, cột kind", "dòng 8, cột unit_id", "dòng 2, cột item"])


# --------------------------------------------------------------------------- the forms out and back

def _fill(path: Path, values: dict[str, object]) -> None:
    """Type into a registration form as a unit would: machine code -> value of its input cell."""
    wb = load_workbook(path)
    ws = wb[layout.SHEET_FORM]
    at = {c.value: c.row for c in ws["A"] if isinstance(c.value, str)}
    for code, value in values.items():
        col = layout.COLS["title"] if code.startswith(layout.CODE_COMMITMENT) else layout.COLS["value"]
        if code.endswith("#note"):
            code, col = code[:-5], layout.COLS["note"]
        ws[f"{col}{at[code]}"] = value
    wb.save(path)


@pytest.fixture
def forms(data2025, tmp_path) -> Path:
    """Two units' forms, filled: the rest of the members do not send theirs."""
    out = tmp_path / "forms"
    paths = write_registrations(Workspace.open(data2025), BLOC, YEAR, out, ["so-cong-thuong", "so-xay-dung"])
    sct, sxd = sorted(paths, key=lambda p: "xay-dung" in p.name)
    _fill(sct, {"award:co_thi_dua": "Có", "criterion:N1.2": "97,5", "criterion:N1.2#note": "cao hơn giao ước",
                "criterion:N2.2": 9, "commitment:2": "  100%  hồ sơ giải quyết đúng hạn "})
    _fill(sxd, {"award:co_thi_dua": "không", "award:bang_khen": "Có"})
    return out


# so-cong-thuong: flag ticked, certificate blank (= not registered); 97,5 typed with a decimal comma;
# commitment row 1 left empty, row 2's stray spaces collapsed. so-xay-dung: certificate only.
# Units in membership order (so-cong-thuong before so-xay-dung).
EXPECTED = (
    "unit_id,kind,item,value,text\n"
    "so-cong-thuong,award,co_thi_dua,1,\n"
    "so-cong-thuong,award,bang_khen,0,\n"
    "so-cong-thuong,criterion,N1.2,97.5,cao hơn giao ước\n"
    "so-cong-thuong,criterion,N2.2,9,\n"
    "so-cong-thuong,commitment,2,,100% hồ sơ giải quyết đúng hạn\n"
    "so-xay-dung,award,co_thi_dua,0,\n"
    "so-xay-dung,award,bang_khen,1,\n"
)


def test_round_trip_gives_the_hand_written_csv_and_a_rerun_changes_no_byte(data2025, forms):
    ws = Workspace.open(data2025)
    folder = data2025 / "periods" / BLOC / YEAR
    result = ingest(forms, ws, BLOC, YEAR)
    assert [(o.status, o.action) for o in result.outcomes] == [("accepted", "added")] * 2
    assert (folder / "registrations.csv").read_text(encoding="utf-8") == EXPECTED
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    again = ingest(forms, ws, BLOC, YEAR)
    assert [o.action for o in again.outcomes] == ["unchanged"] * 2 and not again.written
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_the_ingested_registrations_decide_the_flag_and_fill_the_report_table(data2025, forms):
    ws = Workspace.open(data2025)
    ingest(forms, ws, BLOC, YEAR)
    res = analyse(ws, BLOC, YEAR)
    flag = res.eligibility[res.eligibility.award_id == "co_thi_dua"].set_index("unit_id")
    # only so-cong-thuong registered for the flag: every other unit is out for that reason
    assert flag.loc["so-cong-thuong", "reasons"].find("chưa đăng ký") == -1
    assert flag.drop(index="so-cong-thuong").reasons.str.contains("chưa đăng ký thi đua").all()
    table = result_tables.registrations(res).set_index("Đơn vị")
    sct = table.loc["Sở Công Thương"]
    assert sct["Danh hiệu đăng ký"] == "Cờ thi đua của UBND tỉnh"
    assert sct["Cam kết khác"] == "2. 100% hồ sơ giải quyết đúng hạn"
    scores = pd.read_csv(data2025 / "periods" / BLOC / YEAR / "scores.csv", dtype=str).set_index(["unit_id", "criterion_id"])
    n12, n22 = (scores.loc[("so-cong-thuong", k), "verified_value"] for k in ("N1.2", "N2.2"))
    # the sample's 2025 figures (scores.csv, so-cong-thuong, verified_value): N1.2 98, N2.2 10.5.
    # N1.2: 98 % >= 97,5 % committed -> đạt; N2.2 (lower is better): 10,5 days > 9 committed -> chưa đạt
    assert (n12, n22) == ("98", "10.5")
    assert sct["Chỉ tiêu đăng ký và kết quả"] == (
        "N1.2: đăng ký 97,5%, thực hiện 98% (đạt); N2.2: đăng ký 9 ngày, thực hiện 10,5 ngày (chưa đạt)")
    assert table.loc["Sở Xây dựng", "Danh hiệu đăng ký"] == "Bằng khen của Chủ tịch UBND tỉnh"
    assert table.loc["Sở Nông nghiệp và Môi trường", "Danh hiệu đăng ký"] == "Chưa nộp bản đăng ký"


def _single(result):
    [o] = result.outcomes
    return sorted((p.where, p.message) for p in o.errors)


@pytest.mark.parametrize("code, value, cell_col, message", [
    ("award:co_thi_dua", "Có lẽ", "E", "cần “Có” hoặc “Không”, nhận được 'Có lẽ'"),
    ("criterion:N1.2", 150, "E", "nằm ngoài khoảng hợp lý (từ 0 đến 100 %)"),
    ("criterion:N2.2", "mười", "E", "cần một số"),
    ("award:bang_khen", "=1+0", "E", "ô nhập chứa công thức"),
    ("commitment:3", "xin_x0007_chào", "C", "ký tự điều khiển"),  # Excel saves a pasted BEL so
])
def test_each_bad_cell_is_named_and_nothing_is_written(data2025, tmp_path, code, value, cell_col, message):
    ws = Workspace.open(data2025)
    [path] = write_registrations(ws, BLOC, YEAR, tmp_path / "in", ["so-cong-thuong"])
    _fill(path, {code: value})
    row = next(c.row for c in load_workbook(path)[layout.SHEET_FORM]["A"] if c.value == code)
    result = ingest(tmp_path / "in", ws, BLOC, YEAR)
    [(where, text)] = _single(result)
    assert where == f"{layout.SHEET_FORM}!{cell_col}{row}" and message in text
    assert not (data2025 / "periods" / BLOC / YEAR / "registrations.csv").exists()


def test_a_form_of_another_covenant_or_period_is_refused(data2025, tmp_path):
    ws = Workspace.open(data2025)
    [path] = write_registrations(ws, BLOC, YEAR, tmp_path / "in", ["so-cong-thuong"])
    wb = load_workbook(path)
    wb[SHEET_META]["B7"] = "0000"  # covenant_digest
    wb.save(path)
    [(where, text)] = _single(ingest(tmp_path / "in", ws, BLOC, YEAR))
    assert where == f"{SHEET_META}!B7" and "giao ước khác" in text
    [path] = write_registrations(ws, BLOC, YEAR, tmp_path / "in", ["so-cong-thuong"])  # a fresh one
    [(where, text)] = _single(ingest(tmp_path / "in", ws, BLOC, "2025-H1"))
    assert "bản đăng ký là theo năm" in text and "--period 2025" in text


def test_a_different_registration_needs_replace(data2025, forms):
    ws = Workspace.open(data2025)
    ingest(forms, ws, BLOC, YEAR)
    _fill(next(forms.glob("*so-xay-dung*")), {"award:co_thi_dua": "Có"})
    refused = ingest(forms, ws, BLOC, YEAR)
    assert [o.status for o in refused.outcomes] == ["accepted", "rejected"]
    assert "--replace so-xay-dung" in refused.problems[0].message
    done = ingest(forms, ws, BLOC, YEAR, replace=["so-xay-dung"])
    assert [o.action for o in done.outcomes] == ["unchanged", "replaced"]
    text = (data2025 / "periods" / BLOC / YEAR / "registrations.csv").read_text(encoding="utf-8")
    assert text == EXPECTED.replace("so-xay-dung,award,co_thi_dua,0,", "so-xay-dung,award,co_thi_dua,1,")


def test_a_registration_and_a_self_assessment_of_one_unit_travel_together(data2025, forms, tmp_path):
    from toolkit.forms.template import write_templates

    ws = Workspace.open(data2025)
    write_templates(ws, BLOC, YEAR, forms, ["so-cong-thuong"])  # blank self-assessment: the unit already has data
    result = ingest(forms, ws, BLOC, YEAR)
    assert not any("có 2 tệp" in p.message for p in result.problems)
    assert sorted(o.submission.kind for o in result.outcomes) == sorted([layout.FORMAT_ID] * 2 + ["thidua-tu-cham-diem"])


def test_cli_writes_forms_for_a_year_only(data2025, tmp_path):
    run = CliRunner().invoke(main, ["template", "--registration", "--bloc", BLOC, "--period", "2025-H1", "--data", str(data2025),
                                    "--out", str(tmp_path / "x")])
    assert run.exit_code == 2 and "--period 2025" in run.output and not (tmp_path / "x").exists()
    run = CliRunner().invoke(main, ["template", "--registration", "--bloc", BLOC, "--period", YEAR, "--data", str(data2025),
                                    "--out", str(tmp_path / "y"), "--unit", "so-xay-dung"])
    assert run.exit_code == 0, run.output
    [path] = (tmp_path / "y").iterdir()
    wb = load_workbook(path)
    assert wb.sheetnames == [layout.SHEET_FORM, SHEET_META] and wb[SHEET_META].sheet_state == "veryHidden"
    sheet = wb[layout.SHEET_FORM]
    assert sheet.protection.sheet and wb.security.lockStructure
    assert int(sheet.page_setup.paperSize) == 9 and sheet.page_setup.fitToWidth == 1  # 9: A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    codes = {c.row: c.value for c in sheet["A"] if isinstance(c.value, str)}
    unlocked = {(c.column_letter, codes.get(c.row, "").split(":")[0]) for row in sheet.iter_rows() for c in row
                if hasattr(c, "column_letter") and c.protection.locked is False}  # merged cells' parts left out
    # the tick of an award, the figure and note of a target criterion, the words of a commitment: nothing else
    assert unlocked == {("E", "award"), ("E", "criterion"), ("F", "criterion"), ("C", "commitment")}
    # read back by the same ingest command: an untouched form registers for nothing, with a warning
    run = CliRunner().invoke(main, ["ingest", str(tmp_path / "y"), "--bloc", BLOC, "--period", YEAR, "--data", str(data2025)])
    assert run.exit_code == 0, run.output
    assert "không đăng ký danh hiệu nào" in run.output
    assert (data2025 / "periods" / BLOC / YEAR / "registrations.csv").read_text(encoding="utf-8") == (
        "unit_id,kind,item,value,text\n"
        "so-xay-dung,award,co_thi_dua,0,\n"
        "so-xay-dung,award,bang_khen,0,\n")


def test_the_data_quality_report_names_who_has_not_registered(data2025, forms):
    from toolkit.reports import data_quality

    q = data_quality.load(BLOC, YEAR, str(data2025))
    missing = data_quality.missing(q)
    rows = missing[missing["Mục"] == "Đăng ký thi đua"]
    # no registrations.csv yet: every one of the 9 members of 2025 (membership.csv, kinh-te-ky-thuat: 12 in 2024;
    # so-nn-ptnt + so-tn-mt -> so-nn-mt (-1), so-gtvt -> so-xay-dung, a member already (-1), so-tt-tt -> so-kh-cn of
    # van-hoa-xa-hoi (-1): 12 - 3 = 9 rows for 2025)
    assert len(rows) == 9
    assert "registrations.csv" in " ".join(data_quality.problems(q)["Tệp"])
    ingest(forms, Workspace.open(data2025), BLOC, YEAR)  # so-cong-thuong and so-xay-dung register
    missing = data_quality.missing(data_quality.load(BLOC, YEAR, str(data2025)))
    rows = missing[missing["Mục"] == "Đăng ký thi đua"]
    assert len(rows) == 9 - 2 and not set(rows["Đơn vị"]) & {"Sở Công Thương", "Sở Xây dựng"}
    assert rows["Còn thiếu"].iloc[0] == "chưa nộp bản đăng ký: không được xét Cờ thi đua của UBND tỉnh"


def test_the_bao_cao_reports_registrations_beside_the_results(data2025, forms):
    from toolkit.documents.template_data import _registration_items

    ws = Workspace.open(data2025)
    ingest(forms, ws, BLOC, YEAR)
    res = analyse(ws, BLOC, YEAR)
    nominated = res.eligibility[res.eligibility.nominated]
    # so-cong-thuong registered for the flag alone, so-xay-dung for the certificate alone (EXPECTED above)
    flag = int(((nominated.award_id == "co_thi_dua") & (nominated.unit_id == "so-cong-thuong")).sum())
    cert = int(((nominated.award_id == "bang_khen") & (nominated.unit_id == "so-xay-dung")).sum())
    items = {i["id"]: i["summary"] for i in _registration_items(res)}
    # 2 of the 9 members of 2025 sent a registration (membership.csv: 9 rows for kinh-te-ky-thuat 2025)
    assert items["registration"] == (f"02/09 đơn vị nộp bản đăng ký thi đua; Cờ thi đua của UBND tỉnh: 01 đơn vị đăng ký, 0{flag} "
                                     f"được đề nghị; Bằng khen của Chủ tịch UBND tỉnh: 01 đơn vị đăng ký, 0{cert} được đề nghị.")
    # so-cong-thuong (2025 scores.csv): N1.2 98 % >= 97,5 % committed; N2.2 10,5 days > 9 committed (lower is better)
    assert items["registration:N1.2"] == "01/01 đơn vị đạt mức đã đăng ký."
    assert items["registration:N2.2"] == "00/01 đơn vị đạt mức đã đăng ký; chưa đạt: Sở Công Thương."
    assert _registration_items(analyse(ws, BLOC, "2025-H1")) == []  # a half year's figures are not the year's


# --------------------------------------------------------------------------- invariants (hypothesis)

_REQUIRED = covenant_dict()
for _a in _REQUIRED["awards"]:
    _a["requires_registration"] = True
REQUIRED, PLAIN = make_covenant(_REQUIRED), make_covenant()


@st.composite
def registered_blocs(draw):
    blocs = [draw(bloc_data(f"k{i}")) for i in range(draw(st.integers(1, 2)))]
    rows = []
    for b in blocs:
        for unit, _name in b["members"]:
            for award in ("co", "bk"):
                tick = draw(st.sampled_from([None, 0, 1]))  # None: the unit sent no row for the award
                if tick is not None:
                    rows.append((b["bloc"], unit, "award", award, float(tick), ""))
    return blocs, pd.DataFrame(rows, columns=["bloc_id", "unit_id", "kind", "item", "value", "text"])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(registered_blocs())
def test_requiring_registration_removes_exactly_the_unregistered_and_nothing_else(drawn):
    blocs, regs = drawn
    data = stacked(blocs)
    data.registrations = regs
    plain = evaluate(PLAIN, data, VOCAB)["eligibility"].set_index(["bloc_id", "unit_id", "award_id"])
    required = evaluate(REQUIRED, data, VOCAB)["eligibility"].set_index(["bloc_id", "unit_id", "award_id"])
    ticked = set(map(tuple, regs.loc[regs["value"] == 1, ["bloc_id", "unit_id", "item"]].to_numpy()))
    is_registered = pd.Series([k in ticked for k in required.index], index=required.index)
    # eligible under the requirement = eligible without it and registered
    assert (required["eligible"] == (plain["eligible"] & is_registered)).all()
    # nobody unregistered is proposed, and the reason says why
    assert not (required["nominated"] & ~is_registered).any()
    assert required.loc[~is_registered, "reasons"].str.contains("chưa đăng ký thi đua").all()
    assert not required.loc[is_registered, "reasons"].str.contains("chưa đăng ký thi đua").any()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(registered_blocs())
def test_when_every_member_registered_the_requirement_changes_nothing(drawn):
    blocs, _ = drawn
    data = stacked(blocs)
    m = data.members
    data.registrations = pd.concat([m[["bloc_id", "unit_id"]].assign(kind="award", item=a, value=1.0, text="") for a in ("co", "bk")])
    a = evaluate(PLAIN, data, VOCAB)["eligibility"]
    b = evaluate(REQUIRED, data, VOCAB)["eligibility"]
    pd.testing.assert_frame_equal(a, b)


def test_a_failed_write_leaves_the_year_folder_as_it_was(data2025, forms, monkeypatch):
    import os

    folder = data2025 / "periods" / BLOC / YEAR
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    calls = []

    def full_disk(fd):  # registrations.csv and ingest_report.csv are written together: the second fails
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        ingest(forms, Workspace.open(data2025), BLOC, YEAR)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # nothing new, nothing left behind
