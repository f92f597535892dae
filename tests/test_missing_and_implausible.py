"""Missing is not zero, and nothing implausible wins: worked by hand on the test covenant.

The test covenant (conftest.covenant_dict): A3 is a lower-is-better target of 10 days, max 10
(half the maximum at the target, the other half shared by the excess relative to the bloc's
best excess); the excellent-share cap is xuat_sac <= 25 % of the base, rounded half up.
"""
from __future__ import annotations

import pytest

from conftest import covenant_dict, main_data, main_scores, make_covenant, make_vocab, period_data
from toolkit.engine.evaluate import evaluate
from toolkit.errors import DataError
from toolkit.model.workspace import Workspace
from toolkit.reports.analysis import analyse


def _final(result, unit: str, crit: str, col: str = "final_score") -> float:
    s = result["scores"]
    return float(s[(s.unit_id == unit) & (s.criterion_id == crit)][col].iloc[0])


def _with(unit: str, crit: str, self_value, verified_value) -> list[tuple]:
    return [(u, c, self_value, verified_value) if (u, c) == (unit, crit) else (u, c, s, v) for u, c, s, v in main_scores()]


# --------------------------------------------------------------------------- blank is "no data"

def test_a_blank_lower_is_better_value_scores_0_and_takes_no_part_in_the_best_excess():
    # u2 leaves A3 (days, lower is better) blank; it was the bloc's best exceeder with 6 days.
    result = evaluate(make_covenant(), main_data(scores=_with("u2", "A3", None, None)), make_vocab())
    assert _final(result, "u2", "A3") == 0.0  # no data: 0 points, not the best possible actual of 0 days
    assert _final(result, "u2", "A3", "self_score") == 0.0
    # u1's 8 days, excess (10-8)/10 = 0.2, is now the best: 5 + 5 x 1 = 10
    assert _final(result, "u1", "A3") == 10.0
    # u3 16 days: 5 x 10/16 = 3.125 -> 3.13, no excess; u4 20 days: 5 x 10/20 = 2.5
    assert _final(result, "u3", "A3") == 3.13
    assert _final(result, "u4", "A3") == 2.5
    units = result["units"].set_index("unit_id")
    # u2: A1 28 + A2 15 + A3 0 + B1 16 + B2 20 = 79; bonus 3 x 2 = 6 capped 4; penalty 5 x -1 capped -3 -> 80
    assert units.loc["u2", "total"] == 80.0
    # a criterion at 0 % of its maximum fails every band with a per-criterion floor: only 'kht' is left
    assert units.loc["u2", "min_share"] == 0.0
    assert units.loc["u2", "band_id"] == "kht"


def test_a_blank_row_and_a_missing_row_are_the_same_no_data():
    blank = evaluate(make_covenant(), main_data(scores=_with("u2", "A3", None, None)), make_vocab())
    missing = evaluate(make_covenant(), main_data(scores=[r for r in main_scores() if r[:2] != ("u2", "A3")]), make_vocab())
    assert _final(missing, "u2", "A3") == _final(blank, "u2", "A3") == 0.0
    assert _final(missing, "u1", "A3") == 10.0


# --------------------------------------------------------------------------- an actual of 0, and extreme excess

def test_an_actual_of_0_days_is_the_best_possible_value():
    # u3 settles its files the same day: 0 days is a real value (not a blank): excess (10-0)/10 = 1.0 is the best
    result = evaluate(make_covenant(), main_data(scores=_with("u3", "A3", 0, 0)), make_vocab())
    assert _final(result, "u3", "A3") == 10.0
    assert _final(result, "u2", "A3") == 7.0   # excess 0.4: 5 + 5 x 0.4/1.0
    assert _final(result, "u1", "A3") == 6.0   # excess 0.2: 5 + 5 x 0.2/1.0
    assert _final(result, "u4", "A3") == 2.5


def test_max_excess_keeps_one_extreme_unit_from_taking_the_whole_share():
    raw = covenant_dict()
    raw["contents"][0]["criteria"][2]["max_excess"] = 0.3  # excess counted at most 30 % better than the target
    result = evaluate(make_covenant(raw), main_data(scores=_with("u3", "A3", 0, 0)), make_vocab())
    # counted excesses: u3 min(1.0, 0.3) = 0.3; u2 min(0.4, 0.3) = 0.3; u1 0.2 -> best 0.3
    assert _final(result, "u3", "A3") == 10.0
    assert _final(result, "u2", "A3") == 10.0
    assert _final(result, "u1", "A3") == 8.33  # 5 + 5 x 0.2/0.3 = 8.333...
    assert _final(result, "u4", "A3") == 2.5


