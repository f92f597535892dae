"""The documentation tells the truth about the code: every setting, option, variable, module and marker.

Docs drift silently: a covenant field added without a line in docs/data.md changes results that
nobody can look up; a module renamed leaves docs pointing at a file that is not there. These
tests read the code (pydantic models, the click command tree, the source, the package folders,
pyproject.toml) and the Markdown, and name what is missing or stale and where to fix it.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Union, get_args, get_origin

import click
from pydantic import BaseModel

from toolkit.cli.main import main
from toolkit.model.covenant import Covenant

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
TICKED = re.compile(r"`([^`]+)`")


def _section(text: str, heading: str) -> str:
    """From the line starting with ``heading`` to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    end = next((j for j in range(start + 1, len(lines))
                if lines[j].startswith("#") and len(lines[j]) - len(lines[j].lstrip("#")) <= level), len(lines))
    return "\n".join(lines[start + 1:end])


def _rows(section: str) -> list[tuple[str, str]]:
    """(first cell, the rest) of every table row of a section, header and rule lines left out."""
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) >= 2 and not set(cells[0]) <= set("-: ") and cells[0] not in ("key", "option", "variable", "path"):
            rows.append((cells[0], " | ".join(cells[1:])))
    return rows

# --------------------------------------------------------------------------- the covenant (docs/data.md)


