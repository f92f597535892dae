"""Trends across periods: unit lines through a merger and a rename, covenant changes, streaks, the history in one call.

The lineage and covenant tests are worked by hand on small frames (the expected value is in a
comment next to each assertion); the history tests use a copy of the sample data, trimmed to a
few years so they stay fast.
"""
from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from conftest import covenant_dict, make_covenant
from toolkit.engine import unit_lines as rules
from toolkit.engine.covenant_changes import Change, covenant_changes
from toolkit.model.registry import Registry
from toolkit.model.workspace import Workspace
from toolkit.reports import result_tables, trends
from toolkit.reports.analysis import analyse
from toolkit.reports.bloc_history import history, load_history, period_range
from toolkit.reports.filed_tables import save_tables

BLOC = "kinh-te-ky-thuat"


# --------------------------------------------------------------------------- lineage, by hand


def registry(lineage: list[tuple]) -> Registry:
    names = {"a": "Sở A", "b": "Sở B", "c": "Sở C (hợp nhất)", "d": "Sở D", "e": "Sở E (tên mới)", "f": "Sở F", "g": "Sở G",
             "x": "Sở X (khối khác)"}
    units = pd.DataFrame({"unit_id": list(names), "name": list(names.values()), "short_name": [n[:4] for n in names.values()],
                          "kind": "department"})
    lin = pd.DataFrame(lineage, columns=["year", "from_unit", "to_unit", "event"])
    return Registry(units, lin, pd.DataFrame(columns=["bloc_id", "name", "province"]), pd.DataFrame(columns=["year", "bloc_id", "unit_id", "role"]))


# A and B merge into the new C in 2025; D is renamed E in 2024; G merges into F (already a member) in 2025.
LINEAGE = [(2025, "a", "c", "merge"), (2025, "b", "c", "merge"), (2024, "d", "e", "rename"), (2025, "g", "f", "merge")]
ROWS = pd.DataFrame([(2023, "a"), (2023, "b"), (2023, "d"), (2023, "f"), (2023, "g"),
                     (2024, "a"), (2024, "b"), (2024, "e"), (2024, "f"), (2024, "g"),
                     (2025, "c"), (2025, "e"), (2025, "f")], columns=["year", "unit_id"])


def test_lines_follow_a_merger_of_two_units_and_a_rename():
    reg = registry(LINEAGE)
    lines = dict(zip(zip(ROWS["year"], ROWS["unit_id"]), rules.line_ids(ROWS, reg)))
    # both predecessors of the merger continue into C, in every year before it
    assert lines[(2023, "a")] == lines[(2024, "a")] == "c"
    assert lines[(2023, "b")] == lines[(2024, "b")] == "c"
    assert lines[(2025, "c")] == "c"
    # the renamed unit is one line under its new id
    assert lines[(2023, "d")] == "e" and lines[(2024, "e")] == "e" and lines[(2025, "e")] == "e"
    # merged into a unit that was already a member: G continues into F's line, F stays itself
    assert lines[(2023, "g")] == "f" and lines[(2023, "f")] == "f"


def test_organisations_follow_renames_but_not_mergers():
    orgs = dict(zip(zip(ROWS["year"], ROWS["unit_id"]), rules.org_ids(ROWS, registry(LINEAGE))))
    assert orgs[(2023, "d")] == "e"  # a rename is the same organisation
    assert orgs[(2023, "a")] == "a" and orgs[(2023, "b")] == "b"  # merged units are counted as themselves
    assert orgs[(2023, "g")] == "g"


def test_a_unit_merged_into_a_unit_outside_the_bloc_keeps_its_own_line():
    rows = pd.DataFrame([(2024, "a"), (2024, "b"), (2025, "b")], columns=["year", "unit_id"])
    lines = rules.line_ids(rows, registry([(2025, "a", "x", "merge")]))
    assert list(lines) == ["a", "b", "b"]  # X is not a member of the bloc: A's line ends in 2024


