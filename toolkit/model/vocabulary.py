"""Rating vocabularies: each year's labels mapped onto one ordinal scale per kind of rating.

Labels change with the rules (civil-servant categories in 2020, party ratings in 2018) and
covenants keep using old labels afterwards, so a label is only meaningful with its year.
``vocabularies.yaml`` is validated with a pydantic schema (:class:`VocabularyFile`) whose errors
are worded like the covenant's: the file, the key path and what was expected, in Vietnamese.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError, model_validator

from toolkit.errors import DataError, Problem
from toolkit.model.readers import read_yaml
from toolkit.model.schema import Model, schema_problems
from toolkit.model.text import label_key, normalize

SCALES = ("staff", "party", "mass")


@dataclass(frozen=True)
class Version:
    start: int
    end: int | None
    labels: dict[str, str]  # label_key -> level id
    display: tuple[str, ...]  # labels as written in the vocabulary file

    def covers(self, year: int) -> bool:
        return self.start <= year and (self.end is None or year <= self.end)


@dataclass(frozen=True)
class Scale:
    name: str
    levels: tuple[str, ...]  # ordinal, lowest first
    level_labels: dict[str, str]  # level id -> display label (Vietnamese)
    versions: tuple[Version, ...]

    def rank(self, level: str) -> int:
        return self.levels.index(level)

    def version(self, year: int) -> Version | None:
        return next((v for v in self.versions if v.covers(year)), None)

    def labels_for(self, year: int) -> dict[str, str]:
        v = self.version(year)
        return v.labels if v else {}

    def valid_labels(self, year: int) -> list[str]:
        v = self.version(year)
        return list(v.display) if v else []

    def display(self, level: str) -> str:
        return self.level_labels.get(level, level)


@dataclass(frozen=True)
class Vocabulary:
    scales: dict[str, Scale]

    def levels(self) -> dict[str, set[str]]:
        return {name: set(s.levels) for name, s in self.scales.items()}

    def scale_for_org(self, organisation: str) -> Scale:
        return self.scales["party" if organisation == "party" else "mass"]


class _VersionSpec(Model):
    start: int = Field(alias="from", ge=1900, le=2200)
    end: int | None = Field(None, alias="to", ge=1900, le=2200)
    labels: dict[str, str] = Field(min_length=1)  # label as written -> level id

    @model_validator(mode="after")
    def _ordered(self):
        if self.end is not None and self.end < self.start:
            raise ValueError(f"năm kết thúc 'to' ({self.end}) trước năm bắt đầu 'from' ({self.start})")
        return self


class _ScaleSpec(Model):
    levels: list[str] = Field(min_length=1)  # ordinal, lowest first
    level_labels: dict[str, str] = {}
    versions: list[_VersionSpec] = Field(min_length=1)


class _Scales(Model):
    staff: _ScaleSpec
    party: _ScaleSpec
    mass: _ScaleSpec


class VocabularyFile(Model):
    """The schema of vocabularies.yaml (documented in docs/data.md)."""

    scales: _Scales


def parse_vocabulary(raw: object, file: str) -> Vocabulary:
    """Validate an already-parsed vocabularies.yaml; raise one DataError listing every problem."""
    try:
        spec = VocabularyFile.model_validate(raw)
    except ValidationError as exc:
        raise DataError(schema_problems(exc, file, "thang xếp loại")) from None
    problems: list[Problem] = []
    scales: dict[str, Scale] = {}
    for name in SCALES:
        sc: _ScaleSpec = getattr(spec.scales, name)
        levels = tuple(sc.levels)
        for level in sc.level_labels:
            if level not in levels:
                problems.append(Problem(file, f"scales.{name}.level_labels.{level}", f"mức '{level}' không có trong levels"))
        versions = []
        for i, v in enumerate(sc.versions):
            for label, level in v.labels.items():
                if level not in levels:
                    problems.append(Problem(file, f"scales.{name}.versions[{i}].labels",
                                            f"nhãn '{label}' trỏ tới mức '{level}' không có trong levels"))
            labels = {label_key(label): level for label, level in v.labels.items()}
            versions.append(Version(v.start, v.end, labels, tuple(normalize(x) for x in v.labels)))
        scales[name] = Scale(name, levels, dict(sc.level_labels), tuple(versions))
    if problems:
        raise DataError(problems)
    return Vocabulary(scales)


def load_vocabulary(path: Path) -> Vocabulary:
    """Read and validate a vocabularies.yaml; every problem names the file and the key path."""
    return parse_vocabulary(read_yaml(path, "tệp thang xếp loại (YAML)"), str(path))
