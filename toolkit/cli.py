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
