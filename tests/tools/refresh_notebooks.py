"""Re-execute the committed notebooks on the sample data and keep only the outputs nbval checks.

Run after a deliberate change of results (`make refresh-notebooks`), then review the diff:
the checked outputs are the expected ranking and nominations of the sample report.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from toolkit.runs.kernel import KERNEL_NAME, ProjectKernelManager  # noqa: E402

MARK = "# NBVAL_CHECK_OUTPUT"


def refresh(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name=KERNEL_NAME, kernel_manager_class=ProjectKernelManager,
                   resources={"metadata": {"path": str(path.parent)}}, timeout=600).execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        if MARK not in cell.source:  # nbval needs the execution count of a checked cell
            cell.execution_count = None
            cell.outputs = []
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    print(f"refreshed {path.relative_to(ROOT)}")


if __name__ == "__main__":
    names = sys.argv[1:] or sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    if "province_overview.ipynb" in names:
        from conftest import prepare_overview_reports  # the root conftest: same reports as nbval uses

        prepare_overview_reports()
    for name in names:
        refresh(ROOT / "notebooks" / name)
