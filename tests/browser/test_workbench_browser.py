"""The collector's workbench in a real browser (Debian's Chromium driven by Playwright) against a live server:
My work → Next case → a denied action explained → a call allowed by the gate → its disposition with a promise → an
SMS reminder previewed and sent through the gate.
The workbench clock is fixed at 10:00 Beijing time today (setting CONCORD_CLOCK), so the gate's calling hours do
not depend on when the test runs. Screenshots go to test-results/."""
import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from concord.core import clock
from tests.browser.test_ui_browser import browser, login  # noqa: F401  (the shared browser fixture)

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("CONCORD_TEST_RESULTS", "test-results"))


@pytest.fixture
def workday(transactional_db, settings):
    from concord.workbench.tests.conftest import qualify
    from concord.conftest import build_world
    from concord.debtors import services as debtor_services

    settings.CONCORD_CLOCK = dt.datetime.combine(clock.today(), dt.time(10, 0),
                                                 ZoneInfo("Asia/Shanghai")).isoformat()
    from concord.workbench.scripts import ensure_defaults

    ensure_defaults()          # an earlier transactional test may have flushed the seeded scripts
    world = build_world()
    for name in ("col_a", "lead_a"):
        qualify(world.users[name])
    debtor_services.add_related_party(None, world.cases["a"].debtor, role="emergency_contact", full_name="吴九",
                                      relation="同事", phone="13500000001")
    SHOTS.mkdir(parents=True, exist_ok=True)
    return world


@pytest.fixture
def page(browser, live_server, workday):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_a_collector_works_the_next_case(page, live_server, workday):
    from concord.cases.models import Activity
    from concord.workbench.models import Promise

    case = workday.cases["a"]
    login(page, live_server, "col_a")
    page.click("#nav-work")
    page.wait_for_selector("#queue-table")
    assert case.reference in page.inner_text("#queue-table")
    page.screenshot(path=str(SHOTS / "workbench-my-work.png"), full_page=True)

    page.click("#next-case")
    page.wait_for_url(f"**{reverse('case-detail', args=[case.pk])}")
    assert "由我处理" in page.inner_text("#claim")

    # the friend (a third party) may not be called: the button is disabled and the page says why and when
    friend_row = page.locator("#call-targets tr.target.denied")
    assert friend_row.count() == 1
    assert friend_row.locator("button").is_disabled()
    why = friend_row.locator(".why").inner_text()
    assert "CN7" in why or "第三方" in why
    assert "需先变更状态" in why
    assert "不可联系" in page.inner_text("#parties")
    page.screenshot(path=str(SHOTS / "workbench-case.png"), full_page=True)

    # the debtor's own number is allowed: ask the gate, get the tel: link and the disposition form
    page.locator("#call-targets tr.target.allowed button").first.click()
    page.wait_for_selector("#call-form")
    assert page.get_attribute("#tel-link", "href") == "tel:+8613812348000"
    assert page.locator("#scripts details.script").count() == 4
    page.select_option("#call-form select[name=outcome]", "conversation")
    page.check("#call-form input[name=result_codes][value=promise]")
    page.fill("#call-form input[name=duration_seconds]", "240")
    page.fill("#call-form textarea[name=note]", "借款人同意本周五前还款一千二百元")
    page.fill("#call-form input[name=promise_amount]", "1200")
    due = clock.today() + dt.timedelta(days=4)
    page.fill("#call-form input[name=promise_date]", due.isoformat())
    page.screenshot(path=str(SHOTS / "workbench-call-disposition.png"), full_page=True)
    page.click("#call-form button[type=submit]")
    page.wait_for_function("() => !document.querySelector('#call-form')")
    page.wait_for_selector(".flash")
    assert "通话已记录" in page.inner_text("main")
    assert "借款人同意本周五前还款一千二百元" in page.inner_text("#activities")
    assert "1,200.00" in page.inner_text("#promises")
    assert Activity.objects.filter(kind="call", case=case).count() == 1
    assert Promise.objects.get(case=case).due_date == due
    page.screenshot(path=str(SHOTS / "workbench-after-call.png"), full_page=True)

    # an SMS reminder from an approved template: preview it, then send it through the gate
    from concord.outreach.models import OutboundMessage

    page.select_option("#compose-sms select[name=template]", "reminder")
    page.click("#compose-sms button[type=submit]")
    page.wait_for_selector("#send-form")
    assert case.reference in page.inner_text("#preview")
    assert "合规闸门：现在可以发送" in page.inner_text("#gate-preview")   # the gate's answer before sending
    page.click("#send-form button[type=submit]")
    # the panel is refreshed in place (htmx): wait for the sent message to appear in it
    page.wait_for_function("() => !document.querySelector('#send-form') && "
                           "document.querySelector('#outreach-messages tbody').innerText.includes('138****8000')")
    message = OutboundMessage.objects.get(case=case, channel="sms")
    assert message.decision.allowed and message.status in ("sent", "delivered")
    assert message.to_masked in page.inner_text("#outreach-messages")
    page.screenshot(path=str(SHOTS / "workbench-after-sms.png"), full_page=True)

    # called today: the case leaves today's queue
    page.click("#nav-work")
    page.wait_for_selector("#queue-table")
    assert case.reference not in page.inner_text("#queue-table")


def test_a_team_lead_sees_who_is_working_what(page, live_server, workday):
    from concord.workbench import claims

    claims.claim_case(workday.users["col_a"], workday.cases["a"])
    login(page, live_server, "lead_a")
    page.goto(live_server.url + reverse("work-team"))
    assert "col_a" in page.inner_text("#who-works-what")
    assert workday.cases["a"].reference in page.inner_text("#team-table")
    page.screenshot(path=str(SHOTS / "workbench-team.png"), full_page=True)
