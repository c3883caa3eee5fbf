"""Letters as PDF, with a CJK TrueType font embedded (subset) so they print the same everywhere. No database.

One document holds one or many letters (bulk letters: one page run per letter, each starting on a new page).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from xml.sax.saxutils import escape

from . import conf

FONT = "ConcordCJK"


@dataclass
class Letter:
    sender: str                      # the creditor's name as it heads the letter
    sender_lines: list[str]          # phone, address …
    recipient: str
    address: str
    date: str
    subject: str
    body: str
    sections: list[tuple[str, str]] = field(default_factory=list)
    reference: str = ""


class FontMissing(RuntimeError):
    pass


@lru_cache(maxsize=4)
def _register(path: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    try:
        font = TTFont(FONT, path, subfontIndex=0) if path.lower().endswith(".ttc") else TTFont(FONT, path)
    except Exception as exc:  # reportlab raises TTFError/IOError variants
        raise FontMissing(f"CJK font {path!r} cannot be loaded ({exc}); install fonts-wqy-microhei or set "
                          f"CONCORD_LETTER_FONT") from exc
    pdfmetrics.registerFont(font)
    return FONT


def _styles(font):
    from reportlab.lib.styles import ParagraphStyle
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13),
        "sender": ParagraphStyle("sender", parent=base, fontSize=14, leading=20),
        "title": ParagraphStyle("title", parent=base, fontSize=15, leading=22, alignment=1, spaceBefore=10,
                                spaceAfter=10),
        "head": ParagraphStyle("head", parent=base, fontSize=11, leading=17, spaceBefore=8),
    }


def _para(text, style):
    from reportlab.platypus import Paragraph
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def render_pdf(letters: list[Letter], *, title: str = "Concord letters") -> bytes:
    """One PDF with every letter, each from a new page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer

    font = _register(conf.setting("CONCORD_LETTER_FONT"))
    st = _styles(font)
    story = []
    for i, letter in enumerate(letters):
        if i:
            story.append(PageBreak())
        story.append(_para(letter.sender, st["sender"]))
        for line in letter.sender_lines:
            story.append(_para(line, st["small"]))
        story.append(Spacer(1, 6 * mm))
        story.append(_para(letter.recipient, st["base"]))
        story.append(_para(letter.address, st["base"]))
        story.append(_para(letter.date + ("　" + letter.reference if letter.reference else ""), st["small"]))
        story.append(_para(letter.subject, st["title"]))
        for paragraph in letter.body.split("\n\n"):
            story.append(_para(paragraph.strip(), st["base"]))
            story.append(Spacer(1, 2 * mm))
        for heading, text in letter.sections:
            story.append(_para(heading, st["head"]))
            story.append(_para(text, st["base"]))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title=title, author="Concord", creator="Concord")
    doc.build(story)
    return buffer.getvalue()
