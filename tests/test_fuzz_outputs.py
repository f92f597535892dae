"""Any text typed into any text field of a data folder: refused where it is read, or written validly by every output.

For each text field (names in the registry, titles in the covenant, a note, a reason, the
secretariat's header and narrative) and each kind of output (CSV, xlsx, HTML page, Word), hypothesis
types text mixing any Unicode with what breaks outputs: control characters (raw, as YAML escapes,
as Excel's ``_x0007_``), Markdown and HTML, URLs, formulas, template tags. The text goes into the
data file as a person would put it there (a CSV cell, a YAML value), then through the toolkit's own
reader, then, if accepted, through the output's own writer. Either the reader refuses it, naming
the file, with a message free of control characters, or the output is valid and shows the text as
it was typed: the CSV reads back, the workbook opens with the text in its cell, the page parses
with the text in its table cell and in bold, linking nowhere, and the Word file opens with the text.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from conftest import DATA
from toolkit.errors import DataError

BLOC = "kinh-te-ky-thuat"
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # never valid in an output: C0 but tab and newline, DEL, C1
NASTY = ["\x00", "\x07", "\x0b", "\x1b[31m", "\x7f", "\x85", "\x9b", "\t", "\n", "\r\n", "\u2028", "\xa0", "_x0007_", "**",
         "__", "*", "_", "`", "~~", "$", "|", "\\", "#", "1. ", "- ", "> ", "[x](http://a.example)", "![p](http://a.example/p.png)",
         "<img src=http://a.example/p.png>", "http://a.example/x", "&amp;", "<b>", "=1+1", "@SUM(A1)", "{{ x }}", "{% if %}",
         '"', "'", ",", ";", "\ufeff", "\u200b", "Sở Công Thương", "Đ"]
TEXT = st.lists(st.one_of(st.text(st.characters(codec="utf-8"), max_size=4), st.sampled_from(NASTY)), min_size=1, max_size=8).map("".join)


# --------------------------------------------------------------------------- putting text into a data file


def _csv_cell(rel: str, line: int, column: str):
    def put(data: Path, text: str) -> Path:
        path = data / rel
        rows = list(csv.reader(io.StringIO((DATA / rel).read_text(encoding="utf-8"))))
        rows[line - 1][rows[0].index(column)] = text
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
        return path
    return put


def _yaml_value(rel: str, *keys):
    def put(data: Path, text: str) -> Path:
        path = data / rel
        doc = yaml.safe_load((DATA / rel).read_text(encoding="utf-8"))
        at = doc
        for k in keys[:-1]:
            at = at[k]
        at[keys[-1]] = text
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=10**6), encoding="utf-8")
        return path
    return put


def _registry(data: Path):
    from toolkit.model.registry import load_registry

    return load_registry(data)


def _covenant(data: Path):
    from toolkit.model.covenant import load_covenant

    return load_covenant(data / "covenants" / BLOC / "2018.yaml")


def _period(data: Path):
    from toolkit.model.periods import Period
    from toolkit.model.workspace import Workspace

    return Workspace.open(data).load(BLOC, Period.parse("2018"))[1]


def _documents(data: Path):
    from toolkit.model.periods import Period
    from toolkit.model.secretariat import load_document_inputs

    members = _registry(DATA).members(BLOC, 2024)
    return load_document_inputs(data / "periods" / BLOC / "2024", Period.parse("2024"), [f"N{i}" for i in range(1, 7)],
                                dict(zip(members["unit_id"], members["name"])))


COVENANT = f"covenants/{BLOC}/2018.yaml"
FIELDS = {  # field -> (put the text there, read the data folder back and return the field's value)
    "units.csv name": (_csv_cell("units.csv", 2, "name"),
                       lambda d: _registry(d).units.set_index("unit_id").loc["so-cong-thuong", "name"]),
    "units.csv short_name": (_csv_cell("units.csv", 2, "short_name"),
                             lambda d: _registry(d).units.set_index("unit_id").loc["so-cong-thuong", "short_name"]),
    "blocs.csv name": (_csv_cell("blocs.csv", 2, "name"), lambda d: _registry(d).bloc_name(BLOC)),
    "covenant title": (_yaml_value(COVENANT, "title"), lambda d: _covenant(d).title),
    "covenant legal basis": (_yaml_value(COVENANT, "legal_basis", 0), lambda d: _covenant(d).legal_basis[0]),
    "content title": (_yaml_value(COVENANT, "contents", 0, "title"), lambda d: _covenant(d).contents[0].title),
    "criterion title": (_yaml_value(COVENANT, "contents", 0, "criteria", 0, "title"),
                        lambda d: _covenant(d).contents[0].criteria[0].title),
    "award title": (_yaml_value(COVENANT, "awards", 0, "title"), lambda d: _covenant(d).awards[0].title),
    "scores.csv note": (_csv_cell(f"periods/{BLOC}/2018/scores.csv", 2, "note"), lambda d: _period(d).scores.iloc[0]["note"]),
    "events.csv reason": (_csv_cell(f"periods/{BLOC}/2018/events.csv", 2, "reason"), lambda d: _period(d).events.iloc[0]["reason"]),
    "documents.yaml issuer": (_yaml_value(f"periods/{BLOC}/2024/documents.yaml", "issuer"), lambda d: _documents(d).issuer),
    "documents.yaml narrative": (_yaml_value(f"periods/{BLOC}/2024/documents.yaml", "narrative", "situation"),
                                 lambda d: _documents(d).narrative.situation),
}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz-outputs") / "data"
    shutil.copytree(DATA, folder)
    return folder


def _read_back(data: Path, field: str, text: str) -> str | None:
    """The field's value as the toolkit reads it, or None when the reader refused the text (checked here)."""
    put, read = FIELDS[field]
    rel = put(data, text)
    try:
        try:
            value = read(data)
        except DataError as exc:
            assert any(p.file == str(rel) for p in exc.problems), str(exc)  # the file is named
            assert not RAW.search(str(exc)), repr(str(exc))  # and the message is safe to print
            return None
    finally:
        shutil.copyfile(DATA / rel.relative_to(data), rel)
    assert isinstance(value, str) and not RAW.search(value), repr(value)
    return value


