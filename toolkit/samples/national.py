"""Synthetic national-scale input for the engine: every province, every bloc, one year period.

``national()`` builds, in memory and with numpy only (no Python loop per row, unit or
criterion), a covenant and a :class:`~toolkit.model.period_data.PeriodData` holding all blocs
stacked (``bloc_id`` tells them apart; each bloc has its own member units). At the default
size, 63 provinces × 20 blocs × 15 units × 40 criteria, that is about 750,000 score rows and
about 2.5 million individual staff ratings, one row per civil servant.

The frames have the columns and dtypes that :func:`toolkit.model.period_data.load_period_data`
returns (text columns as ``object``, ``bloc_id`` as pandas ``str``), so the engine sees what
it sees in production. Staff ratings are generated one row per person, with labels typed the
way people type them (NFD, stray spaces, abbreviations), and aggregated to counts per unit
and level by :func:`aggregate_staff`, a vectorised equivalent of the loader's
``label_key`` -> vocabulary -> ``groupby(["unit_id", "level"])`` path (``label_key`` runs
on the few distinct labels, not on every row).

All data is synthetic and labelled so (``covenant.synthetic``, ``data.source``).

Why this module is about 400 lines: one generator for every table of the national-scale
data, kept together so the shapes stay consistent.
"""
from __future__ import annotations

import unicodedata
from typing import NamedTuple

import numpy as np
import pandas as pd

from toolkit.model.covenant import Covenant, parse_covenant
from toolkit.model.ids import KEYS
from toolkit.model.periods import Period
from toolkit.samples.bloc_sample import EVENTS
from toolkit.model.period_data import PeriodData
from toolkit.model.text import label_key
from toolkit.model.vocabulary import Vocabulary

GENERATOR = "thidua national sample (toolkit/sample_national.py)"
YEAR = 2024

PROVINCES = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre", "Bình Định",
    "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cần Thơ", "Cao Bằng", "Đà Nẵng", "Đắk Lắk", "Đắk Nông",
    "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương",
    "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng",
    "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên",
    "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh",
    "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "TP Hồ Chí Minh", "Trà Vinh",
    "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
]

# unit name stems and kinds; a bloc's members take consecutive stems, so names differ within a bloc
UNIT_STEMS = [
    ("Sở Công Thương", "department"), ("Sở Nông nghiệp và Môi trường", "department"), ("Sở Xây dựng", "department"),
    ("Sở Khoa học và Công nghệ", "department"), ("Sở Tài chính", "department"), ("Sở Nội vụ", "department"),
    ("Sở Tư pháp", "department"), ("Sở Y tế", "department"), ("Sở Giáo dục và Đào tạo", "department"),
    ("Sở Văn hóa, Thể thao và Du lịch", "department"), ("Thanh tra tỉnh", "department"), ("Sở Ngoại vụ", "department"),
    ("Văn phòng UBND tỉnh", "board"), ("Ban Quản lý các Khu công nghiệp", "board"), ("Báo tỉnh", "board"),
    ("Đài Phát thanh và Truyền hình tỉnh", "board"), ("Ban Quản lý dự án đầu tư xây dựng", "board"),
    ("Quỹ Đầu tư phát triển", "fund"), ("Quỹ Phát triển đất", "fund"), ("Bảo hiểm xã hội tỉnh", "central-branch"),
    ("Cục Thuế tỉnh", "central-branch"), ("Kho bạc Nhà nước tỉnh", "central-branch"), ("Cục Hải quan", "central-branch"),
    ("Liên minh Hợp tác xã tỉnh", "association"), ("Hội Chữ thập đỏ tỉnh", "association"),
    ("Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh", "association"),
]