def test_lineage_notes_say_where_each_line_comes_from_and_goes():
    reg = registry(LINEAGE)
    events = rules.lineage_events(reg, set(ROWS["unit_id"]), 2023, 2025)
    assert len(events) == 4
    notes = rules.lineage_notes(events, ROWS, dict(zip(reg.units["unit_id"], reg.units["name"])))
    assert notes["c"] == "hình thành năm 2025 do hợp nhất: Sở A; Sở B"
    assert notes["a"] == notes["b"] == "từ năm 2025 hợp nhất vào Sở C (hợp nhất)"
    assert notes["d"] == "từ năm 2024 đổi tên thành Sở E (tên mới)"
    assert notes["e"] == "trước năm 2024 mang tên Sở D"
    assert notes["f"] == "từ năm 2025 hợp nhất thêm: Sở G"  # F was a member before the merger
    assert notes["g"] == "từ năm 2025 hợp nhất vào Sở F"


def test_events_outside_the_range_are_not_reported():
    reg = registry(LINEAGE)
    assert rules.lineage_events(reg, {"a", "b", "c"}, 2025, 2025).empty  # the range starts in 2025: the merger is before it


# --------------------------------------------------------------------------- counts, by hand


def test_runs_count_consecutive_periods_and_a_gap_breaks_them():
    assert rules.runs(pd.Series([True, True, False, True])) == (3, 2, 1)
    assert rules.runs(pd.Series([False, False])) == (0, 0, 0)


def test_award_streaks_per_organisation_and_never_nominated():
    periods = ["2021", "2022", "2023", "2024"]
    awards = pd.DataFrame({
        "period": ["2021", "2022", "2024", "2021", "2022", "2023", "2024"],
        "award_id": "co", "award": "Cờ", "org_id": ["a", "a", "a", "b", "b", "b", "b"],
        "nominated": [True, True, True, False, False, False, False]})
    s = rules.award_streaks(awards, ["a", "b", "z"], periods).set_index("org_id")
    # A: 2021, 2022 in a row, then 2024 (2023 not nominated): 3 times, longest run 2, current run 1
    assert (s.loc["a", "times"], s.loc["a", "longest"], s.loc["a", "current"]) == (3, 2, 1)
    assert s.loc["a", "periods"] == "2021, 2022, 2024"
    assert s.loc["b", "times"] == 0 and s.loc["z", "times"] == 0
    assert rules.never_nominated(awards, ["a", "b", "z"]) == ["b", "z"]


def test_over_claims_average_the_gap_over_submitted_periods():
    units = pd.DataFrame({"period": ["2023", "2024", "2025", "2023", "2024"], "org_id": ["a", "a", "a", "b", "b"],
                          "submitted": [True, True, False, True, True], "self_gap": [2.0, 1.25, np.nan, 0.0, -0.5]})
    o = rules.over_claims(units).set_index("org_id")
    # A: (2 + 1,25) / 2 = 1,625 -> 1,63 (half up); higher in both submitted periods; largest 2 in 2023
    assert (o.loc["a", "periods"], o.loc["a", "higher"], o.loc["a", "mean_gap"], o.loc["a", "max_gap"]) == (2, 2, 1.63, 2.0)
    assert o.loc["a", "max_gap_period"] == "2023"
    # B: (0 - 0,5) / 2 = -0,25; never higher
    assert (o.loc["b", "higher"], o.loc["b", "mean_gap"]) == (0, -0.25)


def test_target_shares_count_only_units_judged():
    t = pd.DataFrame({"period": "2024", "target_id": ["t"] * 4, "title": "T", "met": [True, False, np.nan, True]})
    s = rules.target_shares(t).iloc[0]
    assert (s["met"], s["judged"], s["share"]) == (2, 3, 0.6667)  # 2 of the 3 judged; the unknown one is not counted


# --------------------------------------------------------------------------- covenant changes, by hand


