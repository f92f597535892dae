"""Criterion kinds seen in real scoring tables: deduction (chấm trừ) and sub-criteria (tiêu chí thành phần).

Every expected number is worked out by hand in the comment next to it from the covenant below,
never recomputed with the engine's formulas. The covenant (total 50):

  A  A1 graded 10
     A2 (20) with parts A2.a graded 8; A2.b pass/fail 6; A2.c count, 2 points per event, max 6
  B  B1 deduction 10, 3 points per violation
     B2 graded 10
Bands: xs >= 40 and every criterion >= 60 % of its maximum; tot >= 30 and 30 %; ht >= 0.
Tie-break: total, then criterion A2 (the sum of its parts).
"""
from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import _shared_unless_mutating, by_unit, make_covenant, make_vocab, period_data
from toolkit.engine.evaluate import evaluate
from toolkit.engine.scoring import group_scores
from toolkit.errors import DataError
from toolkit.model.period_data import load_period_data

VOCAB = make_vocab()


def kinds_dict() -> dict:
    return {
        "bloc": "thu", "year": 2024, "title": "Giao ước thử các loại tiêu chí", "total": 50, "decimals": 2,
        "contents": [
            {"id": "A", "title": "Chuyên môn", "criteria": [
                {"id": "A1", "title": "Chất lượng tham mưu", "max": 10},
                {"id": "A2", "title": "Cải cách hành chính", "max": 20, "parts": [
                    {"id": "A2.a", "title": "Kế hoạch cải cách", "max": 8},
                    {"id": "A2.b", "title": "Công khai thủ tục", "max": 6, "kind": "pass_fail"},
                    {"id": "A2.c", "title": "Sáng kiến được công nhận", "max": 6, "kind": "count", "points_per_event": 2},
                ]},
            ]},
            {"id": "B", "title": "Chấp hành", "criteria": [
                {"id": "B1", "title": "Chế độ báo cáo", "max": 10, "kind": "deduction", "points_per_violation": 3},
                {"id": "B2", "title": "Kỷ luật, kỷ cương", "max": 10},
            ]},
        ],
        "bands": [
            {"id": "xs", "label": "Xuất sắc", "min_total": 40, "min_criterion_share": 0.6},
            {"id": "tot", "label": "Tốt", "min_total": 30, "min_criterion_share": 0.3},
            {"id": "ht", "label": "Hoàn thành", "min_total": 0},
        ],
        "tie_break": ["total", "criterion:A2", "name"],
    }


COV = make_covenant(kinds_dict())
MEMBERS = [("u1", "Sở Công Thương"), ("u2", "Sở Đào tạo"), ("u3", "Sở Y tế"), ("u4", "Sở Xây dựng"), ("u5", "Quỹ Phát triển")]


def _rows(unit, values, verified=None):
    verified = verified or {}
    return [(unit, c, v, verified.get(c)) for c, v in values.items()]


def main_scores() -> list[tuple]:
    return (
        # u1: all full, but the bloc verified 1 violation of B1 where the unit declared none
        _rows("u1", {"A1": 10, "A2.a": 8, "A2.b": 1, "A2.c": 3, "B1": 0, "B2": 10}, {"B1": 1})
        # u2: a weak part (A2.a 2 of 8) inside a criterion that still reaches 70 %
        + _rows("u2", {"A1": 10, "A2.a": 2, "A2.b": 1, "A2.c": 3, "B1": 1, "B2": 10})
        # u3: 4 violations take more than the maximum; 10 events capped
        + _rows("u3", {"A1": 5, "A2.a": 4, "A2.b": 0, "A2.c": 10, "B1": 4, "B2": 6})
        # u4: submitted, but left B1 blank: no data
        + _rows("u4", {"A1": 8, "A2.a": 8, "A2.b": 1, "A2.c": 0, "B1": None, "B2": 9})
    )  # u5 did not submit


@pytest.fixture(scope=_shared_unless_mutating)  # per test under mutation testing, so every test meets the mutant
def result():
    return evaluate(COV, period_data(MEMBERS, main_scores(), period="2024-H1"), VOCAB)


def _final(result, unit, crit, col="final_score"):
    s = result["scores"]
    row = s[(s.unit_id == unit) & (s.criterion_id == crit)]
    assert len(row) == 1
    return row[col].iloc[0]


