"""Scoring by hand: criterion points of every kind, subtotals, bonus/penalty caps, totals, bands.

Every expected number is a literal worked out in the comment next to it from the covenant
in conftest.py (A1 graded 30; A2 target 90 % max 20; A3 target 10 days lower-is-better max
10; B1 count 4 points/event max 20; B2 pass/fail 20) and the main scenario's values. None is
recomputed with the engine's own formulas.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from conftest import by_unit, covenant_dict, flat, main_data, make_covenant, period_data
from toolkit.engine.evaluate import evaluate
from toolkit.model.rounding import round_half_up
from toolkit.engine.scoring import adjustments, criterion_scores


def _score(result, unit, crit, col="final_score"):
    s = result["scores"]
    row = s[(s.unit_id == unit) & (s.criterion_id == crit)]
    assert len(row) == 1
    return row[col].iloc[0]


# --------------------------------------------------------------------------- criterion points

EXPECTED_FINAL = {
    # u1: A1 verified 29.5; A2 99 % is the best excess (99-90)/90 = 0.1 -> 10 + 10 x 1 = 20;
    #     A3 8 days: excess (10-8)/10 = 0.2, best excess is u2's 0.4 -> 5 + 5 x 0.5 = 7.5;
    #     B1 6 events x 4 = 24 capped at 20; B2 pass -> 20
    ("u1", "A1"): 29.50, ("u1", "A2"): 20.00, ("u1", "A3"): 7.50, ("u1", "B1"): 20.00, ("u1", "B2"): 20.00,
    # u2: A2 94.5 %: excess 4.5/90 = 0.05, half of the best 0.1 -> 10 + 5 = 15;
    #     A3 6 days: excess 0.4 is the best -> 10 (full max); B1 verified 4 x 4 = 16
    ("u2", "A1"): 28.00, ("u2", "A2"): 15.00, ("u2", "A3"): 10.00, ("u2", "B1"): 16.00, ("u2", "B2"): 20.00,
    # u3: A1 not verified -> self 25.25; A2 exactly at target -> half the max = 10;
    #     A3 16 days: 5 x 10/16 = 3.125 -> 3.13 (half up; banker's rounding would give 3.12);
    #     B1 5 x 4 = 20 (exactly the max)
    ("u3", "A1"): 25.25, ("u3", "A2"): 10.00, ("u3", "A3"): 3.13, ("u3", "B1"): 20.00, ("u3", "B2"): 20.00,
    # u4: A2 85.005 %: 10 x 85.005/90 = 9.445 (9.444999... in binary) -> 9.45;
    #     A3 20 days: 5 x 10/20 = 2.5; B1 6 x 4 = 24 capped at 20
    ("u4", "A1"): 26.40, ("u4", "A2"): 9.45, ("u4", "A3"): 2.50, ("u4", "B1"): 20.00, ("u4", "B2"): 20.00,
}


def test_every_final_criterion_score_by_hand(main_result):
    s = main_result["scores"]
    got = {(u, c): v for u, c, v in zip(s.unit_id, s.criterion_id, s.final_score)}
    assert got == pytest.approx(EXPECTED_FINAL, abs=1e-9)
    # the no-show u5 has no score rows at all
    assert "u5" not in set(s.unit_id)


def test_self_scores_use_self_values(main_result):
    # u1 A1 self 30 (verified 29.5); u2 A1 self 29, B1 self 5 events -> 20 (verified 4 -> 16);
    # u4 A1 self 27.4; target criteria were entered with the same self and verified values.
    assert _score(main_result, "u1", "A1", "self_score") == 30.00
    assert _score(main_result, "u2", "A1", "self_score") == 29.00
    assert _score(main_result, "u2", "B1", "self_score") == 20.00
    assert _score(main_result, "u4", "A1", "self_score") == 27.40
    assert _score(main_result, "u3", "A3", "self_score") == 3.13


def test_unverified_value_falls_back_to_self(main_result):
    s = main_result["scores"]
    row = s[(s.unit_id == "u3") & (s.criterion_id == "A1")].iloc[0]
    assert not row["verified"]
    assert math.isnan(row["verified_score"])
    assert row["final_score"] == 25.25
    assert by_unit(main_result["units"][main_result["units"].submitted], "fully_verified") == {
        "u1": True, "u2": True, "u3": False, "u4": True}


def test_target_half_at_target_and_full_for_best_exceeder(main_result):
    # at the target exactly: half of 20
    assert _score(main_result, "u3", "A2") == 10.00
    # the unit exceeding the target most gets the full maximum, on both target criteria
    assert _score(main_result, "u1", "A2") == 20.00
    assert _score(main_result, "u2", "A3") == 10.00
    # below target: prorated half (85.005/90 x 10)
    assert _score(main_result, "u4", "A2") == 9.45


def test_lower_is_better_target(main_result):
    # 10-day target, max 10: 6 days (best) 10; 8 days 5 + 5 x 0.2/0.4 = 7.5;
    # 16 days 5 x 10/16 = 3.125 -> 3.13; 20 days 5 x 10/20 = 2.5
    got = {u: _score(main_result, u, "A3") for u in ("u1", "u2", "u3", "u4")}
    assert got == {"u1": 7.50, "u2": 10.00, "u3": 3.13, "u4": 2.50}


def test_kinds_at_their_edges(cov, vocab):
    """pass/fail 0, count 0, nobody beating a target, lower-is-better exactly at target, value 0 days."""
    data = period_data(
        members=[("p", "Sở P"), ("q", "Sở Q")],
        scores=[
            # p: A2 45 % -> 10 x 45/90 = 5; A3 exactly 10 days -> 5; B1 0 events; B2 fail
            ("p", "A1", 0, 0), ("p", "A2", 45, 45), ("p", "A3", 10, 10), ("p", "B1", 0, 0), ("p", "B2", 0, 0),
            # q: A2 at target 90 -> 10 (nobody exceeds, so nobody gets the upper half);
            #    A3 0 days: excess (10-0)/10 = 1 is the best -> 10; B1 1 event -> 4
            ("q", "A1", 30, 30), ("q", "A2", 90, 90), ("q", "A3", 0, 0), ("q", "B1", 1, 1), ("q", "B2", 1, 1),
        ])
    r = evaluate(cov, data, vocab)
    s = r["scores"]
    got = {(u, c): v for u, c, v in zip(s.unit_id, s.criterion_id, s.final_score)}
    assert got == {
        ("p", "A1"): 0.0, ("p", "A2"): 5.0, ("p", "A3"): 5.0, ("p", "B1"): 0.0, ("p", "B2"): 0.0,
        ("q", "A1"): 30.0, ("q", "A2"): 10.0, ("q", "A3"): 10.0, ("q", "B1"): 4.0, ("q", "B2"): 20.0,
    }
    # p: 0 + 5 + 5 + 0 + 0 = 10; q: 30 + 10 + 10 + 4 + 20 = 74
    assert by_unit(r["units"], "total") == {"p": 10.0, "q": 74.0}


def test_target_best_exceeder_is_per_bloc(cov, vocab):
    """A unit of another bloc exceeding the target more must not lower this bloc's scores."""
    one = period_data([("a", "Sở A")], [("a", "A2", 99, 99)], bloc="k1")
    two = period_data([("b", "Sở B")], [("b", "A2", 108, 108)], bloc="k2")
    both = one.__class__(one.period, *(pd.concat([getattr(one, f), getattr(two, f)], ignore_index=True)
                                       for f in ("members", "scores", "events", "staff", "orgs", "votes")))
    s = criterion_scores(both.scores, cov)
    s = s[s.criterion_id == "A2"]  # the other criteria were left out: no data, 0 points
    a2 = dict(zip(s.unit_id, s.final_score))
    # each unit is the best exceeder of its own bloc: full 20 each (99 % would get only
    # 10 + 10 x 0.1/0.2 = 15 if the best were taken across blocs)
    assert a2 == {"a": 20.0, "b": 20.0}


