"""Synthetic records of achievements (``records/<unit_id>.yaml``) for the sample units.

Invented addresses, telephone numbers, heads, structures and declared awards, marked
synthetic; staff numbers are those of the unit's 2024 staff ratings, so the achievement report
agrees with the scores. Written without drawing random numbers, after the rest of the sample.
One nominee of the sample bloc (Cục Dự trữ Nhà nước khu vực Hà Bắc) has no record, and one
(Sở Tài nguyên và Môi trường) no narrative for 2024, so the sample dossier shows both kinds of
"[Đơn vị bổ sung: ...]" placeholders and a checklist that says what is still missing.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from toolkit import config
from toolkit.model.readers import read_own_csv

YEAR = 2024
WITHOUT_RECORD = {"cuc-du-tru-ha-bac"}
HEADER = ("# Hồ sơ thành tích của đơn vị (docs/data.md). DỮ LIỆU MẪU, TỔNG HỢP: địa chỉ, điện thoại, người đứng đầu,\n"
          "# cơ cấu, khen thưởng kê khai và thành tích là giả định, không phải thông tin thật của đơn vị.\n")
HEADS = ["Lê Văn Thành", "Phạm Quang Minh", "Hoàng Thị Lan", "Vũ Đức Thắng", "Đỗ Văn Hùng", "Ngô Thị Hạnh", "Bùi Văn Phúc",
         "Đinh Quốc Khánh", "Trịnh Thị Nga", "Nguyễn Văn An", "Lý Minh Tuấn", "Tạ Thị Hương", "Mai Văn Lợi", "Cao Thị Thu"]
TITLES = {"department": "Giám đốc", "board": "Trưởng ban", "fund": "Giám đốc", "central-branch": "Giám đốc",
          "association": "Chủ tịch"}
OWN_TITLES = {"cuc-du-tru-ha-bac": "Cục trưởng", "dai-ptth": "Giám đốc", "bao-bac-ninh": "Tổng Biên tập",
              "thanh-tra-tinh": "Chánh Thanh tra", "van-phong-ubnd": "Chánh Văn phòng"}
DECLARED = {  # invented decisions
    "so-tn-mt": [{"year": 2017, "award": "Bằng khen của Bộ trưởng Bộ Tài nguyên và Môi trường", "decision": "2710/QĐ-BTNMT",
                  "date": "2017-11-20", "issuer": "Bộ Tài nguyên và Môi trường"},
                 {"year": 2018, "award": "Cờ thi đua của UBND tỉnh", "decision": "215/QĐ-UBND", "date": "2019-01-25",
                  "issuer": "UBND tỉnh Bắc Ninh"}],
    "quy-phat-trien-dat": [{"year": 2017, "award": "Tập thể lao động tiên tiến", "decision": "1890/QĐ-UBND",
                            "date": "2017-12-28", "issuer": "UBND tỉnh Bắc Ninh"}],
    "so-cong-thuong": [{"year": 2016, "award": "Bằng khen của Bộ trưởng Bộ Công Thương", "decision": "4521/QĐ-BCT",
                        "date": "2016-12-15", "issuer": "Bộ Công Thương"}],
}
ACHIEVEMENTS = {
    "quy-phat-trien-dat": ("*Nội dung mẫu, tổng hợp.* Năm 2024, Quỹ hoàn thành toàn bộ kế hoạch ứng vốn cho công tác bồi "
                           "thường, giải phóng mặt bằng được UBND tỉnh giao:\n\n"
                           "- giải ngân đúng hạn các khoản ứng vốn cho các dự án trọng điểm của tỉnh;\n"
                           "- thu hồi vốn ứng đúng kỳ hạn, không phát sinh nợ quá hạn.\n\n"
                           "Chi bộ được xếp loại hoàn thành xuất sắc nhiệm vụ; Công đoàn, Đoàn Thanh niên đạt vững mạnh."),
    "so-cong-thuong": ("*Nội dung mẫu, tổng hợp.* Năm 2024, Sở tham mưu UBND tỉnh ban hành các chương trình phát triển công "
                       "nghiệp, thương mại; chỉ số sản xuất công nghiệp của tỉnh tăng so với năm trước; công tác quản lý "
                       "thị trường, phòng chống buôn lậu được tăng cường."),
}


def _staff(out: Path, year: int) -> dict[str, int]:
    """Each unit's number of rated staff in ``year`` (the sum of its staff ratings), from every bloc's data."""
    staff: dict[str, int] = {}
    for f in sorted((out / config.PERIODS).glob(f"*/{year}/staff_ratings.csv")):
        s = read_own_csv(f)
        for u, n in s.groupby("unit_id")["count"].sum().items():
            staff[u] = int(n)
    return staff


def record(i: int, unit: pd.Series, staff: int | None) -> dict:
    uid, name, kind = unit["unit_id"], unit["name"], unit["kind"]
    rec = {
        "synthetic": True,
        "full_name": name if name.endswith("tỉnh") or "Hà Bắc" in name else f"{name} tỉnh Bắc Ninh",
        "address": f"Số {10 + 3 * i}, đường Lý Thái Tổ, phường Suối Hoa, thành phố Bắc Ninh, tỉnh Bắc Ninh",
        "phone": f"0222.38{i:02d}.{100 + 7 * i:03d}",
        "head": {"name": HEADS[i % len(HEADS)], "title": OWN_TITLES.get(uid, TITLES.get(kind, "Thủ trưởng đơn vị"))},
        "characteristics": (f"*Nội dung mẫu, tổng hợp.* {name} được thành lập theo quyết định của UBND tỉnh; "
                            "trụ sở đặt tại thành phố Bắc Ninh. Năm " f"{YEAR}, đơn vị có thuận lợi là được sự quan tâm chỉ đạo "
                            "của Tỉnh ủy, UBND tỉnh; khó khăn là khối lượng công việc lớn, biên chế còn thiếu."),
        "functions": (f"{name} có chức năng tham mưu, giúp UBND tỉnh thực hiện nhiệm vụ quản lý nhà nước và tổ chức thực hiện "
                      "các nhiệm vụ thuộc lĩnh vực được giao theo quy định của pháp luật (nội dung mẫu, tổng hợp)."),
        "structure": {
            **({"staff": staff} if staff is not None else {}),
            "party": f"Đảng bộ cơ sở, {3 + i % 4} chi bộ trực thuộc",
            "mass_organisations": ["Công đoàn cơ sở", "Đoàn Thanh niên Cộng sản Hồ Chí Minh"],
            "departments": ["Văn phòng", "Phòng Kế hoạch - Tài chính", "Phòng Nghiệp vụ"],
        },
    }
    if uid in DECLARED:
        rec["awards"] = DECLARED[uid]
    if uid in ACHIEVEMENTS:
        rec["achievements"] = {YEAR: ACHIEVEMENTS[uid]}
    return rec


class _Dumper(yaml.SafeDumper):
    """Multi-line text as a literal block (|), the way a person writes Markdown in YAML."""


_Dumper.add_representer(str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None))


def write(out: Path) -> list[Path]:
    units = read_own_csv(out / config.UNITS)
    staff = _staff(out, YEAR)
    folder = out / config.RECORDS
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i, unit in enumerate(units.to_dict("records")):
        if unit["unit_id"] in WITHOUT_RECORD:
            continue
        path = folder / f"{unit['unit_id']}.yaml"
        body = yaml.dump(record(i, pd.Series(unit), staff.get(unit["unit_id"])), Dumper=_Dumper, allow_unicode=True,
                         sort_keys=False, width=120)
        path.write_text(HEADER + body, encoding="utf-8")
        written.append(path)
    return written
