"""A bloc's period data: what members submitted and what the bloc verified.

Loading validates every table against the year's covenant, membership and rating
vocabulary and reports *all* problems in one pass: errors stop the analysis, warnings
(a member with no submission, a blank self score) are carried into the results so the
report can show them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit import config
from toolkit.model.ballots import BALLOTS, empty_ballots, load_ballots, votes_disagreement
from toolkit.model.covenant import ORGANISATION_VI, Covenant
from toolkit.errors import DataError, ParameterError, Problem
from toolkit.model.periods import Period
from toolkit.model.readers import RowChecker, duplicates, parse_numbers, read_csv_checked, read_yaml
from toolkit.model.text import label_key
from toolkit.model.vocabulary import Vocabulary

SCORES = "scores.csv"
EVENTS = "events.csv"
STAFF = "staff_ratings.csv"
ORGS = "org_ratings.csv"
VOTES = "votes.csv"
REGISTRATIONS = "registrations.csv"  # in the year's folder, for every period of the year
REGISTRATION_KINDS = ("award", "criterion", "commitment")
VIOLATIONS = "violations.csv"  # the violations behind each deduction (chấm trừ) criterion, with their reasons
SOURCE = "source.yaml"
INGEST_REPORT = "ingest_report.csv"  # what the last `thidua ingest` accepted and rejected (written by forms.ingest)


@dataclass
class PeriodData:
    """Tidy, validated period data; every frame carries ``bloc_id`` so blocs can be stacked."""

    period: Period
    members: pd.DataFrame  # bloc_id, unit_id, name, short_name, kind, role
    scores: pd.DataFrame  # bloc_id, unit_id, criterion_id, self_value, verified_value, note, verified_note (the reason)
    events: pd.DataFrame  # bloc_id, unit_id, event_id, count, reason
    staff: pd.DataFrame  # bloc_id, unit_id, level, count
    orgs: pd.DataFrame  # bloc_id, unit_id, organisation, level, label
    votes: pd.DataFrame  # bloc_id, unit_id, approve, voters
    warnings: list[Problem] = field(default_factory=list)
    source: dict = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    violations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["unit_id", "criterion_id", "count", "reason",
                                                                                  "bloc_id"]))
    # bloc_id, unit_id, kind, item, value, text; None: the year has no registrations.csv (docs/data.md)
    registrations: pd.DataFrame | None = None
    ballots: pd.DataFrame = field(default_factory=empty_ballots)  # bloc_id, award_id, unit_id, issued, returned, valid, in_favour, present


def period_dir(data_dir: Path, bloc: str, period: Period | str) -> Path:
    return data_dir / config.PERIODS / bloc / str(period)


def available_periods(data_dir: Path, bloc: str) -> list[str]:
    base = data_dir / config.PERIODS / bloc
    if not base.is_dir():
        return []
    found = []
    for p in base.iterdir():
        if p.is_dir() and (p / SCORES).exists():
            try:
                found.append(Period.parse(p.name))
            except ParameterError:  # a stray folder is not a period
                continue
    return [str(p) for p in sorted(found, key=lambda p: p.sort_key)]


def _once(chk: RowChecker, df: pd.DataFrame, keys: list[str], column: str, what) -> pd.DataFrame:
    """Report each key entered more than once (one problem per key), then check each exact copy of a line once."""
    chk.problems.extend(duplicates(df, keys, chk.file, column, what))
    return df[~df.duplicated(keep="first")]


def _member_check(chk: RowChecker, df: pd.DataFrame, members: set[str], bloc: str, year: int) -> None:
    chk.rows(df, ~df.unit_id.isin(members), "unit_id",
             lambda r: f"đơn vị '{r.unit_id}' không phải thành viên khối '{bloc}' năm {year}")


def _whole(chk: RowChecker, df: pd.DataFrame, column: str, default: float | None = None, what: str = "số nguyên ≥ 0") -> pd.Series:
    raw = df[column] if column in df.columns else pd.Series("", index=df.index)
    num = parse_numbers(raw)
    if default is not None:
        num = num.where(raw.astype(str).str.strip() != "", default)
    bad = num.isna() | (num < 0) | (num != np.floor(num))
    chk.rows(df, bad, column, lambda r: f"cần {what}, nhận được '{r.get(column, '')}'")
    return num


def _load_scores(path: Path, cov: Covenant, members: pd.DataFrame, bloc: str, year: int, problems: list[Problem]) -> pd.DataFrame:
    chk = RowChecker(path, problems)
    df = read_csv_checked(path, ["unit_id", "criterion_id", "self_value", "verified_value"], problems)
    for col in ("note", "verified_note"):  # optional: files written before the verification workbook lack verified_note
        if col not in df.columns:
            df[col] = ""
    crit = {k.id: k for _, k in cov.criteria}
    df = _once(chk, df, ["unit_id", "criterion_id"], "criterion_id",
               lambda r: f"điểm tiêu chí '{r.criterion_id}' của đơn vị '{r.unit_id}'")
    _member_check(chk, df, set(members.unit_id), bloc, year)
    chk.rows(df, ~df.criterion_id.isin(crit), "criterion_id",
             lambda r: f"tiêu chí '{r.criterion_id}' không có trong giao ước {cov.year} (mã hợp lệ: {', '.join(crit)})")
    maxima = df.criterion_id.map({k: c.max for k, c in crit.items()})
    kinds = df.criterion_id.map({k: c.kind for k, c in crit.items()})
    # blank is judged on the text as typed: 'x' is an error, not a blank cell counted as 0
    blank_self = df.self_value.astype(str).str.strip() == ""
    for col in ("self_value", "verified_value"):
        raw = df[col].astype(str).str.strip()
        num = parse_numbers(df[col])
        chk.rows(df, (raw != "") & num.isna(), col, lambda r, c=col: f"cần một số (ví dụ 8,5), nhận được '{r[c]}'")
        chk.rows(df, num < 0, col, lambda r, c=col: f"điểm âm '{r[c]}' không hợp lệ; cần ≥ 0")
        over = (kinds == "graded") & (num > maxima)
        chk.rows(df, over, col, lambda r, c=col: f"điểm {r[c]} vượt điểm chuẩn {crit[r.criterion_id].max:g} của tiêu chí '{r.criterion_id}'")
        lo = df.criterion_id.map({k: c.plausible_range()[0] for k, c in crit.items()})
        hi = df.criterion_id.map({k: c.plausible_range()[1] for k, c in crit.items()})
        implausible = (kinds != "graded") & (num >= 0) & ((num < lo) | (num > hi))  # graded and negatives are reported above
        chk.rows(df, implausible, col, lambda r, c=col: f"giá trị '{r[c]}' nằm ngoài khoảng hợp lý {_range_text(crit[r.criterion_id])} "
                                                        f"của tiêu chí '{r.criterion_id}'")
        pf = (kinds == "pass_fail") & num.notna() & ~num.isin([0, 1])
        chk.rows(df, pf, col, lambda r, c=col: f"tiêu chí đạt/không đạt '{r.criterion_id}' cần 1 (đạt) hoặc 0 (không đạt), nhận được '{r[c]}'")
        cnt = (kinds == "count") & num.notna() & (num != np.floor(num))
        chk.rows(df, cnt, col, lambda r, c=col: f"tiêu chí đếm số lần '{r.criterion_id}' cần số nguyên, nhận được '{r[c]}'")
        ded = (kinds == "deduction") & num.notna() & (num != np.floor(num))
        chk.rows(df, ded, col, lambda r, c=col: f"tiêu chí chấm trừ '{r.criterion_id}' cần số lần vi phạm (số nguyên), "
                                                f"nhận được '{r[c]}'")
        df[col] = num
    blank_self = blank_self & df.unit_id.isin(members.unit_id) & df.criterion_id.isin(crit)
    chk.rows(df, blank_self, "self_value",
             lambda r: f"ô tự chấm tiêu chí '{r.criterion_id}' của '{r.unit_id}' để trống: không có số liệu, 0 điểm", "warning")
    return df[["unit_id", "criterion_id", "self_value", "verified_value", "note", "verified_note"]]


def _range_text(criterion) -> str:
    lo, hi = criterion.plausible_range()
    unit = f" {criterion.unit}" if criterion.unit else ""
    return f"[{lo:g}; {hi:g}]{unit}" if hi != float("inf") else f"≥ {lo:g}{unit}"


def _complete_grid(scores: pd.DataFrame, cov: Covenant, members: pd.DataFrame, file: str, problems: list[Problem]) -> pd.DataFrame:
    """Add rows for criteria a submitting member left out: no data (a blank value, 0 points), with a warning.

    A blank is never the value 0: for a lower-is-better target, 0 would be the best possible
    actual and would take full marks and the bloc's best excess.
    """
    submitted = scores.unit_id.drop_duplicates()
    crit_ids = [k.id for _, k in cov.criteria]
    grid = pd.MultiIndex.from_product([submitted, crit_ids], names=["unit_id", "criterion_id"]).to_frame(index=False)
    merged = grid.merge(scores, on=["unit_id", "criterion_id"], how="left", indicator=True)
    missing = merged[merged._merge == "left_only"]
    for r in missing.itertuples(index=False):
        problems.append(Problem(file, f"đơn vị {r.unit_id}", f"thiếu dòng điểm tiêu chí '{r.criterion_id}': không có số liệu, 0 điểm", "warning"))
    merged["note"] = merged.note.fillna("")
    merged["verified_note"] = merged.verified_note.fillna("")
    return merged.drop(columns="_merge")


def _load_events(path: Path, cov: Covenant, members: pd.DataFrame, bloc: str, year: int, problems: list[Problem]) -> pd.DataFrame:
    chk = RowChecker(path, problems)
    df = read_csv_checked(path, ["unit_id", "event_id"], problems, optional=True)
    if "reason" not in df.columns:
        df["reason"] = ""
    _member_check(chk, df, set(members.unit_id), bloc, year)
    ids = [e.id for e in cov.adjustments.events]
    chk.rows(df, ~df.event_id.isin(ids), "event_id",
             lambda r: f"sự kiện cộng/trừ điểm '{r.event_id}' không có trong giao ước (mã hợp lệ: {', '.join(ids) or 'không có'})")
    df["count"] = _whole(chk, df, "count", default=1.0, what="số lần là số nguyên ≥ 0")
    return df[["unit_id", "event_id", "count", "reason"]]


def _load_violations(path: Path, cov: Covenant, members: pd.DataFrame, scores: pd.DataFrame, bloc: str, year: int,
                     problems: list[Problem]) -> pd.DataFrame:
    """The violations of each deduction criterion, one line each with its reason (``count`` repeats one reason).

    They must add up to the number of violations the unit declared (its self value in
    scores.csv), so each point taken off has a reason on file; a verified number that differs
    is explained by the verification's own note, not here.
    """
    chk = RowChecker(path, problems)
    df = read_csv_checked(path, ["unit_id", "criterion_id", "reason"], problems, optional=True)
    _member_check(chk, df, set(members.unit_id), bloc, year)
    deductions = [k.id for _, k in cov.criteria if k.kind == "deduction"]
    chk.rows(df, ~df.criterion_id.isin(deductions), "criterion_id",
             lambda r: f"tiêu chí '{r.criterion_id}' không phải tiêu chí chấm trừ của giao ước {cov.year} "
                       f"(tiêu chí chấm trừ: {', '.join(deductions) or 'không có'})")
    chk.rows(df, df.reason.astype(str).str.strip() == "", "reason", "cần ghi lý do của lần vi phạm (số, ngày văn bản, việc gì)")
    df["count"] = _whole(chk, df, "count", default=1.0, what="số lần vi phạm là số nguyên ≥ 0")
    listed = df[df.criterion_id.isin(deductions)].groupby(["unit_id", "criterion_id"])["count"].sum()
    declared = scores[scores.criterion_id.isin(deductions)].set_index(["unit_id", "criterion_id"])["self_value"]
    declared = declared[~declared.index.duplicated()]
    for (unit, crit), n in declared.items():
        got = float(listed.get((unit, crit), 0.0))
        if pd.notna(n) and n != got:
            problems.append(Problem(str(path), f"đơn vị {unit}, tiêu chí {crit}",
                                    f"{SCORES} ghi {n:g} lần vi phạm tự kê khai nhưng {VIOLATIONS} liệt kê {got:g} lần có lý do: "
                                    "mỗi lần vi phạm cần một dòng lý do"))
    for (unit, crit), n in listed.items():
        if (unit, crit) not in declared.index or pd.isna(declared.get((unit, crit))):
            problems.append(Problem(str(path), f"đơn vị {unit}, tiêu chí {crit}",
                                    f"liệt kê {n:g} lần vi phạm nhưng {SCORES} không có số lần tự kê khai của tiêu chí này"))
    return df[["unit_id", "criterion_id", "count", "reason"]]


def _load_staff(path: Path, vocab: Vocabulary, members: pd.DataFrame, bloc: str, year: int, problems: list[Problem]) -> pd.DataFrame:
    chk = RowChecker(path, problems)
    df = read_csv_checked(path, ["unit_id", "rating"], problems, optional=True)
    _member_check(chk, df, set(members.unit_id), bloc, year)
    scale = vocab.scales["staff"]
    labels = scale.labels_for(year)
    df["level"] = df.rating.map(label_key).map(labels)
    chk.rows(df, df.level.isna(), "rating",
             lambda r: f"xếp loại '{r.rating}' không hợp lệ cho năm {year}; dùng một trong: {'; '.join(scale.valid_labels(year))}")
    df["count"] = _whole(chk, df, "count", default=1.0)
    return df.groupby(["unit_id", "level"], as_index=False, sort=True)["count"].sum()


def _load_orgs(path: Path, vocab: Vocabulary, members: pd.DataFrame, bloc: str, year: int, problems: list[Problem]) -> pd.DataFrame:
    chk = RowChecker(path, problems)
    df = read_csv_checked(path, ["unit_id", "organisation", "rating"], problems, optional=True)
    _member_check(chk, df, set(members.unit_id), bloc, year)
    chk.rows(df, ~df.organisation.isin(ORGANISATION_VI), "organisation",
             lambda r: f"tổ chức '{r.organisation}' không hợp lệ; dùng {', '.join(ORGANISATION_VI)}")
    df = _once(chk, df, ["unit_id", "organisation"], "organisation", lambda r: f"xếp loại '{r.organisation}' của '{r.unit_id}'")
    keys = df.rating.map(label_key)
    party = keys.map(vocab.scales["party"].labels_for(year))
    mass = keys.map(vocab.scales["mass"].labels_for(year))
    df["level"] = party.where(df.organisation == "party", mass).astype(object)
    bad = df.level.isna() & df.organisation.isin(ORGANISATION_VI)
    chk.rows(df, bad, "rating", lambda r: (
        f"xếp loại '{r.rating}' không hợp lệ cho {ORGANISATION_VI[r.organisation]} năm {year}; dùng một trong: "
        + "; ".join(vocab.scale_for_org(r.organisation).valid_labels(year))))
    df = df.rename(columns={"rating": "label"})
    return df[["unit_id", "organisation", "level", "label"]]


def _load_votes(path: Path, members: pd.DataFrame, bloc: str, year: int, problems: list[Problem]) -> pd.DataFrame:
    chk = RowChecker(path, problems)
    df = read_csv_checked(path, ["unit_id", "approve", "voters"], problems, optional=True)
    _member_check(chk, df, set(members.unit_id), bloc, year)
    df["approve"] = _whole(chk, df, "approve")
    df["voters"] = _whole(chk, df, "voters")
    chk.rows(df, df.approve > df.voters, "approve", lambda r: f"số phiếu đồng ý {r.approve:g} lớn hơn số người bỏ phiếu {r.voters:g}")
    chk.rows(df, df.voters == 0, "voters", "số người bỏ phiếu phải lớn hơn 0")
    return df[["unit_id", "approve", "voters"]]


def _load_registrations(path: Path, cov: Covenant, members: pd.DataFrame, bloc: str, year: int,
                        problems: list[Problem]) -> pd.DataFrame | None:
    """The year's registrations, or None without a file: "not registered" must stay apart from "no file"."""
    if not path.exists():
        return None
    chk = RowChecker(path, problems)
    df = read_csv_checked(path, ["unit_id", "kind", "item", "value", "text"], problems)
    _member_check(chk, df, set(members.unit_id), bloc, year)
    df = _once(chk, df, ["unit_id", "kind", "item"], "item", lambda r: f"mục đăng ký '{r.kind}' '{r['item']}' của '{r.unit_id}'")
    chk.rows(df, ~df.kind.isin(REGISTRATION_KINDS), "kind",
             lambda r: f"loại '{r.kind}' không hợp lệ; dùng {', '.join(REGISTRATION_KINDS)}")
    awards = [a.id for a in cov.awards]
    targets = {k.id: k for _, k in cov.criteria if k.kind == "target"}
    value = parse_numbers(df["value"])
    raw = df["value"].astype(str).str.strip()
    award, crit, words = df.kind.eq("award"), df.kind.eq("criterion"), df.kind.eq("commitment")
    chk.rows(df, award & ~df["item"].isin(awards), "item",
             lambda r: f"danh hiệu '{r['item']}' không có trong giao ước {cov.year} (mã hợp lệ: {', '.join(awards) or 'không có'})")
    chk.rows(df, award & ~value.isin([0, 1]), "value", lambda r: f"cần 1 (đăng ký) hoặc 0 (không đăng ký), nhận được '{r.value}'")
    chk.rows(df, crit & ~df["item"].isin(targets), "item",
             lambda r: f"'{r['item']}' không phải tiêu chí chấm theo chỉ tiêu của giao ước {cov.year} "
                       f"(mã hợp lệ: {', '.join(targets) or 'không có'})")
    lo = df["item"].map({k: c.plausible_range()[0] for k, c in targets.items()})
    hi = df["item"].map({k: c.plausible_range()[1] for k, c in targets.items()})
    chk.rows(df, crit & value.isna(), "value", lambda r: f"cần một số (mức cam kết), nhận được '{r.value}'")
    chk.rows(df, crit & ((value < lo) | (value > hi)), "value",
             lambda r: f"mức cam kết '{r.value}' nằm ngoài khoảng hợp lý {_range_text(targets[r['item']])} của tiêu chí '{r['item']}'")
    chk.rows(df, words & ~df["item"].str.fullmatch(r"[1-9][0-9]*"), "item",
             lambda r: f"số thứ tự cam kết cần là số nguyên từ 1, nhận được '{r['item']}'")
    chk.rows(df, words & (df["text"].astype(str).str.strip() == ""), "text", "cam kết để trống: ghi nội dung cam kết")
    chk.rows(df, words & (raw != ""), "value", lambda r: f"cam kết bằng lời không có giá trị số; để trống cột value (nhận được '{r.value}')")
    return df.assign(value=value)[["unit_id", "kind", "item", "value", "text"]]