# --------------------------------------------------------------------------- deduction

def test_deduction_is_the_maximum_less_each_violation_floored_at_zero(result):
    # u2: 1 violation -> 10 - 3 = 7; u3: 4 violations -> 10 - 12 = -2 -> 0 (never negative)
    assert _final(result, "u2", "B1") == 7.0
    assert _final(result, "u3", "B1") == 0.0
    # u1 declared 0 (self 10) but the bloc verified 1 violation: final 7
    assert _final(result, "u1", "B1", "self_score") == 10.0
    assert _final(result, "u1", "B1") == 7.0


def test_deduction_no_violation_is_full_points_and_blank_is_no_data(result):
    # u1's self value 0 (it submitted, no violation) -> full 10; u4 left it blank -> no data, 0 points
    assert _final(result, "u1", "B1", "self_score") == 10.0
    assert _final(result, "u4", "B1") == 0.0
    assert pd.isna(_final(result, "u4", "B1", "self_value"))
    # u5 sent nothing: no rows at all, not ranked
    assert "u5" not in set(result["scores"].unit_id)
    assert by_unit(result["units"], "rank")["u5"] is None


# --------------------------------------------------------------------------- sub-criteria

def test_parts_are_scored_each_by_its_own_kind(result):
    # u3: A2.a graded 4; A2.b failed -> 0; A2.c 10 events x 2 = 20 capped at 6
    assert (_final(result, "u3", "A2.a"), _final(result, "u3", "A2.b"), _final(result, "u3", "A2.c")) == (4.0, 0.0, 6.0)


def test_the_parent_adds_its_parts(result):
    g = group_scores(result["scores"], COV)
    a2 = g[g.criterion_id == "A2"].set_index("unit_id")
    # u1 8 + 6 + 3x2 = 20; u2 2 + 6 + 6 = 14; u3 4 + 0 + 6 = 10; u4 8 + 6 + 0 = 14
    assert a2["final_score"].to_dict() == {"u1": 20.0, "u2": 14.0, "u3": 10.0, "u4": 14.0}
    assert a2["max"].to_dict() == {"u1": 20.0, "u2": 20.0, "u3": 20.0, "u4": 20.0}
    # the parent is one row per unit; criteria without parts are their own group
    assert sorted(g[g.unit_id == "u1"].criterion_id) == ["A1", "A2", "B1", "B2"]


def test_totals_contents_and_floors_by_hand(result):
    u = result["units"].set_index("unit_id")
    # u1: 10 + 20 + 7 + 10 = 47 (self 50); u2: 10 + 14 + 7 + 10 = 41; u3: 5 + 10 + 0 + 6 = 21; u4: 8 + 14 + 0 + 9 = 31
    assert u.loc[["u1", "u2", "u3", "u4"], "total"].tolist() == [47.0, 41.0, 21.0, 31.0]
    assert u.loc["u1", "self_criteria"] == 50.0
    # u1 contents: A 10 + 20 = 30; B 7 + 10 = 17
    c = result["contents"]
    assert c[c.unit_id == "u1"].set_index("content_id")["final_score"].to_dict() == {"A": 30.0, "B": 17.0}
    # lowest share, by criterion of the table: u2 A2 14/20 = 0.7 (not its part A2.a 2/8 = 0.25), B1 0.7
    assert u.loc["u2", "min_share"] == pytest.approx(0.7)
    # so u2 reaches xs (41 >= 40, 0.7 >= 0.6); a floor on the part would have held it at tot
    assert by_unit(result["units"], "band_id") == {"u1": "xs", "u2": "xs", "u3": "ht", "u4": "ht", "u5": None}
    # u4: 31 >= 30 but B1 with no data has share 0 < 0.3 -> ht


def test_tie_break_on_a_parent_counts_the_sum_of_its_parts():
    # two units with 40 each: p has A2 = 8 + 6 + 6 = 20, q has A2 = 8 + 0 + 2 = 10 (and 10 more on A1)
    scores = (_rows("p", {"A1": 0, "A2.a": 8, "A2.b": 1, "A2.c": 3, "B1": 0, "B2": 10})
              + _rows("q", {"A1": 10, "A2.a": 8, "A2.b": 0, "A2.c": 1, "B1": 0, "B2": 10}))
    r = evaluate(COV, period_data([("q", "Ban A"), ("p", "Ban B")], scores, period="2024-H1"), VOCAB)
    u = r["units"].set_index("unit_id")
    assert (u.loc["p", "total"], u.loc["q", "total"]) == (40.0, 40.0)
    assert (u.loc["p", "rank"], u.loc["q", "rank"]) == (1, 2)
    assert "A2" in u.loc["q", "decided_by"]


