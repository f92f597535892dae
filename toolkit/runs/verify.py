"""Re-execute a filed report from its manifest and say whether the results are the same.

Results are compared file by file (CSV, xlsx, HTML without its provenance footer); the
executed notebook and the manifest carry run times, so they are not compared. When results
differ, the manifest tells why: which inputs changed since, or whether the code did.

A manifest is a file in a folder anyone may have copied or edited, so it is read as data: the
rerun takes from it only the parameters the notebook declares, each checked as the command
line checks it (:mod:`toolkit.model.parameters`); it reads only the data folder the user
names (``--data``, else the configured one) and the reports folder that holds the report, and
writes only into its own temporary folder (mode 0700). Anything else stops with exit 2,
naming the manifest and the key.
"""
from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from toolkit import config
from toolkit.errors import ParameterError, visible
from toolkit.runs import manifest

_FOOTER = re.compile(rb'<footer class="provenance">.*?</footer>', re.S)
NOT_COMPARED = {"manifest.json", "report.ipynb"}


@dataclass
class Verdict:
    identical: bool
    differing: list[str] = field(default_factory=list)
    inputs_changed: list[str] = field(default_factory=list)
    code_changed: bool = False


def _content(path: Path) -> bytes:
    data = path.read_bytes()
    return _FOOTER.sub(b"", data) if path.suffix == ".html" else data


def compare_folders(old: Path, new: Path) -> list[str]:
    """Relative paths of result files that differ, are missing or are new."""
    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
                and p.relative_to(root).parts[0] not in NOT_COMPARED
                and (len(p.relative_to(root).parts) <= 2 or p.relative_to(root).parts[0] == "documents")}  # the dossier: documents/ho-so/
    a, b = files(old), files(new)
    return sorted((a ^ b) | {f for f in a & b if _content(old / f) != _content(new / f)})


class _Manifest:
    """The manifest's fields, each fetched with its type checked; a fault names the file and the key."""

    def __init__(self, folder: Path):
        self.path = folder / "manifest.json"
        try:
            self.record = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ParameterError(f"'{folder}' không phải thư mục báo cáo (không đọc được manifest.json).") from None
        if not isinstance(self.record, dict):
            raise self.bad("", "cần một bảng khóa: giá trị (JSON object)")

    def bad(self, key: str, message: str) -> ParameterError:
        return ParameterError(f"{self.path}: {visible(key) or 'toàn tệp'}: {message}")

    def get(self, key: str, kind: type, within: dict | None = None, name: str = ""):
        mapping = self.record if within is None else within
        if key not in mapping:
            raise self.bad(name or key, "thiếu khóa này (manifest không do thidua run ghi, hoặc đã bị sửa)")
        value = mapping[key]
        if not isinstance(value, kind):
            what = {dict: "một bảng khóa: giá trị", str: "một chuỗi ký tự"}[kind]
            raise self.bad(name or key, f"cần {what}, nhận được {type(value).__name__}")
        return value


def _data_folder(m: _Manifest, value: str, data_dir: Path | None, folder: Path) -> Path:
    """The data folder of the rerun: the one the user names; the manifest's must be that one."""
    chosen = Path(data_dir or config.DATA_DIR).resolve()
    if value and not Path(value).is_absolute():
        raise m.bad("parameters.data_dir", f"'{visible(value)}' không phải đường dẫn tuyệt đối như thidua run ghi")
    if (Path(value).resolve() if value else config.DATA_DIR.resolve()) != chosen:
        raise m.bad("parameters.data_dir", f"báo cáo được lập từ thư mục dữ liệu '{visible(value)}', không phải thư mục dữ liệu "
                                           f"của lần kiểm tra này ('{chosen}'). Kiểm tra lại chỉ đọc thư mục dữ liệu bạn chỉ định; "
                                           f"nếu đúng là thư mục đó: thidua verify {folder} --data {visible(value)}")
    return chosen


