"""The vote of each award and candidate, and its share on the base the covenant names.

Pure: the ballots (``ballots.csv``), the older one-vote-per-unit table (``votes.csv``) and the
units in; one row per bloc, award and candidate out. A bloc with ballots is counted on them;
a bloc without (data from before ``ballots.csv`` existed) is counted on ``votes.csv`` for every
award that requires a vote share, as ballots issued = voters and in favour = approve, the
returned, valid and present counts unknown.

The share is ``in_favour / base``, the base being the award's ``vote_base``: the ballots issued
(the default, as before), returned or valid, the bloc's member units that year, or the members
present. A base that is unknown gives no share (missing is not zero): the award is then not
decided on a guess but reported as lacking the count it needs.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.model.ballots import threshold_text, vote_passes
from toolkit.model.covenant import Award, Covenant
from toolkit.model.ids import KEYS
from toolkit.model.text import fmt_percent

BASE_VI = {"issued": "tổng số phiếu phát ra", "returned": "tổng số phiếu thu về", "valid": "tổng số phiếu hợp lệ",
           "members": "tổng số đơn vị thành viên", "present": "số thành viên có mặt"}
COUNTS = ["issued", "returned", "valid", "in_favour", "present"]
COLUMNS = KEYS + ["award_id", *COUNTS, "members", "base", "base_count", "share", "passes"]


def base_text(award: Award) -> str:
    """'tính trên tổng số phiếu phát ra' (what the minutes and the report say)."""
    return f"tính trên {BASE_VI[award.vote_base]}"


def rule_text(award: Award) -> str:
    """'tỷ lệ phiếu đồng ý từ 80% trở lên, tính trên tổng số đơn vị thành viên' ('' without a threshold)."""
    if award.min_vote_share is None:
        return ""
    return f"tỷ lệ phiếu đồng ý {threshold_text(award, fmt_percent(award.min_vote_share, 0))}, {base_text(award)}"


def _from_votes(votes: pd.DataFrame, cov: Covenant) -> pd.DataFrame:
    """``votes.csv`` rows as ballots of every award that requires a vote share."""
    voted = [a.id for a in cov.awards if a.min_vote_share is not None]
    if not len(votes) or not voted:
        return pd.DataFrame(columns=KEYS + ["award_id", *COUNTS])
    one = pd.DataFrame({"bloc_id": votes["bloc_id"].to_numpy(dtype=object), "unit_id": votes["unit_id"].to_numpy(dtype=object),
                        "issued": votes["voters"].astype(float).to_numpy(), "returned": np.nan, "valid": np.nan,
                        "in_favour": votes["approve"].astype(float).to_numpy(), "present": np.nan})
    return pd.concat([one.assign(award_id=a) for a in voted], ignore_index=True)


def vote_table(cov: Covenant, ballots: pd.DataFrame, votes: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """One row per bloc, award and candidate: the counts, the base, the share and whether it passes."""
    ballots = ballots if ballots is not None else pd.DataFrame(columns=KEYS + ["award_id", *COUNTS])
    with_ballots = set(ballots["bloc_id"]) if len(ballots) else set()
    old = votes[~votes["bloc_id"].isin(with_ballots)] if len(votes) else votes
    parts = [p for p in (ballots[KEYS + ["award_id", *COUNTS]], _from_votes(old, cov)) if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object if c in KEYS + ["award_id", "base", "passes"] else float) for c in COLUMNS})
    t = pd.concat(parts, ignore_index=True)
    t[COUNTS] = t[COUNTS].astype(float)
    t["members"] = t["bloc_id"].map(units.groupby("bloc_id")["unit_id"].size()).astype(float)
    awards = {a.id: a for a in cov.awards}
    t["base"] = t["award_id"].map(lambda a: awards[a].vote_base).astype(object)
    t["base_count"] = pd.Series([r[b] for r, b in zip(t[COUNTS + ["members"]].to_dict("records"), t["base"])],
                                index=t.index, dtype=float)
    has_base = t["base_count"].notna() & (t["base_count"] > 0)
    t["share"] = (t["in_favour"] / t["base_count"]).where(has_base)
    t["passes"] = pd.Series([vote_passes(s, awards[a]) for s, a in zip(t["share"], t["award_id"])], index=t.index, dtype=object)
    order = {a.id: i for i, a in enumerate(cov.awards)}
    t = t.assign(_o=t["award_id"].map(order)).sort_values(["bloc_id", "_o"], kind="stable").drop(columns="_o")
    return t[COLUMNS].reset_index(drop=True)


def unit_votes(table: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Per unit, the vote of the first award (covenant order) it has one for: approve, voters (the base), vote_share.

    One figure per unit is what the ``vote_share`` tie-break and the unit's detail show; with
    ``votes.csv`` only it is that file's approve / voters, as before.
    """
    first = table.drop_duplicates(KEYS, keep="first")
    v = first[KEYS].assign(approve=first["in_favour"], voters=first["base_count"], vote_share=first["share"])
    return units[KEYS].merge(v, on=KEYS, how="left")[["approve", "voters", "vote_share"]].set_axis(units.index)


def base_notes(cov: Covenant, table: pd.DataFrame) -> list[str]:
    """One line per award decided on a vote: its rule and the base it is counted on, for the report."""
    if not len(table):
        return []
    return [f"Bình xét {a.title}: {rule_text(a)}." for a in cov.awards if a.min_vote_share is not None]
