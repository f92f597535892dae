"""The national-scale sample generator (toolkit/sample_national.py) on a small instance.

2 provinces × 2 blocs × 4 units × 6 criteria: the engine evaluates it, every table has the
size the parameters imply, and the same seed gives the same frames.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from toolkit.engine.evaluate import evaluate
from toolkit.samples.national import aggregate_staff, national
from toolkit.model.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
SHAPE = dict(provinces=2, blocs=2, units=4, criteria=6)
N_BLOCS, N_UNITS = 2 * 2, 2 * 2 * 4


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary(ROOT / "data" / "vocabularies.yaml")


@pytest.fixture(scope="module")
def small(vocab):
    return national(11, **SHAPE, vocab=vocab)


def test_covenant_has_the_requested_criteria_of_every_kind(small):
    cov = small.covenant
    criteria = [k for _, k in cov.criteria]
    assert len(criteria) == 6
    assert {k.kind for k in criteria} == {"graded", "pass_fail", "count", "target"}
    assert len(cov.contents) == 2
    assert sum(k.max for k in criteria) == cov.total
    assert len(cov.awards) == 2 and cov.targets.excellent_cap is not None and cov.adjustments.events
    assert cov.synthetic


def test_row_counts(small):
    cov, data, staff_rows = small
    members = data.members
    assert len(members) == N_UNITS
    assert members["bloc_id"].nunique() == N_BLOCS
    assert members.groupby("bloc_id").size().eq(4).all()
    assert members["unit_id"].is_unique  # each bloc has its own members
    submitted = data.scores["unit_id"].nunique()
    assert submitted == N_UNITS - 1  # max(1, 0.5 % of the units) hand in nothing
    assert len(data.scores) == submitted * 6
    assert data.scores.groupby("unit_id").size().eq(6).all()
    assert set(data.scores["criterion_id"]) == {k.id for _, k in cov.criteria}
    assert len(data.votes) == N_UNITS
    # staff: one row per civil servant, [0.6, 1.4] × 130 per unit, aggregated to counts
    assert 78 * N_UNITS <= len(staff_rows) <= 182 * N_UNITS
    assert data.staff["count"].sum() == len(staff_rows)


def test_aggregate_staff_counts_people_per_unit_and_level(vocab):
    """Worked by hand: labels in NFD, with stray spaces and abbreviations, counted per unit and level."""
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Hoàn thành xuất sắc nhiệm vụ")
    rows = pd.DataFrame({
        "bloc_id": ["b1", "b1", "b1", "b1", "b2"],
        "unit_id": ["u1", "u1", "u1", "u2", "u3"],
        "rating": [nfd, "  Hoàn thành xuất sắc   nhiệm vụ", "HTTNV", "Hoàn thành nhiệm vụ", "KHTNV"],
    })
    got = aggregate_staff(rows, vocab, 2024)
    got = got.sort_values(["bloc_id", "unit_id", "level"]).reset_index(drop=True)
    assert got[["bloc_id", "unit_id", "level", "count"]].values.tolist() == [
        ["b1", "u1", "tot", 1], ["b1", "u1", "xuat_sac", 2], ["b1", "u2", "hoan_thanh", 1], ["b2", "u3", "khong_hoan_thanh", 1]]
    with pytest.raises(ValueError, match="not valid for 2024"):
        aggregate_staff(rows.assign(rating="Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực"), vocab, 2024)


def test_evaluates_without_error(small, vocab):
    cov, data, _ = small
    out = evaluate(cov, data, vocab)
    assert len(out["scores"]) == len(data.scores)
    assert len(out["units"]) == N_UNITS
    assert out["units"]["submitted"].sum() == N_UNITS - 1
    assert out["units"].loc[out["units"]["submitted"], "rank"].notna().all()
    assert len(out["contents"]) == (N_UNITS - 1) * 2
    assert len(out["targets"]) == N_UNITS * (2 + 3)  # 2 staff and 3 organisation targets
    assert len(out["cap"]) == N_UNITS
    assert len(out["eligibility"]) == N_UNITS * 2
    assert len(out["quotas"]) == N_BLOCS * 2
    assert out["eligibility"].groupby(["bloc_id", "award_id"])["nominated"].sum().le(
        out["quotas"].set_index(["bloc_id", "award_id"])["quota"]).all()


def test_same_seed_same_frames(small, vocab):
    again = national(11, **SHAPE, vocab=vocab)
    for name in ("members", "scores", "events", "staff", "orgs", "votes"):
        pd.testing.assert_frame_equal(getattr(small.data, name), getattr(again.data, name), obj=name)
    pd.testing.assert_frame_equal(small.staff_rows, again.staff_rows)
    assert small.covenant == again.covenant
    other = national(12, **SHAPE, vocab=vocab)
    assert not other.data.scores["self_value"].equals(small.data.scores["self_value"])
