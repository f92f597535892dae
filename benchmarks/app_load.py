"""`thidua app` when a whole meeting opens the link together: time to a usable first view per visitor.

It starts `thidua app` itself (the command, on a free loopback port, with its token), waits until
its pool is filled and the server is idle, then sends ``--visitors`` requests (default 20) spread
evenly over ``--spread`` seconds (default 10), as plain HTTP GETs on 127.0.0.1 with the token, each
from its own thread. For each visitor it reads the page as it streams in and notes:

- ``usable``: seconds from the request to the moment the page holds the explorer's first view
  (the ranking table of the opening selection, complete): what a browser shows the visitor,
  whether it came from a pooled kernel, from the server's copy ahead of the visitor's own kernel,
  or from that kernel's output;
- ``busy``: the visitor got the busy page (``--max-kernels`` reached) instead; it counts as never
  usable in the percentiles (so any busy visitor among the slowest 5 % makes p95 null);
- ``complete``: seconds until the whole page has arrived (the visitor's kernel has run the notebook).

Meanwhile a sampler reads, every 0.2 s, the resident memory (VmRSS) of `thidua app` and all its
descendants (Voilà and the kernels) and counts the kernel processes: ``peak_mb`` and
``peak_kernels`` are the highest seen. Each request is bounded (``--timeout``, default 180 s) and
the server is stopped (SIGTERM, then SIGKILL) when the visitors are done: the run stops by itself.

Goal (issue 17): p95 of ``usable`` under 3 s with 20 visitors in 10 s, memory bounded by
``--max-kernels``. ``--smoke``: 3 visitors over 1 s, for the test suite. Last line: one JSON object.
"""
from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.cli.app_command import default_max_kernels  # noqa: E402
from toolkit.runs.lifetime import launcher  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_latency import cpu_seconds, descendants, free_port  # noqa: E402  (the same /proc readings as the first-view benchmark)

GOAL = 3.0
FIRST_VIEW = '<div class="thidua-first-view'
BUSY = "Hệ thống đang bận"
KERNEL = b"toolkit.runs.kernel_launcher"


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def is_kernel(pid: int) -> bool:
    try:
        return KERNEL in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


class Sampler(threading.Thread):
    """Peak resident memory of a process tree and peak count of its kernels, every ``every`` seconds."""

    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_mb, self.peak_kernels = 0.0, 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            tree = [self.pid, *descendants(self.pid)]
            self.peak_mb = max(self.peak_mb, sum(rss_mb(p) for p in tree))
            self.peak_kernels = max(self.peak_kernels, sum(is_kernel(p) for p in tree))
            self._done.wait(self.every)

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)


