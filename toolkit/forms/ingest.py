"""Reading returned self-assessment workbooks into the period's tidy CSV tables.

``ingest`` reads every file of a folder, checks each against the template it was made from
(version, bloc, period, unit, scoring table) and the year's covenant and vocabulary, and
reports *all* problems of *all* files in one pass, each with the file, the sheet and the A1
cell. Accepted units are merged into ``periods/<bloc>/<period>/*.csv``; rejected ones leave
the existing data untouched.

Merging rules (decisions the issue left open, documented in docs/ingest.md):

* the period CSVs hold every unit; only the rows of accepted units are rewritten, in place
  of their old rows (new units are appended in membership order);
* a unit that already has data is replaced only with ``--replace UNIT``; a file whose
  content equals the stored data is "unchanged" and needs no flag, so ingesting the same
  files twice changes no byte;
* the template carries self scores only: new rows have a blank ``verified_value`` and a
  replaced unit loses its earlier verified values (the output says how many);
* every table is written to a temporary file first and moved into place with
  ``os.replace``; originals in the input folder are only ever read.

Cells are read with python-calamine. Formulas in input cells are found by scanning the
sheet XML of the (already in memory) zip for ``<f>`` elements, which costs a fraction of
what loading the workbook with openpyxl would (openpyxl is used only to write templates).
"""
from __future__ import annotations

import csv
import datetime as _dt
import functools
import hashlib
import html
import io
import os
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from python_calamine import CalamineWorkbook

from toolkit.forms import template as T
from toolkit.model.covenant import ORGANISATION_VI, Covenant, parse_covenant
from toolkit.errors import DataError, ParameterError, Problem
from toolkit.model.periods import Period
from toolkit.model.period_data import EVENTS, ORGS, SCORES, STAFF, period_dir
from toolkit.model.text import label_key, normalize
from toolkit.model.vocabulary import Vocabulary

from toolkit.model.period_data import INGEST_REPORT as REPORT  # the data-quality report reads it too
COLUMNS = {
    SCORES: ["unit_id", "criterion_id", "self_value", "verified_value", "note"],
    EVENTS: ["unit_id", "event_id", "count", "reason"],
    STAFF: ["unit_id", "rating", "count"],
    ORGS: ["unit_id", "organisation", "rating"],
}
REPORT_COLUMNS = ["file", "sha256", "unit_id", "status", "errors", "warnings", "problems"]
STATUS_VI = {"accepted": "Chấp nhận", "rejected": "Từ chối"}
ACTION_VI = {"added": "thêm mới", "replaced": "thay thế", "unchanged": "không thay đổi", "": "—"}


# --------------------------------------------------------------------------- context

@dataclass(frozen=True)
class PeriodContext:
    """What every workbook of one bloc and period is checked against."""

    bloc: str
    bloc_name: str
    period: Period
    covenant: Covenant
    vocab: Vocabulary
    members: object  # pandas DataFrame: unit_id, name, short_name, kind, role
    folder: Path
    digest: str
    province: str = ""
    member_names: dict[str, str] = field(default_factory=dict)  # unit id -> name, in membership order


def _covenant(workspace, bloc: str, year: int) -> Covenant:
    """``workspace.covenant`` with libyaml's parser when present (the pure-Python one costs ~0.1 s)."""
    path = workspace.covenant_path(bloc, year)
    if path.exists():
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (yaml.YAMLError, UnicodeDecodeError):
            raw = None
        if isinstance(raw, dict):
            return parse_covenant(raw, str(path), workspace.vocab.levels())
    return workspace.covenant(bloc, year)  # a missing or unreadable file: its own messages


def period_context(workspace, bloc: str, period: str | Period, units=None) -> PeriodContext:
    """Validate bloc, period (data need not exist yet) and units; load the covenant."""
    if bloc not in workspace.blocs():
        raise ParameterError(f"Khối '{bloc}' không có trong dữ liệu. Các khối hợp lệ: {', '.join(workspace.blocs())}.")
    p = period if isinstance(period, Period) else Period.parse(period)
    cov = _covenant(workspace, bloc, p.year)
    members = workspace.registry.members(bloc, p.year)
    if members.empty:
        raise ParameterError(f"Khối '{bloc}' không có thành viên năm {p.year} (membership.csv).")
    for u in units or ():
        if u not in set(members["unit_id"]):
            raise ParameterError(f"Đơn vị '{u}' không phải thành viên khối '{bloc}' năm {p.year}. "
                                 f"Thành viên: {', '.join(members['unit_id'])}.")
    blocs = workspace.registry.blocs
    province = blocs.loc[blocs["bloc_id"] == bloc, "province"]
    return PeriodContext(bloc, workspace.registry.bloc_name(bloc), p, cov, workspace.vocab, members,
                         period_dir(workspace.data_dir, bloc, p), T.covenant_digest(cov),
                         normalize(province.iloc[0]) if len(province) else "",
                         dict(zip(members["unit_id"].tolist(), members["name"].tolist())))


