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
