"""What the workbooks of one bloc and period are made from and checked against.

:func:`period_context` validates the bloc, the period and the units asked for and loads the
year's covenant and members once; the template writer builds every unit's workbook from it
and the reader checks every returned file against it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


from toolkit.errors import ParameterError
from toolkit.forms.workbook_layout import covenant_digest
from toolkit.model.covenant import Covenant
from toolkit.model.period_data import period_dir
from toolkit.model.periods import Period
from toolkit.model.text import normalize
from toolkit.model.vocabulary import Vocabulary


@dataclass(frozen=True)
class PeriodContext:
    """What every workbook of one bloc and period is checked against."""

    bloc: str
    bloc_name: str
    period: Period
    covenant: Covenant
    vocab: Vocabulary
    members: object  # pandas DataFrame: unit_id, name, short_name, kind, role
    folder: Path
    digest: str
    province: str = ""
    member_names: dict[str, str] = field(default_factory=dict)  # unit id -> name, in membership order


def period_context(workspace, bloc: str, period: str | Period, units=None) -> PeriodContext:
    """Validate bloc, period (data need not exist yet) and units; load the covenant."""
    if bloc not in workspace.blocs():
        raise ParameterError(f"Khối '{bloc}' không có trong dữ liệu. Các khối hợp lệ: {', '.join(workspace.blocs())}.")
    p = period if isinstance(period, Period) else Period.parse(period)
    cov = workspace.covenant(bloc, p.year)
    members = workspace.registry.members(bloc, p.year)
    if members.empty:
        raise ParameterError(f"Khối '{bloc}' không có thành viên năm {p.year} (membership.csv).")
    for u in units or ():
        if u not in set(members["unit_id"]):
            raise ParameterError(f"Đơn vị '{u}' không phải thành viên khối '{bloc}' năm {p.year}. "
                                 f"Thành viên: {', '.join(members['unit_id'])}.")
    blocs = workspace.registry.blocs
    province = blocs.loc[blocs["bloc_id"] == bloc, "province"]
    return PeriodContext(bloc, workspace.registry.bloc_name(bloc), p, cov, workspace.vocab, members,
                         period_dir(workspace.data_dir, bloc, p), covenant_digest(cov),
                         normalize(province.iloc[0]) if len(province) else "",
                         dict(zip(members["unit_id"].tolist(), members["name"].tolist())))
