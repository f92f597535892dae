"""The province's step: the blocs' leading units, the Government flag's 20%, the province's documents.

The 20% is Decree 152/2025 Art. 7(1); the rounding is the province's setting (floor in the
sample): every expected quota below is worked out by hand in its comment.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.cli.main import main
from toolkit.engine import government_flag as rule
from toolkit.errors import DataError
from toolkit.model.province import load_province
from toolkit.model.workspace import Workspace
from toolkit.reports import overview, province_candidates, result_tables
from toolkit.reports.analysis import analyse
from toolkit.reports.filed_tables import save_tables

BLOCS = ("kinh-te-ky-thuat", "noi-chinh-tong-hop", "van-hoa-xa-hoi", "van-hoa-xa-hoi-bac-giang")  # what --bloc all runs for 2024


# --------------------------------------------------------------------------- the 20%, by hand


@pytest.mark.parametrize("eligible, ratio, rounding, expected", [
    (3, 0.2, "floor", 0),    # 0.2 × 3 = 0.6 -> 0
    (4, 0.2, "floor", 0),    # 0.8 -> 0
    (5, 0.2, "floor", 1),    # 1.0 -> 1 (exactly: 0.2 × 5 is 1.0000000000000002 in binary, still 1)
    (9, 0.2, "floor", 1),    # 1.8 -> 1
    (10, 0.2, "floor", 2),   # 2.0 -> 2
    (15, 0.2, "floor", 3),   # 3.0 -> 3 (0.2 × 15 is 3.0000000000000004 in binary)
    (3, 0.2, "half_up", 1),  # 0.6 -> 1
    (12, 0.2, "half_up", 2),  # 2.4 -> 2
    (1, 0.2, "ceil", 1),     # 0.2 -> 1
    (0, 0.2, "ceil", 0),     # no leading unit, nobody
])
def test_quota_rounds_as_the_province_says(eligible, ratio, rounding, expected):
    assert rule.quota(eligible, ratio, rounding) == expected


def test_the_arithmetic_is_written_out():
    assert rule.arithmetic(3, 0.2, "floor") == "20% × 3 khối = 0,6 → tối đa 0 đơn vị (làm tròn xuống)"
    assert rule.arithmetic(11, 0.2, "floor") == "20% × 11 khối = 2,2 → tối đa 2 đơn vị (làm tròn xuống)"
    assert rule.arithmetic(5, 0.2, "half_up") == "20% × 5 khối = 1 → tối đa 1 đơn vị (làm tròn)"


def _leaders(shares, margins):
    return pd.DataFrame({"name": [f"Đơn vị {chr(65 + i)}" for i in range(len(shares))], "share": shares, "margin": margins})


def test_order_by_share_then_margin_and_ties_at_the_cut_go_to_the_council():
    # 10 leading units, 20% floor -> 2. F (0.99) first; B (0.97) and H (0.97) tie on share, B has the larger margin.
    t = _leaders([0.95, 0.97, 0.93, 0.90, 0.91, 0.99, 0.92, 0.97, 0.94, 0.96],
                 [0.02, 0.03, 0.01, 0.05, 0.04, 0.00, 0.01, 0.01, 0.02, 0.03])
    out = rule.select(t, 0.2, "floor", ["share", "margin"])
    assert list(out.loc[out["selected"], "name"]) == ["Đơn vị F", "Đơn vị B"]
    assert list(out["position"][:3]) == [1, 2, 3] and out.loc[2, "name"] == "Đơn vị H"
    # now H has B's margin too: B and H are equal on every key at position 2 of 2 -> neither is picked by a rule
    t.loc[7, "margin"] = 0.03
    out = rule.select(t, 0.2, "floor", ["share", "margin"]).set_index("name")
    assert out.loc["Đơn vị F", "selected"] and not out.loc["Đơn vị B", "selected"] and not out.loc["Đơn vị H", "selected"]
    assert out.loc["Đơn vị B", "reason"] == out.loc["Đơn vị H", "reason"] == rule.TIED
    assert out.loc["Đơn vị B", "position"] == out.loc["Đơn vị H", "position"] == 2
    assert out.loc["Đơn vị J", "reason"] == "ngoài hạn mức 2 đơn vị"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(80, 100), st.integers(0, 5)), min_size=0, max_size=25),
       st.sampled_from([0.1, 0.2, 0.25, 0.5]), st.sampled_from(["floor", "half_up", "ceil"]))
def test_never_more_than_the_quota_and_never_a_lower_unit_before_a_higher_one(pairs, ratio, rounding):
    t = _leaders([s / 100 for s, _ in pairs], [m / 100 for _, m in pairs])
    out = rule.select(t, ratio, rounding, ["share", "margin"])
    cap = rule.quota(len(t), ratio, rounding)
    assert out["selected"].sum() <= cap <= len(t) * ratio + 1  # rounding adds less than one unit
    if rounding == "floor":
        assert cap <= len(t) * ratio + 1e-9  # "at most 20%": floor never exceeds it
    keys = list(zip(out["share"], out["margin"]))
    for i, chosen in enumerate(out["selected"]):
        if chosen:  # nobody left out is strictly better than someone chosen
            assert not any(keys[j] > keys[i] and not out["selected"][j] for j in range(len(keys)))


# --------------------------------------------------------------------------- the sample province, 2024


@pytest.fixture(scope="module")
def filed(tmp_path_factory) -> Path:
    """What `thidua run --bloc all --period 2024` files for the overview: each bloc's results/ and a manifest."""
    reports = tmp_path_factory.mktemp("reports")
    ws = Workspace.open()
    for bloc in BLOCS:
        folder = reports / "2024" / bloc
        save_tables(result_tables.all_tables(analyse(ws, bloc, "2024")), folder)
        (folder / "manifest.json").write_text("{}", encoding="utf-8")
    return reports


