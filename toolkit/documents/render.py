"""Fill a Word template (docxtpl) with a document's context and save it byte for byte repeatably.

The template is the province's own ``<data>/templates/<name>.docx`` when there is one, else
the shipped one. A template in the data folder is data, not code: it renders in Jinja's
immutable sandbox, so a tag reaching for Python's internals (``cycler.__init__.__globals__``,
which leads to ``os``) or changing a value stops with a message instead of running. Values are
escaped (autoescape), so a unit called "A & B <C>" prints as text. A tag naming a value that
does not exist, an unsafe one, or a Jinja syntax error, stops with a message naming the
template file and the tag, never a half-filled document.
"""
from __future__ import annotations

import io

import datetime as _dt
import re
from pathlib import Path

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from docx.shared import Pt
from docxtpl import DocxTemplate

from toolkit.documents import markdown
from toolkit.documents.template_data import Grid, Narrative
from toolkit.documents.decree30_docx import CENTER, LEFT, grid_table
from toolkit.errors import DataError, Problem
from toolkit.model.files import write_file
from toolkit.reports.table_writer import pin_zip_times

SHIPPED = Path(__file__).resolve().parent / "templates"
TEMPLATES = "templates"  # <data>/templates/<name>.docx overrides the shipped template
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_XML = re.compile(r"<[^>]+>")
_MISSING = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")
_UNSAFE = re.compile(r"attribute '([^']+)'")


def template_path(name: str, data_dir: Path | None) -> Path:
    """``<data>/templates/<name>.docx`` if the province has its own, else the shipped template."""
    if data_dir is not None:
        own = Path(data_dir) / TEMPLATES / f"{name}.docx"
        if own.is_file():
            return own
    return SHIPPED / f"{name}.docx"


def _tags(tpl: DocxTemplate) -> list[str]:
    """Every Jinja tag of the template's body, headers and footers, as Word shows it."""
    docx = tpl.get_docx()
    xml = tpl.patch_xml(tpl.xml_to_string(docx._element.body))
    for rel in docx._part.rels.values():
        if rel.reltype in (tpl.HEADER_URI, tpl.FOOTER_URI):
            xml += tpl.patch_xml(rel.target_part.blob.decode("utf-8"))
    return [_XML.sub("", t) for t in _TAG.findall(xml)]


def _problem(path: Path, tags: list[str], name: str, message: str) -> Problem:
    hits = [t for t in tags if re.search(rf"\b{re.escape(name)}\b", t)] if name else []
    where = f"thẻ {', '.join(dict.fromkeys(hits))}" if hits else ""
    return Problem(str(path), where, message)


def _parses(env: jinja2.Environment, tag: str) -> bool:
    try:
        env.parse(re.sub(r"^\{\{[prc]?\s", "{{ ", tag))
        return True
    except jinja2.TemplateSyntaxError:
        return False


def check_template(tpl: DocxTemplate, path: Path, env: jinja2.Environment, context: dict) -> None:
    """Syntax errors and unknown names, all reported at once with the tags that hold them."""
    tags = _tags(tpl)
    try:
        unknown = sorted(tpl.get_undeclared_template_variables(env, context))
    except jinja2.TemplateSyntaxError as exc:
        # the tag the message quotes ("unknown tag 'endfi'"), else every tag on the failing line
        quoted = re.findall(r"'([^']+)'", exc.message or "")
        near = next(([t] for q in quoted for t in tags if re.search(rf"\b{re.escape(q)}\b", t)), None)
        if near is None:  # a broken {{ ... }} fails on its own
            near = [t for t in dict.fromkeys(tags) if t.startswith("{{") and not _parses(env, t)][:3] or None
        if near is None:
            lines = (exc.source or "").splitlines()
            line = lines[exc.lineno - 1] if exc.lineno and exc.lineno <= len(lines) else ""
            near = [_XML.sub("", t) for t in _TAG.findall(line)][:3]
        raise DataError([Problem(str(path), f"thẻ {' '.join(near)}" if near else "", f"lỗi cú pháp mẫu: {exc.message}")]) from None
    if unknown:
        valid = ", ".join(sorted(context))
        raise DataError([_problem(path, tags, n, f"'{n}' không có trong dữ liệu của văn bản này (các tên dùng được: {valid})")
                         for n in unknown])


def _materialise(value, tpl: DocxTemplate):
    """Narrative and Grid values become docxtpl subdocuments of this template."""
    if isinstance(value, Narrative):
        sd = tpl.new_subdoc()
        blocks = markdown.parse(value.text)
        if blocks:
            markdown.render(sd, blocks)
        elif value.missing:
            markdown.placeholder(sd, value.missing, value.who)
        return sd
    if isinstance(value, Grid):
        sd = tpl.new_subdoc()
        grid_table(sd, list(value.header), [list(r) for r in value.rows], list(value.widths),
                   [LEFT if a == "left" else CENTER for a in value.aligns], value.size)
        for note in value.notes:
            p = sd.add_paragraph()
            p.paragraph_format.first_line_indent = 0
            run = p.add_run(note)
            run.font.italic = True
            run.font.size = Pt(value.size)
        return sd
    if isinstance(value, dict):
        return {k: _materialise(v, tpl) for k, v in value.items()}
    if isinstance(value, list):
        return [_materialise(v, tpl) for v in value]
    return value


def render_document(template: Path, context: dict, out: Path, when: _dt.date, title: str, author: str) -> Path:
    """Render ``template`` with ``context`` into ``out`` (.docx), with fixed properties and zip times."""
    tpl = DocxTemplate(template)
    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    check_template(tpl, template, env, context)
    try:
        tpl.render(_materialise(context, tpl), env, autoescape=True)
    except SecurityError as exc:
        m = _UNSAFE.search(str(exc))
        name = m.group(1) if m else ""
        raise DataError([_problem(template, _tags(DocxTemplate(template)), name,
                                  f"thẻ dùng '{name}', phần bên trong của Python, không phải dữ liệu của văn bản: mẫu chỉ "
                                  "được in các giá trị của văn bản (xem docs/documents.md); hãy bỏ thẻ này")]) from None
    except jinja2.UndefinedError as exc:
        m = _MISSING.search(str(exc))
        name = (m.group(1) or m.group(2)) if m else ""
        raise DataError([_problem(template, _tags(DocxTemplate(template)), name, f"giá trị không có: {exc}")]) from None
    except jinja2.TemplateError as exc:
        raise DataError([Problem(str(template), "", f"lỗi khi điền mẫu: {exc}")]) from None
    stamp = _dt.datetime(when.year, when.month, when.day)
    props = tpl.docx.core_properties
    props.title = title
    props.author = props.last_modified_by = author
    props.subject = "Dự thảo lập bằng thidua từ kết quả chấm điểm của Khối"
    props.keywords, props.comments, props.category = "", "", ""
    props.created = props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    buf = io.BytesIO()
    tpl.save(buf)
    return write_file(out, pin_zip_times(buf.getvalue(), stamp))  # repeatable bytes, written whole or not at all