def test_scores_keep_the_covenants_decimals(vocab):
    raw = covenant_dict()
    raw["decimals"] = 1
    r = evaluate(make_covenant(raw), main_data(), vocab)
    # u3 A3 3.125 -> 3.1; u4 A2 9.445 -> 9.4 (one decimal, half up: 9.44.. -> 9.4)
    assert _score(r, "u3", "A3") == 3.1
    assert _score(r, "u4", "A2") == 9.4
    # u3 total: 25.25 -> 25.3 (half up), + 10 + 3.1 + 20 + 20 = 78.4, + bonus 2 = 80.4
    assert by_unit(r["units"], "total")["u3"] == 80.4


# --------------------------------------------------------------------------- subtotals and totals

def test_content_subtotals_by_hand(main_result):
    c = main_result["contents"]
    got = {((u, k), col): v for u, k, s, f in zip(c.unit_id, c.content_id, c.self_score, c.final_score)
           for col, v in (("self", s), ("final", f))}
    assert got == pytest.approx(flat({
        # A = A1 + A2 + A3 ; B = B1 + B2   (self, final)
        ("u1", "A"): (57.50, 57.00),   # self 30 + 20 + 7.5; final 29.5 + 20 + 7.5
        ("u1", "B"): (40.00, 40.00),
        ("u2", "A"): (54.00, 53.00),   # 29 + 15 + 10; 28 + 15 + 10
        ("u2", "B"): (40.00, 36.00),   # 20 + 20; 16 + 20
        ("u3", "A"): (38.38, 38.38),   # 25.25 + 10 + 3.13
        ("u3", "B"): (40.00, 40.00),
        ("u4", "A"): (39.35, 38.35),   # 27.4 + 9.45 + 2.5; 26.4 + 9.45 + 2.5
        ("u4", "B"): (40.00, 40.00),
    }, ["self", "final"]), abs=1e-9)
    assert set(c["max"]) == {60.0, 40.0}


