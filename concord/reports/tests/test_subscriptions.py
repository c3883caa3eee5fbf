"""Report subscriptions: due and not due with a pinned clock, sent once per slot through a real SMTP server with the
report's Excel file attached (opened with openpyxl), failures recorded and retried, team leads limited to their teams,
bad input refused, the pages."""
from __future__ import annotations

import datetime as dt
import email
import io
from email import policy

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from concord.core import jobs
from concord.core.audit import AuditEvent
from concord.core.models import Job
from concord.operations import scheduler
from concord.reports import delivery, recurrence, subscriptions
from concord.reports.models import ReportDelivery, ReportSubscription
from concord.reports.tests.history_book import NOW, world_with_history

pytestmark = pytest.mark.clock(NOW)
TZ = dt.timezone(dt.timedelta(hours=8))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def history(db):
    w = world_with_history()
    for name in ("manager", "lead_a", "col_a"):
        w.users[name].email = f"{name}@concord.example.cn"
        w.users[name].save()
    return w


def _create(user, when="2027-01-03T12:00:00+08:00", **kw):
    data = dict(title="月度回收", report="recovery", period="last_month", frequency="monthly", month_day=4,
                at=dt.time(9, 0), recipients=["manager@concord.example.cn"], enabled=True)
    data.update(kw)
    with time_machine.travel(at(when), tick=False):
        return subscriptions.create_subscription(user, **data)


def _messages(smtp):
    return [email.message_from_bytes(e.content, policy=policy.default) for e in smtp.envelopes]


def _attachment_rows(message):
    part = next(message.iter_attachments())
    assert part.get_filename().endswith(".xlsx")
    wb = load_workbook(io.BytesIO(part.get_content()))
    return wb, {name: list(wb[name].iter_rows(min_row=5, values_only=True)) for name in wb.sheetnames}


def _run(started):
    """Run the jobs the schedule started (the worker's part)."""
    for job in started:
        jobs.run_job(job.pk)
    return [Job.objects.get(pk=j.pk) for j in started]


# -- the rules of the calendar (pure) --------------------------------------------------------------------------------
def test_periods_are_counted_back_from_the_slot_date():
    d = dt.date(2027, 1, 4)  # a Monday
    assert recurrence.period("yesterday", d) == (dt.date(2027, 1, 3), dt.date(2027, 1, 3))
    assert recurrence.period("last_7_days", d) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    assert recurrence.period("last_week", d) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    assert recurrence.period("last_month", d) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert recurrence.period("month_to_date", d) == (dt.date(2027, 1, 1), dt.date(2027, 1, 3))
    assert recurrence.period("month_to_date", dt.date(2027, 3, 1)) == (dt.date(2027, 2, 1), dt.date(2027, 2, 28))
    assert recurrence.period("last_30_days", d) == (dt.date(2026, 12, 5), dt.date(2027, 1, 3))
    with pytest.raises(ValueError):
        recurrence.period("forever", d)


def test_slot_dates_of_each_frequency():
    d = dt.date(2027, 1, 6)  # a Wednesday
    assert recurrence.latest_slot_date(d, "daily") == d
    assert recurrence.latest_slot_date(d, "weekly", weekday=1) == dt.date(2027, 1, 4)
    assert recurrence.latest_slot_date(d, "weekly", weekday=3) == d
    assert recurrence.latest_slot_date(d, "monthly", month_day=10) == dt.date(2026, 12, 10)
    assert recurrence.next_slot_date(d, "monthly", month_day=6) == dt.date(2027, 2, 6)
    assert recurrence.next_slot_date(d, "weekly", weekday=3) == dt.date(2027, 1, 13)


