"""The province's own step: its settings (``province/province.yaml``) and its secretariat's inputs
for the province's documents (``province/<period>/documents.yaml``).

Blocs propose their leading unit for the provincial flag; the province then proposes some of
them for the Government's flag. How many and which are rules of the province's year, not of a
bloc's covenant (Decree 152/2025 Art. 7(1): at most 20% of the bloc-leading collectives that meet
the provincial flag's standard), so they live here, in data, with the rounding and the order
stated. Since 1 July 2025 provinces have merged: ``former`` names the provinces a data folder
still holds blocs of (``blocs.csv``'s ``province`` column), so that the overview can say which
former province each bloc belonged to.

    # province/province.yaml
    name: Bắc Ninh
    former:                      # provinces merged into this one, and from when
      - {name: Bắc Giang, merged_on: 2025-07-01}
    government_flag:
      award: co_thi_dua          # the provincial flag's award id in the blocs' covenants
      ratio: 0.2
      rounding: floor            # floor | half_up | ceil
      order: [share, margin]     # share of the covenant maximum, then lead over the bloc's next unit
      basis: Nghị định 152/2025/NĐ-CP, Điều 7 khoản 1
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationError

from toolkit import config
from toolkit.errors import DataError, Problem
from toolkit.model.periods import Period
from toolkit.model.readers import read_yaml
from toolkit.model.schema import Model, schema_problems
from toolkit.model.secretariat import Numbers, Signer, Text, _message
from toolkit.model.text import normalize_tree

SETTINGS = "province.yaml"
DOCUMENTS = "documents.yaml"
ORDER_KEYS = {"share": "tỷ lệ tổng điểm so với điểm tối đa của giao ước cao hơn",
              "margin": "cách biệt với đơn vị xếp tiếp theo trong khối (tính theo tỷ lệ điểm tối đa) lớn hơn",
              "total": "tổng điểm cao hơn"}


class GovernmentFlag(Model):
    """Who of the blocs' leading units the province proposes for the Government's flag (Cờ thi đua của Chính phủ)."""

    award: Text = "co_thi_dua"
    title: Text = "Cờ thi đua của Chính phủ"
    ratio: float = Field(0.2, gt=0, le=1)
    rounding: Literal["floor", "half_up", "ceil"] = "floor"
    order: list[Literal["share", "margin", "total"]] = Field(default_factory=lambda: ["share", "margin"], min_length=1)
    basis: str = "Nghị định 152/2025/NĐ-CP, Điều 7 khoản 1"
    confirmed: bool = False  # the rounding was checked against the legal text (the decree states no rounding)


class Former(Model):
    name: Text
    merged_on: _dt.date


class Province(Model):
    name: str  # empty only for the defaults (no province.yaml): then no bloc is taken for another province's
    synthetic: bool = False
    former: list[Former] = []
    government_flag: GovernmentFlag = GovernmentFlag()

    def former_name(self, province: str, year: int) -> str:
        """How a bloc's province is named in ``year``: a merged province is "tỉnh X (cũ)" from its merger on."""
        for f in self.former:
            if f.name == province and year >= f.merged_on.year:
                return f"tỉnh {province} (cũ)"
        return f"tỉnh {province}"


def province_dir(data_dir: Path) -> Path:
    return Path(data_dir) / config.PROVINCE


def load_province(data_dir: Path) -> Province:
    """``province/province.yaml``, or the defaults (Decree 152/2025's 20%, rounded down) with no name: every bloc is the province's."""
    path = province_dir(data_dir) / SETTINGS
    if not path.exists():
        return Province(name="")
    raw = normalize_tree(read_yaml(path, "thiết lập của tỉnh (province.yaml)"))
    try:
        return Province.model_validate(raw)
    except ValidationError as exc:
        raise DataError(schema_problems(exc, str(path), "thiết lập của tỉnh", _message)) from None


# --------------------------------------------------------------------------- the province's documents


class CouncilMeeting(Model):
    """The provincial council's meeting whose minutes the tờ trình cites (Decree 152/2025 Art. 37(2))."""

    date: _dt.date
    body: Text = "Hội đồng Thi đua - Khen thưởng tỉnh"


class ProvinceDocuments(Model):
    """What the province's secretariat writes for its tờ trình and danh sách, which the results do not hold."""

    synthetic: bool = False
    place: Text  # "Bắc Ninh"
    parent_body: str = ""  # "UBND tỉnh Bắc Ninh" (empty when the issuer is the People's Committee itself)
    issuer: Text  # "Sở Nội vụ tỉnh Bắc Ninh"
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^\s/]+$")]  # "SNV" -> "Số: 05/TTr-SNV"
    numbers: Numbers = Numbers()
    date: _dt.date
    addressee: Text  # "Ủy ban nhân dân tỉnh"
    signer: Signer
    recipients: list[str] = Field(min_length=1)
    archive: str = "VT"
    council: CouncilMeeting | None = None
    legal_basis: list[str] = []  # the province's own bases, before the blocs' proposals


def load_province_documents(data_dir: Path, period: Period) -> ProvinceDocuments:
    """``province/<period>/documents.yaml``; a missing file is a DataError naming what it must hold."""
    path = province_dir(data_dir) / str(period) / DOCUMENTS
    if not path.exists():
        raise DataError([Problem(str(path), "", "không có tệp thông tin soạn văn bản của tỉnh (địa danh, cơ quan ban hành, "
                                                "ký hiệu, ngày, nơi gửi, người ký, nơi nhận): lập theo docs/documents.md")])
    raw = normalize_tree(read_yaml(path, "thông tin soạn văn bản của tỉnh (documents.yaml)"))
    try:
        doc = ProvinceDocuments.model_validate(raw)
    except ValidationError as exc:
        raise DataError(schema_problems(exc, str(path), "thông tin soạn văn bản của tỉnh", _message)) from None
    if doc.date.year not in (period.year, period.year + 1):
        raise DataError([Problem(str(path), "date", f"ngày {doc.date:%d/%m/%Y} không thuộc kỳ {period} "
                                                    f"(cần trong năm {period.year} hoặc đầu năm {period.year + 1})")])
    if doc.council and doc.council.date > doc.date:
        raise DataError([Problem(str(path), "council.date", f"ngày họp {doc.council.date:%d/%m/%Y} sau ngày tờ trình "
                                                            f"{doc.date:%d/%m/%Y}: tờ trình căn cứ biên bản họp")])
    return doc
