"""The explorer's what-if panel: change one covenant setting, see the results beside the covenant's.

The analyst edits award quotas, band thresholds, criterion maxima or the tie-break order;
the edits that differ from the covenant make a :class:`~toolkit.engine.scenario.Scenario`.
*Apply* evaluates it on the selected period's data: ranking and nominations under the
scenario are shown beside those under the covenant, the units whose result changes
highlighted. *Save* writes the scenario as a new covenant file under
``covenants/<bloc>/scenarios/``; the covenant file itself is never edited.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, ContextManager

import ipywidgets as widgets
import pandas as pd

from toolkit.engine.scenario import Scenario, compare_nominations, compare_ranking, evaluate_scenario, simplify
from toolkit.explorer.silent_updates import Quiet
from toolkit.explorer.scenario_files import check_name, save
from toolkit.errors import DataError, ThiduaError
from toolkit.explorer.analyses import Analyses, Key
from toolkit.explorer.html import esc, message, section, table_html
from toolkit.model.covenant import Covenant, Quota
from toolkit.model.rounding import ROUNDING_VI
from toolkit.model.text import fmt_number


class WhatIfPanel(Quiet):
    """The widgets and edits of the what-if tab; ``widget`` is its root.

    ``selection()`` is the (bloc, period) on display; ``busy()`` is the explorer's guard around
    a UI handler (the prefetch thread waits and no other rendering interleaves). The explorer
    calls :meth:`show_covenant` whenever the selection changes.
    """

    def __init__(self, analyses: Analyses, selection: Callable[[], Key], busy: Callable[[], ContextManager],
                 scenarios_root: Path | None):
        self.analyses = analyses
        self.scenarios_root = scenarios_root
        self._selection = selection
        self._busy = busy
        self._quiet = 0
        self._edits = {"quotas": {}, "bands": {}, "maxima": {}, "tie_break": None}
        self.applied: tuple[Scenario, Covenant] | None = None  # the scenario whose results are shown
        self.tables: dict[str, pd.DataFrame] = {}  # the results shown (part of the explorer's view and export)
        self._build()

    def _build(self) -> None:
        wide = widgets.Layout(width="auto")
        sd = {"description_width": "150px"}
        self.award = widgets.Dropdown(description="Danh hiệu", layout=wide, style=sd)
        self.quota_kind = widgets.ToggleButtons(options=[("Số đơn vị", "count"), ("Tỷ lệ số thành viên", "share")],
                                                description="Hạn mức theo", style=sd)
        self.quota_count = widgets.BoundedIntText(min=0, max=1000, description="Số đơn vị", style=sd)
        self.quota_share = widgets.BoundedFloatText(min=0.01, max=1.0, step=0.05, description="Tỷ lệ (0–1)", style=sd)
        self.quota_rounding = widgets.Dropdown(options=[(v, k) for k, v in ROUNDING_VI.items()], description="Làm tròn", style=sd)
        self.band = widgets.Dropdown(description="Mức xếp loại", layout=wide, style=sd)
        self.band_total = widgets.BoundedFloatText(min=0, max=10000, step=1, description="Tổng điểm từ", style=sd)
        self.band_share = widgets.BoundedFloatText(min=0, max=1, step=0.05, description="Mỗi tiêu chí ≥ (0–1)", style=sd)
        self.criterion = widgets.Dropdown(description="Tiêu chí", layout=wide, style=sd)
        self.maximum = widgets.BoundedFloatText(min=0.01, max=10000, step=0.5, description="Điểm chuẩn", style=sd)
        self.tie_break = widgets.TagsInput(allow_duplicates=False, layout=wide)
        self.apply_button = widgets.Button(description="Tính theo giả định", button_style="primary",
                                           layout=widgets.Layout(width="200px"))
        self.reset_button = widgets.Button(description="Bỏ mọi giả định", layout=widgets.Layout(width="200px"))
        self.changes_html, self.message_html = widgets.HTML(), widgets.HTML()
        self.ranking_html, self.nominations_html = widgets.HTML(), widgets.HTML()
        self.scenario_name = widgets.Text(placeholder="vd. tang-han-muc-co", description="Tên kịch bản", style=sd)
        self.save_button = widgets.Button(description="Lưu kịch bản", layout=widgets.Layout(width="200px"))
        self.save_message_html = widgets.HTML()
        self.widget = widgets.VBox([
            widgets.HTML("<p>Thay đổi thử một thiết lập của giao ước rồi bấm <b>Tính theo giả định</b>: xếp hạng và đề nghị "
                         "khen thưởng theo giả định hiện bên cạnh kết quả theo giao ước, đơn vị có kết quả thay đổi được tô "
                         "màu. Tệp giao ước không bị sửa.</p>"),
            widgets.HTML("<h4>Hạn mức khen thưởng</h4>"), self.award, self.quota_kind,
            widgets.HBox([self.quota_count, self.quota_share, self.quota_rounding]),
            widgets.HTML("<h4>Ngưỡng xếp loại</h4>"), self.band, widgets.HBox([self.band_total, self.band_share]),
            widgets.HTML("<h4>Điểm chuẩn của tiêu chí</h4>"), self.criterion, self.maximum,
            widgets.HTML("<h4>Thứ tự tiêu chí phân hạng khi bằng điểm</h4>"
                         "<p style='font-size:12px'>Kéo để đổi thứ tự; 'total' phải đứng đầu. total: tổng điểm; content:X: "
                         "điểm nội dung X; criterion:X: điểm tiêu chí X; bonus: điểm thưởng; penalty: điểm trừ; self_gap: "
                         "tự chấm sát thẩm định; vote_share: tỷ lệ phiếu; name: tên đơn vị.</p>"), self.tie_break,
            widgets.HBox([self.apply_button, self.reset_button]), self.changes_html, self.message_html,
            self.ranking_html, self.nominations_html,
            widgets.HTML("<h4>Lưu kịch bản thành tệp giao ước mới</h4>"), widgets.HBox([self.scenario_name, self.save_button]),
            self.save_message_html,
        ])
        for w, cls in ((self.band, "thidua-wi-band"), (self.band_total, "thidua-wi-band-total"),
                       (self.apply_button, "thidua-wi-apply"), (self.message_html, "thidua-wi-message"),
                       (self.ranking_html, "thidua-wi-ranking"), (self.nominations_html, "thidua-wi-nominations")):
            w.add_class(cls)

        for w in (self.award, self.band, self.criterion):
            w.observe(lambda _c: self._show_values(), names="value")
        for w in (self.quota_kind, self.quota_count, self.quota_share, self.quota_rounding):
            w.observe(self._on_quota, names="value")
        for w in (self.band_total, self.band_share):
            w.observe(self._on_band, names="value")
        self.maximum.observe(self._on_max, names="value")
        self.tie_break.observe(self._on_tie_break, names="value")
        self.apply_button.on_click(lambda _b: self.apply())
        self.reset_button.on_click(lambda _b: self.reset())
        self.save_button.on_click(lambda _b: self.save())

    def _covenant(self) -> Covenant:
        return self.analyses.result(*self._selection()).covenant

    # ----------------------------------------------------------------- inputs

    def show_covenant(self, cov: Covenant) -> None:
        """Forget every edit and result; fill the inputs from ``cov`` (a new selection)."""
        self._edits = {"quotas": {}, "bands": {}, "maxima": {}, "tie_break": None}
        self.applied = None
        with self._silence():
            for widget, options in ((self.award, [(a.title, a.id) for a in cov.awards]),
                                    (self.band, [(f"{b.label} ({b.id})", b.id) for b in cov.bands]),
                                    (self.criterion, [(f"{k.id}. {k.title}"[:90], k.id) for _, k in cov.criteria])):
                keep = widget.value
                widget.options = options
                # a drop-down given options after it was built selects nothing: select the same item
                # as before if the new covenant has it, else the first
                widget.value = keep if keep in {v for _l, v in options} else (options[0][1] if options else None)
            keys = (["total"] + [f"content:{c.id}" for c in cov.contents] + [f"criterion:{k.id}" for _, k in cov.criteria]
                    + ["bonus", "penalty", "self_gap", "vote_share", "name"])
            self.tie_break.allowed_tags = keys
            self.tie_break.value = list(cov.tie_break)
        self._show_values()
        for w in (self.changes_html, self.message_html, self.ranking_html, self.nominations_html, self.save_message_html):
            w.value = ""
        self.tables = {}

    def clear(self) -> None:
        """Nothing to show (the selection has no valid data)."""
        self.tables = {}
        for w in (self.ranking_html, self.nominations_html, self.changes_html):
            w.value = ""

    def _show_values(self) -> None:
        """Put the scenario's value (else the covenant's) of the selected award, band and criterion in the inputs."""
        cov = self._covenant()
        with self._silence():
            a = next((x for x in cov.awards if x.id == self.award.value), None)
            if a is not None:
                q = self._edits["quotas"].get(a.id, a.quota)
                self.quota_kind.value = "count" if q.count is not None else "share"
                self.quota_count.value = q.count if q.count is not None else 1
                self.quota_share.value = q.share if q.share is not None else 0.3
                self.quota_rounding.value = q.rounding
            self._quota_layout()
            b = next((x for x in cov.bands if x.id == self.band.value), None)
            if b is not None:
                t, s = self._edits["bands"].get(b.id, (b.min_total, b.min_criterion_share))
                self.band_total.value, self.band_share.value = t, s
            k = next((k for _, k in cov.criteria if k.id == self.criterion.value), None)
            if k is not None:
                self.maximum.value = self._edits["maxima"].get(k.id, k.max)

    def _quota_layout(self) -> None:
        count = self.quota_kind.value == "count"
        self.quota_count.layout.display = None if count else "none"
        self.quota_share.layout.display = "none" if count else None
        self.quota_rounding.layout.display = "none" if count else None

    def _edited(self) -> None:
        """An input changed: results shown for the previous edits no longer apply."""
        self.applied = None
        self.tables = {}
        self.ranking_html.value = self.nominations_html.value = self.message_html.value = ""
        self._show_changes(pending=True)

    def _show_changes(self, pending: bool) -> None:
        lines = self.scenario.describe(self._covenant())
        body = section("Giả định đang đặt", "<ul>" + "".join(f"<li>{esc(x)}</li>" for x in lines) + "</ul>")
        self.changes_html.value = (body + (message("Bấm 'Tính theo giả định' để xem kết quả.") if pending else "")) if lines else ""

    def _on_quota(self, _change) -> None:
        self._quota_layout()
        if self._quiet or self.award.value is None:
            return
        if self.quota_kind.value == "count":
            q = Quota(count=int(self.quota_count.value))
        else:
            q = Quota(share=float(self.quota_share.value), rounding=self.quota_rounding.value)
        self._edits["quotas"][self.award.value] = q
        self._edited()

    def _on_band(self, _change) -> None:
        if self._quiet or self.band.value is None:
            return
        self._edits["bands"][self.band.value] = (float(self.band_total.value), float(self.band_share.value))
        self._edited()

    def _on_max(self, _change) -> None:
        if self._quiet or self.criterion.value is None:
            return
        self._edits["maxima"][self.criterion.value] = float(self.maximum.value)
        self._edited()

    def _on_tie_break(self, _change) -> None:
        if self._quiet:
            return
        self._edits["tie_break"] = tuple(self.tie_break.value)
        self._edited()

    # ----------------------------------------------------------------- actions

    @property
    def scenario(self) -> Scenario:
        """The edits made in the panel, without those that restate the covenant."""
        e = self._edits
        return simplify(Scenario(dict(e["quotas"]), dict(e["bands"]), dict(e["maxima"]), e["tie_break"]), self._covenant())

    def apply(self) -> bool:
        """Evaluate the scenario beside the covenant; True when it could be evaluated."""
        with self._busy():
            self.tables = {}
            self.ranking_html.value = self.nominations_html.value = ""
            entry = self.analyses.get(*self._selection())
            res = entry.result
            scenario = self.scenario
            if scenario.is_empty:
                self.applied = None
                self.message_html.value = message("Chưa có giả định nào khác giao ước.")
                return False
            t0 = time.perf_counter()
            try:
                new, frames = evaluate_scenario(res.covenant, entry.data, self.analyses.vocab, scenario)
            except DataError as exc:
                self.applied = None
                self.message_html.value = message("Giả định không hợp lệ:\n" + "\n".join(f"{p.where}: {p.message}" for p in exc.problems),
                                                  error=True)
                return False
            self.applied = (scenario, new)
            self._show_changes(pending=False)
            rank_t, rank_ch = compare_ranking(res.units, frames["units"])
            nom_t, nom_ch = compare_nominations(res.eligibility, frames["eligibility"], new)
            changes = pd.DataFrame({"Giả định": scenario.describe(res.covenant)})
            self.tables = {"Giả định - thay đổi": changes, "Giả định - xếp hạng": rank_t, "Giả định - đề nghị": nom_t}
            moved = [f"{n} ({w})" for n, w, c in zip(rank_t["Đơn vị"], rank_t["Thay đổi"], rank_ch) if c]
            noms = [f"{n}: {a} {'được' if g == 'Có' else 'không còn được'} đề nghị"
                    for a, n, g, c in zip(nom_t["Danh hiệu"], nom_t["Đơn vị"], nom_t["Đề nghị (giả định)"], nom_ch) if c]
            summary = moved + noms
            self.message_html.value = message(
                f"Đã tính theo giả định trong {fmt_number(time.perf_counter() - t0)} giây. "
                + (f"{len(summary)} thay đổi (tô màu): " + "; ".join(summary) + "." if summary else "Không đơn vị nào thay đổi kết quả."))
            self.ranking_html.value = section("Xếp hạng: giao ước và giả định", table_html(rank_t, rank_ch))
            self.nominations_html.value = section("Đề nghị khen thưởng: giao ước và giả định",
                                                  table_html(nom_t, nom_ch) if len(nom_t) else message("Kỳ này không xét khen thưởng."))
            return True

    def reset(self) -> None:
        """Drop every edit: back to the covenant."""
        with self._busy():
            self.show_covenant(self._covenant())

    def save(self, name: str | None = None) -> Path | None:
        """Write the scenario as a new covenant file; None (with a message) when refused."""
        with self._busy():
            name = self.scenario_name.value if name is None else name
            try:
                check_name(name)
            except ThiduaError as exc:
                self.save_message_html.value = message(str(exc), error=True)
                return None
            if self.scenarios_root is None:
                self.save_message_html.value = message("Nguồn dữ liệu này không có thư mục giao ước để lưu kịch bản.", error=True)
                return None
            res = self.analyses.result(*self._selection())
            scenario = self.scenario
            if scenario.is_empty:
                self.save_message_html.value = message("Chưa có giả định nào khác giao ước để lưu.", error=True)
                return None
            try:
                new = (self.applied[1] if self.applied and self.applied[0] == scenario
                       else evaluate_scenario(res.covenant, self.analyses.get(*self._selection()).data, self.analyses.vocab,
                                              scenario)[0])
                path = save(new, res.covenant, scenario, self.scenarios_root, name,
                            self.analyses.covenant_file(res.bloc, res.period.year))
            except DataError as exc:
                self.save_message_html.value = message("Giả định không hợp lệ:\n" + "\n".join(f"{p.where}: {p.message}"
                                                                                             for p in exc.problems), error=True)
                return None
            except ThiduaError as exc:
                self.save_message_html.value = message(str(exc), error=True)
                return None
            self.save_message_html.value = message(f"Đã lưu kịch bản: {path}")
            return path
