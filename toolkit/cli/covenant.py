"""``thidua covenant``: draft next year's covenant, check it before signing, say what changed.

The rules are elsewhere: the draft in :mod:`toolkit.engine.covenant_draft`, the checks in
:mod:`toolkit.engine.covenant_checks` (after the covenant model's own), the changes in
:mod:`toolkit.engine.covenant_changes` (the trends report's). This module reads, writes and prints.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from toolkit.cli.options import DATA_OPTION

DRAFT_HEADER = ("# DỰ THẢO giao ước thi đua năm {year}, lập bằng `thidua covenant draft` từ giao ước năm {old}.\n"
                "# Các điểm cần quyết định lại nằm ở cuối tệp (to_decide): quyết định xong thì sửa khóa tương ứng và xóa mục đó;\n"
                "# `thidua covenant check --bloc {bloc} --year {year}` báo lỗi cho đến khi không còn mục nào.\n")


@click.group("covenant")
def covenant_group() -> None:
    """Author a bloc's covenant (giao ước thi đua): draft, check, diff.

    \b
    Examples:
      thidua covenant draft --bloc kinh-te-ky-thuat --year 2026
      thidua covenant check --bloc kinh-te-ky-thuat --year 2026
      thidua covenant diff --bloc kinh-te-ky-thuat 2025 2026
    """


def _workspace(data_dir: Path, bloc: str):
    from toolkit.errors import ParameterError
    from toolkit.model.workspace import Workspace

    ws = Workspace.open(data_dir)
    if bloc not in ws.blocs():
        raise ParameterError(f"Khối '{bloc}' không có trong dữ liệu. Các khối hợp lệ: {', '.join(ws.blocs())}.")
    return ws


def covenant_report(ws, bloc: str, year: int):
    """The covenant (None when its schema refuses it) and every problem of loading and of the checks."""
    from toolkit import config
    from toolkit.engine.covenant_checks import CheckContext, check_covenant
    from toolkit.errors import DataError, Problem
    from toolkit.model.covenant import covenant_problems
    from toolkit.model.readers import read_yaml

    path = ws.covenant_path(bloc, year)
    if not path.exists():
        raise DataError([Problem(str(path), "", f"không có giao ước thi đua của khối '{bloc}' năm {year} "
                                                f"(lập dự thảo: thidua covenant draft --bloc {bloc} --year {year})")])
    raw = read_yaml(path, "giao ước thi đua (YAML)")
    cov, problems = covenant_problems(raw, str(path), ws.vocab.levels())
    if cov is not None:
        for key, want in (("bloc", bloc), ("year", year)):
            if getattr(cov, key) != want:
                problems.append(Problem(str(path), key, f"giá trị {getattr(cov, key)!r} khác vị trí của tệp ({want!r})"))
        members = ws.registry.members(bloc, year)
        ctx = CheckContext(str(path), len(members), ws.vocab, str(ws.data_dir / config.MEMBERSHIP), tuple(members["unit_id"]))
        problems += check_covenant(cov, ctx)
    return cov, problems


@covenant_group.command("check")
@click.option("--bloc", required=True, help="Mã khối (bloc id).")
@click.option("--year", type=int, required=True, help="Năm của giao ước, e.g. 2026.")
@DATA_OPTION
def check_cmd(bloc: str, year: int, data_dir: Path) -> None:
    """Check a covenant before it is signed; every problem at once.

    Beyond what loading refuses (maxima summing to the total, unknown events, targets, bands
    and awards): every band reachable given its floors, quotas that fit the year's membership,
    rating levels with a label that year, and no point a draft left open (to_decide).
    Exit codes: 0 valid, 2 problems (each with the covenant file and the key path).

    \b
    Example:
      thidua covenant check --bloc kinh-te-ky-thuat --year 2026
    """
    from toolkit.errors import visible

    ws = _workspace(data_dir, bloc)
    cov, problems = covenant_report(ws, bloc, year)
    path = ws.covenant_path(bloc, year)
    if problems:
        click.echo(visible(f"Giao ước {path} chưa hợp lệ ({len(problems)} lỗi):"), err=True)
        for p in problems:
            click.echo(visible(f"  {p}"), err=True)
        sys.exit(2)
    members = len(ws.registry.members(bloc, year))
    click.echo(f"Giao ước {path} hợp lệ: {len(cov.contents)} nội dung, {len(cov.criteria)} tiêu chí, tổng {cov.total:g} điểm; "
               f"{len(cov.bands)} mức xếp loại, {len(cov.target_ids())} chỉ tiêu, {len(cov.awards)} hình thức khen thưởng; "
               f"{members} đơn vị thành viên năm {year}.")


def _append_rows(path: Path, rows: list[dict]) -> str:
    """membership.csv with ``rows`` added at its end, in the file's own separator; the lines already there are kept as they are."""
    from toolkit.model.readers import read_text, sniff_separator

    text = read_text(path)
    sep = sniff_separator(text, ["year", "bloc_id", "unit_id", "role"])
    if text and not text.endswith("\n"):
        text += "\n"
    return text + "".join(sep.join(str(r[c]) for c in ("year", "bloc_id", "unit_id", "role")) + "\n" for r in rows)