# --------------------------------------------------------------------------- the covenant

def _problems(raw) -> list[str]:
    with pytest.raises(DataError) as exc:
        make_covenant(raw)
    return [f"{p.file}: {p.where}: {p.message}" for p in exc.value.problems]


def test_parent_maximum_must_be_the_sum_of_its_parts():
    raw = kinds_dict()
    raw["contents"][0]["criteria"][1]["max"] = 25
    raw["total"] = 55
    assert _problems(raw) == ["test.yaml: contents[0].criteria[1].max: tiêu chí 'A2': điểm chuẩn 25 khác tổng điểm chuẩn "
                              "các tiêu chí thành phần 20 (A2.a: 8 + A2.b: 6 + A2.c: 6)"]


def test_parent_has_no_kind_of_its_own_and_parts_have_no_parts():
    raw = kinds_dict()
    raw["contents"][0]["criteria"][1]["kind"] = "count"
    assert "bỏ 'kind' ở tiêu chí này" in _problems(raw)[0]
    raw = kinds_dict()
    raw["contents"][0]["criteria"][1]["parts"][0]["parts"] = [{"id": "x", "title": "x", "max": 8}]
    assert "không được có phần con" in _problems(raw)[0]


def test_part_ids_are_unique_across_the_covenant():
    raw = kinds_dict()
    raw["contents"][0]["criteria"][1]["parts"][0]["id"] = "A1"
    assert _problems(raw) == ["test.yaml: contents[0].criteria[1].parts[0].id: mã tiêu chí 'A1' bị trùng "
                              "(đã dùng ở contents[0].criteria[0].id)"]


def test_deduction_needs_its_points_per_violation_and_nothing_else_takes_them():
    raw = kinds_dict()
    del raw["contents"][1]["criteria"][0]["points_per_violation"]
    assert "cần 'points_per_violation'" in _problems(raw)[0]
    raw = kinds_dict()
    raw["contents"][1]["criteria"][1]["points_per_violation"] = 1
    assert "'points_per_violation' chỉ dùng cho tiêu chí loại 'deduction'" in _problems(raw)[0]


def test_the_model_says_which_criterion_a_part_belongs_to():
    assert [k.id for _, k in COV.criteria] == ["A1", "A2.a", "A2.b", "A2.c", "B1", "B2"]
    assert [k.id for _, k in COV.top_criteria] == ["A1", "A2", "B1", "B2"]
    assert COV.parent_of("A2.b").id == "A2"
    assert COV.parent_of("A2") is None and COV.parent_of("A1") is None


# --------------------------------------------------------------------------- violations.csv

def _folder(tmp_path, scores: str, violations: str | None) -> tuple:
    folder = tmp_path / "periods" / "thu" / "2024-H1"
    folder.mkdir(parents=True)
    (folder / "scores.csv").write_text(scores, encoding="utf-8")
    if violations is not None:
        (folder / "violations.csv").write_text(violations, encoding="utf-8")
    members = pd.DataFrame([(u, n, n, "department", "member") for u, n in MEMBERS[:2]],
                           columns=["unit_id", "name", "short_name", "kind", "role"])
    return tmp_path, members


SCORES = ("unit_id,criterion_id,self_value,verified_value\n"
          "u1,A1,10,\nu1,A2.a,8,\nu1,A2.b,1,\nu1,A2.c,3,\nu1,B1,2,\nu1,B2,10,\n"
          "u2,A1,9,\nu2,A2.a,8,\nu2,A2.b,1,\nu2,A2.c,3,\nu2,B1,0,\nu2,B2,10,\n")


def _load(tmp_path, scores=SCORES, violations=None):
    from toolkit.model.periods import Period
    data_dir, members = _folder(tmp_path, scores, violations)
    return load_period_data(data_dir, "thu", Period.parse("2024-H1"), COV, VOCAB, members)


