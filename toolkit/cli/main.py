"""The ``thidua`` command line. Data errors are printed as messages, never as tracebacks."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from toolkit import config
from toolkit.cli.app_command import app_cmd
from toolkit.cli.covenant import covenant_group
from toolkit.cli.decisions import decisions_cmd, record_cmd
from toolkit.cli.documents import after_run, check_documents, documents_cmd
from toolkit.cli.locked import locked_reports
from toolkit.cli.options import DATA_OPTION
from toolkit.cli.submissions import ingest_cmd, template_cmd
from toolkit.errors import DataError, ThiduaError, visible


def _say(text: str, err: bool = True) -> None:
    """Print a message that may quote data: its control characters as escapes, its own line breaks kept."""
    click.echo(visible(text, keep="\n"), err=err)


class _Group(click.Group):
    """Turns the toolkit's own errors into a clean message and exit code 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except DataError as exc:
            _say(str(exc))
            sys.exit(2)
        except ThiduaError as exc:
            _say(f"Lỗi: {exc}")
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("Đã dừng theo yêu cầu.", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thidua")
def main() -> None:
    """thidua: period analyses of emulation blocs (khối thi đua).

    \b
    Examples:
      thidua list
      thidua run --bloc kinh-te-ky-thuat --period 2018
      thidua sample --out data
    """


@main.command("list")
@DATA_OPTION
def list_cmd(data_dir: Path) -> None:
    """List the blocs and the periods that have data.

    \b
    Example:
      thidua list --data data
    """
    from toolkit.model.workspace import Workspace

    ws = Workspace.open(data_dir)
    for bloc in ws.blocs():
        periods = ws.periods(bloc)
        click.echo(f"{bloc}  ({ws.registry.bloc_name(bloc)})")
        click.echo(f"    {', '.join(periods) if periods else 'không có dữ liệu'}")


@main.command("run")
@click.option("--bloc", "blocs", multiple=True, required=True,
              help="Mã khối (bloc id), repeatable; 'all' for every bloc (see `thidua list`).")
@click.option("--period", required=True,
              help="2018 (năm), 2018-H1 (6 tháng), 2018-Q1 (quý), or 'latest' (most recent closed period of --kind).")
@click.option("--kind", type=click.Choice(["year", "half", "quarter"]), default="year", show_default=True,
              help="Kind of period that 'latest' means.")
@click.option("--notebook", "notebooks", multiple=True, default=("bloc_report",), show_default=True,
              help="Report notebook in notebooks/ (without .ipynb); repeatable.")
@DATA_OPTION
@click.option("--reports", "reports_dir", type=click.Path(file_okay=False, path_type=Path), default=config.REPORTS_DIR,
              show_default=True, help="Where reports are written: <reports>/<period>/<bloc>/.")
@click.option("--jobs", type=int, default=None, help="Reports run in parallel (default: number of cores).")
@click.option("--timeout", type=int, default=900, show_default=True, help="Seconds allowed for one whole report.")
@click.option("--cell-timeout", type=int, default=600, show_default=True, help="Seconds allowed for one notebook cell.")
@click.option("--force", is_flag=True, help="Redo reports even when their inputs and code are unchanged.")
@click.option("--documents", is_flag=True,
              help="Also draft the bloc's documents (see `thidua documents`) beside each report. Their inputs are checked "
                   "first: a report whose documents could not be drafted is left as it was, drafts included.")
def run_cmd(blocs, period, kind, notebooks, data_dir, reports_dir, jobs, timeout, cell_timeout, force, documents) -> None:
    """Run report notebooks for blocs and a period.

    Writes report.ipynb, report.html, results.xlsx, results/*.csv and manifest.json into
    <reports>/<period>/<bloc>/. Bad parameters stop before anything is written; a failing
    cell leaves the partial notebook in <bloc>.failed/ and the previous report untouched.
    A report whose inputs, code and parameters are unchanged is kept as it is (--force redoes
    it), so a killed run is finished by running the same command again. With several blocs,
    reports run in parallel and a province overview is written to <reports>/<period>/province_overview/.

    Exit codes: 0 all done, 1 a report failed or timed out, 2 bad parameters or data,
    3 some blocs have no data for the period, 4 another run holds the reports folder.

    \b
    Examples:
      thidua run --bloc kinh-te-ky-thuat --period 2018
      thidua run --bloc all --period 2019-H1 --jobs 2
      thidua run --bloc all --period latest --kind year      # for cron
    """
    import os

    from toolkit.runs import batch
    from toolkit.model.workspace import Workspace
    from toolkit.model.calendar import today
    from toolkit.model.periods import Period
    from toolkit.model.parameters import check_bloc_id
    from toolkit.runs.runner import notebook_path

    ws = Workspace.open(data_dir)
    names = ws.blocs() if "all" in blocs else [check_bloc_id(b) for b in dict.fromkeys(blocs)]
    # 'latest' follows each bloc's closing days (calendar.yaml): a run on 1 December files this year
    day = today()
    periods = {b: ws.calendar.latest_closed(kind, day, b) if period == "latest" else Period.parse(period) for b in names}
    if "all" in blocs:  # a bloc with no members that year did not exist then (a former province's bloc after the merger)
        existed = set(zip(ws.registry.membership["bloc_id"], ws.registry.membership["year"]))
        names = [b for b in names if (b, periods[b].year) in existed] or names
    p = ws.calendar.latest_closed(kind, day) if period == "latest" else Period.parse(period)
    for nb in notebooks:
        notebook_path(nb)
    if len(names) == 1 and len(notebooks) == 1:
        ws.load(names[0], ws.check(names[0], periods[names[0]]))  # one report: bad parameters or data exit 2 before anything is written
    jobs_list = [batch.Job(b, str(periods[b]), nb) for b in names for nb in notebooks]
    # a run replaces the report folder, drafts included: documents that could not be drafted again stop their report first
    held = check_documents(ws, jobs_list) if documents else {}
    if held and len(jobs_list) == 1:
        raise held[jobs_list[0]]  # exit 2 with the message of `thidua documents`, nothing written
    overview = len(names) > 1 and (config.NOTEBOOKS_DIR / "province_overview.ipynb").exists()
    with locked_reports(reports_dir):
        todo = [j for j in jobs_list if j not in held]
        ran = {}
        if todo:
            ran = dict(zip(todo, _run_jobs(todo, reports_dir, data_dir, jobs or os.cpu_count() or 1, timeout, cell_timeout, force)))
        outcomes = [ran[j] if j in ran else batch.Outcome(j.bloc, j.period, j.notebook, "bad-data", 0.0, "",
                                                          f"không lập được văn bản, báo cáo giữ nguyên: {held[j]}")
                    for j in jobs_list]
        if overview:  # after the blocs' reports, which it reads; in a worker too, under the same time limit
            outcomes += _run_jobs([batch.Job("(toàn tỉnh)", str(p), batch.OVERVIEW)], reports_dir, data_dir, 1, timeout,
                                  cell_timeout, force)
        code = _report_outcomes(outcomes)
        for job, exc in held.items():
            _say(f"Không lập được văn bản {job.bloc} {job.period}; báo cáo giữ nguyên:\n{exc}")
        if documents:
            code = max(code, after_run(outcomes, data_dir, reports_dir))  # still under the lock
    sys.exit(code)


def _report_outcomes(outcomes) -> int:
    """Print where the reports are (or the summary table) and what went wrong; return the exit code."""
    from toolkit.runs import batch

    if len(outcomes) == 1 and outcomes[0].status in ("ok", "skipped"):
        o = outcomes[0]
        _say(f"Báo cáo: {o.where}" + ("  (giữ nguyên: dữ liệu và mã nguồn không đổi; --force để chạy lại)" if o.status == "skipped" else ""), err=False)
        _say(f"Bảng kết quả: {Path(o.where).parent / 'results.xlsx'}  ({o.seconds:.1f} giây)", err=False)
    elif len(outcomes) > 1 or outcomes[0].status not in ("bad-data", "no-data"):
        _say(batch.summary_table(outcomes), err=False)
    code = batch.exit_code(outcomes)
    if code == 2 and len(outcomes) == 1:
        _say(outcomes[0].message)
    elif code == 3 and len(outcomes) == 1:
        _say(f"Lỗi: {outcomes[0].message}")
        code = 2
    elif code == 1 and len(outcomes) == 1:
        _say(f"Lỗi khi chạy báo cáo: {outcomes[0].message}\nSổ tay đã chạy một phần: {outcomes[0].where}")
    return code


def _run_jobs(jobs_list, reports_dir, data_dir, workers, timeout, cell_timeout, force):
    import logging

    from toolkit.runs import batch

    tty = sys.stderr.isatty()
    if tty:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs_list), unit="báo cáo", file=sys.stderr)

        def progress(o):
            bar.set_postfix_str(f"{o.bloc} {o.period}: {o.status}")
            bar.update(1)
    else:
        log = logging.getLogger("thidua.batch")
        if not log.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
            log.addHandler(handler)
            log.setLevel(logging.INFO)
            log.propagate = False

        def progress(o):
            log.info("%s %s %s %s %.1fs %s", o.bloc, o.period, o.notebook, o.status, o.seconds,
                     visible(o.message.splitlines()[0]) if o.message else "")
    try:
        return batch.run_batch(jobs_list, reports_dir, data_dir, workers, timeout, cell_timeout, force, progress)
    finally:
        if tty:
            bar.close()


