"""Write a bloc's documents for a period into one folder, atomically, with their own manifest.

Order: parameters, the period's results, the secretariat's ``documents.yaml`` and the ballots
are all checked before anything is written; the documents are rendered into a temporary
folder, converted to PDF when LibreOffice is there, and the folder replaces the previous one
by renaming. The same inputs give the same bytes (docx, PDF and manifest), so a rerun that
changes nothing changes no file.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.documents import ballot_data, dossier, template_data
from toolkit.documents.pdf import HOW_TO_GET, soffice, to_pdf
from toolkit.documents.render import SHIPPED, render_document, template_path
from toolkit.engine.evaluate import PeriodResult
from toolkit.forms import tally_workbook
from toolkit.forms.period_context import period_context
from toolkit.errors import DataError, ParameterError, Problem
from toolkit.model.files import folder_in_place, write_file
from toolkit.model.period_data import period_dir
from toolkit.model.periods import Period
from toolkit.model.secretariat import DocumentInputs, load_document_inputs
from toolkit.model.workspace import Workspace
from toolkit.reports.analysis import analyse
from toolkit.reports.table_writer import pin_zip_times

MANIFEST = "manifest.json"
TITLES = {"bao-cao": "Báo cáo", "bien-ban": "Biên bản", "to-trinh": "Tờ trình", "danh-sach": "Danh sách", **ballot_data.TITLES}
BUILDERS = {**template_data.BUILDERS, **ballot_data.BUILDERS}
MEETING_DAY = {"bien-ban", *ballot_data.BUILDERS}  # dated the day of the year-end meeting
# documents of a year's covenant: made before the year has data, into their own folder (covenant_folder)
COVENANT_TITLES = {"giao-uoc": "Giao ước"}


@dataclass
class Drafts:
    """Everything the documents are made from, checked."""

    result: PeriodResult
    inputs: DocumentInputs
    ballots: pd.DataFrame | None
    nominees: dossier.Nominees | None = None  # year end: what the achievement reports and the dossier need

    def contexts(self, kinds: list[str] | None = None) -> dict[str, dict]:
        names = template_data.documents_for(self.result)
        if self.result.period.is_annual and self.result.nominations.empty:
            names = [n for n in names if n not in ("to-trinh", "danh-sach")]  # nothing to propose
        if self.result.period.is_annual:
            names += list(ballot_data.BUILDERS)  # the ballot papers and the count's minutes; the tally workbook beside them
        if kinds:
            names = [n for n in names if n in kinds]
        return {n: BUILDERS[n](self.result, self.inputs, self.ballots) for n in names}


@dataclass
class Written:
    folder: Path
    docx: list[Path]
    pdfs: list[Path] = field(default_factory=list)
    workbooks: list[Path] = field(default_factory=list)
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
    ballots = res.votes if p.is_annual and len(res.votes) else None  # checked with the period's data
    nominees = dossier.prepare(ws, res) if p.is_annual else None
    problems += nominees.problems if nominees else []
    if problems:
        raise DataError(problems)
    return Drafts(res, inputs, ballots, nominees)


def split_kinds(kinds: list[str] | tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(period kinds, covenant kinds) of ``--kind`` values; an unknown kind stops with the valid ones named."""
    known = [*TITLES, *COVENANT_TITLES]
    wrong = [k for k in kinds if k not in known]
    if wrong:
        raise ParameterError(f"Loại văn bản {', '.join(repr(k) for k in wrong)} không có. Các loại hợp lệ: {', '.join(known)}.")
    return [k for k in kinds if k in TITLES], [k for k in kinds if k in COVENANT_TITLES]


def write_documents(ws: Workspace, bloc: str, period: str | Period, folder: Path, pdf: bool = True,
                    kinds: list[str] | None = None) -> Written:
    """Render the period's documents into ``folder`` (replaced as a whole); PDFs when LibreOffice is present.

    With ``kinds``, only those are drafted; documents of other kinds already in the folder are kept as they were.
    """
    drafts = prepare(ws, bloc, period)
    contexts = drafts.contexts(kinds)
    res, inputs = drafts.result, drafts.inputs
    folder = Path(folder)
    written = Written(folder, [])
    with folder_in_place(folder) as tmp:
        templates = {}
        for name, ctx in contexts.items():
            tpl = template_path(name, ws.data_dir)
            templates[name] = tpl
            when = inputs.meeting.date if name in MEETING_DAY else inputs.date
            render_document(tpl, ctx, tmp / f"{name}.docx", when, f"{TITLES[name]}: {ctx['summary']}", inputs.issuer)
        names = list(contexts)
        proposing = bool(drafts.nominees and drafts.nominees.awards and "to-trinh" in contexts)
        if proposing:  # one báo cáo thành tích per nominee, then the dossier
            reports = dossier.write_reports(tmp, res, inputs, drafts.ballots, drafts.nominees, ws.data_dir)
            templates.update(reports)
            names += list(reports)
        docx = [tmp / f"{n}.docx" for n in names]
        # the tally workbook goes with the whole set; a --kind run keeps the one already drafted
        tally = [_write_tally(ws, drafts, tmp)] if res.period.is_annual and not kinds else []
        pdfs = []
        if pdf and soffice():
            pdfs = to_pdf(docx, tmp, inputs.date)
        elif pdf:
            written.notes.append(HOW_TO_GET)
        if kinds and folder.is_dir():
            for f in sorted(folder.iterdir()):
                if f.stem in contexts or f.name == MANIFEST or (tmp / f.name).exists():
                    continue
                if f.is_dir():  # the dossier of the last whole run
                    shutil.copytree(f, tmp / f.name)
                    written.notes.append(f"Thư mục {f.name}/ giữ nguyên từ lần lập trước: chạy lại không có --kind để hồ sơ "
                                         "khớp với văn bản vừa lập.")
                elif f.is_file():
                    shutil.copy2(f, tmp / f.name)
        if not {"to-trinh"} <= set(contexts) and res.period.is_annual and (not kinds or "to-trinh" in kinds):
            written.notes.append("Không có tập thể được đề nghị khen thưởng: không lập tờ trình và danh sách.")
        if proposing:
            entries, templates[dossier.CHECKLIST] = dossier.assemble(tmp, res, inputs, drafts.nominees, ws.data_dir, bool(pdfs))
            dossier.zip_folder(tmp / dossier.HO_SO, tmp / dossier.ZIP, inputs.date)
            written.dossier = dossier.summary_lines(entries)
        _write_manifest(tmp, ws, res, templates, bool(pdfs), drafts.nominees.inputs if drafts.nominees else [])
    written.docx = [folder / f"{n}.docx" for n in names]
    written.pdfs = [folder / f"{n}.pdf" for n in names] if pdfs else []
    written.workbooks = [folder / p.name for p in tally]
    return written


