"""Input cells that hold a formula, found in the sheet XML of a returned workbook.

An input cell must hold what the unit typed, not a formula: python-calamine reads only the
value a formula last computed (if any), which is not a self score anyone wrote. Scanning the
sheet XML of the (already in memory) zip for ``<f>`` elements costs a fraction of what
loading the workbook with openpyxl would (openpyxl is used only to write templates).
"""
from __future__ import annotations

import functools
import html
import re
import zipfile
import zlib

from toolkit.forms.cells import norm

# Sheet XML: a formula is an <f> element (any namespace prefix) inside a cell <c r="F12" ...>.
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\s([^>]*)>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\s([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_UNREADABLE = (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, NotImplementedError)


def sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name (NFC) -> zip member of its XML, from workbook.xml and its relationships."""
    return _sheet_paths(zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels"))


@functools.lru_cache(maxsize=256)  # files made from one template share these two small parts
def _sheet_paths(workbook: bytes, relationships: bytes) -> dict[str, str]:
    rels = {}
    for m in _REL_TAG.finditer(relationships):
        attrs = dict(_ATTR.findall(m.group(1)))
        target = attrs.get(b"Target", b"").decode()
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        rels[attrs.get(b"Id", b"").decode()] = target
    out = {}
    for m in _SHEET_TAG.finditer(workbook):
        attrs = {k.split(b":")[-1] if k != b"name" else k: v for k, v in _ATTR.findall(m.group(1))}
        name, rid = attrs.get(b"name", b""), attrs.get(b"id", b"")
        out[norm(html.unescape(name.decode("utf-8")))] = rels.get(rid.decode(), "")
    return out


_FORMULA_IN: dict[frozenset, re.Pattern] = {}


def formula_cells(xml: bytes, columns: frozenset[str]) -> set[str]:
    """A1 refs, in ``columns``, of the cells whose <c ...> start tag is directly followed by <f>."""
    pattern = _FORMULA_IN.get(columns)
    if pattern is None:
        cols = "|".join(sorted(columns)).encode()
        pattern = _FORMULA_IN[columns] = re.compile(rb' r="((?:' + cols + rb')[0-9]+)"[^<]*<(?:\w+:)?f[\s>/]')
    return {m.decode() for m in pattern.findall(xml)}


def formula_inputs(zf: zipfile.ZipFile, inputs: dict[str, tuple[set[str], frozenset]]) -> dict[str, set[str]]:
    """Per sheet, the cells of ``inputs`` (sheet -> (A1 refs, their columns)) that hold a formula.

    A part that cannot be read is skipped: calamine has read the cells already, so a damaged
    zip member here only means no formula can be found in it.
    """
    found: dict[str, set[str]] = {}
    try:
        paths = sheet_paths(zf)
    except _UNREADABLE:
        return found
    for sheet, (cells, columns) in inputs.items():
        member = paths.get(sheet)
        if not cells or not member:
            continue
        try:
            xml = zf.read(member)
        except _UNREADABLE:
            continue
        found[sheet] = formula_cells(xml, columns) & cells
    return found
