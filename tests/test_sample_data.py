"""The sample data: reproducible byte for byte, and showing the cases it documents.

data/ is only read here; generation goes to a temporary folder.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import DATA, by_unit
from toolkit.cli.main import main
from toolkit.model.workspace import Workspace
from toolkit.reports.analysis import analyse

BLOC = "kinh-te-ky-thuat"


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "data"
    result = CliRunner().invoke(main, ["sample", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return Workspace.open(DATA)


@pytest.fixture(scope="module")
def y2018(ws):
    return analyse(ws, BLOC, "2018")


def test_regenerated_sample_is_byte_identical(regenerated):
    made = _files(regenerated)
    assert len(made) > 200
    assert made <= _files(DATA), sorted(made - _files(DATA))
    different = [f for f in sorted(made) if (regenerated / f).read_bytes() != (DATA / f).read_bytes()]
    assert different == []


def test_regenerated_sample_is_the_whole_data_folder(regenerated):
    assert _files(regenerated) == _files(DATA)


def test_2018_tie_decided_by_content_n1(y2018):
    u = y2018.units.set_index("unit_id")
    sct, sxd = u.loc["so-cong-thuong"], u.loc["so-xay-dung"]
    assert sct["total"] == sxd["total"]
    assert (sct["rank"], sxd["rank"]) == (3, 4)
    assert sct["decided_by"] == sxd["decided_by"] == "điểm nội dung N1 cao hơn"
    assert (sct["tied_with"], sxd["tied_with"]) == ("Sở Xây dựng", "Sở Công Thương")
    c = y2018.contents
    n1 = c[c.content_id == "N1"].set_index("unit_id")["final_score"]
    # the sample generator moved 0.5 points of so-xay-dung from N1.1 to another content
    assert n1["so-cong-thuong"] - n1["so-xay-dung"] == pytest.approx(0.5)


def test_2018_top_unit_not_nominated_for_the_flag_because_of_discipline(y2018):
    u = y2018.units.set_index("unit_id")
    assert u.loc["ban-ql-kcn", "rank"] == 1
    e = y2018.eligibility.set_index(["award_id", "unit_id"])
    flag = e.loc[("co_thi_dua", "ban-ql-kcn")]
    assert not flag["nominated"] and not flag["eligible"]
    assert flag["reasons"] == ("có sự kiện loại trừ: Có công chức, viên chức bị kỷ luật từ khiển trách trở lên "
                               "(01 công chức bị kỷ luật khiển trách (Quyết định số 112/QĐ-BQL))")
    # the flag goes to the best eligible unit instead
    assert list(y2018.nominations.query("award_id == 'co_thi_dua'")["unit_id"]) == ["so-tn-mt"]


def test_2018_unit_without_submission(y2018):
    u = y2018.units.set_index("unit_id")
    assert not u.loc["quy-phat-trien-dat", "submitted"]
    assert pd.isna(u.loc["quy-phat-trien-dat", "rank"])
    e = y2018.eligibility
    assert set(e[e.unit_id == "quy-phat-trien-dat"]["status"]) == {"Không đủ điều kiện: chưa nộp bảng tự chấm điểm"}
    assert [w.where for w in y2018.warnings if "chưa nộp" in w.message] == ["đơn vị quy-phat-trien-dat"]
    # listed last in the ranking table, not dropped
    assert y2018.ranking["unit_id"].iloc[-1] == "quy-phat-trien-dat"


def test_2018_unit_over_the_excellent_cap(y2018):
    c = y2018.cap.set_index("unit_id")
    row = c.loc["so-tt-tt"]
    # 18 excellent out of 54 rated 'tốt' or better: 20 % x 54 = 10.8 -> 10 (floor) < 18
    assert (row["excellent"], row["base"], row["cap"], row["within_cap"]) == (18, 54, 10, False)
    assert row["arithmetic"] == "18 > 20% × 54 (hoàn thành tốt nhiệm vụ trở lên) = 10,80 → 10 (làm tròn xuống)"
    assert c["within_cap"].sum() == len(c) - 1  # the only unit over the cap
    assert any("chưa được đối chiếu với văn bản gốc" in n for n in y2018.notes)


def test_2018_quota_and_results_are_labelled_synthetic(y2018):
    q = y2018.quotas.set_index("award_id")
    # 30 % of 10 members = 3 certificates (floor)
    assert q.loc["bang_khen", ["quota", "nominated"]].tolist() == [3, 3]
    assert y2018.source["synthetic"] is True


def test_2025_comparison_follows_the_mergers(ws):
    r = analyse(ws, BLOC, "2025")
    prev = analyse(ws, BLOC, "2024", compare=False).units.set_index("unit_id")
    cmp = r.comparison.set_index("unit_id")
    row = cmp.loc["so-nn-mt"]
    # Decree 45/2025: the agriculture and the natural-resources departments became one
    succ = ws.registry.successors(2024, 2025)
    assert (succ["so-nn-ptnt"], succ["so-tn-mt"]) == ("so-nn-mt", "so-nn-mt")
    assert ws.registry.successors(2024, 2025)["so-gtvt"] == "so-xay-dung"
    assert row["prev_unit_ids"] == "so-nn-ptnt, so-tn-mt"
    assert pd.isna(row["delta_total"])  # totals of two units are not added into one
    parts = [f"{name}: hạng {int(prev.loc[uid, 'rank'])}, {prev.loc[uid, 'total']:.2f}".replace(".", ",") + " điểm"
             for uid, name in (("so-nn-ptnt", "Sở Nông nghiệp và Phát triển nông thôn"),
                               ("so-tn-mt", "Sở Tài nguyên và Môi trường"))]
    assert row["note"] == "hợp nhất từ " + "; ".join(parts)
    # an unchanged unit is compared with itself
    sct = cmp.loc["so-cong-thuong"]
    assert sct["prev_unit_ids"] == "so-cong-thuong" and sct["note"] == ""
    assert sct["delta_total"] == pytest.approx(r.units.set_index("unit_id").loc["so-cong-thuong", "total"]
                                               - prev.loc["so-cong-thuong", "total"])


def test_half_year_analysis_runs_and_flags_unverified_scores(ws):
    r = analyse(ws, BLOC, "2019-H1")
    assert len(r.targets) == 0
    # the bloc has not verified Liên minh HTX's half-year scores yet: its self scores are used
    fully = by_unit(r.units, "fully_verified")
    assert None not in fully.values()
    assert [u for u, ok in fully.items() if not ok] == ["lien-minh-htx"]
    assert any("không áp dụng cho kỳ này" in n for n in r.notes)


def test_sample_decisions_grant_only_what_the_blocs_proposed(ws):
    """The sample's decisions are written from proposals kept as data: they must still be the engine's nominations."""
    from toolkit.samples.decision_sample import PROPOSED, REFUSED

    for (bloc, year), proposed in PROPOSED.items():
        n = analyse(ws, bloc, str(year), compare=False).nominations
        assert {a: list(g["unit_id"]) for a, g in n.groupby("award_id", sort=False)} == proposed, (bloc, year)
    d = ws.decisions()
    lines = set(zip(d.lines["period"], d.lines["award_id"], d.lines["unit_id"]))
    every = {(str(y), a, u) for (_b, y), props in PROPOSED.items() for a, units in props.items() for u in units}
    # granted = proposed - refused; proposals 2018-2024: economic-technical 7 years x (1 flag + 3 certificates) = 28,
    # internal affairs 2 + 3 + 2 + 3 + 3 + 3 + 3 = 19 (no flag in 2018 and 2020), culture-society 7 x (1 + 2) = 21: 68,
    # of which the province refused 1 + 2 + 1 + 1 + 2 + 2 + 1 = 10
    assert lines == {x for x in every if x[2] not in REFUSED.get((int(x[0]), x[1]), set())}
    assert (len(every), len(every - lines)) == (68, 10)
    assert set(d.decided["period"]) == {str(y) for y in range(2018, 2025)}  # 2025 is still pending
