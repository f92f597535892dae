"""Run a report notebook for one bloc and period and file its outputs atomically.

Order matters: parameters are checked before anything is written; the notebook runs into a
temporary folder; only a complete report (notebook, HTML, tables, manifest) replaces the
previous one, by renaming, so a reader never sees a half-written report. A failed run keeps
its partial notebook in ``<bloc>.failed/`` beside the untouched previous report.
"""
from __future__ import annotations

import ast
import datetime as _dt
import functools
import hashlib
import json
import logging
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from toolkit import config
from toolkit.runs import html_export, manifest
from toolkit.errors import DataError, InputError, KernelError, ParameterError, ReportError, visible
from toolkit.runs.kernel import KERNEL_NAME, KernelStartError, ProjectKernelManager
from toolkit.runs.kernel_launcher import skip_slow_imports
from toolkit.model.files import replace_folder, temp_folder
from toolkit.model.periods import Period
from toolkit.model.parameters import check_parameters

DEFAULT_NOTEBOOK = "bloc_report"
SPANNING = {"trends"}  # notebooks over every period up to the run's period (parameters first, last)
_NOTEBOOK_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
ATTEMPTS = 2  # kernels a report may take: a machinery failure is retried once on a fresh kernel
log = logging.getLogger("thidua.run")
VIETNAM = _dt.timezone(_dt.timedelta(hours=7), "UTC+7")  # what readers see; the manifest keeps UTC


@dataclass
class RunResult:
    folder: Path
    files: list[Path]
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)
    status: str = "ok"  # "ok" or "skipped" (inputs and code unchanged since the existing report)
    attempts: int = 1  # kernels the report took: 2 when the first one failed (the machinery's fault) and it was retried


def fingerprint(params: dict, inputs: dict[str, str], code_hash: str) -> str:
    """What a report depends on; equal fingerprints mean the report would come out the same."""
    blob = json.dumps({"parameters": params, "inputs": inputs, "code": code_hash}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def is_current(folder: Path, fp: str) -> bool:
    """True when ``folder`` holds a complete report made with fingerprint ``fp``."""
    try:
        record = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if record.get("fingerprint") != fp:
        return False
    outputs = record.get("outputs", {})
    return bool(outputs) and all((folder / rel).is_file() and manifest.sha256(folder / rel) == h for rel, h in outputs.items())


def notebook_path(name: str) -> Path:
    path = config.NOTEBOOKS_DIR / f"{name}.ipynb"
    if not _NOTEBOOK_NAME.match(name) or not path.exists():
        valid = sorted(p.stem for p in config.NOTEBOOKS_DIR.glob("*.ipynb"))
        raise ParameterError(f"Sổ tay '{name}' không có. Các sổ tay hợp lệ: {', '.join(valid)}.")
    return path


def report_folder(reports_dir: Path, bloc: str, period: str, notebook: str = DEFAULT_NOTEBOOK) -> Path:
    base = reports_dir / period / bloc
    return base if notebook == DEFAULT_NOTEBOOK else base / notebook


@functools.lru_cache(maxsize=16)
def _declared(nb: Path, mtime: float) -> dict[str, str]:
    source = next(("".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]
                   if "parameters" in c.get("metadata", {}).get("tags", [])), "")
    declared = {}
    for n in ast.parse(source).body:  # `name: type = default`, or a bare `name = default` (its type then unknown: "")
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name):
            declared[n.target.id] = ast.unparse(n.annotation)
        elif isinstance(n, ast.Assign):
            declared.update((t.id, "") for t in n.targets if isinstance(t, ast.Name))
    return declared


def declared_parameters(nb: Path) -> dict[str, str]:
    """Name -> type (``"str"``, ``"dict"``) of each parameter the notebook's parameters cell declares."""
    return _declared(nb, nb.stat().st_mtime)


