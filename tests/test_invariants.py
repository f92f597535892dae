"""Properties that must hold for any bloc data, checked with Hypothesis.

Values are drawn from small sets on purpose so that equal totals (ties), units at the
target, capped counts and capped bonuses come up often.
"""
from __future__ import annotations

import itertools
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import covenant_dict, make_covenant, make_vocab, period_data
from toolkit.model.period_data import PeriodData
from toolkit.engine.evaluate import evaluate
from toolkit.model.rounding import round_half_up

VOCAB = make_vocab()
FULL = make_covenant()
_lite = covenant_dict()
_lite["awards"], _lite["targets"] = [], {}
LITE = make_covenant(_lite)  # scoring and ranking only: cheaper per example

NAMES = ["Sở Công Thương", "Sở Đào tạo", "Sở Dân tộc", "Sở Y tế", "Ban Quản lý", "Quỹ Đầu tư", "Sở Em"]
EVENTS = {e.id: e for e in FULL.adjustments.events}
SLOW = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def blocs_data(draw, annual: bool = True):
    """One to three blocs at once: evaluate handles many blocs, and one call costs about
    the same whatever the number of blocs, so each example checks more."""
    return [draw(bloc_data(f"k{i}", annual)) for i in range(draw(st.integers(1, 3)))]


def stacked(blocs: list[dict]) -> PeriodData:
    parts = [period_data(**b) for b in blocs]
    frames = {f: pd.concat([getattr(p, f) for p in parts], ignore_index=True)
              for f in ("members", "scores", "events", "staff", "orgs", "votes")}
    return PeriodData(parts[0].period, **frames)


@st.composite
def bloc_data(draw, bloc: str, annual: bool = True):
    n = draw(st.integers(2, 6))
    units = [f"{bloc}-d{i}" for i in range(n)]
    names = draw(st.permutations(NAMES))[:n]
    submitted = draw(st.lists(st.booleans(), min_size=n, max_size=n).filter(any))
    # units draw their verified values from a pool of one to three profiles, so that equal
    # totals, equal contents and full ties are common; self scores and events then differ
    profile = st.fixed_dictionaries({
        "A1": st.sampled_from([0, 12.5, 20, 25, 27.75, 30]),
        "A2": st.sampled_from([60, 85.005, 90, 94.5, 99, 110]),
        "A3": st.sampled_from([0, 4, 8, 10, 12.5, 16, 30]),
        "B1": st.integers(0, 8),
        "B2": st.sampled_from([0, 1])})
    pool = draw(st.lists(profile, min_size=1, max_size=3))
    scores = []
    for u, ok in zip(units, submitted):
        if not ok:
            continue
        values = draw(st.sampled_from(pool))
        a1 = values["A1"]
        a1_self = draw(st.sampled_from([a1, min(30, a1 + 1), max(0, a1 - 1)]))
        scores.append((u, "A1", a1_self, draw(st.sampled_from([a1, None]))))
        scores += [(u, crit, v, v) for crit, v in values.items() if crit != "A1"]
    events = draw(st.lists(st.tuples(st.sampled_from(units), st.sampled_from(sorted(EVENTS)), st.integers(0, 4),
                                     st.just("")), max_size=8))
    staff, orgs, votes = [], [], []
    if annual:
        for u in units:
            for level in ("xuat_sac", "tot", "hoan_thanh", "khong_hoan_thanh"):
                c = draw(st.integers(0, 12))
                if c:
                    staff.append((u, level, c))
            if draw(st.booleans()):
                orgs.append((u, "party", *draw(st.sampled_from([("tsvm", "Trong sạch vững mạnh"),
                                                                ("hoan_thanh_tot", "Hoàn thành tốt nhiệm vụ")]))))
            if draw(st.booleans()):
                orgs.append((u, "youth", *draw(st.sampled_from([("vung_manh", "Vững mạnh"), ("kha", "Khá")]))))
            if draw(st.booleans()):
                votes.append((u, draw(st.integers(0, n - 1)), n - 1))
    return dict(members=list(zip(units, names)), scores=scores, events=events, staff=staff, orgs=orgs, votes=votes,
                period="2024" if annual else "2024-H1", bloc=bloc)


def _keys(result) -> pd.DataFrame:
    """Per submitted unit, the tie-break keys of the covenant, oriented larger-is-better."""
    u = result["units"][result["units"].submitted].set_index("unit_id")
    c = result["contents"]
    content_a = c[c.content_id == "A"].set_index("unit_id")["final_score"]
    return pd.DataFrame({"bloc": u["bloc_id"], "total": u["total"], "A": content_a.reindex(u.index),
                         "penalty": u["penalty"], "gap": -u["self_gap"].abs(), "rank": u["rank"].astype(int)})