def test_covenant_changes_name_every_rule_that_changed():
    old = make_covenant()
    raw = covenant_dict()
    raw["year"] = 2025
    a = raw["contents"][0]["criteria"]
    a[0]["max"] = 25  # A1 re-weighted 30 -> 25
    del a[2]  # A3 (10 points) removed
    a.append({"id": "A4", "title": "Chuyển đổi số", "max": 15, "kind": "graded"})  # added: 100 - 5 - 10 + 15 = 100
    raw["bands"][0]["min_total"] = 92  # xs from 90 to 92
    raw["awards"][1]["quota"] = {"share": 0.3, "rounding": "floor"}  # bk quota 40 % -> 30 %
    raw["targets"]["excellent_cap"]["ratio"] = 0.2  # cap 25 % -> 20 %
    raw["tie_break"] = ["total", "penalty"]
    raw["adjustments"]["bonus_cap"] = 8  # 6 -> 8
    new = make_covenant(raw)
    got = covenant_changes(old, new)
    assert Change(2025, "Tiêu chí", "A1", "A1. Chất lượng tham mưu", "đổi", "điểm chuẩn: 30 → 25", True) in got
    assert Change(2025, "Tiêu chí", "A4", "A4. Chuyển đổi số", "thêm", "15 điểm, chấm điểm, thuộc nội dung A", True) in got
    assert Change(2025, "Tiêu chí", "A3", "A3. Thời gian giải quyết hồ sơ", "bỏ", "10 điểm, so với chỉ tiêu, thuộc nội dung A", True) in got
    assert Change(2025, "Xếp loại", "xs", "Hoàn thành xuất sắc nhiệm vụ", "đổi", "điểm tối thiểu: 90 → 92", False) in got
    assert Change(2025, "Khen thưởng", "bk", "Bằng khen", "đổi",
                  "hạn mức: 40% số thành viên (làm tròn xuống) → 30% số thành viên (làm tròn xuống)", False) in got
    assert Change(2025, "Trần tỷ lệ xuất sắc", "", "Trần tỷ lệ hoàn thành xuất sắc nhiệm vụ", "đổi", "tỷ lệ trần: 25% → 20%", False) in got
    assert Change(2025, "Phân hạng khi bằng điểm", "", "Thứ tự tiêu chí phân hạng", "đổi",
                  "total; content:A; penalty; self_gap → total; penalty", False) in got
    assert Change(2025, "Cộng, trừ điểm", "", "Giao ước", "đổi", "trần điểm thưởng: 6 → 8", True) in got
    assert len(got) == 8  # nothing else: identification (title, year) is not a rule


def test_identical_covenants_have_no_changes():
    assert covenant_changes(make_covenant(), make_covenant()) == []


# --------------------------------------------------------------------------- the history of the sample bloc


@pytest.fixture(scope="module")
def recent():
    """The sample bloc 2023-2025: the 2025 mergers are inside the range."""
    return load_history(BLOC, "2023", "2025")


def test_history_traces_the_2025_mergers_back_to_their_predecessors(recent):
    u = recent.units
    assert recent.labels == ["2023", "2024", "2025"] and recent.missing == {}
    merged = u[u["line_id"] == "so-nn-mt"]
    assert set(merged["unit_id"]) == {"so-nn-mt", "so-nn-ptnt", "so-tn-mt"}
    assert set(merged.loc[merged["unit_id"] != "so-nn-mt", "line_event"]) == {"merge"}
    assert set(u.loc[u["unit_id"] == "so-gtvt", "line_id"]) == {"so-xay-dung"}
    ranks = trends.ranks(recent)
    rows = list(ranks["Đơn vị"])
    # the predecessors sit under the merged unit, marked
    at = rows.index("Sở Nông nghiệp và Môi trường")
    assert set(rows[at + 1:at + 3]) == {"↳ Sở Nông nghiệp và Phát triển nông thôn", "↳ Sở Tài nguyên và Môi trường"}
    assert "hình thành năm 2025 do hợp nhất" in ranks.loc[at, "Ghi chú"]


def test_history_ranks_and_totals_are_the_period_reports(recent):
    ws = Workspace.open()
    res = analyse(ws, BLOC, "2024", compare=False)
    u = recent.units[recent.units["period"] == "2024"].set_index("unit_id")
    for r in res.units.itertuples():
        assert u.loc[r.unit_id, "total"] == pytest.approx(r.total) if r.submitted else pd.isna(u.loc[r.unit_id, "total"])
        assert (pd.isna(r.rank) and pd.isna(u.loc[r.unit_id, "rank"])) or u.loc[r.unit_id, "rank"] == r.rank


def test_a_merged_unit_does_not_inherit_its_predecessors_awards(recent):
    s = rules.award_streaks(recent.awards, list(recent.orgs["org_id"]), recent.labels).set_index(["award_id", "org_id"])
    flags = recent.awards[recent.awards["nominated"] & (recent.awards["award_id"] == "co_thi_dua")]
    for org in ("so-tn-mt", "so-nn-mt"):
        assert s.loc[("co_thi_dua", org), "times"] == int((flags["org_id"] == org).sum())


