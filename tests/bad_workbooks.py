"""Returned workbooks built by code: the sample data typed into templates, and a corpus of faults.

Every fault is a function named for what is wrong. It writes one workbook (or file) into a
folder and returns what ingest must say about it: the cell (``where``) and words of the
message. ``tests/test_ingest.py`` checks that each produces exactly that error and changes
nothing else. Nothing here is stored as a binary fixture: the corpus is rebuilt in a
temporary folder on every run, from the current template code.
"""
from __future__ import annotations

import io
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forms_helpers import fill_workbook
from toolkit.forms import workbook_layout, template
from toolkit.model.text import label_key

BLOC = "kinh-te-ky-thuat"
PERIOD = "2018"
UNIT = "so-cong-thuong"  # has sample data; faults are built on its filled workbook


def sample_values(ws, bloc: str, period: str, unit: str) -> dict:
    """The sample period data of one unit as ``fill_workbook`` arguments (self values only)."""
    folder = ws.data_dir / "periods" / bloc / str(period)
    cov = ws.covenant(bloc, int(str(period)[:4]))
    kinds = {k.id: k.kind for _, k in cov.criteria}

    def read(name):
        path = folder / name
        if not path.exists():
            return pd.DataFrame(columns=["unit_id"])
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        return df[df["unit_id"] == unit]

    scores, notes = {}, {}
    for r in read("scores.csv").itertuples(index=False):
        value = float(r.self_value.replace(",", ".")) if r.self_value.strip() else None
        if kinds[r.criterion_id] == "pass_fail" and value is not None:
            value = workbook_layout.PASS if value >= 1 else workbook_layout.FAIL
        scores[r.criterion_id] = value
        if getattr(r, "note", ""):
            notes[r.criterion_id] = r.note
    staff: dict[str, int] = {}
    labels = ws.vocab.scales["staff"].labels_for(int(str(period)[:4]))
    for r in read("staff_ratings.csv").itertuples(index=False):
        level = labels[label_key(r.rating)]
        staff[level] = staff.get(level, 0) + int(getattr(r, "count", "1") or 1)
    orgs = {r.organisation: r.rating for r in read("org_ratings.csv").itertuples(index=False)}
    events: dict[str, tuple[int, str]] = {}
    for r in read("events.csv").itertuples(index=False):
        count, reason = events.get(r.event_id, (0, ""))
        events[r.event_id] = (count + int(r.count or 1), "; ".join(x for x in (reason, r.reason) if x))
    return {"scores": scores, "notes": notes, "staff": staff, "orgs": orgs, "events": events}


def filled(ws, unit: str = UNIT, bloc: str = BLOC, period: str = PERIOD, **overrides):
    """An openpyxl Workbook of ``unit`` holding its sample values (``overrides`` replace some)."""
    values = sample_values(ws, bloc, period, unit)
    for key, extra in overrides.items():
        values[key] = {**values.get(key, {}), **extra}
    wb = template.build_workbook(template.specs_for(ws, bloc, period, [unit])[0])
    return fill_workbook(wb, **values)


