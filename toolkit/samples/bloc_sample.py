"""Synthetic sample data: three Bắc Ninh blocs, 2018-2025, mid-year and year end.

Values are made reproducibly from a fixed seed and labelled synthetic wherever shown. The
2018 covenant of the economic-technical bloc carries the six contents and the targets of the
covenant signed on 15/3/2018 at Sở Giao thông vận tải; its scoring table is illustrative.
The data deliberately contains what real years bring: a unit with no submission, self scores
above verified ones, a tie on the total, a leader disqualified by a discipline event, a unit
over the excellent-share cap, NFD and badly spaced labels, and the 2025 reorganisation
(:mod:`toolkit.samples.reorganisation_2025`: mergers, the split of Sở Lao động - Thương binh và Xã
hội, and the merger of Bắc Ninh and Bắc Giang with a Bắc Giang bloc).

Why this module is over 400 lines: the sample's units, blocs, mergers and every planted
anomaly are data written out here, so a reader sees what the tests rely on.

Still so after the year-end documents were added: the sample's three blocs and their eight years are drawn from one seeded stream
in one order (the bytes of data/ depend on it); the secretariat, registrations, records, decisions, province and
2025 reorganisation samples already live in their own modules.
"""
from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from toolkit import config
from toolkit.samples import decision_sample, province_sample, records_sample, registration_sample, secretariat_sample
from toolkit.samples import reorganisation_2025 as reorg

SEED = 20180315
YEARS = range(2018, 2026)
GENERATOR = "thidua sample (toolkit/sample.py)"
REFERENCE_VOCABULARY = config.REFERENCE_DIR / config.VOCABULARY

UNITS = [
    # unit_id, name, short_name, kind
    ("so-cong-thuong", "Sở Công Thương", "SCT", "department"),
    ("so-nn-ptnt", "Sở Nông nghiệp và Phát triển nông thôn", "SNN&PTNT", "department"),
    ("so-gtvt", "Sở Giao thông vận tải", "SGTVT", "department"),
    ("so-tt-tt", "Sở Thông tin và Truyền thông", "STT&TT", "department"),
    ("so-tn-mt", "Sở Tài nguyên và Môi trường", "STN&MT", "department"),
    ("cuc-du-tru-ha-bac", "Cục Dự trữ Nhà nước khu vực Hà Bắc", "CDTNN Hà Bắc", "central-branch"),
    ("ban-ql-kcn", "Ban Quản lý các Khu công nghiệp", "BQL các KCN", "board"),
    ("lien-minh-htx", "Liên minh Hợp tác xã tỉnh", "LMHTX", "association"),
    ("quy-phat-trien-dat", "Quỹ Phát triển đất", "QPTĐ", "fund"),
    ("so-xay-dung", "Sở Xây dựng", "SXD", "department"),
    ("quy-dau-tu-phat-trien", "Quỹ Đầu tư phát triển", "QĐTPT", "fund"),
    ("ban-ql-do-thi", "Ban Quản lý khu vực phát triển đô thị", "BQL PTĐT", "board"),
    ("so-nn-mt", "Sở Nông nghiệp và Môi trường", "SNN&MT", "department"),
    ("so-gd-dt", "Sở Giáo dục và Đào tạo", "SGD&ĐT", "department"),
    ("so-y-te", "Sở Y tế", "SYT", "department"),
    ("so-vh-tt-dl", "Sở Văn hóa, Thể thao và Du lịch", "SVHTT&DL", "department"),
    ("so-ld-tb-xh", "Sở Lao động - Thương binh và Xã hội", "SLĐTB&XH", "department"),
    ("so-kh-cn", "Sở Khoa học và Công nghệ", "SKH&CN", "department"),
    ("bhxh-tinh", "Bảo hiểm xã hội tỉnh", "BHXH", "central-branch"),
    ("dai-ptth", "Đài Phát thanh và Truyền hình tỉnh", "Đài PT-TH", "board"),
    ("bao-bac-ninh", "Báo Bắc Ninh", "Báo BN", "board"),
    ("so-noi-vu", "Sở Nội vụ", "SNV", "department"),
    ("so-tu-phap", "Sở Tư pháp", "STP", "department"),
    ("thanh-tra-tinh", "Thanh tra tỉnh", "TTT", "department"),
    ("so-tai-chinh", "Sở Tài chính", "STC", "department"),
    ("so-kh-dt", "Sở Kế hoạch và Đầu tư", "SKH&ĐT", "department"),
    ("van-phong-ubnd", "Văn phòng UBND tỉnh", "VP UBND", "board"),
    ("so-ngoai-vu", "Sở Ngoại vụ", "SNgV", "department"),
]

