"""A strategy tree (docs/strategy.md "Strategies as data") as a simulator policy. Pure: no Django.

The simulator's end-of-day case stage (``eodday.DailyEod``) compiles the tree's rows (``tree.engine_rows`` as the
engine's ``strategy`` input table, :meth:`TreeSpec.strategy_table`) and gives each open case its rule, as the
nightly run would. :class:`TreePolicy` then plans the day from the rule:

* **Days in the segment**: a case's day 0 is the first simulated day its rule's ``segment`` is not the one it had
  the day before (or the first simulated day); it counts up while the segment stays the same.
* **The day's action**: with a ``path``, ``tree.path_action(path, days in segment)`` — one-off ``sms``,
  ``letter``, ``visit``, ``email`` on their day, calls every other day of a calling phase, nothing after a
  ``legal_review`` (which is itself no contact). Without a path, the rule's ``channel`` every day (``none``: no
  contact). Held cases (complaint, plan) are not contacted, as production's queue leaves them out. ``email`` is not
  made: the simulated debtors have no e-mail address (counted in :attr:`TreePolicy.unmade`).
* **Budget**: the tree's ``budget`` per person, as the end-of-day queue applies it — at most ``daily_max``
  contacts a day and ``window_max`` less the contacts made in the ``window_days`` days before today. The policy
  plans at most one contact per case a day, so ``daily_max`` only matters when it is 0.
* **Calls**: in order of the rule's ``priority`` (highest first), then balance (largest first), as the queue orders
  a collector's positions; each at the hour of the rule's ``hours`` (``tree.preferred_hours`` within the shift
  09:00–20:59) that has the most free calls left (``policies.hour_slots``: the capacity spread over the shift),
  the earliest on a tie; a case whose hours are full is not called that day.
* **Visits**: in the same order, up to the field teams' capacity (``policies.visit_capacity``); SMS and letters
  are not limited. Messages and visits go at the simulator's fixed hours (10:00, 15:00).
* **Offers**: the simulator's only plan is 3 monthly instalments without a discount (``world.PLAN_MONTHS``); it
  is offered in the conversations of the cases whose rule has an ``offer`` whose ``max_months`` allows it
  (≥ 3, or empty: no bound on the term). ``max_discount_pct`` is not used: the simulated debtors do not respond to a discount.

The gate still decides every contact (``simulate.play_day``).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from concord.eod import schema

from . import tree as trees
from .policies import Plan, hour_slots, visit_capacity
from .world import PLAN_MONTHS, SHIFT_HOURS, Side

#: Contacts the simulated book can receive (an e-mail step is not made).
MADE = ("call", "sms", "letter", "visit")
SHIFT = (SHIFT_HOURS[0], SHIFT_HOURS[-1] + 1)


@dataclass(frozen=True)
class TreeSpec:
    """A tree to simulate: ``label`` names the side in the summary (``tree:default@1``, ``file:challenger.json``),
    ``tree`` is a clean tree (``tree.normalise``)."""
    label: str
    tree: dict

    def strategy_table(self) -> pa.Table:
        return schema.input_table("strategy", [tuple(r) for r in trees.engine_rows(self.tree)])


class TreePolicy:
    def __init__(self, tree: dict, name: str = "tree"):
        self.name = name
        self.rules = {r["rule_order"]: r for r in tree["rules"]}
        budget = tree.get("budget") or {}
        self.daily_max = budget.get("daily_max")
        self.window_days = budget.get("window_days")
        self.window_max = budget.get("window_max")
        self.segment: np.ndarray | None = None     # per case: yesterday's segment
        self.entered: np.ndarray | None = None     # per case: the day it entered that segment
        self.made: list[np.ndarray] = []           # contacts made per case, one array per day (the budget window)
        self.unmade: Counter = Counter()           # planned steps the simulated book cannot receive (email)

    def days_in_segment(self, day: int, n: int, idx: np.ndarray, segment: np.ndarray) -> np.ndarray:
        """Per case of ``idx`` (of a book of ``n``): the days since it entered today's ``segment`` (0: today)."""
        if self.segment is None:
            self.segment = np.full(n, None, dtype=object)
            self.entered = np.zeros(n, np.int64)
        changed = self.segment[idx] != segment
        self.entered[idx[changed]] = day
        self.segment[idx] = segment
        return day - self.entered[idx]

    def actions(self, day: int, n: int, eod: dict) -> np.ndarray:
        """Per case of ``eod["idx"]``: the day's action by its rule (None: nothing)."""
        idx, orders = np.asarray(eod["idx"]), np.asarray(eod["rule_order"])
        days_in = self.days_in_segment(day, n, idx, np.asarray(eod["segment"], dtype=object))
        out = np.full(len(idx), None, dtype=object)
        if not len(idx):
            return out
        pairs, inverse = np.unique(np.stack([orders, days_in], axis=1), axis=0, return_inverse=True)
        todo = []
        for order, days in pairs.tolist():
            rule = self.rules.get(order)
            if rule is None:
                todo.append(None)
            elif rule.get("path"):
                todo.append(trees.path_action(rule["path"], days))
            else:
                todo.append(None if rule["channel"] == "none" else rule["channel"])
        return np.array(todo, dtype=object)[np.asarray(inverse).reshape(-1)]

    def room(self, n: int) -> np.ndarray:
        """Per case, the contacts the tree's budget leaves for today."""
        room = np.full(n, 1 << 30, np.int64)
        if self.daily_max is not None:
            room[:] = min(self.daily_max, 1 << 30)
        if self.window_days is not None and self.window_max is not None:
            used = np.zeros(n, np.int64)
            for a in self.made[-self.window_days:]:
                used += a
            room = np.minimum(room, np.maximum(self.window_max - used, 0))
        return room

    def plan(self, day: int, side: Side, eod: dict, capacity: int) -> Plan:
        n = side.book.n
        idx = np.asarray(eod["idx"])
        action = self.actions(day, n, eod)
        ok = (side.owed[idx] > 0) & ~side.held(day)[idx] & (self.room(n)[idx] > 0)
        idx, action = idx[ok], action[ok]
        orders = np.asarray(eod["rule_order"])[ok]
        priority = np.asarray(eod["priority"])[ok]
        order = np.lexsort((idx, -side.owed[idx], -priority))      # priority, then balance, largest first
        idx, action, orders = idx[order], action[order], orders[order]
        self.unmade["email"] += int((action == "email").sum())
        slots = hour_slots(capacity)
        calls, messages = [], []
        visits_left = visit_capacity(capacity)
        offers = set()
        for i, act, rule_order in zip(idx.tolist(), action.tolist(), orders.tolist()):
            if act not in MADE:
                continue
            rule = self.rules[rule_order]
            if act == "call":
                lo, hi = trees.preferred_hours(rule.get("hours"), SHIFT)
                free = [(slots[h], -h) for h in range(lo, hi) if slots.get(h, 0) > 0]
                if not free:
                    continue
                h = -max(free)[1]
                slots[h] -= 1
                calls.append((i, h))
                offer = rule.get("offer")
                if offer and (offer.get("max_months") is None or offer["max_months"] >= PLAN_MONTHS):
                    offers.add(i)
            elif act == "visit":
                if visits_left <= 0:
                    continue
                visits_left -= 1
                messages.append((i, act))
            else:
                messages.append((i, act))
        return Plan(calls=calls, messages=messages, offer_plan=False, offers=frozenset(offers))

    def observe(self, day: int, side: Side, outcomes: list) -> None:
        made = np.zeros(side.book.n, np.int64)
        for i, _channel, _hour, outcome in outcomes:
            if outcome != "denied":
                made[i] += 1
        self.made.append(made)
        keep = self.window_days or 0
        self.made = self.made[-keep:] if keep else []