# --------------------------------------------------------------------------- one workbook

@dataclass
class Submission:
    """One file read and checked; ``rows`` are the tidy rows it contributes per table."""

    file: str
    sha256: str
    unit_id: str = ""
    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, list[list[str]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.file, where, message))

    def warn(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.file, where, message, "warning"))


@functools.lru_cache(maxsize=64)
def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _ref(sheet: str, col: str, row0: int) -> str:
    return f"{sheet}!{col}{row0 + 1}"


def _cell(rows: list[list], r: int, col: str):
    row = rows[r] if r < len(rows) else ()
    c = _col_index(col)
    return row[c] if c < len(row) else ""


def _fmt(x: float | None) -> str:
    """A number for the CSV tables: shortest exact text, no trailing '.0'."""
    if x is None:
        return ""
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


def _shown(value) -> str:
    """How a cell value is quoted back in a message."""
    if isinstance(value, float):
        return _fmt(value).replace(".", ",")
    return normalize(value)


_PASS_FAIL = {label_key(T.PASS): 1.0, label_key(T.FAIL): 0.0}


@functools.lru_cache(maxsize=8192)  # labels, sheet names and keys repeat in every file
def _norm(value) -> str:
    """:func:`toolkit.text.normalize`, with a fast path for text that is already clean."""
    s = value if isinstance(value, str) else str(value)
    if (s.isascii() or unicodedata.is_normalized("NFC", s)) and s.isprintable() and "  " not in s and s.strip() == s:
        return s
    return normalize(s)


def _key(value) -> str:
    return _norm(value).casefold()


class _Bad(Exception):
    pass


