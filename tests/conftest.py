"""Shared fixtures: a small hand-made covenant, a rating vocabulary and PeriodData builders.

The covenant is deliberately small (2 contents, 5 criteria, every kind) so that every
expected number in the tests can be worked out by hand in a comment next to the assertion.
Sample-data fixtures copy ``data/`` into ``tmp_path`` so no test can modify the repository.
"""
from __future__ import annotations

import copy
import os
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from toolkit.model.covenant import parse_covenant
from toolkit.model.periods import Period
from toolkit.model.period_data import PeriodData
from toolkit.model.text import label_key, normalize
from toolkit.model.vocabulary import Scale, Version, Vocabulary
from toolkit.runs.lifetime import launcher

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
BLOC = "khoi-test"

# --------------------------------------------------------------------------- programs some tests need

# marker -> the programs it needs, each with the Debian package that provides it. This is the one
# place that skips a test for a missing program (declare the marker in pyproject.toml too).
REQUIREMENTS = {
    # the results and forms are spreadsheets (Calc), the bloc's documents Word files (Writer): one soffice converts both
    "requires_libreoffice": (("soffice", "libreoffice-calc-nogui libreoffice-writer-nogui"),),
    "requires_poppler": (("pdftoppm", "poppler-utils"), ("pdftotext", "poppler-utils"), ("pdfinfo", "poppler-utils"),
                         ("pdffonts", "poppler-utils")),
    "requires_git": (("git", "git"),),
    "requires_chromium": (("/usr/bin/chromium", "chromium"),),  # Debian's build; `playwright install` is not needed
}


def _found(program: str) -> bool:
    return Path(program).is_file() if os.path.isabs(program) else shutil.which(program) is not None


def pytest_runtest_setup(item):
    missing = {package: program for marker, needs in REQUIREMENTS.items() if item.get_closest_marker(marker)
               for program, package in needs if not _found(program)}
    if missing:
        packages = " ".join(missing)
        how = f"apt-get install {packages} (or `make system-deps`)" if os.geteuid() == 0 else f"sudo apt-get install {packages}"
        pytest.skip(f"needs {', '.join(dict.fromkeys(missing.values()))}: {how}")

# --------------------------------------------------------------------------- vocabulary

_STAFF_LABELS = {
    "Hoàn thành xuất sắc nhiệm vụ": "xuat_sac", "HTXSNV": "xuat_sac",
    "Hoàn thành tốt nhiệm vụ": "tot", "HTTNV": "tot",
    "Hoàn thành nhiệm vụ": "hoan_thanh", "HTNV": "hoan_thanh",
    "Không hoàn thành nhiệm vụ": "khong_hoan_thanh", "KHTNV": "khong_hoan_thanh",
}
_PARTY_LABELS = {
    "Hoàn thành xuất sắc nhiệm vụ": "tsvm", "Hoàn thành tốt nhiệm vụ": "hoan_thanh_tot",
    "Hoàn thành nhiệm vụ": "hoan_thanh", "Không hoàn thành nhiệm vụ": "yeu_kem",
    "Trong sạch vững mạnh tiêu biểu": "tsvm_tieu_bieu", "Trong sạch vững mạnh": "tsvm",
}
_MASS_LABELS = {"Vững mạnh xuất sắc": "vung_manh_xuat_sac", "Vững mạnh": "vung_manh", "Khá": "kha",
                "Trung bình": "trung_binh", "Yếu": "yeu"}


def _scale(name, levels, labels, level_labels) -> Scale:
    version = Version(2015, None, {label_key(k): v for k, v in labels.items()}, tuple(normalize(k) for k in labels))
    return Scale(name, tuple(levels), level_labels, (version,))


