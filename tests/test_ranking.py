"""Ranking by hand: tie-break order, competition ranking, which key decided, who was tied."""
from __future__ import annotations

import pandas as pd

from conftest import TIE_MEMBERS, by_unit, covenant_dict, make_covenant, period_data, tie_data, tie_scores
from toolkit.engine.evaluate import evaluate

FULL_TIE = "đồng hạng (các tiêu chí phân hạng đều bằng nhau)"


def test_main_scenario_ranks(main_result):
    u = main_result["units"]
    # totals u1 94, u2 90, u4 84.35, u3 80.38; u5 did not submit and is not ranked
    assert by_unit(u, "rank") == {"u1": 1, "u2": 2, "u4": 3, "u3": 4, "u5": None}
    # no two totals are equal: nothing was decided by a tie-break and nobody is tied
    assert set(u["decided_by"]) == {""}
    assert set(u["tied_with"]) == {""}


def test_full_tie_shares_rank_and_content_decides_the_other_tie(cov, vocab):
    u = evaluate(cov, tie_data(), vocab)["units"]
    # totals x 85; y 76 = z 76 with equal content A (40), penalty (0), self gap (0): shared rank 2;
    # then w 72 and v 72: content A 44 > 36 puts w 4th and v 5th (competition ranking 1, 2, 2, 4, 5)
    assert by_unit(u, "total") == {"x": 85.0, "y": 76.0, "z": 76.0, "w": 72.0, "v": 72.0}
    assert by_unit(u, "rank") == {"x": 1, "y": 2, "z": 2, "w": 4, "v": 5}
    assert by_unit(u, "decided_by") == {
        "x": "", "y": FULL_TIE, "z": FULL_TIE,
        "w": "điểm nội dung A cao hơn", "v": "điểm nội dung A cao hơn"}
    assert by_unit(u, "tied_with") == {
        "x": "", "y": "Sở Đào tạo", "z": "Sở Y tế", "w": "Ban Dân tộc", "v": "Sở Công Thương"}


def test_a_name_key_breaks_a_full_tie_in_vietnamese_order(vocab):
    raw = covenant_dict()
    raw["tie_break"] = ["total", "content:A", "penalty", "self_gap", "name"]
    u = evaluate(make_covenant(raw), tie_data(), vocab)["units"]
    # "Sở Đào tạo" sorts before "Sở Y tế" in Vietnamese (Đ right after D); by code point
    # Đ (U+0110) would come after Y (U+0059) and the order would be reversed
    assert by_unit(u, "rank") == {"x": 1, "z": 2, "y": 3, "w": 4, "v": 5}
    assert by_unit(u, "decided_by")["z"] == "thứ tự tên đơn vị (theo bảng chữ cái)"
    assert by_unit(u, "decided_by")["y"] == "thứ tự tên đơn vị (theo bảng chữ cái)"


def _same_criteria(unit: str, self_a1: float = 20) -> list[tuple]:
    # verified: A1 20, A2 at target 10, A3 at target 5, B1 4 events 16, B2 20 -> 71 (content A 35)
    return [(unit, "A1", self_a1, 20), (unit, "A2", 90, 90), (unit, "A3", 10, 10), (unit, "B1", 4, 4), (unit, "B2", 1, 1)]


def test_self_gap_key_prefers_the_self_score_closer_to_the_verified_one(cov, vocab):
    # s1 scored itself 19 where the bloc verified 20 (gap -1); s2 scored itself 20.5 (gap +0.5).
    # Same total 71, same content A 35, no penalty: s2 is closer (0.5 < 1) and ranks first.
    data = period_data([("s1", "Sở Một"), ("s2", "Sở Hai")], _same_criteria("s1", 19) + _same_criteria("s2", 20.5))
    u = evaluate(cov, data, vocab)["units"]
    assert by_unit(u, "self_gap") == {"s1": -1.0, "s2": 0.5}
    assert by_unit(u, "rank") == {"s2": 1, "s1": 2}
    assert set(u["decided_by"]) == {"tự chấm sát kết quả thẩm định hơn"}


