"""Staff and organisation targets and the excellent-share cap, worked out by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import by_unit, covenant_dict, main_data, make_covenant
from toolkit.engine.evaluate import evaluate

HALF_UP = "làm tròn đến số nguyên gần nhất (0,5 lên)"


def _target(result, target_id):
    t = result["targets"]
    return t[t.target_id == target_id].set_index("unit_id")


def test_staff_target_completed_100_percent(main_result):
    t = _target(main_result, "ht100")
    # 'hoàn thành' or better / all staff: u1 20/20, u2 20/20, u3 20/20, u4 23/24 (one KHTNV), u5 20/20
    assert t[["numerator", "denominator"]].to_dict("index") == {
        "u1": {"numerator": 20.0, "denominator": 20.0}, "u2": {"numerator": 20.0, "denominator": 20.0},
        "u3": {"numerator": 20.0, "denominator": 20.0}, "u4": {"numerator": 23.0, "denominator": 24.0},
        "u5": {"numerator": 20.0, "denominator": 20.0}}
    assert t["met"].to_dict() == {"u1": True, "u2": True, "u3": True, "u4": False, "u5": True}
    assert t.loc["u4", "detail"] == "23/24 = 95,8% hoàn thành nhiệm vụ trở lên; cần ≥ 100%"


def test_staff_target_excellent_share_with_exact_edge(main_result):
    t = _target(main_result, "xs15")
    # excellent / all: u1 5/20 = 25 %, u2 4/20 = 20 %, u3 3/20 = 15 % (exactly the minimum: met),
    # u4 6/24 = 25 %, u5 2/20 = 10 % (missed)
    assert t["actual"].to_dict() == pytest.approx({"u1": 0.25, "u2": 0.2, "u3": 0.15, "u4": 0.25, "u5": 0.1})
    assert t["met"].to_dict() == {"u1": True, "u2": True, "u3": True, "u4": True, "u5": False}
    assert t.loc["u3", "detail"] == "3/20 = 15,0% hoàn thành xuất sắc nhiệm vụ trở lên; cần ≥ 15%"


def test_organisation_targets(main_result):
    party = _target(main_result, "dang")
    # u1 'Hoàn thành xuất sắc nhiệm vụ' and u2 the old label 'Trong sạch vững mạnh' are both tsvm;
    # u3 'Hoàn thành tốt nhiệm vụ' is below; u5 has no party row and the target is required
    assert party["met"].to_dict() == {"u1": True, "u2": True, "u3": False, "u4": True, "u5": False}
    assert party.loc["u3", "detail"] == "đạt mức 'Hoàn thành tốt nhiệm vụ'; cần 'Trong sạch vững mạnh' trở lên"
    assert party.loc["u5", "detail"] == "không có số liệu Chi bộ, Đảng bộ"
    youth = _target(main_result, "doan")
    # optional: u2, u5 have no youth union -> not applicable (NaN), u3 'Khá' is below 'Vững mạnh'
    assert {k: (None if pd.isna(v) else v) for k, v in youth["met"].items()} == {
        "u1": True, "u2": None, "u3": False, "u4": True, "u5": None}
    # targets_missed counts only targets actually missed: u3 party + youth, u4 100 %, u5 15 % + party
    assert by_unit(main_result["units"], "targets_missed") == {"u1": 0, "u2": 0, "u3": 2, "u4": 1, "u5": 2}


def test_excellent_cap_arithmetic_half_up(main_result):
    c = main_result["cap"].set_index("unit_id")
    # base = 'tốt' or better; cap = 25 % x base, rounded half up
    # u1 13 + 5 = 18 -> 4.5 -> 5 (half up; floor would give 4 and put u1 over the cap)
    # u2 12 + 4 = 16 -> 4.0 -> 4; u3 10 + 3 = 13 -> 3.25 -> 3; u4 14 + 6 = 20 -> 5.0 -> 5;
    # u5 8 + 2 = 10 -> 2.5 -> 3
    assert c[["excellent", "base", "cap", "within_cap"]].to_dict("index") == {
        "u1": {"excellent": 5.0, "base": 18.0, "cap": 5, "within_cap": True},
        "u2": {"excellent": 4.0, "base": 16.0, "cap": 4, "within_cap": True},
        "u3": {"excellent": 3.0, "base": 13.0, "cap": 3, "within_cap": True},
        "u4": {"excellent": 6.0, "base": 20.0, "cap": 5, "within_cap": False},
        "u5": {"excellent": 2.0, "base": 10.0, "cap": 3, "within_cap": True},
    }
    assert c.loc["u1", "arithmetic"] == f"5 ≤ 25% × 18 (hoàn thành tốt nhiệm vụ trở lên) = 4,50 → 5 ({HALF_UP})"
    assert c.loc["u4", "arithmetic"] == f"6 > 25% × 20 (hoàn thành tốt nhiệm vụ trở lên) = 5,00 → 5 ({HALF_UP})"
    assert not c["confirmed"].any()
    assert by_unit(main_result["units"], "within_cap") == {"u1": True, "u2": True, "u3": True, "u4": False, "u5": True}


@pytest.mark.parametrize("rounding, caps", [
    # bases 18, 16, 13, 20, 10 -> 4.5, 4.0, 3.25, 5.0, 2.5
    ("floor", {"u1": 4, "u2": 4, "u3": 3, "u4": 5, "u5": 2}),
    ("ceil", {"u1": 5, "u2": 4, "u3": 4, "u4": 5, "u5": 3}),
    ("half_up", {"u1": 5, "u2": 4, "u3": 3, "u4": 5, "u5": 3}),
])
def test_excellent_cap_rounding_setting(vocab, rounding, caps):
    raw = covenant_dict()
    raw["targets"]["excellent_cap"]["rounding"] = rounding
    c = evaluate(make_covenant(raw), main_data(), vocab)["cap"]
    assert by_unit(c, "cap") == caps
    # with floor, u1 (5 excellent) is over its cap of 4
    assert by_unit(c, "within_cap")["u1"] == (rounding != "floor")


def test_annual_period_without_staff_ratings(cov, vocab):
    """staff_ratings.csv is optional: no staff rows must give 'no data', not a crash."""
    r = evaluate(cov, main_data(staff=[]), vocab)
    t = _target(r, "ht100")
    assert t["met"].isna().all()
    assert set(t["detail"]) == {"chưa có số liệu xếp loại công chức, viên chức"}
    assert r["cap"]["within_cap"].isna().all()
    assert (r["cap"]["base"] == 0).all()


def test_staff_rows_of_one_level_add_up(vocab):
    """Two rows for one unit and level (e.g. civil servants and public employees listed apart) are summed."""
    from toolkit.engine.targets import staff_counts

    units = pd.DataFrame({"bloc_id": ["k", "k"], "unit_id": ["u1", "u2"]})
    staff = pd.DataFrame({"bloc_id": ["k"] * 3, "unit_id": ["u1", "u1", "u2"], "level": ["tot", "tot", "xuat_sac"],
                          "count": [3, 4, 2]})
    wide = staff_counts(staff, units, vocab).set_index("unit_id")
    # u1: 3 + 4 = 7 'tot' (a mean would give 3.5), no other level; u2: 2 'xuat_sac'
    assert wide.loc["u1", ["khong_hoan_thanh", "hoan_thanh", "tot", "xuat_sac", "staff_total"]].tolist() == [0, 0, 7, 0, 7]
    assert wide.loc["u2", ["tot", "xuat_sac", "staff_total"]].tolist() == [0, 2, 2]


def test_excellent_cap_of_one_person_and_of_units_indexed_as_a_slice(cov, vocab):
    """A unit of one person is judged too, and units taken out of a larger table (index 10, 11) line up."""
    from toolkit.engine.targets import excellent_cap

    units = pd.DataFrame({"bloc_id": ["k", "k"], "unit_id": ["u1", "u2"]}, index=[10, 11])
    staff = pd.DataFrame({"bloc_id": ["k"] * 3, "unit_id": ["u1", "u2", "u2"], "level": ["xuat_sac", "tot", "xuat_sac"],
                          "count": [1, 3, 1]})
    c = excellent_cap(staff, units, cov, vocab).set_index("unit_id")
    # cap = 25 % of those rated 'tot' or better, half up (tests/conftest.py):
    # u1 base 1 -> 0.25 -> 0, and 1 excellent > 0: over the cap; u2 base 3 + 1 = 4 -> 1.0 -> 1, 1 <= 1: within
    assert c[["excellent", "base", "cap", "within_cap"]].to_dict("index") == {
        "u1": {"excellent": 1.0, "base": 1.0, "cap": 0, "within_cap": False},
        "u2": {"excellent": 1.0, "base": 4.0, "cap": 1, "within_cap": True}}


def test_without_an_excellent_cap_the_cap_table_is_empty_with_its_columns(vocab):
    from toolkit.engine.targets import excellent_cap

    raw = covenant_dict()
    del raw["targets"]["excellent_cap"]
    raw["awards"][0]["require_cap_compliance"] = False
    c = excellent_cap(pd.DataFrame(), pd.DataFrame(), make_covenant(raw), vocab)
    assert len(c) == 0
    assert c.columns.tolist() == ["bloc_id", "unit_id", "excellent", "base", "cap", "within_cap", "arithmetic", "confirmed"]


def test_organisation_targets_alone_have_every_column(vocab):
    """A covenant with organisation targets and no staff target: the numerator and denominator are empty."""
    from toolkit.engine.targets import COLUMNS

    raw = covenant_dict()
    raw["targets"]["staff"] = []
    raw["awards"][1]["required_targets"] = ["dang"]
    t = evaluate(make_covenant(raw), main_data(), vocab)["targets"]
    assert t.columns.tolist() == COLUMNS
    # 5 members x 2 organisation targets (dang, doan), none with a numerator or denominator
    assert len(t) == 10 and t["numerator"].isna().all() and t["denominator"].isna().all()
    assert set(t["kind"]) == {"organisation"}
