"""The province's tờ trình and danh sách (Decree 30/2020 layout): the blocs' leading units for the
provincial flag, and those of them proposed for the Government's flag.

Figures come from the blocs' filed results, read as the province overview reads them
(:mod:`toolkit.reports.province_candidates`), so the province proposes what the blocs filed; the
header, addressee, signer and recipients from the province secretariat's
``province/<period>/documents.yaml`` (:mod:`toolkit.model.province`). The tờ trình uses the
bloc's ``to-trinh`` template (same layout, other words); the list has its own template,
``danh-sach-tinh`` (it names each unit's bloc). Written as the bloc's documents are: everything
checked first, rendered into a temporary folder, PDFs when LibreOffice is there, a manifest
without clock time, then the folder swapped into place.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from toolkit.documents.pdf import HOW_TO_GET, soffice, to_pdf
from toolkit.documents.render import render_document, template_path
from toolkit.documents.vietnamese_format import count_text, doc_number, place_date, recipient_lines
from toolkit.documents.writer import MANIFEST, Written, _rel, sha256
from toolkit.errors import DataError, ParameterError, Problem
from toolkit.model.files import folder_in_place, write_file
from toolkit.model.periods import Period
from toolkit.model.province import DOCUMENTS, SETTINGS, ProvinceDocuments, load_province_documents, province_dir
from toolkit.model.text import fmt_date, fmt_number, fmt_percent

FOLDER = "documents"  # <reports>/<period>/province_overview/documents/
NAMES = {"to-trinh": "to-trinh", "danh-sach": "danh-sach-tinh"}  # file written -> template
FLAG = "Cờ thi đua của UBND tỉnh"


@dataclass
class ProvinceDrafts:
    period: Period
    candidates: object  # toolkit.reports.province_candidates.Candidates
    inputs: ProvinceDocuments
    results_files: list[Path]  # the blocs' filed tables read (under the reports folder)
    own_files: list[Path]  # the province's settings and secretariat file (under the data folder)
    synthetic: bool


def prepare(data_dir: Path, reports_dir: Path, period: str) -> ProvinceDrafts:
    """Load and check everything the province's documents need; raise listing every problem."""
    from toolkit.reports import overview, province_candidates

    p = Period.parse(period)
    if not p.is_annual:
        raise ParameterError(f"Kỳ '{p}': văn bản của tỉnh (đề nghị Cờ thi đua) chỉ lập cho cả năm, ví dụ {p.year}.")
    ov = overview.load(str(p), str(reports_dir), str(data_dir))
    inputs = load_province_documents(Path(data_dir), p)
    c = province_candidates.candidates(ov)
    if c.leaders.empty:
        raise DataError([Problem(str(Path(reports_dir) / str(p)), "", f"không khối nào đề nghị tặng {FLAG} năm {p.year} "
                                                                      "trong các báo cáo đã lập: không có gì để trình")])
    own = province_dir(Path(data_dir))
    mine = [f for f in (own / SETTINGS, own / str(p) / DOCUMENTS) if f.is_file()]
    return ProvinceDrafts(p, c, inputs, overview.input_files(Path(reports_dir), str(p)), mine,
                          ov.synthetic or inputs.synthetic or c.province.synthetic)


def _common(d: ProvinceDrafts) -> dict:
    doc = d.inputs
    return {
        "synthetic": d.synthetic, "parent_body": doc.parent_body, "issuer": doc.issuer,
        "number": doc_number(doc.numbers.to_trinh, "to_trinh", doc.code), "place_date": place_date(doc.place, doc.date),
        "date": fmt_date(doc.date), "year": str(d.period.year), "period_label": d.period.label_vi,
        "bloc_name": doc.issuer,  # every template may name the proposing body by this value
        "signer": {"authority": doc.signer.authority, "title": doc.signer.title, "name": doc.signer.name},
        "recipients": recipient_lines(doc.recipients, doc.archive), "addressee": doc.addressee,
    }


def _gov(d: ProvinceDrafts):
    return d.candidates.ranked[d.candidates.ranked["selected"]]


def _summary(d: ProvinceDrafts) -> str:
    gov = d.candidates.province.government_flag
    text = f"Về việc đề nghị tặng {FLAG} năm {d.period.year} cho các tập thể dẫn đầu khối thi đua"
    return text + (f" và đề nghị tặng {gov.title}" if len(_gov(d)) else "")