CONTENT_TITLES = [
    "Tham mưu chủ trương, cơ chế, chính sách phát triển kinh tế - xã hội",
    "Thực hiện nhiệm vụ quản lý Nhà nước thuộc lĩnh vực của ngành",
    "Cải cách hành chính, chuyển đổi số",
    "Phong trào thi đua, điển hình tiên tiến",
    "Đào tạo, bồi dưỡng công chức, viên chức",
    "Phối hợp giữa các sở, ban, ngành và địa phương",
    "Xây dựng Đảng và các đoàn thể",
    "Chế độ thông tin, báo cáo",
]

# criterion kinds cycle through this pattern (any 5 consecutive criteria hold every kind)
KIND_CYCLE = ["graded", "target", "graded", "count", "pass_fail"]
MAXIMA = {"graded": 3.0, "target": 2.5, "count": 2.0, "pass_fail": 2.0}
POINTS_PER_EVENT = 0.5
TARGET_HIGH, TARGET_LOW = 95.0, 10.0  # % of tasks on time (higher is better); days per procedure (lower is better)

# staff rating labels as people type them: canonical, decomposed, abbreviated, badly spaced
STAFF_LEVELS = ["khong_hoan_thanh", "hoan_thanh", "tot", "xuat_sac"]  # lowest first, as in vocabularies.yaml
STAFF_LABELS = {
    "khong_hoan_thanh": ("Không hoàn thành nhiệm vụ", "KHTNV"),
    "hoan_thanh": ("Hoàn thành nhiệm vụ", "HTNV"),
    "tot": ("Hoàn thành tốt nhiệm vụ", "HTTNV"),
    "xuat_sac": ("Hoàn thành xuất sắc nhiệm vụ", "HTXSNV"),
}
VARIANT_P = [0.80, 0.10, 0.05, 0.05]  # canonical, NFD, abbreviation, extra spaces


class National(NamedTuple):
    covenant: Covenant
    data: PeriodData
    staff_rows: pd.DataFrame  # bloc_id, unit_id, rating: one row per civil servant (categorical columns)


def _kinds(criteria: int) -> list[str]:
    return [KIND_CYCLE[i % len(KIND_CYCLE)] for i in range(criteria)]


