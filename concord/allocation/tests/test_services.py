"""Allocation rules as versioned data: save, roll back, preview, apply (compare-and-set, history, audit), the
command, and new cases from an import allocated at once."""
from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction

from concord.allocation import services
from concord.allocation.models import AllocationRun, RuleSet
from concord.cases.models import Assignment, Case
from concord.core.models import AuditEvent


def rules_to(team, **kw):
    return [{"code": "ALL", "name": "全部", "team": team.pk if team else None, **kw}]


def test_each_save_is_a_new_version_and_roll_back_restores(world):
    m = world.users["manager"]
    v1 = services.save_rules(m, rules_to(world.teams["A"]), note="first")
    v2 = services.save_rules(m, rules_to(world.teams["B"], method="balance"), based_on=1)
    assert (v1.version, v2.version) == (1, 2) and v2.based_on == 1
    ev = AuditEvent.objects.filter(action="allocation.rules.save").last()
    assert ev.changes["changed"] == {"ALL": ["method", "team"]} and ev.actor_id == m.pk
    with pytest.raises(ValidationError) as exc:  # someone saved meanwhile
        services.save_rules(m, rules_to(world.teams["A"]), based_on=1)
    assert "版本 2" in " ".join(exc.value.messages)
    v3 = services.rollback(m, 1)
    assert v3.version == 3 and v3.rules == v1.rules and "1" in v3.note


def test_bad_rules_are_refused_with_every_problem_named(world):
    with pytest.raises(ValidationError) as exc:
        services.save_rules(world.users["manager"], [{"code": "X", "team": 9999, "dpd_min": 50, "dpd_max": 5}])
    text = " ".join(exc.value.messages)
    assert "小组不存在" in text and "上限小于下限" in text
    assert not RuleSet.objects.exists()


def test_preview_writes_nothing_and_apply_moves_with_rule_and_version(world):
    m, a = world.users["manager"], world.teams["A"]
    services.save_rules(m, rules_to(a, method="round_robin", sticky=True))
    before = list(Case.objects.order_by("id").values_list("assigned_team_id", "assigned_collector_id"))
    p = services.plan()
    # case b (team B) moves to team A; the unassigned case u is new; case a stays with col_a (sticky)
    got = {mv.case_id: (mv.to_team, mv.reason) for mv in p.moves}
    assert got == {world.cases["b"].pk: (a.pk, "team_change"), world.cases["u"].pk: (a.pk, "new")}
    assert list(Case.objects.order_by("id").values_list("assigned_team_id", "assigned_collector_id")) == before
    progress = []
    run = services.apply(m, progress=lambda done, total: progress.append((done, total)))
    assert run.moved == 2 and progress[-1] == (2, 2)
    u = Case.objects.get(pk=world.cases["u"].pk)
    assert u.assigned_team_id == a.pk and u.assigned_collector_id in {world.users["col_a"].pk,
                                                                     world.users["lead_a"].pk,
                                                                     world.users["field"].pk}
    assert u.status == "open"
    asg = Assignment.objects.filter(case=u, ended_at__isnull=True).get()
    assert asg.reason == "alloc:v1:ALL:new" and asg.assigned_by_id == m.pk
    assert AuditEvent.objects.filter(action="case.allocate").count() == 2
    assert AuditEvent.objects.filter(action="allocation.apply").count() == 1
    assert services.plan().moves == []  # applying again moves nothing
    from concord.core.audit import verify_chain
    assert verify_chain().ok


def test_apply_leaves_a_case_changed_meanwhile(world):
    from concord.cases.services import assign_case

    m = world.users["manager"]
    services.save_rules(m, rules_to(None))  # everything to the pool
    p = services.plan()
    assign_case(m, world.cases["a"], collector=world.users["col_b"], team=world.teams["B"])
    assert {mv.case_id for mv in p.moves} == {world.cases["a"].pk, world.cases["b"].pk}
    with transaction.atomic():
        n = services.write_moves(m, p.rule_set, p.moves)
    assert n == 1  # b went to the pool; a had been given to col_b after the plan was read: left alone
    assert Case.objects.get(pk=world.cases["a"].pk).assigned_collector_id == world.users["col_b"].pk


def test_apply_refuses_a_stale_preview(world):
    m = world.users["manager"]
    services.save_rules(m, rules_to(world.teams["A"]))
    services.save_rules(m, rules_to(world.teams["B"]))
    with pytest.raises(ValidationError):
        services.apply(m, expected_version=1)
    assert not AllocationRun.objects.exists()


def test_command_prints_a_json_line_per_move_and_the_summary(world):
    services.save_rules(world.users["manager"], rules_to(world.teams["B"]))
    out = io.StringIO()
    call_command("allocate", "--dry-run", "--json", stdout=out)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    moves, summary = lines[:-1], lines[-1]["summary"]
    assert {m["case"] for m in moves} == {world.cases["a"].reference, world.cases["u"].reference}
    assert all(set(m) == {"case", "from", "to", "rule", "reason"} for m in moves)
    assert moves[0]["to"]["team"] == "B组" and moves[0]["rule"] == "ALL"
    assert summary["moved"] == 2 and summary["by_team"] == {"B组": 2} and summary["unassigned"] == 0
    assert Case.objects.get(pk=world.cases["u"].pk).assigned_team_id is None  # dry run
    out = io.StringIO()
    call_command("allocate", "--json", stdout=out)
    assert json.loads(out.getvalue().splitlines()[-1])["summary"]["moved"] == 2
    assert Case.objects.get(pk=world.cases["u"].pk).assigned_team_id == world.teams["B"].pk


def test_rules_match_region_language_and_legal_status(world):
    from concord.debtors.services import add_contact_point

    debtor = world.cases["u"].debtor
    add_contact_point(None, debtor, kind="address", value="广东省深圳市南山区科技园 1 号", address_type="home")
    debtor.refresh_from_db()
    assert (debtor.province, debtor.city) == ("广东", "深圳")
    services.save_rules(world.users["manager"], [
        {"code": "GD", "provinces": ["广东"], "team": world.teams["B"].pk},
        {"code": "REST", "team": world.teams["A"].pk},
    ])
    p = services.plan()
    got = {mv.case_id: mv.rule for mv in p.moves}
    assert got[world.cases["u"].pk] == "GD"
