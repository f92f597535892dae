"""`thidua covenant draft`, `check` and `diff` on a copy of the sample data, hand-checked.

The sample lineage merges Sở Nông nghiệp và PTNT and Sở Tài nguyên và Môi trường into Sở Nông
nghiệp và Môi trường, Sở Giao thông vận tải into Sở Xây dựng, and Sở Thông tin và Truyền thông into Sở Khoa học và
Công nghệ (a member of van-hoa-xa-hoi), from 2025: drafting 2025 from 2024 with the 2025 members removed shows the
merged units under their successors. The bloc has 9 members in 2025 (membership.csv).
"""
from __future__ import annotations

import pandas as pd
import yaml
from click.testing import CliRunner

from conftest import DATA
from toolkit.cli.main import main
from toolkit.engine.covenant_draft import _replace_units
from toolkit.model.registry import load_registry
from toolkit.model.workspace import Workspace

BLOC = "kinh-te-ky-thuat"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_draft_2026_from_2025_on_the_sample_data(data_copy):
    membership_before = (data_copy / "membership.csv").read_bytes()
    r = run("covenant", "draft", "--bloc", BLOC, "--year", 2026, "--data", data_copy)
    assert r.exit_code == 0, r.output
    path = data_copy / "covenants" / BLOC / "2026.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    old = yaml.safe_load((DATA / "covenants" / BLOC / "2025.yaml").read_text(encoding="utf-8"))
    assert raw["year"] == 2026 and raw["title"] == "Giao ước thi đua năm 2026"
    assert raw["signed_on"] is None and raw["signed_at"] is None
    assert raw["contents"] == old["contents"] and raw["awards"] == old["awards"] and raw["bands"] == old["bands"]
    assert [p["key"] for p in raw["to_decide"]] == ["signed_on", "signed_at", "legal_basis", "membership",
                                                    "awards[0].quota", "awards[1].quota"]
    # 30 % of 9 members (membership.csv, 2025), rounded down: 0.3 × 9 = 2.7 -> 2, in 2025 as in 2026
    assert raw["to_decide"][5]["note"] == ("hạn mức 'Bằng khen của Chủ tịch UBND tỉnh' năm 2026: 30% × 9 thành viên = 2,70 → 2 "
                                           "(làm tròn xuống) (năm 2025: 30% × 9 thành viên = 2,70 → 2 (làm tròn xuống))")
    # the 9 members of 2025 carried to 2026 in membership.csv's order with their 2025 roles (so-nn-mt leader,
    # cuc-du-tru-ha-bac deputy; no lineage event in 2026), appended after the lines already there
    after = (data_copy / "membership.csv").read_bytes()
    assert after.startswith(membership_before)
    added = after[len(membership_before):].decode().splitlines()
    assert added == ["2026,kinh-te-ky-thuat,so-cong-thuong,member", "2026,kinh-te-ky-thuat,so-nn-mt,leader",
                     "2026,kinh-te-ky-thuat,cuc-du-tru-ha-bac,deputy",
                     "2026,kinh-te-ky-thuat,ban-ql-kcn,member", "2026,kinh-te-ky-thuat,lien-minh-htx,member",
                     "2026,kinh-te-ky-thuat,quy-phat-trien-dat,member", "2026,kinh-te-ky-thuat,so-xay-dung,member",
                     "2026,kinh-te-ky-thuat,quy-dau-tu-phat-trien,member", "2026,kinh-te-ky-thuat,ban-ql-do-thi,member"]
    ws = Workspace.open(data_copy)
    assert ws.covenant(BLOC, 2026).year == 2026  # the draft loads: reports could already use it
    # never overwritten without --force; with it, the same draft again (membership now has 2026: not added twice)
    text = path.read_bytes()
    r = run("covenant", "draft", "--bloc", BLOC, "--year", 2026, "--data", data_copy)
    assert r.exit_code == 2 and "không ghi đè" in r.output and path.read_bytes() == text
    r = run("covenant", "draft", "--bloc", BLOC, "--year", 2026, "--data", data_copy, "--force")
    assert r.exit_code == 0 and (data_copy / "membership.csv").read_bytes() == after
    assert "membership" not in [p["key"] for p in yaml.safe_load(path.read_text(encoding="utf-8"))["to_decide"]]


