"""Nothing from a data folder or a report folder runs as code, reaches outside its place, or breaks an output.

A data folder comes from many hands (a province's own Word templates, members' workbooks, CSVs
saved from Excel) and a report folder can be copied from anywhere, so each is read as data:
templates render in Jinja's sandbox, ``thidua verify`` takes from a manifest only what the
notebook declares and checks it as the command line would, control characters are refused where
they enter, duplicates are one problem, and YAML tags are refused in Vietnamese.
"""
from __future__ import annotations

import json
import shutil
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