LINEAGE = [  # Decree 45/2025/NĐ-CP and the 2025 provincial reorganisation
    (2025, "so-nn-ptnt", "so-nn-mt", "merge"),
    (2025, "so-tn-mt", "so-nn-mt", "merge"),
    (2025, "so-gtvt", "so-xay-dung", "merge"),
    (2025, "so-kh-dt", "so-tai-chinh", "merge"),
    (2025, "so-ngoai-vu", "van-phong-ubnd", "merge"),
]

BLOCS = [
    ("kinh-te-ky-thuat", "Khối các sở, ban, ngành tham mưu và quản lý Nhà nước về kinh tế, kỹ thuật", "Bắc Ninh"),
    ("van-hoa-xa-hoi", "Khối các sở, ngành văn hóa - xã hội", "Bắc Ninh"),
    ("noi-chinh-tong-hop", "Khối các cơ quan nội chính - tổng hợp", "Bắc Ninh"),
    reorg.BG_BLOC,  # last: its draws come after every other bloc's, so theirs did not move
]

KTKT_2018 = ["so-cong-thuong", "so-nn-ptnt", "so-gtvt", "so-tt-tt", "so-tn-mt", "cuc-du-tru-ha-bac",
             "ban-ql-kcn", "lien-minh-htx", "quy-phat-trien-dat", "so-xay-dung"]
KTKT_2020 = KTKT_2018 + ["quy-dau-tu-phat-trien", "ban-ql-do-thi"]
KTKT_2025_DRAWN = ["so-cong-thuong", "so-nn-mt", "so-tt-tt", "cuc-du-tru-ha-bac", "ban-ql-kcn", "lien-minh-htx",
                   "quy-phat-trien-dat", "so-xay-dung", "quy-dau-tu-phat-trien", "ban-ql-do-thi"]
KTKT_2025 = [u for u in KTKT_2025_DRAWN if u != "so-tt-tt"]  # merged into Sở Khoa học và Công nghệ
KTKT_LEADERS = {2018: "so-gtvt", 2019: "so-cong-thuong", 2020: "so-xay-dung", 2021: "so-tt-tt", 2022: "so-nn-ptnt",
                2023: "ban-ql-kcn", 2024: "quy-dau-tu-phat-trien", 2025: "so-nn-mt"}
VHXH = ["so-gd-dt", "so-y-te", "so-vh-tt-dl", "so-ld-tb-xh", "so-kh-cn", "bhxh-tinh", "dai-ptth", "bao-bac-ninh"]
NCTH = ["so-noi-vu", "so-tu-phap", "thanh-tra-tinh", "so-tai-chinh", "so-kh-dt", "van-phong-ubnd", "so-ngoai-vu"]
NCTH_2025 = ["so-noi-vu", "so-tu-phap", "thanh-tra-tinh", "so-tai-chinh", "van-phong-ubnd"]


def members(bloc: str, year: int) -> list[str]:
    if bloc == "kinh-te-ky-thuat":
        return KTKT_2025 if year >= 2025 else KTKT_2020 if year >= 2020 else KTKT_2018
    if bloc == "van-hoa-xa-hoi":
        return reorg.VHXH_2025 if year >= 2025 else VHXH
    if bloc == reorg.BG_BLOC[0]:
        return reorg.BG_MEMBERS if year in reorg.BG_YEARS else []
    return NCTH_2025 if year >= 2025 else NCTH


