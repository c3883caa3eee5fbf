"""Holds (complaint, dispute, breathing space, arrangement, legal) and cease requests."""
from __future__ import annotations


def prepare_hold(params, claimed=frozenset()):
    kinds = frozenset(params["kinds"])
    return (kinds, "*" in kinds, frozenset(claimed), frozenset(params["allowed_purposes"]))


def hold(ctx, p):
    """While a hold is in force (from its ``at`` until its ``until``, exclusive, or its release), requests about
    the held debt (every debt when the hold has none) are denied unless their purpose is allowed (service).
    A rule with kind ``*`` takes every hold kind that no other hold rule of the pack names."""
    st = ctx.state
    if not st.holds:
        return None
    kinds, star, claimed, allowed = p
    req = ctx.req
    if req.purpose in allowed:
        return None
    t = ctx.us
    for h in st.holds:
        if h.until is not None and t >= h.until:
            continue
        if (h.kind in claimed) if star else (h.kind not in kinds):
            continue
        if h.debts is not None and (req.debts is None or not set(h.debts) & set(req.debts)):
            continue
        debt = h.debts[0] if h.debts else (req.debts[0] if req.debts else None)
        return "hold", {"kind": h.kind, "debt": debt}
    return None


def prepare_cease(params):
    return frozenset(params["allowed_purposes"]), frozenset(params["cease_channels"])


def cease(ctx, p):
    """A cease denies requests other than ``service`` on its channel (every channel when null) about its debt
    (every debt when null). The debtor's cease covers every party contacted about their debts (location
    contacts included); a related party's cease covers requests to that party. The rule decides the ceases
    whose channel is in ``cease_channels`` (``all``: a cease on every channel), so that a pack can report an
    opt-out of an electronic medium under its own code (us_reg_f: US11 for sms, email and wechat, US3 else)."""
    st = ctx.state
    if not st.ceases:
        return None
    allowed, covered = p
    req = ctx.req
    if req.purpose in allowed:
        return None
    debtor = ctx.hist.debtor
    for party, channel, debts in st.ceases:
        if party != debtor and party != req.party:
            continue
        if channel is not None and channel != req.channel:
            continue
        if ("all" if channel is None else channel) not in covered:
            continue
        if debts is not None and (req.debts is None or not set(debts) & set(req.debts)):
            continue
        return "cease", {"channel": channel}
    return None
