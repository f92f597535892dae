"""Data quality of one bloc and period: what the secretariat checks before the bloc meets.

Who has submitted and how (from the period tables and the last ``thidua ingest`` report),
what is missing, every warning and error, where self scores differ from the bloc's verified
ones, values far from the unit's own history, and identical submissions from two units.
The notebook ``notebooks/data_quality.ipynb`` only calls these functions and shows their
tables; every threshold is a parameter with its default stated here.

The report must be useful exactly when the data is not yet clean, so a period whose tables
fail validation still gets the sections that need no scoring (submissions, missing,
problems), and the others say why they are empty.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.model.covenant import ORGANISATION_VI, Covenant, verifier_name
from toolkit.engine.evaluate import PeriodResult
from toolkit.model.workspace import Workspace
from toolkit.reports.analysis import analyse
from toolkit.errors import DataError, Problem
from toolkit.model.periods import Period
from toolkit.model.parameters import check_parameters
from toolkit.model.period_data import EVENTS, INGEST_REPORT, ORGS, SCORES, STAFF, period_dir, read_source
from toolkit.model.readers import read_own_csv, parse_numbers, read_csv_checked
from toolkit.model.rounding import round_half_up
from toolkit.reports.display import SYNTHETIC
from toolkit.reports.filed_tables import Table
from toolkit.reports.result_tables import plain, verification_changes

# Defaults of the history check: a value is "far" when it is more than HISTORY_K robust
# standard deviations (1.4826 x median absolute deviation) and at least HISTORY_MIN_SHARE of
# the criterion's maximum away from the median of the unit's earlier comparable periods.
HISTORY_K = 3.0
HISTORY_MIN_SHARE = 0.2
HISTORY_MIN_PERIODS = 2


@dataclass
class Quality:
    """Everything the data-quality sections show, loaded once."""

    ws: Workspace
    bloc: str
    period: Period
    covenant: Covenant
    members: pd.DataFrame  # unit_id, name, short_name, kind, role
    scores: pd.DataFrame  # raw scores.csv: unit_id, criterion_id, self_value, verified_value, note (numbers parsed)
    tables: dict[str, pd.DataFrame]  # raw events, staff, orgs tables
    ingest_report: pd.DataFrame  # the last ingest's per-file table (empty when none)
    result: PeriodResult | None = None  # None when the period's data does not validate
    errors: list[Problem] = field(default_factory=list)
    cache: dict = field(default_factory=dict, repr=False)

    @property
    def names(self) -> dict[str, str]:
        return dict(zip(self.members["unit_id"], self.members["name"]))

    @property
    def synthetic(self) -> bool:
        """Generated sample data (the period's source.yaml or the covenant says so): the report must say it."""
        return bool(self.covenant.synthetic or read_source(self.ws.data_dir, self.bloc, self.period).get("synthetic"))


def load(bloc: str, period: str, data_dir: str = "", output_dir: str = "") -> Quality:
    """Check the parameters, read the period's raw tables and, when they validate, analyse it."""
    ws, p = check_parameters(bloc, period, data_dir, output_dir)
    per = Period.parse(p)
    cov = ws.covenant(bloc, per.year)
    members = ws.registry.members(bloc, per.year)
    folder = period_dir(ws.data_dir, bloc, per)
    sink: list[Problem] = []  # the loader reports these properly below
    scores = read_csv_checked(folder / SCORES, ["unit_id", "criterion_id", "self_value", "verified_value"], sink)
    if "note" not in scores.columns:
        scores["note"] = ""
    for col in ("self_value", "verified_value"):
        scores[col + "_text"] = scores[col]
        scores[col] = parse_numbers(scores[col])
    tables = {
        "events": read_csv_checked(folder / EVENTS, ["unit_id", "event_id"], sink, optional=True),
        "staff": read_csv_checked(folder / STAFF, ["unit_id", "rating"], sink, optional=True),
        "orgs": read_csv_checked(folder / ORGS, ["unit_id", "organisation", "rating"], sink, optional=True),
    }
    report_path = folder / INGEST_REPORT
    report = read_own_csv(report_path, dtype=str, keep_default_na=False) if report_path.exists() else pd.DataFrame(
        columns=["file", "sha256", "unit_id", "status", "errors", "warnings", "problems"])
    q = Quality(ws, bloc, per, cov, members, scores, tables, report)
    try:
        q.result = analyse(ws, bloc, per, compare=False)
    except DataError as exc:
        q.errors = list(exc.problems)
    return q


def _yes(flag: bool) -> str:
    return "Có" if flag else "Không"


def submissions(q: Quality) -> pd.DataFrame:
    """One row per member: submitted or not, blanks, verified share, and the file it came from."""
    crit = [k.id for _, k in q.covenant.criteria]
    s = q.scores
    rows = []
    last = q.ingest_report[q.ingest_report["status"] == "accepted"].drop_duplicates("unit_id", keep="last").set_index("unit_id")
    rejected = q.ingest_report[q.ingest_report["status"] == "rejected"].groupby("unit_id")["file"].apply(", ".join)
    for m in q.members.itertuples(index=False):
        mine = s[s["unit_id"] == m.unit_id]
        filled = int(mine["self_value"].notna().sum())
        verified = int(mine["verified_value"].notna().sum())
        rows.append({
            "Đơn vị": m.name,
            "Đã nộp": _yes(len(mine) > 0),
            "Tiêu chí có điểm tự chấm": f"{filled}/{len(crit)}",
            "Ô để trống": int(mine["self_value"].isna().sum()) + max(0, len(crit) - len(mine)) if len(mine) else "",
            "Đã thẩm định": f"{verified}/{len(crit)}" if len(mine) else "",
            "Tệp đã nhận": last["file"].get(m.unit_id, "") if len(last) else "",
            "Tệp bị từ chối": rejected.get(m.unit_id, "") if len(rejected) else "",
        })
    return pd.DataFrame(rows)


def missing(q: Quality) -> pd.DataFrame:
    """What is not there yet: submissions, criteria rows, blank cells, ratings, reasons."""
    out: list[tuple[str, str, str]] = []
    names = q.names
    s = q.scores
    crit = [k.id for _, k in q.covenant.criteria]
    needing = [a.title for a in q.covenant.awards if a.requires_registration and q.period.kind in a.periods
               and q.result is not None]  # without a result the registrations were not read: nothing is said
    registered = set() if q.result is None or q.result.registrations is None else set(q.result.registrations["unit_id"])
    for unit in q.members["unit_id"]:
        if needing and unit not in registered:  # the year's registrations.csv has no row of the unit, or there is no file
            out.append((names[unit], "Đăng ký thi đua", "chưa nộp bản đăng ký: không được xét " + "; ".join(needing)))
        mine = s[s["unit_id"] == unit]
        if mine.empty:
            out.append((names[unit], "Bảng tự chấm", "chưa nộp"))
            continue
        absent = [c for c in crit if c not in set(mine["criterion_id"])]
        if absent:
            out.append((names[unit], "Tiêu chí", "thiếu dòng điểm: " + ", ".join(absent)))
        blank = mine[mine["self_value"].isna()]["criterion_id"].tolist()
        if blank:
            out.append((names[unit], "Điểm tự chấm", "để trống (tính 0): " + ", ".join(blank)))
        if q.period.is_annual:
            if not (q.tables["staff"]["unit_id"] == unit).any():
                out.append((names[unit], "Xếp loại CBCCVC", "chưa có số liệu"))
            have = set(q.tables["orgs"].loc[q.tables["orgs"]["unit_id"] == unit, "organisation"])
            for t in q.covenant.targets.organisations:
                if t.required and t.organisation not in have:
                    out.append((names[unit], "Xếp loại tổ chức", f"chưa có xếp loại {ORGANISATION_VI[t.organisation]}"))
    ev = q.tables["events"]
    if len(ev) and "reason" in ev.columns:
        for r in ev[ev["reason"].astype(str).str.strip() == ""].itertuples(index=False):
            out.append((names.get(r.unit_id, r.unit_id), "Cộng/trừ điểm", f"'{r.event_id}' chưa ghi lý do"))
    return pd.DataFrame(out, columns=["Đơn vị", "Mục", "Còn thiếu"])


def problems(q: Quality) -> pd.DataFrame:
    """Errors that stop the analysis, the engine's warnings, and the last ingest's rejections."""
    rows = []
    data = q.ws.data_dir

    def rel(path: str) -> str:
        try:
            return Path(path).resolve().relative_to(data.resolve()).as_posix()
        except ValueError:
            return Path(path).name

    probs = q.errors + (q.result.warnings if q.result is not None else [])
    for p in probs:
        rows.append(("Lỗi" if p.severity == "error" else "Cảnh báo", rel(p.file), p.where, p.message))
    for r in q.ingest_report[q.ingest_report["status"] == "rejected"].itertuples(index=False):
        rows.append(("Tệp bị từ chối", r.file, "", r.problems))
    return pd.DataFrame(rows, columns=["Mức", "Tệp", "Vị trí", "Nội dung"])


def self_vs_verified(q: Quality, min_gap: float = 0.0) -> pd.DataFrame:
    """Criteria whose verified points differ from the self-assessed ones, largest gap first, with "self → verified (reason)"."""
    cols = ["Đơn vị", "Tiêu chí", "Điểm chuẩn", "Tự chấm", "Thẩm định", "Chênh lệch", "Tự chấm → thẩm định (lý do)"]
    if q.result is None:
        return pd.DataFrame(columns=cols)
    s = q.result.scores
    s = s[s["verified"] & ((s["self_score"] - s["verified_score"]).abs() > min_gap + 1e-9)].copy()
    s["gap"] = s["self_score"] - s["verified_score"]
    s = s.merge(verification_changes(s), on=["unit_id", "criterion_id"], how="left")
    s = s.assign(_a=s["gap"].abs()).sort_values(["_a", "unit_id", "order"], ascending=[False, True, True], kind="stable")
    names = q.names
    return pd.DataFrame({
        "Đơn vị": s["unit_id"].map(names).to_numpy(), "Tiêu chí": s["criterion_id"].to_numpy(),
        "Điểm chuẩn": s["max"].to_numpy(), "Tự chấm": s["self_score"].to_numpy(),
        "Thẩm định": s["verified_score"].to_numpy(), "Chênh lệch": round_half_up(s["gap"], q.covenant.decimals).to_numpy(),
        "Tự chấm → thẩm định (lý do)": s["change"].fillna("").to_numpy(),
    }, columns=cols)


def unverified(q: Quality) -> pd.DataFrame:
    """Verification progress: units whose scores are not (fully) verified yet (their self scores are used), and
    who is due to verify them (the covenant's cross-checking groups, or the bloc's leader)."""
    cols = ["Đơn vị", "Tiêu chí chưa thẩm định", "Đơn vị thẩm định"]
    if q.result is None:
        return pd.DataFrame(columns=cols)
    s = q.result.scores
    due = q.covenant.verification.verifier_of(list(q.members["unit_id"]))
    todo = s[~s["verified"]].groupby("unit_id")["criterion_id"].apply(list)
    return pd.DataFrame([(q.names[u], f"{len(c)}: " + ", ".join(c), verifier_name(due[u], q.members) if u in due else "")
                         for u, c in todo.items()], columns=cols)


def history(q: Quality, k: float = HISTORY_K, min_share: float = HISTORY_MIN_SHARE,
            min_periods: int = HISTORY_MIN_PERIODS) -> pd.DataFrame:
    """Self scores far from the same unit's earlier comparable periods (same kind of period).

    Scores are compared as shares of their criterion's maximum, so a changed maximum does not
    raise an alarm; earlier units are mapped to their successors (renames, mergers).
    """
    cols = ["Đơn vị", "Tiêu chí", "Kỳ này", "Trung vị các kỳ trước", "Số kỳ so sánh", "Các kỳ trước"]
    if q.result is None:
        return pd.DataFrame(columns=cols)
    key = ("history", k, min_share, min_periods)
    if key not in q.cache:  # analysing every earlier period is the slow part of this report
        q.cache[key] = _history(q, k, min_share, min_periods, cols)
    return q.cache[key].copy()


def _history(q: Quality, k: float, min_share: float, min_periods: int, cols: list[str]) -> pd.DataFrame:
    now = q.result.scores.assign(share=lambda d: d["self_score"] / d["max"])
    earlier = []
    for label in q.ws.periods(q.bloc):
        p = Period.parse(label)
        if (p.kind, p.number) != (q.period.kind, q.period.number) or p.year >= q.period.year:
            continue
        try:
            res = analyse(q.ws, q.bloc, p, compare=False)
        except DataError:
            continue  # an earlier period that does not validate gives no history
        succ = q.ws.registry.successors(p.year, q.period.year)
        s = res.scores.assign(share=lambda d: d["self_score"] / d["max"], period=label)
        s["unit_id"] = s["unit_id"].map(succ)
        earlier.append(s.dropna(subset=["unit_id"])[["unit_id", "criterion_id", "share", "period"]])
    if not earlier:
        return pd.DataFrame(columns=cols)
    hist = pd.concat(earlier, ignore_index=True)
    rows = []
    for (unit, crit), h in hist.groupby(["unit_id", "criterion_id"], sort=False):
        cur = now[(now["unit_id"] == unit) & (now["criterion_id"] == crit)]
        if cur.empty or len(h) < min_periods or pd.isna(cur["share"].iloc[0]):
            continue
        x = float(cur["share"].iloc[0])
        med = float(h["share"].median())
        sigma = 1.4826 * float((h["share"] - med).abs().median())
        if abs(x - med) >= max(k * sigma, min_share) - 1e-12:
            shown = ", ".join(f"{r.period}: {r.share:.0%}" for r in h.sort_values("period").itertuples())
            rows.append((q.names.get(unit, unit), crit, f"{x:.0%}", f"{med:.0%}", len(h), shown))
    return pd.DataFrame(rows, columns=cols)


def identical(q: Quality) -> pd.DataFrame:
    """Units whose self values are identical on every criterion, or who share a non-empty note."""
    cols = ["Đơn vị", "Trùng với", "Nội dung trùng"]
    s = q.scores
    if s.empty:
        return pd.DataFrame(columns=cols)
    names = q.names
    order = {k.id: i for i, (_, k) in enumerate(q.covenant.criteria)}
    vectors = {}
    for unit, g in s.groupby("unit_id", sort=False):
        g = g.assign(_o=g["criterion_id"].map(order)).sort_values("_o")
        key = tuple(zip(g["criterion_id"], g["self_value"].round(6).fillna(-1.0)))
        if g["self_value"].notna().any():
            vectors.setdefault(key, []).append(unit)
    rows = []
    for units in vectors.values():
        for i, u in enumerate(units[1:], 1):
            rows.append((names.get(u, u), names.get(units[0], units[0]), "toàn bộ điểm tự chấm"))
    notes = s[s["note"].astype(str).str.strip() != ""]
    for (crit, note), g in notes.groupby(["criterion_id", "note"], sort=False):
        units = list(dict.fromkeys(g["unit_id"]))
        for u in units[1:]:
            rows.append((names.get(u, u), names.get(units[0], units[0]), f"ghi chú tiêu chí {crit}: “{note}”"))
    return pd.DataFrame(rows, columns=cols)


def title_block(q: Quality, data_dir: str = "") -> str:
    """The report's heading: period, bloc by name, where the data came from, and whether it is synthetic (Markdown)."""
    lines = [f"# Chất lượng dữ liệu thi đua {q.period.label_vi}", f"**{plain(q.ws.registry.bloc_name(q.bloc))}**", "",
             f"- Nguồn dữ liệu: `{Path(data_dir).name if data_dir else 'data'}/periods/{q.bloc}/{q.period}`"]
    if q.synthetic:
        lines.append(SYNTHETIC)
    return "\n".join(lines)


def empty(q: Quality, sentence: str) -> str:
    """What a section whose table is empty says: ``sentence``, or why nothing could be checked."""
    if q.result is None:
        return "Chưa kiểm tra được: dữ liệu của kỳ còn lỗi chặn việc tính điểm (xem mục Lỗi và cảnh báo)."
    return sentence


def summary(q: Quality) -> str:
    sub = submissions(q)
    n = int((sub["Đã nộp"] == "Có").sum())
    lines = [f"- {n}/{len(sub)} đơn vị đã nộp bảng tự chấm điểm."]
    if q.errors:
        lines.append(f"- **{sum(p.severity == 'error' for p in q.errors)} lỗi dữ liệu** chặn việc tính điểm: xem mục Lỗi và cảnh báo.")
    if q.result is not None:
        s = q.result.scores
        lines.append(f"- {int(s['verified'].sum())}/{len(s)} điểm tiêu chí đã được khối thẩm định.")
        todo = unverified(q)
        for verifier, g in todo.groupby("Đơn vị thẩm định", sort=False):
            count = sum(int(str(c).split(":")[0]) for c in g["Tiêu chí chưa thẩm định"])
            lines.append(f"- {plain(verifier or 'Chưa phân công')} còn {count} tiêu chí của {len(g)} đơn vị chưa thẩm định: "
                         + ", ".join(map(plain, g["Đơn vị"])) + ".")
    rej = int((q.ingest_report["status"] == "rejected").sum())
    if rej:
        lines.append(f"- {rej} tệp bị từ chối ở lần tiếp nhận gần nhất.")
    return "\n".join(lines)


# stem of results/<stem>.csv -> (sheet title, table function, {Vietnamese header: column id}); see docs/results.md
TABLES = {
    "da_nop": ("Đã nộp", submissions, {
        "Đơn vị": "unit", "Đã nộp": "submitted", "Tiêu chí có điểm tự chấm": "criteria_self_scored", "Ô để trống": "blank_cells",
        "Đã thẩm định": "criteria_verified", "Tệp đã nhận": "accepted_file", "Tệp bị từ chối": "rejected_files"}),
    "con_thieu": ("Còn thiếu", missing, {"Đơn vị": "unit", "Mục": "item", "Còn thiếu": "missing"}),
    "loi_canh_bao": ("Lỗi và cảnh báo", problems, {"Mức": "severity", "Tệp": "file", "Vị trí": "location", "Nội dung": "message"}),
    "tu_cham_tham_dinh": ("Tự chấm - thẩm định", self_vs_verified, {
        "Đơn vị": "unit", "Tiêu chí": "criterion_id", "Điểm chuẩn": "max", "Tự chấm": "self_score",
        "Thẩm định": "verified_score", "Chênh lệch": "gap", "Tự chấm → thẩm định (lý do)": "change"}),
    "chua_tham_dinh": ("Chưa thẩm định", unverified, {"Đơn vị": "unit", "Tiêu chí chưa thẩm định": "unverified_criteria",
                                                       "Đơn vị thẩm định": "verifier"}),
    "khac_lich_su": ("Khác các kỳ trước", history, {
        "Đơn vị": "unit", "Tiêu chí": "criterion_id", "Kỳ này": "share_now", "Trung vị các kỳ trước": "share_median_before",
        "Số kỳ so sánh": "periods_compared", "Các kỳ trước": "shares_before"}),
    "trung_nhau": ("Trùng nhau", identical, {"Đơn vị": "unit", "Trùng với": "same_as", "Nội dung trùng": "what"}),
}


def all_tables(q: Quality) -> dict[str, Table]:
    """stem -> :class:`~toolkit.reports.filed_tables.Table`, in the order of the report."""
    return {stem: Table(stem, title, fn(q), ids) for stem, (title, fn, ids) in TABLES.items()}


__all__ = ["Quality", "load", "title_block", "empty", "submissions", "missing", "problems", "self_vs_verified", "unverified", "history",
           "identical", "summary", "all_tables", "TABLES"]
