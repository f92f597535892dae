"""Proposed against granted: the province's decisions joined to what the blocs proposed, and a unit's awards over the years.

Pure functions over the frames of :mod:`toolkit.model.decisions` and the awards frame of a bloc's
history (one row per period, award and unit, ``nominated`` true for a proposal). A proposal is
*granted* when a decision's line names the unit for that award and period; *not granted* when a
decision decides that award for that period without naming the unit; *pending* ("chờ quyết định")
while no decision decides it. Pending is never counted as not granted.

A decision line names the collective as it was when the decision came out, which may be after a
rename: each line is first carried back to the unit of its period's year along renames
(:func:`lines_as_of_year`), the unit the bloc proposed. A unit's own history
(:func:`unit_history`) collects the awards of the unit and of every unit that became it, by rename
or merger, each line saying which predecessor received it.
"""
from __future__ import annotations

import pandas as pd

from toolkit.model.registry import Registry
from toolkit.model.unit_names import renamed_with, units_of_year

GRANTED = "được tặng"
NOT_GRANTED = "không được tặng"
PENDING = "chờ quyết định"
GRANTED_UNPROPOSED = "được tặng (không qua đề nghị của khối)"
OUTCOME_COLUMNS = ["granted", "decision", "decision_date", "status"]


def lines_as_of_year(lines: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """``lines`` with ``unit_id`` carried back (along renames only) to the unit that existed in the line's year.

    The id the decision used stays in ``granted_to``. A line whose unit and renames did not exist
    that year keeps its unit (it then matches no proposal).
    """
    out = lines.copy()
    out["granted_to"] = out["unit_id"]
    years: dict[int, set[str]] = {}
    mapped = []
    for year, unit in zip(out["year"], out["unit_id"]):
        active = years.setdefault(int(year), set(units_of_year(registry, int(year))))
        if unit in active:
            mapped.append(unit)
            continue
        same = sorted(u for u in renamed_with(registry, unit) if u in active)
        mapped.append(same[0] if len(same) == 1 else unit)
    out["unit_id"] = pd.Series(mapped, index=out.index, dtype=object)
    return out


def outcomes(awards: pd.DataFrame, lines: pd.DataFrame, decided: pd.DataFrame) -> pd.DataFrame:
    """``awards`` (period, award_id, unit_id, nominated) with each row's outcome: OUTCOME_COLUMNS.

    ``granted`` is True, False (a decision decided the award and period without the unit) or NA
    (pending); ``decision`` the number of the granting decision, or of the deciding ones when not
    granted ("; "-joined); ``status`` the outcome in words, blank for a unit neither proposed nor granted.
    ``lines`` must already be :func:`lines_as_of_year`.
    """
    out = awards.copy()
    grant = (lines.sort_values(["date", "number"], kind="stable")
             .drop_duplicates(["period", "award_id", "unit_id"])
             .set_index(["period", "award_id", "unit_id"]))
    deciding = decided.sort_values(["date", "number"], kind="stable").groupby(["period", "award_id"])["number"].agg("; ".join)
    keys = list(zip(out["period"].astype(str), out["award_id"].astype(str), out["unit_id"].astype(str)))
    granted, number, date = [], [], []
    for period, award, unit in keys:
        if (period, award, unit) in grant.index:
            row = grant.loc[(period, award, unit)]
            granted.append(True)
            number.append(str(row["number"]))
            date.append(row["date"])
        elif (period, award) in deciding.index:
            granted.append(False)
            number.append(str(deciding.loc[(period, award)]))
            date.append(None)
        else:
            granted.append(pd.NA)
            number.append("")
            date.append(None)
    out["granted"] = pd.array(granted, dtype="boolean")
    out["decision"] = pd.Series(number, index=out.index, dtype=object)
    out["decision_date"] = pd.Series(date, index=out.index, dtype=object)
    out["status"] = [status(bool(n), g) for n, g in zip(out["nominated"], out["granted"])]
    return out


def status(nominated: bool, granted) -> str:
    """The outcome of one unit and award in words (see the module's docstring)."""
    if granted is True or (granted is not pd.NA and granted is not None and bool(granted)):
        return GRANTED if nominated else GRANTED_UNPROPOSED
    if not nominated:
        return ""
    return PENDING if granted is pd.NA or granted is None else NOT_GRANTED


def rates(outcome: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per ``by`` group: proposed, granted (of those proposed), not granted, pending, and the rate granted/decided.

    The rate's base is the proposals already decided: a pending proposal is neither granted nor
    refused, so it counts in neither part (NaN when nothing is decided yet).
    """
    o = outcome[outcome["nominated"].astype(bool)]
    g = o.assign(_g=o["granted"].eq(True).fillna(False).astype(int), _n=o["granted"].eq(False).fillna(False).astype(int),
                 _p=o["granted"].isna().astype(int)).groupby(by, sort=False)
    out = g.agg(proposed=("_g", "size"), granted=("_g", "sum"), not_granted=("_n", "sum"), pending=("_p", "sum")).reset_index()
    decided = out["granted"] + out["not_granted"]
    out["rate"] = (out["granted"] / decided.where(decided > 0)).astype(float)
    return out


def unit_history(lines: pd.DataFrame, registry: Registry, unit: str, year: int) -> pd.DataFrame:
    """The granted awards of ``unit`` (as of ``year``) and of every unit that became it by rename or merger, oldest first.

    ``via`` is empty for the unit's own awards, else the id of the predecessor that received it;
    ``event`` says how it became ``unit`` ("rename", "merge"). Lines after ``year`` are left out.
    """
    rows = []
    lin = registry.lineage
    for r in lines[lines["year"] <= year].itertuples(index=False):
        successor = registry.successors(int(r.year), year).get(r.unit_id)
        if successor != unit:
            continue
        via = "" if r.unit_id == unit else r.unit_id
        ev = lin[(lin["from_unit"] == r.unit_id) & (lin["year"] > r.year) & (lin["year"] <= year)]
        rows.append({"period": r.period, "year": int(r.year), "award_id": r.award_id, "number": r.number, "date": r.date,
                     "body": r.body, "unit_id": r.unit_id, "name": r.name, "via": via,
                     "event": "" if not via or ev.empty else str(ev.sort_values("year").iloc[0]["event"])})
    cols = ["period", "year", "award_id", "number", "date", "body", "unit_id", "name", "via", "event"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["year", "date", "number"], kind="stable").reset_index(drop=True)


RECORD_COLUMNS = ["year", "award", "status", "decision", "decision_date", "issuer", "unit_name"]


def record_history(history: pd.DataFrame, titles: dict[str, str], names: dict[str, str]) -> pd.DataFrame:
    """:func:`unit_history` in the columns of a unit's record (hồ sơ thành tích), ``status`` "granted".

    ``unit_name`` is the collective as the decision named it (its unit's name when the line has none),
    so a predecessor's award reads as that predecessor's.
    """
    h = history
    return pd.DataFrame({"year": h["year"].astype("int64"), "award": h["award_id"].map(lambda a: titles.get(a, a)),
                         "status": "granted", "decision": h["number"], "decision_date": h["date"], "issuer": h["body"],
                         "unit_name": [n or names.get(u, u) for n, u in zip(h["name"], h["unit_id"])]}, columns=RECORD_COLUMNS)
