"""A manager in a real browser (Chromium through Playwright): edits the default strategy (a new version), writes a
challenger strategy, starts a champion/challenger experiment, opens the comparison and promotes the challenger."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser.test_ui_browser import browser, login  # noqa: F401  (the shared browser fixture)

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("CONCORD_TEST_RESULTS", "test-results"))


@pytest.fixture
def book(transactional_db):
    from concord.conftest import build_world
    from concord.strategy import services

    w = build_world()
    services.ensure_default()
    return w


@pytest.fixture
def page(browser, live_server, book):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


def test_a_manager_edits_experiments_and_promotes(page, live_server, book):
    from playwright.sync_api import expect

    from concord.strategy import selectors
    from concord.strategy.models import Experiment

    login(page, live_server, "manager")
    page.goto(live_server.url + reverse("strategy-index"))
    page.click("#strategies a:has-text('default')")
    page.wait_for_url("**/strategy/s/default/")
    page.click("#edit-strategy")
    page.wait_for_url("**/strategy/s/default/edit/")
    page.fill("input[name='r-4-path']", "0:sms, 3:call, 10:letter")
    page.fill("input[name='budget-daily_max']", "9")              # over every pack's daily cap
    page.click("#save-strategy")
    expect(page.locator("#has-errors")).to_be_visible()
    expect(page.locator("label:has(input[name='budget-daily_max'])")).to_contain_text("cn_online_lending")
    page.fill("input[name='budget-daily_max']", "1")
    page.fill("#note", "reminder path")
    page.click("#save-strategy")
    page.wait_for_url("**/strategy/s/default/")
    expect(page.locator("h1")).to_contain_text("v2")
    expect(page.locator("#tree")).to_contain_text("0:sms, 3:call, 10:letter")
    assert selectors.champion().version == 2

    page.goto(live_server.url + reverse("strategy-index"))
    page.click("#new-strategy")
    page.wait_for_url("**/strategy/new/**")
    page.fill("#code", "letters")
    page.fill("#name", "Letters first")
    page.select_option("select[name='r-5-channel']", "letter")
    page.click("#save-strategy")
    page.wait_for_url("**/strategy/s/letters/")

    page.goto(live_server.url + reverse("strategy-index"))
    page.click("#new-experiment")
    page.wait_for_url("**/strategy/experiments/new/")
    page.fill("#champion-share", "70")
    page.select_option("#arm-0-version", label="letters v1 · Letters first")
    page.fill("#arm-0-share", "30")
    page.click("#start-experiment")
    page.wait_for_url("**/strategy/experiments/*/")
    expect(page.locator("#comparison")).to_contain_text("letters v1")
    expect(page.locator("#arm-0")).to_contain_text("70%")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "strategy-experiment.png"), full_page=True)
    page.click("#promote-1")
    expect(page.locator("#promoted")).to_be_visible()
    exp = Experiment.objects.get()
    assert exp.status == "ended" and exp.promoted_arm == 1
    champion = selectors.champion()
    assert champion.version == 3 and champion.tree["rules"][5]["channel"] == "letter"
