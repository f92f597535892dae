"""Nothing from a data folder or a report folder runs as code, reaches outside its place, or breaks an output.

A data folder comes from many hands (a province's own Word templates, members' workbooks, CSVs
saved from Excel) and a report folder can be copied from anywhere, so each is read as data:
templates render in Jinja's sandbox, ``thidua verify`` takes from a manifest only what the
notebook declares and checks it as the command line would, control characters are refused where
they enter, duplicates are one problem, and YAML tags are refused in Vietnamese.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from conftest import DATA
from toolkit.cli.main import main
from toolkit.documents.render import SHIPPED

BLOC = "kinh-te-ky-thuat"


def thidua(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


# --------------------------------------------------------------------------- Word templates

def test_a_template_reaching_for_python_internals_stops_without_running_anything(data_copy, tmp_path):
    marker = tmp_path / "ran"
    tag = f"{{{{ cycler.__init__.__globals__.os.popen('id > {marker}').read() }}}}"
    doc = Document(SHIPPED / "danh-sach.docx")  # the shipped template, plus one paragraph
    doc.add_paragraph(tag)
    own = data_copy / "templates" / "danh-sach.docx"
    own.parent.mkdir()
    doc.save(own)
    reports = tmp_path / "reports"
    r = thidua("documents", "--bloc", BLOC, "--period", "2024", "--data", data_copy, "--reports", reports, "--no-pdf")
    assert not marker.exists(), "the template ran a shell command"
    assert r.exit_code == 2, r.output
    assert str(own) in r.output and tag in r.output, r.output  # the template and the tag
    assert "Traceback" not in r.output
    assert not (reports / "2024" / BLOC / "documents").exists()  # no document written


# --------------------------------------------------------------------------- thidua verify and the manifest it reads

def _manifest(folder: Path, parameters=None, **record) -> Path:
    """A report folder whose manifest.json says what a tampered or damaged one could say."""
    folder.mkdir(parents=True, exist_ok=True)
    base = {"report": {"bloc": BLOC, "period": "2018-H1", "notebook": "bloc_report"},
            "parameters": {"bloc": BLOC, "period": "2018-H1", "data_dir": str(DATA.resolve()), "output_dir": "."},
            "inputs": {}, "outputs": {}, "code": {"toolkit_hash": "0"}}
    if parameters is not None:
        base["parameters"] = parameters
    base.update(record)
    (folder / "manifest.json").write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")
    return folder


def _refused(r, *key: str) -> None:
    """Exit 2, a message naming the manifest and the key, no traceback."""
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    assert "manifest.json" in r.output and all(k in r.output for k in key), r.output
    assert "Traceback" not in r.output


def test_verify_never_runs_a_parameter_name_from_the_manifest(tmp_path):
    marker = tmp_path / "ran"
    evil = f"x = __import__('os').system('touch {marker}')\ny"
    folder = _manifest(tmp_path / "r" / "2018-H1" / BLOC,
                       {"bloc": BLOC, "period": "2018-H1", "data_dir": str(DATA.resolve()), "output_dir": ".", evil: 1})
    r = thidua("verify", folder)
    assert not marker.exists(), "verify ran code from the manifest"
    _refused(r, "parameters", "x = __import__('os').system(", "\\ny")  # the name shown with its newline escaped


def test_verify_writes_only_into_its_own_folder(tmp_path):
    other = tmp_path / "r" / "2018-H1" / "noi-chinh-tong-hop"  # another bloc's filed results
    (other / "results").mkdir(parents=True)
    (other / "results" / "xep_hang.csv").write_text("filed\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in other.rglob("*") if p.is_file()}
    folder = _manifest(tmp_path / "r" / "2018-H1" / BLOC,
                       {"bloc": BLOC, "period": "2018-H1", "data_dir": str(DATA.resolve()), "output_dir": str(other)})
    r = thidua("verify", folder)
    assert {p: p.read_bytes() for p in other.rglob("*") if p.is_file()} == before
    _refused(r, "parameters.output_dir")


@pytest.mark.parametrize("data_dir, says", [("/etc", "--data /etc"), ("../../data", "'..'"), ("data", "tuyệt đối")])
def test_verify_reads_no_folder_the_manifest_names_on_its_own(tmp_path, data_dir, says):
    folder = _manifest(tmp_path / "r" / "2018-H1" / BLOC,
                       {"bloc": BLOC, "period": "2018-H1", "data_dir": data_dir, "output_dir": "."})
    r = thidua("verify", folder)
    _refused(r, "parameters.data_dir", says)
    assert "units.csv" not in r.output  # nothing was read from there


def test_verify_reads_another_data_folder_only_when_told_to(tmp_path, data_copy):
    folder = _manifest(tmp_path / "r" / "2018-H1" / BLOC,
                       {"bloc": BLOC, "period": "2018-H1", "data_dir": str(data_copy), "output_dir": "."})
    _refused(thidua("verify", folder), "parameters.data_dir", f"--data {data_copy}")


@pytest.mark.parametrize("record, key", [
    ({"parameters": None}, "parameters"),  # removed below: a manifest without parameters
    ({"parameters": [1, 2]}, "parameters"),
    ({"report": "bloc_report"}, "report"),
    ({"report": {"notebook": "../../etc/passwd"}}, "report.notebook"),
    ({"inputs": ["scores.csv"]}, "inputs"),
    ({"code": {}}, "code.toolkit_hash"),
])
def test_a_damaged_manifest_is_a_message_naming_the_key(tmp_path, record, key):
    folder = _manifest(tmp_path / "r" / "2018-H1" / BLOC, **record)
    if record == {"parameters": None}:
        path = folder / "manifest.json"
        path.write_text(json.dumps({k: v for k, v in json.loads(path.read_text()).items() if k != "parameters"}))
    _refused(thidua("verify", folder), key)


@pytest.mark.parametrize("parameters, key", [
    ({"bloc": BLOC, "period": "2018-H1", "data_dir": str(DATA.resolve())}, "parameters.output_dir"),  # missing
    ({"bloc": "../x", "period": "2018-H1", "data_dir": str(DATA.resolve()), "output_dir": "."}, "parameters.bloc"),
    ({"bloc": BLOC, "period": "2018-H9", "data_dir": str(DATA.resolve()), "output_dir": "."}, "parameters.period"),
    ({"bloc": BLOC, "period": ["2018"], "data_dir": str(DATA.resolve()), "output_dir": "."}, "parameters.period"),
])
def test_each_parameter_is_checked_as_the_command_line_checks_it(tmp_path, parameters, key):
    _refused(thidua("verify", _manifest(tmp_path / "r" / "2018-H1" / BLOC, parameters)), key)


def test_verify_reruns_in_a_private_temporary_folder(tmp_path, monkeypatch):
    import os
    import stat
    import tempfile

    from toolkit.runs import runner

    seen = {}

    def fake(nb_in, final, params, inputs, source, **kw):
        seen["final"], seen["params"] = final, params
        seen["mode"] = stat.S_IMODE(os.stat(final.parent).st_mode)
        final.mkdir()
        return runner.RunResult(final, [], 0.0)

    monkeypatch.setattr(runner, "execute_report", fake)
    folder = _manifest(tmp_path / "r" / "2018-H1" / BLOC)
    r = thidua("verify", folder)
    assert r.exit_code == 0, r.output  # the fake rerun wrote no results, and the folder holds none either
    assert seen["mode"] == 0o700
    assert seen["final"].is_relative_to(Path(tempfile.gettempdir())) and not seen["final"].is_relative_to(folder.parent)
    assert seen["params"] == {"bloc": BLOC, "period": "2018-H1", "data_dir": str(DATA.resolve()), "output_dir": "."}


def test_papermill_never_sees_a_name_the_notebook_does_not_declare(tmp_path):
    from toolkit.errors import ParameterError
    from toolkit.runs.runner import execute_report, notebook_path

    marker = tmp_path / "ran"
    params = {"bloc": BLOC, "period": "2018-H1", "data_dir": "", "output_dir": ".",
              f"import os; os.system('touch {marker}')\nx": 1}
    with pytest.raises(ParameterError) as err:
        execute_report(notebook_path("bloc_report"), tmp_path / "r" / BLOC, params, {}, "x")
    assert not marker.exists()
    assert "touch" in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "r").exists()  # nothing written


# --------------------------------------------------------------------------- control characters

RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what may never reach a terminal, a CSV, a workbook or a page


def _edit_line(path: Path, line: int, edit) -> None:
    """Change one CSV line (1 = header) as a person editing the file would."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = edit(lines[line - 1])
    path.write_text("\n".join(lines), encoding="utf-8")


