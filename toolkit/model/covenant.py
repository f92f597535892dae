"""The covenant (giao ước thi đua) of one bloc and year, validated against a schema.

Everything that changes a result — maxima, scoring kinds, bonus/penalty caps, bands,
targets, the excellent-share cap and its rounding, award quotas and tie-breaks — lives here,
in a YAML file per bloc and year, never in code branches on a province or a year.
"""
from __future__ import annotations

import math

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator

from toolkit.errors import DataError, Problem
from toolkit.model.readers import read_yaml
from toolkit.model.schema import Model, schema_problems

Rounding = Literal["floor", "half_up", "ceil"]
Organisation = Literal["party", "union", "youth", "women", "veterans"]
ORGANISATION_VI = {
    "party": "Chi bộ, Đảng bộ",
    "union": "Công đoàn",
    "youth": "Đoàn Thanh niên",
    "women": "Hội Phụ nữ",
    "veterans": "Hội Cựu chiến binh",
}


CriterionKind = Literal["graded", "pass_fail", "count", "target", "deduction"]


class Criterion(Model):
    id: str
    title: str
    max: Annotated[float, Field(gt=0)]
    kind: CriterionKind = "graded"
    points_per_event: float | None = Field(None, gt=0, description="count: points per event, capped at max")
    points_per_violation: float | None = Field(
        None, gt=0, description="deduction (chấm trừ): points taken off the maximum per violation, never below 0")
    parts: list[Criterion] = Field(
        [], description="sub-criteria (tiêu chí thành phần), each with its own kind, maximum and value in "
                        "scores.csv; the criterion's maximum must be their sum")
    target: float | None = Field(None, gt=0, description="target: the value that earns half the maximum")
    unit: str = ""
    lower_is_better: bool = False
    min_value: float | None = Field(None, description="smallest plausible value entered (default by kind and unit)")
    max_value: float | None = Field(None, description="largest plausible value entered (default by kind and unit)")
    max_excess: float | None = Field(
        None, gt=0, description="target: the excess over the target counted at most (0.5 = 50 % better than the "
                                "target), so that one extreme unit cannot take the whole 'best excess' share")

    @model_validator(mode="after")
    def _kind_fields(self):
        if self.parts:
            # A parent is scored through its parts only: a kind or a value rule of its own would be ignored.
            # judged on values, not on keys written: a covenant dumped and parsed again (a what-if) writes every default
            rules = ("kind", "points_per_event", "points_per_violation", "target", "unit", "lower_is_better", "min_value",
                     "max_value", "max_excess")
            own = [f for f in rules if getattr(self, f) != type(self).model_fields[f].default]
            if own:
                raise ValueError(f"tiêu chí '{self.id}' có tiêu chí thành phần (parts) nên được chấm qua từng phần: "
                                 f"bỏ {', '.join(repr(x) for x in own)} ở tiêu chí này, khai báo ở từng phần")
            nested = [p.id for p in self.parts if p.parts]
            if nested:
                raise ValueError(f"tiêu chí thành phần {', '.join(nested)} của '{self.id}' không được có phần con (chỉ một cấp)")
            return self
        if self.kind == "count" and self.points_per_event is None:
            raise ValueError("tiêu chí loại 'count' cần 'points_per_event' (số điểm mỗi lần)")
        if self.kind == "target" and self.target is None:
            raise ValueError("tiêu chí loại 'target' cần 'target' (giá trị chỉ tiêu, > 0)")
        if self.max_excess is not None and self.kind != "target":
            raise ValueError("'max_excess' chỉ dùng cho tiêu chí loại 'target'")
        if self.kind == "deduction" and self.points_per_violation is None:
            raise ValueError("tiêu chí loại 'deduction' (chấm trừ) cần 'points_per_violation' (số điểm trừ mỗi lần vi phạm)")
        if self.points_per_violation is not None and self.kind != "deduction":
            raise ValueError("'points_per_violation' chỉ dùng cho tiêu chí loại 'deduction' (chấm trừ)")
        lo, hi = self.plausible_range()
        if hi < lo:
            raise ValueError(f"khoảng giá trị hợp lý rỗng: min_value {lo:g} > max_value {hi:g}")
        if self.kind == "target" and not lo <= self.target <= hi:
            raise ValueError(f"chỉ tiêu {self.target:g} nằm ngoài khoảng giá trị hợp lý [{lo:g}, {hi:g}]")
        return self

    def plausible_range(self) -> tuple[float, float]:
        """The values a unit can really enter; anything outside is a typing or export error, refused on load.

        Defaults: points of a graded criterion 0..max; pass/fail 0..1; counts (of events or of
        violations) from 0; a target
        in '%' 0..100, any other target from 0. A covenant sets ``min_value``/``max_value`` for
        anything else (e.g. days to settle a procedure: 0..365).
        """
        default_hi = {"graded": self.max, "pass_fail": 1.0}.get(self.kind, math.inf)
        if self.kind == "target" and self.unit.strip() == "%":
            default_hi = 100.0
        lo = 0.0 if self.min_value is None else self.min_value
        hi = default_hi if self.max_value is None else self.max_value
        return lo, hi

    @property
    def leaves(self) -> list[Criterion]:
        """The criteria scored one by one for this one: its parts, or itself when it has none."""
        return list(self.parts) or [self]


