"""The one evaluation of a contact request: ``evaluate(request, at, history, pack) -> Decision``. Pure: no Django.

The same function serves the replay, the live gate and the end-of-day run. It checks the data the rules need
(a missing field is a deny with rule code ``DATA``, never a guess), then runs every enforced rule of the pack
and lists every rule that denies, with a reason in Chinese and English.
"""
from __future__ import annotations

import datetime as dt

from .history import History, State
from .model import DEBTOR, Decision, Denial, Request, number_key, to_us
from .packs import Pack
from .reasons import ALLOW_EN, ALLOW_ZH, explain
from .rules import KINDS

DEFAULT_NOT_THIRD_PARTY = frozenset({"guarantor", "co_borrower", "attorney"})
ALLOW = Decision("allow", (), ALLOW_ZH, ALLOW_EN, ())


class Compiled:
    """A pack prepared for evaluation: each enforced rule's check with its parameters parsed once."""

    __slots__ = ("checks", "needs_number", "not_third_party", "consent_cap_us")

    def __init__(self, pack: Pack):
        claimed = frozenset(k for r in pack.rules if r.kind == "hold" for k in r.params["kinds"] if k != "*")
        self.checks = []
        not_third = None
        for rule in pack.rules:
            if not rule.enforced:
                continue
            prepare, check, needs_time = KINDS[rule.kind]
            prepared = prepare(rule.params, claimed) if rule.kind == "hold" else prepare(rule.params)
            self.checks.append((rule.code, check, prepared, needs_time))
            if rule.kind == "third_party":
                mine = frozenset(rule.params["not_third_party"])
                not_third = mine if not_third is None else not_third & mine
        self.needs_number = any(r.kind == "unanswered_cap" for r in pack.rules)
        self.not_third_party = DEFAULT_NOT_THIRD_PARTY if not_third is None else not_third
        days = pack.consent_max_days
        self.consent_cap_us = None if days is None else days * 86_400_000_000


_compiled: dict[str, Compiled] = {}


def compile_pack(pack: Pack) -> Compiled:
    c = _compiled.get(pack.version)
    if c is None:
        c = _compiled[pack.version] = Compiled(pack)
    return c


class Ctx:
    """What the rule functions read: the request, the instant, the local time, the visible state."""

    __slots__ = ("req", "us", "local", "day", "clock", "hist", "state", "relation", "third", "number_key",
                 "consent_cap")

    def consented(self, scopes, channel, at_us: int | None = None, debts=None) -> bool:
        """A consent of the request's party, for ``channel`` (or every channel), with a scope in ``scopes``,
        covering the debts (the request's unless given), valid at ``at_us`` (the request's instant unless
        given): from its ``at`` until its ``until`` (exclusive), and no longer than the pack's cap."""
        consents = self.state.consents
        if not consents:
            return False
        t = self.us if at_us is None else at_us
        want = self.req.debts if debts is None else debts
        party, cap = self.req.party, self.consent_cap
        for c in consents:
            if c.party != party or c.scope not in scopes or c.start > t:
                continue
            if c.channel is not None and c.channel != channel:
                continue
            if c.debts is not None and (want is None or not set(want) <= set(c.debts)):
                continue
            end = c.until
            if cap is not None:
                end = c.start + cap if end is None else min(end, c.start + cap)
            if end is not None and t >= end:
                continue
            return True
        return False


def _missing(req: Request, relation: str | None, hist: History, compiled: Compiled) -> list[str]:
    missing = []
    if hist.tz is None:
        missing.append("timezone")
    if req.channel is None:
        missing.append("channel")
    if req.party is None:
        missing.append("party")
    elif relation is None:
        missing.append("relation")
    if req.purpose is None:
        missing.append("purpose")
    if req.debts is None or not req.debts:
        missing.append("debt")
    if req.channel == "visit" and req.agents is None:
        missing.append("agents")
    if req.channel == "call" and compiled.needs_number and number_key(req.number) is None:
        missing.append("number")
    return missing


def evaluate(request: Request, at: dt.datetime, history: History, pack: Pack) -> Decision:
    """Decide ``request`` at the aware instant ``at`` against the person's ``history`` (events after ``at`` are
    invisible; those at ``at`` are visible) under ``pack``."""
    compiled = compile_pack(pack)
    us = to_us(at)
    state: State = history.state(us)
    ctx = Ctx()
    ctx.req, ctx.us, ctx.hist, ctx.state = request, us, history, state
    ctx.consent_cap = compiled.consent_cap_us
    ctx.number_key = number_key(request.number)
    relation = ctx.relation = history.relation(request.party, state)
    ctx.third = relation is not None and relation != DEBTOR and relation not in compiled.not_third_party
    denials = [Denial("DATA", "data", {"field": f}) for f in _missing(request, relation, history, compiled)]
    tz = history.tz
    if tz is not None:
        local = ctx.local = at.astimezone(tz)
        ctx.day = local.toordinal()
        ctx.clock = ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond
    for code, check, prepared, needs_time in compiled.checks:
        if needs_time and tz is None:
            continue
        found = check(ctx, prepared)
        if found is not None:
            denials.append(Denial(code, found[0], found[1]))
    if not denials:
        return ALLOW
    zh, en = explain(denials)
    return Decision("deny", tuple(dict.fromkeys(d.code for d in denials)), zh, en, tuple(denials))


def deny_data(field: str) -> Decision:
    """A decision made without evaluation because the scenario lacks ``field`` (e.g. its policy)."""
    d = Denial("DATA", "data", {"field": field})
    zh, en = explain([d])
    return Decision("deny", ("DATA",), zh, en, (d,))