def test_a_problem_quotes_control_characters_as_escapes():
    from toolkit.errors import Problem

    p = Problem("đơn vị\x1b[31m.csv", "dòng 2", "giá trị '8\x07' không hợp lệ")
    assert str(p) == "[LỖI] đơn vị\\x1b[31m.csv: dòng 2: giá trị '8\\x07' không hợp lệ"
    assert not RAW.search(p.file + p.where + p.message)  # also where it is written into a CSV (ingest_report.csv)


def test_a_control_character_in_a_note_of_scores_csv_names_file_row_and_column(data_copy):
    from toolkit.errors import DataError
    from toolkit.model.workspace import Workspace
    from toolkit.model.periods import Period

    scores = data_copy / "periods" / BLOC / "2018" / "scores.csv"
    _edit_line(scores, 3, lambda s: s + "Quyết định\x07 số 12")  # the note of line 3
    with pytest.raises(DataError) as err:
        Workspace.open(data_copy).load(BLOC, Period.parse("2018"))
    [p] = err.value.problems
    assert (p.file, p.where) == (str(scores), "dòng 3, cột note")
    assert "\\x07" in p.message and "Quyết định" in p.message


def test_thidua_run_stops_on_a_control_character_with_a_clean_message(data_copy, tmp_path):
    _edit_line(data_copy / "periods" / BLOC / "2018-H1" / "scores.csv", 2, lambda s: s + "QĐ 12\x1b[2J")  # the note
    r = thidua("run", "--bloc", BLOC, "--period", "2018-H1", "--data", data_copy, "--reports", tmp_path / "r")
    assert r.exit_code == 2, r.output
    assert "scores.csv" in r.output and "dòng 2, cột note" in r.output and "\\x1b" in r.output
    assert not RAW.search(r.output), repr(r.output)
    assert "IllegalCharacterError" not in r.output