def test_filed_reports_give_the_same_history_as_computing(tmp_path):
    ws = Workspace.open()
    periods = period_range(ws, BLOC, "2024", "2025")
    folder = tmp_path / "2024" / BLOC
    save_tables(result_tables.all_tables(analyse(ws, BLOC, "2024")), folder)  # what a bloc report files in results/
    filed = history(ws, BLOC, periods, {"2024": str(folder)})
    computed = history(ws, BLOC, periods)
    assert filed.read_from["2024"].startswith("đọc từ báo cáo") and computed.read_from["2024"] == "tính từ dữ liệu"
    for name in ("units", "contents", "targets", "cap", "awards"):
        pd.testing.assert_frame_equal(getattr(filed, name), getattr(computed, name), obj=name)


def test_a_filed_report_that_does_not_match_the_members_is_computed_instead(tmp_path):
    ws = Workspace.open()
    folder = tmp_path / "2025" / BLOC
    save_tables(result_tables.all_tables(analyse(ws, BLOC, "2025")), folder)
    ranking = folder / "results" / "xep_hang.csv"
    ranking.write_text(ranking.read_text(encoding="utf-8").replace("Sở Công Thương", "Sở Công thương (sai tên)"), encoding="utf-8")
    h = history(ws, BLOC, period_range(ws, BLOC, "2025", "2025"), {"2025": str(folder)})
    assert h.read_from["2025"] == "tính từ dữ liệu"


@pytest.fixture
def gappy(tmp_path):
    """Sample data 2022-2025 without the 2023 period and without the 2024 covenant."""
    dst = tmp_path / "data"
    shutil.copytree(Workspace.open().data_dir, dst)
    for folder in (dst / "periods").glob("*/*"):
        if folder.name not in {"2022", "2023", "2024", "2025"}:
            shutil.rmtree(folder)
    shutil.rmtree(dst / "periods" / BLOC / "2023")
    (dst / "covenants" / BLOC / "2024.yaml").unlink()
    return dst


def test_a_year_without_data_or_covenant_is_said_and_never_interpolated(gappy):
    h = load_history(BLOC, "2022", "2025", str(gappy))
    assert h.labels == ["2022", "2023", "2024", "2025"]
    assert h.missing == {"2023": "không có dữ liệu của kỳ", "2024": "không có giao ước thi đua năm 2024"}
    assert set(h.units["period"]) == {"2022", "2025"}  # no rows for the missing years
    ranks = trends.ranks(h)
    assert "2023 (không có dữ liệu)" in ranks.columns and set(ranks["2023 (không có dữ liệu)"]) == {""}
    assert "Không có số liệu" in trends.title_block(h) and "không có giao ước thi đua năm 2024" in trends.title_block(h)
    assert "Không có giao ước năm 2024" in trends.changes_note(h)
    assert {c.year for c in h.changes()} <= {2023, 2025}  # 2025 is compared with 2023, the year before it with a covenant
    # a run of awards stops at a year without figures: 2022 and 2025 are never consecutive
    s = rules.award_streaks(h.awards, list(h.orgs["org_id"]), h.labels)
    assert s["times"].max() == 2 and s["longest"].max() == 1


def test_first_and_last_are_checked():
    ws = Workspace.open()
    assert [str(p) for p in period_range(ws, BLOC, "2024", "2025-H1")] == ["2024-H1", "2025-H1"]  # a year means the same half
    from toolkit.errors import ParameterError

    with pytest.raises(ParameterError, match="cùng loại kỳ"):
        period_range(ws, BLOC, "2024-Q1", "2025")
    with pytest.raises(ParameterError, match="sau kỳ cuối"):
        period_range(ws, BLOC, "2026", "2025")
    with pytest.raises(ParameterError, match="Các kỳ có dữ liệu"):
        period_range(ws, BLOC, "", "2031")


def test_every_filed_trends_table_has_machine_values(recent):
    for table in trends.all_tables(recent).values():
        machine = table.for_machines()
        assert list(machine.columns) == [table.columns[c] for c in table.frame.columns]
    per_unit = trends.all_tables(recent)["qua_cac_ky"].for_machines()
    assert str(per_unit["rank"].dtype) == "Int64" and str(per_unit["submitted"].dtype) == "boolean"
    assert len(per_unit) == len(recent.units)
