"""Run a strategy and a baseline over the same synthetic book, day by day, and re-check every contact made against
the gate. Pure: no Django.

``simulate(population, strategy=…, baseline=…, days=…, collectors=…, calls_per_collector=…, seed=…)`` yields
one dict per simulated day and returns (as the generator's value, see ``run``) the summary
``{"strategy": {...}, "baseline": {...}}``.

Each simulated day, for each side: the end-of-day case stage scores the open cases and picks their rule
(``eodday.DailyEod``, the engine's own expressions); the strategy plans its calls and messages; the contacts are
made in time order, each a request to the gate (denied ones are not made); the evening books the payments that
fall due (promises, plan instalments), self-cures, and the promise and plan states by the workbench's and the
arrangements' rules.

A side is a coded strategy by name (``policies.STRATEGIES``, scored by the shipped strategy table) or a strategy tree
(``treepolicy.TreeSpec``: scored by the tree's own rows and planned by ``treepolicy.TreePolicy``).
"""
from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from concord.compliance.gate import evaluate
from concord.compliance.history import History
from concord.compliance.model import ContactEvent, Request
from concord.compliance.packs import load_pack

from . import learned
from .eodday import DailyEod
from .history import HistoryWriter, clear_journal
from .policies import STRATEGIES, hour_slots
from .population import Population
from .treepolicy import TreePolicy, TreeSpec
from .world import MESSAGE_HOUR, VISIT_AGENTS, VISIT_HOUR, Book, Side, make_book

SUMMARY_KEYS = ("recovered_fen", "cost_fen", "net_fen", "attempts", "conversations", "promises", "kept", "partial",
                "broken", "plans", "complaints", "gate_denials", "violations")


def _eod_columns(side: Side, day: int) -> dict[str, np.ndarray]:
    book = side.book
    idx = np.flatnonzero(side.open())
    held = side.held(day)
    state = side.promise_state()
    arrangement = np.zeros(book.n, bool)
    if side.plans:
        arrangement[list(side.plans)] = True
    return {
        "idx": idx, "max_dpd": book.dpd0[idx] + day, "total_balance_fen": side.owed[idx],
        "paid_90d_fen": side.paid_total[idx], "kept_promises": side.kept_n[idx],
        "broken_promises": side.broken_n[idx], "conversations_30d": side.conversations_30d()[idx],
        "product_kind": book.product[idx], "promise_state": state[idx], "held": held[idx],
        "arrangement": arrangement[idx],
    }


