"""vocabularies.yaml is validated by a schema; a bad file names the file and the key path of every fault."""
from __future__ import annotations

import pytest
import yaml

from toolkit.errors import DataError
from toolkit.model.vocabulary import load_vocabulary
from toolkit.model.workspace import Workspace


def faults(path) -> dict[str, str]:
    with pytest.raises(DataError) as exc:
        load_vocabulary(path)
    assert all(p.file == str(path) for p in exc.value.problems)
    return {p.where: p.message for p in exc.value.problems}


def edit(data_copy, change) -> object:
    path = data_copy / "vocabularies.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw["scales"])
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_reference_vocabulary_loads(data_copy):
    vocab = load_vocabulary(data_copy / "vocabularies.yaml")
    assert vocab.scales["staff"].levels == ("khong_hoan_thanh", "hoan_thanh", "tot", "xuat_sac")
    assert vocab.scales["staff"].labels_for(2020)["htxsnv"] == "xuat_sac"


def test_schema_faults_are_named_by_key_path(data_copy):
    def change(s):
        s["staff"]["versions"][0]["lables"] = s["staff"]["versions"][0].pop("labels")  # a typo
        s["party"]["versions"][1]["from"] = "năm 2018"
        del s["mass"]

    got = faults(edit(data_copy, change))
    assert got == {
        "scales.staff.versions[0].labels": "thiếu trường bắt buộc",
        "scales.staff.versions[0].lables": "trường không được khai báo trong lược đồ thang xếp loại (gõ nhầm tên?)",
        "scales.party.versions[1].from": "cần một số, nhận được 'năm 2018'",
        "scales.mass": "thiếu trường bắt buộc",
    }


def test_a_label_must_map_to_a_level_of_its_scale(data_copy):
    got = faults(edit(data_copy, lambda s: s["mass"]["versions"][0]["labels"].update({"Khá": "kha_lam"})))
    assert got == {"scales.mass.versions[0].labels": "nhãn 'Khá' trỏ tới mức 'kha_lam' không có trong levels"}


def test_a_version_cannot_end_before_it_starts(data_copy):
    got = faults(edit(data_copy, lambda s: s["staff"]["versions"][0].update(to=2010)))
    assert got == {"scales.staff.versions[0]": "năm kết thúc 'to' (2010) trước năm bắt đầu 'from' (2015)"}


def test_a_yaml_syntax_error_names_the_line(data_copy):
    path = data_copy / "vocabularies.yaml"
    path.write_text("scales:\n  staff: [oops\n", encoding="utf-8")
    got = faults(path)
    assert list(got) == ["dòng 3, cột 1"] and "không đọc được tệp thang xếp loại (YAML)" in got["dòng 3, cột 1"]


def test_the_workspace_reports_a_bad_vocabulary_as_data_error(data_copy):
    edit(data_copy, lambda s: s["staff"].update(levels="xuat_sac"))
    with pytest.raises(DataError, match=r"vocabularies.yaml: scales.staff.levels: cần một danh sách"):
        Workspace.open(data_copy)
