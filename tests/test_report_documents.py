"""Every report reads as a finished document: the HTML of each notebook, as a civil servant opens it.

The faults found by reading the reports in a browser, each checked on every kind of report
(bloc report, data quality, province overview, trends) made by ``thidua run`` on the sample data:

- a table shown as a monospace text dump (``<pre>``) instead of an HTML table;
- an empty table shown as a bare header row instead of a sentence;
- a bloc named by its id (``kinh-te-ky-thuat``) where a reader expects its name;
- sample data not said to be synthetic;
- the provenance footer in UTC instead of Vietnam's time (UTC+7).

``faults`` is checked against crafted HTML with each fault, so the checks are not vacuous. The
trends report is also checked end to end: its outputs, its manifest, the 2025 mergers traced back.
"""
from __future__ import annotations

import datetime as _dt
import html
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from toolkit import config
from toolkit.model.workspace import Workspace

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
BLOC, PERIOD = "kinh-te-ky-thuat", "2025"
BLOCS = ("kinh-te-ky-thuat", "noi-chinh-tong-hop", "van-hoa-xa-hoi")
KINDS = ("bloc_report", "data_quality", "province_overview", "trends")


def thidua(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "thidua"), *args], capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """One report of each kind, as `thidua run` files them: folder of each."""
    out = tmp_path_factory.mktemp("reports")
    for args in (["--bloc", "all", "--period", PERIOD, "--jobs", "2"],
                 ["--notebook", "data_quality", "--bloc", BLOC, "--period", PERIOD],
                 ["--notebook", "trends", "--bloc", BLOC, "--period", PERIOD]):
        proc = thidua("run", *args, "--reports", str(out))
        assert proc.returncode == 0, proc.stdout + proc.stderr
    base = out / PERIOD
    return {"bloc_report": base / BLOC, "data_quality": base / BLOC / "data_quality",
            "province_overview": base / "province_overview", "trends": base / BLOC / "trends"}


# --------------------------------------------------------------------------- reading a report's HTML


class _Page(HTMLParser):
    """Tables (header cells, body rows, cells), headings, and visible text outside code and the footer."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.headings: list[str] = []
        self.text: list[str] = []
        self.footer = ""
        self.images: list[str | None] = []  # each picture's description (alt), None when it has none
        self._stack: list[str] = []
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "img":  # a void element: nothing is inside it
            self.images.append(dict(attrs).get("alt"))
            return
        self._stack.append(tag)
        if tag == "table":
            self.tables.append({"head": [], "rows": 0, "cells": []})
        elif tag == "tr" and "tbody" in self._stack and self.tables:
            self.tables[-1]["rows"] += 1
        elif tag in ("td", "th"):
            self._cell = []
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables:
            text = "".join(self._cell).strip()
            self.tables[-1]["head" if tag == "th" else "cells"].append(text)
            self._cell = None
        elif re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None
        while self._stack and self._stack.pop() != tag:
            pass

    def handle_data(self, data):
        if any(t in ("style", "script") for t in self._stack):
            return
        if "footer" in self._stack:
            self.footer += data
            return
        for sink in (self._cell, self._heading):
            if sink is not None:
                sink.append(data)
        if "code" not in self._stack:
            self.text.append(data)


def faults(page_html: str, synthetic: bool = True, blocs: tuple[str, ...] = BLOCS) -> list[str]:
    """Every fault of the list above found in one report's HTML (empty: a finished document)."""
    found = []
    if re.search(r"<pre[\s>]", page_html):
        found.append("a table or text shown as a <pre> text dump")
    page = _Page()
    page.feed(page_html)
    for t in page.tables:
        if t["rows"] == 0:
            found.append(f"an empty table shown as a bare header row: {t['head']}")
    named = [c for t in page.tables for c in t["cells"] + t["head"] if c in blocs] + [h for h in page.headings if any(b in h for b in blocs)]
    if named or re.search(r"mã khối", " ".join(page.text)):
        found.append(f"blocs named by their ids: {named[:3]}")
    if any(not alt or not alt.strip() or alt.startswith("No description") for alt in page.images):
        found.append(f"a chart without a description in Vietnamese: {page.images}")
    if synthetic and "Dữ liệu mẫu" not in " ".join(page.text):
        found.append("synthetic data not said to be synthetic")
    if not re.search(r"lúc \d\d:\d\d ngày \d\d/\d\d/\d{4} \(giờ Việt Nam, UTC\+7\)", page.footer) or "UTC;" in page.footer:
        found.append(f"footer not in Vietnam time: {page.footer.strip()[:120]}")
    return found


