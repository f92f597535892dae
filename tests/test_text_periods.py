"""Review periods, Vietnamese collation and normalisation, Vietnamese number and date formats."""
from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np
import pytest

from toolkit.errors import ParameterError
from toolkit.model.calendar import Calendar
from toolkit.model.periods import Period
from toolkit.model.text import collation_rank, fmt_date, fmt_number, fmt_percent, label_key, normalize, sort_key

# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize("text, year, kind, number, canonical", [
    ("2018", 2018, "year", 0, "2018"),
    ("2018-H1", 2018, "half", 1, "2018-H1"),
    (" 2019-h2 ", 2019, "half", 2, "2019-H2"),
    ("2020-Q3", 2020, "quarter", 3, "2020-Q3"),
    (2021, 2021, "year", 0, "2021"),
])
def test_period_parse(text, year, kind, number, canonical):
    p = Period.parse(text)
    assert (p.year, p.kind, p.number) == (year, kind, number)
    assert str(p) == canonical
    assert Period.parse(str(p)) == p
    assert p.is_annual == (kind == "year")


@pytest.mark.parametrize("text", ["2018-H3", "2018-Q0", "2018-Q5", "18", "2018H1", "2018-M1", "năm 2018", ""])
def test_period_parse_rejects_with_the_valid_forms(text):
    with pytest.raises(ParameterError) as exc:
        Period.parse(text)
    assert f"'{text}'" in str(exc.value)
    if text not in ("2018-H3", "2018-Q0", "2018-Q5"):
        assert "2018-H1/2018-H2" in str(exc.value) and "2018-Q1..2018-Q4" in str(exc.value)


@pytest.mark.parametrize("text, previous", [
    ("2019", "2018"), ("2019-H1", "2018-H1"), ("2019-H2", "2018-H2"), ("2018-Q1", "2017-Q1"), ("2025-Q4", "2024-Q4"),
])
def test_previous_is_the_same_period_a_year_earlier(text, previous):
    assert str(Period.parse(text).previous()) == previous


@pytest.mark.parametrize("text, end, label", [
    ("2018", dt.date(2018, 12, 31), "năm 2018"),
    ("2018-H1", dt.date(2018, 6, 30), "6 tháng đầu năm 2018"),
    ("2018-H2", dt.date(2018, 12, 31), "6 tháng cuối năm 2018"),
    ("2020-Q1", dt.date(2020, 3, 31), "quý I năm 2020"),
    ("2018-Q3", dt.date(2018, 9, 30), "quý III năm 2018"),
    ("2018-Q4", dt.date(2018, 12, 31), "quý IV năm 2018"),
])
def test_period_end_and_label(text, end, label):
    p = Period.parse(text)
    assert p.end == end
    assert p.label_vi == label


def test_periods_sort_by_year_with_the_year_end_after_its_half():
    got = sorted(Period.parse(t) for t in ["2019", "2018", "2018-H1", "2019-H1"])
    assert [str(p) for p in got] == ["2018-H1", "2018", "2019-H1", "2019"]


@pytest.mark.parametrize("kind, today, expected", [
    ("year", dt.date(2019, 1, 1), "2018"),
    ("half", dt.date(2019, 7, 1), "2019-H1"),
    ("half", dt.date(2019, 6, 30), "2018-H2"),
    ("quarter", dt.date(2019, 4, 1), "2019-Q1"),
    ("quarter", dt.date(2019, 1, 5), "2018-Q4"),
    ("quarter", dt.date(2019, 12, 31), "2019-Q3"),
])
def test_latest_closed_period(kind, today, expected):
    assert str(Calendar().latest_closed(kind, today)) == expected


def test_latest_closed_rejects_an_unknown_kind():
    with pytest.raises(ParameterError, match="year, half, quarter"):
        Calendar().latest_closed("month", dt.date(2019, 1, 1))


# --------------------------------------------------------------------------- collation

def test_d_with_stroke_sorts_after_d_and_before_e():
    names = ["Sở Em", "Sở Đào tạo", "Sở Dz", "Sở Dân tộc", "Sở Y tế"]
    # code-point order would put Đ (U+0110) after every ASCII letter, even Y
    assert sorted(names) == ["Sở Dz", "Sở Dân tộc", "Sở Em", "Sở Y tế", "Sở Đào tạo"]
    # Vietnamese: Đ is its own letter after D (so after "Dz", not between "Da" and "De"), before E
    assert sorted(names, key=sort_key) == ["Sở Dân tộc", "Sở Dz", "Sở Đào tạo", "Sở Em", "Sở Y tế"]


def test_tones_are_secondary():
    # a tone mark does not outweigh the next letter: bà and bá sort before bb
    assert sorted(["bb", "bá", "ba", "bà"], key=sort_key)[0] == "ba"
    assert sorted(["bb", "bá", "ba", "bà"], key=sort_key)[-1] == "bb"


def test_nfc_nfd_and_spaces_compare_equal():
    nfd = unicodedata.normalize("NFD", "Sở Đào tạo")
    assert nfd != "Sở Đào tạo"
    assert sort_key(nfd) == sort_key("Sở Đào tạo")
    assert normalize(f"  {nfd}   ") == "Sở Đào tạo"
    assert normalize("Sở  Y\ttế") == "Sở Y tế"
    assert label_key(" HOÀN THÀNH  tốt nhiệm vụ") == label_key(unicodedata.normalize("NFD", "Hoàn thành tốt nhiệm vụ"))
    assert normalize(None) == ""


