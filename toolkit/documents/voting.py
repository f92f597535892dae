"""The secret ballot of each award as the minutes show it: one row per candidate.

Candidates are the units with a ballot for the award in ``ballots.csv`` and the units the
engine nominated for it (a nominee without ballot data is shown, marked "chưa có số liệu",
never dropped). Without ``ballots.csv`` (data from before it existed) an award that requires
a vote share falls back to ``votes.csv``: ballots issued = voters, in favour = approve, the
returned and valid counts unknown. Rows follow the bloc's ranking; a tie in votes is shown
as it is (equal shares, both results), the ranking deciding between tied units elsewhere.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.engine.evaluate import PeriodResult
from toolkit.model.ballots import vote_passes
from toolkit.model.covenant import Award
from toolkit.model.text import sort_key

COLUMNS = ["unit_id", "name", "rank", "issued", "returned", "valid", "in_favour", "share", "passes", "has_data", "nominated"]
RESULT_VI = {True: "Đạt", False: "Không đạt", None: "—"}
NO_DATA = "Chưa có số liệu"


def ballot_rows(res: PeriodResult, award: Award, ballots: pd.DataFrame | None) -> pd.DataFrame:
    """One row per candidate for ``award``: the counts, the share of ballots issued, whether it passes."""
    units = res.units.set_index("unit_id")
    elig = res.eligibility
    nominated = list(elig.loc[(elig["award_id"] == award.id) & elig["nominated"], "unit_id"])
    have = ballots is not None and len(ballots) > 0
    if have:
        b = ballots[ballots["award_id"] == award.id].set_index("unit_id")
        counts = b[["issued", "returned", "valid", "in_favour"]].astype(float)
    elif award.min_vote_share is not None:  # votes.csv only: in favour / voters
        v = units[units["voters"].notna()] if "voters" in units else units.iloc[0:0]
        counts = pd.DataFrame({"issued": v["voters"].astype(float), "returned": np.nan, "valid": np.nan,
                               "in_favour": v["approve"].astype(float)}, index=v.index)
    else:
        counts = pd.DataFrame(columns=["issued", "returned", "valid", "in_favour"], dtype=float)
    ids = list(dict.fromkeys([*counts.index, *nominated]))
    rows = []
    for u in ids:
        has = u in counts.index
        c = counts.loc[u] if has else pd.Series(np.nan, index=counts.columns)
        share = c["in_favour"] / c["issued"] if has and c["issued"] > 0 else np.nan
        rows.append({"unit_id": u, "name": units.loc[u, "name"] if u in units.index else u,
                     "rank": units.loc[u, "rank"] if u in units.index else pd.NA,
                     **{k: c[k] for k in ("issued", "returned", "valid", "in_favour")}, "share": share,
                     "passes": vote_passes(share, award) if has else None, "has_data": has, "nominated": u in nominated})
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
