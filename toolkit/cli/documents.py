"""``thidua documents``: the bloc's báo cáo, biên bản, tờ trình and danh sách as Word drafts (and PDFs).

Also what ``thidua run --documents`` calls: :func:`check_documents` before any report is
touched (a run replaces the report folder, drafts included, so inputs that cannot give new
drafts must stop it first), :func:`after_run` after the reports, still under the lock.
"""
from __future__ import annotations

from pathlib import Path

import click

from toolkit import config
from toolkit.cli.locked import locked_reports
from toolkit.cli.options import DATA_OPTION

FOLDER = "documents"  # <reports>/<period>/<bloc>/documents/


def make_documents(data_dir: Path, reports_dir: Path, bloc: str, period: str, pdf: bool = True, kinds: list[str] | None = None):
    """Write the documents beside the period report and list them in its manifest; return what was written."""
    from toolkit.documents import record_in_report, write_documents
    from toolkit.model.workspace import Workspace
    from toolkit.runs.runner import report_folder

    ws = Workspace.open(data_dir)
    p = ws.check(bloc, period)
    report = report_folder(Path(reports_dir), bloc, str(p))
    written = write_documents(ws, bloc, p, report / FOLDER, pdf=pdf, kinds=kinds)
    if not record_in_report(report, written.folder):
        written.notes.append(f"Chưa có báo cáo kỳ ở {report}: `thidua run --bloc {bloc} --period {p} --documents` "
                             "lập báo cáo và ghi các văn bản vào manifest của báo cáo.")
    return written


@click.command("documents")
@click.option("--bloc", default=None, help="Mã khối thi đua (bloc id), e.g. kinh-te-ky-thuat.")
@click.option("--province", is_flag=True, help="The province's tờ trình and danh sách (provincial flag, Government flag "
              "candidates) from every bloc's filed report, instead of one bloc's documents.")
@click.option("--period", required=True, help="2024 (tổng kết năm) or 2024-H1 (sơ kết 6 tháng).")
@DATA_OPTION
@click.option("--reports", "reports_dir", type=click.Path(file_okay=False, path_type=Path), default=config.REPORTS_DIR,
              show_default=True, help="Reports folder: documents go to <reports>/<period>/<bloc>/documents/.")
@click.option("--no-pdf", is_flag=True, help="Write the .docx files only, without converting them with LibreOffice.")
@click.option("--kind", "kinds", multiple=True,
              help="Only this document, repeatable: bao-cao, bien-ban, to-trinh, danh-sach, phieu-bau, bien-ban-kiem-phieu, or giao-uoc (the covenant the "
                   "members sign, made from the covenant alone, into <reports>/covenants/<bloc>/<year>/).")
def documents_cmd(bloc: str | None, province: bool, period: str, data_dir: Path, reports_dir: Path, no_pdf: bool, kinds: tuple[str, ...]) -> None:
    """Draft the bloc's official documents (Decree 30/2020 format) from the period's results.

    Year end: bao-cao.docx (báo cáo tổng kết), bien-ban.docx (biên bản họp bình xét, with the
    secret ballot), to-trinh.docx (tờ trình đề nghị khen thưởng) and danh-sach.docx (its list),
    phieu-bau.docx (ballot papers), bien-ban-kiem-phieu.docx (the count's minutes) and
    kiem-phieu.xlsx (the committee's tally workbook, read back by `thidua ingest`), one
    bao-cao-thanh-tich-<unit>.docx per nominee (from data/records/<unit>.yaml) and the dossier ho-so/
    with its checklist (danh mục hồ sơ, printed too) and ho-so.zip; mid-year: bao-cao.docx (báo cáo
    sơ kết). PDFs of each when LibreOffice (soffice) is installed.
    Figures come from the results; header, meeting and narrative from the secretariat's
    data/periods/<bloc>/<period>/documents.yaml (see docs/documents.md). Word templates in
    data/templates/ replace the shipped ones. The same inputs give byte-identical files.

    With --province (year periods only): the province's to-trinh.docx and danh-sach.docx in
    <reports>/<period>/province_overview/documents/: each bloc's leading unit for the provincial
    flag, and those proposed for the Government's flag (at most 20%, under
    data/province/province.yaml), from the blocs' filed reports and the province secretariat's
    data/province/<period>/documents.yaml.

    Exit codes: 0 done, 2 bad parameters or data, 4 another run holds the reports folder.

    --kind giao-uoc writes the covenant document (giao ước thi đua) of the --period year, which
    the heads of the member units sign: from the covenant, the registry and data/heads.csv,
    before the year has any data.

    \b
    Examples:
      thidua documents --bloc kinh-te-ky-thuat --period 2024
      thidua documents --bloc kinh-te-ky-thuat --period 2024-H1 --no-pdf
      thidua documents --bloc kinh-te-ky-thuat --period 2026 --kind giao-uoc
      thidua documents --province --period 2024
    """
    from toolkit.documents.writer import covenant_folder, split_kinds, write_covenant_documents
    from toolkit.errors import ParameterError
    from toolkit.model.periods import Period
    from toolkit.model.workspace import Workspace

    if bool(bloc) == province:
        raise ParameterError("Chọn một trong hai: --bloc <mã khối> (văn bản của khối) hoặc --province (văn bản của tỉnh).")
    if province:
        if kinds:
            raise ParameterError("--kind chỉ dùng với --bloc: văn bản của tỉnh là tờ trình và danh sách.")
        from toolkit.documents.province_documents import write_province_documents

        with locked_reports(reports_dir):
            written = write_province_documents(data_dir, reports_dir, period, pdf=not no_pdf)
        _said(written)
        return
    period_kinds, covenant_kinds = split_kinds(kinds)
    done = []
    with locked_reports(reports_dir):
        if covenant_kinds:
            p = Period.parse(period)
            if p.kind != "year":
                raise ParameterError(f"Giao ước thi đua lập cho cả năm: dùng --period {p.year}, không phải '{period}'.")
            ws = Workspace.open(data_dir)
            done.append(write_covenant_documents(ws, bloc, p.year, covenant_folder(reports_dir, bloc, p.year), pdf=not no_pdf))
        if period_kinds or not kinds:
            done.append(make_documents(data_dir, reports_dir, bloc, period, pdf=not no_pdf, kinds=period_kinds or None))
    for written in done:
        _said(written)


