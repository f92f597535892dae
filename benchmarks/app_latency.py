"""How long a visitor of `thidua app` waits: from opening the link to a usable first view.

`thidua app`'s Voilà command is started on a free loopback port with a token, as the command
starts it, and Chromium (Debian's, driven by Playwright) opens the link several times, each in
a new browser context: the clock runs from the navigation to the first row of the ranking table
on screen (``first_view_seconds``: the page's plain-HTML first view, or the widgets if they come
first), and on to the bloc drop-down enabled (``controls_working_seconds``: the widgets are drawn
and talking to their kernel).

Two servers, one after the other: with the pool of preheated kernels `thidua app` keeps
(``--pool``, default 1), and without one (``--pool 0``: every visitor waits for a kernel to
start, import and analyse, as before). A visitor is let in when the server is idle again, i.e.
the pool has been refilled and its kernel has finished its background analyses, as when
colleagues open the app at different times. Also measured: the memory of one waiting pooled
kernel (resident and proportional set size, from /proc).

Goal: median ``first_view_seconds`` below 1 s. ``--smoke`` (run by the test suite): one visit to the
server with a pool, none to the one without (the same code), no wait for an idle server; figures
printed, goal not judged. Last line: one JSON object of the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.cli.app_command import voila_command  # noqa: E402
from toolkit.runs.lifetime import launcher  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
GOAL = 1.0
# --smoke: one visit to the pooled server (the server without a pool runs the same code), no wait for an
# idle server (it makes figures comparable, and smoke figures are not compared)
SMOKE = {"visits": 1, "visits_without_pool": 0, "idle_limit": 0.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """Processes below ``pid`` (from /proc), children before grandchildren."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(0), []):
            out.append(c)
            todo.append(c)
    return out


def cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError):
            pass
    return total


def wait_idle(pid: int, limit: float = 120.0, quiet: float = 0.05) -> float:
    """Wait until the server and its kernels use less than ``quiet`` of a core over a second; return the wait."""
    t0 = time.monotonic()
    before = cpu_seconds([pid, *descendants(pid)])
    while time.monotonic() - t0 < limit:
        time.sleep(1.0)
        now = cpu_seconds([pid, *descendants(pid)])
        if now - before < quiet:
            break
        before = now
    return time.monotonic() - t0


def kernels(pid: int) -> list[int]:
    """The server's kernels, oldest first (the newest is the one waiting in the pool)."""
    found = []
    for p in descendants(pid):
        try:
            if b"toolkit.runs.kernel_launcher" in Path(f"/proc/{p}/cmdline").read_bytes():
                started = int(Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[19])
                found.append((started, p))
        except (OSError, IndexError, ValueError):
            pass
    return [p for _started, p in sorted(found)]


def memory_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return {"rss_mb": round(fields["Rss"], 1), "pss_mb": round(fields["Pss"], 1)}


