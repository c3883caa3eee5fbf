"""Letters as PDF, with a CJK TrueType font embedded (subset) so they print the same everywhere. No database.

One document holds one or many letters (bulk letters: one page run per letter, each starting on a new page).

Fonts: the main font (``CONCORD_LETTER_FONT``, WenQuanYi Micro Hei) covers the common Han characters; the fallback
fonts (``CONCORD_LETTER_FALLBACK_FONTS``, by default HanaMin A and B of the Debian package ``fonts-hanazono``) cover
the rare ones of the CJK extensions B and later (𠀀, 𪚥 in names). Each run of characters the main font lacks is set
in the first fallback that has them. A letter with a character no font has is refused
(:class:`UnrenderableText`, :func:`check_renderable`) rather than printed with a blank: a wrong name on a legal
letter is worse than no letter.
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


class UnrenderableText(ValueError):
    """Characters of a letter that no installed font can print (``chars``, in order of appearance)."""

    def __init__(self, chars: list[str]):
        self.chars = chars
        super().__init__("no font renders " + ", ".join(f"{c} (U+{ord(c):04X})" for c in chars))


#: Characters a letter may hold without a glyph: line breaks and tabs are layout, not ink.
LAYOUT = frozenset("\n\r\t")


def _utf16_hex(code: int) -> str:
    return "".join(f"{unit:04X}" for unit in _utf16_units(code))


def _utf16_units(code: int) -> list[int]:
    if code <= 0xFFFF:
        return [code]
    code -= 0x10000
    return [0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)]


def _to_unicode_cmap(fontname, subset):
    """reportlab's ToUnicode map, with characters beyond the BMP (the CJK extensions) written as UTF-16 surrogate
    pairs as the PDF reference requires (reportlab writes ``<20000>``, which readers reject), so that the text of a
    letter can be searched and copied."""
    text = _reportlab_cmap(fontname, subset)
    for i, code in enumerate(subset):
        if code > 0xFFFF:
            text = text.replace(f"<{i:02X}> <{code:04X}>", f"<{i:02X}> <{_utf16_hex(code)}>")
    return text


def _patch_reportlab():
    from reportlab.pdfbase import ttfonts
    global _reportlab_cmap
    if ttfonts.makeToUnicodeCMap is not _to_unicode_cmap:
        _reportlab_cmap = ttfonts.makeToUnicodeCMap
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap


_reportlab_cmap = None


@lru_cache(maxsize=8)
def _load(name: str, path: str):
    """Register the TrueType font at ``path`` as ``name``; (name, the code points it has)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    _patch_reportlab()
    font = TTFont(name, path, subfontIndex=0) if path.lower().endswith(".ttc") else TTFont(name, path)
    pdfmetrics.registerFont(font)
    return name, frozenset(font.face.charToGlyph)


def _register(path: str) -> str:
    return _main(path)[0]


def _main(path: str):
    try:
        return _load(FONT, path)
    except Exception as exc:  # reportlab raises TTFError/IOError variants
        raise FontMissing(f"CJK font {path!r} cannot be loaded ({exc}); install fonts-wqy-microhei or set "
                          f"CONCORD_LETTER_FONT") from exc


def fallback_paths() -> list[str]:
    return [p for p in (conf.setting("CONCORD_LETTER_FALLBACK_FONTS") or "").split(":") if p.strip()]


def _fallbacks():
    return _loaded_fallbacks(tuple(fallback_paths()))


@lru_cache(maxsize=4)
def _loaded_fallbacks(paths: tuple[str, ...]):
    """The fallback fonts that can be loaded (a missing one is skipped: its characters are then refused)."""
    out = []
    for i, path in enumerate(paths):
        try:
            out.append(_load(f"{FONT}Fallback{i}", path))
        except Exception:
            continue
    return out


def _font_for(ch: str, main, fallbacks) -> str | None:
    if ord(ch) in main[1] or ch in LAYOUT:
        return main[0]
    for name, points in fallbacks():
        if ord(ch) in points:
            return name
    return None


def unrenderable(texts) -> list[str]:
    """The characters of ``texts`` that neither the main font nor a fallback has, each once, in order."""
    main = _main(conf.setting("CONCORD_LETTER_FONT"))
    missing: dict[str, None] = {}
    for text in texts:
        for ch in text or "":
            if ord(ch) not in main[1] and ch not in LAYOUT and _font_for(ch, main, _fallbacks) is None:
                missing[ch] = None
    return list(missing)


def letter_texts(letter: "Letter") -> list[str]:
    return [letter.sender, *letter.sender_lines, letter.recipient, letter.address, letter.date, letter.reference,
            letter.subject, letter.body, *(part for section in letter.sections for part in section)]


def check_renderable(letters) -> None:
    """UnrenderableText when a letter holds a character no font prints (FontMissing without the main font)."""
    missing = unrenderable(text for letter in letters for text in letter_texts(letter))
    if missing:
        raise UnrenderableText(missing)


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
    """A paragraph whose runs of characters the main font lacks are set in the fallback font that has them."""
    from reportlab.platypus import Paragraph
    main = _main(conf.setting("CONCORD_LETTER_FONT"))
    runs: list[tuple[str, str]] = []
    for ch in text or "":
        name = _font_for(ch, main, _fallbacks) or main[0]
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + ch)
        else:
            runs.append((name, ch))
    markup = "".join(escape(chunk) if name == main[0] else f'<font name="{name}">{escape(chunk)}</font>'
                     for name, chunk in runs)
    return Paragraph(markup.replace("\n", "<br/>"), style)


def render_pdf(letters: list[Letter], *, title: str = "Concord letters") -> bytes:
    """One PDF with every letter, each from a new page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer

    font = _register(conf.setting("CONCORD_LETTER_FONT"))
    check_renderable(letters)  # never a blank where a character should be
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


def render_table_pdf(*, title: str, lines: list[str], headers: list[str], rows: list[list[str]],
                     footer: list[str] = (), landscape_page: bool = True) -> bytes:
    """A one-table document (a statement, a list) with the letters' CJK fonts embedded: a title, lines of text above
    the table, the table (header row repeated on each page), lines below. Refuses characters no font prints."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, SimpleDocTemplate, Spacer, TableStyle

    font = _register(conf.setting("CONCORD_LETTER_FONT"))
    missing = unrenderable([title, *lines, *headers, *(c for r in rows for c in r), *footer])
    if missing:
        raise UnrenderableText(missing)
    st = _styles(font)
    cell = st["small"]
    story = [_para(title, st["title"])]
    story += [_para(line, st["base"]) for line in lines]
    story.append(Spacer(1, 4 * mm))
    data = [[_para(h, cell) for h in headers]] + [[_para(str(c), cell) for c in row] for row in rows]
    table = LongTable(data, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(table)
    story.append(Spacer(1, 4 * mm))
    story += [_para(line, st["base"]) for line in footer]
    buffer = io.BytesIO()
    size = landscape(A4) if landscape_page else A4
    doc = SimpleDocTemplate(buffer, pagesize=size, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=title, author="Concord", creator="Concord")
    doc.build(story)
    return buffer.getvalue()
