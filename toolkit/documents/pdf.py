"""PDFs of the documents with LibreOffice headless, byte for byte repeatable.

LibreOffice stamps the conversion time and a random document id into every PDF; both are
replaced by values derived from the document's date and its bytes, with the same lengths so
the PDF's cross-reference offsets stay right. On Linux, LibreOffice prints Times New Roman
with Liberation Serif, which has the same metrics (``fonts-liberation2``).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from toolkit.errors import ReportError

HOW_TO_GET = ("LibreOffice chưa được cài nên chưa có bản PDF; các tệp .docx vẫn đã được ghi. Để có PDF: "
              "cài LibreOffice (Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui fonts-liberation2, "
              "hoặc `make system-deps` khi là root) rồi chạy lại lệnh; hoặc mở tệp .docx bằng Word và lưu thành PDF.")
_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:[^)]*\)")
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]+)")
_XMP_DATE = re.compile(rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)[^<]*(</xmp:)")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(files: list[Path], out_dir: Path, when: _dt.date, timeout: int = 300) -> list[Path]:
    """Convert ``files`` (.docx) to PDFs in ``out_dir`` in one LibreOffice run; return the PDFs."""
    program = soffice()
    if program is None:
        return []
    with tempfile.TemporaryDirectory(prefix="thidua-lo-") as profile:
        try:
            proc = subprocess.run([program, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                                   "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, files)],
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ReportError(f"LibreOffice không chuyển xong sang PDF sau {timeout} giây") from None
    pdfs = [out_dir / f"{f.stem}.pdf" for f in files]
    missing = [p.name for p in pdfs if not p.is_file()]
    said = (proc.stdout + proc.stderr).lower()
    if "repair" in said or "corrupt" in said:  # our own documents must open cleanly
        raise ReportError(f"LibreOffice phải sửa tệp khi mở: {(proc.stderr or proc.stdout).strip()[:500]}")
    if proc.returncode != 0 or missing:
        raise ReportError(f"LibreOffice không tạo được {', '.join(missing) or 'PDF'}: {(proc.stderr or proc.stdout).strip()[:500]}")
    for pdf in pdfs:
        pin_pdf(pdf, when)
    return pdfs


def pin_pdf(path: Path, when: _dt.date) -> None:
    """Fixed creation/modification dates, and a document id and checksum made from the content, lengths unchanged."""
    data = path.read_bytes()
    stamp = f"{when:%Y%m%d}000000"

    def date(m: re.Match) -> bytes:
        old = m.group(0)
        head = b"/" + m.group(1) + b"(D:"
        body = old[len(head):-1] if old.startswith(head) else None
        if body is None:
            return old
        if len(body) == len(stamp) + 7:  # YYYYMMDDHHmmSS+HH'mm'
            new = stamp.encode() + b"+00'00'"
        else:
            new = (stamp.encode() + body[len(stamp):]) if len(body) >= len(stamp) else body
        return head + new + b")"

    data = _DATE.sub(date, data)
    data = _XMP_DATE.sub(lambda m: m.group(1) + _xmp(m, when) + m.group(2), data)
    digest = hashlib.md5(_CHECKSUM.sub(b"", _ID.sub(b"", data))).hexdigest().upper().encode()
    data = _CHECKSUM.sub(lambda m: m.group(0).replace(m.group(1), digest[:len(m.group(1))].ljust(len(m.group(1)), b"0")), data)

    def ident(m: re.Match) -> bytes:
        a, b = m.group(1), m.group(2)
        return m.group(0).replace(a, digest[:len(a)].ljust(len(a), b"0"), 1).replace(b, digest[:len(b)].ljust(len(b), b"0"))

    path.write_bytes(_ID.sub(ident, data))


def _xmp(m: re.Match, when: _dt.date) -> bytes:
    old = m.string[m.end(1):m.start(2)]
    new = f"{when:%Y-%m-%d}T00:00:00".encode()
    return (new + old[len(new):]) if len(old) >= len(new) else old
