"""Re-execute a filed report from its manifest and say whether the results are the same.

Results are compared file by file (CSV, xlsx, HTML without its provenance footer); the
executed notebook and the manifest carry run times, so they are not compared. When results
differ, the manifest tells why: which inputs changed since, or whether the code did.
"""
from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.runs import manifest
from toolkit.errors import ParameterError

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
                and p.relative_to(root).parts[0] not in NOT_COMPARED and len(p.relative_to(root).parts) <= 2}
    a, b = files(old), files(new)
    return sorted((a ^ b) | {f for f in a & b if _content(old / f) != _content(new / f)})


def verify(folder: Path) -> Verdict:
    from toolkit.model.workspace import Workspace
    from toolkit.model.periods import Period
    from toolkit.runs.runner import SPANNING, execute_report, notebook_path, overview_inputs, spanning_inputs

    try:
        record = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ParameterError(f"'{folder}' không phải thư mục báo cáo (không đọc được manifest.json).") from None
    params = record["parameters"]
    notebook = record["report"]["notebook"]
    ws = Workspace.open(params["data_dir"]) if params.get("data_dir") else Workspace.open()
    if notebook == "province_overview":
        current = overview_inputs(Path(params["reports_dir"]), params["period"], ws)
    elif notebook in SPANNING:  # every period from first to last (trends)
        from toolkit.reports.history import period_range

        current = spanning_inputs(ws, params["bloc"], period_range(ws, params["bloc"], params.get("first", ""), params["last"]))
    else:
        current = manifest.hashes(ws.input_files(params["bloc"], Period.parse(params["period"])), ws.data_dir)
    old = record["inputs"]
    changed = sorted(k for k in set(old) | set(current) if old.get(k) != current.get(k))
    code_changed = record["code"]["toolkit_hash"] != manifest.code_hash()
    with tempfile.TemporaryDirectory(prefix="thidua-verify-") as tmp:
        rerun = execute_report(notebook_path(notebook), Path(tmp) / "report", params, current, "kiểm tra lại", force=True)
        drafted = [k for k in record.get("outputs", {}) if k.startswith("documents/")]  # by `thidua documents`
        if drafted:
            from toolkit.documents import write_documents

            write_documents(ws, params["bloc"], params["period"], rerun.folder / "documents",
                            pdf=any(k.endswith(".pdf") for k in drafted))
        differing = compare_folders(folder, rerun.folder)
    return Verdict(not differing, differing, changed, code_changed)
