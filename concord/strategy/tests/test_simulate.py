"""The simulator: paired and deterministic, every contact made allowed by the gate, the baseline's known answers on
a tiny book, and the command's JSON and exit codes."""
from __future__ import annotations

import copy
import io
import json
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from concord.compliance.gate import evaluate
from concord.compliance.history import History
from concord.compliance.model import ContactEvent, Request
from concord.compliance.packs import load_pack
from concord.strategy import simulate as sim
from concord.strategy.population import parse
from concord.strategy.world import make_book

DATA = Path(__file__).resolve().parents[1] / "data" / "populations"


def tiny(**behaviour) -> dict:
    seg = {"name": "all", "share": 1.0, "product": "online_loan", "balance_yuan": {"median": 1000, "p90": 3000},
           "dpd": {"min": 1, "max": 30}, "reachable": 1.0, "answer_by_hour": [1.0] * 24, "self_cure_daily": 0.0,
           "pay_after_conversation": 1.0, "promise_after_conversation": 0.0, "promise_kept": 0.0,
           "pay_after_sms": 0.0, "pay_after_letter": 0.0, "pay_after_visit": 0.0, "needs_plan": 0.0,
           "plan_kept_monthly": 0.0, "partial_share": 0.0, "complaint_per_conversation": 0.0,
           "complaint_per_extra_attempt_today": 0.0, "fatigue": 0.0}
    seg.update(behaviour)
    return {"accounts": 5, "start": "2026-01-05", "pack": "cn_online_lending",
            "costs_fen": {"call_attempt": 30, "call_minute": 50, "sms": 5, "letter": 300, "visit": 8000},
            "segments": [seg]}


def small(accounts=600) -> dict:
    data = json.loads((DATA / "hard_to_reach.json").read_text(encoding="utf-8"))
    data["accounts"] = accounts
    return data


def test_bucket_baseline_known_answers():
    pop = parse(tiny())
    book = make_book(pop, 3)
    lines, summary = sim.run(pop, strategy="bucket", baseline="bucket", days=4, collectors=1, calls_per_collector=2,
                             seed=3, book=book)
    b = summary["baseline"]
    # Day 1: the two lowest-DPD cases are called (answered, paid), the other three texted; day 2: the next two are
    # called (no text: a week has not passed); day 3: the last one; day 4: nothing left.
    assert [line["baseline"]["attempts"] for line in lines] == [5, 2, 1, 0]
    assert [line["baseline"]["conversations"] for line in lines] == [2, 2, 1, 0]
    assert b["recovered_fen"] == int(book.balance_fen.sum())
    assert b["cost_fen"] == 5 * (30 + 3 * 50) + 3 * 5
    assert b["net_fen"] == b["recovered_fen"] - b["cost_fen"]
    assert b["violations"] == 0 and b["gate_denials"] == 0 and b["complaints"] == 0
    order = sorted(range(5), key=lambda i: (book.dpd0[i], -book.balance_fen[i]))
    assert lines[0]["baseline"]["recovered_fen"] == int(book.balance_fen[order[:2]].sum())
    assert summary["strategy"] == summary["baseline"]      # same strategy, same draws: the same result


def test_same_seed_same_run_other_seed_other_book():
    pop = parse(small(300))
    a = sim.run(pop, days=12, collectors=2, calls_per_collector=10, seed=11)
    b = sim.run(pop, days=12, collectors=2, calls_per_collector=10, seed=11)
    c = sim.run(pop, days=12, collectors=2, calls_per_collector=10, seed=12)
    assert a == b
    assert a[1] != c[1]


def _replay(side) -> tuple[int, int]:
    """Every contact made, evaluated again by the gate against the person's earlier events only."""
    pack = load_pack(side.book.population.pack)
    events = defaultdict(list)
    for i, ev in side.events:
        events[i].append(ev)
    made = denied = 0
    for i, evs in events.items():
        hist = History(f"p{i}", side.tz)
        for ev in sorted(evs, key=lambda e: e.us):
            if isinstance(ev, ContactEvent):
                made += 1
                req = Request(ev.channel, ev.debts, ev.party, ev.purpose, ev.number)
                denied += not evaluate(req, ev.at, hist, pack).allowed
            hist.add(ev)
    return made, denied


def test_every_contact_made_is_allowed_by_the_gate(monkeypatch):
    """A complaint-prone book: holds appear, strategies keep asking; every contact made passes the gate when
    replayed, every denied one was not made, and the summary's counts agree."""
    data = small(400)
    for seg in data["segments"]:
        seg["complaint_per_conversation"] = 0.2
        seg["complaint_per_extra_attempt_today"] = 0.3
    pop = parse(data)
    sides = []
    real = sim.Side

    class Kept(real):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            sides.append(self)

    monkeypatch.setattr(sim, "Side", Kept)
    # A strategy that asks for every open case every day, held or not: the gate must refuse the held ones.
    class Pushy(sim.STRATEGIES["bucket"]):
        def plan(self, day, side, eod, capacity):
            p = super().plan(day, side, eod, capacity)
            p.messages = [(int(i), "sms") for i in range(side.book.n) if side.owed[i] > 0]
            return p

    monkeypatch.setitem(sim.STRATEGIES, "pushy", Pushy)
    lines, summary = sim.run(pop, strategy="pushy", days=20, collectors=2, calls_per_collector=30, seed=5)
    pushy = summary["strategy"]
    assert pushy["complaints"] > 0 and pushy["gate_denials"] > 0
    for key, side in zip(("strategy", "baseline"), sides):
        made, denied = _replay(side)
        assert made == summary[key]["attempts"] == len(side.log)
        assert denied == 0 == summary[key]["violations"]
    # Held persons got no contact from the day their hold began until it ended.
    side = sides[0]
    holds = [(i, ev.us) for i, ev in side.events if not isinstance(ev, ContactEvent) and ev.event == "hold"]
    assert holds


