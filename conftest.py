"""Root pytest setup for the notebooks checked by nbval.

notebooks/province_overview.ipynb reads the per-bloc reports of a period (its default, 2025), so
before nbval runs it we produce the 2025 reports of every sample bloc into a temporary folder and
point the kernels at it through THIDUA_REPORTS (kernels inherit this process's environment).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
OVERVIEW_PERIOD = "2025"  # the `period` parameter of notebooks/province_overview.ipynb


def _collects_notebooks(config) -> bool:
    for arg in config.args:
        path = (Path(config.invocation_params.dir) / arg.split("::")[0]).resolve()
        if path == ROOT or path == ROOT / "notebooks" or path == ROOT / "notebooks" / "province_overview.ipynb":
            return True
    return False


def prepare_overview_reports() -> Path:
    """Produce the 2025 reports of every sample bloc into a new temp folder; point THIDUA_REPORTS at it."""
    from toolkit.runs.batch import Job, run_batch

    reports = Path(tempfile.mkdtemp(prefix="thidua-nbval-reports-"))
    jobs = [Job(b, OVERVIEW_PERIOD) for b in ("kinh-te-ky-thuat", "noi-chinh-tong-hop", "van-hoa-xa-hoi")]
    outcomes = run_batch(jobs, reports, workers=2, force=True)
    bad = [o for o in outcomes if o.status != "ok"]
    if bad:
        raise RuntimeError(f"could not prepare the reports the overview notebook reads: {bad}")
    os.environ["THIDUA_REPORTS"] = str(reports)
    return reports


def pytest_configure(config):
    if hasattr(config, "workerinput") or os.environ.get("THIDUA_REPORTS") or not _collects_notebooks(config):
        return
    prepare_overview_reports()