def _model_of(annotation) -> tuple[type[BaseModel] | None, bool]:
    """The pydantic model inside ``annotation`` (``X``, ``X | None``, ``list[X]``) and whether it is a list of them."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is list and args:
        model, _ = _model_of(args[0])
        return model, True
    if origin is Union or type(annotation).__name__ == "UnionType":
        for arg in args:
            model, many = _model_of(arg)
            if model is not None:
                return model, many
    return None, False


def covenant_fields(model: type[BaseModel] = Covenant, path: str = "", within: tuple = ()) -> list[tuple[str, str]]:
    """(parent path, field) for every field of the covenant, recursively: ('', 'bands'), ('bands[]', 'min_total')...

    A model nested in itself (a criterion's ``parts`` are criteria) is walked once: its fields are
    documented where it first appears."""
    out = []
    for name, info in model.model_fields.items():
        out.append((path, name))
        nested, many = _model_of(info.annotation)
        if nested is not None and nested not in within + (model,):
            out += covenant_fields(nested, f"{path}.{name}".lstrip(".") + ("[]" if many else ""), within + (model,))
    return out


def _undocumented(fields: list[tuple[str, str]], table: list[tuple[str, str]]) -> list[str]:
    """Fields the covenant table does not mention: a top-level field must be a row's key (or the start of
    one: `targets` by `targets.staff[]`); a nested one must be named in its parent's row, or in the row
    of the nearest ancestor that has one (an event's `cap` in the `adjustments` row)."""
    rows = {key: rest for cell, rest in table for key in TICKED.findall(cell)}
    missing = []
    for parent, name in fields:
        full = f"{parent}.{name}" if parent else name
        if any(key == full or key.startswith((f"{full}.", f"{full}[]")) for key in rows):
            continue
        if parent:
            owner = max((key for key in rows if parent == key or parent.startswith((f"{key}.", f"{key}[]"))), key=len, default=None)
            if owner is not None and {name, f"{name}[]"} & set(TICKED.findall(rows[owner])):
                continue
        missing.append(full)
    return missing


def _covenant_table() -> list[tuple[str, str]]:
    return _rows(_section((ROOT / "docs" / "data.md").read_text(encoding="utf-8"), "## covenants/"))


def test_every_covenant_field_is_in_data_md():
    fields = covenant_fields()
    assert len(fields) > 60 and ("contents[].criteria[]", "max_excess") in fields  # the walk reaches nested models
    missing = _undocumented(fields, _covenant_table())
    assert missing == [], "document these covenant fields in docs/data.md, section covenants/<bloc>/<year>.yaml"


def test_every_key_of_the_covenant_table_is_a_field():
    known = {f"{parent}.{name}".lstrip(".") for parent, name in covenant_fields()}
    known |= {f"{k}[]" for k in known}
    keys = [key for cell, _ in _covenant_table() for key in TICKED.findall(cell)]
    assert keys and [k for k in keys if k not in known] == []


def test_the_field_check_finds_an_undocumented_field():
    """On a hand-made table: one row for the top level, one for a nested list; a field left out is named."""
    fields = [("", "bloc"), ("", "targets"), ("targets.staff[]", "id"), ("targets.staff[]", "min_share"),
              ("awards[]", "quota"), ("awards[].quota", "count"), ("awards[].quota", "share"), ("", "notes")]
    table = [("`bloc`", "identification"), ("`targets.staff[]`", "`id`, `min_share`"),
             ("`awards[]`", "`quota` (`count`)")]
    assert _undocumented(fields, table) == ["awards[].quota.share", "notes"]

# --------------------------------------------------------------------------- paths and modules named in the docs


_PATH = re.compile(r"toolkit/[\w/]+\.(?:py|yaml|docx)|toolkit/[\w/]+/(?=[`\s)])")
_MODULE = re.compile(r"(?<![\w/.])toolkit(?:\.\w+)+")


def _named(text: str) -> list[str]:
    return _PATH.findall(text) + _MODULE.findall(text)


def _exists(name: str) -> bool:
    """A file or folder of the checkout, or a module (or a module's attribute: `toolkit.model.rounding.round_half_up`)."""
    if "/" in name:
        return (ROOT / name).exists()
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:i])
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
            if i == len(parts):
                return True
            source = (base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py").read_text(encoding="utf-8")
            return i == len(parts) - 1 and re.search(rf"^(?:def|class|async def) {parts[i]}\b|^{parts[i]}\s*[:=]", source, re.M) is not None
    return False


def test_every_toolkit_path_and_module_named_in_the_docs_exists():
    stale = {f"{doc.relative_to(ROOT)}: {name}" for doc in [README, *DOCS] for name in _named(doc.read_text(encoding="utf-8"))
             if not _exists(name)}
    assert sorted(stale) == []


def test_the_path_check_finds_names_that_do_not_exist():
    text = ("See `toolkit/ingest.py`, `toolkit/forms/ingest.py`, `toolkit/documents/templates/` and "
            "`toolkit.model.rounding.round_half_up`; run `python -m toolkit.documents.build_templates` "
            "or `toolkit.data_quality`; `toolkit.model.rounding.no_such_function`.")
    names = _named(text)
    assert sorted(names) == sorted(["toolkit/ingest.py", "toolkit/forms/ingest.py", "toolkit/documents/templates/",
                                    "toolkit.model.rounding.round_half_up", "toolkit.documents.build_templates",
                                    "toolkit.data_quality", "toolkit.model.rounding.no_such_function"])
    assert [n for n in names if not _exists(n)] == ["toolkit/ingest.py", "toolkit.data_quality",
                                                    "toolkit.model.rounding.no_such_function"]

# --------------------------------------------------------------------------- commands, options, variables (docs/cli.md)


def commands(group: click.Command = main, path: str = "thidua") -> dict[str, click.Command]:
    """Every command of the program by its full name ('thidua', 'thidua run'...), through nested groups."""
    out = {path: group}
    for name, sub in getattr(group, "commands", {}).items():
        out.update(commands(sub, f"{path} {name}"))
    return out


def _options(command: click.Command) -> set[str]:
    return {opt for p in command.params if isinstance(p, click.Option) for opt in [*p.opts, *p.secondary_opts]}


def _cli_sections() -> dict[str, str]:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    return {m.group(1): _section(text, m.group(0)) for m in re.finditer(r"^## `(thidua[\w -]*)`$", text, re.M)}


def _documented_options(section: str) -> set[str]:
    return {key for cell, _ in _rows(section) for key in TICKED.findall(cell) if key.startswith("-")}


def test_every_command_and_option_is_in_cli_md():
    sections = _cli_sections()
    everything = commands()
    assert {"thidua", "thidua run", "thidua ingest"} <= set(everything)
    assert sorted(set(everything) - set(sections)) == [], "add a section '## `thidua ...`' to docs/cli.md"
    assert sorted(set(sections) - set(everything)) == [], "docs/cli.md has a section for a command that does not exist"
    missing = {name: sorted(_options(cmd) - _documented_options(sections[name])) for name, cmd in everything.items()}
    assert {k: v for k, v in missing.items() if v} == {}, "add these options to their command's table in docs/cli.md"
    stale = {name: sorted(_documented_options(sections[name]) - _options(cmd)) for name, cmd in everything.items()}
    assert {k: v for k, v in stale.items() if v} == {}, "docs/cli.md lists options these commands do not have"


def test_the_option_check_walks_nested_groups():
    @click.group()
    def top():
        pass

    @top.group("inner")
    @click.option("--depth", type=int)
    def inner(depth):
        pass

    @inner.command("leaf")
    @click.option("--flag/--no-flag")
    def leaf(flag):
        pass

    found = {name: _options(cmd) for name, cmd in commands(top, "x").items()}
    assert found == {"x": set(), "x inner": {"--depth"}, "x inner leaf": {"--flag", "--no-flag"}}
    assert _documented_options("| option | default | what |\n|---|---|---|\n| `--flag`, `--no-flag` | | on or off |\n"
                               "Text naming `--depth` is not a row.") == {"--flag", "--no-flag"}


def _variables_in_source() -> set[str]:
    return {v for p in (ROOT / "toolkit").rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".tpl", ".j2")
            for v in re.findall(r"\bTHIDUA_[A-Z0-9_]+", p.read_text(encoding="utf-8", errors="replace"))}


