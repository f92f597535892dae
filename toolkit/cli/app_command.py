"""``thidua app``: the explorer (notebooks/explore.ipynb) served by Voilà as a web app.

Colleagues who never open a notebook get the same widgets on http://127.0.0.1:<port>/ with no
code shown. It runs offline: Voilà's stock "lab" template links Font Awesome from a CDN, so
we serve our own small template, ``thidua``, that extends it without those links (the explorer
uses no icons) and hides cells tagged ``notebook-only`` (the checked text output of the
notebook). The template is written to a private temporary folder (mode 0700) put first on
JUPYTER_PATH, so nothing is installed. Visitors need a token, as with Jupyter itself; it reaches
Voilà through a file of that folder, never an environment that kernels inherit
(:mod:`toolkit.cli.voila_server`, which is the Voilà this command runs).

A visitor should not wait for a kernel to start, import and analyse: Voilà keeps a pool of
*preheated* kernels (``--pool``, default 1) that have already run the explorer notebook, hands
one to each visitor (every visitor still has a kernel of their own) and refills the pool in the
background. The notebook's first view depends on the data only (the first bloc, its latest year
with data), never on the request, so it can be rendered before anyone asks: when more visitors
arrive than the pool holds, each page starts with the latest first view a kernel rendered, and
the visitor reads it while their own kernel starts.

Kernels are bounded (``--max-kernels``, about 240 MB each): a visitor beyond the bound gets a
page saying the system is busy and to try again in a minute, which reloads itself
(:mod:`toolkit.cli.voila_kernels`, :mod:`toolkit.cli.voila_server`). Voilà does not shut a
visitor's kernel down when the tab closes, so jupyter_server's culler does: a kernel with no page
connected and idle for ``--idle-timeout`` seconds is shut down (Voilà never culls its pool, and a
kernel just taken from it is given time to be connected to). A tab left open keeps its kernel.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import click

from toolkit import config
from toolkit.explorer.first_view import ENV as FIRST_VIEW_ENV
from toolkit.model.files import write_file
from toolkit.runs.lifetime import launcher

TEMPLATE_NAME = "thidua"
NOTEBOOK = config.NOTEBOOKS_DIR / "explore.ipynb"
IDLE_TIMEOUT = 600  # seconds: a closed page's kernel is freed ten minutes after its last activity
KERNEL_MB = 240  # resident memory of one explorer kernel, measured (benchmarks/app_latency.py, app_load.py)
MAX_KERNELS_CAP = 30

# Voilà's lab/index.html.j2 block notebook_css, without the two Font Awesome <link>s to
# cdn.jsdelivr.net; super.super() is nbconvert's lab template block, which the lab block calls.
# Voilà keeps the page's cells hidden behind a spinner until its JavaScript has loaded and drawn
# them (about two seconds here, with a kernel ready): the explorer's first view is put in the page
# as plain HTML and shown at once (see data_priority), until the live widgets replace it.
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

{#- An output that is a widget and also has HTML (toolkit.explorer.first_view.FirstView): the HTML is in the page
    as it is, and the cells are shown without waiting for the widget library; Voilà then draws the
    widget as usual, and the live explorer hides this first view (toolkit.explorer.html.LIVE_STYLE). -#}
{%- block data_priority scoped -%}
{%- if output and "application/vnd.jupyter.widget-view+json" in output.data and "text/html" in output.data -%}
<style>#rendered_cells { display: block !important; } #loading { display: none !important; }</style>
<div class="thidua-first-view">{{ output.data["text/html"] }}</div>
{#- the first view toolkit.cli.voila_server sent ahead of the page has done its job -#}
<script>document.querySelectorAll(".thidua-first-view-early").forEach(function (e) { e.remove(); });</script>
{%- endif -%}
{{ super() }}
{%- endblock data_priority -%}

{#- A notebook that failed displays no explorer: its error is shown, not an older first view. -#}
{%- block body_footer -%}
<script>document.querySelectorAll(".thidua-first-view-early").forEach(function (e) { e.remove(); });</script>
{{ super() }}
{%- endblock body_footer -%}
"""
CONF = '{"base_template": "lab"}\n'