@pytest.mark.parametrize("file, line, column, edit", [("units.csv", 2, "name", ("Sở Công", "Sở\x7f Công")),
                                                      ("blocs.csv", 3, "name", ('"Khối', '"\x9bKhối'))])
def test_a_control_character_in_a_name_is_refused_where_it_is_read(data_copy, file, line, column, edit):
    from toolkit.errors import DataError
    from toolkit.model.workspace import Workspace

    _edit_line(data_copy / file, line, lambda s: s.replace(*edit, 1))
    with pytest.raises(DataError) as err:
        Workspace.open(data_copy)
    [p] = err.value.problems
    assert (p.file, p.where) == (str(data_copy / file), f"dòng {line}, cột {column}")
    assert "\\x7f" in p.message if file == "units.csv" else "\\x9b" in p.message


@pytest.mark.parametrize("title, where", [('"Giao ước\\a thi đua năm 2018"', "dòng 3, cột 8"),  # a YAML escape: BEL
                                          ("Giao ước\x07 thi đua năm 2018", "dòng 3, cột 16")])  # typed as it is
def test_a_control_character_in_yaml_is_refused_with_its_line(data_copy, title, where):
    from toolkit.errors import DataError
    from toolkit.model.covenant import load_covenant

    path = data_copy / "covenants" / BLOC / "2018.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Giao ước thi đua năm 2018", f"title: {title}"),
                    encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_covenant(path)
    [p] = err.value.problems
    assert (p.file, p.where) == (str(path), where) and "\\x07" in p.message and "special characters" not in p.message


def test_ingest_refuses_a_control_character_from_excel_naming_sheet_and_cell(tmp_path):
    import bad_workbooks
    from toolkit.forms import workbook_layout
    from toolkit.forms.ingest import ingest
    from toolkit.model.workspace import Workspace

    ws = Workspace.open(DATA)
    wb = bad_workbooks.filled(ws, "so-cong-thuong", notes={"N1.1": "Quyết định_x0007_ số_x001B_ 12"})  # Excel's escapes
    folder = tmp_path / "in"
    bad_workbooks.save(wb, folder, "sct.xlsx")
    cell = f"{workbook_layout.SHEET_SCORES}!{workbook_layout.SCORE_COLS['note']}{bad_workbooks.score_ref(wb, 'N1.1')[1:]}"
    data = bad_workbooks.copy_data(DATA, tmp_path / "data")
    tables = data / "periods" / BLOC / "2018"
    before = (tables / "scores.csv").read_bytes()
    result = ingest(folder, Workspace.open(data), BLOC, "2018", replace=["so-cong-thuong"])
    assert [o.status for o in result.outcomes] == ["rejected"]
    [p] = result.problems
    assert p.where == cell and "\\x07" in p.message and "\\x1b" in p.message
    assert (tables / "scores.csv").read_bytes() == before
    assert not RAW.search((tables / "ingest_report.csv").read_text(encoding="utf-8"))


