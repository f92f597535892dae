"""End to end: `thidua run` on the sample data, every output checked against the engine."""
from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook

from toolkit import config
from toolkit.model.workspace import Workspace
from toolkit.reports.analysis import analyse

pytestmark = pytest.mark.slow
ROOT = config.ROOT
BIN = Path(sys.executable).parent
BLOC, PERIOD = "kinh-te-ky-thuat", "2018"


def thidua(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "thidua"), *args], capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    reports = tmp_path_factory.mktemp("reports")
    proc = thidua("run", "--bloc", BLOC, "--period", PERIOD, "--reports", str(reports))
    assert proc.returncode == 0, proc.stderr
    folder = reports / PERIOD / BLOC
    assert str(folder / "report.html") in proc.stdout
    return folder


@pytest.fixture(scope="module")
def result():
    return analyse(Workspace.open(config.DATA_DIR), BLOC, PERIOD)


def test_every_output_is_written(report):
    names = sorted(p.relative_to(report).as_posix() for p in report.rglob("*") if p.is_file())
    for expected in ("report.ipynb", "report.html", "results.xlsx", "manifest.json", "results/xep_hang.csv",
                     "results/bang_diem.csv", "results/chi_tieu.csv", "results/de_nghi_khen_thuong.csv"):
        assert expected in names
    assert not list(report.parent.glob(".*tmp*")), "temporary folder left behind"


def test_html_has_no_code_and_names_every_member(report, result):
    text = (report / "report.html").read_text(encoding="utf-8")
    nb = nbformat.read(report / "report.ipynb", as_version=4)
    code_lines = [ln for c in nb.cells if c.cell_type == "code" for ln in c.source.splitlines() if ln and not ln.startswith("#")]
    assert len(code_lines) > 10
    assert [ln for ln in code_lines if html.escape(ln, quote=False) in text] == []
    assert "<script src=" not in text, "the report must open offline"
    for name in result.units["name"]:
        assert html.escape(name) in text
    assert "Dữ liệu mẫu" in text
    assert re.search(r'<img[^>]+src="data:image/png;base64,', text), "charts must be embedded"
    assert "Sổ tay này lập báo cáo" not in text, "notebook-only prose must not reach the filed report"


