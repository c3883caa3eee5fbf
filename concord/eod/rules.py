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
    start, hold_kinds, cease = 0, [], False
    for rule in pack.rules:
        p = rule.params
        if rule.kind in ("connected_cap", "unanswered_cap"):
            caps.append(int(p["max"]))
        elif rule.kind == "call_frequency":
            window = (int(p["window_days"]), int(p["max_calls"]), int(p["conversation_days"]),
                      tuple(p["counted_outcomes"]))
        elif rule.kind == "hours":
            start = max(start, parse_clock(p["start"]))
        elif rule.kind == "hold":
            hold_kinds.extend(p["kinds"])
        elif rule.kind == "cease":
            cease = True
    return Budget(pack=name, daily_max=min(caps) if caps else None,
                  window_days=window[0] if window else None, window_max=window[1] if window else None,
                  conversation_days=window[2] if window else None, counted_outcomes=window[3] if window else (),
                  start_seconds=start, timezone=pack.default_timezone or "UTC",
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


def earliest_table(combos: list[tuple[str | None, str]], day: dt.date) -> pa.Table:
    """Earliest allowed contact instant (µs since the epoch, UTC) on ``day`` for each (time zone, pack): the
    pack's hours start in the person's time zone (the pack's default zone when the person has none)."""
    tzs, packs, micros = [], [], []
    for tz, pack in combos:
        budget = pack_budget(pack)
        zone = ZoneInfo(tz or budget.timezone)
        local = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=budget.start_seconds)
        instant = local.replace(tzinfo=zone).astimezone(dt.timezone.utc)
        tzs.append(tz or "")
        packs.append(pack)
        micros.append(int(instant.timestamp()) * 1_000_000)
    return pa.table({"tz_key": pa.array(tzs, pa.string()), "policy_pack": pa.array(packs, pa.string()),
                     "earliest_us": pa.array(micros, pa.int64())})


# -- scorecard and strategy as data ------------------------------------------------------------------------------
def default_scorecard() -> pa.Table:
    data = json.loads((DATA / "scorecard.json").read_text(encoding="utf-8"))
    cols = list(zip(*data["bins"]))
    return pa.Table.from_arrays([pa.array(c, t) for c, t in zip(cols, schema.INPUT_TABLES["scorecard"][0].types)],
                                schema=schema.INPUT_TABLES["scorecard"][0])


def default_strategy() -> pa.Table:
    data = json.loads((DATA / "strategy.json").read_text(encoding="utf-8"))
    sch = schema.INPUT_TABLES["strategy"][0]
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
        branches.append((cond, ibis.literal(r["rule_order"], "int32")))
    return ibis.cases(*branches, else_=ibis.literal(-1, "int32"))
