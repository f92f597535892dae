"""What the YAML files people edit (covenants, rating vocabularies) share: a strict schema base and
schema errors in Vietnamese, each naming the file and the key path (``contents[2].criteria[0].max``).
"""
from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, ValidationError

from toolkit.errors import Problem


class Model(BaseModel):
    """A schema node: unknown keys are errors (a typo must not be ignored), values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def key_path(parts) -> str:
    """``("contents", 2, "criteria", 0, "max")`` -> ``contents[2].criteria[0].max``."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def schema_problems(exc: ValidationError, file: str, what: str, own: Callable[[dict], str | None] | None = None) -> list[Problem]:
    """One Problem per schema error of ``file``; ``what`` names the kind of file ("giao ước").

    ``own`` words the errors a file says better itself (what its keys and formats must be);
    it returns None for the rest, which get :func:`message`.
    """
    return [Problem(file, key_path(e["loc"]), (own and own(e)) or message(e, what)) for e in exc.errors()]


_BOUNDS = {"greater_than": "lớn hơn", "greater_than_equal": "lớn hơn hoặc bằng",
           "less_than": "nhỏ hơn", "less_than_equal": "nhỏ hơn hoặc bằng"}


def message(err: dict, what: str) -> str:
    """The schema error in Vietnamese, for the civil servant who edits the YAML file.

    Pydantic's own texts are English and echo whole sub-documents back; the common kinds
    are translated here, the rest fall back to pydantic's text.
    """
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = err.get("input")
    if kind == "missing":
        return "thiếu trường bắt buộc"
    if kind == "extra_forbidden":
        return f"trường không được khai báo trong lược đồ {what} (gõ nhầm tên?)"
    if kind in ("float_parsing", "int_parsing", "float_type", "int_type", "int_from_float"):
        return f"cần một số, nhận được {got!r}"
    if kind == "literal_error":
        return f"giá trị {got!r} không hợp lệ; dùng một trong: {ctx['expected'].replace(' or ', ', ')}"
    if kind in ("bool_parsing", "bool_type"):
        return f"cần true (có) hoặc false (không), nhận được {got!r}"
    if kind in _BOUNDS and ctx:
        limit = next(iter(ctx.values()))
        return f"cần {_BOUNDS[kind]} {limit:g}, nhận được {got!r}" if isinstance(limit, (int, float)) else \
            f"cần {_BOUNDS[kind]} {limit}, nhận được {got!r}"
    if kind == "too_short":
        return f"cần ít nhất {ctx.get('min_length', 1)} mục"
    if kind == "value_error":  # the schema's own checks, already in Vietnamese
        return str(ctx.get("error") or err["msg"]).removeprefix("Value error, ")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return ("tệp trống" if got is None else f"cần một bảng khóa: giá trị, nhận được {got!r}")
    if kind == "list_type":
        return f"cần một danh sách, nhận được {got!r}"
    if kind == "string_type":
        return f"cần một đoạn văn bản, nhận được {got!r}"
    return f"{err['msg']} (nhận được {got!r})"