GOOD = ('<h1>Báo cáo</h1><ul><li><strong>Dữ liệu mẫu</strong> (tổng hợp)</li></ul>'
        '<img src="data:image/png;base64,AAAA" alt="Tổng điểm các đơn vị qua các kỳ">'
        '<table class="thidua"><thead><tr><th>Khối</th></tr></thead><tbody><tr><td>Khối các sở, ngành văn hóa - xã hội</td></tr></tbody></table>'
        '<footer class="provenance">Tạo bởi thidua lúc 15:58 ngày 30/11/2026 (giờ Việt Nam, UTC+7); sổ tay x.ipynb.</footer>')


@pytest.mark.parametrize("broken, fault", [
    (GOOD.replace("<table", "<pre>Hạng  Đơn vị\n   1  Sở A</pre><table"), "<pre>"),
    (GOOD + '<table><thead><tr><th>Đơn vị</th></tr></thead><tbody>\n</tbody></table>', "bare header row"),
    (GOOD.replace("Khối các sở, ngành văn hóa - xã hội", "van-hoa-xa-hoi"), "ids"),
    (GOOD.replace("<h1>Báo cáo</h1>", "<h1>Báo cáo kinh-te-ky-thuat</h1>"), "ids"),
    (GOOD.replace("Dữ liệu mẫu", "Dữ liệu"), "synthetic"),
    (GOOD.replace(' alt="Tổng điểm các đơn vị qua các kỳ"', ""), "chart without a description"),
    (GOOD.replace("Tổng điểm các đơn vị qua các kỳ", "No description has been provided for this image"), "chart without a description"),
    (GOOD.replace("lúc 15:58 ngày 30/11/2026 (giờ Việt Nam, UTC+7)", "lúc 30/11/2026 08:58 UTC"), "Vietnam time"),
])
def test_each_fault_is_found(broken, fault):
    assert faults(GOOD) == []
    assert any(fault in f for f in faults(broken)), faults(broken)


@pytest.mark.parametrize("kind", KINDS)
def test_every_report_reads_as_a_finished_document(reports, kind):
    page = (reports[kind] / "report.html").read_text(encoding="utf-8")
    assert faults(page) == []


@pytest.mark.parametrize("kind", KINDS)
def test_footer_time_is_the_run_in_vietnam_time(reports, kind):
    page = (reports[kind] / "report.html").read_text(encoding="utf-8")
    started = _dt.datetime.fromisoformat(json.loads((reports[kind] / "manifest.json").read_text(encoding="utf-8"))["started"])
    local = started.astimezone(_dt.timezone(_dt.timedelta(hours=7)))
    assert f"lúc {local:%H:%M ngày %d/%m/%Y} (giờ Việt Nam, UTC+7)" in page


def test_checked_tables_are_html_tables_in_the_report(reports):
    """The ranking and nominations (nbval's checked cells) are HTML tables, with every unit in a cell."""
    page = _Page()
    page.feed((reports["bloc_report"] / "report.html").read_text(encoding="utf-8"))
    heads = [t["head"] for t in page.tables]
    assert ["Hạng", "Đơn vị", "Tổng điểm", "Xếp loại", "Phân định khi bằng điểm", "Bằng điểm với"] in heads
    assert ["Danh hiệu", "Hạng", "Đơn vị", "Tổng điểm", "Đề nghị", "Lý do / kết quả xét"] in heads
    overview = _Page()
    overview.feed((reports["province_overview"] / "report.html").read_text(encoding="utf-8"))
    leaders = next(t for t in overview.tables if t["head"][:2] == ["Khối", "Dẫn đầu"])
    names = [Workspace.open().registry.bloc_name(b) for b in BLOCS]
    assert set(names) <= set(leaders["cells"])


