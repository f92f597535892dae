"""``thidua decisions import`` and ``thidua record``: the province's award decisions in, a unit's awards out."""
from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli.options import DATA_OPTION


@click.group("decisions")
def decisions_cmd() -> None:
    """The province's award decisions (quyết định khen thưởng), one file each in data/decisions/ (docs/data.md).

    \b
    Examples:
      thidua decisions import danh-sach.xlsx --number 3120/QĐ-UBND --date 28/12/2018 \\
          --body "UBND tỉnh Bắc Ninh" --signer "Nguyễn Văn A" --period 2018 --award co_thi_dua
      thidua decisions list
    """


@decisions_cmd.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--number", required=True, help="Số quyết định, e.g. 3120/QĐ-UBND.")
@click.option("--date", "date", required=True, help="Ngày ký: 28/12/2018 (or 2018-12-28).")
@click.option("--body", required=True, help="Cơ quan ban hành, e.g. \"UBND tỉnh Bắc Ninh\".")
@click.option("--signer", required=True, help="Người ký.")
@click.option("--signer-title", default="", help="Chức vụ người ký, e.g. \"KT. Chủ tịch - Phó Chủ tịch\".")
@click.option("--period", required=True, help="Kỳ được khen thưởng: 2018 (năm).")
@click.option("--award", default="",
              help="Danh hiệu of every line (award id or title of the year's covenants) when the list has no award column.")
@click.option("--sheet", default="", help="Trang tính of a workbook (default: the first).")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và in kết quả khớp tên, không ghi tệp.")
@DATA_OPTION
def import_cmd(file: Path, number: str, date: str, body: str, signer: str, signer_title: str, period: str, award: str,
               sheet: str, dry_run: bool, data_dir: Path) -> None:
    """Read a decision's attached list (xlsx, csv, or a table pasted from the PDF into a .txt) into data/decisions/.

    Every collective is matched to a unit of the rewarded year by its name (full name, short name
    as in units.csv such as "Sở TN&MT", old or new name of a renamed unit; case, accents in NFC or
    NFD and stray spaces do not matter). A line that matches no unit, or several, is named with
    its row and nothing is written (exit code 2); an existing decision is never replaced.

    \b
    Examples:
      thidua decisions import qd-3120.xlsx --number 3120/QĐ-UBND --date 28/12/2018 \\
          --body "UBND tỉnh Bắc Ninh" --signer "Nguyễn Văn A" --signer-title "Chủ tịch" --period 2018
      thidua decisions import dan-tu-pdf.txt --award "Cờ thi đua của UBND tỉnh" --number 3120/QĐ-UBND \\
          --date 28/12/2018 --body "UBND tỉnh Bắc Ninh" --signer "Nguyễn Văn A" --period 2018 --dry-run
    """
    from toolkit.forms.decision_list import import_decision
    from toolkit.model.workspace import Workspace

    ws = Workspace.open(data_dir)
    target, decision, rows = import_decision(ws, file, dry_run=dry_run, number=number, date=date, body=body, signer=signer,
                                             period=period, signer_title=signer_title, award=award, sheet=sheet)
    names = dict(zip(ws.registry.units["unit_id"], ws.registry.units["name"]))
    for row, line in zip(rows, decision.lines):
        click.echo(f"  {row.where}: {row.name} -> {names[line.unit_id]} ({line.unit_id}), {line.award}")
    verb = "Kiểm tra xong, không ghi (--dry-run)" if dry_run else "Đã ghi"
    click.echo(f"{verb}: quyết định số {decision.number}, {len(decision.lines)} tập thể -> {target}")


@decisions_cmd.command("list")
@DATA_OPTION
def list_cmd(data_dir: Path) -> None:
    """List the decisions of the data folder: number, date, period, awards decided and collectives granted.

    \b
    Example:
      thidua decisions list --data data
    """
    from toolkit.model.text import fmt_date
    from toolkit.model.workspace import Workspace

    d = Workspace.open(data_dir).decisions()
    if d.decided.empty:
        click.echo("Chưa có quyết định khen thưởng nào trong data/decisions/.")
        return
    counts = d.lines.groupby("number").size()
    for number, g in d.decided.groupby("number", sort=False):
        first = g.iloc[0]
        click.echo(f"{first['period']}  Quyết định số {number} ngày {fmt_date(first['date'])} ({first['body']}): "
                   f"{', '.join(g['award_id'])}; {int(counts.get(number, 0))} tập thể")


@click.command("record")
@click.option("--unit", required=True, help="Mã đơn vị (unit id of units.csv), e.g. so-nn-mt.")
@click.option("--year", type=int, default=None, help="The record as of this year (default: the latest year of membership.csv).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the record to this .xlsx workbook (one sheet per part).")
@DATA_OPTION
def record_cmd(unit: str, year: int | None, out: Path | None, data_dir: Path) -> None:
    """Show a unit's record (hồ sơ thành tích) as the decisions make it: general information, its blocs, and the awards
    granted to it by year with their decisions, those of the units it was renamed or merged from included and marked.

    \b
    Examples:
      thidua record --unit so-nn-mt
      thidua record --unit so-nn-mt --year 2025 --out ho-so-so-nn-mt.xlsx
    """
    from toolkit.model.workspace import Workspace
    from toolkit.reports.award_record import record_tables
    from toolkit.reports.table_writer import write_xlsx

    tables = record_tables(Workspace.open(data_dir), unit, year)
    for title, frame in tables.items():
        click.echo(f"\n{title.upper()}")
        if frame.empty:
            click.echo("  (không có)")
        for row in frame.itertuples(index=False):
            click.echo("  " + " | ".join(str(v) for v in row if str(v) != ""))
    if out is not None:
        write_xlsx(tables, out)
        click.echo(f"\nĐã ghi {out}")
