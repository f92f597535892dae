"""Deduction and sub-criteria on the self-assessment form: written, filled as a unit would, read back cell by cell.

The sample bloc's 2025 covenant is edited in a scratch copy (the sample data keep their results):
N2.1 becomes a deduction of 10 points, 2.5 per violation; N2.3 (5) gets two parts, N2.3.a graded 3
and N2.3.b pass/fail 2. The 2025-H1 submissions are dropped, so only the test's unit submits.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

import bad_workbooks
from toolkit.forms import workbook_layout as L
from toolkit.forms.ingest import ingest
from toolkit.forms.template import write_templates
from toolkit.model.workspace import Workspace
from toolkit.reports.analysis import analyse
from toolkit.reports.result_tables import criteria_detail

ROOT = Path(__file__).resolve().parent.parent
BLOC, PERIOD, UNIT = "kinh-te-ky-thuat", "2025-H1", "so-cong-thuong"


def edited_data(dst: Path) -> Path:
    data = bad_workbooks.copy_data(ROOT / "data", dst, (BLOC, PERIOD))
    path = data / "covenants" / BLOC / "2025.yaml"
    cov = yaml.safe_load(path.read_text(encoding="utf-8"))
    n2 = cov["contents"][1]["criteria"]
    assert [k["id"] for k in n2] == ["N2.1", "N2.2", "N2.3"] and n2[0]["max"] == 10 and n2[2]["max"] == 5
    n2[0] = {"id": "N2.1", "title": "Chấp hành chế độ thông tin, báo cáo", "max": 10, "kind": "deduction",
             "points_per_violation": 2.5}
    n2[2] = {"id": "N2.3", "title": "Cải cách hành chính, chuyển đổi số", "max": 5, "parts": [
        {"id": "N2.3.a", "title": "Kế hoạch cải cách hành chính ban hành đúng hạn", "max": 3},
        {"id": "N2.3.b", "title": "Công khai thủ tục hành chính trên Cổng dịch vụ công", "max": 2, "kind": "pass_fail"}]}
    path.write_text(yaml.safe_dump(cov, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data


def rows_by_code(ws) -> dict[str, int]:
    return {c.value: c.row for c in ws["A"] if isinstance(c.value, str)}


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("kinds")
    data = edited_data(base / "data")
    [form] = write_templates(Workspace.open(data), BLOC, PERIOD, base / "forms", units=[UNIT])
    return data, form


def fill(form: Path, folder: Path, violations: dict[int, tuple], extra: dict[str, object] | None = None) -> Path:
    """Violations by row number (1..) as (count or None, reason); N2.3.a 2.5 and N2.3.b passed, N1.1 9."""
    wb = load_workbook(form)
    ws = wb[L.SHEET_SCORES]
    at = rows_by_code(ws)
    ws[f"F{at['crit:N1.1']}"] = 9
    ws[f"F{at['crit:N2.3.a']}"] = 2.5
    ws[f"F{at['crit:N2.3.b']}"] = "Đạt"
    for i, (count, reason) in violations.items():
        ws[f"F{at[f'viol:N2.1:{i}']}"] = count
        ws[f"H{at[f'viol:N2.1:{i}']}"] = reason
    for a1, value in (extra or {}).items():
        ws[a1] = value
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / form.name)
    return folder


def test_the_form_has_a_subtotal_row_for_a_parent_and_violation_rows_for_a_deduction(blank):
    _, form = blank
    ws = load_workbook(form)[L.SHEET_SCORES]
    at = rows_by_code(ws)
    p, a, b = at["parent:N2.3"], at["crit:N2.3.a"], at["crit:N2.3.b"]
    assert (a, b) == (p + 1, p + 2)
    assert ws[f"D{p}"].value == 5 and ws[f"G{p}"].value == f"=ROUND(G{a}+G{b},2)"
    assert ws[f"F{p}"].protection.locked and ws[f"F{a}"].protection.locked is False
    d = at["crit:N2.1"]
    # 10 points, 2.5 a violation: ceil(10 / 2.5) = 4 rows, right below the criterion
    assert [at[f"viol:N2.1:{i}"] for i in (1, 2, 3, 4)] == [d + 1, d + 2, d + 3, d + 4] and "viol:N2.1:5" not in at
    assert ws[f"F{d}"].protection.locked  # the number is counted, never typed
    assert ws[f"F{d + 1}"].protection.locked is False and ws[f"H{d + 1}"].protection.locked is False
    assert ws[f"G{d}"].value == f"=IF(ISNUMBER(F{d}),ROUND(MAX(0,10-2.5*F{d}),2),0)"
    # the content N2 adds its scored rows only: N2.1, N2.2 and the two parts (not the parent, not the violations)
    assert ws[f"G{at['content:N2']}"].value == f"=SUM(G{d},G{at['crit:N2.2']},G{a},G{b})"


def test_round_trip_by_hand(blank, tmp_path):
    data, form = blank
    data = bad_workbooks.copy_data(data, tmp_path / "data")
    folder = fill(form, tmp_path / "in", {1: (2, "Chậm báo cáo tháng 3 và tháng 5 (Công văn 12/STC)"),
                                         2: (None, "Báo cáo quý II sai số liệu")})
    result = ingest(folder, Workspace.open(data), BLOC, PERIOD)
    assert [o.action for o in result.outcomes] == ["added"], result.problems
    period = data / "periods" / BLOC / PERIOD
    v = pd.read_csv(period / "violations.csv", dtype=str, keep_default_na=False)
    # the blank count with a reason is one violation
    assert v.values.tolist() == [[UNIT, "N2.1", "2", "Chậm báo cáo tháng 3 và tháng 5 (Công văn 12/STC)"],
                                 [UNIT, "N2.1", "1", "Báo cáo quý II sai số liệu"]]
    s = pd.read_csv(period / "scores.csv", dtype=str, keep_default_na=False).set_index("criterion_id")
    # 2 + 1 = 3 violations; the parts each have their own row, the parent none
    assert (s.loc["N2.1", "self_value"], s.loc["N2.3.a", "self_value"], s.loc["N2.3.b", "self_value"]) == ("3", "2.5", "1")
    assert "N2.3" not in s.index
    res = analyse(Workspace.open(data), BLOC, PERIOD, compare=False)
    sc = res.scores.set_index(["unit_id", "criterion_id"])
    assert sc.loc[(UNIT, "N2.1"), "final_score"] == 2.5  # 10 - 3 x 2.5
    detail = criteria_detail(res)
    mine = detail[detail["Đơn vị"] == res.units.set_index("unit_id").loc[UNIT, "name"]]
    crit = mine["Tiêu chí"].tolist()
    i = crit.index("N2.3. Cải cách hành chính, chuyển đổi số")
    assert crit[i + 1:i + 3] == ["N2.3.a. Kế hoạch cải cách hành chính ban hành đúng hạn",
                                 "N2.3.b. Công khai thủ tục hành chính trên Cổng dịch vụ công"]
    assert mine.iloc[i]["Điểm tính"] == 4.5  # 2.5 + 2
    n21 = mine[mine["Tiêu chí"].str.startswith("N2.1.")].iloc[0]
    assert n21["Ghi chú"] == ("Vi phạm (3 lần): Chậm báo cáo tháng 3 và tháng 5 (Công văn 12/STC) (2 lần); "
                              "Báo cáo quý II sai số liệu")
    # a rerun changes no byte
    before = {p.name: p.read_bytes() for p in period.iterdir()}
    again = ingest(folder, Workspace.open(data), BLOC, PERIOD)
    assert [o.action for o in again.outcomes] == ["unchanged"]
    assert {p.name: p.read_bytes() for p in period.iterdir()} == before


def test_no_violation_listed_is_full_points(blank, tmp_path):
    data, form = blank
    data = bad_workbooks.copy_data(data, tmp_path / "data")
    ingest(fill(form, tmp_path / "in", {}), Workspace.open(data), BLOC, PERIOD)
    period = data / "periods" / BLOC / PERIOD
    s = pd.read_csv(period / "scores.csv", dtype=str, keep_default_na=False).set_index("criterion_id")
    assert s.loc["N2.1", "self_value"] == "0"
    assert pd.read_csv(period / "violations.csv", dtype=str).empty
    res = analyse(Workspace.open(data), BLOC, PERIOD, compare=False)
    assert res.scores.set_index(["unit_id", "criterion_id"]).loc[(UNIT, "N2.1"), "final_score"] == 10.0


def test_bad_violation_rows_are_named_by_cell_and_nothing_is_written(blank, tmp_path):
    data, form = blank
    data = bad_workbooks.copy_data(data, tmp_path / "data")
    ws = load_workbook(form)[L.SHEET_SCORES]
    at = rows_by_code(ws)
    r1, r2, r3 = at["viol:N2.1:1"], at["viol:N2.1:2"], at["viol:N2.1:3"]
    folder = fill(form, tmp_path / "in", {1: (2, None), 2: ("1,5", "Chậm"), 3: ("=1+1", "Chậm")})
    period = data / "periods" / BLOC / PERIOD
    before = sorted(p.name for p in period.iterdir())
    result = ingest(folder, Workspace.open(data), BLOC, PERIOD)
    got = {(p.where, p.message) for p in result.problems if p.severity == "error"}
    assert got == {
        (f"{L.SHEET_SCORES}!H{r1}", "tiêu chí N2.1, vi phạm 1: có 2 lần vi phạm nhưng chưa ghi lý do (việc gì, số và ngày văn bản)"),
        (f"{L.SHEET_SCORES}!F{r2}", "tiêu chí N2.1, vi phạm 2: cần số lần là số nguyên từ 0 trở lên, nhận được '1,5'"),
        (f"{L.SHEET_SCORES}!F{r3}", "ô nhập chứa công thức: hãy nhập giá trị (số hoặc chữ), không nhập công thức"),
    }
    assert [o.status for o in result.outcomes] == ["rejected"]
    assert sorted(p.name for p in period.iterdir()) == sorted(before + ["ingest_report.csv"])  # the verdict only
    assert not (period / "violations.csv").exists() and not (period / "scores.csv").exists()


def test_the_guide_says_how_to_fill_parts_and_violations(blank):
    _, form = blank
    texts = [c.value for row in load_workbook(form)[L.SHEET_GUIDE].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("Tiêu chí có tiêu chí thành phần") for t in texts)
    assert any(t.startswith("Tiêu chí chấm trừ: kê từng lần vi phạm") for t in texts)
