"""The manager's morning page on the ``world`` book with its history: each number checked against the raw tables;
the monthly recovery targets (audited); a team lead sees their team only; a collector is refused."""
from __future__ import annotations

import datetime as dt
from html import unescape
from decimal import Decimal

import pytest
from django.utils import timezone

from concord.core import clock, jobs
from concord.core.models import AuditEvent, Job, JobState
from concord.loans.models import Payment
from concord.reports.models import RecoveryTarget
from concord.reports.tests.history_book import world_with_history
from concord.workbench.models import Promise

pytestmark = pytest.mark.clock("2027-01-01T09:00:00+08:00")
TODAY, YESTERDAY = dt.date(2027, 1, 1), dt.date(2026, 12, 31)


@pytest.fixture
def morning_world(db, settings):
    from concord.compliance import services as compliance
    from concord.eod import adapter
    from concord.loans import services as loans
    from concord.loans.models import LoanAccount
    from concord.workbench.promises import record_promise

    world = world_with_history()
    loans.record_payment(None, account=LoanAccount.objects.get(reference="LOAN-0002"), amount=Decimal("50.00"),
                         channel="bank_transfer", paid_at=timezone.make_aware(dt.datetime(2026, 12, 31, 10)),
                         external_reference="T-LOAN-0002-31")
    adapter.run_eod(YESTERDAY)  # the rerun keeps the day again, with the payment
    record_promise(world.users["col_a"], world.cases["a"], amount=Decimal("30.00"), due_date=TODAY)
    case_b = world.cases["b"]
    now = clock.now()
    world.late = compliance.open_complaint(None, debtor=case_b.debtor, creditor=case_b.creditor, source="phone",
                                           category="frequency", summary="太频繁", case=case_b,
                                           received_at=now - dt.timedelta(days=20))
    world.fresh = compliance.open_complaint(None, debtor=case_b.debtor, creditor=case_b.creditor, source="phone",
                                            category="frequency", summary="再次来电", case=case_b, received_at=now)
    settings.CONCORD_JOBS_INLINE = True
    saved = dict(jobs.KINDS)

    @jobs.kind("test.morning_boom", label="boom")
    def boom(ctx):
        raise RuntimeError("the disk is full")

    world.failed = jobs.start_job("test.morning_boom")
    yield world
    jobs.KINDS.clear()
    jobs.KINDS.update(saved)


def _page(client, world, user):
    client.force_login(world.users[user])
    return client.get("/reports/morning/")


def _paid(start, end, creditor=None) -> Decimal:
    tz = timezone.get_current_timezone()
    qs = Payment.objects.filter(reversed_at__isnull=True,
                                paid_at__gte=dt.datetime.combine(start, dt.time(), tz),
                                paid_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz))
    if creditor is not None:
        qs = qs.filter(creditor=creditor)
    return sum((p.amount for p in qs), Decimal("0.00"))


def test_the_numbers_match_the_raw_tables(client, morning_world):
    from concord.reports import morning
    from concord.reports.scope import scoped_filters

    w = morning_world
    page = morning.build(w.users["manager"], scoped_filters(w.users["manager"]))
    assert page.kept and page.cash_yesterday == _paid(YESTERDAY, YESTERDAY) == Decimal("50.00")
    month = {r["creditor"].pk: r["recovered"] for r in page.recovery}
    expected = {c: _paid(dt.date(2026, 12, 1), YESTERDAY, c) for c in {p.creditor for p in Payment.objects.all()}}
    assert month == {c.pk: v for c, v in expected.items() if v} and sum(month.values()) == Decimal("800.00")
    assert [p.pk for p in page.promises_due] == list(
        Promise.objects.filter(due_date=TODAY, status="pending").values_list("pk", flat=True))
    assert [c.pk for c in page.complaints_late] == [w.late.pk]  # the fresh one is not half-way yet
    assert [j.pk for j in page.failed_jobs] == list(Job.objects.filter(state=JobState.FAILED).values_list("pk", flat=True))
    assert w.failed.pk in [j.pk for j in page.failed_jobs]


def test_a_manager_sets_a_monthly_target_and_sees_progress(client, morning_world):
    w = morning_world
    creditor = w.cases["a"].creditor
    client.force_login(w.users["manager"])
    r = client.post("/reports/morning/targets/", {"creditor": creditor.pk, "month": "2026-12", "amount": "1000.00"})
    assert r.status_code == 302
    target = RecoveryTarget.objects.get(creditor=creditor, month=dt.date(2026, 12, 1))
    assert target.amount == Decimal("1000.00") and target.updated_by == w.users["manager"]
    event = AuditEvent.objects.get(action="reports.target_set", object_id=str(target.pk))
    assert event.changes["amount"] == [None, "1000.00"]
    html = client.get("/reports/morning/").content.decode()
    recovered = _paid(dt.date(2026, 12, 1), YESTERDAY, creditor)
    assert f"{recovered / 1000 * 100:.1f}%" in html and "1,000.00" in html
    client.post("/reports/morning/targets/", {"creditor": creditor.pk, "month": "2026-12", "amount": "900"})
    assert RecoveryTarget.objects.get(pk=target.pk).amount == Decimal("900.00")
    bad = client.post("/reports/morning/targets/", {"creditor": creditor.pk, "month": "2026-12", "amount": "-1"})
    assert bad.status_code == 200 and RecoveryTarget.objects.get(pk=target.pk).amount == Decimal("900.00")


def test_the_page_for_a_manager_a_team_lead_and_a_collector(client, morning_world):
    w = morning_world
    html = _page(client, w, "manager").content.decode()
    assert "¥50.00" in html and w.cases["a"].reference in html and "morning-jobs" in html and "#%d" % w.failed.pk in html
    assert f"/compliance/complaints/{w.late.pk}/" in html and f"/compliance/complaints/{w.fresh.pk}/" not in html
    assert "target-form" in html and "<script>" not in html
    lead = _page(client, w, "lead_a").content.decode()
    assert "report-scoped" in lead and "morning-jobs" not in lead and "target-form" not in lead
    assert w.cases["a"].reference in lead  # team A's promise due today
    assert f"/compliance/complaints/{w.late.pk}/" not in lead  # team B's complaint
    assert "¥0.00" in lead  # the payment of Dec 31 was team B's
    assert _page(client, w, "col_a").status_code == 403
    client.force_login(w.users["lead_a"])
    assert client.post("/reports/morning/targets/", {"month": "2026-12"}).status_code == 403


def test_the_morning_page_is_linked_from_the_reports_and_the_overview(client, morning_world):
    client.force_login(morning_world.users["manager"])
    assert "/reports/morning/" in client.get("/reports/").content.decode()
    assert "/reports/morning/" in client.get("/").content.decode() or \
        "/reports/morning/" in client.get("/dashboard/", follow=True).content.decode()


def test_the_page_in_english(client, morning_world):
    client.force_login(morning_world.users["manager"])
    client.cookies["django_language"] = "en"
    html = unescape(client.get("/reports/morning/").content.decode())
    for text in ("Morning page", "Yesterday's cash", "This month's recovery against target",
                 "Promises due today (1)", "Complaints past half their deadline (1)", "Roll-rate alerts",
                 "Save target", "Recovery target"):
        assert text in html, text
    for chinese in ("早间看板", "昨日回款", "迁徙率预警", "保存目标", "今日到期的承诺"):
        assert chinese not in html, chinese
