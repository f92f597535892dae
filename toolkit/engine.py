"""Orchestrator: a bloc's covenant and period data in, every result the bloc needs out.

``evaluate`` is pure (frames in, frames out) and works on many blocs at once;
``analyse`` adds the I/O: it loads the files of one bloc and period, and the previous
comparable period for the change since then.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .compare import compare_periods
from .covenant import Covenant, load_covenant
from .errors import DataError, ParameterError, Problem
from .nominations import nominate
from .periods import Period
from .ranking import rank_units
from .scoring import assign_bands, content_scores, criteria_table, criterion_scores, unit_totals
from .submissions import PeriodData, available_periods, load_period_data, period_dir
from .frames import UnitLocator
from .targets import all_targets, excellent_cap, staff_counts
from .text import sort_key
from .units import Registry, load_registry
from .vocab import Vocabulary, load_vocabulary

KEYS = ["bloc_id", "unit_id"]


@dataclass
class PeriodResult:
    bloc: str
    bloc_name: str
    period: Period
    covenant: Covenant
    criteria: pd.DataFrame
    scores: pd.DataFrame
    contents: pd.DataFrame
    units: pd.DataFrame
    targets: pd.DataFrame
    cap: pd.DataFrame
    eligibility: pd.DataFrame
    quotas: pd.DataFrame
    comparison: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: dict = field(default_factory=dict)
    inputs: list[Path] = field(default_factory=list)

    @property
    def ranking(self) -> pd.DataFrame:
        """Units in rank order (unranked last, in Vietnamese name order)."""
        u = self.units.assign(_k=self.units["name"].map(sort_key))
        return u.sort_values(["rank", "_k"], na_position="last", kind="stable").drop(columns="_k").reset_index(drop=True)

    @property
    def nominations(self) -> pd.DataFrame:
        e = self.eligibility
        return e[e["nominated"]].reset_index(drop=True)


def _merge_left(left: pd.DataFrame, right: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """``left.merge(right[KEYS + cols], on=KEYS, how="left")``, by position when ``right`` has one row
    per unit: the same frame (RangeIndex, dtypes widened where a unit has no row) without hashing
    the text keys of both sides again."""
    where = UnitLocator(right) if len(left) and len(right) and not set(cols) & set(left.columns) else None
    if where is None or not where.ok:
        return left.merge(right[KEYS + cols], on=KEYS, how="left")
    at = where(left)
    found = at >= 0
    out = left.reset_index(drop=True)
    for c in cols:
        col = right[c].take(np.maximum(at, 0)).reset_index(drop=True)
        out[c] = col if found.all() else col.where(found)
    return out


def _count_missed(targets: pd.DataFrame, units: pd.DataFrame) -> pd.Series | None:
    """Targets missed per unit aligned with ``units`` (NaN for a unit without targets), as
    ``groupby(KEYS).sum()`` then a join would give; None when the units' keys are not unique."""
    where = UnitLocator(units)
    if not where.ok:
        return None
    at = where(targets)
    ok = at >= 0
    miss = np.bincount(at[ok], weights=targets["met"].eq(False).to_numpy(dtype=float)[ok], minlength=len(units))
    present = np.bincount(at[ok], minlength=len(units)) > 0
    values = miss.astype("int64") if present.all() else np.where(present, miss, np.nan)
    return pd.Series(values, index=units.index, name="targets_missed")