def test_the_leading_units_are_what_each_bloc_proposed_for_the_provincial_flag(filed):
    ws = Workspace.open()
    ov = overview.load("2024", str(filed))
    c = province_candidates.candidates(ov)
    got = dict(zip(c.leaders["unit"], c.leaders["total"]))
    # the same units straight from each bloc's nominations (not from the filed tables the province reads)
    expected = {}
    for bloc in BLOCS:
        n = analyse(ws, bloc, "2024").nominations
        for r in n[n["award_id"] == "co_thi_dua"].itertuples():
            expected[r.name] = r.total
    assert got == expected and len(got) == 3  # the Bắc Giang bloc proposed nobody for the flag in 2024
    # the Bắc Giang bloc proposed to its own province in 2024 (merged on 01/07/2025): not counted here
    assert c.other == ["Khối các sở, ngành văn hóa - xã hội tỉnh Bắc Giang"] and c.without == []
    # three leading units, 20% rounded down: 0.6 -> 0
    assert c.quota == 0 and c.arithmetic == "20% × 3 khối = 0,6 → tối đa 0 đơn vị (làm tròn xuống)"
    assert not c.ranked["selected"].any()
    assert "tối đa 0 đơn vị" in province_candidates.note(c)


def test_a_larger_ratio_selects_the_best_share(filed, data_copy):
    settings_file = data_copy / "province" / "province.yaml"
    text = settings_file.read_text(encoding="utf-8").replace("ratio: 0.2", "ratio: 0.5")
    settings_file.write_text(text, encoding="utf-8")
    ov = overview.load("2024", str(filed), str(data_copy))
    c = province_candidates.candidates(ov)
    # 50% × 3 = 1.5 -> 1; the best share of the maximum (all covenants total 100) is the highest total
    assert c.quota == 1
    best = c.leaders.sort_values("total", ascending=False).iloc[0]
    assert list(c.ranked.loc[c.ranked["selected"], "unit"]) == [best["unit"]]
    assert c.ranked.loc[0, "share"] == pytest.approx(best["total"] / 100)


