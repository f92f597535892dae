"""`thidua app` opens at once: a pool of preheated kernels, and the first view in the page as plain HTML."""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import spawn
from toolkit.cli.app_command import voila_command
from toolkit.explorer.analyses import WorkspaceAnalyses
from toolkit.explorer.explorer_ui import Explorer
from toolkit.reports.analysis import analyse

ROOT = Path(__file__).resolve().parent.parent


def test_the_explorer_is_displayed_with_its_first_view_as_html(ws, tmp_path):
    ex = Explorer(WorkspaceAnalyses(ws), prefetch=False, export_dir=tmp_path)
    bundle = ex.show()._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ex.widget.model_id
    html = bundle["text/html"]
    first = analyse(ws, *ex.key, compare=False).ranking.iloc[0]["name"]
    assert first in html and ex.ranking_html.value in html, "the same ranking the widget shows"


def test_the_app_keeps_a_pool_of_preheated_kernels(tmp_path):
    argv, _env = voila_command(8866, tmp_path, token="x")
    assert "--preheat_kernel=True" in argv and "--pool_size=1" in argv
    argv, _env = voila_command(8866, tmp_path, token="x", pool=0)
    assert not [a for a in argv if a.startswith(("--preheat_kernel", "--pool_size"))]


@pytest.mark.slow
def test_the_page_carries_the_first_view_before_any_script_runs(small_data, tmp_path):
    """The HTML Voilà sends (from a preheated kernel) already shows the ranking, without JavaScript."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_urlsafe(16)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    argv, env = voila_command(port, runtime, data_dir=small_data, reports_dir=tmp_path / "reports", token=token)
    env.update({"JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "IPYTHONDIR": str(tmp_path / "ipython")})
    log = tmp_path / "voila.log"
    with open(log, "wb") as out:
        proc = spawn(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 180
        while "Kernel pool of explore.ipynb is filled" not in log.read_text(errors="replace"):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.5)
        page = ""
        while "thidua-first-view" not in page:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token={token}", timeout=120) as r:
                    page = r.read().decode("utf-8")
            except OSError:
                time.sleep(0.5)
        from toolkit.model.workspace import Workspace

        first = analyse(Workspace.open(small_data), "kinh-te-ky-thuat", "2025", compare=False).ranking.iloc[0]["name"]
        view = page[page.index('<div class="thidua-first-view">'):]
        assert first in view[:view.index("</table>")], "the ranking of the opening selection, as plain HTML"
        assert "Using pre-heated kernel" in log.read_text(errors="replace"), "served from the pool"
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_app_compiles_its_page_templates_once_per_process(monkeypatch):
    """Voilà makes a new exporter (and Jinja environment) for every page; the app's exporter reuses the
    templates compiled for the first page instead of compiling them again for each visitor."""
    import jinja2
    from voila.paths import collect_template_paths

    from toolkit.cli.voila_server import CachedVoilaExporter

    compiled = []
    real = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    paths = collect_template_paths(["voila", "nbconvert"], "lab")

    def page_templates() -> int:
        before = len(compiled)
        CachedVoilaExporter(template_paths=paths, template_name="lab").environment.get_template("index.html.j2")
        return len(compiled) - before

    assert page_templates() > 0, "the first page compiles the lab template and those it extends"
    assert page_templates() == 0, "the next pages compile nothing"