class Content(Model):
    id: str
    title: str
    criteria: list[Criterion] = Field(min_length=1)


class Event(Model):
    """A bonus (points > 0) or penalty (points < 0) outside the criteria."""

    id: str
    title: str
    points: float
    cap: float | None = Field(None, gt=0, description="largest absolute points this kind can add up to")


class Adjustments(Model):
    bonus_cap: float | None = Field(None, ge=0)
    penalty_cap: float | None = Field(None, ge=0)
    events: list[Event] = []


class Band(Model):
    id: str
    label: str
    min_total: float
    min_criterion_share: float = Field(0.0, ge=0, le=1)


class StaffTarget(Model):
    id: str
    title: str
    min_level: str
    min_share: float = Field(ge=0, le=1)


class OrgTarget(Model):
    id: str
    title: str
    organisation: Organisation
    min_level: str
    required: bool = True  # a unit without this organisation fails the target when True


class ExcellentCap(Model):
    """Legal cap on the share of staff rated excellent (Decree 90/2020 as amended)."""

    level: str
    base_min_level: str
    ratio: float = Field(gt=0, le=1)
    rounding: Rounding = "floor"
    # "20 % of those rated hoàn thành tốt" is read two ways: that level and above (at_least), or
    # that level only (exactly). No text settles it yet: the covenant says which, the report shows it.
    base_scope: Literal["at_least", "exactly"] = "at_least"
    basis: str = ""
    confirmed: bool = False


class Targets(Model):
    staff: list[StaffTarget] = []
    organisations: list[OrgTarget] = []
    excellent_cap: ExcellentCap | None = None


class Quota(Model):
    count: int | None = Field(None, ge=0)
    share: float | None = Field(None, gt=0, le=1)
    rounding: Rounding = "floor"

    @model_validator(mode="after")
    def _one(self):
        if (self.count is None) == (self.share is None):
            raise ValueError("hạn mức cần đúng một trong 'count' (số đơn vị) hoặc 'share' (tỷ lệ số thành viên)")
        return self


class Award(Model):
    id: str
    title: str
    quota: Quota
    periods: list[Literal["year", "half", "quarter"]] = ["year"]
    min_total: float | None = None
    min_band: str | None = None
    required_targets: list[str] | Literal["all"] = []
    disqualifying_events: list[str] = []
    require_cap_compliance: bool = False
    min_vote_share: float | None = Field(None, gt=0, le=1)
    vote_rule: Literal["at_least", "more_than"] = Field("at_least", description="share ≥ min_vote_share, or share > it")
    vote_base: Literal["issued", "returned", "valid", "members", "present"] = Field(
        "issued", description="what the vote share is counted on: ballots issued, returned or valid, the bloc's member units, "
                              "or the members present (Decree 152/2025 Art. 33(5) counts a council's vote on all its members)")
    excludes: list[str] = Field([], description="awards whose nominees are not nominated for this one")
    requires_registration: bool = Field(False, description="only units that registered for this award at the start "
                                                           "of the year (registrations.csv) are considered")
    basis: str = ""


