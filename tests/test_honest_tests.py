"""Tests skip in one place only, and a test body cannot leave early.

A ``pytest.skip`` inside a test, an ``importorskip``, a ``skipif`` mark or a bare ``return``
when something is missing all turn a test that cannot run into one that looks passed or
harmlessly skipped, wherever the author happened to write it. The one way to skip is a marker
declared in pyproject.toml and checked in tests/conftest.py (``requires_libreoffice``,
``requires_chromium``...), which names the Debian package to install. These checks read the
test files' syntax trees, so the rule cannot drift.
"""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# where a skip is the point (the markers' one hook)
SKIPPING_ALLOWED = {"conftest.py"}
# file -> why it may still skip; remove the entry when the file goes (the test says so)
TEMPORARY: dict[str, str] = {}  # file -> why it may keep a skipif for now (none left)
SKIPS = {"skip", "skipif", "importorskip", "xfail"}  # pytest.<name>(...) and pytest.mark.<name>


def _test_files() -> list[Path]:
    return sorted(TESTS.glob("*.py"))


def _skips(tree: ast.AST) -> list[tuple[int, str]]:
    """Every use of pytest's skip machinery: ``pytest.skip``, ``pytest.mark.skipif``, ``from pytest import skip``..."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in SKIPS:
            base = node.value
            if isinstance(base, ast.Name) and base.id == "pytest":
                found.append((node.lineno, f"pytest.{node.attr}"))
            elif isinstance(base, ast.Attribute) and base.attr == "mark" and isinstance(base.value, ast.Name) \
                    and base.value.id == "pytest":
                found.append((node.lineno, f"pytest.mark.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module in ("pytest", "_pytest.outcomes"):
            found += [(node.lineno, f"from {node.module} import {a.name}") for a in node.names if a.name in SKIPS]
    return found


def _own_statements(function: ast.AST):
    """The nodes of a function's own body, not of the functions, lambdas or classes defined in it."""
    todo = list(ast.iter_child_nodes(function))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        yield node
        todo.extend(ast.iter_child_nodes(node))


def _early_returns(tree: ast.AST) -> list[tuple[int, str]]:
    """``return`` statements in the body of a ``test_*`` function (a helper nested in it may return)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            found += [(r.lineno, f"return in {node.name}") for r in _own_statements(node) if isinstance(r, ast.Return)]
    return found


def _faults(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    return sorted(_skips(tree) + _early_returns(tree))


def test_no_test_skips_itself_or_returns_early():
    faults = {}
    for path in _test_files():
        if path.name in SKIPPING_ALLOWED:
            continue
        found = _faults(path.read_text(encoding="utf-8"))
        if path.name in TEMPORARY:
            found = [f for f in found if not f[1].startswith("pytest.mark.skipif")]
        if found:
            faults[path.name] = found
    assert faults == {}, ("skip only through a conftest marker (tests/conftest.py REQUIREMENTS, declared in "
                          "pyproject.toml); assert instead of returning early")


def test_temporary_exceptions_are_still_needed():
    gone = sorted(name for name in TEMPORARY if not (TESTS / name).exists())
    assert gone == [], "these files are gone: remove them from TEMPORARY in tests/test_honest_tests.py"


SKIP = "pytest." + "skip"  # spelled apart so that no grep for skips in test bodies finds this sample


def test_the_checks_find_each_kind_of_fault():
    """Each rule, on a small source with the fault and without it (hand-written, line numbers counted)."""
    source = f'''
import pytest
from pytest import importorskip

@pytest.mark.skipif(True, reason="x")
def test_a():
    {SKIP}("missing")

def test_b():
    if True:
        return
    def helper():
        return 1
    check = lambda: helper()
    assert check() == 1

def helper_not_a_test():
    pytest.importorskip("numpy")
    return 2

class TestC:
    def test_d(self):
        for _ in range(1):
            return None
    xfail = pytest.mark.xfail
'''
    assert _faults(source) == [
        (3, "from pytest import importorskip"),
        (5, "pytest.mark.skipif"),
        (7, "pytest.skip"),
        (11, "return in test_b"),
        (18, "pytest.importorskip"),
        (24, "return in test_d"),
        (25, "pytest.mark.xfail"),
    ]
    clean = '''
import pytest

@pytest.mark.requires_git
def test_a():
    def helper():
        return 1
    assert helper() == 1
'''
    assert _faults(clean) == []