def _registration_warnings(regs: pd.DataFrame | None, cov: Covenant, period: Period, members: pd.DataFrame,
                           path: Path, problems: list[Problem]) -> None:
    """Say who is left out by an award that requires registration; silent for covenants without one."""
    needing = [a.title for a in cov.awards if a.requires_registration and period.kind in a.periods]
    if not needing:
        return
    if regs is None:
        problems.append(Problem(str(path), "", f"không có tệp đăng ký thi đua của năm {period.year}: không đơn vị nào được coi "
                                               f"là đã đăng ký ({'; '.join(needing)} yêu cầu đăng ký)", "warning"))
        return
    for m in members.itertuples(index=False):
        if m.unit_id not in set(regs.unit_id):
            problems.append(Problem(str(path), f"đơn vị {m.unit_id}",
                                    f"{m.name} chưa nộp phiếu đăng ký thi đua: không được xét {'; '.join(needing)}", "warning"))


def read_source(data_dir: Path, bloc: str, period: Period | str) -> dict:
    """The period's ``source.yaml`` (where the data came from; ``synthetic: true`` for generated data), {} without one."""
    path = period_dir(data_dir, bloc, period) / SOURCE
    if not path.exists():
        return {}
    source = read_yaml(path, "tệp nguồn dữ liệu (source.yaml)")
    if not isinstance(source, dict):
        raise DataError([Problem(str(path), "", "cần một bảng khóa: giá trị (ví dụ 'synthetic: true')")])
    return source