def _number(value) -> float | None:
    """A typed number: floats, '9,5', ' 9.5 '; None when blank; _Bad for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Bad
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        raise _Bad
    text = _norm(value).replace(" ", "")
    if text == "":
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise _Bad from None


def _text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        return _fmt(value)
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return _norm(value)


# Sheet XML: a formula is an <f> element (any namespace prefix) inside a cell <c r="F12" ...>.
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\s([^>]*)>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\s([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


class _Archive:
    """Read-only view of the xlsx zip already in memory.

    The central directory is parsed directly (a few microseconds) and members are inflated
    with zlib; anything unusual (zip64, encryption flags, a damaged directory) falls back to
    :mod:`zipfile`, which also decides whether the file is damaged.
    """

    _CD = struct.Struct("<IHHHHHHIIIHHHHHII")

    def __init__(self, data: bytes):
        self.data = data
        self.entries = self._index(data)
        self.zf = None
        if self.entries is None:
            self.zf = zipfile.ZipFile(io.BytesIO(data))  # raises BadZipFile for a damaged file
            self.names = set(self.zf.namelist())
        else:
            self.names = set(self.entries)

    @classmethod
    def _index(cls, data: bytes) -> dict[str, tuple[int, int, int]] | None:
        end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
        if end < 0 or end + 22 > len(data):
            return None
        _, _, _, _, count, size, offset, _ = struct.unpack_from("<IHHHHIIH", data, end)
        if offset == 0xFFFFFFFF or count == 0xFFFF or offset + size > end:
            return None
        out, pos = {}, offset
        try:
            for _ in range(count):
                (sig, _, _, flags, method, _, _, _, csize, _, nlen, xlen, clen, _, _, _, local) = cls._CD.unpack_from(data, pos)
                if sig != 0x02014B50 or flags & 0x1 or method not in (0, 8):
                    return None
                name = data[pos + 46:pos + 46 + nlen].decode("utf-8" if flags & 0x800 else "cp437")
                out[name] = (local, csize, method)
                pos += 46 + nlen + xlen + clen
        except (struct.error, UnicodeDecodeError):
            return None
        return out

    def read(self, name: str) -> bytes:
        if self.zf is not None:
            return self.zf.read(name)
        local, csize, method = self.entries[name]
        nlen, xlen = struct.unpack_from("<HH", self.data, local + 26)
        start = local + 30 + nlen + xlen
        raw = self.data[start:start + csize]
        return raw if method == 0 else zlib.decompress(raw, -15)


def _sheet_paths(zf: _Archive) -> dict[str, str]:
    """Sheet name (NFC) -> zip member of its XML, from workbook.xml and its relationships."""
    return _sheet_paths_of(zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels"))


@functools.lru_cache(maxsize=256)  # files made from one template share these two small parts
def _sheet_paths_of(workbook: bytes, relationships: bytes) -> dict[str, str]:
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
        out[_norm(html.unescape(name.decode("utf-8")))] = rels.get(rid.decode(), "")
    return out


_FORMULA_IN: dict[frozenset, re.Pattern] = {}


def _formula_cells(xml: bytes, columns: frozenset[str]) -> set[str]:
    """A1 refs, in ``columns``, of the cells whose <c ...> start tag is directly followed by <f>."""
    pattern = _FORMULA_IN.get(columns)
    if pattern is None:
        cols = "|".join(sorted(columns)).encode()
        pattern = _FORMULA_IN[columns] = re.compile(rb' r="((?:' + cols + rb')[0-9]+)"[^<]*<(?:\w+:)?f[\s>/]')
    return {m.decode() for m in pattern.findall(xml)}


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def _open(sub: Submission, data: bytes) -> tuple[CalamineWorkbook, _Archive] | None:
    """Open the bytes as an xlsx; record why not (encrypted, .xls, truncated, not a workbook)."""
    if not data:
        sub.error("", "tệp rỗng (0 byte): tệp bị hỏng hoặc chưa sao chép xong; hãy gửi lại tệp")
        return None
    if data.startswith(_OLE):
        if _ENCRYPTED in data:
            sub.error("", "tệp được đặt mật khẩu: hãy gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại")
        else:
            sub.error("", "tệp dạng Excel 97-2003 (.xls) hoặc tài liệu Office cũ: hãy dùng đúng mẫu và lưu dạng .xlsx")
        return None
    if not data.startswith(b"PK"):
        sub.error("", "không phải tệp Excel (.xlsx): hãy gửi đúng mẫu tự chấm điểm đã điền")
        return None
    try:
        zf = _Archive(data)
        names = zf.names
    except (zipfile.BadZipFile, EOFError, ValueError, OSError):
        sub.error("", "tệp Excel bị hỏng hoặc không đầy đủ (bị cắt ngang khi sao chép, tải về): hãy gửi lại tệp")
        return None
    if "xl/workbook.xml" not in names:
        sub.error("", "không phải sổ Excel (.xlsx), có thể là tệp Word hoặc tệp nén khác: hãy gửi đúng mẫu tự chấm điểm")
        return None
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several error types for damaged content
        sub.error("", f"không đọc được nội dung tệp Excel (tệp bị hỏng?): {type(exc).__name__}")
        return None
    return wb, zf


def _identify(sub: Submission, meta: list[list], ctx: PeriodContext) -> bool:
    """Check format, version, bloc, period, unit and scoring table; False stops reading."""
    found = {}
    for i, row in enumerate(meta):
        if row and _norm(row[0]) in T.META_KEYS:
            found[_norm(row[0])] = (_text(row[1]) if len(row) > 1 else "", f"{T.SHEET_META}!B{i + 1}")
    get = lambda k: found.get(k, ("", f"{T.SHEET_META}!A1"))  # noqa: E731
    fmt, where = get("format")
    if fmt != T.FORMAT_ID:
        sub.error(where, "không phải mẫu tự chấm điểm do khối phát hành (thiếu thông tin nhận dạng): hãy điền vào mẫu của khối")
        return False
    version, where = get("template_version")
    ok = True
    if version != T.TEMPLATE_VERSION:
        sub.error(where, f"mẫu phiên bản {version or '?'} không còn dùng được; khối đang dùng mẫu phiên bản "
                         f"{T.TEMPLATE_VERSION}: hãy chép số liệu sang mẫu mới")
        return False
    bloc, where = get("bloc")
    if bloc != ctx.bloc:
        sub.error(where, f"mẫu của khối '{bloc}', không phải khối '{ctx.bloc}' đang tổng hợp")
        ok = False
    period, where = get("period")
    if period != str(ctx.period):
        sub.error(where, f"mẫu của kỳ {period or '?'}, không phải kỳ {ctx.period} đang tổng hợp")
        ok = False
    unit, where = get("unit_id")
    sub.unit_id = unit
    if ok and unit not in ctx.member_names:
        sub.error(where, f"mẫu của đơn vị '{unit}' ({get('unit_name')[0]}), không phải thành viên khối '{ctx.bloc}' "
                         f"năm {ctx.period.year}")
        ok = False
    digest, where = get("covenant_digest")
    if ok and digest != ctx.digest:
        sub.error(where, "mẫu được tạo từ bảng điểm khác bảng điểm hiện hành của giao ước (giao ước đã sửa sau khi "
                         "phát mẫu?): hãy chép số liệu sang mẫu mới")
        ok = False
    return ok


def _rows_by_code(sub: Submission, sheet: str, rows: list[list], prefix: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, row in enumerate(rows):
        if not row:
            continue
        code = row[0]
        if isinstance(code, str) and code.startswith(prefix):
            key = code[len(prefix):]
            if key in out:
                sub.error(f"{sheet}!A{i + 1}", f"dòng '{key}' xuất hiện hai lần (dòng {out[key] + 1} và {i + 1})")
            else:
                out[key] = i
    return out


def _find(sub: Submission, sheet: str, index: dict[str, int], key: str, what: str) -> int | None:
    r = index.get(key)
    if r is None:
        sub.error(f"{sheet}!A1", f"thiếu dòng {what} (dòng đã bị xóa?): hãy dùng lại mẫu gốc")
    return r


def _read_scores(sub: Submission, rows: list[list], index: dict[str, int], ctx: PeriodContext, formulas: set[str]) -> None:
    sheet, C = T.SHEET_SCORES, T.SCORE_COLS
    out = []
    for _, k in ctx.covenant.criteria:
        r = _find(sub, sheet, index, k.id, f"tiêu chí {k.id}")
        if r is None:
            continue
        ref = _ref(sheet, C["value"], r)
        note = _text(_cell(rows, r, C["note"]))
        if f"{C['value']}{r + 1}" in formulas:
            continue  # reported once as a formula
        raw = _cell(rows, r, C["value"])
        value = None
        try:
            if k.kind == "pass_fail" and isinstance(raw, str) and _key(raw) in _PASS_FAIL:
                value = _PASS_FAIL[_key(raw)]
            else:
                value = _number(raw)
        except _Bad:
            want = (f"“{T.PASS}” hoặc “{T.FAIL}”" if k.kind == "pass_fail" else
                    "số lần (số nguyên)" if k.kind == "count" else "một số (ví dụ 8,5)")
            sub.error(ref, f"tiêu chí {k.id}: cần {want}, nhận được '{_shown(raw)}'")
            continue
        if value is None:
            sub.warn(ref, f"tiêu chí {k.id} để trống: tính là 0 điểm; nếu điểm là 0 hãy nhập 0")
        elif value < 0:
            sub.error(ref, f"tiêu chí {k.id}: giá trị âm '{_shown(raw)}' không hợp lệ; cần từ 0 trở lên")
        elif k.kind == "graded" and value > k.max + 1e-9:
            sub.error(ref, f"tiêu chí {k.id}: điểm {_shown(raw)} vượt điểm chuẩn {k.max:g}; cần từ 0 đến {k.max:g}")
        elif k.kind == "pass_fail" and value not in (0.0, 1.0):
            sub.error(ref, f"tiêu chí {k.id}: cần “{T.PASS}” hoặc “{T.FAIL}”, nhận được '{_shown(raw)}'")
        elif k.kind == "count" and not value.is_integer():
            sub.error(ref, f"tiêu chí {k.id}: số lần phải là số nguyên, nhận được '{_shown(raw)}'")
        elif k.kind == "target" and k.unit == "%" and 0 < value <= 1 < k.target:
            sub.warn(ref, f"tiêu chí {k.id}: kết quả {_shown(raw)} rất thấp so với chỉ tiêu {k.target:g}%: "
                          f"có phải đã nhập dạng phần trăm (ví dụ 98%) thay vì số (98)?")
        out.append([sub.unit_id, k.id, _fmt(value), "", note])
    sub.rows[SCORES] = out


def _whole_cell(sub: Submission, rows, r: int, sheet: str, col: str, what: str) -> float | None:
    raw = _cell(rows, r, col)
    ref = _ref(sheet, col, r)
    try:
        value = _number(raw)
    except _Bad:
        sub.error(ref, f"{what}: cần một số nguyên, nhận được '{_shown(raw)}'")
        return None
    if value is not None and (value < 0 or not value.is_integer()):
        sub.error(ref, f"{what}: cần một số nguyên từ 0 trở lên, nhận được '{_shown(raw)}'")
        return None
    return value


def _read_staff(sub: Submission, rows: list[list], index: dict[str, int], ctx: PeriodContext, formulas: set[str]) -> None:
    sheet, C = T.SHEET_STAFF, T.STAFF_COLS
    year = ctx.period.year
    scale = ctx.vocab.scales["staff"]
    labels = scale.labels_for(year)
    out, any_value = [], False
    for level in reversed(scale.levels):
        r = _find(sub, sheet, index, level, f"xếp loại '{scale.display(level)}'")
        if r is None:
            continue
        label = _text(_cell(rows, r, C["title"]))
        if labels.get(_key(label)) != level:
            sub.error(_ref(sheet, C["title"], r), f"xếp loại '{label}' không hợp lệ năm {year}; "
                                                   f"dùng một trong: {'; '.join(scale.valid_labels(year))}")
            continue
        if f"{C['value']}{r + 1}" in formulas:
            continue
        count = _whole_cell(sub, rows, r, sheet, C["value"], f"số người xếp loại '{label}'")
        if count is not None:
            any_value = True
            out.append([sub.unit_id, _canonical(scale, label, year), _fmt(count)])
    if not any_value and index:
        sub.warn(f"{sheet}!{C['value']}{min(index.values()) + 1}",
                 "chưa nhập số cán bộ, công chức, viên chức theo xếp loại: chỉ tiêu xếp loại sẽ không tính được")
    sub.rows[STAFF] = out


_SPELLING: dict[tuple[int, int], dict[str, str]] = {}


def _canonical(scale, label: str, year: int) -> str:
    """The vocabulary's own spelling of a label typed in any case or normalisation."""
    spelling = _SPELLING.get((id(scale), year))
    if spelling is None:
        spelling = _SPELLING[(id(scale), year)] = {_key(x): x for x in reversed(scale.valid_labels(year))}
    return spelling.get(_key(label), _norm(label))


