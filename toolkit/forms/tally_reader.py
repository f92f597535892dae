"""``thidua ingest`` of the ballot committee's tally workbook: the count into ``ballots.csv``.

The workbook is recognised by its hidden sheet (:mod:`toolkit.forms.tally_workbook`), whatever
its name. Every problem of the file is reported in one pass, each with the sheet and the cell:
numbers that are not whole or negative, ballots returned above those issued, valid above
returned, votes in favour above the valid ballots, members present above the bloc's members, a
candidate left blank (a blank is not 0), the members present missing where the award counts on
them. A sheet with nothing typed in is an award not voted on: skipped, with a warning.

Nothing is written while any error remains; otherwise ``ballots.csv`` is replaced in one atomic
write (awards in covenant order, units in membership order, the ``present`` column only when a
sheet records it), and only when its bytes change, so a rerun writes nothing.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ParameterError, Problem
from toolkit.forms.cells import NotANumber, cell, csv_number, norm, number, shown, text
from toolkit.forms.period_context import period_context
from toolkit.forms.reader import Submission, _open
from toolkit.forms.tally_workbook import CODE_COUNT, CODE_UNIT, FORMAT_ID, SHEET_META, VALUE, VERSION
from toolkit.model.ballots import BALLOTS, COLUMNS
from toolkit.model.files import write_files
from toolkit.model.period_data import VOTES

LABEL = {"issued": "số phiếu phát ra", "returned": "số phiếu thu về", "valid": "số phiếu hợp lệ", "present": "số thành viên có mặt"}


@dataclass
class TallyResult:
    file: str
    folder: Path
    problems: list[Problem] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejected(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def text(self) -> str:
        """What ``thidua ingest`` prints."""
        out = [f"Bảng kiểm phiếu {self.file}: " + ("bị từ chối, không ghi tệp nào." if self.rejected
                                                    else f"{len(self.rows)} dòng kết quả bỏ phiếu.")]
        errors = [p for p in self.problems if p.severity == "error"]
        out += [f"  {p}" for p in errors + [p for p in self.problems if p not in errors]]
        if self.rejected:
            return "\n".join(out)
        if self.dry_run:
            out.append("Chạy thử (--dry-run): không ghi tệp nào.")
        elif self.written:
            out.append("Đã ghi: " + ", ".join(p.name for p in self.written) + f" (trong {self.folder})")
        else:
            out.append(f"Không có gì thay đổi trong {self.folder}.")
        return "\n".join(out)


def _rows_of(wb, name: str):
    sheets = {norm(n): n for n in wb.sheet_names}
    real = sheets.get(norm(name))
    return None if real is None else wb.get_sheet_by_name(real).to_python(skip_empty_area=False)


def workbook_format(path: Path) -> str:
    """The ``format`` of a workbook made by thidua ('' for any other file, readable or not)."""
    opened = _open(Submission(path.name, ""), path.read_bytes())
    if opened is None:
        return ""
    wb, zf = opened
    with zf:
        meta = _rows_of(wb, SHEET_META) or []
    found = {norm(r[0]): text(r[1]) for r in meta if len(r) > 1 and r[0]}
    return found.get("format", "")


def tally_files(directory: Path) -> list[Path]:
    """The tally workbooks in ``directory``: what ``thidua ingest`` dispatches on (other files are forms)."""
    return [p for p in sorted(Path(directory).iterdir())
            if p.is_file() and p.suffix.lower() == ".xlsx" and not p.name.startswith((".", "~$")) and workbook_format(p) == FORMAT_ID]


def _whole(sub: Submission, rows, r: int, sheet: str, what: str) -> float | None:
    where = f"{sheet}!{VALUE}{r + 1}"
    raw = cell(rows, r, VALUE)
    try:
        value = number(raw)
    except NotANumber:
        sub.error(where, f"{what}: cần số nguyên từ 0, nhận được '{shown(raw)}'")
        return None
    if value is not None and (value < 0 or value != int(value)):
        sub.error(where, f"{what}: cần số nguyên từ 0, nhận được '{shown(raw)}'")
        return None
    return value


def _read_sheet(sub: Submission, rows, sheet: str, award, members: dict[str, str]) -> dict[str, dict]:
    """{unit_id: counts} of one award's sheet, every problem recorded with its cell."""
    count_row, unit_row = {}, {}
    for i, row in enumerate(rows):
        code = row[0] if row else None
        if isinstance(code, str) and code.startswith(CODE_COUNT):
            count_row[code[len(CODE_COUNT):]] = i
        elif isinstance(code, str) and code.startswith(CODE_UNIT):
            unit_row[code[len(CODE_UNIT):]] = i
    missing = [k for k in LABEL if k not in count_row]
    if missing or not unit_row:
        sub.error(f"{sheet}!A1", "trang không đúng mẫu bảng kiểm phiếu (thiếu dòng đã in sẵn): hãy dùng lại bảng của Khối")
        return {}
    counts = {k: _whole(sub, rows, count_row[k], sheet, LABEL[k]) for k in LABEL}
    favour = {}
    for unit, r in unit_row.items():
        if unit not in members:
            sub.error(f"{sheet}!C{r + 1}", f"đơn vị '{unit}' không phải thành viên khối năm nay: hãy dùng lại bảng của Khối")
            continue
        favour[unit] = (r, _whole(sub, rows, r, sheet, f"số phiếu đồng ý của {members[unit]}"))
    at = lambda k: f"{sheet}!{VALUE}{count_row[k] + 1}"  # noqa: E731
    typed = [v for v in counts.values() if v is not None] + [v for _, v in favour.values() if v is not None]
    if not typed and not any(p.where.startswith(f"{sheet}!") for p in sub.problems):
        sub.warn(f"{sheet}!{VALUE}{count_row['issued'] + 1}", f"chưa ghi số liệu: không bỏ phiếu {award.title}, bỏ qua trang này")
        return {}
    issued, returned, valid, present = (counts[k] for k in ("issued", "returned", "valid", "present"))
    for k in ("issued", "returned", "valid"):
        if counts[k] is None and not any(p.where == at(k) for p in sub.problems):
            sub.error(at(k), f"chưa ghi {LABEL[k]}")
    if award.min_vote_share is not None and award.vote_base == "present" and present is None:
        sub.error(at("present"), f"{award.title} tính tỷ lệ phiếu trên số thành viên có mặt: cần ghi số thành viên có mặt")
    if issued == 0:
        sub.error(at("issued"), "số phiếu phát ra phải lớn hơn 0")
    if None not in (issued, returned) and returned > issued:
        sub.error(at("returned"), f"số phiếu thu về {returned:g} lớn hơn số phiếu phát ra {issued:g} ({at('issued')})")
    if None not in (returned, valid) and valid > returned:
        sub.error(at("valid"), f"số phiếu hợp lệ {valid:g} lớn hơn số phiếu thu về {returned:g} ({at('returned')})")
    if present is not None and present > len(members):
        sub.error(at("present"), f"số thành viên có mặt {present:g} lớn hơn số thành viên của Khối ({len(members)})")
    out = {}
    for unit, (r, v) in favour.items():
        where = f"{sheet}!{VALUE}{r + 1}"
        if v is None:
            if not any(p.where == where for p in sub.problems):
                sub.error(where, f"chưa ghi số phiếu đồng ý của {members[unit]} (ô trống không phải 0: không có phiếu nào thì ghi 0)")
            continue
        if valid is not None and v > valid:
            sub.error(where, f"số phiếu đồng ý {v:g} của {members[unit]} lớn hơn số phiếu hợp lệ {valid:g} ({at('valid')})")
        out[unit] = {"issued": issued, "returned": returned, "valid": valid, "in_favour": v, "present": present}
    return out