def _said(written) -> None:
    """What was written, the dossier's checklist, then the notes (on stderr)."""
    click.echo(f"Văn bản: {written.folder}")
    for f in [*written.docx, *getattr(written, "workbooks", []), *written.pdfs]:
        click.echo(f"  {f.name}")
    if getattr(written, "dossier", None):
        click.echo("Hồ sơ đề nghị khen thưởng (ho-so/, ho-so.zip), danh mục:")
        for line in written.dossier:
            click.echo(f"  {line}")
    for note in written.notes:
        click.echo(note, err=True)


def _drafted(notebook: str, period: str) -> bool:
    """Whether ``thidua run --documents`` drafts documents beside this report: period reports of a year or half-year."""
    from toolkit.model.periods import Period

    return notebook == "bloc_report" and Period.parse(period).kind != "quarter"


def _province_drafted(outcome, data_dir: Path) -> bool:
    """Whether ``thidua run --documents`` drafts the province's documents after this outcome: a year's overview, with its secretariat file."""
    from toolkit.model.periods import Period
    from toolkit.model.province import DOCUMENTS, province_dir

    return (outcome.notebook == "province_overview" and outcome.status in ("ok", "skipped")
            and Period.parse(outcome.period).is_annual and (province_dir(data_dir) / outcome.period / DOCUMENTS).is_file())


def _province_documents(data_dir: Path, reports_dir: Path, period: str, pdf: bool):
    from toolkit.documents.province_documents import write_province_documents

    return write_province_documents(data_dir, reports_dir, period, pdf=pdf)


def check_documents(ws, jobs) -> dict:
    """The jobs whose documents could not be drafted, each with the error ``thidua documents`` would stop with.

    The check is the documents' own (:func:`toolkit.documents.prepare`, which ``thidua
    documents`` runs before writing), not a copy. A bloc without data for the period is not
    held back here: its run says so and writes nothing. Nor is a bloc without ``documents.yaml``
    for the period (in a batch over every bloc, most draft nothing): its report is filed, and the
    documents step says what is missing, as before.
    """
    from toolkit.documents import prepare
    from toolkit.errors import DataError, ParameterError

    from toolkit import config
    from toolkit.model.secretariat import DOCUMENTS

    bad = {}
    for job in jobs:
        if not _drafted(job.notebook, job.period):
            continue
        if not (ws.data_dir / config.PERIODS / job.bloc / job.period / DOCUMENTS).exists():
            continue  # this bloc drafts no documents this period: its report runs; after_run says what is missing
        try:
            prepare(ws, job.bloc, job.period)
        except DataError as exc:
            bad[job] = exc
        except ParameterError:
            pass
    return bad


def after_run(outcomes, data_dir: Path, reports_dir: Path) -> int:
    """``thidua run --documents``: the documents of every report that is now in place; 2 if some could not be made.

    After a year's province overview, the province's documents too, when its secretariat file
    ``province/<period>/documents.yaml`` exists.

    Called while the run still holds the reports folder's lock.
    """
    from toolkit.errors import ThiduaError, visible

    code = 0
    for o in outcomes:
        if _province_drafted(o, data_dir):
            try:
                written = _province_documents(data_dir, reports_dir, o.period, pdf=True)
                click.echo(f"Văn bản của tỉnh {o.period}: {written.folder} ({len(written.docx)} tệp .docx, {len(written.pdfs)} PDF)")
            except ThiduaError as exc:
                click.echo(visible(f"Không lập được văn bản của tỉnh {o.period}:\n{exc}", keep="\n"), err=True)
                code = 2
            continue
        if not _drafted(o.notebook, o.period) or o.status not in ("ok", "skipped"):
            continue
        try:
            written = make_documents(data_dir, reports_dir, o.bloc, o.period)
            click.echo(f"Văn bản {o.bloc} {o.period}: {written.folder} ({len(written.docx)} tệp .docx, {len(written.pdfs)} PDF)")
            for line in written.dossier:
                click.echo(f"  Hồ sơ {line}")
            for note in written.notes:
                click.echo(f"  {note}", err=True)
        except ThiduaError as exc:
            click.echo(visible(f"Không lập được văn bản {o.bloc} {o.period}:\n{exc}", keep="\n"), err=True)
            code = 2
    return code