def _plain(value: object) -> bool:
    """A value papermill writes as a literal: text, numbers, booleans, None, and lists and dicts of them."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def check_injected(nb: Path, parameters: dict) -> None:
    """Refuse anything papermill would turn into code other than the notebook's own parameter assignments.

    papermill writes ``name = value`` into the notebook: a name is written as it is, so only
    the names the parameters cell declares may pass (a name from a manifest could be any
    Python statement), and only values it writes as literals.
    """
    declared = declared_parameters(nb)
    for name, value in parameters.items():
        if name not in declared:
            raise ParameterError(f"Sổ tay {nb.name} không có tham số '{visible(name)}'; các tham số: {', '.join(declared)}.")
        if not _plain(value):
            raise ParameterError(f"Tham số '{name}' của sổ tay {nb.name} có giá trị không dùng được: {type(value).__name__}.")


def _execute(nb_in: Path, nb_out: Path, parameters: dict, cwd: Path, timeout: int) -> int:
    """Run the notebook into ``nb_out``; the number of kernels it took (2 when the first one failed).

    A kernel that cannot start, dies or is stopped is the machinery's fault, not the report's:
    the report runs once more on a fresh kernel, and the first failure is logged. A second
    failure is a :class:`KernelError`; a failing cell or a cell past its time is the report's own
    (:class:`ReportError`, not retried).
    """
    skip_slow_imports()
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError
    from zmq.error import ZMQError

    from toolkit.runs import papermill_engine

    # the HTML exporter gets ready while the kernel runs (started after papermill's import: imports hold a lock)
    threading.Thread(target=html_export.exporter, name="thidua-html-ready", daemon=True).start()

    for attempt in range(1, ATTEMPTS + 1):
        try:
            # the project kernel is chosen by handing nbclient our kernel manager: nothing installed, JUPYTER_PATH untouched
            pm.execute_notebook(str(nb_in), str(nb_out), parameters=parameters, kernel_name=KERNEL_NAME, cwd=str(cwd),
                                progress_bar=False, log_output=False, execution_timeout=timeout, shutdown_kernel="immediate",
                                kernel_manager_class=ProjectKernelManager, engine_name=papermill_engine.NAME)
            return attempt
        except PapermillExecutionError as exc:
            if exc.ename in ("DataError", "ParameterError"):  # bad input found in the kernel: a data message, not a crash
                raise InputError(f"{exc.evalue}") from None
            raise ReportError(f"Ô số {exc.cell_index} của sổ tay lỗi: {exc.ename}: {exc.evalue}") from None
        except CellTimeoutError:
            # the notebook's own failure: its partial notebook is kept
            raise ReportError(f"Một ô của sổ tay chạy quá {timeout} giây nên đã bị dừng.") from None
        except (KernelStartError, DeadKernelError, ZMQError) as exc:
            why = f"{type(exc).__name__}: {exc}"
            if attempt == ATTEMPTS:
                raise KernelError(f"Nhân Jupyter chạy báo cáo lỗi hai lần liền, không phải do sổ tay hay dữ liệu "
                                  f"({why}).") from None
            log.warning("%s: nhân Jupyter lỗi (%s); chạy lại báo cáo trên một nhân mới.", nb_out.parent.name, why)
            shutil.rmtree(cwd)  # nothing of the failed attempt goes into the report
            cwd.mkdir()
    raise AssertionError("unreachable")


def run_report(bloc: str, period: str, notebook: str = DEFAULT_NOTEBOOK, data_dir: Path | str | None = None,
               reports_dir: Path | str | None = None, timeout: int = 600, force: bool = True) -> RunResult:
    """Execute ``notebooks/<notebook>.ipynb`` for a bloc and period; return where the report is.

    With ``force=False`` an existing complete report with the same inputs, code and
    parameters is kept as it is (status "skipped"), which is what makes a killed batch cheap to
    resume.
    """
    nb_in = notebook_path(notebook)
    data_arg = str(data_dir) if data_dir else ""
    ws, period = check_parameters(bloc, period, data_arg, "")
    reports_dir = Path(reports_dir) if reports_dir else config.REPORTS_DIR
    params = {"bloc": bloc, "period": period, "data_dir": str(Path(data_arg).resolve()) if data_arg else "", "output_dir": "."}
    p = Period.parse(period)
    try:
        ws.load(bloc, p)  # validate the covenant and period data before a kernel is started
    except DataError as exc:
        raise InputError(str(exc)) from None
    if notebook in SPANNING:
        return _run_spanning(nb_in, ws, bloc, p, params, reports_dir, timeout, force)
    inputs = manifest.hashes(ws.input_files(bloc, p), ws.data_dir)
    return execute_report(nb_in, report_folder(reports_dir, bloc, period, notebook), params, inputs,
                          f"dữ liệu {ws.data_dir.name}/", timeout=timeout, force=force)


def _run_spanning(nb_in: Path, ws, bloc: str, last: Period, params: dict, reports_dir: Path, timeout: int, force: bool) -> RunResult:
    """A report over every period up to ``last`` (the trends notebook): all their inputs, and their current filed reports.

    The notebook takes the run's period as its last one (``first`` empty: the earliest with
    data). Each period whose bloc report in ``reports_dir`` is current (the fingerprint a bloc
    report of that period would have now) is read from that report instead of being recomputed.
    """
    from toolkit.reports.bloc_history import period_range

    periods = period_range(ws, bloc, "", str(last))
    inputs = spanning_inputs(ws, bloc, periods)
    filed = current_reports(ws, bloc, periods, reports_dir, params["data_dir"])
    spanning = {"bloc": bloc, "first": "", "last": str(last), "data_dir": params["data_dir"], "output_dir": ".", "filed": filed}
    return execute_report(nb_in, report_folder(reports_dir, bloc, str(last), nb_in.stem), spanning, inputs,
                          f"dữ liệu {ws.data_dir.name}/", timeout=timeout, force=force)


def run_overview(period: str, reports_dir: Path | str | None = None, timeout: int = 900, force: bool = True,
                 data_dir: Path | str | None = None) -> RunResult:
    """Execute notebooks/province_overview.ipynb into ``reports/<period>/province_overview/``.

    Its inputs are the result tables of the period's complete bloc reports and, for the blocs'
    names and their years up to the period, the data folder (current filed bloc reports of
    earlier periods are read instead of recomputed, as for the trends report).
    """
    from toolkit.model.workspace import Workspace
    from toolkit.reports.overview import FOLDER, input_files

    reports_dir = Path(reports_dir) if reports_dir else config.REPORTS_DIR
    files = input_files(reports_dir, period)
    if not files:
        raise ParameterError(f"Chưa có báo cáo khối nào cho kỳ {period} trong {reports_dir}.")
    data_arg = str(Path(data_dir).resolve()) if data_dir else ""
    ws = Workspace.open(Path(data_dir) if data_dir else config.DATA_DIR)
    inputs = overview_inputs(reports_dir, period, ws)
    filed = overview_filed(ws, reports_dir, period, data_arg)
    params = {"period": period, "reports_dir": str(reports_dir.resolve()), "data_dir": data_arg, "filed": filed}
    return execute_report(notebook_path("province_overview"), reports_dir / period / FOLDER, params, inputs,
                          f"kết quả các khối trong {reports_dir.name}/{period}/ và dữ liệu {ws.data_dir.name}/", timeout=timeout,
                          force=force)


def overview_filed(ws, reports_dir: Path, period: str, data_arg: str) -> dict[str, dict[str, str]]:
    """Bloc -> period -> folder of each current bloc report the province overview reads instead of recomputing."""
    from toolkit.reports.bloc_history import period_range
    from toolkit.reports.overview import bloc_folders

    return {folder.name: current_reports(ws, folder.name, period_range(ws, folder.name, "", period), reports_dir, data_arg)
            for folder in bloc_folders(reports_dir, period) if folder.name in ws.blocs() and period in ws.periods(folder.name)}


def spanning_inputs(ws, bloc: str, periods: list[Period]) -> dict[str, str]:
    """sha256 of every input of every period of a report over several periods (the trends report).

    With the award decisions, and the data of the other blocs whose units merged into this bloc's (the trends list them).
    """
    from toolkit.model.decisions import decision_files
    from toolkit.reports.province_lineage import outside_periods

    files = {f for q in periods for f in ws.input_files(bloc, q)}
    files |= {f for other, q in outside_periods(ws, bloc, periods) for f in ws.input_files(other, q)}
    return manifest.hashes(sorted(files | set(decision_files(ws.data_dir))), ws.data_dir)


def overview_inputs(reports_dir: Path, period: str, ws) -> dict[str, str]:
    """sha256 of the province overview's inputs: the period's filed bloc results, and each bloc's data up to the period."""
    from toolkit.reports.bloc_history import period_range
    from toolkit.reports.overview import bloc_folders, input_files

    inputs = manifest.hashes(input_files(reports_dir, period), reports_dir)
    settings = ws.data_dir / config.PROVINCE / "province.yaml"  # the Government flag's rule and the former provinces
    if settings.is_file():
        inputs.update(manifest.hashes([settings], ws.data_dir))
    for folder in bloc_folders(reports_dir, period):
        if folder.name in ws.blocs() and period in ws.periods(folder.name):
            inputs.update(spanning_inputs(ws, folder.name, period_range(ws, folder.name, "", period)))
    return inputs


