"""What produced a report: parameters, input hashes, code version, package versions, timing."""
from __future__ import annotations

import functools
import hashlib
import importlib.metadata as md
import platform
import subprocess
from pathlib import Path

from toolkit import config

PACKAGES = ("thidua", "pandas", "numpy", "papermill", "nbconvert", "nbclient", "ipykernel", "openpyxl", "matplotlib",
            "pydantic", "pyicu-wheels")


def sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def hashes(files: list[Path], root: Path) -> dict[str, str]:
    """Relative path -> sha256, sorted, so manifests diff cleanly."""
    out = {}
    for f in sorted(files):
        try:
            key = str(f.resolve().relative_to(root.resolve()))
        except ValueError:
            key = str(f)
        out[key] = sha256(f)
    return out


def git_commit() -> dict[str, object]:
    try:
        head = subprocess.run(["git", "-C", str(config.ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "-C", str(config.ROOT), "status", "--porcelain", "--", "toolkit", "notebooks"],
                               capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    if head.returncode != 0:
        return {"commit": None, "dirty": None}
    return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip())}


def versions() -> dict[str, str | None]:
    """Python's and the report packages' versions (a copy: the caller may change it)."""
    return dict(_versions())


@functools.cache
def _versions() -> dict[str, str | None]:
    """Read once per process: each version is a METADATA file to parse, twice for every report."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = None
    return out


def code_hash() -> str:
    """One hash over the toolkit's and notebooks' sources: a changed rule means a changed hash."""
    h = hashlib.sha256()
    for f in sorted([*(config.ROOT / "toolkit").rglob("*.py"), *(config.ROOT / "toolkit").rglob("*.j2"),
                     *config.NOTEBOOKS_DIR.glob("*.ipynb")]):
        h.update(f"{f.parent.name}/{f.name}".encode())
        h.update(f.read_bytes())
    return h.hexdigest()