def read_tally(path: Path, ctx) -> tuple[Submission, list[list[str]]]:
    """Check one tally workbook against the period; the ``ballots.csv`` rows it gives (none when it has an error)."""
    data = path.read_bytes()
    sub = Submission(path.name, "")
    opened = _open(sub, data)
    if opened is None:
        return sub, []
    wb, zf = opened
    with zf:
        meta = _rows_of(wb, SHEET_META) or []
        found = {norm(r[0]): (text(r[1]), i) for i, r in enumerate(meta) if len(r) > 1 and r[0]}
        get = lambda k: found.get(k, ("", 0))[0]  # noqa: E731
        if get("template_version") != VERSION:
            sub.error(f"{SHEET_META}!B2", f"bảng kiểm phiếu phiên bản {get('template_version') or '?'} không còn dùng được: "
                                          "hãy dùng bảng do `thidua documents` lập cho năm này")
            return sub, []
        if get("bloc") != ctx.bloc or get("period") != str(ctx.period):
            sub.error(f"{SHEET_META}!B3", f"bảng kiểm phiếu của khối '{get('bloc')}' kỳ {get('period')}, không phải khối "
                                          f"'{ctx.bloc}' kỳ {ctx.period} đang tổng hợp")
            return sub, []
        awards = {a.id: a for a in ctx.covenant.awards}
        counted: dict[str, dict] = {}
        for key, (sheet, i) in found.items():
            if not key.startswith("award:"):
                continue
            award_id = key[len("award:"):]
            if award_id not in awards:
                sub.error(f"{SHEET_META}!A{i + 1}", f"danh hiệu '{award_id}' không còn trong giao ước {ctx.period.year}: "
                                                    "hãy lập lại bảng kiểm phiếu (`thidua documents`)")
                continue
            rows = _rows_of(wb, sheet)
            if rows is None:
                sub.error(f"{sheet}!A1", f"thiếu trang “{sheet}” của bảng: không xóa hay đổi tên trang")
                continue
            counted[award_id] = _read_sheet(sub, rows, sheet, awards[award_id], ctx.member_names)
    if not sub.ok:
        return sub, []
    with_present = any(c["present"] is not None for units in counted.values() for c in units.values())
    out = []
    for award in ctx.covenant.awards:  # covenant order, then membership order
        units = counted.get(award.id, {})
        for unit in ctx.member_names:
            if unit in units:
                c = units[unit]
                out.append([award.id, unit, *(csv_number(c[k]) for k in COLUMNS[2:6])]
                           + ([csv_number(c["present"])] if with_present else []))
    return sub, out


