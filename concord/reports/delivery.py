"""Sending report subscriptions: the slots the schedule runs, the job that builds the Excel file (the very file the
report page exports: ``pages.workbook``) and e-mails it over the SMTP settings of outreach, and each delivery's
record (``ReportDelivery``: sent, or failed with the reason and tried again).

Slots: a subscription is due at its time of day (the book's time zone) on each slot date of its frequency
(:mod:`concord.reports.recurrence`). The operations scheduler asks :func:`due` on every tick and starts one job per
slot, named ``report:<id>@<instant>`` — a slot is sent once however many workers tick (``Job.slot`` and
``ReportDelivery.slot`` are unique). Only the latest slot is sent when the worker was down (a late delivery, not a
pile of them), and never a slot from before the subscription was last saved. A failed delivery is tried again
``RETRY_AFTER`` × attempts later, up to ``MAX_ATTEMPTS`` tries in all (:func:`retries_due`).
"""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core import audit, clock, jobs
from concord.core.models import Job
from concord.outreach import conf

from . import capture, pages, recurrence
from .models import DeliveryState, PeriodRule, ReportDelivery, ReportSubscription
from .subscriptions import filters_of, recipient_problem, teams_of

log = logging.getLogger(__name__)
KIND = "reports.send_subscription"
MAX_ATTEMPTS = 3
RETRY_AFTER = dt.timedelta(minutes=10)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def slot_name(sub: ReportSubscription, at: dt.datetime) -> str:
    return f"report:{sub.pk}@{at.isoformat()}"


def latest_slot(sub: ReportSubscription, now: dt.datetime) -> tuple[dt.date, dt.datetime] | None:
    """The subscription's last slot at or before ``now`` (its local date and instant), if after it was last saved."""
    zone = settings.TIME_ZONE
    today = clock.local_date(now, zone)
    day = recurrence.latest_slot_date(today, sub.frequency, sub.weekday, sub.month_day)
    at = clock.at_time(day, sub.at, zone)
    if at > now:
        day = recurrence.latest_slot_date(day - dt.timedelta(days=1), sub.frequency, sub.weekday, sub.month_day)
        at = clock.at_time(day, sub.at, zone)
    return (day, at) if at >= sub.updated_at else None


def next_slot(sub: ReportSubscription, now: dt.datetime) -> dt.datetime | None:
    if not sub.enabled:
        return None
    zone = settings.TIME_ZONE
    day = clock.local_date(now, zone) - dt.timedelta(days=1)
    while True:
        day = recurrence.next_slot_date(day, sub.frequency, sub.weekday, sub.month_day)
        at = clock.at_time(day, sub.at, zone)
        if at > now:
            return at


def due(now: dt.datetime) -> list[tuple[str, dict]]:
    """The slots to start now: (slot name, the job's params) of each enabled subscription's latest slot not yet
    started, then the failed deliveries whose next try has come."""
    out = []
    for sub in ReportSubscription.objects.filter(enabled=True):
        latest = latest_slot(sub, now)
        if latest is None:
            continue
        day, at = latest
        name = slot_name(sub, at)
        if Job.objects.filter(slot=name).exists() or ReportDelivery.objects.filter(slot=name).exists():
            continue
        out.append((name, {"subscription": sub.pk, "day": day.isoformat(), "slot": name}))
    return out + retries_due(now)


def retries_due(now: dt.datetime) -> list[tuple[str, dict]]:
    out = []
    for d in ReportDelivery.objects.filter(state=DeliveryState.FAILED, next_try_at__lte=now,
                                           attempts__lt=MAX_ATTEMPTS):
        name = f"{d.slot or f'report-delivery:{d.pk}'}#{d.attempts + 1}"
        if not Job.objects.filter(slot=name).exists():
            out.append((name, {"delivery": d.pk}))
    return out


def send_now(actor, sub: ReportSubscription) -> Job:
    """Send the subscription at once (its period counted back from today), as a job of the worker."""
    from .subscriptions import _may_write

    _may_write(actor, sub)
    return jobs.start_job(KIND, {"subscription": sub.pk, "day": clock.today().isoformat()}, by=actor)


@jobs.kind(KIND, label=gettext_lazy("发送订阅报表"))
def _send_job(ctx: jobs.Context) -> dict:
    p = ctx.params
    if "delivery" in p:
        delivery = ReportDelivery.objects.select_related("subscription").get(pk=p["delivery"])
    else:
        delivery = start_delivery(ReportSubscription.objects.get(pk=p["subscription"]),
                                  dt.date.fromisoformat(p["day"]), slot=p.get("slot"), by=ctx.by)
    if delivery.state == DeliveryState.SENT:
        return {"delivery": delivery.pk, "state": delivery.state}
    delivery = attempt(delivery)
    if delivery.state == DeliveryState.FAILED and delivery.next_try_at is None:
        raise RuntimeError(delivery.error)  # given up: the job fails (scheduled jobs that fail alert the operators)
    return {"delivery": delivery.pk, "state": delivery.state, "attempts": delivery.attempts}


