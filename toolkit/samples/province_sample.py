"""Synthetic province-level files of the sample: the province's settings and its secretariat's inputs for 2024,
and the secretariat file of the former Bắc Giang bloc's 2024 documents (every bloc drafts its documents).

Written after the blocs (``generate`` calls :func:`write`) without drawing random numbers, so the
other sample files stay as they were. The province is the new Bắc Ninh formed on 1 July 2025 from
Bắc Ninh and Bắc Giang (Resolution 202/2025/QH15); people, numbers and dates are invented.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from toolkit import config
from toolkit.model.province import DOCUMENTS, SETTINGS
from toolkit.samples.reorganisation_2025 import BG_BLOC

HEADER = ("# Thiết lập và thông tin soạn văn bản của tỉnh (docs/data.md, docs/documents.md). DỮ LIỆU MẪU, TỔNG HỢP:\n"
          "# tên người, số văn bản và ngày là giả định, không phải văn bản thật của tỉnh.\n")

SETTINGS_DATA = {
    "name": "Bắc Ninh",
    "synthetic": True,
    "former": [{"name": "Bắc Giang", "merged_on": "2025-07-01"}],
    "government_flag": {
        "award": "co_thi_dua",
        "title": "Cờ thi đua của Chính phủ",
        "ratio": 0.2,
        "rounding": "floor",
        "order": ["share", "margin"],
        "basis": "Nghị định 152/2025/NĐ-CP, Điều 7 khoản 1 (trước 01/7/2025: Nghị định 98/2023/NĐ-CP)",
        "confirmed": False,
    },
}

DOCUMENTS_2024 = {
    "synthetic": True,
    "place": "Bắc Ninh",
    "parent_body": "UBND tỉnh Bắc Ninh",
    "issuer": "Sở Nội vụ",
    "code": "SNV",
    "numbers": {"to_trinh": 12},
    "date": "2025-01-10",
    "addressee": "Ủy ban nhân dân tỉnh Bắc Ninh",
    "signer": {"authority": "KT. Giám đốc", "title": "Phó Giám đốc", "name": "Trần Thị Hoa"},
    "recipients": ["Như trên", "Hội đồng Thi đua - Khen thưởng tỉnh", "Các khối thi đua của tỉnh"],
    "archive": "VT, TĐKT",
    "council": {"date": "2025-01-08", "body": "Hội đồng Thi đua - Khen thưởng tỉnh"},
    "legal_basis": ["Luật Thi đua, khen thưởng số 06/2022/QH15", "Nghị định 98/2023/NĐ-CP",
                    "Quy chế hoạt động của các khối thi đua thuộc UBND tỉnh"],
}


BAC_GIANG_2024 = {  # the former Bắc Giang bloc's year-end documents (its narrative left to the secretariat: placeholders)
    "synthetic": True,
    "place": "Bắc Giang",
    "parent_body": "UBND tỉnh Bắc Giang",
    "issuer": "Khối thi đua các sở, ngành văn hóa - xã hội",
    "code": "VHXH",
    "numbers": {"bao_cao": 7, "to_trinh": 8, "bien_ban": 6},
    "date": "2024-12-10",
    "addressee": "Hội đồng Thi đua - Khen thưởng tỉnh Bắc Giang",
    "signer": {"authority": "TM. Khối thi đua", "title": "Trưởng khối", "name": "Hoàng Văn Sơn"},
    "recipients": {"bao_cao": ["Hội đồng Thi đua - Khen thưởng tỉnh", "Các đơn vị thành viên Khối"],
                   "to_trinh": ["Như trên", "Ban Thi đua - Khen thưởng (Sở Nội vụ tỉnh Bắc Giang)"]},
    "archive": "VT, Khối",
    "meeting": {"date": "2024-12-09", "start": "14:00", "end": "16:30", "place": "Hội trường Sở Giáo dục và Đào tạo tỉnh Bắc Giang",
                "chair": {"name": "Hoàng Văn Sơn", "position": "Trưởng khối"},
                "secretary": {"name": "Lê Thị Lan", "position": "Chuyên viên"}},
}


def write(out: Path) -> list[Path]:
    base = Path(out) / config.PROVINCE
    files = {base / SETTINGS: SETTINGS_DATA, base / "2024" / DOCUMENTS: DOCUMENTS_2024}
    bg = Path(out) / config.PERIODS / BG_BLOC[0] / "2024" / DOCUMENTS
    if not bg.exists():  # a secretariat sample that writes every bloc's file goes first and wins
        files[bg] = BAC_GIANG_2024
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    return list(files)
