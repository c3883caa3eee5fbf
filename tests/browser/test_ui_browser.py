"""The web UI in a real browser (Debian's Chromium driven by Playwright) against a live server."""
import os

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server, transactional_world):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def transactional_world(transactional_db, django_db_blocker):
    from concord.conftest import build_world

    return build_world()


def login(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-" + username)
    page.click("button[type=submit]")
    # those who work cases land on My work, everyone else on the overview
    page.wait_for_url(lambda url: reverse("login") not in url and reverse("home") not in url)


def test_manager_works_a_case_in_the_browser(page, live_server, transactional_world):
    w = transactional_world
    login(page, live_server, "manager")
    assert page.locator("svg.chart").count() == 2
    assert page.inner_text("#kpi-cases") == "3"

    page.click("text=案件")
    page.select_option("select[name=bucket]", "M3")
    page.click("#case-filters button[type=submit]")
    rows = page.locator("#case-table tbody tr")
    assert rows.count() == 1
    case = w.cases["a"]
    assert case.reference in rows.first.inner_text()

    rows.first.locator("a").click()
    full_id = case.debtor.id_number
    profile = page.locator("#profile")
    assert full_id not in profile.inner_text()
    profile.locator("button", has_text="查看").click()
    page.wait_for_selector(f"#profile .revealed:text('{full_id}')")
    page.screenshot(path=os.environ.get("CONCORD_SCREENSHOT", "/tmp/concord-case.png"), full_page=True)


def test_collector_switches_to_english(page, live_server, transactional_world):
    login(page, live_server, "col_a")
    assert page.url.endswith(reverse("my-work"))        # a collector lands on My work
    assert page.locator("#lang-form option[value=en]").inner_text() == "English"   # each language names itself
    assert page.locator("#lang-form option[value=zh-hans]").inner_text() == "简体中文"
    with page.expect_navigation():
        page.select_option("#lang-form select", "en")
    assert "My work" in page.inner_text("main")
    assert page.locator("#lang-form option[value=en]").inner_text() == "English"
    assert page.locator("#lang-form option[value=zh-hans]").inner_text() == "简体中文"
    page.click("nav >> text=Cases")
    page.wait_for_selector("#case-table tbody tr")
    assert page.locator("#case-table tbody tr").count() == 1


def test_a_search_by_phone_stays_out_of_the_address_bar_and_the_requests(page, live_server, transactional_world):
    w = transactional_world
    login(page, live_server, "manager")
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(live_server.url + reverse("case-list"))
    page.fill("#case-filters input[name=q]", "139 0000 1111")
    with page.expect_navigation():
        page.click("#case-filters button[type=submit]")
    rows = page.locator("#case-table tbody tr")
    assert rows.count() == 1 and w.cases["b"].reference in rows.first.inner_text()
    assert not any("1111" in url for url in urls), urls
    assert "1111" not in page.url
