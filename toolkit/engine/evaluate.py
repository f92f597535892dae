"""The engine's orchestrator: a bloc's covenant and period data in, every result the bloc needs out.

``evaluate`` is pure (frames in, frames out) and works on many blocs at once; loading the
files and comparing with the previous period is :mod:`toolkit.reports.analysis`'s job.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.engine.nominations import nominate
from toolkit.errors import Problem
from toolkit.model.covenant import Covenant
from toolkit.model.period_data import PeriodData
from toolkit.model.vocabulary import Vocabulary
from toolkit.model.periods import Period
from toolkit.engine.ranking import rank_units
from toolkit.engine.scoring import assign_bands, content_scores, criteria_table, criterion_scores, unit_totals
from toolkit.engine.frames import UnitLocator
from toolkit.engine.targets import all_targets, excellent_cap, staff_counts
from toolkit.model.text import sort_key

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
