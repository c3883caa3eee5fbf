"""Rule data of the end-of-day run: contact budgets from the compliance packs, the default scorecard and strategy,
and their compilation into column expressions. Pure: no Django import.

Contact caps and hours come from the same pack JSON the compliance gate reads (``concord.compliance.packs``);
nothing here restates a number of the law.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import ibis
import pyarrow as pa

from concord.compliance.packs import PACK_NAMES, load_pack, parse_clock

from . import schema

DATA = Path(__file__).resolve().parent / "data"
#: the strategy's ``legal_status`` condition: the ``case_facts.legal`` values (``concord.strategy.tree``)
LEGAL_STATUSES = ("none", "active", "closed")
#: what a treatment path's step may ask for; ``legal_review`` queues nothing (the case is marked for legal review)
PATH_ACTIONS = ("call", "sms", "letter", "visit", "email", "legal_review")
QUEUED_ACTIONS = PATH_ACTIONS[:5]  # the path actions that are a channel of the contact queue
SCORE_CHARACTERISTICS = ("base", "max_dpd", "total_balance_fen", "paid_90d_fen", "kept_promises",
                         "broken_promises", "conversations_30d")


@dataclass(frozen=True)
class Budget:
    """What one pack allows per person: planned contacts for one day, and the window rule if it has one."""

    pack: str
    daily_max: int | None  # None: no daily cap in the pack
    window_days: int | None
    window_max: int | None
    conversation_days: int | None
    counted_outcomes: tuple[str, ...]
    start_seconds: int  # earliest allowed local time of day
    end_seconds: int    # allowed until (exclusive) this local time of day
    timezone: str
    hold_kinds: tuple[str, ...]  # "*" = every hold kind stops collection
    cease: bool


@lru_cache(maxsize=None)
def pack_budget(name: str) -> Budget:
    """The per-person contact budget of pack ``name``, read from its rules.

    Daily cap: the lowest of the pack's ``connected_cap`` (per debtor per day) and ``unanswered_cap`` (per
    number per day, counted as if the person had one number) — every planned contact could be either.
    Window: ``call_frequency`` (max calls in ``window_days`` and no call within ``conversation_days`` of a
    conversation). Consents that lift a cap are not taken into account (the queue plans the strict case)."""
    pack = load_pack(name)
    caps, window = [], None
    start, end, hold_kinds, cease = 0, 24 * 3600, [], False
    for rule in pack.rules:
        p = rule.params
        if rule.kind in ("connected_cap", "unanswered_cap"):
            caps.append(int(p["max"]))
        elif rule.kind == "call_frequency":
            window = (int(p["window_days"]), int(p["max_calls"]), int(p["conversation_days"]),
                      tuple(p["counted_outcomes"]))
        elif rule.kind == "hours":
            start = max(start, parse_clock(p["start"]))
            end = min(end, parse_clock(p["end"]))
        elif rule.kind == "hold":
            hold_kinds.extend(p["kinds"])
        elif rule.kind == "cease":
            cease = True
    return Budget(pack=name, daily_max=min(caps) if caps else None,
                  window_days=window[0] if window else None, window_max=window[1] if window else None,
                  conversation_days=window[2] if window else None, counted_outcomes=window[3] if window else (),
                  start_seconds=start, end_seconds=end, timezone=pack.default_timezone or "UTC",
                  hold_kinds=tuple(sorted(set(hold_kinds))), cease=cease)


def budgets_table(packs=PACK_NAMES) -> pa.Table:
    rows = [pack_budget(n) for n in packs]
    return pa.table({
        "policy_pack": [b.pack for b in rows],
        "daily_max": pa.array([b.daily_max for b in rows], pa.int64()),
        "window_days": pa.array([b.window_days for b in rows], pa.int64()),
        "window_max": pa.array([b.window_max for b in rows], pa.int64()),
        "conversation_days": pa.array([b.conversation_days for b in rows], pa.int64()),
    })


def counted_outcomes_table(packs=PACK_NAMES) -> pa.Table:
    pairs = [(b.pack, o) for b in map(pack_budget, packs) for o in b.counted_outcomes]
    return pa.table({"policy_pack": pa.array([p for p, _ in pairs], pa.string()),
                     "outcome": pa.array([o for _, o in pairs], pa.string())})


def hold_kinds_table(packs=PACK_NAMES) -> pa.Table:
    """(pack, hold kind) pairs that stop collection; ``*`` matches every kind. A ``cease`` rule adds ``cease``."""
    pairs = []
    for b in map(pack_budget, packs):
        pairs += [(b.pack, k) for k in b.hold_kinds] + ([(b.pack, "cease")] if b.cease else [])
    return pa.table({"policy_pack": pa.array([p for p, _ in pairs], pa.string()),
                     "hold_kind": pa.array([k for _, k in pairs], pa.string())})


def preferred_start(hours: tuple[int, int] | None, budget: Budget) -> int:
    """The local time of day (seconds) to start contacting: the start of a rule's preferred ``hours`` ``[from, to)``
    within the pack's allowed hours. A preference never widens what the pack allows; one that does not meet it is
    ignored (the pack's start) — ``concord.strategy.tree.preferred_hours``, in seconds."""
    if not hours or hours[0] is None:
        return budget.start_seconds
    start, end = max(hours[0] * 3600, budget.start_seconds), min(hours[1] * 3600, budget.end_seconds)
    return start if start < end else budget.start_seconds


def earliest_table(combos: list[tuple], day: dt.date) -> pa.Table:
    """Earliest allowed contact instant (µs since the epoch, UTC) on ``day`` for each (time zone, pack) or (time
    zone, pack, preferred from hour, preferred to hour): the pack's hours — or a rule's preferred hours within them
    (:func:`preferred_start`) — start in the person's time zone (the pack's default zone when the person has none).
    ``pref_from``/``pref_to`` are -1 for a combination without preferred hours."""
    tzs, packs, pfrom, pto, micros = [], [], [], [], []
    for tz, pack, *hours in combos:
        budget = pack_budget(pack)
        zone = ZoneInfo(tz or budget.timezone)
        pref = tuple(hours) if hours and hours[0] is not None and hours[0] >= 0 else None
        local = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=preferred_start(pref, budget))
        instant = local.replace(tzinfo=zone).astimezone(dt.timezone.utc)
        tzs.append(tz or "")
        packs.append(pack)
        pfrom.append(pref[0] if pref else -1)
        pto.append(pref[1] if pref else -1)
        micros.append(int(instant.timestamp()) * 1_000_000)
    return pa.table({"tz_key": pa.array(tzs, pa.string()), "policy_pack": pa.array(packs, pa.string()),
                     "pref_from": pa.array(pfrom, pa.int32()), "pref_to": pa.array(pto, pa.int32()),
                     "earliest_us": pa.array(micros, pa.int64())})