def evaluate(cov: Covenant, data: PeriodData, vocab: Vocabulary) -> dict[str, pd.DataFrame]:
    """Score, band, rank, check targets and nominate, for every bloc in ``data``."""
    crit = criterion_scores(data.scores, cov)
    contents = content_scores(crit, cov)
    totals = assign_bands(unit_totals(crit, data.events, cov), cov)
    units = _merge_left(data.members[KEYS + ["name", "short_name", "kind", "role"]], totals,
                        [c for c in totals.columns if c not in KEYS])
    units["submitted"] = units["criteria_total"].notna()
    votes = data.votes
    if len(votes):
        v = votes.assign(vote_share=votes["approve"].astype(float) / votes["voters"].astype(float))
        units = _merge_left(units, v, ["approve", "voters", "vote_share"])
    else:
        units = units.assign(approve=np.nan, voters=np.nan, vote_share=np.nan)
    units = rank_units(units, contents, crit, cov.tie_break)
    if data.period.is_annual:
        wide = staff_counts(data.staff, units, vocab)  # shared by the staff targets and the cap
        targets = all_targets(data.staff, data.orgs, units, cov, vocab, wide)
        cap = excellent_cap(data.staff, units, cov, vocab, wide)
    else:
        targets = all_targets(data.staff.iloc[0:0], data.orgs.iloc[0:0], units.iloc[0:0], cov, vocab)
        cap = excellent_cap(data.staff.iloc[0:0], units.iloc[0:0], cov, vocab)
    if len(cap):
        units = _merge_left(units, cap, ["within_cap"])
    else:
        units["within_cap"] = pd.NA
    if len(targets):
        missed = _count_missed(targets, units)
        if missed is None:
            missed = targets.assign(miss=targets["met"].eq(False)).groupby(KEYS)["miss"].sum().rename("targets_missed")
            units = units.join(missed, on=KEYS)
        else:
            units["targets_missed"] = missed
    else:
        units["targets_missed"] = np.nan
    eligibility, quotas = nominate(units, cov, targets, cap, data.events, data.period.kind)
    return {"criteria": criteria_table(cov), "scores": crit, "contents": contents, "units": units,
            "targets": targets, "cap": cap, "eligibility": eligibility, "quotas": quotas}


@dataclass(frozen=True)
class Workspace:
    """The shared, slowly changing inputs of a data folder: registry and vocabulary."""

    data_dir: Path
    registry: Registry
    vocab: Vocabulary

    @classmethod
    def open(cls, data_dir: Path | str = config.DATA_DIR) -> "Workspace":
        data_dir = Path(data_dir)
        if not data_dir.is_dir():
            raise ParameterError(f"Không tìm thấy thư mục dữ liệu '{data_dir}'.")
        return cls(data_dir, load_registry(data_dir), load_vocabulary(data_dir / config.VOCABULARY))

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

    def analyse(self, bloc: str, period: str | Period, compare: bool = True) -> PeriodResult:
        p = self.check(bloc, period)
        cov, data = self.load(bloc, p)
        frames = evaluate(cov, data, self.vocab)
        notes = list(cov.notes)
        cap = cov.targets.excellent_cap
        if cap is not None and not cap.confirmed:
            notes.append(f"Trần tỷ lệ hoàn thành xuất sắc ({cap.basis or 'không rõ căn cứ'}) chưa được đối chiếu với văn bản gốc; "
                         f"cách làm tròn '{cap.rounding}' là thiết lập của giao ước.")
        if not p.is_annual:
            notes.append("Chỉ tiêu xếp loại công chức và tổ chức là số liệu năm: không áp dụng cho kỳ này.")
        result = PeriodResult(bloc, self.registry.bloc_name(bloc), p, cov, warnings=data.warnings, notes=notes,
                              source={**data.source, "synthetic": bool(data.source.get("synthetic") or cov.synthetic)},
                              inputs=[self.covenant_path(bloc, p.year), *data.files], **frames)
        if compare:
            result.comparison = self._compare(bloc, p, result)
        return result

    def _compare(self, bloc: str, p: Period, result: PeriodResult) -> pd.DataFrame:
        prev = p.previous()
        previous = None
        if str(prev) in self.periods(bloc):
            try:
                previous = self.analyse(bloc, prev, compare=False).units
            except DataError:
                previous = None
        names = dict(zip(self.registry.units["unit_id"], self.registry.units["name"]))
        return compare_periods(result.units, previous, self.registry.successors(prev.year, p.year), str(prev), names)

    def input_files(self, bloc: str, period: Period) -> list[Path]:
        files = [self.data_dir / f for f in (config.UNITS, config.LINEAGE, config.BLOCS, config.MEMBERSHIP, config.VOCABULARY)]
        files.append(self.covenant_path(bloc, period.year))
        folder = period_dir(self.data_dir, bloc, period)
        files += sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        return [f for f in files if f.exists()]


def analyse(bloc: str, period: str, data_dir: Path | str = config.DATA_DIR) -> PeriodResult:
    """One bloc and period, from the files in ``data_dir``."""
    return Workspace.open(data_dir).analyse(bloc, period)
