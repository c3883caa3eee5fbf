"""The creditors' business in a real browser: a manager opens a placement batch and recalls an account by hand; a
creditor's user reads a statement, reconciles their payment file, resolves a difference and approves the statement."""
import os

import pytest

from .test_ui_browser import browser, login, page, transactional_world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CONCORD_SCREENSHOT_DIR", "/tmp")

THEIR_FILE = ("借据号,交易流水号,还款金额,还款时间,还款渠道\n"
              "CARD-0001,CARD-0001-2026-10-05-1000.00,1000.00,2026-10-05 10:00:00,支付宝\n"
              "LOAN-0003,LOAN-0003-2026-10-10-20.00,25.00,2026-10-10 10:00:00,支付宝\n"
              "CARD-0001,CARD-0001-2026-10-20-5000.00,5000.00,2026-10-20 10:00:00,支付宝\n"
              "LOAN-0003,LOAN-0003-2026-10-25-800.00,800.00,2026-10-25 10:00:00,直接还款\n")


@pytest.fixture
def book(transactional_world):
    from concord.statements.tests.book import october, seed_batch

    placement = seed_batch(transactional_world)
    october(transactional_world)
    return placement


def test_manager_opens_a_batch_and_recalls_an_account(page, live_server, transactional_world, book):
    from concord.loans.models import LoanAccount

    login(page, live_server, "manager")
    page.click("#nav-placements")
    page.wait_for_selector("#batches")
    page.click("#batches a:text('B1')")
    page.wait_for_selector("#batch-figures")
    assert page.inner_text("#fig-accounts") == "2" and page.inner_text("#fig-recovered") == "¥6,820.00"
    account = LoanAccount.objects.get(reference="LOAN-0003")
    page.check(f"#recall-form input[name=accounts][value='{account.pk}']")
    page.fill("#recall-form input[name=reason]", "委托方要求提前收回")
    page.click("#recall-form button[type=submit]")
    page.wait_for_selector(f"#account-{account.pk}.state-recalled")
    row = page.inner_text(f"#account-{account.pk}")
    assert "已退案" in row and "委托方要求提前收回" in row
    assert page.inner_text("#fig-recalled") == "1"
    page.screenshot(path=f"{SHOTS}/concord-batch.png", full_page=True)


def test_creditor_reconciles_and_approves_a_statement(page, live_server, transactional_world, book, tmp_path):
    login(page, live_server, "viewer")
    page.click("#nav-creditor")
    page.wait_for_selector("#portal-statements")
    assert "B1" in page.inner_text("#portal-batches")
    page.click("#portal-statements tr:has-text('2026-10') a")
    page.wait_for_selector("#statement-summary")
    assert page.inner_text("#sum-commission") == "¥625.00" and page.inner_text("#sum-remit") == "¥5,395.00"
    their = tmp_path / "bank-2026-10.csv"
    their.write_text(THEIR_FILE, encoding="utf-8")
    page.set_input_files("#reconcile-form input[type=file]", str(their))
    page.click("#reconcile-form button[type=submit]")
    page.wait_for_selector("#differences tr.kind-amount")
    assert page.inner_text("#sum-open") == "1"
    page.fill("#differences tr.kind-amount input[name=note]", "我方录入有误，以 20 元为准")
    page.click("#differences tr.kind-amount button[type=submit]")
    page.wait_for_selector("#differences tr.kind-amount:has-text('已处理')")
    assert page.inner_text("#sum-open") == "0"
    with page.expect_download() as download:
        page.click("#download-pdf")
    assert download.value.suggested_filename == "statement-bank-2026-10.pdf"
    page.click("#approve")
    page.wait_for_selector("#statement-status:has-text('已确认')")
    assert page.locator("#approve").count() == 0
    page.screenshot(path=f"{SHOTS}/concord-statement.png", full_page=True)
