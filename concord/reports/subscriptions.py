"""Report subscriptions (报表订阅): a report e-mailed as its Excel file on a schedule. The only writer of
``ReportSubscription`` (each action audited in its transaction); the sending is :mod:`concord.reports.delivery`.

Who: anyone who sees the reports (``Capability.VIEW_REPORTS``). A manager or an admin sees and edits every
subscription; a team lead only their own, and the report of a team lead's subscription is always limited to their
teams (the filters are passed through ``scope.scoped_filters(owner, …)`` each time it is sent).

Recipients: e-mail addresses of active Concord users who may see that report themselves — a user who sees the whole
book receives any report, a team lead only reports limited to their teams (the owner's teams, or the subscription's
team filter). Other addresses are refused: the file carries the book's figures and a mailbox outside Concord has no
login to check who reads it. Checked when the subscription is saved and again when it is sent (a recipient who has
left or changed role since is skipped, and the delivery says so).
"""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.core.access import own_team_ids
from concord.staff.models import User
from concord.staff.roles import Capability, may

from . import recurrence
from .metrics import Filters
from .models import ReportSubscription
from .pages import REPORTS
from .scope import scoped_filters

MAX_RECIPIENTS = 50
FIELDS = ("title", "report", "creditor", "product", "team", "collector", "bucket", "period", "frequency", "weekday",
          "month_day", "at", "recipients", "enabled")


def parse_recipients(text: str) -> list[str]:
    """Addresses separated by commas, semicolons, spaces or new lines; each checked, duplicates dropped."""
    out, bad = [], []
    for part in re.split(r"[\s,;，；]+", text or ""):
        if not part:
            continue
        try:
            validate_email(part)
        except ValidationError:
            bad.append(part)
            continue
        if part.lower() not in (o.lower() for o in out):
            out.append(part)
    if bad:
        raise ValidationError({"recipients": [_("不是有效的电子邮件地址：%(a)s") % {"a": "、".join(bad)}]})
    return out


def manages_all(user) -> bool:
    return may(user, Capability.VIEW_REPORTS) and getattr(user, "case_scope", "") == "book"


def visible_subscriptions(user):
    """The subscriptions ``user`` sees and edits: all for a manager or admin, their own for a team lead."""
    scoped_filters(user)  # PermissionDenied for users who see no reports
    qs = ReportSubscription.objects.select_related("owner", "creditor", "team", "product", "collector")
    return qs if manages_all(user) else qs.filter(owner=user)


def filters_of(sub: ReportSubscription) -> Filters:
    """The subscription's filters, limited to what its owner may see now (PermissionDenied if nothing)."""
    return scoped_filters(sub.owner, Filters(creditor_id=sub.creditor_id, product_id=sub.product_id,
                                             team_id=sub.team_id, collector_id=sub.collector_id,
                                             bucket=sub.bucket or None))


def teams_of(filters: Filters) -> tuple[int, ...] | None:
    """The teams a report with ``filters`` is limited to (None: the whole book)."""
    if filters.team_id is not None:
        return (filters.team_id,)
    return filters.teams


def recipient_problem(address: str, teams: tuple[int, ...] | None) -> str | None:
    """Why ``address`` may not receive a report limited to ``teams`` (None: it may)."""
    users = [u for u in User.objects.filter(is_active=True, email__iexact=address)]
    if not users:
        return _("%(a)s 不是在职用户的邮箱") % {"a": address}
    for u in users:
        if not may(u, Capability.VIEW_REPORTS):
            continue
        if u.case_scope == "book":
            return None
        if u.case_scope == "team" and teams is not None and set(teams) <= own_team_ids(u):
            return None
    return _("%(a)s 的用户无权查看此范围的报表") % {"a": address}