def drawn_members(bloc: str, year: int) -> list[str]:
    """The members whose 2025 draws the earlier stream made before the reorganisation was modelled (see :func:`generate`)."""
    if year < 2025:
        return members(bloc, year)
    return {"kinh-te-ky-thuat": KTKT_2025_DRAWN, "van-hoa-xa-hoi": VHXH}.get(bloc, NCTH_2025)


def years(bloc: str) -> range:
    return reorg.BG_YEARS if bloc == reorg.BG_BLOC[0] else YEARS


def leader(bloc: str, year: int) -> tuple[str, str]:
    m = members(bloc, year)
    if bloc == "kinh-te-ky-thuat":
        lead = KTKT_LEADERS[year]
    else:
        lead = m[(year - 2018) % len(m)]
    deputy = m[(m.index(lead) + 1) % len(m)]
    return lead, deputy


CONTENTS = [
    ("N1", "Tham mưu kịp thời cho Tỉnh ủy, HĐND, UBND tỉnh các chủ trương, cơ chế, chính sách phát triển kinh tế - xã hội", [
        ("N1.1", "Chất lượng, tiến độ tham mưu đề án, cơ chế, chính sách", 10, {"kind": "graded"}),
        ("N1.2", "Tỷ lệ nhiệm vụ UBND tỉnh giao hoàn thành đúng hạn", 10, {"kind": "target", "target": 95, "unit": "%"}),
    ]),
    ("N2", "Thực hiện tốt nhiệm vụ quản lý Nhà nước thuộc lĩnh vực của ngành", [
        ("N2.1", "Thực hiện chức năng, nhiệm vụ quản lý Nhà nước được giao", 10, {"kind": "graded"}),
        ("N2.2", "Thời gian giải quyết thủ tục hành chính trung bình", 10,
         {"kind": "target", "target": 10, "unit": "ngày", "lower_is_better": True}),
        ("N2.3", "Cải cách hành chính, chuyển đổi số", 5, {"kind": "graded"}),
    ]),
    ("N3", "Đẩy mạnh phong trào thi đua; “Bắc Ninh chung sức xây dựng nông thôn mới”; các chương trình mục tiêu quốc gia", [
        ("N3.1", "Tổ chức phong trào thi đua, lập thành tích chào mừng các ngày lễ lớn", 10, {"kind": "graded"}),
        ("N3.2", "Mô hình, điển hình tiên tiến được phát hiện, nhân rộng", 5, {"kind": "count", "points_per_event": 1}),
        ("N3.3", "Tham gia phong trào “Bắc Ninh chung sức xây dựng nông thôn mới”", 5, {"kind": "graded"}),
    ]),
    ("N4", "Học tập, nâng cao chuyên môn, nghiệp vụ; đào tạo, bồi dưỡng công chức, viên chức", [
        ("N4.1", "Đào tạo, bồi dưỡng công chức, viên chức đáp ứng yêu cầu nhiệm vụ", 5, {"kind": "graded"}),
        ("N4.2", "Đề tài, sáng kiến được cấp có thẩm quyền công nhận", 5, {"kind": "count", "points_per_event": 2.5}),
    ]),
    ("N5", "Phối hợp chặt chẽ giữa các sở, ban, ngành và UBND các huyện, thị xã, thành phố", [
        ("N5.1", "Phối hợp thực hiện nhiệm vụ liên ngành được giao", 10, {"kind": "graded"}),
    ]),
    ("N6", "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh (Chỉ thị 05-CT/TW); Nghị quyết Trung ương 4 (khóa XII)", [
        ("N6.1", "Tổ chức học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", 5, {"kind": "graded"}),
        ("N6.2", "Không có cán bộ, đảng viên vi phạm đến mức phải xử lý kỷ luật", 5, {"kind": "pass_fail"}),
        ("N6.3", "Gửi báo cáo thi đua, khen thưởng đầy đủ, đúng hạn", 5, {"kind": "pass_fail"}),
    ]),
]


