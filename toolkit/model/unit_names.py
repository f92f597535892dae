"""Collectives named as people write them, matched to units through the lineage of a year.

A decision's attached list names collectives in words: "Sở Tài nguyên và Môi trường", "Sở TN&MT",
"Sở Tư pháp tỉnh Bắc Ninh", an old name of a renamed department, or its new name when the decision
came out after the rename. Retyping each as a unit id is where mistakes come in, so names are
matched here, and only exactly: a name is compared after NFC, stray spaces and case, with "và" and
"&" as one, and the leading "Sở", "Ban", "Quỹ", "Cục" of an abbreviation written as its initial
("Sở TN&MT" is the short name "STN&MT" of units.csv). A name that matches no unit of the year, or
more than one, is never guessed: the caller names it with its row.

The units of a year are those the lineage has not yet replaced (a unit merged in 2025 is not a
unit of 2025) and that already exist (a unit formed by a 2025 merger is not a unit of 2018). A
renamed unit answers to every name of its renames, earlier and later, as the unit of that year.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.model.registry import Registry
from toolkit.model.text import label_key

_INITIALS = {"sở": "s", "ban": "b", "quỹ": "q", "cục": "c"}


def name_key(text: object) -> str:
    """The key two spellings of one name share: "Sở TN & MT" and "STN&MT" give "stn&mt"."""
    words = label_key(text).replace(" và ", " & ").replace("&", " & ").replace(".", " ").split()
    if len(words) > 1 and words[0] in _INITIALS:
        words[0] = _INITIALS[words[0]]
    return "".join(w for w in words if w != "-")


def units_of_year(registry: Registry, year: int) -> list[str]:
    """Units that exist in ``year``: not yet replaced by a lineage event, and not formed by a later one."""
    lin = registry.lineage
    retired = set(lin.loc[lin["year"] <= year, "from_unit"])
    first_member = registry.membership.groupby("unit_id")["year"].min().to_dict()
    formed = lin[lin["event"] != "dissolve"].groupby("to_unit")["year"].min().to_dict()
    out = []
    for u in registry.units["unit_id"]:
        born = formed.get(u)
        if u in retired or (born is not None and born > year and first_member.get(u, born) >= born):
            continue
        out.append(u)
    return out


def renamed_with(registry: Registry, unit: str) -> set[str]:
    """``unit`` and every unit it was renamed from or to, transitively (one organisation under its names)."""
    renames = registry.lineage[registry.lineage["event"] == "rename"]
    edges = list(zip(renames["from_unit"], renames["to_unit"]))
    same, todo = {unit}, [unit]
    while todo:
        u = todo.pop()
        for a, b in edges:
            for x, y in ((a, b), (b, a)):
                if x == u and y not in same:
                    same.add(y)
                    todo.append(y)
    return same


@dataclass
class NameIndex:
    """Name keys of the units of one year."""

    year: int
    keys: dict[str, set[str]] = field(default_factory=dict)  # name key -> unit ids of the year
    others: dict[str, set[str]] = field(default_factory=dict)  # name key -> units of other years (to say why not)

    def match(self, text: object) -> list[str]:
        """The units of the year ``text`` names: one, none, or (ambiguous) several, sorted."""
        return sorted(self.keys.get(name_key(text), set()))

    def elsewhere(self, text: object) -> list[str]:
        """Units of other years that ``text`` names (a merged or dissolved unit, a unit formed later)."""
        return sorted(self.others.get(name_key(text), set()))


def name_index(registry: Registry, year: int) -> NameIndex:
    """The names each unit of ``year`` answers to: its names and short names, those of its renames, with the province."""
    provinces = [p for p in dict.fromkeys(registry.blocs["province"]) if p]
    units = registry.units.set_index("unit_id")
    active = units_of_year(registry, year)
    index = NameIndex(year)

    def spellings(u: str) -> set[str]:
        name, short = units.at[u, "name"], units.at[u, "short_name"]
        out = {name, short}
        for p in provinces:  # "Sở Tư pháp tỉnh Bắc Ninh", "Liên minh Hợp tác xã tỉnh Bắc Ninh", "Sở XD tỉnh Bắc Ninh"
            out |= {f"{n} {p}" if label_key(n).endswith(" tỉnh") else f"{n} tỉnh {p}" for n in (name, short) if label_key(n)}
        return {name_key(s) for s in out if label_key(s)}

    for u in active:
        for same in renamed_with(registry, u):
            for key in spellings(same):
                index.keys.setdefault(key, set()).add(u)
    for u in units.index:
        if u not in active:
            for key in spellings(u):
                if key not in index.keys:
                    index.others.setdefault(key, set()).add(u)
    return index
