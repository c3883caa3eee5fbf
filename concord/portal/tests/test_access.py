"""A borrower reaches only their own debts: another person's case, account, letter, plan or order id is a 404 on
every endpoint; and the first page is small, with no script at all."""
import re

import pytest
from django.urls import reverse

from concord.compliance import services as compliance
from concord.core import clock
from concord.core.actors import Borrower
from concord.outreach.models import OutboundMessage
from concord.portal.payments import ledger

pytestmark = pytest.mark.django_db


def letter(case):
    decision = compliance.decide_contact(None, case=case, channel="letter")
    return OutboundMessage.objects.create(case=case, channel="letter", language="zh-hans", to="x", subject="通知",
                                          body="正文", decision=decision, created_at=clock.now(), status="sent")


def test_another_persons_ids_are_404_everywhere(borrower_client, two_debts):
    from concord.arrangements.tests.conftest import profile
    from concord.portal import actions

    other = two_debts.cases["b"]  # 李四's
    profile(other.debtor, "8000", "3000", "1000")
    from concord.arrangements import services as arrangements
    theirs = arrangements.propose(two_debts.users["manager"], other, kind="instalment_plan", months=12,
                                  first_due=clock.today(), reason="测试")
    their_letter = letter(other)
    their_order = ledger.start_payment(Borrower(other.debtor_id), account=other.accounts.get(), amount="10",
                                       provider="sandbox")
    mine = two_debts.cases["a"]
    my_letter = letter(mine)
    urls = [
        ("get", reverse("portal-debt", args=[other.pk])),
        ("get", reverse("portal-letter", args=[other.pk, their_letter.pk])),
        ("get", reverse("portal-letter", args=[mine.pk, their_letter.pk])),
        ("get", reverse("portal-pay", args=[other.pk])),
        ("post", reverse("portal-pay", args=[other.pk])),
        ("get", reverse("portal-plan", args=[other.pk])),
        ("post", reverse("portal-plan", args=[other.pk])),
        ("get", reverse("portal-plan-done", args=[other.pk, theirs.pk])),
        ("get", reverse("portal-plan-done", args=[mine.pk, theirs.pk])),
        ("post", reverse("portal-plan-done", args=[mine.pk, theirs.pk])),
        ("get", reverse("portal-plan-pdf", args=[mine.pk, theirs.pk])),
        ("get", reverse("portal-promise", args=[other.pk])),
        ("post", reverse("portal-promise", args=[other.pk])),
        ("get", reverse("portal-issue", args=[other.pk])),
        ("post", reverse("portal-issue", args=[other.pk])),
        ("get", reverse("portal-order", args=[their_order.out_trade_no])),
        ("get", reverse("portal-debt", args=[999999])),
    ]
    for method, url in urls:
        response = getattr(borrower_client, method)(url, {})
        assert response.status_code == 404, (method, url, response.status_code)
    # paying someone else's account from my own debt's page
    response = borrower_client.post(reverse("portal-pay", args=[mine.pk]),
                                    {"account": other.accounts.get().pk, "amount": "1", "provider": "sandbox"})
    assert response.status_code == 404
    # and my own are there
    assert borrower_client.get(reverse("portal-letter", args=[mine.pk, my_letter.pk])).status_code == 200
    with pytest.raises(Exception):
        actions.promise(Borrower(mine.debtor_id), other, amount="1", due_date=clock.today())


def test_the_first_pages_are_small_and_script_free(client, borrower_client, two_debts):
    from django.contrib.staticfiles import finders

    css = len(open(finders.find("portal/portal.css"), "rb").read())
    for page in (client.get(reverse("portal-signin")), borrower_client.get(reverse("portal-home"))):
        html = page.content
        assert b"<script" not in html and b" on" + b"click=" not in html.lower()
        assert not re.search(rb"https?://", html.split(b"<body>")[0])  # nothing third-party in the head
        assert len(html) + css < 100_000, len(html) + css
        assert b'lang="zh-Hans"' in html and b'name="viewport"' in html
    form = client.get(reverse("portal-signin")).content.decode()
    for name in ("name", "id_last4", "mobile"):
        assert re.search(rf'<label for="id_{name}">', form)


def test_english(client, two_debts):
    page = client.get(reverse("portal-signin") + "?lang=en")
    assert b"Get a code" in page.content and b'lang="en"' in page.content
    assert client.get(reverse("portal-signin")).content.count(b"Get a code") == 1  # the choice is remembered
