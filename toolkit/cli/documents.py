"""``thidua documents``: the bloc's báo cáo, biên bản, tờ trình and danh sách as Word drafts (and PDFs).

Also what ``thidua run --documents`` calls after the reports it ran (:func:`after_run`).
"""
from __future__ import annotations

from pathlib import Path

import click

from toolkit import config
from toolkit.cli.options import DATA_OPTION

FOLDER = "documents"  # <reports>/<period>/<bloc>/documents/


def make_documents(data_dir: Path, reports_dir: Path, bloc: str, period: str, pdf: bool = True):
    """Write the documents beside the period report and list them in its manifest; return what was written."""
    from toolkit.documents import record_in_report, write_documents
    from toolkit.model.workspace import Workspace
    from toolkit.runs.runner import report_folder

    ws = Workspace.open(data_dir)
    p = ws.check(bloc, period)
    report = report_folder(Path(reports_dir), bloc, str(p))
    written = write_documents(ws, bloc, p, report / FOLDER, pdf=pdf)
    if not record_in_report(report, written.folder):
        written.notes.append(f"Chưa có báo cáo kỳ ở {report}: `thidua run --bloc {bloc} --period {p} --documents` "
                             "lập báo cáo và ghi các văn bản vào manifest của báo cáo.")
    return written


@click.command("documents")
@click.option("--bloc", required=True, help="Mã khối thi đua (bloc id), e.g. kinh-te-ky-thuat.")
@click.option("--period", required=True, help="2024 (tổng kết năm) or 2024-H1 (sơ kết 6 tháng).")
@DATA_OPTION
@click.option("--reports", "reports_dir", type=click.Path(file_okay=False, path_type=Path), default=config.REPORTS_DIR,
              show_default=True, help="Reports folder: documents go to <reports>/<period>/<bloc>/documents/.")
@click.option("--no-pdf", is_flag=True, help="Write the .docx files only, without converting them with LibreOffice.")
def documents_cmd(bloc: str, period: str, data_dir: Path, reports_dir: Path, no_pdf: bool) -> None:
    """Draft the bloc's official documents (Decree 30/2020 format) from the period's results.

    Year end: bao-cao.docx (báo cáo tổng kết), bien-ban.docx (biên bản họp bình xét, with the
    secret ballot), to-trinh.docx (tờ trình đề nghị khen thưởng) and danh-sach.docx (its list);
    mid-year: bao-cao.docx (báo cáo sơ kết). PDFs of each when LibreOffice (soffice) is installed.
    Figures come from the results; header, meeting and narrative from the secretariat's
    data/periods/<bloc>/<period>/documents.yaml (see docs/documents.md). Word templates in
    data/templates/ replace the shipped ones. The same inputs give byte-identical files.

    \b
    Examples:
      thidua documents --bloc kinh-te-ky-thuat --period 2024
      thidua documents --bloc kinh-te-ky-thuat --period 2024-H1 --no-pdf
    """
    written = make_documents(data_dir, reports_dir, bloc, period, pdf=not no_pdf)
    click.echo(f"Văn bản: {written.folder}")
    for f in [*written.docx, *written.pdfs]:
        click.echo(f"  {f.name}")
    for note in written.notes:
        click.echo(note, err=True)


def after_run(outcomes, data_dir: Path, reports_dir: Path) -> int:
    """``thidua run --documents``: the documents of every report that is now in place; 2 if some could not be made."""
    from toolkit.errors import ThiduaError, visible
    from toolkit.model.periods import Period

    code = 0
    for o in outcomes:
        if o.notebook != "bloc_report" or o.status not in ("ok", "skipped") or Period.parse(o.period).kind == "quarter":
            continue
        try:
            written = make_documents(data_dir, reports_dir, o.bloc, o.period)
            click.echo(f"Văn bản {o.bloc} {o.period}: {written.folder} ({len(written.docx)} tệp .docx, {len(written.pdfs)} PDF)")
            for note in written.notes:
                click.echo(f"  {note}", err=True)
        except ThiduaError as exc:
            click.echo(visible(f"Không lập được văn bản {o.bloc} {o.period}:\n{exc}", keep="\n"), err=True)
            code = 2
    return code
