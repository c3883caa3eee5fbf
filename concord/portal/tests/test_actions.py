"""What the borrower does: plans (automatic or to the approvals queue), promises, disputes and pauses, contact
preferences the gate applies, invitations gated like any message; every action audited with the borrower."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concord.arrangements import services as arrangements
from concord.arrangements.models import Arrangement, ArrangementStatus
from concord.arrangements.selectors import approvals_queue
from concord.compliance import services as compliance
from concord.compliance.models import Complaint, Hold
from concord.core import clock
from concord.core.actors import Borrower
from concord.core.models import AuditEvent
from concord.portal import actions

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def me(world):
    return Borrower(world.cases["a"].debtor_id)


def test_a_plan_within_the_automatic_authority_starts_at_once(borrower_client, two_debts):
    case = two_debts.cases["a"]
    url = reverse("portal-plan", args=[case.pk])
    page = borrower_client.post(url, {"step": "assess", "income": "12000", "household": "5000", "other_debt": "2500"})
    body = page.content.decode()
    assert "选择此方案" in body and "选择后立即确认" in body
    form = {"step": "choose", "kind": "instalment_plan", "months": "", "discount_amount": "0.00",
            "income": "12000", "household": "5000", "other_debt": "2500"}
    import re
    form["months"] = re.search(r'name="months" value="(\d+)"', body).group(1)
    done = borrower_client.post(url, form)
    assert done.status_code == 302
    arrangement = Arrangement.objects.get(case=case)
    assert arrangement.status == ArrangementStatus.ACTIVE and arrangement.proposed_by is None
    assert arrangement.hold is not None
    assert case.debtor.financial_profiles.first().source == "portal"
    pdf = borrower_client.get(reverse("portal-plan-pdf", args=[case.pk, arrangement.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    actors = set(AuditEvent.objects.filter(action__in=["arrangement.propose", "arrangement.activate",
                                                       "financial_profile.record"]).values_list("actor_label",
                                                                                                 flat=True))
    assert actors == {f"borrower:{case.debtor_id}"}


def test_a_discount_goes_to_the_approvals_queue(borrower_client, two_debts):
    case = two_debts.cases["a"]
    actions.record_finances(me(two_debts), case.debtor, income="12000", household="5000", other_debt="2500")
    from concord.arrangements import authority
    authority.set_policy(two_debts.users["manager"], case.creditor, settlement_max_months=12)
    discount = (case.total_balance * Decimal("0.05")).quantize(Decimal("0.01"))
    arrangement = actions.choose_plan(me(two_debts), case, kind="settlement", months=8, discount_amount=discount)
    assert arrangement.status == ArrangementStatus.PROPOSED and arrangement.required_role == "team_lead"
    lead = two_debts.users["lead_a"]
    assert arrangement in approvals_queue(lead)
    page = borrower_client.get(reverse("portal-plan-done", args=[case.pk, arrangement.pk]))
    assert "提交审批" in page.content.decode()
    arrangements.approve(lead, arrangement, reason="收入属实")
    page = borrower_client.get(reverse("portal-plan-done", args=[case.pk, arrangement.pk]))
    assert 'id="plan-accept"' in page.content.decode()
    borrower_client.post(reverse("portal-plan-done", args=[case.pk, arrangement.pk]))
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.ACTIVE


def test_a_promise(borrower_client, two_debts):
    case = two_debts.cases["a2"]
    due = clock.today() + dt.timedelta(days=5)
    response = borrower_client.post(reverse("portal-promise", args=[case.pk]), {"amount": "300", "due_date": due})
    assert response.status_code == 302
    promise = case.promises.get()
    assert promise.amount == Decimal("300") and promise.created_by is None
    assert AuditEvent.objects.get(action="promise.record").actor_label == f"borrower:{case.debtor_id}"


def test_disputes_complaints_and_pauses(borrower_client, two_debts, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    case = two_debts.cases["a2"]
    url = reverse("portal-issue", args=[case.pk])
    response = borrower_client.post(url, {"reason": "already_paid", "details": "12月1日已转账",
                                          "receipt": SimpleUploadedFile("receipt.png", PNG, "image/png")})
    assert response.status_code == 302
    dispute = Complaint.objects.get(case=case)
    assert dispute.kind == "dispute" and dispute.source == "portal" and dispute.category == "amount"
    assert dispute.due_at == dispute.received_at + dt.timedelta(days=compliance.deadline_days(case.creditor, "dispute"))
    assert dispute.hold.released_at is None
    from concord.portal.models import DisputeFile
    stored = DisputeFile.objects.get(complaint=dispute)
    from pathlib import Path

    from concord.core.sealed import is_sealed, read_plain
    assert stored.size == len(PNG) and is_sealed(Path(stored.path)) and read_plain(Path(stored.path)) == PNG
    # a file that is not a PDF or an image is refused, nothing written
    bad = borrower_client.post(url, {"reason": "wrong_amount",
                                     "receipt": SimpleUploadedFile("x.exe", b"MZ\x90\x00", "image/png")})
    assert bad.status_code == 200 and "只接受" in bad.content.decode()
    assert Complaint.objects.filter(case=case).count() == 1
    borrower_client.post(url, {"reason": "illness", "details": ""})
    pause = Hold.objects.get(kind="breathing_space")
    assert pause.creditor == case.creditor and (pause.until - pause.placed_at).days == 60
    page = borrower_client.get(reverse("portal-debt", args=[case.pk])).content.decode()
    assert "处理中" in page and "暂缓催收" in page
    assert AuditEvent.objects.filter(action="compliance.complaint.open").get().actor_label.startswith("borrower:")


def decide(world, channel, case="a"):
    number = "13812348000" if channel in ("call", "sms") else None
    return compliance.decide_contact(world.users["manager"], case=world.cases[case], channel=channel, number=number)


def test_preferences_are_what_the_gate_applies(borrower_client, two_debts):
    assert decide(two_debts, "sms").allowed and decide(two_debts, "call").allowed
    url = reverse("portal-preferences")
    response = borrower_client.post(url, {"stop": ["sms"], "language": "zh-hans"})
    assert response.status_code == 302
    sms = decide(two_debts, "sms")
    assert not sms.allowed and "CEASE" in sms.rules
    assert not decide(two_debts, "sms", case="a2").allowed  # every creditor's debts
    assert decide(two_debts, "call").allowed
    borrower_client.post(url, {"writing_only": "on", "language": "en", "hours_from": "18:00", "hours_to": "21:00"})
    assert not decide(two_debts, "call").allowed and not decide(two_debts, "sms").allowed
    two_debts.cases["a"].debtor.refresh_from_db()
    assert two_debts.cases["a"].debtor.locale == "en"
    # contact hours 18:00–21:00: now (10:00) is outside them, so even a letter is not sent now
    letter = decide(two_debts, "letter")
    assert not letter.allowed and [d["key"] for d in letter.inputs["denials"]] == ["inconvenient"]
    borrower_client.post(url, {"language": "zh-hans"})  # everything the borrower stopped here, started again
    assert decide(two_debts, "sms").allowed and decide(two_debts, "call").allowed


def test_invitations_are_gated(two_debts, settings, tmp_path):
    settings.CONCORD_OUTBOX_DIR = str(tmp_path / "outbox")
    settings.CONCORD_PORTAL_BASE_URL = "https://pay.example.cn"
    col = two_debts.users["manager"]
    outcome = actions.invite(col, two_debts.cases["a"])
    assert outcome.allowed and "https://pay.example.cn/p/in/" in outcome.message.body
    # the link in the message signs the borrower in (once)
    from django.test import Client
    path = "/p/in/" + outcome.message.body.split("/p/in/")[1].split("/")[0] + "/"
    assert Client().post(path).status_code == 302
    # the staff's preview shows a placeholder, never a working link
    from concord.outreach import services as outreach
    template = outreach.template_for(two_debts.cases["a"], "portal_invite", "sms")
    preview = outreach.render_message(two_debts.cases["a"], template, extra=outreach.SEND_TIME_PLACEHOLDERS)
    assert "/p/in/…/" in preview.body
    actions.set_preferences(me(two_debts), two_debts.cases["a"].debtor, stop=["sms"])
    denied = actions.invite(col, two_debts.cases["a"])
    assert not denied.allowed and denied.message is None


def test_the_case_page_shows_what_the_borrower_chose(client, two_debts):
    actions.set_preferences(me(two_debts), two_debts.cases["a"].debtor, stop=["sms"], hours_from=dt.time(18),
                            hours_to=dt.time(21))
    client.force_login(two_debts.users["col_a"])
    page = client.get(reverse("case-detail", args=[two_debts.cases["a"].pk])).content.decode()
    assert 'id="portal"' in page and "18:00–21:00" in page and "sms" in page
