"""``thidua app``: the explorer (notebooks/explore.ipynb) served by Voilà as a web app.

Colleagues who never open a notebook get the same widgets on http://127.0.0.1:<port>/ with no
code shown. It runs offline: Voilà's stock "lab" template links Font Awesome from a CDN, so
we serve our own small template, ``thidua``, that extends it without those links (the explorer
uses no icons) and hides cells tagged ``notebook-only`` (the checked text output of the
notebook). The template and the project's kernelspec are written to temporary folders put
first on JUPYTER_PATH, as :mod:`toolkit.kernel` does for reports, so nothing is installed.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import click

from toolkit import config
from toolkit.runs.kernel import ensure_kernel

TEMPLATE_NAME = "thidua"
NOTEBOOK = config.NOTEBOOKS_DIR / "explore.ipynb"

# Voilà's lab/index.html.j2 block notebook_css, without the two Font Awesome <link>s to
# cdn.jsdelivr.net; super.super() is nbconvert's lab template block, which the lab block calls.
INDEX = """{%- extends 'voila/templates/lab/index.html.j2' -%}
{% import "spinner.macro.html.j2" as spinner %}
{%- block notebook_css -%}
  {% if frontend == "voila" %}
    {{ resources.include_js("static/voila-style.js") }}
  {% endif %}
  {{ spinner.css() }}
  <style>
    .jp-mod-noOutputs.jp-mod-noInput { display: none; }
    .celltag_notebook-only { display: none !important; }
    body { padding: 0 16px; }
  </style>
  {{ super.super() }}
{%- endblock notebook_css -%}
"""
CONF = '{"base_template": "lab"}\n'


def ensure_template() -> Path:
    """Write (idempotently) the ``thidua`` Voilà template; return the folder to put on JUPYTER_PATH."""
    tag = hashlib.sha256((sys.executable + INDEX + CONF).encode()).hexdigest()[:12]
    base = Path(tempfile.gettempdir()) / f"thidua-voila-{tag}"
    folder = base / "voila" / "templates" / TEMPLATE_NAME
    for name, text in (("index.html.j2", INDEX), ("conf.json", CONF)):
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
    return base


def voila_command(port: int, data_dir: Path | None = None, reports_dir: Path | None = None,
                  open_browser: bool = False, notebook: Path = NOTEBOOK) -> tuple[list[str], dict[str, str]]:
    """The Voilà command line and environment that serve the explorer on 127.0.0.1:``port``."""
    ensure_kernel()  # puts the project's kernelspec ("thidua", the notebook's kernel) on JUPYTER_PATH
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join([str(ensure_template()), *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]])
    if data_dir is not None:
        env["THIDUA_DATA"] = str(Path(data_dir).resolve())
    if reports_dir is not None:
        env["THIDUA_REPORTS"] = str(Path(reports_dir).resolve())
    argv = [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
            f"--template={TEMPLATE_NAME}", "--theme=light", "--strip_sources=True", "--show_tracebacks=False"]
    if not open_browser:
        argv.append("--no-browser")
    return argv, env


@click.command("app")
@click.option("--port", type=int, default=8866, show_default=True, help="Cổng trên 127.0.0.1 (port).")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="Thư mục dữ liệu (mặc định: data/ của dự án hoặc THIDUA_DATA).")
@click.option("--reports", "reports_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Nơi ghi tệp xlsx khi bấm 'Xuất bảng' (<reports>/explorer/; mặc định: reports/).")
@click.option("--open", "open_browser", is_flag=True, help="Mở trình duyệt khi máy chủ sẵn sàng.")
def app_cmd(port: int, data_dir: Path | None, reports_dir: Path | None, open_browser: bool) -> None:
    """Serve the explorer as a web app (Voilà) on 127.0.0.1, no code shown, no internet needed.

    Pick a bloc and a period; see the scorecard, ranking and nominations; drill down into a
    unit; try what-if changes of the covenant; export the tables in view to xlsx. Each
    browser tab gets its own kernel. Stop with Ctrl+C.

    \b
    Examples:
      thidua app
      thidua app --port 8870 --data /srv/thidua/data --reports /srv/thidua/reports
    """
    argv, env = voila_command(port, data_dir, reports_dir, open_browser)
    click.echo(f"Ứng dụng khám phá kết quả thi đua: http://127.0.0.1:{port}/  (Ctrl+C để dừng)", err=True)
    proc = subprocess.Popen(argv, env=env)

    def stop(signum, _frame):  # a service manager's SIGTERM stops Voilà (and its kernels) too
        proc.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        code = proc.wait()
    except KeyboardInterrupt:  # Ctrl+C reaches Voilà as well (same process group); give it time to shut down
        try:
            code = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    if code not in (0, -signal.SIGTERM, -signal.SIGINT):
        click.echo(f"Voilà dừng với mã lỗi {code}.", err=True)
        sys.exit(code)
