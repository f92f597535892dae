"""Saving a what-if scenario as a covenant file under ``covenants/<bloc>/scenarios/<name>.yaml``.

The engine only evaluates scenarios (:mod:`toolkit.engine.scenario`); writing one to disk is the
explorer's business. The folder is one the reports never read (they read
``covenants/<bloc>/<year>.yaml`` only), and an existing scenario file is never overwritten.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from toolkit.engine.scenario import Scenario
from toolkit.errors import ParameterError
from toolkit.model.covenant import Covenant
from toolkit.model.files import write_file
from toolkit.model.ids import check_id

SCENARIOS = "scenarios"  # covenants/<bloc>/scenarios/<name>.yaml


def check_name(name: object) -> str:
    """A scenario name is an id (it becomes a file name); anything that could leave the folder is refused."""
    return check_id(name, "Tên kịch bản")


def scenario_path(root: Path, bloc: str, name: str) -> Path:
    """``<root>/<bloc>/scenarios/<name>.yaml``, checked to stay inside ``root``."""
    check_name(name)
    check_id(bloc, "Mã khối")
    root = Path(root)
    path = root / bloc / SCENARIOS / f"{name}.yaml"
    if not path.resolve().is_relative_to(root.resolve()):
        raise ParameterError(f"Tên kịch bản {name!r} trỏ ra ngoài thư mục giao ước.")
    return path


def save(new: Covenant, base: Covenant, scenario: Scenario, root: Path, name: str, base_file: str = "") -> Path:
    """Write the scenario covenant to ``<root>/<bloc>/scenarios/<name>.yaml``; never overwrite a file.

    The file is an ordinary covenant (``load_covenant`` reads it) whose title and notes say it
    is a scenario, not a signed covenant, and list the edits.
    """
    path = scenario_path(root, new.bloc, name)
    taken = ParameterError(f"Đã có kịch bản '{name}' ({path}); hãy chọn tên khác.")
    if path.exists():
        raise taken
    changes = scenario.describe(base)
    origin = base_file or f"covenants/{base.bloc}/{base.year}.yaml"
    raw = new.model_dump(mode="json", exclude_defaults=True)
    raw["title"] = f"{base.title} (kịch bản giả định '{name}')"
    raw["notes"] = list(new.notes) + [f"Kịch bản giả định '{name}' lập từ {origin}, không phải giao ước đã ký. "
                                      f"Thay đổi: {'; '.join(changes) or 'không có'}."]
    head = (f"# Kịch bản giả định '{name}' (thidua explorer), lập từ {origin}.\n"
            "# Không phải giao ước đã ký; các báo cáo định kỳ không đọc thư mục scenarios/.\n")
    try:
        write_file(path, head + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=120), overwrite=False)
    except FileExistsError:  # the name was taken meanwhile
        raise taken from None
    return path
