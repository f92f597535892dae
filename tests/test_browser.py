"""The explorer in a real browser: JupyterLab and the Voilà app, driven by Chromium through Playwright.

Each test starts its own server on a free loopback port with its own settings, runtime and
config folders (JupyterLab: a token, news and update checks off, the announcements plugin
disabled), points the kernel at a copy of the sample data trimmed to 2024-H1..2025 (so the
background cache fills within the test), opens the explorer, changes the bloc and the unit, and
checks that the ranking and the drill-down on screen show the engine's values for the same
files. Screenshots are saved in the test's tmp folder. Servers are stopped by their process id
in the fixture's teardown, also when a test fails.

Debian's Chromium is used (``executable_path=/usr/bin/chromium``); ``playwright install`` is
not needed. Without Chromium these tests are skipped (tests/conftest.py) with what to install.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright


from conftest import spawn
from toolkit.model.workspace import Workspace


from toolkit.reports.analysis import analyse
from toolkit.runs.kernel import ensure_kernel
from toolkit.model.text import fmt_number

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.requires_chromium]

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

KT, VH = "kinh-te-ky-thuat", "van-hoa-xa-hoi"
TIMEOUT_MS = 120_000


# --------------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"server not ready after {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop a server we started, by its pid (its kernels are shut down by the server itself)."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)




def _env(tmp: Path, data: Path) -> dict[str, str]:
    ensure_kernel()  # the notebook's kernel, "thidua", on JUPYTER_PATH
    env = dict(os.environ)
    for name in ("config", "settings", "workspaces", "runtime", "ipython", "mpl", "reports"):
        (tmp / name).mkdir(parents=True, exist_ok=True)
    env.update({
        "JUPYTER_CONFIG_DIR": str(tmp / "config"), "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "IPYTHONDIR": str(tmp / "ipython"), "MPLCONFIGDIR": str(tmp / "mpl"),
        "THIDUA_DATA": str(data), "THIDUA_REPORTS": str(tmp / "reports"), "JUPYTER_PLATFORM_DIRS": "1",
    })
    return env


@pytest.fixture
def lab(tmp_path, small_data):
    """JupyterLab on a free loopback port, serving a copy of the notebook (autosave must not touch the repository)."""
    root = tmp_path / "lab"
    root.mkdir()
    shutil.copy(ROOT / "notebooks" / "explore.ipynb", root / "explore.ipynb")
    env = _env(tmp_path / "jupyter", small_data)
    conf = Path(env["JUPYTER_CONFIG_DIR"])
    (conf / "labconfig").mkdir(parents=True, exist_ok=True)
    (conf / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}), encoding="utf-8")
    (conf / "jupyter_server_config.json").write_text(json.dumps(
        {"LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate", "extension_manager": "readonly"}}),
        encoding="utf-8")
    settings = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}),
                                                               encoding="utf-8")
    tracker = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"autoStartDefaultKernel": True}), encoding="utf-8")
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = tmp_path / "lab.log"
    with open(log, "wb") as out:
        proc = spawn(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=root)
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", proc, log)
        yield f"http://127.0.0.1:{port}/lab/tree/explore.ipynb?token={token}"
    finally:
        _stop(proc)


@pytest.fixture
def voila(tmp_path, small_data):
    """`thidua app`'s Voilà command on a free loopback port."""
    from toolkit.cli.app_command import voila_command

    port, token = _free_port(), secrets.token_urlsafe(16)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    argv, env = voila_command(port, runtime, data_dir=small_data, reports_dir=tmp_path / "reports", token=token)
    env.update({k: v for k, v in _env(tmp_path / "jupyter", small_data).items() if k not in ("JUPYTER_PATH",)})
    log = tmp_path / "voila.log"
    with open(log, "wb") as out:
        proc = spawn(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        # static file: ready without starting a kernel (the refusal without the token: tests/test_app_load.py)
        _wait_http(f"http://127.0.0.1:{port}/voila/static/voila.js", proc, log)
        yield f"http://127.0.0.1:{port}/?token={token}"
    finally:
        _stop(proc)


@pytest.fixture
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


# --------------------------------------------------------------------------- what the screen must show


def _expected(ws: Workspace, bloc: str, period: str, rank_index: int):
    res = analyse(ws, bloc, period, compare=False)
    r = res.ranking
    unit = r.iloc[rank_index]
    label = f"{int(unit['rank'])}. {unit['name']}"
    crit = res.scores[res.scores["unit_id"] == unit["unit_id"]].sort_values("order").iloc[0]
    return res, r, unit, label, crit


def _check_ranking(page, ws, bloc, period):
    res = analyse(ws, bloc, period, compare=False)
    first = res.ranking.iloc[0]
    rows = page.locator(".thidua-ranking table tbody tr")
    expect(rows.first.locator("td").nth(1)).to_have_text(first["name"], timeout=TIMEOUT_MS)
    expect(rows.first.locator("td").nth(2)).to_have_text(fmt_number(first["total"]))
    expect(rows).to_have_count(len(res.ranking))
    return res


def _explore(page, ws, shots: Path, prefix: str) -> None:
    """Same steps in JupyterLab and in Voilà: opening view, another bloc, a unit's drill-down."""
    res = _check_ranking(page, ws, KT, "2025")
    page.locator(".thidua-bloc").scroll_into_view_if_needed()  # JupyterLab scrolls inside the notebook panel
    page.screenshot(path=str(shots / f"{prefix}-1-opened.png"), full_page=True)
    vh = analyse(ws, VH, "2025", compare=False)
    page.locator(".thidua-bloc select").select_option(label=f"{vh.bloc_name} ({VH})")
    _check_ranking(page, ws, VH, "2025")
    assert vh.ranking.iloc[0]["name"] != res.ranking.iloc[0]["name"]
    page.locator(".thidua-ranking").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / f"{prefix}-2-bloc.png"), full_page=True)

    page.locator(".widget-tab .lm-TabBar-tab", has_text="Đơn vị").click()
    _res, _r, unit, label, crit = _expected(ws, VH, "2025", 2)
    page.locator(".thidua-unit select").select_option(label=label)
    summary = page.locator(".thidua-unit-summary table")
    expect(summary).to_contain_text(unit["name"], timeout=TIMEOUT_MS)
    expect(summary).to_contain_text(f"3/{int(vh.units['rank'].notna().sum())}")
    expect(summary).to_contain_text(fmt_number(unit["total"]))
    first = page.locator(".thidua-unit-criteria table tbody tr").first
    expect(first.locator("td").nth(1)).to_have_text(f"{crit['criterion_id']}. {crit['criterion_title']}")
    expect(first.locator("td").nth(8)).to_have_text(fmt_number(crit["final_score"]))
    expect(page.locator(".thidua-unit-criteria table tbody tr")).to_have_count(len(vh.covenant.criteria))
    chart = page.locator(f".thidua-history img[alt='Biểu đồ lịch sử: {unit['name']}']")
    expect(chart).to_be_visible(timeout=TIMEOUT_MS)
    # The chart is redrawn as the background analysis of other periods arrives: wait for the state a
    # user waits for, the whole history (every period, and no "Đang tính ... kỳ nữa"), before
    # touching the chart, or it may be replaced under the pointer.
    from toolkit.explorer.analyses import WorkspaceAnalyses
    from toolkit.explorer.drilldown import history_table, unit_history

    whole, _missing = unit_history(WorkspaceAnalyses(ws), VH, "2025", unit["unit_id"])
    expect(page.locator(".thidua-history table tbody tr")).to_have_count(len(history_table(whole)), timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile(r"Đang tính \d+ kỳ nữa"))).to_have_count(0, timeout=TIMEOUT_MS)
    expect(page.locator(".thidua-history table tbody tr").last.locator("td").nth(5)).to_have_text(fmt_number(unit["total"]))
    expect(chart).to_be_visible()
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / f"{prefix}-3-unit.png"), full_page=True)