def to_trinh(d: ProvinceDrafts) -> dict:
    c, y, doc = d.candidates, d.period.year, d.inputs
    g = c.province.government_flag
    bases = [b.strip().rstrip(";.") for b in doc.legal_basis]
    bases = [b if b.lower().startswith("căn cứ") else f"Căn cứ {b}" for b in bases]
    bases.append(f"Căn cứ kết quả chấm điểm, bình xét và đề nghị khen thưởng năm {y} của các khối thi đua")
    if doc.council:
        bases.append(f"Căn cứ Biên bản họp {doc.council.body} ngày {fmt_date(doc.council.date)}")
    bases = [b + (";" if i < len(bases) - 1 else ".") for i, b in enumerate(bases)]
    leaders = "; ".join(f"{r.unit} ({r.bloc})" for r in c.leaders.itertuples())
    props = [{"text": f"Tặng {FLAG} năm {y} cho {count_text(len(c.leaders))} tập thể dẫn đầu các khối thi đua: {leaders}."}]
    gov = _gov(d)
    if len(gov):
        props.append({"text": f"Đề nghị Thủ tướng Chính phủ tặng {g.title} năm {y} cho {count_text(len(gov))} tập thể: "
                              + "; ".join(f"{r.unit} ({r.bloc})" for r in gov.itertuples()) + f" ({c.arithmetic})."})
    else:
        props.append({"text": f"Không đề nghị tặng {g.title} năm {y}: theo {g.basis}, số tập thể được đề nghị tối đa là "
                              f"{c.arithmetic}."})
    tied = c.ranked[c.ranked["reason"].str.startswith("bằng nhau")]
    if len(tied):
        props.append({"text": f"Các tập thể {'; '.join(tied['unit'])} bằng nhau ở ngưỡng hạn mức {g.title}: kính trình "
                              f"{doc.addressee} xem xét, quyết định."})
    return {**_common(d), "summary": _summary(d), "bases": bases,
            "proposal_intro": f"Căn cứ kết quả bình xét của các khối thi đua, {doc.issuer} kính trình {doc.addressee} xem xét:",
            "proposals": props}


def danh_sach(d: ProvinceDrafts) -> dict:
    c, y = d.candidates, d.period.year
    g = c.province.government_flag
    position = dict(zip(c.ranked["unit"] + "|" + c.ranked["bloc"], c.ranked["reason"]))
    rows = []
    for r in c.leaders.itertuples():
        reason = position.get(f"{r.unit}|{r.bloc}", "")
        rows.append({"name": r.unit, "bloc": r.bloc, "award": f"{FLAG} năm {y}", "total": fmt_number(r.total),
                     "share": fmt_percent(r.share), "note": reason if reason.startswith("bằng nhau") else ""})
    for r in _gov(d).itertuples():
        rows.append({"name": r.unit, "bloc": r.bloc, "award": f"{g.title} năm {y} (đề nghị Thủ tướng Chính phủ tặng)",
                     "total": fmt_number(r.total), "share": fmt_percent(r.share), "note": f"thứ tự {r.position}"})
    for i, row in enumerate(rows, 1):
        row["stt"] = str(i)
    return {**_common(d), "summary": f"Tập thể đề nghị tặng {FLAG}" + (f" và {g.title}" if len(_gov(d)) else "") + f" năm {y}",
            "rows": rows, "count": count_text(len(rows)), "quota": f"Hạn mức {g.title}: {c.arithmetic}."}


def write_province_documents(data_dir: Path, reports_dir: Path, period: str, pdf: bool = True) -> Written:
    """Render the province's tờ trình and danh sách into ``<reports>/<period>/province_overview/documents/``."""
    from toolkit.reports.overview import FOLDER as OVERVIEW

    d = prepare(data_dir, reports_dir, period)
    contexts = {"to-trinh": to_trinh(d), "danh-sach": danh_sach(d)}
    folder = Path(reports_dir) / str(d.period) / OVERVIEW / FOLDER
    written = Written(folder, [])
    with folder_in_place(folder) as tmp:
        templates = {}
        for name, ctx in contexts.items():
            templates[name] = template_path(NAMES[name], Path(data_dir))
            render_document(templates[name], ctx, tmp / f"{name}.docx", d.inputs.date,
                            f"{'Tờ trình' if name == 'to-trinh' else 'Danh sách'}: {ctx['summary']}", d.inputs.issuer)
        docx = [tmp / f"{n}.docx" for n in contexts]
        pdfs = to_pdf(docx, tmp, d.inputs.date) if pdf and soffice() else []
        if pdf and not soffice():
            written.notes.append(HOW_TO_GET)
        record = {"documents": {"province": d.candidates.province.name, "period": str(d.period), "pdf": bool(pdfs)},
                  "inputs": {**{f"reports:{_rel(f, Path(reports_dir))}": sha256(f) for f in sorted(d.results_files)},
                             **{_rel(f, Path(data_dir)): sha256(f) for f in sorted(d.own_files)}},
                  "templates": {n: {"file": _rel(p, Path(data_dir)), "sha256": sha256(p)} for n, p in templates.items()},
                  "outputs": {f.name: sha256(f) for f in sorted(tmp.iterdir()) if f.is_file()}}
        write_file(tmp / MANIFEST, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    written.docx = [folder / f"{n}.docx" for n in contexts]
    written.pdfs = [folder / f"{n}.pdf" for n in contexts] if pdfs else []
    return written
