"""The one check of run parameters (bloc, period, folders), shared by the CLI, the notebooks and ingest.

Parameters become folder names and paths, so they are checked before anything is read or
written: ids may not step outside their folder, and the bloc and period must exist in the data.
"""
from __future__ import annotations

from pathlib import Path

from toolkit import config
from toolkit.errors import ParameterError
from toolkit.model.ids import check_id
from toolkit.model.workspace import Workspace


def check_bloc_id(bloc: object) -> str:
    """Bloc ids become folder names: refuse anything that could step outside the reports folder."""
    return check_id(bloc, "Mã khối")


def check_parameters(bloc: object, period: object, data_dir: object = "", output_dir: object = "") -> tuple[Workspace, str]:
    """Validate notebook/CLI parameters before anything is read or written; return the workspace and the period."""
    if isinstance(period, int) and not isinstance(period, bool):
        period = str(period)  # `papermill -p period 2018` passes an int (`-r` passes text): a year is what the user meant
    for name, value in (("bloc", bloc), ("period", period), ("data_dir", data_dir), ("output_dir", output_dir)):
        if not isinstance(value, str):
            raise ParameterError(f"Tham số '{name}' phải là chuỗi ký tự (str), nhận được {type(value).__name__}: {value!r}.")
    check_bloc_id(bloc)
    for name, value in (("data_dir", data_dir), ("output_dir", output_dir)):
        if ".." in Path(value).parts:
            raise ParameterError(f"Tham số '{name}' không được chứa '..': {value!r}.")
    ws = Workspace.open(Path(data_dir) if data_dir else config.DATA_DIR)
    p = ws.check(bloc, period)
    return ws, str(p)