def _what_if(page, ws, shots: Path) -> None:
    """Raise the top band's threshold to 99 in the what-if tab: the rows marked as changed are the engine's."""
    from toolkit.engine.scenario import Scenario, compare_nominations, compare_ranking, evaluate_scenario

    res = analyse(ws, VH, "2025", compare=False)
    top = res.covenant.bands[0]
    cov, data = ws.load(VH, res.period)
    new, frames = evaluate_scenario(cov, data, ws.vocab, Scenario(bands={top.id: (99.0, top.min_criterion_share)}))
    moved = int(compare_ranking(res.units, frames["units"])[1].sum())
    flipped = int(compare_nominations(res.eligibility, frames["eligibility"], new)[1].sum())
    assert moved > 0

    page.locator(".widget-tab .lm-TabBar-tab", has_text="Giả định").click()
    expect(page.locator(".thidua-wi-band select option:checked")).to_have_text(f"{top.label} ({top.id})")
    box = page.locator(".thidua-wi-band-total input")
    box.fill("99")
    box.press("Enter")
    page.locator(".thidua-wi-apply").click()
    expect(page.locator(".thidua-wi-message")).to_contain_text("Đã tính theo giả định", timeout=TIMEOUT_MS)
    expect(page.locator(".thidua-wi-ranking tr.changed")).to_have_count(moved)
    expect(page.locator(".thidua-wi-nominations tr.changed")).to_have_count(flipped)
    page.locator(".thidua-wi-ranking").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "voila-4-what-if.png"), full_page=True)