def _read_orgs(sub: Submission, rows: list[list], index: dict[str, int], ctx: PeriodContext, formulas: set[str]) -> None:
    sheet, C = T.SHEET_ORGS, T.ORG_COLS
    year = ctx.period.year
    required = {t.organisation for t in ctx.covenant.targets.organisations if t.required}
    out = []
    for org, title in ORGANISATION_VI.items():
        r = _find(sub, sheet, index, org, f"tổ chức '{title}'")
        if r is None:
            continue
        ref = _ref(sheet, C["value"], r)
        if f"{C['value']}{r + 1}" in formulas:
            continue
        raw = _cell(rows, r, C["value"])
        scale = ctx.vocab.scale_for_org(org)
        if raw is None or (isinstance(raw, str) and _norm(raw) == ""):
            if org in required:
                sub.warn(ref, f"chưa chọn xếp loại {title}: giao ước yêu cầu chỉ tiêu này; "
                              "nếu đơn vị có tổ chức này hãy chọn xếp loại")
            continue
        label = _text(raw)
        if not isinstance(raw, str) or _key(label) not in scale.labels_for(year):
            sub.error(ref, f"xếp loại '{label}' của {title} không hợp lệ năm {year}; "
                           f"chọn một trong: {'; '.join(scale.valid_labels(year))}")
            continue
        out.append([sub.unit_id, org, _canonical(scale, label, year)])
    sub.rows[ORGS] = out


