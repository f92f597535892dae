"""environment.yml (conda users) must list the same dependencies as pyproject.toml (pip users)."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
_NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _split(spec: str) -> tuple[str, str]:
    m = _NAME.match(spec)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    specs = list(project["dependencies"]) + [s for group in project.get("optional-dependencies", {}).values() for s in group]
    return dict(_split(s.split(";")[0]) for s in specs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    pip = [d for dep in env["dependencies"] if isinstance(dep, dict) for d in dep.get("pip", [])]
    for dep in [d for d in env["dependencies"] if isinstance(d, str)] + pip:
        if dep.startswith("-e"):
            continue
        name, ver = _split(dep)
        if name not in ("python", "pip"):
            out[name] = ver
    return out


def test_same_packages_and_versions():
    py, conda = _pyproject(), _environment()
    assert sorted(set(py) - set(conda)) == [], "in pyproject.toml but not environment.yml"
    assert sorted(set(conda) - set(py)) == [], "in environment.yml but not pyproject.toml"
    differing = {k: (py[k], conda[k]) for k in py if py[k] != conda[k]}
    assert differing == {}


def test_split_detects_a_version_difference():
    assert _split("pandas>=2.2") != _split("pandas>=2.1")


def _listed_packages() -> set[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(data["tool"]["setuptools"]["packages"])


def test_every_code_folder_is_a_listed_package():
    """A folder of modules without __init__.py becomes a namespace package: in a checkout it then
    merges with any other ``toolkit`` on sys.path (an editable install elsewhere) and silently
    imports that copy's modules; a wheel would leave it out."""
    folders = {p.parent for p in (ROOT / "toolkit").rglob("*.py") if "__pycache__" not in p.parts}
    missing_init = sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists())
    assert missing_init == []
    names = {".".join(f.relative_to(ROOT).parts) for f in folders}
    assert sorted(names - _listed_packages()) == [], "add them to [tool.setuptools] packages in pyproject.toml"


@pytest.mark.requires_git
def test_no_source_file_is_ignored_by_git():
    """`.gitignore` once had `reports/`, which also matched the package toolkit/reports/: new modules there were never committed."""
    import subprocess

    proc = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--others", "--ignored", "--exclude-standard", "toolkit", "notebooks",
                           "tests", "docs"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr  # the tests run from a git checkout
    ignored = [f for f in proc.stdout.splitlines() if "__pycache__" not in f and not f.endswith(".pyc")
               and ".ipynb_checkpoints" not in f and ".hypothesis" not in f and ".pytest_cache" not in f]
    assert ignored == []


@pytest.mark.slow
def test_every_dependency_installs_from_a_wheel():
    """Nothing compiles on install: a secretariat's Windows laptop or a Debian without ICU's headers and a
    C++ compiler must be able to install the toolkit (pyicu shipped no wheels and was built from source).
    pip resolves every dependency, test tools included, refusing source distributions."""
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--only-binary=:all:", "--ignore-installed",
                           "--quiet", f"{ROOT}[dev]"], capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("ERROR")]
    assert proc.returncode == 0, "\n".join(errors) or proc.stderr[-2000:]