def test_xlsx_numbers_equal_engine_results(report, result):
    wb = load_workbook(report / "results.xlsx", read_only=True)
    assert {"Bảng điểm", "Xếp hạng", "Chỉ tiêu", "Đề nghị khen thưởng"} <= set(wb.sheetnames)
    rows = list(wb["Xếp hạng"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:3] == ("Hạng", "Đơn vị", "Tổng điểm")
    got = {r[1]: (r[0], r[2]) for r in body}
    for u in result.units.itertuples():
        rank, total = got[u.name]
        if u.submitted:
            assert (rank, total) == (int(u.rank), pytest.approx(float(u.total), abs=1e-9))
        else:
            assert rank == "—" and total is None
    # hand-checked sample values (see data/periods/kinh-te-ky-thuat/2018): the leader and the tie
    assert got["Ban Quản lý các Khu công nghiệp"] == (1, 95.0)
    assert got["Sở Công Thương"][1] == got["Sở Xây dựng"][1] == 89.15
    nominated = [r for r in wb["Đề nghị khen thưởng"].iter_rows(values_only=True) if r[4] == "Có"]
    assert ("Cờ thi đua của UBND tỉnh", "Sở Tài nguyên và Môi trường") in {(r[0], r[2]) for r in nominated}
    # a read-only workbook has no freeze_panes: open the sheet normally to check the frozen header
    assert load_workbook(report / "results.xlsx")["Xếp hạng"].freeze_panes == "A2"


def test_manifest_hashes_match_inputs(report):
    m = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    assert m["parameters"]["bloc"] == BLOC and m["parameters"]["period"] == PERIOD
    assert "periods/kinh-te-ky-thuat/2018/scores.csv" in m["inputs"]
    assert "covenants/kinh-te-ky-thuat/2018.yaml" in m["inputs"]
    for rel, digest in m["inputs"].items():
        assert hashlib.sha256((config.DATA_DIR / rel).read_bytes()).hexdigest() == digest, rel
    for rel, digest in m["outputs"].items():
        assert hashlib.sha256((report / rel).read_bytes()).hexdigest() == digest, rel
    assert m["versions"]["pandas"] and m["versions"]["papermill"]
    assert m["duration_seconds"] > 0 and m["started"] <= m["ended"]


def test_same_inputs_give_identical_result_files(report, tmp_path):
    proc = thidua("run", "--bloc", BLOC, "--period", PERIOD, "--reports", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    again = tmp_path / PERIOD / BLOC
    for rel in ["results.xlsx", *[f"results/{p.name}" for p in (report / "results").iterdir()]]:
        assert (report / rel).read_bytes() == (again / rel).read_bytes(), rel
    strip = lambda s: re.sub(r'<footer class="provenance">.*?</footer>', "", s, flags=re.S)  # noqa: E731
    assert strip((report / "report.html").read_text("utf-8")) == strip((again / "report.html").read_text("utf-8"))


@pytest.mark.parametrize("args, message", [
    (["--bloc", "khong-co", "--period", "2018"], "Các khối hợp lệ"),
    (["--bloc", BLOC, "--period", "2031"], "Các kỳ có dữ liệu"),
    (["--bloc", BLOC, "--period", "2018-H3"], "không hợp lệ"),
    (["--bloc", "../etc", "--period", "2018"], "không hợp lệ"),
    (["--bloc", BLOC, "--period", "2018", "--notebook", "../x"], "Các sổ tay hợp lệ"),
])
def test_bad_parameters_write_nothing(tmp_path, args, message):
    reports = tmp_path / "reports"
    proc = thidua("run", *args, "--reports", str(reports))
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not reports.exists() or not any(reports.rglob("*"))


def test_failing_cell_keeps_partial_notebook_and_previous_report(tmp_path, monkeypatch):
    from toolkit.runs import runner
    from toolkit.errors import ReportError

    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    nb = nbformat.read(config.NOTEBOOKS_DIR / "bloc_report.ipynb", as_version=4)
    nb.cells.insert(6, nbformat.v4.new_code_cell("raise RuntimeError('hỏng có chủ ý')"))
    nbformat.write(nb, nbdir / "bloc_report.ipynb")
    reports = tmp_path / "reports"
    previous = reports / PERIOD / BLOC
    previous.mkdir(parents=True)
    (previous / "report.html").write_text("bản cũ", encoding="utf-8")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", nbdir)
    with pytest.raises(ReportError) as err:
        runner.run_report(BLOC, PERIOD, reports_dir=reports)
    assert "RuntimeError" in str(err.value) and "hỏng có chủ ý" in str(err.value)
    assert (previous / "report.html").read_text(encoding="utf-8") == "bản cũ"
    failed = reports / PERIOD / f"{BLOC}.failed"
    partial = nbformat.read(failed / "report.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in partial.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "RuntimeError" in (failed / "error.txt").read_text(encoding="utf-8")


def test_plain_papermill_runs_the_notebook(tmp_path):
    out = tmp_path / "out.ipynb"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run([str(BIN / "papermill"), str(config.NOTEBOOKS_DIR / "bloc_report.ipynb"), str(out),
                           "-p", "bloc", BLOC, "-p", "period", "2018-H1", "--no-progress-bar"],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    nb = nbformat.read(out, as_version=4)
    text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs)  # the ranking is displayed as a table: its text form is the checked one
    assert "Ban Quản lý các Khu công nghiệp" in text


def test_help_notebook_lists_parameters():
    proc = subprocess.run([str(BIN / "papermill"), "--help-notebook", str(config.NOTEBOOKS_DIR / "bloc_report.ipynb")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name in ("bloc", "period", "data_dir", "output_dir"):
        assert re.search(rf"^\s*{name}: str", proc.stdout, flags=re.M), proc.stdout
    assert "mã khối thi đua" in proc.stdout


def test_parameter_check_cell_stops_with_one_message(tmp_path):
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from toolkit.runs.kernel import KERNEL_NAME, ProjectKernelManager

    with pytest.raises(PapermillExecutionError) as err:
        pm.execute_notebook(str(config.NOTEBOOKS_DIR / "bloc_report.ipynb"), str(tmp_path / "o.ipynb"),
                            parameters={"bloc": BLOC, "period": 2018.5}, kernel_name=KERNEL_NAME,
                            kernel_manager_class=ProjectKernelManager, progress_bar=False)
    assert err.value.ename == "ParameterError"
    assert "phải là chuỗi" in err.value.evalue


def test_papermill_cli_year_as_a_number_is_accepted(tmp_path):
    """`-p period 2018` reaches the notebook as an int; it means the year 2018."""
    proc = subprocess.run([str(BIN / "papermill"), str(config.NOTEBOOKS_DIR / "bloc_report.ipynb"), str(tmp_path / "o.ipynb"),
                           "-p", "bloc", BLOC, "-p", "period", "2018", "--no-progress-bar"],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-1500:]
    nb = nbformat.read(tmp_path / "o.ipynb", as_version=4)
    assert "năm 2018" in json.dumps(nb.cells[3].outputs, ensure_ascii=False)


@pytest.mark.parametrize("form", ["text/plain", "text/html"])
def test_nbval_fails_when_checked_output_changes(tmp_path, form):
    """The ranking is shown as an HTML table and compared by nbval in both forms: a changed result fails either way."""
    nb = nbformat.read(config.NOTEBOOKS_DIR / "bloc_report.ipynb", as_version=4)
    checked = [c for c in nb.cells if "NBVAL_CHECK_OUTPUT" in c.source]
    assert len(checked) == 2 and all(c.outputs for c in checked)
    data = checked[0].outputs[0]["data"]
    assert "<table" in data["text/html"] and "<table" not in data["text/plain"]
    data[form] = data[form].replace("95,00", "96,00")
    nbformat.write(nb, tmp_path / "changed.ipynb")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", "--nbval-current-env",
                           str(tmp_path / "changed.ipynb")], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 1 and "1 failed" in proc.stdout, proc.stdout[-1500:]


def test_bad_data_exits_2_with_every_problem_and_writes_nothing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, data)
    scores = data / "periods" / BLOC / PERIOD / "scores.csv"
    lines = scores.read_text(encoding="utf-8").splitlines()
    first = lines[1].split(",")
    first[2] = "chín"  # text where a number belongs
    lines[1] = ",".join(first)
    second = lines[2].split(",")
    second[1] = "N9.9"  # unknown criterion
    lines[2] = ",".join(second)
    scores.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reports = tmp_path / "reports"
    proc = thidua("run", "--bloc", BLOC, "--period", PERIOD, "--data", str(data), "--reports", str(reports))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "dòng 2, cột self_value" in proc.stderr and "'chín'" in proc.stderr
    assert "dòng 3, cột criterion_id" in proc.stderr and "N9.9" in proc.stderr
    assert not [p for p in reports.rglob("*") if p.is_file() and p.suffix != ".info" and p.name != ".thidua.lock"]


@pytest.mark.requires_libreoffice
def test_results_xlsx_opens_in_libreoffice(report, tmp_path):
    soffice = shutil.which("soffice")
    proc = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                           "--outdir", str(tmp_path), str(report / "results.xlsx")], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    import csv

    rows = list(csv.reader((tmp_path / "results-Xếp hạng.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0][:3] == ["Hạng", "Đơn vị", "Tổng điểm"]
    shown = {r[1]: (r[0], r[2]) for r in rows[1:]}  # unit -> (rank, total) as LibreOffice displays them
    assert shown["Ban Quản lý các Khu công nghiệp"] == ("1", "95")  # hand-checked leader (data/periods/kinh-te-ky-thuat/2018)
    assert shown["Quỹ Phát triển đất"] == ("—", "")  # did not submit: listed, not ranked
    machine = list(csv.DictReader((report / "results" / "xep_hang.csv").read_text(encoding="utf-8").splitlines()))
    assert len(shown) == len(machine)
    for r in machine:  # every unit, with the rank and total the report filed
        rank, total = shown[r["unit"]]
        assert (rank, float(total) if total else None) == (r["rank"] or "—", float(r["total"]) if r["total"] else None), r


def test_a_failing_html_export_leaves_no_half_made_folder(tmp_path, monkeypatch):
    from toolkit.runs import runner

    def broken(*_args):
        raise RuntimeError("nbconvert hỏng")

    monkeypatch.setattr(runner.html_export, "write_html", broken)
    with pytest.raises(RuntimeError, match="nbconvert hỏng"):
        runner.run_report(BLOC, PERIOD, reports_dir=tmp_path)
    assert list((tmp_path / PERIOD).iterdir()) == []