@main.command("verify")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@DATA_OPTION
def verify_cmd(folder: Path, data_dir: Path) -> None:
    """Re-execute a report from its manifest and say whether its results are identical.

    Compares results/*.csv, results.xlsx and report.html (apart from its provenance footer);
    when they differ, says which inputs or whether the code changed since the report was made.
    Reads only the data folder given by --data (a report made from another one says so and
    stops) and writes only into a private temporary folder.
    Exit code 0 when identical, 1 when not, 2 when the manifest or the data is not usable.

    \b
    Examples:
      thidua verify reports/2018/kinh-te-ky-thuat
      thidua verify reports/2018/kinh-te-ky-thuat --data /srv/thidua/data
    """
    from toolkit.runs.verify import verify

    v = verify(folder, data_dir)
    if v.identical:
        click.echo(f"Giống hệt: chạy lại {folder} cho cùng kết quả.")
    else:
        _say(f"KHÁC: {len(v.differing)} tệp kết quả khác: {', '.join(v.differing)}", err=False)
    if v.inputs_changed:
        _say(f"Dữ liệu đầu vào đã đổi từ lần chạy đó: {', '.join(v.inputs_changed)}", err=False)
    if v.code_changed:
        click.echo("Mã nguồn (toolkit hoặc sổ tay) đã đổi từ lần chạy đó.")
    if not v.inputs_changed and not v.code_changed and not v.identical:
        click.echo("Đầu vào và mã nguồn không đổi: kết quả không lặp lại được, cần kiểm tra.")
    sys.exit(0 if v.identical else 1)


@main.command("sample")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=config.DATA_DIR, show_default=True,
              help="Where to write the sample data folder.")
@click.option("--seed", type=int, default=None, help="Random seed (default: the fixed sample seed).")
def sample_cmd(out: Path, seed: int | None) -> None:
    """Write the synthetic sample data (three Bắc Ninh blocs, 2018-2025).

    The same seed always gives byte-identical files.

    \b
    Example:
      thidua sample --out /tmp/data
    """
    from toolkit.samples.bloc_sample import SEED, generate

    files = generate(out, SEED if seed is None else seed)
    click.echo(f"Đã ghi {len(files)} tệp dữ liệu mẫu vào {out}")


main.add_command(template_cmd)
main.add_command(ingest_cmd)
main.add_command(app_cmd)

main.add_command(documents_cmd)
main.add_command(covenant_group)
main.add_command(decisions_cmd)
main.add_command(record_cmd)


if __name__ == "__main__":  # pragma: no cover
    main()
