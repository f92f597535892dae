"""Synthetic award decisions of the province for the sample blocs' year ends 2018-2024.

The province grants fewer than the blocs propose (Bến Tre 2018: 48 of 69 flags), so each year has
one decision for the flags and one for the certificates, granting the blocs' proposals except those
listed in :data:`REFUSED`. The 2025 proposals have no decision yet: they stay "chờ quyết định".

The proposals are written out here as data (:data:`PROPOSED`, what the engine nominates from the
sample of the fixed seed; tests/test_sample_data.py checks they still are), rather than computed:
the samples sit beside the engine, not above it, and ``thidua sample`` stays quick. Another seed
gives other nominations, so decisions are written for the fixed seed only. Numbers, dates and
signers are invented and every file says it is synthetic.
"""
from __future__ import annotations

from pathlib import Path

from toolkit import config
from toolkit.model.decisions import Decision, DecisionLine, decision_path, dump_decision

BODY = "UBND tỉnh Bắc Ninh"
SIGNER = ("Trần Văn Minh", "Chủ tịch")  # invented
CERT_SIGNER = ("Lê Thị Hương", "KT. Chủ tịch - Phó Chủ tịch")  # invented

# (bloc, year) -> award -> units proposed, in rank order (the engine's nominations for the sample seed)
PROPOSED: dict[tuple[str, int], dict[str, list[str]]] = {
    ("kinh-te-ky-thuat", 2018): {"co_thi_dua": ["so-tn-mt"], "bang_khen": ["so-cong-thuong", "so-tt-tt", "so-xay-dung"]},
    ("kinh-te-ky-thuat", 2019): {"co_thi_dua": ["so-tn-mt"], "bang_khen": ["so-tt-tt", "cuc-du-tru-ha-bac", "quy-phat-trien-dat"]},
    ("kinh-te-ky-thuat", 2020): {"co_thi_dua": ["quy-phat-trien-dat"], "bang_khen": ["so-cong-thuong", "so-tn-mt", "cuc-du-tru-ha-bac"]},
    ("kinh-te-ky-thuat", 2021): {"co_thi_dua": ["ban-ql-kcn"], "bang_khen": ["so-tt-tt", "so-tn-mt", "quy-phat-trien-dat"]},
    ("kinh-te-ky-thuat", 2022): {"co_thi_dua": ["so-tn-mt"], "bang_khen": ["quy-phat-trien-dat", "so-xay-dung", "ban-ql-do-thi"]},
    ("kinh-te-ky-thuat", 2023): {"co_thi_dua": ["so-tt-tt"], "bang_khen": ["so-tn-mt", "cuc-du-tru-ha-bac", "ban-ql-do-thi"]},
    ("kinh-te-ky-thuat", 2024): {"co_thi_dua": ["quy-phat-trien-dat"], "bang_khen": ["so-cong-thuong", "so-tn-mt", "cuc-du-tru-ha-bac"]},
    ("noi-chinh-tong-hop", 2018): {"bang_khen": ["so-tu-phap", "so-tai-chinh"]},
    ("noi-chinh-tong-hop", 2019): {"co_thi_dua": ["thanh-tra-tinh"], "bang_khen": ["so-tu-phap", "so-kh-dt"]},
    ("noi-chinh-tong-hop", 2020): {"bang_khen": ["so-tu-phap", "van-phong-ubnd"]},
    ("noi-chinh-tong-hop", 2021): {"co_thi_dua": ["so-tu-phap"], "bang_khen": ["thanh-tra-tinh", "so-kh-dt"]},
    ("noi-chinh-tong-hop", 2022): {"co_thi_dua": ["so-tu-phap"], "bang_khen": ["thanh-tra-tinh", "so-kh-dt"]},
    ("noi-chinh-tong-hop", 2023): {"co_thi_dua": ["so-tu-phap"], "bang_khen": ["thanh-tra-tinh", "so-tai-chinh"]},
    ("noi-chinh-tong-hop", 2024): {"co_thi_dua": ["thanh-tra-tinh"], "bang_khen": ["so-noi-vu", "so-tu-phap"]},
    ("van-hoa-xa-hoi", 2018): {"co_thi_dua": ["so-kh-cn"], "bang_khen": ["bhxh-tinh", "bao-bac-ninh"]},
    ("van-hoa-xa-hoi", 2019): {"co_thi_dua": ["bhxh-tinh"], "bang_khen": ["so-ld-tb-xh", "bao-bac-ninh"]},
    ("van-hoa-xa-hoi", 2020): {"co_thi_dua": ["so-ld-tb-xh"], "bang_khen": ["so-vh-tt-dl", "bao-bac-ninh"]},
    ("van-hoa-xa-hoi", 2021): {"co_thi_dua": ["so-kh-cn"], "bang_khen": ["so-ld-tb-xh", "bhxh-tinh"]},
    ("van-hoa-xa-hoi", 2022): {"co_thi_dua": ["so-ld-tb-xh"], "bang_khen": ["bhxh-tinh", "bao-bac-ninh"]},
    ("van-hoa-xa-hoi", 2023): {"co_thi_dua": ["so-ld-tb-xh"], "bang_khen": ["so-kh-cn", "bhxh-tinh"]},
    ("van-hoa-xa-hoi", 2024): {"co_thi_dua": ["so-ld-tb-xh"], "bang_khen": ["so-vh-tt-dl", "bhxh-tinh"]},
}

