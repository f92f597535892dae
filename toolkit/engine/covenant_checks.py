"""What ``thidua covenant check`` finds in a covenant before it is signed, beyond what loading refuses.

Loading a covenant already refuses a wrong total, unknown events, targets, bands and awards,
and levels that no scale has (:func:`toolkit.model.covenant.covenant_problems`). A covenant can
pass all that and still be wrong in ways only its year and bloc show: a band no unit can ever
land in, a quota larger than the bloc, a level that has no label in that year's vocabulary, or
points a draft left open. Each such check is one function here returning its problems, so a
new setting brings its own check (:data:`CHECKS`); all of them run and report together.

Band reachability treats every criterion's points as continuous between 0 and its maximum
(a pass/fail or count criterion only takes some of those values), the way the floors and
thresholds of :func:`toolkit.engine.scoring.assign_bands` are written.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from toolkit.engine.nominations import quota_size
from toolkit.errors import Problem
from toolkit.model.covenant import Band, Covenant, group_problems
from toolkit.model.text import fmt_number, fmt_percent
from toolkit.model.vocabulary import Vocabulary


@dataclass(frozen=True)
class CheckContext:
    """What a covenant is checked against: its file, the bloc's members that year, the vocabulary."""

    file: str
    members: int  # members of the bloc in the covenant's year (membership.csv)
    vocab: Vocabulary
    membership_file: str = "membership.csv"
    member_ids: tuple[str, ...] = ()  # the members themselves, in membership order (the cross-checking groups)


def _n(x: float) -> str:
    return "không giới hạn" if math.isinf(x) else fmt_number(x, 2).rstrip("0").rstrip(",")


def _share(x: float) -> str:
    return fmt_percent(x, 0 if abs(x * 100 - round(x * 100)) < 1e-9 else 1)


def score_range(cov: Covenant) -> tuple[float, float, float]:
    """(sum of maxima, most bonus, most penalty) a unit's band score can carry; bonus and penalty are 0 with ``band_score: criteria``."""
    top = sum(k.max for _, k in cov.criteria)
    if cov.band_score == "criteria":
        return top, 0.0, 0.0
    adj = cov.adjustments

    def most(sign: int, overall: float | None) -> float:
        kinds = [e for e in adj.events if e.points * sign > 0]
        total = sum(e.cap if e.cap is not None else math.inf for e in kinds)
        return min(total, overall) if overall is not None else total

    return top, most(1, adj.bonus_cap), most(-1, adj.penalty_cap)


@dataclass(frozen=True)
class Reach:
    """Whether a band can be reached, why not, and (when it can) one score that lands in it."""

    band: Band
    reachable: bool
    why: str = ""
    criteria: tuple[float, ...] = ()  # points per criterion, in covenant order
    bonus: float = 0.0
    penalty: float = 0.0


def band_reach(cov: Covenant, index: int) -> Reach:
    """Can a unit land in ``cov.bands[index]``: reach its threshold and floors without meeting a higher band's?

    The lowest band score meeting the floors is v = max(threshold, floors' sum − most penalty);
    a higher band whose threshold is at most v can only be missed through its own floor: one
    criterion (the smallest) below that floor, which needs that floor to be higher than this
    band's and caps the score below (sum of maxima − (1 − floor) × smallest maximum + most bonus).
    """
    band = cov.bands[index]
    maxima = [k.max for _, k in cov.criteria]
    top, bonus, penalty = score_range(cov)
    s = band.min_criterion_share
    highest = top + bonus
    if band.min_total > highest + 1e-9:
        return Reach(band, False, f"ngưỡng {_n(band.min_total)} điểm cao hơn số điểm tối đa có thể đạt ({_n(top)} điểm tiêu chí"
                                  + (f" + {_n(bonus)} điểm cộng" if bonus else "") + ")")
    v = max(band.min_total, s * top - penalty)
    higher = [b for b in cov.bands[:index] if b.min_total <= v + 1e-9]
    dip = None
    if higher:
        blocking = next((b for b in higher if b.min_criterion_share <= s), None)
        if blocking is not None:
            return Reach(band, False, f"mọi đơn vị đạt mức này (từ {_n(band.min_total)} điểm, mỗi tiêu chí từ {_share(s)} điểm chuẩn) "
                                      f"đều đạt mức cao hơn '{blocking.label}' (từ {_n(blocking.min_total)} điểm, mỗi tiêu chí "
                                      f"từ {_share(blocking.min_criterion_share)})")
        floor = min(b.min_criterion_share for b in higher)
        dip = min(range(len(maxima)), key=lambda i: maxima[i])
        ceiling = top - (1 - floor) * maxima[dip] + bonus
        if v >= ceiling - 1e-9:
            names = ", ".join(f"'{b.label}'" for b in higher)
            return Reach(band, False, f"điểm thấp nhất đạt ngưỡng và mức sàn của mức này là {_n(v)}, đã đủ ngưỡng của mức {names}; "
                                      f"muốn không vào mức đó phải có tiêu chí dưới {_share(floor)} điểm chuẩn, khi đó điểm "
                                      f"cao nhất chỉ dưới {_n(ceiling)}")
    return _witness(band, maxima, v, s, bonus, dip)


