"""Checks shared by the chart tests."""
from __future__ import annotations

from matplotlib.figure import Figure


def sticking_out(fig: Figure, slack: float = 0.02) -> list[str]:
    """What of the figure is drawn outside it (inches beyond each edge), empty when it all fits."""
    drawn = fig.get_tightbbox(fig.canvas.get_renderer())
    width, height = fig.get_size_inches()
    beyond = {"left": -drawn.x0, "bottom": -drawn.y0, "right": drawn.x1 - width, "top": drawn.y1 - height}
    return [f"{edge} by {inches:.2f} in" for edge, inches in beyond.items() if inches > slack]
