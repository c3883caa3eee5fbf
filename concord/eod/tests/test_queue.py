"""The contact queue never holds a held person, nor more contacts than the person's pack allows that day."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from concord.compliance.packs import load_pack
from concord.eod import engine, synth

AS_OF = dt.date(2026, 11, 28)
QUEUE_DAY = AS_OF + dt.timedelta(days=1)


def pack_daily_limit(pack_name: str, contacts: list[dict]) -> int | None:
    """What the pack's rules allow this person on the queue day, read straight from the pack's rules."""
    limits = []
    for rule in load_pack(pack_name).rules:
        if rule.kind in ("connected_cap", "unanswered_cap"):
            limits.append(rule.params["max"])
        if rule.kind == "call_frequency":
            start = QUEUE_DAY - dt.timedelta(days=rule.params["window_days"])
            used = sum(1 for c in contacts if start <= c["contact_on"] < QUEUE_DAY
                       and c["outcome"] in rule.params["counted_outcomes"])
            conv_start = QUEUE_DAY - dt.timedelta(days=rule.params["conversation_days"])
            talked = any(c["outcome"] == "conversation" and conv_start <= c["contact_on"] < QUEUE_DAY
                         for c in contacts)
            limits.append(0 if talked else max(rule.params["max_calls"] - used, 0))
    return min(limits) if limits else None


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(seed=st.integers(0, 10_000), packs=st.lists(st.sampled_from(["cn_bank", "cn_online_lending", "us_reg_f",
                                                                    "uk_conc"]), min_size=3, max_size=3),
       extra_holds=st.integers(0, 40))
def test_queue_respects_holds_and_budgets(seed, packs, extra_holds):
    snap = synth.snapshot(400, seed=seed, as_of=AS_OF)
    snap["creditors"] = snap["creditors"].set_column(1, "policy_pack", pa.array(packs))
    persons = snap["persons"].column("person_id").to_pylist()
    held = persons[:extra_holds]  # more holds, of every kind, some ending before the queue day
    kinds = ["complaint", "dispute", "cease", "deceased_claim", "arrangement"]
    extra = pa.table({"person_id": pa.array(held, pa.int64()),
                      "kind": pa.array([kinds[i % len(kinds)] for i in range(len(held))], pa.string()),
                      "starts_on": pa.array([AS_OF - dt.timedelta(days=5)] * len(held), pa.date32()),
                      "ends_on": pa.array([AS_OF if i % 4 == 0 else None for i in range(len(held))], pa.date32())})
    snap["holds"] = pa.concat_tables([snap["holds"], extra])
    # a burst of calls for some people, to use up windowed budgets (US: 7 calls in 7 days)
    burst = persons[-30:]
    calls = pa.table({"person_id": pa.array([p for p in burst for _ in range(5)], pa.int64()),
                      "contact_on": pa.array([AS_OF - dt.timedelta(days=d) for _ in burst for d in range(5)],
                                             pa.date32()),
                      "channel": ["call"] * (5 * len(burst)), "outcome": ["no_answer"] * (5 * len(burst))})
    snap["contacts"] = pa.concat_tables([snap["contacts"], calls])

    result = engine.run(snap, AS_OF)
    queue = result.tables["contact_queue"].to_pylist()
    assert queue, "the queue should not be empty on a 400-account book"

    holds_active = {h["person_id"] for h in snap["holds"].to_pylist()
                    if h["starts_on"] <= QUEUE_DAY and (h["ends_on"] is None or h["ends_on"] >= QUEUE_DAY)}
    deceased = {p["person_id"] for p in snap["persons"].to_pylist() if p["deceased"]}
    queued = Counter(q["person_id"] for q in queue)
    assert not (set(queued) & (holds_active | deceased))

    pack_of = {c["creditor_id"]: c["policy_pack"] for c in snap["creditors"].to_pylist()}
    person_packs = defaultdict(set)
    for c in snap["cases"].to_pylist():
        person_packs[c["person_id"]].add(pack_of[c["creditor_id"]])
    contacts = defaultdict(list)
    for c in snap["contacts"].to_pylist():
        contacts[c["person_id"]].append(c)
    for person, count in queued.items():
        limits = [x for x in (pack_daily_limit(p, contacts[person]) for p in person_packs[person]) if x is not None]
        if limits:
            assert count <= min(limits), (person, count, limits)
    # every row has a collector, a channel and an earliest time at or after the pack's start of the day
    assert all(q["collector_id"] is not None and q["channel"] != "none" for q in queue)
    first = min(q["earliest_at"] for q in queue)
    assert first >= dt.datetime.combine(QUEUE_DAY, dt.time(), tzinfo=dt.timezone.utc) - dt.timedelta(hours=9)
