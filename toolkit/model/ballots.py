"""The secret ballot of a year-end meeting, per award and candidate, as the minutes record it.

``votes.csv`` holds one vote per unit (in favour, voters), which is all the nominations need.
A biên bản needs more: for each award and candidate the ballots issued, returned and valid
and the votes in favour. They live in an optional ``ballots.csv`` beside ``votes.csv``;
periods without it still load. The pass rule is the covenant's: ``min_vote_share`` with
``vote_rule`` "at_least" (share ≥ threshold, the default) or "more_than" (share > threshold),
and the share is counted on the ballots issued (phiếu phát ra), as ``approve / voters`` is.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.errors import Problem
from toolkit.model.covenant import Award, Covenant
from toolkit.model.readers import RowChecker, duplicates, parse_numbers, read_csv_checked

BALLOTS = "ballots.csv"
COLUMNS = ["award_id", "unit_id", "issued", "returned", "valid", "in_favour"]
COUNTS = COLUMNS[2:]
VOTE_RULE_VI = {"at_least": "từ {share} trở lên", "more_than": "trên {share}"}
_EPS = 1e-12


def vote_passes(share: float, award: Award) -> bool | None:
    """Whether a vote share meets the award's threshold; None when there is no threshold or no share."""
    if award.min_vote_share is None or share is None or share != share:
        return None
    if award.vote_rule == "more_than":
        return bool(share > award.min_vote_share + _EPS)
    return bool(share >= award.min_vote_share - _EPS)


def threshold_text(award: Award, share_text: str) -> str:
    """'từ 80% trở lên' / 'trên 50%' (``share_text`` is the formatted threshold)."""
    return VOTE_RULE_VI[award.vote_rule].format(share=share_text)


def load_ballots(folder: Path, cov: Covenant, members: pd.DataFrame, votes: pd.DataFrame | None = None
                 ) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``folder/ballots.csv`` (optional) and check it; return (ballots, problems).

    Every problem names the file, the line and the column. ``votes`` (``votes.csv`` as loaded:
    unit_id, approve, voters) is checked against the ballots of awards that require a vote
    share, since the nominations are decided on ``votes.csv`` and the minutes on the ballots:
    the two must say the same.
    """
    path = folder / BALLOTS
    problems: list[Problem] = []
    df = read_csv_checked(path, COLUMNS, problems, optional=True)
    chk = RowChecker(path, problems)
    awards = {a.id: a for a in cov.awards}
    chk.rows(df, ~df["award_id"].isin(awards), "award_id",
             lambda r: f"danh hiệu '{r.award_id}' không có trong giao ước {cov.year} (mã hợp lệ: {', '.join(awards) or 'không có'})")
    chk.rows(df, ~df["unit_id"].isin(set(members["unit_id"])), "unit_id",
             lambda r: f"đơn vị '{r.unit_id}' không phải thành viên khối '{cov.bloc}' năm {cov.year}")
    chk.problems += duplicates(df, ["award_id", "unit_id"], chk.file, "unit_id",
                               lambda r: f"phiếu của đơn vị '{r.unit_id}' cho danh hiệu '{r.award_id}'")
    raw = {c: df[c] for c in COUNTS}
    for c in COUNTS:
        num = parse_numbers(df[c])
        chk.rows(df, num.isna() | (num < 0) | (num != np.floor(num)), c,
                 lambda r, c=c: f"cần số nguyên ≥ 0, nhận được '{raw[c][r.name]}'")
        df[c] = num
    chk.rows(df, df["issued"] == 0, "issued", "số phiếu phát ra phải lớn hơn 0")
    chk.rows(df, df["returned"] > df["issued"], "returned", lambda r: f"số phiếu thu về {r.returned:g} lớn hơn số phiếu phát ra {r.issued:g}")
    chk.rows(df, df["valid"] > df["returned"], "valid", lambda r: f"số phiếu hợp lệ {r.valid:g} lớn hơn số phiếu thu về {r.returned:g}")
    chk.rows(df, df["in_favour"] > df["valid"], "in_favour", lambda r: f"số phiếu đồng ý {r.in_favour:g} lớn hơn số phiếu hợp lệ {r.valid:g}")
    if votes is not None and len(votes) and len(df):
        v = votes.set_index("unit_id")
        voted = df["award_id"].map(lambda a: a in awards and awards[a].min_vote_share is not None)
        known = df["unit_id"].isin(v.index)
        approve = df["unit_id"].map(v["approve"]).astype(float)
        voters = df["unit_id"].map(v["voters"]).astype(float)
        differs = voted & known & ((approve != df["in_favour"]) | (voters != df["issued"]))
        chk.rows(df, differs, "in_favour", lambda r: (
            f"phiếu của '{r.unit_id}' ({r.in_favour:g} đồng ý / {r.issued:g} phát ra) khác {folder / 'votes.csv'} "
            f"({v.loc[r.unit_id, 'approve']:g} / {v.loc[r.unit_id, 'voters']:g}); danh hiệu '{r.award_id}' xét theo votes.csv, "
            "biên bản theo ballots.csv: hai tệp phải khớp"))
    if not problems and len(df):
        df[COUNTS] = df[COUNTS].astype("int64")
    return df[COLUMNS].reset_index(drop=True), problems