def _witness(band: Band, maxima: list[float], v: float, s: float, bonus: float, dip: int | None) -> Reach:
    """One score of band ``v`` meeting the floors ``s``: every criterion at its floor, then raised (the dip one last) or penalised."""
    points = [s * m for m in maxima]
    gap = v - sum(points)
    if gap < 0:
        return Reach(band, True, criteria=tuple(points), penalty=-gap)
    for i, m in enumerate(maxima):
        if i != dip and gap > 0:
            step = min(gap, m - points[i])
            points[i] += step
            gap -= step
    extra = min(gap, bonus)
    gap -= extra
    if dip is not None and gap > 0:  # stays below the higher band's floor: v is below the ceiling
        points[dip] += gap
    return Reach(band, True, criteria=tuple(points), bonus=extra)


def bands_reachable(cov: Covenant, ctx: CheckContext) -> list[Problem]:
    """Every band is one a unit can land in, given its threshold, its floors and the bands above it."""
    out = []
    for i in range(len(cov.bands)):
        r = band_reach(cov, i)
        if not r.reachable:
            out.append(Problem(ctx.file, f"bands[{i}]", f"không đơn vị nào có thể được xếp loại '{r.band.label}': {r.why}"))
    return out


def quotas_fit(cov: Covenant, ctx: CheckContext) -> list[Problem]:
    """Each quota admits at least one unit and no more than the bloc has, with the quotas of the awards it excludes."""
    if ctx.members == 0:
        return [Problem(ctx.membership_file, "", f"khối '{cov.bloc}' chưa có thành viên năm {cov.year}: không kiểm tra được hạn mức "
                                                 "khen thưởng (thêm các dòng năm này vào membership.csv)")]
    out = []
    sizes = {a.id: quota_size(a, ctx.members)[0] for a in cov.awards}
    for i, a in enumerate(cov.awards):
        n, how = quota_size(a, ctx.members)
        if n == 0:
            out.append(Problem(ctx.file, f"awards[{i}].quota", f"hạn mức của '{a.title}' là 0 đơn vị ({how}): không đơn vị nào được đề nghị"))
        elif n > ctx.members:
            out.append(Problem(ctx.file, f"awards[{i}].quota", f"hạn mức của '{a.title}' ({how}) lớn hơn số thành viên của khối "
                                                               f"năm {cov.year} ({ctx.members})"))
        elif a.excludes and all(sizes.get(x, 0) <= ctx.members for x in a.excludes) \
                and n + sum(sizes.get(x, 0) for x in a.excludes) > ctx.members:  # one too large is reported on its own
            together = n + sum(sizes.get(x, 0) for x in a.excludes)
            out.append(Problem(ctx.file, f"awards[{i}].quota",
                               f"hạn mức của '{a.title}' ({n}) cộng hạn mức của danh hiệu bị loại trừ ({', '.join(a.excludes)}) là "
                               f"{together}, lớn hơn số thành viên của khối năm {cov.year} ({ctx.members})"))
    return out


def _levels_used(cov: Covenant) -> list[tuple[str, str, str]]:
    """(key path, scale, level) of every rating level the covenant names."""
    out = [(f"targets.staff[{i}].min_level", "staff", t.min_level) for i, t in enumerate(cov.targets.staff)]
    out += [(f"targets.organisations[{i}].min_level", "party" if t.organisation == "party" else "mass", t.min_level)
            for i, t in enumerate(cov.targets.organisations)]
    cap = cov.targets.excellent_cap
    if cap:
        out += [("targets.excellent_cap.level", "staff", cap.level), ("targets.excellent_cap.base_min_level", "staff", cap.base_min_level)]
    return out


def labels_valid_that_year(cov: Covenant, ctx: CheckContext) -> list[Problem]:
    """Each rating level the covenant names has a label in the vocabulary of the covenant's year."""
    out = []
    for where, scale_name, level in _levels_used(cov):
        scale = ctx.vocab.scales.get(scale_name)
        if scale is None or level not in scale.levels:
            continue  # an unknown level is refused on loading already
        version = scale.version(cov.year)
        if version is None:
            out.append(Problem(ctx.file, where, f"thang xếp loại '{scale_name}' không có nhãn nào dùng được năm {cov.year} "
                                                "(vocabularies.yaml: thêm phiên bản 'versions' cho năm này)"))
        elif level not in version.labels.values():
            valid = ", ".join(sorted(set(version.labels.values())))
            out.append(Problem(ctx.file, where, f"mức '{level}' ({scale.display(level)}) không có nhãn nào hợp lệ năm {cov.year} "
                                                f"trong thang '{scale_name}' (các mức dùng được: {valid})"))
    return out


def nothing_left_to_decide(cov: Covenant, ctx: CheckContext) -> list[Problem]:
    """A drafted covenant's open points (``to_decide``): each one until the bloc decides it and removes it."""
    return [Problem(ctx.file, f"to_decide[{i}]", f"chưa quyết định: {p.key}: {p.note} (quyết định xong thì xóa mục này)")
            for i, p in enumerate(cov.to_decide)]


def groups_cover_the_members(cov: Covenant, ctx: CheckContext) -> list[Problem]:
    """Cross-checking groups (``verification``) that verify every member of that year exactly once, never itself."""
    if cov.verification.mode != "cross" or not ctx.member_ids:
        return []
    return [Problem(ctx.file, where, message) for where, message in group_problems(cov.verification, list(ctx.member_ids))]


CHECKS: tuple[Callable[[Covenant, CheckContext], list[Problem]], ...] = (
    bands_reachable, quotas_fit, labels_valid_that_year, groups_cover_the_members, nothing_left_to_decide,
)


def check_covenant(cov: Covenant, ctx: CheckContext) -> list[Problem]:
    """Every problem of every check, in the order of :data:`CHECKS`."""
    return [p for check in CHECKS for p in check(cov, ctx)]
