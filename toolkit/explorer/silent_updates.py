"""Widget observers that must not react to the explorer's own updates.

Filling a drop-down from code fires the same ``observe`` callbacks as a user's click; a panel
sets its widgets inside ``with self._silence():`` and its callbacks return early while
``self._quiet`` is non-zero.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator


class Quiet:
    """Mix-in: a counter of nested silences (re-entrant, so helpers can silence too)."""

    _quiet = 0

    @contextlib.contextmanager
    def _silence(self) -> Iterator[None]:
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1
