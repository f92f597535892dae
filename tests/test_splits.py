"""A unit split between several successors (Decree 150/2025): by hand, on four tiny units.

L (Sở Lao động - Thương binh và Xã hội) is dissolved in 2025 and split into N (Sở Nội vụ),
Y (Sở Y tế) and G (Sở Giáo dục và Đào tạo). Y and N were members before; G was not.
"""
from __future__ import annotations

import pandas as pd
import pytest

from toolkit.engine import unit_lines as rules
from toolkit.engine.comparison import compare_periods
from toolkit.errors import DataError
from toolkit.model.registry import Registry, load_registry

NAMES = {"l": "Sở Lao động - Thương binh và Xã hội", "n": "Sở Nội vụ", "y": "Sở Y tế", "g": "Sở Giáo dục và Đào tạo"}
SPLIT = [(2025, "l", "n", "split"), (2025, "l", "y", "split"), (2025, "l", "g", "split")]


def registry(lineage=SPLIT) -> Registry:
    units = pd.DataFrame({"unit_id": list(NAMES), "name": list(NAMES.values()), "short_name": list(NAMES), "kind": "department"})
    return Registry(units, pd.DataFrame(lineage, columns=["year", "from_unit", "to_unit", "event"]),
                    pd.DataFrame(columns=["bloc_id", "name", "province"]), pd.DataFrame(columns=["year", "bloc_id", "unit_id", "role"]))


ROWS = pd.DataFrame([(2024, "l"), (2024, "n"), (2024, "y"), (2025, "n"), (2025, "y"), (2025, "g")], columns=["year", "unit_id"])


def test_a_split_unit_has_no_successor_and_each_successor_knows_its_source():
    reg = registry()
    succ = reg.successors(2024, 2025)
    assert succ["l"] is None  # several successors, none of them its continuation
    assert succ["n"] == "n" and succ["y"] == "y" and succ["g"] == "g"
    assert reg.split_sources(2024, 2025) == {"n": ["l"], "y": ["l"], "g": ["l"]}
    assert reg.split_sources(2025, 2026) == {}  # the split is in 2025: not after 2025
    assert reg.predecessors("y", 2024, 2025) == ["y"]  # L's history is not Y's


def test_the_split_units_line_ends_and_is_never_summed_into_a_successor():
    lines = dict(zip(zip(ROWS["year"], ROWS["unit_id"]), rules.line_ids(ROWS, registry())))
    assert lines[(2024, "l")] == "l"  # a line of its own, which ends in 2024
    assert lines[(2024, "y")] == "y" and lines[(2024, "n")] == "n" and lines[(2025, "g")] == "g"
    orgs = rules.org_ids(ROWS, registry())
    assert list(orgs) == ["l", "n", "y", "n", "y", "g"]


def test_notes_end_the_split_line_and_each_successor_says_what_it_took_over():
    reg = registry()
    events = rules.lineage_events(reg, set(ROWS["unit_id"]), 2024, 2025)
    assert len(events) == 3
    notes = rules.lineage_notes(events, ROWS, NAMES)
    # successors in Vietnamese order: Giáo dục < Nội vụ < Y tế
    assert notes["l"] == "từ năm 2025 giải thể, chia tách vào Sở Giáo dục và Đào tạo; Sở Nội vụ; Sở Y tế"
    took = "từ năm 2025 tiếp nhận một phần chức năng của Sở Lao động - Thương binh và Xã hội (chia tách; không cộng kết quả các năm trước)"
    assert notes["n"] == notes["y"] == notes["g"] == took


def test_comparison_keeps_each_successor_to_its_own_results():
    # 2024: L first with 95, Y second with 90, N third with 85. 2025: Y 92 (rank 1), G 88 (rank 2, new), N 80 (rank 3).
    previous = pd.DataFrame({"unit_id": ["l", "y", "n"], "rank": [1, 2, 3], "total": [95.0, 90.0, 85.0], "name": ["L", "Y", "N"]})
    current = pd.DataFrame({"unit_id": ["y", "g", "n"], "rank": [1, 2, 3], "total": [92.0, 88.0, 80.0]})
    reg = registry()
    out = compare_periods(current, previous, reg.successors(2024, 2025), "2024", NAMES, 2, reg.split_sources(2024, 2025)).set_index("unit_id")
    assert out.loc["y", "prev_total"] == 90.0 and out.loc["y", "delta_total"] == 2.0  # 92 - 90, not 92 - (90 + 95)
    assert out.loc["y", "delta_rank"] == 1  # 2 -> 1
    assert out.loc["n", "delta_total"] == -5.0 and out.loc["n", "delta_rank"] == 0  # 80 - 85; 3 -> 3
    assert pd.isna(out.loc["g", "prev_total"])  # G was not a member: L's 95 is not its previous result
    assert out.loc["g", "prev_unit_ids"] == "" and out.loc["y", "prev_unit_ids"] == "y"
    took = "tiếp nhận một phần chức năng của Sở Lao động - Thương binh và Xã hội (chia tách)"
    assert out.loc["y", "note"].startswith(took)
    assert out.loc["g", "note"].startswith("không có kết quả kỳ 2024; " + took)
    assert 95.0 not in set(out["prev_total"].dropna())


def test_a_split_into_one_unit_is_refused_with_its_line(data_copy):
    lineage = data_copy / "lineage.csv"
    lineage.write_text("year,from_unit,to_unit,event\n2025,so-ld-tb-xh,so-y-te,split\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_registry(data_copy)
    assert "dòng 2, cột to_unit" in str(exc.value) and "ít nhất hai đơn vị tiếp nhận" in str(exc.value)
    lineage.write_text("year,from_unit,to_unit,event\n2025,so-ld-tb-xh,so-y-te,split\n2025,so-ld-tb-xh,so-gd-dt,split\n",
                       encoding="utf-8")
    assert load_registry(data_copy).split_sources(2024, 2025) == {"so-y-te": ["so-ld-tb-xh"], "so-gd-dt": ["so-ld-tb-xh"]}
