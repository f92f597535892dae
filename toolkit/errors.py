"""The few failures a caller must tell apart, and how a message quotes the data it is about.

Data errors carry a list of :class:`Problem` so that every fault of every file is reported
in one pass; the CLI prints them and exits non-zero without a traceback. A message quotes
values from data files, workbooks and manifests through :func:`visible`, so a control
character in them (a BEL or ESC from a submission) is shown as an escape, never sent to the
terminal where it would ring, recolour the screen or forge a line of its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# C0 controls, DEL and C1 controls (an 8-bit terminal reads U+009B as ESC [)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def visible(text: object, keep: str = "") -> str:
    """``text`` with each control character (except those in ``keep``) written as Python writes it in a repr: ``\\x07``."""
    return CONTROL.sub(lambda m: m.group() if m.group() in keep else repr(m.group())[1:-1], str(text))


@dataclass(frozen=True)
class Problem:
    """One fault in an input, located precisely enough for a civil servant to fix it."""

    file: str
    where: str  # key path ("contents[2].criteria[0].max"), "row 7, column self_value", or "Sheet!B12"
    message: str  # what is wrong and what was expected, in Vietnamese
    severity: str = "error"  # "error" stops the analysis; "warning" is reported and the analysis goes on

    def __post_init__(self):
        # a problem is one line wherever it goes (terminal, ingest_report.csv, the report's notes): data it quotes is escaped
        for name in ("file", "where", "message"):
            object.__setattr__(self, name, visible(getattr(self, name)))

    def __str__(self) -> str:
        loc = f"{self.file}: {self.where}" if self.where else self.file
        return f"[{'LỖI' if self.severity == 'error' else 'CẢNH BÁO'}] {loc}: {self.message}"


class ThiduaError(Exception):
    """Base of every error this toolkit raises on purpose."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback: a notebook reader sees only the message.
        return [f"{type(self).__name__}: {self}"]


@dataclass
class DataError(ThiduaError):
    """Input data or a covenant is invalid; ``problems`` lists every fault found."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        n = sum(p.severity == "error" for p in self.problems)
        head = f"Dữ liệu không hợp lệ ({n} lỗi):"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class ParameterError(ThiduaError):
    """A run parameter (bloc, period, path) is invalid; the message lists what is valid."""


class InputError(ParameterError):
    """The notebook's kernel rejected the data or parameters; the message lists every problem."""


class ReportError(ThiduaError):
    """Producing a report failed after its inputs were accepted (e.g. a notebook cell failed)."""


class KernelError(ReportError):
    """The machinery failed, not the report: its kernel could not start, died, or stopped answering.

    The runner retries such a report once on a fresh kernel; this is raised when the retry
    failed too, so the message says it is not the notebook's or the data's fault.
    """
