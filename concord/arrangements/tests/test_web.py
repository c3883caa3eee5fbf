"""The case-page panel and the approvals queue: who sees what, in Chinese and English, and the forms' round trips."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from concord.arrangements import services
from concord.arrangements.models import Arrangement
from concord.arrangements.models import ArrangementStatus as S
from concord.cases.models import Activity
from concord.core import clock


def login(client, world, username, lang=None):
    client.force_login(world.users[username])
    if lang:
        client.cookies["django_language"] = lang
    return client


def case_url(world, key="a", **query):
    url = reverse("case-detail", args=[world.cases[key].pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def proposed(world, rate="0.10", user="col_a", key="a", months=12):
    bal = world.cases[key].total_balance
    return services.propose(world.users[user], world.cases[key], kind="settlement", months=months,
                            discount_amount=(bal * Decimal(rate)).quantize(Decimal("0.01"), rounding="ROUND_DOWN"),
                            first_due=clock.today() + dt.timedelta(days=10), reason="借款人收入下降，申请减免")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_case_panel_shows_the_calculator_side_by_side_with_chart_and_schedule(client, arr, lang):
    login(client, arr, "col_a", lang)
    r = client.get(case_url(arr))
    assert r.status_code == 200 and r["Content-Language"] == lang
    html = r.content.decode()
    for marker in ('id="arrangements"', 'id="arrangement-affordability"', 'id="arrangement-proposals"',
                   'id="arrangement-chart"', "<svg", 'id="arrangement-chosen"', 'id="arrangement-propose-form"'):
        assert marker in html, marker
    panel = dict((panel.name, ctx) for panel, ctx in r.context["panels"])["arrangements"]
    first = panel["proposals"][0]["p"]
    assert panel["chosen"]["p"] == first and panel["assessment"].monthly_cap == Decimal("2250.00")
    r2 = client.get(case_url(arr, plan=1))
    chosen = dict((p.name, c) for p, c in r2.context["panels"])["arrangements"]["chosen"]
    assert chosen["index"] == 1 and 'id="arrangement-chosen"' in r2.content.decode()


def test_no_profile_and_hardship_are_explained(client, arr):
    login(client, arr, "manager")
    html = client.get(case_url(arr, "u")).content.decode()
    assert 'id="arrangement-hardship"' in html and "转困难评估" in html and 'id="arrangement-propose-form"' not in html
    r = client.post(reverse("arrangement-hardship", args=[arr.cases["u"].pk]), {"reason": "失业，靠低保生活"})
    assert r.status_code == 302
    assert Activity.objects.filter(case=arr.cases["u"], details__hardship_review=True).exists()
    arr.cases["a"].debtor.financial_profiles.all().delete()
    html = client.get(case_url(arr)).content.decode()
    assert 'id="arrangement-no-profile"' in html


def test_viewer_sees_arrangements_read_only(client, arr):
    proposed(arr)
    login(client, arr, "viewer")
    html = client.get(case_url(arr)).content.decode()
    assert 'id="arrangement-list"' in html and 'id="arrangement-proposals"' not in html
    assert 'id="arrangement-propose-form"' not in html and "arrangement-approve" not in html
    assert client.get(reverse("arrangement-approvals")).status_code == 403
    r = client.post(reverse("arrangement-propose", args=[arr.cases["a"].pk]), {})
    assert r.status_code == 403


def test_propose_through_the_form_and_errors_name_the_field(client, arr):
    login(client, arr, "col_a")
    url = reverse("arrangement-propose", args=[arr.cases["a"].pk])
    first_due = (clock.today() + dt.timedelta(days=10)).isoformat()
    r = client.post(url, {"kind": "instalment_plan", "months": "2", "discount_amount": "0", "first_due": first_due,
                          "reason": "借款人同意"}, follow=True)
    assert Arrangement.objects.count() == 0
    assert "还款方案未提出" in r.content.decode() and "超过上限" in r.content.decode()
    r = client.post(url, {"kind": "instalment_plan", "months": "12", "discount_amount": "0", "first_due": first_due,
                          "reason": "借款人同意按月还款"})
    assert r.status_code == 302 and r["Location"].endswith("#arrangements")
    a = Arrangement.objects.get()
    assert a.status == S.APPROVED and a.months == 12
    # the collector starts it once the borrower confirms
    client.post(reverse("arrangement-activate", args=[a.pk]))
    a.refresh_from_db()
    assert a.status == S.ACTIVE and a.hold.active
    html = client.get(case_url(arr)).content.decode()
    assert "履行中" in html and 'id="arrangement-propose-form"' not in html


def test_other_collectors_cannot_touch_the_case(client, arr):
    a = proposed(arr)
    login(client, arr, "col_b")
    assert client.post(reverse("arrangement-propose", args=[arr.cases["a"].pk]), {}).status_code == 404
    assert client.post(reverse("arrangement-activate", args=[a.pk])).status_code == 404


def test_approvals_queue_shows_what_is_within_authority(client, arr):
    small = proposed(arr)  # 10%: a team lead may decide
    big = proposed(arr, "0.20", "col_b", "b", months=6)  # 20% on team B's case: a manager
    assert (small.status, big.status) == (S.PROPOSED, S.PROPOSED)
    login(client, arr, "lead_a")
    r = client.get(reverse("arrangement-approvals"))
    assert [a.pk for a in r.context["queue"]] == [small.pk]
    html = r.content.decode()
    assert "借款人收入下降，申请减免" in html and "4,500.00" in html and arr.cases["a"].reference in html
    login(client, arr, "manager", "en")
    r = client.get(reverse("arrangement-approvals"))
    assert r.status_code == 200 and r["Content-Language"] == "en"
    assert {a.pk for a in r.context["queue"]} == {small.pk, big.pk}
    login(client, arr, "col_a")
    assert client.get(reverse("arrangement-approvals")).status_code == 403


def test_approve_and_reject_from_the_queue(client, arr):
    a = proposed(arr)
    login(client, arr, "lead_a")
    r = client.post(reverse("arrangement-approve", args=[a.pk]), {"reason": "", "next": "approvals"}, follow=True)
    a.refresh_from_db()
    assert a.status == S.PROPOSED and "审批未完成" in r.content.decode()
    r = client.post(reverse("arrangement-approve", args=[a.pk]), {"reason": "核实无误", "next": "approvals"})
    assert r.status_code == 302 and r["Location"] == reverse("arrangement-approvals")
    a.refresh_from_db()
    assert a.status == S.APPROVED
    assert client.get(reverse("arrangement-approvals")).context["queue"] == []
    b = proposed(arr, "0.05", "col_b", "b", months=6)
    login(client, arr, "manager")
    client.post(reverse("arrangement-reject", args=[b.pk]), {"reason": "请先核实收入"})
    b.refresh_from_db()
    assert b.status == S.REJECTED and b.approvals.get().decision == "reject"


def test_creditor_decision_from_the_queue(client, arr):
    a = proposed(arr, "0.40")
    assert a.status == S.AWAITING_CREDITOR
    login(client, arr, "lead_a")
    assert client.get(reverse("arrangement-approvals")).context["queue"] == []
    assert client.post(reverse("arrangement-creditor-decision", args=[a.pk]),
                       {"approved": "yes", "reference": "X", "reason": "y"}).status_code == 403
    login(client, arr, "manager")
    html = client.get(reverse("arrangement-approvals")).content.decode()
    assert f'id="approval-{a.pk}"' in html and reverse("arrangement-creditor-decision", args=[a.pk]) in html
    client.post(reverse("arrangement-creditor-decision", args=[a.pk]),
                {"approved": "yes", "reference": "BANK-118", "reason": "银行书面同意", "next": "approvals"})
    a.refresh_from_db()
    assert a.status == S.APPROVED and a.approvals.get().reference == "BANK-118"


def test_approve_form_only_for_approvers_whose_limit_covers_it(client, arr):
    small = proposed(arr)
    login(client, arr, "lead_a")
    html = client.get(case_url(arr)).content.decode()
    assert reverse("arrangement-approve", args=[small.pk]) in html and 'id="nav-approvals"' in html
    services.reject(arr.users["lead_a"], small, reason="请重新协商")
    big = proposed(arr, "0.20")
    html = client.get(case_url(arr)).content.decode()
    assert reverse("arrangement-approve", args=[big.pk]) not in html and "需 催收经理 审批" in html
    login(client, arr, "col_a")
    html = client.get(case_url(arr)).content.decode()
    assert reverse("arrangement-approve", args=[big.pk]) not in html and 'id="nav-approvals"' not in html


def test_case_page_queries_do_not_grow_with_arrangements(client, arr):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, arr, "lead_a")
    services.reject(arr.users["lead_a"], proposed(arr), reason="请重新协商")
    proposed(arr)
    with CaptureQueriesContext(connection) as one:
        client.get(case_url(arr))
    Arrangement.objects.filter(status=S.PROPOSED).update(status=S.REJECTED)
    for _ in range(4):
        services.reject(arr.users["lead_a"], proposed(arr), reason="请重新协商")
    proposed(arr)
    with CaptureQueriesContext(connection) as many:
        client.get(case_url(arr))
    assert len(many) == len(one)