# --------------------------------------------------------------------------- writing it, and checking the output


def _csv_ok(value: str, tmp: Path) -> None:
    from toolkit.model.readers import read_own_csv
    from toolkit.reports.table_writer import write_csvs

    [path] = write_csvs({"t": pd.DataFrame({"Hạng": ["1"], "Đơn vị": [value]})}, tmp)  # as in a results table
    back = read_own_csv(path, dtype=str, keep_default_na=False)
    assert back.values.tolist() in ([["1", value]], [["1", "'" + value]]), (back, value)  # a would-be formula keeps a quote


def _xlsx_ok(value: str, tmp: Path) -> None:
    from toolkit.reports.table_writer import write_xlsx

    path = write_xlsx({"t": pd.DataFrame({"Đơn vị": [value]})}, tmp / "t.xlsx")
    cell = load_workbook(path)["t"]["A2"]
    assert (cell.value or "") == value and (cell.data_type == "s" or not value), (cell.value, value)  # text, never a formula


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells, self.strong, self.tags, self._in = [], [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("td", "strong"):
            self._in = (tag, [])

    def handle_endtag(self, tag):
        if self._in and self._in[0] == tag:
            (self.cells if tag == "td" else self.strong).append("".join(self._in[1]))
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._in[1].append(data)


def _html_ok(value: str, tmp: Path) -> None:
    from toolkit.reports.display import ReportTable
    from toolkit.reports.notebook_api import markdown
    from toolkit.reports.result_tables import plain
    from toolkit.runs import html_export

    table = ReportTable(pd.DataFrame({"Đơn vị": [value]}))
    text = markdown(f"- Dẫn đầu là **{plain(value)}** với 95 điểm.")
    outputs = [nbformat.v4.new_output("display_data", {"text/html": table._repr_html_(), "text/plain": "t"}),
               nbformat.v4.new_output("display_data", {"text/markdown": text._repr_markdown_(), "text/plain": "m"})]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", execution_count=1, outputs=outputs)])
    page, _ = html_export.exporter().from_notebook_node(nb, resources={"thidua_footer": "", "language_code": "vi",
                                                                       "metadata": {"name": "t"}})
    assert not RAW.search(page)
    body = _Page()
    body.feed(page[page.index("<body"):])
    assert body.cells == [value]  # the table cell shows exactly the text
    words = " ".join(value.split())
    if words:
        assert body.strong == [words], (body.strong, words)  # in bold, whole: no mark in it ended the bold
    assert not [a for t, a in body.tags if t in ("img", "a", "em", "del", "code", "h1", "ol", "blockquote")]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fuzz-docx") / "t.docx"
    doc = Document()
    doc.add_paragraph("{{ v }}")
    doc.add_paragraph("{{p n }}")
    doc.save(path)
    return path


def _docx_ok(value: str, tmp: Path, template: Path) -> None:
    from toolkit.documents.template_data import Narrative
    from toolkit.documents.render import render_document

    out = render_document(template, {"v": value, "n": Narrative(value, "nội dung")}, tmp / "d.docx", dt.date(2024, 12, 6), "t", "a")
    doc = Document(out)  # a Word file that opens (its XML parses)
    assert " ".join(doc.paragraphs[0].text.split()) == " ".join(value.split())
    import zipfile

    with zipfile.ZipFile(out) as z:
        assert not RAW.search(z.read("word/document.xml").decode("utf-8"))


KINDS = {"csv": _csv_ok, "xlsx": _xlsx_ok, "html": _html_ok, "docx": _docx_ok}


@pytest.mark.parametrize("field", sorted(FIELDS))
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=TEXT)
def test_text_in_a_field_is_refused_or_every_output_is_valid(data, template, tmp_path, field, text):
    """Each example is read once, then written by each kind of output (csv, xlsx, html, docx) and checked."""
    value = _read_back(data, field, text)  # None: refused where it was read, naming the file (checked there)
    for kind, ok in (KINDS.items() if value is not None else ()):
        out = tmp_path / kind
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        ok(value, out, template) if kind == "docx" else ok(value, out)


def test_the_documents_field_is_read_when_valid(data):
    """The secretariat's fields are read back (not refused for an unrelated reason), so their examples reach the outputs."""
    assert _read_back(data, "documents.yaml issuer", "Khối *A* http://a.example") == "Khối *A* http://a.example"