# -- due, sent once, with the report's Excel file ---------------------------------------------------------------------
def test_a_monthly_subscription_is_sent_once_at_its_time_with_the_excel_file(history, smtp):
    sub = _create(history.users["manager"])
    assert scheduler.report_subscriptions(at("2027-01-04T08:59:00+08:00")) == []  # not yet
    started = scheduler.report_subscriptions(at("2027-01-04T09:01:00+08:00"))
    assert [j.slot for j in started] == [f"report:{sub.pk}@2027-01-04T09:00:00+08:00"]
    assert scheduler.report_subscriptions(at("2027-01-04T09:02:00+08:00")) == []  # started: not twice
    with time_machine.travel(at("2027-01-04T09:01:00+08:00"), tick=False):
        assert _run(started)[0].state == "succeeded"
    assert scheduler.report_subscriptions(at("2027-01-04T12:00:00+08:00")) == []
    assert scheduler.report_subscriptions(at("2027-01-05T09:01:00+08:00")) == []  # monthly: the 4th only

    d = ReportDelivery.objects.get(subscription=sub)
    assert (d.state, d.attempts, d.start, d.end) == ("sent", 1, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    [message] = _messages(smtp)
    assert smtp.envelopes[0].rcpt_tos == ["manager@concord.example.cn"]
    assert "月度回收" in message["Subject"] and "2026-12-01" in message["Subject"]
    wb, sheets = _attachment_rows(message)
    assert len(wb.sheetnames) == 6  # the same sheets as the page's Excel file
    cash = sheets[wb.sheetnames[1]]
    assert sum(r[1] for r in cash if r[1]) == 750  # 400 + 250 + 100 paid in December
    teams = {r[0]: r[3] for r in sheets[wb.sheetnames[2]] if r[0]}
    assert teams == {"A组": 500, "B组": 250}
    actions = set(AuditEvent.objects.filter(object_id=str(d.pk)).values_list("action", flat=True))
    assert {"reports.delivery_start", "reports.delivery_sent"} <= actions


def test_the_worker_tick_starts_the_slot(history, smtp):
    sub = _create(history.users["manager"], frequency="daily", month_day=None, period="yesterday")
    with time_machine.travel(at("2027-01-04T09:05:00+08:00"), tick=False):
        started = [j for j in scheduler.tick() if j.kind == delivery.KIND]
    assert [j.slot for j in started] == [f"report:{sub.pk}@2027-01-04T09:00:00+08:00"]


def test_weekly_subscription_and_a_slot_before_it_was_saved(history, smtp):
    # saved on Monday 4 January at 10:00: Monday's 09:00 slot had passed, so the first is the next Monday
    sub = _create(history.users["manager"], when="2027-01-04T10:00:00+08:00", frequency="weekly", weekday=1,
                  month_day=None, period="last_week")
    assert scheduler.report_subscriptions(at("2027-01-04T10:01:00+08:00")) == []
    assert scheduler.report_subscriptions(at("2027-01-08T09:01:00+08:00")) == []  # a Friday
    assert delivery.next_slot(sub, at("2027-01-05T00:00:00+08:00")) == at("2027-01-11T09:00:00+08:00")
    [job] = scheduler.report_subscriptions(at("2027-01-11T09:00:00+08:00"))
    assert job.params["day"] == "2027-01-11"


def test_a_failed_delivery_is_recorded_and_retried(history, smtp, settings):
    sub = _create(history.users["manager"])
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    started = scheduler.report_subscriptions(at("2027-01-04T09:01:00+08:00"))
    with time_machine.travel(at("2027-01-04T09:01:00+08:00"), tick=False):
        _run(started)
    d = ReportDelivery.objects.get(subscription=sub)
    assert d.state == "failed" and d.attempts == 1 and "Error" in d.error
    assert d.next_try_at == at("2027-01-04T09:11:00+08:00")
    assert scheduler.report_subscriptions(at("2027-01-04T09:10:00+08:00")) == []  # not before its time
    settings.EMAIL_PORT = port
    retry = scheduler.report_subscriptions(at("2027-01-04T09:12:00+08:00"))
    assert [j.slot for j in retry] == [f"report:{sub.pk}@2027-01-04T09:00:00+08:00#2"]
    with time_machine.travel(at("2027-01-04T09:12:00+08:00"), tick=False):
        _run(retry)
    d.refresh_from_db()
    assert d.state == "sent" and d.attempts == 2 and d.error == "" and len(smtp.envelopes) == 1
    assert scheduler.report_subscriptions(at("2027-01-04T10:00:00+08:00")) == []


def test_a_delivery_that_keeps_failing_gives_up_and_the_job_fails(history, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    sub = _create(history.users["manager"])
    when = at("2027-01-04T09:01:00+08:00")
    for n in range(delivery.MAX_ATTEMPTS):
        started = scheduler.report_subscriptions(when)
        assert len(started) == 1
        with time_machine.travel(when, tick=False):
            [job] = _run(started)
        when += dt.timedelta(hours=1)
    d = ReportDelivery.objects.get(subscription=sub)
    assert d.state == "failed" and d.attempts == 3 and d.next_try_at is None
    assert job.state == "failed" and job.slot.endswith("#3")
    assert scheduler.report_subscriptions(when) == []


# -- scope and recipients -------------------------------------------------------------------------------------------
def test_a_team_leads_subscription_holds_their_teams_rows_only(history, smtp):
    lead = history.users["lead_a"]
    sub = _create(lead, recipients=["lead_a@concord.example.cn", "manager@concord.example.cn"])
    with time_machine.travel(at("2027-01-04T09:01:00+08:00"), tick=False):
        _run(scheduler.report_subscriptions(at("2027-01-04T09:01:00+08:00")))
    assert ReportDelivery.objects.get(subscription=sub).state == "sent"
    [message] = _messages(smtp)
    assert sorted(smtp.envelopes[0].rcpt_tos) == ["lead_a@concord.example.cn", "manager@concord.example.cn"]
    wb, sheets = _attachment_rows(message)
    assert sum(r[1] for r in sheets[wb.sheetnames[1]] if r[1]) == 500  # team A's 400 + 100
    assert {r[0] for r in sheets[wb.sheetnames[2]] if r[0]} == {"A组"}


def test_recipients_must_be_users_who_may_see_the_report(history):
    manager, lead = history.users["manager"], history.users["lead_a"]
    with pytest.raises(ValidationError) as e:
        _create(manager, recipients=["someone@example.com"])
    assert "不是在职用户的邮箱" in str(e.value.message_dict["recipients"])
    with pytest.raises(ValidationError) as e:  # a collector sees no reports
        _create(manager, recipients=["col_a@concord.example.cn"])
    assert "无权查看" in str(e.value.message_dict["recipients"])
    with pytest.raises(ValidationError):  # the team lead may not receive the whole book
        _create(manager, recipients=["lead_a@concord.example.cn"])
    # ...but may receive a report limited to their team
    assert _create(manager, team=history.teams["A"], recipients=["lead_a@concord.example.cn"]).pk
    with pytest.raises(ValidationError) as e:  # a team lead cannot subscribe to another team
        _create(lead, team=history.teams["B"])
    assert "team" in e.value.message_dict
    with pytest.raises(PermissionDenied):
        _create(history.users["col_a"], recipients=["manager@concord.example.cn"])
    assert ReportSubscription.objects.count() == 1


def test_a_recipient_who_left_is_skipped_when_sending(history, smtp):
    sub = _create(history.users["manager"], recipients=["manager@concord.example.cn", "lead_a@concord.example.cn"],
                  team=history.teams["A"])
    history.users["lead_a"].is_active = False
    history.users["lead_a"].save()
    with time_machine.travel(at("2027-01-04T09:01:00+08:00"), tick=False):
        _run(scheduler.report_subscriptions(at("2027-01-04T09:01:00+08:00")))
    d = ReportDelivery.objects.get(subscription=sub)
    assert d.state == "sent" and d.recipients == ["manager@concord.example.cn"] and len(d.skipped) == 1
    assert smtp.envelopes[0].rcpt_tos == ["manager@concord.example.cn"]


@pytest.mark.parametrize("change, field", [
    ({"frequency": "weekly", "weekday": None, "month_day": None}, "weekday"),
    ({"month_day": 31}, "month_day"),
    ({"report": "nope"}, "report"),
    ({"period": "forever"}, "period"),
    ({"recipients": []}, "recipients"),
    ({"title": " "}, "title"),
])
def test_bad_input_is_refused_with_the_field(history, change, field):
    with pytest.raises(ValidationError) as e:
        _create(history.users["manager"], **change)
    assert field in e.value.message_dict
    assert ReportSubscription.objects.count() == 0


def test_addresses_are_parsed_and_checked():
    assert subscriptions.parse_recipients("a@x.cn, b@x.cn；A@x.cn\nc@x.cn") == ["a@x.cn", "b@x.cn", "c@x.cn"]
    with pytest.raises(ValidationError) as e:
        subscriptions.parse_recipients("a@x.cn, not-an-address")
    assert "not-an-address" in str(e.value)


# -- the pages ------------------------------------------------------------------------------------------------------
def _post(client, user, url, **data):
    client.force_login(user)
    return client.post(url, data)


FORM = {"title": "每周联系", "report": "contact", "period": "last_7_days", "frequency": "weekly", "weekday": "1",
        "month_day": "", "at": "08:30", "recipients": "manager@concord.example.cn", "enabled": "on"}


def test_the_pages_create_edit_send_and_delete(client, history, smtp):
    manager = history.users["manager"]
    r = _post(client, manager, "/reports/subscriptions/new/", **FORM)
    assert r.status_code == 302
    sub = ReportSubscription.objects.get()
    assert (sub.owner, sub.weekday, sub.at) == (manager, 1, dt.time(8, 30))
    bad = _post(client, manager, f"/reports/subscriptions/{sub.pk}/", **{**FORM, "recipients": "nobody@x.cn, x"})
    assert bad.status_code == 200 and "不是有效的电子邮件地址" in bad.content.decode()
    r = _post(client, manager, f"/reports/subscriptions/{sub.pk}/", **{**FORM, "title": "每周联系（改）"})
    assert r.status_code == 302
    sub.refresh_from_db()
    assert sub.title == "每周联系（改）"
    with time_machine.travel(at(NOW), tick=False), _inline():
        r = _post(client, manager, f"/reports/subscriptions/{sub.pk}/send/")
    assert r.status_code == 302 and len(smtp.envelopes) == 1
    d = sub.deliveries.get()
    assert d.requested_by == manager and d.slot is None and d.state == "sent"
    page = client.get(f"/reports/subscriptions/{sub.pk}/").content.decode()
    assert "已发送" in page and "2026-12-28" in page
    assert "每周联系（改）" in client.get("/reports/subscriptions/").content.decode()
    # a team lead sees only their own subscriptions; a collector none
    client.force_login(history.users["lead_a"])
    assert client.get(f"/reports/subscriptions/{sub.pk}/").status_code == 404
    assert "每周联系" not in client.get("/reports/subscriptions/").content.decode()
    client.force_login(history.users["col_a"])
    assert client.get("/reports/subscriptions/").status_code == 403
    r = _post(client, manager, f"/reports/subscriptions/{sub.pk}/delete/")
    assert r.status_code == 302 and not ReportSubscription.objects.exists()
    assert AuditEvent.objects.filter(action="reports.subscription_delete").count() == 1


def _inline():
    from django.test import override_settings

    return override_settings(CONCORD_JOBS_INLINE=True)


def test_the_subscription_time_is_in_the_books_time_zone(history):
    sub = _create(history.users["manager"], frequency="daily", month_day=None, at=dt.time(0, 15))
    assert delivery.next_slot(sub, timezone.make_aware(dt.datetime(2027, 1, 4, 0, 10))) == \
        dt.datetime(2027, 1, 4, 0, 15, tzinfo=TZ)
