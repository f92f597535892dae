"""Analysed periods for interactive use: computed once, cached, filled in the background.

A change of selection in the explorer must not wait for the engine, so every analysed bloc and
period is kept (``Analyses.get`` computes it at most once, also when two threads ask at the
same time). Two sources:

- ``WorkspaceAnalyses``: a data folder, analysed with :func:`toolkit.reports.analysis.analyse` exactly as the
  reports are (plus the period data, kept for what-if runs and the drill-down);
- ``FramesAnalyses``: in-memory data with every bloc stacked in one ``PeriodData`` per period,
  such as the national synthetic data; each period is evaluated once for all blocs (the engine
  is vectorised over blocs) and a bloc is then a slice of the stacked results.

``Prefetcher`` analyses queued periods in a daemon thread and gives way whenever the user acts.
Nothing here imports widgets.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit import config
from toolkit.engine.evaluate import PeriodResult, evaluate
from toolkit.model.covenant import Covenant
from toolkit.model.period_data import PeriodData
from toolkit.model.periods import Period
from toolkit.model.workspace import Workspace
from toolkit.reports.analysis import analyse_with_data

Key = tuple[str, str]  # (bloc, period)


def period_order(p: str | Period) -> tuple:
    """Chronological sort key of a period or its text: :attr:`Period.sort_key` (2024-H1 before 2024)."""
    return (p if isinstance(p, Period) else Period.parse(p)).sort_key


# --------------------------------------------------------------------------- analysed periods


@dataclass(frozen=True)
class Entry:
    """One analysed bloc and period: the engine's result and the data it was computed from."""

    result: PeriodResult
    data: PeriodData

    @functools.cached_property
    def history_rows(self) -> tuple[int, dict[str, dict]]:
        """(units ranked, {unit id: what a history row needs}), kept so histories are dictionary look-ups."""
        u = self.result.units
        cols = ["unit_id", "name", "short_name", "rank", "total", "band", "submitted"]
        rows = {r["unit_id"]: r for r in u[cols].to_dict("records")}
        return int(u["rank"].notna().sum()), rows


class Analyses:
    """Analysed periods, each computed at most once (thread-safe); subclasses say how."""

    scenarios_root: Path | None = None  # where covenants/<bloc>/ live, for saving scenarios

    def __init__(self):
        self._entries: dict[Key, Entry] = {}
        self._locks: dict[Key, threading.Lock] = {}
        self._guard = threading.Lock()

    # what subclasses provide
    def blocs(self) -> list[str]:
        raise NotImplementedError

    def bloc_name(self, bloc: str) -> str:
        return bloc

    def periods(self, bloc: str) -> list[str]:
        raise NotImplementedError

    def _compute(self, bloc: str, period: str) -> Entry:
        raise NotImplementedError

    def history_keys(self, bloc: str, period: str, unit: str) -> list[tuple[str, str, list[str]]]:
        """(bloc, period, unit ids) of every period holding the unit or a predecessor or successor."""
        raise NotImplementedError

    def covenant_file(self, bloc: str, year: int) -> str:
        """Where the bloc's covenant of ``year`` lives, as a scenario file names its origin."""
        return f"{config.COVENANTS}/{bloc}/{year}.yaml"

    # the cache
    def is_cached(self, key: Key) -> bool:
        return key in self._entries

    def get(self, bloc: str, period: str) -> Entry:
        key = (bloc, period)
        entry = self._entries.get(key)
        if entry is not None:
            return entry
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # a second caller waits for the first instead of computing the same period again
            entry = self._entries.get(key)
            if entry is None:
                entry = self._compute(bloc, period)
                self._entries[key] = entry
        return entry

    def result(self, bloc: str, period: str) -> PeriodResult:
        return self.get(bloc, period).result

    def all_keys(self) -> list[Key]:
        return [(b, p) for b in self.blocs() for p in self.periods(b)]


