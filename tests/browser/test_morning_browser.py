"""The manager's morning page in a real browser (reached from the reports, a monthly target set and measured) and the
audit-trail page as a compliance officer (a search, the chain verified)."""
from __future__ import annotations

import os

import pytest

from concord.reports.tests.history_book import world_with_history

from .test_ui_browser import browser, login  # noqa: F401  (the shared browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.clock("2027-01-01T09:00:00+08:00")]
SHOTS = os.environ.get("CONCORD_SCREENSHOT_DIR", "/tmp")


@pytest.fixture
def book(transactional_db):
    return world_with_history()


@pytest.fixture
def page(browser, live_server, book):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


def test_a_manager_opens_the_morning_page_and_sets_a_target(page, live_server, book):
    login(page, live_server, "manager")
    page.click("#nav-reports")
    page.wait_for_selector("#morning-link")
    page.click("#morning-link")
    page.wait_for_selector("#morning-cash")
    for section in ("#morning-recovery", "#morning-promises", "#morning-rolls", "#morning-complaints",
                    "#morning-jobs"):
        assert page.locator(section).count() == 1
    creditor = book.cases["a"].creditor
    page.select_option("#target-form select[name=creditor]", str(creditor.pk))
    page.fill("#target-form input[name=month]", "2026-12")
    page.fill("#target-form input[name=amount]", "1000")
    page.click("#target-form button[type=submit]")
    page.wait_for_selector("#morning-recovery td.money >> text=1,000.00")
    row = page.locator("#morning-recovery tr.target-row", has_text=creditor.code)
    assert "%" in row.inner_text()
    page.screenshot(path=f"{SHOTS}/concord-morning-manager.png", full_page=True)


def test_a_compliance_officer_searches_the_audit_trail_and_verifies_it(page, live_server, book):
    login(page, live_server, "compliance")
    page.click("#nav-audit-trail")
    page.wait_for_selector("#audit-results")
    page.fill("#audit-filters input[name=case]", book.cases["a"].reference)
    page.click("#audit-search")
    page.wait_for_url("**case=*")
    page.wait_for_selector("#audit-count")
    assert page.locator(".audit-row").count() >= 1
    assert page.locator(".audit-action").first.inner_text().count("·") == 1  # a readable label, not a code
    page.click("#audit-verify-link")
    page.wait_for_selector("#audit-verified")
    assert page.locator(".audit-row").count() >= 1  # the search is kept
    page.screenshot(path=f"{SHOTS}/concord-audit-compliance.png", full_page=True)
