"""Ingesting returned workbooks: the round trip, tolerance, the fault corpus, merging rules."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import bad_workbooks
from toolkit.forms import workbook_layout
from toolkit.cli.main import main
from toolkit.model.workspace import Workspace
from toolkit.reports.analysis import analyse
from toolkit.forms.ingest import REPORT, ingest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
BLOC, PERIOD = bad_workbooks.BLOC, bad_workbooks.PERIOD
TABLES = ("scores.csv", "events.csv", "staff_ratings.csv", "org_ratings.csv")


@pytest.fixture(scope="module")
def sample_ws() -> Workspace:
    return Workspace.open(DATA)  # read only: workbooks are built from it, never written into it


@pytest.fixture(scope="module")
def submissions(sample_ws, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("nop") / "in"
    bad_workbooks.write_sample_submissions(sample_ws, folder)
    return folder


@pytest.fixture(scope="module")
def corpus(sample_ws, tmp_path_factory):
    return bad_workbooks.build_corpus(sample_ws, tmp_path_factory.mktemp("corpus"))


def period_folder(data: Path, period: str = PERIOD) -> Path:
    return data / "periods" / BLOC / period


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def digests(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in folder.iterdir()}


# --------------------------------------------------------------------------- round trip

def _expected_self_only(tmp_path: Path) -> Workspace:
    """The sample data with verified values blanked: what the self scores alone give."""
    data = bad_workbooks.copy_data(DATA, tmp_path / "expected")
    path = period_folder(data) / "scores.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["verified_value"] = ""
    df.to_csv(path, index=False)
    return Workspace.open(data)


def test_round_trip_template_fill_ingest_gives_the_sample_results(tmp_path, submissions):
    data = bad_workbooks.copy_data(DATA, tmp_path / "data", (BLOC, PERIOD))
    ws = Workspace.open(data)
    result = ingest(submissions, ws, BLOC, PERIOD)
    assert [o.action for o in result.outcomes] == ["added"] * 9
    assert result.problems == []

    got = analyse(ws, BLOC, PERIOD, compare=False)
    want = analyse(_expected_self_only(tmp_path), BLOC, PERIOD, compare=False)
    cols = ["unit_id", "self_criteria", "criteria_total", "bonus", "penalty", "total", "rank", "band_id",
            "targets_missed", "within_cap"]
    submitted = want.units[want.units["submitted"]]["unit_id"]
    g = got.units[cols].set_index("unit_id").loc[submitted]
    w = want.units[cols].set_index("unit_id").loc[submitted]
    pd.testing.assert_frame_equal(g, w, check_dtype=False)
    pd.testing.assert_frame_equal(got.nominations[["unit_id", "award_id"]], want.nominations[["unit_id", "award_id"]])
    s = got.scores.set_index(["unit_id", "criterion_id"])["self_value"].sort_index()
    e = want.scores.set_index(["unit_id", "criterion_id"])["self_value"].sort_index()
    pd.testing.assert_series_equal(s, e.loc[s.index])
    assert got.scores["verified_value"].isna().all()  # the template carries self scores only


def test_ingesting_the_same_files_twice_changes_no_byte(tmp_path, submissions):
    data = bad_workbooks.copy_data(DATA, tmp_path / "data", (BLOC, PERIOD))
    ws = Workspace.open(data)
    ingest(submissions, ws, BLOC, PERIOD)
    first = snapshot(period_folder(data))
    again = ingest(submissions, ws, BLOC, PERIOD)
    assert [o.action for o in again.outcomes] == ["unchanged"] * 9
    assert again.written == []
    assert snapshot(period_folder(data)) == first


def test_original_files_are_never_modified(tmp_path, submissions, corpus):
    data = bad_workbooks.copy_data(DATA, tmp_path / "data", (BLOC, PERIOD))
    before = digests(submissions)
    ingest(submissions, Workspace.open(data), BLOC, PERIOD)
    assert digests(submissions) == before
    folder, _ = corpus["truncated"]
    before = digests(folder)
    ingest(folder, Workspace.open(data), BLOC, PERIOD)
    assert digests(folder) == before


def test_same_self_values_as_stored_are_unchanged_and_keep_verified_values(tmp_path, sample_ws):
    data = bad_workbooks.copy_data(DATA, tmp_path / "data")
    folder = tmp_path / "in"
    bad_workbooks.save(bad_workbooks.filled(sample_ws, "so-cong-thuong"), folder, "scs.xlsx")
    before = snapshot(period_folder(data))
    result = ingest(folder, Workspace.open(data), BLOC, PERIOD)
    assert [(o.status, o.action) for o in result.outcomes] == [("accepted", "unchanged")]
    after = snapshot(period_folder(data))
    assert {k: v for k, v in after.items() if k != REPORT} == before


def test_a_unit_with_different_data_is_replaced_only_with_replace(tmp_path, sample_ws):
    data = bad_workbooks.copy_data(DATA, tmp_path / "data")
    folder = tmp_path / "in"
    bad_workbooks.save(bad_workbooks.filled(sample_ws, "so-xay-dung", scores={"N1.1": 7.5}), folder, "late.xlsx")
    ws = Workspace.open(data)
    tables = {n: (period_folder(data) / n).read_bytes() for n in TABLES}

    refused = ingest(folder, ws, BLOC, PERIOD)
    assert [o.status for o in refused.outcomes] == ["rejected"]
    [p] = refused.problems
    assert "--replace so-xay-dung" in p.message and "đã có dữ liệu" in p.message
    assert {n: (period_folder(data) / n).read_bytes() for n in TABLES} == tables

    done = ingest(folder, ws, BLOC, PERIOD, replace=["so-xay-dung"])
    [o] = done.outcomes
    assert (o.status, o.action, o.dropped_verified) == ("accepted", "replaced", 14)
    scores = pd.read_csv(period_folder(data) / "scores.csv", dtype=str, keep_default_na=False)
    mine = scores[scores.unit_id == "so-xay-dung"]
    assert (mine.verified_value == "").all() and mine.set_index("criterion_id").self_value["N1.1"] == "7.5"
    # other units' rows are the very same lines, in the same place
    old = tables["scores.csv"].decode().splitlines()
    new = (period_folder(data) / "scores.csv").read_text().splitlines()
    assert [x for x in old if not x.startswith("so-xay-dung,")] == [x for x in new if not x.startswith("so-xay-dung,")]
    assert old.index(next(x for x in old if x.startswith("so-xay-dung,"))) == new.index(
        next(x for x in new if x.startswith("so-xay-dung,")))
    assert "bỏ 14 điểm thẩm định cũ" in CliRunner().invoke(
        main, ["ingest", str(folder), "--bloc", BLOC, "--period", PERIOD, "--data", str(bad_workbooks.copy_data(DATA, tmp_path / "d2")),
               "--replace", "so-xay-dung"]).output


def test_what_people_really_send_is_tolerated(tmp_path, sample_ws):
    wb = bad_workbooks.filled(sample_ws, "so-gtvt",
                  scores={"N1.1": " 9,5 ", "N2.1": None, "N5.1": "8.25"},
                  orgs={"party": bad_workbooks.nfd("  Hoàn thành   xuất sắc nhiệm vụ "), "union": "vững mạnh"},
                  notes={"N1.1": bad_workbooks.nfd("Quyết định  số 12/QĐ-UBND ")})
    ws_scores = wb[workbook_layout.SHEET_SCORES]
    ws_scores.insert_rows(8)  # an extra empty row (codes move with their rows)
    folder = tmp_path / "in"
    bad_workbooks.save(wb, folder, "Bảng điểm SGTVT (bản cuối) final.xlsx")  # renamed
    data = bad_workbooks.copy_data(DATA, tmp_path / "data", (BLOC, PERIOD))
    result = ingest(folder, Workspace.open(data), BLOC, PERIOD)
    [o] = result.outcomes
    assert o.status == "accepted"
    [w] = result.problems
    assert w.severity == "warning" and "N2.1 để trống: không có số liệu, 0 điểm" in w.message
    assert w.where.startswith(f"{workbook_layout.SHEET_SCORES}!F")
    scores = pd.read_csv(period_folder(data) / "scores.csv", dtype=str, keep_default_na=False).set_index("criterion_id")
    assert scores.self_value["N1.1"] == "9.5" and scores.self_value["N5.1"] == "8.25"
    assert scores.self_value["N2.1"] == ""  # blank stays blank: no data, which the engine scores 0
    assert scores.note["N1.1"] == "Quyết định số 12/QĐ-UBND"
    orgs = pd.read_csv(period_folder(data) / "org_ratings.csv", dtype=str).set_index("organisation")
    assert orgs.rating["party"] == "Hoàn thành xuất sắc nhiệm vụ" and orgs.rating["union"] == "Vững mạnh"
    analysed = analyse(Workspace.open(data), BLOC, PERIOD, compare=False)
    assert any("N2.1" in str(p) for p in analysed.warnings)


# --------------------------------------------------------------------------- the corpus of faults

@pytest.mark.parametrize("fault", sorted(bad_workbooks.FAULTS))
def test_each_bad_workbook_gives_its_own_message_and_changes_nothing(fault, corpus, tmp_path):
    folder, expected = corpus[fault]
    data = bad_workbooks.copy_data(DATA, tmp_path / "data")
    before = snapshot(data)
    originals = digests(folder)
    # --replace: were the fault not detected, the file would be accepted and replace the unit's data
    result = ingest(folder, Workspace.open(data), BLOC, PERIOD, replace=[bad_workbooks.UNIT])
    assert result.outcomes and all(o.status == "rejected" for o in result.outcomes)
    for o in result.outcomes:
        assert [(p.severity, p.where) for p in o.submission.problems] == [("error", expected.where)], o.submission.problems
        assert expected.words in o.submission.problems[0].message
    after = snapshot(data)
    report = f"periods/{BLOC}/{PERIOD}/{REPORT}"
    assert {k: v for k, v in after.items() if k != report} == before
    assert digests(folder) == originals


def test_all_problems_of_all_files_in_one_pass(tmp_path, corpus, submissions):
    folder = tmp_path / "in"
    folder.mkdir()
    whole_file = ["not_a_workbook", "password_protected", "truncated", "other_bloc", "other_template_version"]
    for name in whole_file + ["score_above_max"]:
        for f in corpus[name][0].iterdir():
            shutil.copy(f, folder / f.name)
    for f in submissions.iterdir():
        if bad_workbooks.UNIT not in f.name:
            shutil.copy(f, folder / f.name)
    data = bad_workbooks.copy_data(DATA, tmp_path / "data", (BLOC, PERIOD))
    result = ingest(folder, Workspace.open(data), BLOC, PERIOD)
    assert len(result.accepted) == 8 and len(result.rejected) == len(whole_file) + 1
    messages = "\n".join(str(p) for p in result.problems)
    for name in whole_file + ["score_above_max"]:
        assert corpus[name][1].words in messages
    written = pd.read_csv(period_folder(data) / "scores.csv", dtype=str)
    assert bad_workbooks.UNIT not in set(written.unit_id) and written.unit_id.nunique() == 8


def test_cli_prints_the_table_saves_it_and_exits_1_on_rejection(tmp_path, corpus, submissions):
    folder = tmp_path / "in"
    shutil.copytree(submissions, folder)
    shutil.copy(corpus["truncated"][0] / "truncated.xlsx", folder / "truncated.xlsx")
    data = bad_workbooks.copy_data(DATA, tmp_path / "data", (BLOC, PERIOD))
    res = CliRunner().invoke(main, ["ingest", str(folder), "--bloc", BLOC, "--period", PERIOD, "--data", str(data)])
    assert res.exit_code == 1, res.output
    assert "9 tệp được chấp nhận, 1 tệp bị từ chối" in res.output
    assert "truncated.xlsx" in res.output and "Từ chối" in res.output and "Sở Xây dựng" in res.output
    report = pd.read_csv(period_folder(data) / REPORT, dtype=str, keep_default_na=False)
    assert list(report.status).count("accepted") == 9
    assert report.set_index("file").loc["truncated.xlsx", "status"] == "rejected"
    ok = CliRunner().invoke(main, ["ingest", str(submissions), "--bloc", BLOC, "--period", PERIOD, "--data", str(data)])
    assert ok.exit_code == 0 and "không thay đổi" in ok.output


def test_dry_run_writes_nothing(tmp_path, submissions):
    data = bad_workbooks.copy_data(DATA, tmp_path / "data", (BLOC, PERIOD))
    before = snapshot(data)
    result = ingest(submissions, Workspace.open(data), BLOC, PERIOD, dry_run=True)
    assert len(result.accepted) == 9 and snapshot(data) == before


def test_a_failed_write_leaves_every_table_as_it_was(tmp_path, submissions, monkeypatch):
    data = bad_workbooks.copy_data(DATA, tmp_path / "data", (BLOC, PERIOD))
    before = snapshot(data)
    calls = []

    def full_disk(fd):
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        ingest(submissions, Workspace.open(data), BLOC, PERIOD)
    assert snapshot(data) == before  # no table replaced, no temporary file left behind


def test_replace_names_a_unit_without_a_file(tmp_path, submissions):
    data = bad_workbooks.copy_data(DATA, tmp_path / "data", (BLOC, PERIOD))
    result = ingest(submissions, Workspace.open(data), BLOC, PERIOD, replace=["quy-phat-trien-dat"])
    assert any("--replace quy-phat-trien-dat" in p.message and p.severity == "warning" for p in result.problems)


def test_a_half_year_has_no_rating_sheets_and_round_trips(tmp_path, sample_ws):
    period = "2018-H1"
    folder = tmp_path / "in"
    wb = bad_workbooks.filled(sample_ws, "so-tn-mt", period=period)
    assert workbook_layout.SHEET_STAFF not in wb.sheetnames and workbook_layout.SHEET_ORGS not in wb.sheetnames
    bad_workbooks.save(wb, folder, "h1.xlsx")
    data = bad_workbooks.copy_data(DATA, tmp_path / "data", (BLOC, period))
    result = ingest(folder, Workspace.open(data), BLOC, period)
    assert [o.action for o in result.outcomes] == ["added"] and result.problems == []
    assert not (period_folder(data, period) / "staff_ratings.csv").exists()
    src = pd.read_csv(period_folder(DATA, period) / "scores.csv", dtype=str)
    got = pd.read_csv(period_folder(data, period) / "scores.csv", dtype=str)
    want = src[src.unit_id == "so-tn-mt"].set_index("criterion_id").self_value.astype(float)
    assert got.set_index("criterion_id").self_value.astype(float).to_dict() == want.to_dict()


def test_parameters_are_checked_before_reading(tmp_path, submissions):
    from toolkit.errors import ParameterError

    ws = Workspace.open(DATA)
    with pytest.raises(ParameterError, match="Khối 'khong-co'"):
        ingest(submissions, ws, "khong-co", PERIOD)
    with pytest.raises(ParameterError, match="không phải thành viên"):
        ingest(submissions, ws, BLOC, PERIOD, replace=["so-y-te"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ParameterError, match="không có tệp"):
        ingest(tmp_path / "empty", ws, BLOC, PERIOD)


def test_a_blank_lower_is_better_value_is_0_points_on_the_form_in_the_warning_and_in_the_engine(tmp_path, sample_ws):
    """N2.2 (days to settle a procedure, lower is better, target 10, max 10) left blank by so-gtvt.

    The form's provisional points, the ingest warning and the engine must say the same: no data,
    0 points; the unit is not the bloc's best exceeder.
    """
    wb = bad_workbooks.filled(sample_ws, "so-gtvt", scores={"N2.2": None})
    sheet = wb[workbook_layout.SHEET_SCORES]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet[f"{workbook_layout.CODE_COL}{r}"].value == f"{workbook_layout.CODE_CRITERION}N2.2")
    value = f"{workbook_layout.SCORE_COLS['value']}{row}"
    formula = sheet[f"{workbook_layout.SCORE_COLS['points']}{row}"].value
    assert formula.startswith(f"=IF(ISNUMBER({value}),") and formula.endswith(",0)")  # blank (not a number) -> 0
    folder = tmp_path / "in"
    bad_workbooks.save(wb, folder, "so-gtvt.xlsx")
    data = bad_workbooks.copy_data(DATA, tmp_path / "data", (BLOC, PERIOD))
    result = ingest(folder, Workspace.open(data), BLOC, PERIOD)
    [w] = [p for p in result.problems if "N2.2" in p.message]
    assert w.severity == "warning" and "không có số liệu, 0 điểm" in w.message and w.where == f"{workbook_layout.SHEET_SCORES}!{value}"
    res = analyse(Workspace.open(data), BLOC, PERIOD, compare=False)
    s = res.scores[res.scores.criterion_id == "N2.2"].set_index("unit_id")
    assert s.loc["so-gtvt", "self_score"] == 0.0 and s.loc["so-gtvt", "final_score"] == 0.0
    # a criterion at 0 % of its maximum is the unit's lowest share (no band floor is passed on a blank)
    assert res.units.set_index("unit_id").loc["so-gtvt", "min_share"] == 0.0
