"""`pip install .` (not editable) gives a working `thidua`: the wheel carries the notebooks, the
reference vocabularies and the HTML template, and runs from outside a checkout.

Cheap on purpose: the wheel is built once, unzipped (a wheel is a zip of the installed files)
into a folder put on PYTHONPATH of a fresh venv without pip, whose dependencies come from the
test environment's site-packages. The checkout itself is not on the path.
"""
from __future__ import annotations

import importlib.metadata as md
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("toolkit/notebooks/bloc_report.ipynb", "toolkit/notebooks/data_quality.ipynb",
           "toolkit/notebooks/province_overview.ipynb", "toolkit/notebooks/explore.ipynb", "toolkit/notebooks/trends.ipynb",
           "toolkit/reference/vocabularies.yaml", "toolkit/runs/templates/thidua_html/index.html.j2",
           "toolkit/runs/templates/thidua_html/conf.json", "toolkit/__init__.py", "toolkit/reports/__init__.py",
           "toolkit/reports/analysis.py")


def _setuptools_can_build() -> bool:
    try:
        return int(md.version("setuptools").split(".")[0]) >= 77
    except md.PackageNotFoundError:
        return False


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Without build isolation when this environment's setuptools can build the project; otherwise pip
    # fetches the build requirements (pyproject.toml [build-system]) from the configured index.
    flags = ["--no-build-isolation"] if _setuptools_can_build() else []
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", *flags, "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600, cwd=out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    warnings = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "Warning" in ln or "!!" in ln]
    assert warnings == [], "setuptools warns about the project's configuration"
    [whl] = out.glob("thidua-*.whl")
    return whl


def test_the_wheel_ships_notebooks_reference_data_and_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [f for f in SHIPPED if f not in names] == []
    assert not [n for n in names if n.startswith(("tests/", "data/", "notebooks/", "benchmarks/"))]
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "toolkit").rglob("*.py") if "__pycache__" not in p.parts}
    assert sorted(sources - names) == [], "modules missing from the wheel"


def test_thidua_runs_from_the_installed_files(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    deps = sysconfig.get_paths()["purelib"]  # the test environment's dependencies, not its toolkit
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "THIDUA_DATA", "THIDUA_REPORTS", "JUPYTER_PATH")}
    env["PYTHONPATH"] = os.pathsep.join([str(site), deps])
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")  # nbconvert's templates, installed with it in that prefix
    work = tmp_path / "work"
    work.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(python), *args], capture_output=True, text=True, cwd=work, env=env, timeout=600)

    where = run("-c", "import toolkit, toolkit.config as c; print(toolkit.__file__); print(c.IN_CHECKOUT, c.NOTEBOOKS_DIR)")
    assert where.returncode == 0, where.stderr
    assert where.stdout.splitlines()[0].startswith(str(site)) and where.stdout.splitlines()[1] == f"False {site / 'toolkit' / 'notebooks'}"
    help_ = run("-m", "toolkit", "--help")
    assert help_.returncode == 0 and "thidua list" in help_.stdout, help_.stderr
    listing = run("-m", "toolkit", "list", "--data", str(ROOT / "data"))
    assert listing.returncode == 0 and "kinh-te-ky-thuat" in listing.stdout, listing.stderr
    report = run("-m", "toolkit", "run", "--bloc", "kinh-te-ky-thuat", "--period", "2018", "--data", str(ROOT / "data"),
                 "--reports", str(work / "reports"))
    assert report.returncode == 0, report.stderr[-3000:]
    folder = work / "reports" / "2018" / "kinh-te-ky-thuat"
    assert (folder / "report.html").is_file() and (folder / "results" / "xep_hang.csv").is_file()