def ingest_tally(directory: Path, workspace, bloc: str, period: str, dry_run: bool = False) -> TallyResult:
    """Read the one tally workbook in ``directory`` into the period's ``ballots.csv``."""
    ctx = period_context(workspace, bloc, period)
    files = tally_files(directory)
    if len(files) != 1:
        raise ParameterError(f"Thư mục '{directory}' có {len(files)} bảng kiểm phiếu: để lại đúng một bảng rồi chạy lại.")
    if not ctx.period.is_annual:
        raise ParameterError(f"Kỳ '{ctx.period}': bỏ phiếu bình xét chỉ có ở kỳ cả năm.")
    sub, rows = read_tally(files[0], ctx)
    result = TallyResult(sub.file, ctx.folder, list(sub.problems), rows, dry_run=dry_run)
    if result.rejected:
        return result
    header = COLUMNS if rows and len(rows[0]) == len(COLUMNS) else COLUMNS[:6]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path = ctx.folder / BALLOTS
    content = buf.getvalue().encode("utf-8")
    if (ctx.folder / VOTES).exists():
        result.problems.append(Problem(str(ctx.folder / VOTES), "", "kỳ này còn tệp votes.csv: kết quả bỏ phiếu nay ở ballots.csv; "
                                                                    "xóa votes.csv (nếu khác ballots.csv, kỳ này sẽ bị từ chối)", "warning"))
    if not dry_run and (not path.exists() or path.read_bytes() != content):
        write_files({path: content})
        result.written = [path]
    return result
