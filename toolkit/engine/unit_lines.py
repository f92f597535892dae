"""A bloc across periods: unit lines through renames and mergers, and what the trends report counts.

Pure functions over the tidy frames of :mod:`toolkit.reports.bloc_history` (one row per period and
unit, content, target or award). Lines are what the charts draw; what is counted per unit (periods
led, awards in a row, over-claims) is counted per organisation, which follows renames but not
mergers: two departments merged in 2025 do not add up their earlier flags. Nothing is interpolated: a period without data is a gap, a
streak stops at it, and an average is taken over the periods that have a value.

A *line* follows one organisation through the periods: each unit of an earlier period belongs to
the line of its successor (``Registry.successors``) in the latest period in which that successor
is a member of the bloc. A renamed unit's line continues under its new name; two units merged
into a new one both continue into it; a unit merged into an existing member continues into that
member's line. A unit with no successor in the bloc (dissolved, split, or moved to another bloc)
keeps a line of its own, which ends. A split unit's history is never summed into one of its
successors: its line ends with "chia tách vào …" and each successor notes what it took over.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.model.registry import Registry
from toolkit.model.rounding import round_half_up
from toolkit.model.text import sort_key

EVENT_VI = {"rename": "đổi tên", "merge": "hợp nhất", "dissolve": "giải thể", "split": "chia tách"}


# --------------------------------------------------------------------------- lines (lineage)


def line_ids(rows: pd.DataFrame, registry: Registry) -> pd.Series:
    """The line of each ``rows`` (year, unit_id): its successor in the latest year the bloc has it as a member."""
    members = rows.groupby("year")["unit_id"].agg(set).to_dict()
    years = sorted(members, reverse=True)
    memo: dict[tuple[int, str], str] = {}
    maps: dict[tuple[int, int], dict] = {}  # (year, later) -> successor of every unit

    def line(year: int, unit: str) -> str:
        key = (year, unit)
        if key not in memo:
            memo[key] = unit
            for later in years:
                if later <= year:
                    break
                if (year, later) not in maps:
                    maps[(year, later)] = registry.successors(year, later)
                successor = maps[(year, later)].get(unit)
                if successor is not None and successor in members[later]:
                    memo[key] = successor
                    break
        return memo[key]

    return pd.Series([line(int(y), u) for y, u in zip(rows["year"], rows["unit_id"])], index=rows.index, dtype=object)


def org_ids(rows: pd.DataFrame, registry: Registry) -> pd.Series:
    """The organisation of each ``rows`` (year, unit_id): like :func:`line_ids`, following renames only.

    A renamed unit is the same organisation under a new name, so its periods count together
    (periods led, awards in a row, persistent over-claims); units merged into another one are
    counted as themselves, not as the merged unit.
    """
    lineage = registry.lineage[registry.lineage["event"] == "rename"]
    return line_ids(rows, Registry(registry.units, lineage, registry.blocs, registry.membership))


def lineage_events(registry: Registry, units: set[str], first_year: int, last_year: int) -> pd.DataFrame:
    """Renames, mergers, splits and dissolutions after ``first_year`` up to ``last_year`` that touch ``units``."""
    lin = registry.lineage
    mask = (lin["year"] > first_year) & (lin["year"] <= last_year) & (lin["from_unit"].isin(units) | lin["to_unit"].isin(units))
    cols = ["year", "from_unit", "to_unit", "event"]
    return lin.loc[mask, cols].sort_values(["year", "to_unit", "from_unit"], kind="stable").reset_index(drop=True)


def lineage_notes(events: pd.DataFrame, rows: pd.DataFrame, names: dict[str, str]) -> dict[str, str]:
    """A note per unit id on where its line comes from or goes ("từ năm 2025 hợp nhất vào ...")."""
    notes: dict[str, list[str]] = {}
    first_seen = rows.groupby("unit_id")["year"].min().to_dict()

    def name(u) -> str:
        return names.get(u, u)

    for ev in events.itertuples(index=False):
        if ev.event == "rename":
            notes.setdefault(ev.from_unit, []).append(f"từ năm {ev.year} đổi tên thành {name(ev.to_unit)}")
        elif ev.event == "merge":
            notes.setdefault(ev.from_unit, []).append(f"từ năm {ev.year} hợp nhất vào {name(ev.to_unit)}")
        elif ev.event == "dissolve":
            notes.setdefault(ev.from_unit, []).append(f"giải thể từ năm {ev.year}")
    splits = events[events["event"] == "split"]
    for (year, from_unit), g in splits.groupby(["year", "from_unit"], sort=False):
        heirs = sorted((name(u) for u in g["to_unit"]), key=sort_key)
        notes.setdefault(from_unit, []).append(f"từ năm {year} giải thể, chia tách vào {'; '.join(heirs)}")
    for (year, to_unit), g in splits.groupby(["year", "to_unit"], sort=False):
        sources = sorted((name(u) for u in g["from_unit"]), key=sort_key)
        notes.setdefault(to_unit, []).append(f"từ năm {year} tiếp nhận một phần chức năng của {'; '.join(sources)} "
                                             "(chia tách; không cộng kết quả các năm trước)")
    joins = events[~events["event"].isin(["dissolve", "split"])]
    for (year, to_unit, event), g in joins.groupby(["year", "to_unit", "event"], sort=False):
        sources = sorted((name(u) for u in g["from_unit"]), key=sort_key)
        if event == "rename":
            text = f"trước năm {year} mang tên {', '.join(sources)}"
        elif first_seen.get(to_unit, year) < year:  # merged into a unit that was already a member
            text = f"từ năm {year} hợp nhất thêm: {'; '.join(sources)}"
        else:
            text = f"hình thành năm {year} do hợp nhất: {'; '.join(sources)}"
        notes.setdefault(to_unit, []).append(text)
    return {u: "; ".join(t) for u, t in notes.items()}


def line_event(units: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """How a predecessor's row joins its line: "rename" or "merge" ("" for the line's own unit or no event).

    A split unit never joins a successor's line (it keeps its own), so "split" never appears here.
    """
    by_from = {}
    for ev in events.itertuples(index=False):
        by_from.setdefault(ev.from_unit, ev.event)  # the first event of the unit in the range decides
    own = units["unit_id"] == units["line_id"]
    return pd.Series(np.where(own, "", units["unit_id"].map(lambda u: by_from.get(u, "")).fillna("")), index=units.index, dtype=object)


# --------------------------------------------------------------------------- what the report counts


def leaders(units: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """Per period: the unit(s) ranked first and the bloc's leader unit (trưởng khối); NaN where a period has no data."""
    first = units[units["rank"].eq(1).fillna(False)]
    top = first.groupby("period", sort=False).agg(unit_id=("unit_id", "; ".join), name=("name", "; ".join),
                                                  line_id=("line_id", "; ".join), total=("total", "first"),
                                                  max_total=("max_total", "first"))
    chair = units[units["role"] == "leader"].groupby("period", sort=False)["name"].agg("; ".join).rename("chair")
    return top.join(chair, how="outer").reindex(periods).rename_axis("period").reset_index()