def test_penalty_key(cov, vocab):
    # p: bonus +2 (bang_khen) and penalty -2 (cham x 2) -> 71 + 2 - 2 = 71; q: no events -> 71.
    # Content A is 35 for both; q was penalised less and ranks first.
    data = period_data([("p", "Sở P"), ("q", "Sở Q")], _same_criteria("p") + _same_criteria("q"),
                       events=[("p", "bang_khen", 1, ""), ("p", "cham", 2, "")])
    u = evaluate(cov, data, vocab)["units"]
    assert by_unit(u, "total") == {"p": 71.0, "q": 71.0}
    assert by_unit(u, "rank") == {"q": 1, "p": 2}
    assert set(u["decided_by"]) == {"bị trừ ít điểm hơn"}


def test_criterion_and_bonus_keys(vocab):
    raw = covenant_dict()
    raw["tie_break"] = ["total", "criterion:B1", "bonus"]
    # m: A1 24, B1 5 -> 24 + 15 + 20 + 20 = 79; n: A1 28, B1 4 -> 28 + 15 + 16 + 20 = 79:
    # criterion B1 20 > 16 puts m first.
    rows = []
    for unit, a1, b1 in (("m", 24, 5), ("n", 28, 4), ("k", 20, 4), ("l", 20, 4)):
        rows += [(unit, "A1", a1, a1), (unit, "A2", 90, 90), (unit, "A3", 10, 10), (unit, "B1", b1, b1),
                 (unit, "B2", 1, 1)]
    # k: 71 + 2 (bang_khen) - 2 (cham x 2) = 71 with bonus 2; l: 71 with bonus 0 -> k first by bonus
    events = [("k", "bang_khen", 1, ""), ("k", "cham", 2, "")]
    data = period_data([("m", "Sở M"), ("n", "Sở N"), ("k", "Sở K"), ("l", "Sở L")], rows, events=events)
    u = evaluate(make_covenant(raw), data, vocab)["units"]
    assert by_unit(u, "total") == {"m": 79.0, "n": 79.0, "k": 71.0, "l": 71.0}
    assert by_unit(u, "rank") == {"m": 1, "n": 2, "k": 3, "l": 4}
    assert by_unit(u, "decided_by") == {"m": "điểm tiêu chí B1 cao hơn", "n": "điểm tiêu chí B1 cao hơn",
                                        "k": "điểm thưởng cao hơn", "l": "điểm thưởng cao hơn"}


def test_vote_share_key(vocab):
    raw = covenant_dict()
    raw["tie_break"] = ["total", "vote_share"]
    # y and z tie at 76: y has 3/4 votes, z 4/4 -> z ranks 2, y 3; x 85 first, w and v (72)
    # have no vote row, so their key is the lowest and they stay tied (rank 4 both)
    votes = [("y", 3, 4), ("z", 4, 4), ("x", 4, 4)]
    u = evaluate(make_covenant(raw), tie_data(votes=votes), vocab)["units"]
    assert by_unit(u, "rank") == {"x": 1, "z": 2, "y": 3, "w": 4, "v": 4}
    assert by_unit(u, "decided_by")["z"] == "tỷ lệ phiếu bình xét cao hơn"
    assert by_unit(u, "decided_by")["w"] == FULL_TIE


