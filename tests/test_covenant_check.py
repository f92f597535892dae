"""`thidua covenant check`: one covenant per fault, hand-worked, then several at once, and a band oracle.

The conftest covenant (total 100, smallest maximum 10 on A3, bonus at most min(5 + 4, cap 6) = 6,
penalty at most min(3 + 10, cap 8) = 8; bands xs 90/50 %, tot 80/30 %, ht 60/20 %, kht 0) is
valid: each test breaks one thing in a copy of it and says, worked by hand, what check reports.
"""
from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BLOC, covenant_dict, make_vocab
from toolkit.engine.covenant_checks import CheckContext, band_reach, check_covenant, score_range
from toolkit.engine.scoring import assign_bands
from toolkit.model.covenant import covenant_problems
from toolkit.model.vocabulary import Scale, Version, Vocabulary


def problems(raw: dict, members: int = 10, vocab: Vocabulary | None = None) -> list[tuple[str, str]]:
    """(key path, message) of every problem, loading's and the checks' (what `covenant check` prints)."""
    vocab = vocab or make_vocab()
    cov, found = covenant_problems(raw, "test.yaml", vocab.levels())
    if cov is not None:
        found += check_covenant(cov, CheckContext("test.yaml", members, vocab))
    return [(p.where, p.message) for p in found]


def test_the_conftest_covenant_passes_every_check():
    assert problems(covenant_dict()) == []


def test_maxima_not_summing_to_the_total_is_reported_at_total():
    raw = covenant_dict()
    raw["contents"][0]["criteria"][0]["max"] = 35  # 35 + 20 + 10 + 20 + 20 = 105
    assert problems(raw) == [("total", "tổng điểm khai báo 100 khác tổng điểm chuẩn các tiêu chí 105")]


def test_a_band_above_the_highest_score_is_unreachable():
    raw = covenant_dict()
    raw["bands"][0]["min_total"] = 107  # at most 100 criterion points + 6 bonus = 106
    assert problems(raw) == [("bands[0]", "không đơn vị nào có thể được xếp loại 'Hoàn thành xuất sắc nhiệm vụ': ngưỡng 107 điểm "
                                          "cao hơn số điểm tối đa có thể đạt (100 điểm tiêu chí + 6 điểm cộng)")]


def test_a_band_at_the_highest_score_is_reachable():
    raw = covenant_dict()
    raw["bands"][0]["min_total"] = 106  # 100 + 6: every criterion full and the whole bonus
    assert problems(raw) == []


def test_a_band_whose_floors_already_reach_the_band_above_is_unreachable():
    # ht: from 60 and every criterion >= 85 %: the floors alone give 85 criterion points, less at most 8 of
    # penalty = 77 at the lowest, which is not below tot's 60... no: tot needs 80, so 77 stays below it.
    # Worked: v = max(60, 85 - 8) = 77 < 80 (tot) -> reachable. With floors of 90 %: v = max(60, 90 - 8) = 82 >= 80,
    # and tot's floor (30 %) is below ht's (90 %): every unit meeting ht's floors is in tot or higher.
    raw = covenant_dict()
    raw["bands"][2]["min_criterion_share"] = 0.85
    assert problems(raw) == []
    raw["bands"][2]["min_criterion_share"] = 0.9
    assert problems(raw) == [("bands[2]", "không đơn vị nào có thể được xếp loại 'Hoàn thành nhiệm vụ': mọi đơn vị đạt mức này "
                                          "(từ 60 điểm, mỗi tiêu chí từ 90% điểm chuẩn) đều đạt mức cao hơn 'Hoàn thành tốt "
                                          "nhiệm vụ' (từ 80 điểm, mỗi tiêu chí từ 30%)")]


