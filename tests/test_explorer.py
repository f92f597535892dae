"""The explorer without a browser: set widget values as an analyst would, read what is displayed.

Two kinds of data:
- a copy of the sample data trimmed to 2024-H1..2025 (12 periods, so the cache fills quickly),
  for the drop-downs, the drill-down and histories across the 2025 mergers; the expected values
  are the engine's own results for the same files (the explorer must show exactly those);
- the hand-made covenant and scenarios of tests/conftest.py, in memory, for the what-if panel,
  whose outcomes are worked out by hand in the comments.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import BLOC, DATA, covenant_dict, main_data, make_covenant, make_vocab, tie_data
from toolkit.reports import result_tables
from toolkit.explorer.analyses import WorkspaceAnalyses, lineage_ids
from toolkit.model.covenant import load_covenant
from toolkit.model.workspace import Workspace
from toolkit.reports.analysis import analyse
from toolkit.explorer.explorer_ui import Explorer
from toolkit.explorer.scenario_files import check_name
from toolkit.model.text import fmt_number

from conftest import RECENT as KEEP  # noqa: E402  (the periods small_data keeps)
KT = "kinh-te-ky-thuat"
VH = "van-hoa-xa-hoi"
CHANGED = "<tr class='changed'>"




@pytest.fixture(scope="module")
def analyses(ws) -> WorkspaceAnalyses:
    """One cache shared by the tests of this module (each test builds its own Explorer on it)."""
    return WorkspaceAnalyses(ws)


@pytest.fixture
def ex(analyses, tmp_path) -> Explorer:
    return Explorer(analyses, prefetch=False, export_dir=tmp_path / "exports")


def _names(html: str) -> list[str]:
    """Second cell of every body row (the unit name in the ranking table)."""
    body = html.split("<tbody>", 1)[1]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row)[1] for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)]


# --------------------------------------------------------------------------- selection


def test_dropdowns_are_filled_from_the_data(ex, ws):
    assert [v for _label, v in ex.bloc.options] == ws.blocs()
    # newest first; the year 2025 is the default period
    assert [v for _label, v in ex.period.options] == ["2025", "2025-H1", "2024", "2024-H1"]
    assert ex.key == (ws.blocs()[0], "2025") == (KT, "2025")
    assert dict(ex.period.options) == {"2025 (năm 2025)": "2025", "2025-H1 (6 tháng đầu năm 2025)": "2025-H1",
                                       "2024 (năm 2024)": "2024", "2024-H1 (6 tháng đầu năm 2024)": "2024-H1"}


def test_initial_view_is_the_engine_result(ex, ws):
    res = analyse(ws, KT, "2025", compare=False)
    pd.testing.assert_frame_equal(ex.view["Xếp hạng"], result_tables.ranking(res))
    pd.testing.assert_frame_equal(ex.view["Bảng điểm"], result_tables.scorecard(res))
    pd.testing.assert_frame_equal(ex.view["Đề nghị khen thưởng"], result_tables.nominations(res))
    # the checked notebook output shows the same (first row: 92,50 points; the 2025 sample was redrawn with the
    # 2025 reorganisation, Sở Thông tin và Truyền thông left the bloc for Sở Khoa học và Công nghệ)
    assert _names(ex.ranking_html.value)[0] == "Cục Dự trữ Nhà nước khu vực Hà Bắc"
    assert ">92,50<" in ex.ranking_html.value
    # unit drop-down in rank order, the leader selected
    assert ex.unit.value == res.ranking["unit_id"].iloc[0]
    assert [v for _label, v in ex.unit.options] == list(res.ranking["unit_id"])
    assert ex.unit.options[0][0] == "1. Cục Dự trữ Nhà nước khu vực Hà Bắc"


def test_changing_the_bloc_changes_ranking_units_and_drilldown(ex, ws):
    before = ex.ranking_html.value
    ex.bloc.value = VH
    res = analyse(ws, VH, "2025", compare=False)
    assert ex.key == (VH, "2025")
    assert ex.ranking_html.value != before
    assert _names(ex.ranking_html.value) == list(res.ranking["name"])
    pd.testing.assert_frame_equal(ex.view["Xếp hạng"], result_tables.ranking(res))
    assert [v for _label, v in ex.unit.options] == list(res.ranking["unit_id"])
    # the previous unit is not a member of this bloc: the drill-down moves to the new leader
    top = res.ranking.iloc[0]
    assert ex.unit.value == top["unit_id"]
    assert ex.view["Đơn vị - tóm tắt"].set_index("Mục").loc["Đơn vị", "Giá trị"] == top["name"]
    assert res.bloc_name in ex.header.value
    assert "vừa tính" in ex.status.value or "đã tính sẵn" in ex.status.value


def test_changing_period_keeps_the_unit_and_shows_that_period(ex, ws):
    ex.unit.value = "so-xay-dung"
    ex.period.value = "2024"
    res = analyse(ws, KT, "2024", compare=False)
    assert ex.unit.value == "so-xay-dung"
    pd.testing.assert_frame_equal(ex.view["Xếp hạng"], result_tables.ranking(res))
    row = res.units.set_index("unit_id").loc["so-xay-dung"]
    summary = ex.view["Đơn vị - tóm tắt"].set_index("Mục")["Giá trị"]
    assert summary["Hạng"].startswith(f"{int(row['rank'])}/{int(res.units['rank'].notna().sum())}")
    assert summary["Tổng điểm"] == fmt_number(row["total"])


def test_a_merged_unit_is_followed_to_its_successor(ex):
    ex.period.value = "2024"
    ex.unit.value = "so-nn-ptnt"
    ex.period.value = "2025"  # merged into so-nn-mt in 2025 (lineage.csv)
    assert ex.unit.value == "so-nn-mt"


def test_unit_drilldown_criterion_by_criterion(ex, ws):
    res = analyse(ws, KT, "2025", compare=False)
    unit = res.ranking["unit_id"].iloc[2]
    ex.unit.value = unit
    mine = res.scores[res.scores["unit_id"] == unit].sort_values("order")
    crit = ex.view["Đơn vị - tiêu chí"]
    assert len(crit) == len(res.covenant.criteria) == len(mine)
    assert list(crit["Tiêu chí"]) == list(mine["criterion_id"] + ". " + mine["criterion_title"])
    for col, src in (("Điểm tự chấm", "self_score"), ("Điểm thẩm định", "verified_score"), ("Điểm tính", "final_score"),
                     ("Giá trị tự chấm", "self_value")):
        assert crit[col].tolist() == pytest.approx(mine[src].astype(float).tolist(), nan_ok=True)
    assert list(crit["Ghi chú, minh chứng"]) == list(mine["note"].fillna(""))
    # the points of every criterion add up to the unit's criteria total
    total = res.units.set_index("unit_id").loc[unit, "criteria_total"]
    assert crit["Điểm tính"].sum() == pytest.approx(total, abs=0.01)
    # a target criterion says what its target is
    target = next(k for _, k in res.covenant.criteria if k.kind == "target")
    assert any(f"chỉ tiêu {fmt_number(target.target)}" in x for x in crit["Cách chấm"])
    assert ex.unit_criteria_html.value == ""  # the unit tab is drawn when it is opened
    ex.tabs.selected_index = 1
    assert "<h4>Điểm từng tiêu chí</h4>" in ex.unit_criteria_html.value
    assert all(f">{n}<" in ex.unit_criteria_html.value for n in mine["criterion_id"] + ". " + mine["criterion_title"])


def test_unit_drilldown_targets_with_numbers_and_every_award(ex, ws):
    res = analyse(ws, KT, "2025", compare=False)
    unit = res.ranking["unit_id"].iloc[1]
    ex.unit.value = unit
    t = ex.view["Đơn vị - chỉ tiêu"]
    mine = res.targets[res.targets["unit_id"] == unit]
    assert list(t["Chỉ tiêu"][: len(mine)]) == list(mine["title"])
    assert list(t["Kết quả"][: len(mine)]) == list(mine["detail"])  # e.g. "105/105 = 100,0% ... ; cần ≥ 100%"
    staff = mine[mine["kind"] == "staff"]
    assert t.set_index("Chỉ tiêu").loc[staff["title"].iloc[0], "Mẫu số"] == staff["denominator"].iloc[0]
    cap = res.cap.set_index("unit_id").loc[unit]
    assert t["Kết quả"].iloc[-1] == cap["arithmetic"]
    awards = ex.view["Đơn vị - khen thưởng"]
    assert list(awards["Danh hiệu"]) == [a.title for a in res.covenant.awards]
    e = res.eligibility[res.eligibility["unit_id"] == unit].set_index("award_id")
    for a, (_i, row) in zip(res.covenant.awards, awards.iterrows()):
        assert row["Kết quả xét"] == e.loc[a.id, "status"]
        assert row["Lý do không đủ điều kiện"] == e.loc[a.id, "reasons"]
        assert row["Đề nghị"] == ("Có" if e.loc[a.id, "nominated"] else "Không")


def test_half_year_drilldown_says_no_awards_are_decided(ex, ws):
    ex.period.value = "2025-H1"
    awards = ex.view["Đơn vị - khen thưởng"]
    assert set(awards["Đề nghị"]) == {"Không"}
    assert all(s.startswith("không xét trong kỳ 2025-H1") for s in awards["Kết quả xét"])
    assert "không xét khen thưởng" in ex.nominations_html.value


def test_history_follows_a_merger_back_to_its_predecessors(ex, ws):
    ex.unit.value = "so-nn-mt"  # formed in 2025 from so-nn-ptnt and so-tn-mt
    h = ex.view["Đơn vị - lịch sử"]
    got = {(k, n, r) for k, n, r in zip(h["Kỳ"], h["Đơn vị"], h["Quan hệ"])}
    names = dict(zip(ws.registry.units["unit_id"], ws.registry.units["name"]))
    expected = {(p, names[u], "đơn vị tiền thân") for p in ("2024-H1", "2024") for u in ("so-nn-ptnt", "so-tn-mt")}
    expected |= {(p, names["so-nn-mt"], "") for p in ("2025-H1", "2025")}
    assert got == expected
    # the numbers are the engine's, period by period
    for p, name, total in zip(h["Kỳ"], h["Đơn vị"], h["Tổng điểm"]):
        u = analyse(ws, KT, p, compare=False).units.set_index("name").loc[name]
        assert total == pytest.approx(u["total"], nan_ok=True)
    assert list(h["Kỳ"]) == sorted(h["Kỳ"], key=lambda p: (p[:4], len(p) == 4))  # chronological
    assert ex.history_png == b"" and ex.history_html.value == ""  # the unit tab is drawn when it is opened
    ex.tabs.selected_index = 1
    assert ex.history_png[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'alt="Biểu đồ lịch sử: Sở Nông nghiệp và Môi trường"' in ex.history_html.value
    first = ex.history_png
    ex.unit.value = "so-xay-dung"  # with the tab open, a change of unit redraws at once
    assert ex.history_png[:8] == b"\x89PNG\r\n\x1a\n" and ex.history_png != first
    assert 'alt="Biểu đồ lịch sử: Sở Xây dựng"' in ex.history_html.value
    assert ex.history_status.value == ""  # nothing left to compute


def test_history_of_a_predecessor_shows_its_successor(ex):
    ex.period.value = "2024"
    ex.unit.value = "so-tn-mt"
    h = ex.view["Đơn vị - lịch sử"]
    assert set(h.loc[h["Quan hệ"] == "đơn vị kế thừa", "Kỳ"]) == {"2025-H1", "2025"}
    assert set(h.loc[h["Quan hệ"] == "", "Kỳ"]) == {"2024-H1", "2024"}


def test_lineage_ids(ws):
    reg = ws.registry
    assert lineage_ids(reg, "so-nn-mt", 2025, 2024) == ["so-nn-mt", "so-nn-ptnt", "so-tn-mt"]  # filtered by membership later
    assert lineage_ids(reg, "so-gtvt", 2024, 2025) == ["so-xay-dung"]
    assert lineage_ids(reg, "so-cong-thuong", 2024, 2025) == ["so-cong-thuong"]


def test_tables_render_as_the_reports_render_them(ex):
    # the explorer's HTML tables are the report's (presentation.to_html), with rows it can highlight
    from toolkit.explorer.html import table_html

    res = ex.result
    for table in (result_tables.scorecard(res), result_tables.ranking(res), result_tables.nominations(res), result_tables.criteria_detail(res), result_tables.targets(res), result_tables.quotas(res)):
        assert table_html(table) == result_tables.to_html(table)


def test_stacked_blocs_are_evaluated_once_and_sliced_per_bloc():
    # two blocs in one PeriodData under one covenant, as the national data comes: each bloc's
    # view must be what the engine gives for that bloc alone
    from toolkit.engine.evaluate import evaluate
    from toolkit.model.period_data import PeriodData

    one, two = main_data(), tie_data(bloc="khoi-hai")
    stacked = PeriodData(one.period, *(pd.concat([getattr(one, f), getattr(two, f)], ignore_index=True)
                                       for f in ("members", "scores", "events", "staff", "orgs", "votes")))
    ex = Explorer.from_frames({"2024": (make_covenant(), stacked)}, make_vocab(), {BLOC: "Khối thử", "khoi-hai": "Khối hai"})
    assert [v for _l, v in ex.bloc.options] == ["khoi-hai", BLOC]
    for bloc, alone in (("khoi-hai", two), (BLOC, one)):
        ex.bloc.value = bloc
        expected = evaluate(make_covenant(), alone, make_vocab())
        got = ex.result.units.set_index("unit_id")[["total", "rank", "band"]]
        want = expected["units"].set_index("unit_id")[["total", "rank", "band"]]
        pd.testing.assert_frame_equal(got.sort_index(), want.sort_index())
        assert set(ex.view["Đề nghị khen thưởng"]["Đơn vị"]) == set(alone.members["name"])
    assert ex.key == (BLOC, "2024") and ex.header.value.startswith("<h3>Khối thử: năm 2024</h3>")


# --------------------------------------------------------------------------- escaping


def _hostile_data():
    data = main_data()
    evil = "<script>alert('x')</script> Sở Độc"
    data.members.loc[data.members["unit_id"] == "u1", "name"] = evil
    data.scores.loc[(data.scores["unit_id"] == "u1") & (data.scores["criterion_id"] == "A1"), "note"] = "<img src=x onerror=alert(1)>"
    return data, evil


def test_submission_text_is_escaped_everywhere():
    data, evil = _hostile_data()
    ex = Explorer.from_frames({"2024": (make_covenant(), data)}, make_vocab())
    ex.unit.value = "u1"
    ex.whatif.band.value = "xs"
    ex.whatif.band_total.value = 95
    assert ex.whatif.apply()
    ex.tabs.selected_index = 1  # draw the unit tab too
    html = "".join(w.value for w in (ex.header, ex.ranking_html, ex.nominations_html, ex.scorecard_html, ex.unit_summary_html,
                                     ex.unit_criteria_html, ex.unit_awards_html, ex.history_html, ex.whatif.ranking_html,
                                     ex.whatif.nominations_html, ex.whatif.message_html))
    assert html.count("<img") == 1 and '<img class="thidua-history-chart" alt="Biểu đồ lịch sử: &lt;script&gt;' in html  # our chart
    assert "<script" not in html and "<img src" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Sở Độc" in ex.ranking_html.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in ex.unit_criteria_html.value
    assert "&lt;script&gt;" in ex.whatif.ranking_html.value
    assert ex.unit.options[0] == (f"1. {evil}", "u1")  # drop-down labels are text, not HTML


# --------------------------------------------------------------------------- what-if, by hand


def _frames(cov=None, data=None) -> Explorer:
    return Explorer.from_frames({"2024": (cov or make_covenant(), data or main_data())}, make_vocab(), {BLOC: "Khối thử"})


def _cols(ex, table: str, *cols) -> dict:
    t = ex.view[table]
    return {row[0]: tuple(row[1:]) for row in t[["Đơn vị", *cols]].itertuples(index=False)}


def test_raising_a_band_threshold_moves_the_flag_to_nobody_and_frees_a_certificate():
    ex = _frames()
    # covenant: u1 94 (xs), u2 90 (xs), u4 84.35 (ht), u3 80.38 (tot); flag -> u2 (u1 disqualified);
    # certificate (40 % of 5 = 2, band tot) -> u3 only, since u2 already has the flag.
    ex.whatif.band.value = "xs"
    ex.whatif.band_total.value = 95
    assert ex.whatif.scenario.bands == {"xs": (95.0, 0.5)}
    assert ex.whatif.apply()
    # xs now needs 95: u1 (94) and u2 (90) fall to 'tot' (both >= 80 with every criterion >= 30 %).
    bands = _cols(ex, "Giả định - xếp hạng", "Xếp loại (giao ước)", "Xếp loại (giả định)", "Hạng (giả định)")
    xs, tot, ht = "Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ"
    assert bands == {"Ban Quản lý dự án": (xs, tot, 1), "Sở Công Thương": (xs, tot, 2), "Sở Y tế": (ht, ht, 3),
                     "Sở Đào tạo": (tot, tot, 4), "Quỹ Phát triển": ("Chưa nộp bảng tự chấm", "Chưa nộp bảng tự chấm", "—")}
    # nobody reaches xs: no flag; u2 is no longer a flag nominee, so the certificate takes u2 and u3.
    n = ex.view["Giả định - đề nghị"]
    yes = n[n["Đề nghị (giả định)"] == "Có"]
    assert sorted(zip(yes["Danh hiệu"], yes["Đơn vị"])) == [("Bằng khen", "Sở Công Thương"), ("Bằng khen", "Sở Đào tạo")]
    # highlighted: the two units whose band changed; u2's lost flag and gained certificate
    assert ex.whatif.ranking_html.value.count(CHANGED) == 2
    assert ex.whatif.nominations_html.value.count(CHANGED) == 2
    assert "Sở Công Thương: Cờ thi đua không còn được đề nghị" in ex.whatif.message_html.value
    # the covenant itself is untouched
    assert ex.result.covenant.bands[0].min_total == 90
    assert ex.view["Đề nghị khen thưởng"].equals(result_tables.nominations(ex.result))


def test_lowering_a_count_criterion_maximum():
    ex = _frames()
    ex.whatif.criterion.value = "B1"  # count, 4 points per event, max 20
    ex.whatif.maximum.value = 12
    assert ex.whatif.apply()
    # events u1 6, u2 4, u3 5, u4 6 -> capped at 12 instead of 20: -8, -4, -8, -8
    # totals: u1 94-8 = 86, u2 90-4 = 86, u4 84.35-8 = 76.35, u3 80.38-8 = 72.38; total max 92
    r = _cols(ex, "Giả định - xếp hạng", "Tổng điểm (giả định)", "Hạng (giả định)", "Xếp loại (giả định)")
    tot, ht = "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ"
    # u1 and u2 tie at 86: content A decides (u1 29.5+20+7.5 = 57 > u2 28+15+10 = 53)
    assert r["Ban Quản lý dự án"] == (86.0, 1, tot)
    assert r["Sở Công Thương"] == (86.0, 2, tot)
    assert r["Sở Y tế"] == (76.35, 3, ht)
    assert r["Sở Đào tạo"] == (72.38, 4, ht)  # 72.38 < 80: 'tot' lost
    # no xs: no flag; certificate (band tot): u2 (u1 disqualified, u3 now 'ht')
    n = ex.view["Giả định - đề nghị"]
    assert sorted(zip(n.loc[n["Đề nghị (giả định)"] == "Có", "Danh hiệu"], n.loc[n["Đề nghị (giả định)"] == "Có", "Đơn vị"])) == [
        ("Bằng khen", "Sở Công Thương")]
    assert ex.whatif.nominations_html.value.count(CHANGED) == 3  # u2 flag lost, u2 certificate gained, u3 certificate lost
    assert "Tổng điểm chuẩn: 100,00 → 92,00" in ex.whatif.changes_html.value
    assert "Bấm" not in ex.whatif.changes_html.value  # computed: no longer asks to press the button
    ex.whatif.maximum.value = 16  # a new edit: the results shown no longer apply
    assert ex.whatif.ranking_html.value == "" and "Bấm" in ex.whatif.changes_html.value and "Giả định - xếp hạng" not in ex.view


def test_changing_a_graded_maximum_rescales_its_points():
    ex = _frames()
    ex.whatif.criterion.value = "A1"  # graded, max 30; u1 verified 29.5
    ex.whatif.maximum.value = 15
    assert ex.whatif.apply()
    # 29.5/30 of 15 = 14.75: u1 94 - 29.5 + 14.75 = 79.25
    assert _cols(ex, "Giả định - xếp hạng", "Tổng điểm (giả định)")["Ban Quản lý dự án"] == (79.25,)
    assert "quy đổi theo tỷ lệ" in ex.whatif.changes_html.value


def _edge_covenant(**quota):
    raw = covenant_dict()
    raw["awards"] = [{"id": "bk", "title": "Bằng khen", "quota": quota, "min_band": "ht"}]
    return make_covenant(raw)


def test_tie_break_order_by_name():
    # totals x 85, y 76, z 76, w 72, v 72; covenant order total, content A, penalty, self gap:
    # y and z share rank 2 (equal on every key), w (A 44) 4th, v (A 36) 5th.
    # Certificate: 40 % of 5 = 2: x, then y and z tied at the edge -> neither nominated.
    ex = _frames(_edge_covenant(share=0.4, rounding="floor"), tie_data())
    ex.whatif.tie_break.value = ["total", "name"]
    assert ex.whatif.apply()
    # by name in Vietnamese order: Sở Đào tạo (z) before Sở Y tế (y); Ban Dân tộc (v) before Sở Công Thương (w)
    r = _cols(ex, "Giả định - xếp hạng", "Hạng (giao ước)", "Hạng (giả định)")
    assert r == {"Sở Xây dựng": (1, 1), "Sở Đào tạo": (2, 2), "Sở Y tế": (2, 3), "Ban Dân tộc": (5, 4), "Sở Công Thương": (4, 5)}
    assert ex.whatif.ranking_html.value.count(CHANGED) == 3  # y, v, w
    n = ex.view["Giả định - đề nghị"]
    assert list(n.loc[n["Đề nghị (giả định)"] == "Có", "Đơn vị"]) == ["Sở Xây dựng", "Sở Đào tạo"]
    assert ex.whatif.nominations_html.value.count(CHANGED) == 1  # z gains the certificate


def test_raising_a_quota_nominates_the_tied_pair():
    ex = _frames(_edge_covenant(share=0.4, rounding="floor"), tie_data())
    ex.whatif.award.value = "bk"
    ex.whatif.quota_kind.value = "count"
    ex.whatif.quota_count.value = 3
    assert ex.whatif.scenario.quotas["bk"].count == 3
    assert ex.whatif.apply()
    # 3 places: x and both units sharing rank 2 fit
    n = ex.view["Giả định - đề nghị"]
    assert list(n.loc[n["Đề nghị (giả định)"] == "Có", "Đơn vị"]) == ["Sở Xây dựng", "Sở Đào tạo", "Sở Y tế"]
    assert ex.whatif.nominations_html.value.count(CHANGED) == 2
    assert ex.whatif.ranking_html.value.count(CHANGED) == 0
    assert "hạn mức 40% số thành viên (làm tròn xuống) → 3 đơn vị" in ex.whatif.changes_html.value


def test_what_if_inputs_start_on_the_first_item_with_the_covenant_values():
    # an analyst who types a threshold without touching the drop-downs edits the first band
    ex = _frames()
    assert (ex.whatif.award.value, ex.whatif.band.value, ex.whatif.criterion.value) == ("co", "xs", "A1")
    assert (ex.whatif.quota_kind.value, ex.whatif.quota_count.value) == ("count", 1)
    assert (ex.whatif.band_total.value, ex.whatif.band_share.value, ex.whatif.maximum.value) == (90, 0.5, 30)
    assert list(ex.whatif.tie_break.value) == ["total", "content:A", "penalty", "self_gap"]
    ex.whatif.band_total.value = 95
    assert ex.whatif.scenario.bands == {"xs": (95.0, 0.5)}
    ex.whatif.band.value = "tot"  # another band shows its own values; the edit of 'xs' is kept
    assert (ex.whatif.band_total.value, ex.whatif.band_share.value) == (80, 0.3)
    ex.whatif.band.value = "xs"
    assert ex.whatif.band_total.value == 95


def test_an_edit_undone_by_hand_is_no_scenario():
    ex = _frames()
    ex.whatif.band.value = "xs"
    ex.whatif.band_total.value = 95
    ex.whatif.band_total.value = 90
    assert ex.whatif.scenario.is_empty
    assert not ex.whatif.apply()
    assert "Chưa có giả định" in ex.whatif.message_html.value


def test_an_invalid_scenario_is_explained_not_applied():
    ex = _frames()
    ex.whatif.band.value = "tot"
    ex.whatif.band_total.value = 99  # above 'xs' (90): bands must go from high to low
    assert not ex.whatif.apply()
    assert "bands" in ex.whatif.message_html.value and "cao xuống thấp" in ex.whatif.message_html.value
    assert ex.whatif.ranking_html.value == "" and "Giả định - xếp hạng" not in ex.view


def test_selection_change_resets_the_what_if_panel(ex):
    ex.whatif.band.value = ex.whatif.band.options[0][1]
    ex.whatif.band_total.value = 99
    assert ex.whatif.apply()
    ex.bloc.value = VH
    assert ex.whatif.scenario.is_empty and ex.whatif.ranking_html.value == "" and not any(k.startswith("Giả định") for k in ex.view)
    assert list(ex.whatif.tie_break.value) == list(ex.result.covenant.tie_break)


# --------------------------------------------------------------------------- saving a scenario


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", ["../x", "..", "a/b", "a\\b", "/etc/passwd", ".hidden", "", " x", "x y", "tên-có-dấu", "a" * 65])
def test_scenario_names_that_could_escape_are_refused(name):
    with pytest.raises(Exception, match="không hợp lệ"):
        check_name(name)


def test_save_scenario_rejects_path_traversal(analyses, tmp_path):
    ex = Explorer(analyses, prefetch=False, export_dir=tmp_path)
    before = _tree(analyses.ws.data_dir)
    ex.whatif.band.value = ex.whatif.band.options[0][1]
    ex.whatif.band_total.value = 99
    ex.whatif.scenario_name.value = "../x"
    ex.whatif.save_button.click()
    assert "không hợp lệ" in ex.whatif.save_message_html.value and "thidua-msg-error" in ex.whatif.save_message_html.value
    assert _tree(analyses.ws.data_dir) == before
    assert not list(analyses.ws.data_dir.parent.rglob("x.yaml"))


def test_save_scenario_writes_a_new_covenant_file_and_nothing_else_changes(small_data, analyses, tmp_path):
    ex = Explorer(analyses, prefetch=False, export_dir=tmp_path)
    bloc, year = ex.key[0], 2025
    before = _tree(small_data)
    periods_before = {b: Workspace.open(small_data).periods(b) for b in Workspace.open(small_data).blocs()}
    ex.whatif.award.value = ex.whatif.award.options[0][1]
    ex.whatif.quota_kind.value = "count"
    ex.whatif.quota_count.value = 2
    assert ex.whatif.apply()
    ex.whatif.scenario_name.value = "co-thi-dua-2-don-vi"
    ex.whatif.save_button.click()
    path = small_data / "covenants" / bloc / "scenarios" / "co-thi-dua-2-don-vi.yaml"
    assert path.is_file(), ex.whatif.save_message_html.value
    after = _tree(small_data)
    assert {k: v for k, v in after.items() if k != str(path.relative_to(small_data))} == before  # no other file changed
    saved = load_covenant(path, analyses.vocab.levels())
    base = ex.result.covenant
    assert saved.awards[0].quota.count == 2 and base.awards[0].quota != saved.awards[0].quota
    assert saved.contents == base.contents and saved.tie_break == base.tie_break and saved.year == year
    assert "kịch bản giả định" in saved.title and "không phải giao ước đã ký" in saved.notes[-1]
    # the engine still reads the signed covenant and lists the same periods
    fresh = Workspace.open(small_data)
    assert fresh.covenant(bloc, year) == base
    assert {b: fresh.periods(b) for b in fresh.blocs()} == periods_before
    # the same name again is refused, the file is kept
    ex.whatif.save_button.click()
    assert "Đã có kịch bản" in ex.whatif.save_message_html.value
    assert load_covenant(path, analyses.vocab.levels()) == saved


# --------------------------------------------------------------------------- export


def test_export_writes_the_tables_in_view(ex, tmp_path):
    ex.bloc.value = KT
    ex.unit.value = "so-xay-dung"
    ex.exporter.button.click()
    path = tmp_path / "exports" / "kham-pha_kinh-te-ky-thuat_2025_so-xay-dung.xlsx"
    assert path.is_file(), ex.exporter.message_html.value
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:4] == ["Thông tin", "Bảng điểm", "Xếp hạng", "Đề nghị khen thưởng"]
    assert {"Đơn vị - tiêu chí", "Đơn vị - chỉ tiêu", "Đơn vị - khen thưởng", "Đơn vị - lịch sử"} <= set(wb.sheetnames)
    ranking = ex.view["Xếp hạng"]
    ws = wb["Xếp hạng"]
    assert [c.value for c in ws[1]] == list(ranking.columns)
    assert ws["B2"].value == ranking["Đơn vị"].iloc[0] and ws["C2"].value == pytest.approx(ranking["Tổng điểm"].iloc[0])
    assert 'download="kham-pha_kinh-te-ky-thuat_2025_so-xay-dung.xlsx"' in ex.exporter.message_html.value
    # with a scenario applied, its tables are part of the view and of the workbook
    ex.whatif.band.value = ex.whatif.band.options[0][1]
    ex.whatif.band_total.value = 99
    ex.whatif.apply()
    path2 = ex.export()
    assert path2.name.endswith("_gia-dinh.xlsx")
    assert {"Giả định - thay đổi", "Giả định - xếp hạng", "Giả định - đề nghị"} <= set(openpyxl.load_workbook(path2).sheetnames)


def test_the_export_message_names_no_absolute_path_of_the_server(ex, tmp_path):
    """A visitor of `thidua app` reads where the file went relative to the reports folder, not the server's folders."""
    ex.bloc.value = KT
    path = ex.export()
    assert path.parent == tmp_path / "exports" and path.name.startswith(f"kham-pha_{KT}_2025")
    shown = ex.exporter.message_html.value
    assert f"(đã ghi exports/{path.name} trong thư mục báo cáo)" in shown, shown[-300:]
    assert str(tmp_path) not in shown
    # a folder that cannot be written: the message names the file the same way, without the OS error's absolute path
    blocked = tmp_path / "exports" / "blocked.xlsx"
    blocked.mkdir()
    assert ex.export(blocked) is None
    refused = ex.exporter.message_html.value
    assert "Không ghi được exports/blocked.xlsx trong thư mục báo cáo" in refused and str(tmp_path) not in refused, refused