EVENTS = (  # bonus and penalty events of the sample covenants (also used by the national-scale generator)
    {"id": "co_thi_dua_nam_truoc", "title": "Được tặng Cờ thi đua của UBND tỉnh năm trước", "points": 5, "cap": 5},
    {"id": "bang_khen_bo_nganh", "title": "Được tặng Bằng khen của Bộ, ngành Trung ương", "points": 2, "cap": 4},
    {"id": "bao_cao_cham", "title": "Gửi báo cáo chậm so với thời hạn", "points": -1, "cap": 3},
    {"id": "ky_luat", "title": "Có công chức, viên chức bị kỷ luật từ khiển trách trở lên", "points": -5, "cap": 10},
)


def _legal(year: int) -> tuple[list[str], str]:
    if year >= 2025:
        return (["Luật Thi đua, khen thưởng số 06/2022/QH15", "Nghị định 152/2025/NĐ-CP", "Thông tư 15/2025/TT-BNV",
                 "Quyết định 86/2025/QĐ-UBND tỉnh Bắc Ninh"], "Luật Thi đua, khen thưởng 2022, Điều 26; Nghị định 152/2025/NĐ-CP")
    if year >= 2024:
        return (["Luật Thi đua, khen thưởng số 06/2022/QH15", "Nghị định 98/2023/NĐ-CP"],
                "Luật Thi đua, khen thưởng 2022, Điều 26; Nghị định 98/2023/NĐ-CP")
    return (["Luật Thi đua, khen thưởng 2003 (sửa đổi, bổ sung 2013)", "Nghị định 91/2017/NĐ-CP", "Thông tư 08/2017/TT-BNV"],
            "Thông tư 08/2017/TT-BNV, Điều 8; Nghị định 91/2017/NĐ-CP")


