"""The generated template opens in LibreOffice (headless), prints as a form, and its formulas add up.

Needs Debian's ``libreoffice-calc-nogui`` (``soffice``) and ``poppler-utils`` (``pdftoppm``,
``pdftotext``); ``make system-deps`` installs them where it can, and the tests skip with the
package to install otherwise (markers requires_libreoffice and requires_poppler, checked in
tests/conftest.py). The first page is kept as a PNG next to the PDF so a person can look at
it (the layout was tuned by doing exactly that).
"""
from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest

import bad_workbooks
from toolkit.forms import workbook_layout, template
from toolkit.model.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

pytestmark = [pytest.mark.slow, pytest.mark.requires_libreoffice, pytest.mark.requires_poppler]


def need(program: str, package: str) -> str:
    """The program's path; tests/conftest.py skips these tests, naming ``package``, when it is missing."""
    return shutil.which(program)


def to_pdf(xlsx: Path, out: Path) -> Path:
    soffice = need("soffice", "libreoffice-calc-nogui")
    profile = out / "lo-profile"  # a private profile: parallel runs must not share one
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out), str(xlsx)],
        capture_output=True, text=True, timeout=240,
    )
    pdf = out / (xlsx.stem + ".pdf")
    assert proc.returncode == 0, proc.stderr
    assert "repair" not in (proc.stdout + proc.stderr).lower(), proc.stdout + proc.stderr
    assert pdf.exists() and pdf.stat().st_size > 5000, proc.stdout + proc.stderr
    return pdf


def test_template_converts_to_pdf_without_repair_and_first_page_renders(tmp_path):
    ws = Workspace.open(DATA)
    [spec] = template.specs_for(ws, "kinh-te-ky-thuat", "2018", ["so-cong-thuong"], deadline="10/12/2018",
                         contact="Văn phòng Sở Giao thông vận tải")
    pdf = to_pdf(template.write_template(spec, tmp_path), tmp_path)
    pdftoppm = need("pdftoppm", "poppler-utils")
    subprocess.run([pdftoppm, "-r", "110", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    [png] = sorted(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 20_000  # a rendered page, not a blank one
    print(f"first page: {png}")  # look at it: pytest -s tests/test_libreoffice.py


def _provisional_total(cov, values: dict) -> float:
    """What the template's formulas show: target criteria count only their at-target half."""
    total = 0.0
    for _, k in cov.criteria:
        v = values["scores"].get(k.id)
        if k.kind == "graded":
            pts = v or 0.0
        elif k.kind == "pass_fail":
            pts = k.max if v == workbook_layout.PASS else 0.0
        elif k.kind == "count":
            pts = min(k.max, k.points_per_event * (v or 0))
        elif k.lower_is_better:
            pts = k.max / 2 if v <= k.target else k.max / 2 * k.target / v
        else:
            pts = min(1.0, v / k.target) * k.max / 2
        total += math.floor(pts * 100 + 0.5) / 100
    bonus = penalty = 0.0
    for e in cov.adjustments.events:
        count = values["events"].get(e.id, (0, ""))[0]
        pts = min(e.cap or math.inf, abs(e.points) * count)
        bonus, penalty = (bonus + pts, penalty) if e.points > 0 else (bonus, penalty - pts)
    bonus = min(bonus, cov.adjustments.bonus_cap or math.inf)
    penalty = max(penalty, -(cov.adjustments.penalty_cap or math.inf))
    return round(total + bonus + penalty, 2)


@pytest.mark.parametrize("unit", ["so-nn-ptnt", "ban-ql-kcn"])  # a late-report penalty; a discipline penalty
def test_running_total_formulas_compute_in_libreoffice(tmp_path, unit):
    pdftotext = need("pdftotext", "poppler-utils")
    ws = Workspace.open(DATA)
    values = bad_workbooks.sample_values(ws, "kinh-te-ky-thuat", "2018", unit)
    path = bad_workbooks.save(bad_workbooks.filled(ws, unit), tmp_path, "filled.xlsx")
    pdf = to_pdf(path, tmp_path)
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    expected = _provisional_total(ws.covenant("kinh-te-ky-thuat", 2018), values)
    line = next(x for x in text.splitlines() if "TỔNG ĐIỂM TỰ CHẤM" in x)
    assert f"{expected:.2f}" in line, (expected, line)


def test_a_workbook_filled_and_saved_in_libreoffice_is_ingested(tmp_path):
    """Units fill the form in LibreOffice Calc too: its xlsx (shared strings, cached formula values) must read the same."""
    from toolkit.forms.ingest import ingest

    soffice = need("soffice", "libreoffice-calc-nogui")
    ws = Workspace.open(DATA)
    src, out = tmp_path / "src", tmp_path / "out"
    wb = bad_workbooks.filled(ws, "so-gtvt", scores={"N1.1": "9,5"})
    formula_ref = bad_workbooks.score_ref(wb, "N2.1")
    wb[workbook_layout.SHEET_SCORES][formula_ref] = "=4+5"
    bad_workbooks.save(wb, src, "sgtvt.xlsx")
    bad_workbooks.save(bad_workbooks.filled(ws, "so-tt-tt"), src, "stttt.xlsx")
    proc = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--norestore",
                           "--convert-to", "xlsx", "--outdir", str(out), *map(str, sorted(src.iterdir()))],
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0 and len(list(out.iterdir())) == 2, proc.stdout + proc.stderr
    data = bad_workbooks.copy_data(DATA, tmp_path / "data", ("kinh-te-ky-thuat", "2018"))
    result = ingest(out, Workspace.open(data), "kinh-te-ky-thuat", "2018")
    assert {o.submission.file: o.status for o in result.outcomes} == {"sgtvt.xlsx": "rejected", "stttt.xlsx": "accepted"}
    [p] = result.problems  # the formula, found although LibreOffice stored its value (9) too
    assert p.where == f"{workbook_layout.SHEET_SCORES}!{formula_ref}" and "công thức" in p.message
