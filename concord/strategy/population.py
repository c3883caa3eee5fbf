"""The population file of the portfolio simulator: debtor behaviour as data. Load and validate. Pure: no Django.

A population names how many accounts to make, the first simulated day, the policy pack whose rules the gate
applies, the contact costs in fen and one or more segments — each a share of the accounts with its product,
balance and DPD distribution and its behaviour (answer rate by local hour, self-cure, response to each channel,
promises, plans, complaints, fatigue). ``docs/strategy.md`` documents every field.

``load(path)`` / ``parse(data)`` return a :class:`Population` or raise :class:`PopulationError` whose message
names the field (``segments[1].answer_by_hour[7]``) and the reason.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path

from concord.compliance.packs import PACK_NAMES

PRODUCTS = ("online_loan", "credit_card")
COSTS = ("call_attempt", "call_minute", "sms", "letter", "visit")
#: Behaviour probabilities of a segment, each in [0, 1].
PROBABILITIES = ("reachable", "self_cure_daily", "pay_after_conversation", "promise_after_conversation",
                 "promise_kept", "pay_after_sms", "pay_after_letter", "pay_after_visit", "needs_plan",
                 "plan_kept_monthly", "partial_share", "complaint_per_conversation",
                 "complaint_per_extra_attempt_today")
SEGMENT_FIELDS = ("name", "share", "product", "balance_yuan", "dpd", "answer_by_hour", *PROBABILITIES, "fatigue")
TOP_FIELDS = ("accounts", "start", "pack", "costs_fen", "segments")
MAX_ACCOUNTS = 1_000_000
MAX_BALANCE_YUAN = 10_000_000
MAX_DPD = 3650
SHARE_TOLERANCE = 1e-6


class PopulationError(ValueError):
    """A population that does not validate: ``field: reason``."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Segment:
    name: str
    share: float
    product: str
    balance_median_yuan: float
    balance_p90_yuan: float
    dpd_min: int
    dpd_max: int
    answer_by_hour: tuple[float, ...]
    reachable: float
    self_cure_daily: float
    pay_after_conversation: float
    promise_after_conversation: float
    promise_kept: float
    pay_after_sms: float
    pay_after_letter: float
    pay_after_visit: float
    needs_plan: float
    plan_kept_monthly: float
    partial_share: float
    complaint_per_conversation: float
    complaint_per_extra_attempt_today: float
    fatigue: float


@dataclass(frozen=True)
class Population:
    accounts: int
    start: dt.date
    pack: str
    costs_fen: dict[str, int]
    segments: tuple[Segment, ...]


def _number(value, field: str, *, lo: float | None = None, hi: float | None = None, lo_open: bool = False,
            hi_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PopulationError(field, f"must be a number, not {value!r}")
    if lo is not None and (value <= lo if lo_open else value < lo):
        raise PopulationError(field, f"must be {'greater than' if lo_open else 'at least'} {lo:g}, not {value!r}")
    if hi is not None and (value >= hi if hi_open else value > hi):
        raise PopulationError(field, f"must be {'less than' if hi_open else 'at most'} {hi:g}, not {value!r}")
    return float(value)


def _integer(value, field: str, *, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PopulationError(field, f"must be a whole number, not {value!r}")
    if not lo <= value <= hi:
        raise PopulationError(field, f"must be from {lo} to {hi}, not {value!r}")
    return value


def _object(value, field: str, required: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise PopulationError(field, f"must be an object, not {type(value).__name__}")
    for name in required:
        if name not in value:
            raise PopulationError(f"{field}.{name}" if field else name, "missing")
    for name in value:
        if name not in required:
            raise PopulationError(f"{field}.{name}" if field else name,
                                  f"unknown field (expected one of {', '.join(required)})")
    return value


def _segment(raw, field: str) -> Segment:
    raw = _object(raw, field, SEGMENT_FIELDS)
    name = raw["name"]
    if not isinstance(name, str) or not name.strip():
        raise PopulationError(f"{field}.name", "must be a non-empty text")
    share = _number(raw["share"], f"{field}.share", lo=0, hi=1, lo_open=True)
    product = raw["product"]
    if product not in PRODUCTS:
        raise PopulationError(f"{field}.product", f"must be one of {', '.join(PRODUCTS)}, not {product!r}")
    bal = _object(raw["balance_yuan"], f"{field}.balance_yuan", ("median", "p90"))
    median = _number(bal["median"], f"{field}.balance_yuan.median", lo=0, hi=MAX_BALANCE_YUAN, lo_open=True)
    p90 = _number(bal["p90"], f"{field}.balance_yuan.p90", lo=median, hi=MAX_BALANCE_YUAN)
    dpd = _object(raw["dpd"], f"{field}.dpd", ("min", "max"))
    dpd_min = _integer(dpd["min"], f"{field}.dpd.min", lo=1, hi=MAX_DPD)
    dpd_max = _integer(dpd["max"], f"{field}.dpd.max", lo=dpd_min, hi=MAX_DPD)
    hours = raw["answer_by_hour"]
    if not isinstance(hours, list) or len(hours) != 24:
        raise PopulationError(f"{field}.answer_by_hour", "must be a list of 24 probabilities (local hours 0–23)")
    answer = tuple(_number(p, f"{field}.answer_by_hour[{h}]", lo=0, hi=1) for h, p in enumerate(hours))
    probs = {p: _number(raw[p], f"{field}.{p}", lo=0, hi=1) for p in PROBABILITIES}
    fatigue = _number(raw["fatigue"], f"{field}.fatigue", lo=0, hi=1, hi_open=True)
    return Segment(name=name, share=share, product=product, balance_median_yuan=median, balance_p90_yuan=p90,
                   dpd_min=dpd_min, dpd_max=dpd_max, answer_by_hour=answer, fatigue=fatigue, **probs)


def parse(data) -> Population:
    """A validated :class:`Population` from decoded JSON."""
    data = _object(data, "", TOP_FIELDS)
    accounts = _integer(data["accounts"], "accounts", lo=1, hi=MAX_ACCOUNTS)
    start_text = data["start"]
    try:
        start = dt.date.fromisoformat(start_text) if isinstance(start_text, str) else None
    except ValueError:
        start = None
    if start is None:
        raise PopulationError("start", f"must be a date YYYY-MM-DD, not {start_text!r}")
    pack = data["pack"]
    if pack not in PACK_NAMES:
        raise PopulationError("pack", f"must be one of {', '.join(PACK_NAMES)}, not {pack!r}")
    costs = _object(data["costs_fen"], "costs_fen", COSTS)
    costs_fen = {k: _integer(costs[k], f"costs_fen.{k}", lo=0, hi=10_000_000) for k in COSTS}
    raw_segments = data["segments"]
    if not isinstance(raw_segments, list) or not raw_segments:
        raise PopulationError("segments", "must be a non-empty list")
    segments = tuple(_segment(s, f"segments[{i}]") for i, s in enumerate(raw_segments))
    seen = set()
    for i, s in enumerate(segments):
        if s.name in seen:
            raise PopulationError(f"segments[{i}].name", f"duplicate segment name {s.name!r}")
        seen.add(s.name)
    total = sum(s.share for s in segments)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise PopulationError("segments", f"shares must add up to 1, not {total:g}")
    return Population(accounts=accounts, start=start, pack=pack, costs_fen=costs_fen, segments=segments)


def load(path: str | Path) -> Population:
    """Read and validate a population file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PopulationError("file", f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise PopulationError("file", f"{path} is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PopulationError("file", f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    return parse(data)
