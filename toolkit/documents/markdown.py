"""The little Markdown the secretariat writes: headings, paragraphs, bullet lists, **bold** and *italic*.

:func:`parse` is pure (text in, blocks out); :func:`render` writes blocks as paragraphs into a
python-docx container (a docxtpl subdocument). Paragraphs carry no style, so they take the
template's Normal style: a province that changes the body font or indent in Word changes them too.
Bullets are written the way Vietnamese documents write them, as "- " at the start of the line.

Parsing is markdown-it-py's, with only the rules above switched on: the secretariat's text is
data, so a link, an image, raw HTML, a code span or an entity stays the text that was typed and
nothing in it becomes a hyperlink, a picture or markup in the Word document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

from toolkit.documents.decree30_docx import add_text

# "zero" has no rule but plain paragraphs; everything not enabled here stays literal text
_MD = MarkdownIt("zero").enable(["heading", "list", "emphasis", "newline"])
# Word's own bullet character, pasted from a Word draft, is a bullet too
_WORD_BULLET = re.compile(r"^([ \t]*)•(?=[ \t])", re.MULTILINE)

Run = tuple[str, bool, bool]  # (text, bold, italic)


@dataclass(frozen=True)
class Block:
    kind: str  # "heading1" | "heading2" | "heading3" | "paragraph" | "bullet"
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(r[0] for r in self.runs)


def _runs(inline, prefix: str = "") -> tuple[Run, ...]:
    """An inline token's children as runs; a line break inside a paragraph is a space, as Word reflows lines."""
    out: list[Run] = [(prefix, False, False)] if prefix else []
    bold = italic = 0
    for t in inline.children or ():
        if t.type in ("strong_open", "strong_close"):
            bold += 1 if t.type == "strong_open" else -1
            continue
        if t.type in ("em_open", "em_close"):
            italic += 1 if t.type == "em_open" else -1
            continue
        text = " " if t.type in ("softbreak", "hardbreak") else t.content
        if not text:
            continue
        if out and out[-1][1:] == (bold > 0, italic > 0):
            out[-1] = (out[-1][0] + text, *out[-1][1:])
        else:
            out.append((text, bold > 0, italic > 0))
    return tuple(out)


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    kind, prefix = "paragraph", ""  # what the next inline token becomes
    for t in _MD.parse(_WORD_BULLET.sub(r"\1-", text or "")):
        if t.type == "heading_open":
            kind = f"heading{min(3, int(t.tag[1:]))}"
        elif t.type == "list_item_open":
            # an ordered item keeps the number that was typed ("2." or "2)"), as a paragraph
            kind, prefix = ("paragraph", f"{t.info}{t.markup} ") if t.info else ("bullet", "")
        elif t.type == "inline":
            runs = _runs(t, prefix)
            if runs:
                blocks.append(Block(kind, runs))
            kind, prefix = "paragraph", ""  # an item's later paragraphs are plain paragraphs
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


def placeholder(container, what: str, who: str = "Khối") -> None:
    """A visible, highlighted '[Khối bổ sung: ...]' (or '[Đơn vị bổ sung: ...]') where the text is missing."""
    add_text(container.add_paragraph(), f"[{who} bổ sung: {what}]", highlight=True)
