"""results/*.csv are machine tables: documented column ids, machine values, the same rows as results.xlsx."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from toolkit.model.workspace import Workspace
from toolkit.reports import data_quality as DQ
from toolkit.reports import result_tables as P
from toolkit.reports.analysis import analyse
from toolkit.reports.filed_tables import Table, save_tables

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
BLOC = "kinh-te-ky-thuat"


def documented() -> dict[str, set[str]]:
    """docs/results.md: file stem -> documented ids (a stem appears under both reports: ids are merged)."""
    out: dict[str, set[str]] = {}
    stem = None
    for line in DOC.splitlines():
        if m := re.match(r"### `(\w+)\.csv`", line):
            stem = m[1]
            out.setdefault(stem, set())
        elif stem and (m := re.match(r"\| `([^`]+)` \|", line)):
            out[stem].add(m[1])
    return out


@pytest.fixture(scope="module")
def bloc_tables() -> dict[str, Table]:
    return P.all_tables(analyse(Workspace.open(), BLOC, "2018"))  # one unit did not submit


@pytest.fixture(scope="module")
def dq_tables() -> dict[str, Table]:
    return DQ.all_tables(DQ.load(BLOC, "2019"))


@pytest.fixture(scope="module")
def trend_tables() -> dict[str, Table]:
    from toolkit.reports import trends
    from toolkit.reports.bloc_history import load_history

    return trends.all_tables(load_history(BLOC, "2024", "2025"))


def test_every_column_has_a_documented_snake_case_id(bloc_tables, dq_tables, trend_tables):
    docs = documented()
    for table in [*bloc_tables.values(), *dq_tables.values(), *trend_tables.values()]:
        machine = table.for_machines()
        assert list(machine.columns) == [table.columns[c] for c in table.frame.columns]
        for col in machine.columns:
            per_content = table.stem == "bang_diem" and col.startswith("content_")
            assert ("content_<id>" if per_content else col) in docs[table.stem], f"results/{table.stem}.csv: '{col}' is not in docs/results.md"
            assert per_content or SNAKE.fullmatch(col), col
        assert len(set(machine.columns)) == len(machine.columns)
        assert f'(sheet "{table.title}")' in DOC


def test_every_documented_id_exists(bloc_tables, dq_tables, trend_tables):
    ids: dict[str, set[str]] = {}
    for table in [*bloc_tables.values(), *dq_tables.values(), *trend_tables.values()]:
        ids.setdefault(table.stem, set()).update("content_<id>" if table.stem == "bang_diem" and c.startswith("content_") else c
                                                 for c in table.for_machines().columns)
    assert documented() == ids


def test_machine_values(bloc_tables):
    ranking = bloc_tables["xep_hang"].for_machines()
    assert str(ranking["rank"].dtype) == "Int64" and ranking["rank"].isna().sum() == 1  # the unit that did not submit
    assert (ranking["rank"].dropna() >= 1).all()
    nominations = bloc_tables["de_nghi_khen_thuong"].for_machines()
    assert str(nominations["nominated"].dtype) == "boolean" and nominations["nominated"].any()
    scorecard = bloc_tables["bang_diem"]
    assert "content_N1" in scorecard.for_machines().columns and "N1 (20)" in scorecard.frame.columns
    assert "—" not in set(scorecard.for_machines()["verification"].dropna())


def test_unknown_display_value_is_an_error_not_a_guess():
    t = Table("x", "X", pd.DataFrame({"Đề nghị": ["Có", "Có lẽ"]}), {"Đề nghị": "nominated"})
    with pytest.raises(ValueError, match="Có lẽ"):
        t.for_machines()
    with pytest.raises(KeyError, match="no column id"):
        Table("x", "X", pd.DataFrame({"Mới": [1]}), {}).for_machines()


def test_save_tables_writes_ids_to_csv_and_vietnamese_to_xlsx(bloc_tables, tmp_path):
    files = save_tables(bloc_tables, tmp_path)
    assert sorted(p.name for p in files) == sorted([f"{s}.csv" for s in bloc_tables] + ["results.xlsx"])
    csv = pd.read_csv(tmp_path / "results" / "xep_hang.csv", keep_default_na=False, na_values=[""])
    assert list(csv.columns) == ["rank", "unit", "total", "band", "decided_by", "tied_with"]
    display = bloc_tables["xep_hang"].frame
    assert csv["unit"].tolist() == display["Đơn vị"].tolist()
    assert csv["total"].tolist() == pytest.approx(display["Tổng điểm"].astype(float).tolist(), nan_ok=True)
    wb = load_workbook(tmp_path / "results.xlsx", read_only=True)
    assert next(wb["Xếp hạng"].iter_rows(values_only=True))[:3] == ("Hạng", "Đơn vị", "Tổng điểm")
    assert save_tables(bloc_tables, "") == []
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