def test_draft_puts_merged_units_under_their_successor(data_copy):
    m = pd.read_csv(data_copy / "membership.csv")
    m[~((m["year"] == 2025) & (m["bloc_id"] == BLOC))].to_csv(data_copy / "membership.csv", index=False, lineterminator="\n")
    (data_copy / "covenants" / BLOC / "2025.yaml").unlink()
    r = run("covenant", "draft", "--bloc", BLOC, "--year", 2025, "--data", data_copy)
    assert r.exit_code == 0, r.output
    rows = pd.read_csv(data_copy / "membership.csv")
    got = rows[(rows["year"] == 2025) & (rows["bloc_id"] == BLOC)][["unit_id", "role"]].values.tolist()
    # 2024: 12 members; so-nn-ptnt and so-tn-mt -> so-nn-mt (once, at so-nn-ptnt's place); so-gtvt -> so-xay-dung
    # (at so-gtvt's place; so-xay-dung was a member already); so-tt-tt -> so-kh-cn, a unit of van-hoa-xa-hoi (in
    # 2024 and 2025): it leaves the bloc, as the real 2025 list has it; 12 - 3 = 9 rows; leader and deputy as in 2024
    assert got == [["so-cong-thuong", "member"], ["so-nn-mt", "member"], ["so-xay-dung", "member"],
                   ["cuc-du-tru-ha-bac", "member"], ["ban-ql-kcn", "member"], ["lien-minh-htx", "member"],
                   ["quy-phat-trien-dat", "member"], ["quy-dau-tu-phat-trien", "leader"], ["ban-ql-do-thi", "deputy"]]
    note = next(p["note"] for p in yaml.safe_load((data_copy / "covenants" / BLOC / "2025.yaml").read_text(encoding="utf-8"))["to_decide"]
                if p["key"] == "membership")
    assert ("theo sáp nhập, đổi tên (Sở Nông nghiệp và Phát triển nông thôn → Sở Nông nghiệp và Môi trường; Sở Giao thông "
            "vận tải → Sở Xây dựng; Sở Thông tin và Truyền thông → Sở Khoa học và Công nghệ (thuộc khối khác: không còn là "
            "thành viên khối); Sở Tài nguyên và Môi trường → Sở Nông nghiệp và Môi trường)") in note
    # 12 members in 2024, 9 in the draft of 2025: the certificates' quota goes from floor(3.6) = 3 to floor(2.7) = 2
    assert "awards[1].quota" in r.output and "30% × 12 thành viên = 3,60 → 3" in r.output
    assert "30% × 9 thành viên = 2,70 → 2" in r.output


def test_unit_ids_named_by_a_setting_follow_the_lineage():
    reg = load_registry(DATA)
    succ = reg.successors(2024, 2025)
    found = []
    raw = {"verification": {"groups": [{"verifier": "so-gtvt", "units": ["so-nn-ptnt", "so-tn-mt", "so-cong-thuong"]}]},
           "title": "so-gtvt là mã, không phải tên"}
    out = _replace_units(raw, succ, (), found)
    assert out == {"verification": {"groups": [{"verifier": "so-xay-dung", "units": ["so-nn-mt", "so-cong-thuong"]}]},
                   "title": "so-gtvt là mã, không phải tên"}
    assert found == [("verification.groups[0].verifier", "so-gtvt", "so-xay-dung"),
                     ("verification.groups[0].units[0]", "so-nn-ptnt", "so-nn-mt"),
                     ("verification.groups[0].units[1]", "so-tn-mt", "so-nn-mt")]


def test_check_exits_2_until_the_draft_is_decided_then_0(data_copy):
    run("covenant", "draft", "--bloc", BLOC, "--year", 2026, "--data", data_copy)
    r = run("covenant", "check", "--bloc", BLOC, "--year", 2026, "--data", data_copy)
    path = data_copy / "covenants" / BLOC / "2026.yaml"
    assert r.exit_code == 2
    assert r.output.count("[LỖI]") == 6 and f"{path}: to_decide[0]: chưa quyết định: signed_on" in r.output
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw.update(signed_on="2026-03-12", signed_at="Sở Công Thương", to_decide=[])
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    r = run("covenant", "check", "--bloc", BLOC, "--year", 2026, "--data", data_copy)
    assert r.exit_code == 0, r.output
    assert r.output == (f"Giao ước {path} hợp lệ: 6 nội dung, 14 tiêu chí, tổng 100 điểm; 4 mức xếp loại, 5 chỉ tiêu, "
                        "2 hình thức khen thưởng; 9 đơn vị thành viên năm 2026.\n")  # 2025's 9 members carried


def test_check_reports_every_problem_of_a_covenant_at_once_with_file_and_key(data_copy):
    path = data_copy / "covenants" / BLOC / "2025.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["year"] = 2024                                     # not the year its file is for
    raw["contents"][0]["criteria"][0]["max"] = 12          # 102 points
    raw["awards"][0]["quota"] = {"count": 20}              # 9 members in 2025
    raw["bands"][0]["min_total"] = 120                     # at most 102 + 8
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    r = run("covenant", "check", "--bloc", BLOC, "--year", 2025, "--data", data_copy)
    assert r.exit_code == 2
    lines = [x.strip() for x in r.output.splitlines()]
    assert lines[0] == f"Giao ước {path} chưa hợp lệ (4 lỗi):"
    assert [x.split(": ")[1] for x in lines[1:]] == ["total", "year", "bands[0]", "awards[0].quota"]
    assert all(x.startswith(f"[LỖI] {path}: ") for x in lines[1:])


