"""Every scenario under concord/compliance/scenarios replays with each check's decision equal to its expect."""
from __future__ import annotations

from pathlib import Path

import pytest

from concord.compliance.packs import all_packs
from concord.compliance.scenario import decide, load

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.json"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_replays_as_expected(path):
    scenario = load(path)
    assert scenario.checks, "a scenario without checks tests nothing"
    decisions = decide(scenario)
    wrong = [f"check {c.index} at {c.at.isoformat()}: expected {c.expect}, got {d.decision} {list(d.rules)} "
             f"({d.reason_en})" for c, d in zip(scenario.checks, decisions) if c.expect != d.decision]
    assert not wrong, "\n".join(wrong)


def test_every_check_states_its_expectation():
    missing = [f"{p.name} check {c.index}" for p in SCENARIOS for c in load(p).checks if c.expect is None]
    assert not missing


def test_the_shipped_examples_are_included():
    names = {p.name for p in SCENARIOS}
    for example in ("cn_connected_cap.json", "cn_quiet_hours.json", "cn_third_party.json", "us_7in7.json"):
        assert f"example_{example}" in names


def test_there_are_at_least_sixty_own_scenarios():
    assert len([p for p in SCENARIOS if not p.name.startswith("example_")]) >= 60


def test_every_enforced_rule_denies_in_some_scenario_and_every_pack_allows_somewhere():
    """Coverage: each enforced rule code of each pack denies at least one check, and each pack allows one."""
    denied: dict[str, set[str]] = {}
    allowed: set[str] = set()
    for path in SCENARIOS:
        scenario = load(path)
        for d in decide(scenario):
            if d.allowed:
                allowed.add(scenario.policy)
            denied.setdefault(scenario.policy, set()).update(d.rules)
    for pack in all_packs():
        codes = {r.code for r in pack.rules if r.enforced} | {"DATA"}
        assert codes <= denied.get(pack.name, set()), (pack.name, sorted(codes - denied.get(pack.name, set())))
        assert pack.name in allowed
