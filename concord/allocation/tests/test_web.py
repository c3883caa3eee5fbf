"""The allocation pages: rules (edit as a new version, roll back), preview and apply as a job; the bulk work page
(filter, sort, totals, bulk actions as jobs with one audit event per case); who may use them."""
from __future__ import annotations

import pytest

from concord.allocation import services
from concord.allocation.models import RuleSet
from concord.cases.models import Case
from concord.core.models import AuditEvent, Job


@pytest.fixture(autouse=True)
def _inline_jobs(settings):
    settings.CONCORD_JOBS_INLINE = True


def login(client, world, name):
    client.force_login(world.users[name])
    return client


def rule_post(world, **over):
    data = {"r-TOTAL_FORMS": "1", "r-INITIAL_FORMS": "0", "r-MIN_NUM_FORMS": "0", "r-MAX_NUM_FORMS": "1000",
            "r-0-code": "M1", "r-0-name": "M1 到 A 组", "r-0-buckets": ["M1", "M2", "M3", "M4", "M5", "M6", "M7+"],
            "r-0-team": str(world.teams["A"].pk), "r-0-method": "round_robin", "r-0-sticky": "on",
            "r-0-exclude_days": "0", "r-0-ORDER": "1", "note": "first"}
    data.update(over)
    return data


@pytest.mark.parametrize("name,status", [("manager", 200), ("admin", 200), ("lead_a", 403), ("col_a", 403),
                                         ("compliance", 403), ("viewer", 403)])
def test_rules_page_is_for_managers(client, world, name, status):
    assert login(client, world, name).get("/allocation/").status_code == status


def test_manager_edits_previews_and_applies(client, world):
    c = login(client, world, "manager")
    page = c.get("/allocation/edit/")
    assert page.status_code == 200 and "r-0-code" in page.content.decode()
    r = c.post("/allocation/edit/", rule_post(world))
    assert r.status_code == 302, r.content.decode()[:2000]
    rs = RuleSet.objects.get()
    assert rs.rules[0]["team"] == world.teams["A"].pk and rs.created_by == world.users["manager"]
    page = c.get("/allocation/").content.decode()
    assert "M1 到 A 组" in page and "v1" in page
    preview = c.get("/allocation/preview/").content.decode()
    assert "A组" in preview and "规则改变小组" in preview and "新案分配" in preview
    r = c.post("/allocation/apply/", {"version": "1"})
    assert r.status_code == 302
    job = Job.objects.get(kind="allocation.apply")
    assert job.state == "succeeded" and job.result["moved"] == 2
    assert Case.objects.get(pk=world.cases["b"].pk).assigned_team_id == world.teams["A"].pk
    assert c.get(f"/allocation/jobs/{job.pk}/").status_code == 200


def test_a_bad_rule_is_refused_and_nothing_saved(client, world):
    c = login(client, world, "manager")
    r = c.post("/allocation/edit/", rule_post(world, **{"r-0-dpd_min": "90", "r-0-dpd_max": "30"}))
    assert r.status_code == 400 and "上限小于下限" in r.content.decode()
    assert not RuleSet.objects.exists()


def test_roll_back_from_the_page(client, world):
    m = world.users["manager"]
    services.save_rules(m, [{"code": "A", "team": world.teams["A"].pk}])
    services.save_rules(m, [{"code": "B", "team": world.teams["B"].pk}])
    c = login(client, world, "manager")
    assert c.post("/allocation/rollback/1/").status_code == 302
    assert RuleSet.objects.order_by("-version").first().rules[0]["code"] == "A"


def test_apply_refuses_a_preview_of_an_older_version(client, world):
    m = world.users["manager"]
    services.save_rules(m, [{"code": "A", "team": world.teams["A"].pk}])
    services.save_rules(m, [{"code": "B", "team": world.teams["B"].pk}])
    r = login(client, world, "manager").post("/allocation/apply/", {"version": "1"}, follow=True)
    assert "请重新预览" in r.content.decode()
    assert not Job.objects.filter(kind="allocation.apply").exists()


# -- bulk work ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,status", [("manager", 200), ("lead_a", 200), ("col_a", 403), ("viewer", 403),
                                         ("compliance", 403)])
def test_bulk_page_roles(client, world, name, status):
    assert login(client, world, name).get("/allocation/cases/").status_code == status


def test_team_lead_sees_only_their_team_with_totals(client, world):
    page = login(client, world, "lead_a").get("/allocation/cases/").content.decode()
    assert world.cases["a"].reference in page and world.cases["b"].reference not in page
    assert 'id="collector-totals"' in page and "col_a" in page


def test_filters_and_sorts_on_every_column(client, world):
    c = login(client, world, "manager")
    for key in ("reference", "debtor", "creditor", "bucket", "dpd", "balance", "province", "status", "team",
                "collector", "opened"):
        for sort in (key, "-" + key):
            assert c.get(f"/allocation/cases/?sort={sort}").status_code == 200
    page = c.get("/allocation/cases/?team=pool").content.decode()
    assert world.cases["u"].reference in page and world.cases["a"].reference not in page
    page = c.get(f"/allocation/cases/?creditor={world.creditors['fin'].pk}").content.decode()
    assert world.cases["b"].reference in page and world.cases["a"].reference not in page


