"""The secret ballot of each award as the minutes show it: one row per candidate.

Candidates are the units with a vote for the award in the engine's count
(:func:`toolkit.engine.ballot_count.vote_table`: ``ballots.csv``, or ``votes.csv`` for data from
before it existed, where the returned and valid counts are unknown) and the units the engine
nominated for it (a nominee without ballot data is shown, marked "chưa có số liệu", never
dropped). The share is the engine's, on the award's ``vote_base``. Rows follow the bloc's
ranking; a tie in votes is shown as it is (equal shares, both results), the ranking deciding
between tied units elsewhere.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.engine.evaluate import PeriodResult
from toolkit.model.covenant import Award
from toolkit.model.text import sort_key

COUNTS = ["issued", "returned", "valid", "in_favour", "present", "base_count"]
COLUMNS = ["unit_id", "name", "rank", *COUNTS, "share", "passes", "has_data", "nominated"]
RESULT_VI = {True: "Đạt", False: "Không đạt", None: "—"}
NO_DATA = "Chưa có số liệu"


def ballot_rows(res: PeriodResult, award: Award, votes: pd.DataFrame | None) -> pd.DataFrame:
    """One row per candidate for ``award``: the counts, the share on the award's base, whether it passes."""
    units = res.units.set_index("unit_id")
    elig = res.eligibility
    nominated = list(elig.loc[(elig["award_id"] == award.id) & elig["nominated"], "unit_id"])
    if votes is not None and len(votes):
        v = votes[votes["award_id"] == award.id].set_index("unit_id")
    else:
        v = pd.DataFrame(columns=[*COUNTS, "share", "passes"])
    ids = list(dict.fromkeys([*v.index, *nominated]))
    rows = []
    for u in ids:
        has = u in v.index
        c = v.loc[u] if has else pd.Series(np.nan, index=v.columns)
        rows.append({"unit_id": u, "name": units.loc[u, "name"] if u in units.index else u,
                     "rank": units.loc[u, "rank"] if u in units.index else pd.NA,
                     **{k: float(c[k]) for k in COUNTS}, "share": float(c["share"]),
                     "passes": c["passes"] if has else None, "has_data": has, "nominated": u in nominated})
    out = pd.DataFrame(rows, columns=COLUMNS)
    if len(out):
        out = out.assign(_r=pd.array(out["rank"], dtype="Int64").fillna(10**9), _k=out["name"].map(sort_key))
        out = out.sort_values(["_r", "_k"], kind="stable").drop(columns=["_r", "_k"]).reset_index(drop=True)
    return out


def result_text(row) -> str:
    return RESULT_VI[row["passes"]] if row["has_data"] else NO_DATA


def tie_notes(res: PeriodResult, award: Award) -> list[str]:
    """Units the engine left to the bloc because they tie at the quota's edge."""
    e = res.eligibility
    tied = e[(e["award_id"] == award.id) & e["status"].astype(str).str.startswith("Đồng hạng")]
    if tied.empty:
        return []
    return [f"Đồng hạng ở ranh giới hạn mức: {', '.join(tied['name'])}; Khối cần bình xét bổ sung trước khi trình."]