class VerificationGroup(Model):
    """Cross-checking (chấm chéo): the team of ``verifier`` verifies the self-assessments of ``units``."""

    verifier: str
    units: list[str] = Field(min_length=1)


SECRETARIAT = "truong-khoi"  # the verifier id of secretariat mode: the bloc's leader verifies every member


class Verification(Model):
    """Who verifies the self-assessments: the bloc's leader for everyone, or cross-checking groups."""

    mode: Literal["secretariat", "cross"] = "secretariat"
    groups: list[VerificationGroup] = []

    def assignments(self, members: list[str]) -> dict[str, list[str]]:
        """Verifier id -> the members it verifies, in membership order (one workbook each)."""
        if self.mode == "secretariat":
            return {SECRETARIAT: list(members)}
        order = {u: i for i, u in enumerate(members)}
        return {g.verifier: sorted(g.units, key=lambda u: order.get(u, len(order))) for g in self.groups}

    def verifier_of(self, members: list[str]) -> dict[str, str]:
        """Member -> the id of who is due to verify it."""
        return {u: v for v, units in self.assignments(members).items() for u in units}

    @model_validator(mode="after")
    def _groups(self):
        if self.mode == "cross" and not self.groups:
            raise ValueError("chấm chéo ('mode: cross') cần 'groups': đơn vị thẩm định và các đơn vị được thẩm định")
        if self.mode == "secretariat" and self.groups:
            raise ValueError("'groups' chỉ dùng khi chấm chéo ('mode: cross')")
        return self


def verifier_name(verifier: str, members) -> str:
    """How a verifier is named to people: its unit's name, or the leader for the secretariat.

    ``members`` is the registry's members frame of the year (unit_id, name, role).
    """
    if verifier != SECRETARIAT:
        name = members.loc[members["unit_id"] == verifier, "name"]
        return name.iloc[0] if len(name) else verifier
    leader = members.loc[members["role"] == "leader", "name"]
    return f"Trưởng khối ({leader.iloc[0]})" if len(leader) else "Trưởng khối"


class Pending(Model):
    """A point a drafted covenant leaves for the bloc to decide again (``thidua covenant draft``)."""

    key: str  # the key path it is about: "signed_on", "awards[1].quota", "membership"
    note: str  # what to decide, in Vietnamese


TIE_BREAK_HELP = (
    "total | content:<id> | criterion:<id> | bonus | penalty | self_gap | vote_share | name"
)


class Covenant(Model):
    bloc: str
    year: int
    title: str
    signed_on: str | None = None
    signed_at: str | None = None
    source: str = ""
    synthetic: bool = False
    legal_basis: list[str] = []
    total: float = Field(gt=0)
    decimals: int = Field(2, ge=0, le=4)
    band_score: Literal["total", "criteria"] = "total"
    contents: list[Content] = Field(min_length=1)
    adjustments: Adjustments = Adjustments()
    bands: list[Band] = []
    targets: Targets = Targets()
    awards: list[Award] = []
    tie_break: list[str] = ["total"]
    verification: Verification = Verification()
    notes: list[str] = []
    # points a draft leaves open; `thidua covenant check` fails until the bloc has decided each and removed it
    to_decide: list[Pending] = []

    @property
    def criteria(self) -> list[tuple[Content, Criterion]]:
        """The criteria that take a value each in scores.csv and on the form: a criterion's parts stand in its place."""
        return [(c, leaf) for c in self.contents for k in c.criteria for leaf in k.leaves]

    @property
    def top_criteria(self) -> list[tuple[Content, Criterion]]:
        """The criteria as the scoring table lists them: a criterion with parts once, as itself."""
        return [(c, k) for c in self.contents for k in c.criteria]

    def parent_of(self, criterion_id: str) -> Criterion | None:
        """The criterion whose part ``criterion_id`` is, or None for a criterion that is no part."""
        return next((k for _, k in self.top_criteria for p in k.parts if p.id == criterion_id), None)

    def event(self, event_id: str) -> Event | None:
        return next((e for e in self.adjustments.events if e.id == event_id), None)

    def target_ids(self) -> list[str]:
        t = self.targets
        return [x.id for x in t.staff] + [x.id for x in t.organisations]