def test_bulk_reassign_by_filter_is_a_job_with_one_event_per_case(client, world):
    c = login(client, world, "manager")
    r = c.post("/allocation/cases/act/", {"action": "reassign", "scope": "filter",
                                          "query": f"creditor={world.creditors['bank'].pk}",
                                          "collector": str(world.users["col_b"].pk), "reason": "均衡"})
    assert r.status_code == 302
    job = Job.objects.get(kind="allocation.bulk")
    assert job.state == "succeeded" and job.result == {"cases": 2, "changed": 2, "unchanged": 0}
    for name in ("a", "u"):
        case = Case.objects.get(pk=world.cases[name].pk)
        assert (case.assigned_team_id, case.assigned_collector_id) == (world.teams["B"].pk, world.users["col_b"].pk)
    assert AuditEvent.objects.filter(action="case.bulk_reassign").count() == 2
    assert AuditEvent.objects.filter(action="allocation.bulk.request").count() == 1
    from concord.allocation.models import BulkRequest
    assert BulkRequest.objects.get().selection == "筛选：委托方：示例银行"
    page = c.get(f"/allocation/jobs/{job.pk}/").content.decode()
    assert "已处理" in page


def test_team_lead_cannot_reassign_outside_their_team(client, world):
    c = login(client, world, "lead_a")
    c.post("/allocation/cases/act/", {"action": "reassign", "scope": "ticked", "case": [world.cases["a"].pk],
                                      "team": str(world.teams["B"].pk), "query": ""})
    assert Case.objects.get(pk=world.cases["a"].pk).assigned_team_id == world.teams["A"].pk
    # ticking a case of another team does nothing either: it is not theirs to see
    c.post("/allocation/cases/act/", {"action": "pool", "scope": "ticked", "case": [world.cases["b"].pk],
                                      "query": ""})
    assert Case.objects.get(pk=world.cases["b"].pk).assigned_team_id == world.teams["B"].pk


def test_hold_release_and_pool(client, world):
    c = login(client, world, "manager")
    ticked = [world.cases["a"].pk, world.cases["b"].pk]
    c.post("/allocation/cases/act/", {"action": "hold", "scope": "ticked", "case": ticked, "query": ""})
    assert set(Case.objects.filter(pk__in=ticked).values_list("status", flat=True)) == {"on_hold"}
    c.post("/allocation/cases/act/", {"action": "release", "scope": "ticked", "case": ticked, "query": ""})
    assert set(Case.objects.filter(pk__in=ticked).values_list("status", flat=True)) == {"open"}
    c.post("/allocation/cases/act/", {"action": "pool", "scope": "ticked", "case": ticked, "query": ""})
    assert set(Case.objects.filter(pk__in=ticked).values_list("assigned_team_id", flat=True)) == {None}


def test_recall_needs_a_reason_and_a_manager(client, world):
    lead = login(client, world, "lead_a")
    lead.post("/allocation/cases/act/", {"action": "recall", "scope": "ticked", "case": [world.cases["a"].pk],
                                         "reason": "x", "query": ""})
    assert Case.objects.get(pk=world.cases["a"].pk).status != "recalled"
    c = login(client, world, "manager")
    c.post("/allocation/cases/act/", {"action": "recall", "scope": "ticked", "case": [world.cases["a"].pk],
                                      "reason": "", "query": ""})
    assert Case.objects.get(pk=world.cases["a"].pk).status != "recalled"
    c.post("/allocation/cases/act/", {"action": "recall", "scope": "ticked", "case": [world.cases["a"].pk],
                                      "reason": "委托方收回", "query": ""})
    assert Case.objects.get(pk=world.cases["a"].pk).status == "recalled"


def test_bulk_message_goes_through_the_gate_case_by_case(client, world):
    from concord.compliance.models import ContactDecision

    c = login(client, world, "manager")
    c.post("/allocation/cases/act/", {"action": "message", "scope": "ticked", "channel": "sms",
                                      "template": "reminder", "query": "",
                                      "case": [world.cases["a"].pk, world.cases["b"].pk, world.cases["u"].pk]})
    job = Job.objects.get(kind="allocation.bulk")
    assert job.state == "succeeded", job.error
    assert job.result["cases"] == 3 and job.result["allowed"] + job.result["denied"] == 3
    assert job.result["allowed"] >= 1
    # one stored decision of the gate per contact tried
    assert ContactDecision.objects.filter(channel="sms").count() == 3
    # the same cases again at once: the gate's caps and spacing decide again, case by case
    c.post("/allocation/cases/act/", {"action": "message", "scope": "ticked", "channel": "sms",
                                      "template": "reminder", "query": "", "case": [world.cases["a"].pk]})
    assert ContactDecision.objects.filter(channel="sms").count() == 4


@pytest.mark.clock("2026-12-07T23:30:00+08:00")
def test_bulk_message_at_night_is_denied_with_the_reason(client, world):
    c = login(client, world, "manager")
    c.post("/allocation/cases/act/", {"action": "message", "scope": "ticked", "channel": "sms",
                                      "template": "reminder", "query": "", "case": [world.cases["a"].pk]})
    job = Job.objects.get(kind="allocation.bulk")
    assert job.result["allowed"] == 0 and job.result["denied"] == 1 and job.result["reasons"]