def test_violations_are_read_with_their_reasons(tmp_path):
    data = _load(tmp_path, violations="unit_id,criterion_id,count,reason\n"
                                      "u1,B1,1,Báo cáo quý I chậm 5 ngày\nu1,B1,,Báo cáo 6 tháng chậm 2 ngày\n")
    v = data.violations
    # the blank count is one violation
    assert v[["unit_id", "criterion_id", "count", "reason"]].values.tolist() == [
        ["u1", "B1", 1.0, "Báo cáo quý I chậm 5 ngày"], ["u1", "B1", 1.0, "Báo cáo 6 tháng chậm 2 ngày"]]
    assert set(v.bloc_id) == {"thu"}


def test_declared_violations_without_reasons_are_refused(tmp_path):
    with pytest.raises(DataError) as exc:
        _load(tmp_path, violations="unit_id,criterion_id,count,reason\nu1,B1,1,Báo cáo quý I chậm\nu2,B2,1,x\nu2,B1,1,\n")
    got = [(p.where, p.message) for p in exc.value.problems if p.severity == "error"]
    assert ("dòng 3, cột criterion_id", "tiêu chí 'B2' không phải tiêu chí chấm trừ của giao ước 2024 (tiêu chí chấm trừ: B1)") in got
    assert ("dòng 4, cột reason", "cần ghi lý do của lần vi phạm (số, ngày văn bản, việc gì)") in got
    # u1 declared 2 in scores.csv, 1 listed; u2 declared 0, 1 listed
    assert ("đơn vị u1, tiêu chí B1", "scores.csv ghi 2 lần vi phạm tự kê khai nhưng violations.csv liệt kê 1 lần có lý do: "
                                      "mỗi lần vi phạm cần một dòng lý do") in got
    assert ("đơn vị u2, tiêu chí B1", "scores.csv ghi 0 lần vi phạm tự kê khai nhưng violations.csv liệt kê 1 lần có lý do: "
                                      "mỗi lần vi phạm cần một dòng lý do") in got


def test_no_violations_file_needs_no_declared_violation(tmp_path):
    # u1 declares 2 violations and there is no violations.csv at all: both lack their reason
    with pytest.raises(DataError) as exc:
        _load(tmp_path)
    assert [p.where for p in exc.value.problems if p.severity == "error"] == ["đơn vị u1, tiêu chí B1"]
    # with 0 declared, no file is needed
    assert len(_load(tmp_path / "b", scores=SCORES.replace("u1,B1,2,", "u1,B1,0,")).violations) == 0


def test_a_deduction_value_is_a_whole_number_of_violations(tmp_path):
    with pytest.raises(DataError) as exc:
        _load(tmp_path, scores=SCORES.replace("u1,B1,2,", "u1,B1,1.5,"))
    assert ("dòng 6, cột self_value", "tiêu chí chấm trừ 'B1' cần số lần vi phạm (số nguyên), nhận được '1.5'") in [
        (p.where, p.message) for p in exc.value.problems]


# --------------------------------------------------------------------------- oracle

def _half_up(x: Decimal, d: int = 2) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP)


