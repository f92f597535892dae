"""The little Markdown the secretariat writes: headings, paragraphs, bullet lists, **bold** and *italic*.

:func:`parse` is pure (text in, blocks out); :func:`render` writes blocks as paragraphs into a
python-docx container (a docxtpl subdocument). Paragraphs carry no style, so they take the
template's Normal style: a province that changes the body font or indent in Word changes them too.
Bullets are written the way Vietnamese documents write them, as "- " at the start of the line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from toolkit.documents.layout import add_text

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^[-*+•]\s+(.*)$")
_INLINE = re.compile(r"(\*\*.+?\*\*|__.+?__|\*[^*\s][^*]*?\*|_[^_\s][^_]*?_)")


@dataclass(frozen=True)
class Block:
    kind: str  # "heading1" | "heading2" | "heading3" | "paragraph" | "bullet"
    runs: tuple[tuple[str, bool, bool], ...]  # (text, bold, italic)

    @property
    def text(self) -> str:
        return "".join(r[0] for r in self.runs)


def inline(text: str) -> tuple[tuple[str, bool, bool], ...]:
    out = []
    for part in _INLINE.split(text):
        if not part:
            continue
        if (part.startswith("**") and part.endswith("**") or part.startswith("__") and part.endswith("__")) and len(part) > 4:
            out.append((part[2:-2], True, False))
        elif part[0] in "*_" and part[-1] == part[0] and len(part) > 2:
            out.append((part[1:-1], False, True))
        else:
            out.append((part, False, False))
    return tuple(out)


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    lines: list[str] = []

    def flush() -> None:
        if lines:
            blocks.append(Block("paragraph", inline(" ".join(lines))))
            lines.clear()

    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if m := _HEADING.match(line):
            flush()
            blocks.append(Block(f"heading{min(3, len(m[1]))}", inline(m[2].strip())))
        elif m := _BULLET.match(line):
            flush()
            blocks.append(Block("bullet", inline(m[1].strip())))
        else:
            lines.append(line)
    flush()
    return blocks


def render(container, blocks: list[Block]) -> None:
    for b in blocks:
        p = container.add_paragraph()
        if b.kind.startswith("heading"):
            p.paragraph_format.keep_with_next = True
        runs = (("- ", False, False),) + b.runs if b.kind == "bullet" else b.runs
        for text, bold, italic in runs:
            run = p.add_run(text)
            if bold or b.kind in ("heading1", "heading2"):
                run.font.bold = True
            if italic or b.kind in ("heading2", "heading3"):
                run.font.italic = True


def placeholder(container, what: str) -> None:
    """A visible, highlighted '[Khối bổ sung: ...]' where the secretariat's text is missing."""
    add_text(container.add_paragraph(), f"[Khối bổ sung: {what}]", highlight=True)
