"""The ``thidua`` command line. Data errors are printed as messages, never as tracebacks."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import config
from .errors import DataError, ThiduaError

DATA_OPTION = click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=config.DATA_DIR,
                           show_default=True, help="Thư mục dữ liệu (data folder).")


class _Group(click.Group):
    """Turns the toolkit's own errors into a clean message and exit code 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except DataError as exc:
            click.echo(str(exc), err=True)
            sys.exit(2)
        except ThiduaError as exc:
            click.echo(f"Lỗi: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thidua")
def main() -> None:
    """thidua: period analyses of emulation blocs (khối thi đua).

    \b
    Examples:
      thidua list
      thidua run --bloc kinh-te-ky-thuat --period 2018
      thidua sample --out data
    """


@main.command("list")
@DATA_OPTION
def list_cmd(data_dir: Path) -> None:
    """List the blocs and the periods that have data.

    \b
    Example:
      thidua list --data data
    """
    from .engine import Workspace

    ws = Workspace.open(data_dir)
    for bloc in ws.blocs():
        periods = ws.periods(bloc)
        click.echo(f"{bloc}  ({ws.registry.bloc_name(bloc)})")
        click.echo(f"    {', '.join(periods) if periods else 'không có dữ liệu'}")


@main.command("run")
@click.option("--bloc", required=True, help="Mã khối thi đua (see `thidua list`).")
@click.option("--period", required=True, help="Kỳ: 2018 (năm), 2018-H1 (6 tháng), 2018-Q1 (quý).")
@click.option("--notebook", default="bloc_report", show_default=True, help="Report notebook in notebooks/ (without .ipynb).")
@DATA_OPTION
@click.option("--reports", "reports_dir", type=click.Path(file_okay=False, path_type=Path), default=config.REPORTS_DIR,
              show_default=True, help="Where reports are written: <reports>/<period>/<bloc>/.")
@click.option("--timeout", type=int, default=600, show_default=True, help="Seconds allowed for one notebook cell.")
def run_cmd(bloc: str, period: str, notebook: str, data_dir: Path, reports_dir: Path, timeout: int) -> None:
    """Run a report notebook for one bloc and period.

    Writes report.ipynb, report.html, results.xlsx, results/*.csv and manifest.json into
    <reports>/<period>/<bloc>/. Bad parameters stop before anything is written; a failing
    cell leaves the partial notebook in <bloc>.failed/ and the previous report untouched.

    \b
    Examples:
      thidua run --bloc kinh-te-ky-thuat --period 2018
      thidua run --bloc van-hoa-xa-hoi --period 2019-H1 --reports /srv/baocao
    """
    from .errors import ReportError
    from .runner import run_report

    try:
        result = run_report(bloc, period, notebook, data_dir, reports_dir, timeout)
    except ReportError as exc:
        click.echo(f"Lỗi khi chạy báo cáo: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Báo cáo: {result.folder / 'report.html'}")
    click.echo(f"Bảng kết quả: {result.folder / 'results.xlsx'}  ({result.seconds:.1f} giây)")


@main.command("sample")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=config.DATA_DIR, show_default=True,
              help="Where to write the sample data folder.")
@click.option("--seed", type=int, default=None, help="Random seed (default: the fixed sample seed).")
def sample_cmd(out: Path, seed: int | None) -> None:
    """Write the synthetic sample data (three Bắc Ninh blocs, 2018-2025).

    The same seed always gives byte-identical files.

    \b
    Example:
      thidua sample --out /tmp/data
    """
    from .sample import SEED, generate

    files = generate(out, SEED if seed is None else seed)
    click.echo(f"Đã ghi {len(files)} tệp dữ liệu mẫu vào {out}")


if __name__ == "__main__":  # pragma: no cover
    main()

from .cli_submissions import ingest_cmd, template_cmd  # noqa: E402

main.add_command(template_cmd)
main.add_command(ingest_cmd)
