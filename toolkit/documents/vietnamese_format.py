"""How Vietnamese administrative documents write dates, times, numbers and lists (Decree 30/2020)."""
from __future__ import annotations

import datetime as _dt


TYPE_CODES = {"bao_cao": "BC", "to_trinh": "TTr", "bien_ban": "BB"}


def long_date(day: _dt.date) -> str:
    """'ngày 05 tháng 12 năm 2025': days below 10 and months 1 and 2 take a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_date(place: str, day: _dt.date) -> str:
    """The italic line under the motto: 'Bắc Ninh, ngày 05 tháng 12 năm 2025'."""
    return f"{place}, {long_date(day)}"


def clock(text: str) -> str:
    """'08:30' -> '08 giờ 30 phút'."""
    h, m = text.replace("h", ":").replace("H", ":").split(":")
    return f"{int(h):02d} giờ {int(m):02d} phút"


def doc_number(number: int | None, kind: str, code: str) -> str:
    """'05/BC-KTKT'; without a number the place is left blank for the clerk: '      /BC-KTKT'."""
    num = f"{number:02d}" if number else "\u00a0" * 6
    return f"{num}/{TYPE_CODES[kind]}-{code}"


def count_text(n: int) -> str:
    """Counts of collectives as documents write them: '01', '03', '12'."""
    return f"{n:02d}"


def recipient_lines(items: list[str], archive: str) -> list[str]:
    """'- Như trên;' for each recipient, then '- Lưu: VT, ...'."""
    lines = [f"- {x.rstrip(';.').strip()};" for x in items]
    return lines + [f"- Lưu: {archive.rstrip('.').strip()}."]


def join_names(names: list[str]) -> str:
    """'A', 'A và B', 'A, B và C'."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " và " + names[-1]


def ordinal_roman(n: int) -> str:
    return ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][n - 1]
