"""Allocation in a real browser (Debian's Chromium driven by Playwright) against a live server: a manager edits a
rule, previews what it would move and applies it; a team lead filters 500 cases and reassigns them all in one bulk
job. Screenshots go to test-results/."""
import datetime as dt
import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser.test_ui_browser import browser, login  # noqa: F401  (the shared browser fixture)

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("CONCORD_TEST_RESULTS", "test-results"))


@pytest.fixture
def book(transactional_db, settings):
    from concord.conftest import build_world

    settings.CONCORD_JOBS_INLINE = True  # the job runs in the request (the worker is the operations' test)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return build_world()


@pytest.fixture
def page(browser, live_server, book):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


def add_cases(world, n: int, *, bucket: str, team, creditor) -> None:
    """``n`` open cases of ``team``'s pool at ``creditor``, written in bulk (what a placement import leaves)."""
    from concord.cases.models import Case
    from concord.core import bulk
    from concord.debtors.models import Debtor

    start = Debtor.objects.count() + 1000
    ids = bulk.insert_rows(Debtor, [{"full_name": f"批量{start + i}", "id_type": "passport",
                                     "id_number": f"P{start + i:08d}", "id_last4": f"{(start + i) % 10000:04d}",
                                     "province": "广东", "city": "深圳"} for i in range(n)])
    bulk.insert_rows(Case, [{"creditor_id": creditor.pk, "debtor_id": pk, "reference": f"BULK-{pk:06d}",
                             "status": "open", "assigned_team_id": team.pk, "bucket": bucket, "max_dpd": 45,
                             "total_balance": "1000.00", "opened_on": dt.date(2026, 11, 1)} for pk in ids])


def test_manager_edits_a_rule_previews_and_applies(page, live_server, book):
    from concord.allocation.models import RuleSet
    from concord.cases.models import Case

    login(page, live_server, "manager")
    page.click("#nav-allocation")
    page.wait_for_url("**/allocation/")
    page.wait_for_load_state()
    assert page.locator("#no-rules").count() == 1
    page.click("#edit-rules")
    rule = page.locator("#rule-0")
    rule.locator("input[name=r-0-code]").fill("BANK")
    rule.locator("input[name=r-0-name]").fill("示例银行全部到 B 组")
    rule.locator("select[name=r-0-creditors]").select_option(label="示例银行")
    rule.locator("select[name=r-0-team]").select_option(label="B组")
    rule.locator("select[name=r-0-method]").select_option("balance")
    page.fill("input[name=note]", "银行案件集中到 B 组")
    page.click("#save-rules")
    page.wait_for_selector("#rules-table")
    assert "示例银行全部到 B 组" in page.inner_text("#rules-table")
    assert RuleSet.objects.get().rules[0]["method"] == "balance"
    page.screenshot(path=str(SHOTS / "allocation-rules.png"), full_page=True)

    page.click("#preview-rules")
    page.wait_for_selector("#preview-moves")
    moves = page.inner_text("#preview-moves")
    assert book.cases["a"].reference in moves and book.cases["u"].reference in moves
    assert "B组" in page.inner_text("#preview-teams")
    page.screenshot(path=str(SHOTS / "allocation-preview.png"), full_page=True)
    page.click("#apply-rules")
    page.wait_for_selector("#runs")
    assert Case.objects.filter(pk__in=[book.cases["a"].pk, book.cases["u"].pk],
                               assigned_team=book.teams["B"]).count() == 2
    assert "1" in page.inner_text("#runs")


def test_team_lead_bulk_reassigns_500_filtered_cases(page, live_server, book):
    from concord.cases.models import Case
    from concord.core.models import AuditEvent

    add_cases(book, 500, bucket="M2", team=book.teams["A"], creditor=book.creditors["bank"])
    add_cases(book, 40, bucket="M1", team=book.teams["A"], creditor=book.creditors["bank"])
    login(page, live_server, "lead_a")
    page.click("#nav-bulk")
    page.select_option("#bulk-filters select[name=creditor]", label="示例银行")
    page.select_option("#bulk-filters select[name=bucket]", "M2")
    page.click("#bulk-filter")
    page.wait_for_selector("text=筛选出 500 个案件")
    assert page.locator("#bulk-table tbody tr").count() == 50  # paged on the server
    page.screenshot(path=str(SHOTS / "allocation-bulk.png"), full_page=True)
    page.click("input[name=scope][value=filter]")
    page.select_option("#bulk-actions select[name=action]", "reassign")
    page.select_option("#bulk-actions select[name=collector]", str(book.users["col_a"].pk))
    page.fill("#bulk-actions input[name=reason]", "M2 集中跟进")
    page.click("#bulk-submit")
    page.wait_for_selector("#job[data-state=succeeded]")
    assert "500" in page.inner_text("#job-result")
    page.screenshot(path=str(SHOTS / "allocation-bulk-job.png"), full_page=True)
    assert Case.objects.filter(bucket="M2", assigned_collector=book.users["col_a"]).count() == 500
    assert Case.objects.filter(bucket="M1", assigned_collector__isnull=True).count() == 40
    assert AuditEvent.objects.filter(action="case.bulk_reassign").count() == 500
    page.goto(live_server.url + reverse("allocation-bulk") + "?bucket=M2")
    assert "col_a" in page.inner_text("#collector-totals")
