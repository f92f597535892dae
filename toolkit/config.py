"""Every path derives from the project root; nothing else hard-codes a location."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("THIDUA_DATA", ROOT / "data"))
REPORTS_DIR = Path(os.environ.get("THIDUA_REPORTS", ROOT / "reports"))
NOTEBOOKS_DIR = ROOT / "notebooks"

# Layout inside a data folder (documented in docs/data.md).
UNITS = "units.csv"
LINEAGE = "lineage.csv"
BLOCS = "blocs.csv"
MEMBERSHIP = "membership.csv"
VOCABULARY = "vocabularies.yaml"
COVENANTS = "covenants"  # covenants/<bloc>/<year>.yaml
PERIODS = "periods"  # periods/<bloc>/<period>/*.csv
