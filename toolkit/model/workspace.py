"""A data folder opened for analysis: its registry and vocabulary, and access to covenants and period data.

Everything a run reads goes through here, so parameters are checked against what the folder
really holds (valid blocs and periods are named when a parameter is wrong).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit import config
from toolkit.errors import DataError, ParameterError, Problem
from toolkit.model.calendar import Calendar, load_calendar
from toolkit.model.covenant import Covenant, load_covenant
from toolkit.model.decisions import Decisions, decision_files, load_decisions
from toolkit.model.period_data import REGISTRATIONS, PeriodData, available_periods, load_period_data, period_dir
from toolkit.model.periods import Period
from toolkit.model.registry import Registry, load_registry
from toolkit.model.vocabulary import Vocabulary, load_vocabulary


@dataclass(frozen=True)
class Workspace:
    """The shared, slowly changing inputs of a data folder: registry and vocabulary."""

    data_dir: Path
    registry: Registry
    vocab: Vocabulary
    calendar: Calendar = field(default_factory=Calendar)

    @classmethod
    def open(cls, data_dir: Path | str = config.DATA_DIR) -> "Workspace":
        data_dir = Path(data_dir)
        if not data_dir.is_dir():
            raise ParameterError(f"Không tìm thấy thư mục dữ liệu '{data_dir}'.")
        return cls(data_dir, load_registry(data_dir), load_vocabulary(data_dir / config.VOCABULARY), load_calendar(data_dir))

    def blocs(self) -> list[str]:
        return sorted(self.registry.blocs["bloc_id"])

    def periods(self, bloc: str) -> list[str]:
        return available_periods(self.data_dir, bloc)

    def covenant_path(self, bloc: str, year: int) -> Path:
        return self.data_dir / config.COVENANTS / bloc / f"{year}.yaml"

    def covenant(self, bloc: str, year: int) -> Covenant:
        path = self.covenant_path(bloc, year)
        if not path.exists():
            raise DataError([Problem(str(path), "", f"không có giao ước thi đua của khối '{bloc}' năm {year}")])
        return load_covenant(path, self.vocab.levels())

    def award_ids(self, year: int) -> set[str]:
        """The award ids of every bloc's covenant of ``year`` (a covenant with errors adds none)."""
        ids: set[str] = set()
        for bloc in self.blocs():
            if self.covenant_path(bloc, year).exists():
                try:
                    ids |= {a.id for a in self.covenant(bloc, year).awards}
                except DataError:
                    continue
        return ids

    def decisions(self) -> Decisions:
        """The province's award decisions (``decisions/``), checked against the units and each year's awards."""
        return load_decisions(self.data_dir, self.registry, self.award_ids)

    def check(self, bloc: str, period: str | Period) -> Period:
        """Validate run parameters, naming what is valid when they are not."""
        if bloc not in self.blocs():
            raise ParameterError(f"Khối '{bloc}' không có trong dữ liệu. Các khối hợp lệ: {', '.join(self.blocs())}.")
        p = period if isinstance(period, Period) else Period.parse(period)
        valid = self.periods(bloc)
        if str(p) not in valid:
            raise ParameterError(f"Khối '{bloc}' không có dữ liệu kỳ '{p}'. Các kỳ có dữ liệu: {', '.join(valid) or 'không có'}.")
        return p

    def load(self, bloc: str, period: Period) -> tuple[Covenant, PeriodData]:
        cov = self.covenant(bloc, period.year)
        members = self.registry.members(bloc, period.year)
        if members.empty:
            raise DataError([Problem(str(self.data_dir / config.MEMBERSHIP), "", f"khối '{bloc}' không có thành viên năm {period.year}")])
        return cov, load_period_data(self.data_dir, bloc, period, cov, self.vocab, members)

    def input_files(self, bloc: str, period: Period) -> list[Path]:
        files = [self.data_dir / f for f in (config.UNITS, config.LINEAGE, config.BLOCS, config.MEMBERSHIP, config.VOCABULARY, config.CALENDAR)]
        files.append(self.covenant_path(bloc, period.year))
        folder = period_dir(self.data_dir, bloc, period)
        files += sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        if not period.is_annual:  # a half or a quarter reads its year's registrations
            files.append(period_dir(self.data_dir, bloc, str(period.year)) / REGISTRATIONS)
        return [f for f in files if f.exists()]
