"""`thidua run` where Linux's process features are missing (macOS, Windows): slower to notice some faults, same report.

CI runs on Linux, so the other systems' path is simulated here: kernels over TCP on 127.0.0.1
(ZeroMQ has no Unix sockets on Windows), no death signal for kernels (ipykernel's parent poller
ends them instead), no /proc (a stopped process cannot be told from a busy one), and report
folders swapped by two renames instead of one exchange. The report must come out byte for byte
as on Linux.
"""
from __future__ import annotations

import pytest

from toolkit.model import files
from toolkit.runs import kernel, runner


@pytest.mark.slow
def test_a_report_without_linux_features_is_the_same_report(tmp_path, monkeypatch):
    linux = runner.run_report("van-hoa-xa-hoi", "2019", reports_dir=tmp_path / "linux").folder

    launched: list[list[str]] = []
    original = kernel.ProjectKernelManager.format_kernel_cmd

    def recorded(self, extra_arguments=None):
        assert self.transport == "tcp", "as on Windows"
        launched.append(original(self, extra_arguments))
        return launched[-1]

    monkeypatch.setattr(kernel, "UNIX_SOCKETS", False)
    monkeypatch.setattr(kernel, "DEATH_SIGNAL", False)
    monkeypatch.setattr(kernel, "PROC", False)
    monkeypatch.setattr(files, "_renameat2", lambda: None)
    monkeypatch.setattr(kernel.ProjectKernelManager, "format_kernel_cmd", recorded)
    other = tmp_path / "other"
    first = runner.run_report("van-hoa-xa-hoi", "2019", reports_dir=other).folder
    again = runner.run_report("van-hoa-xa-hoi", "2019", reports_dir=other).folder  # replaces it: the two-rename swap

    assert launched and not any("--parent" in cmd for cmd in launched), "no death signal asked for (no lifetime launcher)"
    assert not kernel.stopped(1), "without /proc nothing is known to be stopped"
    assert first == again
    files_linux = sorted(p.relative_to(linux) for p in linux.rglob("*") if p.suffix in (".csv", ".xlsx"))
    assert len(files_linux) > 5
    for rel in files_linux:
        assert (again / rel).read_bytes() == (linux / rel).read_bytes(), rel
    assert not [p for p in (other / "2019").iterdir() if p.name.startswith(".")], "the swap left nothing behind"
