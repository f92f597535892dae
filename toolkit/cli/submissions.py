"""``thidua template`` and ``thidua ingest``: the Excel round trip with the member units."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from toolkit import config
from toolkit.cli.options import DATA_OPTION


@click.command("template")
@click.option("--bloc", required=True, help="Mã khối thi đua (bloc id), e.g. kinh-te-ky-thuat.")
@click.option("--period", required=True, help="Kỳ đánh giá: 2018, 2018-H1 or 2018-Q3.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục ghi các tệp mẫu (default: reports/templates/<bloc>/<period>).")
@click.option("--unit", "units", multiple=True, help="Chỉ tạo mẫu cho đơn vị này (repeatable).")
@click.option("--deadline", default="", help="Hạn gửi, shown on the instructions sheet (dd/mm/yyyy).")
@click.option("--contact", default="", help="Đầu mối liên hệ của khối, shown on the instructions sheet.")
@click.option("--registration", is_flag=True,
              help="Write the registration forms (bản đăng ký thi đua) of the year instead: titles to tick, figures "
                   "committed for the target criteria, commitments in words. --period must be a year.")
@click.option("--verification", is_flag=True,
              help="Write the verification workbooks (bảng thẩm định) instead: one per verifier (the bloc's leader, or each "
                   "cross-checking group's verifying unit; --unit picks verifiers), from the ingested self-assessments "
                   "(default folder: reports/templates/<bloc>/<period>/tham-dinh).")
@DATA_OPTION
def template_cmd(bloc: str, period: str, out_dir: Path | None, units: tuple[str, ...], deadline: str, contact: str,
                 registration: bool, verification: bool, data_dir: Path) -> None:
    """Write one self-assessment workbook (.xlsx, Vietnamese) per member unit.

    Each workbook comes from the year's covenant: instructions, the scoring table with the
    maximum points and cells for the self score and evidence, staff counts per annual rating,
    organisation ratings, and bonus/penalty events. Input cells are yellow, unlocked and
    validated by Excel; everything else is protected. The unit, bloc, period and template
    version are stored in the file, so it is recognised on return whatever its name.

    \b
    Examples:
      thidua template --bloc kinh-te-ky-thuat --period 2018
      thidua template --bloc kinh-te-ky-thuat --period 2018 --out mau-2018 \\
          --deadline 10/12/2018 --contact "Văn phòng Sở GTVT, 0222 3822 xxx"
      thidua template --bloc kinh-te-ky-thuat --period 2018 --unit so-xay-dung
      thidua template --registration --bloc kinh-te-ky-thuat --period 2026 --deadline 31/01/2026
      thidua template --verification --bloc kinh-te-ky-thuat --period 2018
    """
    from toolkit.model.workspace import Workspace
    from toolkit.forms.registration_form import write_registrations
    from toolkit.forms.template import write_templates

    ws = Workspace.open(data_dir)
    if registration and verification:
        raise click.UsageError("Chọn một trong --registration và --verification.")
    if registration:
        out_dir = out_dir or config.REPORTS_DIR / "templates" / bloc / f"{period}-dang-ky"
        paths = write_registrations(ws, bloc, period, out_dir, list(units) or None, deadline=deadline, contact=contact)
        what = "bản đăng ký thi đua"
    elif verification:
        from toolkit.forms.verification_template import write_verification_workbooks

        out_dir = out_dir or config.REPORTS_DIR / "templates" / bloc / str(period) / "tham-dinh"
        paths = write_verification_workbooks(ws, bloc, period, out_dir, list(units) or None)
        what = "bảng thẩm định"
    else:
        out_dir = out_dir or config.REPORTS_DIR / "templates" / bloc / str(period)
        paths = write_templates(ws, bloc, period, out_dir, list(units) or None, deadline=deadline, contact=contact)
        what = "mẫu tự chấm điểm"
    click.echo(f"Đã ghi {len(paths)} {what} vào {out_dir}:")
    for p in paths:
        click.echo(f"  {p.name}")


@click.command("ingest")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--bloc", required=True, help="Mã khối thi đua (bloc id).")
@click.option("--period", required=True, help="Kỳ đánh giá: 2018, 2018-H1 or 2018-Q3.")
@click.option("--replace", "replace", multiple=True, metavar="UNIT",
              help="Thay dữ liệu đã có của đơn vị này (late re-submission or correction; repeatable).")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi tệp nào.")
@DATA_OPTION
def ingest_cmd(directory: Path, bloc: str, period: str, replace: tuple[str, ...], dry_run: bool, data_dir: Path) -> None:
    """Read every returned workbook in DIRECTORY into the period's data tables.

    Self-assessment forms and verification workbooks (bảng thẩm định, from `thidua template
    --verification`) are told apart by their identification sheet; a verification workbook sets
    verified_value and verified_note (the reason) in scores.csv, and is refused when a self value
    changed since it was made or a changed value has no reason.

    Every file is checked (template version, bloc, period, unit, scores within 0..maximum,
    numbers, rating labels valid that year, formulas in input cells, damaged or
    password-protected files) and every problem of every file is listed in one pass, with
    file, sheet and cell. Accepted units are written to the period's tables; a rejected unit
    keeps its earlier data. The accepted/rejected table is printed and saved as
    ingest_report.csv beside the data. Input files are never modified; ingesting the same
    files again changes nothing.

    \b
    Written to <data>/periods/<bloc>/<period>/:
      scores.csv, events.csv, staff_ratings.csv, org_ratings.csv, ingest_report.csv
      registrations.csv (from registration forms, thidua template --registration; --period is then the year)

    A folder holding the ballot committee's tally workbook (kiem-phieu.xlsx, written by `thidua
    documents`) is read into ballots.csv instead: returned ≤ issued, valid ≤ returned, in favour
    ≤ valid, each problem named by sheet and cell; the file is replaced as a whole.

    A unit that already has different data is only replaced with --replace UNIT; its earlier
    verified values (điểm thẩm định) are dropped, since the template carries self scores only.

    Exit status: 0 when every file was accepted, 1 when some file was rejected.

    \b
    Examples:
      thidua ingest nop-2018/ --bloc kinh-te-ky-thuat --period 2018
      thidua ingest nop-2018/ --bloc kinh-te-ky-thuat --period 2018 --dry-run
      thidua ingest nop-muon/ --bloc kinh-te-ky-thuat --period 2018 --replace so-xay-dung
      thidua ingest kiem-phieu/ --bloc kinh-te-ky-thuat --period 2024
    """
    from toolkit.model.workspace import Workspace
    from toolkit.forms.ingest import format_result, ingest
    from toolkit.forms.tally_reader import ingest_tally, tally_files

    ws = Workspace.open(data_dir)
    if tally_files(directory):  # the ballot committee's tally workbook, not members' forms
        tally = ingest_tally(directory, ws, bloc, period, dry_run=dry_run)
        click.echo(tally.text())
        sys.exit(1 if tally.rejected else 0)
    result = ingest(directory, ws, bloc, period, replace=replace, dry_run=dry_run)
    click.echo(format_result(result))
    if result.rejected:
        sys.exit(1)
