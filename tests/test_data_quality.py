"""Data-quality checks of a period, and the data_quality notebook run by thidua and by papermill."""
from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import bad_workbooks
from toolkit.reports import data_quality
from toolkit.model.workspace import Workspace
from toolkit.forms.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
BIN = Path(sys.executable).parent
BLOC = "kinh-te-ky-thuat"


def edit_scores(data: Path, period: str, fn) -> None:
    path = data / "periods" / BLOC / period / "scores.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(df).to_csv(path, index=False)


def test_who_submitted_and_what_is_missing():
    q = data_quality.load(BLOC, "2018")
    sub = data_quality.submissions(q).set_index("Đơn vị")
    assert (sub["Đã nộp"] == "Có").sum() == 9
    assert sub.loc["Quỹ Phát triển đất", "Đã nộp"] == "Không"
    assert sub.loc["Sở Công Thương", "Đã thẩm định"] == "14/14"
    miss = data_quality.missing(q)
    assert miss.values.tolist() == [["Quỹ Phát triển đất", "Bảng tự chấm", "chưa nộp"]]
    assert "9/10 đơn vị đã nộp" in data_quality.summary(q)


def test_self_vs_verified_gaps_largest_first_and_equal_to_the_engine():
    q = data_quality.load(BLOC, "2018")
    gaps = data_quality.self_vs_verified(q)
    assert list(gaps["Chênh lệch"]) == sorted(gaps["Chênh lệch"], key=abs, reverse=True)
    s = q.result.scores
    engine = s[s["verified"] & (s["self_score"] != s["verified_score"])]
    assert len(gaps) == len(engine)
    by_unit = gaps.groupby("Đơn vị")["Chênh lệch"].sum().round(2)
    units = q.result.units.set_index("name")
    for name, gap in by_unit.items():
        assert gap == pytest.approx(units.loc[name, "self_gap"], abs=0.011)


def test_identical_submissions_of_two_units(tmp_path):
    data = bad_workbooks.copy_data(DATA, tmp_path / "data")

    def copy_unit(df):
        src = df[df.unit_id == "so-cong-thuong"].set_index("criterion_id").self_value
        mask = df.unit_id == "so-xay-dung"
        df.loc[mask, "self_value"] = df.loc[mask, "criterion_id"].map(src)
        df.loc[df.unit_id.isin(["so-gtvt", "so-tt-tt"]) & (df.criterion_id == "N2.1"), "note"] = "Báo cáo số 15/BC"
        return df

    edit_scores(data, "2018", copy_unit)
    got = data_quality.identical(data_quality.load(BLOC, "2018", str(data))).values.tolist()
    assert ["Sở Xây dựng", "Sở Công Thương", "toàn bộ điểm tự chấm"] in got
    assert ["Sở Thông tin và Truyền thông", "Sở Giao thông vận tải", "ghi chú tiêu chí N2.1: “Báo cáo số 15/BC”"] in got
    assert len(got) == 2


def test_a_value_far_from_the_units_own_history(tmp_path):
    data = bad_workbooks.copy_data(DATA, tmp_path / "data")

    def zero(df):
        df.loc[(df.unit_id == "so-cong-thuong") & (df.criterion_id == "N1.1"), "self_value"] = "1"
        return df

    before = data_quality.history(data_quality.load(BLOC, "2020", str(data)))
    edit_scores(data, "2020", zero)
    after = data_quality.history(data_quality.load(BLOC, "2020", str(data)))
    new = after.merge(before, how="left", indicator=True).query("_merge == 'left_only'")
    assert new[["Đơn vị", "Tiêu chí", "Kỳ này", "Số kỳ so sánh"]].values.tolist() == [["Sở Công Thương", "N1.1", "10%", 2]]
    assert "2018: " in new["Các kỳ trước"].iloc[0] and "2019: " in new["Các kỳ trước"].iloc[0]


def test_data_that_does_not_validate_still_gets_a_report(tmp_path):
    data = bad_workbooks.copy_data(DATA, tmp_path / "data")

    def break_it(df):
        df.loc[(df.unit_id == "so-gtvt") & (df.criterion_id == "N1.1"), "self_value"] = "mười"
        return df

    edit_scores(data, "2018", break_it)
    q = data_quality.load(BLOC, "2018", str(data))
    assert q.result is None and q.errors
    probs = data_quality.problems(q)
    assert "Lỗi" in set(probs["Mức"]) and any("mười" in m for m in probs["Nội dung"])
    assert probs["Tệp"].iloc[0] == "periods/kinh-te-ky-thuat/2018/scores.csv"
    assert data_quality.self_vs_verified(q).empty and data_quality.history(q).empty
    assert len(data_quality.submissions(q)) == 10


def test_files_received_and_rejected_by_the_last_ingest(tmp_path):
    ws = Workspace.open(DATA)
    folder = tmp_path / "in"
    bad_workbooks.save(bad_workbooks.filled(ws, "so-gtvt"), folder, "sgtvt.xlsx")
    bad_workbooks.save(bad_workbooks.filled(ws, "so-tt-tt", scores={"N1.1": 12}), folder, "stttt.xlsx")
    data = bad_workbooks.copy_data(DATA, tmp_path / "data", (BLOC, "2018"))
    ingest(folder, Workspace.open(data), BLOC, "2018")
    q = data_quality.load(BLOC, "2018", str(data))
    sub = data_quality.submissions(q).set_index("Đơn vị")
    assert sub.loc["Sở Giao thông vận tải", "Tệp đã nhận"] == "sgtvt.xlsx"
    assert sub.loc["Sở Thông tin và Truyền thông", "Tệp bị từ chối"] == "stttt.xlsx"
    assert sub.loc["Sở Thông tin và Truyền thông", "Đã nộp"] == "Không"
    probs = data_quality.problems(q)
    assert any(m == "Tệp bị từ chối" for m in probs["Mức"]) and any("vượt điểm chuẩn" in m for m in probs["Nội dung"])
    assert "1 tệp bị từ chối" in data_quality.summary(q)


@pytest.mark.slow
def test_thidua_run_notebook_data_quality(tmp_path):
    proc = subprocess.run([str(BIN / "thidua"), "run", "--notebook", "data_quality", "--bloc", BLOC, "--period", "2018",
                           "--reports", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "2018" / BLOC / "data_quality"
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"report.html", "report.ipynb", "results.xlsx", "manifest.json", "results/da_nop.csv",
            "results/tu_cham_tham_dinh.csv", "results/khac_lich_su.csv", "results/trung_nhau.csv"} <= names
    text = (folder / "report.html").read_text(encoding="utf-8")
    assert html.escape("Quỹ Phát triển đất") in text and "data_quality.load" not in text
    assert "Sổ tay này giúp" not in text  # notebook-only prose stays out of the filed report


@pytest.mark.slow
def test_papermill_runs_the_notebook_directly(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([str(BIN / "papermill"), str(ROOT / "notebooks" / "data_quality.ipynb"), str(tmp_path / "dq.ipynb"),
                           "-p", "bloc", BLOC, "-p", "period", "2018-H1", "-p", "output_dir", str(out), "--no-progress-bar"],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    sub = pd.read_csv(out / "results" / "da_nop.csv")
    assert len(sub) == 10 and (out / "results.xlsx").exists()
