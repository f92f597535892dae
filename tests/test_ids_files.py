"""The one id rule, the one period order and the one way files are written."""
from __future__ import annotations

import os
import shutil

import pytest

from toolkit.errors import DataError, ParameterError
from toolkit.model.files import replacing, write_file, write_files
from toolkit.model.ids import check_id, is_id
from toolkit.model.periods import Period
from toolkit.model.registry import load_registry


@pytest.mark.parametrize("value", ["kinh-te-ky-thuat", "so-gtvt", "u1", "a" * 64, "2018"])
def test_valid_ids(value):
    assert is_id(value) and check_id(value, "Mã") == value


@pytest.mark.parametrize("value", ["", "-a", "A", "a_b", "a b", "../x", "a/b", "tên", "a" * 65, "abc\n", None, 3])
def test_invalid_ids_name_the_rule(value):
    assert not is_id(value)
    with pytest.raises(ParameterError, match="không hợp lệ: chỉ gồm chữ thường"):
        check_id(value, "Mã khối")


def test_registry_refuses_ids_that_cannot_be_folder_names(data_copy):
    units = data_copy / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace("so-gtvt,", "So_GTVT,", 1), encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_registry(data_copy)
    assert any(p.where.endswith("cột unit_id") and "'So_GTVT' không hợp lệ" in p.message for p in exc.value.problems)


def test_one_chronological_order():
    texts = ["2019", "2018-Q4", "2018", "2018-H2", "2018-H1", "2018-Q1"]
    ordered = [str(p) for p in sorted((Period.parse(t) for t in texts), key=lambda p: p.sort_key)]
    assert ordered == ["2018-Q1", "2018-H1", "2018", "2018-H2", "2018-Q4", "2019"]
    assert sorted(Period.parse(t) for t in texts) == sorted((Period.parse(t) for t in texts), key=lambda p: p.sort_key)

    from toolkit.explorer.analyses import period_order
    assert sorted(texts, key=period_order) == ordered


def test_write_file_replaces_completely_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "sub" / "a.txt"
    write_file(path, "một")
    write_file(path, b"hai")
    assert path.read_bytes() == b"hai"
    assert [p.name for p in path.parent.iterdir()] == ["a.txt"]


def test_write_file_without_overwrite_never_replaces(tmp_path):
    path = tmp_path / "a.txt"
    write_file(path, "cũ")
    with pytest.raises(FileExistsError):
        write_file(path, "mới", overwrite=False)
    assert path.read_text(encoding="utf-8") == "cũ"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_write_files_moves_nothing_when_one_fails(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_files({a: "a1", b: "b1"})


    with pytest.raises(Exception):
        write_files({a: "a2", b: object()})  # the second cannot be written: the first must not move either
    assert a.read_text() == "a1" and b.read_text() == "b1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_replacing_keeps_the_old_file_when_the_writer_fails(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with replacing(path) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("writer failed")
    assert path.read_bytes() == b"old" and sorted(os.listdir(tmp_path)) == ["book.xlsx"]
    with replacing(path) as tmp:
        shutil.copyfile(__file__, tmp)
    assert path.read_bytes() != b"old"
