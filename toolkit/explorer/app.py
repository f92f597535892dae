"""Interactive explorer for analysts: the same engine and data as the reports, in clicks.

``Explorer`` builds and wires ipywidgets: bloc and period drop-downs filled from the data; the
scorecard, ranking and nominations; a unit drill-down (:mod:`toolkit.drilldown`); a what-if
panel (:mod:`toolkit.scenario`); and one button that exports the tables in view to xlsx. It
runs in JupyterLab (``notebooks/explore.ipynb``) and as an app in Voilà (``thidua app``).

Analysed periods come from :mod:`toolkit.analyses` (cached, filled in the background), so a
change of selection only slices results and builds tables; only the open tab is drawn (the
history chart is the slow part). Tests drive the explorer as a user would: set a widget's
value, ``click()`` a button, read the HTML widgets or the DataFrames in ``view``.

Every text that comes from submissions is escaped before it becomes HTML.
"""
from __future__ import annotations

import base64
import contextlib
import html
import re
import threading
import time
from pathlib import Path

import ipywidgets as W
import numpy as np
import pandas as pd

from toolkit import config
from toolkit.reports import tables as P
from toolkit.explorer.analyses import Analyses, FramesAnalyses, Key, Prefetcher, WorkspaceAnalyses, lineage_ids, period_order
from toolkit.model.covenant import Covenant, Quota
from toolkit.explorer.drilldown import history_chart, history_table, png, unit_awards, unit_criteria, unit_events, unit_history, unit_summary, \
    unit_targets
from toolkit.engine.evaluate import PeriodResult
from toolkit.model.workspace import Workspace
from toolkit.errors import DataError, ThiduaError
from toolkit.reports.exports import write_xlsx
from toolkit.model.rounding import ROUNDING_VI
from toolkit.model.periods import Period
from toolkit.engine.ranking import key_label
from toolkit.engine.scenario import Scenario, compare_nominations, compare_ranking, evaluate_scenario, simplify
from toolkit.explorer.scenario_files import check_name, save
from toolkit.model.period_data import PeriodData
from toolkit.model.text import fmt_numbers
from toolkit.model.text import fmt_number

# --------------------------------------------------------------------------- HTML

STYLE = """<style>
.thidua-explorer table.thidua { border-collapse: collapse; font-size: 12px; margin: 2px 0 10px 0; }
.thidua-explorer table.thidua th, .thidua-explorer table.thidua td { border: 1px solid #d0d7de; padding: 2px 6px; vertical-align: top; }
.thidua-explorer table.thidua th { background: #ddebf7; }
.thidua-explorer table.thidua td.num { text-align: right; white-space: nowrap; }
.thidua-explorer table.thidua tr.changed td { background: #fde68a; font-weight: 600; }
.thidua-explorer .thidua-msg-error { color: #b42318; }
.thidua-explorer h4 { margin: 10px 0 4px 0; }
</style>"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _cells(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(escaped texts, is-number flags) of one column, as ``presentation.to_html`` shows them
    (decimal comma, blank for missing), formatting each distinct float once."""
    if col.dtype.kind == "f":
        texts = fmt_numbers(col.to_numpy(dtype="float64", na_value=np.nan))
        return np.array([esc(x) for x in texts], dtype=object), np.ones(len(col), dtype=bool)
    values = col.to_numpy()
    texts = np.empty(len(values), dtype=object)
    nums = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        if isinstance(v, (float, np.floating)):
            texts[i], nums[i] = esc(fmt_number(v)), True
        elif v is None or (not isinstance(v, str) and pd.isna(v)):
            texts[i] = ""
        else:
            texts[i], nums[i] = esc(v), _is_number(v)
    return texts, nums


