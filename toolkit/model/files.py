"""The one way files and report folders are written: completely or not at all.

Every file the toolkit writes (result tables, workbooks, kernelspecs, scenario covenants, ingested
period tables) is first written to a hidden temporary sibling, flushed to disk, then moved into
place with one ``os.replace``. A reader therefore sees the old file or the new one, never half a
file, and a crash leaves at most a ``.<name>.<pid>.tmp`` file behind. With ``overwrite=False`` the
move is a hard link instead, which fails when the name was taken meanwhile: an existing file is
never replaced.

A folder (a report, the drafted documents) is written whole into ``temp_folder(final)`` and
swapped into place by :func:`replace_folder`. Its steps are chosen so that a process killed at
any instant loses nothing: the swap itself is one atomic exchange, the subfolders kept from the
old folder move one rename at a time afterwards, and :func:`recover_folder` (run by the next
writer of that folder, and by ``thidua run`` over the whole reports folder) finishes whatever a
dead writer left. A temporary folder's name carries its writer's pid and start time, so a
recovery never touches what a live process is still writing, even one that got a dead
writer's pid. The folder part lives here rather than in a module of its own because its
recovery must agree, rename by rename, with the swap it finishes.
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import glob
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
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


# --------------------------------------------------------------------------- report folders

_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)(?:-(?P<start>\d+))?$")
_MARKER = ".thidua-swap-"  # + writer tag: in the new folder from before its swap until the old folder is gone
_TAG = re.compile(r"\d+(?:-\d+)?")


def _proc_start(pid: int) -> str | None:
    """Linux: field 22 of /proc/<pid>/stat (clock ticks from boot to the process's start); None when no live process has it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2:].split()  # the command name in parentheses may hold spaces
    if fields[0] == b"Z":  # killed but not yet reaped by its parent: it writes nothing any more
        return None
    return fields[19].decode()  # fields[0] is field 3


def _psutil_start(pid: int) -> str | None:
    """Other systems: psutil's create_time in milliseconds; "" when the process exists but hides its start."""
    import psutil

    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return str(round(proc.create_time() * 1000))
    except psutil.NoSuchProcess:
        return None
    except psutil.AccessDenied:
        return ""


_start_time = _proc_start if sys.platform.startswith("linux") else _psutil_start


@functools.cache
def _tag(pid: int) -> str:
    return f"{pid}-{_start_time(pid)}"


def temp_folder(final: Path, kind: str = "tmp") -> Path:
    """This process's working folder beside ``final``: ``.<name>.<kind>-<pid>-<start>``.

    The pid and start time name the writer, so that :func:`recover_folder` can tell a folder a
    dead process left from one a live process (maybe given the same pid later) is writing.
    """
    return final.with_name(f".{final.name}.{kind}-{_tag(os.getpid())}")


@contextlib.contextmanager
def folder_in_place(final: Path):
    """Build a whole folder privately, then put it in place of ``final``: yields the working folder.

    The block writes into the working folder (:func:`temp_folder`); when it ends normally the
    folder replaces ``final`` at once (:func:`replace_folder`), and when it raises nothing of it
    is left, so a reader never sees half a set of documents.
    """
    tmp = temp_folder(final)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    replace_folder(tmp, final)


def writer_dead(pid: int, start: str | None) -> bool:
    """True when the process that started at ``start`` with ``pid`` has ended.

    A live process with that pid but another start time got the pid after the writer ended.
    Names without a start time (made by earlier versions of thidua) only say the pid.
    """
    now = _start_time(pid)
    return now is None or bool(start and now and now != start)


@dataclass(frozen=True)
class Leftover:
    """A temporary folder of a report swap: ``kind`` "tmp" (the new folder, or after the exchange the old one) or "old"."""

    path: Path
    final: Path
    kind: str
    pid: int
    start: str | None

    @property
    def tag(self) -> str:
        return f"{self.pid}-{self.start}" if self.start else str(self.pid)


def leftover(path: Path) -> Leftover | None:
    m = _LEFTOVER.match(path.name)
    if not m:
        return None
    return Leftover(path, path.with_name(m["name"]), m["kind"], int(m["pid"]), m["start"])


def _writer_of(tag: str) -> tuple[int, str | None]:
    pid, _, start = tag.partition("-")
    return int(pid), start or None


@functools.cache
def _renameat2():
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except AttributeError:  # a C library older than glibc 2.28
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2); False when this system or file system cannot."""
    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # e.g. an older kernel, or NFS
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def replace_folder(tmp: Path, final: Path, keep: Callable[[Path], bool] = lambda child: False) -> None:
    """Put the complete folder ``tmp`` (named by :func:`temp_folder`) in place of ``final``; a reader sees the old folder or the new one.

    Subfolders of the old folder for which ``keep`` is true (and that ``tmp`` lacks) move into the
    new one: a period report keeps the other notebooks' reports filed beside it. They move after
    the swap, so at every instant they are in a folder that recovery knows how to finish: the
    list of them is written into the new folder first (the marker), the two folders are
    exchanged, each kept subfolder moves across, the old folder is removed, then the marker.
    Without an atomic exchange the old folder is first renamed aside, then the new one into place.
    """
    if tmp != temp_folder(final):
        raise ValueError(f"{tmp} is not this process's temporary folder for {final}")
    recover_folder(final)  # a dead writer's unfinished swap first, or its kept subfolders would go with this one's old folder
    if not final.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        os.rename(tmp, final)
        return
    tag = _tag(os.getpid())
    kept = sorted(c.name for c in final.iterdir() if c.is_dir() and keep(c) and not (tmp / c.name).exists())
    # a plain write: the marker counts only once the folder holding it is swapped in, after this write is complete
    (tmp / f"{_MARKER}{tag}").write_text(json.dumps(kept) + "\n", encoding="utf-8")
    if _exchange(tmp, final):
        old = tmp
    else:
        old = temp_folder(final, "old")
        os.rename(final, old)  # a kill now leaves no `final`: recovery renames `old` back
        os.rename(tmp, final)
    _finish(final, old, tag)


def _finish(final: Path, old: Path | None, tag: str) -> list[str]:
    """The new folder is in place: move the kept subfolders across from ``old``, remove ``old``, then the marker."""
    marker = final / f"{_MARKER}{tag}"
    done = []
    if old is not None:
        for name in json.loads(marker.read_text(encoding="utf-8")):
            if (old / name).is_dir() and not (final / name).exists():
                os.rename(old / name, final / name)
                done.append(f"chuyển {old / name} về {final / name}")
        shutil.rmtree(old, ignore_errors=True)  # what a killed run's kernel still writes meanwhile goes next time
        done.append(f"xóa {old}")
    marker.unlink()
    return done


def recover_folder(final: Path, pid: int | None = None, partial: Callable[[Path], None] | None = None) -> list[str]:
    """Finish every swap of ``final`` whose writer is dead (only ``pid``'s when given); say what was done.

    A new folder that was never swapped in is half written: removed, or handed to ``partial``
    (which moves it aside). An old folder renamed aside while ``final`` is missing goes back. When
    the new folder is in place (it holds its writer's marker), the kept subfolders still in the
    old folder move across and the old folder is removed. A live writer's folders are left alone.
    """
    writers: dict[str, dict[str, Path]] = {}
    for path in final.parent.glob(f".{glob.escape(final.name)}.*-*"):
        left = leftover(path)
        if left and left.final == final and path.is_dir():
            writers.setdefault(left.tag, {})[left.kind] = path
    for marker in final.glob(f"{glob.escape(_MARKER)}*"):
        if _TAG.fullmatch(marker.name[len(_MARKER):]):
            writers.setdefault(marker.name[len(_MARKER):], {})
    done = []
    for tag, folders in sorted(writers.items()):
        writer = _writer_of(tag)
        if (pid is not None and writer[0] != pid) or not writer_dead(*writer):
            continue
        new, old = folders.get("tmp"), folders.get("old")
        if old and not final.exists():  # killed between the two renames without an exchange
            os.rename(old, final)
            done.append(f"khôi phục {final}")
            old = None
        if (final / f"{_MARKER}{tag}").is_file():  # swapped: `new` or `old` holds the previous folder
            done += _finish(final, old or new, tag)
            continue
        if old:
            shutil.rmtree(old, ignore_errors=True)
            done.append(f"xóa {old}")
        if new and partial:
            partial(new)
        elif new:
            shutil.rmtree(new, ignore_errors=True)
            done.append(f"xóa {new}")
    return done


def recover_tree(root: Path) -> list[str]:
    """:func:`recover_folder` for every folder under ``root`` that a writer was swapping, deepest first."""
    finals = set()
    for path in root.rglob(".*"):
        left = leftover(path)
        if left and path.is_dir():
            finals.add(left.final)
        elif path.name.startswith(_MARKER) and path.is_file():
            finals.add(path.parent)
    done = []
    for final in sorted(finals, key=lambda f: (-len(f.parts), str(f))):
        if final.parent.is_dir():
            done += recover_folder(final)
    return done
