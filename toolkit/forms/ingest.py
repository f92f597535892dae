"""Reading returned self-assessment workbooks into the period's tidy CSV tables.

``ingest`` reads every file of a folder, checks each against the template it was made from
(version, bloc, period, unit, scoring table) and the year's covenant and vocabulary, and
reports *all* problems of *all* files in one pass, each with the file, the sheet and the A1
cell. Accepted units are merged into ``periods/<bloc>/<period>/*.csv``; rejected ones leave
the existing data untouched.

This module is the run and its report; one file is read by :mod:`toolkit.forms.reader` and
the tables are merged by the rules of :mod:`toolkit.forms.merge`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ParameterError, Problem
from toolkit.forms.cells import norm
from toolkit.forms.period_context import PeriodContext, period_context
from toolkit.forms.workbook_layout import SHEET_META
from toolkit.forms.merge import Outcome, csv_bytes, decide, load_tables, merged_files
from toolkit.forms.reader import Submission, read_submission
from toolkit.forms import registration_layout, verification_layout, verification_reader
from toolkit.forms.registration_reader import merge_registrations, read_registration
from toolkit.forms.workbook_layout import FORMAT_ID
from toolkit.model.covenant import verifier_name
from toolkit.model.files import write_files
from toolkit.model.periods import Period

from toolkit.model.period_data import SCORES, INGEST_REPORT as REPORT  # the data-quality report reads it too
REPORT_COLUMNS = ["file", "sha256", "unit_id", "status", "errors", "warnings", "problems"]
OTHER_FORMS = {registration_layout.FORMAT_ID: read_registration}  # format id -> reader of the other kinds of workbook
STATUS_VI = {"accepted": "Chấp nhận", "rejected": "Từ chối"}
ACTION_VI = {"added": "thêm mới", "replaced": "thay thế", "unchanged": "không thay đổi", "verified": "ghi điểm thẩm định", "": "—"}

# --------------------------------------------------------------------------- the run

@dataclass
class IngestResult:
    """What one run did: the verdict on every file, notices about the run, the files written."""

    bloc: str
    period: Period
    folder: Path
    outcomes: list[Outcome]
    notices: list[Problem] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    dry_run: bool = False
    names: dict[str, str] = field(default_factory=dict)  # unit id -> name

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "rejected"]

    @property
    def accepted(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "accepted"]

    @property
    def problems(self) -> list[Problem]:
        probs = [p for o in self.outcomes for p in o.submission.problems] + self.notices
        return [p for p in probs if p.severity == "error"] + [p for p in probs if p.severity != "error"]


def candidate_files(directory: Path) -> list[Path]:
    """Every regular file of the folder except hidden files and Office lock files (~$...)."""
    return sorted((p for p in directory.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))),
                  key=lambda p: p.name)


def _flag_duplicates(subs: list[Submission], ctx: PeriodContext) -> None:
    """Two identified files of one unit: both are refused, each naming the other."""
    by_unit: dict[tuple[str, str], list[Submission]] = {}
    for s in subs:
        if s.unit_id in ctx.member_names and not any(p.where.startswith(SHEET_META) for p in s.problems if p.severity == "error"):
            by_unit.setdefault((s.kind, s.unit_id), []).append(s)  # a unit's registration and its self-assessment may travel together
    for (_kind, unit), group in by_unit.items():
        if len(group) > 1:
            for s in group:
                others = ", ".join(o.file for o in group if o is not s)
                s.error(f"{SHEET_META}!B5", f"có {len(group)} tệp cho đơn vị {ctx.member_names[unit]} ('{unit}'): "
                                            f"tệp này và {others}; chỉ để lại một tệp cho mỗi đơn vị rồi chạy lại")


def ingest(directory: Path | str, workspace, bloc: str, period: str | Period, replace=(), dry_run: bool = False) -> IngestResult:
    """Read every workbook in ``directory`` and merge accepted units into the period's tables."""
    directory = Path(directory)
    replace = [norm(u) for u in replace]
    ctx = period_context(workspace, bloc, period, replace)
    if not directory.is_dir():
        raise ParameterError(f"Không tìm thấy thư mục '{directory}'.")
    files = candidate_files(directory)
    if not files:
        raise ParameterError(f"Thư mục '{directory}' không có tệp nào để đọc.")
    subs = [read_submission(f, ctx, OTHER_FORMS) for f in files]
    # a small dispatch on the workbook's kind (its identification sheet): registration forms are read by their
    # reader inside read_submission; verification workbooks need the period's scores and are read below
    verifying = [f for f, s in zip(files, subs) if s.kind == verification_layout.FORMAT_ID]
    for s in subs:
        if s.kind not in (FORMAT_ID, verification_layout.FORMAT_ID, *OTHER_FORMS):
            s.error("", f"mẫu loại '{s.kind}' không đọc được ở đây")
    subs = [s for s in subs if s.kind != verification_layout.FORMAT_ID]
    _flag_duplicates(subs, ctx)

    registrations = [s for s in subs if s.kind == registration_layout.FORMAT_ID]
    tables = load_tables(ctx)
    outcomes, changes = decide(ctx, [s for s in subs if s.kind != registration_layout.FORMAT_ID], tables, replace)
    reg_outcomes, reg_files = merge_registrations(ctx, registrations, replace)
    order = {id(s): i for i, s in enumerate(subs)}
    outcomes = sorted(outcomes + reg_outcomes, key=lambda o: order[id(o.submission)])
    verified, touched = verification_reader.verified_outcomes(verifying, ctx, tables[SCORES], set(changes)) if verifying else ([], 0)
    outcomes += verified
    notices = []
    submitted = {o.submission.unit_id for o in outcomes}
    for unit in replace:
        if unit not in submitted:
            notices.append(Problem(str(directory), "", f"--replace {unit}: không có tệp nào của đơn vị này trong thư mục", "warning"))

    names = dict(ctx.member_names)
    for o in verified:  # a verification workbook is listed under its verifier
        verifier = o.submission.unit_id[len(verification_reader.REPORT_PREFIX):]
        names[o.submission.unit_id] = f"Thẩm định: {verifier_name(verifier, ctx.members)}"
    result = IngestResult(ctx.bloc, ctx.period, ctx.folder, outcomes, notices, dry_run=dry_run, names=names)
    files_out = merged_files(ctx, tables, changes, {SCORES} if touched else set()) | reg_files
    files_out[ctx.folder / REPORT] = report_csv(result)
    if not dry_run:
        current = {p: (p.read_bytes() if p.exists() else None) for p in files_out}
        files_out = {p: c for p, c in files_out.items() if current[p] != c}
        if files_out:
            write_files(files_out)
        result.written = sorted(files_out)
    return result


