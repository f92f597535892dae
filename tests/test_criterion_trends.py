"""Sub-criteria in the trends: the sample bloc's 2025 N2.3 (graded 5) split in a scratch copy into
N2.3.a (graded 3) and N2.3.b (graded 2), each unit's value split as min(v, 3) and the rest.

The split changes no total: the parent N2.3 must read exactly what N2.3 read before, which the
unedited sample gives independently of the parts code.
"""
from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

from toolkit.model.workspace import Workspace
from toolkit.reports import result_tables, trends
from toolkit.reports.analysis import analyse
from toolkit.reports.bloc_history import history, period_range
from toolkit.reports.filed_tables import save_tables

BLOC = "kinh-te-ky-thuat"


def _split(value: str) -> tuple[str, str]:
    if value.strip() == "":
        return "", ""
    v = float(value)
    a = min(v, 3.0)
    return f"{a:g}", f"{round(v - a, 6):g}"


@pytest.fixture(scope="module")
def split_data(tmp_path_factory):
    dst = tmp_path_factory.mktemp("parts") / "data"
    shutil.copytree(Workspace.open().data_dir, dst)
    path = dst / "covenants" / BLOC / "2025.yaml"
    cov = yaml.safe_load(path.read_text(encoding="utf-8"))
    n23 = cov["contents"][1]["criteria"][2]
    assert (n23["id"], n23["max"], n23["kind"]) == ("N2.3", 5, "graded")
    cov["contents"][1]["criteria"][2] = {"id": "N2.3", "title": n23["title"], "max": 5, "parts": [
        {"id": "N2.3.a", "title": "Cải cách hành chính", "max": 3}, {"id": "N2.3.b", "title": "Chuyển đổi số", "max": 2}]}
    path.write_text(yaml.safe_dump(cov, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for period in ("2025", "2025-H1"):
        scores = dst / "periods" / BLOC / period / "scores.csv"
        df = pd.read_csv(scores, dtype=str, keep_default_na=False)
        rows = []
        for r in df.to_dict("records"):
            if r["criterion_id"] != "N2.3":
                rows.append(r)
                continue
            (sa, sb), (va, vb) = _split(r["self_value"]), _split(r["verified_value"])
            rows += [{**r, "criterion_id": "N2.3.a", "self_value": sa, "verified_value": va},
                     {**r, "criterion_id": "N2.3.b", "self_value": sb, "verified_value": vb}]
        pd.DataFrame(rows, columns=df.columns).to_csv(scores, index=False)
    return dst


def test_the_parent_reads_what_the_unsplit_criterion_read_and_totals_do_not_move(split_data):
    before = analyse(Workspace.open(), BLOC, "2025", compare=False)
    after = analyse(Workspace.open(split_data), BLOC, "2025", compare=False)
    pd.testing.assert_series_equal(after.units.set_index("unit_id")["total"], before.units.set_index("unit_id")["total"])
    h = history(Workspace.open(split_data), BLOC, period_range(Workspace.open(split_data), BLOC, "2024", "2025"))
    parts = h.parts[h.parts["period"] == "2025"]
    n23 = parts[parts["criterion_id"] == "N2.3"].set_index("unit_id")["score"]
    old = before.scores[before.scores["criterion_id"] == "N2.3"]
    old = old[old["unit_id"].isin(before.units.loc[before.units["submitted"], "unit_id"])].set_index("unit_id")["final_score"]
    assert n23.sort_index().to_dict() == old.sort_index().to_dict()
    # 2024 has no parts: no rows; each 2025 unit has the parent and its two parts, parts summing to the parent
    assert set(h.parts["period"]) == {"2025"}
    wide = parts.pivot(index="unit_id", columns="criterion_id", values="score")
    assert ((wide["N2.3.a"] + wide["N2.3.b"]).round(6) == wide["N2.3"]).all()
    assert (wide["N2.3.a"] <= 3).all() and (wide["N2.3.b"] <= 2).all()


def test_the_contents_table_lists_the_parts_under_their_criterion(split_data):
    ws = Workspace.open(split_data)
    h = history(ws, BLOC, period_range(ws, BLOC, "2024", "2025"))
    table = trends.contents(h)
    labels = table["Nội dung"].tolist()
    i = labels.index(next(x for x in labels if x.startswith("N2.")))
    assert labels[i + 1:i + 4] == ["   N2.3. " + h.covenants[2025].top_criteria[4][1].title,
                                   "      – N2.3.a. Cải cách hành chính", "      – N2.3.b. Chuyển đổi số"]
    assert labels[i + 4].startswith("N3.")
    row = table.iloc[i + 1]
    cols = [c for c in table.columns if c not in ("Nội dung", "Trung bình các kỳ")]
    assert pd.isna(row[cols[0]])  # 2024: no parts, no figure (never interpolated)
    # 2025: the parent's mean share is the old N2.3's mean of final / 5 over the units that submitted
    before = analyse(Workspace.open(), BLOC, "2025", compare=False)
    s = before.scores[(before.scores["criterion_id"] == "N2.3")
                      & before.scores["unit_id"].isin(before.units.loc[before.units["submitted"], "unit_id"])]
    assert row[cols[1]] == pytest.approx((s["final_score"] / 5).mean(), abs=5e-5)


def test_filed_and_computed_parts_agree(split_data, tmp_path):
    ws = Workspace.open(split_data)
    periods = period_range(ws, BLOC, "2025", "2025")
    folder = tmp_path / "2025" / BLOC
    save_tables(result_tables.all_tables(analyse(ws, BLOC, "2025")), folder)
    filed = history(ws, BLOC, periods, {"2025": str(folder)})
    computed = history(ws, BLOC, periods)
    assert filed.read_from["2025"].startswith("đọc từ báo cáo")
    pd.testing.assert_frame_equal(filed.parts, computed.parts, obj="parts")
    assert len(computed.parts) == 3 * int(computed.units["submitted"].sum())