def current_reports(ws, bloc: str, periods: list[Period], reports_dir: Path, data_arg: str) -> dict[str, str]:
    """Period -> folder of each bloc report in ``reports_dir`` that is current: what a run of it now would give."""
    code = manifest.code_hash()
    filed = {}
    for q in periods:
        folder = report_folder(reports_dir, bloc, str(q))
        if not (folder / "manifest.json").is_file():
            continue
        own = {"bloc": bloc, "period": str(q), "data_dir": data_arg, "output_dir": ".", "notebook": DEFAULT_NOTEBOOK}
        if is_current(folder, fingerprint(own, manifest.hashes(ws.input_files(bloc, q), ws.data_dir), code)):
            filed[str(q)] = str(folder.resolve())
    return filed


def execute_report(nb_in: Path, final: Path, params: dict, inputs: dict[str, str], source: str,
                   timeout: int = 600, force: bool = True) -> RunResult:
    """Run one parameterised notebook into ``final``: skip if current, else temp folder, HTML, manifest, swap."""
    check_injected(nb_in, params)
    started = _dt.datetime.now(_dt.timezone.utc)
    t0 = time.perf_counter()
    stages: dict[str, float] = {}
    final.parent.mkdir(parents=True, exist_ok=True)
    code_hash = manifest.code_hash()
    fp = fingerprint({**params, "notebook": nb_in.stem}, inputs, code_hash)
    if not force and is_current(final, fp):
        return RunResult(final, sorted(f for f in final.rglob("*") if f.is_file()), time.perf_counter() - t0, status="skipped")
    tmp = temp_folder(final)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    stages["check"] = time.perf_counter() - t0
    nb_out = tmp / "report.ipynb"
    try:
        t = time.perf_counter()
        attempts = _execute(nb_in, nb_out, params, tmp, timeout)
        stages["execute"] = time.perf_counter() - t
    except InputError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except ReportError as exc:
        failed = final.with_name(f"{final.name}.failed")
        shutil.rmtree(failed, ignore_errors=True)
        tmp.rename(failed)
        (failed / "error.txt").write_text(f"{exc}\n", encoding="utf-8")
        raise type(exc)(f"{exc}\nSổ tay đã chạy một phần: {failed / 'report.ipynb'}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    t = time.perf_counter()
    code = manifest.git_commit()
    footer = (f"Tạo bởi thidua {manifest.versions()['thidua']} (mã nguồn {(code['commit'] or 'không rõ')[:10]}"
              f"{', có sửa đổi chưa commit' if code['dirty'] else ''}) lúc {started.astimezone(VIETNAM):%H:%M ngày %d/%m/%Y} "
              f"(giờ Việt Nam, UTC+7); sổ tay {nb_in.name}; {source}.")
    try:
        html_export.write_html(nb_out, tmp / "report.html", footer)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # the previous report stays; no half-made folder is left behind
        raise
    stages["html"] = time.perf_counter() - t
    ended = _dt.datetime.now(_dt.timezone.utc)
    outputs = sorted(f for f in tmp.rglob("*") if f.is_file())
    record = {
        "report": {**{k: v for k, v in params.items() if k in ("bloc", "period")}, "notebook": nb_in.stem},
        "parameters": params,
        "inputs": inputs,
        "outputs": manifest.hashes(outputs, tmp),
        "code": {**code, "toolkit_hash": code_hash},
        "fingerprint": fp,
        "versions": manifest.versions(),
        "kernel": KERNEL_NAME,
        "attempts": attempts,
        "started": started.isoformat(timespec="seconds"),
        "ended": ended.isoformat(timespec="seconds"),
        "duration_seconds": round(time.perf_counter() - t0, 3),
        "stages_seconds": {k: round(v, 3) for k, v in stages.items()},
    }
    (tmp / "manifest.json").write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    # other notebooks' reports filed beside this one stay; drafted documents do not: their figures
    # came from the results being replaced (`thidua run --documents` drafts them again)
    replace_folder(tmp, final, keep=lambda child: (config.NOTEBOOKS_DIR / f"{child.name}.ipynb").exists())
    files = sorted(f for f in final.rglob("*") if f.is_file())
    return RunResult(final, files, time.perf_counter() - t0, stages, attempts=attempts)
