"""The simulator writes production's daily history: the same tables and columns, read back by the reports' metric
functions; the scoring app's scorecards train on it inside the run; the run is deterministic under a seed."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow.parquet as pq
import numpy as np
import pytest

from concord.reports.metrics.recovery import cash_by_day
from concord.reports.store import TABLES, HistoryStore, stored
from concord.strategy import simulate as sim
from concord.strategy.population import parse

DATA = Path(__file__).resolve().parents[1] / "data" / "populations"


def population(accounts: int) -> dict:
    data = json.loads((DATA / "young_online.json").read_text(encoding="utf-8"))
    data["accounts"] = accounts
    return data


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("history")
    pop = parse(population(1500))
    lines, summary = sim.run(pop, days=36, collectors=2, calls_per_collector=60, seed=5, history=root)
    return pop, root, lines, summary


def test_history_has_production_tables_and_columns(run):
    _pop, root, lines, _summary = run
    for key in ("strategy", "baseline"):
        store = HistoryStore(root / key)
        assert len(store.days()) == len(lines)
        for name in TABLES:
            files = list((root / key / name).glob("*/part.parquet"))
            assert files, name
            assert pq.read_schema(files[0]).remove_metadata() == stored(name)


def test_reports_read_back_what_the_simulator_counted(run):
    pop, root, lines, summary = run
    for key in ("strategy", "baseline"):
        con = HistoryStore(root / key).connect()
        end = pop.start + dt.timedelta(days=len(lines) - 1)
        cash = cash_by_day(con, pop.start, end)
        assert [r["recovered_fen"] for r in cash] == [line[key]["recovered_fen"] for line in lines]
        per_day = {d: n for d, n in con.sql(
            "SELECT day, count(*) FROM contacts WHERE direction = 'outbound' GROUP BY day").fetchall()}
        assert [per_day.get(pop.start + dt.timedelta(days=k), 0) for k in range(len(lines))] == \
            [line[key]["attempts"] for line in lines]
        (conv,) = con.sql("SELECT count(*) FROM contacts WHERE outcome = 'conversation' AND channel = 'call'").fetchall()[0]
        assert conv == summary[key]["conversations"]
        (made,) = con.sql("SELECT count(*) FROM promises WHERE event = 'made'").fetchall()[0]
        (kept,) = con.sql("SELECT count(*) FROM promises WHERE event = 'kept'").fetchall()[0]
        assert (made, kept) == (summary[key]["promises"], summary[key]["kept"])
        (complaints,) = con.sql("SELECT count(*) FROM complaints").fetchall()[0]
        assert complaints == summary[key]["complaints"]
        (requests, denied) = con.sql("SELECT count(*), count(*) FILTER (WHERE NOT allowed) FROM decisions").fetchall()[0]
        assert (requests - denied, denied) == (summary[key]["attempts"], summary[key]["gate_denials"])
        (plans,) = con.sql("SELECT count(*) FROM arrangements WHERE status = 'active'").fetchall()[0]
        assert plans == summary[key]["plans"]
        # the accounts' balances fall by exactly what was paid
        (placed, last) = con.sql(f"""SELECT sum(balance_fen + paid_fen) FILTER (WHERE day = DATE '{pop.start}'),
                                            sum(balance_fen) FILTER (WHERE day = DATE '{end}') FROM accounts""").fetchall()[0]
        assert placed - last == summary[key]["recovered_fen"]


def test_the_scorecards_train_inside_the_simulator(run):
    _pop, _root, _lines, summary = run
    models = summary["strategy"]["models"]
    for target in ("paid_30d", "self_cure_30d"):
        m = models[target]
        assert "error" not in m, m
        assert m["rows"] > 0 and m["features"]
        assert m["holdout_auc"] is not None and m["holdout_auc"] > 0.5
    assert "models" not in summary["baseline"]          # the bucket baseline learns nothing
    assert summary["strategy"]["violations"] == 0 and summary["baseline"]["violations"] == 0


def test_learned_scores_change_the_default_strategy_after_training(run, monkeypatch):
    """Until the training the strategy plays as one that never gets its models (same book, same draws); once it has
    them, the values the next-best-action ranks a day's calls by differ from those made from the same state
    without them."""
    import copy

    pop, _root, lines, _summary = run
    from concord.strategy import nba, policies

    class Untrained(policies.Default):
        def learn_history(self, day, side, store):
            return None

    values, probes = [], []
    choose = nba.choose

    def recording(**kwargs):
        values.append(kwargs["call_value"])
        return choose(**kwargs)

    class Probe(policies.Default):
        def plan(self, day, side, eod, capacity):
            if self.models:
                blind = copy.deepcopy(self)
                blind.models = {}
                values.clear()
                policies.Default.plan(copy.deepcopy(self), day, side, eod, capacity)  # plan() only reads the side
                policies.Default.plan(blind, day, side, eod, capacity)
                probes.append(tuple(values))
            return super().plan(day, side, eod, capacity)

    monkeypatch.setattr(nba, "choose", recording)
    monkeypatch.setitem(policies.STRATEGIES, "untrained_test", Untrained)
    monkeypatch.setitem(policies.STRATEGIES, "probe_test", Probe)
    other, _s = sim.run(pop, strategy="untrained_test", days=33, collectors=2, calls_per_collector=60, seed=5)
    sim.run(pop, strategy="probe_test", days=35, collectors=2, calls_per_collector=60, seed=5)
    assert [line["strategy"] for line in lines[:33]] == [line["strategy"] for line in other[:33]]
    assert probes and all(len(p) == 2 for p in probes)
    assert any(not np.array_equal(with_models, without) for with_models, without in probes)


def test_deterministic_under_a_seed_history_included(run, tmp_path):
    pop, root, lines, summary = run
    again, summary2 = sim.run(pop, days=36, collectors=2, calls_per_collector=60, seed=5, history=tmp_path)
    assert (again, summary2) == (lines, summary)
    for name in ("accounts", "payments", "contacts", "promises", "decisions"):
        q = f"SELECT * FROM {name} ORDER BY ALL"
        assert HistoryStore(root / "strategy").connect().sql(q).fetchall() == \
            HistoryStore(tmp_path / "strategy").connect().sql(q).fetchall()


def test_command_keeps_the_history_where_asked_and_refuses_a_foreign_directory(tmp_path):
    import io

    from django.core.management import CommandError, call_command

    path = tmp_path / "pop.json"
    path.write_text(json.dumps(population(200)), encoding="utf-8")
    target = tmp_path / "hist"
    out = io.StringIO()
    call_command("simulate", "--population", str(path), "--days", "3", "--collectors", "1",
                 "--calls-per-collector", "10", "--history", str(target), "--json", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    for key in ("strategy", "baseline"):
        store = HistoryStore(target / key)
        assert len(store.days()) == 3
        cash = cash_by_day(store.connect(), store.days()[0], store.days()[-1])
        assert sum(r["recovered_fen"] for r in cash) == rows[-1]["summary"][key]["recovered_fen"]
    # run again into the same directory: rewritten, not refused
    call_command("simulate", "--population", str(path), "--days", "2", "--collectors", "1",
                 "--calls-per-collector", "10", "--history", str(target), stdout=io.StringIO())
    assert len(HistoryStore(target / "strategy").days()) == 2
    foreign = tmp_path / "other"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(CommandError) as err:
        call_command("simulate", "--population", str(path), "--days", "2", "--history", str(foreign))
    assert err.value.returncode == 2 and "--history" in str(err.value)
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep me"