def ensure_template(base: Path) -> Path:
    """Write the ``thidua`` Voilà template under the private folder ``base``; return ``base`` (for JUPYTER_PATH).

    ``base`` must be private (see :func:`private_folder`): a template folder at a predictable
    shared path could be planted by another local user before we write it.
    """
    folder = base / "voila" / "templates" / TEMPLATE_NAME
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("index.html.j2", INDEX), ("conf.json", CONF)):
        (folder / name).write_text(text, encoding="utf-8")
    return base


def private_folder(prefix: str = "thidua-app-") -> Path:
    """A new temporary folder only this user can read (mode 0700, created by ``mkdtemp``, owner checked)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    st = path.stat()
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise RuntimeError(f"temporary folder {path} is not private")
    return path


def default_max_kernels(pool: int = 1) -> int:
    """As many kernels as fit in half the machine's memory at ``KERNEL_MB`` each, at most ``MAX_KERNELS_CAP``.

    Half: the other half stays for the system, the server, report runs and LibreOffice. At least
    the pool and one visitor. Without /proc/meminfo (not Linux), the cap.
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            total_mb = next(int(line.split()[1]) for line in fh if line.startswith("MemTotal:")) / 1024
    except (OSError, StopIteration, ValueError, IndexError):
        return max(pool + 1, MAX_KERNELS_CAP)
    return max(pool + 1, min(MAX_KERNELS_CAP, int(total_mb / 2 // KERNEL_MB)))


def voila_command(port: int, runtime: Path, data_dir: Path | None = None, reports_dir: Path | None = None,
                  open_browser: bool = False, notebook: Path = NOTEBOOK, token: str | None = None,
                  pool: int = 1, idle_timeout: int = IDLE_TIMEOUT, max_kernels: int | None = None,
                  ) -> tuple[list[str], dict[str, str]]:
    """The Voilà command line and environment that serve the explorer on 127.0.0.1:``port``.

    ``runtime``: a private folder for the template, the token and the first view. ``token``: visitors
    must present it (the URL printed carries it, as Jupyter's does); it is written to a file of
    ``runtime`` that the server deletes once read: neither on the command line, where any local
    user could read it in ``ps``, nor in the environment, which Voilà copies into every kernel.
    ``None`` serves without a token. ``pool``: kernels kept ready with the explorer already shown
    (0: each visitor waits for a new one). ``idle_timeout``: seconds after which the kernel of a
    closed page is shut down (0: never). ``max_kernels``: most kernel processes at once, the
    pool's included (``None``: :func:`default_max_kernels`; 0: no limit).
    """
    env = dict(os.environ)
    env.pop("JUPYTER_TOKEN", None)  # nobody's token reaches the kernels
    env["JUPYTER_PATH"] = os.pathsep.join([str(ensure_template(runtime)), *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]])
    if data_dir is not None:
        env["THIDUA_DATA"] = str(Path(data_dir).resolve())
    if reports_dir is not None:
        env["THIDUA_REPORTS"] = str(Path(reports_dir).resolve())
    first_view = Path(runtime) / "first-view.html"
    env[FIRST_VIEW_ENV] = str(first_view)  # the kernels leave the explorer's first view there
    max_kernels = default_max_kernels(pool) if max_kernels is None else max_kernels
    argv = [sys.executable, "-m", "toolkit.cli.voila_server", str(notebook), f"--port={port}", "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0", f"--template={TEMPLATE_NAME}", "--theme=light", "--strip_sources=True",
            "--show_tracebacks=False",
            # the notebook's kernel "thidua" is this Python, whatever kernelspecs the machine has
            "--kernel_spec_manager_class=toolkit.runs.kernel.ProjectKernelSpecManager",
            # the bound on kernels, and a kernel just taken from the pool is not culled before its visitor's page connects
            "--VoilaConfiguration.multi_kernel_manager_class=toolkit.cli.voila_kernels.AppKernelManager",
            f"--AppKernelManager.max_kernels={max_kernels}", f"--AppVoila.first_view_file={first_view}"]
    if pool > 0:  # Voilà runs the notebook in `pool` kernels ahead of visitors and refills the pool as they take them
        argv += ["--preheat_kernel=True", f"--pool_size={pool}"]
    if idle_timeout > 0:  # checked every quarter of the timeout (at most every minute); pooled kernels are never culled
        argv += [f"--MappingKernelManager.cull_idle_timeout={idle_timeout}",
                 f"--MappingKernelManager.cull_interval={max(1, min(60, idle_timeout // 4))}"]
    if token:
        argv.append(f"--AppVoila.token_file={write_file(Path(runtime) / 'token', token)}")
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
@click.option("--no-token", is_flag=True, help="Không yêu cầu mã truy cập (chỉ dùng trên máy một người dùng).")
@click.option("--pool", type=click.IntRange(min=0), default=1, show_default=True,
              help="Số kernel chuẩn bị sẵn (đã mở sẵn giao diện) để người vào xem không phải chờ; mỗi kernel tốn bộ nhớ "
                   "như một người đang xem (0: không chuẩn bị sẵn).")
@click.option("--idle-timeout", type=click.IntRange(min=0), default=IDLE_TIMEOUT, show_default=True,
              help="Sau bao nhiêu giây không hoạt động thì đóng kernel của trang đã đóng để giải phóng bộ nhớ "
                   "(0: không bao giờ). Trang còn mở vẫn giữ kernel của mình.")
@click.option("--max-kernels", type=click.IntRange(min=1), default=None,
              help=f"Số kernel tối đa cùng lúc, kể cả kernel chuẩn bị sẵn (mỗi kernel khoảng {KERNEL_MB} MB). Người vào "
                   "xem khi đã đủ số này nhận trang \"Hệ thống đang bận, vui lòng thử lại sau một phút\" (trang tự tải lại). "
                   f"Mặc định: số kernel vừa nửa bộ nhớ của máy, không quá {MAX_KERNELS_CAP}.")
def app_cmd(port: int, data_dir: Path | None, reports_dir: Path | None, open_browser: bool, no_token: bool, pool: int,
            idle_timeout: int, max_kernels: int | None) -> None:
    """Serve the explorer as a web app (Voilà) on 127.0.0.1, no code shown, no internet needed.

    Pick a bloc and a period; see the scorecard, ranking and nominations; drill down into a
    unit; try what-if changes of the covenant; export the tables in view to xlsx. Each
    browser tab gets its own kernel. Visitors need the access token in the printed URL, so
    other users of a shared server cannot open it (--no-token to turn that off). The page opens
    at once: --pool kernels wait with the explorer already shown, and the pool is refilled in the
    background; when more visitors come at once, each page shows the first results while its own
    kernel starts. At most --max-kernels kernels run at once (about 240 MB each); a visitor beyond
    that gets a page saying the system is busy, which reloads itself a minute later. The kernel of
    a closed page is shut down after --idle-timeout seconds without activity. Stop with Ctrl+C.

    \b
    Examples:
      thidua app
      thidua app --port 8870 --data /srv/thidua/data --reports /srv/thidua/reports
      thidua app --max-kernels 12
    """
    if max_kernels is not None and max_kernels <= pool:
        raise click.BadParameter(f"phải lớn hơn --pool ({pool}): kernel chuẩn bị sẵn cũng được tính, cần chỗ cho người vào xem.",
                                 param_hint="--max-kernels")
    runtime = private_folder()
    token = None if no_token else secrets.token_urlsafe(24)
    try:
        _serve(port, runtime, data_dir, reports_dir, open_browser, token, pool, idle_timeout, max_kernels)
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def _serve(port: int, runtime: Path, data_dir: Path | None, reports_dir: Path | None, open_browser: bool, token: str | None,
           pool: int, idle_timeout: int, max_kernels: int | None) -> None:
    argv, env = voila_command(port, runtime, data_dir, reports_dir, open_browser, token=token, pool=pool,
                              idle_timeout=idle_timeout, max_kernels=max_kernels)
    url = f"http://127.0.0.1:{port}/" + (f"?token={token}" if token else "")
    click.echo(f"Ứng dụng khám phá kết quả thi đua: {url}  (Ctrl+C để dừng)", err=True)
    proc = subprocess.Popen(launcher(argv), env=env)  # Voilà dies with us, even on kill -9 (toolkit.runs.lifetime)

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
