"""Eligibility with its reasons, quotas and their rounding, exclusions and ties at the quota edge."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import by_unit, covenant_dict, main_data, main_staff, main_votes, make_covenant, tie_data
from toolkit.model.covenant import Award
from toolkit.engine.evaluate import evaluate
from toolkit.engine.nominations import quota_size

DISCIPLINE = "Không đủ điều kiện: có sự kiện loại trừ: Kỷ luật công chức (02 công chức bị khiển trách)"
NO_SHOW = "Không đủ điều kiện: chưa nộp bảng tự chấm điểm"


def _status(result, award):
    e = result["eligibility"]
    return by_unit(e[e.award_id == award], "status")


def _nominated(result, award):
    e = result["eligibility"]
    return sorted(e[(e.award_id == award) & e.nominated].unit_id)


def test_flag_skips_the_disqualified_top_unit(main_result):
    # u1 ranks 1st (94) but has a 'ky_luat' event, which disqualifies it for both awards;
    # u2 (rank 2, 90, band xs, every target met, 4/4 votes, within the excellent cap) gets the flag.
    assert by_unit(main_result["units"], "rank")["u1"] == 1
    assert _status(main_result, "co") == {
        "u1": DISCIPLINE,
        "u2": "Đề nghị",
        # u3: band 'tot'; party rated 'Hoàn thành tốt' < tsvm; youth union 'Khá' < 'Vững mạnh'; 3/4 = 75 % < 80 %
        "u3": "Không đủ điều kiện: xếp loại chưa đạt 'Hoàn thành xuất sắc nhiệm vụ'; "
              "không đạt chỉ tiêu: Chi bộ trong sạch vững mạnh; Đoàn Thanh niên vững mạnh; tỷ lệ phiếu 75,0% dưới mức 80%",
        # u4: band 'ht'; 23/24 completed < 100 %; 6 excellent > 25 % x 20 = 5.00 -> 5
        "u4": "Không đủ điều kiện: xếp loại chưa đạt 'Hoàn thành xuất sắc nhiệm vụ'; "
              "không đạt chỉ tiêu: 100% công chức hoàn thành nhiệm vụ; "
              "vượt trần tỷ lệ hoàn thành xuất sắc: 6 > 25% × 20 (hoàn thành tốt nhiệm vụ trở lên) = 5,00 → 5 "
              "(làm tròn đến số nguyên gần nhất (0,5 lên))",
        # u5: no submission; 2/20 = 10 % excellent < 15 %; no party cell row (required)
        "u5": NO_SHOW + "; không đạt chỉ tiêu: Ít nhất 15% hoàn thành xuất sắc; Chi bộ trong sạch vững mạnh",
    }
    assert _nominated(main_result, "co") == ["u2"]


def test_certificate_excludes_the_flag_nominee(main_result):
    assert _status(main_result, "bk") == {
        "u1": DISCIPLINE,
        "u2": "Không đề nghị: đã được đề nghị Cờ thi đua",
        # u3: band 'tot' reaches the minimum band; 20/20 completed; its ky_luat row has count 0
        "u3": "Đề nghị",
        "u4": "Không đủ điều kiện: xếp loại chưa đạt 'Hoàn thành tốt nhiệm vụ'; "
              "không đạt chỉ tiêu: 100% công chức hoàn thành nhiệm vụ",
        "u5": NO_SHOW,
    }
    e = main_result["eligibility"]
    assert by_unit(e[e.award_id == "bk"], "eligible") == {"u1": False, "u2": True, "u3": True, "u4": False, "u5": False}


def test_each_eligibility_row_names_its_award(main_result):
    e = main_result["eligibility"]
    # 5 members x 2 awards of the test covenant, each row with the award's title as the covenant writes it
    assert e.groupby("award_id")["award"].agg(lambda a: (len(a), set(a))).to_dict() == {
        "co": (5, {"Cờ thi đua"}), "bk": (5, {"Bằng khen"})}


def test_quota_table(main_result):
    q = main_result["quotas"].set_index("award_id")
    # flag: 1 unit; certificate: 40 % of 5 members = 2.00 -> 2 (floor); only u3 could be nominated
    assert q.loc["co", ["quota", "quota_rule", "nominated"]].tolist() == [1, "1 đơn vị", 1]
    assert q.loc["bk", ["quota", "quota_rule", "nominated"]].tolist() == [
        2, "40% × 5 thành viên = 2,00 → 2 (làm tròn xuống)", 1]


def test_optional_organisation_missing_does_not_cost_an_award(main_result):
    # u2 has no youth union; that target is 'required: false', so it is not applicable to u2
    t = main_result["targets"]
    row = t[(t.unit_id == "u2") & (t.target_id == "doan")].iloc[0]
    assert pd.isna(row["met"])
    assert row["detail"] == "không có số liệu Đoàn Thanh niên (không bắt buộc)"
    assert _status(main_result, "co")["u2"] == "Đề nghị"


def test_staff_target_without_data_blocks_the_award_and_says_why(cov, vocab):
    staff = [r for r in main_staff() if r[0] != "u3"]
    r = evaluate(cov, main_data(staff=staff), vocab)
    assert _status(r, "bk")["u3"] == "Không đủ điều kiện: chưa có số liệu chỉ tiêu: 100% công chức hoàn thành nhiệm vụ"
    assert _nominated(r, "bk") == []


def test_missing_vote_blocks_the_flag_and_frees_the_certificate(cov, vocab):
    votes = [v for v in main_votes() if v[0] != "u2"]
    r = evaluate(cov, main_data(votes=votes), vocab)
    assert _status(r, "co")["u2"] == "Không đủ điều kiện: chưa có kết quả bỏ phiếu bình xét"
    assert _nominated(r, "co") == []
    # u2 was not nominated for the flag, so the certificate no longer excludes it:
    # u2 (rank 2) and u3 (rank 4) fill the quota of 2
    assert _nominated(r, "bk") == ["u2", "u3"]


def _edge_covenant(**quota):
    raw = covenant_dict()
    raw["awards"] = [{"id": "bk", "title": "Bằng khen", "quota": quota, "min_band": "ht"}]
    return make_covenant(raw)


def test_tie_straddling_the_quota_edge_goes_back_to_the_bloc(vocab):
    # ranks x 1, y 2, z 2, w 4, v 5; all reach band 'ht'. Quota 40 % x 5 = 2: x fits; y and z
    # share rank 2 and only one place is left, so neither is nominated silently.
    r = evaluate(_edge_covenant(share=0.4, rounding="floor"), tie_data(), vocab)
    edge = "Đồng hạng ở ranh giới hạn mức: khối cần bình xét bổ sung"
    assert _status(r, "bk") == {
        "x": "Đề nghị", "y": edge, "z": edge,
        "w": "Đủ điều kiện nhưng ngoài hạn mức (xếp hạng 4)", "v": "Đủ điều kiện nhưng ngoài hạn mức (xếp hạng 5)"}
    assert r["quotas"]["nominated"].tolist() == [1]


def test_a_tie_that_fits_the_quota_is_nominated_whole(vocab):
    # quota 3: x (1) and both units sharing rank 2 fit exactly
    r = evaluate(_edge_covenant(count=3), tie_data(), vocab)
    assert _nominated(r, "bk") == ["x", "y", "z"]
    assert _status(r, "bk")["w"] == "Đủ điều kiện nhưng ngoài hạn mức (xếp hạng 4)"


def test_half_year_uses_only_half_year_awards_and_no_annual_targets(vocab):
    raw = covenant_dict()
    raw["awards"].append({"id": "gk", "title": "Giấy khen 6 tháng", "quota": {"count": 1}, "periods": ["half"],
                          "min_total": 85})
    r = evaluate(make_covenant(raw), main_data(staff=[], orgs=[], votes=[], period="2024-H1"), vocab)
    assert set(r["eligibility"]["award_id"]) == {"gk"}
    assert len(r["targets"]) == 0 and len(r["cap"]) == 0
    # u1 94 first; u2 90 eligible but the quota is 1; u4 84.35 and u3 80.38 are below 85
    assert _status(r, "gk") == {
        "u1": "Đề nghị",
        "u2": "Đủ điều kiện nhưng ngoài hạn mức (xếp hạng 2)",
        "u3": "Không đủ điều kiện: tổng điểm 80,38 thấp hơn mức tối thiểu 85,00",
        "u4": "Không đủ điều kiện: tổng điểm 84,35 thấp hơn mức tối thiểu 85,00",
        "u5": NO_SHOW,
    }


# --------------------------------------------------------------------------- quota arithmetic

def _award(**quota) -> Award:
    return Award.model_validate({"id": "a", "title": "A", "quota": quota})


@pytest.mark.parametrize("share, members, rounding, expected", [
    (0.5, 5, "floor", 2), (0.5, 5, "half_up", 3), (0.5, 5, "ceil", 3),      # 2.5
    (0.45, 5, "floor", 2), (0.45, 5, "half_up", 2), (0.45, 5, "ceil", 3),   # 2.25
    (0.3, 5, "floor", 1), (0.3, 5, "half_up", 2), (0.3, 5, "ceil", 2),      # 1.5
    (0.7, 10, "ceil", 7),     # 0.7 x 10 = 7.000000000000001 in binary: still 7, not 8
    (0.29, 100, "floor", 29),  # 0.29 x 100 = 28.999999999999996 in binary: still 29, not 28
    (0.2, 12, "half_up", 2),  # 2.4
    (0.2, 13, "half_up", 3),  # 2.6
])
def test_quota_share_rounding(share, members, rounding, expected):
    n, text = quota_size(_award(share=share, rounding=rounding), members)
    assert n == expected


def test_quota_rule_text():
    assert quota_size(_award(share=0.5, rounding="ceil"), 5) == (3, "50% × 5 thành viên = 2,50 → 3 (làm tròn lên)")
    assert quota_size(_award(share=0.3, rounding="half_up"), 5) == (
        2, "30% × 5 thành viên = 1,50 → 2 (làm tròn đến số nguyên gần nhất (0,5 lên))")
    assert quota_size(_award(count=2), 9) == (2, "2 đơn vị")
