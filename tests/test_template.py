"""The self-assessment workbook: identification, protection, Excel validation, formulas, layout."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from toolkit.forms import workbook_layout, template
from toolkit.cli.main import main
from toolkit.model.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
BLOC, PERIOD, UNIT = "kinh-te-ky-thuat", "2018", "so-cong-thuong"


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return Workspace.open(DATA)


@pytest.fixture(scope="module")
def book(ws, tmp_path_factory):
    """One generated template, saved and loaded back as Excel would see it."""
    [spec] = template.specs_for(ws, BLOC, PERIOD, [UNIT], deadline="10/12/2018", contact="Văn phòng khối")
    path = template.write_template(spec, tmp_path_factory.mktemp("tpl"))
    return load_workbook(path)


def rows_by_code(sheet, prefix: str) -> dict[str, int]:
    return {c.value[len(prefix):]: c.row for c in sheet["A"] if isinstance(c.value, str) and c.value.startswith(prefix)}


def validations(sheet) -> dict[str, object]:
    """A1 ref -> the data validation covering it."""
    out = {}
    for dv in sheet.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in sheet[rng.coord] if ":" in rng.coord else [[sheet[rng.coord]]]:
                for cell in row:
                    out[cell.coordinate] = dv
    return out


def test_sheets_in_order_with_the_identification_very_hidden(book):
    assert book.sheetnames == [workbook_layout.SHEET_GUIDE, workbook_layout.SHEET_SCORES, workbook_layout.SHEET_STAFF, workbook_layout.SHEET_ORGS,
                               workbook_layout.SHEET_EVENTS, workbook_layout.SHEET_META]
    meta = book[workbook_layout.SHEET_META]
    assert meta.sheet_state == "veryHidden" and meta.protection.sheet
    values = {meta.cell(i, 1).value: meta.cell(i, 2).value for i in range(1, len(workbook_layout.META_KEYS) + 1)}
    ws = Workspace.open(DATA)
    assert values == {"format": workbook_layout.FORMAT_ID, "template_version": workbook_layout.TEMPLATE_VERSION, "bloc": BLOC, "period": PERIOD,
                      "unit_id": UNIT, "unit_name": "Sở Công Thương",
                      "covenant_digest": workbook_layout.covenant_digest(ws.covenant(BLOC, 2018))}
    assert book.security.lockStructure  # sheets cannot be added, removed, renamed or unhidden


def test_only_input_cells_are_unlocked_and_every_sheet_is_protected(book):
    for name in book.sheetnames:
        assert book[name].protection.sheet, name
    sheet = book[workbook_layout.SHEET_SCORES]
    at = rows_by_code(sheet, workbook_layout.CODE_CRITERION)
    unlocked = {c.coordinate for row in sheet.iter_rows() for c in row if c.protection.locked is False}
    want = {f"{workbook_layout.SCORE_COLS[k]}{r}" for r in at.values() for k in ("value", "note")}
    assert unlocked == want
    guide = book[workbook_layout.SHEET_GUIDE]
    anchors = [c for row in guide.iter_rows() for c in row if not isinstance(c, MergedCell)]  # a merge acts as its anchor
    assert {c.coordinate for c in anchors if c.protection.locked is False} == {
        c.coordinate for row in guide.iter_rows() for c in row if c.value in ("10/12/2018", "Văn phòng khối")}


def test_excel_validates_each_kind_of_criterion(book, ws):
    sheet = book[workbook_layout.SHEET_SCORES]
    at = rows_by_code(sheet, workbook_layout.CODE_CRITERION)
    dv = validations(sheet)
    cov = ws.covenant(BLOC, 2018)
    for _, k in cov.criteria:
        v = dv[f"{workbook_layout.SCORE_COLS['value']}{at[k.id]}"]
        assert v.showErrorMessage and v.errorStyle == "stop"
        if k.kind == "graded":
            assert (v.type, v.operator, v.formula1, float(v.formula2)) == ("decimal", "between", "0", k.max)
        elif k.kind == "pass_fail":
            assert (v.type, v.formula1) == ("list", "=DS_DAT")
        elif k.kind == "count":
            assert (v.type, v.operator, v.formula1) == ("whole", "greaterThanOrEqual", "0")
        elif k.unit == "%":  # a percentage: 0..100, as the reader and the loader accept
            assert (v.type, v.operator, v.formula1, v.formula2) == ("decimal", "between", "0", "100")
        else:
            assert (v.type, v.operator, v.formula1) == ("decimal", "greaterThanOrEqual", "0")


def test_drop_downs_list_exactly_the_labels_valid_that_year(book, ws):
    meta = book[workbook_layout.SHEET_META]

    def listed(name):
        ref = book.defined_names[name].attr_text.split("!")[1].replace("$", "")
        return [c.value for row in meta[ref] for c in row]

    assert listed("DS_DAT") == [workbook_layout.PASS, workbook_layout.FAIL]
    party = listed("DS_DANG")
    assert sorted(party) == sorted(ws.vocab.scales["party"].valid_labels(2018))
    assert party[0] == "Trong sạch vững mạnh tiêu biểu"  # best level first
    assert sorted(listed("DS_DOANTHE")) == sorted(ws.vocab.scales["mass"].valid_labels(2018))
    orgs = book[workbook_layout.SHEET_ORGS]
    at = rows_by_code(orgs, workbook_layout.CODE_ORG)
    dv = validations(orgs)
    assert dv[f"D{at['party']}"].formula1 == "=DS_DANG" and dv[f"D{at['union']}"].formula1 == "=DS_DOANTHE"


def test_staff_sheet_uses_the_labels_of_the_year(ws):
    labels_2018 = [label for _, label in template.staff_rows(ws.vocab, 2018)]
    labels_2020 = [label for _, label in template.staff_rows(ws.vocab, 2020)]
    assert labels_2018[2] == "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực"
    assert labels_2020[2] == "Hoàn thành nhiệm vụ"


def test_running_total_formulas(book, ws):
    sheet = book[workbook_layout.SHEET_SCORES]
    at = rows_by_code(sheet, workbook_layout.CODE_CRITERION)
    codes = {c.value: c.row for c in sheet["A"] if isinstance(c.value, str)}
    G = workbook_layout.SCORE_COLS["points"]
    assert sheet[f"{G}{at['N1.1']}"].value == "=IF(ISNUMBER(F{0}),ROUND(F{0},2),0)".format(at["N1.1"])
    assert "MIN(5,2.5*F" in sheet[f"{G}{at['N4.2']}"].value  # count: points per event, capped
    assert f'TRIM(F{at["N6.2"]})="Đạt"' in sheet[f"{G}{at['N6.2']}"].value
    assert sheet[f"{G}{codes['content:N1']}"].value == f"=SUM({G}{at['N1.1']}:{G}{at['N1.2']})"
    total = sheet[f"{G}{codes['total:all']}"].value
    assert total.startswith("=ROUND(") and "+" in total
    events = book[workbook_layout.SHEET_EVENTS]
    ev = {c.value: c.row for c in events["A"] if isinstance(c.value, str)}
    assert sheet[f"{G}{codes['total:bonus']}"].value == f"='{workbook_layout.SHEET_EVENTS}'!G{ev['total:bonus']}"
    assert events[f"G{ev['total:bonus']}"].value.startswith("=MIN(8,SUMIF(")
    assert events[f"G{ev['total:penalty']}"].value.startswith("=MAX(-10,SUMIF(")


def test_printed_form_a4_times_new_roman(book):
    for name in (workbook_layout.SHEET_GUIDE, workbook_layout.SHEET_SCORES, workbook_layout.SHEET_EVENTS):
        sheet = book[name]
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert round(sheet.page_margins.left * 25.4) == 30
    assert book[workbook_layout.SHEET_SCORES].page_setup.orientation == "landscape"
    fonts = {c.font.name for name in book.sheetnames[:-1] for row in book[name].iter_rows() for c in row if c.value}
    assert fonts == {"Times New Roman"}
    guide = book[workbook_layout.SHEET_GUIDE]
    texts = [c.value for row in guide.iter_rows() for c in row if isinstance(c.value, str)]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts and "SỞ CÔNG THƯƠNG" in texts


def test_cli_writes_one_workbook_per_member(tmp_path):
    out = tmp_path / "mau"
    res = CliRunner().invoke(main, ["template", "--bloc", BLOC, "--period", PERIOD, "--out", str(out), "--data", str(DATA)])
    assert res.exit_code == 0, res.output
    ws = Workspace.open(DATA)
    members = ws.registry.members(BLOC, 2018)["unit_id"]
    assert sorted(p.name for p in out.iterdir()) == sorted(template.template_filename(BLOC, PERIOD, u) for u in members)
    assert "Đã ghi 10 mẫu" in res.output


def test_cli_refuses_an_unknown_bloc_or_unit_with_the_valid_ones(tmp_path):
    res = CliRunner().invoke(main, ["template", "--bloc", "khong-co", "--period", PERIOD, "--out", str(tmp_path)])
    assert res.exit_code == 2 and "Các khối hợp lệ" in res.output
    res = CliRunner().invoke(main, ["template", "--bloc", BLOC, "--period", PERIOD, "--unit", "so-y-te", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "không phải thành viên" in res.output
