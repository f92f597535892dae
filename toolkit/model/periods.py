"""Review periods: a year (``2018``), a half (``2018-H1``) or a quarter (``2018-Q3``).

A covenant is yearly, so every period resolves to its year's covenant. Annual data (staff
and organisation ratings, votes, awards) only exists for year periods.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from toolkit.errors import ParameterError

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?P<kind>[HQ])(?P<n>\d))?$")
KINDS = {"year": None, "half": "H", "quarter": "Q"}
MONTHS = {"year": 12, "half": 6, "quarter": 3}  # length of each kind of period


@dataclass(frozen=True)
class Period:
    year: int
    kind: str  # "year" | "half" | "quarter"
    number: int = 0  # 1..2 for halves, 1..4 for quarters, 0 for a year

    @classmethod
    def parse(cls, text: str | int) -> "Period":
        m = _PATTERN.match(str(text).strip().upper())
        if not m:
            raise ParameterError(
                f"Kỳ '{text}' không hợp lệ: cần dạng 2018 (năm), 2018-H1/2018-H2 (6 tháng) "
                "hoặc 2018-Q1..2018-Q4 (quý)."
            )
        year = int(m["year"])
        if m["kind"] is None:
            return cls(year, "year")
        kind = "half" if m["kind"] == "H" else "quarter"
        n = int(m["n"])
        if not 1 <= n <= (2 if kind == "half" else 4):
            raise ParameterError(f"Kỳ '{text}' không hợp lệ: số kỳ {n} nằm ngoài phạm vi.")
        return cls(year, kind, n)

    def __str__(self) -> str:
        if self.kind == "year":
            return str(self.year)
        return f"{self.year}-{'H' if self.kind == 'half' else 'Q'}{self.number}"

    @property
    def sort_key(self) -> tuple:
        """The one chronological order of periods (``sorted``, the CLI listing, the data folder, the explorer).

        By end date; periods ending together list the longer first (2018, 2018-H2, 2018-Q4).
        """
        return (self.end, -MONTHS[self.kind])

    def __lt__(self, other: "Period") -> bool:
        return self.sort_key < other.sort_key

    @property
    def is_annual(self) -> bool:
        return self.kind == "year"

    def previous(self) -> "Period":
        """The previous comparable period: the same period one year earlier.

        A mid-year review is compared with last year's mid-year review, not with the year
        end it follows, because the two are scored at different points of the work plan.
        """
        return Period(self.year - 1, self.kind, self.number)

    @property
    def end(self) -> _dt.date:
        months = {"year": 12, "half": 6 * self.number, "quarter": 3 * self.number}[self.kind]
        nxt = _dt.date(self.year + (months == 12), months % 12 + 1, 1)
        return nxt - _dt.timedelta(days=1)

    @property
    def label_vi(self) -> str:
        if self.kind == "year":
            return f"năm {self.year}"
        if self.kind == "half":
            return f"6 tháng {'đầu' if self.number == 1 else 'cuối'} năm {self.year}"
        return f"quý {['I', 'II', 'III', 'IV'][self.number - 1]} năm {self.year}"
