"""Alerts to the operators: a scheduled job that failed, or a slot that was missed (no worker ran at its time).
Each is recorded once (``Alert``: slot and kind unique) and e-mailed to every active user who may operate
(``Capability.OPERATE``) and has an e-mail address, over the SMTP settings of outreach (``EMAIL_HOST`` …)."""
from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from concord.core import audit, clock, jobs
from concord.core.models import Job, JobState
from concord.outreach import conf
from concord.staff.models import User
from concord.staff.roles import Capability, roles_with

from .models import Alert, AlertKind

log = logging.getLogger(__name__)


def recipients() -> list[str]:
    users = User.objects.filter(is_active=True).exclude(email="")
    return sorted({u.email for u in users if u.role in roles_with(Capability.OPERATE) or u.is_superuser})


def job_ended(job: Job) -> None:
    """The jobs framework's follower: a scheduled job that failed alerts the operators."""
    if job.slot and job.state == JobState.FAILED:
        with translation.override("zh-hans"):
            message = _("计划任务 %(label)s（%(slot)s）失败：%(error)s") % {
                "label": jobs.label_of(job.kind), "slot": job.slot, "error": job.error or "—"}
        raise_alert(job.slot, AlertKind.FAILED, message, job=job)


def missed(entry, at: dt.datetime, now: dt.datetime, *, job: Job | None = None) -> None:
    """A slot that started late (caught up) or not at all."""
    name = f"{entry.key}@{at.isoformat()}"
    with translation.override("zh-hans"):
        if job is not None:
            message = _("计划任务 %(label)s 未在 %(at)s 运行（当时没有工作进程），已于 %(now)s 补跑") % {
                "label": entry.label, "at": f"{at:%Y-%m-%d %H:%M}", "now": f"{now:%Y-%m-%d %H:%M}"}
        else:
            message = _("计划任务 %(label)s 未在 %(at)s 运行（当时没有工作进程），也不会再补跑") % {
                "label": entry.label, "at": f"{at:%Y-%m-%d %H:%M}"}
    raise_alert(name, AlertKind.MISSED, message, job=job)


def check_missed(now: dt.datetime) -> None:
    from .scheduler import recent

    for slot in recent(now):
        if slot.state == "missed" and not Alert.objects.filter(slot=f"{slot.entry.key}@{slot.at.isoformat()}",
                                                               kind=AlertKind.MISSED).exists():
            missed(slot.entry, slot.at, now)


def raise_alert(slot: str, kind: str, message: str, *, job: Job | None = None) -> Alert | None:
    """Record the alert once and e-mail it; returns None when it was raised before."""
    to = recipients()
    try:
        with transaction.atomic():
            alert = Alert.objects.create(slot=slot, kind=kind, job=job, message=message, created_at=clock.now(),
                                         recipients=to)
            audit.record(None, f"operations.alert.{kind}", alert, {"slot": slot, "recipients": len(to)})
    except IntegrityError:
        return None
    sent, error = _send(to, message)
    with transaction.atomic():
        Alert.objects.filter(pk=alert.pk).update(sent=sent, send_error=error)
        audit.record(None, "operations.alert.mail", alert, {"sent": sent, **({"error": error[:300]} if error else {})})
    alert.sent, alert.send_error = sent, error
    return alert


def _send(to: list[str], message: str) -> tuple[bool, str]:
    if not to:
        return False, "no operator has an e-mail address"
    subject = f"[Concord] {message[:120]}"
    mail = EmailMessage(subject=subject, body=message + "\n\n" + _("运维页面：/operations/"), from_email=conf.email_from(),
                        to=to)
    try:
        connection = get_connection(fail_silently=False, **conf.email_connection_kwargs())
        return bool(connection.send_messages([mail])), ""
    except Exception as exc:  # the alert stays on the operations page with the reason the mail failed
        log.warning("operations alert not e-mailed: %s", exc)
        return False, f"{type(exc).__name__}: {exc}"[:500]