def make_vocab() -> Vocabulary:
    return Vocabulary({
        "staff": _scale("staff", ["khong_hoan_thanh", "hoan_thanh", "tot", "xuat_sac"], _STAFF_LABELS, {
            "xuat_sac": "Hoàn thành xuất sắc nhiệm vụ", "tot": "Hoàn thành tốt nhiệm vụ",
            "hoan_thanh": "Hoàn thành nhiệm vụ", "khong_hoan_thanh": "Không hoàn thành nhiệm vụ"}),
        "party": _scale("party", ["yeu_kem", "hoan_thanh", "hoan_thanh_tot", "tsvm", "tsvm_tieu_bieu"], _PARTY_LABELS, {
            "tsvm_tieu_bieu": "Trong sạch vững mạnh tiêu biểu", "tsvm": "Trong sạch vững mạnh",
            "hoan_thanh_tot": "Hoàn thành tốt nhiệm vụ", "hoan_thanh": "Hoàn thành nhiệm vụ", "yeu_kem": "Yếu kém"}),
        "mass": _scale("mass", ["yeu", "trung_binh", "kha", "vung_manh", "vung_manh_xuat_sac"], _MASS_LABELS, {
            "vung_manh_xuat_sac": "Vững mạnh xuất sắc", "vung_manh": "Vững mạnh", "kha": "Khá",
            "trung_binh": "Trung bình", "yeu": "Yếu"}),
    })


@pytest.fixture(scope="session")
def vocab() -> Vocabulary:
    return make_vocab()


# --------------------------------------------------------------------------- covenant

def covenant_dict() -> dict:
    """A fresh dict of the test covenant (callers may edit their copy).

    Contents and maxima (total 100):
      A  A1 graded 30; A2 target 90 % (higher is better) 20; A3 target 10 days (lower is better) 10
      B  B1 count, 4 points per event, max 20; B2 pass/fail 20
    Events: thuong_co +5 (cap 5), bang_khen +2 (cap 4), cham -1 (cap 3), ky_luat -5 (cap 10);
    overall bonus cap 6, penalty cap 8.
    Bands: xs >= 90 & every criterion >= 50 % of max; tot >= 80 & 30 %; ht >= 60 & 20 %; kht >= 0.
    Excellent cap: xuat_sac <= 25 % of staff rated 'tot' or better, rounded half up.
    """
    return copy.deepcopy({
        "bloc": BLOC, "year": 2024, "title": "Giao ước thử nghiệm", "total": 100, "decimals": 2,
        "contents": [
            {"id": "A", "title": "Chuyên môn", "criteria": [
                {"id": "A1", "title": "Chất lượng tham mưu", "max": 30, "kind": "graded"},
                {"id": "A2", "title": "Tỷ lệ nhiệm vụ đúng hạn", "max": 20, "kind": "target", "target": 90, "unit": "%"},
                {"id": "A3", "title": "Thời gian giải quyết hồ sơ", "max": 10, "kind": "target", "target": 10,
                 "unit": "ngày", "lower_is_better": True},
            ]},
            {"id": "B", "title": "Phong trào", "criteria": [
                {"id": "B1", "title": "Mô hình điển hình", "max": 20, "kind": "count", "points_per_event": 4},
                {"id": "B2", "title": "Báo cáo đúng hạn", "max": 20, "kind": "pass_fail"},
            ]},
        ],
        "adjustments": {"bonus_cap": 6, "penalty_cap": 8, "events": [
            {"id": "thuong_co", "title": "Cờ thi đua năm trước", "points": 5, "cap": 5},
            {"id": "bang_khen", "title": "Bằng khen Bộ", "points": 2, "cap": 4},
            {"id": "cham", "title": "Báo cáo chậm", "points": -1, "cap": 3},
            {"id": "ky_luat", "title": "Kỷ luật công chức", "points": -5, "cap": 10},
        ]},
        "bands": [
            {"id": "xs", "label": "Hoàn thành xuất sắc nhiệm vụ", "min_total": 90, "min_criterion_share": 0.5},
            {"id": "tot", "label": "Hoàn thành tốt nhiệm vụ", "min_total": 80, "min_criterion_share": 0.3},
            {"id": "ht", "label": "Hoàn thành nhiệm vụ", "min_total": 60, "min_criterion_share": 0.2},
            {"id": "kht", "label": "Không hoàn thành nhiệm vụ", "min_total": 0},
        ],
        "targets": {
            "staff": [
                {"id": "ht100", "title": "100% công chức hoàn thành nhiệm vụ", "min_level": "hoan_thanh", "min_share": 1.0},
                {"id": "xs15", "title": "Ít nhất 15% hoàn thành xuất sắc", "min_level": "xuat_sac", "min_share": 0.15},
            ],
            "organisations": [
                {"id": "dang", "title": "Chi bộ trong sạch vững mạnh", "organisation": "party", "min_level": "tsvm"},
                {"id": "doan", "title": "Đoàn Thanh niên vững mạnh", "organisation": "youth", "min_level": "vung_manh",
                 "required": False},
            ],
            "excellent_cap": {"level": "xuat_sac", "base_min_level": "tot", "ratio": 0.25, "rounding": "half_up",
                              "basis": "thử nghiệm", "confirmed": False},
        },
        "awards": [
            {"id": "co", "title": "Cờ thi đua", "quota": {"count": 1}, "min_band": "xs", "required_targets": "all",
             "disqualifying_events": ["ky_luat"], "require_cap_compliance": True, "min_vote_share": 0.8},
            {"id": "bk", "title": "Bằng khen", "quota": {"share": 0.4, "rounding": "floor"}, "min_band": "tot",
             "required_targets": ["ht100"], "disqualifying_events": ["ky_luat"], "excludes": ["co"]},
        ],
        "tie_break": ["total", "content:A", "penalty", "self_gap"],
    })


