"""Merging accepted submissions into the period's CSV tables.

Merging rules (decisions the issue left open, documented in docs/ingest.md):

* the period CSVs hold every unit; only the rows of accepted units are rewritten, in place
  of their old rows (new units are appended in membership order);
* a unit that already has data is replaced only with ``--replace UNIT``; a file whose
  content equals the stored data is "unchanged" and needs no flag, so ingesting the same
  files twice changes no byte;
* the template carries self scores only: new rows have a blank ``verified_value`` and a
  replaced unit loses its earlier verified values (the output says how many);
* every table is written to a temporary file first and moved into place with
  ``os.replace`` (:func:`toolkit.model.files.write_files`); originals in the input folder are only ever read.

Tables are read as text, so the rows of units that are not touched are written back exactly
as they were.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import DataError, Problem
from toolkit.forms.cells import fold, norm, number_or_none
from toolkit.forms.period_context import PeriodContext
from toolkit.forms.reader import Submission
from toolkit.model.period_data import EVENTS, ORGS, REGISTRATIONS, SCORES, STAFF, VIOLATIONS

COLUMNS = {
    REGISTRATIONS: ["unit_id", "kind", "item", "value", "text"],  # merged by toolkit.forms.registration_reader
    SCORES: ["unit_id", "criterion_id", "self_value", "verified_value", "note"],
    EVENTS: ["unit_id", "event_id", "count", "reason"],
    STAFF: ["unit_id", "rating", "count"],
    ORGS: ["unit_id", "organisation", "rating"],
    VIOLATIONS: ["unit_id", "criterion_id", "count", "reason"],
}


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
                index.setdefault(norm(r[u]) if len(r) > u else "", []).append(r)
            self.__dict__["_by_unit"] = index
        return self.__dict__["_by_unit"].get(unit, [])

    def dict_rows(self, unit: str) -> list[dict[str, str]]:
        return [{h: (r[i] if i < len(r) else "") for i, h in enumerate(self.header)} for r in self.of(unit)]


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


def load_table(folder: Path, name: str) -> Table:
    path = folder / name
    if not path.exists():
        return Table(name, list(COLUMNS[name]), [], None)
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    header = [norm(h) for h in lines[0]] if lines else []
    if "unit_id" not in header:
        raise DataError([Problem(str(path), "dòng tiêu đề", "thiếu cột unit_id: không thể ghép dữ liệu nộp vào bảng này")])
    rows = [r for r in lines[1:] if any(c.strip() for c in r)]
    header += [c for c in COLUMNS[name] if c not in header]
    return Table(name, header, rows, raw)


def load_tables(ctx: PeriodContext) -> dict[str, Table]:
    """The period's tables that the template fills (staff and organisation ratings: years only)."""
    names = [SCORES, EVENTS] + ([STAFF, ORGS] if ctx.period.is_annual else [])
    if any(k.kind == "deduction" for _, k in ctx.covenant.criteria):  # no empty violations.csv for the others
        names.append(VIOLATIONS)
    return {name: load_table(ctx.folder, name) for name in names}


def _fingerprint(ctx: PeriodContext, tables: dict[str, Table], unit: str, new: dict[str, list[list[str]]] | None):
    """What the template carries for one unit, comparable between stored and new rows."""
    def rows(name):
        if new is not None:
            return [dict(zip(COLUMNS[name], r)) for r in new.get(name, [])]
        return tables[name].dict_rows(unit)

    year = ctx.period.year
    scores = sorted((r["criterion_id"], number_or_none(r["self_value"]), norm(r.get("note", ""))) for r in rows(SCORES))
    events = sorted((r["event_id"], number_or_none(r.get("count", "")) or 1.0, norm(r.get("reason", "")))
                    for r in rows(EVENTS) if (number_or_none(r.get("count", "")) or 1.0) != 0)
    out = {"scores": scores, "events": events}
    if VIOLATIONS in tables:
        out["violations"] = sorted((r["criterion_id"], number_or_none(r.get("count", "")) or 1.0, norm(r.get("reason", "")))
                                   for r in rows(VIOLATIONS))
    if ctx.period.is_annual:
        staff_labels = ctx.vocab.scales["staff"].labels_for(year)
        staff: dict[str, float] = {}
        for r in rows(STAFF):
            key = staff_labels.get(fold(r["rating"]), fold(r["rating"]))
            count = number_or_none(r.get("count", "")) if r.get("count", "").strip() else 1.0  # a row per person
            staff[key] = staff.get(key, 0.0) + (count or 0.0)
        out["staff"] = sorted((k, v) for k, v in staff.items() if v)
        out["orgs"] = sorted((r["organisation"], fold(r["rating"])) for r in rows(ORGS))
    return out


def _has_data(tables: dict[str, Table], unit: str) -> bool:
    return any(t.of(unit) for t in tables.values())


def decide(ctx: PeriodContext, subs: list[Submission], tables: dict[str, Table],
           replace: list[str]) -> tuple[list[Outcome], dict[str, dict[str, list[list[str]]]]]:
    """The verdict on every file, and the new rows of each unit to write (unit -> table -> rows)."""
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
    return outcomes, changes


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
        unit = norm(r[u]) if len(r) > u else ""
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


def merged_files(ctx: PeriodContext, tables: dict[str, Table], changes: dict[str, dict[str, list[list[str]]]],
                 touched: set[str] = frozenset()) -> dict[Path, bytes]:
    """The new content of every table that ``changes`` alters, or whose rows were changed in place (``touched``)."""
    files: dict[Path, bytes] = {}
    if not changes and not touched:
        return files
    order = list(ctx.members["unit_id"])
    for name, table in tables.items():
        if not changes and name not in touched:
            continue
        replace_rows = {u: rows.get(name, []) for u, rows in changes.items()}
        content = csv_bytes(table.header, _merged(table, replace_rows, order))
        if content != table.original:
            files[ctx.folder / name] = content
    return files


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")
