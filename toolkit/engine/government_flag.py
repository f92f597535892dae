"""Which of the blocs' leading units the province may propose for the Government's flag.

Decree 152/2025 Art. 7(1) (as Decree 91/2017 Art. 11 before it): the number proposed is at most
20% of the bloc-leading collectives that meet the provincial flag's standard. The decree states no
rounding; the province's setting does (``floor`` by default: "at most" is never exceeded), and the
arithmetic is always shown ("20% × 3 khối = 0,6 → tối đa 0 đơn vị"). Candidates are ordered by the
province's keys (share of the covenant maximum, so blocs with different maxima compare; then the
lead over the next unit of the bloc); units still equal on every key where the quota cuts are
all left to the provincial council rather than picked by a rule nobody agreed.
"""
from __future__ import annotations

import pandas as pd

from toolkit.model.rounding import round_count, round_half_up
from toolkit.model.text import fmt_number, sort_key

ROUNDING_VI = {"floor": "làm tròn xuống", "half_up": "làm tròn", "ceil": "làm tròn lên"}
TIED = "bằng nhau ở ngưỡng hạn mức: Hội đồng Thi đua - Khen thưởng tỉnh quyết định"


def quota(eligible: int, ratio: float, rounding: str) -> int:
    """At most how many of ``eligible`` leading units may be proposed."""
    return round_count(eligible * ratio, rounding)


def arithmetic(eligible: int, ratio: float, rounding: str) -> str:
    """The computation in words: '20% × 3 khối = 0,6 → tối đa 0 đơn vị (làm tròn xuống)'."""
    return (f"{_plain(ratio * 100)}% × {eligible} khối = {_plain(eligible * ratio)} → tối đa "
            f"{quota(eligible, ratio, rounding)} đơn vị ({ROUNDING_VI[rounding]})")


def _plain(x: float) -> str:
    """A number with a decimal comma and no trailing zeros: 0.6 -> '0,6', 20.0 -> '20', 1.25 -> '1,25'."""
    text = fmt_number(round_half_up(x, 4), 4)
    return text.rstrip("0").rstrip(",")


def select(leaders: pd.DataFrame, ratio: float, rounding: str, order: list[str]) -> pd.DataFrame:
    """``leaders``: one row per bloc-leading unit meeting the provincial flag's standard, with ``name`` and the ``order`` keys.

    Returns them best first with ``position`` (1, 2, …; equal keys share one), ``selected`` and ``reason``.
    """
    n = len(leaders)
    cap = quota(n, ratio, rounding)
    keys = [round_half_up(leaders[k].astype(float), 6) for k in order]  # equal shares compare equal despite float noise
    frame = leaders.assign(**{f"_k{i}": k for i, k in enumerate(keys)}, _name=leaders["name"].map(sort_key))
    frame = frame.sort_values([f"_k{i}" for i in range(len(order))] + ["_name"], ascending=[False] * len(order) + [True],
                              kind="stable")
    tuples = [tuple(r) for r in frame[[f"_k{i}" for i in range(len(order))]].itertuples(index=False)]
    positions = [1 + sum(1 for other in tuples if other > mine) for mine in tuples]
    selected, reasons = [], []
    for pos, mine in zip(positions, tuples):
        equal = sum(1 for other in tuples if other == mine)
        if pos + equal - 1 <= cap:
            selected.append(True)
            reasons.append(f"trong hạn mức {cap} đơn vị")
        elif pos <= cap:  # the quota cuts through units equal on every key
            selected.append(False)
            reasons.append(TIED)
        else:
            selected.append(False)
            reasons.append(f"ngoài hạn mức {cap} đơn vị" if cap else "hạn mức là 0 đơn vị")
    out = frame.drop(columns=[c for c in frame.columns if c.startswith("_")]).assign(position=positions, selected=selected,
                                                                                    reason=reasons)
    return out.reset_index(drop=True)