def group_problems(v: Verification, members: list[str] | None = None) -> list[tuple[str, str]]:
    """(key path, message) for cross-checking groups that do not verify every member exactly once, by someone else.

    Without ``members`` (the covenant alone) only what the groups say among themselves is checked;
    with that year's members, also that every id is a member and every member is verified.
    """
    out: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    verifiers: dict[str, int] = {}
    known = set(members) if members is not None else None
    for i, g in enumerate(v.groups):
        where = f"verification.groups[{i}]"
        if g.verifier in verifiers:
            out.append((f"{where}.verifier", f"đơn vị '{g.verifier}' đã là đơn vị thẩm định của nhóm {verifiers[g.verifier] + 1}: "
                                             "gộp các đơn vị được thẩm định vào một nhóm"))
        verifiers.setdefault(g.verifier, i)
        if known is not None and g.verifier not in known:
            out.append((f"{where}.verifier", f"đơn vị thẩm định '{g.verifier}' không phải thành viên khối năm này"))
        for j, u in enumerate(g.units):
            if u == g.verifier:
                out.append((f"{where}.units[{j}]", f"đơn vị '{u}' không được tự thẩm định bảng tự chấm của mình"))
            if u in seen:
                out.append((f"{where}.units[{j}]", f"đơn vị '{u}' đã được nhóm {seen[u] + 1} thẩm định: "
                                                   "mỗi đơn vị chỉ được một nhóm thẩm định"))
            seen.setdefault(u, i)
            if known is not None and u not in known:
                out.append((f"{where}.units[{j}]", f"đơn vị '{u}' không phải thành viên khối năm này"))
    if known is not None and v.mode == "cross":
        left = [u for u in members if u not in seen]
        if left:
            out.append(("verification.groups", "chưa có nhóm thẩm định các thành viên: " + ", ".join(left)))
    return out