def test_collation_rank_shares_positions_for_equal_names():
    assert collation_rank(["Sở Em", "Sở Đào tạo", "Sở Em", "Sở Dân tộc"]) == [2, 1, 2, 0]


# --------------------------------------------------------------------------- formats

@pytest.mark.parametrize("value, decimals, expected", [
    (1234.5, 2, "1.234,50"),
    (84.995, 2, "85,00"),
    (-0.005, 2, "-0,01"),
    (1234567.891, 1, "1.234.567,9"),
    (12, 0, "12"),
    (0, 2, "0,00"),
    (None, 2, ""),
    (float("nan"), 2, ""),
    (np.float64(95.0), 2, "95,00"),
])
def test_fmt_number(value, decimals, expected):
    assert fmt_number(value, decimals) == expected


def test_fmt_percent_and_date():
    assert fmt_percent(0.153) == "15,3%"
    assert fmt_percent(0.2, 0) == "20%"
    assert fmt_percent(None) == ""
    assert fmt_date("2018-03-15") == "15/03/2018"
    assert fmt_date(dt.date(2024, 2, 15)) == "15/02/2024"
    assert fmt_date(None) == ""


# --------------------------------------------------------------------------- closing days


def _calendar(tmp_path, text: str):
    from toolkit.model.calendar import load_calendar

    (tmp_path / "calendar.yaml").write_text(text, encoding="utf-8")
    return load_calendar(tmp_path)


def test_a_year_closed_on_30_november_is_latest_from_1_december(tmp_path):
    cal = _calendar(tmp_path, 'closing:\n  year: "11-30"\nblocs:\n  khoi-b:\n    year: "12-15"\n')
    assert str(cal.latest_closed("year", dt.date(2025, 11, 30))) == "2024"  # the closing day itself is still counted
    assert str(cal.latest_closed("year", dt.date(2025, 12, 1))) == "2025"
    assert str(cal.latest_closed("year", dt.date(2026, 1, 2))) == "2025"
    # a bloc with its own closing day
    assert str(cal.latest_closed("year", dt.date(2025, 12, 1), "khoi-b")) == "2024"
    assert str(cal.latest_closed("year", dt.date(2025, 12, 16), "khoi-b")) == "2025"
    # halves keep their calendar ends unless set
    assert str(cal.latest_closed("half", dt.date(2025, 7, 1))) == "2025-H1"
    assert cal.closes_on(Period.parse("2025")) == dt.date(2025, 11, 30)


def test_empty_tables_set_nothing_and_a_numeric_bloc_id_is_an_id(tmp_path):
    cal = _calendar(tmp_path, 'closing:\nblocs:\n  b:\n  2025:\n    H1: "06-15"\n')
    assert cal.closes_on(Period.parse("2025")) == dt.date(2025, 12, 31)
    assert cal.closes_on(Period.parse("2025-H1"), "b") == dt.date(2025, 6, 30)
    assert cal.closes_on(Period.parse("2025-H1"), "2025") == dt.date(2025, 6, 15)


def test_readme_cron_lines_file_the_period_just_closed():
    """The README's two cron lines, on the days they fire in 2025, with the sample data's closing days."""
    import re

    from toolkit import config
    from toolkit.model.calendar import load_calendar

    readme = (config.ROOT / "README.md").read_text(encoding="utf-8")
    lines = re.findall(r"^(\d+) (\d+) (\d+) (\d+) \* .*--period latest --kind (\w+)", readme, flags=re.M)
    cal = load_calendar(config.DATA_DIR)
    got = {(int(month), int(day), kind): str(cal.latest_closed(kind, dt.date(2025, int(month), int(day)))) for _m, _h, day, month, kind in lines}
    assert got == {(12, 1, "year"): "2025", (7, 1, "half"): "2025-H1"}


@pytest.mark.parametrize("text, where, message", [
    ('closing:\n  year: "11-31"\n', "closing.year", "tháng-ngày"),
    ('closing:\n  month: "11-30"\n', "closing.month", "không hợp lệ"),
    ("closing: [1, 2\n", "dòng", "không đọc được"),
    ("closing: [1]\n", "closing", "cần một bảng kỳ: ngày khóa sổ (year, H1, H2, Q1..Q4)"),
    ("blocs: x\n", "blocs", "cần một bảng mã khối"),
    ("[1, 2]\n", "", "các khóa 'closing' và 'blocs'"),
    ("foo: 1\n", "foo", "dùng 'closing' hoặc 'blocs'"),
    ('blocs:\n  b:\n    Q5: "01-01"\n', "blocs.b.Q5", "kỳ 'Q5' không hợp lệ; dùng year, H1, H2, Q1, Q2, Q3, Q4"),
    ("closing:\n  year: null\n", "closing.year", "nhận được None"),  # null is not 'no setting': a key left empty
])
def test_a_bad_calendar_names_the_file_and_the_key(tmp_path, text, where, message):
    from toolkit.errors import DataError

    with pytest.raises(DataError) as exc:
        _calendar(tmp_path, text)
    p = exc.value.problems[0]
    assert p.file.endswith("calendar.yaml") and p.where.startswith(where) and message in p.message
