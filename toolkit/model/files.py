"""The one way files are written: completely or not at all.

Every file the toolkit writes (result tables, workbooks, kernelspecs, scenario covenants, ingested
period tables) is first written to a hidden temporary sibling, flushed to disk, then moved into
place with one ``os.replace``. A reader therefore sees the old file or the new one, never half a
file, and a crash leaves at most a ``.<name>.<pid>.tmp`` file behind. With ``overwrite=False`` the
move is a hard link instead, which fails when the name was taken meanwhile: an existing file is
never replaced.
"""
from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path


def _temp_for(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(tmp: Path, path: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, path)
    else:
        try:
            os.link(tmp, path)  # FileExistsError when the name exists: never replace
        finally:
            tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def replacing(path: Path | str, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write ``path``'s new content to; it replaces ``path`` on success.

    For writers that want a file name (``zipfile``, ``openpyxl``); on an exception the temporary
    file is removed and ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_for(path)
    try:
        yield tmp
        _fsync(tmp)
        _publish(tmp, path, overwrite)
    finally:
        tmp.unlink(missing_ok=True)


def write_file(path: Path | str, content: bytes | str, overwrite: bool = True, encoding: str = "utf-8") -> Path:
    """Write ``content`` (text is encoded with ``encoding``) to ``path`` atomically; return ``path``."""
    return write_files({Path(path): content}, overwrite=overwrite, encoding=encoding)[0]


def write_files(files: Mapping[Path, bytes | str], overwrite: bool = True, encoding: str = "utf-8") -> list[Path]:
    """Write several files: all are written to temporary siblings first, then moved into place.

    If writing any of them fails, none is moved and the old files stay as they were.
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for path, content in files.items():
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = _temp_for(path)
            temps.append((tmp, path))
            data = content.encode(encoding) if isinstance(content, str) else content
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, path in temps:
            _publish(tmp, path, overwrite)
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
    return [path for _, path in temps]


def replace_folder(tmp: Path, final: Path, keep: Callable[[Path], bool] = lambda child: False) -> None:
    """Put the complete folder ``tmp`` in place of ``final`` by renames: a reader sees the old folder or the new one.

    Subfolders of the old folder for which ``keep`` is true (and that ``tmp`` lacks) move into the
    new one: a period report keeps the documents and other notebooks' reports filed beside it.
    """
    if final.exists():
        for child in final.iterdir():
            if child.is_dir() and keep(child) and not (tmp / child.name).exists():
                child.rename(tmp / child.name)
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(final)
