"""Next year's covenant drafted from this year's, so a bloc never writes one from nothing.

Pure: the covenant as read (a dict, key order kept), the registry and the vocabulary in; the
draft, the membership rows it proposes and the points left open out. What carries over as it
is: contents, criteria, points, events, bands, awards, tie-breaks. What cannot: the date and
place of signing, the legal bases in force, the quotas (the membership changes), the targets
when that year's rating vocabulary is another version, and every unit id a merger or a rename
replaced. Those are listed under ``to_decide`` (key path and what to decide), which
``thidua covenant check`` reports until the bloc removes each one.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from toolkit.engine.nominations import quota_size
from toolkit.model.covenant import Covenant
from toolkit.model.registry import ROLES, Registry
from toolkit.model.schema import key_path
from toolkit.model.vocabulary import Vocabulary

_RANK = {role: i for i, role in enumerate(("member", "deputy", "leader"))}


@dataclass
class Draft:
    covenant: dict  # the new year's covenant, ready to dump as YAML
    membership: list[dict] = field(default_factory=list)  # rows to add to membership.csv (none when the year has its own)
    replaced: dict[str, str | None] = field(default_factory=dict)  # unit id -> its successor (None: dissolved)


def _pending(key: str, note: str) -> dict:
    return {"key": key, "note": note}


def carried_members(reg: Registry, bloc: str, old: int, new: int) -> tuple[list[dict], dict[str, str | None]]:
    """The old year's members as of the new year: each replaced by its successor, merged ones once, with the highest role.

    A member whose successor belongs to another bloc (Sở Thông tin và Truyền thông merged into Sở Khoa học và
    Công nghệ of the văn hóa - xã hội bloc) leaves the bloc with its functions: it is not carried, since a unit
    is a member of one bloc a year. It stays in ``replaced``, so the draft says where it went.
    """
    succ = reg.successors(old, new)
    m = reg.membership
    elsewhere = set(m.loc[m["year"].isin([old, new]) & (m["bloc_id"] != bloc), "unit_id"])
    rows: dict[str, str] = {}
    replaced = {}
    for r in reg.members(bloc, old).itertuples():
        to = succ.get(r.unit_id, r.unit_id)
        if to != r.unit_id:
            replaced[r.unit_id] = to
        if to is None or (to != r.unit_id and to in elsewhere):
            continue
        if to not in rows or _RANK[r.role] > _RANK[rows[to]]:
            rows[to] = r.role
    return [{"year": new, "bloc_id": bloc, "unit_id": u, "role": r} for u, r in rows.items()], replaced


def _replace_units(node, succ: dict[str, str | None], path: tuple, found: list[tuple[str, str, str | None]]):
    """Every unit id a setting names (verification groups, say), replaced by its successor; dissolved ones dropped."""
    if isinstance(node, dict):
        return {k: _replace_units(v, succ, (*path, k), found) for k, v in node.items()}
    if isinstance(node, list):
        out = []
        for i, v in enumerate(node):
            new = _replace_units(v, succ, (*path, i), found)
            if not (isinstance(v, str) and v in succ and new is None) and new not in out:
                out.append(new)
        return out
    if isinstance(node, str) and node in succ and succ[node] != node:
        found.append((key_path(path), node, succ[node]))
        return succ[node]
    return node


def _version(vocab: Vocabulary, scale: str, year: int):
    s = vocab.scales.get(scale)
    return s.version(year) if s else None


def draft_covenant(raw: dict, cov: Covenant, reg: Registry, vocab: Vocabulary, new_year: int) -> Draft:
    """The covenant of ``new_year`` drafted from ``raw`` (the covenant ``cov`` as read), with what must be decided again."""
    old = cov.year
    bloc = cov.bloc
    members, replaced = carried_members(reg, bloc, old, new_year)
    own = reg.members(bloc, new_year)
    names = dict(zip(reg.units["unit_id"], reg.units["name"]))
    todo: list[dict] = []
    d = copy.deepcopy(raw)
    d.pop("to_decide", None)
    d["year"] = new_year
    if isinstance(d.get("title"), str) and str(old) in d["title"]:
        d["title"] = d["title"].replace(str(old), str(new_year))
    for key, what in (("signed_on", "ngày ký giao ước (YYYY-MM-DD)"), ("signed_at", "nơi ký giao ước (đơn vị đăng cai)")):
        d[key] = None
        todo.append(_pending(key, f"{what} năm {new_year}"))
    if d.get("legal_basis"):
        todo.append(_pending("legal_basis", f"các văn bản làm căn cứ còn hiệu lực năm {new_year}: bỏ văn bản hết hiệu lực, thêm văn bản mới"))
    succ = reg.successors(old, new_year)
    found: list = []
    d = _replace_units(d, succ, (), found)
    for where, was, now in found:
        todo.append(_pending(where, f"'{names.get(was, was)}' " + (f"đã sáp nhập, đổi tên thành '{names.get(now, now)}'; đã thay, "
                                                                    "kiểm tra lại" if now else "đã giải thể; đã bỏ, kiểm tra lại")))
    if own.empty:
        lines = [f"{names.get(r['unit_id'], r['unit_id'])} ({ROLES[r['role']].lower()})" for r in members]
        carried = {r["unit_id"] for r in members}
        moved = "; ".join(f"{names.get(u, u)} → {names.get(t, t) if t else 'giải thể'}"
                          + ("" if t is None or t in carried else " (thuộc khối khác: không còn là thành viên khối)")
                          for u, t in replaced.items())
        todo.append(_pending("membership", f"thành viên năm {new_year} (membership.csv) chép từ năm {old}"
                                           + (f" theo sáp nhập, đổi tên ({moved})" if moved else "")
                                           + f": {', '.join(lines)}; trưởng khối, phó khối giữ như năm {old}: "
                                             "sửa theo quyết định của UBND tỉnh"))
        n_new = len(members)
    else:
        members = []
        n_new = len(own)
    n_old = len(reg.members(bloc, old))
    for i, a in enumerate(cov.awards):
        before, after = quota_size(a, n_old)[1], quota_size(a, n_new)[1]
        todo.append(_pending(f"awards[{i}].quota", f"hạn mức '{a.title}' năm {new_year}: {after} (năm {old}: {before})"))
    changed = [s for s in ("staff", "party", "mass") if _version(vocab, s, old) != _version(vocab, s, new_year)]
    t = cov.targets
    for i, x in enumerate(t.staff):
        if "staff" in changed:
            todo.append(_pending(f"targets.staff[{i}]", f"thang xếp loại công chức năm {new_year} khác năm {old}: xem lại mức và tỷ lệ"))
    for i, x in enumerate(t.organisations):
        if ("party" if x.organisation == "party" else "mass") in changed:
            todo.append(_pending(f"targets.organisations[{i}]", f"thang xếp loại năm {new_year} khác năm {old}: xem lại mức"))
    if t.excellent_cap is not None and "staff" in changed:
        todo.append(_pending("targets.excellent_cap", f"quy định tỷ lệ hoàn thành xuất sắc năm {new_year}: xem lại tỷ lệ, cơ sở tính"))
    d["to_decide"] = todo
    return Draft(d, members, replaced)