def _read_events(sub: Submission, rows: list[list], index: dict[str, int], ctx: PeriodContext, formulas: set[str]) -> None:
    sheet, C = T.SHEET_EVENTS, T.EVENT_COLS
    out = []
    for e in ctx.covenant.adjustments.events:
        r = _find(sub, sheet, index, e.id, f"'{e.title}'")
        if r is None or f"{C['value']}{r + 1}" in formulas:
            continue
        count = _whole_cell(sub, rows, r, sheet, C["value"], f"số lần '{e.title}'")
        reason = _text(_cell(rows, r, C["note"]))
        if count:
            if not reason:
                sub.warn(_ref(sheet, C["note"], r), f"'{e.title}': chưa ghi lý do, căn cứ")
            out.append([sub.unit_id, e.id, _fmt(count), reason])
    sub.rows[EVENTS] = out


# sheet -> (code prefix of its rows, input columns, reader)
_SHEETS = {
    T.SHEET_SCORES: (T.CODE_CRITERION, (T.SCORE_COLS["value"], T.SCORE_COLS["note"])),
    T.SHEET_STAFF: (T.CODE_STAFF, (T.STAFF_COLS["value"],)),
    T.SHEET_ORGS: (T.CODE_ORG, (T.ORG_COLS["value"],)),
    T.SHEET_EVENTS: (T.CODE_EVENT, (T.EVENT_COLS["value"], T.EVENT_COLS["note"])),
}


def _input_cells(indexes: dict[str, dict[str, int]]) -> dict[str, tuple[set[str], frozenset]]:
    """A1 refs of the input cells actually present, per sheet (rows located by code)."""
    out = {}
    for sheet, index in indexes.items():
        cols = _SHEETS[sheet][1]
        out[sheet] = ({f"{c}{i + 1}" for i in index.values() for c in cols}, frozenset(cols))
    return out


