"""The filed HTML page: nbconvert's page without its slow BeautifulSoup pass, and what that pass gave readers kept."""
from __future__ import annotations

import base64
import io
import re
from html.parser import HTMLParser

import nbformat
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from toolkit.runs import html_export

TITLE = 'Tổng điểm "Sở <b>A</b>" & Sở B'


def _png() -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    buf = io.BytesIO()
    Figure(figsize=(1, 1)).savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode()


def _notebook():
    v4 = nbformat.v4
    png = _png()
    outputs = [
        v4.new_output("stream", text="một dòng\n"),
        v4.new_output("display_data", {"text/markdown": "**Đậm** và `mã`", "text/plain": "x"}),
        v4.new_output("display_data", {"text/html": '<table class="thidua"><tr><td>Sở &lt;A&gt;</td></tr></table>',
                                       "text/plain": "t"}),
        v4.new_output("display_data", {"image/png": png, "text/plain": f"Biểu đồ: {TITLE}"}, metadata={"image/png": {"alt": TITLE}}),
        v4.new_output("display_data", {"image/png": png, "text/plain": "<Figure>"}),  # a figure shown some other way
        v4.new_output("display_data", {"image/jpeg": png, "text/plain": "ảnh"}),
        v4.new_output("execute_result", {"text/plain": "42"}, execution_count=1),
    ]
    return v4.new_notebook(cells=[v4.new_markdown_cell("# Báo cáo"), v4.new_code_cell("x", outputs=outputs, execution_count=1)])


def _convert(exporter, nb) -> str:
    body, _ = exporter.from_notebook_node(nb, resources={"thidua_footer": "chân trang", "language_code": "vi",
                                                         "metadata": {"name": "Báo cáo"}})
    return body


def _without_alt(page: str) -> str:
    soup = BeautifulSoup(page, "html.parser")
    for img in soup.find_all("img"):
        del img["alt"]
    return str(soup)


class _Images(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.alts: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs).get("alt"))


def test_the_page_is_nbconverts_page_apart_from_the_descriptions_of_its_pictures():
    ours = html_export.exporter()
    theirs = HTMLExporter(config=ours.config, extra_template_basedirs=ours.extra_template_basedirs,
                          template_name=ours.template_name, exclude_input=True, exclude_input_prompt=True,
                          exclude_output_prompt=True)
    nb = _notebook()
    mine, reference = _convert(ours, nb), _convert(theirs, nb)
    assert "tabindex" in reference and mine.count('tabindex="0"') == reference.count('tabindex="0"') > 0
    assert _without_alt(mine) == _without_alt(reference)  # the same page once parsed, pictures' descriptions aside


def test_every_picture_is_described_in_vietnamese_and_a_chart_by_its_title_escaped():
    page = _convert(html_export.exporter(), _notebook())
    images = _Images()
    images.feed(page)
    assert images.alts == [TITLE, html_export.UNDESCRIBED, html_export.UNDESCRIBED]
    assert "<b>A</b>" not in page and "&lt;b&gt;A&lt;/b&gt;" in page  # the title is text, never markup
    assert "No description" not in page


def test_names_from_submissions_make_no_picture_or_link_in_the_page():
    """A unit named like Markdown's picture or link syntax is shown as typed: the report fetches nothing."""
    from toolkit.reports.notebook_api import markdown

    name = "Sở ![ảnh](http://máy-lạ.example/p.png) [bấm](http://máy-lạ.example) <img src=x>"
    shown = markdown(f"- Dẫn đầu là **{name}** với 95 điểm.")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", execution_count=1, outputs=[
        nbformat.v4.new_output("display_data", {"text/markdown": shown._repr_markdown_(), "text/plain": "x"})])])
    page = _convert(html_export.exporter(), nb)
    body = page[page.index("<body"):]
    assert "máy-lạ.example" in body, "the name is there, as text"
    assert "<img" not in body and 'href="http://máy-lạ' not in body
    assert "<strong>" in body  # the report's own emphasis still works


class _Strong(HTMLParser):
    """The text of each <strong> of a page's body, every tag seen, and the visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.strong: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "strong":
            self._open = []

    def handle_endtag(self, tag):
        if tag == "strong" and self._open is not None:
            self.strong.append("".join(self._open))
            self._open = None

    def handle_data(self, data):
        self.text.append(data)
        if self._open is not None:
            self._open.append(data)


HOSTILE = "Sở <img src=http://máy-lạ.example/p.png> *A_B* `c` [x] http://máy-lạ.example/a ~~d~~ $e$ | \\ 1."


def _page_of(*texts: str) -> _Strong:
    """The report page's body of Markdown outputs, as nbconvert renders them, parsed."""
    from toolkit.reports.notebook_api import markdown

    outputs = [nbformat.v4.new_output("display_data", {"text/markdown": markdown(t)._repr_markdown_(), "text/plain": "x"})
               for t in texts]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", execution_count=1, outputs=outputs)])
    page = _convert(html_export.exporter(), nb)
    parsed = _Strong()
    parsed.feed(page[page.index("<body"):])
    return parsed


def test_names_from_data_stay_text_with_the_bold_around_them(tmp_path):
    """The leader's and the bloc's names, written like Markdown, HTML and a URL, read as typed, in bold, linking nowhere."""
    import shutil

    from conftest import DATA
    from toolkit.model.workspace import Workspace
    from toolkit.reports import notebook_api as report
    from toolkit.reports import result_tables
    from toolkit.reports.analysis import analyse

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    leader = analyse(Workspace.open(DATA), "kinh-te-ky-thuat", "2018", compare=False).ranking.iloc[0]
    for name, old in (("units.csv", leader["name"]),
                      ("blocs.csv", "Khối các sở, ban, ngành tham mưu và quản lý Nhà nước về kinh tế, kỹ thuật")):
        path = data / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, HOSTILE), encoding="utf-8")  # no comma or quote in it: CSV as it is
    res = analyse(Workspace.open(data), "kinh-te-ky-thuat", "2018", compare=False)
    page = _page_of(report.title_block(res), result_tables.summary(res))
    assert page.strong == [HOSTILE, "Dữ liệu mẫu", HOSTILE], page.strong  # the bloc's name, then the leader's: whole, in bold
    names = [t for t, _ in page.tags]
    assert [a["href"][:1] for t, a in page.tags if t == "a"] == ["#"]  # the title's own anchor, no link out
    assert (names.count("h1"), names.count("code")) == (1, 1)  # the title, the data source: the report's own markup
    assert not {"img", "em", "del", "ol", "h2", "blockquote"} & set(names), names  # none from the names
    assert "**" not in "".join(page.text)


def test_names_in_the_trends_sentences_stay_text(tmp_path):
    import shutil

    from conftest import DATA
    from toolkit.reports import trends
    from toolkit.reports.bloc_history import load_history

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    h = load_history("kinh-te-ky-thuat", "2023", "2025", str(DATA))
    lead = re.search(r"\*\*(.+?)\*\*", trends.summary(h)).group(1)  # the unit leading most often, named in bold
    path = data / "units.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(lead, HOSTILE), encoding="utf-8")
    h = load_history("kinh-te-ky-thuat", "2023", "2025", str(data))
    page = _page_of(trends.summary(h), trends.never_nominated(h))
    assert HOSTILE in page.strong, page.strong
    names = [t for t, _ in page.tags]
    assert not {"a", "img", "code", "em", "del", "ol", "h1", "blockquote"} & set(names), names
    assert "**" not in "".join(page.text)
