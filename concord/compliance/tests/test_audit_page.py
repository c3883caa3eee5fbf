"""The audit-trail page: compliance officers and admins only; search by person, case, user, action and period;
readable labels; before → after; the chain's verification, intact and after an event is altered."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from concord.compliance import services as compliance
from concord.core.models import AuditEvent
from concord.reports.targets import set_target

pytestmark = pytest.mark.clock("2026-12-07T10:00:00+08:00")


@pytest.fixture
def trail(world):
    case_a, case_b = world.cases["a"], world.cases["b"]
    world.complaint = compliance.open_complaint(world.users["compliance"], debtor=case_a.debtor,
                                                creditor=case_a.creditor, source="phone", category="frequency",
                                                summary="一天打了五次", case=case_a)
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 12, 1, 9)), tick=False):
        world.other = compliance.open_complaint(world.users["compliance"], debtor=case_b.debtor, creditor=case_b.creditor,
                                  source="phone", category="amount", summary="金额不对", case=case_b)
    for amount in ("1000.00", "900.00"):
        set_target(world.users["manager"], creditor=case_a.creditor, month=dt.date(2026, 12, 1),
                   amount=Decimal(amount))
    return world


def _get(client, world, user, query=""):
    client.force_login(world.users[user])
    return client.get("/compliance/audit/" + query)


def _actions(html: str) -> int:
    return html.count('class="audit-row"')


def test_only_compliance_officers_and_admins(client, trail):
    assert _get(client, trail, "compliance").status_code == 200
    assert _get(client, trail, "admin").status_code == 200
    for user in ("manager", "lead_a", "col_a", "viewer"):
        assert _get(client, trail, user).status_code == 403, user


def test_search_by_case_person_user_action_and_period(client, trail):
    case_a = trail.cases["a"]
    complaint_events = AuditEvent.objects.filter(object_type="compliance.complaint", object_id=str(trail.complaint.pk))
    by_case = _get(client, trail, "compliance", f"?case={case_a.reference}").content.decode()
    # the complaint and the hold it placed on case a's debtor, the case's own events — not case b's complaint
    assert "一天打了五次" not in by_case  # the summary is not in the changes; the label is
    assert "投诉/争议 · 开立" in by_case and f"#{trail.complaint.pk}" in by_case
    assert f"投诉/争议 #{trail.other.pk}<" not in by_case and f"投诉/争议 #{trail.complaint.pk}<" in by_case
    n_case = _actions(by_case)
    assert n_case >= complaint_events.count() + 1
    by_person = _get(client, trail, "compliance", "?person=张三").content.decode()
    assert "投诉/争议 · 开立" in by_person and _actions(by_person) == n_case
    assert _actions(_get(client, trail, "compliance", "?person=没有这个人").content.decode()) == 0
    by_user = _get(client, trail, "compliance", "?user=manager").content.decode()
    assert _actions(by_user) == AuditEvent.objects.filter(actor__username="manager").count() == 2
    assert "报表 · 设置回收目标" in by_user
    complaints = _get(client, trail, "compliance", "?action=compliance").content.decode()
    assert _actions(complaints) == AuditEvent.objects.filter(action__startswith="compliance.").count()
    december_1 = _get(client, trail, "compliance", "?action=compliance&start=2026-12-01&end=2026-12-01")
    assert _actions(december_1.content.decode()) == AuditEvent.objects.filter(
        action__startswith="compliance.", at__date=dt.date(2026, 12, 1)).count() >= 1
    assert _actions(december_1.content.decode()) < _actions(complaints)


def test_before_and_after_and_readable_labels(client, trail):
    html = _get(client, trail, "compliance", "?action=reports").content.decode()
    assert "1000.00 → 900.00" in html and "— → 1000.00" in html
    assert "回收目标 #" in html  # the object by its name, not its code


def test_the_chain_is_verified_and_a_change_is_found(client, trail):
    ok = _get(client, trail, "compliance", "?verify=1").content.decode()
    assert 'id="audit-verified"' in ok and str(AuditEvent.objects.count()) in ok
    event = AuditEvent.objects.filter(action="reports.target_set").last()
    AuditEvent.objects.filter(pk=event.pk).update(changes={"amount": ["1000.00", "1.00"]})  # tampered
    broken = _get(client, trail, "compliance", "?verify=1").content.decode()
    assert 'id="audit-broken"' in broken and event.label in broken


def test_the_page_in_english(client, trail):
    client.force_login(trail.users["compliance"])
    client.cookies["django_language"] = "en"
    html = client.get(f"/compliance/audit/?case={trail.cases['a'].reference}&verify=1").content.decode()
    for text in ("Audit trail", "Complaints/disputes · open", "The audit chain is intact", "Debtor&#x27;s name"):
        assert text in html, text
    assert "审计轨迹" not in html and "投诉/争议 · 开立" not in html