def _check(actor, data: dict, owner) -> None:
    errors = {}
    if not (data.get("title") or "").strip():
        errors["title"] = [_("请填写名称")]
    if data.get("report") not in REPORTS:
        errors["report"] = [_("未知的报表：%(r)s") % {"r": data.get("report")}]
    if data.get("period") not in recurrence.PERIODS:
        errors["period"] = [_("未知的报表期间")]
    freq = data.get("frequency")
    if freq not in recurrence.FREQUENCIES:
        errors["frequency"] = [_("未知的频率")]
    if freq == "weekly" and data.get("weekday") not in range(1, 8):
        errors["weekday"] = [_("每周发送须选择星期几（1–7）")]
    if freq == "monthly" and data.get("month_day") not in range(1, recurrence.MAX_MONTH_DAY + 1):
        errors["month_day"] = [_("每月发送须选择 1–28 号（每个月都有的日子）")]
    if not isinstance(data.get("at"), dt.time):
        errors["at"] = [_("请填写发送时间")]
    recipients = data.get("recipients") or []
    if not recipients:
        errors["recipients"] = [_("至少要有一个收件人")]
    elif len(recipients) > MAX_RECIPIENTS:
        errors["recipients"] = [_("收件人最多 %(n)s 个") % {"n": MAX_RECIPIENTS}]
    if errors:
        raise ValidationError(errors)
    team = data.get("team")
    probe = ReportSubscription(owner=owner, team=team, creditor=data.get("creditor"), product=data.get("product"),
                               collector=data.get("collector"), bucket=data.get("bucket") or "")
    try:
        filters = filters_of(probe)
    except PermissionDenied as exc:
        raise ValidationError({"team": [str(exc)]}) from None
    problems = [p for p in (recipient_problem(a, teams_of(filters)) for a in recipients) if p]
    if problems:
        raise ValidationError({"recipients": problems})


def _may_write(actor, sub: ReportSubscription | None = None) -> None:
    scoped_filters(actor)
    if sub is not None and not manages_all(actor) and sub.owner_id != actor.pk:
        raise PermissionDenied(_("您只能修改自己的报表订阅"))


def _record(sub: ReportSubscription) -> dict:
    out = {}
    for name in FIELDS:
        value = getattr(sub, f"{name}_id" if name in ("creditor", "product", "team", "collector") else name)
        out[name] = value.strftime("%H:%M") if isinstance(value, dt.time) else value
    return out


def _normalise(data: dict) -> dict:
    data = {k: data.get(k) for k in FIELDS}
    data["enabled"] = True if data["enabled"] is None else bool(data["enabled"])
    data["title"] = (data["title"] or "").strip()
    data["bucket"] = data["bucket"] or ""
    if data["frequency"] != "weekly":
        data["weekday"] = None
    if data["frequency"] != "monthly":
        data["month_day"] = None
    return data


def create_subscription(actor, **data) -> ReportSubscription:
    """A new subscription owned by ``actor``. Fields: see :data:`FIELDS` (filters as model instances or None)."""
    _may_write(actor)
    data = _normalise(data)
    _check(actor, data, actor)
    now = clock.now()
    with transaction.atomic():
        sub = ReportSubscription.objects.create(owner=actor, created_at=now, updated_at=now, **data)
        audit.record(actor, "reports.subscription_create", sub, {"after": _record(sub)})
    return sub


def update_subscription(actor, sub: ReportSubscription, **data) -> ReportSubscription:
    _may_write(actor, sub)
    data = _normalise(data)
    _check(actor, data, sub.owner)
    with transaction.atomic():
        sub = ReportSubscription.objects.select_for_update().get(pk=sub.pk)
        before = _record(sub)
        for k, v in data.items():
            setattr(sub, k, v)
        sub.updated_at = clock.now()
        sub.save()
        audit.record(actor, "reports.subscription_update", sub, {"before": before, "after": _record(sub)})
    return sub


def delete_subscription(actor, sub: ReportSubscription) -> None:
    _may_write(actor, sub)
    with transaction.atomic():
        before = _record(sub)
        pk = sub.pk
        sub.delete()
        audit.record(actor, "reports.subscription_delete", None, {"before": before},
                     object_type="reports.reportsubscription", object_id=str(pk))
