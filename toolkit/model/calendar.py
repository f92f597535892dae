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
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, PlainValidator, ValidationError

from toolkit import config
from toolkit.errors import DataError, ParameterError
from toolkit.model.periods import KINDS, Period
from toolkit.model.readers import read_yaml
from toolkit.model.schema import Model, schema_problems

_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")


def _key(p: Period) -> str:
    return "year" if p.kind == "year" else f"{'H' if p.kind == 'half' else 'Q'}{p.number}"


def _month_day(value: object) -> tuple[int, int]:
    m = _DAY.match(str(value).strip())
    if m:
        month, day = int(m[1]), int(m[2])
        try:
            _dt.date(2001, month, day)  # a year without 29 February: a closing day must exist every year
            return month, day
        except ValueError:
            pass
    raise ValueError(f"cần ngày khóa sổ dạng 'tháng-ngày' (ví dụ \"11-30\"), nhận được {value!r}")


def _none_is_empty(value: object) -> object:
    """``closing:`` with nothing under it sets nothing, as a missing key does."""
    return {} if value is None else value


# a key left out is None (its period closes on its last calendar day); a key written as null is an error
MonthDay = Annotated[tuple[int, int], PlainValidator(_month_day)]


class Closing(Model):
    """The closing month-day of each period (its last counted day)."""

    year: MonthDay = None
    H1: MonthDay = None
    H2: MonthDay = None
    Q1: MonthDay = None
    Q2: MonthDay = None
    Q3: MonthDay = None
    Q4: MonthDay = None


Days = Annotated[Closing, BeforeValidator(_none_is_empty)]


class Calendar(Model):
    """The schema of calendar.yaml: closing days for every bloc, with per-bloc overrides."""

    model_config = ConfigDict(coerce_numbers_to_str=True)  # a bloc id YAML reads as a number is still an id
    closing: Days = Closing()
    blocs: Annotated[dict[str, Days], BeforeValidator(_none_is_empty)] = {}

    def closes_on(self, p: Period, bloc: str | None = None) -> _dt.date:
        """The last counted day of ``p`` (its calendar end unless the settings say otherwise)."""
        own = self.blocs.get(bloc or "")
        md = (own and getattr(own, _key(p))) or getattr(self.closing, _key(p))
        return _dt.date(p.year, *md) if md else p.end

    def latest_closed(self, kind: str, today: _dt.date, bloc: str | None = None) -> Period:
        """The most recent period of ``kind`` closed before ``today`` (closed on day D: from D+1 on)."""
        if kind not in KINDS:
            raise ParameterError(f"Loại kỳ '{kind}' không hợp lệ: chọn một trong {', '.join(KINDS)}.")
        per_year = {"year": [0], "half": [1, 2], "quarter": [1, 2, 3, 4]}[kind]
        candidates = [Period(y, kind, n) for y in (today.year + 1, today.year, today.year - 1, today.year - 2) for n in per_year]
        closed = [p for p in candidates if self.closes_on(p, bloc) < today]
        return max(closed, key=lambda p: p.sort_key)


def _message(err: dict) -> str | None:
    """What this file's keys and tables must be, where the generic schema message would not say it."""
    kind, loc = err["type"], err["loc"]
    if kind in ("extra_forbidden", "invalid_key"):
        return ("khóa không hợp lệ; dùng 'closing' hoặc 'blocs'" if len(loc) == 1 else
                f"kỳ '{loc[-1]}' không hợp lệ; dùng {', '.join(Closing.model_fields)}")
    if kind == "model_type":
        return ("cần một bảng khóa: giá trị với các khóa 'closing' và 'blocs'" if not loc else
                "cần một bảng kỳ: ngày khóa sổ (year, H1, H2, Q1..Q4)")
    if kind == "dict_type":
        return "cần một bảng mã khối: ngày khóa sổ"
    return None


def load_calendar(data_dir: Path) -> Calendar:
    """The data folder's ``calendar.yaml``, or calendar period ends when it has none."""
    path = Path(data_dir) / config.CALENDAR
    if not path.exists():
        return Calendar()
    try:
        return Calendar.model_validate(read_yaml(path, "lịch khóa sổ (calendar.yaml)"))
    except ValidationError as exc:
        raise DataError(schema_problems(exc, str(path), "lịch khóa sổ", _message)) from None


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
