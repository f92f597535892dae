"""The year-end dossier (hồ sơ đề nghị khen thưởng): the nominees' achievement reports, the folder the province receives, its checklist.

Law 06/2022 Art. 84: a proposal goes with its tờ trình, the achievement reports and the
minutes of the review with the ballot result. :func:`prepare` loads what the nominees'
reports need (their records, the bloc's earlier proposals) and checks it with the other
documents' inputs, before anything is written; :func:`write_reports` drafts one báo cáo
thành tích per nominee; :func:`assemble` copies every required document into ``ho-so/`` in
the order the province reads them, scans each for "[... bổ sung: ...]" text still to be
filled in, writes the checklist (danh mục hồ sơ) there, and zips the folder with fixed times,
so the same inputs give the same bytes. The ballot committee's minutes (``bien-ban-kiem-phieu*``),
when the documents include them, join the dossier; nothing else is required of them.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import datetime as _dt
import pandas as pd
from docx import Document
from docx.oxml.ns import qn

from toolkit.documents import achievement_report as ar
from toolkit.documents.pdf import to_pdf
from toolkit.documents.render import render_document, template_path
from toolkit.documents.vietnamese_format import count_text, place_date
from toolkit.engine.evaluate import PeriodResult
from toolkit.errors import Problem
from toolkit.model.decisions import decision_files
from toolkit.model.files import write_file
from toolkit.model.secretariat import DocumentInputs
from toolkit.model.unit_records import UnitRecord, load_unit_records, record_path
from toolkit.model.workspace import Workspace
from toolkit.reports.award_record import granted_history
from toolkit.reports.bloc_history import history, period_range
from toolkit.reports.table_writer import pin_zip_times

HO_SO = "ho-so"
ZIP = "ho-so.zip"
CHECKLIST = "danh-muc-ho-so"
TALLY_MINUTES = "bien-ban-kiem-phieu"  # drafted by the ballot step when there is one
PLACEHOLDER = re.compile(r"\[[^\[\]]*bổ sung[^\[\]]*\]")
COMPLETE, MISSING = "Đủ", "Thiếu"


@dataclass
class Nominees:
    """What the achievement reports are made from, checked: per nominee its awards, record and earlier proposals."""

    awards: list[tuple[str, list]]  # (unit_id, [Award])
    records: dict[str, UnitRecord | None]
    proposed: dict[str, pd.DataFrame]
    inputs: list[Path] = field(default_factory=list)  # every file read beyond the period's own
    problems: list[Problem] = field(default_factory=list)
    granted: dict[str, pd.DataFrame] = field(default_factory=dict)  # per nominee, its awards by the province's decisions


@dataclass(frozen=True)
class Entry:
    """One line of the checklist."""

    title: str
    stem: str  # the document's file name without extension, in the documents folder
    present: bool
    gaps: tuple[str, ...] = ()  # "[... bổ sung: ...]" texts still in it

    @property
    def status(self) -> str:
        if not self.present:
            return MISSING
        if not self.gaps:
            return COMPLETE
        return f"Còn {count_text(len(self.gaps))} chỗ cần bổ sung"


def prepare(ws: Workspace, res: PeriodResult) -> Nominees:
    """Load the nominees' records and the bloc's proposals of every earlier year; problems are collected, not raised."""
    awards = ar.nominees(res)
    if not awards:
        return Nominees([], {}, {})
    ids = [u for u, _ in awards]
    records, problems = load_unit_records(ws.data_dir, ids)
    periods = period_range(ws, res.bloc, "", res.period)
    h = history(ws, res.bloc, periods)
    proposed = {u: ar.proposals_of(h.awards, h.units, u, res.period.year) for u in ids}
    granted = {u: granted_history(ws, u, res.period.year) for u in ids}
    inputs = sorted({f for p in periods[:-1] for f in ws.input_files(res.bloc, p)}
                    | {record_path(ws.data_dir, u) for u in ids if record_path(ws.data_dir, u).is_file()})
    inputs = sorted(set(inputs) | set(decision_files(ws.data_dir)))
    return Nominees(awards, records, proposed, inputs, problems, granted)


def write_reports(folder: Path, res: PeriodResult, doc: DocumentInputs, ballots, nominees: Nominees,
                  data_dir: Path) -> dict[str, Path]:
    """One báo cáo thành tích per nominee in ``folder``; returns the template used, per document name."""
    used = {}
    tpl = template_path("bao-cao-thanh-tich", data_dir)
    for unit_id, awards in nominees.awards:
        ctx = ar.bao_cao_thanh_tich(res, doc, ballots, unit_id, awards, nominees.records.get(unit_id),
                                    nominees.proposed[unit_id], nominees.granted.get(unit_id))
        name = ar.file_name(unit_id)
        render_document(tpl, ctx, folder / f"{name}.docx", doc.date, f"Báo cáo thành tích: {ctx['nominee']}", ctx["issuer"])
        used[name] = tpl
    return used


def placeholders(docx: Path) -> list[str]:
    """The "[... bổ sung: ...]" texts of a Word document, paragraph by paragraph, tables included."""
    body = Document(str(docx)).element.body
    found = []
    for p in body.iter(qn("w:p")):
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        found += PLACEHOLDER.findall(text)
    return found


def items(res: PeriodResult, folder: Path, nominees: Nominees) -> list[tuple[str, str]]:
    """(title, file stem) of every document the dossier holds, in the order the province reads them."""
    names = dict(zip(res.units["unit_id"], res.units["name"]))
    y = res.period.year
    out = [("Tờ trình đề nghị khen thưởng", "to-trinh"),
           ("Danh sách tập thể đề nghị khen thưởng (kèm theo Tờ trình)", "danh-sach"),
           ("Biên bản họp bình xét thi đua, khen thưởng (kèm kết quả bỏ phiếu kín)", "bien-ban")]
    out += [("Biên bản kiểm phiếu" + (f" ({p.stem.removeprefix(TALLY_MINUTES).strip('-')})" if p.stem != TALLY_MINUTES else ""),
             p.stem) for p in sorted(folder.glob(f"{TALLY_MINUTES}*.docx"))]
    out += [(f"Báo cáo thành tích của {names.get(u, u)}", ar.file_name(u)) for u, _ in nominees.awards]
    out.append((f"Báo cáo tổng kết công tác thi đua, khen thưởng năm {y} của Khối", "bao-cao"))
    return out


def check(folder: Path, wanted: list[tuple[str, str]]) -> list[Entry]:
    entries = []
    for title, stem in wanted:
        path = folder / f"{stem}.docx"
        entries.append(Entry(title, stem, path.is_file(), tuple(placeholders(path)) if path.is_file() else ()))
    return entries


def _file(i: int, stem: str) -> str:
    return f"{i:02d}-{stem}"


def _first(gaps: tuple[str, ...], shown: int = 3) -> str:
    """The first few places to fill in, then how many more."""
    distinct = list(dict.fromkeys(gaps))
    more = len(gaps) - sum(gaps.count(g) for g in distinct[:shown])
    return "; ".join(distinct[:shown]) + (f"; và {count_text(more)} chỗ khác" if more else "")


def checklist_context(res: PeriodResult, doc: DocumentInputs, entries: list[Entry]) -> dict:
    y = res.period.year
    rows = [{"stt": str(i), "title": e.title, "file": f"{_file(i, e.stem)}.docx" if e.present else "",
             "status": e.status} for i, e in enumerate(entries, start=1)]
    missing = [e for e in entries if not e.present]
    gaps = [e for e in entries if e.present and e.gaps]
    if not missing and not gaps:
        conclusion = "Hồ sơ đủ thành phần; không còn nội dung cần bổ sung."
    else:
        parts = ([f"thiếu {count_text(len(missing))} tài liệu"] if missing else []) + \
                ([f"{count_text(len(gaps))} tài liệu còn nội dung cần bổ sung"] if gaps else [])
        conclusion = f"Hồ sơ chưa hoàn chỉnh: {', '.join(parts)}."
    notes = [f"- {_file(i, e.stem)}: {_first(e.gaps)}" for i, e in enumerate(entries, start=1) if e.gaps]
    if notes:
        notes.insert(0, "Nội dung cần bổ sung (điền vào documents.yaml của Khối hoặc hồ sơ thành tích records/<mã đơn vị>.yaml "
                        "của đơn vị, rồi lập lại hồ sơ):")
    return {"synthetic": bool(res.source.get("synthetic") or doc.synthetic), "parent_body": doc.parent_body,
            "issuer": doc.issuer, "place_date": place_date(doc.place, doc.date),
            "summary": f"Đề nghị khen thưởng năm {y} của {res.bloc_name}",
            "intro": (f"Hồ sơ gồm {count_text(len(entries))} tài liệu, theo thứ tự dưới đây, trong thư mục {HO_SO} "
                      f"(và tệp nén {ZIP}):"),
            "rows": rows, "notes": notes, "conclusion": conclusion}


def summary_lines(entries: list[Entry]) -> list[str]:
    """The checklist as the command prints it."""
    return [f"{i:02d}. {e.title}: {e.status}" for i, e in enumerate(entries, start=1)]


def assemble(folder: Path, res: PeriodResult, doc: DocumentInputs, nominees: Nominees, data_dir: Path,
             pdf: bool) -> tuple[list[Entry], Path]:
    """Fill ``folder/ho-so`` from the documents in ``folder``, write its checklist and ``folder/ho-so.zip``."""
    entries = check(folder, items(res, folder, nominees))
    ho = folder / HO_SO
    ho.mkdir(exist_ok=True)
    for i, e in enumerate(entries, start=1):
        for ext in (".docx", ".pdf"):
            src = folder / f"{e.stem}{ext}"
            if src.is_file():
                write_file(ho / f"{_file(i, e.stem)}{ext}", src.read_bytes())
    tpl = template_path(CHECKLIST, data_dir)
    ctx = checklist_context(res, doc, entries)
    made = render_document(tpl, ctx, ho / f"00-{CHECKLIST}.docx", doc.date, f"Danh mục hồ sơ: {ctx['summary']}", doc.issuer)
    if pdf:
        to_pdf([made], ho, doc.date)
    return entries, tpl


def zip_folder(folder: Path, out: Path, when: _dt.date) -> Path:
    """``folder`` as a zip whose entries are sorted and whose times are ``when``: the same files, the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for f in sorted(p for p in folder.rglob("*") if p.is_file()):
            z.writestr(f"{folder.name}/{f.relative_to(folder).as_posix()}", f.read_bytes())
    return write_file(out, pin_zip_times(buf.getvalue(), _dt.datetime(when.year, when.month, when.day)))
