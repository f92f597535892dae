"""Write a bloc's documents for a period into one folder, atomically, with their own manifest.

Order: parameters, the period's results, the secretariat's ``documents.yaml`` and the ballots
are all checked before anything is written; the documents are rendered into a temporary
folder, converted to PDF when LibreOffice is there, and the folder replaces the previous one
by renaming. The same inputs give the same bytes (docx, PDF and manifest), so a rerun that
changes nothing changes no file.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.documents import dossier, template_data
from toolkit.documents.pdf import HOW_TO_GET, soffice, to_pdf
from toolkit.documents.render import SHIPPED, render_document, template_path
from toolkit.engine.evaluate import PeriodResult
from toolkit.errors import DataError, ParameterError
from toolkit.model.files import replace_folder, temp_folder, write_file
from toolkit.model.ballots import load_ballots
from toolkit.model.period_data import period_dir
from toolkit.model.periods import Period
from toolkit.model.secretariat import DocumentInputs, load_document_inputs
from toolkit.model.workspace import Workspace
from toolkit.reports.analysis import analyse

MANIFEST = "manifest.json"
TITLES = {"bao-cao": "Báo cáo", "bien-ban": "Biên bản", "to-trinh": "Tờ trình", "danh-sach": "Danh sách"}


@dataclass
class Drafts:
    """Everything the documents are made from, checked."""

    result: PeriodResult
    inputs: DocumentInputs
    ballots: pd.DataFrame | None
    nominees: dossier.Nominees | None = None  # year end: what the achievement reports and the dossier need

    def contexts(self) -> dict[str, dict]:
        names = template_data.documents_for(self.result)
        if self.result.period.is_annual and self.result.nominations.empty:
            names = [n for n in names if n not in ("to-trinh", "danh-sach")]  # nothing to propose
        return {n: template_data.BUILDERS[n](self.result, self.inputs, self.ballots) for n in names}


@dataclass
class Written:
    folder: Path
    docx: list[Path]
    pdfs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dossier: list[str] = field(default_factory=list)  # the dossier's checklist, one line per document


def prepare(ws: Workspace, bloc: str, period: str | Period) -> Drafts:
    """Load and check everything the documents need; raise DataError listing every problem."""
    p = ws.check(bloc, period)
    if p.kind == "quarter":
        raise ParameterError(f"Kỳ '{p}': văn bản chỉ lập cho cả năm (tổng kết) hoặc 6 tháng (sơ kết), không cho quý.")
    res = analyse(ws, bloc, p, compare=False)
    folder = period_dir(ws.data_dir, bloc, p)
    members = dict(zip(res.units["unit_id"], res.units["name"]))
    problems = []
    try:
        inputs = load_document_inputs(folder, p, [c.id for c in res.covenant.contents], members)
    except DataError as exc:
        problems += exc.problems
        inputs = None
    ballots = None
    if p.is_annual:
        u = res.units
        votes = u.loc[u["voters"].notna(), ["unit_id", "approve", "voters"]] if "voters" in u else None
        ballots, found = load_ballots(folder, res.covenant, res.units, votes)
        problems += found
        if not len(ballots):
            ballots = None
    nominees = dossier.prepare(ws, res) if p.is_annual else None
    problems += nominees.problems if nominees else []
    if problems:
        raise DataError(problems)
    return Drafts(res, inputs, ballots, nominees)


def write_documents(ws: Workspace, bloc: str, period: str | Period, folder: Path, pdf: bool = True) -> Written:
    """Render the period's documents into ``folder`` (replaced as a whole); PDFs when LibreOffice is present."""
    drafts = prepare(ws, bloc, period)
    contexts = drafts.contexts()
    res, inputs = drafts.result, drafts.inputs
    folder = Path(folder)
    tmp = temp_folder(folder)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    written = Written(folder, [])
    try:
        templates = {}
        for name, ctx in contexts.items():
            tpl = template_path(name, ws.data_dir)
            templates[name] = tpl
            when = inputs.meeting.date if name == "bien-ban" else inputs.date
            render_document(tpl, ctx, tmp / f"{name}.docx", when, f"{TITLES[name]}: {ctx['summary']}", inputs.issuer)
        names = list(contexts)
        proposing = bool(drafts.nominees and drafts.nominees.awards and "to-trinh" in contexts)
        if proposing:  # one báo cáo thành tích per nominee, then the dossier
            reports = dossier.write_reports(tmp, res, inputs, drafts.ballots, drafts.nominees, ws.data_dir)
            templates.update(reports)
            names += list(reports)
        docx = [tmp / f"{n}.docx" for n in names]
        pdfs = []
        if pdf and soffice():
            pdfs = to_pdf(docx, tmp, inputs.date)
        elif pdf:
            written.notes.append(HOW_TO_GET)
        if not {"to-trinh"} <= set(contexts) and res.period.is_annual:
            written.notes.append("Không có tập thể được đề nghị khen thưởng: không lập tờ trình và danh sách.")
        if proposing:
            entries, templates[dossier.CHECKLIST] = dossier.assemble(tmp, res, inputs, drafts.nominees, ws.data_dir, bool(pdfs))
            dossier.zip_folder(tmp / dossier.HO_SO, tmp / dossier.ZIP, inputs.date)
            written.dossier = dossier.summary_lines(entries)
        _write_manifest(tmp, ws, res, templates, bool(pdfs), drafts.nominees.inputs if drafts.nominees else [])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    replace_folder(tmp, folder)
    written.docx = [folder / f"{n}.docx" for n in names]
    written.pdfs = [folder / f"{n}.pdf" for n in names] if pdfs else []
    return written


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return f"thidua:{path.relative_to(SHIPPED.parent).as_posix()}" if path.is_relative_to(SHIPPED.parent) else str(path)


def _write_manifest(folder: Path, ws: Workspace, res: PeriodResult, templates: dict[str, Path], pdf: bool,
                    more_inputs: list[Path] = ()) -> Path:
    """What the documents were made from and what they are; no clock time, so a rerun writes the same bytes."""
    inputs = {_rel(f, ws.data_dir): sha256(f) for f in sorted({*ws.input_files(res.bloc, res.period), *more_inputs})}
    record = {
        "documents": {"bloc": res.bloc, "period": str(res.period), "pdf": pdf},
        "inputs": inputs,
        "templates": {name: {"file": _rel(p, ws.data_dir), "sha256": sha256(p)} for name, p in templates.items()},
        "outputs": {f.relative_to(folder).as_posix(): sha256(f) for f in sorted(folder.rglob("*")) if f.is_file()},
    }
    path = folder / MANIFEST
    return write_file(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")


def record_in_report(report_dir: Path, documents: Path) -> bool:
    """List the documents among the outputs of the period report's manifest, when there is one."""
    path = report_dir / MANIFEST
    if not path.is_file():
        return False
    record = json.loads(path.read_text(encoding="utf-8"))
    prefix = documents.relative_to(report_dir).as_posix() + "/"
    outputs = {k: v for k, v in record.get("outputs", {}).items() if not k.startswith(prefix)}
    outputs.update({prefix + f.relative_to(documents).as_posix(): sha256(f) for f in sorted(documents.rglob("*")) if f.is_file()})
    record["outputs"] = dict(sorted(outputs.items()))
    write_file(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")  # a filed manifest: replaced whole
    return True