def covenant(bloc: str, year: int) -> dict:
    """The covenant of ``bloc`` for ``year`` as a YAML-ready dict (rules versioned by year)."""
    legal, flag_basis = _legal(year)
    lead, _ = leader(bloc, year)
    name = dict((u[0], u[1]) for u in UNITS + reorg.UNITS)[lead]
    floors = (0.5, 0.4, 0.3) if year >= 2025 else (0.0, 0.0, 0.0)
    province = dict((b[0], b[2]) for b in BLOCS)[bloc]
    contents = [(cid, ctitle.replace("Bắc Ninh", province),
                 [(kid, ktitle.replace("Bắc Ninh", province), mx, extra) for kid, ktitle, mx, extra in crits])
                for cid, ctitle, crits in CONTENTS]
    cov = {
        "bloc": bloc,
        "year": year,
        "title": f"Giao ước thi đua năm {year}",
        "signed_on": f"{year}-03-15",
        "signed_at": name,
        "source": ("Báo Bắc Ninh: “Khối thi đua kinh tế, kỹ thuật ký giao ước thi đua năm 2018” (6 nội dung, chỉ tiêu); "
                   "bảng điểm là minh họa" if (bloc, year) == ("kinh-te-ky-thuat", 2018) else "Dữ liệu mẫu (tổng hợp)"),
        "synthetic": True,
        "legal_basis": legal,
        "total": 100,
        "decimals": 2,
        "band_score": "total",
        "contents": [
            {"id": cid, "title": ctitle,
             "criteria": [{"id": kid, "title": ktitle, "max": mx, **extra} for kid, ktitle, mx, extra in crits]}
            for cid, ctitle, crits in contents
        ],
        "adjustments": {
            "bonus_cap": 8,
            "penalty_cap": 10,
            "events": [dict(e) for e in EVENTS],
        },
        "bands": [
            {"id": "xuat_sac", "label": "Hoàn thành xuất sắc nhiệm vụ", "min_total": 90, "min_criterion_share": floors[0]},
            {"id": "tot", "label": "Hoàn thành tốt nhiệm vụ", "min_total": 80, "min_criterion_share": floors[1]},
            {"id": "hoan_thanh", "label": "Hoàn thành nhiệm vụ", "min_total": 70, "min_criterion_share": floors[2]},
            {"id": "khong_hoan_thanh", "label": "Không hoàn thành nhiệm vụ", "min_total": 0},
        ],
        "targets": {
            "staff": [
                {"id": "cbccvc_hoan_thanh", "title": "100% cán bộ, công chức, viên chức hoàn thành nhiệm vụ trở lên",
                 "min_level": "hoan_thanh", "min_share": 1.0},
                {"id": "cbccvc_xuat_sac", "title": "Ít nhất 15% hoàn thành xuất sắc nhiệm vụ",
                 "min_level": "xuat_sac", "min_share": 0.15},
            ],
            "organisations": [
                {"id": "dang_tsvm", "title": "Chi, Đảng bộ đạt “Trong sạch vững mạnh”", "organisation": "party", "min_level": "tsvm"},
                {"id": "cong_doan_vung_manh", "title": "Công đoàn đạt “vững mạnh”", "organisation": "union", "min_level": "vung_manh"},
                {"id": "doan_tn_vung_manh", "title": "Đoàn Thanh niên đạt “vững mạnh”", "organisation": "youth",
                 "min_level": "vung_manh", "required": False},
            ],
            "excellent_cap": {
                "level": "xuat_sac", "base_min_level": "tot", "ratio": 0.2, "rounding": "floor",
                "basis": ("Nghị định 90/2020/NĐ-CP, sửa đổi bởi Nghị định 48/2023/NĐ-CP" if year >= 2020
                          else "Nghị định 56/2015/NĐ-CP, sửa đổi bởi Nghị định 88/2017/NĐ-CP"),
                "confirmed": False,
            },
        },
        "awards": [
            {"id": "co_thi_dua", "title": "Cờ thi đua của UBND tỉnh", "quota": {"count": 1},
             "min_band": "xuat_sac", "required_targets": "all", "disqualifying_events": ["ky_luat"],
             "require_cap_compliance": year >= 2020, "min_vote_share": 0.8, "basis": flag_basis},
            {"id": "bang_khen", "title": "Bằng khen của Chủ tịch UBND tỉnh", "quota": {"share": 0.3, "rounding": "floor"},
             "min_band": "tot", "required_targets": ["cbccvc_hoan_thanh"], "disqualifying_events": ["ky_luat"],
             "excludes": ["co_thi_dua"], "basis": "Luật Thi đua, khen thưởng; quy chế khối thi đua"},
        ],
        "tie_break": ["total", "content:N1", "penalty", "self_gap"] + (["name"] if bloc == "noi-chinh-tong-hop" else []),
        "notes": ["Số liệu mẫu, tổng hợp ngẫu nhiên có kiểm soát: không phải kết quả thật của tỉnh."],
    }
    if (bloc, year) == ("noi-chinh-tong-hop", 2025):  # cross-checking (chấm chéo): says who verifies whom, changes no score
        notes = cov.pop("notes")
        cov["verification"] = {"mode": "cross", "groups": [
            {"verifier": "thanh-tra-tinh", "units": ["so-noi-vu", "so-tu-phap"]},
            {"verifier": "so-tai-chinh", "units": ["thanh-tra-tinh", "van-phong-ubnd"]},
            {"verifier": "so-noi-vu", "units": ["so-tai-chinh"]},
        ]}
        cov["notes"] = notes
    return cov


def _round(x, step):
    return np.round(np.asarray(x) / step) * step


