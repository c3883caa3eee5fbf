"""Getting in: a code by SMS to a number on the file, no existence oracle, limits, lockout, idle sessions, links,
and the portal's session kept apart from the staff's."""
import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from concord.core import clock
from concord.core.models import AuditEvent
from concord.portal import services, tokens
from concord.portal.auth import COOKIE
from concord.portal.models import CodeChallenge, Lockout, PortalSession

from .conftest import PHONE
from .helpers import last_code

pytestmark = pytest.mark.django_db


def ask(client, name="张三", id4=None, mobile=PHONE, world=None):
    id4 = id4 or world.cases["a"].debtor.id_last4
    return client.post(reverse("portal-signin"), {"name": name, "id_last4": id4, "mobile": mobile})


def test_sign_in_by_code(client, two_debts):
    response = ask(client, world=two_debts)
    assert response.status_code == 302 and "/p/code/?c=" in response["Location"]
    code = last_code(PHONE)
    assert code
    page = client.get(response["Location"])
    assert "138****8000" in page.content.decode()
    done = client.post(reverse("portal-code"), {"challenge": response["Location"].split("c=")[1], "code": code})
    assert done.status_code == 302 and done["Location"] == reverse("portal-home")
    cookie = done.cookies[COOKIE]
    assert cookie["httponly"] and cookie["path"] == "/p/" and cookie["samesite"] == "Lax"
    home = client.get(reverse("portal-home"))
    assert home.status_code == 200
    body = home.content.decode()
    assert "示例银行" in body and "示例平台" in body
    event = AuditEvent.objects.filter(action="portal.signin").get()
    assert event.actor_label == f"borrower:{two_debts.cases['a'].debtor_id}"


def test_no_existence_oracle(client, two_debts):
    """A known person and an unknown one get the same answer and the same page; only the known one gets a code."""
    known = ask(client, world=two_debts)
    unknown = client.post(reverse("portal-signin"), {"name": "无此人", "id_last4": "1234", "mobile": "13911112222"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"].split("?")[0] == unknown["Location"].split("?")[0]
    assert last_code("13911112222") is None
    wrong_known = client.post(reverse("portal-code"), {"challenge": known["Location"].split("c=")[1], "code": "000000"})
    wrong_unknown = client.post(reverse("portal-code"), {"challenge": unknown["Location"].split("c=")[1],
                                                         "code": "000000"})
    text = lambda r: r.content.decode().split('<main id="main">')[1].split("</main>")[0]  # noqa: E731
    a, b = text(wrong_known), text(wrong_unknown)
    assert "验证码不正确" in a and "验证码不正确" in b
    # the pages differ only in the (signed) challenge and the masked number the person typed
    assert a.count("验证码不正确，还可尝试 4 次") == b.count("验证码不正确，还可尝试 4 次") == 1


def test_five_wrong_codes_lock(client, two_debts):
    response = ask(client, world=two_debts)
    challenge = response["Location"].split("c=")[1]
    code = last_code(PHONE)
    for _ in range(4):
        page = client.post(reverse("portal-code"), {"challenge": challenge, "code": "999999" if code != "999999"
                                                    else "888888"})
        assert "验证码不正确" in page.content.decode()
    page = client.post(reverse("portal-code"), {"challenge": challenge, "code": "999999" if code != "999999"
                                                else "888888"})
    assert "已锁定" in page.content.decode()
    assert Lockout.objects.count() == 1
    # even the right code is refused while locked, and a new code is not sent (silently)
    page = client.post(reverse("portal-code"), {"challenge": challenge, "code": code})
    assert "已锁定" in page.content.decode() and COOKIE not in page.cookies
    again = ask(client, world=two_debts)
    assert again.status_code == 302 and CodeChallenge.objects.order_by("-id").first().sent is False


def test_limits_per_number_and_address(client, two_debts):
    for _ in range(services.LIMITS["person"]):
        ask(client, world=two_debts)
    assert CodeChallenge.objects.filter(sent=True).count() == services.LIMITS["person"]
    ask(client, world=two_debts)  # the person's limit: silent, no code
    assert CodeChallenge.objects.filter(sent=True).count() == services.LIMITS["person"]
    ask(client, world=two_debts)
    page = ask(client, world=two_debts)  # the number's limit: said
    assert page.status_code == 200 and "过于频繁" in page.content.decode()


def test_sessions_end_after_15_idle_minutes(borrower_client, two_debts):
    assert borrower_client.get(reverse("portal-home")).status_code == 200
    with time_machine.travel(clock.now() + dt.timedelta(minutes=14), tick=True):
        assert borrower_client.get(reverse("portal-home")).status_code == 200
    with time_machine.travel(clock.now() + dt.timedelta(minutes=30), tick=True):
        response = borrower_client.get(reverse("portal-home"))
    assert response.status_code == 302 and response["Location"] == reverse("portal-signin")
    assert PortalSession.objects.get().ended_at is not None


def test_a_link_signs_in_once_and_expires(client, two_debts):
    debtor = two_debts.cases["a"].debtor
    token = tokens.make(debtor.pk, "sms")
    url = reverse("portal-link", args=[token])
    assert client.get(url).status_code == 200  # a preview does not spend it
    response = client.post(url)
    assert response.status_code == 302 and response.cookies[COOKIE].value
    assert client.post(url).status_code == 400  # used
    assert client.post(reverse("portal-link", args=[token[:-2] + "xx"])).status_code == 400  # forged
    old = tokens.make(debtor.pk, "email")
    with time_machine.travel(clock.now() + dt.timedelta(days=8), tick=True):
        assert client.post(reverse("portal-link", args=[old])).status_code == 400  # expired
    assert PortalSession.objects.get().channel == "sms"


def test_staff_and_portal_sessions_are_apart(client, two_debts):
    client.force_login(two_debts.users["manager"])
    response = client.get(reverse("portal-home"))
    assert response.status_code == 302 and response["Location"] == reverse("portal-signin")
    client.logout()
    key = services.start_session(__import__("concord.core.actors", fromlist=["Borrower"]).Borrower(
        two_debts.cases["a"].debtor_id))
    client.cookies[COOKIE] = key
    assert client.get(reverse("portal-home")).status_code == 200
    staff = client.get(reverse("dashboard"))
    assert staff.status_code == 302 and "/login/" in staff["Location"]
