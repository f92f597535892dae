"""The sample's 2025 reorganisation, as the real one went (still synthetic figures).

- Decree 45/2025: departments merged (Sở NN&PTNT and Sở TN&MT into Sở NN&MT; Sở GTVT into Sở Xây
  dựng; Sở KH&ĐT into Sở Tài chính; Sở Ngoại vụ into Văn phòng UBND tỉnh);
- Sở Thông tin và Truyền thông merged into Sở Khoa học và Công nghệ;
- Decree 150/2025: Sở Lao động - Thương binh và Xã hội dissolved, its functions split: labour to
  Sở Nội vụ, social protection to Sở Y tế, vocational education to Sở Giáo dục và Đào tạo;
- the provincial newspaper and broadcaster merged into Báo và Phát thanh, Truyền hình Bắc Ninh;
- from 1 July 2025 Bắc Ninh and Bắc Giang merged into the new Bắc Ninh (Resolution 202/2025/QH15):
  Bắc Giang's departments of its culture-society bloc merged into the new province's, and its own
  Sở Lao động - Thương binh và Xã hội was split like Bắc Ninh's.

The Bắc Giang bloc has data for 2023 and 2024 only (enough for the trends to follow its units
into the new province). Data of 2025 is drawn from a stream of its own (:func:`stream`), so that
the earlier years of every bloc keep the values they had before the reorganisation was modelled.
"""
from __future__ import annotations

import numpy as np

BAC_GIANG = "Bắc Giang"
BG_BLOC = ("van-hoa-xa-hoi-bac-giang", "Khối các sở, ngành văn hóa - xã hội tỉnh Bắc Giang", BAC_GIANG)
BG_YEARS = range(2023, 2025)

UNITS = [  # units that appear with the reorganisation: the merged press, and Bắc Giang's bloc
    ("bao-va-ptth", "Báo và Phát thanh, Truyền hình Bắc Ninh", "Báo và PT-TH", "board"),
    ("so-gd-dt-bac-giang", "Sở Giáo dục và Đào tạo tỉnh Bắc Giang", "SGD&ĐT BG", "department"),
    ("so-y-te-bac-giang", "Sở Y tế tỉnh Bắc Giang", "SYT BG", "department"),
    ("so-vh-tt-dl-bac-giang", "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Giang", "SVHTT&DL BG", "department"),
    ("so-ld-tb-xh-bac-giang", "Sở Lao động - Thương binh và Xã hội tỉnh Bắc Giang", "SLĐTB&XH BG", "department"),
    ("bao-bac-giang", "Báo Bắc Giang", "Báo BG", "board"),
]
BG_MEMBERS = [u[0] for u in UNITS[1:]]

LINEAGE = [
    (2025, "so-tt-tt", "so-kh-cn", "merge"),
    (2025, "so-ld-tb-xh", "so-noi-vu", "split"),
    (2025, "so-ld-tb-xh", "so-y-te", "split"),
    (2025, "so-ld-tb-xh", "so-gd-dt", "split"),
    (2025, "bao-bac-ninh", "bao-va-ptth", "merge"),
    (2025, "dai-ptth", "bao-va-ptth", "merge"),
    (2025, "so-gd-dt-bac-giang", "so-gd-dt", "merge"),
    (2025, "so-y-te-bac-giang", "so-y-te", "merge"),
    (2025, "so-vh-tt-dl-bac-giang", "so-vh-tt-dl", "merge"),
    (2025, "so-ld-tb-xh-bac-giang", "so-noi-vu", "split"),
    (2025, "so-ld-tb-xh-bac-giang", "so-y-te", "split"),
    (2025, "so-ld-tb-xh-bac-giang", "so-gd-dt", "split"),
    (2025, "bao-bac-giang", "bao-va-ptth", "merge"),
]

VHXH_2025 = ["so-gd-dt", "so-y-te", "so-vh-tt-dl", "so-kh-cn", "bhxh-tinh", "bao-va-ptth"]


def stream(seed: int, bloc_index: int) -> np.random.Generator:
    """The 2025 draws of one bloc: independent of the stream of the earlier years."""
    return np.random.default_rng([seed, 2025, bloc_index])
