"""Interactive explorer for analysts: the same engine and data as the reports, in clicks.

``Explorer`` builds and wires ipywidgets: bloc and period drop-downs filled from the data; the
scorecard, ranking and nominations; a unit drill-down (:mod:`toolkit.explorer.drilldown`); a
what-if panel (:mod:`toolkit.explorer.whatif`); and one button that exports the tables in view
to xlsx (:mod:`toolkit.explorer.export`). It runs in JupyterLab (``notebooks/explore.ipynb``)
and as an app in Voilà (``thidua app``).

Analysed periods come from :mod:`toolkit.explorer.analyses` (cached, filled in the background),
so a change of selection only slices results and builds tables (:mod:`toolkit.explorer.views`);
only the open tab is drawn (the history chart is the slow part). Tests drive the explorer as a user would: set a widget's
value, ``click()`` a button, read the HTML widgets or the DataFrames in ``view``.

Every text that comes from submissions is escaped before it becomes HTML (:mod:`toolkit.explorer.html`).
"""
from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from toolkit import config
from toolkit.engine.evaluate import PeriodResult
from toolkit.errors import ThiduaError
from toolkit.explorer.silent_updates import Quiet
from toolkit.explorer.analyses import Analyses, FramesAnalyses, Key, Prefetcher, WorkspaceAnalyses, lineage_ids, period_order
from toolkit.explorer.export import ExportButton, export_stem, info_table
from toolkit.explorer.first_view import FirstView, publish
from toolkit.explorer.html import LIVE_STYLE, STYLE, message
from toolkit.explorer.views import SelectionViews, header_html
from toolkit.explorer.whatif import WhatIfPanel
from toolkit.model.covenant import Covenant
from toolkit.model.period_data import PeriodData
from toolkit.model.periods import Period
from toolkit.model.text import fmt_number
from toolkit.model.workspace import Workspace
from toolkit.reports import result_tables

OVERVIEW_TAB, UNIT_TAB = 0, 1  # the what-if tab (2) is never redrawn on a selection change


def default_period(periods: list[str]) -> str:
    """The latest year period, else the latest period."""
    years = [p for p in periods if Period.parse(p).is_annual]
    pool = years or periods
    return max(pool, key=period_order) if pool else ""


def _period_label(p: str) -> str:
    return f"{p} ({Period.parse(p).label_vi})"


