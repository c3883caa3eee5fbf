"""An arrangement in a real browser (Debian's Chromium driven by Playwright) against a live server: a collector
reads the calculator and proposes a settlement that needs approval; the team lead approves it from the approvals
queue; the collector starts it. Screenshots go to test-results/."""
import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from concord.core import clock
from tests.browser.test_ui_browser import browser, login  # noqa: F401  (the shared browser fixture)

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("CONCORD_TEST_RESULTS", "test-results"))


@pytest.fixture
def book(transactional_db):
    from concord.arrangements import authority
    from concord.arrangements.tests.conftest import profile
    from concord.conftest import build_world

    world = build_world()
    profile(world.cases["a"].debtor, "12000", "5000", "2500")
    authority.set_policy(world.users["manager"], world.creditors["bank"], settlement_max_months=12)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return world


@pytest.fixture
def page(browser, live_server, book):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_a_settlement_is_proposed_approved_and_started(page, live_server, book):
    from concord.arrangements.models import Arrangement

    case = book.cases["a"]
    case_url = live_server.url + reverse("case-detail", args=[case.pk])
    login(page, live_server, "col_a")
    page.goto(case_url + "#arrangements")
    assert page.locator("#arrangement-chart").count() == 1
    assert page.locator("#arrangement-proposals thead th").count() >= 3
    page.click("#arrangement-proposals thead a >> nth=1")  # the second proposal's schedule
    page.wait_for_url("**plan=1**")
    page.wait_for_selector("#arrangement-chosen tbody tr")
    assert "plan=1" in page.url and page.locator("#arrangement-chosen tbody tr").count() > 2
    page.screenshot(path=str(SHOTS / "arrangements-calculator.png"), full_page=True)

    discount = (case.total_balance * Decimal("0.10")).quantize(Decimal("0.01"))
    form = page.locator("#arrangement-propose-form")
    form.locator("select[name=kind]").select_option("settlement")
    form.locator("input[name=months]").fill("12")
    form.locator("input[name=discount_amount]").fill(str(discount))
    form.locator("input[name=first_due]").fill((clock.today() + dt.timedelta(days=10)).isoformat())
    form.locator("textarea[name=reason]").fill("借款人收入下降，愿一年内还清九成")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".arrangement-row[data-status=proposed]")
    assert "需 组长 审批" in page.inner_text("#arrangements")
    arrangement = Arrangement.objects.get()

    page.context.clear_cookies()
    login(page, live_server, "lead_a")
    page.click("#nav-approvals")
    card = page.locator(f"#approval-{arrangement.pk}")
    assert "借款人收入下降" in card.inner_text() and "4,500.00" in card.inner_text()
    page.screenshot(path=str(SHOTS / "arrangements-approvals.png"), full_page=True)
    card.locator("textarea[name=reason]").fill("核实收入流水，同意减免")
    card.locator("button", has_text="批准").click()
    page.wait_for_selector("#approvals-empty")

    page.context.clear_cookies()
    login(page, live_server, "col_a")
    page.goto(case_url + "#arrangements")
    page.click(f"#activate-{arrangement.pk}")
    page.wait_for_selector(".arrangement-row[data-status=active]")
    page.screenshot(path=str(SHOTS / "arrangements-active.png"), full_page=True)
    arrangement.refresh_from_db()
    assert arrangement.status == "active" and arrangement.hold.active