@st.composite
def deduction_and_parts(draw):
    """A covenant with one deduction criterion and one criterion of graded parts, and units' values."""
    d_max = draw(st.sampled_from([5, 10, 12.5, 20]))
    per = draw(st.sampled_from([0.25, 0.5, 1, 1.5, 3]))
    part_max = draw(st.lists(st.sampled_from([1, 2.5, 4, 5, 7.5]), min_size=1, max_size=4))
    floor = draw(st.sampled_from([0, 0.3, 0.5, 0.75, 0.9]))
    n = draw(st.integers(1, 5))
    units = []
    for i in range(n):
        violations = draw(st.one_of(st.none(), st.integers(0, 30)))
        parts = [draw(st.sampled_from([0, m / 4, m / 2, m])) for m in part_max]
        units.append((f"u{i}", violations, parts))
    return d_max, per, part_max, floor, units


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deduction_and_parts())
def test_deduction_and_parts_agree_with_a_decimal_oracle(case):
    d_max, per, part_max, floor, units = case
    raw = {"bloc": "thu", "year": 2024, "title": "t", "total": d_max + sum(part_max), "decimals": 2,
           "contents": [{"id": "A", "title": "a", "criteria": [
               {"id": "D", "title": "d", "max": d_max, "kind": "deduction", "points_per_violation": per},
               {"id": "P", "title": "p", "max": sum(part_max),
                "parts": [{"id": f"P.{j}", "title": "x", "max": m} for j, m in enumerate(part_max)]}]}],
           "bands": [{"id": "b", "label": "B", "min_total": 0, "min_criterion_share": floor}]}
    cov = make_covenant(raw)
    scores = [(u, "D", v, None) for u, v, _ in units] + [(u, f"P.{j}", x, None) for u, _, p in units for j, x in enumerate(p)]
    r = evaluate(cov, period_data([(u, f"Đơn vị {u}") for u, _, _ in units], scores, period="2024-H1"), VOCAB)
    s = r["scores"].set_index(["unit_id", "criterion_id"])
    u = r["units"].set_index("unit_id")
    for unit, violations, parts in units:
        dm, pp = Decimal(str(d_max)), Decimal(str(per))
        d_points = Decimal(0) if violations is None else _half_up(max(dm - pp * violations, Decimal(0)))
        assert Decimal(str(s.loc[(unit, "D"), "final_score"])) == d_points
        p_points = sum((_half_up(Decimal(str(x))) for x in parts), Decimal(0))
        assert Decimal(str(u.loc[unit, "criteria_total"])) == _half_up(d_points + p_points)
        share = min(d_points / dm, p_points / Decimal(str(sum(part_max))))
        assert u.loc[unit, "min_share"] == pytest.approx(float(share), abs=1e-12)
        assert pd.notna(u.loc[unit, "band_id"]) == (share >= Decimal(str(floor)))


def test_violations_pass_through_to_the_result(result):
    data = period_data(MEMBERS, main_scores(), period="2024-H1")
    v = pd.DataFrame([("u2", "B1", 1.0, "Chậm báo cáo", "k")], columns=["unit_id", "criterion_id", "count", "reason", "bloc_id"])
    r = evaluate(COV, dataclasses.replace(data, violations=v), VOCAB)
    assert r["violations"].reason.tolist() == ["Chậm báo cáo"]


def test_covenant_changes_name_parts_and_deductions():
    from toolkit.engine.covenant_changes import covenant_changes
    raw = kinds_dict()
    raw["year"], raw["total"] = 2023, 44
    a2 = raw["contents"][0]["criteria"][1]
    a2["max"], a2["parts"] = 14, a2["parts"][:2]  # 2023: A2 was 8 + 6, without A2.c
    raw["contents"][1]["criteria"][0].update(points_per_violation=2)
    got = [(c.item, c.change, c.detail) for c in covenant_changes(make_covenant(raw), COV) if c.part == "Tiêu chí"]
    assert got == [
        ("A2", "đổi", "điểm chuẩn: 14 → 20"),
        ("A2.c", "thêm", "6 điểm, tính theo số lần, thuộc nội dung A"),
        ("B1", "đổi", "điểm trừ mỗi lần vi phạm: 2 → 3"),
    ]


def test_a_what_if_maximum_of_a_part_moves_its_parent_and_the_total():
    from toolkit.engine.scenario import Scenario, apply
    # A2.a 8 -> 10: A2 = 10 + 6 + 6 = 22, total 50 + 2 = 52
    new = apply(COV, Scenario(maxima={"A2.a": 10}), VOCAB.levels())
    assert (new.top_criteria[1][1].max, new.total) == (22.0, 52.0)
    assert [p.max for p in new.top_criteria[1][1].parts] == [10.0, 6.0, 6.0]


def test_a_parent_keeps_the_covenants_decimals():
    # decimals 3: parts A2.a 1.125 and A2.c 1 event x 2 = 2 -> the parent 3.125 (rounded to 2 decimals it would read 3.13)
    raw = kinds_dict()
    raw["decimals"] = 3
    cov = make_covenant(raw)
    scores = _rows("p", {"A1": 0, "A2.a": 1.125, "A2.b": 0, "A2.c": 1, "B1": 0, "B2": 0})
    r = evaluate(cov, period_data([("p", "Ban A")], scores, period="2024-H1"), VOCAB)
    g = group_scores(r["scores"], cov).set_index("criterion_id")
    assert (g.loc["A2", "self_score"], g.loc["A2", "final_score"]) == (3.125, 3.125)
