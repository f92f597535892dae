"""The filed report's HTML: nbconvert's lab template without code, CDN or prompts (``templates/thidua_html``).

One exporter per process, built (templates compiled) in a thread while the first report's
kernel runs, reused by a batch worker for every report; one conversion at a time, since an
exporter keeps per-notebook state while it converts.

:class:`ReportHTMLExporter` leaves out the last step of nbconvert's HTML exporter, which parses
the finished page with BeautifulSoup (``html.parser``) and writes it out again only to give
every picture without a description the English text "No description has been provided for
this image" and every output a ``tabindex`` (so that a wide table can be scrolled from the
keyboard). On a report that pass cost 0.4 s of CPU, more than the rest of the conversion and a
sixth of a batch report. :func:`_for_every_reader` does the same on the page as the template
wrote it, whose tags it knows (text from submissions is escaped inside them); the template
gives each chart its own Vietnamese description (its title, :class:`toolkit.reports.display.Chart`).
``tests/test_html_export.py`` checks the page against nbconvert's own.
"""
from __future__ import annotations

import functools
import re
import threading
from pathlib import Path

from toolkit import config

TEMPLATES = config.HTML_TEMPLATES_DIR
_convert_lock = threading.Lock()
_build_lock = threading.Lock()
# the box of an output or of a Markdown cell, as the template writes it
_OUTPUT = re.compile(r'<div class="[^"<>]*\b(?:jp-OutputArea-output|jp-Cell-inputWrapper)\b[^"<>]*"')
_NO_ALT = re.compile(r"<img(?![^<>]*\salt=)")
UNDESCRIBED = "Hình ảnh chưa có mô tả"  # a picture that is not a report chart (those have their titles)


def _for_every_reader(page: str) -> str:
    """Every output and text reachable from the keyboard, every picture described (what nbconvert's BeautifulSoup pass did)."""
    page = _OUTPUT.sub(lambda m: m.group(0) + ' tabindex="0"', page)
    return _NO_ALT.sub(f'<img alt="{UNDESCRIBED}"', page)


def exporter():
    """This process's exporter, built on first use (by converting a small notebook)."""
    with _build_lock:
        return _build()


@functools.cache
def _build():
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from traitlets.config import Config

    class ReportHTMLExporter(HTMLExporter):
        """HTMLExporter.from_notebook_node up to its BeautifulSoup pass (see the module's docstring)."""

        def from_notebook_node(self, nb, resources=None, **kw):
            lang = nb.metadata.get("language_info", {})
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lang.get("pygments_lexer", lang.get("name")), parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                                           resources=resources))
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _for_every_reader(page), resources

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = ("notebook-only",)
    c.TagRemovePreprocessor.enabled = True
    made = ReportHTMLExporter(config=c, extra_template_basedirs=[str(TEMPLATES)], template_name="thidua_html",
                              exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    v4 = nbformat.v4
    sample = v4.new_notebook(cells=[v4.new_markdown_cell("#"), v4.new_code_cell(outputs=[
        v4.new_output("stream", text="."), v4.new_output("display_data", {"text/html": "<p>.</p>", "text/markdown": "."})])])
    with _convert_lock:
        made.from_notebook_node(sample, resources={"thidua_footer": "", "language_code": "vi", "metadata": {"name": ""}})
    return made


def write_html(nb_path: Path, out: Path, footer: str) -> None:
    """Convert the executed notebook at ``nb_path`` to ``out``, with ``footer`` (who made it, when) at the end."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for i, cell in enumerate(nb.cells):  # papermill gives its injected cell a random id: keep the HTML repeatable
        cell.id = f"cell-{i}"
    made = exporter()
    with _convert_lock:
        body, _ = made.from_notebook_node(nb, resources={"thidua_footer": footer, "language_code": "vi",
                                                         "metadata": {"name": "Báo cáo thi đua"}})
    out.write_text(body, encoding="utf-8")