def make_covenant(raw: dict | None = None, vocabulary: Vocabulary | None = None):
    return parse_covenant(raw if raw is not None else covenant_dict(), "test.yaml",
                          (vocabulary or make_vocab()).levels())


@pytest.fixture
def cov():
    return make_covenant()


# --------------------------------------------------------------------------- period data

def period_data(members: list[tuple[str, str]], scores: list[tuple], events: list[tuple] = (),
                staff: list[tuple] = (), orgs: list[tuple] = (), votes: list[tuple] = (),
                period: str = "2024", bloc: str = BLOC) -> PeriodData:
    """PeriodData as the loader builds it, from plain tuples.

    members: (unit_id, name); scores: (unit_id, criterion_id, self, verified or None);
    events: (unit_id, event_id, count, reason); staff: (unit_id, level, count);
    orgs: (unit_id, organisation, level, label); votes: (unit_id, approve, voters).
    """
    m = pd.DataFrame([(u, n, n[:6], "department", "member") for u, n in members],
                     columns=["unit_id", "name", "short_name", "kind", "role"])
    s = pd.DataFrame(list(scores), columns=["unit_id", "criterion_id", "self_value", "verified_value"])
    s["self_value"] = s["self_value"].astype(float)
    s["verified_value"] = s["verified_value"].astype(float)
    s["note"] = ""
    e = pd.DataFrame(list(events), columns=["unit_id", "event_id", "count", "reason"])
    e["count"] = e["count"].astype(float)
    st = pd.DataFrame(list(staff), columns=["unit_id", "level", "count"])
    st["count"] = st["count"].astype(float)
    o = pd.DataFrame(list(orgs), columns=["unit_id", "organisation", "level", "label"])
    v = pd.DataFrame(list(votes), columns=["unit_id", "approve", "voters"])

    def tag(df):
        return df.assign(bloc_id=bloc)

    return PeriodData(Period.parse(period), tag(m), tag(s), tag(e), tag(st), tag(o), tag(v))


# The main hand-worked scenario: five members, u5 has not submitted.
MEMBERS = [("u1", "Ban Quản lý dự án"), ("u2", "Sở Công Thương"), ("u3", "Sở Đào tạo"),
           ("u4", "Sở Y tế"), ("u5", "Quỹ Phát triển")]