# --------------------------------------------------------------------------- reporting

def report_rows(result: IngestResult) -> list[list[str]]:
    """One row per file; only facts that do not depend on earlier runs (so re-runs are identical)."""
    out = []
    for o in result.outcomes:
        s = o.submission
        out.append([s.file, s.sha256, s.unit_id, o.status, str(len(o.errors)), str(len(o.warnings)),
                    " | ".join(f"{p.where}: {p.message}" if p.where else p.message for p in o.errors + o.warnings)])
    return out


def report_csv(result: IngestResult) -> bytes:
    return csv_bytes(REPORT_COLUMNS, report_rows(result))


def format_result(result: IngestResult) -> str:
    """The accepted/rejected table and every problem, as printed by ``thidua ingest``."""
    names = result.names
    head = ["Tệp", "Đơn vị", "Kết quả", "Lỗi", "Cảnh báo", "Thao tác"]
    rows = []
    for o in result.outcomes:
        s = o.submission
        action = ACTION_VI[o.action]
        if o.action == "replaced" and o.dropped_verified:
            action += f" (bỏ {o.dropped_verified} điểm thẩm định cũ)"
        rows.append([s.file, names.get(s.unit_id, s.unit_id) or "?", STATUS_VI[o.status], str(len(o.errors)),
                     str(len(o.warnings)), action])
    widths = [min(60, max(len(str(r[i])) for r in [head] + rows)) for i in range(len(head))]

    def line(r):
        return "  ".join(str(c)[:w].ljust(w) for c, w in zip(r, widths)).rstrip()

    out = [f"Khối {result.bloc}, kỳ {result.period}: {len(result.accepted)} tệp được chấp nhận, "
           f"{len(result.rejected)} tệp bị từ chối.", "", line(head), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    probs = result.problems
    if probs:
        out += ["", "Chi tiết:"] + [f"  {p}" for p in probs]
    dropped = [o for o in result.outcomes if o.dropped_verified]
    if dropped:
        out += ["", "Lưu ý: mẫu chỉ mang điểm tự chấm; điểm thẩm định cũ của đơn vị được thay thế đã bị bỏ, "
                    "khối cần thẩm định lại: " + ", ".join(f"{o.submission.unit_id} ({o.dropped_verified})" for o in dropped)]
    if result.dry_run:
        out += ["", "Chạy thử (--dry-run): không ghi tệp nào."]
    elif result.written:
        out += ["", "Đã ghi: " + ", ".join(p.name for p in result.written) + f" (trong {result.folder})"]
    else:
        out += ["", f"Không có gì thay đổi trong {result.folder}."]
    return "\n".join(out)
