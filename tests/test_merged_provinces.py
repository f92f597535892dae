"""Provinces merged on 1 July 2025: one data folder holds Bắc Ninh's blocs and a Bắc Giang bloc, and
a department's predecessors come from the other province's bloc."""
from __future__ import annotations

import pandas as pd
import pytest

from toolkit.engine.comparison import compare_periods
from toolkit.model.province import load_province
from toolkit.model.registry import Registry
from toolkit.model.workspace import Workspace
from toolkit.reports import province_lineage, trends
from toolkit.reports.analysis import analyse
from toolkit.reports.bloc_history import load_history

BG = "van-hoa-xa-hoi-bac-giang"


def test_a_predecessor_from_another_bloc_is_named_never_added():
    # Y (this bloc) absorbs Z (another province's bloc) in 2025. 2024: Y 90 (rank 2 of 2 here); Z scored 99 in its own bloc.
    units = pd.DataFrame({"unit_id": ["y", "z", "w"], "name": ["Sở Y tế", "Sở Y tế tỉnh Bắc Giang", "Sở W"],
                          "short_name": ["y", "z", "w"], "kind": "department"})
    reg = Registry(units, pd.DataFrame([(2025, "z", "y", "merge")], columns=["year", "from_unit", "to_unit", "event"]),
                   pd.DataFrame(columns=["bloc_id", "name", "province"]), pd.DataFrame(columns=["year", "bloc_id", "unit_id", "role"]))
    previous = pd.DataFrame({"unit_id": ["w", "y"], "rank": [1, 2], "total": [95.0, 90.0], "name": ["Sở W", "Sở Y tế"]})
    current = pd.DataFrame({"unit_id": ["y", "w"], "rank": [1, 2], "total": [93.5, 91.0]})
    names = dict(zip(units["unit_id"], units["name"]))
    out = compare_periods(current, previous, reg.successors(2024, 2025), "2024", names).set_index("unit_id")
    assert out.loc["y", "prev_total"] == 90.0 and out.loc["y", "delta_total"] == 3.5  # 93.5 - 90, Z's 99 nowhere
    assert out.loc["y", "delta_rank"] == 1  # 2 -> 1
    assert out.loc["y", "note"] == "có thêm tiền thân ngoài khối: Sở Y tế tỉnh Bắc Giang (không cộng vào kết quả kỳ trước)"
    assert out.loc["w", "note"] == ""


def test_a_former_province_is_named_as_such_from_its_merger_on():
    p = load_province(Workspace.open().data_dir)
    assert p.name == "Bắc Ninh" and [f.name for f in p.former] == ["Bắc Giang"]
    assert p.former_name("Bắc Giang", 2024) == "tỉnh Bắc Giang"  # merged on 01/07/2025
    assert p.former_name("Bắc Giang", 2025) == "tỉnh Bắc Giang (cũ)"
    assert p.former_name("Bắc Ninh", 2025) == "tỉnh Bắc Ninh"


@pytest.fixture(scope="module")
def vhxh():
    return load_history("van-hoa-xa-hoi", "2023", "2025")


