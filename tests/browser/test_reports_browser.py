"""The management reports in a real browser: every report as a manager (charts drawn by ECharts) and as a team lead
(their team only), the cases behind a number, the Excel download."""
from __future__ import annotations

import os

import pytest

from concord.reports.pages import REPORTS
from concord.reports.tests.history_book import NOW, world_with_history

from .test_ui_browser import browser, login  # noqa: F401  (the shared browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.clock(NOW)]
PERIOD = "?start=2026-11-01&end=2026-12-31"
SHOTS = os.environ.get("CONCORD_SCREENSHOT_DIR", "/tmp")


@pytest.fixture
def book(transactional_db):
    return world_with_history()


@pytest.fixture
def page(browser, live_server, book):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


def _open(page, live_server, name):
    page.goto(f"{live_server.url}/reports/r/{name}/{PERIOD}")
    page.wait_for_selector("#report-subtitle")


def test_a_manager_opens_every_report_with_its_charts(page, live_server, book):
    login(page, live_server, "manager")
    page.click("#nav-reports")
    page.wait_for_selector("#report-list")
    for name in REPORTS:
        _open(page, live_server, name)
        charts = page.locator("[data-chart]")
        assert charts.count() >= 1
        page.wait_for_selector("[data-chart-ready] svg")  # drawn by ECharts from the vendored file
        assert page.locator("#report-scoped").count() == 0
        page.screenshot(path=f"{SHOTS}/concord-report-{name}-manager.png", full_page=True)
    _open(page, live_server, "recovery")
    team_rows = page.locator("#section-team tbody tr")
    assert team_rows.count() == 2
    # the cases behind the December cash
    page.locator("#section-team tbody tr", has_text="B组").locator("a.drill").click()
    page.wait_for_selector("#drill-cases")
    assert book.cases["b"].reference in page.inner_text("#drill-cases")
    assert book.cases["a"].reference not in page.inner_text("#drill-cases")
    _open(page, live_server, "recovery")
    with page.expect_download() as download:
        page.click("#report-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")


def test_a_team_lead_sees_only_their_team(page, live_server, book):
    login(page, live_server, "lead_a")
    page.click("#nav-reports")
    page.wait_for_selector("#report-list")
    for name in REPORTS:
        _open(page, live_server, name)
        page.wait_for_selector("#report-scoped")
        page.screenshot(path=f"{SHOTS}/concord-report-{name}-lead.png", full_page=True)
    _open(page, live_server, "recovery")
    assert page.locator("#section-team tbody tr").count() == 1
    assert "B组" not in page.inner_text("main")
    # the team filter offers only the lead's team
    options = page.locator("select[name=team] option").all_inner_texts()
    assert "A组" in options and "B组" not in options
    page.locator("#section-cash tbody tr", has_text="2026-12-03").locator("a.drill").click()
    page.wait_for_selector("#drill-cases")
    assert book.cases["a"].reference in page.inner_text("#drill-cases")