@settings(max_examples=25, **SLOW)
@given(blocs_data(annual=False))
def test_ranking_is_competition_ranking_on_the_tie_break_keys(blocs):
    k = _keys(evaluate(LITE, stacked(blocs), VOCAB))
    for _, bloc in k.groupby("bloc"):
        tuples = {u: (r.total, r.A, r.penalty, r.gap) for u, r in bloc.iterrows()}
        for u, key in tuples.items():
            # rank = 1 + number of units of the bloc strictly better on the keys, in order (1, 2, 2, 4)
            assert bloc.loc[u, "rank"] == 1 + sum(other > key for other in tuples.values())
        for a, b in itertools.permutations(bloc.index, 2):
            if bloc.loc[a, "total"] > bloc.loc[b, "total"]:
                assert bloc.loc[a, "rank"] < bloc.loc[b, "rank"]  # a higher total never ranks below a lower one


@settings(max_examples=25, **SLOW)
@given(blocs_data(annual=False))
def test_totals_stay_within_maxima_and_caps(blocs):
    r = evaluate(LITE, stacked(blocs), VOCAB)
    s = r["scores"]
    assert ((s.final_score >= 0) & (s.final_score <= s["max"])).all()
    u = r["units"][r["units"].submitted]
    assert (u.criteria_total <= 100 + 1e-9).all()
    assert ((u.bonus >= 0) & (u.bonus <= 6)).all() and ((u.penalty <= 0) & (u.penalty >= -8)).all()
    assert (u.total <= 100 + 6 + 1e-9).all() and (u.total >= -8 - 1e-9).all()
    assert np.allclose(u.total, u.criteria_total + u.bonus + u.penalty, atol=1e-9)
    # bonus and penalty from the events, capped per kind and then overall (Decimal arithmetic)
    events = [e for b in blocs for e in b["events"]]
    for unit in u.unit_id:
        per_kind: dict[str, Decimal] = {}
        for eu, ev, count, _ in events:
            if eu == unit:
                per_kind[ev] = per_kind.get(ev, Decimal(0)) + Decimal(str(EVENTS[ev].points)) * count
        capped = {ev: max(-Decimal(str(EVENTS[ev].cap)), min(Decimal(str(EVENTS[ev].cap)), v)) for ev, v in per_kind.items()}
        bonus = min(sum((v for v in capped.values() if v > 0), Decimal(0)), Decimal(6))
        penalty = max(sum((v for v in capped.values() if v < 0), Decimal(0)), Decimal(-8))
        row = u[u.unit_id == unit].iloc[0]
        assert (row.bonus, row.penalty) == (float(bonus), float(penalty))


def _canonical(result) -> dict[str, pd.DataFrame]:
    """Result frames in a fixed row order, for comparison across input orders."""
    out = {}
    for name, df in result.items():
        keys = [c for c in ("bloc_id", "award_id", "target_id", "unit_id", "content_id", "criterion_id") if c in df.columns]
        out[name] = df.sort_values(keys, kind="stable").reset_index(drop=True) if keys and len(df) else df.reset_index(drop=True)
    return out


@settings(max_examples=10, **SLOW)
@given(blocs_data(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_input_row_order(blocs, rnd):
    data = stacked(blocs)
    # rows in another order, renumbered as if the files had been written in that order
    shuffled = PeriodData(data.period, **{
        f: getattr(data, f).sample(frac=1, random_state=rnd.randrange(2**32)).reset_index(drop=True)
        for f in ("members", "scores", "events", "staff", "orgs", "votes")})
    a = _canonical(evaluate(FULL, data, VOCAB))
    b = _canonical(evaluate(FULL, shuffled, VOCAB))
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_like=True, obj=name)


@settings(max_examples=4, **SLOW)
@given(blocs_data())
def test_scoring_twice_gives_identical_frames(blocs):
    data = stacked(blocs)
    first = evaluate(FULL, data, VOCAB)
    second = evaluate(FULL, data, VOCAB)
    assert first.keys() == second.keys()
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], obj=name)
    # evaluate must not modify its input
    pd.testing.assert_frame_equal(data.scores, stacked(blocs).scores)


@settings(max_examples=300, deadline=None)
@given(st.integers(-10**8, 10**8), st.sampled_from([0, 1]))
def test_round_half_up_agrees_with_decimal_on_two_decimal_inputs(cents, decimals):
    value = cents / 100  # a 2-decimal number as a float (binary approximation)
    exact = (Decimal(cents) / 100).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    assert round_half_up(value, decimals) == float(exact)


@settings(max_examples=300, deadline=None)
@given(st.integers(-10**8, 10**8))
def test_round_half_up_to_two_decimals_agrees_with_decimal(mills):
    value = mills / 1000  # 3 decimals (84.995 and friends) rounded to 2
    exact = (Decimal(mills) / 1000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert round_half_up(value, 2) == float(exact)
