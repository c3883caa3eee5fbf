"""A manager approves a trained model in a real browser (Chromium through Playwright): the registry, the model's
page with its ECharts charts, the approve button."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser.test_ui_browser import browser, login  # noqa: F401  (the shared browser fixture)

from .helpers import END, START, trained

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("CONCORD_TEST_RESULTS", "test-results"))


@pytest.fixture
def book(transactional_db):
    from concord.conftest import build_world
    from concord.scoring import services

    w = build_world()
    w.model = services.register(None, trained("paid_30d"), START, END)
    return w


@pytest.fixture
def page(browser, live_server, book):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


def test_a_manager_approves_a_model(page, live_server, book):
    from playwright.sync_api import expect

    from concord.scoring.models import ScoringModel

    login(page, live_server, "manager")
    page.click("#nav-scoring")
    page.wait_for_selector("#scoring-models")
    row = page.locator(f'tr[data-model="{book.model.pk}"]')
    expect(row.locator(".status")).to_have_text("草稿")
    row.locator("a").first.click()
    page.wait_for_url(live_server.url + reverse("scoring-model", args=[book.model.pk]))
    page.wait_for_selector("[data-chart-ready] svg")            # the points / event-rate chart, drawn by ECharts
    assert page.locator(".characteristic").count() == len(book.model.features)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "scoring-model.png"), full_page=True)
    page.click("#approve-model")
    expect(page.locator("#model-status strong")).to_have_text("已批准（生效）")
    assert page.locator("#approve-model").count() == 0
    model = ScoringModel.objects.get(pk=book.model.pk)
    assert model.status == "approved" and model.approved_by.username == "manager"
    page.click("#nav-scoring")
    page.wait_for_selector("#scoring-models")
    expect(page.locator(f'tr[data-model="{book.model.pk}"] .status')).to_have_text("已批准（生效）")