def table_html(df: pd.DataFrame, changed=None, css: str = "thidua") -> str:
    """Escaped HTML table, the same markup as :func:`toolkit.presentation.to_html` (every cell is
    escaped: submission text is data, not markup); rows where ``changed`` is true get class
    ``changed`` (highlighted)."""
    head = "".join(f"<th>{esc(c)}</th>" for c in df.columns)
    cols = [_cells(df[c]) for c in df.columns] if len(df.columns) else []
    flags = np.zeros(len(df), dtype=bool) if changed is None else np.asarray(changed, dtype=bool)
    rows = []
    for i in range(len(df)):
        cells = "".join(('<td class="num">' if nums[i] else "<td>") + texts[i] + "</td>" for texts, nums in cols)
        rows.append(("<tr class='changed'>" if flags[i] else "<tr>") + cells + "</tr>")
    return f'<table class="{css}">\n<thead><tr>{head}</tr></thead>\n<tbody>\n' + "\n".join(rows) + "\n</tbody></table>"


def section(title: str, body: str) -> str:
    return f"<h4>{esc(title)}</h4>{body}"


def message(text: str, error: bool = False) -> str:
    lines = "<br>".join(esc(x) for x in str(text).splitlines())
    return f'<div class="{"thidua-msg-error" if error else "thidua-msg"}">{lines}</div>'


# --------------------------------------------------------------------------- the explorer


OVERVIEW_TAB, UNIT_TAB = 0, 1  # the what-if tab (2) is never redrawn on a selection change
_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def default_period(periods: list[str]) -> str:
    """The latest year period, else the latest period."""
    years = [p for p in periods if Period.parse(p).is_annual]
    pool = years or periods
    return max(pool, key=period_order) if pool else ""


def _period_label(p: str) -> str:
    return f"{p} ({Period.parse(p).label_vi})"