def test_max_excess_only_for_target_criteria():
    raw = covenant_dict()
    raw["contents"][0]["criteria"][0]["max_excess"] = 0.3
    with pytest.raises(DataError, match="max_excess"):
        make_covenant(raw)


# --------------------------------------------------------------------------- excellent-share cap base

@pytest.mark.parametrize("scope, base, limit, within, words", [
    # u1: 5 xuat_sac, 13 tot, 2 hoan_thanh
    ("at_least", 18, 5, True, "trở lên"),    # 25 % x (13 + 5) = 4.5 -> 5 (half up); 5 <= 5
    ("exactly", 13, 3, False, "chỉ tính"),   # 25 % x 13 = 3.25 -> 3; 5 > 3
])
def test_excellent_cap_base_is_a_covenant_setting_shown_in_the_arithmetic(scope, base, limit, within, words):
    raw = covenant_dict()
    raw["targets"]["excellent_cap"]["base_scope"] = scope
    result = evaluate(make_covenant(raw), main_data(), make_vocab())
    cap = result["cap"].set_index("unit_id").loc["u1"]
    assert (cap["base"], cap["cap"], bool(cap["within_cap"])) == (base, limit, within)
    assert words in cap["arithmetic"] and f"× {base}" in cap["arithmetic"]


# --------------------------------------------------------------------------- implausible values refused on load

@pytest.mark.parametrize("typed", ["924", "1e308", "-3"])
def test_a_percent_outside_0_to_100_is_refused_naming_file_row_column_and_the_value_as_typed(data_copy, typed):
    path = data_copy / "periods" / "kinh-te-ky-thuat" / "2018" / "scores.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[2].startswith("so-cong-thuong,N1.2,")  # target 95 %, unit '%'
    lines[2] = f"so-cong-thuong,N1.2,{typed},{typed},"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        analyse(Workspace.open(data_copy), "kinh-te-ky-thuat", "2018", compare=False)
    problems = [p for p in exc.value.problems if p.severity == "error"]
    assert {p.where for p in problems} == {"dòng 3, cột self_value", "dòng 3, cột verified_value"}
    assert all(p.file == str(path) and f"'{typed}'" in p.message for p in problems)
    assert all(len(p.message) < 200 for p in problems)  # the value as typed, not a 309-digit number


def test_covenant_range_settings_are_checked():
    raw = covenant_dict()
    raw["contents"][0]["criteria"][2].update(min_value=0, max_value=5)  # target 10 days outside [0, 5]
    with pytest.raises(DataError, match="ngoài khoảng"):
        make_covenant(raw)
    raw = covenant_dict()
    raw["contents"][0]["criteria"][2].update(max_value=365)
    assert make_covenant(raw).criteria[2][1].plausible_range() == (0.0, 365.0)
    assert make_covenant().criteria[1][1].plausible_range() == (0.0, 100.0)  # a '%' target


def test_criteria_left_out_are_blank_values_and_unverified_values_earn_no_verified_points():
    from toolkit.engine.scoring import criterion_scores

    # one unit enters A1 = 10 (graded) and B2 = 1 (pass/fail), neither verified, and leaves out A2, A3, B1
    data = period_data([("u1", "Sở A")], [("u1", "A1", 10, None), ("u1", "B2", 1, None)])
    s = criterion_scores(data.scores, make_covenant()).set_index("criterion_id")
    # the rows left out are added as blank numbers (float NaN, not None), earning 0 self and final points
    assert s["self_value"].dtype == "float64" and s["self_value"].isna().tolist() == [False, True, True, True, False]
    assert s["final_score"].to_dict() == {"A1": 10.0, "A2": 0.0, "A3": 0.0, "B1": 0.0, "B2": 20.0}  # pass: the max, 20
    # nothing verified: no verified points at all, not 0 (a blank pass/fail is not a 'fail')
    assert s["verified_score"].isna().all()
