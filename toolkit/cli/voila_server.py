"""The Voilà server ``thidua app`` runs: Voilà, with a busy page, the first view at once, and no token in any environment.

``python -m toolkit.cli.voila_server NOTEBOOK [Voilà options]`` is Voilà with these changes:

- **A busy page instead of a hung request.** Kernels are bounded (``thidua app --max-kernels``,
  :class:`toolkit.cli.voila_kernels.AppKernelManager`). A visitor who would need a kernel beyond
  the bound gets at once a page saying, in Vietnamese, that the system is busy and to try again in
  a minute; it reloads itself after that minute (HTTP 503 with ``Retry-After``). It also shows the
  first view, to read meanwhile.
- **The first view before the kernel.** The explorer's opening selection depends on the data
  only (:mod:`toolkit.explorer.first_view`); the kernels that run the explorer leave its HTML in a
  file of the app's private folder, and this server sends the latest one as the very first bytes
  of every page, before Voilà has even prepared the page or started the visitor's kernel. When a
  whole meeting opens the link at once, everyone reads the ranking within a second or two, while
  their kernels start behind it. Voilà's own page follows in the same response: HTML parsers
  (all browsers, by the HTML standard's parsing rules) ignore its second ``<!DOCTYPE>`` and
  ``<head>``, still apply its styles and scripts, and add its ``<html>`` and ``<body>`` attributes
  to the elements already open; the explorer's output (or the end of the page, if the notebook
  failed) removes the early view (toolkit.cli.app_command.INDEX).
- **Templates compiled once.** Voilà builds a new Jinja environment for every page and so
  compiled its templates again for each visitor (about 14 of them, the largest part of the
  server's own work per page). Its exporter here keeps them in one in-memory bytecode cache for
  the process (:class:`CachedVoilaExporter`); a template file that changes is compiled again,
  since Jinja checks each cached template against its source.
- **The token in no environment.** Voilà copies its own environment into every kernel it
  starts, so a token read from ``JUPYTER_TOKEN`` would be readable by every notebook (issue
  18). ``thidua app`` writes the token to a file of its private folder instead; this server reads
  it and deletes it before serving (``--AppVoila.token_file``).
"""
from __future__ import annotations

from pathlib import Path

import jinja2
import tornado.web
from traitlets import Unicode
from voila import notebook_renderer
from voila.app import Voila
from voila.exporter import VoilaExporter
from voila.tornado.handler import TornadoVoilaHandler

from toolkit.cli.voila_kernels import KernelLimitReached

RETRY_SECONDS = 60

# The first bytes of a page when a first view exists; Voilà's page follows (see the module's docstring).
EARLY = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Khám phá kết quả thi đua</title>
<style>#loading {{ display: none !important; }} .thidua-first-view-early {{ padding: 0 16px; }}</style>
</head><body>
<div class="thidua-first-view thidua-first-view-early">{first_view}</div>
"""

BUSY = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{retry}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hệ thống đang bận</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 24px; color: #1f2328; }}
.thidua-busy {{ border: 1px solid #d4a72c; background: #fff8c5; padding: 12px 16px; margin-bottom: 20px; max-width: 900px; }}
.thidua-busy h1 {{ font-size: 20px; margin: 0 0 8px 0; }}
.thidua-busy-view .thidua-explorer > .thidua-msg {{ display: none; }} /* "loading the controls": not on this page */
</style></head>
<body>
<div class="thidua-busy" role="alert">
<h1>Hệ thống đang bận, vui lòng thử lại sau một phút</h1>
<p>Đang có nhiều người cùng xem nên máy chủ chưa mở thêm được phiên làm việc mới.
Trang sẽ tự tải lại sau <span id="thidua-countdown">{retry}</span> giây, hoặc <a href="">thử lại ngay</a>.</p>
</div>
{first_view}
<script>
(function () {{
  var left = {retry}, el = document.getElementById("thidua-countdown");
  setInterval(function () {{ if (left > 0) {{ left -= 1; el.textContent = left; }} }}, 1000);
}})();
</script>
</body></html>
"""