class Server:
    def __init__(self, pool: int, data: Path | None, tmp: Path):
        self.port, token = free_port(), secrets.token_urlsafe(16)
        runtime = tmp / f"runtime-{pool}"
        runtime.mkdir(mode=0o700)
        argv, env = voila_command(self.port, runtime, data_dir=data, reports_dir=tmp / "reports", token=token, pool=pool)
        for name in ("config", "ipython"):
            (tmp / f"{name}-{pool}").mkdir()
        # no user configuration or IPython profile of whoever runs the benchmark
        env.update({"JUPYTER_CONFIG_DIR": str(tmp / f"config-{pool}"), "IPYTHONDIR": str(tmp / f"ipython-{pool}")})
        self.log = tmp / f"voila-{pool}.log"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(launcher(argv), env=env, stdout=out, stderr=subprocess.STDOUT,
                                         cwd=ROOT)  # Voilà dies with the benchmark
        self.url = f"http://127.0.0.1:{self.port}/?token={token}"
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"Voilà did not start:\n{self.log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/voila/static/voila.js", timeout=5):
                    break
            except OSError:
                time.sleep(0.3)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def visit(browser, url: str, timeout_ms: int = 120_000) -> tuple[float, float]:
    """(seconds to the first view, seconds until the controls work) of one visit in a new browser context."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url, wait_until="commit")
        # the ranking on screen: the page's first view, or the widget itself
        ranking = page.locator(".thidua-first-view table tbody tr, .thidua-ranking table tbody tr")
        expect(ranking.first).to_be_visible(timeout=timeout_ms)
        first = time.perf_counter() - t0
        expect(page.locator(".thidua-ranking table tbody tr").first).to_be_visible(timeout=timeout_ms)
        expect(page.locator(".thidua-bloc select")).to_be_enabled(timeout=timeout_ms)
        return first, time.perf_counter() - t0
    finally:
        page.close(run_before_unload=True)  # Voilà shuts the visitor's kernel down, as when a tab is closed
        context.close()


def measure(browser, pool: int, visits: int, data: Path | None, tmp: Path, idle_limit: float) -> dict:
    server = Server(pool, data, tmp)
    try:
        times, live, waits = [], [], []
        for i in range(visits):
            waits.append(wait_idle(server.proc.pid, idle_limit))
            first, working = visit(browser, server.url)
            times.append(first)
            live.append(working)
            print(f"  pool {pool}, visit {i + 1}: first view {first:.2f} s, controls working {working:.2f} s"
                  f" (server idle after {waits[-1]:.0f} s)", flush=True)
        time.sleep(2)  # the visitors' kernels are shut down
        wait_idle(server.proc.pid, idle_limit)
        alive = kernels(server.proc.pid)
        memory = [memory_mb(k) for k in alive[-pool:]] if pool else []
    finally:
        server.stop()
    return {"times": times, "live": live, "kernels_alive": len(alive), "memory": memory}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--visits", type=int, default=5)
    ap.add_argument("--visits-without-pool", type=int, default=3)
    ap.add_argument("--pool", type=int, default=1, help="as `thidua app --pool` (default: the command's default)")
    ap.add_argument("--data", type=Path, default=None, help="data folder (default: the project's sample data)")
    ap.add_argument("--idle-limit", type=float, default=120.0, help="seconds to wait at most for an idle server before a visit")
    ap.add_argument("--smoke", action="store_true", help="one visit, no idle wait: checks the benchmark runs, judges nothing")
    args = ap.parse_args()
    if args.smoke:
        vars(args).update(SMOKE)
    if not shutil.which(CHROMIUM):
        raise SystemExit(f"{CHROMIUM} is needed (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pooled = measure(browser, args.pool, args.visits, args.data, Path(tmp), args.idle_limit)
            cold = (measure(browser, 0, args.visits_without_pool, args.data, Path(tmp), args.idle_limit)
                    if args.visits_without_pool else None)
        finally:
            browser.close()
    med = statistics.median(pooled["times"])
    print(f"\n{'server':<34}{'visits':>7}{'first view s':>14}{'min s':>8}{'max s':>8}{'controls s':>12}")
    rows = [(f"thidua app (pool of {args.pool})", pooled)] + ([("thidua app --pool 0 (no pool)", cold)] if cold else [])
    for label, r in rows:
        print(f"{label:<34}{len(r['times']):>7}{statistics.median(r['times']):>14.2f}{min(r['times']):>8.2f}"
              f"{max(r['times']):>8.2f}{statistics.median(r['live']):>12.2f}")
    mem = pooled["memory"][-1] if pooled["memory"] else {"rss_mb": None, "pss_mb": None}
    print(f"memory of one kernel waiting in the pool: {mem['rss_mb']} MB resident, {mem['pss_mb']} MB proportional"
          f" ({pooled['kernels_alive']} kernels alive after {len(pooled['times'])} visits: the pool's and the visitors')")
    ok = None if args.smoke else med < GOAL
    print(f"goal: median first view < {GOAL} s: {'not judged (--smoke)' if args.smoke else 'yes' if ok else 'NO'}")
    print(json.dumps({"benchmark": "app_latency", "pool": args.pool, "visits": len(pooled["times"]),
                      "first_view_seconds": round(med, 3), "first_view_all_seconds": [round(t, 3) for t in pooled["times"]],
                      "controls_working_seconds": round(statistics.median(pooled["live"]), 3),
                      "first_view_seconds_without_pool": round(statistics.median(cold["times"]), 3) if cold else None,
                      "first_view_all_seconds_without_pool": [round(t, 3) for t in cold["times"]] if cold else None,
                      "controls_working_seconds_without_pool": round(statistics.median(cold["live"]), 3) if cold else None,
                      "pool_kernel_rss_mb": mem["rss_mb"], "pool_kernel_pss_mb": mem["pss_mb"],
                      "kernels_alive_after_visits": pooled["kernels_alive"],
                      "cpu_count": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
                      "goal_seconds": GOAL, "ok": ok, "smoke": args.smoke}))


if __name__ == "__main__":
    main()
