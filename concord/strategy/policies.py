"""The strategies the simulator compares. Pure: no Django.

A strategy is asked once a day, after the end-of-day scoring, for its plan: the calls to make (case, local hour),
the messages to send (case, channel) and whether collectors may offer an instalment plan. It reads only what
production would know — balances, DPD, the end-of-day score and rule, promise and plan states, holds, its own
contacts and their outcomes, the payments received — never a debtor's hidden behaviour. Every contact it plans
still goes through the gate.

* ``bucket`` — the plain baseline: call every open, not held case in DPD order (lowest first, larger balance
  first at equal DPD) up to capacity, calls spread evenly over the shift's hours; SMS every other open, not
  held case once a week; no plans offered.
* ``none`` — no contact at all: what the book pays on its own, the reference that shows what the other
  strategies' contacts bring.
* ``default`` — Concord's default strategy (see docs/strategy.md): a warm-up of 30 days that calls as the shipped
  strategy table queues (a quarter of the calls in the baseline's order) with the hours rotated, and learns per
  cell (product, bucket, score band; shrunk to the product group and the book) the answer rate by hour, the recovery a conversation and an SMS buy over what the cell pays on its own, and
  the complaint rate (and, from a few letters and visits, their response); once the history it wrote knows the
  30-day outcomes it trains the scoring app's paid-within-30-days and self-cure scorecards (``learned``) whose
  scores refine the cells' rates case by case; then each day the next-best-action (``nba.choose``) picks per case
  the call hour, SMS, letter, visit or no contact worth most after its cost, calls ranked by expected net per
  expected complaint within capacity and a complaint budget (from day 1, 70 % of the complaints a shadow of the
  baseline's calling — today's open cases in DPD order, each with the attempts the baseline would have made — is
  expected to bring, held on the complaints that really happened; the warm-up's calls in DPD order stop there
  too), answer rates lowered by
  the fatigue learned from repeated attempts, under the pack's per-person caps and no more contacts than
  baseline-like contacting would have made so far; it leaves promises and plans to run and offers plans to those
  who cannot pay at once. What a case pays on its own (self-cure) is learned only on cases with no contact and no
  promise or plan running.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from . import learned, nba
from .world import CONVERSATION_MINUTES, SHIFT_HOURS, Side

WARM_UP_DAYS = 30
SMS_INTERVAL_DAYS = 7
CONVERSATION_WINDOW_DAYS = 14      # recovery within this many days of a conversation is credited to it
SMS_WINDOW_DAYS = 3
SCORE_BANDS = (450, 550)           # score bands: < 450, 450–549, ≥ 550
PRIOR = 4.0                        # weight of the cell's rate when estimating one person's answer rate
COOL_DOWN_DAYS = 7                 # no call within this many days after a conversation
#: From day 1 the strategy may bring no more complaints than this share of those the baseline's kind of calling
#: would bring on the same book (the shadow, see ``Default.shadow_day``): a bound relative to the book, not per book.
COMPLAINT_BUDGET_SHARE = 0.7
#: Answer rates are learned by the attempts a case had in the 7 days before (0, 1, … FATIGUE_LEVELS − 1 or more): up
#: to a call every day, where the baseline's calling settles on the cases it keeps calling.
FATIGUE_LEVELS = 8
#: The warm-up's last days, when calling in DPD order has reached its steady state: after the warm-up the shadow
#: of the baseline's calling is never taken above its mean over these days.
STEADY_DAYS = 7
#: Complaints really made against those the learned rates expect of the calls made: the ratio that corrects the
#: rates' bias, shrunk to 1 with this many complaints' weight.
BIAS_PRIOR = 2.0
#: Letters and visits: recovery within this many days is credited to them; at most one per case in this many days.
LETTER_WINDOW_DAYS, LETTER_INTERVAL_DAYS = 7, 30
VISIT_WINDOW_DAYS, VISIT_INTERVAL_DAYS = 14, 30
#: Field teams: one visit a day per this many calls of the collectors' capacity.
VISIT_CALL_RATIO = 100
#: The warm-up tries letters and visits on a few cases so that their response is learned: on these days, a letter to
#: one in EXPLORE_LETTER_EVERY of the cases not called and a visit to the EXPLORE_VISITS largest of them.
EXPLORE_DAYS, EXPLORE_LETTER_EVERY, EXPLORE_VISITS = (10, 20), 50, 10
#: The share of the warm-up's calls made in the baseline's order (the rest in the shipped strategy table's): the
#: complaint budget's shadow calls those cases, and their rates must be learned.
BASELINE_ORDER_SHARE = 0.25
#: Cells: product (2) × bucket (8) × score band (3).
CELLS = 2 * 8 * (len(SCORE_BANDS) + 1)


@dataclass
class Plan:
    calls: list[tuple[int, int]] = field(default_factory=list)      # (case index, local hour)
    messages: list[tuple[int, str]] = field(default_factory=list)   # (case index, channel)
    offer_plan: bool = False
    #: the cases whose conversations may be offered a plan (None: every case when ``offer_plan``)
    offers: frozenset[int] | None = None


def hour_slots(capacity: int) -> dict[int, int]:
    """Calls each shift hour can take: the capacity spread evenly, the remainder to the first hours."""
    base, extra = divmod(capacity, len(SHIFT_HOURS))
    return {h: base + (1 if k < extra else 0) for k, h in enumerate(SHIFT_HOURS)}


def dpd_order(side: Side, idx: np.ndarray) -> np.ndarray:
    """The cases ``idx`` in the baseline's calling order: the lowest DPD first, the larger balance first at equal DPD
    (every case's DPD grows by a day each day, so the order of the starting DPD is the day's)."""
    return idx[np.lexsort((-side.owed[idx], side.book.dpd0[idx]))]


class Bucket:
    name = "bucket"

    def plan(self, day: int, side: Side, eod: dict, capacity: int) -> Plan:
        open_ = side.open() & ~side.held(day)
        order = dpd_order(side, np.flatnonzero(open_))
        called = order[:capacity]
        hours = SHIFT_HOURS
        calls = [(int(i), hours[k % len(hours)]) for k, i in enumerate(called)]
        rest = order[capacity:]
        due = rest[day - side.last_sms[rest] >= SMS_INTERVAL_DAYS]
        return Plan(calls=calls, messages=[(int(i), "sms") for i in due], offer_plan=False)

    def observe(self, day: int, side: Side, outcomes: list) -> None:
        pass


class NoContact:
    """The reference of no contact at all: what the book pays on its own. The difference between another strategy's
    recovery and this one's is what that strategy's contacts bring."""
    name = "none"

    def plan(self, day: int, side: Side, eod: dict, capacity: int) -> Plan:
        return Plan()

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
        self.complaints = 0                 # complaints so far
        #: the shadow of the baseline's calling: per day, its calls as (cell × FATIGUE_LEVELS + attempts level) counts
        self.shadow_calls: list[tuple[np.ndarray, np.ndarray]] = []
        self.shadow_attempts: list[np.ndarray] = []     # the shadow's attempts per case, its last 7 days
        self.shadow_last_sms = None
        #: the calls this strategy made, counted the same way (one entry a day)
        self.own_calls: list[tuple[np.ndarray, np.ndarray]] = []
        self.budgets: list[tuple] = []      # each day: (complaint budget, the shadow's expected complaints that day)
        self.attempt_allowance = 0.0        # the contacts baseline-like contacting would have made so far
        self.attempts_made = 0              # the contacts made so far
        self.pending_letter: list[tuple[int, int, int, int]] = []
        self.pending_visit: list[tuple[int, int, int, int]] = []
        self.last_letter = self.last_visit = None
        self.models: dict = {}
        self.trained_on_day: int | None = None
        self.bound = None                   # the cases bound by a promise or a plan at the day's plan
        self.paid_before = None             # what each case had paid before the day

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
        called = []
        for i, channel, hour, outcome in outcomes:
            if outcome == "denied":
                continue
            c = int(cells[i])
            if channel == "call":
                answered = outcome == "conversation"
                level = min(int(side.prev7[i]), FATIGUE_LEVELS - 1)
                called.append(c * FATIGUE_LEVELS + level)
                self._acc(("ans_h", c // 24, hour), 1, answered)
                self._acc(("ans_f", c // 24, level), 1, answered)
                self._learn("ans", c, 1, answered)
                self._acc(("ans_cl", c, level), 1, answered)
                if answered:
                    self._learn("complaint", c, 1, side.complaint_until[i] > day + 1)
                    self.last_conv[i] = day
                    self.pending_conv.append((day, i, c, int(side.paid_total[i])))
            elif channel == "sms":
                self.pending_sms.append((day, i, c, int(side.paid_total[i])))
            elif channel == "letter":
                self.last_letter[i] = day
                self.pending_letter.append((day, i, c, int(side.paid_total[i])))
            elif channel == "visit":
                self.last_visit[i] = day
                self.pending_visit.append((day, i, c, int(side.paid_total[i])))
        self.own_calls.append(np.unique(np.array(called, np.int64), return_counts=True))
        self.complaints += side.today["complaints"]
        self.attempts_made += side.today["attempts"]
        # Credit recovery to contacts once their window has passed (fraction of the balance owed then).
        self.pending_conv = self._settle(day, side, self.pending_conv, CONVERSATION_WINDOW_DAYS, "conv")
        self.pending_sms = self._settle(day, side, self.pending_sms, SMS_WINDOW_DAYS, "sms")
        self.pending_letter = self._settle(day, side, self.pending_letter, LETTER_WINDOW_DAYS, "letter")
        self.pending_visit = self._settle(day, side, self.pending_visit, VISIT_WINDOW_DAYS, "visit")
        # Self-cure: what uncontacted open cases (nothing in the 7 days before nor today) paid today, as a share of
        # their balance — not the cases bound by a promise or a plan, whose payments are the promise's or the plan's.
        if day < self.warm_up or day % 7 == 0:
            quiet = self.quiet(side, day) & (side.owed + self.paid_today(side) > 0)
            paid = self.paid_today(side)
            share = paid / np.maximum(side.owed + paid, 1)
            for c in np.unique(cells[quiet]):
                m = quiet & (cells == c)
                self._learn("cure", int(c), float(m.sum()), float(share[m].sum()))
        self.paid_before = side.paid_total.copy()

    def quiet(self, side: Side, day: int) -> np.ndarray:
        """After the day: the cases that can only have paid on their own today — no contact today nor in the 7 days
        before, and no promise or plan running (at the day's plan, or made or still running now)."""
        today = side.attempts_by_day[-1] if side.attempts_by_day else np.zeros(side.book.n, np.int64)
        quiet = (side.prev7 + today) == 0
        bound = self.bound.copy() if self.bound is not None else np.zeros(side.book.n, bool)
        for i, p in side.promises.items():
            if p.state == "pending" or p.made == day:
                bound[i] = True
        if side.plans:
            bound[list(side.plans)] = True
        return quiet & ~bound

    def paid_today(self, side: Side) -> np.ndarray:
        return side.paid_total - (self.paid_before if self.paid_before is not None else 0)

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
        if self.last_letter is None:
            self.last_letter = np.full(n, -10_000, np.int64)
            self.last_visit = np.full(n, -10_000, np.int64)
        open_ = side.open() & ~side.held(day) & (channel != "none")
        pending = np.zeros(n, bool)
        for i, p in side.promises.items():
            pending[i] = p.state == "pending"
        open_ &= ~pending
        # bound by a promise or a plan at the day's start: what they pay is not self-cure (see ``quiet``)
        self.bound = pending.copy()
        if side.plans:
            self.bound[list(side.plans)] = True
        self.attempt_allowance += baseline_like_attempts(int((side.open() & ~side.held(day)).sum()), capacity)
        self.shadow_day(side, day, capacity, cells)
        expected = self._expected_table()
        budget = self._complaint_budget(day, expected)
        if day < self.warm_up:
            return self._explore(day, side, open_, priority, capacity, budget, expected)
        return self._exploit(day, side, open_, cells, capacity, budget, eod.get("columns"))

    def _explore(self, day: int, side: Side, open_: np.ndarray, priority: np.ndarray, capacity: int,
                 budget: float, expected: np.ndarray) -> Plan:
        idx = np.flatnonzero(open_)
        # BASELINE_ORDER_SHARE of the calls in the baseline's order (DPD, then the largest balance), so that the
        # cases the shadow calls are known; the rest as the shipped strategy table would queue them (by its
        # priority, then the largest balance); up to capacity, while the calls' expected complaints stay within
        # the day's budget. Like the baseline, it calls the cases it reaches day after day whether they answered or
        # not, so that the answer rate it learns at each number of attempts is that of every case called so often,
        # not only of those that never answer.
        by_dpd = dpd_order(side, idx)[:int(capacity * BASELINE_ORDER_SHARE)]
        others = np.setdiff1d(idx, by_dpd, assume_unique=True)
        order = np.concatenate([by_dpd, others[np.lexsort((others, -side.owed[others], -priority[others]))]])
        called = order[:capacity]
        level = np.minimum(side.attempts_7d()[called], FATIGUE_LEVELS - 1)
        risk = np.cumsum(expected[self.today_cells[called] * FATIGUE_LEVELS + level])
        called = called[:int(np.searchsorted(risk, max(budget, 0.0), side="right"))]
        hours = SHIFT_HOURS
        calls = [(int(i), hours[(k + day) % len(hours)]) for k, i in enumerate(called)]
        rest = order[len(called):]
        messages = []
        if day in EXPLORE_DAYS:
            # a few letters and visits, so that their response is learned (every n-th case not called; the
            # largest balances among those not called for visits)
            visits = rest[np.argsort(-side.owed[rest], kind="stable")[:EXPLORE_VISITS]]
            letters = np.setdiff1d(rest[::EXPLORE_LETTER_EVERY], visits)
            messages = [(int(i), "visit") for i in visits] + [(int(i), "letter") for i in letters]
            rest = np.setdiff1d(rest, np.concatenate([visits, letters]))
        due = rest[day - side.last_sms[rest] >= SMS_INTERVAL_DAYS]
        return Plan(calls=calls, messages=messages + [(int(i), "sms") for i in due], offer_plan=True)

    def _exploit(self, day: int, side: Side, open_: np.ndarray, cells: np.ndarray, capacity: int, budget: float,
                 columns: dict | None = None) -> Plan:
        costs = side.costs
        idx = np.flatnonzero(open_)
        uc = np.unique(cells[idx])
        cure = {int(c): self._pooled("cure", int(c), 0.0) for c in uc}
        fresh = self._fresh_answer()
        ans = {int(c): float(fresh[int(c)]) for c in uc}

        def share(kind: str, window: int, prior: float = 20.0) -> dict:
            return {int(c): max(0.0, self._pooled(kind, int(c), 0.0, prior=prior) - window * cure[int(c)])
                    for c in uc}

        conv_v = share("conv", CONVERSATION_WINDOW_DAYS)
        sms_v = share("sms", SMS_WINDOW_DAYS, prior=50.0)
        letter_v = share("letter", LETTER_WINDOW_DAYS, prior=50.0)
        visit_v = share("visit", VISIT_WINDOW_DAYS, prior=50.0)
        owed = side.owed[idx].astype(float)
        ci = cells[idx]
        p_cell = np.array([ans[int(c)] for c in ci])
        p_person = (side.answered_n[idx] + PRIOR * p_cell) / (side.calls_n[idx] + PRIOR)
        fatigue = self._fatigue(ci, side.attempts_7d()[idx])
        # The learned scorecards refine the cell's rates case by case: a conversation is worth more where a
        # payment within 30 days is likelier, and less where the case would pay on its own (self-cure).
        ranker = self._rankers(columns, idx, ci)
        v_conv = np.array([conv_v[int(c)] for c in ci]) * owed * ranker["paid"]
        v_conv = np.maximum(0.0, v_conv - CONVERSATION_WINDOW_DAYS * np.array([cure[int(c)] for c in ci]) * owed
                            * (ranker["cure"] - 1.0))
        # The answer rate by hour, learned per product group.
        n_h = len(SHIFT_HOURS)
        lift = np.ones((len(idx), n_h))
        for g in np.unique(ci // 24):
            rates = np.array([self._rate(("ans_h", int(g), h), 0.0) for h in SHIFT_HOURS])
            mean = rates.mean()
            if mean > 0:
                lift[ci // 24 == g] = rates / mean
        p_answer = np.clip((p_person * fatigue)[:, None] * lift, 0, 1)
        call_value = p_answer * v_conv[:, None]
        call_cost = costs["call_attempt"] + p_answer * costs["call_minute"] * CONVERSATION_MINUTES
        call_value[day - self.last_conv[idx] <= COOL_DOWN_DAYS] = -np.inf
        complaint_of = {int(c): self._pooled("complaint", int(c), 0.01, prior=200.0) for c in uc}
        complaint = np.array([complaint_of[int(c)] for c in ci])
        risk = p_answer.max(axis=1) * complaint
        cap = nba.daily_call_cap(side.pack)
        actions = nba.choose(
            hours=SHIFT_HOURS, call_value=call_value, call_cost=call_cost,
            message_value={"sms": np.array([sms_v[int(c)] for c in ci]) * owed * fatigue,
                           "letter": np.array([letter_v[int(c)] for c in ci]) * owed * fatigue,
                           "visit": np.array([visit_v[int(c)] for c in ci]) * owed},
            message_cost={ch: costs[ch] for ch in ("sms", "letter", "visit")},
            call_slots=hour_slots(capacity), visit_capacity=visit_capacity(capacity), risk=risk,
            risk_budget=max(budget, 0.0),
            person_cap=(cap if cap is not None else 1) - side.today_attempts[idx],
            eligible={"sms": day - side.last_sms[idx] >= SMS_INTERVAL_DAYS,
                      "letter": day - self.last_letter[idx] >= LETTER_INTERVAL_DAYS,
                      "visit": day - self.last_visit[idx] >= VISIT_INTERVAL_DAYS})
        # No more contacts than baseline-like contacting would have made so far: the least worth go first.
        actions = actions[:max(0, int(self.attempt_allowance - self.attempts_made))]
        calls = [(int(idx[k]), h) for k, ch, h in actions if ch == "call"]
        messages = [(int(idx[k]), ch) for k, ch, _h in actions if ch != "call"]
        return Plan(calls=calls, messages=messages, offer_plan=True)

    def _fatigue(self, ci: np.ndarray, attempts: np.ndarray) -> np.ndarray:
        """Per case, the answer rate after its attempts in the last 7 days relative to a case without any, as
        learned per product group (shrunk to no effect; never above 1 and never rising with more attempts)."""
        out = np.ones(len(ci))
        level = np.minimum(attempts, FATIGUE_LEVELS - 1)
        for g in np.unique(ci // 24):
            m = ci // 24 == g
            out[m] = self._level_factors(int(g))[level[m]]
        return out

    def _level_factors(self, g: int) -> np.ndarray:
        """Product group ``g``'s answer rate at each attempts level over its rate at none (see ``_fatigue``)."""
        base = self._rate(("ans_f", g, 0), self._rate(("ans", "group", g), 0.3))
        if base <= 0:
            return np.ones(FATIGUE_LEVELS)
        return np.minimum.accumulate(np.array(
            [1.0] + [min(1.0, self._rate(("ans_f", g, k), base) / base) for k in range(1, FATIGUE_LEVELS)]))

    def _fresh_answer(self) -> np.ndarray:
        """Per cell, the answer rate of a case without attempts in the 7 days before: the cell's answers over its
        calls each weighted by its attempts level's factor (a cell called mostly when tired would otherwise look
        like one that answers little), shrunk to its product group's and the book's in the same terms."""
        factors = [self._level_factors(g) for g in range(CELLS // 24)]
        calls, hits = np.zeros(CELLS), np.zeros(CELLS)
        for c in range(CELLS):
            for k in range(FATIGUE_LEVELS):
                st = self.stats.get(("ans_cl", c, k))
                if st:
                    calls[c] += st[0] * factors[c // 24][k]
                    hits[c] += st[1]
        prior = 20.0
        book = (hits.sum() + prior * 0.3) / (calls.sum() + prior)
        out = np.zeros(CELLS)
        for g in range(CELLS // 24):
            cells = slice(g * 24, (g + 1) * 24)
            group = (hits[cells].sum() + prior * book) / (calls[cells].sum() + prior)
            out[cells] = (hits[cells] + prior * group) / (calls[cells] + prior)
        return np.minimum(out, 1.0)

    def shadow_day(self, side: Side, day: int, capacity: int, cells: np.ndarray) -> None:
        """The shadow of the baseline's calling on today's book: today's open, not held cases in DPD order up to
        capacity, each counted with the attempts the shadow made to it in the 7 days before (its calls, and an SMS
        to each of the rest once a week) — the baseline calls the same cases day after day, and they answer less."""
        n = side.book.n
        if self.shadow_last_sms is None:
            self.shadow_last_sms = np.full(n, -10_000, np.int64)
        order = dpd_order(side, np.flatnonzero(side.open() & ~side.held(day)))
        called, rest = order[:capacity], order[capacity:]
        before = np.sum(self.shadow_attempts, axis=0) if self.shadow_attempts else np.zeros(n, np.int64)
        level = np.minimum(before[called], FATIGUE_LEVELS - 1)
        self.shadow_calls.append(np.unique(cells[called] * FATIGUE_LEVELS + level, return_counts=True))
        today = np.zeros(n, np.int64)
        sms = rest[day - self.shadow_last_sms[rest] >= SMS_INTERVAL_DAYS]
        today[called] = 1
        today[sms] = 1
        self.shadow_last_sms[sms] = day
        self.shadow_attempts = (self.shadow_attempts + [today])[-7:]

    def _expected_table(self) -> np.ndarray:
        """The complaints a call is expected to bring, by ``cell × FATIGUE_LEVELS + attempts level``: the cell's
        answer rate with no attempts before (``_fresh_answer``) times its product group's factor for the level,
        times the cell's complaint rate per conversation (all as learned so far)."""
        fresh = self._fresh_answer()
        factors = [self._level_factors(g) for g in range(CELLS // 24)]
        out = np.zeros((CELLS, FATIGUE_LEVELS))
        for c in range(CELLS):
            complaint = self._pooled("complaint", c, 0.01, prior=200.0)
            out[c] = np.minimum(1.0, fresh[c] * factors[c // 24]) * complaint
        return out.ravel()

    def _complaint_budget(self, day: int, e: np.ndarray) -> float:
        """Today's complaint budget, in the learned rates' terms. From day 1 the complaints really made may reach
        COMPLAINT_BUDGET_SHARE of those the shadow of the baseline's calling is expected to bring so far (after the
        warm-up, a day's at most its mean over the warm-up's last STEADY_DAYS). What is left, at most twice a day's
        share of the shadow, is the day's budget. The rates' bias (complaints really made over those the rates
        expect of the calls made) only tightens it: above 1 it divides the budget, below 1 it lowers the shadow.
        ``e``: the day's :meth:`_expected_table`."""
        shadow = np.array([float(e[keys] @ counts) for keys, counts in self.shadow_calls])
        if day >= self.warm_up and self.warm_up > 0:
            # follow the shadow down, never above its level at the warm-up's end: on a book the strategy works
            # better than the baseline, the cases left for DPD-order calling are fresher than the baseline's
            steady = shadow[max(0, self.warm_up - STEADY_DAYS):self.warm_up].mean()
            shadow[self.warm_up:] = np.minimum(shadow[self.warm_up:], steady)
        own = sum(float(e[keys] @ counts) for keys, counts in self.own_calls)
        bias = (self.complaints + BIAS_PRIOR) / (own + BIAS_PRIOR)
        share = COMPLAINT_BUDGET_SHARE
        today = float(shadow[-1])
        # The bias only ever tightens: complaints running ahead of the rates raise what each of this strategy's
        # calls is expected to bring (the cells it calls may be ones the baseline never reaches), and ones running
        # behind lower the shadow; neither raises the shadow.
        left = min(2 * share * today, share * float(shadow.sum()) * min(1.0, bias) - self.complaints)
        budget = left / max(1.0, bias)
        self.budgets.append((budget, today))
        return budget

    def _rankers(self, columns: dict | None, idx: np.ndarray, ci: np.ndarray) -> dict:
        """Per case, the learned probability relative to its cell's mean (1 without a model): ``paid`` from the
        paid-within-30-days scorecard (clipped to 0.5–2), ``cure`` from the self-cure scorecard (clipped to 0–3)."""
        out = {"paid": np.ones(len(idx)), "cure": np.ones(len(idx))}
        if not self.models or columns is None:
            return out
        pos = np.searchsorted(columns["idx"], idx)
        cols = {k: np.asarray(columns[k])[pos] for k in learned.features.SCORECARD_FEATURES}
        for key, target, lo, hi in (("paid", "paid_30d", 0.5, 2.0), ("cure", "self_cure_30d", 0.0, 3.0)):
            model = self.models.get(target)
            if not model or "error" in model:
                continue
            p = learned.probability(model, cols)
            mean = np.zeros(len(idx))
            for c in np.unique(ci):
                m = ci == c
                mean[m] = p[m].mean()
            out[key] = np.clip(p / np.maximum(mean, 1e-12), lo, hi)
        return out

    def learn_history(self, day: int, side: Side, store) -> None:
        """After the day is written to the history: once the 30-day outcomes of the warm-up's first two days are
        known, train the scoring app's scorecards on the warm-up's observation days."""
        start = side.book.population.start
        if self.models or not learned.ready(start, side.date(day)):
            return
        last_obs = min(side.date(day) - dt.timedelta(days=learned.features.HORIZON),
                       start + dt.timedelta(days=self.warm_up - 1))
        self.models = learned.train_models(store, start, last_obs, seed=side.book.seed)
        self.trained_on_day = day


def baseline_like_attempts(open_cases: int, capacity: int) -> float:
    """The contacts a day of baseline-like contacting on a book of this many open, not held cases: a call to as
    many as the capacity allows, an SMS to each of the rest once every SMS_INTERVAL_DAYS."""
    calls = min(open_cases, capacity)
    return calls + (open_cases - calls) / SMS_INTERVAL_DAYS


def visit_capacity(capacity: int) -> int:
    """Visits the field teams can make in a day: one per VISIT_CALL_RATIO calls of capacity."""
    return capacity // VISIT_CALL_RATIO


STRATEGIES = {"default": Default, "bucket": Bucket, "none": NoContact}