def lineage_ids(registry, unit: str, year: int, other_year: int) -> list[str]:
    """Ids in ``other_year`` of ``unit`` (as of ``year``): its predecessors before, its successor after."""
    if other_year <= year:
        return registry.predecessors(unit, other_year, year)
    succ = registry.successors(year, other_year).get(unit)
    return [succ] if succ else []


class WorkspaceAnalyses(Analyses):
    """Periods of a data folder, analysed as the reports are."""

    def __init__(self, ws: Workspace):
        super().__init__()
        self.ws = ws
        self.vocab = ws.vocab
        self.scenarios_root = ws.data_dir / config.COVENANTS
        # the folder is listed once: periods added while the explorer is open appear after a restart
        self._periods = {b: self.ws.periods(b) for b in self.ws.blocs()}
        self._history_keys: dict[tuple[str, int], list] = {}

    def blocs(self) -> list[str]:
        return [b for b in self.ws.blocs() if self._periods.get(b)]

    def bloc_name(self, bloc: str) -> str:
        return self.ws.registry.bloc_name(bloc)

    def periods(self, bloc: str) -> list[str]:
        return list(self._periods.get(bloc, []))

    def _compute(self, bloc: str, period: str) -> Entry:
        return Entry(*analyse_with_data(self.ws, bloc, period, compare=False))

    def history_keys(self, bloc: str, period: str, unit: str) -> list[tuple[str, str, list[str]]]:
        year = Period.parse(period).year
        found = self._history_keys.get((unit, year))
        if found is None:
            found = self._history_keys[(unit, year)] = self._find_history_keys(unit, year)
        return found

    def _find_history_keys(self, unit: str, year: int) -> list[tuple[str, str, list[str]]]:
        reg = self.ws.registry
        m = reg.membership
        keys = []
        for y in sorted(int(x) for x in m["year"].unique()):
            ids = lineage_ids(reg, unit, year, y)
            rows = m[(m["year"] == y) & m["unit_id"].isin(ids)]
            for b, g in rows.groupby("bloc_id", sort=True):
                for p in self.periods(b):
                    if Period.parse(p).year == y:
                        keys.append((b, p, sorted(g["unit_id"])))
        return keys


def _split_by_bloc(df: pd.DataFrame) -> dict[str, np.ndarray]:
    if df is None or not len(df) or "bloc_id" not in df.columns:
        return {}
    return {str(k): v for k, v in df.groupby(df["bloc_id"].astype(str), sort=False).indices.items()}