# proposals the province did not grant: (year, award) -> units
REFUSED: dict[tuple[int, str], set[str]] = {
    (2018, "bang_khen"): {"so-xay-dung"},
    (2019, "bang_khen"): {"quy-phat-trien-dat", "bao-bac-ninh"},
    (2020, "co_thi_dua"): {"quy-phat-trien-dat"},
    (2021, "bang_khen"): {"so-kh-dt"},
    (2022, "co_thi_dua"): {"so-ld-tb-xh"},
    (2022, "bang_khen"): {"ban-ql-do-thi"},
    (2023, "bang_khen"): {"so-tai-chinh", "cuc-du-tru-ha-bac"},
    (2024, "bang_khen"): {"so-tn-mt"},
}

AWARDS = {  # award -> (first number in 2018, step per year, day of January of the next year, signer)
    "co_thi_dua": (215, 31, 16, SIGNER),
    "bang_khen": (228, 29, 23, CERT_SIGNER),
}


def decisions(names: dict[str, str]) -> list[Decision]:
    """The sample decisions, oldest first; ``names`` (unit id -> name) gives the names they print."""
    out = []
    for year in sorted({y for _b, y in PROPOSED}):
        for award, (first, step, day, (signer, title)) in AWARDS.items():
            granted = [u for (_b, y), props in sorted(PROPOSED.items()) if y == year for u in props.get(award, [])
                       if u not in REFUSED.get((year, award), set())]
            out.append(Decision(number=f"{first + step * (year - 2018)}/QĐ-UBND", date=f"{year + 1}-01-{day:02d}", body=BODY,
                                signer=signer, signer_title=title, period=str(year), awards=[award],
                                lines=[DecisionLine(award=award, unit_id=u, name=names[u]) for u in granted],
                                synthetic=True, source="Dữ liệu mẫu (tổng hợp): không phải quyết định thật của tỉnh"))
    return out


def write(out: Path, names: dict[str, str], seed: int, sample_seed: int) -> list[Path]:
    """Write the decisions into the data folder ``out`` (for the sample's own seed only: see the module docstring)."""
    if seed != sample_seed:
        return []
    written = []
    for d in decisions(names):
        path = decision_path(out, d.period, d.number)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_decision(d), encoding="utf-8")
        written.append(path)
    assert all(p.is_relative_to(Path(out) / config.DECISIONS) for p in written)
    return written
