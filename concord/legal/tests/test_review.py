"""The cases due for legal review (待法务审查): the list the end-of-day run's ``legal_review`` path step fills, its
page, the link from the end-of-day page, and the hand-off into the legal track from a row."""
import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concord.cases.models import Case
from concord.core.models import AuditEvent
from concord.eod.models import CaseState, EodRun
from concord.legal import services
from concord.legal.models import LegalCase
from concord.legal.selectors import due_for_legal_review

from .test_web import login

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 12, 6)


def mark(case, action="legal_review", as_of=AS_OF, segment="late", treatment="legal"):
    """The case's state after the last end-of-day run, with the path action it gave."""
    CaseState.objects.update_or_create(case_id=case.pk, defaults=dict(
        as_of=as_of, score=420, segment=segment, treatment=treatment, channel="none", priority=10, held=False,
        promise_state="none", arrangement=False, segment_since=as_of - dt.timedelta(days=45), path_action=action))


def refs(user):
    return [c.reference for c in due_for_legal_review(user)]


@pytest.fixture
def due(world):
    for key in ("a", "b", "u"):
        mark(world.cases[key])
    return world


def test_the_cases_due_for_legal_review_largest_balance_first(due):
    world = due
    cases = sorted((world.cases[k] for k in ("a", "b", "u")), key=lambda c: (-c.total_balance, c.pk))
    assert refs(world.users["manager"]) == [c.reference for c in cases]
    assert refs(world.users["legal"]) == refs(world.users["manager"])


def test_other_path_actions_closed_cases_and_cases_in_legal_are_left_out(due, old_case):
    world = due
    mark(world.cases["b"], action="call")
    mark(old_case, action="")
    Case.objects.filter(pk=world.cases["u"].pk).update(status="settled")
    assert refs(world.users["manager"]) == [world.cases["a"].reference]
    legal = services.enter_legal(world.users["legal"], world.cases["a"])
    assert refs(world.users["manager"]) == []
    services.close_legal(world.users["legal"], legal, reason="withdrawn")
    # a closed legal track is no active one: still marked by the run, the case is due again
    assert refs(world.users["manager"]) == [world.cases["a"].reference]


def test_a_case_without_end_of_day_state_is_not_due(world):
    mark(world.cases["a"])
    assert refs(world.users["manager"]) == [world.cases["a"].reference]
    CaseState.objects.all().delete()
    assert refs(world.users["manager"]) == []


def test_each_user_sees_only_the_cases_of_their_scope(due):
    world = due
    assert refs(world.users["col_a"]) == [world.cases["a"].reference]
    assert refs(world.users["col_b"]) == [world.cases["b"].reference]
    assert refs(world.users["lead_a"]) == [world.cases["a"].reference]
    assert set(refs(world.users["viewer"])) == {world.cases["a"].reference, world.cases["u"].reference}
    assert len(refs(world.users["manager"])) == 3


def test_the_page_is_for_legal_managers_and_compliance(client, due):
    for name, code in (("legal", 200), ("manager", 200), ("admin", 200), ("compliance", 200),
                       ("col_a", 403), ("lead_a", 403), ("field", 403), ("viewer", 403)):
        assert login(client, due, name).get(reverse("legal:review")).status_code == code, name