def test_a_band_sharing_a_threshold_is_reached_only_below_the_higher_floor():
    # xs 90/50 % and a new band 'gan_xs' 90/20 % just under it: a unit of 90 points avoids xs with one criterion
    # under 50 %. The smallest criterion (A3, 10 points) at 2 (20 %) leaves at most 100 - 8 + 6 = 98 (< 100 - 5 + 6
    # = 101, the ceiling), so 90 is reachable. At threshold 101: the ceiling is 100 - (1 - 0.5) x 10 + 6 = 101,
    # only approached from below, never reached.
    raw = covenant_dict()
    raw["bands"].insert(1, {"id": "gan_xs", "label": "Gần xuất sắc", "min_total": 90, "min_criterion_share": 0.2})
    assert problems(raw) == []
    raw["bands"][0]["min_total"] = raw["bands"][1]["min_total"] = 101
    assert problems(raw) == [("bands[1]", "không đơn vị nào có thể được xếp loại 'Gần xuất sắc': điểm thấp nhất đạt ngưỡng và "
                                          "mức sàn của mức này là 101, đã đủ ngưỡng của mức 'Hoàn thành xuất sắc nhiệm vụ'; "
                                          "muốn không vào mức đó phải có tiêu chí dưới 50% điểm chuẩn, khi đó điểm cao nhất "
                                          "chỉ dưới 101")]


def test_a_quota_larger_than_the_bloc_is_reported():
    raw = covenant_dict()
    raw["awards"][0]["quota"] = {"count": 11}
    assert problems(raw, members=10) == [("awards[0].quota", "hạn mức của 'Cờ thi đua' (11 đơn vị) lớn hơn số thành viên "
                                                             "của khối năm 2024 (10)")]


def test_a_share_quota_rounding_to_nothing_is_reported():
    # 40 % of 2 members = 0.8, rounded down: 0
    assert problems(covenant_dict(), members=2) == [
        ("awards[1].quota", "hạn mức của 'Bằng khen' là 0 đơn vị (40% × 2 thành viên = 0,80 → 0 (làm tròn xuống)): "
                            "không đơn vị nào được đề nghị")]


def test_quotas_with_the_excluded_award_must_fit_the_bloc():
    # 3 members: flag 1 + certificates floor(0.4 x 3) = 1 -> 2 <= 3 fine; quota count 3 for the certificates: 1 + 3 = 4 > 3
    assert problems(covenant_dict(), members=3) == []
    raw = covenant_dict()
    raw["awards"][1]["quota"] = {"count": 3}
    assert problems(raw, members=3) == [("awards[1].quota", "hạn mức của 'Bằng khen' (3) cộng hạn mức của danh hiệu bị loại "
                                                            "trừ (co) là 4, lớn hơn số thành viên của khối năm 2024 (3)")]


def test_a_bloc_without_members_that_year_cannot_have_its_quotas_checked():
    cov, _ = covenant_problems(covenant_dict(), "test.yaml", make_vocab().levels())
    found = check_covenant(cov, CheckContext("test.yaml", 0, make_vocab(), "data/membership.csv"))
    assert [(p.file, p.message) for p in found] == [
        ("data/membership.csv", f"khối '{BLOC}' chưa có thành viên năm 2024: không kiểm tra được hạn mức khen thưởng "
                                "(thêm các dòng năm này vào membership.csv)")]


def _vocab_without(level: str, until: int | None = None) -> Vocabulary:
    """The conftest vocabulary whose staff version has no label for ``level`` (and ends in ``until``)."""
    v = make_vocab()
    s = v.scales["staff"]
    old = s.versions[0]
    labels = {k: x for k, x in old.labels.items() if x != level}
    shown = tuple(d for d, k in zip(old.display, old.labels) if old.labels[k] != level)
    staff = Scale("staff", s.levels, s.level_labels, (Version(old.start, until, labels, shown),))
    return Vocabulary({**v.scales, "staff": staff})


