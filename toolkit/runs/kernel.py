"""The Jupyter kernel reports run in: always this project's own Python.

A machine may have several kernels called ``python3`` (a system one, a conda one, a stale
user one); papermill then runs the notebook in whichever jupyter_client finds first
(papermill #251, #638, #761). We write a kernelspec pointing at ``sys.executable`` into a
folder of our own and put that folder first on JUPYTER_PATH, which jupyter_client searches
before the user and system folders.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

KERNEL_NAME = "thidua"


def ensure_kernel() -> str:
    """Install (idempotently) and select the project kernel; return its name."""
    tag = hashlib.sha256(sys.executable.encode()).hexdigest()[:12]
    base = Path(tempfile.gettempdir()) / f"thidua-jupyter-{tag}"
    spec_dir = base / "kernels" / KERNEL_NAME
    spec = {
        "argv": [sys.executable, "-m", "toolkit.runs.kernel_launcher", "-f", "{connection_file}", "--IPKernelApp.log_level=ERROR"],
        "display_name": "Python (thidua)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    path = spec_dir / "kernel.json"
    text = json.dumps(spec, indent=1)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        spec_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    current = os.environ.get("JUPYTER_PATH", "")
    parts = [p for p in current.split(os.pathsep) if p and p != str(base)]
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(base), *parts])
    return KERNEL_NAME
