"""A collective's record of achievements (hồ sơ thành tích): what a unit says about itself, kept between years.

One YAML file per unit, ``records/<unit_id>.yaml``, filled in by the unit or the secretariat:
general information, functions, structure, the earlier awards it declares (with their
decisions) and a narrative of achievements per year. The achievement report (báo cáo thành
tích) reads its sections I and III from here. The file is optional and so is every field: a
unit that has not written it yet still gets its report, with visible "[Đơn vị bổ sung: ...]"
placeholders, because a missing record must not hold up the bloc's dossier. A record that is
there but wrong (an unknown key, a year that is not a number) is an error like any other input.

:func:`award_history` is the one place a unit's awards come together as a frame (the bloc's
proposals from the history, the awards it declares); the province's decisions (granted
awards, issue 21) join here too, so the documents never assemble a history of their own.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import Field, StringConstraints, ValidationError

from toolkit import config
from toolkit.errors import DataError, Problem
from toolkit.model.readers import read_yaml
from toolkit.model.schema import Model, schema_problems
from toolkit.model.text import normalize, normalize_tree

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
HISTORY_COLUMNS = ["year", "award", "status", "decision", "decision_date", "issuer", "unit_name"]
STATUS_VI = {"granted": "Theo quyết định khen thưởng", "proposed": "Khối đề nghị", "declared": "Đơn vị kê khai"}


class Head(Model):
    name: Text
    title: Text = "Thủ trưởng đơn vị"  # "Giám đốc", "Trưởng ban"


class Structure(Model):
    staff: int | None = Field(None, ge=0)  # cán bộ, công chức, viên chức, người lao động
    party: str = ""  # "Đảng bộ Sở, 12 chi bộ trực thuộc, 180 đảng viên"
    mass_organisations: list[str] = []  # Công đoàn, Đoàn Thanh niên, ...
    departments: list[str] = []  # phòng, ban chuyên môn
    subordinate_units: list[str] = []  # đơn vị trực thuộc


class DeclaredAward(Model):
    """An award the unit declares with its decision: earlier years, or awards from outside the bloc."""

    year: int = Field(ge=1945, le=2100)
    award: Text  # "Bằng khen của Thủ tướng Chính phủ"
    decision: str = ""  # "1234/QĐ-TTg"
    date: _dt.date | None = None
    issuer: str = ""  # "Thủ tướng Chính phủ"


class UnitRecord(Model):
    synthetic: bool = False
    full_name: str = ""  # in full, as on the unit's seal: "Sở Công Thương tỉnh Bắc Ninh"
    parent_body: str = ""  # cơ quan chủ quản on the report's header; default: the bloc documents' parent body
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    head: Head | None = None
    characteristics: str = ""  # Markdown: những đặc điểm chính (founding, situation of the year)
    functions: str = ""  # Markdown: chức năng, nhiệm vụ
    structure: Structure = Structure()
    awards: list[DeclaredAward] = []
    achievements: dict[int, str] = {}  # year -> Markdown: thành tích đạt được, biện pháp, công tác đảng, đoàn thể


def record_path(data_dir: Path, unit_id: str) -> Path:
    return Path(data_dir) / config.RECORDS / f"{unit_id}.yaml"


def parse_unit_record(raw: object, file: str) -> UnitRecord:
    try:
        return UnitRecord.model_validate(normalize_tree(raw))
    except ValidationError as exc:
        raise DataError(schema_problems(exc, file, "hồ sơ thành tích")) from None


def load_unit_record(data_dir: Path, unit_id: str) -> UnitRecord | None:
    """The unit's record, or None when it has none yet (the report then shows placeholders)."""
    path = record_path(data_dir, unit_id)
    if not path.is_file():
        return None
    return parse_unit_record(read_yaml(path, "hồ sơ thành tích"), str(path))


def load_unit_records(data_dir: Path, unit_ids: list[str]) -> tuple[dict[str, UnitRecord | None], list[Problem]]:
    """Each unit's record (None when missing), and every problem of every faulty file at once."""
    records: dict[str, UnitRecord | None] = {}
    problems: list[Problem] = []
    for u in unit_ids:
        try:
            records[u] = load_unit_record(data_dir, u)
        except DataError as exc:
            problems += exc.problems
            records[u] = None
    return records, problems


def award_history(proposed: pd.DataFrame, record: UnitRecord | None, before: int | None = None,
                  granted: pd.DataFrame | None = None) -> pd.DataFrame:
    """One unit's awards as one frame (``HISTORY_COLUMNS``), oldest first.

    ``granted``: the awards the province's decisions granted it (its predecessors' included, each
    under the name it received it), the record's authority; ``record``: the awards the unit
    declares, kept where no decision of the same year and title is known; ``proposed``: the bloc's
    proposals for this unit (``year``, ``award``, ``unit_name``: the name it had then, and
    ``granted``: True, False, or NA while no decision decides it), from the history the trends
    report reads. A proposal already granted or declared is not listed twice, and a proposal the
    province decided not to grant is no award of the unit. ``before``: only years before this one
    (the year being proposed is the report's subject, not its history). Statuses: ``granted``
    (Theo quyết định khen thưởng), ``declared`` (Đơn vị kê khai), ``proposed`` (Khối đề nghị,
    no decision yet).
    """
    rows = []
    known = set()
    for r in (granted.itertuples(index=False) if granted is not None else []):
        known.add((int(r.year), normalize(r.award).casefold()))
        rows.append({"year": int(r.year), "award": r.award, "status": "granted", "decision": r.decision,
                     "decision_date": r.decision_date, "issuer": r.issuer, "unit_name": r.unit_name})
    for a in (record.awards if record else []):
        key = (a.year, normalize(a.award).casefold())
        if key in known:
            continue
        known.add(key)
        rows.append({"year": a.year, "award": a.award, "status": "declared", "decision": a.decision,
                     "decision_date": a.date, "issuer": a.issuer, "unit_name": ""})
    outcome = proposed["granted"] if "granted" in proposed else pd.Series(pd.NA, index=proposed.index, dtype=object)
    for r, decided in zip(proposed.itertuples(index=False), outcome):
        if (int(r.year), normalize(r.award).casefold()) in known or (not pd.isna(decided) and not decided):
            continue
        rows.append({"year": int(r.year), "award": r.award, "status": "proposed", "decision": "", "decision_date": None,
                     "issuer": "", "unit_name": r.unit_name})
    out = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    if before is not None:
        out = out[out["year"] < before]
    order = {"granted": 0, "declared": 1, "proposed": 2}
    out = out.assign(_s=out["status"].map(order)).sort_values(["year", "_s", "award"], kind="stable").drop(columns="_s")
    return out.reset_index(drop=True).astype({"year": int})
