"""Click options shared by several ``thidua`` commands, so command modules need not import each other."""
from __future__ import annotations

from pathlib import Path

import click

from toolkit import config

DATA_OPTION = click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=config.DATA_DIR,
                           show_default=True, help="Thư mục dữ liệu (data folder).")
