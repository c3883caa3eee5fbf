"""The strategies the simulator compares. Pure: no Django.

A strategy is asked once a day, after the end-of-day scoring, for its plan: the calls to make (case, local hour),
the messages to send (case, channel) and whether collectors may offer an instalment plan. It reads only what
production would know — balances, DPD, the end-of-day score and rule, promise and plan states, holds, its own
contacts and their outcomes, the payments received — never a debtor's hidden behaviour. Every contact it plans
still goes through the gate.

* ``bucket`` — the plain baseline: call every open, not held case in DPD order (lowest first, larger balance
  first at equal DPD) up to capacity, calls spread evenly over the shift's hours; SMS every other open, not
  held case once a week; no plans offered.
* ``default`` — Concord's default strategy (see docs/strategy.md): a warm-up of 30 days that calls as the baseline
  does but rotates the hours, and learns per cell (product, bucket, score band; shrunk to the product group and the
  book) the answer rate by hour, the recovery a conversation and an SMS buy over what the cell pays on its own, and
  the complaint rate; then each day it ranks cases by expected net per expected complaint, calls them within
  capacity and a complaint budget (70 % of the warm-up's rate, held on the complaints that really happened) at the
  hours that answer most, texts only where a text is worth more than it costs, leaves promises and plans to run,
  and offers plans to those who cannot pay at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .world import SHIFT_HOURS, Side

WARM_UP_DAYS = 30
SMS_INTERVAL_DAYS = 7
CONVERSATION_WINDOW_DAYS = 14      # recovery within this many days of a conversation is credited to it
SMS_WINDOW_DAYS = 3
SCORE_BANDS = (450, 550)           # score bands: < 450, 450–549, ≥ 550
PRIOR = 4.0                        # weight of the cell's rate when estimating one person's answer rate
COOL_DOWN_DAYS = 7                 # no call within this many days after a conversation
#: After the warm-up the strategy expects no more complaints a day than this share of what the warm-up's plain
#: calling (in DPD order, as the baseline) produced: its complaint budget is learned from the book, not set per book.
COMPLAINT_BUDGET_SHARE = 0.7


@dataclass
class Plan:
    calls: list[tuple[int, int]] = field(default_factory=list)      # (case index, local hour)
    messages: list[tuple[int, str]] = field(default_factory=list)   # (case index, channel)
    offer_plan: bool = False


def hour_slots(capacity: int) -> dict[int, int]:
    """Calls each shift hour can take: the capacity spread evenly, the remainder to the first hours."""
    base, extra = divmod(capacity, len(SHIFT_HOURS))
    return {h: base + (1 if k < extra else 0) for k, h in enumerate(SHIFT_HOURS)}


class Bucket:
    name = "bucket"

    def plan(self, day: int, side: Side, eod: dict, capacity: int) -> Plan:
        open_ = side.open() & ~side.held(day)
        idx = np.flatnonzero(open_)
        dpd = side.book.dpd0[idx] + day
        order = idx[np.lexsort((-side.owed[idx], dpd))]
        called = order[:capacity]
        hours = SHIFT_HOURS
        calls = [(int(i), hours[k % len(hours)]) for k, i in enumerate(called)]
        rest = order[capacity:]
        due = rest[day - side.last_sms[rest] >= SMS_INTERVAL_DAYS]
        return Plan(calls=calls, messages=[(int(i), "sms") for i in due], offer_plan=False)

    def observe(self, day: int, side: Side, outcomes: list) -> None:
        pass


class Default:
    """Concord's default strategy: learn in the warm-up, then contact where a contact is worth its cost."""
    name = "default"

    def __init__(self, warm_up: int = WARM_UP_DAYS):
        self.warm_up = warm_up
        self.cells = None
        self.stats: dict = {}
        self.pending_conv: list[tuple[int, int, int, int]] = []   # (day, case, cell, owed then)
        self.pending_sms: list[tuple[int, int, int, int]] = []
        self.last_conv = None
        self.warm_conversations: dict[int, int] = {}
        self.complaints_after_warm_up = 0

    # -- features ---------------------------------------------------------------------------------------------
    def _cells(self, side: Side, day: int, score: np.ndarray) -> np.ndarray:
        book = side.book
        product = (book.product == "credit_card").astype(np.int64)
        dpd = book.dpd0 + day
        bucket = np.minimum((dpd + 29) // 30, 7)
        band = np.searchsorted(np.array(SCORE_BANDS), score, side="right")
        return (product * 8 + bucket) * 3 + band

    def _acc(self, key, n: int, hits: float) -> None:
        s = self.stats.setdefault(key, [0.0, 0.0])
        s[0] += n
        s[1] += hits

    def _rate(self, key, default: float, prior: float = 20.0) -> float:
        s = self.stats.get(key)
        if s is None:
            return default
        return (s[1] + prior * default) / (s[0] + prior)

    def _learn(self, kind: str, cell: int, n: float, hits: float) -> None:
        """Count an observation for the cell, its product group and the whole book."""
        for key in ((kind, cell), (kind, "group", cell // 24), (kind, "all")):
            self._acc(key, n, hits)

    def _pooled(self, kind: str, cell: int, default: float, prior: float = 20.0) -> float:
        """The cell's rate, shrunk to its product group's, itself shrunk to the book's (empirical Bayes)."""
        book = self._rate((kind, "all"), default, prior)
        group = self._rate((kind, "group", cell // 24), book, prior)
        return self._rate((kind, cell), group, prior)

    # -- learning ------------------------------------------------------------------------------------------------
    def observe(self, day: int, side: Side, outcomes: list) -> None:
        """Outcomes of today's contacts: (case, channel, hour, outcome)."""
        if self.last_conv is None:
            self.last_conv = np.full(side.book.n, -10_000, np.int64)
        cells = self.today_cells
        for i, channel, hour, outcome in outcomes:
            if outcome == "denied":
                continue
            c = int(cells[i])
            if channel == "call":
                answered = outcome == "conversation"
                self._acc(("ans_h", c // 24, hour), 1, answered)
                self._learn("ans", c, 1, answered)
                if answered:
                    self._learn("complaint", c, 1, side.complaint_until[i] > day + 1)
                    if day < self.warm_up:
                        self.warm_conversations[c] = self.warm_conversations.get(c, 0) + 1
                    self.last_conv[i] = day
                    self.pending_conv.append((day, i, c, int(side.paid_total[i])))
            elif channel == "sms":
                self.pending_sms.append((day, i, c, int(side.paid_total[i])))
        if day >= self.warm_up:
            self.complaints_after_warm_up += side.today["complaints"]
        # Credit recovery to contacts once their window has passed (fraction of the balance owed then).
        self.pending_conv = self._settle(day, side, self.pending_conv, CONVERSATION_WINDOW_DAYS, "conv")
        self.pending_sms = self._settle(day, side, self.pending_sms, SMS_WINDOW_DAYS, "sms")
        # Self-cure: what uncontacted open cases (nothing in 7 days) paid today, as a share of their balance.
        if day < self.warm_up or day % 7 == 0:
            quiet = (side.attempts_7d() == 0) & (side.owed + self.paid_today(side) > 0)
            paid = self.paid_today(side)
            share = paid / np.maximum(side.owed + paid, 1)
            for c in np.unique(cells[quiet]):
                m = quiet & (cells == c)
                self._learn("cure", int(c), float(m.sum()), float(share[m].sum()))
        self.paid_before = side.paid_total.copy()

    def paid_today(self, side: Side) -> np.ndarray:
        before = getattr(self, "paid_before", None)
        return side.paid_total - (before if before is not None else 0)

    def _settle(self, day: int, side: Side, pending: list, window: int, kind: str) -> list:
        keep = []
        for rec in pending:
            d, i, c, paid_then = rec
            if day - d < window:
                keep.append(rec)
                continue
            got = int(side.paid_total[i]) - paid_then
            owed_then = got + int(side.owed[i])
            if owed_then > 0:
                self._learn(kind, c, 1, got / owed_then)
        return keep

    # -- planning ------------------------------------------------------------------------------------------------
    def plan(self, day: int, side: Side, eod: dict, capacity: int) -> Plan:
        n = side.book.n
        score = np.zeros(n, np.int64)
        score[eod["idx"]] = eod["score"]
        channel = np.full(n, "none", dtype=object)
        channel[eod["idx"]] = eod["channel"]
        priority = np.zeros(n, np.int64)
        priority[eod["idx"]] = eod["priority"]
        cells = self.today_cells = self._cells(side, day, score)
        if self.last_conv is None:
            self.last_conv = np.full(n, -10_000, np.int64)
        open_ = side.open() & ~side.held(day) & (channel != "none")
        pending = np.zeros(n, bool)
        for i, p in side.promises.items():
            pending[i] = p.state == "pending"
        open_ &= ~pending
        if day < self.warm_up:
            return self._explore(day, side, open_, priority, capacity)
        return self._exploit(day, side, open_, cells, capacity)

    def _explore(self, day: int, side: Side, open_: np.ndarray, priority: np.ndarray, capacity: int) -> Plan:
        idx = np.flatnonzero(open_)
        order = idx[np.lexsort((-side.owed[idx], side.book.dpd0[idx]))]
        called = order[:capacity]
        hours = SHIFT_HOURS
        calls = [(int(i), hours[(k + day) % len(hours)]) for k, i in enumerate(called)]
        rest = order[capacity:]
        due = rest[day - side.last_sms[rest] >= SMS_INTERVAL_DAYS]
        return Plan(calls=calls, messages=[(int(i), "sms") for i in due], offer_plan=True)

    def _exploit(self, day: int, side: Side, open_: np.ndarray, cells: np.ndarray, capacity: int) -> Plan:
        costs = side.costs
        idx = np.flatnonzero(open_)
        uc = np.unique(cells[idx])
        cure = {int(c): self._pooled("cure", int(c), 0.0) for c in uc}
        ans = {int(c): self._pooled("ans", int(c), 0.3) for c in uc}
        conv_v = {int(c): max(0.0, self._pooled("conv", int(c), 0.0) - CONVERSATION_WINDOW_DAYS * cure[int(c)])
                  for c in uc}
        sms_v = {int(c): max(0.0, self._pooled("sms", int(c), 0.0, prior=50.0) - SMS_WINDOW_DAYS * cure[int(c)])
                 for c in uc}
        owed = side.owed[idx].astype(float)
        ci = cells[idx]
        p_cell = np.array([ans[int(c)] for c in ci])
        p_person = (side.answered_n[idx] + PRIOR * p_cell) / (side.calls_n[idx] + PRIOR)
        # The best hour's lift over the cell's average answer rate (learned per product group and hour).
        lift = np.ones(len(idx))
        best_hour = {}
        for g in np.unique(ci // 24):
            rates = {h: self._rate(("ans_h", int(g), h), 0.0) for h in SHIFT_HOURS}
            mean = sum(rates.values()) / len(rates) or 1.0
            best_hour[int(g)] = rates
            lift[ci // 24 == g] = max(rates.values()) / mean if mean > 0 else 1.0
        fatigue = 1.0 / (1.0 + side.attempts_7d()[idx])
        p_answer = np.clip(p_person * lift * fatigue, 0, 1)
        v_conv = np.array([conv_v[int(c)] for c in ci]) * owed
        call_cost = costs["call_attempt"] + p_answer * costs["call_minute"] * 3
        complaint_of = {int(c): self._pooled("complaint", int(c), 0.01, prior=200.0)
                        for c in set(uc.tolist()) | set(self.warm_conversations)}
        complaint = np.array([complaint_of[int(c)] for c in ci])
        ev_call = p_answer * v_conv - call_cost
        ev_call[day - self.last_conv[idx] <= COOL_DOWN_DAYS] = -1.0
        v_sms = np.array([sms_v[int(c)] for c in ci]) * owed
        ev_sms = v_sms * fatigue - costs["sms"]
        # Most net per expected complaint first, within capacity and the day's complaint budget.
        risk = p_answer * complaint
        daily = COMPLAINT_BUDGET_SHARE * sum(k * complaint_of[c] for c, k in self.warm_conversations.items()) \
            / max(1, self.warm_up)
        # The budget holds on what really happened: complaints beyond it so far are taken from today's.
        budget = min(2 * daily, daily * (day - self.warm_up + 1) - self.complaints_after_warm_up)
        order = np.argsort(-(ev_call / np.maximum(risk, 1e-9)), kind="stable")
        order = order[ev_call[order] > 0][:capacity]
        order = order[np.cumsum(risk[order]) <= budget]
        slots = hour_slots(capacity)
        calls = []
        for k in order:
            i = int(idx[k])
            rates = best_hour[int(ci[k] // 24)]
            free = [h for h in SHIFT_HOURS if slots[h] > 0]
            if not free:
                break
            h = max(free, key=lambda x: (rates[x], -x))
            slots[h] -= 1
            calls.append((i, h))
        called = np.zeros(len(idx), bool)
        called[order] = True
        text = (~called) & (ev_sms > 0) & (day - side.last_sms[idx] >= SMS_INTERVAL_DAYS)
        return Plan(calls=calls, messages=[(int(i), "sms") for i in idx[text]], offer_plan=True)


STRATEGIES = {"default": Default, "bucket": Bucket}