def test_three_way_tie_labels_do_not_depend_on_row_order(cov, vocab):
    """A unit fully tied with another says 'đồng hạng', whichever of them is listed first."""
    # x2 ties y and z on the total but not on content A: A1 26 -> 26 + 15 + 16 + 20 = 77,
    # one late report (cham, -1) -> 76; content A 26 + 15 = 41 > 40.
    rows = tie_scores() + [("x2", "A1", 26, 26), ("x2", "A2", 90, 90), ("x2", "A3", 10, 10), ("x2", "B1", 4, 4),
                           ("x2", "B2", 1, 1)]
    members = TIE_MEMBERS + [("x2", "Sở Tư pháp")]
    events = [("x2", "cham", 1, "")]
    results = []
    for order in (members, members[::-1]):
        u = evaluate(cov, tie_data(members=order, scores=rows, events=events), vocab)["units"]
        results.append((by_unit(u, "rank"), by_unit(u, "decided_by"), by_unit(u, "tied_with")))
    assert results[0] == results[1]
    rank, decided, tied = results[0]
    # x 85 first; x2 76 with A 41 beats y, z (76, A 40) on content A; y and z share 3rd
    assert rank == {"x": 1, "x2": 2, "y": 3, "z": 3, "w": 5, "v": 6}
    assert decided["x2"] == "điểm nội dung A cao hơn"
    assert decided["y"] == decided["z"] == FULL_TIE
    # the names of the other units on 76, in Vietnamese order (Đ before T before Y)
    assert tied["x2"] == "Sở Đào tạo; Sở Y tế"
    assert tied["y"] == "Sở Đào tạo; Sở Tư pháp"
    assert tied["z"] == "Sở Tư pháp; Sở Y tế"


def test_blocs_are_ranked_separately(cov, vocab):
    a = tie_data(bloc="k1")
    b = period_data([("q1", "Sở Q1"), ("q2", "Sở Q2")], [(u, "A1", v, v) for u, v in (("q1", 30), ("q2", 1))], bloc="k2")
    both = a.__class__(a.period, *(pd.concat([getattr(a, f), getattr(b, f)], ignore_index=True)
                                   for f in ("members", "scores", "events", "staff", "orgs", "votes")))
    u = evaluate(cov, both, vocab)["units"]
    # bloc k1 ranks exactly as alone; bloc k2 (totals 30 and 1: only A1 entered) has its own 1 and 2
    assert by_unit(u, "rank") == {"x": 1, "y": 2, "z": 2, "w": 4, "v": 5, "q1": 1, "q2": 2}
    assert by_unit(u, "total")["q1"] == 30.0 and by_unit(u, "total")["q2"] == 1.0


def test_change_since_the_previous_period_follows_lineage():
    import numpy as np

    from toolkit.engine.comparison import compare_periods

    # now: A (renamed from A0), B (unchanged), C (merged from C1 and C2), D (new), E (no
    # submission last period); before: X was dissolved
    cur = pd.DataFrame({"unit_id": ["A", "B", "C", "D", "E"], "rank": pd.array([3, 1, 2, 4, 5], dtype="Int64"),
                        "total": [85.5, 92.0, 88.0, 70.0, 60.0]})
    prev = pd.DataFrame({"unit_id": ["A0", "B", "C1", "C2", "E", "X"],
                         "rank": pd.array([2, 1, 3, None, None, 4], dtype="Int64"),
                         "total": [80.0, 90.0, 70.0, np.nan, np.nan, 50.0], "name": ["", "", "", "", "", ""]})
    successors = {"A0": "A", "B": "B", "C1": "C", "C2": "C", "E": "E", "X": None, "D": "D"}
    names = {"A0": "Sở Cũ", "C1": "Sở C1", "C2": "Sở C2"}
    c = compare_periods(cur, prev, successors, "2024", names).set_index("unit_id")
    assert c["prev_unit_ids"].to_dict() == {"A": "A0", "B": "B", "C": "C1, C2", "D": "", "E": "E"}
    # A: 85.5 - 80 = +5.5, rank 2 -> 3 is one place down (-1); B: +2.0, rank unchanged
    assert (c.loc["A", "delta_total"], c.loc["A", "delta_rank"]) == (5.5, -1)
    assert (c.loc["B", "delta_total"], c.loc["B", "delta_rank"]) == (2.0, 0)
    assert c["note"].to_dict() == {
        "A": "kỳ trước mang tên Sở Cũ",
        "B": "",
        # totals of two units are not added up: each predecessor is listed; C2 had not submitted
        "C": "hợp nhất từ Sở C1: hạng 3, 70,00 điểm; Sở C2: chưa nộp",
        "D": "không có kết quả kỳ 2024",
        "E": "kỳ 2024 chưa nộp",
    }
    assert c.loc[["C", "D", "E"], "delta_total"].isna().all()
