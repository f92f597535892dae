"""Bad input: every fault named with its file and key path (covenant) or row and column (CSV),
and every fault of a file reported in one DataError.

Each test edits a private copy of data/ (the ``data_copy`` fixture); data/ is never touched.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import DATA, covenant_dict, make_covenant
from toolkit.model.covenant import load_covenant
from toolkit.model.workspace import Workspace
from toolkit.reports.analysis import analyse
from toolkit.errors import DataError, ParameterError, Problem

BLOC, YEAR = "kinh-te-ky-thuat", 2018
VALID_CRITERIA = "N1.1, N1.2, N2.1, N2.2, N2.3, N3.1, N3.2, N3.3, N4.1, N4.2, N5.1, N6.1, N6.2, N6.3"


def _folder(data: Path, period: str = "2018") -> Path:
    return data / "periods" / BLOC / period


def _edit_line(path: Path, line: int, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` on 1-based ``line`` of a text file (the line must contain it)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert old in lines[line - 1], (path, line, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def _append(path: Path, text: str) -> int:
    """Append one CSV line; return its 1-based line number."""
    body = path.read_text(encoding="utf-8")
    if not body.endswith("\n"):
        body += "\n"
    path.write_text(body + text + "\n", encoding="utf-8")
    return body.count("\n") + 1


def _errors(data: Path, period: str = "2018") -> list[Problem]:
    with pytest.raises(DataError) as exc:
        analyse(Workspace.open(data), BLOC, period, compare=False)
    problems = exc.value.problems
    assert problems, "a DataError must list its problems"
    return [p for p in problems if p.severity == "error"]


def _only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --------------------------------------------------------------------------- scores.csv

def test_unknown_criterion_id(data_copy):
    scores = _folder(data_copy) / "scores.csv"
    _edit_line(scores, 2, "so-cong-thuong,N1.1,", "so-cong-thuong,N9.9,")
    p = _only(_errors(data_copy))
    assert p.file == str(scores)
    assert p.where == "dòng 2, cột criterion_id"
    assert p.message == f"tiêu chí 'N9.9' không có trong giao ước 2018 (mã hợp lệ: {VALID_CRITERIA})"


def test_score_above_its_maximum(data_copy):
    scores = _folder(data_copy) / "scores.csv"
    _edit_line(scores, 2, "so-cong-thuong,N1.1,10,", "so-cong-thuong,N1.1,12,")
    p = _only(_errors(data_copy))
    assert (p.file, p.where) == (str(scores), "dòng 2, cột self_value")
    assert p.message == "điểm 12 vượt điểm chuẩn 10 của tiêu chí 'N1.1'"


def test_text_where_a_number_belongs(data_copy):
    scores = _folder(data_copy) / "scores.csv"
    _edit_line(scores, 2, ",9.25,", ",chín,")
    p = _only(_errors(data_copy))
    assert (p.file, p.where) == (str(scores), "dòng 2, cột verified_value")
    assert p.message == "cần một số (ví dụ 8,5), nhận được 'chín'"


def test_text_in_self_value_is_an_error_not_a_blank_cell(data_copy):
    scores = _folder(data_copy) / "scores.csv"
    _edit_line(scores, 2, "so-cong-thuong,N1.1,10,", "so-cong-thuong,N1.1,mười,")
    with pytest.raises(DataError) as exc:
        analyse(Workspace.open(data_copy), BLOC, "2018", compare=False)
    # one error, and no warning claiming the cell was left blank and counted as 0
    assert [(p.where, p.severity, p.message) for p in exc.value.problems] == [
        ("dòng 2, cột self_value", "error", "cần một số (ví dụ 8,5), nhận được 'mười'")]


def test_row_numbers_count_blank_lines(data_copy):
    scores = _folder(data_copy) / "scores.csv"
    _edit_line(scores, 10, "so-cong-thuong,N4.1,4.75,", "so-cong-thuong,N4.1,x,")
    lines = scores.read_text(encoding="utf-8").split("\n")
    lines.insert(4, "")  # a blank line 5: the bad row moves to line 11
    scores.write_text("\n".join(lines), encoding="utf-8")
    p = _only(_errors(data_copy))
    assert p.where == "dòng 11, cột self_value"


def test_decimal_comma_is_a_number(data_copy):
    scores = _folder(data_copy) / "scores.csv"
    _edit_line(scores, 2, ",9.25,", ',"9,5",')
    r = analyse(Workspace.open(data_copy), BLOC, "2018", compare=False)
    s = r.scores
    assert s[(s.unit_id == "so-cong-thuong") & (s.criterion_id == "N1.1")]["final_score"].tolist() == [9.5]


def test_pass_fail_and_count_values(data_copy):
    scores = _folder(data_copy) / "scores.csv"
    # line 14: so-cong-thuong N6.2 (pass/fail) ; line 8: so-cong-thuong N3.2 (count)
    _edit_line(scores, 14, "so-cong-thuong,N6.2,1,1", "so-cong-thuong,N6.2,1,0.5")
    _edit_line(scores, 8, "so-cong-thuong,N3.2,3,3", "so-cong-thuong,N3.2,2.5,3")
    got = {(p.where, p.message) for p in _errors(data_copy)}
    assert got == {
        ("dòng 14, cột verified_value", "tiêu chí đạt/không đạt 'N6.2' cần 1 (đạt) hoặc 0 (không đạt), nhận được '0.5'"),
        ("dòng 8, cột self_value", "tiêu chí đếm số lần 'N3.2' cần số nguyên, nhận được '2.5'"),
    }


def test_duplicate_score_row(data_copy):
    scores = _folder(data_copy) / "scores.csv"
    line = _append(scores, "so-cong-thuong,N1.1,10,9.25,")
    p = _only(_errors(data_copy))
    assert (p.file, p.where) == (str(scores), "dòng 2, cột criterion_id")  # the first line, naming the copy
    assert p.message == f"điểm tiêu chí 'N1.1' của đơn vị 'so-cong-thuong' bị nhập 2 lần (dòng 2; bản sao ở dòng {line}): chỉ giữ một dòng"


def test_unit_not_member_of_the_bloc(data_copy):
    scores = _folder(data_copy) / "scores.csv"
    line = _append(scores, "so-y-te,N1.1,10,10,")
    p = _only(_errors(data_copy))
    assert p.where == f"dòng {line}, cột unit_id"
    assert p.message == "đơn vị 'so-y-te' không phải thành viên khối 'kinh-te-ky-thuat' năm 2018"


def test_every_fault_of_a_file_in_one_error(data_copy):
    folder = _folder(data_copy)
    scores = folder / "scores.csv"
    _edit_line(scores, 2, "so-cong-thuong,N1.1,10,9.25,", "so-cong-thuong,N1.1,12,chín,")
    _edit_line(scores, 3, "so-cong-thuong,N1.2,", "so-cong-thuong,N9.9,")
    dup = _append(scores, "so-cong-thuong,N2.1,10,9.75,")
    _edit_line(folder / "events.csv", 2, ",bao_cao_cham,2,", ",bao_cao_tre,2,")
    problems = _errors(data_copy)
    in_scores = {p.where for p in problems if p.file == str(scores)}
    assert len(in_scores) > 1
    assert in_scores == {"dòng 2, cột self_value", "dòng 2, cột verified_value", "dòng 3, cột criterion_id",
                         "dòng 4, cột criterion_id"}  # N2.1 of so-cong-thuong, on its first line, naming its copy
    assert f"bản sao ở dòng {dup}" in next(p.message for p in problems if p.where == "dòng 4, cột criterion_id")
    # the faults of the other files of the same period are in the same error
    in_events = [p for p in problems if p.file == str(folder / "events.csv")]
    assert [(p.where, p.message) for p in in_events] == [(
        "dòng 2, cột event_id",
        "sự kiện cộng/trừ điểm 'bao_cao_tre' không có trong giao ước "
        "(mã hợp lệ: co_thi_dua_nam_truoc, bang_khen_bo_nganh, bao_cao_cham, ky_luat)")]
    with pytest.raises(DataError) as exc:
        analyse(Workspace.open(data_copy), BLOC, "2018", compare=False)
    assert str(exc.value).startswith("Dữ liệu không hợp lệ (5 lỗi):")


# --------------------------------------------------------------------------- ratings and votes

def test_unknown_staff_rating_label_lists_that_years_labels(data_copy):
    staff = _folder(data_copy) / "staff_ratings.csv"
    _edit_line(staff, 3, "Hoàn thành tốt nhiệm vụ", "Hoàn thành khá nhiệm vụ")
    p = _only(_errors(data_copy))
    assert (p.file, p.where) == (str(staff), "dòng 3, cột rating")
    # 2018 is before Decree 90/2020: the third level still has its old name
    assert p.message == (
        "xếp loại 'Hoàn thành khá nhiệm vụ' không hợp lệ cho năm 2018; dùng một trong: "
        "Hoàn thành xuất sắc nhiệm vụ; HTXSNV; Hoàn thành tốt nhiệm vụ; HTTNV; "
        "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực; HTNV nhưng còn hạn chế về năng lực; "
        "Không hoàn thành nhiệm vụ; KHTNV")


def test_a_label_valid_in_another_year_only(data_copy):
    # "HTNV" alone is the 2020+ label; in 2018 it is not valid
    staff = _folder(data_copy) / "staff_ratings.csv"
    lines = staff.read_text(encoding="utf-8").split("\n")
    n = next(i for i, text in enumerate(lines, 1) if "Hoàn thành nhiệm vụ nhưng còn hạn chế" in text)
    _edit_line(staff, n, "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực", "HTNV")
    p = _only(_errors(data_copy))
    assert p.where == f"dòng {n}, cột rating"
    assert p.message.startswith("xếp loại 'HTNV' không hợp lệ cho năm 2018; dùng một trong: ")


def test_unknown_organisation_rating_label(data_copy):
    orgs = _folder(data_copy) / "org_ratings.csv"
    _edit_line(orgs, 3, "so-cong-thuong,union,Vững mạnh xuất sắc", "so-cong-thuong,union,Rất mạnh")
    p = _only(_errors(data_copy))
    assert (p.file, p.where) == (str(orgs), "dòng 3, cột rating")
    assert p.message == ("xếp loại 'Rất mạnh' không hợp lệ cho Công đoàn năm 2018; dùng một trong: Vững mạnh xuất sắc; "
                         "Hoàn thành xuất sắc nhiệm vụ; Vững mạnh; Hoàn thành tốt nhiệm vụ; Khá; Hoàn thành nhiệm vụ; "
                         "Trung bình; Yếu; Không hoàn thành nhiệm vụ")


def test_votes_more_approvals_than_voters(data_copy):
    votes = _folder(data_copy) / "votes.csv"
    _edit_line(votes, 2, "so-cong-thuong,8,9", "so-cong-thuong,10,9")
    p = _only(_errors(data_copy))
    assert (p.file, p.where, p.message) == (str(votes), "dòng 2, cột approve", "số phiếu đồng ý 10 lớn hơn số người bỏ phiếu 9")


# --------------------------------------------------------------------------- warnings

def test_member_with_no_data_is_a_warning(data_copy):
    scores = _folder(data_copy) / "scores.csv"
    lines = scores.read_text(encoding="utf-8").split("\n")
    scores.write_text("\n".join(x for x in lines if not x.startswith("so-gtvt,")), encoding="utf-8")
    r = analyse(Workspace.open(data_copy), BLOC, "2018", compare=False)
    mine = [p for p in r.warnings if p.where == "đơn vị so-gtvt"]
    assert [(p.file, p.severity, p.message) for p in mine] == [(
        str(scores), "warning",
        "Sở Giao thông vận tải chưa nộp bảng tự chấm điểm: không được xếp hạng và không được xét khen thưởng")]
    u = r.units.set_index("unit_id")
    assert not u.loc["so-gtvt", "submitted"] and u["rank"].isna()["so-gtvt"]
    e = r.eligibility
    assert set(e[e.unit_id == "so-gtvt"]["status"]) == {"Không đủ điều kiện: chưa nộp bảng tự chấm điểm"}


def test_blank_self_value_and_missing_criterion_row_are_warnings(data_copy):
    scores = _folder(data_copy) / "scores.csv"
    _edit_line(scores, 2, "so-cong-thuong,N1.1,10,9.25,", "so-cong-thuong,N1.1,,9.25,")
    lines = scores.read_text(encoding="utf-8").split("\n")
    assert lines[2].startswith("so-cong-thuong,N1.2,")
    del lines[2]
    scores.write_text("\n".join(lines), encoding="utf-8")
    r = analyse(Workspace.open(data_copy), BLOC, "2018", compare=False)
    got = {(p.where, p.message) for p in r.warnings if p.file == str(scores) and "so-cong-thuong" in p.message + p.where}
    assert got == {
        ("dòng 2, cột self_value", "ô tự chấm tiêu chí 'N1.1' của 'so-cong-thuong' để trống: không có số liệu, 0 điểm"),
        ("đơn vị so-cong-thuong", "thiếu dòng điểm tiêu chí 'N1.2': không có số liệu, 0 điểm"),
    }
    s = r.scores
    n12 = s[(s.unit_id == "so-cong-thuong") & (s.criterion_id == "N1.2")].iloc[0]
    assert n12["final_score"] == 0.0


# --------------------------------------------------------------------------- membership

def test_duplicate_unit_in_membership(data_copy):
    membership = data_copy / "membership.csv"
    line = _append(membership, "2018,kinh-te-ky-thuat,so-tt-tt,member")
    with pytest.raises(DataError) as exc:
        Workspace.open(data_copy)
    p = _only(exc.value.problems)
    first = next(i for i, x in enumerate(membership.read_text(encoding="utf-8").split("\n"), 1)
                 if x.startswith("2018,kinh-te-ky-thuat,so-tt-tt,"))
    assert (p.file, p.where) == (str(membership), f"dòng {first}, cột unit_id")
    assert p.message == (f"đơn vị 'so-tt-tt' trong khối 'kinh-te-ky-thuat' năm 2018 bị nhập 2 lần (dòng {first}; "
                         f"bản sao ở dòng {line}): chỉ giữ một dòng")


def test_membership_faults_all_reported(data_copy):
    membership = data_copy / "membership.csv"
    a = _append(membership, "2018,kinh-te-ky-thuat,so-khong-co,member")
    b = _append(membership, "2018,khoi-khong-co,so-y-te,chief")
    with pytest.raises(DataError) as exc:
        Workspace.open(data_copy)
    got = {(p.where, p.message) for p in exc.value.problems}
    assert got == {
        (f"dòng {a}, cột unit_id", "đơn vị 'so-khong-co' không có trong units.csv"),
        (f"dòng {b}, cột bloc_id", "khối 'khoi-khong-co' không có trong blocs.csv"),
        (f"dòng {b}, cột role", "vai trò 'chief' không hợp lệ; dùng leader, deputy, member"),
    }


# --------------------------------------------------------------------------- covenants

def _write_covenant(data: Path, edit) -> Path:
    path = data / "covenants" / BLOC / f"{YEAR}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_maxima_not_summing_to_the_total(data_copy):
    def edit(raw):
        raw["contents"][0]["criteria"][0]["max"] = 12  # N1.1: 10 -> 12, maxima now sum to 102

    path = _write_covenant(data_copy, edit)
    p = _only(_errors(data_copy))
    assert (p.file, p.where) == (str(path), "total")
    assert p.message == "tổng điểm khai báo 100 khác tổng điểm chuẩn các tiêu chí 102"


def test_covenant_schema_errors_name_their_key_path_all_at_once(data_copy):
    def edit(raw):
        raw["contents"][2]["criteria"][0]["max"] = "mười"
        raw["contents"][1]["criteria"][1]["kind"] = "muc_tieu"
        raw["awards"][1]["quota"]["rouding"] = "ceil"

    path = _write_covenant(data_copy, edit)
    problems = _errors(data_copy)
    assert all(p.file == str(path) for p in problems)
    got = {p.where: p.message for p in problems}
    assert got == {
        "contents[2].criteria[0].max": "cần một số, nhận được 'mười'",
        "contents[1].criteria[1].kind": "giá trị 'muc_tieu' không hợp lệ; dùng một trong: 'graded', 'pass_fail', 'count', "
                                        "'target', 'deduction'",
        "awards[1].quota.rouding": "trường không được khai báo trong lược đồ giao ước (gõ nhầm tên?)",
    }


def test_covenant_schema_messages_are_vietnamese():
    raw = covenant_dict()
    raw["title"] = 5
    raw["synthetic"] = "có"
    raw["decimals"] = 7
    raw["contents"][0]["criteria"][0]["max"] = -3
    raw["contents"][1]["criteria"] = []
    raw["adjustments"]["bonus_cap"] = -1
    raw["targets"]["staff"][0]["min_share"] = 1.5
    raw["awards"][1]["quota"] = {"count": 1, "share": 0.3}
    with pytest.raises(DataError) as exc:
        make_covenant(raw)
    assert {p.where: p.message for p in exc.value.problems} == {
        "title": "cần một đoạn văn bản, nhận được 5",
        "synthetic": "cần true (có) hoặc false (không), nhận được 'có'",
        "decimals": "cần nhỏ hơn hoặc bằng 4, nhận được 7",
        "contents[0].criteria[0].max": "cần lớn hơn 0, nhận được -3",
        "contents[1].criteria": "cần ít nhất 1 mục",
        "adjustments.bonus_cap": "cần lớn hơn hoặc bằng 0, nhận được -1",
        "targets.staff[0].min_share": "cần nhỏ hơn hoặc bằng 1, nhận được 1.5",
        # the covenant's own check, without pydantic's "Value error," and echoed input
        "awards[1].quota": "hạn mức cần đúng một trong 'count' (số đơn vị) hoặc 'share' (tỷ lệ số thành viên)",
    }


def test_empty_covenant_file(tmp_path):
    path = tmp_path / "2018.yaml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_covenant(path)
    assert [(p.file, p.message) for p in exc.value.problems] == [(str(path), "tệp trống")]


def test_covenant_cross_reference_errors_all_at_once(vocab):
    raw = covenant_dict()
    raw["contents"][1]["criteria"][0]["id"] = "A1"       # duplicate criterion id
    raw["awards"][0]["min_band"] = "xuat_sac"            # not a band id
    raw["awards"][1]["disqualifying_events"] = ["tre"]  # not an event id
    raw["tie_break"] = ["content:A", "criterion:Z9"]    # total first, and Z9 does not exist
    with pytest.raises(DataError) as exc:
        make_covenant(raw)
    got = {(p.file, p.where) for p in exc.value.problems}
    assert got == {
        ("test.yaml", "contents[1].criteria[0].id"),
        ("test.yaml", "awards[0].min_band"),
        ("test.yaml", "awards[1].disqualifying_events"),
        ("test.yaml", "tie_break[1]"),
        ("test.yaml", "tie_break[0]"),
    }


def test_excludes_must_name_an_earlier_award():
    raw = covenant_dict()
    # the flag (decided first) cannot exclude the certificate's nominees: they are not known yet
    raw["awards"][0]["excludes"] = ["bk"]
    with pytest.raises(DataError) as exc:
        make_covenant(raw)
    p = _only(exc.value.problems)
    assert p.where == "awards[0].excludes"
    assert p.message == ("danh hiệu 'bk' đứng sau danh hiệu này trong awards; chỉ loại trừ được danh hiệu xét trước "
                         "(không có)")


def test_rating_levels_unknown_to_the_vocabulary_are_named_with_the_valid_ones():
    raw = covenant_dict()
    raw["targets"]["staff"][1]["min_level"] = "xuatsac"                 # a typo of xuat_sac
    raw["targets"]["organisations"][1]["min_level"] = "manh"            # youth union: the 'mass' scale
    raw["targets"]["excellent_cap"]["base_min_level"] = "gioi"
    with pytest.raises(DataError) as exc:
        make_covenant(raw)
    # the valid levels of each scale (tests/conftest.py make_vocab), in alphabetical order
    assert {p.where: p.message for p in exc.value.problems} == {
        "targets.staff[1].min_level":
            "mức 'xuatsac' không có trong thang xếp loại công chức (hoan_thanh, khong_hoan_thanh, tot, xuat_sac)",
        "targets.organisations[1].min_level":
            "mức 'manh' không có trong thang 'mass' (kha, trung_binh, vung_manh, vung_manh_xuat_sac, yeu)",
        "targets.excellent_cap.base_min_level": "mức 'gioi' không có trong thang xếp loại công chức",
    }


def test_unknown_band_duplicate_award_and_unknown_tie_break_references():
    raw = covenant_dict()
    raw["awards"][0]["min_band"] = "xuat_sac"          # a staff level, not a band id
    raw["awards"][1].update(id="co", excludes=[])      # two awards 'co'
    raw["tie_break"] = ["total", "content:Z", "criterion:A"]  # no content Z; A is a content, not a criterion
    with pytest.raises(DataError) as exc:
        make_covenant(raw)
    help_ = "total | content:<id> | criterion:<id> | bonus | penalty | self_gap | vote_share | name"
    assert {p.where: p.message for p in exc.value.problems} == {
        "awards[0].min_band": "xếp loại 'xuat_sac' không có trong bands (xs, tot, ht, kht)",  # covenant order
        "awards": "mã 'co' bị trùng",
        "tie_break[1]": f"tiêu chí phân hạng 'content:Z' không hợp lệ; dùng {help_}",
        "tie_break[2]": f"tiêu chí phân hạng 'criterion:A' không hợp lệ; dùng {help_}",
    }


def test_plausible_range_defaults_by_kind_and_unit(cov):
    # tests/conftest.py covenant: A1 graded max 30, A2 target in '%', A3 target in days, B1 count, B2 pass/fail
    ranges = {k.id: k.plausible_range() for _, k in cov.criteria}
    inf = float("inf")
    assert ranges == {"A1": (0.0, 30.0), "A2": (0.0, 100.0), "A3": (0.0, inf), "B1": (0.0, inf), "B2": (0.0, 1.0)}


def test_covenant_kind_needs_its_fields():
    raw = covenant_dict()
    del raw["contents"][0]["criteria"][1]["target"]
    with pytest.raises(DataError) as exc:
        make_covenant(raw)
    p = _only(exc.value.problems)
    assert p.where == "contents[0].criteria[1]"
    assert p.message == "tiêu chí loại 'target' cần 'target' (giá trị chỉ tiêu, > 0)"


def test_yaml_syntax_error_has_a_line_and_column(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("bloc: x\nyear: 2018\ncontents: [\n  - id: A\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_covenant(path)
    p = _only(exc.value.problems)
    assert p.file == str(path)
    assert p.where.startswith("dòng ") and ", cột " in p.where
    assert p.message.startswith("không đọc được giao ước thi đua (YAML)")


# --------------------------------------------------------------------------- run parameters

def test_unknown_bloc_and_period_list_what_is_valid():
    ws = Workspace.open(DATA)
    with pytest.raises(ParameterError) as exc:
        ws.check("khoi-khong-co", "2018")
    assert str(exc.value) == ("Khối 'khoi-khong-co' không có trong dữ liệu. Các khối hợp lệ: "
                              "kinh-te-ky-thuat, noi-chinh-tong-hop, van-hoa-xa-hoi, van-hoa-xa-hoi-bac-giang.")  # + the former Bắc Giang bloc
    with pytest.raises(ParameterError) as exc:
        ws.check(BLOC, "2017")
    assert str(exc.value).startswith(f"Khối '{BLOC}' không có dữ liệu kỳ '2017'. Các kỳ có dữ liệu: 2018-H1, 2018, 2019-H1")
