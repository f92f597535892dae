"""Full-page screenshots of filed reports, to look at them as a reader does (and the README's images).

    python tests/tools/screenshot_reports.py REPORTS_DIR OUT_DIR      # every report.html under REPORTS_DIR
    python tests/tools/screenshot_reports.py --readme                 # docs/img/report.png and docs/img/trends.png

``--readme`` first writes the sample reports it shows (the 2018 report of kinh-te-ky-thuat and its
trends report to 2025) into a temporary folder. Debian's Chromium is used through Playwright
(``/usr/bin/chromium``; ``playwright install`` is not needed).
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]
BLOC = "kinh-te-ky-thuat"


def shoot(pages: list[tuple[Path, Path, dict | None]], width: int = 1300) -> None:
    """(report.html, png, clip or None for the full page) each; the page is opened from disk, offline."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for html, png, clip in pages:
                page = browser.new_page(viewport={"width": width, "height": 1000})
                page.goto(html.resolve().as_uri())
                page.wait_for_load_state("load")
                png.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(png), full_page=True, clip=clip)  # a clip may reach below the first screen
                print(png)
                page.close()
        finally:
            browser.close()


def readme() -> None:
    reports = Path(tempfile.mkdtemp(prefix="thidua-readme-"))
    thidua = Path(sys.executable).parent / "thidua"
    for args in (["--bloc", BLOC, "--period", "2018"], ["--notebook", "trends", "--bloc", BLOC, "--period", "2025"]):
        subprocess.run([str(thidua), "run", *args, "--reports", str(reports)], check=True)
    shoot([(reports / "2018" / BLOC / "report.html", ROOT / "docs" / "img" / "report.png", {"x": 0, "y": 0, "width": 1200, "height": 1500}),
           (reports / "2025" / BLOC / "trends" / "report.html", ROOT / "docs" / "img" / "trends.png",
            {"x": 0, "y": 0, "width": 1200, "height": 1700})], width=1200)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--readme"]:
        readme()
        return 0
    if len(argv) != 2:
        print(__doc__)
        return 2
    src, out = Path(argv[0]), Path(argv[1])
    pages = [(html, out / (html.parent.relative_to(src).as_posix().replace("/", "_") + ".png"), None)
             for html in sorted(src.rglob("report.html"))]
    shoot(pages)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
