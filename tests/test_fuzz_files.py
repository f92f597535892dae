"""Every data file the toolkit reads, corrupted the ways real files are, through the real CLI.

For each kind of file (registry CSVs, the vocabulary, the covenant, every period table and
source.yaml) and each corruption (cut off mid-row, saved in a legacy code page, binary garbage,
an empty file, an absurd number, a separator nobody expects), ``thidua run`` must exit 2, name
the file, print no traceback, and leave the data folder and the reports folder as they were.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit import config
from toolkit.cli.main import main

BLOC, PERIOD = "kinh-te-ky-thuat", "2018"
FILES = [
    "units.csv", "blocs.csv", "membership.csv", "lineage.csv", "vocabularies.yaml",
    f"covenants/{BLOC}/{PERIOD}.yaml",
    *(f"periods/{BLOC}/{PERIOD}/{name}" for name in
      ("scores.csv", "events.csv", "staff_ratings.csv", "org_ratings.csv", "votes.csv", "source.yaml")),
]


def _truncate(data: bytes) -> bytes:
    """Cut the file inside its last line's first field, as a failed copy or a full disk does (text only: no
    trailing garbage, so the reader's encoding checks do not catch it for the wrong reason)."""
    lines = data.rstrip(b"\n").split(b"\n")
    last = lines[-1]
    cut = max(1, min(len(last) - 1, last.find(b",") // 2 if b"," in last else len(last) // 2))
    return b"\n".join(lines[:-1] + [last[:cut]]) + b"\n"


def _legacy(data: bytes) -> bytes:
    """Windows-1258 keeps tone marks as combining characters: the bytes are not UTF-8."""
    import unicodedata

    return unicodedata.normalize("NFD", data.decode("utf-8-sig")).encode("cp1258", errors="replace")


def _garbage(data: bytes) -> bytes:
    return bytes((i * 37 + 11) % 256 for i in range(len(data) or 64))


def _huge(data: bytes) -> bytes:
    """Every number in the file replaced by 1e308 (YAML) or 1e400 (CSV: beyond any float)."""
    import re

    return re.sub(rb"(?<![\w.-])\d+(\.\d+)?(?![\w-])", b"1e400", data)


CORRUPTIONS = {"truncated": _truncate, "cp1258": _legacy, "garbage": _garbage, "empty": lambda d: b"", "huge": _huge}


def _tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.name.startswith(".thidua.lock"):  # the batch lock is not a report
            h.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("fuzz-data")
    shutil.copytree(config.DATA_DIR, base / "data")
    return base / "data"


# Cases that cannot show anything, left out when the tests are collected (a skip would count them):
# source.yaml is free metadata, with no number the analysis uses, and a cut description is still valid.
FREE_METADATA = {(f"periods/{BLOC}/{PERIOD}/source.yaml", "huge"), (f"periods/{BLOC}/{PERIOD}/source.yaml", "truncated")}


def _no_op_cases() -> set[tuple[str, str]]:
    """(file, corruption) pairs whose corruption leaves the sample file as it is (nothing to corrupt)."""
    out = set()
    for name in FILES:
        original = (config.DATA_DIR / name).read_bytes()
        out |= {(name, corruption) for corruption, corrupt in CORRUPTIONS.items() if corrupt(original) == original}
    return out


CASES = [(name, corruption) for name in FILES for corruption in sorted(CORRUPTIONS)
         if (name, corruption) not in FREE_METADATA | _no_op_cases()]


def test_only_the_corruptions_that_change_nothing_are_left_out():
    """The filter above must not quietly drop a case: these are the sample files without a number
    (huge) or without a character outside ASCII (cp1258), worked out by reading them."""
    assert _no_op_cases() == {
        ("units.csv", "huge"), ("blocs.csv", "huge"), (f"periods/{BLOC}/{PERIOD}/org_ratings.csv", "huge"),
        ("membership.csv", "cp1258"), ("lineage.csv", "cp1258"), (f"periods/{BLOC}/{PERIOD}/scores.csv", "cp1258"),
        (f"periods/{BLOC}/{PERIOD}/votes.csv", "cp1258"),
    }
    assert len(CASES) == len(FILES) * len(CORRUPTIONS) - 7 - 2


@pytest.mark.parametrize("name, corruption", CASES)
def test_corrupted_file_exits_2_naming_it(pristine, tmp_path, name, corruption):
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    target = data / name
    target.write_bytes(CORRUPTIONS[corruption](target.read_bytes()))
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "keep.txt").write_text("an earlier report", encoding="utf-8")
    before_data, before_reports = _tree_hash(data), _tree_hash(reports)

    result = CliRunner().invoke(main, ["run", "--bloc", BLOC, "--period", PERIOD, "--data", str(data),
                                       "--reports", str(reports), "--jobs", "1"])
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 2, f"{name} {corruption}: exit {result.exit_code}\n{out}"
    assert "Traceback" not in out, out  # exit 2 is the CLI's sys.exit(2); a traceback it printed is still a fault
    assert Path(name).name in out, f"the message does not name {name}:\n{out}"
    assert _tree_hash(data) == before_data, "an input file was changed"
    assert _tree_hash(reports) == before_reports, "the reports folder was changed"


@pytest.mark.slow
def test_every_command_exits_2_on_a_legacy_encoded_covenant(pristine, tmp_path):
    """run, template, ingest and verify read the covenant through the same door: one message, exit 2."""
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    reports = tmp_path / "reports"
    made = CliRunner().invoke(main, ["run", "--bloc", BLOC, "--period", "2018-H1", "--data", str(data), "--reports", str(reports)])
    assert made.exit_code == 0, made.output
    covenant = data / "covenants" / BLOC / "2018.yaml"
    covenant.write_bytes(_legacy(covenant.read_bytes()))
    (tmp_path / "returned").mkdir()
    commands = {
        "run": ["run", "--bloc", BLOC, "--period", PERIOD, "--data", str(data), "--reports", str(reports)],
        "template": ["template", "--bloc", BLOC, "--period", PERIOD, "--data", str(data), "--out", str(tmp_path / "forms")],
        "ingest": ["ingest", str(tmp_path / "returned"), "--bloc", BLOC, "--period", PERIOD, "--data", str(data)],
        "verify": ["verify", str(reports / "2018-H1" / BLOC), "--data", str(data)],
    }
    for name, args in commands.items():
        result = CliRunner().invoke(main, args)
        out = result.output
        assert result.exit_code == 2, f"{name}: exit {result.exit_code}\n{out}"
        assert "Traceback" not in out and "2018.yaml" in out and "UTF-8" in out, f"{name}:\n{out}"


# --------------------------------------------------------------------------- what Excel really saves


def _resave(path: Path, separator: str, decimal: str, encoding: str) -> None:
    """The file as Excel saves it under other regional settings or as "Unicode text"."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell.replace(".", decimal) if decimal != "." and cell.replace(".", "", 1).isdigit() else cell for cell in row])
    path.write_bytes(out.getvalue().encode(encoding))


@pytest.mark.parametrize("separator, decimal, encoding", [
    (";", ",", "utf-8-sig"),   # Excel, Vietnamese regional settings, "CSV UTF-8"
    (";", ".", "utf-8"),       # ';' with decimal points (504 errors for one cause before)
    ("\t", ",", "utf-16"),     # Excel "Unicode text"
])
def test_excel_regional_dialects_and_unicode_text_give_the_same_results(pristine, tmp_path, separator, decimal, encoding):
    from toolkit.model.workspace import Workspace
    from toolkit.reports.analysis import analyse

    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    want = analyse(Workspace.open(data), BLOC, PERIOD, compare=False)
    for name in ("scores.csv", "staff_ratings.csv", "votes.csv"):
        _resave(data / "periods" / BLOC / PERIOD / name, separator, decimal, encoding)
    got = analyse(Workspace.open(data), BLOC, PERIOD, compare=False)
    assert got.units[["unit_id", "total", "rank"]].equals(want.units[["unit_id", "total", "rank"]])
    assert got.nominations[["unit_id", "award_id"]].equals(want.nominations[["unit_id", "award_id"]])


def test_a_file_without_the_expected_columns_is_one_problem_not_one_per_row(pristine, tmp_path):
    from toolkit.errors import DataError
    from toolkit.model.workspace import Workspace
    from toolkit.reports.analysis import analyse

    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    scores = data / "periods" / BLOC / PERIOD / "scores.csv"
    text = scores.read_text(encoding="utf-8").replace("self_value", "tu_cham")  # a renamed header column
    scores.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as exc:
        analyse(Workspace.open(data), BLOC, PERIOD, compare=False)
    errors = [p for p in exc.value.problems if p.severity == "error"]
    assert len(errors) == 1 and errors[0].where == "dòng tiêu đề" and "self_value" in errors[0].message