def load_period_data(data_dir: Path, bloc: str, period: Period, cov: Covenant, vocab: Vocabulary, members: pd.DataFrame) -> PeriodData:
    """Read and validate one bloc's period folder; raise DataError listing every error."""
    folder = period_dir(data_dir, bloc, period)
    problems: list[Problem] = []
    year = period.year
    scores = _load_scores(folder / SCORES, cov, members, bloc, year, problems)
    events = _load_events(folder / EVENTS, cov, members, bloc, year, problems)
    violations = _load_violations(folder / VIOLATIONS, cov, members, scores, bloc, year, problems)
    annual = period.is_annual
    empty = pd.DataFrame(columns=["unit_id"])
    staff = _load_staff(folder / STAFF, vocab, members, bloc, year, problems) if annual else empty.assign(level=None, count=None)
    orgs = _load_orgs(folder / ORGS, vocab, members, bloc, year, problems) if annual else empty.assign(organisation=None, level=None, label=None)
    votes = _load_votes(folder / VOTES, members, bloc, year, problems) if annual else empty.assign(approve=None, voters=None)
    reg_path = period_dir(data_dir, bloc, str(year)) / REGISTRATIONS
    registrations = _load_registrations(reg_path, cov, members, bloc, year, problems)
    ballots = load_ballots(folder / BALLOTS, cov, members, problems) if annual else empty_ballots()
    if len(ballots) and not any(p.severity == "error" for p in problems):
        found, _agree = votes_disagreement(ballots, votes, cov, folder / BALLOTS, folder / VOTES)
        problems += found
        votes = votes.iloc[0:0]  # ballots.csv is the vote (see toolkit.model.ballots)
    if any(p.severity == "error" for p in problems):
        raise DataError([p for p in problems if p.severity == "error"] + [p for p in problems if p.severity != "error"])
    scores = _complete_grid(scores, cov, members, str(folder / SCORES), problems)
    submitted = set(scores.unit_id)
    for m in members.itertuples(index=False):
        if m.unit_id not in submitted:
            problems.append(Problem(str(folder / SCORES), f"đơn vị {m.unit_id}",
                                    f"{m.name} chưa nộp bảng tự chấm điểm: không được xếp hạng và không được xét khen thưởng", "warning"))
    _registration_warnings(registrations, cov, period, members, reg_path, problems)
    source = read_source(data_dir, bloc, period)
    files = sorted(p for p in folder.iterdir() if p.is_file())
    if registrations is not None and reg_path not in files:  # a half or quarter reads its year's registrations
        files = sorted(files + [reg_path])

    def tag(df: pd.DataFrame) -> pd.DataFrame:
        return df.assign(bloc_id=bloc)

    return PeriodData(period, tag(members), tag(scores), tag(events), tag(staff), tag(orgs), tag(votes),
                      problems, source, files, tag(violations),
                      None if registrations is None else tag(registrations), tag(ballots))