def read_submission(path: Path, ctx: PeriodContext) -> Submission:
    """Read and check one returned workbook; never raises for a bad file, records problems."""
    data = path.read_bytes()
    sub = Submission(path.name, hashlib.sha256(data).hexdigest())
    opened = _open(sub, data)
    if opened is None:
        return sub
    wb, zf = opened
    sheets = {_norm(n): n for n in wb.sheet_names}

    def rows_of(name: str) -> list[list] | None:
        real = sheets.get(name)
        if real is None:
            return None
        try:
            return wb.get_sheet_by_name(real).to_python(skip_empty_area=False)
        except Exception as exc:  # damaged sheet XML
            sub.error(f"{name}!A1", f"không đọc được trang (tệp bị hỏng?): {type(exc).__name__}")
            return []

    meta = rows_of(T.SHEET_META)
    if meta is None:
        sub.error("", "không phải mẫu tự chấm điểm do khối phát hành (không có trang thông tin nhận dạng): "
                      "hãy điền vào mẫu của khối")
        return sub
    if not _identify(sub, meta, ctx):
        return sub
    wanted = [T.SHEET_SCORES, T.SHEET_EVENTS] + ([T.SHEET_STAFF, T.SHEET_ORGS] if ctx.period.is_annual else [])
    rows_by_sheet = {}
    for name in wanted:
        rows = rows_of(name)
        if rows is None:
            sub.error(f"{name}!A1", f"thiếu trang “{name}” của mẫu: hãy dùng lại mẫu gốc, không xóa hay đổi tên trang")
        else:
            rows_by_sheet[name] = rows
    indexes = {name: _rows_by_code(sub, name, rows, _SHEETS[name][0]) for name, rows in rows_by_sheet.items()}
    formulas = _formula_inputs(sub, zf, _input_cells(indexes))
    readers = {T.SHEET_SCORES: _read_scores, T.SHEET_STAFF: _read_staff, T.SHEET_ORGS: _read_orgs,
               T.SHEET_EVENTS: _read_events}
    for name, rows in rows_by_sheet.items():
        readers[name](sub, rows, indexes[name], ctx, formulas.get(name, set()))
    return sub


def _formula_inputs(sub: Submission, zf: _Archive, inputs: dict[str, tuple[set[str], frozenset]]) -> dict[str, set[str]]:
    """Input cells holding a formula, per sheet; each reported once as an error."""
    found: dict[str, set[str]] = {}
    try:
        paths = _sheet_paths(zf)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, struct.error):
        return found
    for sheet, (cells, columns) in inputs.items():
        member = paths.get(sheet)
        if not cells or not member:
            continue
        try:
            xml = zf.read(member)
        except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, struct.error):
            continue
        hits = _formula_cells(xml, columns) & cells
        for ref in sorted(hits, key=lambda a: (int(re.sub(r"\D", "", a)), a)):
            sub.error(f"{sheet}!{ref}", "ô nhập chứa công thức: hãy nhập giá trị (số hoặc chữ), không nhập công thức")
        found[sheet] = hits
    return found


# --------------------------------------------------------------------------- period tables

@dataclass
class Table:
    """A period CSV read as text, so untouched rows are written back exactly as they were."""

    name: str
    header: list[str]
    rows: list[list[str]]
    original: bytes | None  # None when the file does not exist yet

    @property
    def unit_col(self) -> int:
        return self.header.index("unit_id")

    def col(self, name: str) -> int | None:
        return self.header.index(name) if name in self.header else None

    def of(self, unit: str) -> list[list[str]]:
        if "_by_unit" not in self.__dict__:
            u, index = self.unit_col, {}
            for r in self.rows:
                index.setdefault(_norm(r[u]) if len(r) > u else "", []).append(r)
            self.__dict__["_by_unit"] = index
        return self.__dict__["_by_unit"].get(unit, [])

    def dict_rows(self, unit: str) -> list[dict[str, str]]:
        return [{h: (r[i] if i < len(r) else "") for i, h in enumerate(self.header)} for r in self.of(unit)]


def _load_table(folder: Path, name: str) -> Table:
    path = folder / name
    if not path.exists():
        return Table(name, list(COLUMNS[name]), [], None)
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    header = [_norm(h) for h in lines[0]] if lines else []
    if "unit_id" not in header:
        raise DataError([Problem(str(path), "dòng tiêu đề", "thiếu cột unit_id: không thể ghép dữ liệu nộp vào bảng này")])
    rows = [r for r in lines[1:] if any(c.strip() for c in r)]
    header += [c for c in COLUMNS[name] if c not in header]
    return Table(name, header, rows, raw)


def _num_or_none(text: str) -> float | None:
    try:
        return _number(text)
    except _Bad:
        return None


