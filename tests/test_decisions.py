"""The province's award decisions: the data files, the import of a decision's list, proposed against granted.

Registries here are made by hand (a few units, one rename, one merger) so every expected value is
worked out in a comment; the import tests run the command on a copy of the sample data.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA
from toolkit.cli.main import main
from toolkit.engine import granted_awards as ga
from toolkit.errors import DataError
from toolkit.model.decisions import DECIDED_COLUMNS, LINE_COLUMNS, decision_id, load_decisions
from toolkit.model.registry import Registry
from toolkit.model.unit_names import name_index, name_key, units_of_year


def _registry(units, lineage=(), membership=()) -> Registry:
    return Registry(pd.DataFrame(units, columns=["unit_id", "name", "short_name", "kind"]),
                    pd.DataFrame(list(lineage), columns=["year", "from_unit", "to_unit", "event"]).astype({"year": "int64"}),
                    pd.DataFrame([("k", "Khối", "Bắc Ninh")], columns=["bloc_id", "name", "province"]),
                    pd.DataFrame(list(membership), columns=["year", "bloc_id", "unit_id", "role"]).astype({"year": "int64"}))


# Sở Xây dựng (sxd) is renamed Sở Xây dựng và Quy hoạch (sxd-qh) from 2019; Sở NN&PTNT (snn) and Sở TN&MT (stn)
# merge into Sở Nông nghiệp và Môi trường (snn-mt) in 2025.
REG = _registry(
    [("sxd", "Sở Xây dựng", "SXD", "department"), ("sxd-qh", "Sở Xây dựng và Quy hoạch", "SXD&QH", "department"),
     ("snn", "Sở Nông nghiệp và Phát triển nông thôn", "SNN&PTNT", "department"),
     ("stn", "Sở Tài nguyên và Môi trường", "STN&MT", "department"),
     ("snn-mt", "Sở Nông nghiệp và Môi trường", "SNN&MT", "department"),
     ("stp", "Sở Tư pháp", "STP", "department")],
    [(2019, "sxd", "sxd-qh", "rename"), (2025, "snn", "snn-mt", "merge"), (2025, "stn", "snn-mt", "merge")],
    [(y, "k", u, "member") for y in (2018, 2019, 2024, 2025) for u in
     (["sxd" if y < 2019 else "sxd-qh", "stp"] + (["snn-mt"] if y == 2025 else ["snn", "stn"]))])


def _lines(rows) -> pd.DataFrame:
    """Decision lines as the loader gives them, from (number, date, period, award, unit)."""
    return pd.DataFrame([{"decision_id": decision_id(n), "number": n, "date": dt.date.fromisoformat(d), "body": "UBND tỉnh Bắc Ninh",
                          "period": p, "year": int(p[:4]), "award_id": a, "unit_id": u, "name": "", "file": ""}
                         for n, d, p, a, u in rows], columns=LINE_COLUMNS)


def _decided(rows) -> pd.DataFrame:
    return pd.DataFrame([{"decision_id": decision_id(n), "number": n, "date": dt.date.fromisoformat(d), "body": "UBND tỉnh Bắc Ninh",
                          "period": p, "award_id": a, "file": ""} for n, d, p, a in rows], columns=DECIDED_COLUMNS)


# --------------------------------------------------------------------------- names


def test_units_of_a_year_follow_the_lineage():
    # 2018: sxd-qh does not exist yet; 2019: sxd was renamed; 2025: snn and stn merged into snn-mt, which is new
    assert units_of_year(REG, 2018) == ["sxd", "snn", "stn", "stp"]
    assert units_of_year(REG, 2019) == ["sxd-qh", "snn", "stn", "stp"]
    assert units_of_year(REG, 2025) == ["sxd-qh", "snn-mt", "stp"]


@pytest.mark.parametrize("typed, year, expected", [
    ("Sở TN&MT", 2018, ["stn"]),  # the short name STN&MT with "Sở" written out
    ("sở tài nguyên  &  môi trường", 2018, ["stn"]),  # "&" for "và", case, stray spaces
    ("So\u031b\u0309 Tư pháp tỉnh Bắc Ninh", 2018, ["stp"]),  # NFD, with the province
    ("Sở Xây dựng và Quy hoạch", 2018, ["sxd"]),  # the new name, for the year before the rename: the unit of 2018
    ("Sở Xây dựng", 2019, ["sxd-qh"]),  # the old name, after the rename
    ("Sở Tài nguyên và Môi trường", 2025, []),  # merged in 2025: not a unit of 2025
    ("Sở Nông nghiệp và Môi trường", 2018, []),  # formed in 2025
    ("Sở Tài chính", 2018, []),
])
def test_names_match_units_of_the_year(typed, year, expected):
    assert name_index(REG, year).match(typed) == expected


def test_a_name_of_another_year_is_said_to_be_so():
    ix = name_index(REG, 2025)
    assert ix.match("Sở TN&MT") == [] and ix.elsewhere("Sở TN&MT") == ["stn"]


def test_two_units_sharing_a_short_name_are_ambiguous():
    reg = _registry([("stc", "Sở Tài chính", "STC", "department"), ("stc-cn", "Sở Tư pháp cũ", "STC", "department")])
    assert name_index(reg, 2020).match("STC") == ["stc", "stc-cn"]


def test_name_key_spellings():
    assert name_key("Sở TN & MT") == name_key("STN&MT") == "stn&mt"
    assert name_key("Ban QL các KCN") == name_key("BQL các KCN")
    assert name_key("Sở Tài nguyên và Môi trường") == name_key("SỞ TÀI NGUYÊN & MÔI TRƯỜNG")


# --------------------------------------------------------------------------- proposed against granted


def _awards(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["period", "award_id", "unit_id", "nominated"])


def test_unit_renamed_between_the_proposal_and_the_decision():
    # The bloc proposed sxd for the 2018 flag; the decision came out in 2019, after the rename, and names sxd-qh.
    lines = ga.lines_as_of_year(_lines([("15/QĐ-UBND", "2019-01-20", "2018", "co_thi_dua", "sxd-qh")]), REG)
    assert list(lines["unit_id"]) == ["sxd"] and list(lines["granted_to"]) == ["sxd-qh"]
    awards = _awards([("2018", "co_thi_dua", "sxd", True), ("2018", "co_thi_dua", "stp", True),
                      ("2018", "bang_khen", "stp", True), ("2018", "bang_khen", "snn", False)])
    out = ga.outcomes(awards, lines, _decided([("15/QĐ-UBND", "2019-01-20", "2018", "co_thi_dua")]))
    # sxd: granted by 15/QĐ-UBND; stp: the flag was decided without it; bang_khen: no decision yet
    assert list(out["status"]) == ["được tặng", "không được tặng", "chờ quyết định", ""]
    assert list(out["decision"]) == ["15/QĐ-UBND", "15/QĐ-UBND", "", ""]
    assert out["granted"].tolist() == [True, False, pd.NA, pd.NA]
    # the renamed unit's record holds the award under its new id
    hist = ga.unit_history(lines.assign(unit_id=lines["granted_to"]), REG, "sxd-qh", 2024)
    assert list(hist["number"]) == ["15/QĐ-UBND"] and list(hist["via"]) == [""]
    assert list(ga.unit_history(lines, REG, "sxd-qh", 2024)[["via", "event"]].itertuples(index=False, name=None)) == [("sxd", "rename")]


def test_merged_unit_keeps_its_predecessors_awards():
    lines = _lines([("3120/QĐ-UBND", "2018-12-28", "2018", "co_thi_dua", "stn"),
                    ("88/QĐ-UBND", "2021-01-10", "2020", "bang_khen", "snn"),
                    ("90/QĐ-UBND", "2021-01-12", "2020", "bang_khen", "stp"),
                    ("7/QĐ-UBND", "2026-01-05", "2025", "co_thi_dua", "snn-mt")])
    hist = ga.unit_history(lines, REG, "snn-mt", 2025)
    # oldest first: stn's 2018 flag and snn's 2020 certificate came with the 2025 merger, then its own 2025 flag
    assert list(hist["number"]) == ["3120/QĐ-UBND", "88/QĐ-UBND", "7/QĐ-UBND"]
    assert list(hist["via"]) == ["stn", "snn", ""]
    assert list(hist["event"]) == ["merge", "merge", ""]
    # before the merger, stn's record is its own; stp's never includes anything merged
    assert list(ga.unit_history(lines, REG, "stn", 2024)["number"]) == ["3120/QĐ-UBND"]
    assert list(ga.unit_history(lines, REG, "stp", 2025)["number"]) == ["90/QĐ-UBND"]


def test_rates_leave_pending_proposals_out_of_the_base():
    awards = _awards([("2018", "bang_khen", "a", True), ("2018", "bang_khen", "b", True), ("2018", "bang_khen", "c", True),
                      ("2018", "bang_khen", "d", False), ("2019", "bang_khen", "a", True)])
    out = ga.outcomes(awards, _lines([("1/QĐ-UBND", "2019-01-01", "2018", "bang_khen", "a")]),
                      _decided([("1/QĐ-UBND", "2019-01-01", "2018", "bang_khen")]))
    r = ga.rates(out, ["period"]).set_index("period")
    # 2018: 3 proposed, a granted, b and c not: 1/3; 2019: 1 proposed, pending: no rate yet
    assert r.loc["2018", ["proposed", "granted", "not_granted", "pending"]].tolist() == [3, 1, 2, 0]
    assert r.loc["2018", "rate"] == pytest.approx(1 / 3)
    assert r.loc["2019", ["proposed", "granted", "not_granted", "pending"]].tolist() == [1, 0, 0, 1]
    assert pd.isna(r.loc["2019", "rate"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["2018", "2019"]), st.sampled_from(["a", "b", "c"]), st.booleans(), st.booleans()),
                min_size=1, max_size=12, unique_by=lambda t: t[:2]),
       st.sets(st.sampled_from(["2018", "2019"])))
def test_a_proposal_is_pending_exactly_when_no_decision_decides_it(rows, decided_periods):
    awards = _awards([(p, "bang_khen", u, nom) for p, u, nom, _ in rows])
    lines = _lines([(f"{p}/QĐ", f"{int(p) + 1}-01-01", p, "bang_khen", u) for p, u, _, g in rows if g and p in decided_periods])
    out = ga.outcomes(awards, lines, _decided([(f"{p}/QĐ", f"{int(p) + 1}-01-01", p, "bang_khen") for p in decided_periods]))
    for r in out.itertuples():
        if r.nominated:
            assert (r.status == "chờ quyết định") == (r.period not in decided_periods)
    r = ga.rates(out, ["award_id"])
    assert (r["granted"] + r["not_granted"] + r["pending"] == r["proposed"]).all()


# --------------------------------------------------------------------------- the data files


def _write(folder: Path, name: str, doc: dict) -> Path:
    path = folder / "decisions" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


HEADER = {"number": "3120/QĐ-UBND", "date": "2018-12-28", "body": "UBND tỉnh Bắc Ninh", "signer": "Nguyễn Văn A", "period": 2018}


def test_loader_reads_decisions_and_names_every_fault(tmp_path):
    _write(tmp_path, "2018/3120-qd-ubnd.yaml", {**HEADER, "lines": [{"award": "co_thi_dua", "unit_id": "stn", "name": "Sở TN&MT"}]})
    d = load_decisions(tmp_path, REG, lambda year: {"co_thi_dua", "bang_khen"})
    assert d.lines[["period", "award_id", "unit_id", "number"]].values.tolist() == [["2018", "co_thi_dua", "stn", "3120/QĐ-UBND"]]
    assert d.decided["award_id"].tolist() == ["co_thi_dua"]
    bad = _write(tmp_path, "2018/bad.yaml", {**HEADER, "number": "3121/QĐ-UBND", "date": "28/12/2018", "lines": [
        {"award": "co_thi_dua", "unit_id": "khong-co"}, {"award": "xyz", "unit_id": "stp"}, {"award": "xyz", "unit_id": "stp"}]})
    again = _write(tmp_path, "2019/copy.yaml", {**HEADER, "period": "2019", "date": "2020-01-10"})
    with pytest.raises(DataError) as e:
        load_decisions(tmp_path, REG, lambda year: {"co_thi_dua", "bang_khen"})
    got = [(Path(p.file).name, p.where) for p in e.value.problems]
    assert got == [(bad.name, "date"), (again.name, "number")]  # a schema fault stops that file; the copy is named
    bad.write_text(yaml.safe_dump({**HEADER, "number": "3121/QĐ-UBND", "lines": [
        {"award": "co_thi_dua", "unit_id": "khong-co"}, {"award": "xyz", "unit_id": "stp"}, {"award": "xyz", "unit_id": "stp"},
        {"award": "co_thi_dua", "unit_id": "snn-mt"}, {"award": "co_thi_dua", "unit_id": "sxd-qh"}]},
        allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError) as e:
        load_decisions(tmp_path, REG, lambda year: {"co_thi_dua", "bang_khen"})
    # snn-mt was formed in 2025: not a unit of 2018; sxd-qh is sxd's later name: accepted
    assert [(Path(p.file).name, p.where) for p in e.value.problems] == [
        (bad.name, "lines[0].unit_id"), (bad.name, "lines[1].award"), (bad.name, "lines[2].award"), (bad.name, "lines[2]"),
        (bad.name, "lines[3].unit_id"), (again.name, "number")]


def test_decision_ids_from_numbers():
    assert decision_id("3120/QĐ-UBND") == "3120-qd-ubnd"
    assert decision_id(" 15 / QĐ-CT ") == "15-qd-ct"


# --------------------------------------------------------------------------- thidua decisions import


@pytest.fixture
def data(tmp_path) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    # a second unit with the short name STC, so that "STC" names two units
    with open(dst / "units.csv", "a", encoding="utf-8") as fh:
        fh.write("kho-bac-tinh,Kho bạc Nhà nước tỉnh,STC,central-branch\n")
    return dst


def _import(data: Path, file: Path, *extra: str):
    return CliRunner().invoke(main, ["decisions", "import", str(file), "--data", str(data), "--number", "3120/QĐ-UBND",
                                     "--date", "28/12/2018", "--body", "UBND tỉnh Bắc Ninh", "--signer", "Nguyễn Văn A",
                                     "--period", "2018", *extra])


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_import_refuses_an_unknown_and_an_ambiguous_name_line_by_line(data, tmp_path):
    listing = tmp_path / "danh-sach.csv"
    listing.write_text("STT,Tên tập thể,Hình thức khen thưởng\n1,Sở TN&MT,Cờ thi đua của UBND tỉnh\n"
                       "2,Sở Khoa học Vũ trụ,Bằng khen của Chủ tịch UBND tỉnh\n3,STC,Bằng khen của Chủ tịch UBND tỉnh\n"
                       "4,Sở Xây dựng,Bằng khen của Chủ tịch UBND tỉnh\n", encoding="utf-8")
    before = _tree(data)
    result = _import(data, listing)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [x for x in result.output.splitlines() if "[LỖI]" in x]
    assert len(lines) == 2
    assert "dòng 3: 'Sở Khoa học Vũ trụ' không khớp đơn vị nào của năm 2018" in lines[0]
    assert "dòng 4: 'STC' khớp nhiều đơn vị: Kho bạc Nhà nước tỉnh (kho-bac-tinh); Sở Tài chính (so-tai-chinh)" in lines[1]
    assert _tree(data) == before  # nothing written


def test_import_of_a_workbook_writes_one_decision_the_loader_reads(data, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    sh = wb.active
    sh.title = "DanhSach"
    sh.append(["DANH SÁCH TẬP THỂ ĐƯỢC TẶNG CỜ THI ĐUA CỦA UBND TỈNH NĂM 2018"])
    sh.append(["STT", "Tên tập thể"])
    sh.append([1, "Sở TN&MT"])
    sh.append([2, "Sở  Tư pháp tỉnh Bắc Ninh"])
    wb.save(tmp_path / "qd.xlsx")
    result = _import(data, tmp_path / "qd.xlsx", "--award", "co_thi_dua")
    assert result.exit_code == 0, result.output
    assert "DanhSach!B3: Sở TN&MT -> Sở Tài nguyên và Môi trường (so-tn-mt), co_thi_dua" in result.output
    from toolkit.model.workspace import Workspace

    d = Workspace.open(data).decisions()
    assert d.lines.loc[d.lines["number"] == "3120/QĐ-UBND", ["unit_id", "name"]].values.tolist() == [["so-tn-mt", "Sở TN&MT"], ["so-tu-phap", "Sở Tư pháp tỉnh Bắc Ninh"]]
    # the same decision again is refused, the file kept
    written = (data / "decisions" / "2018" / "3120-qd-ubnd.yaml").read_bytes()
    again = _import(data, tmp_path / "qd.xlsx", "--award", "co_thi_dua")
    assert again.exit_code == 2 and "đã có" in again.output
    assert (data / "decisions" / "2018" / "3120-qd-ubnd.yaml").read_bytes() == written


# --------------------------------------------------------------------------- the reports, on the sample bloc


@pytest.fixture(scope="module")
def recent():
    from toolkit.reports.bloc_history import load_history

    return load_history("kinh-te-ky-thuat", "2023", "2025")


def test_trends_show_granted_awards_with_decision_numbers_and_mark_the_rest(recent):
    from toolkit.reports import trends

    a = trends.awards(recent).set_index("Kỳ")
    # the sample's decisions: 2023 flag to so-tt-tt by 370/QĐ-UBND; 2023 certificates by 373/QĐ-UBND without
    # Cục Dự trữ (refused); 2025 not decided yet
    assert a.loc["2023", "Cờ thi đua của UBND tỉnh"] == "Sở Thông tin và Truyền thông (được tặng, QĐ số 370/QĐ-UBND)"
    assert "Cục Dự trữ Nhà nước khu vực Hà Bắc (không được tặng)" in a.loc["2023", "Bằng khen của Chủ tịch UBND tỉnh"]
    # 2025 (the reorganised sample): no unit reached the flag's band; two certificates proposed, not decided yet
    assert a.loc["2025", "Cờ thi đua của UBND tỉnh"] == "không đề nghị đơn vị nào"
    assert a.loc["2025", "Bằng khen của Chủ tịch UBND tỉnh"] == "Sở Công Thương (chờ quyết định); Sở Xây dựng (chờ quyết định)"
    g = trends.granted(recent).set_index("Đơn vị")
    assert g.loc["Quỹ Phát triển đất", "2024"] == "Cờ thi đua của UBND tỉnh: được tặng, QĐ số 401/QĐ-UBND"
    d = trends.decisions(recent).set_index(["Kỳ", "Danh hiệu"])
    # 2023 certificates: 3 proposed, Cục Dự trữ refused: 2/3 = 0.6667; 2025: 2 pending, no rate
    assert d.loc[("2023", "Bằng khen của Chủ tịch UBND tỉnh"), ["Số đề nghị", "Được tặng", "Không được tặng"]].tolist() == [3, 2, 1]
    assert d.loc[("2023", "Bằng khen của Chủ tịch UBND tỉnh"), "Tỷ lệ được tặng"] == 0.6667
    assert d.loc[("2025", "Bằng khen của Chủ tịch UBND tỉnh"), "Chờ quyết định"] == 2
    assert pd.isna(d.loc[("2025", "Bằng khen của Chủ tịch UBND tỉnh"), "Tỷ lệ được tặng"])


def test_trends_runs_and_never_count_granted_awards(recent):
    from toolkit.reports import trends

    s = trends.streaks(recent)
    # certificates 2023-2025: Cục Dự trữ proposed 2023 and 2024 but granted only 2024 (2025 pending): 1 period
    row = s[(s["Danh hiệu"] == "Bằng khen của Chủ tịch UBND tỉnh") & (s["Đơn vị"] == "Cục Dự trữ Nhà nước khu vực Hà Bắc")]
    assert row[["Số kỳ được tặng", "Các kỳ"]].values.tolist() == [[1, "2024"]]
    never = trends.never_nominated(recent)
    assert "tính theo quyết định khen thưởng, không theo đề nghị; kỳ 2025 chờ quyết định" in never
    # Sở Nông nghiệp và Môi trường was proposed in 2025 only, still pending: never granted yet
    assert "Sở Nông nghiệp và Môi trường" in never


def test_without_decisions_every_proposal_is_pending(tmp_path):
    from toolkit.reports import trends
    from toolkit.reports.bloc_history import load_history

    dst = tmp_path / "data"
    shutil.copytree(DATA, dst, ignore=shutil.ignore_patterns("decisions"))
    h = load_history("kinh-te-ky-thuat", "2024", "2024", str(dst))
    nominated = h.awards[h.awards["nominated"]]
    assert set(nominated["status"]) == {"chờ quyết định"} and nominated["granted"].isna().all()
    assert trends.never_nominated(h) == trends.NO_DECISION


def test_explorer_unit_view_lists_a_merged_units_awards_with_their_decisions():
    from toolkit.explorer.analyses import WorkspaceAnalyses
    from toolkit.explorer.views import SelectionViews
    from toolkit.model.workspace import Workspace

    views = SelectionViews(WorkspaceAnalyses(Workspace.open(DATA)), False)
    t = views.unit(("kinh-te-ky-thuat", "2025"), "so-nn-mt")["tables"]["Đơn vị - được tặng"]
    # so-tn-mt merged into so-nn-mt in 2025: its flags 2018 (215), 2019 (246), 2022 (339) and certificates 2020 (286),
    # 2021 (315), 2023 (373) come with it; so-nn-ptnt was never granted; so-nn-mt itself was not proposed in 2025
    assert t["Quyết định"].tolist() == ["215/QĐ-UBND", "246/QĐ-UBND", "286/QĐ-UBND", "315/QĐ-UBND", "339/QĐ-UBND",
                                        "373/QĐ-UBND"]
    assert set(t["Ghi chú"]) == {"Sở Tài nguyên và Môi trường (trước khi hợp nhất)"}
    # Sở Công Thương's 2025 certificate is proposed and not decided yet: listed as pending, last
    t = views.unit(("kinh-te-ky-thuat", "2025"), "so-cong-thuong")["tables"]["Đơn vị - được tặng"]
    assert t.iloc[-1][["Kỳ", "Kết quả"]].tolist() == ["2025", "chờ quyết định"]


def test_province_overview_shows_proposed_and_granted_per_bloc():
    from toolkit.model.periods import Period
    from toolkit.model.workspace import Workspace
    from toolkit.reports import overview

    ws = Workspace.open(DATA)
    ov = overview.Overview(Period.parse("2024"), {"xep_hang": pd.DataFrame({"bloc": ["van-hoa-xa-hoi"]})}, ws,
                           {"van-hoa-xa-hoi": ws.registry.bloc_name("van-hoa-xa-hoi")}, True)
    g = overview.granted_by_year(ov).set_index(["Kỳ", "Danh hiệu"])
    # culture-society: 2019 certificates so-ld-tb-xh granted, bao-bac-ninh refused: 1/2; 2022 flag so-ld-tb-xh refused: 0/1
    assert g.loc[("2019", "Bằng khen của Chủ tịch UBND tỉnh"), ["Đề nghị", "Được tặng", "Không được tặng", "Chờ quyết định"]].tolist() == [2, 1, 1, 0]
    assert g.loc[("2019", "Bằng khen của Chủ tịch UBND tỉnh"), "Tỷ lệ được tặng"] == 0.5
    assert g.loc[("2022", "Cờ thi đua của UBND tỉnh"), "Tỷ lệ được tặng"] == 0.0
    # 2018-2024: 7 flags, 1 refused; 14 certificates, 1 refused
    assert overview.granted_note(ov).splitlines() == [
        "- Cờ thi đua của UBND tỉnh: tỉnh đã quyết định 7 đề nghị, tặng 6 (85,7%).",
        "- Bằng khen của Chủ tịch UBND tỉnh: tỉnh đã quyết định 14 đề nghị, tặng 13 (92,9%)."]


def test_record_of_a_merged_unit_lists_its_predecessors_awards(tmp_path):
    out = tmp_path / "ho-so.xlsx"
    result = CliRunner().invoke(main, ["record", "--unit", "so-nn-mt", "--data", str(DATA), "--out", str(out)])
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames == ["Thông tin chung", "Khối thi đua", "Khen thưởng"]
    rows = [[c.value for c in r] for r in wb["Khen thưởng"].iter_rows(min_row=2)]
    # so-tn-mt's awards 2018-2023 (six decisions), none of so-nn-ptnt's, nothing of 2024 (so-tn-mt refused) or 2025 (pending)
    assert [(r[0], r[2]) for r in rows] == [(2018, "215/QĐ-UBND"), (2019, "246/QĐ-UBND"), (2020, "286/QĐ-UBND"),
                                            (2021, "315/QĐ-UBND"), (2022, "339/QĐ-UBND"), (2023, "373/QĐ-UBND")]
    assert rows[0][1] == "Cờ thi đua của UBND tỉnh" and rows[0][3] == "16/01/2019"
    assert {r[6] for r in rows} == {"tặng Sở Tài nguyên và Môi trường (trước khi hợp nhất)"}
    info = dict((r[0].value, r[1].value) for r in wb["Thông tin chung"].iter_rows(min_row=2))
    assert info["Hình thành từ"] == ("Sở Nông nghiệp và Phát triển nông thôn (hợp nhất năm 2025); "
                                     "Sở Tài nguyên và Môi trường (hợp nhất năm 2025)")
    # as of 2024, so-nn-mt did not exist yet: its predecessors are not yet its own
    before = CliRunner().invoke(main, ["record", "--unit", "so-nn-mt", "--data", str(DATA), "--year", "2024"])
    assert before.exit_code == 0 and "215/QĐ-UBND" not in before.output
    unknown = CliRunner().invoke(main, ["record", "--unit", "khong-co", "--data", str(DATA)])
    assert unknown.exit_code == 2 and "không có trong units.csv" in unknown.output


def test_record_history_names_the_collective_that_received_each_award():
    lines = _lines([("3120/QĐ-UBND", "2018-12-28", "2018", "co_thi_dua", "stn"), ("7/QĐ-UBND", "2026-01-05", "2025", "bang_khen", "snn-mt")])
    rec = ga.record_history(ga.unit_history(lines, REG, "snn-mt", 2025), {"co_thi_dua": "Cờ thi đua của UBND tỉnh"},
                            dict(zip(REG.units["unit_id"], REG.units["name"])))
    # the lines carry no printed name: the unit's own name is used; an award without a title keeps its id
    assert rec.values.tolist() == [
        [2018, "Cờ thi đua của UBND tỉnh", "granted", "3120/QĐ-UBND", dt.date(2018, 12, 28), "UBND tỉnh Bắc Ninh", "Sở Tài nguyên và Môi trường"],
        [2025, "bang_khen", "granted", "7/QĐ-UBND", dt.date(2026, 1, 5), "UBND tỉnh Bắc Ninh", "Sở Nông nghiệp và Môi trường"]]


def test_import_of_a_list_pasted_from_the_pdf(data, tmp_path):
    import unicodedata

    pasted = tmp_path / "dan-tu-pdf.txt"
    # no header, numbered lines, a name in NFD with doubled spaces, a short name with the province
    pasted.write_text("1. " + unicodedata.normalize("NFD", "Sở Tài nguyên  và Môi trường") + "\n\n2) Sở XD tỉnh Bắc Ninh\n",
                      encoding="utf-8")
    result = _import(data, pasted, "--award", "Cờ thi đua của UBND tỉnh", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dòng 1: Sở Tài nguyên và Môi trường -> Sở Tài nguyên và Môi trường (so-tn-mt), co_thi_dua" in result.output
    assert "dòng 3: Sở XD tỉnh Bắc Ninh -> Sở Xây dựng (so-xay-dung), co_thi_dua" in result.output
    assert not (data / "decisions" / "2018" / "3120-qd-ubnd.yaml").exists()  # --dry-run writes nothing


def test_the_decisions_are_inputs_of_the_reports_over_several_periods():
    """A decision added after a trends report was filed makes that report out of date (it is re-run, not kept)."""
    from toolkit.model.periods import Period
    from toolkit.model.workspace import Workspace
    from toolkit.runs.runner import spanning_inputs

    ws = Workspace.open(DATA)
    inputs = spanning_inputs(ws, "kinh-te-ky-thuat", [Period.parse("2025")])
    # 7 years x (a flag decision + a certificate decision) = 14 files, whatever periods the report spans
    assert sorted(k for k in inputs if k.startswith("decisions/")) == sorted(
        f"decisions/{p.parent.name}/{p.name}" for p in (DATA / "decisions").glob("*/*.yaml"))
    assert len([k for k in inputs if k.startswith("decisions/")]) == 14


def test_record_joins_the_units_own_file_and_its_declared_awards_to_the_decisions():
    from toolkit.model.workspace import Workspace
    from toolkit.reports.award_record import record_tables

    t = record_tables(Workspace.open(DATA), "quy-phat-trien-dat", 2025)
    info = dict(zip(t["Thông tin chung"]["Mục"], t["Thông tin chung"]["Nội dung"]))
    # data/records/quy-phat-trien-dat.yaml: head Trịnh Thị Nga, Giám đốc; 76 staff
    assert info["Thủ trưởng"] == "Giám đốc Trịnh Thị Nga" and info["Số cán bộ, công chức, viên chức"] == "76"
    a = t["Khen thưởng"]
    # declared: 2017 Tập thể lao động tiên tiến (1890/QĐ-UBND); granted: 2021 (315), 2022 (344), 2024 (401); the 2019
    # certificate and the 2020 flag were decided without it, so they are no award of the unit
    assert list(zip(a["Năm"], a["Số quyết định"], a["Nguồn"])) == [
        (2017, "1890/QĐ-UBND", "đơn vị kê khai"), (2021, "315/QĐ-UBND", "quyết định khen thưởng"),
        (2022, "344/QĐ-UBND", "quyết định khen thưởng"), (2024, "401/QĐ-UBND", "quyết định khen thưởng")]