class Explorer(Quiet):
    """Widgets over :class:`Analyses`; ``widget`` is the root, ``show()`` displays it and starts prefetching.

    Tests drive it as a user would: set ``bloc.value``, ``period.value``, ``unit.value`` or a
    control of the what-if panel (``whatif``), ``click()`` a button, and read the HTML of the
    table widgets or the DataFrames in ``view`` (exactly what is displayed and exported).
    """

    def __init__(self, analyses: Analyses, bloc: str = "", period: str = "", *, prefetch: bool = True,
                 scenarios_root: Path | None = None, export_dir: Path | None = None):
        self.analyses = analyses
        scenarios_root = Path(scenarios_root) if scenarios_root else analyses.scenarios_root
        export_dir = Path(export_dir) if export_dir else config.REPORTS_DIR / "explorer"
        self.prefetcher = Prefetcher(analyses, self._prefetched) if prefetch else None
        self._lock = threading.RLock()
        self._quiet = 0
        self._valid = False  # a selection is shown (False after a period whose data has errors)
        self._stale: set[int] = set()  # tabs whose widgets do not show the current selection yet
        self._history_wait: set[Key] = set()
        self._history_last = 0.0
        self.history_png = b""  # the history chart on display (PNG)
        self.views = SelectionViews(analyses, background=prefetch)
        self.whatif = WhatIfPanel(analyses, lambda: self.key, self._busy, scenarios_root)
        self.exporter = ExportButton(export_dir)
        self._build()
        blocs = analyses.blocs()
        if not blocs:
            raise ThiduaError("Không có khối nào có dữ liệu.")
        bloc = bloc or blocs[0]
        if bloc not in blocs:
            raise ThiduaError(f"Khối '{bloc}' không có dữ liệu. Các khối có dữ liệu: {', '.join(blocs)}.")
        periods = analyses.periods(bloc)
        period = str(Period.parse(period)) if period else default_period(periods)
        if period not in periods:
            raise ThiduaError(f"Khối '{bloc}' không có dữ liệu kỳ '{period}'. Các kỳ có dữ liệu: {', '.join(periods)}.")
        with self._silence():
            self.bloc.options = [(f"{analyses.bloc_name(b)} ({b})", b) for b in blocs]
            self.bloc.value = bloc
            self._set_periods(bloc, period)
        self._select("khởi tạo")

    # ----------------------------------------------------------------- constructors

    @classmethod
    def open(cls, data_dir: Path | str | None = None, bloc: str = "", period: str = "", **kw) -> "Explorer":
        """An explorer over a data folder (default: the project's, or THIDUA_DATA)."""
        ws = Workspace.open(Path(data_dir) if data_dir else config.DATA_DIR)
        return cls(WorkspaceAnalyses(ws), bloc, period, **kw)

    @classmethod
    def from_frames(cls, periods: dict[str, tuple[Covenant, PeriodData]], vocab, bloc_names: dict[str, str] | None = None,
                    bloc: str = "", period: str = "", **kw) -> "Explorer":
        """An explorer over in-memory stacked data (every period evaluated once, for all blocs)."""
        analyses = FramesAnalyses(periods, vocab, bloc_names, kw.pop("scenarios_root", None))
        kw.setdefault("prefetch", False)
        return cls(analyses, bloc, period, **kw)

    # ----------------------------------------------------------------- widgets

    def _build(self) -> None:
        self.style = widgets.HTML(STYLE + LIVE_STYLE)
        self.bloc = widgets.Dropdown(description="Khối", layout=widgets.Layout(width="62%"), style={"description_width": "60px"})
        self.period = widgets.Dropdown(description="Kỳ", layout=widgets.Layout(width="36%"), style={"description_width": "40px"})
        self.status = widgets.HTML()
        self.header = widgets.HTML()
        self.scorecard_html, self.ranking_html, self.nominations_html = widgets.HTML(), widgets.HTML(), widgets.HTML()
        overview = widgets.VBox([self.ranking_html, self.nominations_html, self.scorecard_html])

        self.unit = widgets.Dropdown(description="Đơn vị", layout=widgets.Layout(width="70%"), style={"description_width": "60px"})
        self.unit_summary_html, self.unit_criteria_html = widgets.HTML(), widgets.HTML()
        self.unit_targets_html, self.unit_awards_html, self.unit_events_html = widgets.HTML(), widgets.HTML(), widgets.HTML()
        self.history_status = widgets.HTML()
        self.history_html = widgets.HTML()  # the chart (an <img>) and the table in one widget, so they always match
        unit_box = widgets.VBox([self.unit, self.unit_summary_html, self.unit_awards_html, self.unit_targets_html,
                                 self.unit_criteria_html, self.unit_events_html, widgets.HTML("<h4>Lịch sử qua các kỳ</h4>"),
                                 self.history_status, self.history_html])

        self.tabs = widgets.Tab(children=[overview, unit_box, self.whatif.widget], titles=["Tổng quan", "Đơn vị", "Giả định"])
        self.widget = widgets.VBox([self.style, widgets.HBox([self.bloc, self.period]), self.status, self.header, self.tabs,
                                    self.exporter.widget])
        self.widget.add_class("thidua-explorer")
        for w, cls in ((self.bloc, "thidua-bloc"), (self.period, "thidua-period"), (self.unit, "thidua-unit"),
                       (self.status, "thidua-status"), (self.ranking_html, "thidua-ranking"),
                       (self.nominations_html, "thidua-nominations"), (self.scorecard_html, "thidua-scorecard"),
                       (self.unit_summary_html, "thidua-unit-summary"), (self.unit_criteria_html, "thidua-unit-criteria"),
                       (self.unit_awards_html, "thidua-unit-awards"), (self.history_html, "thidua-history")):
            w.add_class(cls)

        self.bloc.observe(self._on_bloc, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.period.observe(self._on_period, names="value")
        self.unit.observe(self._on_unit, names="value")
        self.exporter.button.on_click(lambda _b: self.export())

    def show(self) -> "FirstView":
        """What the notebook displays (the root widget); starts filling the cache in the background."""
        if self.prefetcher is not None:
            self.prefetcher.start()
        html = self.first_view_html()
        publish(html)  # under `thidua app`: the next visitors read it before their own kernel has run
        return FirstView(self.widget, html)

    def first_view_html(self) -> str:
        """The opening selection as plain HTML: what the overview tab shows, for a page whose widgets are not drawn yet."""
        if not self._valid:
            return ""
        ranking, nominations, scorecard = self.views.overview(self.key)["html"]
        return (f'{STYLE}<div class="thidua-explorer">{self.header.value}'
                f'{message("Đang tải các nút chọn khối, kỳ, đơn vị…")}{ranking}{nominations}{scorecard}</div>')

    def _ipython_display_(self):  # pragma: no cover - exercised in the browser tests
        from IPython.display import display

        display(self.show())

    # ----------------------------------------------------------------- plumbing

    @contextlib.contextmanager
    def _busy(self):
        """A UI handler runs: the prefetch thread waits, and no other rendering interleaves."""
        pause = self.prefetcher.paused() if self.prefetcher is not None else contextlib.nullcontext()
        with pause, self._lock:
            yield

    @property
    def key(self) -> Key:
        return (self.bloc.value, self.period.value)

    @property
    def result(self) -> PeriodResult:
        return self.analyses.result(*self.key)

    def _set_periods(self, bloc: str, keep: str = "") -> None:
        periods = sorted(self.analyses.periods(bloc), key=period_order, reverse=True)
        value = keep if keep in periods else default_period(periods)
        with self._silence():
            self.period.options = [(_period_label(p), p) for p in periods]
            self.period.value = value

    # ----------------------------------------------------------------- selection

    def _on_bloc(self, change) -> None:
        if self._quiet:
            return
        self._set_periods(change["new"], self.period.value)
        self._select("khối")

    def _on_period(self, change) -> None:
        if not self._quiet:
            self._select("kỳ")

    def _on_unit(self, change) -> None:
        if self._quiet or change["new"] is None or not self._valid:
            return
        with self._busy():
            t0 = time.perf_counter()
            self._stale.add(UNIT_TAB)
            self._render_visible()
            self._status(f"Đơn vị: cập nhật trong {fmt_number(time.perf_counter() - t0)} giây.")

    def _on_tab(self, change) -> None:
        if self._valid and change["new"] in self._stale:
            with self._busy():
                self._render_visible()

    def _select(self, what: str) -> None:
        with self._busy():
            t0 = time.perf_counter()
            key = self.key
            cached = self.analyses.is_cached(key)
            try:
                entry = self.analyses.get(*key)
            except ThiduaError as exc:
                self._clear(str(exc))
                return
            res = entry.result
            self._valid = True
            old = self.unit.value
            with self._silence():
                self.unit.options = self._unit_options(res)
                self.unit.value = self._keep_unit(old, res)
            self._unit_year = res.period.year
            self.header.value = header_html(res)
            self.whatif.show_covenant(res.covenant)
            self._stale = {OVERVIEW_TAB, UNIT_TAB}
            self._render_visible()
            took = time.perf_counter() - t0
            self._status(f"{res.bloc_name}, {res.period.label_vi}: cập nhật trong {fmt_number(took)} giây"
                         + (" (đã tính sẵn)." if cached else " (vừa tính)."))
            if self.prefetcher is not None:
                bloc = key[0]
                self.prefetcher.want([(bloc, p) for p in sorted(self.analyses.periods(bloc), key=period_order, reverse=True)],
                                     urgent=True)
                self.prefetcher.want([(b, default_period(self.analyses.periods(b))) for b in self.analyses.blocs()])
                self.prefetcher.want(self.analyses.all_keys())

    def _status(self, text: str, error: bool = False) -> None:
        pending = self.prefetcher.pending if self.prefetcher is not None else 0
        extra = f" Đang tính sẵn thêm {pending} kỳ trong nền." if pending and not error else ""
        self.status.value = message(text + extra, error)

    def _clear(self, error: str) -> None:
        self._valid = False
        self._stale = set()
        self.whatif.clear()
        self.history_png = b""
        with self._silence():
            self.unit.options = []
        for w in (self.header, self.scorecard_html, self.ranking_html, self.nominations_html, self.unit_summary_html,
                  self.unit_criteria_html, self.unit_targets_html, self.unit_awards_html, self.unit_events_html,
                  self.history_html, self.history_status):
            w.value = ""
        self._status(error, error=True)

    @staticmethod
    def _unit_options(res: PeriodResult) -> list[tuple[str, str]]:
        r = res.ranking
        return [(f"{int(k)}. {n}" if pd.notna(k) else f"— {n} (chưa nộp)", u) for u, n, k in zip(r["unit_id"], r["name"], r["rank"])]

    def _keep_unit(self, old: str | None, res: PeriodResult) -> str | None:
        """The unit shown before if it is a member, else its successor or predecessor, else the leader."""
        ids = list(res.ranking["unit_id"])
        if not ids:
            return None
        if old in ids:
            return old
        reg = getattr(getattr(self.analyses, "ws", None), "registry", None)
        if old and reg is not None:
            for cand in lineage_ids(reg, old, getattr(self, "_unit_year", res.period.year), res.period.year):
                if cand in ids:
                    return cand
        return ids[0]

    # ----------------------------------------------------------------- tables of the selection (cached in views)

    @property
    def view(self) -> dict[str, pd.DataFrame]:
        """Every table of the current selection, on every tab: what is displayed and what is exported."""
        if not self._valid:
            return {}
        out = dict(self.views.overview(self.key)["tables"])
        unit = self.unit.value
        if unit is not None:
            out.update(self.views.unit(self.key, unit)["tables"])
            out["Đơn vị - lịch sử"] = self.views.history(self.key, unit)["table"]
        out.update(self.whatif.tables)
        return out

    # ----------------------------------------------------------------- rendering (only the tab in view)

    def _render_visible(self) -> None:
        """Render the open tab if its selection changed; the others wait until they are opened."""
        tab = self.tabs.selected_index
        if tab not in self._stale:
            return
        self._stale.discard(tab)
        if tab == OVERVIEW_TAB:
            (self.ranking_html.value, self.nominations_html.value, self.scorecard_html.value) = self.views.overview(self.key)["html"]
        elif tab == UNIT_TAB:
            self._render_unit()

    def _render_unit(self) -> None:
        unit = self.unit.value
        if unit is None:
            return
        (self.unit_summary_html.value, self.unit_awards_html.value, self.unit_targets_html.value,
         self.unit_criteria_html.value, self.unit_events_html.value) = self.views.unit(self.key, unit)["html"]
        self._render_history()

    def _render_history(self) -> None:
        unit = self.unit.value
        if unit is None:
            return
        h = self.views.history(self.key, unit)
        background = self.prefetcher is not None
        failed = [k for k in h["missing"] if not background or k in self.prefetcher.failed]
        waiting = [k for k in h["missing"] if k not in failed]
        if waiting:
            self.prefetcher.want(waiting, urgent=True)
            self.history_status.value = message(f"Đang tính {len(waiting)} kỳ nữa; biểu đồ tự cập nhật.")
        else:
            self.history_status.value = message("Không tính được (dữ liệu lỗi): " + ", ".join(f"{b} {p}" for b, p in failed),
                                                error=True) if failed else ""
        self._history_wait = set(waiting)
        self.views.draw_history(self.key, unit, h)
        self.history_html.value = h["chart"] + h["html"]
        self.history_png = h["png"]
        self._history_last = time.perf_counter()

    def _prefetched(self, key: Key) -> None:
        """Called by the prefetch thread after each period: refresh the history it was waiting for."""
        if key not in self._history_wait:
            return
        with self._lock:
            self._history_wait.discard(key)
            if self.tabs.selected_index != UNIT_TAB:
                self._stale.add(UNIT_TAB)
            # redraw when the last awaited period arrives, or at most twice a second meanwhile
            elif not self._history_wait or time.perf_counter() - self._history_last > 0.5:
                self._render_history()

    # ----------------------------------------------------------------- export

    def export(self, path: Path | None = None) -> Path | None:
        """Write every table in view (overview, unit, scenario) to one xlsx; offer it for download."""
        with self._busy():
            view = self.view
            if not view:
                self.exporter.refuse("Không có bảng nào để xuất.")
                return None
            bloc, period = self.key
            unit = self.unit.value or ""
            applied = self.whatif.applied
            unit_name = self.analyses.get(bloc, period).history_rows[1].get(unit, {}).get("name", "")
            info = info_table(self.analyses.bloc_name(bloc), period, unit_name,
                              applied[0].describe(self.result.covenant) if applied else None,
                              bool(self.result.source.get("synthetic")))
            return self.exporter.write({"Thông tin": info, **view}, export_stem(bloc, period, unit, applied is not None), path)

    # ----------------------------------------------------------------- text (for checked notebook outputs)

    def ranking_text(self) -> str:
        res = self.result
        return f"{res.bloc_name}, {res.period.label_vi}\n" + result_tables.as_text(result_tables.ranking(res))


__all__ = ["Explorer", "FirstView"]