def national_covenant(criteria: int = 40, levels: dict[str, set[str]] | None = None) -> Covenant:
    """A covenant with ``criteria`` criteria over up to 8 contents, validated by the schema."""
    kinds = _kinds(criteria)
    n_contents = min(len(CONTENT_TITLES), max(2 if criteria >= 2 else 1, criteria // 5))
    groups = np.array_split(np.arange(criteria), n_contents)
    n_target = 0
    contents = []
    for ci, idx in enumerate(groups):  # one pass per content and criterion of the covenant, not per row
        crits = []
        for i in idx:
            kind = kinds[i]
            c = {"id": f"N{ci + 1}.{len(crits) + 1}", "title": f"Tiêu chí {i + 1}: {CONTENT_TITLES[ci].lower()}",
                 "max": MAXIMA[kind], "kind": kind}
            if kind == "count":
                c["points_per_event"] = POINTS_PER_EVENT
            elif kind == "target":
                low = n_target % 2 == 1
                c.update(target=TARGET_LOW if low else TARGET_HIGH, unit="ngày" if low else "%")
                if low:
                    c["lower_is_better"] = True
                n_target += 1
            crits.append(c)
        contents.append({"id": f"N{ci + 1}", "title": CONTENT_TITLES[ci], "criteria": crits})
    total = float(sum(MAXIMA[k] for k in kinds))
    raw = {
        "bloc": "toan-quoc",
        "year": YEAR,
        "title": f"Giao ước thi đua mẫu toàn quốc năm {YEAR}",
        "signed_on": f"{YEAR}-03-15",
        "source": "Dữ liệu mẫu (tổng hợp) để đo hiệu năng ở quy mô toàn quốc",
        "synthetic": True,
        "legal_basis": ["Luật Thi đua, khen thưởng số 06/2022/QH15", "Nghị định 98/2023/NĐ-CP"],
        "total": total,
        "decimals": 2,
        "band_score": "total",
        "contents": contents,
        "adjustments": {
            "bonus_cap": round(0.08 * total, 2),
            "penalty_cap": round(0.10 * total, 2),
            "events": [dict(e) for e in EVENTS],
        },
        "bands": [
            {"id": "xuat_sac", "label": "Hoàn thành xuất sắc nhiệm vụ", "min_total": round(0.9 * total, 2), "min_criterion_share": 0.3},
            {"id": "tot", "label": "Hoàn thành tốt nhiệm vụ", "min_total": round(0.8 * total, 2), "min_criterion_share": 0.2},
            {"id": "hoan_thanh", "label": "Hoàn thành nhiệm vụ", "min_total": round(0.7 * total, 2)},
            {"id": "khong_hoan_thanh", "label": "Không hoàn thành nhiệm vụ", "min_total": 0},
        ],
        "targets": {
            "staff": [
                {"id": "cbccvc_hoan_thanh", "title": "100% cán bộ, công chức, viên chức hoàn thành nhiệm vụ trở lên",
                 "min_level": "hoan_thanh", "min_share": 1.0},
                {"id": "cbccvc_xuat_sac", "title": "Ít nhất 15% hoàn thành xuất sắc nhiệm vụ", "min_level": "xuat_sac", "min_share": 0.15},
            ],
            "organisations": [
                {"id": "dang_tsvm", "title": "Chi, Đảng bộ đạt “Trong sạch vững mạnh”", "organisation": "party", "min_level": "tsvm"},
                {"id": "cong_doan_vung_manh", "title": "Công đoàn đạt “vững mạnh”", "organisation": "union", "min_level": "vung_manh"},
                {"id": "doan_tn_vung_manh", "title": "Đoàn Thanh niên đạt “vững mạnh”", "organisation": "youth",
                 "min_level": "vung_manh", "required": False},
            ],
            "excellent_cap": {"level": "xuat_sac", "base_min_level": "tot", "ratio": 0.2, "rounding": "floor",
                              "basis": "Nghị định 90/2020/NĐ-CP, sửa đổi bởi Nghị định 48/2023/NĐ-CP", "confirmed": False},
        },
        "awards": [
            {"id": "co_thi_dua", "title": "Cờ thi đua của UBND tỉnh", "quota": {"count": 1}, "min_band": "xuat_sac",
             "required_targets": "all", "disqualifying_events": ["ky_luat"], "require_cap_compliance": True,
             "min_vote_share": 0.8, "basis": "Luật Thi đua, khen thưởng 2022, Điều 26"},
            {"id": "bang_khen", "title": "Bằng khen của Chủ tịch UBND tỉnh", "quota": {"share": 0.3, "rounding": "floor"},
             "min_band": "tot", "required_targets": ["cbccvc_hoan_thanh"], "disqualifying_events": ["ky_luat"],
             "excludes": ["co_thi_dua"], "basis": "Luật Thi đua, khen thưởng; quy chế khối thi đua"},
        ],
        "tie_break": ["total", "content:N1", "penalty", "self_gap", "name"],
        "notes": ["Số liệu mẫu, tổng hợp ngẫu nhiên có kiểm soát: không phải kết quả thật."],
    }
    return parse_covenant(raw, "<national sample>", levels)


def _obj(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


def _text(*parts) -> np.ndarray:
    """Element-wise concatenation of string arrays/scalars into an object array (vectorised)."""
    out = np.asarray(parts[0], dtype=object)
    for p in parts[1:]:
        out = out + np.asarray(p, dtype=object)
    return out


def _labels_to_levels(labels, scale_labels: dict[str, str]) -> np.ndarray:
    """Level id for each distinct label, as the loader maps them (``label_key`` then the vocabulary)."""
    return np.array([scale_labels.get(label_key(x)) for x in labels], dtype=object)


def aggregate_staff(staff_rows: pd.DataFrame, vocab: Vocabulary, year: int) -> pd.DataFrame:
    """Individual ratings -> one row per unit and level with a ``count``, as the loader returns them.

    Equivalent to ``_load_staff`` (``label_key`` -> vocabulary level -> groupby unit and level,
    summing a count of 1 per person) but ``label_key`` runs once per distinct label.
    """
    rating = staff_rows["rating"].astype("category")
    levels = _labels_to_levels(rating.cat.categories, vocab.scales["staff"].labels_for(year))
    if any(lv is None for lv in levels):
        bad = [c for c, lv in zip(rating.cat.categories, levels) if lv is None]
        raise ValueError(f"staff rating labels not valid for {year}: {bad}")
    uniq, inv = np.unique(levels.astype(str), return_inverse=True)
    codes = rating.cat.codes.to_numpy()
    level = pd.Categorical.from_codes(inv[codes], categories=uniq)
    g = (staff_rows[KEYS].assign(level=level)
         .groupby(KEYS + ["level"], observed=True, sort=True).size().rename("count").reset_index())
    return pd.DataFrame({
        "unit_id": pd.Series(g["unit_id"].astype(str).to_numpy(), dtype="str"),
        "level": pd.Series(g["level"].astype(str).to_numpy(), dtype="str"),
        "count": g["count"].astype("int64").to_numpy(),
        "bloc_id": pd.Series(g["bloc_id"].astype(str).to_numpy(), dtype="str"),
    })


def national(seed: int, provinces: int = 63, blocs: int = 20, units: int = 15, criteria: int = 40,
             staff_per_unit: int = 130, vocab: Vocabulary | None = None) -> National:
    """Covenant, stacked period data (year ``YEAR``) and individual staff ratings for every bloc.

    ``provinces × blocs`` blocs of ``units`` members each; about 0.5 % of the units (at least
    one) submit nothing, so ``len(data.scores) == (n_units - n_missing) * criteria``. Staff
    per unit is drawn uniformly in ``[0.6, 1.4] × staff_per_unit``. ``vocab`` (defaults to
    the project's ``data/vocabularies.yaml``) maps the staff and organisation labels.
    The same seed gives identical frames.
    """
    if vocab is None:
        from toolkit import config
        from toolkit.model.vocabulary import load_vocabulary

        paths = [config.DATA_DIR / config.VOCABULARY, config.ROOT / "data" / config.VOCABULARY,
                 config.REFERENCE_DIR / config.VOCABULARY]
        vocab = load_vocabulary(next((p for p in paths if p.exists()), paths[0]))
    if min(provinces, blocs, units, criteria) < 1 or units < 2:
        raise ValueError("provinces, blocs, criteria must be >= 1 and units >= 2")
    rng = np.random.default_rng(seed)
    cov = national_covenant(criteria, vocab.levels())
    n_blocs = provinces * blocs
    n_units = n_blocs * units

    # --- blocs and members -------------------------------------------------------------
    prov_idx = np.repeat(np.arange(provinces), blocs)  # per bloc
    bloc_no = np.tile(np.arange(blocs), provinces)
    prov_code = _text("t", np.char.zfill(np.arange(1, provinces + 1).astype(str), 2).astype(object))
    bloc_ids = _text(prov_code[prov_idx], "-k", np.char.zfill((bloc_no + 1).astype(str), 2).astype(object))
    prov_names = np.array(PROVINCES + [f"Tỉnh {i + 1}" for i in range(len(PROVINCES), provinces)], dtype=object)[:provinces]
    unit_bloc = np.repeat(np.arange(n_blocs), units)  # per unit
    unit_no = np.tile(np.arange(units), n_blocs)
    unit_ids = _text(bloc_ids[unit_bloc], "-u", np.char.zfill((unit_no + 1).astype(str), 2).astype(object))
    stems = np.array([s for s, _ in UNIT_STEMS], dtype=object)
    kinds = np.array([k for _, k in UNIT_STEMS], dtype=object)
    stem_idx = (bloc_no[unit_bloc] * units + unit_no) % len(UNIT_STEMS)
    bloc_label = _text(" – khối ", np.char.zfill((bloc_no[unit_bloc] + 1).astype(str), 2).astype(object), ", ")
    names = _text(stems[stem_idx], bloc_label, prov_names[prov_idx[unit_bloc]])
    if units > len(UNIT_STEMS):  # more members than stems: number them so names stay distinct within a bloc
        names = _text(names, " (", (unit_no + 1).astype(str).astype(object), ")")
    short = _text("ĐV", np.char.zfill((unit_no + 1).astype(str), 2).astype(object), "-K",
                  np.char.zfill((bloc_no[unit_bloc] + 1).astype(str), 2).astype(object))
    lead = rng.integers(0, units, n_blocs)
    role = np.where(unit_no == lead[unit_bloc], "leader",
                    np.where(unit_no == (lead[unit_bloc] + 1) % units, "deputy", "member")).astype(object)
    bloc_col = pd.Series(bloc_ids[unit_bloc], dtype="str")
    members = pd.DataFrame({"unit_id": _obj(unit_ids), "name": pd.Series(names, dtype="str"), "short_name": _obj(short),
                            "kind": _obj(kinds[stem_idx]), "role": _obj(role), "bloc_id": bloc_col})

    # --- scores: a units × criteria grid ------------------------------------------------
    crit_list = [k for _, k in cov.criteria]
    kind = np.array([k.kind for k in crit_list])
    mx = np.array([k.max for k in crit_list])
    target = np.array([k.target or 0.0 for k in crit_list])
    lower = np.array([k.lower_is_better for k in crit_list])
    strength = rng.uniform(0.78, 0.97, n_units)[:, None]
    noise = rng.normal(0.0, 1.0, (n_units, criteria))
    graded = np.clip(np.round(mx * np.clip(strength + 0.04 * noise, 0, 1) / 0.25) * 0.25, 0, mx)
    high = np.round(np.clip(100 * (strength + 0.02 + 0.03 * noise), 60, 100), 1)
    low = np.round(np.clip(target * (1.9 - strength + 0.08 * noise), 2, 30), 1)
    count = rng.poisson(np.broadcast_to(4 * strength, (n_units, criteria))).astype(float)
    passed = (rng.random((n_units, criteria)) < 0.2 + 0.78 * strength).astype(float)
    v = np.where(kind == "graded", graded, np.where(kind == "count", count, np.where(kind == "pass_fail", passed,
                 np.where(lower, low, high))))
    over = rng.random((n_units, criteria)) < 0.35
    bump = np.round(rng.uniform(0.25, 1.5, (n_units, criteria)) / 0.25) * 0.25
    self_v = np.where(over & (kind == "graded"), np.minimum(mx, v + bump), np.where(over & (kind == "count"), v + 1, v))

    # ties: in about 5 % of blocs the second member copies the first (same points on every key,
    # so the tie goes down the tie-break list); in half of those it moves 0.25 out of content N1
    n_tie = max(1, n_blocs // 20)
    tie_blocs = np.sort(rng.choice(n_blocs, n_tie, replace=False))
    a, b = tie_blocs * units, tie_blocs * units + 1
    v[b], self_v[b] = v[a], self_v[a]
    n1 = np.array([cov.contents[0].id == c.id for c, _ in cov.criteria])
    movable = (kind == "graded") & ~n1
    if (kind[n1] == "graded").any() and movable.any():
        src = int(np.flatnonzero(n1 & (kind == "graded"))[0])
        shift = b[::2]
        room = movable[None, :] & (v[shift] <= mx - 0.25)
        dst = room.argmax(axis=1)
        ok = room.any(axis=1) & (v[shift, src] >= 0.25)
        rows_ok = shift[ok]
        v[rows_ok, src] -= 0.25
        v[rows_ok, dst[ok]] += 0.25
        self_v[rows_ok] = v[rows_ok]
    verified = v.copy()
    unverified_units = rng.random(n_units) < 0.005  # whole table not verified yet
    verified[unverified_units] = np.nan
    verified[rng.random((n_units, criteria)) < 0.001] = np.nan  # single cells left blank

    candidates = np.setdiff1d(np.arange(n_units), np.concatenate([a, b]))  # tied pairs do submit
    n_missing = min(len(candidates), max(1, int(round(0.005 * n_units))))
    missing = np.zeros(n_units, bool)
    missing[rng.choice(candidates, n_missing, replace=False)] = True
    # rows come bloc by bloc, but within a bloc in the order members handed in their tables
    # (not sorted by unit id), each unit's criteria in covenant order, as a scores.csv is kept
    submitting = np.flatnonzero(~missing)
    submitting = submitting[np.lexsort((rng.random(len(submitting)), unit_bloc[submitting]))]
    row_unit = np.repeat(submitting, criteria)
    row_crit = np.tile(np.arange(criteria), len(submitting))
    crit_ids = np.array([k.id for k in crit_list], dtype=object)
    scores = pd.DataFrame({
        "unit_id": _obj(unit_ids[row_unit]),
        "criterion_id": _obj(crit_ids[row_crit]),
        "self_value": self_v[submitting].ravel(),
        "verified_value": verified[submitting].ravel(),
        "note": _obj(np.full(len(row_unit), "", dtype=object)),
        "bloc_id": pd.Series(bloc_ids[unit_bloc[row_unit]], dtype="str"),
    })

    # --- bonus and penalty events (one pass per event kind) -----------------------------
    quiet = missing.copy()
    quiet[a] = quiet[b] = True  # tied pairs carry no events, so their totals stay equal
    best = np.zeros(n_units, bool)
    best[np.arange(n_blocs) * units + rng.integers(0, units, n_blocs)] = rng.random(n_blocs) < 0.7
    ev_spec = [
        ("co_thi_dua_nam_truoc", best, None, f"Cờ thi đua năm {YEAR - 1}"),
        ("bang_khen_bo_nganh", rng.random(n_units) < 0.12, None, "Bằng khen của Bộ chủ quản"),
        ("bao_cao_cham", rng.random(n_units) < 0.15, rng.integers(1, 3, n_units), "Báo cáo gửi chậm"),
        ("ky_luat", rng.random(n_units) < 0.02, None, "01 công chức bị kỷ luật khiển trách"),
    ]
    ev_frames = []
    for order, (eid, hit, counts, reason) in enumerate(ev_spec):
        idx = np.flatnonzero(hit & ~quiet)
        ev_frames.append(pd.DataFrame({"_u": idx, "_o": order, "event_id": eid,
                                       "count": (counts[idx] if counts is not None else np.ones(len(idx), int)).astype("int64"),
                                       "reason": reason}))
    ev = pd.concat(ev_frames, ignore_index=True).sort_values(["_u", "_o"], kind="stable")
    eu = ev["_u"].to_numpy()
    events = pd.DataFrame({"unit_id": _obj(unit_ids[eu]), "event_id": _obj(ev["event_id"].to_numpy(dtype=object)),
                           "count": ev["count"].to_numpy(), "reason": _obj(ev["reason"].to_numpy(dtype=object)),
                           "bloc_id": pd.Series(bloc_ids[unit_bloc[eu]], dtype="str")})

    # --- staff: one row per civil servant ------------------------------------------------
    lo, hi = max(1, int(round(0.6 * staff_per_unit))), max(1, int(round(1.4 * staff_per_unit)))
    n_staff = rng.integers(lo, hi + 1, n_units)
    p_xs = rng.uniform(0.12, 0.20, n_units)
    p_tot = rng.uniform(0.64, 0.74, n_units)
    p_kht = np.where(rng.random(n_units) < 0.06, 0.01, 0.0)
    c1, c2 = p_kht, 1.0 - p_xs - p_tot  # cumulative: below c1 kht, below c2 ht, below c3 tot, else xs
    c3 = 1.0 - p_xs
    person_unit = np.repeat(np.arange(n_units), n_staff)
    u = rng.random(len(person_unit))
    level = ((u >= c1[person_unit]).astype(np.int8) + (u >= c2[person_unit]) + (u >= c3[person_unit])).astype(np.int8)
    variant = rng.choice(len(VARIANT_P), len(person_unit), p=VARIANT_P).astype(np.int8)
    cats = []
    for lv in STAFF_LEVELS:  # 4 levels × 4 ways of typing them
        full, abbr = STAFF_LABELS[lv]
        cats += [full, unicodedata.normalize("NFD", full), abbr, "  " + full.replace(" ", "  ", 1) + " "]
    staff_rows = pd.DataFrame({
        "bloc_id": pd.Categorical.from_codes(unit_bloc[person_unit], categories=pd.Index(bloc_ids, dtype="str")),
        "unit_id": pd.Categorical.from_codes(person_unit, categories=pd.Index(unit_ids, dtype="str")),
        "rating": pd.Categorical.from_codes(level.astype(np.int16) * len(VARIANT_P) + variant, categories=pd.Index(cats, dtype="str")),
    })
    del u, level, variant, person_unit
    staff = aggregate_staff(staff_rows, vocab, YEAR)

    # --- organisations and votes ---------------------------------------------------------
    party_lab = np.where(rng.random(n_units) < 0.9, "Trong sạch vững mạnh", "Hoàn thành tốt nhiệm vụ").astype(object)
    union_lab = np.where(rng.random(n_units) < 0.3, "Vững mạnh xuất sắc", "Vững mạnh").astype(object)
    has_youth = rng.random(n_units) < 0.85
    youth_lab = np.where(rng.random(n_units) < 0.97, "Vững mạnh", "Khá").astype(object)
    ou = np.concatenate([np.arange(n_units), np.arange(n_units), np.flatnonzero(has_youth)])
    oorg = np.concatenate([np.full(n_units, "party", object), np.full(n_units, "union", object),
                           np.full(int(has_youth.sum()), "youth", object)])
    olab = np.concatenate([party_lab, union_lab, youth_lab[has_youth]])
    order = np.lexsort((np.concatenate([np.zeros(n_units), np.ones(n_units), np.full(int(has_youth.sum()), 2)]), ou))
    ou, oorg, olab = ou[order], oorg[order], olab[order]
    uniq, inv = np.unique(olab.astype(str), return_inverse=True)
    party_lv = _labels_to_levels(uniq, vocab.scales["party"].labels_for(YEAR))[inv]
    mass_lv = _labels_to_levels(uniq, vocab.scales["mass"].labels_for(YEAR))[inv]
    orgs = pd.DataFrame({"unit_id": _obj(unit_ids[ou]), "organisation": _obj(oorg),
                         "level": _obj(np.where(oorg == "party", party_lv, mass_lv)), "label": _obj(olab),
                         "bloc_id": pd.Series(bloc_ids[unit_bloc[ou]], dtype="str")})
    voters = units - 1
    approve = np.minimum(voters, rng.binomial(voters, np.clip(0.75 + 0.2 * strength[:, 0], 0, 1)))
    votes = pd.DataFrame({"unit_id": _obj(unit_ids), "approve": approve.astype("int64"),
                          "voters": np.full(n_units, voters, "int64"), "bloc_id": bloc_col})

    source = {"synthetic": True, "generator": GENERATOR, "seed": seed,
              "description": (f"Dữ liệu mẫu toàn quốc: {provinces} tỉnh × {blocs} khối × {units} đơn vị × {criteria} tiêu chí; "
                              f"{len(staff_rows)} lượt xếp loại công chức")}
    data = PeriodData(Period(YEAR, "year"), members, scores, events, staff, orgs, votes, [], source, [])
    return National(cov, data, staff_rows)