# --------------------------------------------------------------------------- background cache


def test_prefetch_fills_the_cache_and_the_history_updates_itself(small_data, tmp_path):
    ex = Explorer(WorkspaceAnalyses(Workspace.open(small_data)), export_dir=tmp_path)
    ex.tabs.selected_index = 1
    assert "Đang tính" in ex.history_status.value  # only the opening period is analysed so far
    assert list(ex.view["Đơn vị - lịch sử"]["Kỳ"]) == ["2025"]
    ex.show()
    assert ex.prefetcher.wait(timeout=300)
    assert ex.prefetcher.failed == {}
    assert all(ex.analyses.is_cached(k) for k in ex.analyses.all_keys())
    assert ex.history_status.value == ""
    assert set(ex.view["Đơn vị - lịch sử"]["Kỳ"]) == KEEP
    ex.bloc.value = VH
    assert "đã tính sẵn" in ex.status.value
    ex.prefetcher.stop()


def test_a_period_with_bad_data_is_reported_and_the_explorer_recovers(small_data, tmp_path):
    bad = tmp_path / "data"
    shutil.copytree(small_data, bad)
    (bad / "periods" / KT / "2024" / "scores.csv").write_text("unit_id,criterion_id,self_value,verified_value\nx,y,z,\n",
                                                               encoding="utf-8")
    ex = Explorer(WorkspaceAnalyses(Workspace.open(bad)), prefetch=False, export_dir=tmp_path)
    ex.period.value = "2024"
    assert "thidua-msg-error" in ex.status.value and "Dữ liệu không hợp lệ" in ex.status.value
    assert ex.ranking_html.value == "" and ex.view == {}
    ex.period.value = "2025"
    assert _names(ex.ranking_html.value)[0] == "Cục Dự trữ Nhà nước khu vực Hà Bắc"  # the 2025 leader (see above)
    h = ex.view["Đơn vị - lịch sử"]
    ex.tabs.selected_index = 1
    assert "2024" not in set(h["Kỳ"]) and "dữ liệu lỗi" in ex.history_status.value