def test_bonus_and_penalty_after_per_kind_and_overall_caps(main_result):
    u = main_result["units"].set_index("unit_id")
    # u1: thuong_co 1 x 5 = +5 (cap 5); ky_luat 2 x -5 = -10 (cap 10); cham 4 x -1 = -4 -> cap 3 -> -3;
    #     penalty -10 - 3 = -13 -> overall penalty cap 8 -> -8
    # u2: bang_khen 3 x 2 = 6 -> cap 4 -> +4; cham rows 2 + 3 = 5 -> -5 -> cap 3 -> -3
    # u3: bang_khen 1 x 2 = +2; ky_luat with count 0 -> 0
    # u4: bang_khen 2 x 2 = 4 (exactly the cap); thuong_co +5 -> 9 -> overall bonus cap 6 -> +6
    assert u.loc[["u1", "u2", "u3", "u4"], "bonus"].tolist() == [5.0, 4.0, 2.0, 6.0]
    assert u.loc[["u1", "u2", "u3", "u4"], "penalty"].tolist() == [-8.0, -3.0, 0.0, 0.0]


def test_caps_are_optional(vocab):
    raw = covenant_dict()
    del raw["adjustments"]["bonus_cap"], raw["adjustments"]["penalty_cap"]
    for e in raw["adjustments"]["events"]:
        e.pop("cap")
    adj = adjustments(main_data().events, make_covenant(raw)).set_index("unit_id")
    # no caps at all: u1 +5 and -10 - 4 = -14; u2 +6 and -5; u3 +2 and 0; u4 4 + 5 = +9
    assert adj.loc[["u1", "u2", "u3", "u4"], "bonus"].tolist() == [5.0, 6.0, 2.0, 9.0]
    assert adj.loc[["u1", "u2", "u3", "u4"], "penalty"].tolist() == [-14.0, -5.0, 0.0, 0.0]


def test_unit_totals_by_hand(main_result):
    u = main_result["units"].set_index("unit_id")
    cols = ["self_criteria", "criteria_total", "bonus", "penalty", "total", "self_gap", "min_share"]
    got = {(k, c): u.loc[k, c] for k in ("u1", "u2", "u3", "u4") for c in cols}
    assert got == pytest.approx(flat({
        # self: 30+20+7.5+20+20 = 97.5; final 97; total 97 + 5 - 8 = 94; gap 0.5;
        # lowest share A3 7.5/10 = 0.75
        "u1": (97.50, 97.00, 5.0, -8.0, 94.00, 0.50, 0.75),
        # self: 29+15+10+20+20 = 94; final 28+15+10+16+20 = 89; 89 + 4 - 3 = 90; gap 5;
        # lowest share A2 15/20 = 0.75
        "u2": (94.00, 89.00, 4.0, -3.0, 90.00, 5.00, 0.75),
        # 25.25+10+3.13+20+20 = 78.38; + 2 = 80.38; A3 3.13/10 = 0.313
        "u3": (78.38, 78.38, 2.0, 0.0, 80.38, 0.00, 0.313),
        # self 27.4+9.45+2.5+20+20 = 79.35; final 78.35; + 6 = 84.35; gap 1; A3 2.5/10 = 0.25
        "u4": (79.35, 78.35, 6.0, 0.0, 84.35, 1.00, 0.25),
    }, cols), abs=1e-9)
    # u5 did not submit: no totals, not counted as zero
    assert not u.loc["u5", "submitted"]
    assert pd.isna(u.loc["u5", "total"]) and pd.isna(u.loc["u5", "criteria_total"])