def parse_path(text: str | None) -> list[tuple[int, str]]:
    """A ``strategy`` row's path text (``"0:sms,2:call"``) as ``[(day, action)]``; ValueError when it is not steps
    ``day:action`` with whole days 0 … 365 in increasing order and known actions."""
    if text is None or not text.strip():
        return []
    steps = []
    for part in text.split(","):
        day, sep, action = part.strip().partition(":")
        day, action = day.strip(), action.strip()
        if not sep or not day.isdigit() or int(day) > 365 or action not in PATH_ACTIONS:
            raise ValueError(f"bad path step {part!r}")
        steps.append((int(day), action))
    days = [d for d, _a in steps]
    if days != sorted(set(days)):
        raise ValueError("path days must increase")
    return steps


def compile_path_action(rules: pa.Table, rule_order: ibis.Value, days_in: ibis.Value) -> ibis.Value:
    """What the path of the case's rule (``rule_order``) asks for on day ``days_in`` of its segment (0: the run in
    which the case entered it), or null: no path, or nothing that day. The semantics of
    ``concord.strategy.tree.path_action``: a one-off step (``sms letter visit email``) on its own day only; a
    ``call`` step starts calling on every day no other step falls on; from a ``legal_review`` step's day on, the
    case is due for legal review (nothing queued)."""
    branches = []
    for r in rules.to_pylist():
        steps = parse_path(r["path"])
        if not steps:
            continue
        end = next((d for d, a in steps if a == "legal_review"), None)
        if end is not None:  # the legal review ends the path: the steps after it never come
            steps = [(d, a) for d, a in steps if d <= end]
        cases = [(days_in == day, ibis.literal(action)) for day, action in steps if action != "legal_review"]
        if end is not None:
            cases.append((days_in >= end, ibis.literal("legal_review")))
        # the days between and after the steps: calling once a call step has passed, until a legal review
        calling_from = next((d for d, a in steps if a == "call"), None)
        if calling_from is not None:
            between = days_in > calling_from
            if end is not None:
                between = between & (days_in < end)
            cases.append((between, ibis.literal("call")))
        branches.append((rule_order == r["rule_order"], ibis.cases(*cases, else_=ibis.null("string"))))
    if not branches:
        return ibis.null("string")
    return ibis.cases(*branches, else_=ibis.null("string"))