def main_scores() -> list[tuple]:
    return [
        # u1: A1 29.5 (self 30); A2 99 % -> best exceeder, 20; A3 8 days; B1 6 events -> capped 20; B2 pass
        ("u1", "A1", 30, 29.5), ("u1", "A2", 99, 99), ("u1", "A3", 8, 8), ("u1", "B1", 6, 6), ("u1", "B2", 1, 1),
        # u2: A1 28 (self 29); A2 94.5 %; A3 6 days -> best exceeder, 10; B1 4 (self 5); B2 pass
        ("u2", "A1", 29, 28), ("u2", "A2", 94.5, 94.5), ("u2", "A3", 6, 6), ("u2", "B1", 5, 4), ("u2", "B2", 1, 1),
        # u3: A1 25.25 not verified; A2 exactly at target; A3 16 days; B1 5; B2 pass
        ("u3", "A1", 25.25, None), ("u3", "A2", 90, 90), ("u3", "A3", 16, 16), ("u3", "B1", 5, 5), ("u3", "B2", 1, 1),
        # u4: A1 26.4 (self 27.4); A2 85.005 %; A3 20 days; B1 6; B2 pass
        ("u4", "A1", 27.4, 26.4), ("u4", "A2", 85.005, 85.005), ("u4", "A3", 20, 20), ("u4", "B1", 6, 6), ("u4", "B2", 1, 1),
    ]


def main_events() -> list[tuple]:
    return [
        ("u1", "thuong_co", 1, "Cờ năm trước"),
        ("u1", "ky_luat", 2, "02 công chức bị khiển trách"),
        ("u1", "cham", 4, "Báo cáo quý chậm"),
        ("u2", "bang_khen", 3, "Bằng khen Bộ"),
        ("u2", "cham", 2, "Báo cáo chậm lần 1-2"),
        ("u2", "cham", 3, "Báo cáo chậm lần 3-5"),
        ("u3", "bang_khen", 1, "Bằng khen Bộ"),
        ("u3", "ky_luat", 0, "đã xóa kỷ luật"),  # a zero count neither subtracts nor disqualifies
        ("u4", "bang_khen", 2, "Bằng khen Bộ"),
        ("u4", "thuong_co", 1, "Cờ năm trước"),
    ]


def main_staff() -> list[tuple]:
    return [
        ("u1", "xuat_sac", 5), ("u1", "tot", 13), ("u1", "hoan_thanh", 2),
        ("u2", "xuat_sac", 4), ("u2", "tot", 12), ("u2", "hoan_thanh", 4),
        ("u3", "xuat_sac", 3), ("u3", "tot", 10), ("u3", "hoan_thanh", 7),
        ("u4", "xuat_sac", 6), ("u4", "tot", 14), ("u4", "hoan_thanh", 3), ("u4", "khong_hoan_thanh", 1),
        ("u5", "xuat_sac", 2), ("u5", "tot", 8), ("u5", "hoan_thanh", 10),
    ]


def main_orgs() -> list[tuple]:
    return [
        ("u1", "party", "tsvm", "Hoàn thành xuất sắc nhiệm vụ"), ("u1", "youth", "vung_manh", "Vững mạnh"),
        ("u2", "party", "tsvm", "Trong sạch vững mạnh"),  # no youth union: optional target not applicable
        ("u3", "party", "hoan_thanh_tot", "Hoàn thành tốt nhiệm vụ"), ("u3", "youth", "kha", "Khá"),
        ("u4", "party", "tsvm", "Hoàn thành xuất sắc nhiệm vụ"), ("u4", "youth", "vung_manh", "Vững mạnh"),
        # u5: no party cell row at all: the required target fails
    ]


def main_votes() -> list[tuple]:
    return [("u1", 4, 4), ("u2", 4, 4), ("u3", 3, 4), ("u4", 4, 4)]


def main_data(**overrides) -> PeriodData:
    args = dict(members=MEMBERS, scores=main_scores(), events=main_events(), staff=main_staff(),
                orgs=main_orgs(), votes=main_votes())
    args.update(overrides)
    return period_data(**args)


def _shared_unless_mutating(fixture_name, config) -> str:
    """Session scope, except under mutation testing (`make mutation`): mutmut maps each function to the
    tests that call it, and a session fixture's calls count only for the first test that builds it, so
    every other test reading the result would never be run against a mutant of the engine."""
    return "function" if "MUTANT_UNDER_TEST" in os.environ else "session"


@pytest.fixture(scope=_shared_unless_mutating)
def main_result():
    """The engine's result for the main scenario; read-only (shared by many tests)."""
    from toolkit.engine.evaluate import evaluate

    return evaluate(make_covenant(), main_data(), make_vocab())


