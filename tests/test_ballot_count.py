"""The vote's base (covenant ``vote_base``): hand-worked shares exactly at the threshold on each base.

The rule is "at least" (share ≥ threshold) unless the covenant says ``more_than`` (share >
threshold); both sides of the threshold are tested on every base.
"""
from __future__ import annotations

import dataclasses
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings, strategies as st

from conftest import covenant_dict, main_data, make_covenant
from toolkit.engine.ballot_count import base_notes, vote_table
from toolkit.engine.evaluate import evaluate
from toolkit.errors import DataError
from toolkit.model.covenant import Award
from toolkit.model.workspace import Workspace

TWO_THIRDS = 2 / 3
NINE = pd.DataFrame({"bloc_id": "b", "unit_id": [f"u{i}" for i in range(1, 10)]})  # a bloc of 9 member units


def _award(base: str, rule: str = "at_least") -> Award:
    return Award(id="co", title="Cờ thi đua", quota={"count": 1}, min_vote_share=TWO_THIRDS, vote_rule=rule, vote_base=base)


def _count(award: Award, issued, returned, valid, in_favour, present=np.nan) -> pd.Series:
    b = pd.DataFrame([("b", "u1", "co", issued, returned, valid, in_favour, present)],
                     columns=["bloc_id", "unit_id", "award_id", "issued", "returned", "valid", "in_favour", "present"])
    no_votes = pd.DataFrame(columns=["bloc_id", "unit_id", "approve", "voters"])
    return vote_table(SimpleNamespace(awards=[award]), b, no_votes, NINE).iloc[0]


# Each case: the counts, the base the share is counted on (worked by hand), the share.
#   issued:   6 in favour of 9 issued (9 returned, 9 valid)              -> 6/9 = 2/3
#   returned: 10 issued, 9 returned, 9 valid                            -> 6/9 (6/10 = 60% on issued would fail)
#   valid:    10 issued, 10 returned, 9 valid                            -> 6/9 (6/10 on returned would fail)
#   members:  8 issued, 8 returned, 8 valid, 9 member units               -> 6/9 (6/8 = 75% on issued would pass anyway)
#   present:  12 ballots issued to people, 9 member units present         -> 6/9 (6/12 = 50% on issued would fail)
AT = {
    "issued": (9, 9, 9, 6, np.nan),
    "returned": (10, 9, 9, 6, np.nan),
    "valid": (10, 10, 9, 6, np.nan),
    "members": (8, 8, 8, 6, np.nan),
    "present": (12, 12, 12, 6, 9),
}


@pytest.mark.parametrize("base", list(AT))
def test_exactly_two_thirds_passes_at_least_and_fails_more_than(base):
    row = _count(_award(base), *AT[base])
    assert row["base_count"] == 9 and row["share"] == pytest.approx(2 / 3)
    assert row["passes"] is True
    assert _count(_award(base, "more_than"), *AT[base])["passes"] is False


@pytest.mark.parametrize("base", list(AT))
def test_one_vote_less_fails_and_one_more_passes_more_than(base):
    issued, returned, valid, in_favour, present = AT[base]
    assert _count(_award(base), issued, returned, valid, in_favour - 1, present)["passes"] is False  # 5/9 = 55,6%
    assert _count(_award(base, "more_than"), issued, returned, valid, in_favour + 1, present)["passes"] is True  # 7/9


def test_the_base_decides_the_result():
    # 5 in favour of 7 issued in a bloc of 9: 71,4% of the ballots passes 2/3, 55,6% of the members does not
    assert _count(_award("issued"), 7, 7, 7, 5)["passes"] is True
    assert _count(_award("members"), 7, 7, 7, 5)["passes"] is False


def test_an_unknown_base_gives_no_share_never_a_zero():
    row = _count(_award("present"), 9, 9, 9, 6)  # nobody recorded who was present
    assert np.isnan(row["share"]) and row["passes"] is None


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300), st.integers(0, 300), st.integers(1, 99), st.integers(2, 100),
       st.sampled_from(["issued", "members"]), st.sampled_from(["at_least", "more_than"]))
