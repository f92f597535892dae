"""What the explorer shows for a selection: the tables of the overview and unit tabs, and their HTML.

Built once per (bloc, period) and per (bloc, period, unit) and kept, so going back to a
selection only puts stored HTML into widgets. The DataFrames are exactly what the export
writes. Nothing here touches a widget.
"""
from __future__ import annotations

import base64

from toolkit.engine.evaluate import PeriodResult
from toolkit.engine.ranking import key_label
from toolkit.explorer.analyses import Analyses, Key
from toolkit.explorer.drilldown import (
    history_chart, history_table, unit_awards, unit_criteria, unit_events, unit_granted, unit_history, unit_summary, unit_targets,
)
from toolkit.explorer.html import esc, message, section, table_html
from toolkit.model.text import fmt_number
from toolkit.reports import chart_style, result_tables


class SelectionViews:
    """Tables and HTML per selection, cached.

    With ``background`` (a prefetch thread analyses periods), a unit's history uses only the
    periods analysed so far and is rebuilt when more have arrived; without, every period of
    the history is analysed when it is asked for.
    """

    def __init__(self, analyses: Analyses, background: bool):
        self.analyses = analyses
        self.background = background
        self._overview: dict[Key, dict] = {}
        self._units: dict[tuple[str, str, str], dict] = {}
        self._histories: dict[tuple[str, str, str], dict] = {}
        self._decision_data = None

    def overview(self, key: Key) -> dict:
        """``tables`` (name -> DataFrame) and ``html`` (ranking, nominations, scorecard) of the overview tab."""
        if key not in self._overview:
            res = self.analyses.result(*key)
            frames = {"Bảng điểm": result_tables.scorecard(res), "Xếp hạng": result_tables.ranking(res),
                      "Đề nghị khen thưởng": result_tables.nominations(res), "Hạn mức khen thưởng": result_tables.quotas(res)}
            noms = frames["Đề nghị khen thưởng"]
            nom_body = (table_html(frames["Hạn mức khen thưởng"]) + table_html(noms)) if len(noms) else \
                message(f"Kỳ {res.period} không xét khen thưởng (giao ước chỉ xét đề nghị khen thưởng cho các kỳ đã ghi).")
            self._overview[key] = {"tables": frames, "html": (
                section("Xếp hạng", table_html(frames["Xếp hạng"])),
                section("Đề nghị khen thưởng", nom_body),
                section("Bảng điểm (điểm từng nội dung sau thẩm định)", table_html(frames["Bảng điểm"])))}
        return self._overview[key]

    def unit(self, key: Key, unit: str) -> dict:
        """``tables`` and ``html`` (summary, awards, targets, criteria, events) of one unit's drill-down."""
        ckey = (*key, unit)
        if ckey not in self._units:
            entry = self.analyses.get(*key)
            res = entry.result
            frames = {
                "Đơn vị - tóm tắt": unit_summary(res, unit),
                "Đơn vị - khen thưởng": unit_awards(res, unit),
                "Đơn vị - được tặng": unit_granted(res, unit, *self._decisions()),
                "Đơn vị - chỉ tiêu": unit_targets(res, unit),
                "Đơn vị - tiêu chí": unit_criteria(res, unit),
                "Đơn vị - cộng trừ điểm": unit_events(entry.data, res, unit),
            }
            targets, events, granted = frames["Đơn vị - chỉ tiêu"], frames["Đơn vị - cộng trừ điểm"], frames["Đơn vị - được tặng"]
            self._units[ckey] = {"tables": frames, "html": (
                section("Tóm tắt", table_html(frames["Đơn vị - tóm tắt"])),
                section("Khen thưởng: điều kiện và lý do", table_html(frames["Đơn vị - khen thưởng"]))
                + section("Danh hiệu được tặng theo quyết định khen thưởng", table_html(granted) if len(granted) else
                          message("Chưa có quyết định khen thưởng nào tặng đơn vị này (hoặc đơn vị tiền thân).")),
                section("Chỉ tiêu", table_html(targets) if len(targets) else
                        message("Kỳ này không xét chỉ tiêu xếp loại (chỉ tiêu là số liệu năm).")),
                section("Điểm từng tiêu chí", table_html(frames["Đơn vị - tiêu chí"])),
                section("Điểm thưởng, điểm trừ", table_html(events) if len(events) else message("Không có sự kiện cộng hoặc trừ điểm.")))}
        return self._units[ckey]

    def _decisions(self) -> tuple:
        """The province's award decisions and the registry, read once per explorer (none for periods given as frames)."""
        ws = getattr(self.analyses, "ws", None)
        if self._decision_data is None:
            self._decision_data = (ws.decisions(), ws.registry) if ws is not None else (None, None)
        return self._decision_data

    def history(self, key: Key, unit: str) -> dict:
        """The unit's history from the periods analysed so far (all of them without ``background``).

        ``missing``: the periods not analysed yet; ``table`` and ``html``: the history table;
        ``png`` and ``chart`` are filled by :meth:`draw_history` (the slow part).
        """
        keys = [(b, p) for b, p, _ids in self.analyses.history_keys(*key, unit)]
        ready = frozenset(k for k in keys if self.analyses.is_cached(k)) if self.background else frozenset(keys)
        hkey = (*key, unit)
        cached = self._histories.get(hkey)
        if cached is None or cached["ready"] != ready:
            hist, missing = unit_history(self.analyses, *key, unit, cached_only=self.background)
            table = history_table(hist, {b: self.analyses.bloc_name(b) for b in hist["bloc_id"].unique()})
            cached = self._histories[hkey] = {"ready": ready, "missing": missing, "hist": hist, "table": table,
                                              "html": table_html(table), "png": None}
        return cached

    def draw_history(self, key: Key, unit: str, h: dict) -> None:
        """Draw the chart of history ``h`` (PNG, and an <img> of it) unless it has one."""
        if h["png"] is None:
            name = self.analyses.get(*key).history_rows[1][unit]["name"]
            fig = history_chart(h["hist"], f"{name}: tổng điểm và hạng")
            h["png"] = chart_style.png(fig, dpi=fig.dpi)  # small, for the panel: 72 dpi
            h["chart"] = (f'<img class="thidua-history-chart" alt="{esc("Biểu đồ lịch sử: " + name)}" style="max-width:600px" '
                          f'src="data:image/png;base64,{base64.b64encode(h["png"]).decode()}">')


def header_html(res: PeriodResult) -> str:
    """The title above the tabs: bloc, period, covenant, tie-break order, notes and warnings."""
    cov = res.covenant
    notes = list(res.notes) + [str(p.message) for p in res.warnings]
    head = (f"<h3>{esc(res.bloc_name)}: {esc(res.period.label_vi)}</h3>"
            f"<div>Giao ước: {esc(cov.title)}; tổng điểm chuẩn {esc(fmt_number(cov.total))}; "
            f"thứ tự phân hạng: {esc(', '.join(key_label(k) for k in cov.tie_break))}.</div>")
    if res.source.get("synthetic"):
        head += "<div><b>Dữ liệu mẫu</b> (tổng hợp, không phải số liệu thật của đơn vị nào).</div>"
    if notes:
        head += ("<details><summary>Ghi chú và cảnh báo (" + str(len(notes)) + ")</summary><ul>"
                 + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul></details>")
    return head
