"""Rating vocabularies: each year's labels mapped onto one ordinal scale per kind of rating.

Labels change with the rules (civil-servant categories in 2020, party ratings in 2018) and
covenants keep using old labels afterwards, so a label is only meaningful with its year.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


from toolkit.errors import DataError, Problem
from toolkit.model.readers import read_yaml
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


def load_vocabulary(path: Path) -> Vocabulary:
    file = str(path)
    raw = read_yaml(path, "tệp thang xếp loại (YAML)")
    if not isinstance(raw, dict):
        raise DataError([Problem(file, "", "cần một bảng khóa: giá trị với khóa 'scales'")])
    problems: list[Problem] = []
    scales: dict[str, Scale] = {}
    for name in SCALES:
        spec = (raw.get("scales") or {}).get(name)
        if not spec:
            problems.append(Problem(file, f"scales.{name}", "thiếu thang xếp loại"))
            continue
        levels = tuple(spec.get("levels") or ())
        versions = []
        for i, v in enumerate(spec.get("versions") or []):
            labels = {}
            for label, level in (v.get("labels") or {}).items():
                if level not in levels:
                    problems.append(Problem(file, f"scales.{name}.versions[{i}].labels",
                                            f"nhãn '{label}' trỏ tới mức '{level}' không có trong levels"))
                labels[label_key(label)] = level
            display = tuple(normalize(x) for x in (v.get("labels") or {}))
            versions.append(Version(int(v["from"]), v.get("to"), labels, display))
        scales[name] = Scale(name, levels, dict(spec.get("level_labels") or {}), tuple(versions))
    if problems:
        raise DataError(problems)
    return Vocabulary(scales)
