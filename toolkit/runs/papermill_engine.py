"""papermill's nbclient engine, writing the partial notebook at most once a second.

papermill writes the whole output notebook (JSON, with the charts' PNGs) when every cell
starts and again when it ends: 60-odd writes for one report, each longer than the last,
while the kernel waits for its next cell. The partial notebook only matters when a run is
killed (a report that passes its time limit), so it is written when execution starts, then
at a cell boundary at least :data:`SAVE_EVERY` seconds after the previous write (and, as
before, every 30 s during a long cell that prints); papermill writes the complete notebook at
the end, and the notebook of a failing cell with its error, as before.
"""
from __future__ import annotations

from papermill.engines import NBClientEngine, papermill_engines

NAME = "thidua"
SAVE_EVERY = 1.0  # seconds; a killed report's partial notebook is at most this much older than the kill


class _Throttled:
    """``NotebookExecutionManager.save`` that skips writes less than ``every`` seconds after the last one."""

    def __init__(self, manager, every: float):
        self.manager, self.every, self.save = manager, every, manager.save

    def __call__(self, **kwargs) -> None:
        if (self.manager.now() - self.manager.last_save_time).total_seconds() >= self.every:
            self.save(**kwargs)


class Engine(NBClientEngine):
    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        nb_man.save = _Throttled(nb_man, SAVE_EVERY)  # the start was written already (notebook_start)
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)


papermill_engines.register(NAME, Engine)
