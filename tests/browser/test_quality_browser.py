"""Quality inspection and the balanced scorecard in a real browser: a manager reviews a sampled call on the checklist
and reads the scorecard (chart drawn by ECharts, Excel download); a team lead sees only their team's calls and lines;
a collector reads their own scores and comments."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from concord.quality.tests.scorecard_book import NOW, scorecard_book

from .test_ui_browser import browser, login  # noqa: F401  (the shared browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.clock(NOW)]
PERIOD = "?start=2026-11-01&end=2026-12-31"
SHOTS = os.environ.get("CONCORD_SCREENSHOT_DIR", "/tmp")


@pytest.fixture
def book(transactional_db):
    from concord.quality import services
    from concord.quality.tests.helpers import at, call

    world = scorecard_book()
    for name, case in (("col_a", "a"), ("col_b", "b")):   # a call of each team waiting for review
        call(world.users[name], world.cases[case], at(dt.date(2026, 12, 15), 10))
    services.sample_day(dt.date(2026, 12, 15), rate=1, seed="browser")
    return world


@pytest.fixture
def page(browser, live_server, book):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


def test_a_manager_reviews_a_call_and_reads_the_scorecard(page, live_server, book):
    login(page, live_server, "manager")
    page.click("#nav-quality")
    page.wait_for_selector("#quality-samples")
    rows = page.locator("#quality-samples tr.sample")
    assert rows.count() == 2
    rows.filter(has_text=book.cases["b"].reference).locator("a.review-link").click()
    page.wait_for_selector("#quality-form")
    for code in ("identity_verified", "disclosures_given", "no_threats", "no_third_party_disclosure",
                 "respectful_tone"):
        page.check(f"input[name=item_{code}][value=pass]")
    page.click("#quality-submit")
    page.wait_for_selector("#quality-errors")            # one item left without a result
    assert "请选择" in page.inner_text("#quality-errors")
    page.check("input[name=item_correct_outcome][value=fail]")
    page.fill("#quality-comments-input", "结果代码登记错误")
    page.click("#quality-submit")
    page.wait_for_selector("#quality-score")
    assert page.inner_text("#quality-score") == "90"
    page.screenshot(path=f"{SHOTS}/concord-quality-review.png", full_page=True)

    page.goto(f"{live_server.url}/quality/scorecard/{PERIOD}")
    page.wait_for_selector("#section-lines [data-chart-ready] svg")
    lines = page.locator("#section-lines tbody tr")
    assert lines.count() == 2 and "col_a" in lines.nth(0).inner_text()
    page.screenshot(path=f"{SHOTS}/concord-scorecard-manager.png", full_page=True)
    lines.filter(has_text="col_b").locator("a.drill", has_text="投诉").click()
    page.wait_for_selector("#drill-cases")
    assert book.cases["b"].reference in page.inner_text("#drill-cases")
    page.goto(f"{live_server.url}/quality/scorecard/{PERIOD}")
    page.wait_for_selector("#scorecard-xlsx")
    with page.expect_download() as download:
        page.click("#scorecard-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")


def test_a_team_lead_sees_only_their_team(page, live_server, book):
    login(page, live_server, "lead_a")
    page.click("#nav-quality")
    page.wait_for_selector("#quality-samples")
    text = page.inner_text("#quality-samples")
    assert book.cases["a"].reference in text and book.cases["b"].reference not in text
    page.click("#quality-scorecard-link")
    page.wait_for_selector("#report-scoped")
    page.wait_for_selector("#section-lines [data-chart-ready] svg")
    assert page.locator("#section-lines tbody tr").count() == 1
    assert "col_b" not in page.inner_text("main")
    page.screenshot(path=f"{SHOTS}/concord-scorecard-lead.png", full_page=True)


def test_a_collector_reads_their_own_scores(page, live_server, book):
    login(page, live_server, "col_b")
    page.click("#nav-my-quality")
    page.wait_for_selector("#my-reviews")
    assert "出现威胁性语言" in page.inner_text("#my-reviews")
    assert page.inner_text("#my-rank") == "2"