class FramesAnalyses(Analyses):
    """Stacked in-memory data (every bloc in one PeriodData per period), e.g. the national sample.

    Each period is evaluated once for all blocs together (the engine is vectorised over blocs);
    selecting a bloc then only slices the stacked results.
    """

    FRAMES = ("scores", "contents", "units", "targets", "cap", "eligibility", "quotas", "votes")
    DATA = ("members", "scores", "events", "staff", "orgs", "votes", "ballots")

    def __init__(self, periods: dict[str, tuple[Covenant, PeriodData]], vocab, bloc_names: dict[str, str] | None = None,
                 scenarios_root: Path | None = None):
        super().__init__()
        self.vocab = vocab
        self.scenarios_root = scenarios_root
        self._bloc_names = dict(bloc_names or {})
        self._stacked: dict[str, tuple[Covenant, PeriodData, dict[str, pd.DataFrame], dict, dict]] = {}
        for period, (cov, data) in periods.items():
            frames = evaluate(cov, data, vocab)
            idx = {name: _split_by_bloc(frames[name]) for name in self.FRAMES}
            didx = {name: _split_by_bloc(getattr(data, name)) for name in self.DATA}
            self._stacked[str(Period.parse(period))] = (cov, data, frames, idx, didx)
        blocs: dict[str, list[str]] = {}
        for period, (_c, data, *_r) in sorted(self._stacked.items(), key=lambda kv: period_order(kv[0])):
            for b in pd.unique(data.members["bloc_id"].astype(str)):
                blocs.setdefault(b, []).append(period)
        self._periods = blocs

    def blocs(self) -> list[str]:
        return sorted(self._periods)

    def bloc_name(self, bloc: str) -> str:
        return self._bloc_names.get(bloc, bloc)

    def periods(self, bloc: str) -> list[str]:
        return list(self._periods.get(bloc, []))

    @staticmethod
    def _take(df: pd.DataFrame, idx: dict[str, np.ndarray], bloc: str) -> pd.DataFrame:
        rows = idx.get(bloc)
        if rows is None:
            return df.iloc[0:0].reset_index(drop=True)
        return df.iloc[rows].reset_index(drop=True)

    def _compute(self, bloc: str, period: str) -> Entry:
        cov, data, frames, idx, didx = self._stacked[period]
        parts = {name: self._take(frames[name], idx[name], bloc) for name in self.FRAMES}
        d = {name: self._take(getattr(data, name), didx[name], bloc) for name in self.DATA}
        sub = dataclasses.replace(data, warnings=[], **d)
        result = PeriodResult(bloc, self.bloc_name(bloc), data.period, cov, criteria=frames["criteria"], notes=list(cov.notes),
                              source={**data.source, "synthetic": bool(data.source.get("synthetic") or cov.synthetic)}, **parts)
        return Entry(result, sub)

    def history_keys(self, bloc: str, period: str, unit: str) -> list[tuple[str, str, list[str]]]:
        return [(bloc, p, [unit]) for p in self.periods(bloc)]


# --------------------------------------------------------------------------- background prefetch


class Prefetcher:
    """Analyses queued periods in a daemon thread; the UI has priority.

    The thread starts a period only while no UI handler runs (``paused``), so a click never
    waits for more than the period already being computed; ``on_ready(key)`` is called after
    each period (from the thread).
    """

    def __init__(self, analyses: Analyses, on_ready=None):
        self.analyses = analyses
        self.on_ready = on_ready
        self.failed: dict[Key, str] = {}
        self._queue: list[Key] = []
        self._cv = threading.Condition()
        self._idle = threading.Event()
        self._idle.set()
        self._pauses = 0
        self._working = False
        self._stop = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="thidua-explorer-prefetch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        self._idle.set()

    def want(self, keys: list[Key], urgent: bool = False) -> None:
        with self._cv:
            new = [k for k in dict.fromkeys(keys) if not self.analyses.is_cached(k) and k not in self.failed]
            if urgent:
                self._queue = new + [k for k in self._queue if k not in new]
            else:
                self._queue += [k for k in new if k not in self._queue]
            self._cv.notify_all()

    @contextlib.contextmanager
    def paused(self):
        with self._cv:
            self._pauses += 1
            self._idle.clear()
        try:
            yield
        finally:
            with self._cv:
                self._pauses -= 1
                if self._pauses == 0:
                    self._idle.set()

    @property
    def pending(self) -> int:
        with self._cv:
            return len(self._queue) + int(self._working)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the queue is empty (True) or ``timeout`` seconds pass (False)."""
        with self._cv:
            return self._cv.wait_for(lambda: not self._queue and not self._working, timeout)

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._stop and not self._queue:
                    self._cv.wait()
                if self._stop:
                    return
                key = self._queue.pop(0)
                self._working = True
            self._idle.wait()
            try:
                if not self._stop:
                    self.analyses.get(*key)
            except Exception as exc:  # a broken period is reported where it is shown, never raised in a thread
                self.failed[key] = str(exc)
            try:
                if self.on_ready is not None and not self._stop:
                    self.on_ready(key)
            except Exception:  # pragma: no cover - the UI shows its own errors
                pass
            finally:
                with self._cv:
                    self._working = False
                    self._cv.notify_all()
