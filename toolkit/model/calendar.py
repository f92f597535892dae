"""When a bloc's periods close, so that ``--period latest`` means what the bloc means.

Many provinces close the emulation year before 31 December (Bắc Ninh's blocs count to
30 November and hold the year-end review in December), and the mid-year review counts to a
day in June. A run scheduled on 1 December must then file *this* year's report, not last
year's again. The closing day of each period (month and day) is a setting of the data folder
(``calendar.yaml``), with per-bloc overrides; without the file, periods close on their last
calendar day.

    # calendar.yaml
    closing:            # month-day on which each period closes (its last counted day)
      year: "11-30"
      H1: "05-31"
    blocs:
      van-hoa-xa-hoi:
        year: "12-15"
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from toolkit import config
from toolkit.errors import DataError, ParameterError, Problem
from toolkit.model.periods import KINDS, Period
from toolkit.model.readers import read_yaml

_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_KEYS = ("year", "H1", "H2", "Q1", "Q2", "Q3", "Q4")


def _key(p: Period) -> str:
    return "year" if p.kind == "year" else f"{'H' if p.kind == 'half' else 'Q'}{p.number}"


@dataclass(frozen=True)
class Calendar:
    """Closing month-days per period key ("year", "H1", ... "Q4"), with per-bloc overrides."""

    closing: dict[str, tuple[int, int]] = field(default_factory=dict)
    blocs: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)

    def closes_on(self, p: Period, bloc: str | None = None) -> _dt.date:
        """The last counted day of ``p`` (its calendar end unless the settings say otherwise)."""
        md = (self.blocs.get(bloc or "", {}).get(_key(p))) or self.closing.get(_key(p))
        return _dt.date(p.year, *md) if md else p.end

    def latest_closed(self, kind: str, today: _dt.date, bloc: str | None = None) -> Period:
        """The most recent period of ``kind`` closed before ``today`` (closed on day D: from D+1 on)."""
        if kind not in KINDS:
            raise ParameterError(f"Loại kỳ '{kind}' không hợp lệ: chọn một trong {', '.join(KINDS)}.")
        per_year = {"year": [0], "half": [1, 2], "quarter": [1, 2, 3, 4]}[kind]
        candidates = [Period(y, kind, n) for y in (today.year + 1, today.year, today.year - 1, today.year - 2) for n in per_year]
        closed = [p for p in candidates if self.closes_on(p, bloc) < today]
        return max(closed, key=lambda p: p.sort_key)


def _month_day(value: object, file: str, where: str, problems: list[Problem]) -> tuple[int, int] | None:
    m = _DAY.match(str(value).strip())
    if m:
        month, day = int(m[1]), int(m[2])
        try:
            _dt.date(2001, month, day)  # a year without 29 February: a closing day must exist every year
            return month, day
        except ValueError:
            pass
    problems.append(Problem(file, where, f"cần ngày khóa sổ dạng 'tháng-ngày' (ví dụ \"11-30\"), nhận được {value!r}"))
    return None


def _days(raw: object, file: str, where: str, problems: list[Problem]) -> dict[str, tuple[int, int]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(file, where, "cần một bảng kỳ: ngày khóa sổ (year, H1, H2, Q1..Q4)"))
        return {}
    out = {}
    for k, v in raw.items():
        if k not in _KEYS:
            problems.append(Problem(file, f"{where}.{k}", f"kỳ '{k}' không hợp lệ; dùng {', '.join(_KEYS)}"))
            continue
        md = _month_day(v, file, f"{where}.{k}", problems)
        if md:
            out[k] = md
    return out


def load_calendar(data_dir: Path) -> Calendar:
    """The data folder's ``calendar.yaml``, or calendar period ends when it has none."""
    path = Path(data_dir) / config.CALENDAR
    if not path.exists():
        return Calendar()
    raw = read_yaml(path, "lịch khóa sổ (calendar.yaml)")
    file, problems = str(path), []
    if not isinstance(raw, dict):
        raise DataError([Problem(file, "", "cần một bảng khóa: giá trị với các khóa 'closing' và 'blocs'")])
    for k in raw:
        if k not in ("closing", "blocs"):
            problems.append(Problem(file, str(k), "khóa không hợp lệ; dùng 'closing' hoặc 'blocs'"))
    closing = _days(raw.get("closing"), file, "closing", problems)
    blocs_raw = raw.get("blocs") or {}
    if not isinstance(blocs_raw, dict):
        problems.append(Problem(file, "blocs", "cần một bảng mã khối: ngày khóa sổ"))
        blocs_raw = {}
    blocs = {str(b): _days(v, file, f"blocs.{b}", problems) for b, v in blocs_raw.items()}
    if problems:
        raise DataError(problems)
    return Calendar(closing, blocs)


def today() -> _dt.date:
    """Today's date, or ``THIDUA_TODAY`` (ISO date) to resolve 'latest' as on another day (a missed schedule, tests)."""
    import os

    text = os.environ.get("THIDUA_TODAY", "").strip()
    if not text:
        return _dt.date.today()
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"THIDUA_TODAY='{text}' không phải ngày dạng YYYY-MM-DD.") from None