def test_passes_is_the_exact_comparison_of_fractions(base_count, in_favour, num, den, base, rule):
    """In exact arithmetic: at least ⇔ in_favour/base ≥ p/q; more than ⇔ in_favour/base > p/q."""
    assume(num < den and in_favour <= base_count)
    award = Award(id="co", title="Cờ", quota={"count": 1}, min_vote_share=num / den, vote_rule=rule, vote_base=base)
    units = pd.DataFrame({"bloc_id": "b", "unit_id": [f"u{i}" for i in range(base_count)]})
    b = pd.DataFrame([("b", "u0", "co", base_count, base_count, base_count, in_favour, np.nan)],
                     columns=["bloc_id", "unit_id", "award_id", "issued", "returned", "valid", "in_favour", "present"])
    row = vote_table(SimpleNamespace(awards=[award]), b, b.iloc[0:0].assign(approve=0, voters=0), units).iloc[0]
    exact = Fraction(in_favour, base_count)
    assert row["passes"] is (exact >= Fraction(num, den) if rule == "at_least" else exact > Fraction(num, den))


# --------------------------------------------------------------------------- through the engine

def _ballot_data(in_favour_u2: int, issued: int = 4):
    """The conftest scenario (5 members, u5 without a submission) with a ballot for the flag: u2 ranks where it wins it."""
    rows = [("", u, "co", issued, issued, issued, issued if u != "u2" else in_favour_u2, np.nan) for u in ("u1", "u2", "u3", "u4")]
    data = main_data()
    ballots = pd.DataFrame(rows, columns=["bloc_id", "unit_id", "award_id", "issued", "returned", "valid", "in_favour", "present"])
    return dataclasses.replace(data, ballots=ballots.assign(bloc_id=data.members["bloc_id"].iloc[0]), votes=data.votes.iloc[0:0])


def _flag(base: str, rule: str = "at_least"):
    raw = covenant_dict()
    raw["awards"][0].update(vote_base=base, vote_rule=rule)
    return make_covenant(raw)


def _status(r, award, unit):
    e = r["eligibility"]
    return e[(e["award_id"] == award) & (e["unit_id"] == unit)]["status"].iloc[0]


def test_engine_counts_the_flag_on_all_members(vocab):
    # u2: 4 in favour of 4 ballots issued; the bloc has 5 members: 4/5 = 80% = the threshold exactly
    r = evaluate(_flag("members"), _ballot_data(4), vocab)
    assert _status(r, "co", "u2") == "Đề nghị"
    strict = evaluate(_flag("members", "more_than"), _ballot_data(4), vocab)
    assert _status(strict, "co", "u2") == ("Không đủ điều kiện: tỷ lệ phiếu 80,0% không vượt mức 80% "
                                           "(tính trên tổng số đơn vị thành viên)")
    # 3 of 5 = 60% < 80%, although 3 of 4 ballots issued is 75%
    low = evaluate(_flag("members"), _ballot_data(3), vocab)
    assert _status(low, "co", "u2") == "Không đủ điều kiện: tỷ lệ phiếu 60,0% dưới mức 80% (tính trên tổng số đơn vị thành viên)"


def test_engine_on_the_default_base_reads_as_before(vocab):
    # 3 of 4 ballots issued = 75% < 80%: the text of the default base is unchanged
    r = evaluate(_flag("issued"), _ballot_data(3), vocab)
    assert _status(r, "co", "u2") == "Không đủ điều kiện: tỷ lệ phiếu 75,0% dưới mức 80%"


def test_votes_csv_without_the_base_count_says_what_is_missing(vocab):
    # votes.csv knows ballots issued and votes in favour, not the valid ballots
    r = evaluate(_flag("valid"), main_data(), vocab)
    assert _status(r, "co", "u2") == "Không đủ điều kiện: chưa có tổng số phiếu hợp lệ để tính tỷ lệ phiếu"


def test_each_award_is_decided_on_its_own_ballot(vocab):
    raw = covenant_dict()
    raw["awards"][1]["min_vote_share"] = 0.8  # the certificate also needs 80%
    data = _ballot_data(4)
    bk = data.ballots.assign(award_id="bk", in_favour=[4, 4, 2, 4])  # u3: 2 of 4 for the certificate
    r = evaluate(make_covenant(raw), dataclasses.replace(data, ballots=pd.concat([data.ballots, bk], ignore_index=True)), vocab)
    assert "phiếu" not in _status(r, "co", "u3")  # 4 of 4 for the flag
    assert "tỷ lệ phiếu 50,0% dưới mức 80%" in _status(r, "bk", "u3")


def test_the_report_says_which_base_was_used():
    cov = _flag("members")
    table = pd.DataFrame({"award_id": ["co"]})
    assert base_notes(cov, table) == ["Bình xét Cờ thi đua: tỷ lệ phiếu đồng ý từ 80% trở lên, tính trên tổng số đơn vị thành viên."]