def test_a_bad_province_setting_names_the_file_and_key(data_copy):
    settings_file = data_copy / "province" / "province.yaml"
    settings_file.write_text(settings_file.read_text(encoding="utf-8").replace("rounding: floor", "rounding: round"),
                             encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_province(data_copy)
    p = exc.value.problems[0]
    assert p.file == str(settings_file) and p.where == "government_flag.rounding" and "floor" in p.message


# --------------------------------------------------------------------------- the province's documents


def _text(path: Path) -> str:
    d = docx.Document(str(path))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def test_the_province_drafts_its_to_trinh_and_danh_sach(filed, tmp_path):
    reports = tmp_path / "reports"
    shutil.copytree(filed, reports)
    args = ["documents", "--province", "--period", "2024", "--reports", str(reports), "--no-pdf"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    folder = reports / "2024" / "province_overview" / "documents"
    tt, ds = _text(folder / "to-trinh.docx"), _text(folder / "danh-sach.docx")
    ov = overview.load("2024", str(reports))
    leaders = province_candidates.candidates(ov).leaders
    for unit in leaders["unit"]:
        assert unit in tt and unit in ds
    assert "Số: 12/TTr-SNV" in tt and "Kính gửi: Ủy ban nhân dân tỉnh Bắc Ninh." in tt
    assert "Không đề nghị tặng Cờ thi đua của Chính phủ năm 2024" in tt and "20% × 3 khối = 0,6 → tối đa 0 đơn vị" in tt
    assert "Danh sách có 03 lượt tập thể" in ds
    record = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert "province/province.yaml" in record["inputs"] and record["documents"]["pdf"] is False
    before = {f.name: f.read_bytes() for f in folder.iterdir()}
    assert CliRunner().invoke(main, args).exit_code == 0
    assert {f.name: f.read_bytes() for f in folder.iterdir()} == before  # same inputs, same bytes


def test_province_documents_refuse_bad_requests_and_write_nothing(filed, tmp_path, data_copy):
    reports = tmp_path / "reports"
    shutil.copytree(filed, reports)
    folder = reports / "2024" / "province_overview" / "documents"
    both = CliRunner().invoke(main, ["documents", "--province", "--bloc", "van-hoa-xa-hoi", "--period", "2024", "--reports", str(reports)])
    assert both.exit_code == 2 and "--province" in both.output
    (data_copy / "province" / "2024" / "documents.yaml").unlink()
    r = CliRunner().invoke(main, ["documents", "--province", "--period", "2024", "--data", str(data_copy), "--reports", str(reports),
                                  "--no-pdf"])
    assert r.exit_code == 2 and "documents.yaml" in r.output and "Traceback" not in r.output
    half = CliRunner().invoke(main, ["documents", "--province", "--period", "2024-H1", "--reports", str(reports)])
    assert half.exit_code == 2 and "cả năm" in half.output
    assert not folder.exists()


def test_a_run_with_documents_drafts_the_provinces_after_its_overview(filed, tmp_path, data_copy):
    from toolkit.cli.documents import after_run
    from toolkit.runs.batch import Outcome

    reports = tmp_path / "reports"
    shutil.copytree(filed, reports)
    overview_done = Outcome("(toàn tỉnh)", "2024", "province_overview", "ok", 1.0, "", "")
    folder = reports / "2024" / "province_overview" / "documents"
    (data_copy / "province" / "2024" / "documents.yaml").rename(tmp_path / "aside.yaml")
    assert after_run([overview_done], data_copy, reports) == 0 and not folder.exists()  # no secretariat file: nothing to draft
    (tmp_path / "aside.yaml").rename(data_copy / "province" / "2024" / "documents.yaml")
    assert after_run([overview_done], data_copy, reports) == 0
    assert (folder / "to-trinh.docx").is_file() and (folder / "danh-sach.docx").is_file()


def test_without_province_settings_every_bloc_is_the_provinces(filed, data_copy):
    (data_copy / "province" / "province.yaml").unlink()
    c = province_candidates.candidates(overview.load("2024", str(filed), str(data_copy)))
    # the defaults: 20%, floor; no former province, so the Bắc Giang bloc counts (and proposed nobody)
    assert c.province.government_flag.ratio == 0.2 and c.quota == 0 and len(c.leaders) == 3
    assert c.other == [] and c.without == ["Khối các sở, ngành văn hóa - xã hội tỉnh Bắc Giang"]
