"""Reports run in this project's Python, chosen by handing nbclient a kernel manager (nothing installed)."""
from __future__ import annotations

import json
import os
import stat
import sys

import nbformat
import pytest

from toolkit.runs.kernel import KERNEL_NAME, ProjectKernelManager, ProjectKernelSpecManager, ensure_kernel


def test_the_project_kernel_is_this_python_without_any_file():
    spec = ProjectKernelSpecManager().get_kernel_spec(KERNEL_NAME)
    assert spec.argv[:3] == [sys.executable, "-m", "toolkit.runs.kernel_launcher"] and spec.language == "python"
    assert KERNEL_NAME in ProjectKernelSpecManager().find_kernel_specs()
    km = ProjectKernelManager(kernel_name=KERNEL_NAME)
    assert km.kernel_spec.argv[0] == sys.executable


def test_the_fallback_folder_is_private(monkeypatch):
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    assert ensure_kernel() == KERNEL_NAME
    base = os.environ["JUPYTER_PATH"].split(os.pathsep)[0]
    assert stat.S_IMODE(os.stat(base).st_mode) == 0o700
    assert os.path.isfile(os.path.join(base, "kernels", KERNEL_NAME, "kernel.json"))
    ensure_kernel()
    assert os.environ["JUPYTER_PATH"].split(os.pathsep).count(base) == 1


@pytest.mark.slow
def test_papermill_runs_in_the_project_kernel_and_leaves_jupyter_path_alone(tmp_path, monkeypatch):
    import papermill as pm

    # a stale kernelspec called thidua, first on JUPYTER_PATH: the default kernel manager would start it and fail
    stale = tmp_path / "jupyter" / "kernels" / KERNEL_NAME
    stale.mkdir(parents=True)
    (stale / "kernel.json").write_text(json.dumps({"argv": ["/nonexistent/python", "-f", "{connection_file}"],
                                                   "display_name": "stale", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys\nprint(sys.executable)")])
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python (thidua)", "language": "python"}
    nbformat.write(nb, tmp_path / "in.ipynb")
    pm.execute_notebook(str(tmp_path / "in.ipynb"), str(tmp_path / "out.ipynb"), kernel_name=KERNEL_NAME,
                        kernel_manager_class=ProjectKernelManager, progress_bar=False)
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert out.cells[0].outputs[0]["text"].strip() == sys.executable
    assert os.environ["JUPYTER_PATH"] == str(tmp_path / "jupyter")