@pytest.mark.parametrize("lang,title", [(None, "待法务审查"), ("en", "Due for legal review")])
def test_the_page_lists_the_cases_with_limitation_and_hand_off(client, due, old_case, lang, title):
    world = due
    mark(old_case)
    html = login(client, world, "legal", lang).get(reverse("legal:review")).content.decode()
    assert f"<h1>{title}</h1>" in html
    for key in ("a", "b", "u"):
        case = world.cases[key]
        assert f'href="{reverse("case-detail", args=[case.pk])}#legal">{case.reference}' in html
        assert f'action="{reverse("legal:enter", args=[case.pk])}"' in html
    assert world.cases["a"].debtor.full_name in html and "示例银行" in html and "2026-12-06" in html
    assert "late · legal" in html
    lim = services.limitation_of(world.cases["b"])
    assert lim.expires_on.isoformat() in html
    # the time-barred debt: its reason instead of a form
    assert old_case.reference in html and f'action="{reverse("legal:enter", args=[old_case.pk])}"' not in html
    assert ("诉讼时效已于" if lang is None else "limitation period") in html
    if lang == "en":  # every string translated: the only Chinese left is data (names)
        for value in ["简体中文", old_case.debtor.full_name, *(c.name for c in world.creditors.values()),
                      *(c.debtor.full_name for c in world.cases.values())]:
            html = html.replace(value, "")
        assert not re.findall(r"[\u4e00-\u9fff]", html)


def test_compliance_reads_the_list_without_hand_off_forms(client, due):
    html = login(client, due, "compliance").get(reverse("legal:review")).content.decode()
    assert due.cases["a"].reference in html and "legal-review-enter" not in html


def test_the_page_reads_a_fixed_number_of_queries(client, due):
    """The limitation period of each row comes from what the list read (accounts, instalments, payments and
    acknowledgements, prefetched): the page's queries do not grow with its rows."""
    world = due
    login(client, world, "legal")
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("legal:review"))
    Case.objects.filter(pk=world.cases["u"].pk).update(status="settled")
    with CaptureQueriesContext(connection) as two:
        client.get(reverse("legal:review"))
    assert len(three) == len(two)


def test_hand_off_from_the_list_enters_the_legal_track_and_the_case_leaves_it(client, due):
    world = due
    case = world.cases["b"]
    login(client, world, "legal")
    review = reverse("legal:review")
    r = client.post(reverse("legal:enter", args=[case.pk]), {"law_firm": "正义律师事务所", "next": review})
    assert r.status_code == 302 and r["Location"] == review
    legal = LegalCase.objects.get(case=case)
    assert legal.law_firm == "正义律师事务所" and legal.opened_by == world.users["legal"]
    event = AuditEvent.objects.get(action="legal.enter")
    assert event.actor == world.users["legal"] and event.object_id == str(legal.pk)
    html = client.get(review).content.decode()
    assert "案件已转入法律程序" in html and case.reference not in html
    assert world.cases["a"].reference in html


def test_hand_off_of_a_time_barred_debt_is_refused_with_the_reason(client, due, old_case):
    world = due
    mark(old_case)
    login(client, world, "legal")
    r = client.post(reverse("legal:enter", args=[old_case.pk]), {"next": reverse("legal:review")}, follow=True)
    html = r.content.decode()
    assert "未能转入法律程序" in html and "诉讼时效已于" in html
    assert not LegalCase.objects.exists() and not AuditEvent.objects.filter(action="legal.enter").exists()
    assert old_case.reference in refs(world.users["legal"])


def test_a_next_page_elsewhere_is_ignored(client, due):
    world = due
    case = world.cases["a"]
    r = login(client, world, "legal").post(reverse("legal:enter", args=[case.pk]),
                                           {"next": "https://elsewhere.example/"})
    assert r.status_code == 302 and r["Location"] == reverse("case-detail", args=[case.pk]) + "#legal"


def test_the_end_of_day_count_links_to_the_list_for_those_who_may_read_it(client, due):
    from concord.staff.models import User

    EodRun.objects.create(as_of=AS_OF, engine="duckdb", status="succeeded", started_at="2026-12-07T01:00:00Z",
                          finished_at="2026-12-07T01:01:00Z", summary={"path_actions": {"legal_review": 3}})
    link = f'<a href="{reverse("legal:review")}">3</a>'
    assert link in login(client, due, "manager").get("/eod/").content.decode()
    client.force_login(User.objects.create_user(username="op", password="pw-op", role="operator"))
    html = client.get("/eod/").content.decode()
    assert '<tr data-action="legal_review">' in html and link not in html
