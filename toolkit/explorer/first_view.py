"""The explorer's first view: its opening selection as plain HTML, readable before any widget is drawn.

A page that shows widgets needs its widget library loaded and a kernel running the explorer;
that takes seconds, half a minute when a whole meeting opens the link at once. The first view
(the opening bloc and period: header, ranking, nominations, scorecard) depends on the data only,
never on who asks, so:

- :class:`FirstView` displays the widget together with that HTML; a page can show the HTML
  until its widgets are drawn (``thidua app``'s template does);
- :func:`publish` also leaves the HTML in a file when the app asks for it (``THIDUA_FIRST_VIEW``,
  a path in the app's private folder): the app's server puts the latest one in every page it
  sends before the visitor's own kernel has run anything (:mod:`toolkit.cli.voila_server`).
"""
from __future__ import annotations

import os

from toolkit.model.files import write_file

ENV = "THIDUA_FIRST_VIEW"


class FirstView:
    """A widget displayed together with an HTML rendering of its first state.

    A front end that draws widgets shows the widget (it ranks a widget view above HTML); a page
    can show the HTML until it has loaded its widget library: `thidua app`'s template does, so
    a visitor reads the first results at once.
    """

    def __init__(self, widget, html: str):  # widget: an ipywidgets.Widget
        self.widget, self.html = widget, html

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if self.html:
            bundle["text/html"] = self.html
        return bundle


def publish(html: str) -> None:
    """Leave ``html`` where the app's server reads the first view, when running under ``thidua app``.

    Best effort: a first view that cannot be written only means visitors wait for their kernel.
    """
    path = os.environ.get(ENV)
    if path and html:
        try:
            write_file(path, html)
        except OSError:
            pass


__all__ = ["ENV", "FirstView", "publish"]