def _schedule(plan, capacity: int) -> list[tuple[tuple, int, str, int, int, int]]:
    """The day's contacts in time order: ((h, m, s), case, channel, hour, minute, second)."""
    out = []
    slots = hour_slots(capacity)
    used = defaultdict(int)
    for i, hour in plan.calls[:capacity]:
        k = used[hour]
        used[hour] += 1
        minute = min(59, k * 60 // max(1, slots.get(hour, 1) or 1))
        out.append(((hour, minute, 7), i, "call", hour, minute, 7))
    for i, channel in plan.messages:
        hour = VISIT_HOUR if channel == "visit" else MESSAGE_HOUR
        out.append(((hour, 0, 30), i, channel, hour, 0, 30))
    out.sort(key=lambda r: (r[0], r[1]))
    return out


def play_day(side: Side, policy, eod: DailyEod, day: int, capacity: int, u: np.ndarray,
             writer: HistoryWriter | None = None) -> dict:
    side.morning()
    columns = _eod_columns(side, day)
    result = eod.run(columns)
    result["columns"] = columns
    plan = policy.plan(day, side, result, capacity)
    outcomes = []
    for _key, i, channel, hour, minute, second in _schedule(plan, capacity):
        if side.owed[i] <= 0:
            continue
        at = side.instant(day, hour, minute, second)
        offer = plan.offer_plan if plan.offers is None else i in plan.offers
        outcome = side.contact(i, channel, day, at, u[i], offer_plan=offer)
        outcomes.append((i, channel, hour, outcome))
    side.evening(day, u)
    policy.observe(day, side, outcomes)
    if writer is not None:
        writer.write(side, day, result)
        learn = getattr(policy, "learn_history", None)
        if learn is not None:
            learn(day, side, writer.store)
    else:
        clear_journal(side)
    return side.close_day()


def recheck(side: Side) -> int:
    """Contacts made that the gate would have denied: each person's events replayed in time order into a fresh
    history, each contact evaluated against what came before it."""
    pack = load_pack(side.book.population.pack)
    by_person: dict[int, list] = defaultdict(list)
    for i, ev in side.events:
        by_person[i].append(ev)
    violations = 0
    for i, events in by_person.items():
        hist = History(f"p{i}", side.tz)
        for ev in sorted(events, key=lambda e: e.us):     # stable: the order they happened in at one instant
            if isinstance(ev, ContactEvent):
                req = Request(channel=ev.channel, debts=ev.debts, party=ev.party, purpose=ev.purpose,
                              number=ev.number, agents=VISIT_AGENTS if ev.channel == "visit" else None)
                if not evaluate(req, ev.at, hist, pack).allowed:
                    violations += 1
            hist.add(ev)
    return violations


def _policy(spec: str | TreeSpec, shipped: DailyEod) -> tuple[str, object, DailyEod]:
    """A side's name, policy and end-of-day stage: a coded strategy by name (scored by the shipped strategy table)
    or a tree (scored by its own rows)."""
    if isinstance(spec, TreeSpec):
        return spec.label, TreePolicy(spec.tree, spec.label), DailyEod(strategy=spec.strategy_table())
    if spec not in STRATEGIES:
        raise ValueError(f"unknown strategy {spec!r} (one of {', '.join(sorted(STRATEGIES))})")
    return spec, STRATEGIES[spec](), shipped


def simulate(population: Population, *, strategy: str | TreeSpec = "default", baseline: str | TreeSpec = "bucket",
             days: int = 90, collectors: int = 20, calls_per_collector: int = 80, seed: int = 7,
             book: Book | None = None, history: str | Path | None = None):
    """Generator of day lines; its return value is the summary. Each side's days are written to the daily history
    under ``history``/``strategy`` and ``history``/``baseline`` (a temporary directory, removed at the end, when
    ``history`` is None)."""
    if history is None:
        with tempfile.TemporaryDirectory(prefix="concord-sim-") as tmp:
            return (yield from simulate(population, strategy=strategy, baseline=baseline, days=days,
                                        collectors=collectors, calls_per_collector=calls_per_collector, seed=seed,
                                        book=book, history=tmp))
    book = book or make_book(population, seed)
    capacity = collectors * calls_per_collector
    shipped = DailyEod()
    sides = {}
    for key, spec in (("strategy", strategy), ("baseline", baseline)):
        name, policy, eod = _policy(spec, shipped)
        sides[key] = (Side(book, name), policy, eod)
    writers = {key: HistoryWriter(Path(history) / key) for key in sides}
    for day in range(days):
        u = book.draws(day)
        line = {"day": day + 1, "date": (population.start + dt.timedelta(days=day)).isoformat()}
        for key, (side, policy, eod) in sides.items():
            line[key] = play_day(side, policy, eod, day, capacity, u, writers[key])
            line[key]["open_cases"] = int((side.owed > 0).sum())
        yield line
    summary = {}
    for key, (side, policy, _eod) in sides.items():
        s = side.summary()
        s["violations"] = recheck(side)
        s["name"] = side.name
        summary[key] = {k: s[k] for k in ("name", *SUMMARY_KEYS)}
        unmade = getattr(policy, "unmade", None)
        if unmade is not None:
            summary[key]["unmade"] = dict(sorted(unmade.items()))
        models = getattr(policy, "models", None)
        if models:
            summary[key]["models"] = learned.summary(models)
    return summary


def run(population: Population, **kwargs) -> tuple[list[dict], dict]:
    """All day lines and the summary."""
    gen = simulate(population, **kwargs)
    lines = []
    while True:
        try:
            lines.append(next(gen))
        except StopIteration as stop:
            return lines, stop.value