def test_the_trends_show_the_split_and_follow_predecessors_from_the_other_province(vhxh):
    ranks = trends.ranks(vhxh).set_index("Đơn vị")
    note = ranks.loc["Sở Lao động - Thương binh và Xã hội", "Ghi chú"]
    assert note == "từ năm 2025 giải thể, chia tách vào Sở Giáo dục và Đào tạo; Sở Nội vụ; Sở Y tế"
    assert ranks.loc["Sở Lao động - Thương binh và Xã hội", "2025"] == ""  # its line ends: no 2025 cell
    assert "tiếp nhận một phần chức năng của Sở Lao động - Thương binh và Xã hội" in ranks.loc["Sở Y tế", "Ghi chú"]
    out = province_lineage.outside_predecessors(vhxh).set_index("Tiền thân")
    ws = Workspace.open()
    for year in ("2023", "2024"):  # the Bắc Giang department's own rank and total in its own bloc
        u = analyse(ws, BG, year, compare=False).units.set_index("unit_id")
        r = u.loc["so-y-te-bac-giang"]
        expected = f"hạng {int(r['rank'])}/{int(u['rank'].notna().sum())}, {r['total']:.2f} điểm".replace(".", ",")
        assert out.loc["Sở Y tế tỉnh Bắc Giang", year] == expected
    assert out.loc["Sở Y tế tỉnh Bắc Giang", "Đơn vị"] == "Sở Y tế"
    assert "tỉnh Bắc Giang (cũ)" in out.loc["Sở Y tế tỉnh Bắc Giang", "Khối của tiền thân"]
    assert out.loc["Sở Thông tin và Truyền thông", "Đơn vị"] == "Sở Khoa học và Công nghệ"  # from the other Bắc Ninh bloc
    # the predecessors never enter the bloc's own lines
    assert not set(vhxh.units["unit_id"]) & {"so-y-te-bac-giang", "so-tt-tt"}


def test_the_overview_says_where_the_former_provinces_bloc_went():
    class Ov:  # what former_blocs reads of an overview: the workspace and the period
        ws = Workspace.open()
        period = type("P", (), {"year": 2025})()

    t = province_lineage.former_blocs(Ov()).set_index("Đơn vị")
    assert len(t) == 5 and set(t["Năm cuối"]) == {2024}
    assert t.loc["Sở Y tế tỉnh Bắc Giang", "Năm 2025"] == "Sở Y tế (Khối các sở, ngành văn hóa - xã hội)"
    assert t.loc["Sở Lao động - Thương binh và Xã hội tỉnh Bắc Giang", "Năm 2025"] == \
        "chia tách vào Sở Giáo dục và Đào tạo; Sở Nội vụ; Sở Y tế"
    assert t.loc["Báo Bắc Giang", "Năm 2025"] == "Báo và Phát thanh, Truyền hình Bắc Ninh (Khối các sở, ngành văn hóa - xã hội)"


def test_the_trends_inputs_include_the_predecessors_blocs():
    from toolkit.reports.bloc_history import period_range
    from toolkit.runs.runner import spanning_inputs

    ws = Workspace.open()
    periods = period_range(ws, "van-hoa-xa-hoi", "2023", "2025")
    pairs = {(b, str(p)) for b, p in province_lineage.outside_periods(ws, "van-hoa-xa-hoi", periods)}
    # Bắc Giang's bloc (2023, 2024) for its departments; the economic bloc for Sở Thông tin và Truyền thông
    assert pairs == {(BG, "2023"), (BG, "2024"), ("kinh-te-ky-thuat", "2023"), ("kinh-te-ky-thuat", "2024")}
    inputs = spanning_inputs(ws, "van-hoa-xa-hoi", periods)
    assert f"periods/{BG}/2024/scores.csv" in inputs and "periods/kinh-te-ky-thuat/2023/scores.csv" in inputs
    assert not province_lineage.outside_periods(ws, "noi-chinh-tong-hop", period_range(ws, "noi-chinh-tong-hop", "2023", "2025"))


def test_a_former_provinces_bloc_is_named_once_as_of_the_last_year(vhxh):
    out = province_lineage.outside_predecessors(vhxh).set_index("Tiền thân")
    # 2023 and 2024 in the same bloc: one name, the province as it is called in 2025 (merged on 01/07/2025)
    assert out.loc["Sở Y tế tỉnh Bắc Giang", "Khối của tiền thân"] == \
        "Khối các sở, ngành văn hóa - xã hội tỉnh Bắc Giang — tỉnh Bắc Giang (cũ)"
    assert out.loc["Sở Thông tin và Truyền thông", "Khối của tiền thân"] == \
        "Khối các sở, ban, ngành tham mưu và quản lý Nhà nước về kinh tế, kỹ thuật"