def _scores(rng, units: list[str], strength: dict[str, float], half: bool) -> pd.DataFrame:
    rows = []
    for u in units:
        s = strength[u]
        for _cid, _ct, crits in CONTENTS:
            for kid, _kt, mx, extra in crits:
                kind = extra["kind"]
                if kind == "graded":
                    v = float(_round(np.clip(mx * (s + rng.normal(0, 0.04)), 0, mx), 0.25))
                elif kind == "target":
                    if extra.get("lower_is_better"):
                        v = float(np.round(np.clip(extra["target"] * (1.9 - s + rng.normal(0, 0.08)), 2, 30), 1))
                    else:
                        v = float(np.round(np.clip(100 * (s + rng.normal(0.02, 0.03)), 60, 100), 1))
                elif kind == "count":
                    v = float(rng.poisson(4 * s if not half else 2 * s))
                else:
                    v = float(rng.random() < 0.2 + 0.75 * s)
                over = rng.random() < 0.35
                self_v = v
                if over and kind == "graded":
                    self_v = float(min(mx, v + _round(rng.uniform(0.25, 1.5), 0.25)))
                elif over and kind == "count":
                    self_v = v + 1
                rows.append((u, kid, self_v, v))
    return pd.DataFrame(rows, columns=["unit_id", "criterion_id", "self_value", "verified_value"])


def _staff(rng, units: list[str], year: int, over_cap: str | None, fail_all: str | None) -> pd.DataFrame:
    old = year < 2020
    labels = {
        "xuat_sac": "Hoàn thành xuất sắc nhiệm vụ",
        "tot": "Hoàn thành tốt nhiệm vụ",
        "hoan_thanh": "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực" if old else "Hoàn thành nhiệm vụ",
        "khong_hoan_thanh": "Không hoàn thành nhiệm vụ",
    }
    rows = []
    for u in units:
        n = int(rng.integers(25, 120))
        xs = int(round(n * rng.uniform(0.155, 0.165)))
        tot = int(round(n * rng.uniform(0.68, 0.74)))
        if u == over_cap:
            xs, tot = int(round(n * 0.3)), int(round(n * 0.6))
        kht = 1 if u == fail_all else 0
        ht = n - xs - tot - kht
        for level, c in (("xuat_sac", xs), ("tot", tot), ("hoan_thanh", ht), ("khong_hoan_thanh", kht)):
            if c:
                rows.append((u, labels[level], c))
    df = pd.DataFrame(rows, columns=["unit_id", "rating", "count"])
    # labels as people type them: decomposed Unicode, stray spaces
    df.loc[df.index % 7 == 3, "rating"] = df.loc[df.index % 7 == 3, "rating"].map(lambda s: unicodedata.normalize("NFD", s))
    df.loc[df.index % 11 == 5, "rating"] = "  " + df.loc[df.index % 11 == 5, "rating"].str.replace(" ", "  ", n=1)
    return df


def _orgs(rng, units: list[str], year: int, weak_party: str | None) -> pd.DataFrame:
    rows = []
    for u in units:
        party = "Trong sạch vững mạnh" if (year < 2018 or year % 2 == 1) else "Hoàn thành xuất sắc nhiệm vụ"
        if u == weak_party:
            party = "Hoàn thành tốt nhiệm vụ"
        rows.append((u, "party", party))
        rows.append((u, "union", "Vững mạnh xuất sắc" if rng.random() < 0.3 else "Vững mạnh"))
        if rng.random() < 0.85:
            rows.append((u, "youth", "Vững mạnh" if rng.random() < 0.97 else "Khá"))
    return pd.DataFrame(rows, columns=["unit_id", "organisation", "rating"])


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")


