"""The secret ballot of a year-end meeting, per award and candidate: the one place a vote is entered.

``ballots.csv`` holds, for each award and candidate, the ballots issued, returned and valid,
the votes in favour and (optionally) the member units present: what the ballot committee's
minutes record, and what the nominations are decided on. ``votes.csv`` (one vote per unit,
``approve / voters``) is the older form, still read for periods without ``ballots.csv``.

When both files exist, ``ballots.csv`` is the vote. If ``votes.csv`` says the same (for every
award that requires a vote share: in favour = approve, issued = voters) it is ignored with a
warning; if it says something else the period is refused, naming both files: a vote typed
twice with two results cannot be settled by a program, and a secretariat still editing
``votes.csv`` by habit must not see its change silently dropped.

The pass rule is the covenant's, per award: ``min_vote_share`` with ``vote_rule`` "at_least"
(share ≥ threshold, the default) or "more_than" (share > threshold), the share counted on the
award's ``vote_base`` (see :mod:`toolkit.engine.ballot_count`).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.errors import Problem
from toolkit.model.covenant import Award, Covenant
from toolkit.model.readers import RowChecker, duplicates, parse_numbers, read_csv_checked

BALLOTS = "ballots.csv"
COLUMNS = ["award_id", "unit_id", "issued", "returned", "valid", "in_favour", "present"]
REQUIRED = COLUMNS[:6]
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


def empty_ballots() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c in ("award_id", "unit_id") else float) for c in COLUMNS})


def load_ballots(path: Path, cov: Covenant, members: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """Read ``ballots.csv`` (optional) and check it; every problem names the file, the line and the column.

    Counts are whole numbers ≥ 0 and nested: returned ≤ issued, valid ≤ returned, in favour ≤
    valid. ``present`` may be blank (unknown: NaN, never 0) unless an award counts its vote on it.
    """
    chk = RowChecker(path, problems)
    df = read_csv_checked(path, REQUIRED, problems, optional=True)
    if "present" not in df.columns:
        df["present"] = ""
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
        blank = df[c].astype(str).str.strip() == ""
        bad = (num.isna() & ~(blank & (c == "present"))) | (num < 0) | (num.notna() & (num != np.floor(num)))
        chk.rows(df, bad, c, lambda r, c=c: f"cần số nguyên ≥ 0, nhận được '{raw[c][r.name]}'")
        df[c] = num
    chk.rows(df, df["issued"] == 0, "issued", "số phiếu phát ra phải lớn hơn 0")
    chk.rows(df, df["returned"] > df["issued"], "returned", lambda r: f"số phiếu thu về {r.returned:g} lớn hơn số phiếu phát ra {r.issued:g}")
    chk.rows(df, df["valid"] > df["returned"], "valid", lambda r: f"số phiếu hợp lệ {r.valid:g} lớn hơn số phiếu thu về {r.returned:g}")
    chk.rows(df, df["in_favour"] > df["valid"], "in_favour", lambda r: f"số phiếu đồng ý {r.in_favour:g} lớn hơn số phiếu hợp lệ {r.valid:g}")
    n = len(members)
    chk.rows(df, df["present"] > n, "present", lambda r: f"số thành viên có mặt {r.present:g} lớn hơn số thành viên của khối ({n})")
    on_present = df["award_id"].map(lambda a: a in awards and awards[a].min_vote_share is not None and awards[a].vote_base == "present")
    chk.rows(df, on_present & df["present"].isna(), "present",
             lambda r: f"danh hiệu '{r.award_id}' tính tỷ lệ phiếu trên số thành viên có mặt (vote_base: present): cần ghi số thành viên có mặt")
    return df[COLUMNS].reset_index(drop=True)


def votes_disagreement(ballots: pd.DataFrame, votes: pd.DataFrame, cov: Covenant, ballots_path: Path, votes_path: Path
                       ) -> tuple[list[Problem], bool]:
    """Compare ``votes.csv`` with ``ballots.csv`` for the awards that require a vote share.

    Returns (problems, agree): one error per ballot row that ``votes.csv`` contradicts, or one
    warning saying ``votes.csv`` is ignored when they agree.
    """
    if not len(votes):
        return [], True
    chk = RowChecker(ballots_path, [])
    awards = {a.id: a for a in cov.awards}
    v = votes.drop_duplicates("unit_id").set_index("unit_id")
    voted = ballots["award_id"].map(lambda a: a in awards and awards[a].min_vote_share is not None)
    known = ballots["unit_id"].isin(v.index)
    approve = ballots["unit_id"].map(v["approve"]).astype(float)
    voters = ballots["unit_id"].map(v["voters"]).astype(float)
    differs = voted & known & ((approve != ballots["in_favour"]) | (voters != ballots["issued"]))
    chk.rows(ballots, differs, "in_favour", lambda r: (
        f"phiếu của '{r.unit_id}' cho '{r.award_id}' ({r.in_favour:g} đồng ý / {r.issued:g} phát ra) khác {votes_path} "
        f"({v.loc[r.unit_id, 'approve']:g} / {v.loc[r.unit_id, 'voters']:g}); khen thưởng xét theo ballots.csv: "
        "xóa votes.csv (hoặc sửa cho khớp) rồi chạy lại"))
    if chk.problems:
        return chk.problems, False
    return [Problem(str(votes_path), "", "đã có ballots.csv (kết quả bỏ phiếu theo từng danh hiệu): votes.csv trùng khớp và "
                                         "không được dùng nữa, có thể xóa", "warning")], True