def _command(*args) -> list[dict]:
    out = io.StringIO()
    call_command("simulate", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_command_json_shape(tmp_path):
    path = tmp_path / "pop.json"
    path.write_text(json.dumps(small(200)), encoding="utf-8")
    rows = _command("--population", str(path), "--strategy", "default", "--baseline", "bucket", "--days", "5",
                    "--collectors", "2", "--calls-per-collector", "10", "--seed", "1", "--json")
    assert len(rows) == 6
    assert [r["day"] for r in rows[:5]] == [1, 2, 3, 4, 5]
    assert rows[0]["date"] == "2026-06-01"
    summary = rows[-1]["summary"]
    assert set(summary) == {"strategy", "baseline"}
    for side in summary.values():
        for key in ("recovered_fen", "cost_fen", "net_fen", "attempts", "conversations", "promises", "kept",
                    "complaints", "gate_denials", "violations"):
            assert isinstance(side[key], int)
        assert side["violations"] == 0
        assert side["net_fen"] == side["recovered_fen"] - side["cost_fen"]
    assert summary["strategy"]["attempts"] == sum(r["strategy"]["attempts"] for r in rows[:5])


@pytest.mark.parametrize("args,message", [
    (["--days", "0"], "--days"),
    (["--collectors", "x"], "--collectors"),
    (["--strategy", "nobody"], "--strategy"),
    (["--seed", "1.5"], "--seed"),
])
def test_command_bad_arguments_exit_2(tmp_path, args, message):
    path = tmp_path / "pop.json"
    path.write_text(json.dumps(tiny()), encoding="utf-8")
    with pytest.raises(CommandError, match=message) as err:
        call_command("simulate", "--population", str(path), *args)
    assert err.value.returncode == 2


def test_command_malformed_population_exit_2(tmp_path):
    data = copy.deepcopy(tiny())
    data["segments"][0]["answer_by_hour"] = [0.5] * 23
    path = tmp_path / "pop.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match=r"segments\[0\]\.answer_by_hour: must be a list of 24") as err:
        call_command("simulate", "--population", str(path))
    assert err.value.returncode == 2
    with pytest.raises(CommandError) as err:
        call_command("simulate", "--population", str(tmp_path / "absent.json"))
    assert err.value.returncode == 2


def test_default_strategy_plans_within_capacity_and_leaves_held_and_promised_cases(monkeypatch):
    pop = parse(small(500))
    Default = sim.STRATEGIES["default"]
    checked = []

    class Checked(Default):
        def plan(self, day, side, eod, capacity):
            p = super().plan(day, side, eod, capacity)
            called = [i for i, _h in p.calls]
            assert len(called) <= capacity and len(set(called)) == len(called)
            held = side.held(day)
            for i in called + [i for i, _c in p.messages]:
                assert side.owed[i] > 0 and not held[i]
                promise = side.promises.get(i)
                assert promise is None or promise.state != "pending"
            assert not set(called) & {i for i, _c in p.messages}
            assert all(h in sim.hour_slots(capacity) for _i, h in p.calls)
            checked.append((day, len(called), len(p.messages)))
            return p

    monkeypatch.setitem(sim.STRATEGIES, "checked", Checked)
    lines, summary = sim.run(pop, strategy="checked", days=40, collectors=1, calls_per_collector=40, seed=2)
    assert len(checked) == 40
    assert any(day >= 30 for day, calls, _m in checked if calls)      # it still calls after the warm-up
    assert summary["strategy"]["violations"] == 0


def test_concord_simulate_process_exits_2_on_a_malformed_file(tmp_path):
    import os
    import subprocess
    import sys

    path = tmp_path / "pop.json"
    data = tiny()
    data["segments"][0]["share"] = 0.5
    path.write_text(json.dumps(data), encoding="utf-8")
    env = {**os.environ, "CONCORD_DEV_KEYS": "1"}
    done = subprocess.run([sys.executable, "-c", "from concord.cli import main; main()", "simulate", "--population",
                           str(path), "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert "segments: shares must add up to 1, not 0.5" in done.stderr
    assert done.stdout == ""


def test_no_contact_reference_makes_nothing_and_pays_only_what_the_book_pays_on_its_own():
    data = small(400)
    pop = parse(data)
    lines, summary = sim.run(pop, strategy="none", baseline="bucket", days=20, collectors=1, calls_per_collector=20,
                             seed=2)
    s, b = summary["strategy"], summary["baseline"]
    assert s["attempts"] == s["cost_fen"] == s["conversations"] == s["complaints"] == 0
    assert s["recovered_fen"] == s["net_fen"] > 0          # self-cure alone
    assert b["attempts"] > 0
    data_silent = small(400)
    for seg in data_silent["segments"]:
        seg["self_cure_daily"] = 0.0
    _lines, silent = sim.run(parse(data_silent), strategy="none", baseline="none", days=20, collectors=1,
                             calls_per_collector=20, seed=2)
    assert silent["strategy"]["recovered_fen"] == 0