# --------------------------------------------------------------------------- ballots.csv and votes.csv together

BLOC = "kinh-te-ky-thuat"


def _votes_like_ballots(folder, change=None):
    b = pd.read_csv(folder / "ballots.csv")
    v = b[b["award_id"] == "co_thi_dua"].rename(columns={"in_favour": "approve", "issued": "voters"})[["unit_id", "approve", "voters"]]
    if change:
        v.loc[v["unit_id"] == change[0], "approve"] = change[1]
    v.to_csv(folder / "votes.csv", index=False)


def test_votes_csv_that_agrees_is_ignored_with_a_warning(data_copy):
    folder = data_copy / "periods" / BLOC / "2024"
    ws = Workspace.open(data_copy)
    before = ws.load(BLOC, ws.check(BLOC, "2024"))
    _votes_like_ballots(folder)
    cov, data = ws.load(BLOC, ws.check(BLOC, "2024"))
    assert [(p.file, p.severity) for p in data.warnings if "votes.csv" in p.file] == [(str(folder / "votes.csv"), "warning")]
    assert "không được dùng nữa" in [p for p in data.warnings if "votes.csv" in p.file][0].message
    vocab = ws.vocab
    assert evaluate(cov, data, vocab)["eligibility"].equals(evaluate(*before, vocab)["eligibility"])


def test_votes_csv_that_disagrees_stops_the_period_naming_both_files(data_copy):
    folder = data_copy / "periods" / BLOC / "2024"
    _votes_like_ballots(folder, ("so-tn-mt", 10))  # ballots.csv: 8 of 11
    ws = Workspace.open(data_copy)
    with pytest.raises(DataError) as err:
        ws.load(BLOC, ws.check(BLOC, "2024"))
    p = err.value.problems[0]
    assert p.file == str(folder / "ballots.csv") and p.where == "dòng 6, cột in_favour"
    assert "(8 đồng ý / 11 phát ra)" in p.message and "(10 / 11)" in p.message and str(folder / "votes.csv") in p.message


def test_a_change_of_base_is_a_covenant_change_in_words():
    from toolkit.engine.covenant_changes import covenant_changes

    new = covenant_dict()
    new["awards"][0]["vote_base"] = "members"
    [change] = covenant_changes(make_covenant(), make_covenant(new))
    assert change.detail == "tỷ lệ phiếu tính trên: tổng số phiếu phát ra → tổng số đơn vị thành viên"


def test_present_is_needed_only_where_an_award_counts_on_it(data_copy):
    folder = data_copy / "periods" / BLOC / "2024"
    cov_path = data_copy / "covenants" / BLOC / "2024.yaml"
    cov_path.write_text(cov_path.read_text(encoding="utf-8").replace("  min_vote_share: 0.8\n",
                                                                     "  min_vote_share: 0.8\n  vote_base: present\n"), encoding="utf-8")
    ws = Workspace.open(data_copy)
    with pytest.raises(DataError) as err:  # ballots.csv has no present column
        ws.load(BLOC, ws.check(BLOC, "2024"))
    first = err.value.problems[0]
    assert (first.file, first.where) == (str(folder / "ballots.csv"), "dòng 2, cột present")
    assert "cần ghi số thành viên có mặt" in first.message
    assert len(err.value.problems) == 12  # the flag's 12 rows; the certificates are counted on ballots issued
    b = pd.read_csv(folder / "ballots.csv").assign(present=11)
    b.loc[0, "present"] = 13  # of 12 members
    b.to_csv(folder / "ballots.csv", index=False)
    with pytest.raises(DataError) as err:
        ws.load(BLOC, ws.check(BLOC, "2024"))
    assert [(p.where, p.message) for p in err.value.problems] == [
        ("dòng 2, cột present", "số thành viên có mặt 13 lớn hơn số thành viên của khối (12)")]
    b.loc[0, "present"] = 11
    b.to_csv(folder / "ballots.csv", index=False)
    cov, data = ws.load(BLOC, ws.check(BLOC, "2024"))
    votes = evaluate(cov, data, ws.vocab)["votes"]
    # Sở Công Thương: 9 in favour of 11 present = 81,8% (the flag); the certificates: 9 of 11 issued
    row = votes[(votes["unit_id"] == "so-cong-thuong")].set_index("award_id")
    assert row.loc["co_thi_dua", "base_count"] == 11 and row.loc["co_thi_dua", "base"] == "present"
    assert row.loc["bang_khen", "base"] == "issued"