def start_delivery(sub: ReportSubscription, day: dt.date, *, slot: str | None = None, by=None) -> ReportDelivery:
    """The delivery of ``sub`` for the slot date ``day`` (the existing one for a slot already started)."""
    if slot:
        existing = ReportDelivery.objects.filter(slot=slot).first()
        if existing is not None:
            return existing
    start, end = recurrence.period(sub.period, day)
    with transaction.atomic():
        delivery = ReportDelivery.objects.create(subscription=sub, slot=slot, start=start, end=end,
                                                 created_at=clock.now(), recipients=list(sub.recipients),
                                                 requested_by=by if getattr(by, "pk", None) else None)
        audit.record(by, "reports.delivery_start", delivery, {
            "subscription": sub.pk, "slot": slot, "period": [start.isoformat(), end.isoformat()]})
    return delivery


def subtitle(sub: ReportSubscription, start: dt.date, end: dt.date) -> str:
    parts = [f"{start} — {end}"]
    for label, value in ((_("委托方"), sub.creditor), (_("产品"), sub.product), (_("小组"), sub.team),
                         (_("催收员"), sub.collector), (_("账龄"), sub.bucket)):
        if value:
            parts.append(f"{label}: {value}")
    if sub.owner.case_scope == "team" and not sub.team_id:
        parts.append(_("范围：%(u)s 的小组") % {"u": sub.owner})
    return " · ".join(str(p) for p in parts)


def file_name(sub: ReportSubscription, start: dt.date, end: dt.date) -> str:
    return f"concord-{sub.report}-{start}-{end}.xlsx"


def build(sub: ReportSubscription, start: dt.date, end: dt.date) -> bytes:
    """The report's Excel file for the period, as its owner may see it now."""
    filters = filters_of(sub)
    return pages.workbook(sub.report, capture.store().connect(), start, end, filters, subtitle(sub, start, end))


def attempt(delivery: ReportDelivery) -> ReportDelivery:
    """Build the file and e-mail it; record the outcome (audited). A failure is tried again later unless it cannot
    succeed (the owner or every recipient may no longer see the report)."""
    sub = delivery.subscription
    now = clock.now()
    retry = True
    skipped, to = [], []
    with translation.override("zh-hans"):
        try:
            filters = filters_of(sub)
            for address in sub.recipients:
                problem = recipient_problem(address, teams_of(filters))
                (skipped if problem else to).append(problem or address)
            if not to:
                retry = False
                raise PermissionDenied(_("没有可以接收此报表的收件人"))
            data = build(sub, delivery.start, delivery.end)
            name = file_name(sub, delivery.start, delivery.end)
            _mail(sub, delivery, to, name, data)
            error = ""
        except PermissionDenied as exc:
            retry, error, name = False, str(exc) or _("无权查看此报表"), ""
        except Exception as exc:  # SMTP, socket, SSL or a history that cannot be read: say why, try again later
            log.warning("report subscription %s not sent: %s", sub.pk, exc)
            error, name = f"{type(exc).__name__}: {exc}"[:500], ""
    attempts = delivery.attempts + 1
    state = DeliveryState.FAILED if error else DeliveryState.SENT
    next_try = now + RETRY_AFTER * attempts if error and retry and attempts < MAX_ATTEMPTS else None
    with transaction.atomic():
        ReportDelivery.objects.filter(pk=delivery.pk).update(
            state=state, attempts=attempts, error=error, next_try_at=next_try, recipients=to, skipped=skipped,
            file_name=name, sent_at=None if error else now)
        audit.record(None, f"reports.delivery_{state}", delivery, {
            "subscription": sub.pk, "attempt": attempts, "recipients": len(to),
            **({"skipped": skipped} if skipped else {}), **({"error": error[:300]} if error else {})})
    delivery.refresh_from_db()
    return delivery


def _mail(sub, delivery, to, name, data) -> None:
    period = dict(PeriodRule.choices).get(sub.period, sub.period)
    body = "\n".join([
        _("%(title)s：%(report)s，%(start)s 至 %(end)s（%(period)s）。") % {
            "title": sub.title, "report": pages.REPORTS[sub.report], "start": delivery.start, "end": delivery.end,
            "period": period},
        _("报表见附件（Excel）；在 Concord 的报表页面可以查看图表和明细。"),
        _("此邮件由报表订阅自动发送；修改或退订：报表 → 报表订阅。")])
    mail = EmailMessage(subject=f"[Concord] {sub.title} {delivery.start}—{delivery.end}", body=body,
                        from_email=conf.email_from(), to=to)
    mail.attach(name, data, XLSX)
    connection = get_connection(fail_silently=False, **conf.email_connection_kwargs())
    if not connection.send_messages([mail]):
        raise RuntimeError("the mail server accepted no recipient")
