"""A decision's attached list, read as it arrives, and its collectives matched to units: ``thidua decisions import``.

The province sends a decision as a PDF with a list of the collectives (Danh sách tập thể được
tặng...), or that list as a spreadsheet. The secretariat saves the spreadsheet (.xlsx, read with
python-calamine), exports it as CSV, or pastes the table copied from the PDF into a text file
(tab- or space-separated columns, one collective a line). The list's header row is found by its
words ("Tên tập thể", "Đơn vị", "Hình thức khen thưởng"...); without one, each line is a name,
its leading number ("1.", "2)") left out.

Every name is matched through the lineage of the rewarded year (:mod:`toolkit.model.unit_names`).
A name that matches no unit, or several, is reported with its row (sheet and cell for a
workbook) and nothing is written: the decision is written only when every line is matched, in one
atomic write that never replaces an existing decision.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import DataError, ParameterError, Problem
from toolkit.model.decisions import Decision, DecisionLine, decision_path, dump_decision, parse_decision
from toolkit.model.files import write_file
from toolkit.model.periods import Period
from toolkit.model.readers import UnreadableFile, read_text, sniff_separator
from toolkit.model.text import label_key, normalize
from toolkit.model.unit_names import name_index
from toolkit.model.workspace import Workspace

NAME_HEADERS = {"tên tập thể", "tập thể", "tên đơn vị", "đơn vị", "tên cơ quan, đơn vị", "cơ quan, đơn vị", "tên cơ quan",
                "tên tập thể được khen thưởng", "name", "unit"}
AWARD_HEADERS = {"hình thức khen thưởng", "hình thức", "danh hiệu", "danh hiệu thi đua", "award"}
_NUMBERING = re.compile(r"^\s*(\d{1,4}|[IVXLC]+)\s*[.)/-]?\s+")
_HEADER_NUMBER = re.compile(r"^(stt|tt|số tt)\s+")


@dataclass(frozen=True)
class ListRow:
    where: str  # "dòng 5" or "DanhSach!B5": where the secretariat finds the row
    name: str
    award: str  # the award as the list writes it ("" when the list has no such column)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize(value)


def _column_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def read_rows(path: Path, sheet: str = "") -> tuple[list[list[str]], callable]:
    """The file's rows as text cells, and a function naming row r (0-based), column c for messages."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_path(str(path))
            name = sheet or wb.sheet_names[0]
            if name not in wb.sheet_names:
                raise DataError([Problem(str(path), "", f"không có trang '{sheet}'; các trang: {', '.join(wb.sheet_names)}")])
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except DataError:
            raise
        except Exception as exc:  # calamine raises several error types for damaged content
            raise DataError([Problem(str(path), "", f"không đọc được bảng tính: {exc}")]) from None
        return [[_cell_text(v) for v in row] for row in rows], lambda r, c: f"{name}!{_column_letter(c)}{r + 1}"
    try:
        text = read_text(path)
    except UnreadableFile as exc:
        raise DataError([exc.problem]) from None
    lines = text.splitlines()
    if suffix == ".csv":
        sep = sniff_separator(text, sorted(NAME_HEADERS | AWARD_HEADERS))
        rows = [[normalize(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=sep)]
    else:  # a table pasted from the PDF: columns apart by tabs (a name may hold runs of spaces: one cell)
        rows = [[normalize(c) for c in line.split("\t")] for line in lines]
    return rows, lambda r, c: f"dòng {r + 1}"


def list_rows(path: Path, sheet: str = "") -> list[ListRow]:
    """The collectives of the list, each with where it is and its award as written."""
    rows, where = read_rows(path, sheet)
    header, name_col, award_col = None, None, None
    for r, row in enumerate(rows):
        keys = [_HEADER_NUMBER.sub("", label_key(c)) for c in row]  # "STT Tên tập thể" pasted without a tab
        names = [i for i, k in enumerate(keys) if k in NAME_HEADERS]
        if names:
            header, name_col = r, names[0]
            award_col = next((i for i, k in enumerate(keys) if k in AWARD_HEADERS), None)
            break
    out = []
    for r, row in enumerate(rows):
        if header is not None and r <= header:
            continue
        cells = [c for c in row]
        if not any(cells):
            continue
        if header is None:  # a bare list: the name is the last cell that is not a number
            texts = [(i, c) for i, c in enumerate(cells) if c and not c.replace(".", "").isdigit()]
            if not texts:
                continue
            col, name = texts[-1] if len(texts) == 1 else texts[0]
            award = ""
        else:
            col = name_col
            name = cells[name_col] if name_col < len(cells) else ""
            award = cells[award_col] if award_col is not None and award_col < len(cells) else ""
            if not name:
                continue
        out.append(ListRow(where(r, col), normalize(_NUMBERING.sub("", name)), award))
    return out


def _award_ids(ws: Workspace, year: int) -> dict[str, set[str]]:
    """Award key (id or title, as typed) -> the award ids of the year's covenants it names."""
    keys: dict[str, set[str]] = {}
    for bloc in ws.blocs():
        if ws.covenant_path(bloc, year).exists():
            for a in ws.covenant(bloc, year).awards:
                for k in (a.id, a.title):
                    keys.setdefault(label_key(k), set()).add(a.id)
    return keys


def parse_date(text: str) -> _dt.date:
    """A date as the secretariat types it: 15/01/2019 or 2019-01-15."""
    t = normalize(text)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return _dt.datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    raise ParameterError(f"Ngày {text!r} không hợp lệ: cần dạng 15/01/2019.")


def build_decision(ws: Workspace, path: Path, number: str, date: str, body: str, signer: str, period: str,
                   signer_title: str = "", award: str = "", sheet: str = "") -> tuple[Decision, list[ListRow]]:
    """The decision whose lines are ``path``'s collectives, every one matched; else one DataError naming every bad row."""
    p = Period.parse(period)
    when = parse_date(date)
    file = str(path)
    rows = list_rows(path, sheet)
    problems: list[Problem] = []
    if not rows:
        raise DataError([Problem(file, "", "không tìm thấy tập thể nào: cần một cột 'Tên tập thể' (hoặc 'Đơn vị'), "
                                           "hoặc mỗi dòng một tên")])
    awards = _award_ids(ws, p.year)
    index = name_index(ws.registry, p.year)
    names = dict(zip(ws.registry.units["unit_id"], ws.registry.units["name"]))
    lines: list[DecisionLine] = []
    seen: dict[tuple[str, str], str] = {}
    for row in rows:
        typed = row.award or award
        ids = awards.get(label_key(typed), set()) if typed else set()
        if not typed:
            problems.append(Problem(file, row.where, "không có hình thức khen thưởng: thêm cột 'Hình thức khen thưởng' "
                                                     "hoặc dùng --award"))
        elif len(ids) != 1:
            known = sorted({a for v in awards.values() for a in v})
            problems.append(Problem(file, row.where, f"hình thức khen thưởng '{typed}' "
                                                     + ("khớp nhiều danh hiệu: " + ", ".join(sorted(ids)) if ids else
                                                        f"không có trong giao ước năm {p.year}; dùng: {', '.join(known) or 'không có'}")))
        units = index.match(row.name)
        if not units:
            other = index.elsewhere(row.name)
            why = (f"; đó là tên của {', '.join(f'{names[u]} ({u})' for u in other)}, không phải đơn vị của năm {p.year} "
                   "(đã sáp nhập, giải thể, hoặc chưa thành lập)" if other else "")
            problems.append(Problem(file, row.where, f"'{row.name}' không khớp đơn vị nào của năm {p.year} trong units.csv{why}: "
                                                     "sửa tên như trong units.csv, hoặc thêm đơn vị vào units.csv"))
        elif len(units) > 1:
            problems.append(Problem(file, row.where, f"'{row.name}' khớp nhiều đơn vị: "
                                                     + "; ".join(f"{names[u]} ({u})" for u in units)
                                                     + ": ghi tên đầy đủ của đơn vị"))
        if len(units) == 1 and len(ids) == 1:
            key = (next(iter(ids)), units[0])
            if key in seen:
                problems.append(Problem(file, row.where, f"'{row.name}' trùng với {seen[key]} (cùng đơn vị, cùng danh hiệu)"))
                continue
            seen[key] = row.where
            lines.append(DecisionLine(award=key[0], unit_id=key[1], name=row.name))
    if problems:
        raise DataError(problems)
    decision = Decision(number=normalize(number).removeprefix("Quyết định số ").strip(), date=when, body=normalize(body),
                        signer=normalize(signer), signer_title=normalize(signer_title), period=str(p), lines=lines,
                        source=f"nhập từ {path.name}")
    return decision, rows


def import_decision(ws: Workspace, path: Path, dry_run: bool = False, **header) -> tuple[Path, Decision, list[ListRow]]:
    """Match ``path``'s list, check the decision as the loader will, then write it (never over an existing one)."""
    decision, rows = build_decision(ws, path, **header)
    target = decision_path(ws.data_dir, decision.period, decision.number)
    text = dump_decision(decision)
    import yaml

    parse_decision(yaml.safe_load(text), str(target), ws.registry, ws.award_ids)  # what the loader will check
    existing = ws.decisions()
    same = existing.decided[existing.decided["number"].map(label_key) == label_key(decision.number)]
    if target.exists() or len(same):
        where = target if target.exists() else same["file"].iloc[0]
        raise DataError([Problem(str(where), "", f"quyết định số {decision.number} đã có: sửa tệp đó nếu cần, không nhập lại")])
    if not dry_run:
        try:
            write_file(target, text, overwrite=False)
        except FileExistsError:
            raise DataError([Problem(str(target), "", f"quyết định số {decision.number} vừa được ghi bởi người khác")]) from None
    return target, decision, rows