def draft_files(ws, bloc: str, year: int, source_year: int) -> tuple[dict[Path, str], object]:
    """The files ``covenant draft`` writes (the covenant, and membership.csv when the year has no members), and the draft."""
    import yaml

    from toolkit import config
    from toolkit.engine.covenant_draft import draft_covenant
    from toolkit.model.readers import read_yaml

    cov = ws.covenant(bloc, source_year)  # validated: a draft starts from a covenant that loads
    raw = read_yaml(ws.covenant_path(bloc, source_year), "giao ước thi đua (YAML)")
    d = draft_covenant(raw, cov, ws.registry, ws.vocab, year)
    text = DRAFT_HEADER.format(year=year, old=source_year, bloc=bloc)
    text += yaml.safe_dump(d.covenant, allow_unicode=True, sort_keys=False, width=120)
    files = {ws.covenant_path(bloc, year): text}
    if d.membership:
        files[ws.data_dir / config.MEMBERSHIP] = _append_rows(ws.data_dir / config.MEMBERSHIP, d.membership)
    return files, d


@covenant_group.command("draft")
@click.option("--bloc", required=True, help="Mã khối (bloc id).")
@click.option("--year", type=int, required=True, help="Năm của giao ước mới, e.g. 2026.")
@click.option("--from", "source_year", type=int, default=None, help="Năm của giao ước làm gốc (default: the year before).")
@click.option("--force", is_flag=True, help="Replace the covenant file of --year when it exists.")
@DATA_OPTION
def draft_cmd(bloc: str, year: int, source_year: int | None, force: bool, data_dir: Path) -> None:
    """Write next year's covenant YAML from this year's, with what must be decided again.

    Contents, criteria, points, events, bands, awards and tie-breaks are copied; the date and
    place of signing are emptied; unit ids are replaced through the lineage (a merged or
    renamed unit appears under its successor); the points to decide again (signing, legal
    bases, quotas, targets when that year's rating labels changed, replaced units, membership)
    are listed under to_decide, which `thidua covenant check` reports until each is removed.
    When membership.csv has no members of the bloc that year, the old year's members are added,
    carried through the lineage. Nothing is overwritten without --force; files are written whole.

    \b
    Example:
      thidua covenant draft --bloc kinh-te-ky-thuat --year 2026
    """
    from toolkit.errors import ParameterError
    from toolkit.model.files import write_files

    ws = _workspace(data_dir, bloc)
    source_year = year - 1 if source_year is None else source_year
    out = ws.covenant_path(bloc, year)
    if out.exists() and not force:
        raise ParameterError(f"Đã có giao ước {out}: không ghi đè (dùng --force để thay bằng dự thảo mới).")
    files, d = draft_files(ws, bloc, year, source_year)
    write_files(files)
    click.echo(f"Dự thảo giao ước: {out}")
    if len(files) > 1:
        click.echo(f"Đã thêm {len(d.membership)} đơn vị thành viên năm {year} vào {ws.data_dir / 'membership.csv'}.")
    click.echo(f"Cần quyết định lại ({len(d.covenant['to_decide'])} mục, mục to_decide trong tệp):")
    for p in d.covenant["to_decide"]:
        click.echo(f"  - {p['key']}: {p['note']}")


@covenant_group.command("diff")
@click.option("--bloc", required=True, help="Mã khối (bloc id).")
@click.argument("old", type=int)
@click.argument("new", type=int)
@DATA_OPTION
def diff_cmd(bloc: str, old: int, new: int, data_dir: Path) -> None:
    """Say in words what changed between two years' covenants (as the trends report does).

    \b
    Example:
      thidua covenant diff --bloc kinh-te-ky-thuat 2025 2026
    """
    from toolkit.engine.covenant_changes import covenant_changes
    from toolkit.errors import visible

    ws = _workspace(data_dir, bloc)
    changes = covenant_changes(ws.covenant(bloc, old), ws.covenant(bloc, new))
    if not changes:
        click.echo(f"Giao ước năm {new} không thay đổi quy định nào so với năm {old}.")
        return
    scoring = sum(c.affects_scores for c in changes)
    click.echo(f"Giao ước năm {new} so với năm {old}: {len(changes)} thay đổi, {scoring} thay đổi cách tính điểm.")
    verbs = {"thêm": "Thêm", "bỏ": "Bỏ", "đổi": "Đổi"}
    for c in changes:
        detail = f": {c.detail}" if c.detail else ""
        mark = " (ảnh hưởng cách tính điểm)" if c.affects_scores else ""
        click.echo(visible(f"- {c.part}: {verbs.get(c.change, c.change)} {c.name}{detail}{mark}."))