def _semantic_problems(cov: Covenant, file: str, levels: dict[str, set[str]]) -> list[Problem]:
    """Cross-field checks the schema cannot express; ``levels`` maps scale -> level ids."""
    probs: list[Problem] = []

    def add(where: str, msg: str) -> None:
        probs.append(Problem(file, where, msg))

    total_max = sum(Decimal(str(k.max)) for _, k in cov.top_criteria)
    if total_max != Decimal(str(cov.total)):
        # maxima are floats, so the Decimal sum reads "102.0": print it as written ("102", "99.5")
        add("total", f"tổng điểm khai báo {cov.total:g} khác tổng điểm chuẩn các tiêu chí {total_max.normalize():f}")
    seen: dict[str, str] = {}
    for i, content in enumerate(cov.contents):
        for j, crit in enumerate(content.criteria):
            where = f"contents[{i}].criteria[{j}]"
            for k, item in [(None, crit)] + list(enumerate(crit.parts)):
                at = f"{where}.id" if k is None else f"{where}.parts[{k}].id"
                if item.id in seen:
                    add(at, f"mã tiêu chí '{item.id}' bị trùng (đã dùng ở {seen[item.id]})")
                seen[item.id] = at
            if crit.parts:
                parts_max = sum(Decimal(str(p.max)) for p in crit.parts)
                if parts_max != Decimal(str(crit.max)):
                    terms = " + ".join(f"{p.id}: {p.max:g}" for p in crit.parts)
                    add(f"{where}.max", f"tiêu chí '{crit.id}': điểm chuẩn {crit.max:g} khác tổng điểm chuẩn các tiêu chí "
                                        f"thành phần {parts_max.normalize():f} ({terms})")
    for what, items in (("contents", cov.contents), ("bands", cov.bands), ("awards", cov.awards),
                        ("adjustments.events", cov.adjustments.events)):
        ids = [x.id for x in items]
        for dup in sorted({x for x in ids if ids.count(x) > 1}):
            add(what, f"mã '{dup}' bị trùng")
    event_ids = {e.id for e in cov.adjustments.events}
    band_ids = [b.id for b in cov.bands]
    target_ids = set(cov.target_ids())
    award_ids = {a.id for a in cov.awards}
    content_ids = {c.id for c in cov.contents}
    staff_levels = levels.get("staff", set())
    for i, t in enumerate(cov.targets.staff):
        if staff_levels and t.min_level not in staff_levels:
            add(f"targets.staff[{i}].min_level", f"mức '{t.min_level}' không có trong thang xếp loại công chức ({', '.join(sorted(staff_levels))})")
    for i, t in enumerate(cov.targets.organisations):
        scale = "party" if t.organisation == "party" else "mass"
        if levels.get(scale) and t.min_level not in levels[scale]:
            add(f"targets.organisations[{i}].min_level", f"mức '{t.min_level}' không có trong thang '{scale}' ({', '.join(sorted(levels[scale]))})")
    cap = cov.targets.excellent_cap
    if cap and staff_levels:
        for f in ("level", "base_min_level"):
            if getattr(cap, f) not in staff_levels:
                add(f"targets.excellent_cap.{f}", f"mức '{getattr(cap, f)}' không có trong thang xếp loại công chức")
    for i, a in enumerate(cov.awards):
        for e in a.disqualifying_events:
            if e not in event_ids:
                add(f"awards[{i}].disqualifying_events", f"sự kiện '{e}' không khai báo trong adjustments.events")
        if a.min_band is not None and a.min_band not in band_ids:
            add(f"awards[{i}].min_band", f"xếp loại '{a.min_band}' không có trong bands ({', '.join(band_ids)})")
        if a.required_targets != "all":
            for t in a.required_targets:
                if t not in target_ids:
                    add(f"awards[{i}].required_targets", f"chỉ tiêu '{t}' không có trong targets")
        # Awards are decided in covenant order and an award can only skip the nominees of an
        # award decided before it; a later or unknown id would be silently ignored.
        earlier = [b.id for b in cov.awards[:i]]
        for x in a.excludes:
            if x not in earlier:
                why = ("là chính danh hiệu này" if x == a.id else "đứng sau danh hiệu này trong awards" if x in award_ids
                       else "không có trong awards")
                add(f"awards[{i}].excludes", f"danh hiệu '{x}' {why}; chỉ loại trừ được danh hiệu xét trước "
                                              f"({', '.join(earlier) or 'không có'})")
    totals = [b.min_total for b in cov.bands]
    if totals != sorted(totals, reverse=True):
        add("bands", "các mức xếp loại phải xếp từ cao xuống thấp theo min_total")
    for i, key in enumerate(cov.tie_break):
        kind, _, ref = key.partition(":")
        ok = (kind in {"total", "bonus", "penalty", "self_gap", "vote_share", "name"} and not ref) or (
            kind == "content" and ref in content_ids) or (kind == "criterion" and ref in seen)
        if not ok:
            add(f"tie_break[{i}]", f"tiêu chí phân hạng '{key}' không hợp lệ; dùng {TIE_BREAK_HELP}")
    probs += [Problem(file, where, msg) for where, msg in group_problems(cov.verification)]
    if cov.tie_break[:1] != ["total"]:
        add("tie_break[0]", "tiêu chí phân hạng đầu tiên phải là 'total' (tổng điểm)")
    return probs


def covenant_problems(raw: object, file: str, levels: dict[str, set[str]] | None = None) -> tuple[Covenant | None, list[Problem]]:
    """The covenant and every problem loading finds; the covenant is None when the schema refuses it.

    ``thidua covenant check`` starts from here, so it reports what loading reports, and more.
    """
    try:
        cov = Covenant.model_validate(raw)
    except ValidationError as exc:
        return None, schema_problems(exc, file, "giao ước")
    return cov, _semantic_problems(cov, file, levels or {})


def parse_covenant(raw: object, file: str, levels: dict[str, set[str]] | None = None) -> Covenant:
    """Validate an already-parsed YAML document; raise one DataError listing every problem."""
    cov, problems = covenant_problems(raw, file, levels)
    if problems:
        raise DataError(problems)
    return cov


def load_covenant(path: Path, levels: dict[str, set[str]] | None = None) -> Covenant:
    """Read a covenant YAML file through the one reader (encodings, line and column of a fault) and validate it."""
    return parse_covenant(read_yaml(path, "giao ước thi đua (YAML)"), str(path), levels)
