"""Message text: prohibited wording (CN8) and the number of collectors on a field visit (CN9).

Terms are matched case-insensitively: Chinese terms anywhere in the text, Latin terms as whole words (a term
ending in ``*`` also matches longer words: ``repay*`` matches "repayment")."""
from __future__ import annotations

import re


def compile_terms(terms):
    parts = []
    for term in sorted(terms, key=len, reverse=True):
        stem, star = (term[:-1], True) if term.endswith("*") else (term, False)
        if re.search(r"[A-Za-z0-9]", stem):
            parts.append(r"\b" + re.escape(stem) + (r"\w*" if star else r"\b"))
        else:
            parts.append(re.escape(stem))
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def first_term(pattern, text: str) -> str | None:
    if pattern is None or not text:
        return None
    m = pattern.search(text)
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
