"""Report subscriptions in a real browser: a manager creates one from the reports page and sees it listed."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from concord.reports.models import ReportSubscription

from .test_ui_browser import browser, login, page, transactional_world  # noqa: F401  (the shared fixtures)

pytestmark = pytest.mark.browser


def test_a_manager_creates_a_weekly_subscription(page, live_server, transactional_world):  # noqa: F811
    manager = transactional_world.users["manager"]
    manager.email = "manager@concord.example.cn"
    manager.save()
    login(page, live_server, "manager")
    page.click("#nav-reports")
    page.wait_for_selector("#subscriptions-link")
    page.click("#subscriptions-link")
    page.wait_for_selector("#subscription-new")
    page.click("#subscription-new")
    page.wait_for_selector("#subscription-form")
    page.fill("input[name=title]", "每周回收")
    page.select_option("select[name=report]", "recovery")
    page.select_option("select[name=period]", "last_week")
    page.select_option("select[name=frequency]", "weekly")
    page.select_option("select[name=weekday]", "1")
    page.fill("input[name=at]", "08:30")
    page.select_option("select[name=team]", label="A组")
    page.fill("textarea[name=recipients]", "manager@concord.example.cn, nobody@example.com")
    page.click("#subscription-save")
    expect(page.locator("#field-recipients .error")).to_contain_text("nobody@example.com")  # not a Concord user
    assert ReportSubscription.objects.count() == 0
    page.fill("textarea[name=recipients]", "manager@concord.example.cn")
    page.click("#subscription-save")
    page.wait_for_selector("#deliveries")
    expect(page.locator("#subscription-next")).not_to_have_text("—")
    sub = ReportSubscription.objects.get()
    assert (sub.title, sub.frequency, sub.weekday, sub.team.name, sub.recipients) == (
        "每周回收", "weekly", 1, "A组", ["manager@concord.example.cn"])
    page.goto(f"{live_server.url}/reports/subscriptions/")
    expect(page.locator(f"#subscription-{sub.pk}")).to_contain_text("每周回收")
