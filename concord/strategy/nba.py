"""Next-best-action: each day, for each case, the contact (a call at an hour, an SMS, a letter, a visit) or no
contact that is worth most, within the collectors' capacity, the visit teams' capacity, the per-person caps of the
policy pack and a complaint budget. Pure: no Django, no state.

The caller gives, per case, the **expected recovery** (fen) of each action — a call at each shift hour (its chance
of being answered × what a conversation recovers beyond what the case would pay anyway), an SMS, a letter, a visit —
and its **expected cost** (fen). An action's net is recovery − cost; "none" is worth 0. Each case gets at most one
action a day, and only one whose net is above 0 (a contact that costs more than it is expected to bring back is not
made).

Allocation:

1. Calls are scarce (``call_slots``: calls each hour can take). The cases whose best action is a call are taken in
   order of net per expected complaint (``risk``; net alone without it), each at the free hour where its net is
   highest, while the day's complaint budget (``risk_budget``, the sum of the calls' risks) lasts.
2. Every other case (and a call-best case that found no free hour with a positive net or no room in the
   complaint budget) gets its best non-call action when that is positive; visits go in order of net up to
   ``visit_capacity``, a case whose visit does not fit falls back to its next best message.
3. A person with several debts (``person``) is contacted at most ``person_cap`` times that day across all of them
   (the pack's caps; ``person_cap`` − contacts already made today); the compliance gate still decides every
   contact.

``choose`` returns ``[(case index, channel, hour or None)]`` in the order the actions were chosen.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

MESSAGES = ("sms", "letter", "visit")


def daily_call_cap(pack) -> int | None:
    """The pack's cap on calls to one person in a day (the smallest ``max`` of its connected and unanswered call
    caps), None when it sets none."""
    caps = [int(r.params["max"]) for r in getattr(pack, "rules", ())
            if getattr(r, "kind", None) in ("connected_cap", "unanswered_cap") and r.params and "max" in r.params]
    return min(caps) if caps else None


def choose(*, hours: Sequence[int], call_value: np.ndarray, call_cost: np.ndarray,
           message_value: Mapping[str, np.ndarray], message_cost: Mapping[str, float],
           call_slots: Mapping[int, int], visit_capacity: int = 0, risk: np.ndarray | None = None,
           risk_budget: float = float("inf"), person: np.ndarray | None = None,
           person_cap: np.ndarray | int = 1, eligible: Mapping[str, np.ndarray] | None = None) -> list[tuple]:
    """The day's actions (see the module's docstring). ``call_value``/``call_cost``: (cases × hours) arrays, fen;
    ``message_value``: channel → (cases,) fen; ``message_cost``: channel → fen; ``eligible``: channel → (cases,)
    bool (e.g. an SMS at most weekly), a channel left out is allowed everywhere."""
    call_value = np.asarray(call_value, float)
    n = call_value.shape[0]
    call_net = call_value - np.asarray(call_cost, float)
    eligible = eligible or {}
    msg_net = {}
    for ch in MESSAGES:
        if ch not in message_value:
            continue
        net = np.asarray(message_value[ch], float) - float(message_cost[ch])
        if ch in eligible:
            net = np.where(np.asarray(eligible[ch], bool), net, -np.inf)
        msg_net[ch] = net
    person = np.arange(n) if person is None else np.asarray(person)
    caps = np.broadcast_to(np.asarray(person_cap), (int(person.max()) + 1 if n else 0,)).astype(np.int64).copy() \
        if np.ndim(person_cap) == 0 else np.asarray(person_cap, np.int64).copy()
    best_call = call_net.max(axis=1) if call_net.shape[1] else np.full(n, -np.inf)
    best_msg = np.full(n, -np.inf)
    best_ch = np.full(n, "", dtype=object)
    for ch, net in msg_net.items():
        better = net > best_msg
        best_msg = np.where(better, net, best_msg)
        best_ch = np.where(better, ch, best_ch)
    out: list[tuple] = []
    done = np.zeros(n, bool)
    slots = {h: int(call_slots.get(h, 0)) for h in hours}
    # 1. calls, most net per expected complaint first
    wants_call = np.flatnonzero((best_call > 0) & (best_call >= best_msg))
    if risk is not None:
        r = np.asarray(risk, float)
        key = best_call[wants_call] / np.maximum(r[wants_call], 1e-12)
    else:
        r = np.zeros(n)
        key = best_call[wants_call]
    spent = 0.0
    for k in wants_call[np.argsort(-key, kind="stable")]:
        if caps[person[k]] <= 0:
            done[k] = True
            continue
        if spent + r[k] > risk_budget:
            continue
        free = [(call_net[k, j], -h, h) for j, h in enumerate(hours) if slots[h] > 0 and call_net[k, j] > 0]
        if not free:
            continue
        _net, _neg, h = max(free)
        slots[h] -= 1
        spent += r[k]
        caps[person[k]] -= 1
        done[k] = True
        out.append((int(k), "call", int(h)))
    # 2. the best message where it pays; visits within the teams' capacity
    visits_left = int(visit_capacity)
    rest = np.flatnonzero(~done)
    rest = rest[np.argsort(-best_msg[rest], kind="stable")]
    for k in rest:
        if best_msg[k] <= 0:
            break
        ch = best_ch[k]
        if ch == "visit" and visits_left <= 0:
            options = [(msg_net[c][k], c) for c in msg_net if c != "visit" and msg_net[c][k] > 0]
            if not options:
                continue
            _net, ch = max(options)
        if caps[person[k]] <= 0:
            continue
        if ch == "visit":
            visits_left -= 1
        caps[person[k]] -= 1
        out.append((int(k), str(ch), None))
    return out