def runs(flags: pd.Series) -> tuple[int, int, int]:
    """(count of True, longest run of consecutive True, run ending at the last position) of a boolean series in period order."""
    longest = current = 0
    for flag in flags:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return int(flags.sum()), longest, current


def _period_flags(frame: pd.DataFrame, key: str, value: str, periods: list[str]) -> pd.DataFrame:
    """``key`` × every period (in order) of booleans: ``value`` true in that period (False when absent)."""
    wide = frame.pivot_table(index=key, columns="period", values=value, aggfunc="any", fill_value=False)
    return wide.reindex(columns=periods, fill_value=False).astype(bool)


def lead_runs(units: pd.DataFrame, periods: list[str], key: str = "org_id") -> pd.DataFrame:
    """Per organisation (``key``) that led at least once: periods led, longest run of consecutive periods, the periods."""
    led = units.assign(first=units["rank"].eq(1).fillna(False).astype(bool))
    wide = _period_flags(led, key, "first", periods)
    rows = []
    for who, flags in wide.iterrows():
        times, longest, _ = runs(flags)
        if times:
            rows.append({key: who, "times": times, "longest": longest, "periods": ", ".join(p for p, f in flags.items() if f)})
    return pd.DataFrame(rows, columns=[key, "times", "longest", "periods"]).sort_values(
        ["times", "longest"], ascending=False, kind="stable").reset_index(drop=True)