# --------------------------------------------------------------------------- app and notebook


def test_app_command_serves_the_notebook_offline_on_loopback_with_a_token(tmp_path):
    from click.testing import CliRunner

    from toolkit.cli.main import main
    from toolkit.cli.app_command import NOTEBOOK, TEMPLATE_NAME, private_folder, voila_command

    runtime = private_folder()
    assert runtime.stat().st_mode & 0o777 == 0o700 and runtime.stat().st_uid == os.getuid()
    argv, env = voila_command(8899, runtime, data_dir=DATA, token="s3cret")
    assert argv[1:4] == ["-m", "toolkit.cli.voila_server", str(NOTEBOOK)]  # Voilà, with thidua's handler (voila_server)
    assert "--Voila.ip=127.0.0.1" in argv and "--port=8899" in argv and f"--template={TEMPLATE_NAME}" in argv
    assert "--no-browser" in argv and env["THIDUA_DATA"] == str(DATA.resolve())
    # the token is required and travels in a file of the private folder: never on the command line (ps shows
    # argv), never in the environment (Voilà copies it into every kernel); the server deletes the file once read
    assert f"--AppVoila.token_file={runtime / 'token'}" in argv and (runtime / "token").read_text() == "s3cret"
    assert "JUPYTER_TOKEN" not in env and not any("s3cret" in a for a in argv) and "s3cret" not in "".join(env.values())
    assert env["JUPYTER_PATH"].split(":")[0] == str(runtime)
    index = (runtime / "voila" / "templates" / TEMPLATE_NAME / "index.html.j2").read_text(encoding="utf-8")
    assert "http" not in index and "cdn" not in index.lower()
    assert ".celltag_notebook-only" in index
    (runtime / "token").unlink()
    argv, env = voila_command(8899, runtime, data_dir=DATA, token=None)
    assert "JUPYTER_TOKEN" not in env and not [a for a in argv if "token" in a] and not (runtime / "token").exists()
    shutil.rmtree(runtime)
    result = CliRunner().invoke(main, ["app", "--help"])
    assert result.exit_code == 0 and "127.0.0.1" in result.output and "--no-token" in result.output


def test_explore_notebook_is_thin_and_keeps_no_widget_state():
    path = Path(__file__).resolve().parent.parent / "notebooks" / "explore.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" not in nb["metadata"] and nb["metadata"]["kernelspec"]["name"] == "thidua"
    assert path.stat().st_size < 20_000
    checked = [c for c in nb["cells"] if c["cell_type"] == "code" and "NBVAL_CHECK_OUTPUT" in "".join(c["source"])]
    assert len(checked) == 1 and checked[0]["metadata"]["tags"] == ["notebook-only"]
    others = [c for c in nb["cells"] if c["cell_type"] == "code" and c not in checked]
    assert all(not c["outputs"] for c in others)
    assert all(len("".join(c["source"]).splitlines()) <= 4 for c in nb["cells"] if c["cell_type"] == "code")
