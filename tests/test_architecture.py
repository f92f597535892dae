"""The architecture contracts of pyproject.toml ([tool.importlinter]) hold for this checkout.

- layers: cli > explorer > runs > reports | forms > engine | samples > model > config | errors;
- pure-engine: the engine imports no I/O or presentation library and nothing above it;
- no-cycles: no two modules of a package import each other, directly or through others.

Each contract is checked on its own so one broken contract does not hide the others. The
checkout comes first on PYTHONPATH, so the modules checked are this checkout's.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = [c["id"] for c in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]]


def lint_imports(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", code, str(ROOT / "pyproject.toml"), "--no-cache", "--no-logo", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_the_three_contracts_are_declared():
    assert CONTRACTS == ["layers", "pure-engine", "no-cycles"]


@pytest.mark.parametrize("contract", CONTRACTS)
def test_contract_is_kept(contract):
    proc = lint_imports("--contract", contract)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_broken_contract_is_reported(tmp_path):
    """The check is not vacuous: an engine module importing yaml breaks pure-engine."""
    pkg = tmp_path / "toolkit"
    for sub in ("", "engine", "model", "reports", "runs", "forms", "explorer", "cli", "samples", "documents"):
        (pkg / sub).mkdir(parents=True, exist_ok=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "config.py").write_text("")
    (pkg / "errors.py").write_text("")
    (pkg / "engine" / "bad.py").write_text("import yaml\nfrom toolkit.reports import x\n")
    (pkg / "reports" / "x.py").write_text("")
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(config[config.index("[tool.importlinter]"):], encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "pyproject.toml"), "--no-cache", "--no-logo"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode != 0
    assert "toolkit.engine is not allowed to import yaml" in proc.stdout
    assert "toolkit.engine is not allowed to import toolkit.reports" in proc.stdout
