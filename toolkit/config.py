"""Every path derives from here; nothing else hard-codes a location.

In a checkout the data, reports and notebooks are the project's top-level folders. Installed
from a wheel (``pip install .``), the notebooks and reference files ship inside the package and
the data and reports folders default to ``./data`` and ``./reports`` of the working directory
(or ``THIDUA_DATA`` and ``THIDUA_REPORTS``); ``THIDUA_NOTEBOOKS`` names another folder of report notebooks.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
IN_CHECKOUT = (ROOT / "pyproject.toml").is_file() and (ROOT / "notebooks").is_dir()
_BASE = ROOT if IN_CHECKOUT else Path.cwd()

DATA_DIR = Path(os.environ.get("THIDUA_DATA", _BASE / "data"))
REPORTS_DIR = Path(os.environ.get("THIDUA_REPORTS", _BASE / "reports"))
# THIDUA_NOTEBOOKS: another folder of report notebooks (a province's own, or a test's); batch workers are
# new processes, so a folder is passed to them this way
NOTEBOOKS_DIR = Path(os.environ.get("THIDUA_NOTEBOOKS", ROOT / "notebooks" if IN_CHECKOUT else PACKAGE_DIR / "notebooks"))
REFERENCE_DIR = PACKAGE_DIR / "reference"  # reference data shipped with the package (rating vocabularies)
HTML_TEMPLATES_DIR = PACKAGE_DIR / "runs" / "templates"  # nbconvert template of the HTML reports

# Layout inside a data folder (documented in docs/data.md).
UNITS = "units.csv"
LINEAGE = "lineage.csv"
BLOCS = "blocs.csv"
MEMBERSHIP = "membership.csv"
VOCABULARY = "vocabularies.yaml"
CALENDAR = "calendar.yaml"  # optional: when each period closes (toolkit.model.calendar)
COVENANTS = "covenants"  # covenants/<bloc>/<year>.yaml
PERIODS = "periods"  # periods/<bloc>/<period>/*.csv
RECORDS = "records"  # records/<unit_id>.yaml: a collective's record of achievements (hồ sơ thành tích)
DECISIONS = "decisions"  # decisions/<year>/<decision id>.yaml: the province's award decisions (optional)
PROVINCE = "province"  # province/province.yaml (the province's settings), province/<period>/documents.yaml
