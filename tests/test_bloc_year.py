"""The first half of a bloc's year end to end, with no figure typed into a CSV (issue 19).

The sample bloc's 2026 goes: ``covenant draft`` from 2025, ``covenant check`` (refused while the
draft's open points stand, then "hợp lệ"), the signed covenant document, registration forms out
and back, self-assessment forms out and back, the verification workbook out and back, and the
period report. Everything typed is typed into the workbooks, as units and the secretariat would;
every CSV of the year is written by the toolkit.
"""
from __future__ import annotations

import csv
import shutil

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from docx import Document

from bad_workbooks import sample_values
from conftest import DATA
from forms_helpers import fill_workbook
from toolkit.cli.main import main
from toolkit.forms import registration_layout as R
from toolkit.forms import verification_layout as V
from toolkit.model.workspace import Workspace

BLOC = "kinh-te-ky-thuat"
YEAR = "2026"


def run(*args: str) -> str:
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exit_code == 0, r.output
    return r.output


def csv_rows(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
def test_the_year_from_the_covenant_draft_to_the_period_report(tmp_path):
    data, reports = tmp_path / "data", tmp_path / "reports"
    shutil.copytree(DATA, data)
    where = ["--data", data]
    year_folder = data / "periods" / BLOC / YEAR

    # --- the covenant: drafted from 2025, checked, decided, signed
    run("covenant", "draft", "--bloc", BLOC, "--year", YEAR, *where)
    path = data / "covenants" / BLOC / f"{YEAR}.yaml"
    r = CliRunner().invoke(main, ["covenant", "check", "--bloc", BLOC, "--year", YEAR, "--data", str(data)])
    assert r.exit_code == 2 and "chưa quyết định: signed_on" in r.output  # the draft's open points stop the signing
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw.update(signed_on="2026-03-16", signed_at="Sở Nông nghiệp và Môi trường", to_decide=[])  # the bloc decides,
    for award in raw["awards"]:
        award["requires_registration"] = True  # and from 2026 a title needs a registration
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert "hợp lệ" in run("covenant", "check", "--bloc", BLOC, "--year", YEAR, *where)
    run("documents", "--bloc", BLOC, "--period", YEAR, "--kind", "giao-uoc", "--no-pdf", *where, "--reports", reports)
    covenant_doc = Document(reports / "covenants" / BLOC / YEAR / "giao-uoc.docx")
    text = [p.text for p in covenant_doc.paragraphs]
    header = " ".join(c.text for c in covenant_doc.tables[0]._cells)
    assert "GIAO ƯỚC THI ĐUA NĂM 2026" in text and "ngày 16 tháng 3 năm 2026" in header and not any("DỰ THẢO" in x for x in text)
    ws = Workspace.open(data)
    roster = ws.registry.members(BLOC, int(YEAR))
    members, names = list(roster["unit_id"]), dict(zip(roster["unit_id"], roster["name"]))
    assert len(members) == 9  # 2025's nine members carried into 2026 by the draft

    # --- registration: forms out, ticked by the units, read back
    run("template", "--registration", "--bloc", BLOC, "--period", YEAR, "--out", tmp_path / "dang-ky", *where)
    for form in sorted((tmp_path / "dang-ky").glob("*.xlsx")):
        wb = openpyxl.load_workbook(form)
        sheet = wb[R.SHEET_FORM]
        for c in sheet["A"]:
            if isinstance(c.value, str) and c.value.startswith(f"{R.CODE_AWARD}"):
                # every unit registers for the certificate; only the first member also for the flag
                wants = c.value.endswith("bang_khen") or members[0] in form.name
                sheet[f"{R.COLS['value']}{c.row}"] = "Có" if wants else "Không"
        wb.save(form)
    run("ingest", tmp_path / "dang-ky", "--bloc", BLOC, "--period", YEAR, *where)
    registered = {(r["unit_id"], r["item"]): r["value"] for r in csv_rows(year_folder / "registrations.csv") if r["kind"] == "award"}
    assert registered[(members[0], "co_thi_dua")] == "1" and registered[(members[1], "co_thi_dua")] == "0"
    assert all(registered[(u, "bang_khen")] == "1" for u in members)

    # --- self-assessment: forms out, each unit types what it typed for 2025, read back
    run("template", "--bloc", BLOC, "--period", YEAR, "--out", tmp_path / "tu-cham", *where)
    last_year = Workspace.open(DATA)
    for form in sorted((tmp_path / "tu-cham").glob("*.xlsx")):
        unit = next(u for u in members if u in form.name)
        wb = fill_workbook(openpyxl.load_workbook(form), **sample_values(last_year, BLOC, "2025", unit))
        wb.save(form)
    run("ingest", tmp_path / "tu-cham", "--bloc", BLOC, "--period", YEAR, *where)
    scores = csv_rows(year_folder / "scores.csv")
    assert {r["unit_id"] for r in scores} == set(members) and all(r["verified_value"] == "" for r in scores)

    # --- verification: the leader's workbook, every value confirmed, one lowered with its reason
    run("template", "--verification", "--bloc", BLOC, "--period", YEAR, "--out", tmp_path / "tham-dinh", *where)
    [book] = sorted((tmp_path / "tham-dinh").glob("*.xlsx"))
    wb = openpyxl.load_workbook(book)
    sheet = wb[V.SHEET_VERIFY]
    lowered = (members[2], "N1.1")
    for c in sheet["A"]:
        key = V.parse_row_code(c.value) if isinstance(c.value, str) else None
        if key is None:
            continue
        self_value = sheet[f"{V.COLS['self']}{c.row}"].value
        if key == lowered:
            sheet[f"{V.COLS['verified']}{c.row}"] = 5
            sheet[f"{V.COLS['reason']}{c.row}"] = "Thiếu minh chứng"
        else:
            sheet[f"{V.COLS['verified']}{c.row}"] = self_value
    wb.save(book)
    run("ingest", tmp_path / "tham-dinh", "--bloc", BLOC, "--period", YEAR, *where)
    scores = {(r["unit_id"], r["criterion_id"]): r for r in csv_rows(year_folder / "scores.csv")}
    assert all(r["verified_value"] != "" for r in scores.values())  # every value verified
    assert scores[lowered]["verified_value"] == "5" and scores[lowered]["verified_note"] == "Thiếu minh chứng"

    # --- the period report, from what came back
    run("run", "--bloc", BLOC, "--period", YEAR, *where, "--reports", reports)
    results = reports / YEAR / BLOC / "results"
    ranking = csv_rows(results / "xep_hang.csv")
    assert len(ranking) == 9
    titles = {a.id: a.title for a in Workspace.open(data).covenant(BLOC, int(YEAR)).awards}
    nominations = {(r["unit"], r["award"]): r["status"] for r in csv_rows(results / "de_nghi_khen_thuong.csv")}
    assert "chưa đăng ký thi đua" in nominations[(names[members[1]], titles["co_thi_dua"])]
    assert "chưa đăng ký thi đua" not in nominations[(names[members[1]], titles["bang_khen"])]
    self_vs_verified = csv_rows(results / "tu_cham_tham_dinh.csv")
    changed = [r for r in self_vs_verified if r["unit"] == names[lowered[0]]]
    assert changed and "Thiếu minh chứng" in changed[0]["changes"]
    assert not list(year_folder.glob("votes.csv"))  # nothing else written by hand into the year