class Explorer:
    """Widgets over :class:`Analyses`; ``widget`` is the root, ``show()`` displays it and starts prefetching.

    Tests drive it as a user would: set ``bloc.value``, ``period.value``, ``unit.value`` or a
    what-if control, ``click()`` a button, and read the HTML of the table widgets or the
    DataFrames in ``view`` (exactly what is displayed and exported).
    """

    def __init__(self, analyses: Analyses, bloc: str = "", period: str = "", *, prefetch: bool = True,
                 scenarios_root: Path | None = None, export_dir: Path | None = None):
        self.analyses = analyses
        self.scenarios_root = Path(scenarios_root) if scenarios_root else analyses.scenarios_root
        self.export_dir = Path(export_dir) if export_dir else config.REPORTS_DIR / "explorer"
        self.prefetcher = Prefetcher(analyses, self._prefetched) if prefetch else None
        self._lock = threading.RLock()
        self._quiet = 0
        self._valid = False  # a selection is shown (False after a period whose data has errors)
        self._stale: set[int] = set()  # tabs whose widgets do not show the current selection yet
        self._overview: dict[Key, dict] = {}
        self._units: dict[tuple[str, str, str], dict] = {}
        self._histories: dict[tuple[str, str, str], dict] = {}
        self._history_wait: set[Key] = set()
        self._history_last = 0.0
        self._scenario_tables: dict[str, pd.DataFrame] = {}
        self.history_png = b""  # the history chart on display (PNG)
        self._edits = {"quotas": {}, "bands": {}, "maxima": {}, "tie_break": None}
        self._scenario_applied: tuple[Scenario, Covenant] | None = None
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
        wide = W.Layout(width="auto")
        self.style = W.HTML(STYLE)
        self.bloc = W.Dropdown(description="Khối", layout=W.Layout(width="62%"), style={"description_width": "60px"})
        self.period = W.Dropdown(description="Kỳ", layout=W.Layout(width="36%"), style={"description_width": "40px"})
        self.status = W.HTML()
        self.header = W.HTML()
        self.scorecard_html, self.ranking_html, self.nominations_html = W.HTML(), W.HTML(), W.HTML()
        overview = W.VBox([self.ranking_html, self.nominations_html, self.scorecard_html])

        self.unit = W.Dropdown(description="Đơn vị", layout=W.Layout(width="70%"), style={"description_width": "60px"})
        self.unit_summary_html, self.unit_criteria_html = W.HTML(), W.HTML()
        self.unit_targets_html, self.unit_awards_html, self.unit_events_html = W.HTML(), W.HTML(), W.HTML()
        self.history_status = W.HTML()
        self.history_html = W.HTML()  # the chart (an <img>) and the table in one widget, so they always match
        unit_box = W.VBox([self.unit, self.unit_summary_html, self.unit_awards_html, self.unit_targets_html,
                           self.unit_criteria_html, self.unit_events_html, W.HTML("<h4>Lịch sử qua các kỳ</h4>"),
                           self.history_status, self.history_html])

        sd = {"description_width": "150px"}
        self.wi_award = W.Dropdown(description="Danh hiệu", layout=wide, style=sd)
        self.wi_quota_kind = W.ToggleButtons(options=[("Số đơn vị", "count"), ("Tỷ lệ số thành viên", "share")],
                                             description="Hạn mức theo", style=sd)
        self.wi_quota_count = W.BoundedIntText(min=0, max=1000, description="Số đơn vị", style=sd)
        self.wi_quota_share = W.BoundedFloatText(min=0.01, max=1.0, step=0.05, description="Tỷ lệ (0–1)", style=sd)
        self.wi_quota_rounding = W.Dropdown(options=[(v, k) for k, v in ROUNDING_VI.items()], description="Làm tròn", style=sd)
        self.wi_band = W.Dropdown(description="Mức xếp loại", layout=wide, style=sd)
        self.wi_band_total = W.BoundedFloatText(min=0, max=10000, step=1, description="Tổng điểm từ", style=sd)
        self.wi_band_share = W.BoundedFloatText(min=0, max=1, step=0.05, description="Mỗi tiêu chí ≥ (0–1)", style=sd)
        self.wi_criterion = W.Dropdown(description="Tiêu chí", layout=wide, style=sd)
        self.wi_max = W.BoundedFloatText(min=0.01, max=10000, step=0.5, description="Điểm chuẩn", style=sd)
        self.wi_tie_break = W.TagsInput(allow_duplicates=False, layout=wide)
        self.wi_apply = W.Button(description="Tính theo giả định", button_style="primary", layout=W.Layout(width="200px"))
        self.wi_reset = W.Button(description="Bỏ mọi giả định", layout=W.Layout(width="200px"))
        self.wi_changes_html, self.wi_message = W.HTML(), W.HTML()
        self.wi_ranking_html, self.wi_nominations_html = W.HTML(), W.HTML()
        self.scenario_name = W.Text(placeholder="vd. tang-han-muc-co", description="Tên kịch bản", style=sd)
        self.save_button = W.Button(description="Lưu kịch bản", layout=W.Layout(width="200px"))
        self.save_message = W.HTML()
        whatif = W.VBox([
            W.HTML("<p>Thay đổi thử một thiết lập của giao ước rồi bấm <b>Tính theo giả định</b>: xếp hạng và đề nghị khen "
                   "thưởng theo giả định hiện bên cạnh kết quả theo giao ước, đơn vị có kết quả thay đổi được tô màu. "
                   "Tệp giao ước không bị sửa.</p>"),
            W.HTML("<h4>Hạn mức khen thưởng</h4>"), self.wi_award, self.wi_quota_kind, W.HBox([self.wi_quota_count, self.wi_quota_share,
                                                                                            self.wi_quota_rounding]),
            W.HTML("<h4>Ngưỡng xếp loại</h4>"), self.wi_band, W.HBox([self.wi_band_total, self.wi_band_share]),
            W.HTML("<h4>Điểm chuẩn của tiêu chí</h4>"), self.wi_criterion, self.wi_max,
            W.HTML("<h4>Thứ tự tiêu chí phân hạng khi bằng điểm</h4>"
                   "<p style='font-size:12px'>Kéo để đổi thứ tự; 'total' phải đứng đầu. total: tổng điểm; content:X: điểm nội dung X; "
                   "criterion:X: điểm tiêu chí X; bonus: điểm thưởng; penalty: điểm trừ; self_gap: tự chấm sát thẩm định; "
                   "vote_share: tỷ lệ phiếu; name: tên đơn vị.</p>"), self.wi_tie_break,
            W.HBox([self.wi_apply, self.wi_reset]), self.wi_changes_html, self.wi_message,
            self.wi_ranking_html, self.wi_nominations_html,
            W.HTML("<h4>Lưu kịch bản thành tệp giao ước mới</h4>"), W.HBox([self.scenario_name, self.save_button]), self.save_message,
        ])

        self.tabs = W.Tab(children=[overview, unit_box, whatif], titles=["Tổng quan", "Đơn vị", "Giả định"])
        self.export_button = W.Button(description="Xuất bảng đang xem (xlsx)", layout=W.Layout(width="240px"))
        self.export_message = W.HTML()
        self.widget = W.VBox([self.style, W.HBox([self.bloc, self.period]), self.status, self.header, self.tabs,
                              W.HBox([self.export_button, self.export_message])])
        self.widget.add_class("thidua-explorer")
        for w, cls in ((self.bloc, "thidua-bloc"), (self.period, "thidua-period"), (self.unit, "thidua-unit"),
                       (self.status, "thidua-status"), (self.ranking_html, "thidua-ranking"),
                       (self.nominations_html, "thidua-nominations"), (self.scorecard_html, "thidua-scorecard"),
                       (self.unit_summary_html, "thidua-unit-summary"), (self.unit_criteria_html, "thidua-unit-criteria"),
                       (self.unit_awards_html, "thidua-unit-awards"), (self.history_html, "thidua-history"),
                       (self.wi_band, "thidua-wi-band"), (self.wi_band_total, "thidua-wi-band-total"),
                       (self.wi_apply, "thidua-wi-apply"), (self.wi_message, "thidua-wi-message"),
                       (self.wi_ranking_html, "thidua-wi-ranking"), (self.wi_nominations_html, "thidua-wi-nominations"),
                       (self.export_button, "thidua-export")):
            w.add_class(cls)

        self.bloc.observe(self._on_bloc, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.period.observe(self._on_period, names="value")
        self.unit.observe(self._on_unit, names="value")
        self.wi_award.observe(lambda _c: self._show_whatif_values(), names="value")
        self.wi_band.observe(lambda _c: self._show_whatif_values(), names="value")
        self.wi_criterion.observe(lambda _c: self._show_whatif_values(), names="value")
        for w in (self.wi_quota_kind, self.wi_quota_count, self.wi_quota_share, self.wi_quota_rounding):
            w.observe(self._on_quota, names="value")
        for w in (self.wi_band_total, self.wi_band_share):
            w.observe(self._on_band, names="value")
        self.wi_max.observe(self._on_max, names="value")
        self.wi_tie_break.observe(self._on_tie_break, names="value")
        self.wi_apply.on_click(lambda _b: self.apply_scenario())
        self.wi_reset.on_click(lambda _b: self.reset_scenario())
        self.save_button.on_click(lambda _b: self.save_scenario())
        self.export_button.on_click(lambda _b: self.export())

    def show(self):
        """The root widget, for display; starts filling the cache in the background."""
        if self.prefetcher is not None:
            self.prefetcher.start()
        return self.widget

    def _ipython_display_(self):  # pragma: no cover - exercised in the browser tests
        from IPython.display import display

        display(self.show())

    # ----------------------------------------------------------------- plumbing

    @contextlib.contextmanager
    def _silence(self):
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

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
            self.header.value = self._header(res)
            self._reset_whatif(res.covenant)
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
        self._scenario_tables = {}
        self.history_png = b""
        with self._silence():
            self.unit.options = []
        for w in (self.header, self.scorecard_html, self.ranking_html, self.nominations_html, self.unit_summary_html,
                  self.unit_criteria_html, self.unit_targets_html, self.unit_awards_html, self.unit_events_html,
                  self.history_html, self.history_status, self.wi_ranking_html, self.wi_nominations_html, self.wi_changes_html):
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

    # ----------------------------------------------------------------- tables of the selection (cached)

    @property
    def view(self) -> dict[str, pd.DataFrame]:
        """Every table of the current selection, on every tab: what is displayed and what is exported."""
        if not self._valid:
            return {}
        out = dict(self._overview_for(self.key)["tables"])
        unit = self.unit.value
        if unit is not None:
            out.update(self._unit_for(self.key, unit)["tables"])
            out["Đơn vị - lịch sử"] = self._history_for(self.key, unit)["table"]
        out.update(self._scenario_tables)
        return out

    def _overview_for(self, key: Key) -> dict:
        if key not in self._overview:
            res = self.analyses.result(*key)
            tables = {"Bảng điểm": P.scorecard(res), "Xếp hạng": P.ranking(res), "Đề nghị khen thưởng": P.nominations(res),
                      "Hạn mức khen thưởng": P.quotas(res)}
            noms = tables["Đề nghị khen thưởng"]
            nom_body = (table_html(tables["Hạn mức khen thưởng"]) + table_html(noms)) if len(noms) else \
                message(f"Kỳ {res.period} không xét khen thưởng (giao ước chỉ xét đề nghị khen thưởng cho các kỳ đã ghi).")
            self._overview[key] = {"tables": tables, "html": (
                section("Xếp hạng", table_html(tables["Xếp hạng"])),
                section("Đề nghị khen thưởng", nom_body),
                section("Bảng điểm (điểm từng nội dung sau thẩm định)", table_html(tables["Bảng điểm"])))}
        return self._overview[key]

    def _unit_for(self, key: Key, unit: str) -> dict:
        ckey = (*key, unit)
        if ckey not in self._units:
            entry = self.analyses.get(*key)
            res = entry.result
            tables = {
                "Đơn vị - tóm tắt": unit_summary(res, unit),
                "Đơn vị - khen thưởng": unit_awards(res, unit),
                "Đơn vị - chỉ tiêu": unit_targets(res, unit),
                "Đơn vị - tiêu chí": unit_criteria(res, unit),
                "Đơn vị - cộng trừ điểm": unit_events(entry.data, res, unit),
            }
            targets, events = tables["Đơn vị - chỉ tiêu"], tables["Đơn vị - cộng trừ điểm"]
            self._units[ckey] = {"tables": tables, "html": (
                section("Tóm tắt", table_html(tables["Đơn vị - tóm tắt"])),
                section("Khen thưởng: điều kiện và lý do", table_html(tables["Đơn vị - khen thưởng"])),
                section("Chỉ tiêu", table_html(targets) if len(targets) else
                        message("Kỳ này không xét chỉ tiêu xếp loại (chỉ tiêu là số liệu năm).")),
                section("Điểm từng tiêu chí", table_html(tables["Đơn vị - tiêu chí"])),
                section("Điểm thưởng, điểm trừ", table_html(events) if len(events) else message("Không có sự kiện cộng hoặc trừ điểm.")))}
        return self._units[ckey]

    def _history_for(self, key: Key, unit: str) -> dict:
        """The unit's history from the periods analysed so far (all of them without a prefetcher)."""
        background = self.prefetcher is not None
        keys = [(b, p) for b, p, _ids in self.analyses.history_keys(*key, unit)]
        ready = frozenset(k for k in keys if self.analyses.is_cached(k)) if background else frozenset(keys)
        hkey = (*key, unit)
        cached = self._histories.get(hkey)
        if cached is None or cached["ready"] != ready:
            hist, missing = unit_history(self.analyses, *key, unit, cached_only=background)
            table = history_table(hist, {b: self.analyses.bloc_name(b) for b in hist["bloc_id"].unique()})
            cached = self._histories[hkey] = {"ready": ready, "missing": missing, "hist": hist, "table": table,
                                              "html": table_html(table), "png": None}
        return cached

    # ----------------------------------------------------------------- rendering (only the tab in view)

    def _header(self, res: PeriodResult) -> str:
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

    def _render_visible(self) -> None:
        """Render the open tab if its selection changed; the others wait until they are opened."""
        tab = self.tabs.selected_index
        if tab not in self._stale:
            return
        self._stale.discard(tab)
        if tab == OVERVIEW_TAB:
            (self.ranking_html.value, self.nominations_html.value, self.scorecard_html.value) = self._overview_for(self.key)["html"]
        elif tab == UNIT_TAB:
            self._render_unit()

    def _render_unit(self) -> None:
        unit = self.unit.value
        if unit is None:
            return
        (self.unit_summary_html.value, self.unit_awards_html.value, self.unit_targets_html.value,
         self.unit_criteria_html.value, self.unit_events_html.value) = self._unit_for(self.key, unit)["html"]
        self._render_history()

    def _render_history(self) -> None:
        unit = self.unit.value
        if unit is None:
            return
        h = self._history_for(self.key, unit)
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
        if h["png"] is None:
            name = self.analyses.get(*self.key).history_rows[1][unit]["name"]
            h["png"] = png(history_chart(h["hist"], f"{name}: tổng điểm và hạng"))
            h["chart"] = (f'<img class="thidua-history-chart" alt="{esc("Biểu đồ lịch sử: " + name)}" style="max-width:600px" '
                          f'src="data:image/png;base64,{base64.b64encode(h["png"]).decode()}">')
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

    # ----------------------------------------------------------------- what-if

    def _reset_whatif(self, cov: Covenant) -> None:
        self._edits = {"quotas": {}, "bands": {}, "maxima": {}, "tie_break": None}
        self._scenario_applied = None
        with self._silence():
            for widget, options in ((self.wi_award, [(a.title, a.id) for a in cov.awards]),
                                    (self.wi_band, [(f"{b.label} ({b.id})", b.id) for b in cov.bands]),
                                    (self.wi_criterion, [(f"{k.id}. {k.title}"[:90], k.id) for _, k in cov.criteria])):
                keep = widget.value
                widget.options = options
                # a drop-down given options after it was built selects nothing: select the same item
                # as before if the new covenant has it, else the first
                widget.value = keep if keep in {v for _l, v in options} else (options[0][1] if options else None)
            keys = (["total"] + [f"content:{c.id}" for c in cov.contents] + [f"criterion:{k.id}" for _, k in cov.criteria]
                    + ["bonus", "penalty", "self_gap", "vote_share", "name"])
            self.wi_tie_break.allowed_tags = keys
            self.wi_tie_break.value = list(cov.tie_break)
        self._show_whatif_values()
        for w in (self.wi_changes_html, self.wi_message, self.wi_ranking_html, self.wi_nominations_html, self.save_message):
            w.value = ""
        self._scenario_tables = {}

    def _show_whatif_values(self) -> None:
        """Put the scenario's value (else the covenant's) of the selected award, band and criterion in the inputs."""
        cov = self.result.covenant
        with self._silence():
            a = next((x for x in cov.awards if x.id == self.wi_award.value), None)
            if a is not None:
                q = self._edits["quotas"].get(a.id, a.quota)
                self.wi_quota_kind.value = "count" if q.count is not None else "share"
                self.wi_quota_count.value = q.count if q.count is not None else 1
                self.wi_quota_share.value = q.share if q.share is not None else 0.3
                self.wi_quota_rounding.value = q.rounding
            self._quota_layout()
            b = next((x for x in cov.bands if x.id == self.wi_band.value), None)
            if b is not None:
                t, s = self._edits["bands"].get(b.id, (b.min_total, b.min_criterion_share))
                self.wi_band_total.value, self.wi_band_share.value = t, s
            k = next((k for _, k in cov.criteria if k.id == self.wi_criterion.value), None)
            if k is not None:
                self.wi_max.value = self._edits["maxima"].get(k.id, k.max)

    def _quota_layout(self) -> None:
        count = self.wi_quota_kind.value == "count"
        self.wi_quota_count.layout.display = None if count else "none"
        self.wi_quota_share.layout.display = "none" if count else None
        self.wi_quota_rounding.layout.display = "none" if count else None

    def _edited(self) -> None:
        """An input of the what-if panel changed: results shown for the previous edits no longer apply."""
        self._scenario_applied = None
        self._scenario_tables = {}
        self.wi_ranking_html.value = self.wi_nominations_html.value = self.wi_message.value = ""
        self._show_changes(pending=True)

    def _show_changes(self, pending: bool) -> None:
        lines = self.scenario.describe(self.result.covenant)
        body = section("Giả định đang đặt", "<ul>" + "".join(f"<li>{esc(x)}</li>" for x in lines) + "</ul>")
        self.wi_changes_html.value = (body + (message("Bấm 'Tính theo giả định' để xem kết quả.") if pending else "")) if lines else ""

    def _on_quota(self, _change) -> None:
        self._quota_layout()
        if self._quiet or self.wi_award.value is None:
            return
        if self.wi_quota_kind.value == "count":
            q = Quota(count=int(self.wi_quota_count.value))
        else:
            q = Quota(share=float(self.wi_quota_share.value), rounding=self.wi_quota_rounding.value)
        self._edits["quotas"][self.wi_award.value] = q
        self._edited()

    def _on_band(self, _change) -> None:
        if self._quiet or self.wi_band.value is None:
            return
        self._edits["bands"][self.wi_band.value] = (float(self.wi_band_total.value), float(self.wi_band_share.value))
        self._edited()

    def _on_max(self, _change) -> None:
        if self._quiet or self.wi_criterion.value is None:
            return
        self._edits["maxima"][self.wi_criterion.value] = float(self.wi_max.value)
        self._edited()

    def _on_tie_break(self, _change) -> None:
        if self._quiet:
            return
        self._edits["tie_break"] = tuple(self.wi_tie_break.value)
        self._edited()

    @property
    def scenario(self) -> Scenario:
        """The edits made in the what-if panel, without those that restate the covenant."""
        e = self._edits
        return simplify(Scenario(dict(e["quotas"]), dict(e["bands"]), dict(e["maxima"]), e["tie_break"]), self.result.covenant)

    def apply_scenario(self) -> bool:
        """Evaluate the scenario beside the covenant; True when it could be evaluated."""
        with self._busy():
            self._scenario_tables = {}
            self.wi_ranking_html.value = self.wi_nominations_html.value = ""
            entry = self.analyses.get(*self.key)
            res = entry.result
            scenario = self.scenario
            if scenario.is_empty:
                self._scenario_applied = None
                self.wi_message.value = message("Chưa có giả định nào khác giao ước.")
                return False
            t0 = time.perf_counter()
            try:
                new, frames = evaluate_scenario(res.covenant, entry.data, self.analyses.vocab, scenario)
            except DataError as exc:
                self._scenario_applied = None
                self.wi_message.value = message("Giả định không hợp lệ:\n" + "\n".join(f"{p.where}: {p.message}" for p in exc.problems), error=True)
                return False
            self._scenario_applied = (scenario, new)
            self._show_changes(pending=False)
            rank_t, rank_ch = compare_ranking(res.units, frames["units"])
            nom_t, nom_ch = compare_nominations(res.eligibility, frames["eligibility"], new)
            changes = pd.DataFrame({"Giả định": scenario.describe(res.covenant)})
            self._scenario_tables = {"Giả định - thay đổi": changes, "Giả định - xếp hạng": rank_t, "Giả định - đề nghị": nom_t}
            moved = [f"{n} ({w})" for n, w, c in zip(rank_t["Đơn vị"], rank_t["Thay đổi"], rank_ch) if c]
            noms = [f"{n}: {a} {'được' if g == 'Có' else 'không còn được'} đề nghị"
                    for a, n, g, c in zip(nom_t["Danh hiệu"], nom_t["Đơn vị"], nom_t["Đề nghị (giả định)"], nom_ch) if c]
            summary = moved + noms
            self.wi_message.value = message(
                f"Đã tính theo giả định trong {fmt_number(time.perf_counter() - t0)} giây. "
                + (f"{len(summary)} thay đổi (tô màu): " + "; ".join(summary) + "." if summary else "Không đơn vị nào thay đổi kết quả."))
            self.wi_ranking_html.value = section("Xếp hạng: giao ước và giả định", table_html(rank_t, rank_ch))
            self.wi_nominations_html.value = section("Đề nghị khen thưởng: giao ước và giả định",
                                                     table_html(nom_t, nom_ch) if len(nom_t) else message("Kỳ này không xét khen thưởng."))
            return True

    def reset_scenario(self) -> None:
        with self._busy():
            self._reset_whatif(self.result.covenant)

    def save_scenario(self, name: str | None = None) -> Path | None:
        """Write the applied scenario as a new covenant file; None (with a message) when refused."""
        with self._busy():
            name = self.scenario_name.value if name is None else name
            try:
                check_name(name)
            except ThiduaError as exc:
                self.save_message.value = message(str(exc), error=True)
                return None
            if self.scenarios_root is None:
                self.save_message.value = message("Nguồn dữ liệu này không có thư mục giao ước để lưu kịch bản.", error=True)
                return None
            res = self.result
            scenario = self.scenario
            if scenario.is_empty:
                self.save_message.value = message("Chưa có giả định nào khác giao ước để lưu.", error=True)
                return None
            try:
                new = (self._scenario_applied[1] if self._scenario_applied and self._scenario_applied[0] == scenario
                       else evaluate_scenario(res.covenant, self.analyses.get(*self.key).data, self.analyses.vocab, scenario)[0])
                path = save(new, res.covenant, scenario, self.scenarios_root, name,
                            self.analyses.covenant_file(res.bloc, res.period.year))
            except DataError as exc:
                self.save_message.value = message("Giả định không hợp lệ:\n" + "\n".join(f"{p.where}: {p.message}" for p in exc.problems), error=True)
                return None
            except ThiduaError as exc:
                self.save_message.value = message(str(exc), error=True)
                return None
            self.save_message.value = message(f"Đã lưu kịch bản: {path}")
            return path

    # ----------------------------------------------------------------- export

    def export(self, path: Path | None = None) -> Path | None:
        """Write every table in view (overview, unit, scenario) to one xlsx; offer it for download."""
        with self._busy():
            view = self.view
            if not view:
                self.export_message.value = message("Không có bảng nào để xuất.", error=True)
                return None
            bloc, period = self.key
            unit = self.unit.value or ""
            parts = ("kham-pha", bloc, period, unit, "gia-dinh" if self._scenario_applied else "")
            stem = "_".join(_SAFE.sub("-", x) for x in parts if x)  # ids come from data files: never a path
            path = Path(path) if path else self.export_dir / f"{stem}.xlsx"
            unit_name = self.analyses.get(bloc, period).history_rows[1].get(unit, {}).get("name", "")
            info = pd.DataFrame({"Mục": ["Khối", "Kỳ", "Đơn vị", "Giả định", "Nguồn"],
                                 "Giá trị": [self.analyses.bloc_name(bloc), period, unit_name,
                                             "; ".join(self._scenario_applied[0].describe(self.result.covenant)) if self._scenario_applied else "không",
                                             "thidua explorer; dữ liệu mẫu tổng hợp" if self.result.source.get("synthetic") else "thidua explorer"]})
            sheets = {"Thông tin": info, **view}
            try:
                write_xlsx(sheets, path)
            except OSError as exc:
                self.export_message.value = message(f"Không ghi được {path}: {exc}", error=True)
                return None
            data = base64.b64encode(path.read_bytes()).decode()
            mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            self.export_message.value = (f'<a download="{esc(path.name)}" href="data:{mime};base64,{data}">Tải {esc(path.name)}</a>'
                                         f" <span>(đã ghi {esc(path)})</span>")
            return path

    # ----------------------------------------------------------------- text (for checked notebook outputs)

    def ranking_text(self) -> str:
        res = self.result
        return f"{res.bloc_name}, {res.period.label_vi}\n" + P.as_text(P.ranking(res))


__all__ = ["Explorer", "table_html"]