# -- scorecard and strategy as data ------------------------------------------------------------------------------
def default_scorecard() -> pa.Table:
    data = json.loads((DATA / "scorecard.json").read_text(encoding="utf-8"))
    cols = list(zip(*data["bins"]))
    return pa.Table.from_arrays([pa.array(c, t) for c, t in zip(cols, schema.INPUT_TABLES["scorecard"][0].types)],
                                schema=schema.INPUT_TABLES["scorecard"][0])


def default_strategy() -> pa.Table:
    data = json.loads((DATA / "strategy.json").read_text(encoding="utf-8"))
    sch = schema.INPUT_TABLES["strategy"][0]  # the path and hours columns: see ``concord.strategy.tree.TABLE_COLUMNS``
    assert data["columns"] == sch.names
    cols = list(zip(*data["rules"]))
    return pa.Table.from_arrays([pa.array(c, t) for c, t in zip(cols, sch.types)], schema=sch)


def compile_scorecard(bins: pa.Table, values: dict[str, ibis.Value]) -> ibis.Value:
    """Sum of the points of the bin each characteristic falls in (``lower <= x < upper``, null = open end);
    a value in no bin scores 0."""
    total = ibis.literal(0, "int64")
    by_char: dict[str, list] = {}
    for row in bins.to_pylist():
        by_char.setdefault(row["characteristic"], []).append(row)
    for char, rows in by_char.items():
        if char == "base":
            total = total + sum(r["points"] for r in rows)
            continue
        x = values[char]
        branches = []
        for r in rows:
            cond = ibis.literal(True)
            if r["lower"] is not None:
                cond = cond & (x >= r["lower"])
            if r["upper"] is not None:
                cond = cond & (x < r["upper"])
            branches.append((cond, ibis.literal(r["points"], "int64")))
        total = total + ibis.cases(*branches, else_=ibis.literal(0, "int64"))
    return total


ARM_OFFSET = 10_000_000  # rule_order of a challenger arm's rows: arm * ARM_OFFSET + the rule's own order


def compile_strategy(rules: pa.Table, v: dict[str, ibis.Value]) -> ibis.Value:
    """``rule_order`` of the first rule whose every non-null condition holds (-1 when none does).

    Champion/challenger: with ``v["arm"]`` (the case's arm, 0 for none or the champion), a row whose ``rule_order``
    is ``arm * ARM_OFFSET`` or more applies to that arm's cases only; the rows below ``ARM_OFFSET`` (the champion's)
    apply to every case, after the challengers' rows (a case that no row of its challenger's matches falls to the
    champion's rows)."""
    branches = []
    for r in sorted(rules.to_pylist(), key=lambda r: (r["rule_order"] < ARM_OFFSET, r["rule_order"])):
        cond = ibis.literal(True)
        if r["rule_order"] >= ARM_OFFSET and "arm" in v:
            cond = cond & (v["arm"] == r["rule_order"] // ARM_OFFSET)
        if r["buckets"]:
            cond = cond & v["bucket"].isin([b.strip() for b in r["buckets"].split(",")])
        if r["min_balance_fen"] is not None:
            cond = cond & (v["total_balance_fen"] >= r["min_balance_fen"])
        if r["max_balance_fen"] is not None:
            cond = cond & (v["total_balance_fen"] <= r["max_balance_fen"])
        if r["min_score"] is not None:
            cond = cond & (v["score"] >= r["min_score"])
        if r["max_score"] is not None:
            cond = cond & (v["score"] <= r["max_score"])
        if r["product_kind"]:
            cond = cond & (v["product_kind"] == r["product_kind"])
        if r["promise_state"]:
            cond = cond & (v["promise_state"] == r["promise_state"])
        if r["held"] is not None:
            cond = cond & (v["held"] == r["held"])
        if r["arrangement"] is not None:
            cond = cond & (v["arrangement"] == r["arrangement"])
        if r.get("legal_status"):  # without the fact (the simulator's book): no case is in the legal track
            cond = cond & (v.get("legal_status", ibis.literal("none")) == r["legal_status"])
        branches.append((cond, ibis.literal(r["rule_order"], "int32")))
    return ibis.cases(*branches, else_=ibis.literal(-1, "int32"))
