"""The one check of run parameters (bloc, period, folders), shared by the CLI, the notebooks, ingest and verify.

Parameters become folder names and paths, so they are checked before anything is read or
written: ids may not step outside their folder, and the bloc and period must exist in the data.
A filed report's manifest is checked here too, parameter by parameter, before ``thidua verify``
reruns it: a manifest is a file anyone could have edited, so its values get no more trust than
values typed on the command line.
"""
from __future__ import annotations

from pathlib import Path

from toolkit import config
from toolkit.errors import ParameterError, visible
from toolkit.model.ids import check_id
from toolkit.model.periods import Period
from toolkit.model.workspace import Workspace


def check_bloc_id(bloc: object) -> str:
    """Bloc ids become folder names: refuse anything that could step outside the reports folder."""
    return check_id(bloc, "Mã khối")


def _text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ParameterError(f"Tham số '{name}' phải là chuỗi ký tự (str), nhận được {type(value).__name__}: {visible(repr(value))}.")
    return value


def _folder(name: str, value: object) -> str:
    if ".." in Path(_text(name, value)).parts:
        raise ParameterError(f"Tham số '{name}' không được chứa '..': {visible(repr(value))}.")
    return value


def check_parameters(bloc: object, period: object, data_dir: object = "", output_dir: object = "") -> tuple[Workspace, str]:
    """Validate notebook/CLI parameters before anything is read or written; return the workspace and the period."""
    if isinstance(period, int) and not isinstance(period, bool):
        period = str(period)  # `papermill -p period 2018` passes an int (`-r` passes text): a year is what the user meant
    for name, value in (("bloc", bloc), ("period", period), ("data_dir", data_dir), ("output_dir", output_dir)):
        _text(name, value)
    check_bloc_id(bloc)
    for name, value in (("data_dir", data_dir), ("output_dir", output_dir)):
        _folder(name, value)
    ws = Workspace.open(Path(data_dir) if data_dir else config.DATA_DIR)
    p = ws.check(bloc, period)
    return ws, str(p)


def check_notebook_parameter(name: str, declared: str, value: object, ws: Workspace, bloc: str = "") -> object:
    """One parameter of a report notebook, by the name and type its parameters cell declares, checked as above.

    ``bloc`` (already checked) is the bloc whose periods a period must exist in; without one
    (the province overview) a period only has to be one. Folders are only checked to stay
    inside what they name: which folders a rerun may use is the caller's decision. A name this
    function does not know is refused, so a new notebook parameter cannot pass unchecked.
    """
    if declared == "dict":
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise ParameterError(f"Tham số '{name}' phải là một bảng khóa: giá trị, nhận được {visible(repr(value))[:200]}.")
        return value
    value = _text(name, value)
    if name == "bloc":
        check_bloc_id(value)
        if value not in ws.blocs():
            raise ParameterError(f"Khối '{value}' không có trong dữ liệu. Các khối hợp lệ: {', '.join(ws.blocs())}.")
    elif name in ("period", "last"):
        ws.check(bloc, value) if bloc else Period.parse(value)
    elif name == "first":
        if value:
            Period.parse(value)
    elif name.endswith("_dir"):
        _folder(name, value)
    else:
        raise ParameterError(f"Tham số '{visible(name)}' chưa có quy tắc kiểm tra.")
    return value