def _write_tally(ws: Workspace, drafts: Drafts, folder: Path) -> Path:
    """The ballot committee's tally workbook (blank), with the candidates of the ballot papers; same bytes on a rerun."""
    res = drafts.result
    cands = {a.id: ballot_data.candidates(res, a, drafts.ballots) for a in res.covenant.awards if res.period.kind in a.periods}
    wb = tally_workbook.build_workbook(period_context(ws, res.bloc, res.period), cands)
    buf = io.BytesIO()
    wb.save(buf)
    return write_file(folder / tally_workbook.FILENAME, pin_zip_times(buf.getvalue(), tally_workbook.BUILT))


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


def covenant_folder(reports_dir: Path, bloc: str, year: int) -> Path:
    """``<reports>/covenants/<bloc>/<year>/``: beside no period report, which `thidua run` replaces as a whole."""
    return Path(reports_dir) / "covenants" / bloc / str(year)


def covenant_inputs(ws: Workspace, bloc: str, year: int) -> tuple[dict, list[Path]]:
    """The covenant document's values, checked, and the files they come from; no period data is read."""
    from toolkit import config
    from toolkit.documents.covenant_document import giao_uoc
    from toolkit.model.heads import HEADS, heads_on, load_heads

    if bloc not in ws.blocs():
        raise ParameterError(f"Khối '{bloc}' không có trong dữ liệu. Các khối hợp lệ: {', '.join(ws.blocs())}.")
    problems = []
    try:
        cov = ws.covenant(bloc, year)
    except DataError as exc:
        problems += exc.problems
        cov = None
    members = ws.registry.members(bloc, year)
    if members.empty:
        problems.append(Problem(str(ws.data_dir / config.MEMBERSHIP), "", f"khối '{bloc}' chưa có thành viên năm {year} "
                                                                          "(thêm các dòng năm này, hoặc chạy thidua covenant draft)"))
    try:
        heads = load_heads(ws.data_dir, set(ws.registry.units["unit_id"]))
    except DataError as exc:
        problems += exc.problems
        heads = None
    if problems:
        raise DataError(problems)
    day = _dt.date.fromisoformat(cov.signed_on) if cov.signed_on else _dt.date(year, 12, 31)
    blocs = ws.registry.blocs.set_index("bloc_id")
    ctx = giao_uoc(cov, ws.registry.bloc_name(bloc), blocs.loc[bloc, "province"], members, heads_on(heads, day), ws.vocab,
                   cov.synthetic)
    files = [ws.data_dir / f for f in (config.UNITS, config.LINEAGE, config.BLOCS, config.MEMBERSHIP, config.VOCABULARY, HEADS)]
    return ctx, [f for f in [*files, ws.covenant_path(bloc, year)] if f.exists()]


def write_covenant_documents(ws: Workspace, bloc: str, year: int, folder: Path, pdf: bool = True) -> Written:
    """The covenant document (giao-uoc.docx, and its PDF) of ``year`` into ``folder``, replaced as a whole, with its manifest."""
    ctx, sources = covenant_inputs(ws, bloc, year)
    cov = ws.covenant(bloc, year)
    when = _dt.date.fromisoformat(cov.signed_on) if cov.signed_on else _dt.date(year, 1, 1)
    folder = Path(folder)
    written = Written(folder, [])
    with folder_in_place(folder) as tmp:
        tpl = template_path("giao-uoc", ws.data_dir)
        render_document(tpl, ctx, tmp / "giao-uoc.docx", when, f"Giao ước: {cov.title}", ctx["issuer"])
        pdfs = []
        if pdf and soffice():
            pdfs = to_pdf([tmp / "giao-uoc.docx"], tmp, when)
        elif pdf:
            written.notes.append(HOW_TO_GET)
        if ctx["pending"]:
            written.notes.append(f"Giao ước còn {len(ctx['pending'])} điểm chưa quyết định (to_decide): văn bản ghi rõ là DỰ THẢO.")
        record = {
            "documents": {"bloc": bloc, "year": year, "kind": "giao-uoc", "pdf": bool(pdfs)},
            "inputs": {_rel(f, ws.data_dir): sha256(f) for f in sorted(sources)},
            "templates": {"giao-uoc": {"file": _rel(tpl, ws.data_dir), "sha256": sha256(tpl)}},
            "outputs": {f.name: sha256(f) for f in sorted(tmp.iterdir()) if f.is_file()},
        }
        write_file(tmp / MANIFEST, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    written.docx = [folder / "giao-uoc.docx"]
    written.pdfs = [folder / "giao-uoc.pdf"] if pdfs else []
    return written
