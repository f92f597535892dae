"""One bloc and period analysed from a data folder: load, evaluate, compare with the period before.

This is the only place that joins the model's loading to the engine's pure rules; reports,
the explorer and the data-quality checks all come through here, so they agree.
"""
from __future__ import annotations

from toolkit.engine.comparison import compare_periods
from toolkit.engine.evaluate import PeriodResult, evaluate, rank_period
from toolkit.engine.ballot_count import base_notes
from toolkit.errors import DataError
from toolkit.model.period_data import PeriodData
from toolkit.model.periods import Period
from toolkit.model.workspace import Workspace


def analyse(ws: Workspace, bloc: str, period: str | Period, compare: bool = True) -> PeriodResult:
    """Every result of one bloc and period (``compare``: also the change since the previous period)."""
    return analyse_with_data(ws, bloc, period, compare)[0]


def analyse_with_data(ws: Workspace, bloc: str, period: str | Period, compare: bool = True) -> tuple[PeriodResult, PeriodData]:
    """:func:`analyse`, also returning the period data it loaded (the explorer keeps it for what-if runs)."""
    p = ws.check(bloc, period)
    cov, data = ws.load(bloc, p)
    frames = evaluate(cov, data, ws.vocab)
    notes = list(cov.notes)
    cap = cov.targets.excellent_cap
    if cap is not None and not cap.confirmed:
        notes.append(f"Trần tỷ lệ hoàn thành xuất sắc ({cap.basis or 'không rõ căn cứ'}) chưa được đối chiếu với văn bản gốc; "
                     f"cách làm tròn '{cap.rounding}' là thiết lập của giao ước.")
    if not p.is_annual:
        notes.append("Chỉ tiêu xếp loại công chức và tổ chức là số liệu năm: không áp dụng cho kỳ này.")
    notes += base_notes(cov, frames["votes"])  # which base each vote share is counted on
    result = PeriodResult(bloc, ws.registry.bloc_name(bloc), p, cov, warnings=data.warnings, notes=notes,
                          source={**data.source, "synthetic": bool(data.source.get("synthetic") or cov.synthetic)},
                          inputs=[ws.covenant_path(bloc, p.year), *data.files], registrations=data.registrations, **frames)
    if compare:
        result.comparison = _compare(ws, bloc, p, result)
    return result, data


def _compare(ws: Workspace, bloc: str, p: Period, result: PeriodResult):
    """The change since the previous period: only its ranks and totals, so it is scored and ranked, not evaluated."""
    prev = p.previous()
    previous = None
    if str(prev) in ws.periods(bloc):
        try:
            previous = rank_period(*ws.load(bloc, prev))["units"]
        except DataError:
            previous = None
    names = dict(zip(ws.registry.units["unit_id"], ws.registry.units["name"]))
    return compare_periods(result.units, previous, ws.registry.successors(prev.year, p.year), str(prev), names,
                           result.covenant.decimals, ws.registry.split_sources(prev.year, p.year))
