"""The province's award decisions (quyết định khen thưởng): what was granted, not only what a bloc proposed.

A bloc proposes; the province decides and often grants fewer (Bến Tre, 2018: 48 of 69 flag
proposals). One YAML file per decision, ``decisions/<year>/<id>.yaml`` (``<year>`` the emulation
year it rewards, ``<id>`` made from its number by :func:`decision_id`), holds the header (number,
date, issuing body, signer, the period rewarded, the awards it decides) and one line per collective:
award and unit. One file per decision so that ``thidua decisions import`` adds a decision in one
atomic write, and a decision is corrected by editing one file. Validated like every data file:
every problem at once, each with the file and the key path (docs/data.md).

A decision *decides* the awards it lists under ``awards`` (by default those of its lines) for its
period: a proposal of such an award that is not among its lines was not granted. A proposal whose
award and period no decision covers yet is pending ("chờ quyết định"), never "not granted".
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import Field, StringConstraints, ValidationError, field_validator

from toolkit import config
from toolkit.errors import DataError, ParameterError, Problem
from toolkit.model.ids import is_id
from toolkit.model.periods import Period
from toolkit.model.readers import read_yaml
from toolkit.model.registry import Registry
from toolkit.model.schema import Model, schema_problems
from toolkit.model.text import label_key, normalize
from toolkit.model.unit_names import renamed_with, units_of_year

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LINE_COLUMNS = ["decision_id", "number", "date", "body", "period", "year", "award_id", "unit_id", "name", "file"]
DECIDED_COLUMNS = ["decision_id", "number", "date", "body", "period", "award_id", "file"]


class DecisionLine(Model):
    award: Text  # the covenant's award id: co_thi_dua, bang_khen
    unit_id: Text  # the collective, as units.csv knows it
    name: str = ""  # the collective's name as the decision prints it


class Decision(Model):
    number: Text  # "3120/QĐ-UBND", as printed after "Quyết định số"
    date: _dt.date  # ngày ký
    body: Text  # cơ quan ban hành: "UBND tỉnh Bắc Ninh"
    signer: Text  # người ký
    signer_title: str = ""  # "Chủ tịch", "KT. Chủ tịch - Phó Chủ tịch"
    period: str  # the period rewarded: "2018" (year end)
    awards: list[Text] = []  # the awards it decides; empty: those of its lines
    lines: list[DecisionLine] = Field(default_factory=list)
    synthetic: bool = False
    source: str = ""  # where it was read from: the PDF, the attached list

    @field_validator("period", mode="before")
    @classmethod
    def _year_as_text(cls, value):
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value  # YAML reads 2018 as a number

    @property
    def decided(self) -> list[str]:
        return list(dict.fromkeys(self.awards or [line.award for line in self.lines]))


@dataclass(frozen=True)
class Decisions:
    """Every decision of a data folder, as two frames."""

    lines: pd.DataFrame  # LINE_COLUMNS: one row per granted award and collective
    decided: pd.DataFrame  # DECIDED_COLUMNS: one row per decision and award it decides

    @classmethod
    def empty(cls) -> "Decisions":
        return cls(pd.DataFrame(columns=LINE_COLUMNS), pd.DataFrame(columns=DECIDED_COLUMNS))


def decision_id(number: str) -> str:
    """The file name of a decision from its number: "3120/QĐ-UBND" -> "3120-qd-ubnd" (an id: docs/data.md)."""
    text = unicodedata.normalize("NFD", normalize(number).replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:64].strip("-")
    if not is_id(slug):
        raise ParameterError(f"Số quyết định {number!r} không hợp lệ: cần dạng 3120/QĐ-UBND.")
    return slug


def decision_path(data_dir: Path, period: str, number: str) -> Path:
    return Path(data_dir) / config.DECISIONS / str(Period.parse(period).year) / f"{decision_id(number)}.yaml"


def _message(err: dict) -> str | None:
    if err["type"] in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"cần một ngày dạng 2019-01-15, nhận được {err.get('input')!r}"
    if err["type"] == "string_too_short":
        return "để trống: cần một nội dung"
    return None


def parse_decision(raw: object, file: str, registry: Registry, awards_of_year: Callable[[int], set[str]] | None = None) -> Decision:
    """Validate one parsed decision file; raise one DataError listing every problem."""
    try:
        d = Decision.model_validate(raw)
    except ValidationError as exc:
        raise DataError(schema_problems(exc, file, "quyết định khen thưởng", _message)) from None
    problems: list[Problem] = []
    try:
        period = Period.parse(d.period)
    except ParameterError as exc:
        raise DataError([Problem(file, "period", str(exc))]) from None
    folder = Path(file).parent.name
    if folder.isdigit() and int(folder) != period.year:
        problems.append(Problem(file, "period", f"kỳ {period} không thuộc năm {folder} của thư mục chứa tệp: "
                                                f"chuyển tệp vào decisions/{period.year}/ hoặc sửa kỳ"))
    if d.date < period.end - _dt.timedelta(days=366):
        problems.append(Problem(file, "date", f"ngày {d.date:%d/%m/%Y} trước kỳ {period} được khen thưởng"))
    known = set(registry.units["unit_id"])
    active = set(units_of_year(registry, period.year))
    awards = awards_of_year(period.year) if awards_of_year else None
    decided = set(d.decided)
    for i, a in enumerate(d.awards):
        if awards is not None and a not in awards:
            problems.append(Problem(file, f"awards[{i}]", f"danh hiệu '{a}' không có trong giao ước năm {period.year} của khối nào "
                                                          f"(có: {', '.join(sorted(awards)) or 'không có'})"))
    seen: dict[tuple[str, str], int] = {}
    for i, line in enumerate(d.lines):
        if line.unit_id not in known:
            problems.append(Problem(file, f"lines[{i}].unit_id", f"đơn vị '{line.unit_id}' không có trong {config.UNITS}"))
        elif not renamed_with(registry, line.unit_id) & active:
            problems.append(Problem(file, f"lines[{i}].unit_id", f"đơn vị '{line.unit_id}' không tồn tại trong năm {period.year} "
                                                                 f"(theo {config.LINEAGE}: đã sáp nhập, giải thể hoặc chưa thành lập)"))
        if awards is not None and line.award not in awards and not d.awards:
            problems.append(Problem(file, f"lines[{i}].award", f"danh hiệu '{line.award}' không có trong giao ước năm {period.year} "
                                                               f"của khối nào (có: {', '.join(sorted(awards)) or 'không có'})"))
        if line.award not in decided:
            problems.append(Problem(file, f"lines[{i}].award", f"danh hiệu '{line.award}' không có trong awards của quyết định "
                                                               f"({', '.join(d.awards)})"))
        key = (line.award, line.unit_id)
        if key in seen:
            problems.append(Problem(file, f"lines[{i}]", f"đơn vị '{line.unit_id}' được ghi hai lần cho danh hiệu '{line.award}' "
                                                         f"(lần đầu ở lines[{seen[key]}]): chỉ giữ một dòng"))
        seen.setdefault(key, i)
    if problems:
        raise DataError(problems)
    return d


def _normalised(raw: object) -> object:
    if isinstance(raw, dict):
        return {k: _normalised(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_normalised(v) for v in raw]
    return normalize(raw) if isinstance(raw, str) else raw


def decision_files(data_dir: Path) -> list[Path]:
    folder = Path(data_dir) / config.DECISIONS
    return sorted(folder.glob("*/*.yaml")) if folder.is_dir() else []


def load_decisions(data_dir: Path, registry: Registry, awards_of_year: Callable[[int], set[str]] | None = None) -> Decisions:
    """Every ``decisions/<year>/*.yaml`` of ``data_dir`` (none is fine), every problem of every file in one DataError."""
    problems: list[Problem] = []
    lines, decided = [], []
    numbers: dict[str, str] = {}
    for path in decision_files(data_dir):
        try:
            d = parse_decision(_normalised(read_yaml(path, "quyết định khen thưởng (YAML)")), str(path), registry, awards_of_year)
        except DataError as exc:
            problems += exc.problems
            continue
        key = label_key(d.number)
        if key in numbers:
            problems.append(Problem(str(path), "number", f"quyết định số {d.number} đã có trong {numbers[key]}: mỗi quyết định một tệp"))
            continue
        numbers[key] = str(path)
        year = Period.parse(d.period).year
        head = {"decision_id": path.stem, "number": d.number, "date": d.date, "body": d.body, "period": str(Period.parse(d.period))}
        decided += [{**head, "award_id": a, "file": str(path)} for a in d.decided]
        lines += [{**head, "year": year, "award_id": x.award, "unit_id": x.unit_id, "name": x.name, "file": str(path)}
                  for x in d.lines]
    if problems:
        raise DataError(problems)
    return Decisions(pd.DataFrame(lines, columns=LINE_COLUMNS).astype({"year": "int64"}),
                     pd.DataFrame(decided, columns=DECIDED_COLUMNS))


def dump_decision(d: Decision) -> str:
    """The YAML text of a decision as the import writes it (the header first, one line per collective)."""
    import yaml

    raw = {k: v for k, v in d.model_dump(exclude_defaults=True).items() if k != "lines"}
    raw["lines"] = [line.model_dump(exclude_defaults=True) for line in d.lines]
    head = ("# Quyết định khen thưởng (docs/data.md, decisions/<năm>/<số>.yaml)"
            + (": DỮ LIỆU MẪU, TỔNG HỢP, không phải quyết định thật" if d.synthetic else "") + "\n")
    return head + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=120)
