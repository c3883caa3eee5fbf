"""The workbench pages: My work, next case, the call flow on the case page, denied actions explained, team queue,
scripts; and a case page whose query count does not grow with the case."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from concord.workbench import promises
from concord.cases.activities import log_activity
from concord.cases.models import Activity, Case
from concord.workbench.models import Promise, Script, Task
from concord.compliance.models import ContactDecision
from concord.core import clock
from concord.debtors import services as debtor_services
from concord.loans import services as loans

pytestmark = pytest.mark.django_db


def login(client, world, name):
    client.force_login(world.users[name])
    return client


def test_my_work_lists_the_queue_and_next_case_claims(client, crew):
    login(client, crew, "col_a")
    promises.record_promise(None, crew.cases["u"], amount="100", due_date=clock.today())
    page = client.get(reverse("my-work")).content.decode()
    assert crew.cases["a"].reference in page and crew.cases["u"].reference in page
    assert crew.cases["b"].reference not in page                        # col_b's case
    assert page.index(crew.cases["u"].reference) < page.index(crew.cases["a"].reference)  # promise due first
    response = client.post(reverse("work-next"))
    assert response.status_code == 302 and response.url == reverse("case-detail", args=[crew.cases["u"].pk])
    assert Case.objects.get(pk=crew.cases["u"].pk).claimed_by == crew.users["col_a"]


def test_the_call_flow_on_the_case_page(client, crew):
    case = crew.cases["a"]
    login(client, crew, "col_a")
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    point = case.debtor.contact_points.get(kind="mobile")
    assert f'value="cp:{point.pk}"' in page and "可联系" in page
    response = client.post(reverse("case-call", args=[case.pk]), {"target": f"cp:{point.pk}"})
    decision = ContactDecision.objects.get()
    assert decision.allowed and response.url.endswith(f"?call={decision.pk}#call")
    page = client.get(response.url).content.decode()
    assert 'href="tel:+8613812348000"' in page and 'id="call-form"' in page
    assert "第三方接听" in page and "经济困难" in page                        # scripts beside the form
    due = clock.today() + dt.timedelta(days=3)
    response = client.post(reverse("case-call-log", args=[case.pk]), {
        "decision": decision.pk, "outcome": "conversation", "result_codes": ["promise"], "duration_seconds": 90,
        "note": "同意三天后还款", "promise_amount": "1200.00", "promise_date": due.isoformat()})
    assert response.status_code == 302
    assert Activity.objects.filter(kind="call").count() == 1
    assert Promise.objects.get().amount == Decimal("1200.00")
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert 'id="call-form"' not in page and "同意三天后还款" in page


def test_a_bad_disposition_is_explained_and_keeps_the_allow(client, crew):
    case = crew.cases["a"]
    login(client, crew, "col_a")
    point = case.debtor.contact_points.get(kind="mobile")
    client.post(reverse("case-call", args=[case.pk]), {"target": f"cp:{point.pk}"})
    decision = ContactDecision.objects.get()
    response = client.post(reverse("case-call-log", args=[case.pk]), {
        "decision": decision.pk, "outcome": "conversation", "result_codes": ["callback"], "duration_seconds": 10},
        follow=True)
    page = response.content.decode()
    assert "回电时间" in page and 'id="call-form"' in page
    assert not Activity.objects.filter(kind="call").exists()


def test_denied_actions_are_disabled_and_explained(client, crew, clock_at):
    case = crew.cases["a"]
    debtor_services.add_related_party(None, case.debtor, role="emergency_contact", full_name="吴九",
                                      phone="13500000001")
    clock_at(dt.datetime.combine(clock.today(), dt.time(22, 30), clock.now().tzinfo))
    login(client, crew, "col_a")
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "disabled" in page and "不可联系" in page and "最早可于" in page
    assert "需先变更状态" in page                                     # the friend: only when lost contact
    point = case.debtor.contact_points.get(kind="mobile")
    response = client.post(reverse("case-call", args=[case.pk]), {"target": f"cp:{point.pk}"}, follow=True)
    assert "合规闸门拒绝" in response.content.decode()
    denied = ContactDecision.objects.get(allowed=False)
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert 'id="denials"' in page and denied.reason_zh in page   # the denied attempt stays visible with its reason


def test_tasks_and_promises_from_the_case_page(client, crew):
    case = crew.cases["a"]
    login(client, crew, "col_a")
    due = (clock.now() + dt.timedelta(hours=2)).astimezone(clock.now().tzinfo)
    client.post(reverse("case-task", args=[case.pk]), {"title": "下午回访", "kind": "follow_up",
                                                       "due_at": due.strftime("%Y-%m-%dT%H:%M")})
    task = Task.objects.get()
    assert "下午回访" in client.get(reverse("my-work")).content.decode()
    client.post(reverse("work-task-complete", args=[task.pk]), {"result": "完成", "next": "work"})
    assert Task.objects.get().done_at is not None
    response = client.post(reverse("case-promise", args=[case.pk]), {"amount": "0", "due_date": "2020-01-01"},
                           follow=True)
    assert "承诺还款未登记" in response.content.decode() and not Promise.objects.exists()


def test_team_queue_and_scripts(client, crew):
    from concord.workbench import claims

    claims.claim_case(crew.users["col_a"], crew.cases["a"])
    login(client, crew, "lead_a")
    page = client.get(reverse("work-team")).content.decode()
    assert crew.cases["a"].reference in page and crew.cases["b"].reference not in page
    assert "col_a" in page and "/arrangements/approvals/" in page
    assert client.get(reverse("work-scripts")).status_code == 200
    assert client.get(reverse("work-script-edit", args=[Script.objects.first().pk])).status_code == 403
    login(client, crew, "col_a")
    assert client.get(reverse("work-team")).status_code == 403
    login(client, crew, "manager")
    script = Script.objects.get(topic="anger")
    response = client.post(reverse("work-script-edit", args=[script.pk]), {
        "title_zh": "情绪激动", "title_en": "Anger", "body_zh": "先倾听。", "body_en": "Listen first."})
    assert response.status_code == 302 and Script.objects.get(pk=script.pk).body_en == "Listen first."


def test_recordings_play_only_for_allowed_roles(client, crew, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from concord.workbench import calls

    settings.DATA_DIR = tmp_path
    case = crew.cases["a"]
    decision = calls.start_call(crew.users["col_a"], case, contact_point=case.debtor.contact_points.first())
    activity = calls.log_call(crew.users["col_a"], case, decision, outcome="no_answer",
                              recording=SimpleUploadedFile("a.wav", b"RIFF0000", content_type="audio/wav"))
    url = reverse("work-recording", args=[activity.recording.pk])
    assert login(client, crew, "col_a").get(url).status_code == 403
    response = login(client, crew, "lead_a").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"RIFF0000"
    assert login(client, crew, "col_b").get(url).status_code == 404          # not their case


def _grow(case, n, start=0):
    """n more accounts with a payment each, and 3n activities."""
    product = case.creditor.products.get(kind="online_loan")
    for i in range(start, start + n):
        account = loans.open_account(None, case=case, product=product, reference=f"GROW-{case.pk}-{i}",
                                     contract_amount=Decimal("6000"), annual_rate=Decimal("0.18"),
                                     method="equal_installment", term_months=6, start_date=dt.date(2026, 3, 1),
                                     as_of=dt.date(2026, 11, 28), paid_instalments=1)
        loans.record_payment(None, account=account, amount=Decimal("50"), paid_at=clock.now() - dt.timedelta(
            days=1), channel="bank_transfer", external_reference=f"G-{case.pk}-{i}")
        for j in range(3):
            log_activity(None, case, kind="note", summary=f"备注 {i}-{j}")
    promises.record_promise(None, case, amount="100", due_date=clock.today())


def test_the_case_page_runs_a_bounded_number_of_queries(client, crew, django_assert_max_num_queries):
    case = crew.cases["u"]
    login(client, crew, "col_a")
    url = reverse("case-detail", args=[case.pk])
    _grow(case, 1)
    # 33: session, user, case, the borrower file read once for every section and panel (contact points, parties,
    # profiles, assets, accounts with schedules and payments), each panel's own rows (the portal's: one read of
    # whether the borrower used it), the gate's one read of the person, the claim's renewal, and the user's started
    # calls not yet logged (the banner on every page), and for the arrangement panel's bounds the creditor's policy,
    # its approval ladder and the case's last end-of-day state (the strategy's offer); one more query anywhere fails
    # here (42 before the shared read)
    with django_assert_max_num_queries(34) as small:
        assert client.get(url).status_code == 200
    _grow(case, 8, start=1)
    with django_assert_max_num_queries(len(small.captured_queries)) as big:
        assert client.get(url).status_code == 200
    assert len(big.captured_queries) == len(small.captured_queries), [q["sql"][:90] for q in big.captured_queries]


def test_a_note_from_the_case_page(client, crew):
    case = crew.cases["a"]
    login(client, crew, "col_a")
    client.post(reverse("case-note", args=[case.pk]), {"text": "核对地址后再联系"})
    assert "核对地址后再联系" in client.get(reverse("case-detail", args=[case.pk])).content.decode()
    response = client.post(reverse("case-note", args=[case.pk]), {"text": "再不还钱就爆通讯录"}, follow=True)
    assert "备注未保存" in response.content.decode()
    assert Activity.objects.filter(kind="note").count() == 1


def test_my_work_follows_the_end_of_day_queue_when_a_run_made_one(client, crew):
    from concord.eod.models import EodRun, QueueEntry

    a, u = crew.cases["a"], crew.cases["u"]
    login(client, crew, "col_a")
    before = client.get(reverse("my-work")).content.decode()
    first_by_priority = a if before.index(a.reference) < before.index(u.reference) else u
    other = u if first_by_priority == a else a
    run = EodRun.objects.create(as_of=clock.today() - dt.timedelta(days=1), engine="duckdb", status="succeeded",
                                started_at=clock.now())
    for position, case in enumerate([other, first_by_priority], start=1):   # the run put them the other way round
        QueueEntry.objects.create(run=run, day=clock.today(), collector=crew.users["col_a"], position=position,
                                  case=case, channel="call", priority=position, earliest_at=clock.now())
    page = client.get(reverse("my-work")).content.decode()
    assert page.index(other.reference) < page.index(first_by_priority.reference)
