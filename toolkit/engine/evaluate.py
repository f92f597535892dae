"""The engine's orchestrator: a bloc's covenant and period data in, every result the bloc needs out.

``evaluate`` is pure (frames in, frames out) and works on many blocs at once; loading the
files and comparing with the previous period is :mod:`toolkit.reports.analysis`'s job.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.model.ids import KEYS
from toolkit.engine.ballot_count import unit_votes, vote_table
from toolkit.engine.nominations import nominate
from toolkit.errors import Problem
from toolkit.model.covenant import Covenant
from toolkit.model.period_data import PeriodData
from toolkit.model.vocabulary import Vocabulary
from toolkit.model.periods import Period
from toolkit.engine.ranking import rank_units
from toolkit.engine.scoring import assign_bands, content_scores, criteria_table, criterion_scores, unit_totals
from toolkit.engine.targets import all_targets, excellent_cap, staff_counts
from toolkit.model.text import sort_key



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
    votes: pd.DataFrame = field(default_factory=pd.DataFrame)  # per award and candidate: counts, base, share (engine.ballot_count)
    comparison: pd.DataFrame = field(default_factory=pd.DataFrame)
    violations: pd.DataFrame = field(default_factory=pd.DataFrame)  # the reasons behind deduction criteria, shown with them
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: dict = field(default_factory=dict)
    inputs: list[Path] = field(default_factory=list)
    registrations: pd.DataFrame | None = None  # the year's registrations.csv as loaded; None: the year has none

    @property
    def ranking(self) -> pd.DataFrame:
        """Units in rank order (unranked last, in Vietnamese name order)."""
        u = self.units.assign(_k=self.units["name"].map(sort_key))
        return u.sort_values(["rank", "_k"], na_position="last", kind="stable").drop(columns="_k").reset_index(drop=True)

    @property
    def nominations(self) -> pd.DataFrame:
        e = self.eligibility
        return e[e["nominated"]].reset_index(drop=True)


def rank_period(cov: Covenant, data: PeriodData) -> dict[str, pd.DataFrame]:
    """Score, band and rank every bloc in ``data`` (all that a comparison with a later period needs)."""
    # The tables merged onto the members take the members' id dtypes first: a merge of pandas
    # ``str`` ids with object ids gives object ids, and an optional file that is absent (no
    # votes, no organisations) reads as an empty table with object ids, so stacking it with a
    # bloc that has one would otherwise change the id dtype of every result about units.
    ids = data.members[KEYS].dtypes.to_dict()
    events, votes = (t.astype(ids) for t in (data.events, data.votes))
    crit = criterion_scores(data.scores, cov)
    contents = content_scores(crit, cov)
    totals = assign_bands(unit_totals(crit, events, cov), cov)
    units = data.members[KEYS + ["name", "short_name", "kind", "role"]].merge(totals, on=KEYS, how="left")
    units["submitted"] = units["criteria_total"].notna()
    ballots = data.ballots.astype(ids) if len(data.ballots) else None
    table = vote_table(cov, ballots, votes, units)
    units = pd.concat([units, unit_votes(table, units)], axis=1)
    units = rank_units(units, contents, crit, cov.tie_break)
    return {"scores": crit, "contents": contents, "units": units, "votes": table}


def evaluate(cov: Covenant, data: PeriodData, vocab: Vocabulary) -> dict[str, pd.DataFrame]:
    """Score, band, rank, check targets and nominate, for every bloc in ``data``."""
    ranked = rank_period(cov, data)
    crit, contents, units, votes = ranked["scores"], ranked["contents"], ranked["units"], ranked["votes"]
    ids = data.members[KEYS].dtypes.to_dict()
    events, staff, orgs = (t.astype(ids) for t in (data.events, data.staff, data.orgs))
    if data.period.is_annual:
        wide = staff_counts(staff, units, vocab)  # shared by the staff targets and the cap
        targets = all_targets(staff, orgs, units, cov, vocab, wide)
        cap = excellent_cap(staff, units, cov, vocab, wide)
    else:
        targets = all_targets(staff.iloc[0:0], orgs.iloc[0:0], units.iloc[0:0], cov, vocab)
        cap = excellent_cap(staff.iloc[0:0], units.iloc[0:0], cov, vocab)
    if len(cap):
        units = units.merge(cap[KEYS + ["within_cap"]], on=KEYS, how="left")
    else:
        units["within_cap"] = pd.NA
    if len(targets):
        missed = targets.assign(targets_missed=targets["met"].eq(False)).groupby(KEYS)["targets_missed"].sum()
        units = units.merge(missed.reset_index(), on=KEYS, how="left")
    else:
        units["targets_missed"] = np.nan
    regs = None if data.registrations is None else data.registrations.astype(ids)
    eligibility, quotas = nominate(units, cov, targets, cap, events, data.period.kind, registrations=regs, votes=votes)
    return {"criteria": criteria_table(cov), "scores": crit, "contents": contents, "units": units,
            "targets": targets, "cap": cap, "eligibility": eligibility, "quotas": quotas, "violations": data.violations,
            "votes": votes}
