"""Every period of a bloc in one call: tidy frames of units, contents, targets, caps and awards, with lineage.

    from toolkit.reports.bloc_history import load_history
    h = load_history("kinh-te-ky-thuat")              # every year with data; or first="2020", last="2025-H1"
    h.units                                           # one row per period and unit, one column per figure
    h.units.pivot(index="line_name", columns="period", values="rank")

Each period is analysed by the same engine as its period report (:func:`toolkit.reports.analysis.analyse`),
or, where ``filed`` names a filed bloc report that is current (same data, code and parameters,
checked by the runner), read from that report's ``results/*.csv``: the frames are the same
either way (tests/test_trends.py). A period in the range without data, without a covenant or
whose data do not validate is listed in ``missing`` with the reason, and has no rows: nothing is
interpolated. See docs/trends.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.engine import granted_awards
from toolkit.engine import unit_lines as rules
from toolkit.engine.covenant_changes import Change, covenant_changes
from toolkit.engine.evaluate import PeriodResult
from toolkit.errors import DataError, ParameterError
from toolkit.model.covenant import Covenant
from toolkit.model.parameters import check_parameters
from toolkit.model.period_data import read_source
from toolkit.model.periods import Period
from toolkit.model.text import sort_key
from toolkit.model.workspace import Workspace
from toolkit.reports import criterion_parts
from toolkit.reports.analysis import analyse
from toolkit.reports.filed_tables import read_results

UNIT_COLUMNS = ["period", "year", "unit_id", "name", "short_name", "role", "line_id", "line_name", "line_short", "line_event",
                "lineage", "org_id", "org_name", "submitted", "rank", "members", "total", "max_total", "total_share", "criteria_total",
                "self_criteria", "self_gap", "bonus", "penalty", "band"]
CONTENT_COLUMNS = ["period", "unit_id", "line_id", "org_id", "content_id", "content_title", "max", "score"]
TARGET_COLUMNS = ["period", "unit_id", "line_id", "org_id", "target_id", "title", "met"]
CAP_COLUMNS = ["period", "unit_id", "line_id", "org_id", "excellent", "base", "cap", "within_cap"]
TEXT = ("unit_id", "name", "short_name", "role", "band", "content_id", "content_title", "target_id", "title", "award_id", "award",
        "criterion_id", "parent_id")
AWARD_COLUMNS = ["period", "award_id", "award", "unit_id", "line_id", "org_id", "rank", "nominated", *granted_awards.OUTCOME_COLUMNS]


@dataclass
class History:
    """A bloc over a range of comparable periods (the same kind of period, one a year)."""

    bloc: str
    bloc_name: str
    periods: list[Period]  # every period of the range, oldest first, with data or not
    missing: dict[str, str]  # period -> why it has no figures
    covenants: dict[int, Covenant]  # year -> covenant, for the years that have one
    units: pd.DataFrame  # UNIT_COLUMNS: one row per period and member unit
    contents: pd.DataFrame  # CONTENT_COLUMNS: per period, unit and content, the points counted
    targets: pd.DataFrame  # TARGET_COLUMNS: per period, unit and target, met (True/False/NaN: not judged)
    cap: pd.DataFrame  # CAP_COLUMNS: per period and unit, the excellent-share cap
    awards: pd.DataFrame  # AWARD_COLUMNS: per period, award and unit, nominated or not, and granted (True/False/NA: pending)
    lineage: pd.DataFrame  # renames and mergers in the range touching the bloc: year, from_unit, to_unit, event
    synthetic: bool = False  # any period or covenant is generated sample data
    read_from: dict[str, str] = field(default_factory=dict)  # period -> "tính từ dữ liệu" or the filed report read
    parts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=criterion_parts.PART_COLUMNS))  # criteria with parts

    @property
    def labels(self) -> list[str]:
        """The periods of the range as text, oldest first (column order of every wide table)."""
        return [str(p) for p in self.periods]

    @property
    def with_data(self) -> list[str]:
        return [p for p in self.labels if p not in self.missing]

    @cached_property
    def lines(self) -> pd.DataFrame:
        """Every line of the range, ordered by its rank in the latest period that ranks it, then by name."""
        u = self.units
        if u.empty:
            return pd.DataFrame(columns=["line_id", "line_name", "line_short"])
        own = u[u["unit_id"] == u["line_id"]]
        order = {p: i for i, p in enumerate(self.labels)}
        last = own.assign(_o=own["period"].map(order)).sort_values("_o", kind="stable").drop_duplicates("line_id", keep="last")
        last = last.assign(_r=last["rank"].astype(float).fillna(np.inf), _p=-last["_o"])
        last = last.sort_values(["_p", "_r"], kind="stable")
        lines = last[["line_id", "line_name", "line_short"]]
        extra = u[~u["line_id"].isin(lines["line_id"])].drop_duplicates("line_id")[["line_id", "line_name", "line_short"]]
        return pd.concat([lines, extra], ignore_index=True)

    @cached_property
    def orgs(self) -> pd.DataFrame:
        """Every organisation of the range (renames followed, mergers not), in the order of :attr:`lines`."""
        u = self.units
        if u.empty:
            return pd.DataFrame(columns=["org_id", "org_name"])
        order = {line: i for i, line in enumerate(self.lines["line_id"])}
        o = u.assign(_l=u["line_id"].map(order), _own=(u["org_id"] != u["line_id"]).astype(int), _k=u["org_name"].map(sort_key))
        return o.sort_values(["_l", "_own", "_k"], kind="stable").drop_duplicates("org_id")[["org_id", "org_name"]].reset_index(drop=True)

    def changes(self) -> list[Change]:
        """Covenant changes between consecutive years of the range that both have a covenant."""
        years = sorted(self.covenants)
        return [c for a, b in zip(years, years[1:]) for c in covenant_changes(self.covenants[a], self.covenants[b])]

    def long(self) -> pd.DataFrame:
        """``units`` in long form: one row per period, unit and numeric figure (``figure``, ``value``)."""
        figures = ["rank", "total", "total_share", "criteria_total", "self_criteria", "self_gap", "bonus", "penalty"]
        ids = ["period", "year", "unit_id", "name", "line_id", "line_name"]
        u = self.units.astype({"rank": float})
        return u.melt(id_vars=ids, value_vars=figures, var_name="figure", value_name="value").dropna(subset=["value"])


def period_range(ws: Workspace, bloc: str, first: str | int = "", last: str | int = "") -> list[Period]:
    """Comparable periods from ``first`` to ``last``: the same kind of period (the same half or quarter), one a year.

    ``last`` (default: the latest year with data) must have data; ``first`` may be a year or a
    period of the same kind (default: the earliest such period with data).
    """
    available = sorted(Period.parse(p) for p in ws.periods(bloc))
    if not available:
        raise ParameterError(f"Khối '{bloc}' chưa có dữ liệu kỳ nào.")
    last_p = ws.check(bloc, str(last)) if str(last).strip() else max(p for p in available if p.is_annual) if any(
        p.is_annual for p in available) else available[-1]
    same = [p for p in available if (p.kind, p.number) == (last_p.kind, last_p.number) and p.year <= last_p.year]
    if str(first).strip():
        f = Period.parse(first)
        if f.kind == "year" and last_p.kind != "year":
            f = Period(f.year, last_p.kind, last_p.number)  # "2018" with last "2025-H1" means 2018-H1
        if (f.kind, f.number) != (last_p.kind, last_p.number):
            raise ParameterError(f"Kỳ đầu '{first}' và kỳ cuối '{last_p}' phải cùng loại kỳ (cùng năm, cùng 6 tháng hoặc cùng quý).")
        if f.year > last_p.year:
            raise ParameterError(f"Kỳ đầu '{first}' sau kỳ cuối '{last_p}'.")
        first_year = f.year
    else:
        first_year = min(p.year for p in same)
    return [Period(y, last_p.kind, last_p.number) for y in range(first_year, last_p.year + 1)]


def load_history(bloc: str, first: str | int = "", last: str | int = "", data_dir: str = "", output_dir: str = "",
                 filed: dict[str, str] | None = None) -> History:
    """Check the parameters (as every report does), then :func:`history` of the bloc over the range."""
    if isinstance(last, int) and not isinstance(last, bool):
        last = str(last)  # `papermill -p last 2025` passes a number: a year is what the user meant
    if isinstance(first, int) and not isinstance(first, bool):
        first = str(first)
    ws, last_p = check_parameters(bloc, last or _latest(data_dir, bloc), data_dir, output_dir)
    if not isinstance(first, str):
        raise ParameterError(f"Tham số 'first' phải là chuỗi ký tự (str), nhận được {type(first).__name__}: {first!r}.")
    return history(ws, bloc, period_range(ws, bloc, first, last_p), filed)


def _latest(data_dir: str, bloc: str) -> str:
    from toolkit import config

    ws = Workspace.open(Path(data_dir) if data_dir else config.DATA_DIR)
    if bloc not in ws.blocs():
        return "0000"  # check_parameters names the valid blocs
    return str(period_range(ws, bloc)[-1])


def history(ws: Workspace, bloc: str, periods: list[Period], filed: dict[str, str] | None = None) -> History:
    """Every figure of ``bloc`` in ``periods``, with each unit's line (see :mod:`toolkit.engine.unit_lines`)."""
    filed = filed or {}
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in ("units", "contents", "targets", "cap", "awards", "parts")}
    missing: dict[str, str] = {}
    covenants: dict[int, Covenant] = {}
    read_from: dict[str, str] = {}
    synthetic = False
    for p in periods:
        label = str(p)
        try:
            cov = ws.covenant(bloc, p.year)
        except DataError as exc:
            if not ws.covenant_path(bloc, p.year).exists():
                missing[label] = f"không có giao ước thi đua năm {p.year}" + (
                    "" if label in ws.periods(bloc) else " và không có dữ liệu")
            else:
                missing[label] = f"giao ước năm {p.year} có lỗi: {_first_problem(exc)}"
            continue
        covenants[p.year] = cov
        if label not in ws.periods(bloc):
            missing[label] = "không có dữ liệu của kỳ"
            continue
        frames = _from_filed(ws, bloc, p, cov, Path(filed[label])) if label in filed else None
        if frames is None:
            try:
                frames = _from_result(analyse(ws, bloc, p, compare=False))
            except DataError as exc:
                missing[label] = f"dữ liệu của kỳ có lỗi nên không dùng: {_first_problem(exc)}"
                continue
            read_from[label] = "tính từ dữ liệu"
        else:
            read_from[label] = f"đọc từ báo cáo đã lập {filed[label]}"
        synthetic = synthetic or cov.synthetic or bool(read_source(ws.data_dir, bloc, p).get("synthetic"))
        for key, frame in _canonical(frames, ws.registry.members(bloc, p.year)["unit_id"], cov).items():
            parts[key].append(frame.assign(period=label, year=p.year))
    units = _concat(parts["units"], UNIT_COLUMNS)
    names = dict(zip(ws.registry.units["unit_id"], ws.registry.units["name"]))
    shorts = dict(zip(ws.registry.units["unit_id"], ws.registry.units["short_name"]))
    events = rules.lineage_events(ws.registry, set(units["unit_id"]), periods[0].year, periods[-1].year)
    if len(units):
        units["line_id"] = rules.line_ids(units, ws.registry).astype("str")
        units["line_name"] = units["line_id"].map(names).fillna(units["name"])
        units["line_short"] = units["line_id"].map(shorts).fillna(units["short_name"])
        units["line_event"] = rules.line_event(units, events).astype("str")
        notes = rules.lineage_notes(events, units, names)
        units["lineage"] = units["unit_id"].map(lambda u: notes.get(u, "")).astype("str")
        units["org_id"] = rules.org_ids(units, ws.registry).astype("str")
        units["org_name"] = _org_names(units, names)
        units["members"] = units.groupby("period")["unit_id"].transform("size")
        units["total_share"] = (units["total"] / units["max_total"]).round(4)
    keyed = units.set_index(["period", "unit_id"]) if len(units) else None

    def with_lines(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        frame = _concat(frame, columns)
        if len(frame):
            at = pd.MultiIndex.from_arrays([frame["period"], frame["unit_id"]])
            for col in ("line_id", "org_id"):
                frame[col] = pd.array(keyed[col].reindex(at).fillna(frame["unit_id"]).to_numpy(), dtype="str")
        return frame[columns]

    return History(bloc, ws.registry.bloc_name(bloc), list(periods), missing, covenants, units[UNIT_COLUMNS],
                   with_lines(parts["contents"], CONTENT_COLUMNS), with_lines(parts["targets"], TARGET_COLUMNS),
                   with_lines(parts["cap"], CAP_COLUMNS), with_lines(_granted(ws, parts["awards"]), AWARD_COLUMNS), events,
                   synthetic, read_from, with_lines(parts["parts"], criterion_parts.PART_COLUMNS))


def _granted(ws: Workspace, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The periods' award rows with what the province's decisions granted (docs/data.md, decisions/)."""
    awards = _concat(frames, [c for c in AWARD_COLUMNS if c not in granted_awards.OUTCOME_COLUMNS])
    d = ws.decisions()
    return granted_awards.outcomes(awards, granted_awards.lines_as_of_year(d.lines, ws.registry), d.decided)


def _org_names(units: pd.DataFrame, names: dict[str, str]) -> pd.Series:
    """An organisation as the report names it: its latest name, and the unit it later merged into."""
    org = units["org_id"].map(names).fillna(units["name"])
    later = units["org_id"] != units["line_id"]
    return org.where(~later, org + " (nay thuộc " + units["line_name"] + ")").astype("str")


def _first_problem(exc: DataError) -> str:
    errors = [p for p in exc.problems if p.severity == "error"] or exc.problems
    more = f" (và {len(errors) - 1} lỗi khác)" if len(errors) > 1 else ""
    return f"{Path(errors[0].file).name}: {errors[0].where}: {errors[0].message}{more}" if errors else str(exc)


def _concat(frames, columns: list[str]) -> pd.DataFrame:
    if isinstance(frames, pd.DataFrame):
        return frames
    frames = [f for f in frames if len(f)]
    if not frames:  # no period had any: an empty frame whose flags are still booleans (so masks select rows)
        empty = pd.DataFrame(columns=columns)
        return empty.astype({c: bool for c in ("submitted", "nominated") if c in columns})
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- one period's figures


def _canonical(frames: dict[str, pd.DataFrame], members: pd.Series, cov: Covenant) -> dict[str, pd.DataFrame]:
    """One row order whatever the source: covenant order of items, then the year's membership order of units."""
    unit = {u: i for i, u in enumerate(members)}
    item = {"contents": ("content_id", {c.id: i for i, c in enumerate(cov.contents)}),
            "targets": ("target_id", {t: i for i, t in enumerate(cov.target_ids())}),
            "awards": ("award_id", {a.id: i for i, a in enumerate(cov.awards)}),
            "parts": ("criterion_id", criterion_parts.order(cov))}
    out = {}
    for key, frame in frames.items():
        keys = pd.DataFrame({"_u": frame["unit_id"].map(unit).to_numpy()}, index=frame.index)
        if key in item:
            column, order = item[key]
            keys.insert(0, "_i", frame[column].map(order).to_numpy())
        frame = frame.loc[keys.sort_values(list(keys.columns), kind="stable").index].reset_index(drop=True)
        out[key] = frame.astype({c: "str" for c in TEXT if c in frame.columns})
    return out


def _from_result(res: PeriodResult) -> dict[str, pd.DataFrame]:
    """The figures of one period from the engine's result."""
    cov = res.covenant
    u = res.units
    units = pd.DataFrame({
        "unit_id": u["unit_id"].astype(object), "name": u["name"].astype(object), "short_name": u["short_name"].astype(object),
        "role": u["role"].astype(object), "submitted": u["submitted"].astype(bool), "rank": u["rank"].astype("Int64"),
        "total": u["total"].astype(float), "max_total": float(cov.total), "criteria_total": u["criteria_total"].astype(float),
        "self_criteria": u["self_criteria"].astype(float), "self_gap": u["self_gap"].astype(float),
        "bonus": u["bonus"].astype(float), "penalty": u["penalty"].astype(float),
        "band": u["band"].astype(object).where(u["submitted"], np.nan),
    })
    titles = {c.id: c.title for c in cov.contents}
    maxima = {c.id: float(sum(k.max for k in c.criteria)) for c in cov.contents}
    submitted = set(u.loc[u["submitted"], "unit_id"])
    c = res.contents[res.contents["unit_id"].isin(submitted)]
    contents = pd.DataFrame({"unit_id": c["unit_id"].astype(object), "content_id": c["content_id"].astype(object),
                             "content_title": c["content_id"].map(titles).astype(object), "max": c["content_id"].map(maxima),
                             "score": c["final_score"].astype(float)})
    t = res.targets
    targets = pd.DataFrame({"unit_id": t["unit_id"].astype(object), "target_id": t["target_id"].astype(object),
                            "title": t["title"].astype(object), "met": t["met"].astype(object)})
    k = res.cap
    cap = pd.DataFrame({"unit_id": k["unit_id"].astype(object), "excellent": k["excellent"].astype(float),
                        "base": k["base"].astype(float), "cap": k["cap"].astype(float), "within_cap": k["within_cap"].astype(object)})
    e = res.eligibility
    awards = pd.DataFrame({"award_id": e["award_id"].astype(object), "award": e["award"].astype(object),
                           "unit_id": e["unit_id"].astype(object), "rank": e["rank"].astype("Int64"),
                           "nominated": e["nominated"].astype(bool)})
    return {"units": units, "contents": contents, "targets": _met_as_object(targets), "cap": _met_as_object(cap, "within_cap"),
            "awards": awards, "parts": criterion_parts.from_result(res)}


def _met_as_object(frame: pd.DataFrame, column: str = "met") -> pd.DataFrame:
    """True/False/NaN as Python objects, however the source typed them (bool, object, pandas boolean)."""
    frame[column] = [np.nan if v is None or (not isinstance(v, (bool, np.bool_)) and pd.isna(v)) else bool(v) for v in frame[column]]
    frame[column] = frame[column].astype(object)
    return frame


def _from_filed(ws: Workspace, bloc: str, p: Period, cov: Covenant, folder: Path) -> dict[str, pd.DataFrame] | None:
    """The figures of one period read back from a filed bloc report's ``results/*.csv`` (docs/results.md).

    Units are named there, not by id: names are matched to the year's members. Anything
    unexpected (a missing file, a name that is not a member, a target or award title that the
    covenant does not have once) returns None, and the period is computed instead.
    """
    results = folder / "results"
    try:
        tables = {stem: read_results(results / f"{stem}.csv")
                  for stem in ("xep_hang", "bang_diem", "tu_cham_tham_dinh", "chi_tieu", "tran_xuat_sac", "de_nghi_khen_thuong")}
    except (OSError, ValueError, KeyError):
        return None
    members = ws.registry.members(bloc, p.year)
    ids = dict(zip(members["name"], members["unit_id"]))
    if len(ids) != len(members):
        return None  # two members share a name: the tables cannot say which is which

    def unit_ids(frame: pd.DataFrame) -> pd.Series | None:
        out = frame["unit"].map(ids)
        return None if out.isna().any() else out.astype(object)

    r, s, g = tables["xep_hang"], tables["bang_diem"], tables["tu_cham_tham_dinh"]
    if unit_ids(r) is None or unit_ids(s) is None or unit_ids(g) is None or len(r) != len(members):
        return None
    m = members.set_index("unit_id")
    r = r.assign(unit_id=unit_ids(r)).set_index("unit_id")
    s = s.assign(unit_id=unit_ids(s)).set_index("unit_id")
    g = g.assign(unit_id=unit_ids(g)).set_index("unit_id")
    order = members["unit_id"]  # the engine's order: the year's membership
    submitted = r["rank"].reindex(order).notna().to_numpy()
    units = pd.DataFrame({
        "unit_id": order.astype(object).to_numpy(), "name": m["name"].reindex(order).astype(object).to_numpy(),
        "short_name": m["short_name"].reindex(order).astype(object).to_numpy(), "role": m["role"].reindex(order).astype(object).to_numpy(),
        "submitted": submitted, "rank": pd.array(r["rank"].reindex(order), dtype="Int64"),
        "total": r["total"].reindex(order).astype(float).to_numpy(), "max_total": float(cov.total),
        "criteria_total": s["criteria_total"].reindex(order).astype(float).to_numpy(),
        "self_criteria": g["self_total"].reindex(order).astype(float).to_numpy(),
        "self_gap": g["gap"].reindex(order).astype(float).to_numpy(),
        "bonus": s["bonus"].reindex(order).astype(float).to_numpy(), "penalty": s["penalty"].reindex(order).astype(float).to_numpy(),
        "band": r["band"].reindex(order).astype(object).where(submitted, np.nan).to_numpy(),
    })
    rows = []
    for c in cov.contents:
        col = f"content_{c.id}"
        if col not in s.columns:
            return None
        done = s.loc[s.index.isin(order[submitted]), col]
        rows.append(pd.DataFrame({"unit_id": done.index.astype(object), "content_id": c.id, "content_title": c.title,
                                  "max": float(sum(k.max for k in c.criteria)), "score": done.astype(float).to_numpy()}))
    contents = pd.concat(rows, ignore_index=True)
    t = cov.targets
    targets = _by_title(tables["chi_tieu"], "target", [(x.title, x.id) for x in [*t.staff, *t.organisations]], unit_ids, "target_id")
    awards = _by_title(tables["de_nghi_khen_thuong"], "award", [(a.title, a.id) for a in cov.awards], unit_ids, "award_id")
    parts = criterion_parts.from_filed(results, cov, unit_ids)
    if targets is None or awards is None or parts is None:
        return None
    k = tables["tran_xuat_sac"]
    if len(k) and unit_ids(k) is None:
        return None
    cap = pd.DataFrame({"unit_id": unit_ids(k) if len(k) else pd.Series(dtype=object), "excellent": k["excellent"].astype(float),
                        "base": k["base"].astype(float), "cap": k["cap"].astype(float), "within_cap": k["within_cap"]})
    targets = pd.DataFrame({"unit_id": targets["unit_id"], "target_id": targets["target_id"], "title": targets["target"].astype(object),
                            "met": targets["met"]})
    awards = pd.DataFrame({"award_id": awards["award_id"], "award": awards["award"].astype(object), "unit_id": awards["unit_id"],
                           "rank": awards["rank"].astype("Int64"), "nominated": awards["nominated"].fillna(False).astype(bool)})
    return {"units": units, "contents": contents, "targets": _met_as_object(targets), "cap": _met_as_object(cap, "within_cap"),
            "awards": awards, "parts": parts}


def _by_title(frame: pd.DataFrame, column: str, items: list[tuple[str, str]], unit_ids, id_column: str) -> pd.DataFrame | None:
    """Rows of a filed table with the covenant id of their titled item and their unit id (None if either is unknown)."""
    if frame.empty:
        return frame.assign(unit_id=pd.Series(dtype=object), **{id_column: pd.Series(dtype=object)})
    ids = dict(items)
    if len(ids) != len(items):
        return None  # two items share a title
    units = unit_ids(frame)
    mapped = frame[column].map(ids)
    if units is None or mapped.isna().any():
        return None
    return frame.assign(unit_id=units, **{id_column: mapped.astype(object)})