def _accept_kernel(page) -> None:
    """JupyterLab sometimes asks which kernel to start although the notebook names one: take the notebook's."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    if dialog.count():
        expect(dialog.locator("select option:checked")).to_have_text("Python (thidua)")
        dialog.locator("button", has_text="Select").click()
        expect(dialog).to_have_count(0)


def _run_all(page) -> None:
    """Run → Run All Cells, as a user does; again if JupyterLab was still settling its kernel and ran nothing."""
    # the parameters cell has no execution count in the file: "[ ]:" until it runs
    started = page.locator(".jp-CodeCell").first.locator(".jp-InputPrompt", has_text=re.compile(r"\[(\*|\d+)\]"))
    for _attempt in range(3):
        page.wait_for_timeout(1000)
        _accept_kernel(page)
        page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        _accept_kernel(page)
        try:
            expect(started.first).to_be_visible(timeout=15_000)
            return
        except AssertionError:
            continue
    raise AssertionError("JupyterLab did not run the notebook's cells")


# --------------------------------------------------------------------------- tests


def test_explorer_in_jupyterlab(lab, browser, ws, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(lab)
    page.locator(".jp-Notebook").first.wait_for()
    expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_have_count(1, timeout=TIMEOUT_MS)
    _run_all(page)
    try:
        _explore(page, ws, tmp_path, "lab")
    finally:
        page.screenshot(path=str(tmp_path / "lab-last.png"), full_page=True)
    # JupyterLab showed no news or update notification
    assert page.locator(".jp-Notification-Toast").count() == 0


def test_explorer_as_voila_app(voila, browser, ws, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []

    def only_loopback(route):
        host = route.request.url.split("/")[2].split(":")[0] if "://" in route.request.url else ""
        if route.request.url.startswith(("http://", "https://", "ws://", "wss://")) and host not in ("127.0.0.1", "localhost"):
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    context.route("**/*", only_loopback)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(voila)
    try:
        _explore(page, ws, tmp_path, "voila")
    finally:
        page.screenshot(path=str(tmp_path / "voila-last.png"), full_page=True)
    _what_if(page, ws, tmp_path)
    # no code and no checked text output on the page; nothing fetched beyond 127.0.0.1 (no CDN)
    text = page.locator("body").inner_text()
    assert "Explorer.open" not in text and "explorer.show()" not in text and "import" not in text
    assert page.locator(".jp-InputArea-editor:visible").count() == 0
    assert page.locator(".celltag_notebook-only").first.is_hidden()
    assert outside == [] and "cdn.jsdelivr" not in page.content()
    context.close()
