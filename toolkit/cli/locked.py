"""The reports folder as commands hold it: whatever writes into it (reports, documents) holds its lock.

Holding it also finishes what a killed run left (recovery is the normal start), and a command
that finds it held says who holds it and exits with code 4, the same for every command.
"""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import click

LOCKED = 4  # exit code: another process holds the reports folder


@contextlib.contextmanager
def locked_reports(reports_dir: Path) -> Iterator[None]:
    from toolkit.runs import batch

    command = " ".join(["thidua", *sys.argv[1:]])
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(batch.reports_lock(reports_dir, command))
        except batch.LockedError as exc:
            click.echo(f"Lỗi: {exc}", err=True)
            sys.exit(LOCKED)
        for line in batch.recover(reports_dir):
            click.echo(f"Dọn dẹp lần chạy bị dừng trước: {line}", err=True)
        yield