def test_a_level_without_a_label_that_year_is_reported_where_the_covenant_names_it():
    # xuat_sac is named by targets.staff[1] (15 % excellent) and by the cap (its level)
    found = problems(covenant_dict(), vocab=_vocab_without("xuat_sac"))
    valid = "hoan_thanh, khong_hoan_thanh, tot"
    assert found == [
        ("targets.staff[1].min_level", f"mức 'xuat_sac' (Hoàn thành xuất sắc nhiệm vụ) không có nhãn nào hợp lệ năm 2024 "
                                       f"trong thang 'staff' (các mức dùng được: {valid})"),
        ("targets.excellent_cap.level", f"mức 'xuat_sac' (Hoàn thành xuất sắc nhiệm vụ) không có nhãn nào hợp lệ năm 2024 "
                                        f"trong thang 'staff' (các mức dùng được: {valid})")]


def test_a_scale_without_a_version_for_the_year_is_reported_once_per_level_named():
    found = problems(covenant_dict(), vocab=_vocab_without("none", until=2023))
    assert [w for w, _ in found] == ["targets.staff[0].min_level", "targets.staff[1].min_level", "targets.excellent_cap.level",
                                     "targets.excellent_cap.base_min_level"]
    assert found[0][1] == ("thang xếp loại 'staff' không có nhãn nào dùng được năm 2024 (vocabularies.yaml: thêm phiên bản "
                           "'versions' cho năm này)")


def test_an_unknown_event_target_or_award_is_reported_with_its_key_path():
    raw = covenant_dict()
    raw["awards"][0]["disqualifying_events"] = ["ky_luat", "tham_nhung"]
    raw["awards"][1]["required_targets"] = ["ht100", "ht99"]
    raw["awards"][1]["excludes"] = ["co_to_quoc"]
    assert problems(raw) == [
        ("awards[0].disqualifying_events", "sự kiện 'tham_nhung' không khai báo trong adjustments.events"),
        ("awards[1].required_targets", "chỉ tiêu 'ht99' không có trong targets"),
        ("awards[1].excludes", "danh hiệu 'co_to_quoc' không có trong awards; chỉ loại trừ được danh hiệu xét trước (co)")]


def test_points_left_open_by_a_draft_are_reported_until_removed():
    raw = covenant_dict()
    raw["to_decide"] = [{"key": "signed_on", "note": "ngày ký giao ước năm 2024"}]
    assert problems(raw) == [("to_decide[0]", "chưa quyết định: signed_on: ngày ký giao ước năm 2024 (quyết định xong thì xóa mục này)")]


def test_several_faults_are_reported_together():
    raw = covenant_dict()
    raw["contents"][0]["criteria"][0]["max"] = 35           # total: 105 != 100
    raw["bands"][2]["min_criterion_share"] = 0.9            # ht unreachable (see above: 90 - 8 = 82 >= 80 with floors 90 %)
    raw["awards"][0]["quota"] = {"count": 11}               # more than 10 members
    raw["awards"][0]["disqualifying_events"] = ["khong_co"]  # unknown event
    raw["to_decide"] = [{"key": "signed_at", "note": "nơi ký"}]
    found = [w for w, _ in problems(raw, members=10)]
    # with 105 points the floors give 94.5 - 8 = 86.5 >= 80: ht is still unreachable
    assert found == ["total", "awards[0].disqualifying_events", "bands[2]", "awards[0].quota", "to_decide[0]"]


def test_schema_errors_stop_the_checks_that_need_a_covenant_but_are_all_reported():
    raw = covenant_dict()
    raw["total"] = "một trăm"
    raw["bands"][0]["min_criterion_share"] = 2
    assert [w for w, _ in problems(raw)] == ["total", "bands[0].min_criterion_share"]


# --------------------------------------------------------------------------- band oracle