class App:
    """`thidua app` started as a user starts it; it dies with this benchmark (toolkit.runs.lifetime)."""

    def __init__(self, tmp: Path, args: argparse.Namespace):
        self.port = free_port()
        argv = [sys.executable, "-m", "toolkit", "app", "--port", str(self.port), "--reports", str(tmp / "reports"),
                "--pool", str(args.pool)]
        if args.data:
            argv += ["--data", str(args.data)]
        if args.max_kernels:
            argv += ["--max-kernels", str(args.max_kernels)]
        for name in ("config", "ipython"):
            (tmp / name).mkdir()
        # no user configuration or IPython profile of whoever runs the benchmark
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp / "config"), "IPYTHONDIR": str(tmp / "ipython"),
               "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
        self.log = tmp / "app.log"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(launcher(argv), env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + 300
        while not (found := re.search(r"(http://127\.0\.0\.1:\d+/\S*)", self.text())):
            self._alive(deadline, "print its address")
            time.sleep(0.2)
        self.url = found.group(1)
        self.path = self.url.split(f":{self.port}", 1)[1]
        while "Kernel pool of explore.ipynb is filled" not in self.text() and args.pool:
            self._alive(deadline, "fill its pool")
            time.sleep(0.5)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def _alive(self, deadline: float, what: str) -> None:
        if self.proc.poll() is not None or time.monotonic() > deadline:
            self.stop()
            raise SystemExit(f"thidua app did not {what}:\n{self.text()[-3000:]}")

    def wait_idle(self, limit: float = 180.0, quiet: float = 0.05) -> float:
        """Until the server and its kernels use less than ``quiet`` of a core over a second (the pool's analyses done)."""
        t0 = time.monotonic()
        before = cpu_seconds([self.proc.pid, *descendants(self.proc.pid)])
        while time.monotonic() - t0 < limit:
            time.sleep(1.0)
            now = cpu_seconds([self.proc.pid, *descendants(self.proc.pid)])
            if now - before < quiet:
                break
            before = now
        return time.monotonic() - t0

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def visit(port: int, path: str, timeout: float) -> dict:
    """One visitor: GET the page, reading it as it streams; the times are from the request's start."""
    t0 = time.perf_counter()
    out = {"status": None, "first_byte": None, "usable": None, "complete": None, "busy": False, "error": None}
    body = b""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", path)
        answer = conn.getresponse()
        out["status"] = answer.status
        while time.perf_counter() - t0 < timeout:
            chunk = answer.read1(65536)
            if not chunk:
                out["complete"] = time.perf_counter() - t0
                break
            if out["first_byte"] is None:
                out["first_byte"] = time.perf_counter() - t0
            body += chunk
            if out["usable"] is None and answer.status == 200:
                at = body.find(FIRST_VIEW.encode())
                if at >= 0 and body.find(b"</table>", at) >= 0:
                    out["usable"] = time.perf_counter() - t0
        conn.close()
        out["busy"] = answer.status == 503 and BUSY in body.decode("utf-8", "replace")
    except OSError as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
    return out


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least ``p`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--visitors", type=int, default=20)
    ap.add_argument("--spread", type=float, default=10.0, help="seconds over which the visitors arrive, evenly")
    ap.add_argument("--pool", type=int, default=1, help="as `thidua app --pool` (default: the command's default)")
    ap.add_argument("--max-kernels", type=int, default=None, help="as `thidua app --max-kernels` (default: the command's)")
    ap.add_argument("--data", type=Path, default=None, help="data folder (default: the project's sample data)")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds one request may take at most")
    ap.add_argument("--smoke", action="store_true", help="3 visitors over 1 s (for the test suite)")
    args = ap.parse_args()
    if args.smoke:
        args.visitors, args.spread = 3, 1.0
    n = max(1, min(args.visitors, 100))

    with tempfile.TemporaryDirectory() as tmp:
        app = App(Path(tmp), args)
        try:
            idle_after = app.wait_idle()
            sampler = Sampler(app.proc.pid)
            sampler.start()
            results: list[dict | None] = [None] * n
            t0 = time.monotonic()

            def run(i: int) -> None:
                time.sleep(max(0.0, t0 + i * args.spread / n - time.monotonic()))
                results[i] = visit(app.port, app.path, args.timeout)

            threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(args.spread + args.timeout + 30)
            sampler.stop()
        finally:
            app.stop()

    results = [r or {"usable": None, "busy": False, "error": "no answer"} for r in results]
    usable = [r["usable"] if r["usable"] is not None else math.inf for r in results]
    complete = [r.get("complete") for r in results if r.get("complete") is not None and not r["busy"]]
    busy = [r for r in results if r["busy"]]
    print(f"{'visitor':>7}{'status':>8}{'first byte s':>14}{'usable s':>10}{'complete s':>12}")
    for i, r in enumerate(results):
        def cell(v, w):
            return f"{v:>{w}.2f}" if isinstance(v, float) else f"{'-':>{w}}"
        print(f"{i + 1:>7}{str(r.get('status')):>8}{cell(r.get('first_byte'), 14)}{cell(r.get('usable'), 10)}"
              f"{cell(r.get('complete'), 12)}" + ("  busy page" if r["busy"] else "") + (f"  {r['error']}" if r.get("error") else ""))
    p50, p95 = percentile(usable, 0.5), percentile(usable, 0.95)
    print(f"{n} visitors over {args.spread:g} s: usable first view p50 {p50:.2f} s, p95 {p95:.2f} s; "
          f"{len(busy)} busy pages; peak {sampler.peak_kernels} kernels, {sampler.peak_mb:.0f} MB resident"
          f" (server idle {idle_after:.0f} s after start)")
    print(f"goal: p95 < {GOAL} s: {'yes' if p95 < GOAL else 'NO'}")

    def num(v):
        return None if v is None or math.isinf(v) else round(v, 3)

    print(json.dumps({"benchmark": "app_load", "visitors": n, "spread_seconds": args.spread, "pool": args.pool,
                      "max_kernels": args.max_kernels or default_max_kernels(args.pool),
                      "p50_seconds": num(p50), "p95_seconds": num(p95), "peak_mb": round(sampler.peak_mb),
                      "peak_kernels": sampler.peak_kernels, "busy": len(busy),
                      "errors": sum(1 for r in results if r.get("error")),
                      "usable_all_seconds": [num(u) for u in usable],
                      "complete_p50_seconds": num(statistics.median(complete)) if complete else None,
                      "cpu_count": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
                      "goal_seconds": GOAL, "ok": p95 < GOAL}))


if __name__ == "__main__":
    main()
