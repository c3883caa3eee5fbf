"""Message text: prohibited wording (CN8) and the number of collectors on a field visit (CN9).

Terms are matched case-insensitively on the NFKC-normalised text (full-width letters and digits count as ASCII):
Chinese terms anywhere in the text, Latin terms as whole words (not inside a longer run of Latin letters; a term
ending in ``*`` also matches longer words: ``repay*`` matches "repayment"; a space in a term matches spaces or a
hyphen). With ``plurals`` a whole-word term also matches its plural (``debt`` matches "debts").

``AMOUNT`` is an amount of money as the third-party disclosure rule reads it (SCENARIOS.md "Third parties"):
digits followed by 元, 万 or 万元, or preceded by ¥, ￥, $, €, £, RMB, CNY or USD."""
from __future__ import annotations

import re
import unicodedata

AMOUNT = r"\d(?:[\d,.]*\d)?\s*(?:万元|万|元)|(?:[¥￥$€£]|RMB|CNY|USD)\s*\d(?:[\d,.]*\d)?"


def term_regex(term: str, *, plurals: bool = False) -> str:
    """The regular expression of one term (see the module's docstring)."""
    stem, star = (term[:-1], True) if term.endswith("*") else (term, False)
    if not re.search(r"[A-Za-z0-9]", stem):
        return re.escape(stem)
    body = r"[\s\-]+".join(re.escape(w) for w in stem.split())
    tail = r"[A-Za-z]*" if star else ("s?" if plurals else "")
    return r"(?<![A-Za-z])" + body + tail + r"(?![A-Za-z])"


def compile_terms(terms, *, plurals: bool = False, amounts: bool = False):
    parts = [term_regex(t, plurals=plurals) for t in sorted(terms, key=len, reverse=True)]
    if amounts:
        parts.append(AMOUNT)
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def first_term(pattern, text: str) -> str | None:
    if pattern is None or not text:
        return None
    m = pattern.search(unicodedata.normalize("NFKC", text))
    return m.group(0) if m else None


def prepare_content(params):
    return compile_terms(params["terms"])


def content(ctx, p):
    """A message must not contain prohibited wording: threats, insults, impersonating the police or courts,
    fake blacklists, contact-list blasting, public shaming, pushing new borrowing."""
    term = first_term(p, ctx.req.template)
    return ("content", {"term": term}) if term else None


def prepare_visit(params):
    return params["min"]


def visit_agents(ctx, p):
    """A field visit needs at least ``min`` collectors (a visit without ``agents`` is denied as DATA)."""
    req = ctx.req
    if req.channel == "visit" and req.agents is not None and req.agents < p:
        return "visit_agents", {"min": p, "agents": req.agents}
    return None