def _covenant(maxima, bands, bonus, penalty, band_score):
    raw = covenant_dict()
    raw["contents"] = [{"id": "C", "title": "Nội dung", "criteria": [
        {"id": f"C{i}", "title": f"Tiêu chí {i}", "max": m} for i, m in enumerate(maxima)]}]
    raw["total"] = sum(maxima)
    raw["band_score"] = band_score
    events = [{"id": "cong", "title": "Cộng", "points": 1, "cap": bonus}] if bonus else []
    events += [{"id": "tru", "title": "Trừ", "points": -1, "cap": penalty}] if penalty else []
    raw["adjustments"] = {"events": events}
    raw["bands"] = [{"id": f"b{i}", "label": f"Mức {i}", "min_total": t, "min_criterion_share": s} for i, (t, s) in enumerate(bands)]
    raw["awards"] = []
    raw["tie_break"] = ["total"]
    cov, found = covenant_problems(raw, "test.yaml", make_vocab().levels())
    assert found == []
    return cov


def _band_of(cov, criteria, bonus, penalty) -> str | None:
    maxima = [k.max for _, k in cov.criteria]
    total = pd.DataFrame({"criteria_total": [sum(criteria)], "total": [sum(criteria) + bonus - penalty],
                          "min_share": [min(c / m for c, m in zip(criteria, maxima))]})
    band = assign_bands(total, cov)["band_id"].iloc[0]
    return None if pd.isna(band) else band


_bands = st.lists(st.tuples(st.integers(0, 60).map(float), st.sampled_from([0, 0.1, 0.2, 0.3, 0.5, 0.8, 0.9, 1.0])),
                  min_size=1, max_size=4).map(lambda bs: sorted(bs, key=lambda b: -b[0]))


@settings(max_examples=150, deadline=None)
@given(maxima=st.lists(st.integers(1, 20).map(float), min_size=1, max_size=4), bands=_bands, bonus=st.integers(0, 6),
       penalty=st.integers(0, 6), band_score=st.sampled_from(["total", "criteria"]),
       units=st.lists(st.tuples(st.lists(st.integers(0, 20), min_size=4, max_size=4), st.integers(0, 6), st.integers(0, 6)),
                      min_size=1, max_size=20))
def test_band_reach_agrees_with_the_engine(maxima, bands, bonus, penalty, band_score, units):
    """A reachable band's witness lands in that band; no unit, however scored, lands in a band said unreachable."""
    cov = _covenant(maxima, bands, bonus, penalty, band_score)
    reach = [band_reach(cov, i) for i in range(len(cov.bands))]
    for i, r in enumerate(reach):
        if r.reachable:
            assert _band_of(cov, r.criteria, r.bonus, r.penalty) == cov.bands[i].id, r
            assert all(0 <= c <= m + 1e-9 for c, m in zip(r.criteria, maxima))
            _, most_bonus, most_penalty = score_range(cov)
            assert r.bonus <= most_bonus + 1e-9 and r.penalty <= most_penalty + 1e-9
    unreachable = {cov.bands[i].id for i, r in enumerate(reach) if not r.reachable}
    _, most_bonus, most_penalty = score_range(cov)
    for steps, b, p in units:
        criteria = [m * s / 20 for m, s in zip(maxima, steps)]  # 0, 5 %, ..., 100 % of each maximum: floors are hit exactly
        band = _band_of(cov, criteria, min(b, most_bonus), min(p, most_penalty))
        assert band not in unreachable


def test_cross_checking_groups_must_verify_every_member_of_that_year_once():
    # members a, b, c; a verifies b, b verifies a: c is verified by nobody, and d (in a group) is no member that year
    raw = covenant_dict()
    raw["verification"] = {"mode": "cross", "groups": [{"verifier": "a", "units": ["b", "d"]}, {"verifier": "b", "units": ["a"]}]}
    cov, found = covenant_problems(raw, "test.yaml", make_vocab().levels())
    assert found == []
    ctx = CheckContext("test.yaml", 3, make_vocab(), member_ids=("a", "b", "c"))
    assert [(p.where, p.message) for p in check_covenant(cov, ctx)] == [
        ("verification.groups[0].units[1]", "đơn vị 'd' không phải thành viên khối năm này"),
        ("verification.groups", "chưa có nhóm thẩm định các thành viên: c")]