def test_unit_totals_columns(cov):
    """The per-unit totals are read by name downstream (ranking, nominations, reports): exactly these columns."""
    from toolkit.engine.scoring import unit_totals

    crit = criterion_scores(main_data().scores, cov)
    out = unit_totals(crit, main_data().events, cov)
    assert out.columns.tolist() == ["bloc_id", "unit_id", "self_criteria", "criteria_total", "min_share",
                                    "fully_verified", "bonus", "penalty", "total", "self_gap"]


# --------------------------------------------------------------------------- bands

def test_bands_with_per_criterion_floors(main_result):
    u = main_result["units"]
    # u1 94 >= 90 and lowest share 0.75 >= 0.5 -> xs
    # u2 90 >= 90 (exactly) and 0.75 >= 0.5 -> xs
    # u4 84.35 >= 80 but A3 2.5/10 = 25 % < 30 % floor of 'tot' -> 'ht' (>= 60, 25 % >= 20 %)
    # u3 80.38 >= 80 and A3 31.3 % >= 30 % -> 'tot'
    # u5 did not submit: no band
    assert by_unit(u, "band_id") == {"u1": "xs", "u2": "xs", "u3": "tot", "u4": "ht", "u5": None}
    assert by_unit(u, "band")["u4"] == "Hoàn thành nhiệm vụ"


def test_band_on_criteria_total_without_bonus(vocab):
    raw = covenant_dict()
    raw["band_score"] = "criteria"
    u = evaluate(make_covenant(raw), main_data(), vocab)["units"].set_index("unit_id")
    # criteria totals: u1 97 -> xs; u2 89 < 90 -> tot (0.75 >= 0.3);
    # u3 78.38 < 80 -> ht; u4 78.35 -> ht
    assert u.loc[["u1", "u2", "u3", "u4"], "band_id"].tolist() == ["xs", "tot", "ht", "ht"]


# --------------------------------------------------------------------------- rounding

@pytest.mark.parametrize("value, decimals, expected", [
    (84.995, 2, 85.00),     # binary 84.99499999... must still round up
    (-84.995, 2, -85.00),   # half away from zero for negatives
    (0.125, 2, 0.13),       # exact binary half: banker's rounding would give 0.12
    (-0.125, 2, -0.13),
    (2.675, 2, 2.68),       # the classic round(2.675, 2) == 2.67 case
    (1.005, 2, 1.01),
    (-0.005, 2, -0.01),
    (84.994, 2, 84.99),
    (9.444999999999999, 2, 9.45),
    (3.14159, 0, 3.0),
    (2.5, 0, 3.0),
    (-2.5, 0, -3.0),
    (0.05, 1, 0.1),
])
def test_round_half_up(value, decimals, expected):
    assert round_half_up(value, decimals) == expected


def test_round_half_up_keeps_nan_series_and_no_negative_zero():
    s = pd.Series([84.995, np.nan, -0.001], index=["a", "b", "c"], name="x")
    out = round_half_up(s, 2)
    assert isinstance(out, pd.Series) and out.name == "x" and list(out.index) == ["a", "b", "c"]
    assert out["a"] == 85.0 and math.isnan(out["b"])
    # -0.001 rounds to zero and must print as 0, not -0
    assert math.copysign(1.0, out["c"]) == 1.0
    arr = round_half_up(np.array([1.005, -1.005]), 2)
    assert arr.tolist() == [1.01, -1.01]
