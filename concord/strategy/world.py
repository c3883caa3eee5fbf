"""The simulated book: debtors drawn from a population, their behaviour, and every contact through the compliance
gate. Pure: no Django.

Both sides of a comparison get the same debtors (drawn from ``seed``) and the same random numbers per debtor and
day (``draws(day)``): debtor i on day d answers, pays, promises, keeps and complains by the same uniforms whichever
strategy contacts them, so the comparison is paired. Money is integer fen.

Every contact is a request to ``concord.compliance.gate.evaluate`` with the pack of the population and the person's
contact history (a ``History`` per person that the simulator keeps as production's ledger would); a denied request
is not made and counts in ``gate_denials``.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np

from concord.arrangements.calculator import first_missed, split
from concord.compliance.gate import evaluate
from concord.compliance.history import History
from concord.compliance.model import ContactEvent, Request, StateEvent, number_key, to_us
from concord.compliance.packs import load_pack
from concord.workbench.policy import promise_max_days, promise_status

from .population import Population

#: Minutes a conversation lasts (billed per call_minute); an unanswered attempt costs call_attempt only.
CONVERSATION_MINUTES = 3
#: Collectors' working hours (local): calls are placed from 09:00 to 20:59, capacity spread evenly over them.
SHIFT_HOURS = tuple(range(9, 21))
#: Messages (SMS, letters) go out at 10:00 local; visits at 15:00 with two agents.
MESSAGE_HOUR, VISIT_HOUR, VISIT_AGENTS = 10, 15, 2
#: A promise is dated this many days ahead (capped by the product's longest promise, workbench.policy).
PROMISE_DAYS = 7
PROMISE_GRACE_DAYS = 1
#: An instalment plan: this many monthly instalments, the first a week after the agreement; grace days per
#: instalment as the arrangement check reads them.
PLAN_MONTHS, PLAN_FIRST_DAYS, PLAN_GRACE_DAYS = 3, 7, 3
#: A complaint holds collection this many days (the complaint hold and its release are state events in the
#: gate's history).
COMPLAINT_HOLD_DAYS = 30
#: Columns of the per-day draws.
U_SELF_CURE, U_ANSWER, U_PAY, U_PROMISE, U_COMPLAINT, U_EXTRA, U_MESSAGE, U_KEEP = range(8)
DRAWS = 8
#: The fact tables of the daily history the simulator fills (concord.reports.store.FACT_TABLES).
JOURNAL = ("payments", "contacts", "decisions", "promises", "arrangements", "complaints")
METRICS = ("recovered_fen", "cost_fen", "attempts", "conversations", "promises", "kept", "partial", "broken",
           "plans", "complaints", "gate_denials")


def lognormal_params(median: float, p90: float) -> tuple[float, float]:
    sigma = math.log(p90 / median) / 1.2815515655446004 if p90 > median else 0.0
    return math.log(median), sigma


@dataclass
class Book:
    """The debtors, identical for both sides: segment, product, balance, DPD at the start, hidden traits."""
    population: Population
    seed: int
    segment: np.ndarray
    product: np.ndarray          # object: online_loan / credit_card
    balance_fen: np.ndarray
    dpd0: np.ndarray
    reachable: np.ndarray
    needs_plan: np.ndarray
    answer: np.ndarray           # (segments, 24)
    params: dict[str, np.ndarray] = field(default_factory=dict)  # per-account behaviour values

    @property
    def n(self) -> int:
        return len(self.balance_fen)

    def draws(self, day: int) -> np.ndarray:
        """The uniforms of every debtor on simulated day ``day``: the same for every strategy."""
        return np.random.default_rng([self.seed, 1, day]).random((self.n, DRAWS))


def make_book(pop: Population, seed: int) -> Book:
    rng = np.random.default_rng([seed, 0])
    n = pop.accounts
    shares = np.array([s.share for s in pop.segments])
    counts = np.floor(shares * n).astype(np.int64)
    counts[np.argsort(-(shares * n - counts), kind="stable")[: n - counts.sum()]] += 1
    segment = rng.permutation(np.repeat(np.arange(len(shares)), counts))
    bal = np.empty(n, np.int64)
    dpd = np.empty(n, np.int64)
    for k, s in enumerate(pop.segments):
        m = segment == k
        mu, sigma = lognormal_params(s.balance_median_yuan, s.balance_p90_yuan)
        yuan = np.exp(rng.normal(mu, sigma, m.sum()))
        bal[m] = np.clip(np.round(yuan * 100), 100, 10**9).astype(np.int64)
        dpd[m] = rng.integers(s.dpd_min, s.dpd_max + 1, m.sum())
    params = {}
    for name in ("reachable", "self_cure_daily", "pay_after_conversation", "promise_after_conversation",
                 "promise_kept", "pay_after_sms", "pay_after_letter", "pay_after_visit", "needs_plan",
                 "plan_kept_monthly", "partial_share", "complaint_per_conversation",
                 "complaint_per_extra_attempt_today", "fatigue"):
        params[name] = np.array([getattr(s, name) for s in pop.segments])[segment]
    traits = rng.random((n, 2))
    return Book(population=pop, seed=seed, segment=segment,
                product=np.array([s.product for s in pop.segments], dtype=object)[segment],
                balance_fen=bal, dpd0=dpd, reachable=traits[:, 0] < params["reachable"],
                needs_plan=traits[:, 1] < params["needs_plan"],
                answer=np.array([s.answer_by_hour for s in pop.segments]), params=params)


@dataclass
class Promise:
    amount: int
    made: int            # day index
    due: int
    pays: int            # what the debtor will pay by the due day (decided by the day's draws)
    paid: int = 0
    state: str = "pending"
    id: int = 0


class Side:
    """One strategy's run over the book: balances, promises, plans, holds, the gate histories and the counters."""

    def __init__(self, book: Book, name: str):
        pop = book.population
        self.book, self.name, n = book, name, book.n
        self.pack = load_pack(pop.pack)
        self.tz = ZoneInfo(self.pack.default_timezone or "Asia/Shanghai")
        self.costs = pop.costs_fen
        self.owed = book.balance_fen.copy()
        self.paid_total = np.zeros(n, np.int64)
        self.kept_n = np.zeros(n, np.int64)
        self.broken_n = np.zeros(n, np.int64)
        self.attempts_by_day: list[np.ndarray] = []
        self.conv_by_day: list[np.ndarray] = []
        self.today_attempts = np.zeros(n, np.int64)
        self.today_conv = np.zeros(n, np.int64)
        self.last_sms = np.full(n, -10_000, np.int64)
        self.calls_n = np.zeros(n, np.int64)
        self.answered_n = np.zeros(n, np.int64)
        self.complaint_until = np.full(n, -1, np.int64)
        self.promises: dict[int, Promise] = {}
        self.plans: dict[int, list] = {}    # i -> [rows (due day, amount fen, paid fen)]
        self.histories: dict[int, History] = {}
        self.prev7 = np.zeros(n, np.int64)
        self.totals = dict.fromkeys(METRICS, 0)
        self.today = dict.fromkeys(METRICS, 0)
        self.log: list[tuple] = []          # made contacts (i, channel, at) for the re-check
        self.events: list[tuple] = []       # (i, ContactEvent | StateEvent) in the order added
        self.max_promise_days = {k: promise_max_days([k]) for k in ("online_loan", "credit_card")}
        #: the day's facts in the daily history's terms (``concord.strategy.history`` writes and empties it)
        self.journal: dict[str, list] = {k: [] for k in JOURNAL}
        self.next_promise_id = 1

    def morning(self) -> None:
        """Start a day: the attempts of the previous seven days, read by the fatigue rule."""
        self.prev7 = np.zeros(self.book.n, np.int64)
        for a in self.attempts_by_day[-7:]:
            self.prev7 += a

    # -- what strategies may read -------------------------------------------------------------------------------
    def open(self) -> np.ndarray:
        return self.owed > 0

    def held(self, day: int) -> np.ndarray:
        plan = np.zeros(self.book.n, bool)
        if self.plans:
            plan[list(self.plans)] = True
        return (self.complaint_until > day) | plan

    def attempts_7d(self) -> np.ndarray:
        return self.prev7 + self.today_attempts

    def conversations_30d(self) -> np.ndarray:
        total = np.zeros(self.book.n, np.int64)
        for a in self.conv_by_day[-30:]:
            total += a
        return total

    def promise_state(self) -> np.ndarray:
        out = np.full(self.book.n, "none", dtype=object)
        for i, p in self.promises.items():
            out[i] = p.state
        return out

    # -- the clock ------------------------------------------------------------------------------------------------
    def date(self, day: int) -> dt.date:
        return self.book.population.start + dt.timedelta(days=day)

    def instant(self, day: int, hour: int, minute: int, second: int) -> dt.datetime:
        return dt.datetime.combine(self.date(day), dt.time(hour, minute, second), tzinfo=self.tz)

    def history(self, i: int) -> History:
        h = self.histories.get(i)
        if h is None:
            h = self.histories[i] = History(f"p{i}", self.tz)
        return h

    # -- money ----------------------------------------------------------------------------------------------------
    def pay(self, i: int, amount: int) -> int:
        amount = int(min(amount, self.owed[i]))
        if amount <= 0:
            return 0
        self.owed[i] -= amount
        self.paid_total[i] += amount
        self.today["recovered_fen"] += amount
        self.journal["payments"].append((i, amount))
        p = self.promises.get(i)
        if p is not None and p.state == "pending":
            p.paid += amount
        return amount

    def _cost(self, fen: int) -> None:
        self.today["cost_fen"] += fen

    def _state(self, i: int, at: dt.datetime, event: str, kind: str) -> None:
        ev = StateEvent(at=at, us=to_us(at), event=event, party=f"p{i}", kind=kind)
        self.history(i).add(ev)
        self.events.append((i, ev))

    def _complaint(self, i: int, day: int, at: dt.datetime) -> None:
        self.today["complaints"] += 1
        self.journal["complaints"].append(i)
        self.complaint_until[i] = day + COMPLAINT_HOLD_DAYS
        self._state(i, at + dt.timedelta(seconds=1), "hold", "complaint")
        self._state(i, self.instant(day + COMPLAINT_HOLD_DAYS, 0, 0, 0), "hold_released", "complaint")

    # -- contacts -------------------------------------------------------------------------------------------------
    def contact(self, i: int, channel: str, day: int, at: dt.datetime, u: np.ndarray, *, offer_plan: bool) -> str:
        """Ask the gate; when allowed, make the contact and play its outcome. Returns the outcome or "denied"."""
        party, number = f"p{i}", (f"1380000{i:04d}" if channel == "call" else None)
        req = Request(channel=channel, debts=(f"a{i}",), party=party, purpose="collection", number=number,
                      agents=VISIT_AGENTS if channel == "visit" else None)
        hist = self.history(i)
        decision = evaluate(req, at, hist, self.pack)
        self.journal["decisions"].append((i, channel, decision.allowed,
                                          ",".join(decision.rules)))
        if not decision.allowed:
            self.today["gate_denials"] += 1
            return "denied"
        b, p = self.book, self.book.params
        fat = (1.0 - p["fatigue"][i]) ** int(self.prev7[i] + self.today_attempts[i]) if channel != "visit" else 1.0
        extra = self.today_attempts[i] > 0
        self.today_attempts[i] += 1
        self.today["attempts"] += 1
        pays = False
        if channel == "call":
            self.calls_n[i] += 1
            answered = b.reachable[i] and u[U_ANSWER] < b.answer[b.segment[i], at.hour] * fat
            outcome = "conversation" if answered else "no_answer"
            self._cost(self.costs["call_attempt"] + (self.costs["call_minute"] * CONVERSATION_MINUTES
                                                     if answered else 0))
        elif channel == "sms":
            outcome = "delivered" if b.reachable[i] else "failed"
            self._cost(self.costs["sms"])
            self.last_sms[i] = day
            pays = b.reachable[i] and u[U_MESSAGE] < p["pay_after_sms"][i] * fat
        elif channel == "letter":
            outcome = "delivered"
            self._cost(self.costs["letter"])
            pays = u[U_MESSAGE] < p["pay_after_letter"][i] * fat
        else:  # visit
            outcome = "conversation"
            self._cost(self.costs["visit"])
            pays = u[U_MESSAGE] < p["pay_after_visit"][i]
        ev = ContactEvent(at=at, us=to_us(at), channel=channel, direction="outbound", party=party,
                          debts=(f"a{i}",), number=number, outcome=outcome, purpose="collection",
                          key=number_key(number))
        hist.add(ev)
        self.events.append((i, ev))
        self.log.append((i, channel, at))
        self.journal["contacts"].append((i, channel, outcome, at.hour, at.isoweekday()))
        complained = False
        if outcome == "conversation" and channel == "call":
            self.answered_n[i] += 1
            self.today_conv[i] += 1
            self.today["conversations"] += 1
            if u[U_COMPLAINT] < p["complaint_per_conversation"][i]:
                complained = True
            else:
                self._conversation(i, day, at, u, fat, offer_plan=offer_plan)
        if extra and not complained and u[U_EXTRA] < p["complaint_per_extra_attempt_today"][i]:
            complained = True
        if complained:
            self._complaint(i, day, at)
        elif pays:
            self.pay(i, self.owed[i] // 2 if b.needs_plan[i] else self.owed[i])
        return outcome

    def _conversation(self, i: int, day: int, at: dt.datetime, u: np.ndarray, fat: float, *,
                      offer_plan: bool) -> None:
        b, p = self.book, self.book.params
        if i in self.plans or (i in self.promises and self.promises[i].state == "pending"):
            return
        if b.needs_plan[i]:
            if u[U_PROMISE] >= p["promise_after_conversation"][i]:
                return
            if offer_plan:
                self._plan(i, day, at)
                return
            # Without a plan the debtor can only promise what they cannot fully pay: at most a part.
            pays = int(self.owed[i] // 2) if u[U_KEEP] < p["promise_kept"][i] else 0
            self._promise(i, day, pays)
        elif u[U_PAY] < p["pay_after_conversation"][i] * fat:
            self.pay(i, self.owed[i])
        elif u[U_PROMISE] < p["promise_after_conversation"][i]:
            keep = p["promise_kept"][i]
            if u[U_KEEP] < keep:
                pays = int(self.owed[i])
            elif u[U_KEEP] < keep + (1 - keep) * p["partial_share"][i]:
                pays = int(self.owed[i] // 2)
            else:
                pays = 0
            self._promise(i, day, pays)

    def _promise(self, i: int, day: int, pays: int) -> None:
        days = min(PROMISE_DAYS, self.max_promise_days[self.book.product[i]])
        self.promises[i] = Promise(amount=int(self.owed[i]), made=day, due=day + days, pays=pays,
                                   id=self.next_promise_id)
        self.next_promise_id += 1
        self.today["promises"] += 1
        self.journal["promises"].append((i, self.promises[i], "made"))

    def _plan(self, i: int, day: int, at: dt.datetime) -> None:
        rows = split(Decimal(int(self.owed[i])) / 100, PLAN_MONTHS, self.date(day + PLAN_FIRST_DAYS))
        self.plans[i] = [[(r.due_date - self.book.population.start).days, int(r.amount * 100), 0] for r in rows]
        self.today["plans"] += 1
        self.journal["arrangements"].append((i, "made", int(self.owed[i])))
        self._state(i, at + dt.timedelta(seconds=2), "hold", "arrangement")

    # -- the evening: payments that fall due, self-cure, promise and plan states --------------------------------
    def evening(self, day: int, u: np.ndarray) -> None:
        p = self.book.params
        for i, pr in list(self.promises.items()):
            if pr.state != "pending":
                continue
            if day == pr.due and pr.pays > 0:
                self.pay(i, pr.pays)
            status = promise_status(pr.amount, pr.paid, self.date(pr.due), PROMISE_GRACE_DAYS, self.date(day))
            if status != "pending":
                pr.state = status
                key = {"kept": "kept", "partial": "partial", "broken": "broken"}[status]
                self.today[key] += 1
                self.journal["promises"].append((i, pr, status))
                if status == "kept":
                    self.kept_n[i] += 1
                else:
                    self.broken_n[i] += 1
        for i, rows in list(self.plans.items()):
            for row in rows:
                if row[0] == day and row[2] < row[1] and u[i, U_KEEP] < p["plan_kept_monthly"][i]:
                    row[2] += self.pay(i, row[1])
            if self.owed[i] <= 0:
                del self.plans[i]
                self.journal["arrangements"].append((i, "completed", 0))
                continue
            missed = first_missed([(self.date(r[0]), r[1], r[2]) for r in rows], self.date(day), PLAN_GRACE_DAYS)
            if missed is not None:
                del self.plans[i]
                self.journal["arrangements"].append((i, "broken", int(self.owed[i])))
                self.broken_n[i] += 1
                self._state(i, self.instant(day, 23, 0, 0), "hold_released", "arrangement")
        free = self.owed > 0
        pending = np.array([pr.state == "pending" for pr in self.promises.values()], bool)
        if len(pending):
            keys = np.fromiter(self.promises.keys(), np.int64, len(self.promises))
            free[keys[pending]] = False
        if self.plans:
            free[list(self.plans)] = False
        cure = free & (u[:, U_SELF_CURE] < p["self_cure_daily"])
        for i in np.flatnonzero(cure):
            self.pay(int(i), self.owed[i] // 2 if self.book.needs_plan[i] else self.owed[i])
        self.attempts_by_day.append(self.today_attempts)
        self.conv_by_day.append(self.today_conv)
        self.attempts_by_day = self.attempts_by_day[-30:]
        self.conv_by_day = self.conv_by_day[-30:]
        self.today_attempts = np.zeros(self.book.n, np.int64)
        self.today_conv = np.zeros(self.book.n, np.int64)
        for k, v in self.today.items():
            self.totals[k] += v

    def close_day(self) -> dict:
        out = dict(self.today)
        out["net_fen"] = out["recovered_fen"] - out["cost_fen"]
        self.today = dict.fromkeys(METRICS, 0)
        return out

    def summary(self) -> dict:
        t = dict(self.totals)
        t["net_fen"] = t["recovered_fen"] - t["cost_fen"]
        return t