def test_thidua_ingest_prints_no_raw_control_character(tmp_path):
    import bad_workbooks
    from toolkit.model.workspace import Workspace

    wb = bad_workbooks.filled(Workspace.open(DATA), "so-cong-thuong", scores={"N1.1": "9_x001B_[2J"})
    bad_workbooks.save(wb, tmp_path / "in", "sct\x1b[31m.xlsx")  # a file name is data too
    data = bad_workbooks.copy_data(DATA, tmp_path / "data")
    r = thidua("ingest", tmp_path / "in", "--bloc", BLOC, "--period", "2018", "--data", data)
    assert r.exit_code == 1, r.output
    assert not RAW.search(r.output), repr(r.output)
    assert "sct\\x1b[31m.xlsx" in r.output and "9\\x1b[2J" in r.output


def test_the_batch_log_line_of_a_failed_report_is_escaped(monkeypatch, capsys):
    """A kernel's error can quote a value (IllegalCharacterError did): the one-line log of a batch shows it escaped."""
    import logging

    from toolkit.cli import main as cli
    from toolkit.runs import batch

    failed = batch.Outcome(BLOC, "2018", "bloc_report", "failed", 1.0, "", "Ô số 29: 'QĐ\x1b[2J\x07' lỗi\nchi tiết")

    def run_batch(jobs, reports, data, workers, timeout, cell_timeout, force, progress):
        progress(failed)
        return [failed]

    monkeypatch.setattr(batch, "run_batch", run_batch)
    monkeypatch.setattr(logging.getLogger("thidua.batch"), "handlers", [])
    cli._run_jobs([], Path("r"), DATA, 1, 60, 60, False)
    err = capsys.readouterr().err
    assert "QĐ\\x1b[2J\\x07" in err and not RAW.search(err), repr(err)


# --------------------------------------------------------------------------- YAML tags

@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['id']", "!thidua 1"])
def test_a_yaml_tag_is_refused_in_vietnamese_with_its_line(data_copy, tag):
    from toolkit.errors import DataError
    from toolkit.model.covenant import load_covenant

    path = data_copy / "covenants" / BLOC / "2018.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("signed_at: Sở Giao thông vận tải", f"signed_at: {tag}"),
                    encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_covenant(path)
    [p] = err.value.problems
    assert p.file == str(path) and p.where.startswith("dòng 5")
    assert "thẻ" in p.message and "không được dùng" in p.message
    assert "constructor" not in p.message and "could not" not in p.message  # no English left


# --------------------------------------------------------------------------- one cause, one message

def test_a_line_copied_many_times_is_one_problem_naming_the_first_line_and_counting(data_copy):
    from toolkit.errors import DataError
    from toolkit.model.workspace import Workspace
    from toolkit.model.periods import Period

    scores = data_copy / "periods" / BLOC / "2018" / "scores.csv"
    lines = scores.read_text(encoding="utf-8").splitlines()
    copies = 100_000
    scores.write_text("\n".join(lines[:3] + [lines[2]] * copies + lines[3:]) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        Workspace.open(data_copy).load(BLOC, Period.parse("2018"))
    [p] = err.value.problems
    assert p.where == "dòng 3, cột criterion_id"
    assert f"{copies + 1:,}".replace(",", ".") + " lần" in p.message  # the line and its 100.000 copies
    assert "dòng 4" in p.message and "…" in p.message  # the first copies named, the rest counted
    assert len(str(err.value)) < 1000


def test_duplicates_of_different_keys_are_one_problem_each(data_copy):
    from toolkit.errors import DataError
    from toolkit.model.workspace import Workspace
    from toolkit.model.periods import Period

    scores = data_copy / "periods" / BLOC / "2018" / "scores.csv"
    lines = scores.read_text(encoding="utf-8").splitlines()
    scores.write_text("\n".join(lines + [lines[1], lines[2], lines[1]]) + "\n", encoding="utf-8")
    n = len(lines)
    with pytest.raises(DataError) as err:
        Workspace.open(data_copy).load(BLOC, Period.parse("2018"))
    assert [(p.where, p.message.split(" (")[0]) for p in err.value.problems] == [
        ("dòng 2, cột criterion_id", "điểm tiêu chí 'N1.1' của đơn vị 'so-cong-thuong' bị nhập 3 lần"),
        ("dòng 3, cột criterion_id", "điểm tiêu chí 'N1.2' của đơn vị 'so-cong-thuong' bị nhập 2 lần"),
    ]
    assert f"các bản sao ở dòng {n + 1}, {n + 3})" in err.value.problems[0].message
