"""The workbench at a collector's speed, in a real browser (Debian's Chromium through Playwright) against a live
server: a timed walk-through — next case, read the file, log a call with a promise, send an SMS, next case — in at
most 8 clicks and without a full-page reload; and the case page's forms keeping what was typed when refused.

A full-page reload is detected by a mark set on ``window`` after signing in: a reload would drop it. Every click
goes through :func:`click`, which counts it. Screenshots go to test-results/."""
import datetime as dt
import os
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from concord.core import clock
from tests.browser.test_ui_browser import browser, login  # noqa: F401  (the shared browser fixture)

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("CONCORD_TEST_RESULTS", "test-results"))


@pytest.fixture
def desk(transactional_db, settings):
    return set_desk(settings)


def set_desk(settings):
    """The shared world at 10:00 Beijing time today, col_a and lead_a qualified; col_a has two cases in today's
    queue (the bank's a, and u given to col_a), so that "next case" moves on after the first."""
    from concord.cases import services as case_services
    from concord.conftest import build_world
    from concord.debtors import services as debtor_services
    from concord.workbench.scripts import ensure_defaults
    from concord.workbench.tests.conftest import qualify

    settings.CONCORD_CLOCK = dt.datetime.combine(clock.today(), dt.time(10, 0),
                                                 ZoneInfo("Asia/Shanghai")).isoformat()
    ensure_defaults()
    from concord.demo.work import restore_data_seeds
    restore_data_seeds()
    world = build_world()
    for name in ("col_a", "lead_a"):
        qualify(world.users[name])
    case_services.assign_case(None, world.cases["u"], collector=world.users["col_a"], team=world.teams["A"],
                              reason="test")
    debtor_services.add_related_party(None, world.cases["a"].debtor, role="emergency_contact",
                                      full_name="欧阳建国", relation="同事", phone="13500000001")
    SHOTS.mkdir(parents=True, exist_ok=True)
    return world


@pytest.fixture
def page(browser, live_server, desk):  # noqa: F811
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


class Clicks:
    def __init__(self, page):
        self.page, self.n = page, 0

    def __call__(self, selector):
        self.n += 1
        self.page.click(selector)


def mark(page):
    page.evaluate("window.__noReload = 'kept'")


def not_reloaded(page) -> bool:
    return page.evaluate("window.__noReload") == "kept"


def test_the_timed_walk_through_takes_at_most_8_clicks_and_no_reload(page, live_server, desk):
    from concord.cases.models import Activity
    from concord.outreach.models import OutboundMessage
    from concord.workbench.models import Promise

    login(page, live_server, "col_a")
    assert page.url.endswith(reverse("my-work"))          # the collector lands on My work
    mark(page)
    click = Clicks(page)
    started = time.monotonic()

    # 1. next case
    click("#next-case")
    page.wait_for_selector("#case-head")
    from concord.cases.models import Case
    first = Case.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    second = desk.cases["u"] if first.pk == desk.cases["a"].pk else desk.cases["a"]
    assert first.pk in (desk.cases["a"].pk, desk.cases["u"].pk)
    assert not_reloaded(page), "next case reloaded the page"

    # 2. read the file: the side index jumps to the accounts
    click("#case-index a[href='#accounts']")
    page.wait_for_function("() => { const r = document.querySelector('#accounts').getBoundingClientRect();"
                           " return r.top < window.innerHeight && r.bottom > 0; }")
    assert first.accounts.first().reference in page.inner_text("#accounts")
    assert page.locator("#case-head").is_visible()       # the header stays in view
    assert not_reloaded(page)

    # 3-4. call the debtor (the gate allows), log the conversation with a promise
    click("#call-targets tr.target.allowed button")
    page.wait_for_selector("#call-form")
    assert not_reloaded(page), "starting a call reloaded the page"
    page.select_option("#call-form select[name=outcome]", "conversation")
    page.check("#call-form input[name=result_codes][value=promise]")
    page.fill("#call-form input[name=duration_seconds]", "180")
    page.fill("#call-form textarea[name=note]", "借款人同意周五前还一千元")
    page.fill("#call-form input[name=promise_amount]", "1000")
    page.fill("#call-form input[name=promise_date]", (clock.today() + dt.timedelta(days=4)).isoformat())
    click("#call-form button[type=submit]")
    page.wait_for_selector("#call-targets")
    page.wait_for_function("() => !document.querySelector('#call-form')")
    assert "通话已记录" in page.inner_text("#live-status")
    assert "借款人同意周五前还一千元" in page.inner_text("#activities")
    assert not_reloaded(page), "logging the call reloaded the page"

    # 5-6. an SMS from an approved template: preview, send
    page.select_option("#compose-sms select[name=template]", "reminder")
    click("#compose-sms button[type=submit]")
    page.wait_for_selector("#send-form")
    click("#send-form button[type=submit]")
    page.wait_for_function("() => document.querySelector('#outreach-messages') && "
                           "document.querySelector('#outreach-messages').innerText.includes('短信')")
    assert "短信已送达" in page.inner_text("#live-status") or "短信已发出" in page.inner_text("#live-status")
    assert not_reloaded(page), "sending the SMS reloaded the page"

    # 7. next case
    click("#next-case-again")
    page.wait_for_url(f"**{reverse('case-detail', args=[second.pk])}")
    page.wait_for_selector("#case-head")
    assert not_reloaded(page), "next case reloaded the page"
    seconds = time.monotonic() - started

    assert click.n <= 8, f"{click.n} clicks"
    assert Activity.objects.filter(case=first, kind="call").count() == 1
    assert Promise.objects.get(case=first).amount == 1000
    assert OutboundMessage.objects.filter(case=first, channel="sms").count() == 1
    (SHOTS / "walk-through.txt").write_text(f"clicks={click.n} seconds={seconds:.2f}\n")
    print(f"walk-through: {click.n} clicks, {seconds:.2f} s, no full-page reload")
    page.screenshot(path=str(SHOTS / "walk-through-next-case.png"))