def test_overview_charts_name_blocs(reports):
    import matplotlib

    matplotlib.use("Agg")
    from toolkit.reports import overview, province_charts

    from chart_helpers import sticking_out

    ov = overview.load(PERIOD, str(reports["province_overview"].parent.parent))
    labels = [t.get_text().replace("\n", " ") for t in province_charts.totals_chart(ov).axes[0].get_yticklabels()]
    assert sorted(labels) == sorted(ov.names[b] for b in BLOCS)
    for make in (province_charts.totals_chart, province_charts.totals_by_year_chart):  # filed uncropped: nothing may stick out
        assert sticking_out(make(ov)) == [], make.__name__


# --------------------------------------------------------------------------- the trends report end to end


def test_trends_report_outputs(reports):
    folder = reports["trends"]
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    for expected in ("report.ipynb", "report.html", "results.xlsx", "manifest.json", "results/qua_cac_ky.csv",
                     "results/thay_doi_giao_uoc.csv", "results/khen_thuong_qua_cac_ky.csv"):
        assert expected in names
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert m["report"] == {"bloc": BLOC, "notebook": "trends"} and m["parameters"]["last"] == PERIOD
    # the 2025 bloc report filed just before is current: read, not recomputed
    assert list(m["parameters"]["filed"]) == [PERIOD]
    assert "periods/kinh-te-ky-thuat/2018/scores.csv" in m["inputs"] and "covenants/kinh-te-ky-thuat/2025.yaml" in m["inputs"]
    # the province's decisions are inputs too: a new decision makes the report out of date
    assert "decisions/2018/215-qd-ubnd.yaml" in m["inputs"]
    text = html.unescape((folder / "report.html").read_text(encoding="utf-8"))
    assert "Sở Tài nguyên và Môi trường (được tặng, QĐ số 215/QĐ-UBND)" in text and "Sở Xây dựng (không được tặng)" in text
    assert "Sở Công Thương (chờ quyết định)" in text  # its 2025 certificate, not decided yet


def test_trends_report_traces_the_2025_mergers(reports):
    page = (reports["trends"] / "report.html").read_text(encoding="utf-8")
    text = html.unescape(page)
    assert "Sở Nông nghiệp và Môi trường: hình thành năm 2025 do hợp nhất: Sở Nông nghiệp và Phát triển nông thôn; " \
           "Sở Tài nguyên và Môi trường" in text
    assert "↳ Sở Giao thông vận tải" in text and "từ năm 2025 hợp nhất vào Sở Xây dựng" in text
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', page)) >= 6  # every chart embedded
    nb = nbformat.read(reports["trends"] / "report.ipynb", as_version=4)
    code = [ln for c in nb.cells if c.cell_type == "code" for ln in c.source.splitlines() if ln and not ln.startswith("#")]
    assert [ln for ln in code if html.escape(ln, quote=False) in page] == []  # no code in the filed report
    ranks = pd.read_csv(reports["trends"] / "results" / "qua_cac_ky.csv", keep_default_na=False, na_values=[""])
    merged = ranks[ranks["line"] == "Sở Nông nghiệp và Môi trường"]
    assert set(merged["unit"]) == {"Sở Nông nghiệp và Môi trường", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Tài nguyên và Môi trường"}
    assert sorted(ranks["period"].astype(str).unique()) == [str(y) for y in range(2018, 2026)]


def test_trends_notebook_runs_with_plain_papermill(tmp_path):
    out = tmp_path / "out.ipynb"
    proc = subprocess.run([str(BIN / "papermill"), str(config.NOTEBOOKS_DIR / "trends.ipynb"), str(out), "-r", "bloc", BLOC,
                           "-p", "first", "2024", "-r", "last", "2025-H1", "-r", "output_dir", str(tmp_path / "r"),
                           "--no-progress-bar"], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = json.dumps(nbformat.read(out, as_version=4).cells[3].outputs, ensure_ascii=False)
    assert "từ 6 tháng đầu năm 2024 đến 6 tháng đầu năm 2025" in text
    assert (tmp_path / "r" / "results" / "qua_cac_ky.csv").exists()


@pytest.mark.parametrize("kind", ["trends", "province_overview"])
def test_verify_reruns_the_report_from_its_manifest(reports, kind):
    proc = thidua("verify", str(reports[kind]))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Giống hệt" in proc.stdout
