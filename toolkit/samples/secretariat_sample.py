"""Synthetic secretariat inputs: the sample blocs' 2024 documents.yaml (every bloc) and ballots.csv, and every unit's head (heads.csv).

Written after the rest of the sample (``generate`` calls :func:`write`), from the votes already
written and without drawing random numbers, so the other sample files stay as they were. Names
of people, document numbers and the narrative are invented and marked synthetic.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from toolkit import config
from toolkit.model.heads import HEADS
from toolkit.model.readers import read_own_csv

BLOC = "kinh-te-ky-thuat"
YEAR = 2024
HEADER = ("# Thông tin soạn văn bản của Khối (docs/documents.md). DỮ LIỆU MẪU, TỔNG HỢP: tên người, số văn bản\n"
          "# và nội dung tường thuật là giả định, không phải văn bản thật của tỉnh.\n")

REPRESENTATIVES = {  # invented people
    "so-cong-thuong": "Ông Lê Văn Cường, Phó Giám đốc",
    "so-nn-ptnt": "Bà Phạm Thị Dung, Phó Giám đốc",
    "so-gtvt": "Ông Hoàng Minh Đức, Phó Giám đốc",
    "so-tt-tt": "Ông Vũ Quang Hải, Phó Giám đốc",
    "so-tn-mt": "Bà Đỗ Thu Hà, Phó Giám đốc",
    "cuc-du-tru-ha-bac": "Ông Ngô Văn Khánh, Phó Cục trưởng",
    "ban-ql-kcn": "Ông Bùi Đức Long, Phó Trưởng ban",
    "quy-phat-trien-dat": "Bà Đinh Thị Mai, Phó Giám đốc",
    "so-xay-dung": "Ông Trịnh Văn Nam, Phó Giám đốc",
    "quy-dau-tu-phat-trien": "Ông Nguyễn Văn An, Giám đốc",
    "ban-ql-do-thi": "Bà Lý Thị Oanh, Phó Trưởng ban",
}

CONTENTS_2024 = {
    "N1": ("Các đơn vị chủ động tham mưu cho Tỉnh ủy, HĐND, UBND tỉnh các đề án, cơ chế, chính sách thuộc lĩnh vực "
           "được giao; phần lớn nhiệm vụ UBND tỉnh giao được hoàn thành đúng hạn."),
    "N2": ("Công tác quản lý Nhà nước được thực hiện đúng quy định; thời gian giải quyết thủ tục hành chính tiếp tục "
           "được rút ngắn; cải cách hành chính, chuyển đổi số được đẩy mạnh:\n\n"
           "- tiếp nhận, trả kết quả hồ sơ qua dịch vụ công trực tuyến toàn trình;\n"
           "- số hóa hồ sơ, kết quả giải quyết thủ tục hành chính."),
    "N3": ("Các đơn vị tổ chức phong trào thi đua chào mừng các ngày lễ lớn, tích cực tham gia phong trào "
           "“Bắc Ninh chung sức xây dựng nông thôn mới”; nhiều mô hình, điển hình tiên tiến được phát hiện, nhân rộng."),
    "N4": "Công tác đào tạo, bồi dưỡng công chức, viên chức được quan tâm; một số đề tài, sáng kiến được công nhận.",
    "N5": "Các đơn vị phối hợp chặt chẽ với các sở, ngành và UBND các huyện, thị xã, thành phố trong thực hiện nhiệm vụ liên ngành.",
    "N6": ("Việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh được thực hiện thường xuyên; các đơn vị "
           "gửi báo cáo thi đua, khen thưởng cơ bản đầy đủ."),
}


def _narrative(half: bool) -> dict:
    when = "6 tháng đầu năm 2024" if half else "năm 2024"
    return {
        "situation": (f"*Nội dung mẫu, tổng hợp.* Khối có 12 đơn vị thành viên; Quỹ Đầu tư phát triển tỉnh là Trưởng khối, "
                      f"Ban Quản lý khu vực phát triển đô thị là Phó Trưởng khối (Quyết định số 138/QĐ-UBND ngày 15/02/2024). "
                      f"Bước vào {when}, các đơn vị triển khai nhiệm vụ chính trị trong bối cảnh:\n\n"
                      "- **thuận lợi**: được sự quan tâm chỉ đạo của Tỉnh ủy, UBND tỉnh và Hội đồng Thi đua - Khen thưởng tỉnh;\n"
                      "- **khó khăn**: khối lượng công việc lớn, một số đơn vị thiếu biên chế, chuẩn bị sắp xếp tổ chức bộ máy."),
        "contents": dict(CONTENTS_2024),
        "targets": "" if half else "Các chỉ tiêu về xếp loại cán bộ, công chức, viên chức và tổ chức đảng, đoàn thể cơ bản đạt.",
        "shortcomings": ("- Một số đơn vị gửi báo cáo chậm so với thời hạn.\n"
                         "- Việc phát hiện, bồi dưỡng, nhân rộng điển hình tiên tiến ở một số đơn vị chưa thường xuyên."),
        "directions": ("## Nhiệm vụ trọng tâm\n\n"
                       "- Tiếp tục thực hiện các nội dung Giao ước thi đua; đẩy mạnh cải cách hành chính, chuyển đổi số.\n"
                       "- Nâng cao chất lượng phát hiện, bồi dưỡng, nhân rộng điển hình tiên tiến.\n"
                       "- Thực hiện đúng quy định về chế độ thông tin, báo cáo."),
        "discussion": "" if half else ("Các đại biểu thống nhất với kết quả chấm điểm của Trưởng khối; đại diện Sở Thông tin và "
                                      "Truyền thông đề nghị làm rõ cách tính tỷ lệ công chức hoàn thành xuất sắc nhiệm vụ. "
                                      "Trưởng khối đã giải trình theo quy định tại Giao ước."),
    }


def documents_inputs(half: bool) -> dict:
    doc = {
        "synthetic": True,
        "place": "Bắc Ninh",
        "parent_body": "UBND tỉnh Bắc Ninh",
        "issuer": "Khối thi đua các sở, ban, ngành kinh tế, kỹ thuật",
        "code": "KTKT",
        "numbers": {"bao_cao": 3} if half else {"bao_cao": 5, "to_trinh": 6, "bien_ban": 4},
        "date": "2024-06-20" if half else "2024-12-06",
        "addressee": "Hội đồng Thi đua - Khen thưởng tỉnh Bắc Ninh",
        "signer": {"authority": "TM. Khối thi đua", "title": "Trưởng khối", "name": "Nguyễn Văn An"},
        "recipients": {"bao_cao": ["Hội đồng Thi đua - Khen thưởng tỉnh", "Ban Thi đua - Khen thưởng (Sở Nội vụ)",
                                   "Các đơn vị thành viên Khối"]},
        "archive": "VT, Khối",
        "narrative": _narrative(half),
    }
    if not half:
        doc["recipients"]["to_trinh"] = ["Như trên", "Ban Thi đua - Khen thưởng (Sở Nội vụ)"]
        doc["meeting"] = {
            "date": "2024-12-05", "start": "08:30", "end": "11:15",
            "place": "Hội trường Quỹ Đầu tư phát triển tỉnh Bắc Ninh",
            "chair": {"name": "Nguyễn Văn An", "position": "Giám đốc Quỹ Đầu tư phát triển tỉnh, Trưởng khối"},
            "secretary": {"name": "Trần Thị Bích", "position": "Chuyên viên Quỹ Đầu tư phát triển tỉnh"},
            "representatives": dict(REPRESENTATIVES),
            "absent": [{"unit": "lien-minh-htx", "reason": "bận công tác đột xuất"}],
            "guests": ["Bà Nguyễn Thị Thanh, Phó Trưởng ban Thi đua - Khen thưởng (Sở Nội vụ)"],
            "ballot_committee": ["Bà Đỗ Thu Hà (Sở Tài nguyên và Môi trường), Trưởng ban",
                                 "Ông Vũ Quang Hải (Sở Thông tin và Truyền thông), thành viên"],
        }
    return doc


def ballots(votes: pd.DataFrame) -> pd.DataFrame:
    """Two ballots of the year-end meeting: the flag (as votes.csv) and the certificates (one spoilt paper)."""
    rows = []
    for r in votes.itertuples(index=False):
        rows.append(("co_thi_dua", r.unit_id, r.voters, r.voters, r.voters, r.approve))
    for r in votes.itertuples(index=False):
        valid = r.voters - 1
        rows.append(("bang_khen", r.unit_id, r.voters, r.voters, valid, min(valid, r.approve)))
    return pd.DataFrame(rows, columns=["award_id", "unit_id", "issued", "returned", "valid", "in_favour"])


OTHER_BLOCS = {  # the other sample blocs' secretariats (invented people); the leader unit chairs the meeting
    "van-hoa-xa-hoi": {"issuer": "Khối thi đua các sở, ngành văn hóa - xã hội", "code": "VHXH", "leader": "Đài Phát thanh và "
                       "Truyền hình tỉnh", "chair": ("Phạm Thị Hồng", "Giám đốc Đài Phát thanh và Truyền hình tỉnh, Trưởng khối"),
                       "secretary": ("Lưu Văn Quân", "Chuyên viên Đài Phát thanh và Truyền hình tỉnh"),
                       "numbers": (4, 5, 3)},
    "noi-chinh-tong-hop": {"issuer": "Khối thi đua các cơ quan nội chính - tổng hợp", "code": "NCTH", "leader": "Sở Ngoại vụ",
                           "chair": ("Đặng Văn Sơn", "Giám đốc Sở Ngoại vụ, Trưởng khối"),
                           "secretary": ("Kiều Thị Mến", "Chuyên viên Văn phòng Sở Ngoại vụ"), "numbers": (7, 8, 6)},
}


def other_inputs(bloc: str, half: bool) -> dict:
    """A shorter documents.yaml for the other sample blocs: the header and the meeting, the narrative left to the bloc."""
    b = OTHER_BLOCS[bloc]
    bc, tt, bb = b["numbers"]
    doc = {
        "synthetic": True, "place": "Bắc Ninh", "parent_body": "UBND tỉnh Bắc Ninh", "issuer": b["issuer"], "code": b["code"],
        "numbers": {"bao_cao": bc - 1} if half else {"bao_cao": bc, "to_trinh": tt, "bien_ban": bb},
        "date": "2024-06-21" if half else "2024-12-10",
        "addressee": "Hội đồng Thi đua - Khen thưởng tỉnh Bắc Ninh",
        "signer": {"authority": "TM. Khối thi đua", "title": "Trưởng khối", "name": b["chair"][0]},
        "recipients": {"bao_cao": ["Hội đồng Thi đua - Khen thưởng tỉnh", "Ban Thi đua - Khen thưởng (Sở Nội vụ)",
                                   "Các đơn vị thành viên Khối"]},
        "archive": "VT, Khối",
        "narrative": {"situation": (f"*Nội dung mẫu, tổng hợp.* {b['leader']} là Trưởng khối năm 2024; các đơn vị thành viên "
                                    "triển khai nhiệm vụ chính trị được giao và các nội dung Giao ước thi đua.")},
    }
    if not half:
        doc["recipients"]["to_trinh"] = ["Như trên", "Ban Thi đua - Khen thưởng (Sở Nội vụ)"]
        doc["meeting"] = {"date": "2024-12-09", "start": "14:00", "end": "16:30", "place": f"Hội trường {b['leader']}",
                          "chair": {"name": b["chair"][0], "position": b["chair"][1]},
                          "secretary": {"name": b["secretary"][0], "position": b["secretary"][1]}}
    return doc


class _Dumper(yaml.SafeDumper):
    """Multi-line text as a literal block (|), the way a person writes Markdown in YAML."""


_Dumper.add_representer(str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None))


TITLES = {"department": "Giám đốc", "board": "Trưởng ban", "fund": "Giám đốc", "central-branch": "Cục trưởng",
          "association": "Chủ tịch"}
TITLE_OF = {"bhxh-tinh": "Giám đốc", "dai-ptth": "Giám đốc", "bao-bac-ninh": "Tổng Biên tập", "thanh-tra-tinh": "Chánh Thanh tra",
            "van-phong-ubnd": "Chánh Văn phòng"}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Quang", "Thu", "Hữu", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Hòa", "Khánh", "Lâm", "Minh", "Nam", "Phong", "Quân", "Sơn", "Thắng",
         "Tuấn", "Việt", "Yến", "Hằng", "Lan", "Ngọc", "Phương", "Trang", "Tùng", "Hiếu", "Long", "Thảo", "Vinh", "Đông"]
NEW_HEADS = {"so-cong-thuong": "2025-07-01", "so-xay-dung": "2025-03-01", "so-nn-mt": "2025-03-01"}  # heads appointed later


def heads(units: pd.DataFrame) -> pd.DataFrame:
    """Invented heads of every sample unit (``heads.csv``), no random draw: a name from the unit's place in units.csv;
    three units change head in 2025, so the file shows a head taking office during a year."""
    rows = []
    for i, u in enumerate(units.itertuples()):
        title = TITLE_OF.get(u.unit_id, TITLES[u.kind])
        rows.append((u.unit_id, title, f"{FAMILY[i % 12]} {MIDDLE[i % 8]} {GIVEN[i % len(GIVEN)]}", "2018-01-01"))
        if u.unit_id in NEW_HEADS:
            rows.append((u.unit_id, title, f"{FAMILY[(i + 5) % 12]} {MIDDLE[(i + 3) % 8]} {GIVEN[(i + 11) % len(GIVEN)]}",
                         NEW_HEADS[u.unit_id]))
    return pd.DataFrame(rows, columns=["unit_id", "title", "name", "from"])


def write(out: Path) -> list[Path]:
    base = out / config.PERIODS / BLOC
    written = []
    path = out / HEADS
    heads(read_own_csv(out / config.UNITS)).to_csv(path, index=False, lineterminator="\n")
    written.append(path)
    for period, half in ((f"{YEAR}-H1", True), (str(YEAR), False)):
        path = base / period / "documents.yaml"
        path.write_text(HEADER + yaml.dump(documents_inputs(half), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120),
                        encoding="utf-8")
        written.append(path)
    for bloc in OTHER_BLOCS:
        for period, half in ((f"{YEAR}-H1", True), (str(YEAR), False)):
            path = out / config.PERIODS / bloc / period / "documents.yaml"
            path.write_text(HEADER + yaml.dump(other_inputs(bloc, half), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                                               width=120), encoding="utf-8")
            written.append(path)
    votes_path = base / str(YEAR) / "votes.csv"
    votes = read_own_csv(votes_path)
    path = base / str(YEAR) / "ballots.csv"
    ballots(votes).to_csv(path, index=False, lineterminator="\n")
    written.append(path)
    votes_path.unlink()  # the vote is typed once: ballots.csv replaces votes.csv (toolkit.model.ballots)
    return written