def _fingerprint(ctx: PeriodContext, tables: dict[str, Table], unit: str, new: dict[str, list[list[str]]] | None):
    """What the template carries for one unit, comparable between stored and new rows."""
    def rows(name):
        if new is not None:
            return [dict(zip(COLUMNS[name], r)) for r in new.get(name, [])]
        return tables[name].dict_rows(unit)

    year = ctx.period.year
    scores = sorted((r["criterion_id"], _num_or_none(r["self_value"]), _norm(r.get("note", ""))) for r in rows(SCORES))
    events = sorted((r["event_id"], _num_or_none(r.get("count", "")) or 1.0, _norm(r.get("reason", "")))
                    for r in rows(EVENTS) if (_num_or_none(r.get("count", "")) or 1.0) != 0)
    out = {"scores": scores, "events": events}
    if ctx.period.is_annual:
        staff_labels = ctx.vocab.scales["staff"].labels_for(year)
        staff: dict[str, float] = {}
        for r in rows(STAFF):
            key = staff_labels.get(_key(r["rating"]), _key(r["rating"]))
            count = _num_or_none(r.get("count", "")) if r.get("count", "").strip() else 1.0  # a row per person
            staff[key] = staff.get(key, 0.0) + (count or 0.0)
        out["staff"] = sorted((k, v) for k, v in staff.items() if v)
        out["orgs"] = sorted((r["organisation"], _key(r["rating"])) for r in rows(ORGS))
    return out


def _has_data(tables: dict[str, Table], unit: str) -> bool:
    return any(t.of(unit) for t in tables.values())


def _merged(table: Table, replace: dict[str, list[list[str]]], order: list[str]) -> list[list[str]]:
    """Rows with every unit in ``replace`` swapped for its new rows, in place of its old ones."""
    u = table.unit_col
    cols = [table.header.index(c) for c in COLUMNS[table.name]]
    width = len(table.header)

    def widen(r: list[str]) -> list[str]:
        full = [""] * width
        for value, i in zip(r, cols):
            full[i] = value
        return full

    out, placed = [], set()
    for r in table.rows:
        unit = _norm(r[u]) if len(r) > u else ""
        if unit in replace:
            if unit not in placed:
                out += [widen(x) for x in replace[unit]]
                placed.add(unit)
            continue
        out.append(r + [""] * (width - len(r)))
    for unit in order:
        if unit in replace and unit not in placed:
            out += [widen(x) for x in replace[unit]]
    return out


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _write_atomic(files: dict[Path, bytes]) -> None:
    """Write every file to a temporary sibling first, then move them all into place."""
    temps = []
    try:
        for path, content in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temps.append((tmp, path))
            with open(tmp, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in temps:
        os.replace(tmp, path)


# --------------------------------------------------------------------------- the run

@dataclass
class Outcome:
    """The verdict on one file."""

    submission: Submission
    status: str  # accepted | rejected
    action: str = ""  # added | replaced | unchanged ("" when rejected)
    dropped_verified: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.submission.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.submission.problems if p.severity != "error"]


@dataclass
class IngestResult:
    bloc: str
    period: Period
    folder: Path
    outcomes: list[Outcome]
    notices: list[Problem] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    dry_run: bool = False
    names: dict[str, str] = field(default_factory=dict)  # unit id -> name

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "rejected"]

    @property
    def accepted(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "accepted"]

    @property
    def problems(self) -> list[Problem]:
        probs = [p for o in self.outcomes for p in o.submission.problems] + self.notices
        return [p for p in probs if p.severity == "error"] + [p for p in probs if p.severity != "error"]


def candidate_files(directory: Path) -> list[Path]:
    """Every regular file of the folder except hidden files and Office lock files (~$...)."""
    return sorted((p for p in directory.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))),
                  key=lambda p: p.name)


