"""Who may be contacted: third parties (CN3, CN7, US10, UK3), attorney representation, the deceased."""
from __future__ import annotations

from .content import compile_terms, first_term


def prepare_third_party(params):
    return (frozenset(params["purposes"]), params["require_lost_contact"], params["once_per_party"],
            frozenset(params["answered_outcomes"]))


def third_party(ctx, p):
    """A third party may be contacted only with purpose ``location``, only while the debtor is flagged 失联
    (lost_contact, until contact_restored), never after the party refused, and where the pack says so at most
    once (an earlier outbound contact with them that was answered uses it up)."""
    if not ctx.third:
        return None
    purposes, need_lost, once, answered = p
    req, st = ctx.req, ctx.state
    if req.purpose is not None and req.purpose not in purposes:
        return "tp_purpose", {}
    if need_lost and ctx.hist.debtor not in st.lost:
        return "tp_not_lost", {}
    if st.refused and (req.party in st.refused or None in st.refused):
        return "tp_refused", {}
    if once:
        h = ctx.hist
        for i in h.contacts(ctx.us):
            e = h.c_ev[i]
            if e.party == req.party and e.direction == "outbound" and e.outcome in answered:
                return "tp_once", {}
    return None


def prepare_disclosure(params):
    return compile_terms(params["terms"], plurals=True, amounts=params["amounts"])


def disclosure(ctx, p):
    """A message to a third party must not reveal the debt: the list of words is closed (the pack's ``terms``,
    whole words and their plurals, ``*`` a prefix) and, with ``amounts``, an amount of money (``500元``, ``5.43万``,
    ``$200``) reveals it too. Checked whatever the message's purpose."""
    if not ctx.third or not ctx.req.template:
        return None
    term = first_term(p, ctx.req.template)
    return ("disclosure", {"term": term}) if term else None


def attorney(ctx, p):
    """When the debtor is represented about a debt, every request about that debt to anyone but the attorney is
    denied (third parties and guarantors included). A represented related party: requests to them are denied."""
    st = ctx.state
    if not st.attorneys:
        return None
    req = ctx.req
    for represented, lawyer, debts in st.attorneys:
        if debts is not None and (req.debts is None or not set(debts) & set(req.debts)):
            continue
        if represented == ctx.hist.debtor:
            if req.party != lawyer:
                return "attorney", {"attorney": lawyer}
        elif req.party == represented:
            return "attorney", {"attorney": lawyer}
    return None


def deceased(ctx, p):
    """Every request addressed to a deceased person is denied."""
    if ctx.state.deceased and ctx.req.party in ctx.state.deceased:
        return "deceased", {}
    return None