def test_check_names_the_missing_covenant_and_how_to_draft_it(data_copy):
    r = run("covenant", "check", "--bloc", BLOC, "--year", 2031, "--data", data_copy)
    assert r.exit_code == 2 and "thidua covenant draft --bloc kinh-te-ky-thuat --year 2031" in r.output
    assert "Traceback" not in r.output


def test_diff_says_the_changes_in_words(data_copy):
    run("covenant", "draft", "--bloc", BLOC, "--year", 2026, "--data", data_copy)
    path = data_copy / "covenants" / BLOC / "2026.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["contents"][0]["criteria"][0]["max"] = 12   # N1.1 10 -> 12
    raw["contents"][1]["criteria"][0]["max"] = 8    # N2.1 10 -> 8: still 100 in all
    raw["awards"][1]["quota"]["share"] = 0.25
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    r = run("covenant", "diff", "--bloc", BLOC, 2025, 2026, "--data", data_copy)
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == [
        "Giao ước năm 2026 so với năm 2025: 3 thay đổi, 2 thay đổi cách tính điểm.",
        "- Tiêu chí: Đổi N1.1. Chất lượng, tiến độ tham mưu đề án, cơ chế, chính sách: điểm chuẩn: 10 → 12 "
        "(ảnh hưởng cách tính điểm).",
        "- Tiêu chí: Đổi N2.1. Thực hiện chức năng, nhiệm vụ quản lý Nhà nước được giao: điểm chuẩn: 10 → 8 "
        "(ảnh hưởng cách tính điểm).",
        "- Khen thưởng: Đổi Bằng khen của Chủ tịch UBND tỉnh: hạn mức: 30% số thành viên (làm tròn xuống) → 25% số thành viên "
        "(làm tròn xuống).",
    ]


def test_diff_of_two_identical_rule_sets_says_so(data_copy):
    run("covenant", "draft", "--bloc", BLOC, "--year", 2026, "--data", data_copy)
    r = run("covenant", "diff", "--bloc", BLOC, 2025, 2026, "--data", data_copy)
    assert r.output == "Giao ước năm 2026 không thay đổi quy định nào so với năm 2025.\n"


def test_a_merged_unit_takes_the_highest_role_of_its_predecessors():
    from dataclasses import replace

    from toolkit.engine.covenant_draft import carried_members

    reg = load_registry(DATA)
    m = reg.membership.copy()
    y24 = (m["year"] == 2024) & (m["bloc_id"] == BLOC)
    m.loc[y24 & (m["unit_id"] == "so-tn-mt"), "role"] = "deputy"      # merged into so-nn-mt with so-nn-ptnt (member)
    m.loc[y24 & (m["unit_id"] == "ban-ql-do-thi"), "role"] = "member"
    rows, replaced = carried_members(replace(reg, membership=m), BLOC, 2024, 2025)
    roles = {r["unit_id"]: r["role"] for r in rows}
    # 12 in 2024 - 3 (so-tn-mt joins so-nn-ptnt in so-nn-mt; so-gtvt joins so-xay-dung; so-tt-tt leaves for
    # so-kh-cn of van-hoa-xa-hoi) = 9
    assert roles["so-nn-mt"] == "deputy" and roles["quy-dau-tu-phat-trien"] == "leader" and len(rows) == 9
    assert "so-kh-cn" not in roles
    # lineage.csv, 2025, from units that were 2024 members of the bloc (so-tt-tt -> so-kh-cn is new in the sample)
    assert replaced == {"so-nn-ptnt": "so-nn-mt", "so-gtvt": "so-xay-dung", "so-tt-tt": "so-kh-cn", "so-tn-mt": "so-nn-mt"}


def test_a_draft_into_a_year_of_other_rating_labels_leaves_the_staff_targets_and_the_cap_to_decide(data_copy):
    # vocabularies.yaml: staff labels 2015-2019, then 2020 on ("... nhưng còn hạn chế về năng lực" dropped); party and
    # mass scales have one version over both years. 2020 has its members already: no membership item.
    r = run("covenant", "draft", "--bloc", BLOC, "--year", 2020, "--data", data_copy, "--force")
    assert r.exit_code == 0, r.output
    raw = yaml.safe_load((data_copy / "covenants" / BLOC / "2020.yaml").read_text(encoding="utf-8"))
    assert [p["key"] for p in raw["to_decide"]] == [
        "signed_on", "signed_at", "legal_basis", "awards[0].quota", "awards[1].quota",
        "targets.staff[0]", "targets.staff[1]", "targets.excellent_cap"]
    assert raw["to_decide"][5]["note"] == "thang xếp loại công chức năm 2020 khác năm 2019: xem lại mức và tỷ lệ"
