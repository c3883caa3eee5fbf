"""A real SIP call from the case page, in the browser: the collector clicks 拨打, the borrower simulator (baresip)
answers through Kamailio, the collector hangs up from the page, the call record fills the activity, the recording is
kept and a compliance officer plays it. The SIP processes run on free ports and are stopped by their ids."""
import os
import time

import pytest

from concord.telephony import providers, services
from concord.telephony.tests.test_local_sip import sip_stack, wait_for  # noqa: F401 — the SIP stack fixture
from concord.workbench.tests.conftest import clock_at, qualify  # noqa: F401 — the pinned clock
from tests.browser.test_ui_browser import browser, login, page, transactional_world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = os.environ.get("CONCORD_SCREENSHOT_DIR", "/tmp")


@pytest.fixture
def sip(settings, sip_stack, tmp_path, clock_at):  # noqa: F811
    settings.DATA_DIR = tmp_path
    settings.CONCORD_JOBS_INLINE = True
    settings.CONCORD_TELEPHONY_PROVIDER = "sip"
    settings.CONCORD_TELEPHONY_OPTIONS = sip_stack
    return providers.current()


def test_a_collector_places_a_real_call_from_the_case_page(page, live_server, transactional_world, sip):  # noqa: F811
    w = transactional_world
    qualify(w.users["col_b"])
    case = w.cases["b"]
    point = case.debtor.contact_points.get(kind="mobile")
    login(page, live_server, "col_b")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.click(f"#call-targets tr[data-target='cp:{point.pk}'] button[type=submit]")
    page.wait_for_selector("#switch-call")                                   # the switch is dialling
    phone = sip.phone("col_b")
    assert wait_for(lambda: any(e["type"] == "CALL_ESTABLISHED" for e in phone.events)), phone.events
    time.sleep(3)                                                             # the notice, then the borrower speaks
    assert services.reconcile("sip")["new"] >= 2                             # the worker's tick: ringing, answered
    page.reload()
    page.wait_for_selector("#switch-call[data-state=answered]")
    page.screenshot(path=f"{SHOTS}/concord-sip-call-answered.png", full_page=True)
    page.click("#switch-call button[type=submit]")                           # 挂断
    page.wait_for_load_state("load")
    assert wait_for(lambda: any(e["type"] == "CALL_CLOSED" for e in phone.events)), phone.events
    time.sleep(0.5)                                                           # baresip closes the recording's files
    assert services.reconcile("sip")["new"] == 1                             # the next tick: the call record

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    form = page.wait_for_selector("form.switch-disposition")                 # only the disposition is left to add
    assert "接通" in form.inner_text()
    activity = page.locator("#activities tr", has_text="接通").first
    activity.wait_for()
    assert "仅组长" in activity.inner_text()                                  # a collector may not play it
    assert "录音 · dump-" in activity.inner_text()                           # named without the switch's folder
    page.screenshot(path=f"{SHOTS}/concord-sip-call-ended.png", full_page=True)

    page.context.clear_cookies()
    login(page, live_server, "compliance")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    player = page.wait_for_selector("#activities audio")
    played = page.evaluate("""async (audio) => {
        audio.muted = true;
        await audio.play();
        await new Promise(done => setTimeout(done, 1500));
        return {at: audio.currentTime, length: audio.duration};
    }""", player)
    assert played["at"] > 0.5 and played["length"] >= 2.5, played
    page.screenshot(path=f"{SHOTS}/concord-sip-recording.png", full_page=True)