def ingest(directory: Path | str, workspace, bloc: str, period: str | Period, replace=(), dry_run: bool = False) -> IngestResult:
    """Read every workbook in ``directory`` and merge accepted units into the period's tables."""
    directory = Path(directory)
    replace = [_norm(u) for u in replace]
    ctx = period_context(workspace, bloc, period, replace)
    if not directory.is_dir():
        raise ParameterError(f"Không tìm thấy thư mục '{directory}'.")
    files = candidate_files(directory)
    if not files:
        raise ParameterError(f"Thư mục '{directory}' không có tệp nào để đọc.")
    subs = [read_submission(f, ctx) for f in files]

    by_unit: dict[str, list[Submission]] = {}
    for s in subs:
        if s.unit_id in ctx.member_names and not any(p.where.startswith(T.SHEET_META) for p in s.problems if p.severity == "error"):
            by_unit.setdefault(s.unit_id, []).append(s)
    for unit, group in by_unit.items():
        if len(group) > 1:
            for s in group:
                others = ", ".join(o.file for o in group if o is not s)
                s.error(f"{T.SHEET_META}!B5", f"có {len(group)} tệp cho đơn vị {ctx.member_names[unit]} ('{unit}'): "
                                             f"tệp này và {others}; chỉ để lại một tệp cho mỗi đơn vị rồi chạy lại")

    tables = {name: _load_table(ctx.folder, name) for name in ([SCORES, EVENTS] + ([STAFF, ORGS] if ctx.period.is_annual else []))}
    outcomes, changes = [], {}
    for s in subs:
        if not s.ok:
            outcomes.append(Outcome(s, "rejected"))
            continue
        unit = s.unit_id
        if not _has_data(tables, unit):
            outcomes.append(Outcome(s, "accepted", "added"))
            changes[unit] = s.rows
        elif _fingerprint(ctx, tables, unit, None) == _fingerprint(ctx, tables, unit, s.rows):
            outcomes.append(Outcome(s, "accepted", "unchanged"))
        elif unit in replace:
            vcol = tables[SCORES].col("verified_value")
            dropped = sum(1 for r in tables[SCORES].of(unit) if vcol is not None and vcol < len(r) and r[vcol].strip())
            outcomes.append(Outcome(s, "accepted", "replaced", dropped))
            changes[unit] = s.rows
        else:
            s.error("", f"đơn vị {ctx.member_names[unit]} đã có dữ liệu kỳ {ctx.period} khác với tệp này; nộp lại sau "
                        f"hạn hoặc đính chính phải được chỉ định rõ: chạy lại với --replace {unit}")
            outcomes.append(Outcome(s, "rejected"))
    notices = []
    submitted = {o.submission.unit_id for o in outcomes}
    for unit in replace:
        if unit not in submitted:
            notices.append(Problem(str(directory), "", f"--replace {unit}: không có tệp nào của đơn vị này trong thư mục", "warning"))

    result = IngestResult(ctx.bloc, ctx.period, ctx.folder, outcomes, notices, dry_run=dry_run, names=ctx.member_names)
    files_out: dict[Path, bytes] = {}
    order = list(ctx.members["unit_id"])
    for name, table in tables.items():
        if not changes:
            break
        replace_rows = {u: rows.get(name, []) for u, rows in changes.items()}
        content = _csv_bytes(table.header, _merged(table, replace_rows, order))
        if content != table.original:
            files_out[ctx.folder / name] = content
    files_out[ctx.folder / REPORT] = report_csv(result)
    if not dry_run:
        current = {p: (p.read_bytes() if p.exists() else None) for p in files_out}
        files_out = {p: c for p, c in files_out.items() if current[p] != c}
        if files_out:
            _write_atomic(files_out)
        result.written = sorted(files_out)
    return result


# --------------------------------------------------------------------------- reporting

def report_rows(result: IngestResult) -> list[list[str]]:
    """One row per file; only facts that do not depend on earlier runs (so re-runs are identical)."""
    out = []
    for o in result.outcomes:
        s = o.submission
        out.append([s.file, s.sha256, s.unit_id, o.status, str(len(o.errors)), str(len(o.warnings)),
                    " | ".join(f"{p.where}: {p.message}" if p.where else p.message for p in o.errors + o.warnings)])
    return out


def report_csv(result: IngestResult) -> bytes:
    return _csv_bytes(REPORT_COLUMNS, report_rows(result))


def format_result(result: IngestResult) -> str:
    """The accepted/rejected table and every problem, as printed by ``thidua ingest``."""
    names = result.names
    head = ["Tệp", "Đơn vị", "Kết quả", "Lỗi", "Cảnh báo", "Thao tác"]
    rows = []
    for o in result.outcomes:
        s = o.submission
        action = ACTION_VI[o.action]
        if o.action == "replaced" and o.dropped_verified:
            action += f" (bỏ {o.dropped_verified} điểm thẩm định cũ)"
        rows.append([s.file, names.get(s.unit_id, s.unit_id) or "?", STATUS_VI[o.status], str(len(o.errors)),
                     str(len(o.warnings)), action])
    widths = [min(60, max(len(str(r[i])) for r in [head] + rows)) for i in range(len(head))]

    def line(r):
        return "  ".join(str(c)[:w].ljust(w) for c, w in zip(r, widths)).rstrip()

    out = [f"Khối {result.bloc}, kỳ {result.period}: {len(result.accepted)} tệp được chấp nhận, "
           f"{len(result.rejected)} tệp bị từ chối.", "", line(head), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    probs = result.problems
    if probs:
        out += ["", "Chi tiết:"] + [f"  {p}" for p in probs]
    dropped = [o for o in result.outcomes if o.dropped_verified]
    if dropped:
        out += ["", "Lưu ý: mẫu chỉ mang điểm tự chấm; điểm thẩm định cũ của đơn vị được thay thế đã bị bỏ, "
                    "khối cần thẩm định lại: " + ", ".join(f"{o.submission.unit_id} ({o.dropped_verified})" for o in dropped)]
    if result.dry_run:
        out += ["", "Chạy thử (--dry-run): không ghi tệp nào."]
    elif result.written:
        out += ["", "Đã ghi: " + ", ".join(p.name for p in result.written) + f" (trong {result.folder})"]
    else:
        out += ["", f"Không có gì thay đổi trong {result.folder}."]
    return "\n".join(out)