def test_every_environment_variable_is_in_cli_md():
    found = _variables_in_source()
    assert {"THIDUA_DATA", "THIDUA_TODAY"} <= found
    table = _rows(_section((ROOT / "docs" / "cli.md").read_text(encoding="utf-8"), "## Environment"))
    documented = {key for cell, _ in table for key in TICKED.findall(cell)}
    assert sorted(found - documented) == [], "add these variables to the Environment table of docs/cli.md"
    assert sorted(documented - found) == [], "docs/cli.md documents variables the toolkit no longer reads"

# --------------------------------------------------------------------------- README's layout table


def _layout_rows() -> dict[str, str]:
    readme = README.read_text(encoding="utf-8")
    return dict(_rows(_section(readme, "## Layout")))


def _identifiers(text: str) -> set[str]:
    return {name for name in TICKED.findall(text) if re.fullmatch(r"[a-z_][a-z0-9_]*", name)}


def layout_faults(rows: dict[str, str], root: Path = ROOT) -> list[str]:
    """What the layout table gets wrong: per subpackage, modules it leaves out or names without a file; top-level modules."""
    faults = []
    package = root / "toolkit"
    for init in sorted(package.rglob("__init__.py")):
        folder = init.parent
        if folder == package:
            continue
        key = f"`{folder.relative_to(root).as_posix()}/`"
        row = next((rest for cell, rest in rows.items() if key in cell), None)
        if row is None:
            faults.append(f"add a row {key}")
            continue
        modules = {p.stem for p in folder.glob("*.py") if not p.stem.startswith("__")}
        modules |= {p.parent.name for p in folder.glob("*/__init__.py")}
        named = _identifiers(row)
        faults += [f"row {key}: add `{m}`" for m in sorted(modules - named)]
        faults += [f"row {key}: remove `{m}` (no such module)" for m in sorted(named - modules)]
    paths = " ".join(rows)
    faults += [f"name `toolkit/{p.name}` in the first column" for p in sorted(package.glob("*.py"))
               if not p.stem.startswith("__") and f"{p.name}`" not in paths]
    return faults


def test_readme_layout_table_names_every_module_of_every_subpackage():
    """The README's layout table is the map a newcomer reads: every subpackage and each of its modules.

    When a module is added, renamed or removed this fails with the row to fix (e.g. "row
    `toolkit/runs/`: remove `kernel_fork` (no such module)"): edit that row of README.md.
    """
    assert layout_faults(_layout_rows()) == []


def test_readme_layout_table_names_every_pytest_marker():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    markers = {m.split(":")[0].strip() for m in config["tool"]["pytest"]["ini_options"]["markers"]}
    row = _layout_rows()["`tests/`"]
    assert sorted(markers - _identifiers(row)) == [], "name these markers in the `tests/` row of README.md"
    assert sorted(_identifiers(row) - markers) == [], "the `tests/` row of README.md names markers pyproject.toml lacks"


def test_the_layout_check_finds_missing_and_stale_modules(tmp_path):
    for rel in ("toolkit/__init__.py", "toolkit/config.py", "toolkit/runs/__init__.py", "toolkit/runs/batch.py",
                "toolkit/runs/soak.py", "toolkit/forms/__init__.py", "toolkit/forms/reader.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("", encoding="utf-8")
    rows = {"`toolkit/`": "the package", "`toolkit/runs/`": "`batch`, `kernel_fork` (gone)", "`toolkit/config.py`": "paths"}
    assert layout_faults(rows, tmp_path) == ["add a row `toolkit/forms/`", "row `toolkit/runs/`: add `soak`",
                                             "row `toolkit/runs/`: remove `kernel_fork` (no such module)"]


def test_the_vietnamese_quick_guide_lists_the_steps_of_the_year_in_order():
    """Issue 19: a secretariat reads the guide top to bottom as the year runs, so its commands come in the year's order."""
    readme = README.read_text(encoding="utf-8")
    guide = readme[readme.index("## Hướng dẫn nhanh"):readme.index("## Commands")]
    steps = ["thidua covenant draft", "thidua covenant check", "--kind giao-uoc", "thidua template --registration",
             "thidua template --bloc", "thidua template --verification", "thidua run --bloc kinh-te-ky-thuat",
             "thidua documents --bloc kinh-te-ky-thuat --period 2026`", "thidua run --bloc all", "thidua documents --province",
             "thidua decisions import"]
    where = [guide.find(s) for s in steps]
    assert -1 not in where, [s for s, w in zip(steps, where) if w == -1]
    assert where == sorted(where), [s for s, _ in sorted(zip(steps, where), key=lambda x: x[1])]