def read_first_view(path: str) -> str:
    """The latest first view a kernel left (:func:`toolkit.explorer.first_view.publish`), or '' before any."""
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def early_first_view(first_view: str) -> str:
    """The start of a page that shows ``first_view`` until the page's own kernel has displayed the explorer ('' without one)."""
    return EARLY.format(first_view=first_view) if first_view else ""


def busy_page(first_view: str) -> str:
    shown = (f'<div class="thidua-busy-view"><h2>Kết quả mở đầu (chỉ để xem)</h2>{first_view}</div>' if first_view else "")
    return BUSY.format(retry=RETRY_SECONDS, first_view=shown)


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory, shared by every Jinja environment of the process."""

    def __init__(self):
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])  # discarded by Jinja if the source has changed

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


_COMPILED = MemoryBytecodeCache()


class CachedVoilaExporter(VoilaExporter):
    """Voilà's exporter, whose fresh Jinja environment for each page takes its compiled templates from one cache."""

    @property
    def environment(self):
        env = super().environment
        env.bytecode_cache = _COMPILED
        return env


class AppPageHandler(TornadoVoilaHandler):
    """Voilà's page, or the busy page when the visitor's kernel would exceed the bound."""

    @tornado.web.authenticated
    async def get(self, path=None):
        if not self.notebook_path or path:  # not the explorer's page (a file beside it): as Voilà does
            return await super().get(path)
        first_view = read_first_view(self.settings.get("thidua_first_view", ""))
        kernels = self.kernel_manager
        place = None
        if hasattr(kernels, "admit") and not self._pool_ready(self.notebook_path):
            try:
                place = kernels.admit()  # this visitor's kernel will be started: take its place first
            except KernelLimitReached:
                return self._busy(first_view)
        try:
            self.write(early_first_view(first_view))
            self.flush()
            async for snippet in self.get_generator(path=path):
                self.write(snippet)
                self.flush()
        finally:
            if place is not None:
                kernels.release(place)

    def should_use_rendered_notebook(self, notebook_data, pool_size, template_name, theme, request_args):
        """Voilà's pooled page only when a pooled kernel has started: never wait for one still starting."""
        return (super().should_use_rendered_notebook(notebook_data, pool_size, template_name, theme, request_args)
                and self._pool_ready(self.notebook_path))

    def _pool_ready(self, notebook: str) -> bool:
        ready = getattr(self.kernel_manager, "pool_ready", None)
        return bool(ready and ready(notebook))

    def _busy(self, first_view: str) -> None:
        self.log.warning("Kernel limit reached: busy page sent to %s", self.request.remote_ip)
        self.clear()
        self.set_status(503)
        self.set_header("Retry-After", str(RETRY_SECONDS))
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache, no-store, must-revalidate")
        self.finish(busy_page(first_view))


class AppVoila(Voila):
    """Voilà serving the explorer for ``thidua app`` (see the module's docstring)."""

    token_file = Unicode("", config=True, help="File holding the access token; read, then deleted, at start.")
    first_view_file = Unicode("", config=True, help="File where the kernels leave the explorer's first view.")

    def initialize(self, argv=None):
        super().initialize(argv)
        notebook_renderer.VoilaExporter = CachedVoilaExporter  # the name Voilà's renderer builds its exporter by
        if self.token_file:
            path = Path(self.token_file)
            self.token = path.read_text(encoding="utf-8").strip()
            path.unlink()

    def init_settings(self) -> dict:
        return {**super().init_settings(), "thidua_first_view": self.first_view_file}

    def init_handlers(self) -> list:
        return [(spec[0], AppPageHandler, *spec[2:]) if spec[1] is TornadoVoilaHandler else spec
                for spec in super().init_handlers()]


main = AppVoila.launch_instance

__all__ = ["AppVoila", "AppPageHandler", "busy_page", "early_first_view", "main"]

if __name__ == "__main__":
    main()