# --------------------------------------------------------------------------- sample data copies

@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of data/ that a test may edit."""
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    return dst


def by_unit(df: pd.DataFrame, col: str) -> dict:
    """{unit_id: value}, with missing values (NaN, NA, None) as None so dicts compare."""
    return {u: (None if v is None or (not isinstance(v, str) and pd.isna(v)) else v)
            for u, v in zip(df["unit_id"], df[col])}


def flat(expected: dict[str, tuple], columns: list[str]) -> dict[tuple[str, str], object]:
    """{unit: (v1, v2..)} -> {(unit, column): v} so pytest.approx can compare it."""
    return {(u, c): v for u, vals in expected.items() for c, v in zip(columns, vals)}


# The tie scenario: A2 at target (10), A3 at target (5) and B2 passed (20) for everybody, so
# total = A1 + 15 + 4 x B1 + 20 and content A = A1 + 15. No events, self = verified.
TIE_MEMBERS = [("x", "Sở Xây dựng"), ("y", "Sở Y tế"), ("z", "Sở Đào tạo"), ("w", "Sở Công Thương"),
               ("v", "Ban Dân tộc")]


def tie_scores() -> list[tuple]:
    rows = []
    # x: 30 + 15 + 20 + 20 = 85 (A 45); y, z: 25 + 15 + 16 + 20 = 76 (A 40) -> full tie;
    # w: 29 + 15 + 8 + 20 = 72 (A 44); v: 21 + 15 + 16 + 20 = 72 (A 36) -> content A decides
    for unit, a1, b1 in (("x", 30, 5), ("y", 25, 4), ("z", 25, 4), ("w", 29, 2), ("v", 21, 4)):
        rows += [(unit, "A1", a1, a1), (unit, "A2", 90, 90), (unit, "A3", 10, 10), (unit, "B1", b1, b1),
                 (unit, "B2", 1, 1)]
    return rows


def tie_data(**overrides) -> PeriodData:
    args = dict(members=TIE_MEMBERS, scores=tie_scores())
    args.update(overrides)
    return period_data(**args)


# --------------------------------------------------------------------------- trimmed sample data (explorer, browser)

RECENT = {"2024-H1", "2024", "2025-H1", "2025"}


@pytest.fixture(scope="module")
def small_data(tmp_path_factory) -> Path:
    """data/ with only the periods 2024-H1, 2024, 2025-H1 and 2025 of every bloc (fast to analyse)."""
    dst = tmp_path_factory.mktemp("small") / "data"
    shutil.copytree(DATA, dst)
    for folder in (dst / "periods").glob("*/*"):
        if folder.name not in RECENT:
            shutil.rmtree(folder)
    return dst


@pytest.fixture(scope="module")
def ws(small_data):
    from toolkit.model.workspace import Workspace

    return Workspace.open(small_data)


# --------------------------------------------------------------------------- programs a test starts


def spawn(args, **kwargs) -> subprocess.Popen:
    """Start a program for a test; it dies with the test process, even when pytest itself is killed
    (a timeout, Ctrl+C twice, an xdist worker lost), so no test leaves a server or a batch behind.
    The program keeps the returned process's pid (toolkit.runs.lifetime execs it)."""
    return subprocess.Popen(launcher(args), **kwargs)


def processes(*, environ: str = "", argv: str = "") -> list[int]:
    """Live processes (zombies have died) whose environment holds ``environ`` and command line holds ``argv``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if environ and environ.encode() not in (entry / "environ").read_bytes():
                continue
            if argv and argv.encode() not in (entry / "cmdline").read_bytes():
                continue
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                found.append(int(entry.name))
        except (OSError, IndexError):
            pass
    return found


def gone(*, environ: str = "", argv: str = "", within: float = 15.0) -> list[int]:
    """Wait up to ``within`` seconds for those processes to end; the ones still alive."""
    end = time.monotonic() + within
    while (left := processes(environ=environ, argv=argv)) and time.monotonic() < end:
        time.sleep(0.05)
    return left