def save(wb, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    wb.save(path)
    return path


def write_sample_submissions(ws, folder: Path, bloc: str = BLOC, period: str = PERIOD) -> list[Path]:
    """One filled workbook per member that has sample scores (the non-submitter stays out)."""
    scores = pd.read_csv(ws.data_dir / "periods" / bloc / str(period) / "scores.csv", dtype=str)
    units = list(dict.fromkeys(scores["unit_id"]))
    return [save(filled(ws, u, bloc, period), folder, template.template_filename(bloc, period, u)) for u in units]


def meta_cell(key: str) -> str:
    return f"B{workbook_layout.META_KEYS.index(key) + 1}"


def score_ref(wb, criterion: str) -> str:
    ws = wb[workbook_layout.SHEET_SCORES]
    row = next(c.row for c in ws["A"] if c.value == f"{workbook_layout.CODE_CRITERION}{criterion}")
    return f"{workbook_layout.SCORE_COLS['value']}{row}"


# --------------------------------------------------------------------------- the corpus

@dataclass(frozen=True)
class Expected:
    where: str  # "" for faults of the whole file
    words: str  # a fragment of the Vietnamese message


def _with_meta(ws, folder, name, key, value):
    wb = filled(ws)
    wb[workbook_layout.SHEET_META][meta_cell(key)] = value
    save(wb, folder, name)
    return Expected(f"{workbook_layout.SHEET_META}!{meta_cell(key)}", "")


def other_template_version(ws, folder):
    _with_meta(ws, folder, "other_template_version.xlsx", "template_version", "0")
    return Expected(f"{workbook_layout.SHEET_META}!{meta_cell('template_version')}", "phiên bản 0 không còn dùng được")


def other_bloc(ws, folder):
    _with_meta(ws, folder, "other_bloc.xlsx", "bloc", "van-hoa-xa-hoi")
    return Expected(f"{workbook_layout.SHEET_META}!{meta_cell('bloc')}", "mẫu của khối 'van-hoa-xa-hoi'")


def other_period(ws, folder):
    _with_meta(ws, folder, "other_period.xlsx", "period", "2019")
    # named by the title the sender sees on the guide sheet, not by a cell of the hidden sheet
    return Expected(f"trang “{workbook_layout.SHEET_GUIDE}”, tiêu đề", "mẫu tự chấm điểm “năm 2019”, không phải năm 2018")


def other_unit(ws, folder):
    _with_meta(ws, folder, "other_unit.xlsx", "unit_id", "so-y-te")
    return Expected(f"trang “{workbook_layout.SHEET_GUIDE}”, dòng “Đơn vị”", "không phải thành viên khối")


def changed_covenant(ws, folder):
    _with_meta(ws, folder, "changed_covenant.xlsx", "covenant_digest", "0000000000000000")
    return Expected(f"{workbook_layout.SHEET_META}!{meta_cell('covenant_digest')}", "bảng điểm khác bảng điểm hiện hành")


def score_above_max(ws, folder):
    wb = filled(ws, scores={"N1.1": 10.5})
    save(wb, folder, "score_above_max.xlsx")
    return Expected(f"{workbook_layout.SHEET_SCORES}!{score_ref(wb, 'N1.1')}", "vượt điểm chuẩn 10")


def score_below_zero(ws, folder):
    wb = filled(ws, scores={"N2.1": -1})
    save(wb, folder, "score_below_zero.xlsx")
    return Expected(f"{workbook_layout.SHEET_SCORES}!{score_ref(wb, 'N2.1')}", "giá trị âm '-1'")


def text_for_number(ws, folder):
    wb = filled(ws, scores={"N3.1": "chín rưỡi"})
    save(wb, folder, "text_for_number.xlsx")
    return Expected(f"{workbook_layout.SHEET_SCORES}!{score_ref(wb, 'N3.1')}", "cần một số (ví dụ 8,5), nhận được 'chín rưỡi'")


def count_not_whole(ws, folder):
    wb = filled(ws, scores={"N3.2": 2.5})
    save(wb, folder, "count_not_whole.xlsx")
    return Expected(f"{workbook_layout.SHEET_SCORES}!{score_ref(wb, 'N3.2')}", "số lần phải là số nguyên")


def rating_label_invalid_for_year(ws, folder):
    # "Tốt" is no party rating in any year
    wb = filled(ws, orgs={"party": "Tốt"})
    save(wb, folder, "rating_label_invalid_for_year.xlsx")
    row = next(c.row for c in wb[workbook_layout.SHEET_ORGS]["A"] if c.value == f"{workbook_layout.CODE_ORG}party")
    return Expected(f"{workbook_layout.SHEET_ORGS}!{workbook_layout.ORG_COLS['value']}{row}",
                    "xếp loại 'Tốt' của Chi bộ, Đảng bộ không hợp lệ năm 2018")


def staff_label_of_another_year(ws, folder):
    # "Hoàn thành nhiệm vụ" (Decree 90/2020) replaced "... nhưng còn hạn chế về năng lực" only from 2020
    wb = filled(ws)
    sheet = wb[workbook_layout.SHEET_STAFF]
    row = next(c.row for c in sheet["A"] if c.value == f"{workbook_layout.CODE_STAFF}hoan_thanh")
    sheet[f"{workbook_layout.STAFF_COLS['title']}{row}"] = "Hoàn thành nhiệm vụ"
    save(wb, folder, "staff_label_of_another_year.xlsx")
    return Expected(f"{workbook_layout.SHEET_STAFF}!{workbook_layout.STAFF_COLS['title']}{row}",
                    "xếp loại 'Hoàn thành nhiệm vụ' không hợp lệ năm 2018")


def formula_in_input_cell(ws, folder):
    wb = filled(ws)
    ref = score_ref(wb, "N5.1")
    wb[workbook_layout.SHEET_SCORES][ref] = "=5+4.5"
    save(wb, folder, "formula_in_input_cell.xlsx")
    return Expected(f"{workbook_layout.SHEET_SCORES}!{ref}", "ô nhập chứa công thức")


def two_files_for_one_unit(ws, folder):
    save(filled(ws), folder, "two_files_for_one_unit_a.xlsx")
    save(filled(ws, scores={"N1.1": 9}), folder, "two_files_for_one_unit_b.xlsx")
    return Expected(f"{workbook_layout.SHEET_META}!{meta_cell('unit_id')}", "có 2 tệp cho đơn vị Sở Công Thương")


def not_a_workbook(ws, folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "not_a_workbook.xlsx").write_text("Kính gửi Khối thi đua,\nĐơn vị xin gửi bảng điểm.\n", encoding="utf-8")
    return Expected("", "không phải tệp Excel")


def _zip_named_xlsx(path, entries: dict[str, str]) -> None:
    """Another kind of zip-based document, sent with an .xlsx name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in entries.items():
            z.writestr(name, text)
    path.write_bytes(buf.getvalue())


def word_document_renamed(ws, folder):
    _zip_named_xlsx(folder / "word_document_renamed.xlsx", {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
    return Expected("", "tài liệu Word (.docx)")


def opendocument_spreadsheet(ws, folder):
    """Filled in LibreOffice Calc or WPS and saved as .ods, then renamed or sent as it is."""
    _zip_named_xlsx(folder / "opendocument_spreadsheet.xlsx", {"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                                                               "content.xml": "<office:document-content/>"})
    return Expected("", "bảng tính OpenDocument (.ods")


def password_protected(ws, folder):
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO()
    filled(ws).save(plain)
    plain.seek(0)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "password_protected.xlsx", "wb") as out:
        OOXMLFile(plain).encrypt("matkhau", out)
    assert msoffcrypto  # imported for its side effect of registering formats
    return Expected("", "tệp được đặt mật khẩu")


def truncated(ws, folder):
    buf = io.BytesIO()
    filled(ws).save(buf)
    data = buf.getvalue()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    return Expected("", "bị hỏng hoặc không đầy đủ")


def excel_97_format(ws, folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "excel_97_format.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    return Expected("", "Excel 97-2003")


def missing_sheet(ws, folder):
    wb = filled(ws)
    wb.security = None
    del wb[workbook_layout.SHEET_EVENTS]
    save(wb, folder, "missing_sheet.xlsx")
    return Expected(f"{workbook_layout.SHEET_EVENTS}!A1", f"thiếu trang “{workbook_layout.SHEET_EVENTS}”")


def not_our_template(ws, folder):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "Bảng điểm tự chấm"
    save(wb, folder, "not_our_template.xlsx")
    return Expected("", "không có trang thông tin nhận dạng")


FAULTS = {f.__name__: f for f in (
    other_template_version, other_bloc, other_period, other_unit, changed_covenant, score_above_max,
    score_below_zero, text_for_number, count_not_whole, rating_label_invalid_for_year, staff_label_of_another_year,
    formula_in_input_cell, two_files_for_one_unit, not_a_workbook, word_document_renamed, opendocument_spreadsheet, password_protected,
    truncated, excel_97_format, missing_sheet, not_our_template,
)}


def build_corpus(ws, root: Path) -> dict[str, tuple[Path, Expected]]:
    """Every fault in its own folder under ``root``: name -> (folder, expected)."""
    out = {}
    for name, fault in FAULTS.items():
        folder = root / name
        out[name] = (folder, fault(ws, folder))
    return out


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def copy_data(src: Path, dst: Path, drop_period: tuple[str, str] | None = None) -> Path:
    """A scratch copy of a data folder, optionally without one period's submitted tables."""
    shutil.copytree(src, dst)
    if drop_period:
        folder = dst / "periods" / drop_period[0] / drop_period[1]
        for name in ("scores.csv", "events.csv", "staff_ratings.csv", "org_ratings.csv"):
            (folder / name).unlink(missing_ok=True)
    return dst