def over_claims(units: pd.DataFrame, decimals: int = 2, key: str = "org_id") -> pd.DataFrame:
    """Per organisation (``key``): periods with a submission, periods the self score exceeded the verified one, mean and largest gap.

    The gap is the unit's self-assessed criteria total minus the verified one (before bonus and
    penalty), so a persistent over-claimer has a positive mean over many periods.
    """
    sub = units[units["submitted"]]
    g = sub.groupby(key)
    out = pd.DataFrame({
        "periods": g.size(),
        "higher": g["self_gap"].apply(lambda s: int((s > 1e-9).sum())),
        "mean_gap": round_half_up(g["self_gap"].mean(), decimals),
        "max_gap": g["self_gap"].max(),
    })
    worst = sub.sort_values("self_gap", ascending=False, kind="stable").drop_duplicates(key).set_index(key)["period"]
    out["max_gap_period"] = worst.reindex(out.index)
    out = out.rename_axis(key).reset_index()
    return out.sort_values(["mean_gap", "higher"], ascending=False, kind="stable").reset_index(drop=True)


def content_shares(contents: pd.DataFrame, decimals: int = 4) -> pd.DataFrame:
    """Per period and content: units scored, the bloc's mean share of the content's maximum."""
    c = contents.dropna(subset=["score"])
    g = c.assign(share=c["score"] / c["max"]).groupby(["period", "content_id"], sort=False)
    out = g.agg(units=("unit_id", "size"), max=("max", "first"), mean_share=("share", "mean")).reset_index()
    out["mean_share"] = round_half_up(out["mean_share"], decimals)
    return out


def target_shares(targets: pd.DataFrame, decimals: int = 4) -> pd.DataFrame:
    """Per period and target: units meeting it, units judged (met is known), and the share meeting it."""
    t = targets.assign(judged=targets["met"].notna(), hit=targets["met"].eq(True).fillna(False).astype(bool))
    g = t.groupby(["period", "target_id"], sort=False)
    out = g.agg(title=("title", "first"), met=("hit", "sum"), judged=("judged", "sum")).reset_index()
    out["share"] = round_half_up(out["met"] / out["judged"].where(out["judged"] > 0), decimals)
    return out


def cap_summary(cap: pd.DataFrame, decimals: int = 4) -> pd.DataFrame:
    """Per period: units over the excellent cap, units judged, and the bloc's share of staff rated excellent."""
    c = cap.assign(judged=cap["within_cap"].notna(), over=cap["within_cap"].eq(False).fillna(False).astype(bool))
    g = c.groupby("period", sort=False)
    out = g.agg(over=("over", "sum"), judged=("judged", "sum"), excellent=("excellent", "sum"), base=("base", "sum")).reset_index()
    out["share"] = round_half_up(out["excellent"] / out["base"].where(out["base"] > 0), decimals)
    return out


def award_streaks(awards: pd.DataFrame, who: list[str], periods: list[str], key: str = "org_id", flag: str = "nominated") -> pd.DataFrame:
    """Per award and organisation (``key``): periods ``flag`` holds (nominated, or granted), longest run of consecutive
    periods, the run up to the last period.

    ``who`` lists every organisation of the range, so one never nominated gets a row with 0.
    A period without data ends a run: it is not known whether the unit was nominated then; so does,
    for granted awards, a period the province has not decided yet.
    """
    rows = []
    nominated = awards[_true(awards[flag])]
    for award_id, g in awards.groupby("award_id", sort=False):
        title = g["award"].iloc[-1]
        mine = nominated[nominated["award_id"] == award_id].assign(**{flag: True})
        wide = _period_flags(mine, key, flag, periods) if len(mine) else pd.DataFrame(columns=periods, dtype=bool)
        for org in who:
            flags = wide.loc[org] if org in wide.index else pd.Series(False, index=periods)
            times, longest, current = runs(flags)
            rows.append({"award_id": award_id, "award": title, key: org, "times": times, "longest": longest,
                         "current": current, "periods": ", ".join(p for p, f in flags.items() if f)})
    return pd.DataFrame(rows, columns=["award_id", "award", key, "times", "longest", "current", "periods"])


def never_nominated(awards: pd.DataFrame, who: list[str], key: str = "org_id", flag: str = "nominated") -> list[str]:
    """Organisations of ``who`` never nominated (or, with ``flag="granted"``, never granted) any award in the range, in that order."""
    ever = set(awards.loc[_true(awards[flag]), key])
    return [org for org in who if org not in ever]


def _true(values: pd.Series) -> pd.Series:
    """True where ``values`` is True; False for False and for NA (a pending decision is not a grant)."""
    return values.eq(True).fillna(False).astype(bool)
