"""Call caps: connected calls per person per day (CN2), unanswered attempts per number per day (CN6), and
Regulation F's seven calls in seven days and seven days after a conversation (US4).

Days are the debtor's local calendar days (``History.c_day``). A call whose outcome was not recorded counts for
every cap it could count for (the safe reading)."""
from __future__ import annotations

import datetime as dt


def prepare_cap(params):
    return (params["max"], frozenset(params["outcomes"]), params["consent_lifts"])


def _outbound_calls_today(ctx):
    h = ctx.hist
    day, evs, days = ctx.day, h.c_ev, h.c_day
    for i in h.recent(ctx.us, 1):
        if days[i] == day:
            e = evs[i]
            if e.channel == "call" and e.direction == "outbound":
                yield e


def connected_cap(ctx, p):
    """At most ``max`` outbound calls with an outcome in ``outcomes`` (conversation) to the person per local
    day, across every debt and creditor; the next call is denied."""
    req = ctx.req
    if req.channel != "call":
        return None
    limit, outcomes, consent_lifts = p
    if consent_lifts and ctx.consented(("frequency", "all"), "call"):
        return None
    party = req.party
    count = 0
    for e in _outbound_calls_today(ctx):
        if e.party == party and (e.outcome is None or e.outcome in outcomes):
            count += 1
    if count >= limit:
        return "connected_cap", {"count": count, "max": limit}
    return None


def unanswered_cap(ctx, p):
    """At most ``max`` unanswered outbound attempts per number per local day, across every debt; another number
    is not affected. A ``frequency`` consent lifts it when the pack says so."""
    req = ctx.req
    key = ctx.number_key
    if req.channel != "call" or key is None:
        return None
    limit, outcomes, consent_lifts = p
    count = 0
    for e in _outbound_calls_today(ctx):
        if (e.key is None or e.key == key) and (e.outcome is None or e.outcome in outcomes):
            count += 1
    if count >= limit and not (consent_lifts and ctx.consented(("frequency", "all"), "call")):
        return "unanswered_cap", {"count": count, "max": limit, "number": req.number}
    return None


def prepare_frequency(params):
    return (params["max_calls"], params["window_days"], params["conversation_days"],
            frozenset(params["counted_outcomes"]), params["consent_exempt"])


def call_frequency(ctx, p):
    """US4, per person per debt on every number. Seven-in-seven: denied when the local date and the six dates
    before it already hold ``max_calls`` counted calls (outbound, connected outcomes, not made under a valid
    frequency consent). After a conversation (either direction, any channel) on local date D about the debt,
    calls are denied on D … D+6. A call under a valid frequency consent is exempt from both."""
    req = ctx.req
    if req.channel != "call" or req.debts is None:
        return None
    limit, window, conv_days, counted, consent_exempt = p
    if consent_exempt and ctx.consented(("frequency", "all"), "call"):
        return None
    h = ctx.hist
    evs, days, day, party = h.c_ev, h.c_day, ctx.day, req.party
    first_call_day, first_conv_day = day - window + 1, day - conv_days + 1
    span = h.recent(ctx.us, max(window, conv_days))
    for debt in req.debts:
        count, conv_day = 0, None
        for i in span:
            e = evs[i]
            if e.party != party or (e.debts is not None and debt not in e.debts):
                continue
            d = days[i]
            if d >= first_conv_day and (e.outcome == "conversation" or (e.outcome is None and e.channel == "call")):
                conv_day = d if conv_day is None else max(conv_day, d)
            if (d >= first_call_day and e.channel == "call" and e.direction == "outbound"
                    and (e.outcome is None or e.outcome in counted)
                    and not (consent_exempt and ctx.consented(("frequency", "all"), "call", e.us, (debt,)))):
                count += 1
        if conv_day is not None:
            return "after_conversation", {"debt": debt, "date": dt.date.fromordinal(conv_day).isoformat(),
                                          "until": dt.date.fromordinal(conv_day + conv_days).isoformat()}
        if count >= limit:
            return "seven_in_seven", {"debt": debt, "count": count, "max": limit, "window": window}
    return None