def _write_yaml(obj, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(obj, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")


def _tweak_ktkt_2018(scores: pd.DataFrame, events: list, units: list[str]) -> pd.DataFrame:
    """Make the 2018 year end of the sample bloc show a tie, a disqualified leader and a no-show."""
    s = scores.set_index(["unit_id", "criterion_id"])
    # so-xay-dung ties so-cong-thuong on the total; N1 decides the tie in favour of so-cong-thuong
    s.loc["so-xay-dung", ["verified_value", "self_value"]] = s.loc["so-cong-thuong", ["verified_value", "self_value"]].to_numpy()
    s.loc[("so-xay-dung", "N1.1"), ["verified_value", "self_value"]] -= 0.5
    room = [k for k in ("N2.1", "N3.1", "N5.1", "N2.3", "N4.1") if s.loc[("so-xay-dung", k), "verified_value"] <= (5 if k in ("N2.3", "N4.1") else 10) - 0.5]
    s.loc[("so-xay-dung", room[0]), "verified_value"] += 0.5
    s.loc[("so-xay-dung", room[0]), "self_value"] = s.loc[("so-xay-dung", room[0]), "verified_value"]
    # so-tn-mt is the best unit that may receive the flag
    s.loc[("so-tn-mt", ["N1.1", "N2.1", "N3.1", "N5.1"]), "verified_value"] = 10.0
    s.loc[("so-tn-mt", ["N1.1", "N2.1", "N3.1", "N5.1"]), "self_value"] = 10.0
    # ban-ql-kcn scores best but one of its civil servants was disciplined: no flag
    for kid, _kt, mx, extra in [k for _c, _t, ks in CONTENTS for k in ks]:
        if extra["kind"] == "graded":
            s.loc[("ban-ql-kcn", kid), ["verified_value", "self_value"]] = mx
        elif extra["kind"] == "pass_fail":
            s.loc[("ban-ql-kcn", kid), ["verified_value", "self_value"]] = 1.0
        elif extra["kind"] == "count":
            s.loc[("ban-ql-kcn", kid), ["verified_value", "self_value"]] = 5.0 if mx == 5 and extra["points_per_event"] == 1 else 2.0
        else:
            s.loc[("ban-ql-kcn", kid), ["verified_value", "self_value"]] = 4.0 if extra.get("lower_is_better") else 100.0
    events[:] = [e for e in events if e[0] not in ("so-xay-dung", "so-cong-thuong", "ban-ql-kcn")]
    events.append(("ban-ql-kcn", "ky_luat", 1, "01 công chức bị kỷ luật khiển trách (Quyết định số 112/QĐ-BQL)"))
    out = s.reset_index()
    return out[out.unit_id != "quy-phat-trien-dat"]  # no submission this year


def _draw(rng, bloc: str, year: int, period: str, units: list[str], strength: dict[str, float]) -> dict[str, pd.DataFrame]:
    """The files of one bloc and period (without source.yaml), drawn from ``rng`` in a fixed order."""
    half = period.endswith("H1")
    out = {}
    scores = _scores(rng, units, strength, half)
    events = []
    for u in units:
        if rng.random() < 0.15:
            events.append((u, "bao_cao_cham", int(rng.integers(1, 3)), "Báo cáo 6 tháng gửi chậm"))
        if rng.random() < 0.12:
            events.append((u, "bang_khen_bo_nganh", 1, "Bằng khen của Bộ chủ quản"))
    before = members(bloc, year - 1)
    flagged = max(before, key=strength.get) if before else None
    if not half and year > 2018 and flagged in units:
        events.append((flagged, "co_thi_dua_nam_truoc", 1, f"Cờ thi đua của UBND tỉnh năm {year - 1}"))
    if (bloc, period) == ("kinh-te-ky-thuat", "2018"):
        scores = _tweak_ktkt_2018(scores, events, units)
    if (bloc, period) == ("kinh-te-ky-thuat", "2019-H1"):
        scores["verified_value"] = scores["verified_value"].astype(object)
        scores.loc[scores.unit_id == "lien-minh-htx", "verified_value"] = None  # not verified yet
    if (bloc, period) == ("kinh-te-ky-thuat", "2021"):
        scores = scores[scores.unit_id != "ban-ql-do-thi"]
    out["scores"] = scores.assign(note="")
    out["events"] = pd.DataFrame(events, columns=["unit_id", "event_id", "count", "reason"])
    if not half:
        over_cap = "so-tt-tt" if bloc == "kinh-te-ky-thuat" and year in (2018, 2024) else None
        fail_all = "lien-minh-htx" if bloc == "kinh-te-ky-thuat" and year == 2018 else None
        weak = "cuc-du-tru-ha-bac" if bloc == "kinh-te-ky-thuat" and year == 2018 else None
        out["staff_ratings"] = _staff(rng, units, year, over_cap, fail_all)
        out["org_ratings"] = _orgs(rng, units, year, weak)
        voters = len(units) - 1
        votes = [(u, int(min(voters, rng.binomial(voters, 0.9))), voters) for u in units]
        out["votes"] = pd.DataFrame(votes, columns=["unit_id", "approve", "voters"])
    return out


def generate(out: Path | str = config.DATA_DIR, seed: int = SEED) -> list[Path]:
    """Write the whole sample data folder; the same seed gives byte-identical files."""
    out = Path(out)
    rng = np.random.default_rng(seed)
    written: list[Path] = []

    def csv(df, rel):
        _write_csv(df, out / rel)
        written.append(out / rel)

    def yml(obj, rel):
        _write_yaml(obj, out / rel)
        written.append(out / rel)

    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REFERENCE_VOCABULARY, out / config.VOCABULARY)  # reference data, not synthetic
    written.append(out / config.VOCABULARY)
    # Bắc Ninh's blocs count the emulation year to 30 November and review it in December
    # (unconfirmed for every year: a setting of the data folder, see toolkit/model/calendar.py)
    yml({"closing": {"year": "11-30"}}, config.CALENDAR)
    csv(pd.DataFrame(UNITS + reorg.UNITS, columns=["unit_id", "name", "short_name", "kind"]), config.UNITS)
    csv(pd.DataFrame(LINEAGE + reorg.LINEAGE, columns=["year", "from_unit", "to_unit", "event"]), config.LINEAGE)
    csv(pd.DataFrame(BLOCS, columns=["bloc_id", "name", "province"]), config.BLOCS)
    mem = []
    for bloc, _n, _p in BLOCS:
        for year in years(bloc):
            lead, dep = leader(bloc, year)
            mem += [(year, bloc, u, "leader" if u == lead else "deputy" if u == dep else "member") for u in members(bloc, year)]
    csv(pd.DataFrame(mem, columns=["year", "bloc_id", "unit_id", "role"]), config.MEMBERSHIP)
    strength = {u[0]: float(rng.uniform(0.86, 0.97)) for u in UNITS}
    extra = np.random.default_rng([seed, 1])  # the reorganisation's units: not drawn from the earlier stream
    strength.update({u[0]: float(extra.uniform(0.86, 0.97)) for u in reorg.UNITS})
    for index, (bloc, _n, _p) in enumerate(BLOCS):
        for year in years(bloc):
            yml(covenant(bloc, year), f"{config.COVENANTS}/{bloc}/{year}.yaml")
            for period in (f"{year}-H1", str(year)):
                if year >= 2025:  # the old stream draws 2025 as it always did (and throws it away), so later blocs keep their values
                    _draw(rng, bloc, year, period, drawn_members(bloc, year), strength)
                    files = _draw(reorg.stream(seed, index), bloc, year, period, members(bloc, year), strength)
                else:
                    files = _draw(rng, bloc, year, period, members(bloc, year), strength)
                base = f"{config.PERIODS}/{bloc}/{period}"
                for name, frame in files.items():
                    csv(frame, f"{base}/{name}.csv")
                yml({"synthetic": True, "generator": GENERATOR, "seed": seed,
                     "description": f"Dữ liệu mẫu tổng hợp cho khối {bloc}, kỳ {period}"}, f"{base}/source.yaml")
    written += secretariat_sample.write(out)  # heads.csv; documents.yaml (every bloc) and ballots.csv of the 2024 documents
    written += registration_sample.write(out)  # registrations.csv of 2024 and 2025 (no random numbers drawn)
    written += records_sample.write(out)  # the units' records of achievements (hồ sơ thành tích)
    written += decision_sample.write(out, {u[0]: u[1] for u in UNITS}, seed, SEED)  # the province's decisions 2018-2024
    written += province_sample.write(out)  # province/province.yaml and the province's 2024 documents.yaml
    return [p for p in written if p.exists()]  # 2024's votes.csv gave way to its ballots.csv