def rerun_parameters(m: _Manifest, folder: Path, data_dir: Path | None):
    """(notebook, parameters, workspace) of the rerun, every value checked; ParameterError names the key."""
    from toolkit.model.parameters import check_notebook_parameter
    from toolkit.model.workspace import Workspace
    from toolkit.runs.runner import DEFAULT_NOTEBOOK, SPANNING, current_reports, declared_parameters, notebook_path, overview_filed

    report = m.get("report", dict)
    name = m.get("notebook", str, report, "report.notebook")
    try:
        nb = notebook_path(name)
    except ParameterError as exc:
        raise m.bad("report.notebook", visible(exc, keep="\n")) from None
    params = m.get("parameters", dict)
    declared = declared_parameters(nb)
    for key in params:
        if key not in declared:
            raise m.bad(f"parameters.{key}", f"sổ tay {nb.name} không có tham số này; các tham số: {', '.join(declared)}")

    def check(key: str, ws=None, bloc: str = "") -> object:
        value = m.get(key, object, params, f"parameters.{key}")
        try:
            return check_notebook_parameter(key, declared[key], value, ws, bloc)
        except ParameterError as exc:
            raise m.bad(f"parameters.{key}", visible(exc, keep="\n")) from None

    ws = Workspace.open(_data_folder(m, check("data_dir"), data_dir, folder))
    bloc = check("bloc", ws) if "bloc" in declared else ""
    out = {k: check(k, ws, bloc) for k in declared}
    if "output_dir" in out and out["output_dir"] != ".":
        raise m.bad("parameters.output_dir", f"thidua run ghi bảng kết quả vào chính thư mục báo cáo ('.'), manifest ghi "
                                             f"'{visible(out['output_dir'])}': kiểm tra lại chỉ ghi vào thư mục tạm của nó")
    # the reports folder is the one that holds this report (<reports>/<period>/<bloc>[/<notebook>]), never one the manifest names
    reports_dir = folder.resolve().parents[1 if name in (DEFAULT_NOTEBOOK, "province_overview") else 2]
    if "reports_dir" in out:
        out["reports_dir"] = str(reports_dir)
    if "filed" in out:  # the filed reports a run would read now, as `thidua run` finds them
        if name in SPANNING:
            from toolkit.reports.bloc_history import period_range

            out["filed"] = current_reports(ws, bloc, period_range(ws, bloc, out["first"], out["last"]), reports_dir, out["data_dir"])
        else:
            out["filed"] = overview_filed(ws, reports_dir, out["period"], out["data_dir"])
    return nb, out, ws


def verify(folder: Path, data_dir: Path | None = None) -> Verdict:
    from toolkit.model.periods import Period
    from toolkit.runs.runner import DEFAULT_NOTEBOOK, SPANNING, execute_report, overview_inputs, spanning_inputs

    m = _Manifest(folder)
    nb, params, ws = rerun_parameters(m, folder, data_dir)
    old = m.get("inputs", dict)
    filed_hash = m.get("toolkit_hash", str, m.get("code", dict), "code.toolkit_hash")
    outputs = m.get("outputs", dict) if "outputs" in m.record else {}
    if nb.stem == "province_overview":
        current = overview_inputs(Path(params["reports_dir"]), params["period"], ws)
    elif nb.stem in SPANNING:  # every period from first to last (trends)
        from toolkit.reports.bloc_history import period_range

        current = spanning_inputs(ws, params["bloc"], period_range(ws, params["bloc"], params["first"], params["last"]))
    else:
        current = manifest.hashes(ws.input_files(params["bloc"], Period.parse(params["period"])), ws.data_dir)
    changed = sorted(k for k in set(old) | set(current) if old.get(k) != current.get(k))
    code_changed = filed_hash != manifest.code_hash()
    with tempfile.TemporaryDirectory(prefix="thidua-verify-") as tmp:  # mkdtemp: mode 0700, this user's only
        rerun = execute_report(nb, Path(tmp) / "report", params, current, "kiểm tra lại", force=True)
        drafted = [k for k in outputs if k.startswith("documents/")]  # by `thidua documents`
        if drafted and nb.stem == DEFAULT_NOTEBOOK:
            from toolkit.documents import write_documents

            write_documents(ws, params["bloc"], params["period"], rerun.folder / "documents",
                            pdf=any(k.endswith(".pdf") for k in drafted))
        differing = compare_folders(folder, rerun.folder)
    return Verdict(not differing, differing, [visible(k) for k in changed], code_changed)
