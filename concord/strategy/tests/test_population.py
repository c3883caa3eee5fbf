"""The population file: the shipped examples validate; each kind of mistake is named by field and reason."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from concord.strategy.population import PopulationError, load, parse

DATA = Path(__file__).resolve().parents[1] / "data" / "populations"
SHIPPED = sorted(DATA.glob("*.json"))


def _good() -> dict:
    return json.loads((DATA / "young_online.json").read_text(encoding="utf-8"))


def test_three_shipped_populations_validate_and_differ():
    assert [p.stem for p in SHIPPED] == ["credit_card", "hard_to_reach", "young_online"]
    pops = [load(p) for p in SHIPPED]
    assert {p.pack for p in pops} == {"cn_bank", "cn_online_lending"}
    assert {s.product for p in pops for s in p.segments} == {"online_loan", "credit_card"}
    reach = [sum(s.share * s.reachable for s in p.segments) for p in pops]
    assert min(reach) < 0.7 < max(reach)          # the hard-to-reach book is harder to reach
    for p in pops:
        assert abs(sum(s.share for s in p.segments) - 1) < 1e-9
        assert all(len(s.answer_by_hour) == 24 for s in p.segments)


def _mutate(fn) -> dict:
    data = copy.deepcopy(_good())
    fn(data)
    return data


BAD = [
    (lambda d: d.pop("accounts"), "accounts", "missing"),
    (lambda d: d.update(accounts=0), "accounts", "from 1"),
    (lambda d: d.update(accounts=1.5), "accounts", "whole number"),
    (lambda d: d.update(start="2026-13-01"), "start", "date"),
    (lambda d: d.update(pack="cn_nowhere"), "pack", "one of"),
    (lambda d: d["costs_fen"].pop("sms"), "costs_fen.sms", "missing"),
    (lambda d: d["costs_fen"].update(sms=-1), "costs_fen.sms", "from 0"),
    (lambda d: d.update(segments=[]), "segments", "non-empty"),
    (lambda d: d["segments"][0].update(share=0.9), "segments", "add up to 1"),
    (lambda d: d["segments"][1].update(product="mortgage"), "segments[1].product", "one of"),
    (lambda d: d["segments"][0]["answer_by_hour"].pop(), "segments[0].answer_by_hour", "24"),
    (lambda d: d["segments"][0]["answer_by_hour"].__setitem__(7, 1.5), "segments[0].answer_by_hour[7]", "at most 1"),
    (lambda d: d["segments"][2].update(promise_kept="high"), "segments[2].promise_kept", "number"),
    (lambda d: d["segments"][0].update(fatigue=1), "segments[0].fatigue", "less than 1"),
    (lambda d: d["segments"][0]["balance_yuan"].update(p90=1), "segments[0].balance_yuan.p90", "at least"),
    (lambda d: d["segments"][0]["dpd"].update(min=0), "segments[0].dpd.min", "from 1"),
    (lambda d: d["segments"][0]["dpd"].update(max=0), "segments[0].dpd.max", "from"),
    (lambda d: d["segments"][1].update(name=d["segments"][0]["name"]), "segments[1].name", "duplicate"),
    (lambda d: d["segments"][0].update(colour="blue"), "segments[0].colour", "unknown field"),
    (lambda d: d["segments"][0].pop("self_cure_daily"), "segments[0].self_cure_daily", "missing"),
]


@pytest.mark.parametrize("change,field,reason", BAD)
def test_bad_population_names_field_and_reason(change, field, reason):
    with pytest.raises(PopulationError) as err:
        parse(_mutate(change))
    assert err.value.field == field
    assert reason in err.value.reason
    assert str(err.value).startswith(f"{field}: ")


def test_not_json_and_missing_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(PopulationError, match="not valid JSON"):
        load(bad)
    with pytest.raises(PopulationError, match="cannot read"):
        load(tmp_path / "absent.json")
    with pytest.raises(PopulationError, match="must be an object"):
        parse([1, 2])
